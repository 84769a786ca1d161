//! Credentials: how the client obtains a bearer token for Microsoft Graph.
//!
//! One file per kind of sign-in, all behind the one [`Credential`] trait:
//!
//! - [`ClientSecretCredential`]: an app registration's client secret;
//! - [`ClientCertificateCredential`]: a certificate, proven with a signed JWT assertion
//!   (`PS256` by default, or `RS256`; header `x5t#S256`, plus `x5t` for older tenants);
//! - [`StaticTokenCredential`]: a bearer token obtained elsewhere;
//! - [`ManagedIdentityCredential`]: the identity Azure gives the host (App Service, Functions,
//!   Automation, VM / VM scale set through IMDS, Azure Arc, Cloud Shell), system- or
//!   user-assigned;
//! - [`WorkloadIdentityCredential`] (a federated token in a file, as on Kubernetes),
//!   [`GitHubActionsCredential`] (the runner's OIDC token) and [`ClientAssertionCredential`]
//!   (any callback returning an assertion);
//! - [`AzureCliCredential`] (`az account get-access-token`) and [`DeviceCodeCredential`] (a
//!   person signs in on another device, with the tenant's own public client app);
//! - [`DefaultAzureCredential`]: the chain of the Azure SDKs (environment, workload identity,
//!   managed identity, Azure CLI), honouring `AZURE_TOKEN_CREDENTIALS`;
//! - the [`Credential`] trait for anything else (the bindings wrap the credential objects of
//!   `azure-identity` and `@azure/identity` in it).
//!
//! [`TokenCache`] sits in front of every credential: the token is reused until its refresh time
//! (`refresh_in` when the identity platform gives one, else five minutes before expiry, and
//! half-way through a lifetime shorter than that); concurrent calls wait for one token request;
//! each attempt has a timeout; transient failures are retried a bounded number of times with
//! back-off, a refused sign-in never, and a refusal is remembered for the life of the client so
//! that a run asks once and reports it once.

pub(crate) mod assertion;
mod azure_cli;
mod certificate;
pub(crate) mod chain;
mod device_code;
mod explain;
pub(crate) mod managed_identity;
mod secret;
mod static_token;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::clock::{BoxFuture, Clock};
use crate::model::{NumberOrText, OAuthErrorBody};
use crate::Secret;

pub use assertion::{
    AssertionCallback, ClientAssertionCredential, GitHubActionsCredential,
    WorkloadIdentityCredential, GITHUB_AUDIENCE,
};
pub use azure_cli::AzureCliCredential;
pub use certificate::{AssertionAlgorithm, ClientCertificateCredential};
pub use chain::{ChainAttempt, CredentialChoice, DefaultAzureCredential};
pub use device_code::{DeviceCodeCredential, DeviceCodePrompt};
pub use explain::explain_aadsts;
pub use managed_identity::{ManagedIdentityCredential, ManagedIdentityId, ManagedIdentitySource};
pub use secret::ClientSecretCredential;
pub use static_token::StaticTokenCredential;

/// How long before its expiry a cached token is refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// How long one token request may take before it is abandoned (and retried when the
/// credential allows).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// The most retries of one token request after transient failures, whatever a credential asks.
pub const MAX_TOKEN_RETRIES: u32 = 6;

/// A bearer token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token.
    pub token: Secret,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When the identity platform advises asking for a new one (`refresh_in`), if it said.
    pub refresh_at: Option<DateTime<Utc>>,
}

impl AccessToken {
    /// A token expiring at `expires_at`, with no advised refresh time.
    #[must_use]
    pub fn new(token: impl Into<Secret>, expires_at: DateTime<Utc>) -> Self {
        Self {
            token: token.into(),
            expires_at,
            refresh_at: None,
        }
    }

