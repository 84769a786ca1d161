//! VPP apps (`deviceAppManagement/mobileApps`, iOS and macOS): the list with its filters, one
//! app, its assignments and the licence revocations.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::paging::collection;
use super::{Answer, Call, Tenant, GRAPH};
use crate::seed::AppSeed;

pub(super) struct App {
    pub(super) id: String,
    pub(super) platform: String,
    pub(super) display_name: String,
    pub(super) bundle_id: String,
    pub(super) vpp_token_id: String,
    pub(super) assignments: Vec<Value>,
    pub(super) used: i64,
    pub(super) total: i64,
}

impl App {
    /// The app of the seed, assigned as required to its groups.
    pub(super) fn seeded(a: &AppSeed) -> Self {
        Self {
            id: a.id.clone(),
            platform: a.platform.clone(),
            display_name: a.display_name.clone(),
            bundle_id: a.bundle_id.clone(),
            vpp_token_id: a.vpp_token_id.clone(),
            assignments: a
                .assigned_groups
                .iter()
                .map(|g| assignment_json(&format!("{g}_0_0"), "required", g))
                .collect(),
            used: a.used_license_count,
            total: a.total_license_count,
        }
    }
}

/// `deviceAppManagement/mobileApps` and the licence revocations of an iOS VPP app (beta).
pub(super) fn routes(t: &mut Tenant, c: &Call<'_>) -> Option<Answer> {
    let now = c.now;
    Some(match c.rest {
        ["deviceAppManagement", "mobileApps", id, "microsoft.graph.iosVppApp", action]
            if c.beta
                && *c.method == Method::POST
                && matches!(
                    *action,
                    "revokeAllLicenses" | "revokeDeviceLicense" | "revokeUserLicense"
                ) =>
        {
            let needs = match *action {
                "revokeDeviceLicense" => Some("managedDeviceId"),
                "revokeUserLicense" => Some("userId"),
                _ => None,
            };
            let has_notify = c
                .body
                .get("notifyManagedDevices")
                .is_some_and(Value::is_boolean);
            match t
                .apps
                .iter_mut()
                .find(|a| a.id == *id && a.platform != "macOS")
            {
                None => Answer::not_found(now),
                Some(_) if !has_notify => {
                    Answer::bad_request("notifyManagedDevices is required", now)
                }
                Some(_)
                    if needs.is_some_and(|k| c.body.get(k).and_then(Value::as_str).is_none()) =>
                {
                    Answer::bad_request(&format!("{} is required", needs.unwrap_or_default()), now)
                }
                Some(a) => {
                    if *action == "revokeAllLicenses" {
                        a.used = 0;
                    } else {
                        a.used = (a.used - 1).max(0);
                    }
                    Answer::no_content()
                }
            }
        }
        ["deviceAppManagement", "mobileApps", rest @ ..] => app_routes(t, c, rest),
        _ => return None,
    })
}

fn assignment_json(id: &str, intent: &str, group: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.mobileAppAssignment",
        "id": id,
        "intent": intent,
        "target": {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": null,
            "deviceAndAppManagementAssignmentFilterType": "none",
            "groupId": group
        },
        "settings": {
            "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
            "useDeviceLicensing": true,
            "vpnConfigurationId": null,
            "uninstallOnDeviceRemoval": false,
            "isRemovable": true
        },
        "source": "direct",
        "sourceId": null
    })
}

fn app_json(a: &App, version: &str) -> Value {
    let ty = if a.platform == "macOS" {
        "#microsoft.graph.macOsVppApp"
    } else {
        "#microsoft.graph.iosVppApp"
    };
    let mut j = json!({
        "@odata.type": ty,
        "id": a.id,
        "displayName": a.display_name,
        "description": "",
        "publisher": "Publisher",
        "largeIcon": null,
        "createdDateTime": "2024-01-10T09:00:00.000Z",
        "lastModifiedDateTime": "2024-01-10T09:00:00.000Z",
        "isFeatured": false,
        "privacyInformationUrl": null,
        "informationUrl": null,
        "owner": "",
        "developer": "",
        "notes": "",
        "publishingState": "published",
        "usedLicenseCount": a.used,
        "totalLicenseCount": a.total,
        "releaseDateTime": null,
        "appStoreUrl": format!("https://apps.apple.com/app/{}", a.bundle_id),
        "licensingType": {"supportsUserLicensing": true, "supportsDeviceLicensing": true},
        "applicableDeviceType": {"iPad": true, "iPhoneAndIPod": true},
        "vppTokenOrganizationName": "Contoso",
        "vppTokenAccountType": "business",
        "vppTokenAppleId": "vpp@contoso.example",
        "bundleId": a.bundle_id
    });
    if version == "beta" {
        j["vppTokenId"] = json!(a.vpp_token_id);
        j["isAssigned"] = json!(!a.assignments.is_empty());
        j["roleScopeTagIds"] = json!(["0"]);
        j["dependentAppCount"] = json!(0);
        j["supersedingAppCount"] = json!(0);
        j["supersededAppCount"] = json!(0);
        j["uploadState"] = json!(1);
        j["revokeLicenseActionResults"] = json!([]);
        j["appleDeviceAppDeliveryProtocolType"] = json!("mobileDeviceManagement");
        j["vppTokenDisplayName"] = Value::Null;
    }
    j
}

