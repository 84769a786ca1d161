//! Sign-in with a federated assertion instead of a secret:
//!
//! - [`ClientAssertionCredential`]: a callback returns the assertion (any OIDC token the app's
//!   federated identity credential trusts);
//! - [`WorkloadIdentityCredential`]: the assertion is a file, as Kubernetes workload identity
//!   projects it (`AZURE_FEDERATED_TOKEN_FILE`), read again when it rotates;
//! - [`GitHubActionsCredential`]: the assertion is the GitHub Actions runner's ID token
//!   (`ACTIONS_ID_TOKEN_REQUEST_URL` / `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, audience
//!   `api://AzureADTokenExchange`).
//!
//! Each assertion is exchanged at the tenant's token endpoint (`client_assertion_type`
//! `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`); the access token is cached by the
//! client, so an assertion is fetched only when a new token is needed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use super::{request_token, AccessToken, Credential, CredentialError, TokenRequestContext};
use crate::clock::BoxFuture;
use crate::Secret;

/// The audience of a federated token for Microsoft Entra ID (public cloud).
pub const GITHUB_AUDIENCE: &str = "api://AzureADTokenExchange";

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub(crate) use crate::graph::env::federation as vars;

/// A callback returning a client assertion (a signed JWT). It is called each time a new access
/// token is needed; an error message it returns is shown as the credential's error.
pub type AssertionCallback =
    Arc<dyn Fn() -> BoxFuture<'static, Result<Secret, String>> + Send + Sync>;

/// Exchanges the assertion a callback returns for a Graph token.
///
/// ```
/// use std::sync::Arc;
/// use intune_apple_core::graph::ClientAssertionCredential;
/// use intune_apple_core::Secret;
/// let credential = ClientAssertionCredential::new("tenant", "client", Arc::new(|| {
///     Box::pin(async { Ok(Secret::new("eyJ...")) })
/// }));
/// assert!(!format!("{credential:?}").contains("eyJ"));
/// ```
#[derive(Clone)]
pub struct ClientAssertionCredential {
    tenant_id: String,
    client_id: String,
    callback: AssertionCallback,
    name: &'static str,
}

impl std::fmt::Debug for ClientAssertionCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.name)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientAssertionCredential {
    /// `client_id` in `tenant_id`, proven by the assertions of `callback`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        callback: AssertionCallback,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            callback,
            name: "ClientAssertionCredential",
        }
    }

    async fn exchange(
        &self,
        ctx: &TokenRequestContext<'_>,
        assertion: &Secret,
    ) -> Result<AccessToken, CredentialError> {
        if self.client_id.is_empty() {
            return Err(CredentialError::Configuration(format!(
                "{}: the client id is empty (set AZURE_CLIENT_ID)",
                self.name
            )));
        }
        let form = [
            ("client_id", self.client_id.as_str()),
            ("scope", ctx.scope),
            ("grant_type", "client_credentials"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion.expose()),
        ];
        request_token(ctx, &self.tenant_id, &form).await
    }
}

impl Credential for ClientAssertionCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let assertion = (self.callback)()
                .await
                .map_err(|m| CredentialError::Failed {
                    credential: self.name.into(),
                    message: format!("the assertion callback failed: {m}"),
                })?;
            if assertion.is_empty() {
                return Err(CredentialError::Failed {
                    credential: self.name.into(),
                    message: "the assertion callback returned an empty assertion".into(),
                });
            }
            self.exchange(&ctx, &assertion).await
        })
    }

    fn name(&self) -> &str {
        self.name
    }
}

/// What was last read from the federated token file.
#[derive(Default)]
struct FileState {
    assertion: Option<Secret>,
    modified: Option<SystemTime>,
    len: u64,
    read_at: Option<DateTime<Utc>>,
}

/// Kubernetes workload identity (and any federated token kept in a file).
///
/// The file is read again when it changes (its modification time or size) or after five
/// minutes, and once more when the identity platform says the assertion has expired
/// (AADSTS700024), so a token the kubelet rotates is always picked up.
#[derive(Clone)]
pub struct WorkloadIdentityCredential {
    tenant_id: String,
    client_id: String,
    path: PathBuf,
    state: Arc<Mutex<FileState>>,
}

impl std::fmt::Debug for WorkloadIdentityCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkloadIdentityCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("token_file", &self.path)
            .finish_non_exhaustive()
    }
}

