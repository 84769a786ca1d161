//! The description of a simulated tenant: what it holds when it starts.
//!
//! Times are relative to the simulator's logical clock at start (`*_in_days` fields), so a
//! seed tells the same story whenever it runs.

use serde::{Deserialize, Serialize};

use crate::SimError;

/// The Apple MDM push certificate the tenant starts with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PushCertificateSeed {
    /// Managed Apple ID that created the certificate.
    pub apple_identifier: String,
    /// Topic (`com.apple.mgmt.External.<uuid>`).
    pub topic_identifier: String,
    /// Days from start until the certificate expires (negative: already expired).
    pub expires_in_days: f64,
    /// Serial number, hexadecimal.
    pub certificate_serial_number: String,
}

impl Default for PushCertificateSeed {
    fn default() -> Self {
        Self {
            apple_identifier: "admin@contoso.example".into(),
            topic_identifier: "com.apple.mgmt.External.7c3a3b5e-1d2f-4e8a-9b6c-0f1e2d3c4b5a".into(),
            expires_in_days: 300.0,
            certificate_serial_number: "5A3C9E21B7D04F18".into(),
        }
    }
}

/// One enrollment program profile of a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileSeed {
    /// Guid part of the id (the full id is `{tokenId}_{guid}`).
    pub guid: String,
    /// Display name.
    pub display_name: String,
    /// `ios` or `macOS`.
    pub platform: String,
    /// Whether it is the default profile for its platform.
    pub is_default: bool,
    /// Settings served over the platform's defaults (Graph names, e.g.
    /// `{"supportPhoneNumber": "+1 555 0199"}`).
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// iOS: the VPP token through which the profile installs the Company Portal (which also
    /// turns on authentication with the Company Portal); `None`: it does not install it.
    pub company_portal_vpp_token_id: Option<String>,
    /// A settings-catalog enrollment policy (the new enrollment policy experience): its id is
    /// `ECV2_{tokenId}_{guid}` and its settings are served by `deviceManagement/configurationPolicies`
    /// with `creationSource` `DepTokenId_{tokenId}`.
    pub settings_catalog: bool,
    /// A settings-catalog policy's setting instances (Graph's `settingInstance` objects, e.g.
    /// `{"settingDefinitionId": "ade_lockedenrollment", "choiceSettingValue": {"value":
    /// "ade_lockedenrollment_1"}}`), served by
    /// `deviceManagement/configurationPolicies/{guid}/settings`; `None`: the policy the admin
    /// center writes with its defaults for the platform.
    pub policy_settings: Option<Vec<serde_json::Value>>,
}

impl Default for ProfileSeed {
    fn default() -> Self {
        Self {
            guid: uuid::Uuid::new_v4().to_string(),
            display_name: "Corporate iOS".into(),
            platform: "ios".into(),
            is_default: false,
            settings: serde_json::Map::new(),
            company_portal_vpp_token_id: None,
            settings_catalog: false,
            policy_settings: None,
        }
    }
}

/// The settings a profile seed writes over the platform's defaults.
pub(crate) fn profile_settings(p: &ProfileSeed) -> serde_json::Map<String, serde_json::Value> {
    let mut settings = p.settings.clone();
    if let Some(token) = &p.company_portal_vpp_token_id {
        settings.insert("enableAuthenticationViaCompanyPortal".into(), true.into());
        settings.insert("companyPortalVppTokenId".into(), token.clone().into());
    }
    settings
}

/// One enrollment program token (`depOnboardingSetting`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DepTokenSeed {
    /// Id (guid).
    pub id: String,
    /// Token name shown in Intune.
    pub token_name: String,
    /// Managed Apple ID of the Apple Business Manager account.
    pub apple_identifier: String,
    /// Days from start until the token expires.
    pub expires_in_days: f64,
    /// `lastSyncErrorCode` (0: none; 3: terms and conditions not accepted).
    pub last_sync_error_code: i64,
    /// Hours before start of the last triggered sync (`None`: never).
    pub last_sync_triggered_hours_ago: Option<f64>,
    /// Number of imported devices generated on the fly by index.
    pub device_count: usize,
    /// Enrollment profiles.
    pub profiles: Vec<ProfileSeed>,
}

