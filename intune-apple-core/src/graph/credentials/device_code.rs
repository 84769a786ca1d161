//! [`DeviceCodeCredential`]: a person signs in on another device (delegated permissions), with
//! the tenant's own public client app registration. The code and the address are written to
//! standard error (or given to a callback); the tokens stay in memory and are never written.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;

use super::{
    after, rejected, request_grant, token_url, AccessToken, Credential, CredentialError,
    TokenRequestContext,
};
use crate::clock::BoxFuture;
use crate::model::{NumberOrText, OAuthErrorBody};
use crate::Secret;

const NAME: &str = "DeviceCodeCredential";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Microsoft's own public client ids (Azure CLI, Azure PowerShell, Microsoft Graph PowerShell
/// and CLI, Intune PowerShell, Graph Explorer, Visual Studio): being retired for third-party use,
/// and never the tenant's own app, so they are refused.
const FIRST_PARTY: &[&str] = &[
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "1950a258-227b-4e31-a9cf-717495945fc2",
    "14d82eec-204b-4c2f-b7e8-296a70dab67e",
    "d1ddf0e4-d672-4dae-b554-9d5bdfd93547",
    "de8bc8b5-d9f9-48b1-a8ad-b748da725064",
    "872cd9fa-d31f-45e0-9eab-6e460a02d1f1",
    "04f0c124-f2bc-4f59-8241-bf6df9866bbd",
];

/// What the person has to do: open `verification_uri` and enter `user_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    /// The code to enter.
    pub user_code: String,
    /// Where to enter it (`https://microsoft.com/devicelogin`).
    pub verification_uri: String,
    /// The identity platform's sentence saying both.
    pub message: String,
    /// How long the code is valid.
    pub expires_in: Duration,
}

/// Shows a [`DeviceCodePrompt`] to the person.
pub type PromptCallback = Arc<dyn Fn(&DeviceCodePrompt) + Send + Sync>;

/// Signs a person in with the device code flow.
///
/// ```
/// use intune_apple_core::graph::DeviceCodeCredential;
/// // The tenant's own public client app ("Allow public client flows": Yes).
/// assert!(DeviceCodeCredential::new("contoso.onmicrosoft.com", "6e1f0c4a-5d57-4c0e-9b3e-2f6c8d1a7b90").is_ok());
/// // Microsoft's Azure CLI app id is refused.
/// assert!(DeviceCodeCredential::new("contoso.onmicrosoft.com", "04b07795-8ddb-461a-bbee-02f9e1bf7b46").is_err());
/// ```
#[derive(Clone)]
pub struct DeviceCodeCredential {
    tenant_id: String,
    client_id: String,
    prompt: PromptCallback,
    refresh_token: Arc<Mutex<Option<Secret>>>,
}

impl std::fmt::Debug for DeviceCodeCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(NAME)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct DeviceAuthorization {
    device_code: Option<Secret>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    expires_in: Option<NumberOrText>,
    #[serde(default)]
    interval: Option<NumberOrText>,
}