const NAME_WI: &str = "WorkloadIdentityCredential";
const REREAD_AFTER: chrono::Duration = chrono::Duration::minutes(5);

impl WorkloadIdentityCredential {
    /// `client_id` in `tenant_id`, proven by the token in the file at `path`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            path: path.into(),
            state: Arc::new(Mutex::new(FileState::default())),
        }
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE` read through
    /// `var`.
    ///
    /// # Errors
    /// [`CredentialError::Unavailable`] naming the variables that are missing.
    pub fn from_env_with(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, CredentialError> {
        let env = crate::graph::env::TENANT_ID;
        let names = [
            env,
            crate::graph::env::CLIENT_ID,
            vars::FEDERATED_TOKEN_FILE,
        ];
        let missing: Vec<&str> = names.iter().copied().filter(|n| var(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(CredentialError::Unavailable {
                credential: NAME_WI.into(),
                message: format!("{} not set", missing.join(", ")),
            });
        }
        let get = |n: &str| var(n).unwrap_or_default();
        Ok(Self::new(
            get(names[0]),
            get(names[1]),
            get(vars::FEDERATED_TOKEN_FILE),
        ))
    }

    /// The assertion: the file's contents, read again when it changed or is old.
    fn assertion(&self, now: DateTime<Utc>, force: bool) -> Result<Secret, CredentialError> {
        let failed = |m: String| CredentialError::Failed {
            credential: NAME_WI.into(),
            message: m,
        };
        let meta = std::fs::metadata(&self.path).map_err(|e| {
            failed(format!(
                "cannot read the federated token file {} ({e}); check AZURE_FEDERATED_TOKEN_FILE \
                 and that the service account is annotated for workload identity",
                self.path.display()
            ))
        })?;
        let modified = meta.modified().ok();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = state.assertion.is_some()
            && !force
            && state.modified == modified
            && state.len == meta.len()
            && state.read_at.is_some_and(|at| now - at < REREAD_AFTER);
        if fresh {
            if let Some(a) = &state.assertion {
                return Ok(a.clone());
            }
        }
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(&self.path).map_err(|e| {
            failed(format!(
                "cannot read the federated token file {}: {e}",
                self.path.display()
            ))
        })?);
        let assertion = Secret::new(text.trim());
        if assertion.is_empty() {
            return Err(failed(format!(
                "the federated token file {} is empty",
                self.path.display()
            )));
        }
        *state = FileState {
            assertion: Some(assertion.clone()),
            modified,
            len: meta.len(),
            read_at: Some(now),
        };
        Ok(assertion)
    }
}

impl Credential for WorkloadIdentityCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let exchange = ClientAssertionCredential {
                tenant_id: self.tenant_id.clone(),
                client_id: self.client_id.clone(),
                callback: Arc::new(|| Box::pin(async { Err(String::new()) })),
                name: NAME_WI,
            };
            let assertion = self.assertion(ctx.clock.now(), false)?;
            match exchange.exchange(&ctx, &assertion).await {
                Err(CredentialError::Rejected {
                    aadsts: Some(700_024),
                    ..
                }) => {
                    // Expired: the file may have been rotated since it was read.
                    let again = self.assertion(ctx.clock.now(), true)?;
                    exchange.exchange(&ctx, &again).await
                }
                other => other,
            }
        })
    }

    fn name(&self) -> &str {
        NAME_WI
    }
}

/// A GitHub Actions job's sign-in: the runner's OIDC ID token for `api://AzureADTokenExchange`
/// is exchanged for a Graph token of the app whose federated credential trusts the repository.
/// The workflow needs `permissions: id-token: write`.
#[derive(Clone)]
pub struct GitHubActionsCredential {
    tenant_id: String,
    client_id: String,
    request_url: String,
    request_token: Secret,
    audience: String,
}

impl std::fmt::Debug for GitHubActionsCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubActionsCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

const NAME_GH: &str = "GitHubActionsCredential";

