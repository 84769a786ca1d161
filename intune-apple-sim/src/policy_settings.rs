//! The settings of a simulated settings-catalog enrollment policy, as
//! `deviceManagement/configurationPolicies/{id}/settings` serves them: one
//! `deviceManagementConfigurationSetting` per top-level setting, choices with their children.
//!
//! A seed without settings of its own gets the policy the admin center writes when an admin
//! accepts its defaults for the platform (user affinity with modern authentication, locked
//! enrollment, await final configuration, the usual Setup Assistant screens hidden).

use serde_json::{json, Value};

/// The settings-catalog template of the admin center's iOS/iPadOS enrollment policy.
pub(crate) const IOS_TEMPLATE: &str = "27d20e9c-50c1-48f8-a44c-f37de4510051_1";
/// The settings-catalog template of the admin center's macOS enrollment policy.
pub(crate) const MACOS_TEMPLATE: &str = "2e29557d-70fc-405a-8082-d1e5b6be2b8c_1";

#[allow(clippy::needless_pass_by_value)] // reads as JSON at the call sites
fn choice(id: &str, option: u8, children: Vec<Value>) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
        "settingDefinitionId": id,
        "settingInstanceTemplateReference": null,
        "choiceSettingValue": {
            "settingValueTemplateReference": null,
            "value": format!("{id}_{option}"),
            "children": children
        }
    })
}

fn text(id: &str, value: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance",
        "settingDefinitionId": id,
        "settingInstanceTemplateReference": null,
        "simpleSettingValue": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValue",
            "settingValueTemplateReference": null,
            "value": value
        }
    })
}

/// Hidden Setup Assistant screens (`_0`), shared by both platforms' defaults.
const HIDDEN_SCREENS: [&str; 6] = [
    "ade_setupassistant_siri",
    "ade_setupassistant_diagnosticsdata",
    "ade_setupassistant_applepay",
    "ade_setupassistant_screentime",
    "ade_setupassistant_appearance",
    "ade_setupassistant_privacy",
];

/// The admin center's default policy of `platform` (`ios` or `macOS`): top-level setting
/// instances.
pub(crate) fn default_instances(platform: &str) -> Vec<Value> {
    let mut out = if platform == "macOS" {
        vec![
            choice(
                "ade_macos_useraffinity",
                1,
                vec![choice("ade_macos_authenticationmethod", 2, Vec::new())],
            ),
            choice("ade_macos_awaitconfiguration", 1, Vec::new()),
            choice("ade_lockedenrollment", 1, Vec::new()),
            text("ade_setupassistant_department", "IT"),
            text("ade_setupassistant_departmentphone", "+1 555 0100"),
            choice("ade_setupassistant_filevault", 0, Vec::new()),
        ]
    } else {
        vec![
            choice(
                "ade_useraffinity",
                1,
                vec![choice("ade_authenticationmethod", 2, Vec::new())],
            ),
            choice("ade_modernauth_awaitfinalconfiguration", 1, Vec::new()),
            choice("ade_lockedenrollment", 1, Vec::new()),
            text("ade_setupassistant_department", "IT"),
            text("ade_setupassistant_departmentphone", "+1 555 0100"),
            choice("ade_setupassistant_passcode", 1, Vec::new()),
            choice("ade_setupassistant_touchfaceid", 1, Vec::new()),
        ]
    };
    out.extend(HIDDEN_SCREENS.iter().map(|id| choice(id, 0, Vec::new())));
    out
}

/// The settings collection's members: each instance wrapped as Graph serves it (`id` is its
/// index as a string).
pub(crate) fn settings(instances: &[Value]) -> Vec<Value> {
    instances
        .iter()
        .enumerate()
        .map(|(i, instance)| json!({"id": i.to_string(), "settingInstance": instance}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_default_choice_names_an_option_of_its_setting() {
        for platform in ["ios", "macOS"] {
            for s in settings(&default_instances(platform)) {
                let i = &s["settingInstance"];
                let id = i["settingDefinitionId"].as_str().unwrap_or_default();
                if let Some(v) = i["choiceSettingValue"]["value"].as_str() {
                    assert!(v.starts_with(&format!("{id}_")), "{v}");
                }
                assert!(id.starts_with("ade_"), "{id}");
            }
        }
    }
}
