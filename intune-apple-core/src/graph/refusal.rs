//! What real Intune answers mean beyond their HTTP status: the two kinds of 403, and the query
//! broker's throttling sent as HTTP 500.

use crate::model::error_levels::NestedMessage;

/// Why Intune answered 403 (on [`ErrorKind::Forbidden`](super::ErrorKind::Forbidden)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForbiddenReason {
    /// The app registration lacks the application permission: grant one of
    /// [`Error::accepted_permissions`](super::Error::accepted_permissions) (or
    /// [`Error::required_permission`](super::Error::required_permission)) and consent.
    MissingPermission,
    /// The app has the permission but Intune refused the call: its Intune role (RBAC), its
    /// scope tags or the tenant's Intune licence do not allow it. Intune then says only "An
    /// error has occurred", wrapped in `UnknownError` / `{"ErrorCode":"Forbidden"}`.
    IntuneRefused,
}

impl ForbiddenReason {
    /// A stable machine-readable name: `missing_permission`, `intune_refused`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingPermission => "missing_permission",
            Self::IntuneRefused => "intune_refused",
        }
    }
}

/// The hint of an Intune refusal.
pub(crate) const INTUNE_REFUSED_HINT: &str = "The app has the permission but Intune refused it: check the Intune role assigned to the app (Intune admin center > Tenant administration > Roles), its scope tags and that the tenant has an Intune licence; granting more Graph permissions will not help.";

/// The hint of a missing permission whose accepted names Intune listed.
pub(crate) fn missing_permission_hint(accepted: &[String]) -> String {
    let legacy = accepted
        .iter()
        .any(|p| p.starts_with("DeviceManagementServiceConfiguration."));
    let mut hint = format!(
        "Grant this permission: one of {} as an application permission of the app registration, and give admin consent, then retry (new permissions can take a few minutes).",
        accepted.join(", ")
    );
    if legacy {
        hint.push_str(" `DeviceManagementServiceConfiguration.*` is the legacy name of `DeviceManagementServiceConfig.*`: grant the current one.");
    }
    hint
}

/// Classifies a 403 from its Graph `code` and decoded message, and lists the permissions the
/// message says are accepted (empty when it names none).
pub(crate) fn classify_forbidden(
    code: Option<&str>,
    nested: &NestedMessage,
) -> (ForbiddenReason, Vec<String>) {
    let accepted = accepted_permissions(&nested.text);
    if !accepted.is_empty() {
        return (ForbiddenReason::MissingPermission, accepted);
    }
    let wrapped_forbidden = nested
        .codes
        .iter()
        .any(|c| c.eq_ignore_ascii_case("Forbidden"));
    let unknown = code.is_some_and(|c| c.eq_ignore_ascii_case("UnknownError"));
    let generic = nested
        .text
        .trim_start()
        .starts_with("An error has occurred");
    if wrapped_forbidden || (unknown && generic) {
        return (ForbiddenReason::IntuneRefused, Vec::new());
    }
    (ForbiddenReason::MissingPermission, Vec::new())
}

/// The permission names after Intune's "must have one of the following scopes:" (or
/// "permissions:"), up to the " - Operation ID" suffix.
fn accepted_permissions(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let Some(start) = ["following scopes:", "following permissions:"]
        .iter()
        .find_map(|m| lower.find(m).map(|i| i + m.len()))
    else {
        return Vec::new();
    };
    let rest = text.get(start..).unwrap_or("");
    let end = rest.find(" - ").unwrap_or(rest.len());
    rest.get(..end)
        .unwrap_or("")
        .split([',', ' '])
        .map(|p| p.trim().trim_end_matches('.'))
        .filter(|p| {
            p.contains('.')
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        })
        .map(str::to_owned)
        .collect()
}

/// Whether an answer is Intune's query broker throttling (HTTP 500 "Rate limit reached because
/// of too many requests to query broker"), which comes without `Retry-After`.
pub(crate) fn is_query_broker_throttle(status: u16, text: &str) -> bool {
    status == 500 && text.contains("Rate limit reached")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::error_levels::unwrap_message;

    #[test]
    fn the_accepted_permissions_are_read_from_intune_s_text() {
        let m = unwrap_message("{\"_version\":3,\"Message\":\"Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementServiceConfiguration.Read.All, DeviceManagementServiceConfig.ReadWrite.All - Operation ID (for customer support): 0\"}");
        let (reason, accepted) = classify_forbidden(Some("Forbidden"), &m);
        assert_eq!(reason, ForbiddenReason::MissingPermission);
        assert_eq!(
            accepted,
            [
                "DeviceManagementServiceConfiguration.Read.All",
                "DeviceManagementServiceConfig.ReadWrite.All"
            ]
        );
        assert!(missing_permission_hint(&accepted).contains("legacy name"));
    }

    #[test]
    fn a_wrapped_forbidden_is_an_intune_refusal() {
        let inner = "{\"_version\": 3, \"Message\": \"An error has occurred - Operation ID (for customer support): 0\"}";
        let middle = serde_json::json!({"ErrorCode": "Forbidden", "Message": inner}).to_string();
        let (reason, accepted) = classify_forbidden(Some("UnknownError"), &unwrap_message(&middle));
        assert_eq!(reason, ForbiddenReason::IntuneRefused);
        assert!(accepted.is_empty());
    }

    #[test]
    fn a_bare_403_is_a_missing_permission() {
        let (reason, _) = classify_forbidden(None, &unwrap_message(""));
        assert_eq!(reason, ForbiddenReason::MissingPermission);
        assert!(!is_query_broker_throttle(500, "Simulated failure"));
        assert!(is_query_broker_throttle(
            500,
            "Rate limit reached because of too many requests to query broker. Please retry after sometime."
        ));
    }
}
