//! The profile rules applied to settings-catalog enrollment policies (the new enrollment policy
//! experience: `ECV2_<tokenId>_<policyId>` profiles whose settings live in
//! `deviceManagement/configurationPolicies/{policyId}/settings`).
//!
//! A policy's settings are read into the classic profile they stand for (the same Graph fields
//! the rules of [`profile`](super::profile) read), the rules run on it, and each violation's
//! `path` names the setting definition id the admin sees in the policy (e.g.
//! `ade_setupassistant_passcode`) instead of the classic field. Settings this table does not
//! map are listed, never guessed.
//!
//! The setting definition ids and their options are those Intune's admin center writes (read
//! back from real policies): an on/off choice is `<id>_1` (on, or the screen shown) and `<id>_0`;
//! the authentication method is `_0` Setup Assistant (legacy), `_1` Company Portal, `_2` Setup
//! Assistant with modern authentication. iOS/iPadOS policies have no supervision setting
//! (devices enrolled this way are supervised), so the supervision rules hold them supervised.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use intune_apple_core::model::configuration_policy::{ConfigurationSetting, SettingValues};
//! use intune_apple_core::rules::enrollment_policy::{validate_policy, PolicyPlatform};
//! use intune_apple_core::rules::ValidationContext;
//!
//! // The Passcode screen hidden, the Touch ID / Face ID screen shown: rule I14.
//! let settings: Vec<ConfigurationSetting> = serde_json::from_str(r#"[
//!   {"settingInstance": {"settingDefinitionId": "ade_setupassistant_passcode",
//!     "choiceSettingValue": {"value": "ade_setupassistant_passcode_0"}}},
//!   {"settingInstance": {"settingDefinitionId": "ade_setupassistant_touchfaceid",
//!     "choiceSettingValue": {"value": "ade_setupassistant_touchfaceid_1"}}}
//! ]"#).unwrap();
//! let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
//! let check = validate_policy(
//!     Some(PolicyPlatform::Ios),
//!     &SettingValues::of(&settings),
//!     &ValidationContext::new(&[], now),
//! );
//! assert_eq!(check.violations[0].code, "I14");
//! assert_eq!(check.violations[0].path, "ade_setupassistant_passcode");
//! ```

use serde_json::{Map, Value};

use super::profile::{validate_ios_profile, validate_macos_profile, ValidationContext, Violation};
use crate::model::configuration_policy::{ConfigurationPolicy, SettingValues};
use crate::model::{DepIosEnrollmentProfile, DepMacOsEnrollmentProfile, EnrollmentProfile};

/// The settings-catalog template of Intune's iOS/iPadOS enrollment policies.
pub const IOS_TEMPLATE_ID: &str = "27d20e9c-50c1-48f8-a44c-f37de4510051_1";
/// The settings-catalog template of Intune's macOS enrollment policies.
pub const MACOS_TEMPLATE_ID: &str = "2e29557d-70fc-405a-8082-d1e5b6be2b8c_1";

/// The platform of an enrollment policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyPlatform {
    /// iOS/iPadOS.
    Ios,
    /// macOS.
    MacOs,
    /// tvOS.
    TvOs,
    /// visionOS.
    VisionOs,
}

impl PolicyPlatform {
    /// The platform's name as Intune writes it in `platforms` (`iOS`, `macOS`, `tvOS`,
    /// `visionOS`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ios => "iOS",
            Self::MacOs => "macOS",
            Self::TvOs => "tvOS",
            Self::VisionOs => "visionOS",
        }
    }
}

/// The platform of a policy: from its `platforms`, else its template, else its settings (the
/// macOS-only setting ids); `None` when nothing says.
#[must_use]
pub fn policy_platform(
    policy: Option<&ConfigurationPolicy>,
    values: &SettingValues,
) -> Option<PolicyPlatform> {
    let named = policy
        .and_then(|p| p.platforms.as_deref())
        .map(str::to_ascii_lowercase);
    let from_name = named.as_deref().and_then(|n| {
        // A flags text such as "iOS" or "macOS"; "visionOS" and "tvOS" before "iOS"/"macOS",
        // which their names do not contain.
        if n.contains("visionos") {
            Some(PolicyPlatform::VisionOs)
        } else if n.contains("tvos") {
            Some(PolicyPlatform::TvOs)
        } else if n.contains("macos") {
            Some(PolicyPlatform::MacOs)
        } else if n.contains("ios") {
            Some(PolicyPlatform::Ios)
        } else {
            None
        }
    });
    if from_name.is_some() {
        return from_name;
    }
    let template = policy
        .and_then(|p| p.extra.get("templateReference"))
        .and_then(|t| t.get("templateId"))
        .and_then(Value::as_str);
    match template {
        Some(IOS_TEMPLATE_ID) => return Some(PolicyPlatform::Ios),
        Some(MACOS_TEMPLATE_ID) => return Some(PolicyPlatform::MacOs),
        _ => {}
    }
    if values
        .ids()
        .any(|id| id.starts_with("ade_macos_") || id.starts_with("ade_accountsettings_"))
    {
        return Some(PolicyPlatform::MacOs);
    }
    if values.ids().any(|id| id.starts_with("ade_")) {
        return Some(PolicyPlatform::Ios);
    }
    None
}

