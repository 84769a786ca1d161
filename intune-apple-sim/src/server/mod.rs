//! The HTTP side: routing, auth, faults, paging and the tenant state.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::seed::Seed;
use crate::time::{add, clamp_clock, days, seconds, seconds_f64};
use crate::{lock, Fault, FaultKind, LogEntry};
use crate::{
    CERT_CLIENT_ID, CLIENT_ID, CLIENT_SECRET, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET,
};

const GRAPH: &str = "https://graph.microsoft.com";

/// The largest page a client may ask for with `$top` (unless the page size is larger).
pub(crate) const MAX_TOP: usize = 1000;

pub(crate) struct PushCert {
    apple_identifier: String,
    topic: String,
    expires: DateTime<Utc>,
    serial: String,
    modified: DateTime<Utc>,
    id: u64,
}

pub(crate) struct Profile {
    id: String,
    display_name: String,
    platform: String,
    is_default: bool,
    /// Settings written by create or update, served over the defaults of the platform.
    settings: Map<String, Value>,
}

pub(crate) struct DepToken {
    id: String,
    token_name: String,
    apple_identifier: String,
    expires: DateTime<Utc>,
    error_code: i64,
    last_sync_triggered: Option<DateTime<Utc>>,
    last_success: Option<DateTime<Utc>>,
    /// End of the sync with Apple in progress, on the logical clock.
    sync_until: Option<DateTime<Utc>>,
    modified: DateTime<Utc>,
    /// Devices `0..generated` are produced on the fly from their index, never stored.
    generated: usize,
    deleted: BTreeSet<usize>,
    assigned: HashMap<usize, (Arc<str>, DateTime<Utc>)>,
    profiles: Vec<Profile>,
    imported: Vec<Value>,
}

pub(crate) struct VppToken {
    id: String,
    organization_name: String,
    location_name: String,
    display_name: String,
    expires: DateTime<Utc>,
    state: String,
    country: String,
    last_sync: DateTime<Utc>,
    modified: DateTime<Utc>,
}

pub(crate) struct App {
    id: String,
    platform: String,
    display_name: String,
    bundle_id: String,
    vpp_token_id: String,
    assignments: Vec<Value>,
    used: i64,
    total: i64,
}

pub(crate) struct TokenInfo {
    pub(crate) expires: DateTime<Utc>,
    pub(crate) read_only: bool,
    pub(crate) client_id: &'static str,
}

/// One request counted by the throttles: when, whether it was a write, and which application.
struct Counted {
    at: DateTime<Utc>,
    write: bool,
    app: &'static str,
}

pub(crate) struct Tenant {
    pub(crate) now: DateTime<Utc>,
    pub(crate) tokens: HashMap<String, TokenInfo>,
    pub(crate) throttle: bool,
    pub(crate) app_throttle: bool,
    pub(crate) page_size: usize,
    pub(crate) dep_sync_duration: Duration,
    pub(crate) token_lifetime: i64,
    push: Option<PushCert>,
    devices_unreachable_since: Option<DateTime<Utc>>,
    dep: Vec<DepToken>,
    vpp: Vec<VppToken>,
    apps: Vec<App>,
    recent: Vec<Counted>,
    push_id_counter: u64,
}

pub(crate) struct Shared {
    pub(crate) tenant_id: String,
    pub(crate) tenant: Mutex<Tenant>,
    pub(crate) faults: Mutex<Vec<Fault>>,
    pub(crate) calls: Mutex<HashMap<(String, String), u64>>,
    pub(crate) log: Mutex<std::collections::VecDeque<LogEntry>>,
    pub(crate) writes: AtomicU64,
    pub(crate) addr: SocketAddr,
    pub(crate) identity: crate::identity::IdentityState,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn opt_ts(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "0001-01-01T00:00:00Z".to_string(), ts)
}