    /// Validates what a credential object of another library handed over (a binding's
    /// `get_token`): a non-empty token, and an expiry in Unix seconds that is a finite number
    /// after `now`. `credential` names the object in the error.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use intune_apple_core::graph::AccessToken;
    /// let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
    /// let t = AccessToken::from_external("MyCredential", "eyJ", 1_800_000_000.0, None, now).unwrap();
    /// assert_eq!(t.expires_at.timestamp(), 1_800_000_000);
    /// assert!(AccessToken::from_external("MyCredential", "", 1_800_000_000.0, None, now).is_err());
    /// assert!(AccessToken::from_external("MyCredential", "eyJ", f64::NAN, None, now).is_err());
    /// ```
    ///
    /// # Errors
    /// [`CredentialError::External`] naming `credential` and what was wrong.
    pub fn from_external(
        credential: &str,
        token: &str,
        expires_on: f64,
        refresh_on: Option<f64>,
        now: DateTime<Utc>,
    ) -> Result<Self, CredentialError> {
        let bad = |m: &str| CredentialError::External {
            credential: credential.to_owned(),
            message: m.to_owned(),
        };
        if token.trim().is_empty() {
            return Err(bad("its get_token answered an empty token"));
        }
        let instant = |secs: f64| {
            if !secs.is_finite() || !(0.0..=253_402_300_799.0).contains(&secs) {
                return None;
            }
            #[allow(clippy::cast_possible_truncation)] // range checked above
            DateTime::from_timestamp(secs.trunc() as i64, 0)
        };
        let expires_at = instant(expires_on).ok_or_else(|| {
            bad("its get_token answered an expiry that is not a time in Unix seconds")
        })?;
        if expires_at <= now {
            return Err(bad(
                "its get_token answered a token that has already expired",
            ));
        }
        Ok(Self {
            token: Secret::new(token),
            expires_at,
            refresh_at: refresh_on.and_then(instant).filter(|r| *r < expires_at),
        })
    }
}

/// What a credential needs to ask for a token.
#[derive(Debug, Clone)]
pub struct TokenRequestContext<'a> {
    /// The HTTP client to use.
    pub http: &'a reqwest::Client,
    /// The clock (for `expires_at`, JWT `nbf`/`exp`).
    pub clock: &'a dyn Clock,
    /// The authority host, e.g. `https://login.microsoftonline.com` (no trailing slash).
    pub authority_host: &'a str,
    /// The scope, e.g. `https://graph.microsoft.com/.default`.
    pub scope: &'a str,
}

impl TokenRequestContext<'_> {
    /// The scope as a managed-identity `resource` (`https://graph.microsoft.com`).
    #[must_use]
    pub fn resource(&self) -> &str {
        self.scope.strip_suffix("/.default").unwrap_or(self.scope)
    }
}

/// Why a token could not be obtained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The identity platform refused the request (wrong secret, unknown app, expired secret...).
    #[error("{}", explain::rejected_message(.code, .description, *.aadsts))]
    Rejected {
        /// The OAuth error code (`invalid_client`, `invalid_scope`, `unauthorized_client`, ...).
        code: String,
        /// The identity platform's description (it never contains the secret).
        description: String,
        /// HTTP status.
        status: u16,
        /// `correlation_id` of the answer, for a support request.
        correlation_id: Option<String>,
        /// The `AADSTS` number, from `error_codes` or the description.
        aadsts: Option<u32>,
    },
    /// The token endpoint could not be reached.
    #[error("cannot reach the token endpoint {authority}: {source}. Check the network, a proxy, or AZURE_AUTHORITY_HOST.")]
    Transport {
        /// The authority host.
        authority: String,
        /// The HTTP error.
        #[source]
        source: reqwest::Error,
    },
    /// The token endpoint answered something that is not a token.
    #[error("the token endpoint answered an unexpected body (HTTP {status}): {message}")]
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// What was wrong.
        message: String,
    },
    /// The certificate or key could not be read.
    #[error("cannot use the client certificate: {0}")]
    Certificate(String),
    /// The configuration is incomplete.
    #[error("incomplete credential configuration: {0}")]
    Configuration(String),
    /// This credential cannot work here (its environment is absent: no managed-identity
    /// endpoint, no federated token file, no Azure CLI, not logged in). A chain moves on.
    #[error("{credential} is not available: {message}")]
    Unavailable {
        /// The credential, e.g. `ManagedIdentityCredential`.
        credential: String,
        /// Why, and what to do.
        message: String,
    },
    /// An identity endpoint that is not the token endpoint (managed identity, the GitHub ID
    /// token request) answered an error.
    #[error("{credential}: {endpoint} answered HTTP {status}: {message}")]
    Endpoint {
        /// The credential.
        credential: String,
        /// The endpoint, without its query.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// What it said, and what to do.
        message: String,
    },
    /// An identity endpoint other than the token endpoint (managed identity, the GitHub ID
    /// token request) could not be reached. Retried.
    #[error("{credential}: {message}")]
    Unreachable {
        /// The credential.
        credential: String,
        /// What failed, and what to do.
        message: String,
    },
    /// A local program, file or callback the credential depends on failed. Not retried.
    #[error("{credential}: {message}")]
    Failed {
        /// The credential.
        credential: String,
        /// What failed, and what to do.
        message: String,
    },
    /// One attempt took longer than its timeout.
    #[error("{credential}: no answer within {seconds} s; check that the endpoint is reachable, or raise the attempt timeout")]
    Timeout {
        /// The credential.
        credential: String,
        /// The timeout.
        seconds: u64,
    },
    /// A credential object of another library (handed over through a binding) raised or
    /// answered something that is not a token.
    #[error("the credential object {credential} failed: {message}")]
    External {
        /// The object's class name.
        credential: String,
        /// What it raised or what was wrong with its answer.
        message: String,
    },
    /// Every step of a chain failed.
    #[error("{}", chain::chain_message(.0))]
    Chain(Vec<ChainAttempt>),
    /// The same failure, shared by the calls that waited for one token request, or
    /// remembered from an earlier refusal.
    #[error(transparent)]
    Shared(Arc<CredentialError>),
}

