//! The new enrollment policy experience (settings catalog, rolling out in 2026): an enrollment
//! program token's policies appear among its enrollment profiles, and as its expanded defaults,
//! with ids `ECV2_<tokenId>_<policyId>`; their settings live in
//! `deviceManagement/configurationPolicies` with `creationSource` `DepTokenId_<tokenId>`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::graph_time;

/// The prefix of the ids of settings-catalog enrollment policies among a token's profiles.
pub const ECV2_PREFIX: &str = "ECV2_";

/// The `creationSource` of the settings-catalog policies of enrollment program token
/// `token_id`: `DepTokenId_<tokenId>`.
#[must_use]
pub fn dep_creation_source(token_id: &str) -> String {
    format!("DepTokenId_{token_id}")
}

/// The enrollment program token id and the policy id of an `ECV2_<tokenId>_<policyId>` id.
///
/// ```
/// use intune_apple_core::model::configuration_policy::parse_ecv2_id;
/// assert_eq!(parse_ecv2_id("ECV2_d1_p9"), Some(("d1", "p9")));
/// assert_eq!(parse_ecv2_id("d1_e1"), None);
/// ```
#[must_use]
pub fn parse_ecv2_id(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix(ECV2_PREFIX)?;
    let (token, policy) = rest.split_once('_')?;
    (!token.is_empty() && !policy.is_empty()).then_some((token, policy))
}

/// **Settings catalog policy** (`deviceManagementConfigurationPolicy`, beta), as far as the
/// enrollment policies of a token need: what it is and where it comes from. Every other
/// property is kept in `extra`, so that the value round-trips.
///
/// Graph (beta): `GET /deviceManagement/configurationPolicies?$filter=creationSource eq
/// 'DepTokenId_<tokenId>'`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationPolicy {
    /// `@odata.type`, when sent.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key (the `<policyId>` of `ECV2_<tokenId>_<policyId>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name shown in the Intune admin center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Platforms (`iOS`, `macOS`, ... as a flags text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<String>,
    /// Technologies (flags text, e.g. `enrollment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technologies: Option<String>,
    /// Where it comes from: `DepTokenId_<tokenId>` for a token's enrollment policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_source: Option<String>,
    /// Number of settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting_count: Option<i32>,
    /// Whether it is assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_assigned: Option<bool>,
    /// Scope tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// Created.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// Last modified.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Every other property (template reference, settings, ...), verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ConfigurationPolicy {
    /// The enrollment program token this policy belongs to (from `creationSource`).
    #[must_use]
    pub fn dep_token_id(&self) -> Option<&str> {
        self.creation_source
            .as_deref()
            .and_then(|s| s.strip_prefix("DepTokenId_"))
            .filter(|t| !t.is_empty())
    }
}

impl super::EnrollmentProfile {
    /// Whether this is a settings-catalog enrollment policy (`ECV2_` id) rather than a classic
    /// profile: its settings are a [`ConfigurationPolicy`], not this object's properties.
    #[must_use]
    pub fn is_settings_catalog(&self) -> bool {
        self.id().is_some_and(|id| id.starts_with(ECV2_PREFIX))
    }
}
