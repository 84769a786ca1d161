//! Enrollment program (Automated Device Enrollment) tokens: `deviceManagement/depOnboardingSettings`
//! with their sync with Apple, renewal and encryption key. A token's enrollment profiles are in
//! [`super::enrollment_profiles`], its imported devices in [`super::devices`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::enrollment_profiles::{self, profile_json, Profile};
use super::paging::collection;
use super::{devices, opt_ts, ts, Answer, Call, Tenant, GRAPH};
use crate::seed::DepTokenSeed;
use crate::time::{add, days};

pub(super) struct DepToken {
    pub(super) id: String,
    pub(super) token_name: String,
    pub(super) apple_identifier: String,
    pub(super) expires: DateTime<Utc>,
    pub(super) error_code: i64,
    pub(super) last_sync_triggered: Option<DateTime<Utc>>,
    pub(super) last_success: Option<DateTime<Utc>>,
    /// End of the sync with Apple in progress, on the logical clock.
    pub(super) sync_until: Option<DateTime<Utc>>,
    pub(super) modified: DateTime<Utc>,
    /// Devices `0..generated` are produced on the fly from their index, never stored.
    pub(super) generated: usize,
    pub(super) deleted: BTreeSet<usize>,
    pub(super) assigned: HashMap<usize, (Arc<str>, DateTime<Utc>)>,
    pub(super) profiles: Vec<Profile>,
    pub(super) imported: Vec<Value>,
}

impl DepToken {
    /// The token of the seed, on the simulator's clock at `now`, with its profiles.
    pub(super) fn seeded(d: &DepTokenSeed, now: DateTime<Utc>) -> Self {
        Self {
            id: d.id.clone(),
            token_name: d.token_name.clone(),
            apple_identifier: d.apple_identifier.clone(),
            expires: add(now, days(d.expires_in_days)),
            error_code: d.last_sync_error_code,
            last_sync_triggered: d
                .last_sync_triggered_hours_ago
                .map(|h| add(now, days(-h / 24.0))),
            last_success: d
                .last_sync_triggered_hours_ago
                .filter(|_| d.last_sync_error_code == 0)
                .map(|h| add(now, days(-h / 24.0))),
            sync_until: None,
            modified: now - Duration::days(30),
            generated: d.device_count,
            deleted: BTreeSet::new(),
            assigned: HashMap::new(),
            imported: Vec::new(),
            profiles: d.profiles.iter().map(|p| Profile::seeded(d, p)).collect(),
        }
    }
}

/// `deviceManagement/depOnboardingSettings` (beta) and everything under a token.
pub(super) fn routes(t: &mut Tenant, c: &Call<'_>) -> Option<Answer> {
    let now = c.now;
    Some(match c.rest {
        ["deviceManagement", "depOnboardingSettings", id, "releaseAppleDevices"]
            if c.beta && *c.method == Method::POST =>
        {
            let serials = c.body.get("deviceSerialNumbers").and_then(Value::as_array);
            match (t.dep.iter().any(|d| d.id == *id), serials) {
                (false, _) => Answer::not_found(now),
                (true, Some(s)) if !s.is_empty() => Answer::no_content(),
                (true, _) => Answer::bad_request("deviceSerialNumbers is required", now),
            }
        }
        ["deviceManagement", "depOnboardingSettings", rest @ ..] if c.beta => tokens(t, c, rest),
        _ => return None,
    })
}

/// Ends the syncs with Apple whose time has come: they succeed unless the token has an error.
fn settle_syncs(t: &mut Tenant) {
    let now = t.now;
    for d in &mut t.dep {
        if let Some(until) = d.sync_until.filter(|u| *u <= now) {
            if d.error_code == 0 {
                d.last_success = Some(until);
            }
            d.sync_until = None;
        }
    }
}