/// How a setting's value becomes a classic profile field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// On/off choice: the field is true when the option is `_1`.
    On,
    /// On/off choice, inverted: the field is true when the option is `_0` (a "do not ..." or a
    /// "... disabled" field).
    Off,
    /// A text.
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Both,
    Ios,
    MacOs,
}

/// One setting definition and the classic field it stands for.
struct Mapping {
    setting: &'static str,
    field: &'static str,
    kind: Kind,
    on: On,
}

const fn m(setting: &'static str, field: &'static str, kind: Kind, on: On) -> Mapping {
    Mapping {
        setting,
        field,
        kind,
        on,
    }
}

/// The authentication method choices (`_0` legacy Setup Assistant, `_1` Company Portal, `_2`
/// Setup Assistant with modern authentication).
const AUTH_METHODS: [&str; 2] = ["ade_authenticationmethod", "ade_macos_authenticationmethod"];

/// Choices that only open their children (the template text, the URL, the accounts): read
/// through them, nothing of their own to map.
const CONTAINERS: [&str; 3] = [
    "ade_devicenametemplatechoices",
    "ade_activatecellulardatachoices",
    "ade_accountsettings_createlocaladmin",
];

/// Every setting that maps to a field the classic profile has.
const MAPPINGS: &[Mapping] = &[
    // User affinity and authentication.
    m(
        "ade_useraffinity",
        "requiresUserAuthentication",
        Kind::On,
        On::Ios,
    ),
    m(
        "ade_macos_useraffinity",
        "requiresUserAuthentication",
        Kind::On,
        On::MacOs,
    ),
    m(
        "ade_modernauth_awaitfinalconfiguration",
        "awaitDeviceConfiguredConfirmation",
        Kind::On,
        On::Ios,
    ),
    m(
        "ade_macos_awaitconfiguration",
        "waitForDeviceConfiguredConfirmation",
        Kind::On,
        On::MacOs,
    ),
    m(
        "ade_lockedenrollment",
        "profileRemovalDisabled",
        Kind::On,
        On::Both,
    ),
    m(
        "ade_appledevicenametemplate",
        "deviceNameTemplate",
        Kind::Text,
        On::Ios,
    ),
    m(
        "ade_activatecellulardata",
        "carrierActivationUrl",
        Kind::Text,
        On::Ios,
    ),
    m(
        "ade_setupassistant_department",
        "supportDepartment",
        Kind::Text,
        On::Both,
    ),
    m(
        "ade_setupassistant_departmentphone",
        "supportPhoneNumber",
        Kind::Text,
        On::Both,
    ),
    // Setup Assistant screens: `_0` hides the screen.
    m(
        "ade_setupassistant_passcode",
        "passCodeDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_locationservices",
        "locationDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_restore",
        "restoreBlocked",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_appleid",
        "appleIdDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_termsandconditions",
        "termsAndConditionsDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_touchfaceid",
        "touchIdDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_applepay",
        "applePayDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_siri",
        "siriDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_diagnosticsdata",
        "diagnosticsDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_privacy",
        "privacyPaneDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_screentime",
        "screenTimeScreenDisabled",
        Kind::Off,
        On::Both,
    ),
    m(
        "ade_setupassistant_appearance",
        "appearanceScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_simsetup",
        "simSetupScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_softwareupdate",
        "softwareUpdateScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_watchmigration",
        "watchMigrationScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_imessageandfacetime",
        "iMessageAndFaceTimeScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_androidmigration",
        "restoreFromAndroidDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_devicemigration",
        "deviceToDeviceMigrationDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_restorecompleted",
        "restoreCompletedScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_softwareupdatecompleted",
        "updateCompleteScreenDisabled",
        Kind::Off,
        On::Ios,
    ),
    m(
        "ade_setupassistant_filevault",
        "fileVaultDisabled",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_setupassistant_iclouddiagnostics",
        "iCloudDiagnosticsDisabled",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_setupassistant_icloudstorage",
        "iCloudStorageDisabled",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_setupassistant_accessibility",
        "accessibilityScreenDisabled",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_setupassistant_unlockwithwatch",
        "autoUnlockWithWatchDisabled",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_setupassistant_appearance",
        "displayToneSetupDisabled",
        Kind::Off,
        On::MacOs,
    ),
    // macOS accounts (children of the await-configuration choice).
    m(
        "ade_accountsettings_adminaccountname",
        "adminAccountUserName",
        Kind::Text,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_adminaccountfullname",
        "adminAccountFullName",
        Kind::Text,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_hideusersgroups",
        "hideAdminAccount",
        Kind::On,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_createlocalprimary",
        "skipPrimarySetupAccountCreation",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_prefillaccountinfo",
        "dontAutoPopulatePrimaryAccountInfo",
        Kind::Off,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_restrictediting",
        "enableRestrictEditing",
        Kind::On,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_primaryaccountfullname",
        "primaryAccountFullName",
        Kind::Text,
        On::MacOs,
    ),
    m(
        "ade_accountsettings_primaryaccountname",
        "primaryAccountUserName",
        Kind::Text,
        On::MacOs,
    ),
];

