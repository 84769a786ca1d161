//! Enrollment profiles of an enrollment program token
//! (`depOnboardingSettings/{id}/enrollmentProfiles`, the default profiles per platform) and the
//! settings-catalog enrollment policies (`deviceManagement/configurationPolicies`).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::devices::generated_index;
use super::enrollment_program::DepToken;
use super::paging::collection;
use super::{ts, Answer, Call, Tenant, GRAPH};
use crate::seed::{DepTokenSeed, ProfileSeed};

pub(super) struct Profile {
    pub(super) id: String,
    pub(super) display_name: String,
    pub(super) platform: String,
    pub(super) is_default: bool,
    /// Settings written by create or update, served over the defaults of the platform.
    pub(super) settings: Map<String, Value>,
    /// A settings-catalog policy's top-level setting instances (empty for a classic profile).
    pub(super) policy_settings: Vec<Value>,
}

impl Profile {
    /// Profile `p` of the seeded token `d`.
    pub(super) fn seeded(d: &DepTokenSeed, p: &ProfileSeed) -> Self {
        Self {
            id: if p.settings_catalog {
                format!("ECV2_{}_{}", d.id, p.guid)
            } else {
                format!("{}_{}", d.id, p.guid)
            },
            display_name: p.display_name.clone(),
            platform: p.platform.clone(),
            is_default: p.is_default,
            settings: crate::seed::profile_settings(p),
            policy_settings: match (&p.policy_settings, p.settings_catalog) {
                (Some(s), true) => s.clone(),
                (None, true) => crate::policy_settings::default_instances(&p.platform),
                (_, false) => Vec::new(),
            },
        }
    }
}

/// `deviceManagement/configurationPolicies` (beta): the settings-catalog enrollment policies,
/// the `ECV2_{token}_{policy}` profiles.
pub(super) fn routes(t: &mut Tenant, c: &Call<'_>) -> Option<Answer> {
    let (q, base) = (&c.q, c.base.as_str());
    Some(match c.rest {
        ["deviceManagement", "configurationPolicies"] if c.beta && *c.method == Method::GET => {
            // The settings-catalog enrollment policies (`ECV2_{token}_{policy}` profiles).
            let filter = q.get("$filter").cloned().unwrap_or_default();
            let items: Vec<Value> = t
                .dep
                .iter()
                .flat_map(|d| d.profiles.iter().map(move |p| (d, p)))
                .filter_map(|(d, p)| {
                    let policy = p.id.strip_prefix(&format!("ECV2_{}_", d.id))?;
                    let source = format!("DepTokenId_{}", d.id);
                    (filter.is_empty() || filter.contains(&source)).then(|| {
                        let template = if p.platform == "macOS" {
                            crate::policy_settings::MACOS_TEMPLATE
                        } else {
                            crate::policy_settings::IOS_TEMPLATE
                        };
                        json!({
                            "id": policy,
                            "name": p.display_name,
                            "description": "",
                            "platforms": if p.platform == "macOS" { "macOS" } else { "iOS" },
                            "technologies": "enrollment",
                            "creationSource": source,
                            "settingCount": p.policy_settings.len(),
                            "isAssigned": true,
                            "roleScopeTagIds": ["0"],
                            "createdDateTime": ts(d.modified),
                            "lastModifiedDateTime": ts(d.modified),
                            "templateReference": {"templateId": template,
                                "templateFamily": "enrollmentConfiguration",
                                "templateDisplayName": null, "templateDisplayVersion": null}
                        })
                    })
                })
                .collect();
            collection(
                t.page_size,
                base,
                "deviceManagement/configurationPolicies",
                c.version,
                "deviceManagement/configurationPolicies",
                q,
                items.len(),
                |i| items[i].clone(),
            )
        }
        ["deviceManagement", "configurationPolicies", policy, "settings"]
            if c.beta && *c.method == Method::GET =>
        {
            let Some(p) = t.dep.iter().find_map(|d| {
                d.profiles
                    .iter()
                    .find(|p| p.id.strip_prefix(&format!("ECV2_{}_", d.id)) == Some(*policy))
            }) else {
                return Some(Answer::not_found(c.now));
            };
            let items = crate::policy_settings::settings(&p.policy_settings);
            let path = format!("deviceManagement/configurationPolicies/{policy}/settings");
            collection(
                t.page_size,
                base,
                &path,
                c.version,
                &format!("deviceManagement/configurationPolicies('{policy}')/settings"),
                q,
                items.len(),
                |i| items[i].clone(),
            )
        }
        _ => return None,
    })
}

