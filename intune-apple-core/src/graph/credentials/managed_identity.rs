//! [`ManagedIdentityCredential`]: the identity Azure gives the host the job runs on.
//!
//! The host is recognised from its environment, as the Azure SDKs do:
//!
//! | Variables | Host | Request |
//! |---|---|---|
//! | `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` | App Service, Functions, Automation | `GET ?api-version=2019-08-01&resource=`, headers `X-IDENTITY-HEADER`, `Metadata: true` |
//! | `IDENTITY_ENDPOINT` + `IMDS_ENDPOINT` (or the `himds` agent) | Azure Arc | `GET ?api-version=2020-06-01`, a 401 naming a key file, then `Authorization: Basic <file>` |
//! | `MSI_ENDPOINT` + `MSI_SECRET` | Automation hybrid worker (2017 protocol) | `GET ?api-version=2017-09-01`, header `secret` |
//! | `MSI_ENDPOINT` | Cloud Shell (the signed-in user) | `POST resource=`, `Metadata: true` |
//! | none | VM / VM scale set (IMDS) | `GET {AZURE_POD_IDENTITY_AUTHORITY_HOST or http://169.254.169.254}/metadata/identity/oauth2/token?api-version=2018-02-01` |
//!
//! IMDS is retried as its documentation asks (404, 410, 429 and 5xx; 410 for at least 70 s).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::{after, AccessToken, Credential, CredentialError, TokenRequestContext};
use crate::clock::BoxFuture;
use crate::Secret;

pub(crate) use crate::graph::env::managed_identity as vars;

const IMDS_HOST: &str = "http://169.254.169.254";
const ARC_DEFAULT_ENDPOINT: &str = "http://localhost:40342/metadata/identity/oauth2/token";
const ARC_KEY_MAX_BYTES: u64 = 4096;
const NAME: &str = "ManagedIdentityCredential";

/// Which identity of the host to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ManagedIdentityId {
    /// The host's own (system-assigned) identity.
    #[default]
    SystemAssigned,
    /// A user-assigned identity by its client (application) id.
    ClientId(String),
    /// A user-assigned identity by its object (principal) id.
    ObjectId(String),
    /// A user-assigned identity by its Azure resource id
    /// (`/subscriptions/.../userAssignedIdentities/<name>`).
    ResourceId(String),
}

/// Where the token comes from.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManagedIdentitySource {
    /// App Service, Functions, Automation: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`.
    AppService {
        /// The endpoint.
        endpoint: String,
        /// The header value (a secret).
        header: Secret,
    },
    /// VM / VM scale set: the instance metadata service at `host`.
    Imds {
        /// `http://169.254.169.254`, or `AZURE_POD_IDENTITY_AUTHORITY_HOST`.
        host: String,
    },
    /// Azure Arc-enabled server: the local agent, which answers with a challenge file.
    Arc {
        /// The endpoint.
        endpoint: String,
        /// The directory the agent writes its key files to (the only one accepted).
        tokens_dir: PathBuf,
    },
    /// Azure Cloud Shell: `MSI_ENDPOINT` (a token of the signed-in user, not app-only).
    CloudShell {
        /// The endpoint.
        endpoint: String,
    },
    /// The 2017 protocol (`MSI_ENDPOINT` + `MSI_SECRET`: Automation hybrid workers).
    Legacy {
        /// The endpoint.
        endpoint: String,
        /// The secret header value.
        secret: Secret,
    },
    /// Service Fabric (`IDENTITY_SERVER_THUMBPRINT`): recognised, not supported.
    ServiceFabric,
}

