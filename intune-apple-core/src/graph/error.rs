//! The error of every Graph call: a kind a program can match on, the details a human needs
//! (HTTP status, Graph code and message, request ids), and what to do next.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::credentials::CredentialError;
use super::refusal::{self, ForbiddenReason};
use crate::model::{DecodeError, GraphErrorBody};

/// What went wrong, for programs to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 401, or no token could be obtained: the credential is wrong, expired or for another tenant.
    Unauthorized,
    /// 403: the app lacks the permission this call needs (see [`Error::required_permission`]),
    /// or Intune refused an app that has it (see [`Error::forbidden_reason`]).
    Forbidden,
    /// 404: the resource does not exist (deleted, wrong id, or not in this tenant).
    NotFound,
    /// 429 (or 503 with `Retry-After`, or Intune's query broker's 500 "Rate limit reached")
    /// after the retry budget: Graph or Intune throttled the app.
    Throttled,
    /// 409 / 412: the resource changed or is in a state that refuses the call.
    Conflict,
    /// An enrollment program token sync asked too soon (client-side check or Intune's answer);
    /// see [`Error::next_allowed_at`].
    SyncTooSoon,
    /// 400 and other refusals of the request's content.
    InvalidInput,
    /// A write was sent but no answer came back (connection dropped, timeout): it may or may not
    /// have been applied. It is never resent automatically.
    OutcomeUnknown,
    /// The network failed before the request could be completed (DNS, connect, TLS, reset).
    Transport,
    /// The answer could not be decoded (see [`Error::decode_path`]).
    Decode,
    /// 5xx other than the retried ones, or 503/504 after the retry budget.
    Server,
    /// The client is misconfigured (missing credential, bad URL, unsafe `@odata.nextLink`).
    Configuration,
}

impl ErrorKind {
    /// A stable machine-readable name (`unauthorized`, `throttled`, ...), used by the bindings.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Throttled => "throttled",
            Self::Conflict => "conflict",
            Self::SyncTooSoon => "sync_too_soon",
            Self::InvalidInput => "invalid_input",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::Transport => "transport",
            Self::Decode => "decode",
            Self::Server => "server",
            Self::Configuration => "configuration",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Self::Unauthorized => "Check the tenant id, client id and secret or certificate, and that the secret has not expired.",
            Self::Forbidden => "Grant the app registration the application permission named here and give admin consent, then retry (new permissions can take a few minutes).",
            Self::NotFound => "Check the id; list the resources to find the current one.",
            Self::Throttled => "Intune limits each tenant to 200 writes / 2,000 requests per 20 s; wait the given time and retry, or lower the concurrency.",
            Self::Conflict => "Read the resource again and retry the change on its current state.",
            Self::SyncTooSoon => "Wait until the time given; Intune allows a manual sync at most every 15 minutes and none while one runs.",
            Self::InvalidInput => "Fix the request as the message says; nothing was changed.",
            Self::OutcomeUnknown => "Read the resource back to see whether the change was applied before trying again; it was not retried automatically to avoid applying it twice.",
            Self::Transport => "Check the network, proxy and DNS, then retry.",
            Self::Decode => "The service answered something unexpected; retry, and report it with the request id if it persists.",
            Self::Server => "Intune had an internal error; retry later and quote the request id to Microsoft support if it persists.",
            Self::Configuration => "Fix the client configuration as the message says.",
        }
    }
}

/// The error of a Graph call.
///
/// Its `Display` says what failed, why, and what to do next; it never contains a secret or a
/// bearer token.
#[derive(Debug)]
pub struct Error {
    inner: Box<Details>,
}

#[derive(Debug)]
struct Details {
    kind: ErrorKind,
    operation: String,
    message: String,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    client_request_id: Option<String>,
    retry_after: Option<Duration>,
    next_allowed_at: Option<DateTime<Utc>>,
    required_permission: Option<&'static str>,
    forbidden_reason: Option<ForbiddenReason>,
    accepted_permissions: Vec<String>,
    /// A hint for this error in place of its kind's.
    hint: Option<String>,
    decode_path: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Error {
    /// A new error of `kind` for `operation` (e.g. `GET /beta/deviceManagement/depOnboardingSettings`).
    pub(crate) fn new(
        kind: ErrorKind,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            inner: Box::new(Details {
                kind,
                operation: operation.into(),
                message: message.into(),
                status: None,
                code: None,
                request_id: None,
                client_request_id: None,
                retry_after: None,
                next_allowed_at: None,
                required_permission: None,
                forbidden_reason: None,
                accepted_permissions: Vec::new(),
                hint: None,
                decode_path: None,
                source: None,
            }),
        }
    }