/// The enrollment profiles of token `d` (`tail` is the path after the token's id).
pub(super) fn token_routes(
    d: &mut DepToken,
    c: &Call<'_>,
    tail: &[&str],
    page_size: usize,
) -> Option<Answer> {
    let (method, q, body, base, now) = (c.method, &c.q, &c.body, c.base.as_str(), c.now);
    let ctx = |s: &str| format!("{GRAPH}/beta/$metadata#{s}");
    Some(match (method.as_str(), tail) {
        ("GET", [nav @ ("defaultIosEnrollmentProfile" | "defaultMacOsEnrollmentProfile")]) => {
            let platform = if *nav == "defaultIosEnrollmentProfile" {
                "ios"
            } else {
                "macOS"
            };
            match d
                .profiles
                .iter()
                .find(|p| p.is_default && p.platform == platform)
            {
                Some(p) => {
                    let mut j = profile_json(p);
                    j["@odata.context"] = json!(ctx(
                        "deviceManagement/depOnboardingSettings('id')/enrollmentProfiles/$entity"
                    ));
                    Answer::ok(j)
                }
                None => Answer::not_found(now),
            }
        }
        ("POST", ["enrollmentProfiles"]) => {
            let ty = body
                .get("@odata.type")
                .and_then(Value::as_str)
                .unwrap_or("");
            // The collection's declared type is abstract: Graph needs the derived one.
            let short = ty
                .trim_start_matches('#')
                .trim_start_matches("microsoft.graph.");
            if !short.eq_ignore_ascii_case("depIOSEnrollmentProfile")
                && !short.eq_ignore_ascii_case("depMacOSEnrollmentProfile")
            {
                return Some(Answer::bad_request(
                    "{\"_version\": 3, \"Message\": \"@odata.type must name the profile type: #microsoft.graph.depIOSEnrollmentProfile or #microsoft.graph.depMacOSEnrollmentProfile\", \"RetryAfter\": null}",
                    now,
                ));
            }
            let p = Profile {
                id: format!("{}_{}", d.id, uuid::Uuid::new_v4()),
                display_name: body
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .into(),
                platform: if ty.contains("MacOS") {
                    "macOS".into()
                } else {
                    "ios".into()
                },
                is_default: false,
                settings: writable_settings(body),
                policy_settings: Vec::new(),
            };
            let j = profile_json(&p);
            d.profiles.push(p);
            Answer::written(StatusCode::CREATED, j)
        }
        (m, ["enrollmentProfiles", pid, ptail @ ..]) => {
            let Some(pi) = d.profiles.iter().position(|p| p.id == *pid) else {
                return Some(Answer::not_found(now));
            };
            match (m, ptail) {
                ("GET", []) => {
                    let mut j = profile_json(&d.profiles[pi]);
                    j["@odata.context"] = json!(ctx(
                        "deviceManagement/depOnboardingSettings('id')/enrollmentProfiles/$entity"
                    ));
                    Answer::ok(j)
                }
                ("PATCH", []) => {
                    let current = profile_json(&d.profiles[pi]);
                    if let Some(refusal) = crate::profile_rules::patch_refusal(&current, body) {
                        return Some(Answer::bad_request(&refusal, now));
                    }
                    if let Some(n) = body.get("displayName").and_then(Value::as_str) {
                        d.profiles[pi].display_name = n.into();
                    }
                    d.profiles[pi].settings.extend(writable_settings(body));
                    Answer::written(StatusCode::OK, profile_json(&d.profiles[pi]))
                }
                ("DELETE", []) => {
                    d.profiles.remove(pi);
                    Answer::no_content()
                }
                ("POST", ["setDefaultProfile"]) => {
                    let platform = d.profiles[pi].platform.clone();
                    for (k, p) in d.profiles.iter_mut().enumerate() {
                        if p.platform == platform {
                            p.is_default = k == pi;
                        }
                    }
                    Answer::no_content()
                }
                ("GET", ["exportMobileConfig"]) => Answer::ok(json!({
                    "@odata.context": ctx("Edm.String"),
                    "value": format!("<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>PayloadDisplayName</key><string>{}</string></dict></plist>", d.profiles[pi].display_name)
                })),
                ("POST", ["updateDeviceProfileAssignment"]) => {
                    let full = d.profiles[pi].id.clone();
                    let serials: Vec<String> = body
                        .get("deviceIds")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    let full: Arc<str> = Arc::from(full);
                    for sn in serials {
                        if let Some(i) = generated_index(d, &sn) {
                            d.assigned.insert(i, (full.clone(), now));
                        } else if let Some(x) = d
                            .imported
                            .iter_mut()
                            .find(|x| x["serialNumber"] == sn.as_str())
                        {
                            x["requestedEnrollmentProfileId"] = json!(&*full);
                            x["requestedEnrollmentProfileAssignmentDateTime"] = json!(ts(now));
                        }
                    }
                    Answer::no_content()
                }
                _ => Answer::not_found(now),
            }
        }
        ("GET", ["enrollmentProfiles"]) => {
            let items: Vec<Value> = d.profiles.iter().map(profile_json).collect();
            let rel = format!(
                "deviceManagement/depOnboardingSettings/{}/enrollmentProfiles",
                d.id
            );
            collection(
                page_size,
                base,
                &rel,
                "beta",
                "deviceManagement/depOnboardingSettings('id')/enrollmentProfiles",
                q,
                items.len(),
                |i| items[i].clone(),
            )
        }
        _ => return None,
    })
}