impl Shared {
    pub(crate) fn new(seed: &Seed, addr: SocketAddr) -> Self {
        #[allow(clippy::disallowed_methods)]
        let now = clamp_clock(Utc::now());
        let push = seed.push_certificate.as_ref().map(|p| PushCert {
            apple_identifier: p.apple_identifier.clone(),
            topic: p.topic_identifier.clone(),
            expires: add(now, days(p.expires_in_days)),
            serial: p.certificate_serial_number.clone(),
            modified: add(now, days(p.expires_in_days - 365.0)),
            id: 1,
        });
        let dep = seed
            .dep_tokens
            .iter()
            .map(|d| DepToken {
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
                profiles: d
                    .profiles
                    .iter()
                    .map(|p| Profile {
                        id: if p.settings_catalog {
                            format!("ECV2_{}_{}", d.id, p.guid)
                        } else {
                            format!("{}_{}", d.id, p.guid)
                        },
                        display_name: p.display_name.clone(),
                        platform: p.platform.clone(),
                        is_default: p.is_default,
                        settings: crate::seed::profile_settings(p),
                    })
                    .collect(),
            })
            .collect();
        let vpp = seed
            .vpp_tokens
            .iter()
            .map(|v| VppToken {
                id: v.id.clone(),
                organization_name: v.organization_name.clone(),
                location_name: v.location_name.clone(),
                display_name: v.display_name.clone(),
                expires: add(now, days(v.expires_in_days)),
                state: v.state.clone(),
                country: v.country_or_region.clone(),
                last_sync: now - Duration::hours(12),
                modified: now - Duration::days(10),
            })
            .collect();
        let apps = seed
            .apps
            .iter()
            .map(|a| App {
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
            })
            .collect();
        Self {
            tenant_id: seed.tenant_id.clone(),
            tenant: Mutex::new(Tenant {
                now,
                tokens: HashMap::new(),
                throttle: seed.throttle,
                app_throttle: seed.app_throttle,
                page_size: seed.page_size.max(1),
                dep_sync_duration: seconds(seed.dep_sync_duration_secs.max(0)),
                token_lifetime: seed.token_lifetime_secs,
                push,
                devices_unreachable_since: None,
                dep,
                vpp,
                apps,
                recent: Vec::new(),
                push_id_counter: 1,
            }),
            faults: Mutex::new(Vec::new()),
            calls: Mutex::new(HashMap::new()),
            log: Mutex::new(std::collections::VecDeque::new()),
            writes: AtomicU64::new(0),
            addr,
            identity: crate::identity::IdentityState::default(),
        }
    }
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

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(crate::mail::routes())
        .fallback(handle)
        .with_state(shared)
}

/// A response before faults and logging are applied.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    /// The body already serialised (large pages are written straight to bytes); `body` is
    /// then null.
    pub(crate) raw: Option<Vec<u8>>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) write: bool,
}

impl Answer {
    pub(crate) fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            raw: None,
            headers: Vec::new(),
            write: false,
        }
    }
    fn written(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            raw: None,
            headers: Vec::new(),
            write: true,
        }
    }
    fn no_content() -> Self {
        Self::written(StatusCode::NO_CONTENT, Value::Null)
    }
    pub(crate) fn error(status: StatusCode, code: &str, message: &str, now: DateTime<Utc>) -> Self {
        let mut body = json!({"error": {"code": code, "message": message, "innerError": {
            "date": now.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": uuid::Uuid::new_v4().to_string(),
            "client-request-id": uuid::Uuid::new_v4().to_string()
        }}});
        if status == StatusCode::TOO_MANY_REQUESTS {
            // Graph's throttling answer repeats the status inside `innerError`.
            body["error"]["innerError"]["code"] = json!("429");
            body["error"]["innerError"]["status"] = json!("429");
            body["error"]["innerError"]["message"] = json!("Please retry after");
        }
        Self {
            status,
            body,
            raw: None,
            headers: Vec::new(),
            write: false,
        }
    }
    pub(crate) fn not_found(now: DateTime<Utc>) -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            "{\"_version\": 3, \"Message\": \"Resource not found\", \"RetryAfter\": null}",
            now,
        )
    }
    fn bad_request(message: &str, now: DateTime<Utc>) -> Self {
        Self::error(StatusCode::BAD_REQUEST, "BadRequest", message, now)
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
}

fn json_response(
    status: StatusCode,
    bytes: Vec<u8>,
    headers: &[(&'static str, String)],
) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    if status != StatusCode::NO_CONTENT {
        resp.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
    }
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp.headers_mut().insert(*k, v);
        }
    }
    resp
}

/// A body that sends `prefix` and then fails, so the connection is dropped mid-response.
fn broken_body(prefix: Vec<u8>) -> Body {
    let items: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(prefix)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        )),
    ];
    Body::from_stream(futures::stream::iter(items))
}