    /// Maps an HTTP error answer to an error, reading Graph's error body when there is one.
    pub(crate) fn from_response(
        operation: impl Into<String>,
        status: u16,
        body: &[u8],
        header_request_id: Option<String>,
        client_request_id: &str,
        retry_after: Option<Duration>,
        required_permission: &'static str,
    ) -> Self {
        let parsed: Option<GraphErrorBody> = serde_json::from_slice(body).ok();
        let graph = parsed.map(|b| b.error);
        let code = graph.as_ref().and_then(|g| g.code.clone());
        let nested = graph
            .as_ref()
            .and_then(|g| g.message.as_deref())
            .map(crate::model::error_levels::unwrap_message)
            .unwrap_or_default();
        let message = if nested.text.trim().is_empty() {
            format!("HTTP {status} without a Graph error body")
        } else {
            nested.text.clone()
        };
        let body_retry = nested
            .retry_after_seconds
            .and_then(super::retry::seconds_to_duration);
        let kind = match status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 | 412 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled,
            400..=499 => ErrorKind::InvalidInput,
            _ if refusal::is_query_broker_throttle(status, &message) => ErrorKind::Throttled,
            _ => ErrorKind::Server,
        };
        let mut err = Self::new(kind, operation, first_line(&message));
        err.inner.status = Some(status);
        err.inner.code = code;
        err.inner.request_id = graph
            .as_ref()
            .and_then(|g| g.request_id().map(str::to_owned))
            .or(header_request_id);
        err.inner.client_request_id = Some(
            graph
                .as_ref()
                .and_then(|g| g.client_request_id().map(str::to_owned))
                .unwrap_or_else(|| client_request_id.to_owned()),
        );
        err.inner.retry_after = retry_after.or(body_retry);
        if kind == ErrorKind::Forbidden {
            let (reason, accepted) =
                refusal::classify_forbidden(err.inner.code.as_deref(), &nested);
            err.inner.forbidden_reason = Some(reason);
            match reason {
                ForbiddenReason::IntuneRefused => {
                    err.inner.hint = Some(refusal::INTUNE_REFUSED_HINT.to_owned());
                }
                _ => {
                    err.inner.required_permission = Some(required_permission);
                    if !accepted.is_empty() {
                        err.inner.hint = Some(refusal::missing_permission_hint(&accepted));
                    }
                    err.inner.accepted_permissions = accepted;
                }
            }
        }
        err
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_client_request_id(mut self, id: &str) -> Self {
        self.inner.client_request_id = Some(id.to_owned());
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.inner.retry_after = after;
        self
    }