impl std::fmt::Debug for ManagedIdentitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AppService { endpoint, .. } => f
                .debug_struct("AppService")
                .field("endpoint", endpoint)
                .field("header", &"[REDACTED]")
                .finish(),
            Self::Imds { host } => f.debug_struct("Imds").field("host", host).finish(),
            Self::Arc {
                endpoint,
                tokens_dir,
            } => f
                .debug_struct("Arc")
                .field("endpoint", endpoint)
                .field("tokens_dir", tokens_dir)
                .finish(),
            Self::CloudShell { endpoint } => f
                .debug_struct("CloudShell")
                .field("endpoint", endpoint)
                .finish(),
            Self::Legacy { endpoint, .. } => f
                .debug_struct("Legacy")
                .field("endpoint", endpoint)
                .field("secret", &"[REDACTED]")
                .finish(),
            Self::ServiceFabric => f.write_str("ServiceFabric"),
        }
    }
}

impl ManagedIdentitySource {
    /// The source the environment describes (`var` reads a variable); IMDS when none does.
    pub fn from_env_with(var: &dyn Fn(&str) -> Option<String>) -> Self {
        if let Some(endpoint) = var(vars::IDENTITY_ENDPOINT) {
            if var(vars::IDENTITY_HEADER).is_some()
                && var(vars::IDENTITY_SERVER_THUMBPRINT).is_some()
            {
                return Self::ServiceFabric;
            }
            if let Some(header) = var(vars::IDENTITY_HEADER) {
                return Self::AppService {
                    endpoint,
                    header: Secret::new(header),
                };
            }
            if var(vars::IMDS_ENDPOINT).is_some() {
                return Self::Arc {
                    endpoint,
                    tokens_dir: arc_tokens_dir(var),
                };
            }
        }
        if let Some(endpoint) = var(vars::MSI_ENDPOINT) {
            return match var(vars::MSI_SECRET) {
                Some(secret) => Self::Legacy {
                    endpoint,
                    secret: Secret::new(secret),
                },
                None => Self::CloudShell { endpoint },
            };
        }
        if arc_agent_installed() {
            return Self::Arc {
                endpoint: ARC_DEFAULT_ENDPOINT.to_owned(),
                tokens_dir: arc_tokens_dir(var),
            };
        }
        let host = var(vars::POD_IDENTITY_AUTHORITY_HOST).map_or_else(
            || IMDS_HOST.to_owned(),
            |h| h.trim_end_matches('/').to_owned(),
        );
        Self::Imds { host }
    }

    /// Whether the environment names a managed-identity endpoint (anything but the default
    /// IMDS address): where a chain tries managed identity without being asked.
    pub fn present_in(var: &dyn Fn(&str) -> Option<String>) -> bool {
        [
            vars::IDENTITY_ENDPOINT,
            vars::MSI_ENDPOINT,
            vars::POD_IDENTITY_AUTHORITY_HOST,
        ]
        .iter()
        .any(|v| var(v).is_some())
            || arc_agent_installed()
    }

    /// The host form in words, for errors.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            Self::AppService { .. } => "App Service / Functions / Automation (IDENTITY_ENDPOINT)",
            Self::Imds { .. } => "the VM's instance metadata service (IMDS)",
            Self::Arc { .. } => "the Azure Arc agent",
            Self::CloudShell { .. } => "Cloud Shell (MSI_ENDPOINT)",
            Self::Legacy { .. } => "the 2017 managed identity endpoint (MSI_ENDPOINT + MSI_SECRET)",
            Self::ServiceFabric => "Service Fabric",
        }
    }
}

#[cfg(windows)]
fn arc_tokens_dir(var: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let base = var("PROGRAMDATA").unwrap_or_else(|| r"C:\ProgramData".to_owned());
    Path::new(&base)
        .join("AzureConnectedMachineAgent")
        .join("Tokens")
}

#[cfg(not(windows))]
fn arc_tokens_dir(_var: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    PathBuf::from("/var/opt/azcmagent/tokens")
}

fn arc_agent_installed() -> bool {
    if cfg!(windows) {
        std::env::var_os("ProgramFiles").is_some_and(|p| {
            Path::new(&p)
                .join(r"AzureConnectedMachineAgent\himds.exe")
                .is_file()
        })
    } else {
        Path::new("/opt/azcmagent/bin/himds").is_file()
    }
}