async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let path_q = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_string());
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    let has_bearer = bearer(&headers).is_some();
    let body = axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();

    // Which fault applies to this call?
    let fault = {
        let mut calls = lock(&sh.calls);
        let n = calls.entry((method.to_string(), path.clone())).or_insert(0);
        *n += 1;
        let n = *n;
        lock(&sh.faults)
            .iter()
            .find(|f| f.matches(method.as_str(), &path) && f.nth.is_none_or(|k| k == n))
            .map(|f| f.kind.clone())
    };
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let applied = std::sync::atomic::AtomicBool::new(false);
    let log = |status: u16, size: usize| {
        push_capped(
            &mut lock(&sh.log),
            crate::LOG_LIMIT,
            LogEntry {
                method: method.to_string(),
                path: path_q.clone(),
                bearer: has_bearer,
                status,
                body_size: size,
                client_request_id: client_request_id.clone(),
                applied: applied.load(Ordering::SeqCst),
            },
        );
    };

    let mut post_fault = None;
    match fault {
        Some(FaultKind::Throttle { retry_after }) => {
            let now = lock(&sh.tenant).now;
            let a = Answer::error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
                now,
            );
            let bytes = a.body.to_string().into_bytes();
            log(429, bytes.len());
            return json_response(
                StatusCode::TOO_MANY_REQUESTS,
                bytes,
                &[("retry-after", retry_after)],
            );
        }
        Some(FaultKind::Status { status }) => {
            let now = lock(&sh.tenant).now;
            let st = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let a = Answer::error(st, "ServiceUnavailable", "Simulated failure", now);
            let bytes = a.body.to_string().into_bytes();
            log(st.as_u16(), bytes.len());
            return json_response(st, bytes, &[]);
        }
        Some(FaultKind::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        Some(FaultKind::ResetBefore) => {
            log(0, 0);
            let mut resp = Response::new(broken_body(Vec::new()));
            resp.headers_mut()
                .insert("content-length", HeaderValue::from_static("100"));
            return resp;
        }
        Some(FaultKind::ExpireTokens) => {
            lock(&sh.tenant).tokens.clear();
        }
        Some(
            kind @ (FaultKind::ThrottleWithoutRetryAfter
            | FaultKind::QueryBrokerThrottle
            | FaultKind::MissingScope
            | FaultKind::IntuneRefused),
        ) => {
            let now = lock(&sh.tenant).now;
            let (status, body) = match kind {
                FaultKind::ThrottleWithoutRetryAfter => (429, crate::real::throttled(now)),
                FaultKind::QueryBrokerThrottle => (500, crate::real::query_broker_throttle(now)),
                FaultKind::MissingScope => (403, crate::real::missing_scope(now, &path)),
                _ => (403, crate::real::intune_refused(now, &path)),
            };
            let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let bytes = body.to_string().into_bytes();
            log(status, bytes.len());
            return json_response(st, bytes, &[]);
        }
        other => post_fault = other,
    }

    let answer = {
        let mut t = lock(&sh.tenant);
        let write = method != Method::GET;
        dispatch(&sh, &mut t, &method, &path, &query, &headers, &body, write)
    };
    if answer.write && answer.status.is_success() {
        sh.writes.fetch_add(1, Ordering::SeqCst);
        applied.store(true, Ordering::SeqCst);
    }
    let mut answer = answer;
    let mut bytes = match answer.raw.take() {
        Some(raw) => {
            // Faults that rewrite the body work on the JSON tree.
            if matches!(
                post_fault,
                Some(
                    FaultKind::ForeignNextLink
                        | FaultKind::RepeatNextLink
                        | FaultKind::CycleNextLink
                        | FaultKind::RealShapes
                )
            ) {
                answer.body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
            }
            raw
        }
        None if answer.body.is_null() => Vec::new(),
        None => answer.body.to_string().into_bytes(),
    };
    match post_fault {
        Some(FaultKind::ResetAfter) => {
            log(0, 0);
            let mut resp = Response::new(broken_body(Vec::new()));
            resp.headers_mut()
                .insert("content-length", HeaderValue::from_static("100"));
            resp
        }
        Some(FaultKind::Truncated) => {
            let full = bytes.len();
            bytes.truncate(full / 2);
            log(answer.status.as_u16(), bytes.len());
            let mut resp = Response::new(broken_body(bytes));
            *resp.status_mut() = answer.status;
            if let Ok(v) = HeaderValue::from_str(&full.to_string()) {
                resp.headers_mut().insert("content-length", v);
            }
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            resp
        }
        Some(FaultKind::Malformed) => {
            let bytes = b"{\"value\": [ {\"id\": <html>Service Unavailable</html>".to_vec();
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
        Some(FaultKind::RealShapes) => {
            let mut body = answer.body;
            crate::real::real_shapes(&mut body);
            let (status, bytes) = if answer.status == StatusCode::NO_CONTENT {
                (StatusCode::OK, Vec::new())
            } else if body.is_null() {
                (answer.status, Vec::new())
            } else {
                (answer.status, body.to_string().into_bytes())
            };
            log(status.as_u16(), bytes.len());
            json_response(status, bytes, &answer.headers)
        }
        Some(FaultKind::ForeignNextLink) => {
            let mut body = answer.body;
            if let Some(link) = body.get("@odata.nextLink").and_then(Value::as_str) {
                let own = format!("http://{}", sh.addr);
                let foreign = format!("http://127.0.0.2:{}", sh.addr.port());
                body["@odata.nextLink"] = Value::String(link.replace(&own, &foreign));
            }
            let bytes = body.to_string().into_bytes();
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
        Some(kind @ (FaultKind::RepeatNextLink | FaultKind::CycleNextLink)) => {
            let mut body = answer.body;
            let own = format!("http://{}{path_q}", sh.addr);
            crate::faults_paging::rewrite_next_link(
                &mut body,
                &own,
                kind == FaultKind::CycleNextLink,
            );
            let bytes = body.to_string().into_bytes();
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
        Some(FaultKind::EndlessBody) => {
            log(answer.status.as_u16(), 0);
            crate::faults_paging::endless_body(answer.status)
        }
        _ => {
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
    }
}

fn query_params(query: &str) -> HashMap<String, String> {
    url_decode_pairs(query)
}

pub(crate) fn url_decode_pairs(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn dispatch(
    sh: &Shared,
    t: &mut Tenant,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
    write: bool,
) -> Answer {
    let now = t.now;
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();

    // Simulator controls.
    if segs.first() == Some(&"_sim") {
        let mut a = sim_control(sh, t, method, &segs[1..], body);
        a.write = false;
        return a;
    }
    // Managed identity, federation, device code, service principals.
    if let Some(a) = crate::identity::dispatch(sh, t, method, &segs, query, headers, body) {
        return a;
    }
    // Token endpoint.
    if segs.len() == 4 && segs[1..] == ["oauth2", "v2.0", "token"] && method == Method::POST {
        return token_endpoint(sh, t, segs[0], body);
    }
    let (version, rest) = match segs.split_first() {
        Some((v, rest)) if *v == "v1.0" || *v == "beta" => (*v, rest),
        _ => return Answer::not_found(now),
    };
    // Auth.
    let token = bearer(headers);
    let info = token.as_ref().and_then(|tk| t.tokens.get(tk));
    let (read_only, app) = match info {
        Some(i) if i.expires > now => (i.read_only, i.client_id),
        _ => {
            return Answer::error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                if token.is_some() {
                    "Lifetime validation failed, the token is expired."
                } else {
                    "Access token is empty."
                },
                now,
            )
        }
    };
    if write && read_only {
        return Answer::error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "{\"_version\": 3, \"Message\": \"Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementServiceConfig.ReadWrite.All\", \"RetryAfter\": null}",
            now,
        );
    }
    // Intune's throttles on the logical clock: per tenant (all applications) and per
    // application in the tenant.
    if t.throttle || t.app_throttle {
        t.recent.retain(|c| c.at > now - Duration::seconds(20));
        let mut wait = None;
        if t.throttle {
            wait = throttle_wait(t.recent.iter(), write, 2000, 200, now);
        }
        if wait.is_none() && t.app_throttle {
            wait = throttle_wait(
                t.recent.iter().filter(|c| c.app == app),
                write,
                1000,
                100,
                now,
            );
        }
        if let Some(wait) = wait {
            let mut a = Answer::error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
                now,
            );
            a.headers.push(("retry-after", wait.to_string()));
            return a;
        }
        t.recent.push(Counted {
            at: now,
            write,
            app,
        });
    }
    let base = format!("http://{}/{version}", sh.addr);
    let q = query_params(query);
    let body_json: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return Answer::bad_request(&format!("Invalid JSON body: {e}"), now),
        }
    };
    let beta = version == "beta";
    match rest {
        ["deviceManagement", "applePushNotificationCertificate"] => {
            push_certificate(t, method, &body_json, version)
        }
        ["deviceManagement", "applePushNotificationCertificate", "downloadApplePushNotificationCertificateSigningRequest"]
            if *method == Method::GET =>
        {
            Answer::ok(json!({
                "@odata.context": format!("{GRAPH}/{version}/$metadata#Edm.String"),
                "value": csr_text()
            }))
        }
        ["deviceManagement", "applePushNotificationCertificate", "generateApplePushNotificationCertificateSigningRequest"]
            if beta && *method == Method::POST =>
        {
            Answer::written(
                StatusCode::OK,
                json!({
                    "@odata.context": format!("{GRAPH}/beta/$metadata#Edm.String"),
                    "value": csr_text()
                }),
            )
        }
        ["deviceAppManagement", "vppTokens"] => match *method {
            Method::GET => {
                let items: Vec<Value> = t.vpp.iter().map(|v| vpp_json(v, beta)).collect();
                collection(
                    t.page_size,
                    &base,
                    "deviceAppManagement/vppTokens",
                    version,
                    "vppTokens",
                    &q,
                    items.len(),
                    |i| items[i].clone(),
                )
            }
            Method::POST => vpp_create(t, &body_json, beta),
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
        ["deviceManagement", "depOnboardingSettings", id, "releaseAppleDevices"]
            if beta && *method == Method::POST =>
        {
            let serials = body_json
                .get("deviceSerialNumbers")
                .and_then(Value::as_array);
            match (t.dep.iter().any(|d| d.id == *id), serials) {
                (false, _) => Answer::not_found(now),
                (true, Some(s)) if !s.is_empty() => Answer::no_content(),
                (true, _) => Answer::bad_request("deviceSerialNumbers is required", now),
            }
        }
        ["deviceAppManagement", "mobileApps", id, "microsoft.graph.iosVppApp", action]
            if beta
                && *method == Method::POST
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
            let has_notify = body_json
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
                    if needs
                        .is_some_and(|k| body_json.get(k).and_then(Value::as_str).is_none()) =>
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
        ["deviceAppManagement", "vppTokens", id] if !id.starts_with("getLicensesForApp(") => {
            vpp_one(t, method, id, &body_json, version)
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
        ["deviceManagement", "configurationPolicies"] if beta && *method == Method::GET => {
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
                        json!({
                            "id": policy,
                            "name": p.display_name,
                            "description": "",
                            "platforms": if p.platform == "macOS" { "macOS" } else { "iOS" },
                            "technologies": "enrollment",
                            "creationSource": source,
                            "settingCount": 12,
                            "isAssigned": true,
                            "roleScopeTagIds": ["0"],
                            "createdDateTime": ts(d.modified),
                            "lastModifiedDateTime": ts(d.modified),
                            "templateReference": {"templateId": "", "templateFamily": "none",
                                "templateDisplayName": null, "templateDisplayVersion": null}
                        })
                    })
                })
                .collect();
            collection(
                t.page_size,
                &base,
                "deviceManagement/configurationPolicies",
                version,
                "deviceManagement/configurationPolicies",
                &q,
                items.len(),
                |i| items[i].clone(),
            )
        }
        ["deviceManagement", "depOnboardingSettings", ..] if beta => {
            dep_routes(t, method, &rest[2..], &q, &body_json, &base)
        }
        ["deviceAppManagement", "mobileApps", ..] => {
            app_routes(t, method, &rest[2..], &q, &body_json, &base, version)
        }
        _ => Answer::not_found(now),
    }
}

