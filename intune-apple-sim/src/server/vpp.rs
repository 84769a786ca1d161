//! VPP tokens (`deviceAppManagement/vppTokens`): upload, renewal, licence sync and the licence
//! summaries per app; the expiring-token count and Apple VPP data sharing consent.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::paging::{collection, percent_decode};
use super::{ts, Answer, Call, Tenant, GRAPH};
use crate::seed::VppTokenSeed;
use crate::time::{add, days};

pub(super) struct VppToken {
    pub(super) id: String,
    pub(super) organization_name: String,
    pub(super) location_name: String,
    pub(super) display_name: String,
    pub(super) expires: DateTime<Utc>,
    pub(super) state: String,
    pub(super) country: String,
    pub(super) last_sync: DateTime<Utc>,
    pub(super) modified: DateTime<Utc>,
}

impl VppToken {
    /// The token of the seed, on the simulator's clock at `now`.
    pub(super) fn seeded(v: &VppTokenSeed, now: DateTime<Utc>) -> Self {
        Self {
            id: v.id.clone(),
            organization_name: v.organization_name.clone(),
            location_name: v.location_name.clone(),
            display_name: v.display_name.clone(),
            expires: add(now, days(v.expires_in_days)),
            state: v.state.clone(),
            country: v.country_or_region.clone(),
            last_sync: now - Duration::hours(12),
            modified: now - Duration::days(10),
        }
    }
}

/// `deviceAppManagement/vppTokens` and what hangs off it, the expiring-token count and data
/// sharing consent.
pub(super) fn routes(t: &mut Tenant, c: &Call<'_>) -> Option<Answer> {
    let (method, version, beta, now, q, base, body_json, rest) = (
        c.method, c.version, c.beta, c.now, &c.q, &c.base, &c.body, c.rest,
    );
    Some(match rest {
        ["deviceAppManagement", "vppTokens"] => match *method {
            Method::GET => {
                let items: Vec<Value> = t.vpp.iter().map(|v| vpp_json(v, beta)).collect();
                collection(
                    t.page_size,
                    base,
                    "deviceAppManagement/vppTokens",
                    version,
                    "vppTokens",
                    q,
                    items.len(),
                    |i| items[i].clone(),
                )
            }
            Method::POST => vpp_create(t, body_json, beta),
            _ => Answer::not_found(now),
        },
        ["deviceAppManagement", "vppTokens", "syncLicenseCounts"]
            if beta && *method == Method::POST =>
        {
            for v in &mut t.vpp {
                v.last_sync = now;
            }
            Answer::no_content()
        }
        ["deviceManagement", "depOnboardingSettings", func]
            if beta && func.starts_with("getExpiringVppTokenCount(") && *method == Method::GET =>
        {
            let decoded = percent_decode(func);
            let at = decoded
                .trim_start_matches("getExpiringVppTokenCount(expiringBeforeDateTime=")
                .trim_end_matches(')')
                .trim_matches('\'');
            match DateTime::parse_from_rfc3339(at) {
                Ok(at) => {
                    let n = t.vpp.iter().filter(|v| v.expires < at).count();
                    Answer::ok(json!({
                        "@odata.context": format!("{GRAPH}/beta/$metadata#Edm.Int32"),
                        "value": n
                    }))
                }
                Err(_) => {
                    Answer::bad_request("expiringBeforeDateTime must be an ISO 8601 time", now)
                }
            }
        }
        ["deviceAppManagement", "vppTokens", id] if !id.starts_with("getLicensesForApp(") => {
            vpp_one(t, method, id, body_json, version)
        }
        ["deviceAppManagement", "vppTokens", id, "revokeLicenses"] if *method == Method::POST => {
            if t.vpp.iter().any(|v| v.id == *id) {
                Answer::no_content()
            } else {
                Answer::not_found(now)
            }
        }
        ["deviceAppManagement", "vppTokens", func]
            if func.starts_with("getLicensesForApp(") && *method == Method::GET =>
        {
            // Clients send the quotes as `'` or percent-encoded as `%27`: decode first.
            let decoded = percent_decode(func);
            let bundle = decoded
                .trim_start_matches("getLicensesForApp(bundleId=")
                .trim_end_matches(')')
                .trim_matches('\'');
            let items: Vec<Value> = t.apps.iter().filter(|a| a.bundle_id == bundle).map(|a| {
                let v = t.vpp.iter().find(|v| v.id == a.vpp_token_id);
                json!({"@odata.type": "microsoft.graph.vppTokenLicenseSummary",
                    "vppTokenId": a.vpp_token_id,
                    "appleId": v.map(|v| format!("vpp@{}.example", v.organization_name.to_lowercase())),
                    "organizationName": v.map(|v| v.organization_name.clone()),
                    "availableLicenseCount": a.total - a.used,
                    "usedLicenseCount": a.used})
            }).collect();
            Answer::ok(
                json!({"@odata.context": format!("{GRAPH}/{version}/$metadata#Collection(microsoft.graph.vppTokenLicenseSummary)"), "value": items}),
            )
        }
        ["deviceManagement", "dataSharingConsents", ..] if beta => {
            let id = rest.get(2).copied().unwrap_or("appleVPP");
            let consent = |granted: bool| {
                json!({"@odata.context": format!("{GRAPH}/beta/$metadata#deviceManagement/dataSharingConsents/$entity"),
                "id": id, "serviceDisplayName": "Apple VPP", "termsUrl": "https://go.microsoft.com/fwlink/?linkid=2000000",
                "granted": granted, "grantDateTime": ts(now - Duration::days(100)), "grantedByUpn": "admin@contoso.example", "grantedByUserId": "00000000-0000-4000-8000-000000000000"})
            };
            match (method.as_str(), &rest[2..]) {
                ("GET", []) => {
                    let mut c = consent(true);
                    if let Some(m) = c.as_object_mut() {
                        m.remove("@odata.context");
                    }
                    Answer::ok(
                        json!({"@odata.context": format!("{GRAPH}/beta/$metadata#deviceManagement/dataSharingConsents"), "value": [c]}),
                    )
                }
                ("GET", [_]) => Answer::ok(consent(true)),
                ("POST", [_, "consentToDataSharing"]) => {
                    Answer::written(StatusCode::OK, consent(true))
                }
                _ => Answer::not_found(now),
            }
        }
        ["deviceAppManagement", "vppTokens", id, "syncLicenses"] if *method == Method::POST => {
            match t.vpp.iter_mut().find(|v| v.id == *id) {
                Some(v) => {
                    v.last_sync = now;
                    let mut j = vpp_json(v, beta);
                    j["@odata.context"] = json!(format!(
                        "{GRAPH}/{version}/$metadata#deviceAppManagement/vppTokens/$entity"
                    ));
                    Answer::written(StatusCode::OK, j)
                }
                None => Answer::not_found(now),
            }
        }
        _ => return None,
    })
}