/// Signs in with the host's managed identity.
///
/// ```
/// use intune_apple_core::graph::{ManagedIdentityCredential, ManagedIdentityId, ManagedIdentitySource};
/// let vars = |name: &str| match name {
///     "IDENTITY_ENDPOINT" => Some("http://127.0.0.1:8081/msi/token".to_owned()),
///     "IDENTITY_HEADER" => Some("header-value".to_owned()),
///     _ => None,
/// };
/// let credential = ManagedIdentityCredential::from_env_with(&vars, ManagedIdentityId::SystemAssigned);
/// assert!(matches!(credential.source(), ManagedIdentitySource::AppService { .. }));
/// assert!(!format!("{credential:?}").contains("header-value"));
/// ```
#[derive(Debug, Clone)]
pub struct ManagedIdentityCredential {
    source: ManagedIdentitySource,
    id: ManagedIdentityId,
    /// Probe IMDS once (1 s, no retry) before the first request, so that a chain on a machine
    /// without IMDS moves on at once.
    probe: bool,
    probed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl ManagedIdentityCredential {
    /// The host's identity `id`, the host recognised from the process environment.
    #[must_use]
    pub fn new(id: ManagedIdentityId) -> Self {
        Self::from_env_with(
            &|name| std::env::var(name).ok().filter(|v| !v.is_empty()),
            id,
        )
    }

    /// As [`Self::new`], reading variables through `var`.
    #[must_use]
    pub fn from_env_with(var: &dyn Fn(&str) -> Option<String>, id: ManagedIdentityId) -> Self {
        Self::with_source(ManagedIdentitySource::from_env_with(var), id)
    }

    /// The identity `id` from an explicit `source` (a test endpoint, an IMDS address).
    #[must_use]
    pub fn with_source(source: ManagedIdentitySource, id: ManagedIdentityId) -> Self {
        Self {
            source,
            id,
            probe: false,
            probed: std::sync::Arc::default(),
        }
    }

    /// Whether to probe IMDS (one request, 1 s, no retry) before the first token request and
    /// report the credential unavailable when nothing answers (what a chain does on a machine
    /// that may not be an Azure VM). Off by default.
    #[must_use]
    pub fn with_probe(mut self, probe: bool) -> Self {
        self.probe = probe;
        self
    }

    async fn probe_imds(
        &self,
        ctx: &TokenRequestContext<'_>,
        host: &str,
    ) -> Result<(), CredentialError> {
        use std::sync::atomic::Ordering;
        if !self.probe || self.probed.load(Ordering::SeqCst) {
            return Ok(());
        }
        let endpoint = format!("{host}/metadata/identity/oauth2/token");
        let answered = ctx
            .http
            .get(&endpoint)
            .timeout(Duration::from_secs(1))
            .send()
            .await
            .is_ok();
        if !answered {
            return Err(CredentialError::Unavailable {
                credential: NAME.into(),
                message: format!(
                    "no managed identity endpoint answered at {host} (not an Azure VM?); set \
                     AZURE_TOKEN_CREDENTIALS to the credential to use"
                ),
            });
        }
        self.probed.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Where tokens come from.
    #[must_use]
    pub fn source(&self) -> &ManagedIdentitySource {
        &self.source
    }

    /// Which identity is asked for.
    #[must_use]
    pub fn id(&self) -> &ManagedIdentityId {
        &self.id
    }

    /// The query parameter naming a user-assigned identity, spelt as `source` wants it.
    fn id_param(&self) -> Result<Option<(&'static str, &str)>, CredentialError> {
        let legacy = matches!(self.source, ManagedIdentitySource::Legacy { .. });
        let app_service = matches!(self.source, ManagedIdentitySource::AppService { .. });
        Ok(match &self.id {
            ManagedIdentityId::SystemAssigned => None,
            ManagedIdentityId::ClientId(id) if legacy => Some(("clientid", id)),
            ManagedIdentityId::ClientId(id) => Some(("client_id", id)),
            ManagedIdentityId::ObjectId(id) if !legacy => Some(("object_id", id)),
            ManagedIdentityId::ResourceId(id) if app_service => Some(("mi_res_id", id)),
            ManagedIdentityId::ResourceId(id) if !legacy => Some(("msi_res_id", id)),
            _ => {
                return Err(CredentialError::Configuration(format!(
                    "{NAME}: {} selects a user-assigned identity by client id only",
                    self.source.describe()
                )))
            }
        })
    }

    async fn request(&self, ctx: &TokenRequestContext<'_>) -> Result<AccessToken, CredentialError> {
        let resource = ctx.resource();
        let id = self.id_param()?;
        let (endpoint, response) = match &self.source {
            ManagedIdentitySource::ServiceFabric => {
                return Err(CredentialError::Unavailable {
                    credential: NAME.into(),
                    message: "Service Fabric managed identity is not supported; use workload \
                              identity or a certificate there"
                        .into(),
                })
            }
            ManagedIdentitySource::AppService { endpoint, header } => {
                let mut q = vec![("api-version", "2019-08-01"), ("resource", resource)];
                q.extend(id);
                let r = ctx
                    .http
                    .get(endpoint)
                    .query(&q)
                    .header("X-IDENTITY-HEADER", header.expose())
                    .header("Metadata", "true");
                (endpoint.clone(), send(r, endpoint).await?)
            }
            ManagedIdentitySource::Legacy { endpoint, secret } => {
                let mut q = vec![("api-version", "2017-09-01"), ("resource", resource)];
                q.extend(id);
                let r = ctx
                    .http
                    .get(endpoint)
                    .query(&q)
                    .header("secret", secret.expose())
                    .header("Metadata", "true");
                (endpoint.clone(), send(r, endpoint).await?)
            }
            ManagedIdentitySource::Imds { host } => {
                self.probe_imds(ctx, host).await?;
                let endpoint = format!("{host}/metadata/identity/oauth2/token");
                let mut q = vec![("api-version", "2018-02-01"), ("resource", resource)];
                q.extend(id);
                let r = ctx.http.get(&endpoint).query(&q).header("Metadata", "true");
                let response = send(r, &endpoint).await?;
                (endpoint, response)
            }
            ManagedIdentitySource::CloudShell { endpoint } => {
                if id.is_some() {
                    return Err(CredentialError::Configuration(format!(
                        "{NAME}: Cloud Shell has no user-assigned identities"
                    )));
                }
                let r = ctx
                    .http
                    .post(endpoint)
                    .form(&[("resource", resource)])
                    .header("Metadata", "true");
                (endpoint.clone(), send(r, endpoint).await?)
            }
            ManagedIdentitySource::Arc {
                endpoint,
                tokens_dir,
            } => {
                let mut q = vec![("api-version", "2020-06-01"), ("resource", resource)];
                q.extend(id);
                let first = ctx.http.get(endpoint).query(&q).header("Metadata", "true");
                let challenge = send(first, endpoint).await?;
                if challenge.status != 401 {
                    return Err(endpoint_error(
                        endpoint,
                        challenge.status,
                        &challenge.body,
                        "the Arc agent should answer 401 with a key file first; check that \
                         IDENTITY_ENDPOINT is the agent's",
                    ));
                }
                let key = read_arc_key(challenge.www_authenticate.as_deref(), tokens_dir)?;
                let second = ctx
                    .http
                    .get(endpoint)
                    .query(&q)
                    .header("Metadata", "true")
                    .header("Authorization", format!("Basic {}", key.expose()));
                (endpoint.clone(), send(second, endpoint).await?)
            }
        };
        if !(200..300).contains(&response.status) {
            let hint = match (response.status, &self.source) {
                (400, ManagedIdentitySource::Imds { .. }) => {
                    "no identity is assigned to this VM, or not the one asked for: enable the \
                     system-assigned identity or give the user-assigned identity's id"
                }
                (401 | 403, ManagedIdentitySource::AppService { .. }) => {
                    "the endpoint refused IDENTITY_HEADER; it changes when the app restarts, so \
                     read it from the environment of the running process"
                }
                (404, _) => "the identity endpoint is not ready yet, or the identity is not found",
                (429, _) => "the identity endpoint is throttling",
                (500.., _) => "the identity endpoint failed; this is usually passing",
                _ => "check that the identity is enabled on this resource and has been granted the Graph permissions",
            };
            return Err(endpoint_error(
                &endpoint,
                response.status,
                &response.body,
                hint,
            ));
        }
        let token = parse_token(&response.body, ctx.clock.now()).map_err(|message| {
            CredentialError::InvalidResponse {
                status: response.status,
                message: format!("{NAME} at {}: {message}", strip_query(&endpoint)),
            }
        })?;
        if let (ManagedIdentitySource::Arc { .. }, Some((name, wanted))) = (&self.source, id) {
            check_echo(&response.body, name, wanted)?;
        }
        Ok(token)
    }
}

impl Credential for ManagedIdentityCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move { self.request(&ctx).await })
    }

    fn name(&self) -> &str {
        NAME
    }

    /// IMDS: 404, 410, 429, 5xx and the network, five times (1, 2, 6, 14, 30 s; after 410,
    /// 5, 10, 20, 40, 40 s, more than the 70 s the service may take). Other hosts: the default.
    fn retry_delay(&self, retry: u32, error: &CredentialError) -> Option<Duration> {
        if !matches!(self.source, ManagedIdentitySource::Imds { .. }) {
            return super::default_retry_delay(retry, error);
        }
        if retry >= 5 || !error.is_transient() {
            return None;
        }
        let gone = matches!(error.root(), CredentialError::Endpoint { status: 410, .. });
        let secs = if gone {
            [5, 10, 20, 40, 40][retry as usize]
        } else {
            [1, 2, 6, 14, 30][retry as usize]
        };
        Some(Duration::from_secs(secs))
    }
}