    pub(crate) fn with_next_allowed_at(mut self, at: DateTime<Utc>) -> Self {
        self.inner.next_allowed_at = Some(at);
        self
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn decode(operation: impl Into<String>, err: DecodeError) -> Self {
        let mut e = Self::new(ErrorKind::Decode, operation, err.to_string());
        e.inner.decode_path = Some(err.path.clone());
        e.inner.source = Some(Box::new(err));
        e
    }

    pub(crate) fn credential(operation: impl Into<String>, err: CredentialError) -> Self {
        let kind = match err.root() {
            CredentialError::Transport { .. }
            | CredentialError::Unreachable { .. }
            | CredentialError::Timeout { .. } => ErrorKind::Transport,
            CredentialError::Configuration(_) | CredentialError::Certificate(_) => {
                ErrorKind::Configuration
            }
            _ => ErrorKind::Unauthorized,
        };
        let status = match err.root() {
            CredentialError::Rejected { status, .. }
            | CredentialError::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        };
        let mut e = Self::new(kind, operation, err.to_string());
        e.inner.status = status;
        if let CredentialError::Rejected { code, .. } = err.root() {
            e.inner.code = Some(code.clone());
        }
        // The chain's message already lists each step and what to configure: no generic hint
        // about a secret that was never given.
        let hint = match err.root() {
            CredentialError::Chain(_) => {
                Some("Nothing was sent to Intune: no credential of the chain was usable here.")
            }
            // A credential object of another library: the secret hint would mislead.
            CredentialError::External { .. } => Some(
                "Nothing was sent to Intune: the credential object failed on its own side; check how it was created (its environment, its own sign-in) and that it returns a token for https://graph.microsoft.com/.default.",
            ),
            // Credentials without a secret (managed identity, workload identity, the Azure
            // CLI, device code): the message says what to fix.
            CredentialError::Unavailable { .. }
            | CredentialError::Endpoint { .. }
            | CredentialError::Unreachable { .. }
            | CredentialError::Failed { .. } => {
                Some("Nothing was sent to Intune: fix the sign-in as the message says, then retry.")
            }
            _ => None,
        };
        if let Some(h) = hint {
            e.inner.hint = Some(h.to_owned());
        }
        e.inner.source = Some(Box::new(err));
        e
    }

    /// What went wrong, for programs.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The call that failed (`METHOD /version/path`), without query string.
    #[must_use]
    pub fn operation(&self) -> &str {
        &self.inner.operation
    }
    /// The readable message (Graph's, or ours).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// HTTP status, when an answer came.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// Graph's error code (`BadRequest`, `TooManyRequests`, `ResourceNotFound`, ...).
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// Graph's `request-id`, for Microsoft support.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// The `client-request-id` the client sent (one per logical call, kept across retries).
    #[must_use]
    pub fn client_request_id(&self) -> Option<&str> {
        self.inner.client_request_id.as_deref()
    }
    /// How long the service asked to wait.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// When a refused enrollment program token sync will be allowed.
    #[must_use]
    pub fn next_allowed_at(&self) -> Option<DateTime<Utc>> {
        self.inner.next_allowed_at
    }
    /// The application permission the call needs (on [`ErrorKind::Forbidden`]).
    #[must_use]
    pub fn required_permission(&self) -> Option<&'static str> {
        self.inner.required_permission
    }
    /// Why Intune answered 403 (on [`ErrorKind::Forbidden`]): a missing permission, or a
    /// refusal by Intune's role, scope tags or licence of an app that has it.
    #[must_use]
    pub fn forbidden_reason(&self) -> Option<ForbiddenReason> {
        self.inner.forbidden_reason
    }
    /// The permissions Intune's 403 message says it accepts (any one is enough), legacy and
    /// current names as Intune lists them; empty when it lists none.
    #[must_use]
    pub fn accepted_permissions(&self) -> &[String] {
        &self.inner.accepted_permissions
    }
    /// What to do next (also the end of `Display`).
    #[must_use]
    pub fn hint(&self) -> &str {
        self.inner
            .hint
            .as_deref()
            .unwrap_or_else(|| self.inner.kind.hint())
    }
    /// The JSON path of the field that failed to decode (on [`ErrorKind::Decode`]).
    #[must_use]
    pub fn decode_path(&self) -> Option<&str> {
        self.inner.decode_path.as_deref()
    }
    /// Whether the same call may simply be made again later: throttling, a transport failure
    /// before any answer, a server error on a read, a sync asked too soon. Never for
    /// [`ErrorKind::OutcomeUnknown`] (a write that may have been applied, including a write
    /// answered with a 5xx other than 503 with `Retry-After`): read the resource back first.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Throttled
                | ErrorKind::Transport
                | ErrorKind::Server
                | ErrorKind::SyncTooSoon
        )
    }

    fn render(&self) -> String {
        let mut out = format!("{} failed: {}", self.inner.operation, self.inner.message);
        let mut details = Vec::new();
        if let Some(s) = self.inner.status {
            details.push(format!("HTTP {s}"));
        }
        if let Some(c) = &self.inner.code {
            details.push(format!("code {c}"));
        }
        if let Some(r) = &self.inner.request_id {
            details.push(format!("request-id {r}"));
        }
        if let Some(r) = &self.inner.client_request_id {
            details.push(format!("client-request-id {r}"));
        }
        if let Some(d) = self.inner.retry_after {
            details.push(format!("retry after {:.1} s", d.as_secs_f64()));
        }
        if let Some(t) = self.inner.next_allowed_at {
            details.push(format!("next allowed at {}", t.to_rfc3339()));
        }
        if !self.inner.accepted_permissions.is_empty() {
            details.push(format!(
                "accepts any of {}",
                self.inner.accepted_permissions.join(", ")
            ));
        } else if let Some(p) = self.inner.required_permission {
            details.push(format!("needs {p}"));
        }
        if self.inner.forbidden_reason == Some(ForbiddenReason::IntuneRefused) {
            details.push("refused by Intune, not by a missing permission".to_owned());
        }
        if let Some(p) = &self.inner.decode_path {
            details.push(format!("field `{p}`"));
        }
        if !details.is_empty() {
            out.push_str(" (");
            out.push_str(&details.join(", "));
            out.push(')');
        }
        if !out.ends_with('.') {
            out.push('.');
        }
        out.push(' ');
        out.push_str(self.hint());
        out
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or(text);
    let mut line = line.trim().to_owned();
    if line.len() > 500 {
        let mut cut = 500;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intune_400_is_read_from_the_json_in_message() {
        let body = br#"{"error":{"code":"BadRequest","message":"{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 00000000\",\r\n  \"RetryAfter\": null\r\n}","innerError":{"date":"2023-03-29T06:46:28","request-id":"req-1","client-request-id":"cli-1"}}}"#;
        let e = Error::from_response("POST /beta/x", 400, body, None, "mine", None, "P");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.code(), Some("BadRequest"));
        assert_eq!(e.request_id(), Some("req-1"));
        assert_eq!(e.client_request_id(), Some("cli-1"));
        assert!(
            e.message().starts_with("An error has occurred"),
            "{}",
            e.message()
        );
        let text = e.to_string();
        assert!(text.contains("POST /beta/x failed"), "{text}");
        assert!(text.contains("request-id req-1"), "{text}");
    }

    #[test]
    fn forbidden_names_the_permission() {
        let e = Error::from_response(
            "PATCH /v1.0/deviceManagement/applePushNotificationCertificate",
            403,
            b"{}",
            Some("hdr".into()),
            "cid",
            None,
            "DeviceManagementServiceConfig.ReadWrite.All",
        );
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.request_id(), Some("hdr"));
        assert!(e
            .to_string()
            .contains("needs DeviceManagementServiceConfig.ReadWrite.All"));
    }

    #[test]
    fn throttle_body_retry_after_is_used() {
        let body = br#"{"error":{"code":"TooManyRequests","message":"{\"Message\":\"slow down\",\"RetryAfter\":\"7\"}"}}"#;
        let e = Error::from_response("GET /beta/x", 429, body, None, "c", None, "P");
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert!(e.is_retryable());
    }
}
