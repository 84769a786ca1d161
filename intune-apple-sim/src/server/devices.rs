//! Imported Apple devices of an enrollment program token
//! (`depOnboardingSettings/{id}/importedAppleDeviceIdentities`): the generated devices of the
//! seed, produced from their index on each page, and the ones imported by serial number.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::enrollment_program::DepToken;
use super::paging::collection_streamed;
use super::{opt_ts, ts, Answer, Call, GRAPH};

/// Index of the generated device with serial number `sn`, if it exists and is not deleted.
pub(super) fn generated_index(d: &DepToken, sn: &str) -> Option<usize> {
    let i: usize = sn.get(2..)?.parse().ok()?;
    (i < d.generated && !d.deleted.contains(&i) && serial(d, i) == sn).then_some(i)
}

/// Index of the `k`-th generated device that is not deleted.
pub(super) fn nth_live(d: &DepToken, k: usize) -> usize {
    let mut i = k;
    for &x in &d.deleted {
        if x <= i {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// What the devices of one token share on one page: formatted once, used for every device.
struct DeviceCtx<'a> {
    d: &'a DepToken,
    id_prefix: &'a str,
    serial_prefix: String,
    created: String,
    /// `lastContactedDateTime` of device `i` is `contacted[i % 48]`.
    contacted: Vec<String>,
}

impl<'a> DeviceCtx<'a> {
    fn new(d: &'a DepToken, unreachable: Option<DateTime<Utc>>) -> Self {
        let last = unreachable.unwrap_or(d.modified);
        Self {
            d,
            id_prefix: d.id.get(..23).unwrap_or(&d.id),
            serial_prefix: serial_prefix(d),
            created: ts(d.modified),
            contacted: (0..48).map(|h| ts(last - Duration::hours(h))).collect(),
        }
    }

    fn device(&self, i: usize) -> DeviceOut<'_> {
        let (profile, assigned) = self
            .d
            .assigned
            .get(&i)
            .map_or(("", None), |(p, at)| (&**p, Some(*at)));
        DeviceOut {
            id: format!("{}-{i:012}", self.id_prefix),
            serial_number: format!("{}{i:010}", self.serial_prefix),
            requested_enrollment_profile_id: profile,
            requested_enrollment_profile_assignment_date_time: opt_ts(assigned),
            is_supervised: true,
            discovery_source: "deviceEnrollmentProgram",
            is_deleted: false,
            created_date_time: &self.created,
            last_contacted_date_time: &self.contacted[i % 48],
            description: "",
            enrollment_state: if i % 5 == 0 {
                "notContacted"
            } else {
                "enrolled"
            },
            platform: if i % 4 == 3 { "macOS" } else { "ios" },
        }
    }

    fn write(&self, i: usize, out: &mut Vec<u8>) {
        // Writing plain strings and booleans into a Vec cannot fail.
        serde_json::to_writer(out, &self.device(i)).ok();
    }
}

/// One generated `importedAppleDeviceIdentity`, serialised without a JSON tree.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceOut<'a> {
    id: String,
    serial_number: String,
    requested_enrollment_profile_id: &'a str,
    requested_enrollment_profile_assignment_date_time: String,
    is_supervised: bool,
    discovery_source: &'static str,
    is_deleted: bool,
    created_date_time: &'a str,
    last_contacted_date_time: &'a str,
    description: &'static str,
    enrollment_state: &'static str,
    platform: &'static str,
}

/// Device number `i` of token `d`, generated on the fly.
fn device_json(d: &DepToken, i: usize, unreachable: Option<DateTime<Utc>>) -> Value {
    serde_json::to_value(DeviceCtx::new(d, unreachable).device(i)).unwrap_or(Value::Null)
}