fn applies(on: On, platform: PolicyPlatform) -> bool {
    matches!(
        (on, platform),
        (On::Both, PolicyPlatform::Ios | PolicyPlatform::MacOs)
            | (On::Ios, PolicyPlatform::Ios)
            | (On::MacOs, PolicyPlatform::MacOs)
    )
}

/// The classic fields a policy's settings stand for (Graph names), and the setting behind each.
fn fields(
    platform: PolicyPlatform,
    values: &SettingValues,
) -> (Map<String, Value>, Vec<(&'static str, &'static str)>) {
    let mut out = Map::new();
    let mut from = Vec::new();
    for map in MAPPINGS.iter().filter(|x| applies(x.on, platform)) {
        let value = match map.kind {
            Kind::On => values.choice_on(map.setting).map(Value::Bool),
            Kind::Off => values.choice_on(map.setting).map(|on| Value::Bool(!on)),
            Kind::Text => values
                .text(map.setting)
                .map(|s| Value::String(s.to_owned())),
        };
        if let Some(v) = value {
            out.insert(map.field.to_owned(), v);
            from.push((map.field, map.setting));
        }
    }
    for auth in AUTH_METHODS {
        let (portal, modern) = match values.option(auth) {
            Some("1") => (true, false),
            Some("2") => (false, true),
            Some("0") => (false, false),
            _ => continue,
        };
        out.insert(
            "enableAuthenticationViaCompanyPortal".into(),
            Value::Bool(portal),
        );
        out.insert("configurationWebUrl".into(), Value::Bool(modern));
        from.push(("enableAuthenticationViaCompanyPortal", auth));
        from.push(("configurationWebUrl", auth));
    }
    if platform == PolicyPlatform::Ios {
        // No supervision setting: devices enrolled by these policies are supervised.
        out.insert("supervisedModeEnabled".into(), Value::Bool(true));
    }
    (out, from)
}

/// The classic profile a policy's settings stand for (iOS/iPadOS and macOS; `None` for the
/// other platforms, whose classic profiles carry no setting the rules read).
#[must_use]
pub fn policy_profile(
    platform: PolicyPlatform,
    values: &SettingValues,
) -> Option<EnrollmentProfile> {
    let (map, _) = fields(platform, values);
    let value = Value::Object(map);
    match platform {
        PolicyPlatform::Ios => serde_json::from_value::<DepIosEnrollmentProfile>(value)
            .ok()
            .map(EnrollmentProfile::DepIos),
        PolicyPlatform::MacOs => serde_json::from_value::<DepMacOsEnrollmentProfile>(value)
            .ok()
            .map(EnrollmentProfile::DepMacOs),
        PolicyPlatform::TvOs | PolicyPlatform::VisionOs => None,
    }
}

/// What the rules say of one enrollment policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCheck {
    /// Its platform, when known.
    pub platform: Option<PolicyPlatform>,
    /// Every broken rule, errors first; `path` is the setting definition id (or the classic
    /// field when no setting stands for it).
    pub violations: Vec<Violation>,
    /// The setting definition ids the policy sets that no rule reads (checked by nobody here:
    /// review them in the Intune admin center).
    pub unmapped: Vec<String>,
}

