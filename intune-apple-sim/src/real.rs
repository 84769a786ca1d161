//! Answers real Intune tenants give that the Graph documentation does not show, written from
//! the shapes seen in public reports of real tenants (the texts here are this simulator's own).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Intune's JSON document that it puts, as text, in `error.message`.
fn intune_document(message: &str) -> String {
    // Intune pretty-prints its document with CR LF line ends.
    format!(
        "{{\r\n  \"_version\": 3,\r\n  \"Message\": {},\r\n  \"CustomApiErrorPhrase\": \"\",\r\n  \"RetryAfter\": null,\r\n  \"ErrorSourceService\": \"\",\r\n  \"HttpHeaders\": \"{{}}\"\r\n}}",
        Value::String(message.to_owned())
    )
}

fn operation_suffix(activity: &str, url: &str) -> String {
    format!(
        " - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: {activity} - Url: {url}"
    )
}

/// `innerError` with a request id that is not a GUID (real answers carry such ids too).
fn inner(now: DateTime<Utc>) -> Value {
    json!({
        "date": now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        "request-id": format!("sim-{}", uuid::Uuid::new_v4().simple()),
        "client-request-id": uuid::Uuid::new_v4().to_string()
    })
}

/// Intune's query broker throttling a read: HTTP 500, no `Retry-After`.
pub(crate) fn query_broker_throttle(now: DateTime<Utc>) -> Value {
    json!({"error": {
        "code": "InternalServerError",
        "message": intune_document("Rate limit reached because of too many requests to query broker. Please retry after sometime."),
        "innerError": inner(now)
    }})
}

/// 403 for an application without the permission: the accepted permissions, legacy and
/// current names mixed.
pub(crate) fn missing_scope(now: DateTime<Utc>, path: &str) -> Value {
    let activity = uuid::Uuid::new_v4().to_string();
    let text = format!(
        "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementServiceConfiguration.Read.All, DeviceManagementServiceConfiguration.ReadWrite.All, DeviceManagementServiceConfig.Read.All, DeviceManagementServiceConfig.ReadWrite.All{}",
        operation_suffix(&activity, &format!("https://fef.sim.manage.microsoft.com/EnrollmentFE{path}"))
    );
    json!({"error": {"code": "Forbidden", "message": intune_document(&text), "innerError": inner(now)}})
}

/// 403 when Intune refuses an application that has the permission (role, scope tags,
/// licence): `UnknownError` wrapping `{"ErrorCode":"Forbidden","Message":"<document>"}`.
pub(crate) fn intune_refused(now: DateTime<Utc>, path: &str) -> Value {
    let activity = uuid::Uuid::new_v4().to_string();
    let text = format!(
        "An error has occurred{}",
        operation_suffix(
            &activity,
            &format!("https://fef.sim.manage.microsoft.com/EnrollmentFE{path}")
        )
    );
    let middle = json!({
        "ErrorCode": "Forbidden",
        "Message": intune_document(&text),
        "Target": null,
        "Details": null,
        "InnerError": null,
        "InstanceAnnotations": []
    });
    json!({"error": {"code": "UnknownError", "message": middle.to_string(), "innerError": inner(now)}})
}

/// 429 without `Retry-After`.
pub(crate) fn throttled(now: DateTime<Utc>) -> Value {
    json!({"error": {"code": "TooManyRequests", "message": "Too many requests.", "innerError": inner(now)}})
}

/// Rewrites a body into the shapes of real answers: no `@odata.type` anywhere, and
/// `@odata.count` on a collection.
pub(crate) fn real_shapes(body: &mut Value) {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("@odata.type");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(body);
    if let Some(obj) = body.as_object_mut() {
        if let Some(n) = obj.get("value").and_then(Value::as_array).map(Vec::len) {
            obj.insert("@odata.count".into(), json!(n));
        }
    }
}