fn serial_prefix(d: &DepToken) -> String {
    d.id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

fn serial(d: &DepToken, i: usize) -> String {
    format!("{}{i:010}", serial_prefix(d))
}

/// The imported devices of token `d` (`tail` is the path after the token's id); `unreachable` is
/// when the devices lost contact (a push certificate with a new topic).
pub(super) fn routes(
    d: &mut DepToken,
    c: &Call<'_>,
    tail: &[&str],
    page_size: usize,
    unreachable: Option<DateTime<Utc>>,
) -> Option<Answer> {
    let (method, q, body, base, now) = (c.method, &c.q, &c.body, c.base.as_str(), c.now);
    let ctx = |s: &str| format!("{GRAPH}/beta/$metadata#{s}");
    Some(match (method.as_str(), tail) {
        ("GET", ["importedAppleDeviceIdentities"]) => {
            let d: &DepToken = d;
            if let Some(sn) = q
                .get("$filter")
                .and_then(|f| f.strip_prefix("serialNumber eq '"))
                .and_then(|f| f.strip_suffix('\''))
            {
                let found: Vec<Value> = generated_index(d, sn)
                    .map(|i| device_json(d, i, unreachable))
                    .into_iter()
                    .chain(
                        d.imported
                            .iter()
                            .filter(|x| x["serialNumber"] == sn)
                            .cloned(),
                    )
                    .collect();
                return Some(Answer::ok(
                    json!({"@odata.context": ctx("deviceManagement/depOnboardingSettings('id')/importedAppleDeviceIdentities"), "value": found}),
                ));
            }
            let generated_len = d.generated - d.deleted.len();
            let len = generated_len + d.imported.len();
            let rel = format!(
                "deviceManagement/depOnboardingSettings/{}/importedAppleDeviceIdentities",
                d.id
            );
            let cx = DeviceCtx::new(d, unreachable);
            collection_streamed(
                page_size,
                base,
                &rel,
                "beta",
                "deviceManagement/depOnboardingSettings('id')/importedAppleDeviceIdentities",
                q,
                len,
                |k, out| {
                    if k >= generated_len {
                        out.extend_from_slice(d.imported[k - generated_len].to_string().as_bytes());
                    } else if d.deleted.is_empty() {
                        cx.write(k, out);
                    } else {
                        cx.write(nth_live(d, k), out);
                    }
                },
            )
        }
        ("POST", ["importedAppleDeviceIdentities", "importAppleDeviceIdentityList"]) => {
            let Some(list) = body
                .get("importedAppleDeviceIdentities")
                .and_then(Value::as_array)
            else {
                return Some(Answer::bad_request(
                    "importedAppleDeviceIdentities is required",
                    now,
                ));
            };
            let overwrite = body
                .get("overwriteImportedDeviceIdentities")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let mut results = Vec::new();
            for item in list {
                let sn = item
                    .get("serialNumber")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let imported_at = d
                    .imported
                    .iter()
                    .position(|x| x["serialNumber"] == sn.as_str());
                let generated_at = generated_index(d, &sn);
                let exists = imported_at.is_some() || generated_at.is_some();
                let id = uuid::Uuid::new_v4().to_string();
                let mut device = json!({
                    "id": id, "serialNumber": sn,
                    "requestedEnrollmentProfileId": item.get("requestedEnrollmentProfileId").cloned().unwrap_or(json!("")),
                    "requestedEnrollmentProfileAssignmentDateTime": "0001-01-01T00:00:00Z",
                    "isSupervised": true, "discoverySource": "adminImport", "isDeleted": false,
                    "createdDateTime": ts(now), "lastContactedDateTime": "0001-01-01T00:00:00Z",
                    "description": item.get("description").cloned().unwrap_or(json!("")),
                    "enrollmentState": "notContacted",
                    "platform": item.get("platform").cloned().unwrap_or(json!("ios"))
                });
                // A device already present is imported again only when overwriting.
                let accepted = !sn.is_empty() && (!exists || overwrite);
                if accepted {
                    if let Some(pos) = imported_at {
                        d.imported.remove(pos);
                    }
                    if let Some(i) = generated_at {
                        d.deleted.insert(i);
                        d.assigned.remove(&i);
                    }
                    d.imported.push(device.clone());
                }
                device["@odata.type"] = json!("microsoft.graph.importedAppleDeviceIdentityResult");
                device["status"] = json!(accepted);
                results.push(device);
            }
            Answer::written(
                StatusCode::OK,
                json!({"@odata.context": ctx("Collection(microsoft.graph.importedAppleDeviceIdentityResult)"), "value": results}),
            )
        }
        ("GET", ["importedAppleDeviceIdentities", did]) => {
            if let Some(x) = d.imported.iter().find(|x| x["id"] == *did) {
                return Some(Answer::ok(x.clone()));
            }
            match did
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|i| *i < d.generated && !d.deleted.contains(i))
            {
                Some(i) if device_json(d, i, unreachable)["id"] == *did => {
                    let mut j = device_json(d, i, unreachable);
                    j["@odata.context"] = json!(ctx("deviceManagement/depOnboardingSettings('id')/importedAppleDeviceIdentities/$entity"));
                    Answer::ok(j)
                }
                _ => Answer::not_found(now),
            }
        }
        ("DELETE", ["importedAppleDeviceIdentities", did]) => {
            if let Some(pos) = d.imported.iter().position(|x| x["id"] == *did) {
                d.imported.remove(pos);
                return Some(Answer::no_content());
            }
            let Some(i) = did
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|i| *i < d.generated && !d.deleted.contains(i))
            else {
                return Some(Answer::not_found(now));
            };
            d.deleted.insert(i);
            Answer::no_content()
        }
        _ => return None,
    })
}
