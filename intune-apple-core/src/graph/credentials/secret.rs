//! [`ClientSecretCredential`]: an app registration's client secret.

use super::{request_token, AccessToken, Credential, CredentialError, TokenRequestContext};
use crate::clock::BoxFuture;
use crate::Secret;

/// An app registration's client secret (client credentials grant).
#[derive(Debug, Clone)]
pub struct ClientSecretCredential {
    tenant_id: String,
    client_id: String,
    secret: Secret,
}

impl ClientSecretCredential {
    /// A credential for `client_id` in `tenant_id` with `secret`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            secret: secret.into(),
        }
    }
}

impl Credential for ClientSecretCredential {
    fn name(&self) -> &str {
        "ClientSecretCredential"
    }

    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let form = [
                ("client_id", self.client_id.as_str()),
                ("scope", ctx.scope),
                ("grant_type", "client_credentials"),
                ("client_secret", self.secret.expose()),
            ];
            request_token(&ctx, &self.tenant_id, &form).await
        })
    }
}