/// Seconds until a throttle window admits this request, or `None` when it is admitted now:
/// at most `max_all` requests and `max_writes` writes in any 20 seconds.
fn throttle_wait<'a>(
    window: impl Iterator<Item = &'a Counted> + Clone,
    write: bool,
    max_all: usize,
    max_writes: usize,
    now: DateTime<Utc>,
) -> Option<i64> {
    let all = window.clone().count();
    let writes = window.clone().filter(|c| c.write).count();
    if all < max_all && !(write && writes >= max_writes) {
        return None;
    }
    let oldest = window
        .filter(|c| !write || c.write)
        .map(|c| c.at)
        .min()
        .unwrap_or(now);
    Some((oldest + Duration::seconds(20) - now).num_seconds().max(1))
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

/// Index of the generated device with serial number `sn`, if it exists and is not deleted.
fn generated_index(d: &DepToken, sn: &str) -> Option<usize> {
    let i: usize = sn.get(2..)?.parse().ok()?;
    (i < d.generated && !d.deleted.contains(&i) && serial(d, i) == sn).then_some(i)
}

/// Index of the `k`-th generated device that is not deleted.
fn nth_live(d: &DepToken, k: usize) -> usize {
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

fn profile_json(p: &Profile) -> Value {
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

fn dep_routes(
    t: &mut Tenant,
    method: &Method,
    rest: &[&str],
    q: &HashMap<String, String>,
    body: &Value,
    base: &str,
) -> Answer {
    let now = t.now;
    let ctx = |s: &str| format!("{GRAPH}/beta/$metadata#{s}");
    settle_syncs(t);
    let sync_duration = t.dep_sync_duration;
    match (method.as_str(), rest) {
        ("GET", []) => {
            let items: Vec<Value> = t.dep.iter().map(dep_json).collect();
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
            let unreachable = t.devices_unreachable_since;
            let page_size = t.page_size;
            let d = &mut t.dep[idx];
            match (method.as_str(), tail) {
                ("GET", []) => {
                    let mut j = dep_json(d);
                    j["@odata.context"] =
                        json!(ctx("deviceManagement/depOnboardingSettings/$entity"));
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
                        return Answer::error(StatusCode::CONFLICT, "Conflict", &msg, now);
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
                ("DELETE", []) => {
                    t.dep.remove(idx);
                    Answer::no_content()
                }
                ("POST", ["uploadDepToken"]) => {
                    if body
                        .get("depToken")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        return Answer::bad_request("depToken is required", now);
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
                (
                    "GET",
                    [nav @ ("defaultIosEnrollmentProfile" | "defaultMacOsEnrollmentProfile")],
                ) => {
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
                            j["@odata.context"] = json!(ctx("deviceManagement/depOnboardingSettings('id')/enrollmentProfiles/$entity"));
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
                        return Answer::bad_request(
                            "{\"_version\": 3, \"Message\": \"@odata.type must name the profile type: #microsoft.graph.depIOSEnrollmentProfile or #microsoft.graph.depMacOSEnrollmentProfile\", \"RetryAfter\": null}",
                            now,
                        );
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
                    };
                    let j = profile_json(&p);
                    d.profiles.push(p);
                    Answer::written(StatusCode::CREATED, j)
                }
                (m, ["enrollmentProfiles", pid, ptail @ ..]) => {
                    let Some(pi) = d.profiles.iter().position(|p| p.id == *pid) else {
                        return Answer::not_found(now);
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
                            if let Some(refusal) =
                                crate::profile_rules::patch_refusal(&current, body)
                            {
                                return Answer::bad_request(&refusal, now);
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
                                    x["requestedEnrollmentProfileAssignmentDateTime"] =
                                        json!(ts(now));
                                }
                            }
                            Answer::no_content()
                        }
                        _ => Answer::not_found(now),
                    }
                }
                ("GET", ["getEncryptionPublicKey"]) => Answer::ok(
                    json!({"@odata.context": ctx("Edm.String"), "value": crate::CERT_CLIENT_CERT_PEM}),
                ),
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
                        return Answer::ok(
                            json!({"@odata.context": ctx("deviceManagement/depOnboardingSettings('id')/importedAppleDeviceIdentities"), "value": found}),
                        );
                    }
                    let generated_len = d.generated - d.deleted.len();
                    let len = generated_len + d.imported.len();
                    let rel = format!(
                        "deviceManagement/depOnboardingSettings/{}/importedAppleDeviceIdentities",
                        d.id
                    );
                    let cx = DeviceCtx::new(d, unreachable);
                    collection_streamed(page_size, base, &rel, "beta", "deviceManagement/depOnboardingSettings('id')/importedAppleDeviceIdentities", q, len, |k, out| {
                        if k >= generated_len {
                            out.extend_from_slice(d.imported[k - generated_len].to_string().as_bytes());
                        } else if d.deleted.is_empty() {
                            cx.write(k, out);
                        } else {
                            cx.write(nth_live(d, k), out);
                        }
                    })
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
                ("POST", ["importedAppleDeviceIdentities", "importAppleDeviceIdentityList"]) => {
                    let Some(list) = body
                        .get("importedAppleDeviceIdentities")
                        .and_then(Value::as_array)
                    else {
                        return Answer::bad_request(
                            "importedAppleDeviceIdentities is required",
                            now,
                        );
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
                        device["@odata.type"] =
                            json!("microsoft.graph.importedAppleDeviceIdentityResult");
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
                        return Answer::ok(x.clone());
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
                        return Answer::no_content();
                    }
                    let Some(i) = did
                        .rsplit('-')
                        .next()
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|i| *i < d.generated && !d.deleted.contains(i))
                    else {
                        return Answer::not_found(now);
                    };
                    d.deleted.insert(i);
                    Answer::no_content()
                }
                _ => Answer::not_found(now),
            }
        }
        _ => Answer::not_found(now),
    }
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

fn csr_text() -> String {
    "-----BEGIN CERTIFICATE REQUEST-----\nMIICsimulatedCSRforIntuneAppleSimulatorOnlyAAAA\n-----END CERTIFICATE REQUEST-----\n"
        .into()
}

/// Which items a page holds and where the next one is.
struct Page<'q> {
    start: usize,
    end: usize,
    context: String,
    next_link: Option<String>,
    select: Option<Vec<&'q str>>,
}

