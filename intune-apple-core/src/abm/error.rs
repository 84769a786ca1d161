//! The error of every Apple Business API call: the same [`ErrorKind`] as the Graph client (so
//! that programs and bindings match on one set of names), Apple's JSON:API error (`code`,
//! `title`, `detail`, `id`), or what an HTML error page said, and what to do next.

use std::time::Duration;

use serde::Deserialize;

pub use crate::graph::ErrorKind;

/// The error of an Apple Business API call.
///
/// Its `Display` says what failed, why and what to do next; it never contains the private key,
/// the client assertion or an access token.
#[derive(Debug)]
pub struct Error {
    inner: Box<Details>,
}

#[derive(Debug, Default)]
struct Details {
    kind: Option<ErrorKind>,
    operation: String,
    message: String,
    status: Option<u16>,
    code: Option<String>,
    error_id: Option<String>,
    retry_after: Option<Duration>,
    html: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed: {}", self.inner.operation, self.inner.message)?;
        let mut details = Vec::new();
        if let Some(s) = self.inner.status {
            details.push(format!("HTTP {s}"));
        }
        if let Some(c) = &self.inner.code {
            details.push(format!("code {c}"));
        }
        if let Some(i) = &self.inner.error_id {
            details.push(format!("error id {i}"));
        }
        if let Some(d) = self.inner.retry_after {
            details.push(format!("retry after {:.1} s", d.as_secs_f64()));
        }
        if self.inner.html {
            details.push("an HTML page, not the API".to_owned());
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        write!(f, ". {}", hint(self.kind(), self.inner.code.as_deref()))
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

fn hint(kind: ErrorKind, code: Option<&str>) -> &'static str {
    match (kind, code) {
        (ErrorKind::Unauthorized, Some("invalid_client")) => "Apple refused the API account's client assertion: check the client id (BUSINESSAPI.… or SCHOOLAPI.…), the key id and that the private key is the one generated for this API account and not revoked (Apple Business: Preferences > API).",
        (ErrorKind::Unauthorized, _) => "Check the API account's client id, key id and private key (Apple Business: Preferences > API); a revoked key or a deleted API account is refused.",
        (ErrorKind::Forbidden, _) => "The API account may not read this resource: check its permissions in Apple Business (Preferences > API > Manage).",
        (ErrorKind::NotFound, _) => "Check the id (a serial number or an MDM server id); list the resources to find the current one.",
        (ErrorKind::Throttled, _) => "Apple limits the API to about 20 GET requests a minute: wait the given time, or lower the request budget, and retry.",
        (ErrorKind::InvalidInput, _) => "Fix the request as the message says; nothing was changed.",
        (ErrorKind::Server, _) => "Apple's service or a proxy on the way failed; retry later, and quote the error id to Apple if it persists.",
        (ErrorKind::Transport, _) => "Check the network, proxy and DNS for api-business.apple.com and account.apple.com, then retry.",
        (ErrorKind::Decode, _) => "Apple answered something unexpected; retry, and report it if it persists.",
        (ErrorKind::Configuration, _) => "Fix the Apple Business configuration as the message says.",
        _ => "Retry later.",
    }
}

/// Apple's `ErrorResponse` (JSON:API): `{"errors": [{"status", "code", "title", "detail", "id"}]}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorResponse {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorItem {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

/// RFC 6749 §5.2, the shape clients expect from Apple's token endpoint.
#[derive(Debug, Default, Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            inner: Box::new(Details {
                kind: Some(kind),
                operation: operation.into(),
                message: message.into(),
                ..Details::default()
            }),
        }
    }

    fn kind_of(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled,
            400..=499 => ErrorKind::InvalidInput,
            _ => ErrorKind::Server,
        }
    }

    /// An error answer of the API: Apple's JSON:API `errors[]`, or an HTML page (a proxy, a
    /// maintenance page), or any other body, kept as a short excerpt.
    pub(crate) fn from_response(
        operation: impl Into<String>,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        let mut e = Self::new(Self::kind_of(status), operation, String::new());
        e.inner.status = Some(status);
        e.inner.retry_after = retry_after;
        if let Ok(parsed) = serde_json::from_slice::<ErrorResponse>(body) {
            if let Some(first) = parsed.errors.into_iter().next() {
                let text = match (first.title, first.detail) {
                    (Some(t), Some(d)) if !d.is_empty() => format!("{t}: {d}"),
                    (Some(t), _) => t,
                    (None, Some(d)) => d,
                    (None, None) => format!("HTTP {status}"),
                };
                e.inner.message = excerpt(&text);
                e.inner.code = first.code;
                e.inner.error_id = first.id;
                return e;
            }
        }
        e.set_non_json(status, content_type, body);
        e
    }

    /// An error answer of the token endpoint (RFC 6749 shape, or anything else).
    pub(crate) fn from_token_response(
        operation: impl Into<String>,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        let kind = match status {
            400 | 401 => ErrorKind::Unauthorized,
            s => Self::kind_of(s),
        };
        let mut e = Self::new(kind, operation, String::new());
        e.inner.status = Some(status);
        e.inner.retry_after = retry_after;
        if let Ok(parsed) = serde_json::from_slice::<OAuthError>(body) {
            if let Some(code) = parsed.error {
                let description = parsed.error_description.unwrap_or_default();
                e.inner.message = if description.is_empty() {
                    "the token endpoint refused the client assertion".to_owned()
                } else {
                    format!(
                        "the token endpoint refused the client assertion: {}",
                        excerpt(&description)
                    )
                };
                e.inner.code = Some(code);
                return e;
            }
        }
        e.set_non_json(status, content_type, body);
        e
    }

    fn set_non_json(&mut self, status: u16, content_type: Option<&str>, body: &[u8]) {
        let text = String::from_utf8_lossy(body);
        let looks_html =
            content_type.is_some_and(|c| c.contains("html")) || text.trim_start().starts_with('<');
        if looks_html {
            self.inner.html = true;
            let title = html_title(&text).unwrap_or_default();
            self.inner.message = if title.is_empty() {
                format!("HTTP {status} with an HTML page instead of a JSON:API error")
            } else {
                format!(
                    "HTTP {status} with an HTML page instead of a JSON:API error: \"{}\"",
                    excerpt(&title)
                )
            };
        } else if text.trim().is_empty() {
            self.inner.message = format!("HTTP {status} without a body");
        } else {
            self.inner.message = format!(
                "HTTP {status} with a body that is not a JSON:API error: \"{}\"",
                excerpt(&text)
            );
        }
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = Some(kind);
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.inner.retry_after = after;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// What went wrong, for programs (the same kinds as [`crate::graph::Error`]).
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind.unwrap_or(ErrorKind::Server)
    }
    /// The call that failed (`GET /v1/mdmServers`, `POST token`), without query string.
    #[must_use]
    pub fn operation(&self) -> &str {
        &self.inner.operation
    }
    /// The readable message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// HTTP status, when an answer came.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// Apple's error code (`NOT_FOUND`, `PARAMETER_ERROR.INVALID`, ...), or the token endpoint's
    /// OAuth code (`invalid_client`, `invalid_request`, ...).
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// Apple's error instance id (`errors[].id`), to quote to Apple.
    #[must_use]
    pub fn error_id(&self) -> Option<&str> {
        self.inner.error_id.as_deref()
    }
    /// How long Apple asked to wait.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// Whether the answer was an HTML page (a proxy, a maintenance or sign-in page) rather than
    /// the API's JSON.
    #[must_use]
    pub fn is_html(&self) -> bool {
        self.inner.html
    }
    /// Whether retrying later may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Throttled | ErrorKind::Transport | ErrorKind::Server
        )
    }
}