/// The apps (`rest` is the path after `mobileApps`).
fn app_routes(t: &mut Tenant, c: &Call<'_>, rest: &[&str]) -> Answer {
    let (method, q, body, base, version) = (c.method, &c.q, &c.body, c.base.as_str(), c.version);
    let now = t.now;
    let ctx = |s: &str| format!("{GRAPH}/{version}/$metadata#{s}");
    match (method.as_str(), rest) {
        ("GET", []) => {
            let filter = q.get("$filter").map(String::as_str).unwrap_or("");
            let items: Vec<Value> = t
                .apps
                .iter()
                .filter(|a| {
                    filter.split(" and ").all(|clause| {
                        let clause = clause.trim();
                        if clause.is_empty() {
                            true
                        } else if let Some(ty) = clause
                            .strip_prefix("isof('microsoft.graph.")
                            .and_then(|c| c.strip_suffix("')"))
                        {
                            (ty == "iosVppApp" && a.platform != "macOS")
                                || (ty == "macOsVppApp" && a.platform == "macOS")
                        } else if let Some(v) = clause
                            .strip_prefix("vppTokenId eq '")
                            .and_then(|c| c.strip_suffix('\''))
                        {
                            a.vpp_token_id == v
                        } else if let Some(v) = clause
                            .strip_prefix("bundleId eq '")
                            .and_then(|c| c.strip_suffix('\''))
                        {
                            a.bundle_id == v
                        } else {
                            false
                        }
                    })
                })
                .map(|a| app_json(a, version))
                .collect();
            collection(
                t.page_size,
                base,
                "deviceAppManagement/mobileApps",
                version,
                "deviceAppManagement/mobileApps",
                q,
                items.len(),
                |i| items[i].clone(),
            )
        }
        (_, [id, tail @ ..]) => {
            let page_size = t.page_size;
            let Some(a) = t.apps.iter_mut().find(|a| a.id == *id) else {
                return Answer::not_found(now);
            };
            match (method.as_str(), tail) {
                ("GET", []) => {
                    let mut j = app_json(a, version);
                    j["@odata.context"] = json!(ctx("deviceAppManagement/mobileApps/$entity"));
                    Answer::ok(j)
                }
                ("GET", ["assignments"]) => {
                    let items = a.assignments.clone();
                    let rel = format!("deviceAppManagement/mobileApps/{}/assignments", a.id);
                    collection(
                        page_size,
                        base,
                        &rel,
                        version,
                        "deviceAppManagement/mobileApps('id')/assignments",
                        q,
                        items.len(),
                        |i| items[i].clone(),
                    )
                }
                ("POST", ["assign"]) => {
                    let Some(list) = body.get("mobileAppAssignments").and_then(Value::as_array)
                    else {
                        return Answer::bad_request("mobileAppAssignments is required", now);
                    };
                    // The target's declared type is abstract: each needs its derived type.
                    if list.iter().any(|x| {
                        x.pointer("/target/@odata.type")
                            .and_then(Value::as_str)
                            .is_none_or(|t| !t.ends_with("AssignmentTarget"))
                    }) {
                        return Answer::bad_request(
                            "{\"_version\": 3, \"Message\": \"Each assignment target needs its @odata.type, e.g. #microsoft.graph.groupAssignmentTarget\", \"RetryAfter\": null}",
                            now,
                        );
                    }
                    a.assignments = list
                        .iter()
                        .map(|x| {
                            let mut x = x.clone();
                            let group = x
                                .pointer("/target/groupId")
                                .and_then(Value::as_str)
                                .unwrap_or("all")
                                .to_string();
                            let intent = x
                                .get("intent")
                                .and_then(Value::as_str)
                                .unwrap_or("required")
                                .to_string();
                            x["id"] = json!(format!("{group}_{intent}_0"));
                            x
                        })
                        .collect();
                    Answer::no_content()
                }
                ("POST", ["assignments"]) => {
                    let mut x = body.clone();
                    if !x.is_object() {
                        return Answer::bad_request("an assignment object is required", now);
                    }
                    x["id"] = json!(uuid::Uuid::new_v4().to_string());
                    a.assignments.push(x.clone());
                    Answer::written(StatusCode::CREATED, x)
                }
                _ => Answer::not_found(now),
            }
        }
        _ => Answer::not_found(now),
    }
}