/// What an identity endpoint answered.
struct Answer {
    status: u16,
    body: Vec<u8>,
    www_authenticate: Option<String>,
}

async fn send(request: reqwest::RequestBuilder, endpoint: &str) -> Result<Answer, CredentialError> {
    let failed = |e: reqwest::Error| CredentialError::Unreachable {
        credential: NAME.into(),
        message: format!(
            "cannot reach {}: {}; check that this runs on the host whose identity it uses",
            strip_query(endpoint),
            e.without_url()
        ),
    };
    let response = request.send().await.map_err(failed)?;
    let status = response.status().as_u16();
    let www_authenticate = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = super::read_token_answer(response, status, &failed).await?;
    Ok(Answer {
        status,
        body,
        www_authenticate,
    })
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

fn endpoint_error(endpoint: &str, status: u16, body: &[u8], hint: &str) -> CredentialError {
    let said = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            let text = |v: &Value| v.as_str().map(str::to_owned);
            v.get("error_description")
                .and_then(text)
                .or_else(|| v.get("message").and_then(text))
                .or_else(|| v.pointer("/error/message").and_then(text))
                .or_else(|| v.get("error").and_then(text))
        })
        .map(|s| {
            s.lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect::<String>()
        });
    CredentialError::Endpoint {
        credential: NAME.into(),
        endpoint: strip_query(endpoint).to_owned(),
        status,
        message: match said {
            Some(s) => format!("{s}; {hint}"),
            None => hint.to_owned(),
        },
    }
}

