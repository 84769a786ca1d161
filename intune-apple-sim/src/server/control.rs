//! The simulator's own controls under `/_sim/`: the request log, the state, faults, the logical
//! clock, token expiry, throttles, the duration of a sync with Apple and the page size.

use std::sync::atomic::Ordering;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::push::push_json;
use super::{ts, Answer, Shared, Tenant};
use crate::time::{add, clamp_clock, seconds, seconds_f64};
use crate::{lock, Fault};

pub(super) fn sim_control(
    sh: &Shared,
    t: &mut Tenant,
    method: &Method,
    segs: &[&str],
    body: &[u8],
) -> Answer {
    let now = t.now;
    let body_json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match (method.as_str(), segs) {
        ("GET", ["log"]) => Answer::ok(json!(lock(&sh.log).iter().collect::<Vec<_>>())),
        ("GET", ["state"]) => Answer::ok(json!({
            "now": ts(now),
            "writesApplied": sh.writes.load(Ordering::SeqCst),
            "pageSize": t.page_size,
            "throttle": t.throttle,
            "appThrottle": t.app_throttle,
            "throttleLimits": t.throttle_limits,
            "latency": *lock(&sh.latency),
            "depSyncDurationSeconds": t.dep_sync_duration.num_seconds(),
            "pushCertificate": t.push.as_ref().map(|p| push_json(p, "v1.0")),
            "devicesUnreachableSince": t.devices_unreachable_since.map(ts),
            "depTokens": t.dep.len(),
            "vppTokens": t.vpp.len(),
            "apps": t.apps.len(),
            "faults": *lock(&sh.faults),
        })),
        ("POST", ["faults"]) => {
            let faults: Result<Vec<Fault>, _> = if body_json.is_array() {
                serde_json::from_value(body_json)
            } else {
                serde_json::from_value(body_json).map(|f| vec![f])
            };
            match faults {
                Ok(f) => {
                    lock(&sh.faults).extend(f);
                    Answer::no_content()
                }
                Err(e) => Answer::bad_request(&format!("invalid fault: {e}"), now),
            }
        }
        ("DELETE", ["faults"]) => {
            lock(&sh.faults).clear();
            lock(&sh.calls).clear();
            Answer::no_content()
        }
        ("POST", ["clock"]) => {
            if let Some(s) = body_json.get("now").and_then(Value::as_str) {
                match DateTime::parse_from_rfc3339(s) {
                    Ok(d) => t.now = clamp_clock(d.with_timezone(&Utc)),
                    Err(e) => return Answer::bad_request(&format!("invalid now: {e}"), now),
                }
            }
            if let Some(s) = body_json.get("advanceSeconds").and_then(Value::as_f64) {
                t.now = clamp_clock(add(t.now, seconds_f64(s)));
            }
            Answer::ok(json!({"now": ts(t.now)}))
        }
        ("POST", ["expireTokens"]) => {
            t.tokens.clear();
            Answer::no_content()
        }
        ("POST", ["throttle"]) => {
            let enabled = body_json.get("enabled").and_then(Value::as_bool);
            let per_app = body_json.get("perApp").and_then(Value::as_bool);
            let limits = body_json.get("limits").cloned();
            if let Some(on) = per_app {
                t.app_throttle = on;
            }
            if enabled.is_some() || (per_app.is_none() && limits.is_none()) {
                t.throttle = enabled.unwrap_or(true);
            }
            if let Some(limits) = limits {
                match serde_json::from_value::<crate::ThrottleLimits>(limits) {
                    Ok(l) => {
                        t.throttle_limits = l;
                        t.clear_throttle_counts();
                    }
                    Err(e) => return Answer::bad_request(&format!("invalid limits: {e}"), now),
                }
            }
            Answer::no_content()
        }
        ("POST", ["latency"]) => match serde_json::from_value::<crate::Latency>(body_json) {
            Ok(l) => {
                *lock(&sh.latency) = l;
                Answer::no_content()
            }
            Err(e) => Answer::bad_request(&format!("invalid latency: {e}"), now),
        },
        ("POST", ["depSyncDuration"]) => match body_json.get("seconds").and_then(Value::as_i64) {
            Some(secs) => {
                t.dep_sync_duration = seconds(secs.max(0));
                Answer::no_content()
            }
            None => Answer::bad_request("seconds (an integer) is required", now),
        },
        ("POST", ["pageSize"]) => {
            let n = body_json
                .get("pageSize")
                .and_then(Value::as_u64)
                .unwrap_or(100);
            t.page_size = usize::try_from(n).unwrap_or(100).max(1);
            Answer::no_content()
        }
        _ => Answer::not_found(now),
    }
}