fn dep_json(d: &DepToken) -> Value {
    json!({
        "id": d.id,
        "appleIdentifier": d.apple_identifier,
        "tokenExpirationDateTime": ts(d.expires),
        "lastModifiedDateTime": ts(d.modified),
        "lastSuccessfulSyncDateTime": opt_ts(d.last_success),
        "lastSyncTriggeredDateTime": opt_ts(d.last_sync_triggered),
        "shareTokenWithSchoolDataSyncService": false,
        "lastSyncErrorCode": d.error_code,
        "tokenType": "dep",
        "tokenName": d.token_name,
        "syncedDeviceCount": d.generated - d.deleted.len(),
        "dataSharingConsentGranted": true,
        "roleScopeTagIds": ["0"]
    })
}

/// The Apple Configurator key as real tenants list it: an entry without a token.
fn apple_configurator_json(id: &str, now: DateTime<Utc>) -> Value {
    json!({
        "id": id,
        "appleIdentifier": null,
        "tokenExpirationDateTime": null,
        "lastModifiedDateTime": ts(now - Duration::days(400)),
        "lastSuccessfulSyncDateTime": null,
        "lastSyncTriggeredDateTime": null,
        "shareTokenWithSchoolDataSyncService": false,
        "lastSyncErrorCode": 0,
        "tokenType": "none",
        "tokenName": null,
        "syncedDeviceCount": 0,
        "dataSharingConsentGranted": false,
        "roleScopeTagIds": []
    })
}

/// The collection of tokens (`rest` is the path after `depOnboardingSettings`) and one token.
fn tokens(t: &mut Tenant, c: &Call<'_>, rest: &[&str]) -> Answer {
    let (method, q, body, base) = (c.method, &c.q, &c.body, c.base.as_str());
    let now = t.now;
    let ctx = |s: &str| format!("{GRAPH}/beta/$metadata#{s}");
    settle_syncs(t);
    let sync_duration = t.dep_sync_duration;
    match (method.as_str(), rest) {
        ("GET", []) => {
            let mut items: Vec<Value> = t.dep.iter().map(dep_json).collect();
            if let Some(key) = &t.apple_configurator_key {
                items.push(apple_configurator_json(key, now));
            }
            collection(
                t.page_size,
                base,
                "deviceManagement/depOnboardingSettings",
                "beta",
                "deviceManagement/depOnboardingSettings",
                q,
                items.len(),
                |i| items[i].clone(),
            )
        }
        ("POST", []) => {
            let d = DepToken {
                id: uuid::Uuid::new_v4().to_string(),
                token_name: body
                    .get("tokenName")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .into(),
                apple_identifier: body
                    .get("appleIdentifier")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .into(),
                expires: now + Duration::days(365),
                error_code: 0,
                last_sync_triggered: None,
                last_success: None,
                sync_until: None,
                modified: now,
                generated: 0,
                deleted: BTreeSet::new(),
                assigned: HashMap::new(),
                profiles: Vec::new(),
                imported: Vec::new(),
            };
            let mut j = dep_json(&d);
            j["@odata.context"] = json!(ctx("deviceManagement/depOnboardingSettings/$entity"));
            t.dep.push(d);
            Answer::written(StatusCode::CREATED, j)
        }
        (_, [id, tail @ ..]) => {
            let Some(idx) = t.dep.iter().position(|d| d.id == *id) else {
                return Answer::not_found(now);
            };
            if *method == Method::DELETE && tail.is_empty() {
                t.dep.remove(idx);
                return Answer::no_content();
            }
            let unreachable = t.devices_unreachable_since;
            let page_size = t.page_size;
            let d = &mut t.dep[idx];
            token(d, c, tail, sync_duration)
                .or_else(|| enrollment_profiles::token_routes(d, c, tail, page_size))
                .or_else(|| devices::routes(d, c, tail, page_size, unreachable))
                .unwrap_or_else(|| Answer::not_found(now))
        }
        _ => Answer::not_found(now),
    }
}

