//! Seeds of a small fleet of tenants for enrollment profiles as code: the same "Corporate
//! iPhone" profile matching on one tenant, drifted on another, missing on a third. The story
//! is told in `docs/profiles.md`; the profile template it is held against is
//! [`Seed::FLEET_TEMPLATE`].

use serde_json::{json, Map, Value};

use crate::seed::{DepTokenSeed, ProfileSeed, Seed, VppTokenSeed};

fn settings(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// The fleet's settings of "Corporate iPhone" on the tenants where it matches the template.
fn fleet_settings(phone: &str, prefix: &str) -> Map<String, Value> {
    settings(&json!({
        "profileRemovalDisabled": true,
        "supportDepartment": "IT Operations",
        "supportPhoneNumber": phone,
        "deviceNameTemplate": format!("{prefix}-{{{{SERIAL}}}}"),
        "enabledSkipKeys": ["Siri", "Restore"]
    }))
}

impl Seed {
    /// The profile template the fleet seeds are held against (JSON, the template file format),
    /// with its per-tenant values in [`Seed::FLEET_VALUES`].
    pub const FLEET_TEMPLATE: &'static str = r#"{
  "templateVersion": 1,
  "platform": "ios",
  "displayName": "Corporate iPhone",
  "default": true,
  "settings": {
    "supervisedModeEnabled": true,
    "profileRemovalDisabled": true,
    "requiresUserAuthentication": true,
    "isMandatory": true,
    "supportDepartment": "IT Operations",
    "supportPhoneNumber": "${support_phone}",
    "deviceNameTemplate": "${name_prefix}-{{SERIAL}}",
    "enabledSkipKeys": ["Restore", "Siri"]
  }
}"#;

    /// The per-tenant values of [`Seed::FLEET_TEMPLATE`] for the three fleet tenants.
    pub const FLEET_VALUES: &'static str = r#"{
  "defaults": {"support_phone": "+1 555 0100"},
  "tenants": {
    "northwind": {"name_prefix": "NW"},
    "fabrikam": {"name_prefix": "FAB", "support_phone": "+44 20 7946 0000"},
    "tailspin": {"name_prefix": "TS"}
  }
}"#;

    /// Tenant "northwind": two enrollment program tokens whose "Corporate iPhone" matches
    /// the template (the default profile of each), and a settings-catalog policy (`ECV2_`)
    /// that drift skips with its reason.
    #[must_use]
    pub fn fleet_matching() -> Self {
        let token = |i: u8, name: &str| DepTokenSeed {
            id: format!("f1{i:06}-0000-4000-8000-000000000001"),
            token_name: name.into(),
            device_count: 5,
            profiles: vec![
                ProfileSeed {
                    guid: format!("a1{i:06}-0000-4000-8000-000000000001"),
                    display_name: "Corporate iPhone".into(),
                    is_default: true,
                    settings: fleet_settings("+1 555 0100", "NW"),
                    ..ProfileSeed::default()
                },
                ProfileSeed {
                    guid: format!("a1{i:06}-0000-4000-8000-000000000002"),
                    display_name: "Corporate iPhone (settings catalog)".into(),
                    settings_catalog: true,
                    ..ProfileSeed::default()
                },
            ],
            ..DepTokenSeed::default()
        };
        Self {
            tenant_id: "f1000000-0000-4000-8000-00000000000a".into(),
            dep_tokens: vec![token(1, "Northwind ABM"), token(2, "Northwind Schools ASM")],
            vpp_tokens: vec![VppTokenSeed {
                id: "f1a00000-0000-4000-8000-000000000001".into(),
                organization_name: "Northwind".into(),
                location_name: "Headquarters".into(),
                display_name: "Headquarters".into(),
                ..VppTokenSeed::default()
            }],
            ..Self::empty()
        }
    }

    /// Tenant "fabrikam": one token whose "Corporate iPhone" differs from the template in
    /// three settings (locked enrollment off, another support department, another device
    /// name template), and a "Kiosk iPad" the template does not concern.
    #[must_use]
    pub fn fleet_drifted() -> Self {
        let mut drifted = fleet_settings("+44 20 7946 0000", "FAB");
        drifted.insert("profileRemovalDisabled".into(), json!(false));
        drifted.insert("supportDepartment".into(), json!("Helpdesk"));
        drifted.insert("deviceNameTemplate".into(), json!("{{SERIAL}}"));
        Self {
            tenant_id: "f2000000-0000-4000-8000-00000000000b".into(),
            dep_tokens: vec![DepTokenSeed {
                id: "f2000001-0000-4000-8000-000000000001".into(),
                token_name: "Fabrikam ABM".into(),
                device_count: 8,
                profiles: vec![
                    ProfileSeed {
                        guid: "b2000001-0000-4000-8000-000000000001".into(),
                        display_name: "Corporate iPhone".into(),
                        is_default: true,
                        settings: drifted,
                        ..ProfileSeed::default()
                    },
                    ProfileSeed {
                        guid: "b2000001-0000-4000-8000-000000000002".into(),
                        display_name: "Kiosk iPad".into(),
                        settings: settings(&json!({"requiresUserAuthentication": false})),
                        ..ProfileSeed::default()
                    },
                ],
                ..DepTokenSeed::default()
            }],
            ..Self::empty()
        }
    }

    /// Tenant "tailspin": one token without "Corporate iPhone" (only a "Kiosk iPad").
    #[must_use]
    pub fn fleet_missing() -> Self {
        Self {
            tenant_id: "f3000000-0000-4000-8000-00000000000c".into(),
            dep_tokens: vec![DepTokenSeed {
                id: "f3000001-0000-4000-8000-000000000001".into(),
                token_name: "Tailspin ABM".into(),
                device_count: 3,
                profiles: vec![ProfileSeed {
                    guid: "c3000001-0000-4000-8000-000000000001".into(),
                    display_name: "Kiosk iPad".into(),
                    is_default: true,
                    settings: settings(&json!({"requiresUserAuthentication": false})),
                    ..ProfileSeed::default()
                }],
                ..DepTokenSeed::default()
            }],
            ..Self::empty()
        }
    }
}
