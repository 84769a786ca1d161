//! What the simulated Intune refuses in a PATCH of an enrollment profile.
//!
//! The admin center offers no way to change the platform or the user affinity of an existing
//! enrollment profile; the simulator refuses such a PATCH with a 400, as a client must expect.

use serde_json::Value;

/// Settings of an existing profile that a PATCH may not change.
const FIXED: [&str; 2] = ["@odata.type", "requiresUserAuthentication"];

/// The refusal (an Intune error message) of a PATCH `body` on the profile `current`, if any.
pub(crate) fn patch_refusal(current: &Value, body: &Value) -> Option<String> {
    for key in FIXED {
        let Some(wanted) = body.get(key) else {
            continue;
        };
        let same = match (
            key,
            wanted.as_str(),
            current.get(key).and_then(Value::as_str),
        ) {
            // `#microsoft.graph.x` and `microsoft.graph.x` name the same type.
            ("@odata.type", Some(w), Some(c)) => w
                .trim_start_matches('#')
                .eq_ignore_ascii_case(c.trim_start_matches('#')),
            _ => current.get(key) == Some(wanted),
        };
        if !same {
            let message = format!(
                "{key} cannot be changed on an existing enrollment profile: create a new profile"
            );
            return Some(
                serde_json::json!({"_version": 3, "Message": message, "RetryAfter": null})
                    .to_string(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_affinity_and_type_are_fixed() {
        let current = json!({"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "requiresUserAuthentication": true});
        assert!(patch_refusal(&current, &json!({"requiresUserAuthentication": true})).is_none());
        assert!(patch_refusal(&current, &json!({"@odata.type": "microsoft.graph.depIOSEnrollmentProfile", "supportDepartment": "x"})).is_none());
        assert!(
            patch_refusal(&current, &json!({"requiresUserAuthentication": false}))
                .is_some_and(|m| m.contains("requiresUserAuthentication"))
        );
        assert!(patch_refusal(
            &current,
            &json!({"@odata.type": "#microsoft.graph.depMacOSEnrollmentProfile"})
        )
        .is_some());
    }
}