impl Default for DepTokenSeed {
    fn default() -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            token_name: "ABM".into(),
            apple_identifier: "abm@contoso.example".into(),
            expires_in_days: 200.0,
            last_sync_error_code: 0,
            last_sync_triggered_hours_ago: Some(6.0),
            device_count: 0,
            profiles: Vec::new(),
        }
    }
}

/// One VPP (Apps and Books) location token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VppTokenSeed {
    /// Id (guid).
    pub id: String,
    /// Organization name.
    pub organization_name: String,
    /// Location name.
    pub location_name: String,
    /// Display name.
    pub display_name: String,
    /// Days from start until expiry.
    pub expires_in_days: f64,
    /// `state`: valid, expired, invalid, assignedToExternalMDM, duplicateLocationId.
    pub state: String,
    /// Country or region.
    pub country_or_region: String,
}

impl Default for VppTokenSeed {
    fn default() -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            organization_name: "Contoso".into(),
            location_name: "Main".into(),
            display_name: "Main".into(),
            expires_in_days: 200.0,
            state: "valid".into(),
            country_or_region: "us".into(),
        }
    }
}

/// One VPP app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppSeed {
    /// Id (guid).
    pub id: String,
    /// `ios` (`iosVppApp`) or `macOS` (`macOsVppApp`).
    pub platform: String,
    /// Display name.
    pub display_name: String,
    /// Bundle id.
    pub bundle_id: String,
    /// Id of the VPP token the app is licensed through.
    pub vpp_token_id: String,
    /// Group ids the app is assigned to (intent `required`).
    pub assigned_groups: Vec<String>,
    /// Licenses in use.
    pub used_license_count: i64,
    /// Licenses owned.
    pub total_license_count: i64,
}

impl Default for AppSeed {
    fn default() -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            platform: "ios".into(),
            display_name: "App".into(),
            bundle_id: "com.example.app".into(),
            vpp_token_id: String::new(),
            assigned_groups: Vec::new(),
            used_license_count: 0,
            total_license_count: 10,
        }
    }
}

/// Everything a simulated tenant starts with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Seed {
    /// Tenant id.
    pub tenant_id: String,
    /// Push certificate (`None`: not configured, GET answers 404).
    pub push_certificate: Option<PushCertificateSeed>,
    /// Enrollment program tokens.
    pub dep_tokens: Vec<DepTokenSeed>,
    /// VPP tokens.
    pub vpp_tokens: Vec<VppTokenSeed>,
    /// VPP apps.
    pub apps: Vec<AppSeed>,
    /// Group ids that exist in the tenant.
    pub groups: Vec<String>,
    /// Items per page of every collection (`$top` may ask for fewer).
    pub page_size: usize,
    /// Lifetime of issued access tokens, in seconds of the logical clock.
    pub token_lifetime_secs: i64,
    /// Whether Intune's per-tenant throttle (200 writes / 2,000 requests per 20 s) applies.
    pub throttle: bool,
    /// Whether Intune's per-application throttle (100 writes / 1,000 requests per 20 s for each
    /// application of the tenant) applies.
    pub app_throttle: bool,
    /// How long a sync with Apple runs once triggered, in seconds of the logical clock (0: it
    /// ends at once). While it runs, another sync of the same token answers 409.
    pub dep_sync_duration_secs: i64,
    /// The id of the `depOnboardingSettings` entry under which Intune keeps the Apple
    /// Configurator enrollment profiles (the tenant's Intune account id): real tenants list it
    /// among the enrollment program tokens although it holds no token (`tokenType` `none`, no
    /// expiry, no Apple ID). `None`: not listed.
    pub apple_configurator_key: Option<String>,
    /// The delay of every answer (default none); see [`Latency`](crate::Latency).
    pub latency: crate::Latency,
    /// The limits of the throttles when they are on (default Intune's, per 20 s of the logical
    /// clock); see [`ThrottleLimits`](crate::ThrottleLimits).
    pub throttle_limits: crate::ThrottleLimits,
}

