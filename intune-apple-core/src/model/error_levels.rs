//! Intune's error messages nest: `error.message` may be a JSON document in a string, whose
//! `Message` may itself be one (`UnknownError` wrapping `{"ErrorCode":"Forbidden","Message":
//! "<Intune's document>"}`). [`unwrap_message`] decodes every level, so that a person never sees
//! escaped JSON.

/// Every level of a nested Intune error message, decoded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NestedMessage {
    /// The innermost readable text.
    pub text: String,
    /// The error codes found on the way down (`ErrorCode`, `code`), outermost first.
    pub codes: Vec<String>,
    /// How many JSON documents were unwrapped (0: the message was plain text).
    pub levels: usize,
    /// `RetryAfter` in seconds, from the innermost level that had a number.
    pub retry_after_seconds: Option<f64>,
}

/// The most levels followed; real answers have at most three.
const MAX_LEVELS: usize = 8;

/// Decodes a message that may be a JSON document (holding another one, and so on) down to its
/// readable text. A document without a readable message leaves the text of the level above.
///
/// ```
/// use intune_apple_core::model::error_levels::unwrap_message;
/// let m = unwrap_message(r#"{"ErrorCode":"Forbidden","Message":"{\"_version\": 3, \"Message\": \"An error has occurred\"}"}"#);
/// assert_eq!(m.text, "An error has occurred");
/// assert_eq!(m.codes, ["Forbidden"]);
/// assert_eq!(m.levels, 2);
/// ```
#[must_use]
pub fn unwrap_message(message: &str) -> NestedMessage {
    let mut out = NestedMessage {
        text: message.to_owned(),
        ..NestedMessage::default()
    };
    let mut current = message.to_owned();
    for _ in 0..MAX_LEVELS {
        let trimmed = current.trim();
        if !trimmed.starts_with('{') {
            break;
        }
        let Ok(serde_json::Value::Object(object)) =
            serde_json::from_str::<serde_json::Value>(trimmed)
        else {
            break;
        };
        out.levels += 1;
        for key in ["ErrorCode", "errorCode", "code"] {
            if let Some(code) = object.get(key).and_then(serde_json::Value::as_str) {
                if !code.is_empty() {
                    out.codes.push(code.to_owned());
                }
            }
        }
        if let Some(seconds) = object.get("RetryAfter").and_then(retry_seconds) {
            out.retry_after_seconds = Some(seconds);
        }
        let next = ["Message", "message"]
            .iter()
            .find_map(|k| object.get(*k).and_then(serde_json::Value::as_str))
            .filter(|m| !m.trim().is_empty());
        match next {
            Some(next) => {
                next.clone_into(&mut current);
                out.text = current.clone();
            }
            None => break,
        }
    }
    out
}

fn retry_seconds(v: &serde_json::Value) -> Option<f64> {
    let seconds = match v {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (seconds.is_finite() && seconds >= 0.0).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_levels_of_an_intune_refusal_decode_to_plain_text() {
        let inner = "{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 0 - Activity ID: a\",\r\n  \"RetryAfter\": null\r\n}";
        let middle =
            serde_json::json!({"ErrorCode": "Forbidden", "Message": inner, "Target": null})
                .to_string();
        let m = unwrap_message(&middle);
        assert_eq!(m.levels, 2);
        assert_eq!(m.codes, ["Forbidden"]);
        assert!(m.text.starts_with("An error has occurred"), "{}", m.text);
        assert!(!m.text.contains('{') && !m.text.contains('\\'));
    }

    #[test]
    fn plain_text_and_broken_json_stay_as_they_are() {
        assert_eq!(
            unwrap_message("Resource not found").text,
            "Resource not found"
        );
        assert_eq!(unwrap_message("{not json").text, "{not json");
        assert_eq!(unwrap_message("{\"a\":1}").text, "{\"a\":1}");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut m = "\"bottom\"".to_string();
        for _ in 0..12 {
            m = serde_json::json!({ "Message": m }).to_string();
        }
        let out = unwrap_message(&m);
        assert_eq!(out.levels, MAX_LEVELS);
    }
}