fn page<'q>(
    page_size: usize,
    base: &str,
    rel_path: &str,
    version: &str,
    context: &str,
    q: &'q HashMap<String, String>,
    len: usize,
) -> Page<'q> {
    let start: usize = q
        .get("$skiptoken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // `$top` may ask for fewer items than the page size, or for more up to Graph's maximum.
    let size = q
        .get("$top")
        .and_then(|s| s.parse::<usize>().ok())
        .map_or(page_size, |top| top.clamp(1, page_size.max(MAX_TOP)));
    let end = start.saturating_add(size).min(len);
    let next_link = (end < len).then(|| {
        let mut next: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "$skiptoken")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        next.sort();
        next.push(format!("$skiptoken={end}"));
        format!("{base}/{rel_path}?{}", next.join("&"))
    });
    Page {
        start: start.min(len),
        end,
        context: format!("{GRAPH}/{version}/$metadata#{context}"),
        next_link,
        select: q
            .get("$select")
            .map(|s| s.split(',').map(str::trim).collect()),
    }
}

/// Serves one page of a collection of `len` items produced by `item(index)`.
#[allow(clippy::too_many_arguments)]
fn collection(
    page_size: usize,
    base: &str,
    rel_path: &str,
    version: &str,
    context: &str,
    q: &HashMap<String, String>,
    len: usize,
    item: impl Fn(usize) -> Value,
) -> Answer {
    let p = page(page_size, base, rel_path, version, context, q, len);
    let values: Vec<Value> = (p.start..p.end)
        .map(|i| {
            let v = item(i);
            match (&p.select, v) {
                (Some(fields), Value::Object(m)) => Value::Object(
                    m.into_iter()
                        .filter(|(k, _)| {
                            k == "id" || k.starts_with('@') || fields.contains(&k.as_str())
                        })
                        .collect::<Map<String, Value>>(),
                ),
                (_, v) => v,
            }
        })
        .collect();
    let mut out = json!({
        "@odata.context": p.context,
        "value": values
    });
    if let Some(next) = p.next_link {
        out["@odata.nextLink"] = json!(next);
    }
    Answer::ok(out)
}