/// One token: read, update, sync with Apple, renewal and its encryption key (`tail` is the path
/// after the token's id).
fn token(d: &mut DepToken, c: &Call<'_>, tail: &[&str], sync_duration: Duration) -> Option<Answer> {
    let (method, q, body, now) = (c.method, &c.q, &c.body, c.now);
    let ctx = |s: &str| format!("{GRAPH}/beta/$metadata#{s}");
    Some(match (method.as_str(), tail) {
        ("GET", []) => {
            let mut j = dep_json(d);
            j["@odata.context"] = json!(ctx("deviceManagement/depOnboardingSettings/$entity"));
            if let Some(expand) = q.get("$expand") {
                for (name, platform) in [
                    ("defaultIosEnrollmentProfile", "ios"),
                    ("defaultMacOsEnrollmentProfile", "macOS"),
                    ("defaultTvOSEnrollmentProfile", "tvOS"),
                    ("defaultVisionOSEnrollmentProfile", "visionOS"),
                ] {
                    if expand.contains(name) {
                        j[name] = d
                            .profiles
                            .iter()
                            .find(|p| p.is_default && p.platform == platform)
                            .map_or(Value::Null, profile_json);
                    }
                }
            }
            Answer::ok(j)
        }
        ("POST", ["syncWithAppleDeviceEnrollmentProgram"]) => {
            let too_soon = d
                .last_sync_triggered
                .map(|last| last + Duration::minutes(15))
                .filter(|allowed| now < *allowed);
            let running = d.sync_until.filter(|until| now < *until);
            if running.is_some() || too_soon.is_some() {
                let allowed = running.max(too_soon).unwrap_or(now);
                let wait = (allowed - now).num_seconds().max(1);
                let (text, phrase) = if running.is_some() {
                    (
                        format!("A sync with Apple is already in progress for this token; retry after {wait} seconds."),
                        "DepSyncInProgress",
                    )
                } else {
                    (
                        format!("A sync was triggered less than 15 minutes ago; retry after {wait} seconds."),
                        "DepSyncTooFrequent",
                    )
                };
                let msg = json!({"_version": 3, "Message": text, "CustomApiErrorPhrase": phrase, "RetryAfter": wait, "ErrorSourceService": "", "HttpHeaders": "{}"}).to_string();
                return Some(Answer::error(StatusCode::CONFLICT, "Conflict", &msg, now));
            }
            d.last_sync_triggered = Some(now);
            if sync_duration > Duration::zero() {
                d.sync_until = Some(add(now, sync_duration));
            } else if d.error_code == 0 {
                d.last_success = Some(now);
            }
            Answer::no_content()
        }
        ("PATCH", []) => {
            if let Some(n) = body.get("tokenName").and_then(Value::as_str) {
                d.token_name = n.into();
            }
            if let Some(n) = body.get("appleIdentifier").and_then(Value::as_str) {
                d.apple_identifier = n.into();
            }
            d.modified = now;
            Answer::written(StatusCode::OK, dep_json(d))
        }
        ("POST", ["uploadDepToken"]) => {
            if body
                .get("depToken")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Some(Answer::bad_request("depToken is required", now));
            }
            if let Some(n) = body.get("appleId").and_then(Value::as_str) {
                d.apple_identifier = n.into();
            }
            d.expires = now + Duration::days(365);
            d.error_code = 0;
            d.modified = now;
            Answer::no_content()
        }
        ("POST", ["generateEncryptionPublicKey"]) => {
            // A new key pair: a token downloaded for the old key no longer decrypts.
            d.error_code = 1;
            d.modified = now;
            Answer::written(
                StatusCode::OK,
                json!({"@odata.context": ctx("Edm.String"),
                "value": format!("-----BEGIN CERTIFICATE-----\nSIMNEWKEY{}\n-----END CERTIFICATE-----\n", uuid::Uuid::new_v4().simple())}),
            )
        }
        ("POST", ["shareForSchoolDataSyncService" | "unshareForSchoolDataSyncService"]) => {
            Answer::no_content()
        }
        ("GET", ["getEncryptionPublicKey"]) => Answer::ok(
            json!({"@odata.context": ctx("Edm.String"), "value": crate::CERT_CLIENT_CERT_PEM}),
        ),
        _ => return None,
    })
}
