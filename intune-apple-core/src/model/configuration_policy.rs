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

/// One setting of a settings-catalog policy (`deviceManagementConfigurationSetting`, beta), as
/// `GET /deviceManagement/configurationPolicies/{id}/settings` lists them. The instance is a
/// tree of choice, simple and group values whose members real tenants often send without
/// `@odata.type`; it is kept verbatim and read with [`SettingValues::of`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationSetting {
    /// Key (the setting's position in the policy: `0`, `1`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The setting's instance (`deviceManagementConfigurationSettingInstance`), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting_instance: Option<serde_json::Value>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The value a policy gives one setting definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// A choice: the chosen option's id, `<settingDefinitionId>_<option>` (e.g.
    /// `ade_lockedenrollment_1`).
    Choice(String),
    /// A text value.
    Text(String),
    /// An integer value.
    Integer(i64),
    /// A value of another shape (a collection, a secret, a number out of range): present,
    /// not interpreted.
    Other,
}

/// How deep a setting instance tree is read; deeper children are ignored (Intune's enrollment
/// policies nest four levels).
pub const SETTING_DEPTH_LIMIT: usize = 16;

/// The values of a policy's settings by setting definition id, children included (a child is
/// read only when its parent choice is not its `_0` option: Intune sends children of a choice
/// that is off, which then do not apply).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettingValues {
    values: std::collections::BTreeMap<String, SettingValue>,
}

impl SettingValues {
    /// The values of `settings`, read tolerantly: an instance of an unknown shape is skipped, a
    /// definition id met twice keeps its first value.
    ///
    /// ```
    /// use intune_apple_core::model::configuration_policy::{ConfigurationSetting, SettingValues};
    /// let settings: Vec<ConfigurationSetting> = serde_json::from_str(r#"[
    ///   {"id": "0", "settingInstance": {"settingDefinitionId": "ade_lockedenrollment",
    ///     "choiceSettingValue": {"value": "ade_lockedenrollment_1"}}},
    ///   {"id": "1", "settingInstance": {"settingDefinitionId": "ade_setupassistant_department",
    ///     "simpleSettingValue": {"value": "IT"}}}
    /// ]"#).unwrap();
    /// let v = SettingValues::of(&settings);
    /// assert_eq!(v.choice_on("ade_lockedenrollment"), Some(true));
    /// assert_eq!(v.text("ade_setupassistant_department"), Some("IT"));
    /// ```
    #[must_use]
    pub fn of(settings: &[ConfigurationSetting]) -> Self {
        let mut out = Self::default();
        for s in settings {
            if let Some(instance) = &s.setting_instance {
                out.read(instance, 0);
            }
        }
        out
    }

    fn read(&mut self, instance: &serde_json::Value, depth: usize) {
        use serde_json::Value;
        if depth >= SETTING_DEPTH_LIMIT {
            return;
        }
        let Some(id) = instance.get("settingDefinitionId").and_then(Value::as_str) else {
            return;
        };
        let mut children: Vec<&Value> = Vec::new();
        let value = if let Some(choice) = instance.get("choiceSettingValue") {
            match choice.get("value").and_then(Value::as_str) {
                Some(v) => {
                    if !v.ends_with("_0") {
                        children.extend(child_list(choice));
                    }
                    SettingValue::Choice(v.to_owned())
                }
                None => SettingValue::Other,
            }
        } else if let Some(simple) = instance.get("simpleSettingValue") {
            match simple.get("value") {
                Some(Value::String(s)) => SettingValue::Text(s.clone()),
                Some(Value::Number(n)) => n
                    .as_i64()
                    .map_or(SettingValue::Other, SettingValue::Integer),
                _ => SettingValue::Other,
            }
        } else if let Some(groups) = instance
            .get("groupSettingCollectionValue")
            .and_then(Value::as_array)
        {
            children.extend(groups.iter().flat_map(child_list));
            SettingValue::Other
        } else if let Some(group) = instance.get("groupSettingValue") {
            children.extend(child_list(group));
            SettingValue::Other
        } else {
            SettingValue::Other
        };
        self.values.entry(id.to_owned()).or_insert(value);
        for c in children {
            self.read(c, depth + 1);
        }
    }

    /// The value of setting `id`, if the policy sets it.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&SettingValue> {
        self.values.get(id)
    }

    /// The chosen option of choice setting `id` without its `<id>_` prefix (`"1"` for
    /// `ade_lockedenrollment_1`).
    #[must_use]
    pub fn option(&self, id: &str) -> Option<&str> {
        match self.values.get(id)? {
            SettingValue::Choice(v) => v.strip_prefix(id)?.strip_prefix('_'),
            _ => None,
        }
    }

    /// Whether on/off choice `id` is on (`_1`) or off (`_0`); `None` when it is not set or has
    /// another option.
    #[must_use]
    pub fn choice_on(&self, id: &str) -> Option<bool> {
        match self.option(id)? {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }
    }

    /// The text of simple setting `id`.
    #[must_use]
    pub fn text(&self, id: &str) -> Option<&str> {
        match self.values.get(id)? {
            SettingValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The integer of simple setting `id`.
    #[must_use]
    pub fn integer(&self, id: &str) -> Option<i64> {
        match self.values.get(id)? {
            SettingValue::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// Every setting definition id the policy sets, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Whether the policy sets no setting this can read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

fn child_list(value: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    value
        .get("children")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
}