impl CredentialError {
    /// The error itself, looking through [`CredentialError::Shared`].
    #[must_use]
    pub fn root(&self) -> &CredentialError {
        match self {
            Self::Shared(inner) => inner.root(),
            other => other,
        }
    }

    /// Whether trying again later may work: the network, a timeout, HTTP 5xx or 429, the
    /// identity platform's `temporarily_unavailable`.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self.root() {
            Self::Transport { .. } | Self::Timeout { .. } | Self::Unreachable { .. } => true,
            Self::InvalidResponse { status, .. } => *status >= 500,
            Self::Rejected { code, status, .. } => {
                *status == 429 || *status >= 500 || code == "temporarily_unavailable"
            }
            Self::Endpoint { status, .. } => matches!(*status, 404 | 408 | 410 | 429 | 500..),
            Self::Chain(attempts) => attempts.iter().any(|a| a.transient),
            _ => false,
        }
    }

    /// Whether the credential was refused for good (a wrong secret, an unknown app, a missing
    /// file): it is never retried, and the client remembers it for its life.
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        !self.is_transient()
    }
}

/// A source of bearer tokens.
pub trait Credential: Send + Sync + std::fmt::Debug {
    /// Obtains a new token (no caching: [`TokenCache`] does that).
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>>;

    /// The credential's name in errors (`ManagedIdentityCredential`, ...).
    fn name(&self) -> &str {
        "Credential"
    }

    /// How long to wait before retry number `retry` (0 for the first) after `error`, or `None`
    /// not to retry. The default retries transient failures three times (1, 2, 4 s).
    fn retry_delay(&self, retry: u32, error: &CredentialError) -> Option<Duration> {
        default_retry_delay(retry, error)
    }

    /// The timeout of one attempt, when this credential needs its own (a device-code sign-in
    /// waits for a person); `None` uses the client's.
    fn attempt_timeout(&self) -> Option<Duration> {
        None
    }
}

/// The default retry schedule: transient failures three times, after 1, 2 and 4 s.
#[must_use]
pub fn default_retry_delay(retry: u32, error: &CredentialError) -> Option<Duration> {
    (retry < 3 && error.is_transient()).then(|| Duration::from_secs(1u64 << retry.min(5)))
}

impl<T: Credential + ?Sized> Credential for Arc<T> {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        (**self).get_token(ctx)
    }
    fn name(&self) -> &str {
        (**self).name()
    }
    fn retry_delay(&self, retry: u32, error: &CredentialError) -> Option<Duration> {
        (**self).retry_delay(retry, error)
    }
    fn attempt_timeout(&self) -> Option<Duration> {
        (**self).attempt_timeout()
    }
}

/// `{authority}/{tenant}/oauth2/v2.0/token`.
#[must_use]
pub fn token_url(authority_host: &str, tenant_id: &str) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        authority_host.trim_end_matches('/'),
        tenant_id
    )
}