/// As [`collection`], writing each item straight into the body (no JSON tree per item):
/// `write(index, out)` appends one JSON object. With `$select`, the tree path is taken.
#[allow(clippy::too_many_arguments)]
fn collection_streamed(
    page_size: usize,
    base: &str,
    rel_path: &str,
    version: &str,
    context: &str,
    q: &HashMap<String, String>,
    len: usize,
    write: impl Fn(usize, &mut Vec<u8>),
) -> Answer {
    if q.contains_key("$select") {
        return collection(page_size, base, rel_path, version, context, q, len, |i| {
            let mut one = Vec::new();
            write(i, &mut one);
            serde_json::from_slice(&one).unwrap_or(Value::Null)
        });
    }
    let p = page(page_size, base, rel_path, version, context, q, len);
    let mut out = Vec::with_capacity((p.end - p.start) * 480 + 512);
    out.extend_from_slice(b"{\"@odata.context\":");
    out.extend_from_slice(Value::String(p.context).to_string().as_bytes());
    out.extend_from_slice(b",\"value\":[");
    for i in p.start..p.end {
        if i > p.start {
            out.push(b',');
        }
        write(i, &mut out);
    }
    out.push(b']');
    if let Some(next) = p.next_link {
        out.extend_from_slice(b",\"@odata.nextLink\":");
        out.extend_from_slice(Value::String(next).to_string().as_bytes());
    }
    out.push(b'}');
    let mut a = Answer::ok(Value::Null);
    a.raw = Some(out);
    a
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn token_endpoint(sh: &Shared, t: &mut Tenant, tenant: &str, body: &[u8]) -> Answer {
    let now = t.now;
    let oauth_error = |code: &str, desc: &str| Answer {
        status: StatusCode::BAD_REQUEST,
        body: json!({"error": code, "error_description": desc, "error_codes": [7000215],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "correlation_id": uuid::Uuid::new_v4().to_string()}),
        raw: None,
        headers: Vec::new(),
        write: false,
    };
    if tenant != sh.tenant_id {
        return oauth_error("invalid_request", "AADSTS90002: Tenant not found.");
    }
    let form = url_decode_pairs(&String::from_utf8_lossy(body));
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            "unsupported_grant_type",
            "AADSTS70003: only client_credentials is supported.",
        );
    }
    if form.get("scope").map(String::as_str) != Some("https://graph.microsoft.com/.default") {
        return oauth_error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Use https://graph.microsoft.com/.default.");
    }
    let client = form.get("client_id").map(String::as_str).unwrap_or("");
    let secret = form.get("client_secret").map(String::as_str);
    let (read_only, client_id) = match (client, secret) {
        (CLIENT_ID, Some(CLIENT_SECRET)) => (false, CLIENT_ID),
        (READ_ONLY_CLIENT_ID, Some(READ_ONLY_CLIENT_SECRET)) => (true, READ_ONLY_CLIENT_ID),
        (CERT_CLIENT_ID, None) => {
            let assertion = form
                .get("client_assertion")
                .map(String::as_str)
                .unwrap_or("");
            if form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return oauth_error("invalid_client", "AADSTS700025: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.");
            }
            if let Err(why) = verify_assertion(assertion, now) {
                return oauth_error(
                    "invalid_client",
                    &format!("AADSTS700027: Client assertion failed signature validation: {why}."),
                );
            }
            (false, CERT_CLIENT_ID)
        }
        _ => {
            return oauth_error(
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided.",
            )
        }
    };
    let token = format!("sim.{}", uuid::Uuid::new_v4().simple());
    t.tokens.insert(
        token.clone(),
        TokenInfo {
            expires: add(now, seconds(t.token_lifetime)),
            read_only,
            client_id,
        },
    );
    Answer::ok(
        json!({"token_type": "Bearer", "expires_in": t.token_lifetime,
        "ext_expires_in": t.token_lifetime, "access_token": token}),
    )
}