/// Applies the profile rules to an enrollment policy's settings. An unknown platform or an
/// empty policy gets only the profile count rule (I17), never a failure.
#[must_use]
pub fn validate_policy(
    platform: Option<PolicyPlatform>,
    values: &SettingValues,
    ctx: &ValidationContext<'_>,
) -> PolicyCheck {
    let mapped: Vec<(&str, &str)> = platform.map(|p| fields(p, values).1).unwrap_or_default();
    let mut violations = match platform.and_then(|p| policy_profile(p, values)) {
        Some(EnrollmentProfile::DepIos(p)) => validate_ios_profile(&p, ctx),
        Some(EnrollmentProfile::DepMacOs(p)) => validate_macos_profile(&p, ctx),
        _ => crate::rules::profile::validate_profile(
            &EnrollmentProfile::DepTvOs(crate::model::BaseEnrollmentProfile::default()),
            ctx,
        ),
    };
    for v in &mut violations {
        if let Some((_, setting)) = mapped.iter().find(|(field, _)| *field == v.path) {
            v.path = setting;
        }
    }
    let unmapped = values
        .ids()
        .filter(|id| {
            !mapped.iter().any(|(_, s)| s == id)
                && !CONTAINERS.contains(id)
                && !AUTH_METHODS.contains(id)
        })
        .map(str::to_owned)
        .collect();
    PolicyCheck {
        platform,
        violations,
        unmapped,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::configuration_policy::ConfigurationSetting;
    use chrono::{TimeZone, Utc};

    #[allow(clippy::needless_pass_by_value)] // reads as JSON at the call sites
    fn choice(id: &str, option: &str, children: Value) -> Value {
        serde_json::json!({"settingDefinitionId": id,
            "choiceSettingValue": {"value": format!("{id}_{option}"), "children": children}})
    }

    fn text(id: &str, v: &str) -> Value {
        serde_json::json!({"settingDefinitionId": id, "simpleSettingValue": {"value": v}})
    }

    fn values(instances: Vec<Value>) -> SettingValues {
        let settings: Vec<ConfigurationSetting> = instances
            .into_iter()
            .map(|i| ConfigurationSetting {
                setting_instance: Some(i),
                ..ConfigurationSetting::default()
            })
            .collect();
        SettingValues::of(&settings)
    }

    fn check(platform: PolicyPlatform, v: &SettingValues) -> PolicyCheck {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        validate_policy(Some(platform), v, &ValidationContext::new(&[], now))
    }

    #[test]
    fn a_macos_policy_like_the_admin_centers_minimal_one_passes() {
        // Await configuration on, no local admin (its child, under the `_0` choice, is ignored).
        let v = values(vec![
            choice("ade_macos_useraffinity", "0", Value::Null),
            choice(
                "ade_macos_awaitconfiguration",
                "1",
                serde_json::json!([choice(
                    "ade_accountsettings_createlocaladmin",
                    "0",
                    serde_json::json!([choice(
                        "ade_accountsettings_createlocalprimary",
                        "0",
                        Value::Null
                    )])
                )]),
            ),
            choice("ade_lockedenrollment", "1", Value::Null),
            text("ade_setupassistant_department", "IT Support"),
            choice("ade_setupassistant_accessibility", "1", Value::Null),
        ]);
        assert_eq!(v.get("ade_accountsettings_createlocalprimary"), None);
        let c = check(PolicyPlatform::MacOs, &v);
        assert!(c.violations.is_empty(), "{:?}", c.violations);
        assert!(c.unmapped.is_empty(), "{:?}", c.unmapped);
    }

    #[test]
    fn macos_account_rules_name_the_settings() {
        // A local admin; the primary account prefilled off yet editing restricted (M4), and
        // the Accessibility screen hidden (M9).
        let v = values(vec![
            choice(
                "ade_macos_useraffinity",
                "1",
                serde_json::json!([choice("ade_macos_authenticationmethod", "2", Value::Null)]),
            ),
            choice(
                "ade_macos_awaitconfiguration",
                "1",
                serde_json::json!([choice(
                    "ade_accountsettings_createlocaladmin",
                    "1",
                    serde_json::json!([
                        text("ade_accountsettings_adminaccountname", "admin"),
                        choice(
                            "ade_accountsettings_createlocalprimary",
                            "1",
                            serde_json::json!([choice(
                                "ade_accountsettings_prefillaccountinfo",
                                "0",
                                Value::Null
                            )])
                        ),
                    ])
                )]),
            ),
            choice("ade_accountsettings_restrictediting", "1", Value::Null),
            choice("ade_setupassistant_accessibility", "0", Value::Null),
            choice("ade_setupassistant_somethingnew", "1", Value::Null),
        ]);
        let c = check(PolicyPlatform::MacOs, &v);
        let got: Vec<(&str, &str)> = c.violations.iter().map(|v| (v.code, v.path)).collect();
        assert!(
            got.contains(&("M4", "ade_accountsettings_restrictediting")),
            "{got:?}"
        );
        assert!(
            got.contains(&("M9", "ade_setupassistant_accessibility")),
            "{got:?}"
        );
        assert_eq!(
            c.unmapped,
            vec!["ade_setupassistant_somethingnew".to_owned()]
        );
    }

    #[test]
    fn ios_name_template_and_carrier_url_come_from_their_choices_children() {
        let v = values(vec![
            choice(
                "ade_devicenametemplatechoices",
                "1",
                serde_json::json!([text(
                    "ade_appledevicenametemplate",
                    "{{USERNAME}}-{{SERIAL}}"
                )]),
            ),
            choice(
                "ade_activatecellulardatachoices",
                "1",
                serde_json::json!([text("ade_activatecellulardata", "ftp://carrier.example")]),
            ),
            choice("ade_lockedenrollment", "1", Value::Null),
        ]);
        let c = check(PolicyPlatform::Ios, &v);
        let got: Vec<(&str, &str)> = c.violations.iter().map(|v| (v.code, v.path)).collect();
        assert!(
            got.contains(&("I13", "ade_appledevicenametemplate")),
            "{got:?}"
        );
        assert!(
            got.contains(&("I15", "ade_activatecellulardata")),
            "{got:?}"
        );
        // Locked enrollment without a supervision setting: held supervised, so no I1.
        assert!(!got.iter().any(|(c, _)| *c == "I1"), "{got:?}");
    }

    #[test]
    fn the_authentication_method_feeds_the_affinity_rule() {
        // Company Portal authentication (`_1`) is only offered under user affinity; a policy
        // that sends it with affinity off breaks I6.
        let v = values(vec![
            choice("ade_useraffinity", "0", Value::Null),
            choice("ade_authenticationmethod", "1", Value::Null),
        ]);
        let c = check(PolicyPlatform::Ios, &v);
        let got: Vec<(&str, &str)> = c.violations.iter().map(|v| (v.code, v.path)).collect();
        assert_eq!(got, vec![("I6", "ade_authenticationmethod")]);
    }

    #[test]
    fn every_mapped_field_is_a_field_of_the_classic_profile() {
        // A field name the model does not know would be dropped silently on decoding.
        for map in MAPPINGS {
            for platform in [PolicyPlatform::Ios, PolicyPlatform::MacOs] {
                if !applies(map.on, platform) {
                    continue;
                }
                let v = match map.kind {
                    Kind::Text => values(vec![text(map.setting, "x")]),
                    Kind::On | Kind::Off => values(vec![choice(map.setting, "1", Value::Null)]),
                };
                let profile = policy_profile(platform, &v).unwrap();
                let json = serde_json::to_value(&profile).unwrap();
                assert!(
                    json.get(map.field).is_some(),
                    "{} -> {} is not a {platform:?} profile field",
                    map.setting,
                    map.field
                );
            }
        }
    }

    #[test]
    fn hostile_shapes_never_fail() {
        // Deep nesting, missing values, numbers, collections, and no platform.
        let mut deep = text("leaf", "x");
        for i in 0..100 {
            deep = choice(&format!("n{i}"), "1", serde_json::json!([deep]));
        }
        let v = values(vec![
            deep,
            serde_json::json!({"settingDefinitionId": "a", "choiceSettingValue": {}}),
            serde_json::json!({"settingDefinitionId": "b", "simpleSettingValue": {"value": 1e300}}),
            serde_json::json!({"settingDefinitionId": "c", "groupSettingCollectionValue": [{"children": [text("d", "e")]}]}),
            serde_json::json!({"nothing": true}),
            serde_json::json!("text"),
        ]);
        assert_eq!(v.text("d"), Some("e"));
        assert_eq!(v.get("leaf"), None, "beyond the depth limit");
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let c = validate_policy(None, &v, &ValidationContext::new(&[], now));
        assert!(c.violations.is_empty());
        assert_eq!(policy_platform(None, &v), None);
        assert_eq!(
            policy_platform(
                None,
                &values(vec![choice("ade_lockedenrollment", "1", Value::Null)])
            ),
            Some(PolicyPlatform::Ios)
        );
    }
}