/// The identity platform's token answer, with the fields any flow may send.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<Secret>,
    #[serde(default)]
    expires_in: Option<NumberOrText>,
    #[serde(default)]
    refresh_in: Option<NumberOrText>,
    #[serde(default)]
    refresh_token: Option<Secret>,
}

/// A token and, for delegated flows, the refresh token that came with it.
pub(crate) struct TokenGrant {
    pub(crate) token: AccessToken,
    pub(crate) refresh_token: Option<Secret>,
}

/// `now + seconds`, or `None` when it overflows or is negative.
pub(crate) fn after(now: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
    if seconds < 0 {
        return None;
    }
    now.checked_add_signed(chrono::Duration::try_seconds(seconds)?)
}

/// The `AADSTS` number of an error body.
fn aadsts_of(body: &OAuthErrorBody) -> Option<u32> {
    body.error_codes
        .as_ref()
        .and_then(|c| c.first())
        .and_then(|n| u32::try_from(*n).ok())
        .or_else(|| {
            let d = body.error_description.as_deref()?;
            let rest = d.trim_start().strip_prefix("AADSTS")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
}

/// POSTs `form` to the tenant's token endpoint and reads the answer.
pub(crate) async fn request_token(
    ctx: &TokenRequestContext<'_>,
    tenant_id: &str,
    form: &[(&str, &str)],
) -> Result<AccessToken, CredentialError> {
    request_grant(ctx, tenant_id, form).await.map(|g| g.token)
}

/// As [`request_token`], keeping a refresh token when one comes back.
/// The longest lifetime a token answer is believed for (a year and a day).
const MAX_TOKEN_LIFETIME_SECS: i64 = 366 * 86_400;

/// A token answer is a few kilobytes: past this it is refused, not buffered.
pub(crate) const MAX_TOKEN_ANSWER: usize = 1 << 20;

/// Reads a token endpoint's answer, refusing one larger than [`MAX_TOKEN_ANSWER`].
pub(crate) async fn read_token_answer(
    mut response: reqwest::Response,
    status: u16,
    transport: impl Fn(reqwest::Error) -> CredentialError,
) -> Result<Vec<u8>, CredentialError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(e.without_url()))?
    {
        if bytes.len().saturating_add(chunk.len()) > MAX_TOKEN_ANSWER {
            return Err(CredentialError::InvalidResponse {
                status,
                message: "the token answer is larger than 1 MiB: check the authority host and \
                          any proxy in the way"
                    .into(),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

pub(crate) async fn request_grant(
    ctx: &TokenRequestContext<'_>,
    tenant_id: &str,
    form: &[(&str, &str)],
) -> Result<TokenGrant, CredentialError> {
    super::endpoint::check_tenant_id(tenant_id).map_err(CredentialError::Configuration)?;
    let url = token_url(ctx.authority_host, tenant_id);
    let transport = |source| CredentialError::Transport {
        authority: ctx.authority_host.to_owned(),
        source,
    };
    let response = ctx
        .http
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| transport(e.without_url()))?;
    let status = response.status().as_u16();
    let bytes = read_token_answer(response, status, transport).await?;
    parse_grant(status, &bytes, ctx.clock.now())
}

/// A token endpoint's answer (its status and body) read into a grant or its refusal.
pub(crate) fn parse_grant(
    status: u16,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<TokenGrant, CredentialError> {
    let invalid = |e: &serde_json::Error| CredentialError::InvalidResponse {
        status,
        message: format!("not a token response ({})", e.classify_name()),
    };
    if !(200..300).contains(&status) {
        let body: OAuthErrorBody = serde_json::from_slice(bytes).map_err(|e| invalid(&e))?;
        return Err(rejected(status, &body));
    }
    let body: TokenAnswer = serde_json::from_slice(bytes).map_err(|e| invalid(&e))?;
    let token = body.access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
        CredentialError::InvalidResponse {
            status,
            message: "no access_token in the answer".into(),
        }
    })?;
    // The server chooses the number: at most a year, never negative, never past the end of
    // time (a token said to live for i64::MAX seconds is used, and asked for again in a year).
    let expires_in = body
        .expires_in
        .map_or(3599, NumberOrText::get)
        .clamp(0, MAX_TOKEN_LIFETIME_SECS);
    let expires_at = after(now, expires_in).unwrap_or(now);
    let refresh_at = body
        .refresh_in
        .map(NumberOrText::get)
        .and_then(|s| after(now, s))
        .filter(|r| *r < expires_at);
    Ok(TokenGrant {
        token: AccessToken {
            token,
            expires_at,
            refresh_at,
        },
        refresh_token: body.refresh_token.filter(|t| !t.is_empty()),
    })
}

/// The error of a token endpoint's refusal.
pub(crate) fn rejected(status: u16, body: &OAuthErrorBody) -> CredentialError {
    CredentialError::Rejected {
        code: body
            .error
            .clone()
            .unwrap_or_else(|| format!("http_{status}")),
        description: body
            .error_description
            .as_deref()
            .map(|d| d.lines().next().unwrap_or_default().to_owned())
            .unwrap_or_default(),
        status,
        correlation_id: body.correlation_id.clone(),
        aadsts: aadsts_of(body),
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected JSON shape",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// A token in the cache and the instant it should be replaced.
#[derive(Debug)]
struct Cached {
    token: AccessToken,
    refresh_after: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct CacheState {
    token: Option<Cached>,
    /// A refusal: every later call gets it without asking again.
    refusal: Option<Arc<CredentialError>>,
    /// The last failed token request and its number, for the calls that waited on it.
    failure: Option<(u64, Arc<CredentialError>)>,
}

/// Caches the token of a [`Credential`] (see the module documentation).
#[derive(Debug, Clone)]
pub struct TokenCache {
    credential: Arc<dyn Credential>,
    state: Arc<tokio::sync::Mutex<CacheState>>,
    /// Failed token requests so far (numbers the entries of `CacheState::failure`).
    failures: Arc<AtomicU64>,
    attempt_timeout: Duration,
}

impl TokenCache {
    /// A cache over `credential`, with [`DEFAULT_ATTEMPT_TIMEOUT`] per token request.
    pub fn new(credential: Arc<dyn Credential>) -> Self {
        Self::with_attempt_timeout(credential, DEFAULT_ATTEMPT_TIMEOUT)
    }

    /// A cache over `credential` whose token requests are abandoned after `timeout` each.
    pub fn with_attempt_timeout(credential: Arc<dyn Credential>, timeout: Duration) -> Self {
        Self {
            credential,
            state: Arc::new(tokio::sync::Mutex::new(CacheState::default())),
            failures: Arc::new(AtomicU64::new(0)),
            attempt_timeout: timeout,
        }
    }

    /// The credential behind the cache.
    #[must_use]
    pub fn credential(&self) -> &Arc<dyn Credential> {
        &self.credential
    }

    /// A valid token: the cached one until its refresh time, else a new one. Concurrent
    /// callers wait for the one request in flight and share its result, success or failure.
    ///
    /// # Errors
    /// The credential's error (after its retries); a refusal is remembered and answered again
    /// without a new request.
    pub async fn token(&self, ctx: TokenRequestContext<'_>) -> Result<Secret, CredentialError> {
        let seen = self.failures.load(Ordering::SeqCst);
        let mut state = self.state.lock().await;
        if let Some(refusal) = &state.refusal {
            return Err(CredentialError::Shared(refusal.clone()));
        }
        let now = ctx.clock.now();
        if let Some(c) = &state.token {
            if now < c.refresh_after && now < c.token.expires_at {
                return Ok(c.token.token.clone());
            }
        }
        if let Some((n, error)) = &state.failure {
            if *n > seen {
                // The request this call waited for failed just now: say so instead of asking
                // again, so a stalled endpoint costs one timeout, not one per waiting call.
                return Err(CredentialError::Shared(error.clone()));
            }
        }
        match self.fetch(ctx.clone()).await {
            Ok(fresh) => {
                let token = fresh.token.clone();
                let refresh_after = refresh_after(&fresh, ctx.clock.now());
                state.token = Some(Cached {
                    token: fresh,
                    refresh_after,
                });
                state.failure = None;
                Ok(token)
            }
            Err(error) => {
                let error = Arc::new(error);
                let n = self
                    .failures
                    .fetch_add(1, Ordering::SeqCst)
                    .saturating_add(1);
                state.failure = Some((n, error.clone()));
                if error.is_refusal() {
                    state.refusal = Some(error.clone());
                    state.token = None;
                } else if let Some(c) = &state.token {
                    // A refresh failed for a passing reason: the old token still works.
                    if ctx.clock.now() < c.token.expires_at {
                        tracing::warn!(error = %error, "token refresh failed; using the current token");
                        return Ok(c.token.token.clone());
                    }
                }
                Err(CredentialError::Shared(error))
            }
        }
    }

    /// One token request, with the credential's timeout per attempt and its retries.
    async fn fetch(&self, ctx: TokenRequestContext<'_>) -> Result<AccessToken, CredentialError> {
        let timeout = self
            .credential
            .attempt_timeout()
            .unwrap_or(self.attempt_timeout);
        let mut retry = 0u32;
        loop {
            let attempt = tokio::time::timeout(timeout, self.credential.get_token(ctx.clone()));
            let error = match attempt.await {
                Ok(Ok(token)) => return Ok(token),
                Ok(Err(e)) => e,
                Err(_) => CredentialError::Timeout {
                    credential: self.credential.name().to_owned(),
                    seconds: timeout.as_secs(),
                },
            };
            let delay = (retry < MAX_TOKEN_RETRIES)
                .then(|| self.credential.retry_delay(retry, &error))
                .flatten();
            let Some(delay) = delay else {
                return Err(error);
            };
            tracing::info!(credential = self.credential.name(), retry, error = %error, "token request failed; retrying");
            ctx.clock.sleep(delay).await;
            retry = retry.saturating_add(1);
        }
    }

    /// Forgets the cached token if it is still `rejected` (Graph answered 401 with it), so
    /// that the next [`TokenCache::token`] asks for a new one; a token another call has already
    /// refreshed is kept.
    pub async fn invalidate(&self, rejected: &Secret) {
        let mut state = self.state.lock().await;
        if state
            .token
            .as_ref()
            .is_some_and(|c| &c.token.token == rejected)
        {
            state.token = None;
        }
    }
}

/// When a token should be replaced: at `refresh_at` when given, else [`REFRESH_MARGIN`] before
/// expiry, and half-way through a lifetime shorter than the margin (still cached, not asked
/// for again on every call).
fn refresh_after(token: &AccessToken, now: DateTime<Utc>) -> DateTime<Utc> {
    if let Some(at) = token.refresh_at {
        return at;
    }
    let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
    match token.expires_at.checked_sub_signed(margin) {
        Some(at) if at > now => at,
        _ => {
            let left = token.expires_at.signed_duration_since(now);
            now.checked_add_signed(left / 2).unwrap_or(token.expires_at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_url_has_one_slash() {
        assert_eq!(
            token_url("https://login.microsoftonline.com/", "contoso"),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let c = ClientSecretCredential::new("t", "c", "very-secret-value");
        assert!(!format!("{c:?}").contains("very-secret-value"));
        let s = StaticTokenCredential::new("eyJ-bearer");
        assert!(!format!("{s:?}").contains("eyJ-bearer"));
    }

    #[test]
    fn refresh_time_follows_refresh_in_margin_or_half_life() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let hour = AccessToken::new("t", now + chrono::Duration::seconds(3600));
        assert_eq!(
            refresh_after(&hour, now),
            now + chrono::Duration::seconds(3300)
        );
        let short = AccessToken::new("t", now + chrono::Duration::seconds(120));
        assert_eq!(
            refresh_after(&short, now),
            now + chrono::Duration::seconds(60)
        );
        let mut advised = hour.clone();
        advised.refresh_at = Some(now + chrono::Duration::seconds(1800));
        assert_eq!(
            refresh_after(&advised, now),
            now + chrono::Duration::seconds(1800)
        );
    }

    #[test]
    fn lifetimes_that_overflow_are_refused() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(after(now, i64::MAX).is_none());
        assert!(after(now, -1).is_none());
        assert_eq!(after(now, 10), Some(now + chrono::Duration::seconds(10)));
    }

    #[test]
    fn aadsts_numbers_come_from_codes_or_description() {
        let body = OAuthErrorBody {
            error_description: Some("AADSTS7000215: Invalid client secret provided.".into()),
            ..OAuthErrorBody::default()
        };
        assert_eq!(aadsts_of(&body), Some(7_000_215));
        let body = OAuthErrorBody {
            error_codes: Some(vec![700_016]),
            ..OAuthErrorBody::default()
        };
        assert_eq!(aadsts_of(&body), Some(700_016));
    }
}
