//! [`AzureCliCredential`]: the token of the account signed in to the Azure CLI, for an admin at
//! a terminal. It runs what azure-identity runs,
//! `az account get-access-token --output json --resource https://graph.microsoft.com
//! [--tenant <tenant>]`, without a shell, from a neutral directory, with a timeout.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone as _};
use serde::Deserialize;

use super::{AccessToken, Credential, CredentialError, TokenRequestContext};
use crate::clock::BoxFuture;
use crate::Secret;

const NAME: &str = "AzureCliCredential";

/// How long `az` may take by default (azure-identity's default).
pub const DEFAULT_CLI_TIMEOUT: Duration = Duration::from_secs(10);

/// Signs in with the Azure CLI's account (`az login` first).
#[derive(Debug, Clone)]
pub struct AzureCliCredential {
    tenant_id: Option<String>,
    program: Option<PathBuf>,
    search_path: Option<OsString>,
    timeout: Duration,
}

impl Default for AzureCliCredential {
    fn default() -> Self {
        Self::new()
    }
}

impl AzureCliCredential {
    /// The CLI's current account, `az` found on `PATH`.
    #[must_use]
    pub fn new() -> Self {
        Self {
            tenant_id: None,
            program: None,
            search_path: None,
            timeout: DEFAULT_CLI_TIMEOUT,
        }
    }

    /// Asks for a token of `tenant_id` (`--tenant`), for an account in several tenants.
    #[must_use]
    pub fn with_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// Runs this program instead of the `az` found on `PATH`.
    #[must_use]
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = Some(program.into());
        self
    }

    /// Looks for `az` in this `PATH` value instead of the process's.
    #[must_use]
    pub fn with_search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// How long `az` may take (default 10 s).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `az` program that would run, if one is found.
    #[must_use]
    pub fn program(&self) -> Option<PathBuf> {
        if let Some(p) = &self.program {
            return Some(p.clone());
        }
        let path = self
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))?;
        let names: &[&str] = if cfg!(windows) {
            &["az.cmd", "az.exe", "az"]
        } else {
            &["az"]
        };
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    }

    async fn run(&self, ctx: &TokenRequestContext<'_>) -> Result<AccessToken, CredentialError> {
        let unavailable = |m: &str| CredentialError::Unavailable {
            credential: NAME.into(),
            message: m.to_owned(),
        };
        let program = self.program().ok_or_else(|| {
            unavailable("the Azure CLI (az) is not on PATH; install it, or use another credential")
        })?;
        let resource = ctx.resource();
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
        };
        if !valid(resource) {
            return Err(CredentialError::Configuration(format!(
                "{NAME}: the scope {resource:?} has characters the CLI cannot take"
            )));
        }
        let mut command = tokio::process::Command::new(&program);
        command.args([
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            resource,
        ]);
        if let Some(tenant) = &self.tenant_id {
            if !valid(tenant) {
                return Err(CredentialError::Configuration(format!(
                    "{NAME}: the tenant {tenant:?} is not a tenant id or domain"
                )));
            }
            command.args(["--tenant", tenant]);
        }
        command
            .current_dir(neutral_dir())
            .env("AZURE_CORE_NO_COLOR", "true")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let child = command.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                unavailable(
                    "the Azure CLI (az) is not installed; install it, or use another credential",
                )
            } else {
                CredentialError::Failed {
                    credential: NAME.into(),
                    message: format!("cannot run {}: {e}", program.display()),
                }
            }
        })?;
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| CredentialError::Timeout {
                credential: NAME.into(),
                seconds: self.timeout.as_secs(),
            })?
            .map_err(|e| CredentialError::Failed {
                credential: NAME.into(),
                message: format!("running az: {e}"),
            })?;
        let stdout = zeroize::Zeroizing::new(output.stdout);
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(classify_failure(output.status.code(), &stderr));
        }
        parse_output(&stdout)
    }
}

#[cfg(windows)]
fn neutral_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("SYSTEMROOT").unwrap_or_else(|| r"C:\Windows".into()))
}

#[cfg(not(windows))]
fn neutral_dir() -> PathBuf {
    let bin = Path::new("/bin");
    if bin.is_dir() {
        bin.to_path_buf()
    } else {
        PathBuf::from("/")
    }
}

