//! Graph's polymorphic types (enrollment profiles, apps, assignments) and the workflows' long
//! reports cross as JSON text, in Graph's (or `docs/report.md`'s) own shape: a caller decodes
//! them with the JSON library of its platform. Secret properties are left out.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::IntuneAppleError;

/// Property names whose values are secrets: never handed to the caller.
const SECRET_KEYS: &[&str] = &[
    "token",
    "certificate",
    "depToken",
    "adminAccountPassword",
    "password",
    "access_token",
];

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !SECRET_KEYS.contains(&k.as_str()));
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// A core value as JSON text, without its secret properties.
pub(crate) fn to_text<T: Serialize>(value: &T) -> Result<String, IntuneAppleError> {
    let mut json = serde_json::to_value(value)
        .map_err(|e| IntuneAppleError::of("decode", format!("cannot convert the answer: {e}")))?;
    strip(&mut json);
    Ok(json.to_string())
}

/// JSON text given by the caller as a core model value.
pub(crate) fn from_text<T: DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, IntuneAppleError> {
    serde_json::from_str(text).map_err(|e| {
        IntuneAppleError::invalid_input(format!("{what} is not valid JSON of its type: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_left_out_at_every_depth() {
        let v = serde_json::json!({"a": 1, "token": "s", "inner": [{"password": "p", "b": 2}]});
        let text = to_text(&v).unwrap_or_default();
        assert!(!text.contains("\"s\"") && !text.contains("\"p\""), "{text}");
        assert!(text.contains("\"b\":2"));
    }
}