/// The settings a create or update request may write (everything but the identity).
fn writable_settings(body: &Value) -> Map<String, Value> {
    body.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.starts_with('@') && !matches!(k.as_str(), "id" | "isDefault"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Setup assistant panes hidden by a profile: `false` means the pane is shown.
const IOS_PANES: &[&str] = &[
    "appleIdDisabled",
    "applePayDisabled",
    "diagnosticsDisabled",
    "displayToneSetupDisabled",
    "locationDisabled",
    "passCodeDisabled",
    "privacyPaneDisabled",
    "restoreBlocked",
    "screenTimeScreenDisabled",
    "siriDisabled",
    "termsAndConditionsDisabled",
    "touchIdDisabled",
    "zoomDisabled",
    "profileRemovalDisabled",
    "appearanceScreenDisabled",
    "deviceToDeviceMigrationDisabled",
    "expressLanguageScreenDisabled",
    "homeButtonScreenDisabled",
    "iMessageAndFaceTimeScreenDisabled",
    "onBoardingScreenDisabled",
    "preferredLanguageScreenDisabled",
    "restoreCompletedScreenDisabled",
    "restoreFromAndroidDisabled",
    "simSetupScreenDisabled",
    "softwareUpdateScreenDisabled",
    "updateCompleteScreenDisabled",
    "watchMigrationScreenDisabled",
    "welcomeScreenDisabled",
];

/// The macOS setup assistant panes.
const MACOS_PANES: &[&str] = &[
    "appleIdDisabled",
    "applePayDisabled",
    "diagnosticsDisabled",
    "displayToneSetupDisabled",
    "locationDisabled",
    "passCodeDisabled",
    "privacyPaneDisabled",
    "restoreBlocked",
    "screenTimeScreenDisabled",
    "siriDisabled",
    "termsAndConditionsDisabled",
    "touchIdDisabled",
    "zoomDisabled",
    "profileRemovalDisabled",
    "accessibilityScreenDisabled",
    "chooseYourLockScreenDisabled",
    "fileVaultDisabled",
    "iCloudDiagnosticsDisabled",
    "iCloudStorageDisabled",
    "registrationDisabled",
];

/// The properties of `enrollmentProfile`, the base of the tvOS and visionOS profiles.
const ENROLLMENT_PROFILE_PROPERTIES: &[&str] = &[
    "@odata.type",
    "id",
    "configurationEndpointUrl",
    "description",
    "displayName",
    "enableAuthenticationViaCompanyPortal",
    "requireCompanyPortalOnSetupAssistantEnrolledDevices",
    "requiresUserAuthentication",
];

pub(super) fn profile_json(p: &Profile) -> Value {
    let base_type = match p.platform.as_str() {
        "tvOS" => Some("#microsoft.graph.depTvOSEnrollmentProfile"),
        "visionOS" => Some("#microsoft.graph.depVisionOSEnrollmentProfile"),
        _ => None,
    };
    if let Some(ty) = base_type {
        let mut j = ios_or_mac_profile_json(p);
        if let Some(map) = j.as_object_mut() {
            map.retain(|k, _| ENROLLMENT_PROFILE_PROPERTIES.contains(&k.as_str()));
            map.insert("@odata.type".into(), json!(ty));
        }
        return j;
    }
    ios_or_mac_profile_json(p)
}

fn ios_or_mac_profile_json(p: &Profile) -> Value {
    let mac = p.platform == "macOS";
    let ty = if mac {
        "#microsoft.graph.depMacOSEnrollmentProfile"
    } else {
        "#microsoft.graph.depIOSEnrollmentProfile"
    };
    let mut j = json!({
        "@odata.type": ty,
        "id": p.id,
        "displayName": p.display_name,
        "description": "",
        "requiresUserAuthentication": true,
        "configurationEndpointUrl": "https://appleconfigurator2.manage.microsoft.com/MDMServiceConfig?id=sim",
        "enableAuthenticationViaCompanyPortal": false,
        "requireCompanyPortalOnSetupAssistantEnrolledDevices": false,
        "isDefault": p.is_default,
        "supervisedModeEnabled": true,
        "supportDepartment": "IT",
        "supportPhoneNumber": "+1 555 0100",
        "isMandatory": true,
        "deviceNameTemplate": "",
        "configurationWebUrl": false
    });
    for pane in if mac { MACOS_PANES } else { IOS_PANES } {
        j[*pane] = json!(false);
    }
    // Every other property the metadata declares for the profile's type, at Intune's defaults.
    for (k, v) in [
        ("enabledSkipKeys", json!([])),
        ("enrollmentTimeAzureAdGroupIds", json!([])),
        ("waitForDeviceConfiguredConfirmation", json!(!mac)),
    ] {
        j[k] = v;
    }
    if mac {
        for (k, v) in [
            ("adminAccountFullName", Value::Null),
            ("adminAccountPassword", Value::Null),
            ("adminAccountUserName", Value::Null),
            ("autoAdvanceSetupEnabled", json!(false)),
            ("autoUnlockWithWatchDisabled", json!(false)),
            ("depProfileAdminAccountPasswordRotationSetting", Value::Null),
            ("dontAutoPopulatePrimaryAccountInfo", json!(false)),
            ("enableRestrictEditing", json!(false)),
            ("hideAdminAccount", json!(false)),
            ("primaryAccountFullName", Value::Null),
            ("primaryAccountUserName", Value::Null),
            ("requestRequiresNetworkTether", json!(false)),
            ("setPrimarySetupAccountAsRegularUser", json!(false)),
            ("skipPrimarySetupAccountCreation", json!(false)),
            ("usePlatformSSODuringSetupAssistant", json!(false)),
        ] {
            j[k] = v;
        }
    } else {
        j["userlessSharedAadModeEnabled"] = json!(false);
    }
    if !mac {
        for (k, v) in [
            ("awaitDeviceConfiguredConfirmation", json!(true)),
            ("carrierActivationUrl", Value::Null),
            ("companyPortalVppTokenId", Value::Null),
            ("enableSharedIPad", json!(false)),
            ("enableSingleAppEnrollmentMode", json!(false)),
            ("forceTemporarySession", json!(false)),
            ("iTunesPairingMode", json!("allow")),
            ("managementCertificates", json!([])),
            ("passcodeLockGracePeriodInSeconds", Value::Null),
            ("sharedIPadMaximumUserCount", json!(0)),
            ("temporarySessionTimeoutInSeconds", json!(0)),
            ("userSessionTimeoutInSeconds", json!(0)),
        ] {
            j[k] = v;
        }
    }
    for (k, v) in &p.settings {
        j[k.as_str()] = v.clone();
    }
    j
}