/// What a failed `az` run means.
fn classify_failure(code: Option<i32>, stderr: &str) -> CredentialError {
    let first = redact(stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
    if code == Some(127) || stderr.contains("not recognized") {
        return CredentialError::Unavailable {
            credential: NAME.into(),
            message: "the Azure CLI (az) is not installed; install it, or use another credential"
                .into(),
        };
    }
    if (stderr.contains("az login") || stderr.contains("az account set"))
        && !stderr.contains("AADSTS")
    {
        return CredentialError::Unavailable {
            credential: NAME.into(),
            message: "the Azure CLI is not signed in: run `az login` (with `--tenant <tenant id>` \
                      for the Intune tenant), then try again"
                .into(),
        };
    }
    let aadsts = stderr.find("AADSTS").and_then(|i| {
        stderr[i + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
            .ok()
    });
    let fix = aadsts
        .and_then(super::explain_aadsts)
        .map(|f| format!(" {f}"))
        .unwrap_or_default();
    CredentialError::Failed {
        credential: NAME.into(),
        message: format!("az account get-access-token failed: {first}.{fix}"),
    }
}

/// Drops anything token-like (`eyJ...`) from a line of the CLI's error output.
fn redact(line: &str) -> String {
    line.split_whitespace()
        .map(|w| {
            if w.starts_with("eyJ") || w.len() > 120 {
                "[REDACTED]"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(400)
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CliToken {
    access_token: Option<Secret>,
    #[serde(default, rename = "expires_on")]
    expires_on: Option<serde_json::Value>,
    #[serde(default)]
    expires_on_local: Option<String>,
    #[serde(default, rename = "expiresOn")]
    expires_on_text: Option<String>,
}

/// Reads `az account get-access-token --output json`: `accessToken`, and `expires_on` (Unix
/// seconds, CLI 2.54 and later) or else `expiresOn` (local time).
fn parse_output(stdout: &[u8]) -> Result<AccessToken, CredentialError> {
    let invalid = |m: &str| CredentialError::Failed {
        credential: NAME.into(),
        message: format!("az answered something unexpected: {m}; update the Azure CLI"),
    };
    let body: CliToken =
        serde_json::from_slice(stdout).map_err(|_| invalid("not the JSON of a token"))?;
    let token = body
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("no accessToken"))?;
    let from_epoch = body.expires_on.and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let expires_at = from_epoch
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .or_else(|| {
            let text = body.expires_on_text.or(body.expires_on_local)?;
            let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f").ok()?;
            Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.to_utc())
        })
        .ok_or_else(|| invalid("no usable expires_on / expiresOn"))?;
    Ok(AccessToken::new(token, expires_at))
}

impl Credential for AzureCliCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move { self.run(&ctx).await })
    }

    fn name(&self) -> &str {
        NAME
    }

    /// The CLI is not retried: its failures are a missing sign-in or a refusal.
    fn retry_delay(&self, _retry: u32, _error: &CredentialError) -> Option<Duration> {
        None
    }

    fn attempt_timeout(&self) -> Option<Duration> {
        Some(self.timeout.saturating_add(Duration::from_secs(5)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_of_every_cli_generation_is_read() {
        let t = parse_output(br#"{"accessToken":"eyJ0","expires_on":1800000000,"expiresOn":"2027-01-15 08:00:00.000000","tenant":"t","tokenType":"Bearer"}"#).unwrap();
        assert_eq!(t.expires_at.timestamp(), 1_800_000_000);
        let t = parse_output(br#"{"accessToken":"eyJ0","expiresOn":"2027-01-15 08:00:00.123456"}"#)
            .unwrap();
        assert!(t.expires_at.timestamp() > 1_799_000_000);
        for bad in [
            &b"not json"[..],
            br#"{"accessToken":""}"#,
            br#"{"accessToken":"x"}"#,
        ] {
            assert!(parse_output(bad).is_err());
        }
    }

    #[test]
    fn failures_say_what_to_do() {
        let e = classify_failure(Some(1), "ERROR: Please run 'az login' to setup account.\n");
        assert!(e.to_string().contains("run `az login`"), "{e}");
        assert!(matches!(e, CredentialError::Unavailable { .. }));
        let e = classify_failure(Some(127), "az: not found");
        assert!(e.to_string().contains("not installed"), "{e}");
        let e = classify_failure(
            Some(1),
            "ERROR: AADSTS700016: Application not found eyJhbGciOi.secret",
        );
        let text = e.to_string();
        assert!(
            text.contains("AZURE_CLIENT_ID") && !text.contains("eyJhbGciOi"),
            "{text}"
        );
    }
}