/// Reads the Arc agent's key file named in `Basic realm=<path>`, accepting only a `.key` file of
/// at most 4 KiB directly in `tokens_dir`.
fn read_arc_key(header: Option<&str>, tokens_dir: &Path) -> Result<Secret, CredentialError> {
    let fail = |m: String| CredentialError::Failed {
        credential: NAME.into(),
        message: m,
    };
    let header = header.ok_or_else(|| {
        fail("the Arc agent answered 401 without a WWW-Authenticate challenge".into())
    })?;
    let path = header
        .split_once('=')
        .filter(|(scheme, _)| scheme.trim().eq_ignore_ascii_case("basic realm"))
        .map(|(_, p)| PathBuf::from(p.trim()))
        .ok_or_else(|| fail("the Arc agent's challenge is not `Basic realm=<key file>`".into()))?;
    let refuse = |why: &str| {
        fail(format!(
            "the Arc agent's key file {} is refused: {why}",
            path.display()
        ))
    };
    if path.extension().and_then(|e| e.to_str()) != Some("key") {
        return Err(refuse("it is not a .key file"));
    }
    let dir = std::fs::canonicalize(tokens_dir).map_err(|e| {
        fail(format!(
            "cannot open the Arc tokens directory {}: {e}; the account running the job must be \
             in the himds group (Linux) or local Administrators (Windows)",
            tokens_dir.display()
        ))
    })?;
    let file = std::fs::canonicalize(&path).map_err(|e| refuse(&e.to_string()))?;
    if file.parent() != Some(dir.as_path()) {
        return Err(refuse("it is not in the agent's tokens directory"));
    }
    let size = std::fs::metadata(&file)
        .map_err(|e| refuse(&e.to_string()))?
        .len();
    if size > ARC_KEY_MAX_BYTES {
        return Err(refuse("it is larger than 4 KiB"));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| refuse(&e.to_string()))?;
    Ok(Secret::new(text.trim()))
}