impl Default for Seed {
    fn default() -> Self {
        Self::empty()
    }
}

/// Id of the demo tenant.
pub const DEMO_TENANT_ID: &str = "8f2c1e4a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";

impl Seed {
    /// A tenant with nothing in it (no push certificate, no tokens, no apps).
    #[must_use]
    pub fn empty() -> Self {
        Self {
            tenant_id: DEMO_TENANT_ID.into(),
            push_certificate: None,
            dep_tokens: Vec::new(),
            vpp_tokens: Vec::new(),
            apps: Vec::new(),
            groups: Vec::new(),
            page_size: 100,
            token_lifetime_secs: 3599,
            throttle: false,
            app_throttle: false,
            dep_sync_duration_secs: 0,
            apple_configurator_key: None,
            latency: crate::Latency::none(),
            throttle_limits: crate::ThrottleLimits::intune(),
        }
    }

    /// The demo story, documented in `docs/simulator.md`.
    #[must_use]
    pub fn demo() -> Self {
        let group_all = "0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70".to_string();
        let group_sales = "1c9a5d2b-7b4f-4e3c-8d2a-3f4e5d6c7b81".to_string();
        let vpp_main = "a1111111-0000-4000-8000-000000000001".to_string();
        let vpp_school = "a2222222-0000-4000-8000-000000000002".to_string();
        let vpp_old = "a3333333-0000-4000-8000-000000000003".to_string();
        let vpp_renewed = "a4444444-0000-4000-8000-000000000004".to_string();
        let dep_main = "d1111111-0000-4000-8000-000000000001".to_string();
        let dep_terms = "d2222222-0000-4000-8000-000000000002".to_string();
        let app = |id: &str, name: &str, bundle: &str, token: &str, groups: &[&String]| AppSeed {
            id: id.into(),
            platform: "ios".into(),
            display_name: name.into(),
            bundle_id: bundle.into(),
            vpp_token_id: token.into(),
            assigned_groups: groups.iter().map(|g| (*g).clone()).collect(),
            used_license_count: 3,
            total_license_count: 50,
        };
        Self {
            push_certificate: Some(PushCertificateSeed {
                expires_in_days: 20.0,
                ..PushCertificateSeed::default()
            }),
            dep_tokens: vec![
                DepTokenSeed {
                    id: dep_main.clone(),
                    token_name: "Contoso ABM".into(),
                    expires_in_days: 240.0,
                    device_count: 250,
                    profiles: vec![
                        ProfileSeed {
                            guid: "e1111111-0000-4000-8000-000000000001".into(),
                            display_name: "Corporate iPhone".into(),
                            platform: "ios".into(),
                            is_default: true,
                            ..ProfileSeed::default()
                        },
                        ProfileSeed {
                            guid: "e2222222-0000-4000-8000-000000000002".into(),
                            display_name: "Corporate Mac".into(),
                            platform: "macOS".into(),
                            is_default: true,
                            ..ProfileSeed::default()
                        },
                    ],
                    ..DepTokenSeed::default()
                },
                DepTokenSeed {
                    id: dep_terms,
                    token_name: "Contoso Retail ABM".into(),
                    apple_identifier: "abm-retail@contoso.example".into(),
                    expires_in_days: 90.0,
                    last_sync_error_code: 3,
                    last_sync_triggered_hours_ago: Some(30.0),
                    device_count: 12,
                    profiles: vec![
                        // Installs the Company Portal through the Training Center token, whose
                        // Company Portal licences are nearly used up.
                        ProfileSeed {
                            guid: "e3333333-0000-4000-8000-000000000003".into(),
                            display_name: "Retail iPad".into(),
                            platform: "ios".into(),
                            is_default: false,
                            company_portal_vpp_token_id: Some(vpp_school.clone()),
                            settings_catalog: false,
                            ..ProfileSeed::default()
                        },
                        // Installs it through the expired Warehouse token.
                        ProfileSeed {
                            guid: "e4444444-0000-4000-8000-000000000004".into(),
                            display_name: "Retail kiosk iPad".into(),
                            platform: "ios".into(),
                            is_default: false,
                            company_portal_vpp_token_id: Some(vpp_old.clone()),
                            settings_catalog: false,
                            ..ProfileSeed::default()
                        },
                    ],
                },
            ],
            vpp_tokens: vec![
                VppTokenSeed {
                    id: vpp_main.clone(),
                    location_name: "Headquarters".into(),
                    display_name: "Headquarters".into(),
                    expires_in_days: 180.0,
                    ..VppTokenSeed::default()
                },
                VppTokenSeed {
                    id: vpp_school.clone(),
                    location_name: "Training Center".into(),
                    display_name: "Training Center".into(),
                    expires_in_days: 45.0,
                    ..VppTokenSeed::default()
                },
                VppTokenSeed {
                    id: vpp_old.clone(),
                    location_name: "Warehouse".into(),
                    display_name: "Warehouse".into(),
                    expires_in_days: -10.0,
                    state: "expired".into(),
                    ..VppTokenSeed::default()
                },
                VppTokenSeed {
                    id: vpp_renewed.clone(),
                    location_name: "Warehouse".into(),
                    display_name: "Warehouse (renewed)".into(),
                    expires_in_days: 355.0,
                    state: "duplicateLocationId".into(),
                    ..VppTokenSeed::default()
                },
            ],
            apps: vec![
                app(
                    "b1111111-0000-4000-8000-000000000001",
                    "Microsoft Outlook",
                    "com.microsoft.Office.Outlook",
                    &vpp_main,
                    &[&group_all],
                ),
                app(
                    "b2222222-0000-4000-8000-000000000002",
                    "Microsoft Teams",
                    "com.microsoft.skype.teams",
                    &vpp_school,
                    &[&group_sales],
                ),
                app(
                    "b3333333-0000-4000-8000-000000000003",
                    "Scanner Pro",
                    "com.readdle.Scanner",
                    &vpp_old,
                    &[&group_all],
                ),
                app(
                    "b4444444-0000-4000-8000-000000000004",
                    "Scanner Pro",
                    "com.readdle.Scanner",
                    &vpp_renewed,
                    &[],
                ),
                // The Company Portal of the Training Center: 48 of 50 licences used.
                AppSeed {
                    used_license_count: 48,
                    ..app(
                        "b6666666-0000-4000-8000-000000000006",
                        "Intune Company Portal",
                        "com.microsoft.CompanyPortal",
                        &vpp_school,
                        &[],
                    )
                },
            ],
            groups: vec![group_all, group_sales],
            ..Self::empty()
        }
    }