impl GitHubActionsCredential {
    /// `client_id` in `tenant_id`, with the runner's ID-token `request_url` and
    /// `request_token`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        request_url: impl Into<String>,
        request_token: impl Into<Secret>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            request_url: request_url.into(),
            request_token: request_token.into(),
            audience: GITHUB_AUDIENCE.to_owned(),
        }
    }

    /// Another audience (the federated credential's, e.g. `api://AzureADTokenExchangeUSGov`).
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `ACTIONS_ID_TOKEN_REQUEST_URL` and
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN` read through `var`.
    ///
    /// # Errors
    /// [`CredentialError::Unavailable`] naming what is missing (the runner sets the two
    /// `ACTIONS_` variables only when the workflow has `permissions: id-token: write`).
    pub fn from_env_with(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, CredentialError> {
        let names = [
            crate::graph::env::TENANT_ID,
            crate::graph::env::CLIENT_ID,
            vars::ACTIONS_ID_TOKEN_REQUEST_URL,
            vars::ACTIONS_ID_TOKEN_REQUEST_TOKEN,
        ];
        let missing: Vec<&str> = names.iter().copied().filter(|n| var(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(CredentialError::Unavailable {
                credential: NAME_GH.into(),
                message: format!(
                    "{} not set (a workflow needs `permissions: id-token: write`)",
                    missing.join(", ")
                ),
            });
        }
        let get = |n: &str| var(n).unwrap_or_default();
        Ok(Self::new(
            get(names[0]),
            get(names[1]),
            get(names[2]),
            Secret::new(get(names[3])),
        ))
    }

    async fn id_token(&self, ctx: &TokenRequestContext<'_>) -> Result<Secret, CredentialError> {
        let mut url = url::Url::parse(&self.request_url).map_err(|e| {
            CredentialError::Configuration(format!(
                "{NAME_GH}: ACTIONS_ID_TOKEN_REQUEST_URL is not a URL ({e})"
            ))
        })?;
        url.query_pairs_mut()
            .append_pair("audience", &self.audience);
        let endpoint = format!("{}{}", url.origin().ascii_serialization(), url.path());
        let response = ctx
            .http
            .get(url)
            .bearer_auth(self.request_token.expose())
            .header("Accept", "application/json; api-version=2.0")
            .send()
            .await
            .map_err(|e| CredentialError::Unreachable {
                credential: NAME_GH.into(),
                message: format!("cannot reach {endpoint}: {}", e.without_url()),
            })?;
        let status = response.status().as_u16();
        let bytes = super::read_token_answer(response, status, |e| CredentialError::Unreachable {
            credential: NAME_GH.into(),
            message: format!("reading the ID token from {endpoint}: {e}"),
        })
        .await?;
        if !(200..300).contains(&status) {
            return Err(CredentialError::Endpoint {
                credential: NAME_GH.into(),
                endpoint,
                status,
                message: "the runner refused the ID-token request; check that the job has \
                          `permissions: id-token: write`"
                    .into(),
            });
        }
        #[derive(serde::Deserialize)]
        struct IdToken {
            value: Option<Secret>,
        }
        let body: IdToken =
            serde_json::from_slice(&bytes).map_err(|_| CredentialError::InvalidResponse {
                status,
                message: format!("{NAME_GH}: the ID-token answer is not JSON with a `value`"),
            })?;
        body.value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CredentialError::InvalidResponse {
                status,
                message: format!("{NAME_GH}: the ID-token answer has no `value`"),
            })
    }
}

impl Credential for GitHubActionsCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let assertion = self.id_token(&ctx).await?;
            let exchange = ClientAssertionCredential {
                tenant_id: self.tenant_id.clone(),
                client_id: self.client_id.clone(),
                callback: Arc::new(|| Box::pin(async { Err(String::new()) })),
                name: NAME_GH,
            };
            exchange.exchange(&ctx, &assertion).await
        })
    }

    fn name(&self) -> &str {
        NAME_GH
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_named() {
        let err = WorkloadIdentityCredential::from_env_with(&|n| {
            (n == "AZURE_TENANT_ID").then(|| "t".to_owned())
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("AZURE_CLIENT_ID") && text.contains("AZURE_FEDERATED_TOKEN_FILE"));
        let err = GitHubActionsCredential::from_env_with(&|_| None).unwrap_err();
        assert!(err.to_string().contains("id-token: write"), "{err}");
    }

    #[test]
    fn debug_shows_no_assertion_or_request_token() {
        let gh = GitHubActionsCredential::new("t", "c", "http://x/?a=1", "runner-secret");
        assert!(!format!("{gh:?}").contains("runner-secret"));
    }
}