fn push_json(p: &PushCert, version: &str) -> Value {
    json!({
        "@odata.context": format!("{GRAPH}/{version}/$metadata#deviceManagement/applePushNotificationCertificate/$entity"),
        "id": format!("{:08x}-0000-4000-8000-{:012x}", p.id, p.id),
        "appleIdentifier": p.apple_identifier,
        "topicIdentifier": p.topic,
        "lastModifiedDateTime": ts(p.modified),
        "expirationDateTime": ts(p.expires),
        "certificateUploadStatus": null,
        "certificateUploadFailureReason": null,
        "certificateSerialNumber": p.serial,
        "certificate": null
    })
}

fn push_certificate(t: &mut Tenant, method: &Method, body: &Value, version: &str) -> Answer {
    let now = t.now;
    match *method {
        Method::GET => {
            t.push_id_counter += 1;
            let counter = t.push_id_counter;
            match t.push.as_mut() {
                Some(p) => {
                    // The id changes between calls, as in Intune.
                    p.id = counter;
                    Answer::ok(push_json(p, version))
                }
                None => Answer::not_found(now),
            }
        }
        Method::PATCH => {
            let Some(pem) = body.get("certificate").and_then(Value::as_str) else {
                return Answer::bad_request("certificate (PEM) is required", now);
            };
            let Some(cert) = parse_push_pem(pem) else {
                return Answer::bad_request(
                    "{\"_version\": 3, \"Message\": \"The certificate could not be parsed as a PEM X.509 certificate.\", \"RetryAfter\": null}",
                    now,
                );
            };
            let apple_id = body
                .get("appleIdentifier")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(old) = &t.push {
                if old.topic != cert.0 {
                    t.devices_unreachable_since = Some(now);
                }
            }
            t.push_id_counter += 1;
            let p = PushCert {
                apple_identifier: apple_id,
                topic: cert.0,
                expires: cert.1,
                serial: cert.2,
                modified: now,
                id: t.push_id_counter,
            };
            let j = push_json(&p, version);
            t.push = Some(p);
            Answer::written(StatusCode::OK, j)
        }
        _ => Answer::not_found(now),
    }
}