/// An Arc agent that ignores a user-assigned id answers with the system identity's token:
/// refuse unless the answer names the identity asked for.
fn check_echo(body: &[u8], name: &str, wanted: &str) -> Result<(), CredentialError> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let keys: &[&str] = match name {
        "client_id" => &["client_id"],
        "object_id" => &["object_id", "principal_id"],
        _ => &["msi_res_id", "mi_res_id"],
    };
    let echoed = keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str));
    if echoed.is_some_and(|e| e.eq_ignore_ascii_case(wanted)) {
        Ok(())
    } else {
        Err(CredentialError::Failed {
            credential: NAME.into(),
            message: format!(
                "the Arc agent did not honour the user-assigned identity ({name}); update the \
                 agent, or use the system-assigned identity"
            ),
        })
    }
}

/// Reads a managed-identity token answer: `access_token`, and `expires_on` (a number, a digit
/// string, RFC 3339, or the 2017 forms) or `expires_in`; `refresh_in` when sent.
pub(crate) fn parse_token(body: &[u8], now: DateTime<Utc>) -> Result<AccessToken, String> {
    let v: Value = serde_json::from_slice(body).map_err(|_| "the answer is not JSON".to_owned())?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("no access_token in the answer")?;
    let number = |key: &str| -> Option<i64> {
        match v.get(key)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let expires_at = match v.get("expires_on") {
        Some(Value::String(s)) if s.trim().parse::<i64>().is_err() => parse_time(s.trim()),
        Some(_) => number("expires_on").and_then(|s| DateTime::from_timestamp(s, 0)),
        None => None,
    }
    .or_else(|| number("expires_in").and_then(|s| after(now, s)))
    .ok_or("neither expires_on nor expires_in is a usable time")?;
    let refresh_at = number("refresh_in")
        .and_then(|s| after(now, s))
        .filter(|r| *r < expires_at);
    Ok(AccessToken {
        token: Secret::new(token),
        expires_at,
        refresh_at,
    })
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%m/%d/%Y %I:%M:%S %p %:z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%SZ")
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn every_expiry_form_is_read() {
        for (body, want) in [
            (
                r#"{"access_token":"a","expires_on":"1800003600"}"#,
                1_800_003_600,
            ),
            (
                r#"{"access_token":"a","expires_on":1800003600}"#,
                1_800_003_600,
            ),
            (r#"{"access_token":"a","expires_in":"3599"}"#, 1_800_003_599),
            (r#"{"access_token":"a","expires_in":60}"#, 1_800_000_060),
            (
                r#"{"access_token":"a","expires_on":"2027-01-15T08:00:00Z"}"#,
                1_800_000_000,
            ),
            (
                r#"{"access_token":"a","expires_on":"2027-01-15 08:00:00Z"}"#,
                1_800_000_000,
            ),
            (
                r#"{"access_token":"a","expires_on":"1/15/2027 8:00:00 AM +00:00"}"#,
                1_800_000_000,
            ),
        ] {
            let t = parse_token(body.as_bytes(), now()).unwrap();
            assert_eq!(t.expires_at.timestamp(), want, "{body}");
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for body in [
            "",
            "<html>",
            r#"{"access_token":""}"#,
            r#"{"access_token":"a"}"#,
            r#"{"access_token":"a","expires_in":"-5"}"#,
            r#"{"access_token":"a","expires_in":9223372036854775807}"#,
            r#"{"access_token":"a","expires_on":"tomorrow"}"#,
        ] {
            assert!(parse_token(body.as_bytes(), now()).is_err(), "{body}");
        }
    }

    #[test]
    fn the_environment_picks_the_host() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let s = ManagedIdentitySource::from_env_with(&env(&[
            ("IDENTITY_ENDPOINT", "http://a"),
            ("IDENTITY_HEADER", "h"),
        ]));
        assert!(matches!(s, ManagedIdentitySource::AppService { .. }));
        let s = ManagedIdentitySource::from_env_with(&env(&[
            ("IDENTITY_ENDPOINT", "http://a"),
            ("IMDS_ENDPOINT", "http://b"),
        ]));
        assert!(matches!(s, ManagedIdentitySource::Arc { .. }));
        let s = ManagedIdentitySource::from_env_with(&env(&[("MSI_ENDPOINT", "http://c")]));
        assert!(matches!(s, ManagedIdentitySource::CloudShell { .. }));
        let s = ManagedIdentitySource::from_env_with(&env(&[
            ("MSI_ENDPOINT", "http://c"),
            ("MSI_SECRET", "s"),
        ]));
        assert!(matches!(s, ManagedIdentitySource::Legacy { .. }));
        let s = ManagedIdentitySource::from_env_with(&env(&[(
            "AZURE_POD_IDENTITY_AUTHORITY_HOST",
            "http://127.0.0.1:9/",
        )]));
        assert_eq!(
            s,
            ManagedIdentitySource::Imds {
                host: "http://127.0.0.1:9".into()
            }
        );
    }

    #[test]
    fn imds_retries_follow_its_documentation() {
        let c = ManagedIdentityCredential::with_source(
            ManagedIdentitySource::Imds {
                host: "http://x".into(),
            },
            ManagedIdentityId::SystemAssigned,
        );
        let status = |s: u16| CredentialError::Endpoint {
            credential: NAME.into(),
            endpoint: "e".into(),
            status: s,
            message: String::new(),
        };
        let gone: u64 = (0..6)
            .filter_map(|r| c.retry_delay(r, &status(410)))
            .map(|d| d.as_secs())
            .sum();
        assert!(gone >= 70, "{gone}");
        assert_eq!(c.retry_delay(0, &status(503)), Some(Duration::from_secs(1)));
        assert_eq!(c.retry_delay(5, &status(503)), None);
        assert_eq!(c.retry_delay(0, &status(400)), None);
    }
}
