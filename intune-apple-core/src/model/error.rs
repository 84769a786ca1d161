//! Error bodies: Graph's OData error (with Intune's JSON-inside-`message` form) and the
//! Microsoft identity platform's token endpoint (OAuth) responses.

use serde::{Deserialize, Serialize};

use crate::Secret;

/// **Graph error body**: `{"error": {"code", "message", "innerError"}}`, the body of every
/// non-2xx Graph response (any Graph path).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphErrorBody {
    /// The error.
    #[serde(default)]
    pub error: GraphError,
}

/// The `error` member of a [`GraphErrorBody`]. Code against `code` (and the HTTP status), never
/// against `message`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphError {
    /// Error code: `BadRequest`, `TooManyRequests`, `accessDenied`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Message. Intune often puts a JSON document here: see [`GraphError::intune_message`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Details: request id, client request id, date; may nest.
    #[serde(default, alias = "innererror", skip_serializing_if = "Option::is_none")]
    pub inner_error: Option<InnerError>,
}

impl GraphError {
    /// Intune's JSON-inside-`message` document, when `message` is one.
    #[must_use]
    pub fn intune_message(&self) -> Option<IntuneErrorMessage> {
        self.message.as_deref().and_then(IntuneErrorMessage::parse)
    }

    /// The message to show a person: Intune's inner `Message` when `message` is Intune's JSON
    /// document (and has one), otherwise the raw `message` text.
    #[must_use]
    /// Every level of JSON is decoded (`UnknownError` wrapping `{"ErrorCode":"Forbidden",
    /// "Message":"<Intune's document>"}`), see [`super::error_levels::unwrap_message`].
    pub fn readable_message(&self) -> Option<String> {
        self.message
            .as_deref()
            .map(|m| super::error_levels::unwrap_message(m).text)
    }

    /// The retry delay in seconds that Intune wrote into its JSON `message` (`RetryAfter`), if any.
    /// The HTTP `Retry-After` header, when present, takes precedence over this.
    #[must_use]
    pub fn retry_after_seconds(&self) -> Option<f64> {
        self.intune_message().and_then(|m| m.retry_after_seconds())
    }

    /// The request id (`request-id` or `requestId`), searching nested inner errors too.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.inner_error.as_ref().and_then(InnerError::request_id)
    }

    /// The client request id echoed back, searching nested inner errors too.
    #[must_use]
    pub fn client_request_id(&self) -> Option<&str> {
        self.inner_error
            .as_ref()
            .and_then(InnerError::client_request_id)
    }
}

/// `innerError` (also spelled `innererror`) of a Graph error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InnerError {
    /// A more specific code (the throttling body sends `"429"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A more specific message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// HTTP status as text (`"429"`), in the throttling body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When the error happened, as Graph writes it: without a zone (`2023-03-29T06:46:28`, UTC).
    /// Kept as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `request-id`: the id to give Microsoft support.
    #[serde(
        rename = "request-id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id_dashed: Option<String>,
    /// `requestId`: the spelling one version of the docs uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `client-request-id`: the id the client sent, echoed back.
    #[serde(
        rename = "client-request-id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_request_id: Option<String>,
    /// A nested inner error (`innerError` or `innererror`).
    #[serde(default, alias = "innererror", skip_serializing_if = "Option::is_none")]
    pub inner_error: Option<Box<InnerError>>,
}

impl InnerError {
    /// The request id, whichever spelling was used, searching nested inner errors too.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.request_id_dashed
            .as_deref()
            .or(self.request_id.as_deref())
            .or_else(|| self.inner_error.as_deref().and_then(InnerError::request_id))
    }

    /// The client request id, searching nested inner errors too.
    #[must_use]
    pub fn client_request_id(&self) -> Option<&str> {
        self.client_request_id.as_deref().or_else(|| {
            self.inner_error
                .as_deref()
                .and_then(InnerError::client_request_id)
        })
    }
}