pub(super) fn vpp_json(v: &VppToken, beta: bool) -> Value {
    let mut j = json!({
        "id": v.id,
        "organizationName": v.organization_name,
        "vppTokenAccountType": "business",
        "appleId": format!("vpp@{}.example", v.organization_name.to_lowercase()),
        "expirationDateTime": ts(v.expires),
        "lastSyncDateTime": ts(v.last_sync),
        "token": null,
        "lastModifiedDateTime": ts(v.modified),
        "state": v.state,
        "lastSyncStatus": "completed",
        "automaticallyUpdateApps": true,
        "countryOrRegion": v.country
    });
    if beta {
        j["tokenActionResults"] = json!([]);
        j["dataSharingConsentGranted"] = json!(true);
        j["displayName"] = json!(v.display_name);
        j["locationName"] = json!(v.location_name);
        j["claimTokenManagementFromExternalMdm"] = json!(false);
        j["roleScopeTagIds"] = json!(["0"]);
        // Not nullable in the metadata.
        j["appleDeviceAppDeliveryProtocolType"] = json!("mobileDeviceManagement");
    }
    j
}

/// Expiry read from a `.vpptoken` (base64 of JSON with `expDate`).
fn vpp_file_expiry(token: &str) -> Option<DateTime<Utc>> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    let exp = v.get("expDate")?.as_str()?;
    DateTime::parse_from_str(exp, "%Y-%m-%dT%H:%M:%S%z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A text field of a `.vpptoken` (base64 of a JSON object), when the file decodes.
fn vpp_file_field(token: &str, field: &str) -> Option<String> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    v.get(field)?.as_str().map(str::to_string)
}

fn vpp_create(t: &mut Tenant, body: &Value, beta: bool) -> Answer {
    let now = t.now;
    let Some(token) = body.get("token").and_then(Value::as_str) else {
        return Answer::bad_request("token is required", now);
    };
    // The organisation comes from the file (`orgName`), as Intune reads it from Apple.
    let organization_name = vpp_file_field(token, "orgName").unwrap_or_else(|| "Contoso".into());
    let v = VppToken {
        id: uuid::Uuid::new_v4().to_string(),
        organization_name,
        location_name: "New location".into(),
        display_name: body
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or("New location")
            .into(),
        expires: vpp_file_expiry(token).unwrap_or(now + Duration::days(365)),
        state: "valid".into(),
        country: "us".into(),
        last_sync: now,
        modified: now,
    };
    let j = vpp_json(&v, beta);
    t.vpp.push(v);
    Answer::written(StatusCode::CREATED, j)
}

fn vpp_one(t: &mut Tenant, method: &Method, id: &str, body: &Value, version: &str) -> Answer {
    let now = t.now;
    let beta = version == "beta";
    let Some(idx) = t.vpp.iter().position(|v| v.id == id) else {
        return Answer::not_found(now);
    };
    match *method {
        Method::GET => {
            let mut j = vpp_json(&t.vpp[idx], beta);
            j["@odata.context"] = json!(format!(
                "{GRAPH}/{version}/$metadata#deviceAppManagement/vppTokens/$entity"
            ));
            Answer::ok(j)
        }
        Method::PATCH => {
            let v = &mut t.vpp[idx];
            if let Some(token) = body.get("token").and_then(Value::as_str) {
                v.expires = vpp_file_expiry(token).unwrap_or(now + Duration::days(365));
                v.state = "valid".into();
            }
            if let Some(name) = body.get("displayName").and_then(Value::as_str) {
                v.display_name = name.into();
            }
            v.modified = now;
            Answer::written(StatusCode::OK, vpp_json(v, beta))
        }
        Method::DELETE => {
            t.vpp.remove(idx);
            Answer::no_content()
        }
        _ => Answer::not_found(now),
    }
}