/// Topic (subject UID), expiry and serial of a PEM certificate.
fn parse_push_pem(pem: &str) -> Option<(String, DateTime<Utc>, String)> {
    use der::DecodePem;
    let cert = x509_cert::Certificate::from_pem(pem.trim().as_bytes()).ok()?;
    let tbs = &cert.tbs_certificate;
    let uid_oid = der::asn1::ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
    let topic = tbs
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find_map(|atv| {
            (atv.oid == uid_oid).then(|| String::from_utf8_lossy(atv.value.value()).into_owned())
        })?;
    let secs = tbs.validity.not_after.to_unix_duration().as_secs();
    let expires = DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?;
    let serial: String = tbs
        .serial_number
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    Some((topic, expires, serial))
}

fn vpp_json(v: &VppToken, beta: bool) -> Value {
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

fn sim_control(sh: &Shared, t: &mut Tenant, method: &Method, segs: &[&str], body: &[u8]) -> Answer {
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
            if let Some(on) = per_app {
                t.app_throttle = on;
            }
            if enabled.is_some() || per_app.is_none() {
                t.throttle = enabled.unwrap_or(true);
            }
            Answer::no_content()
        }
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

fn app_routes(
    t: &mut Tenant,
    method: &Method,
    rest: &[&str],
    q: &HashMap<String, String>,
    body: &Value,
    base: &str,
    version: &str,
) -> Answer {
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

/// Checks a client assertion signed with the test certificate's key (RS256 or PS256, `x5t` or
/// `x5t#S256` header, `iss` = `sub` = the certificate client, `aud` the token endpoint, not expired).
fn verify_assertion(assertion: &str, now: DateTime<Utc>) -> Result<(), &'static str> {
    use base64::Engine;
    use der::{DecodePem, Encode};
    use rsa::pkcs8::DecodePublicKey;
    use sha2::Digest;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT");
    };
    let header: Value = b64
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("bad header")?;
    let payload: Value = b64
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("bad payload")?;
    let sig = b64.decode(sig).map_err(|_| "bad signature encoding")?;
    let cert = x509_cert::Certificate::from_pem(crate::CERT_CLIENT_CERT_PEM.as_bytes())
        .map_err(|_| "certificate")?;
    let der = cert.to_der().map_err(|_| "certificate")?;
    let x5t = b64.encode(sha1::Sha1::digest(&der));
    let x5t256 = b64.encode(sha2::Sha256::digest(&der));
    let thumb_ok = header.get("x5t").and_then(Value::as_str) == Some(x5t.as_str())
        || header.get("x5t#S256").and_then(Value::as_str) == Some(x5t256.as_str());
    if !thumb_ok {
        return Err("unknown certificate thumbprint (x5t / x5t#S256)");
    }
    if payload.get("iss").and_then(Value::as_str) != Some(CERT_CLIENT_ID)
        || payload.get("sub").and_then(Value::as_str) != Some(CERT_CLIENT_ID)
    {
        return Err("iss and sub must be the client id");
    }
    if !payload
        .get("aud")
        .and_then(Value::as_str)
        .is_some_and(|a| a.ends_with("/oauth2/v2.0/token"))
    {
        return Err("aud must be the token endpoint");
    }
    if payload
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|e| e <= now.timestamp())
    {
        return Err("assertion expired");
    }
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| "certificate")?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|_| "certificate key")?;
    let hashed = sha2::Sha256::digest(format!("{h}.{p}").as_bytes());
    let verified = match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed, &sig),
        Some("PS256") => key.verify(rsa::Pss::new::<sha2::Sha256>(), &hashed, &sig),
        _ => return Err("alg must be RS256 or PS256"),
    };
    verified.map_err(|_| "signature does not verify")
}
/// Appends to the request log, dropping the oldest entry once it holds `limit`.
fn push_capped(log: &mut std::collections::VecDeque<LogEntry>, limit: usize, entry: LogEntry) {
    while log.len() >= limit.max(1) {
        log.pop_front();
    }
    log.push_back(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_keeps_the_latest_entries_up_to_its_limit() {
        let entry = |n: usize| LogEntry {
            method: "GET".into(),
            path: format!("/{n}"),
            bearer: true,
            status: 200,
            body_size: 0,
            client_request_id: None,
            applied: false,
        };
        let mut log = std::collections::VecDeque::new();
        for n in 0..5 {
            push_capped(&mut log, 3, entry(n));
        }
        let paths: Vec<_> = log.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/2", "/3", "/4"]);
    }
}
