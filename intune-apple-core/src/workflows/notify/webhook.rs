//! The generic webhook: a Standard Webhooks event carrying the JSON report, signed with
//! HMAC-SHA256 when a secret is given.

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use super::{http, DeliveryOptions, Notification, NotifyError, Reason};
use crate::workflows::report::format_time_public as format_time;
use crate::Secret;

/// The event: `{"type", "timestamp", "data": {"title", "severity", "changes", "reports"}}`.
/// `type` is `apple_credentials.changed`, `apple_credentials.could_not_check` (a change that
/// is only about unreadable sections) or `apple_credentials.digest`.
#[must_use]
pub fn webhook_event(note: &Notification<'_>) -> Value {
    use super::state::ChangeKind;
    let kind = match note.reason {
        Reason::Digest => "apple_credentials.digest",
        Reason::Changed
            if note
                .changes
                .iter()
                .all(|c| matches!(c.what, ChangeKind::CouldNotCheck { .. })) =>
        {
            "apple_credentials.could_not_check"
        }
        Reason::Changed => "apple_credentials.changed",
    };
    let timestamp = note
        .reports
        .iter()
        .map(|r| r.report.generated_at)
        .max()
        .map(|t| format_time(&t));
    json!({
        "type": kind,
        "timestamp": timestamp,
        "data": {
            "title": note.title(),
            "severity": note.severity().code(),
            "changes": note.changes,
            "reports": note.reports,
        }
    })
}

/// The `webhook-id`: `msg_` and a hash of what the event says (its type and changes, and
/// the day for a digest), so that a re-send of the same alert by a later run carries the
/// same id and the receiver can drop it.
#[must_use]
pub fn webhook_id(event: &Value) -> String {
    let mut h = Sha256::new();
    h.update(event["type"].to_string().as_bytes());
    h.update(b"|");
    h.update(event["data"]["changes"].to_string().as_bytes());
    if event["type"] == "apple_credentials.digest" {
        h.update(b"|");
        h.update(
            event["timestamp"]
                .as_str()
                .unwrap_or("")
                .get(..10)
                .unwrap_or("")
                .as_bytes(),
        );
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// The signing key of a Standard Webhooks secret: the base64 after `whsec_` (or the whole
/// text when it has no prefix and is valid base64); otherwise the text's bytes.
fn key(secret: &Secret) -> Vec<u8> {
    let s = secret.expose();
    let b64 = s.strip_prefix("whsec_").unwrap_or(s);
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap_or_else(|_| s.as_bytes().to_vec())
}

/// The `webhook-signature` value: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
#[must_use]
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key(secret)) else {
        // HMAC accepts keys of any length; this branch is not reached.
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("v1,{sig}")
}

pub(super) async fn send(
    http: &reqwest::Client,
    url: &Secret,
    secret: Option<&Secret>,
    event: &Value,
    options: &DeliveryOptions,
) -> Result<(), NotifyError> {
    let id = webhook_id(event);
    // The exact bytes signed are the bytes sent, the same on every attempt.
    let body = serde_json::to_vec(event).unwrap_or_default();
    let headers = |ts: i64| {
        let mut h = vec![
            ("webhook-id", id.clone()),
            ("webhook-timestamp", ts.to_string()),
        ];
        if let Some(s) = secret {
            h.push(("webhook-signature", sign(s, &id, ts, &body)));
        }
        h
    };
    http::post(http, "webhook", url, &body, &headers, true, options).await
}
