//! [`StaticTokenCredential`]: a bearer token obtained elsewhere.

use chrono::{DateTime, Utc};

use super::{AccessToken, Credential, CredentialError, TokenRequestContext};
use crate::clock::BoxFuture;
use crate::Secret;

/// A token obtained elsewhere (a managed identity, `az account get-access-token`, a proxy).
/// It is used as is; when it expires, calls fail with 401.
#[derive(Debug, Clone)]
pub struct StaticTokenCredential {
    token: Secret,
    expires_at: Option<DateTime<Utc>>,
}

impl StaticTokenCredential {
    /// A token whose expiry is unknown.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
            expires_at: None,
        }
    }

    /// A token known to expire at `expires_at`.
    pub fn with_expiry(token: impl Into<Secret>, expires_at: DateTime<Utc>) -> Self {
        Self {
            token: token.into(),
            expires_at: Some(expires_at),
        }
    }
}

impl Credential for StaticTokenCredential {
    fn name(&self) -> &str {
        "StaticTokenCredential"
    }

    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        let expires_at = self
            .expires_at
            .or_else(|| {
                ctx.clock
                    .now()
                    .checked_add_signed(chrono::Duration::days(3650))
            })
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let token = self.token.clone();
        Box::pin(async move { Ok(AccessToken::new(token, expires_at)) })
    }
}