impl DeviceCodeCredential {
    /// A sign-in to `tenant_id` (an id or domain; `organizations` for any work account) with
    /// the public client app `client_id`.
    ///
    /// # Errors
    /// [`CredentialError::Configuration`] when `client_id` is empty or one of Microsoft's own
    /// app ids.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(CredentialError::Configuration(format!(
                "{NAME}: give the client id of your own app registration (a public client \
                 with delegated Intune permissions)"
            )));
        }
        if FIRST_PARTY
            .iter()
            .any(|id| id.eq_ignore_ascii_case(client_id.trim()))
        {
            return Err(CredentialError::Configuration(format!(
                "{NAME}: {client_id} is one of Microsoft's own app ids, which are being retired \
                 for this use; register your own app (Authentication > Allow public client \
                 flows: Yes; API permissions: the delegated DeviceManagement* permissions, \
                 admin consent) and give its client id"
            )));
        }
        Ok(Self {
            tenant_id: tenant_id.into(),
            client_id,
            prompt: Arc::new(|p: &DeviceCodePrompt| {
                #[allow(clippy::print_stderr)] // the flow's purpose: tell the person what to do
                {
                    eprintln!("{}", p.message);
                }
            }),
            refresh_token: Arc::default(),
        })
    }

    /// Shows the prompt through `prompt` instead of standard error.
    #[must_use]
    pub fn with_prompt(mut self, prompt: PromptCallback) -> Self {
        self.prompt = prompt;
        self
    }

    fn scopes(ctx: &TokenRequestContext<'_>) -> String {
        format!("{} offline_access", ctx.scope)
    }

    async fn refresh(
        &self,
        ctx: &TokenRequestContext<'_>,
        refresh_token: &Secret,
    ) -> Result<AccessToken, CredentialError> {
        let scope = Self::scopes(ctx);
        let form = [
            ("client_id", self.client_id.as_str()),
            ("grant_type", "refresh_token"),
            ("scope", scope.as_str()),
            ("refresh_token", refresh_token.expose()),
        ];
        let grant = request_grant(ctx, &self.tenant_id, &form).await?;
        self.keep(grant.refresh_token);
        Ok(grant.token)
    }

    fn keep(&self, refresh_token: Option<Secret>) {
        if let Some(r) = refresh_token {
            *self
                .refresh_token
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(r);
        }
    }

    async fn sign_in(&self, ctx: &TokenRequestContext<'_>) -> Result<AccessToken, CredentialError> {
        let base = token_url(ctx.authority_host, &self.tenant_id);
        let devicecode_url = format!("{}devicecode", base.trim_end_matches("token"));
        let scope = Self::scopes(ctx);
        let unreachable = |e: reqwest::Error| CredentialError::Transport {
            authority: ctx.authority_host.to_owned(),
            source: e.without_url(),
        };
        let response = ctx
            .http
            .post(&devicecode_url)
            .form(&[("client_id", self.client_id.as_str()), ("scope", &scope)])
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let bytes = super::read_token_answer(response, status, &unreachable).await?;
        if !(200..300).contains(&status) {
            let body: OAuthErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            return Err(rejected(status, &body));
        }
        let invalid = |m: &str| CredentialError::InvalidResponse {
            status,
            message: format!("{NAME}: {m}"),
        };
        let auth: DeviceAuthorization = serde_json::from_slice(&bytes)
            .map_err(|_| invalid("the device authorization answer is not JSON"))?;
        let (Some(device_code), Some(user_code), Some(verification_uri)) =
            (auth.device_code, auth.user_code, auth.verification_uri)
        else {
            return Err(invalid(
                "the device authorization answer lacks device_code, user_code or verification_uri",
            ));
        };
        let lifetime = auth
            .expires_in
            .map_or(900, NumberOrText::get)
            .clamp(1, 3600);
        let mut interval = auth.interval.map_or(5, NumberOrText::get).clamp(1, 60);
        let started = ctx.clock.now();
        let deadline = after(started, lifetime).unwrap_or(started);
        (self.prompt)(&DeviceCodePrompt {
            message: auth.message.unwrap_or_else(|| {
                format!("To sign in, open {verification_uri} and enter the code {user_code}.")
            }),
            user_code,
            verification_uri,
            expires_in: Duration::from_secs(lifetime.unsigned_abs()),
        });
        loop {
            ctx.clock
                .sleep(Duration::from_secs(interval.unsigned_abs()))
                .await;
            if ctx.clock.now() > deadline {
                return Err(CredentialError::Failed {
                    credential: NAME.into(),
                    message: "the code expired before the sign-in was completed; start again"
                        .into(),
                });
            }
            let form = [
                ("client_id", self.client_id.as_str()),
                ("grant_type", DEVICE_CODE_GRANT),
                ("device_code", device_code.expose()),
            ];
            match request_grant(ctx, &self.tenant_id, &form).await {
                Ok(grant) => {
                    self.keep(grant.refresh_token);
                    return Ok(grant.token);
                }
                Err(CredentialError::Rejected { code, .. }) if code == "authorization_pending" => {}
                Err(CredentialError::Rejected { code, .. }) if code == "slow_down" => {
                    interval = interval.saturating_add(5);
                }
                Err(CredentialError::Rejected { code, .. }) if code == "authorization_declined" => {
                    return Err(CredentialError::Failed {
                        credential: NAME.into(),
                        message: "the person declined the sign-in".into(),
                    });
                }
                Err(CredentialError::Rejected { code, .. }) if code == "expired_token" => {
                    return Err(CredentialError::Failed {
                        credential: NAME.into(),
                        message: "the code expired before the sign-in was completed; start again"
                            .into(),
                    });
                }
                Err(other) => return Err(other),
            }
        }
    }
}

impl Credential for DeviceCodeCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let refresh = self
                .refresh_token
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some(refresh_token) = refresh {
                match self.refresh(&ctx, &refresh_token).await {
                    Ok(token) => return Ok(token),
                    Err(e) if e.is_transient() => return Err(e),
                    Err(_) => {
                        // The refresh token was revoked or expired: sign in again.
                        *self
                            .refresh_token
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner) = None;
                    }
                }
            }
            self.sign_in(&ctx).await
        })
    }

    fn name(&self) -> &str {
        NAME
    }

    /// A person needs time: as long as a code lives (at most an hour).
    fn attempt_timeout(&self) -> Option<Duration> {
        Some(Duration::from_secs(3600))
    }
}