/// Intune's error document found *inside* `error.message` (a JSON string):
/// `{"_version": 3, "Message": "...", "CustomApiErrorPhrase": "", "RetryAfter": null,
/// "ErrorSourceService": "", "HttpHeaders": "{}"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IntuneErrorMessage {
    /// `_version`.
    #[serde(rename = "_version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// `Message`: the readable text (with the Operation ID and Activity ID for support).
    #[serde(rename = "Message", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `CustomApiErrorPhrase`.
    #[serde(
        rename = "CustomApiErrorPhrase",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_api_error_phrase: Option<String>,
    /// `RetryAfter`: a number of seconds or a text, usually `null`.
    #[serde(
        rename = "RetryAfter",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub retry_after: Option<serde_json::Value>,
    /// `ErrorSourceService`.
    #[serde(
        rename = "ErrorSourceService",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub error_source_service: Option<String>,
    /// `HttpHeaders`: itself a JSON text.
    #[serde(
        rename = "HttpHeaders",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub http_headers: Option<String>,
}

impl IntuneErrorMessage {
    /// Parses Intune's document out of a `message` text; `None` when it is plain text.
    #[must_use]
    pub fn parse(message: &str) -> Option<Self> {
        let trimmed = message.trim_start();
        if !trimmed.starts_with('{') {
            return None;
        }
        let value: serde_json::Value = serde_json::from_str(trimmed).ok()?;
        let object = value.as_object()?;
        let looks_like_intune = ["_version", "Message", "RetryAfter", "CustomApiErrorPhrase"]
            .iter()
            .any(|k| object.contains_key(*k));
        if !looks_like_intune {
            return None;
        }
        serde_json::from_value(value).ok()
    }

    /// `RetryAfter` in seconds, when it is a non-negative number or a text holding one.
    #[must_use]
    pub fn retry_after_seconds(&self) -> Option<f64> {
        let seconds = match self.retry_after.as_ref()? {
            serde_json::Value::Number(n) => n.as_f64()?,
            serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
            _ => return None,
        };
        (seconds.is_finite() && seconds >= 0.0).then_some(seconds)
    }
}

/// A number that some endpoints write as text (`"3599"`): the token endpoint's `expires_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrText {
    /// Written as a JSON number.
    Number(i64),
    /// Written as a JSON string holding a number.
    Text(#[serde(with = "number_text")] i64),
}

impl NumberOrText {
    /// The number.
    #[must_use]
    pub fn get(self) -> i64 {
        match self {
            Self::Number(n) | Self::Text(n) => n,
        }
    }
}

mod number_text {
    use serde::{Deserializer, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes `&T`
    pub fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        crate::model::common::read_str(deserializer, |text| {
            text.trim().parse().map_err(serde::de::Error::custom)
        })
    }
}

/// **Access token** response of the Microsoft identity platform token endpoint
/// (`POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`, client credentials).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OAuthTokenResponse {
    /// `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Lifetime in seconds from now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<NumberOrText>,
    /// Extended lifetime in seconds, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_expires_in: Option<NumberOrText>,
    /// The bearer token. A secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
}

/// **Token endpoint error** (HTTP 400/401 from `.../oauth2/v2.0/token`): e.g. `invalid_client`
/// (wrong or expired client secret), `invalid_scope`, `unauthorized_client`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    /// The OAuth error code (`invalid_client`, `invalid_scope`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Readable description, starting with the `AADSTS` code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// Numeric `AADSTS` codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_codes: Option<Vec<i64>>,
    /// Timestamp text as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Trace id, for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Correlation id, for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intune_message_is_parsed_and_raw_kept_otherwise() {
        let body: GraphErrorBody = serde_json::from_str(
            r#"{"error":{"code":"BadRequest","message":"{ \"_version\": 3, \"Message\": \"An error has occurred\", \"RetryAfter\": \"2.5\"}","innererror":{"requestId":"r1","innerError":{"client-request-id":"c1"}}}}"#,
        )
        .unwrap();
        assert_eq!(
            body.error.readable_message().as_deref(),
            Some("An error has occurred")
        );
        assert_eq!(body.error.retry_after_seconds(), Some(2.5));
        assert_eq!(body.error.request_id(), Some("r1"));
        assert_eq!(body.error.client_request_id(), Some("c1"));

        let plain = GraphError {
            message: Some("{not json".into()),
            ..GraphError::default()
        };
        assert_eq!(plain.readable_message().as_deref(), Some("{not json"));
        assert_eq!(plain.retry_after_seconds(), None);
    }

    #[test]
    fn expires_in_as_number_or_text() {
        let t: OAuthTokenResponse =
            serde_json::from_str(r#"{"expires_in":"3599","access_token":"abc"}"#).unwrap();
        assert_eq!(t.expires_in.map(NumberOrText::get), Some(3599));
        assert!(!format!("{t:?}").contains("abc"));
    }
}