/// The text of an HTML page's `<title>`, if any.
fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title")? + open_end;
    text.get(open_end..end).map(|t| t.trim().to_owned())
}

/// The first line of `text`, at most 200 characters.
fn excerpt(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out: String = line.trim().chars().take(200).collect();
    if line.trim().chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_api_error_is_read() {
        let body = br#"{"errors":[{"id":"d41f0ce2","status":"404","code":"NOT_FOUND","title":"The specified resource doesn't exist","detail":"There is no resource of type 'orgDevices' with id 'X'"}]}"#;
        let e = Error::from_response("GET /v1/orgDevices/{id}", 404, None, body, None);
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.code(), Some("NOT_FOUND"));
        assert_eq!(e.error_id(), Some("d41f0ce2"));
        assert!(!e.is_html());
        assert!(e.to_string().contains("There is no resource"), "{e}");
    }

    #[test]
    fn html_page_is_named_as_such() {
        let body = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let e = Error::from_response("GET /v1/mdmServers", 502, Some("text/html"), body, None);
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(e.is_html());
        assert!(e.message().contains("502 Bad Gateway"), "{}", e.message());
        let text = e.to_string();
        assert!(text.contains("an HTML page"), "{text}");
        assert!(!text.contains("nginx"), "{text}");
    }

    #[test]
    fn token_refusal_is_unauthorized() {
        let body = br#"{"error":"invalid_client","error_description":"assertion expired"}"#;
        let e = Error::from_token_response("POST token", 400, None, body, None);
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert_eq!(e.code(), Some("invalid_client"));
        assert!(e.to_string().contains("Preferences > API"));
    }
}