    /// A tenant with one enrollment program token holding `n` generated devices (and, for
    /// `token_index > 0`, that many empty tokens before it).
    #[must_use]
    pub fn with_devices(token_index: usize, n: usize) -> Self {
        let mut seed = Self::empty();
        for i in 0..=token_index {
            seed.dep_tokens.push(DepTokenSeed {
                id: format!("d0000000-0000-4000-8000-{i:012}"),
                token_name: format!("ABM {i}"),
                device_count: if i == token_index { n } else { 0 },
                ..DepTokenSeed::default()
            });
        }
        seed
    }

    /// Gives the first enrollment program token `n` generated devices (adding a token when the
    /// seed has none), e.g. to benchmark paging over the demo tenant with 1M devices. Generated
    /// devices are produced from their index when a page is served: they cost no memory.
    #[must_use]
    pub fn with_device_count(mut self, n: usize) -> Self {
        if self.dep_tokens.is_empty() {
            self.dep_tokens.push(DepTokenSeed {
                id: "d0000000-0000-4000-8000-000000000000".into(),
                token_name: "ABM 0".into(),
                ..DepTokenSeed::default()
            });
        }
        self.dep_tokens[0].device_count = n;
        self
    }

    /// Reads a seed from JSON (camelCase field names; absent fields take their defaults).
    ///
    /// # Errors
    /// [`SimError::Seed`] when the JSON does not describe a seed.
    pub fn from_json(json: &str) -> Result<Self, SimError> {
        serde_json::from_str(json).map_err(|e| SimError::Seed(e.to_string()))
    }
}
