//! The routes of the simulated Apple Business API.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use base64::Engine as _;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::seed::OrgSeed;
use super::{fault_for, AbmFault, AbmFaultKind, AbmLogEntry};
use crate::lock;

const AUDIENCE: &str = "https://account.apple.com/auth/oauth2/v2/token";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const SERVER_DEFAULT_FIELDS: &[&str] = &[
    "serverName",
    "serverType",
    "createdDateTime",
    "updatedDateTime",
];

struct Server {
    id: String,
    name: String,
    server_type: String,
    status: String,
    families: Vec<String>,
    last_connected: Option<DateTime<Utc>>,
    last_ip: Option<String>,
    created: DateTime<Utc>,
}

struct Device {
    serial: String,
    family: String,
    product_type: String,
    model: String,
    server: Option<String>,
    migration: Option<String>,
    added: DateTime<Utc>,
}

struct Activity {
    id: String,
    status: String,
    sub_status: String,
    created: DateTime<Utc>,
}

pub(crate) struct Org {
    pub(crate) now: DateTime<Utc>,
    client_id: String,
    key_id: String,
    public_key: p256::PublicKey,
    servers: Vec<Server>,
    devices: Vec<Device>,
    by_serial: HashMap<String, usize>,
    activities: Vec<Activity>,
    pub(crate) tokens: HashMap<String, (DateTime<Utc>, String)>,
    used_jti: HashSet<String>,
    token_lifetime: i64,
    pub(crate) tokens_issued: u64,
}

pub(crate) struct Shared {
    pub(crate) org: Mutex<Org>,
    pub(crate) faults: Mutex<Vec<AbmFault>>,
    pub(crate) calls: Mutex<HashMap<String, u64>>,
    pub(crate) log: Mutex<Vec<AbmLogEntry>>,
    addr: SocketAddr,
}

fn hours(h: f64) -> Duration {
    Duration::milliseconds((h * 3_600_000.0) as i64)
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Shared {
    pub(crate) fn new(seed: &OrgSeed, addr: SocketAddr, public_key: p256::PublicKey) -> Self {
        #[allow(clippy::disallowed_methods)]
        let now = Utc::now();
        let servers = seed
            .servers
            .iter()
            .map(|s| Server {
                id: s.id.clone(),
                name: s.name.clone(),
                server_type: s.server_type.clone(),
                status: s.status.clone(),
                families: s.default_product_families.clone(),
                last_connected: s.last_connected_hours_ago.map(|h| now - hours(h)),
                last_ip: s.last_connected_ip.clone(),
                created: now - hours(s.created_days_ago * 24.0),
            })
            .collect();
        let devices: Vec<Device> = seed
            .devices
            .iter()
            .map(|d| Device {
                serial: d.serial.clone(),
                family: d.product_family.clone(),
                product_type: d.product_type.clone(),
                model: d.device_model.clone(),
                server: d.server.clone(),
                migration: d.migration_status.clone(),
                added: now - Duration::days(90),
            })
            .collect();
        let by_serial = devices
            .iter()
            .enumerate()
            .map(|(i, d)| (d.serial.clone(), i))
            .collect();
        Self {
            org: Mutex::new(Org {
                now,
                client_id: seed.client_id.clone(),
                key_id: seed.key_id.clone(),
                public_key,
                servers,
                devices,
                by_serial,
                activities: seed
                    .activities
                    .iter()
                    .map(|a| Activity {
                        id: a.id.clone(),
                        status: a.status.clone(),
                        sub_status: a.sub_status.clone(),
                        created: now - hours(a.created_hours_ago),
                    })
                    .collect(),
                tokens: HashMap::new(),
                used_jti: HashSet::new(),
                token_lifetime: seed.token_lifetime_secs.max(1),
                tokens_issued: 0,
            }),
            faults: Mutex::new(Vec::new()),
            calls: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            addr,
        }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
    retry_after: Option<String>,
}

impl Answer {
    fn json(status: StatusCode, body: &Value) -> Self {
        Self {
            status,
            body: serde_json::to_vec(body).unwrap_or_default(),
            content_type: "application/json",
            retry_after: None,
        }
    }
    fn ok(body: &Value) -> Self {
        Self::json(StatusCode::OK, body)
    }
    /// Apple's `ErrorResponse`.
    fn error(status: StatusCode, code: &str, title: &str, detail: &str) -> Self {
        Self::json(
            status,
            &json!({"errors": [{
                "id": uuid::Uuid::new_v4().to_string(),
                "status": status.as_u16().to_string(),
                "code": code,
                "title": title,
                "detail": detail,
            }]}),
        )
    }
    fn not_found(kind: &str, id: &str) -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The specified resource doesn't exist",
            &format!("There is no resource of type '{kind}' with id '{id}'"),
        )
    }
    /// RFC 6749 §5.2 error of the token endpoint.
    fn oauth(code: &str, description: &str) -> Self {
        Self::json(
            StatusCode::BAD_REQUEST,
            &json!({"error": code, "error_description": description}),
        )
    }
}

async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let headers = req.headers().clone();
    let body = to_bytes(req.into_body(), 1 << 20).await.unwrap_or_default();
    let answer = match fault_for(&sh, &path) {
        Some(AbmFaultKind::Throttle { retry_after }) => {
            let mut a = Answer::error(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMIT_EXCEEDED",
                "The request rate limit has been reached.",
                "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
            );
            a.retry_after = retry_after;
            a
        }
        Some(AbmFaultKind::HtmlError { status }) => Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body: format!("<!DOCTYPE html><html><head><title>{status} Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>").into_bytes(),
            content_type: "text/html; charset=utf-8",
            retry_after: None,
        },
        fault => {
            let mut org = lock(&sh.org);
            if fault == Some(AbmFaultKind::ExpireTokens) {
                org.tokens.clear();
            }
            route(&sh, &mut org, &method, &path, &query, &headers, &body)
        }
    };
    lock(&sh.log).push(AbmLogEntry {
        method: method.to_string(),
        path,
        status: answer.status.as_u16(),
    });
    let mut resp = Response::new(Body::from(answer.body));
    *resp.status_mut() = answer.status;
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static(answer.content_type),
    );
    if let Some(v) = answer
        .retry_after
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        resp.headers_mut().insert("retry-after", v);
    }
    resp
}

fn params(s: &str) -> HashMap<String, String> {
    url_pairs(s.as_bytes())
}

fn url_pairs(s: &[u8]) -> HashMap<String, String> {
    // `+` is a space in form bodies and queries
    let text = String::from_utf8_lossy(s).replace('+', " ");
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(
    sh: &Shared,
    org: &mut Org,
    method: &Method,
    path: &str,
    query: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Answer {
    if path == "/auth/oauth2/token" || path == "/auth/oauth2/v2/token" {
        if method != Method::POST {
            return Answer::oauth("invalid_request", "use POST");
        }
        // parameters in the query string (Apple's documented form) or in the form body
        let mut p = params(query);
        p.extend(url_pairs(body));
        return token(org, &p);
    }
    let Some(rest) = path.strip_prefix("/v1/") else {
        return Answer::not_found("path", path);
    };
    if let Some(accept) = headers.get("accept").and_then(|v| v.to_str().ok()) {
        if !accept.contains("application/json") && !accept.contains("*/*") {
            return Answer::error(
                StatusCode::NOT_ACCEPTABLE,
                "NOT_ACCEPTABLE",
                "Not acceptable",
                "The Accept header must be application/json",
            );
        }
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let now = org.now;
    let valid = bearer
        .and_then(|t| org.tokens.get(t))
        .is_some_and(|(exp, _)| *exp > now);
    if !valid {
        return Answer::error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Authentication credentials are missing or invalid.",
            "Provide a properly configured and signed bearer token, and make sure that it has not expired.",
        );
    }
    if method != Method::GET {
        return Answer::error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ERROR",
            "This request is forbidden for security reasons",
            "The simulated service is read-only.",
        );
    }
    let q = params(query);
    let base = sh.base();
    let segs: Vec<&str> = rest.split('/').collect();
    match segs.as_slice() {
        ["mdmServers"] => {
            let fields = fields(&q, "mdmServers", Some(SERVER_DEFAULT_FIELDS));
            let all: Vec<&Server> = org.servers.iter().collect();
            paged(&all, &q, &format!("{base}/v1/mdmServers"), |s| {
                server_json(org, s, &fields, &base)
            })
        }
        ["mdmServers", id] => match org.servers.iter().find(|s| s.id == *id) {
            Some(s) => {
                let fields = fields(&q, "mdmServers", None);
                let self_link = format!("{base}/v1/mdmServers/{id}");
                Answer::ok(&json!({"data": server_json(org, s, &fields, &base), "links": {"self": self_link}}))
            }
            None => Answer::not_found("mdmServers", id),
        },
        ["mdmServers", id, "relationships", "devices"] => {
            if !org.servers.iter().any(|s| s.id == *id) {
                return Answer::not_found("mdmServers", id);
            }
            let all: Vec<&Device> = org
                .devices
                .iter()
                .filter(|d| d.server.as_deref() == Some(*id))
                .collect();
            paged(
                &all,
                &q,
                &format!("{base}/v1/mdmServers/{id}/relationships/devices"),
                |d| json!({"type": "orgDevices", "id": d.serial}),
            )
        }
        ["mdmServers", _, "devices"] => Answer::error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ERROR",
            "This request is forbidden for security reasons",
            "The relationship 'devices' does not allow 'GET_RELATED'. Allowed operations are: GET_RELATIONSHIP",
        ),
        ["orgDevices"] => {
            let fields = fields(&q, "orgDevices", None);
            let all: Vec<&Device> = org.devices.iter().collect();
            paged(&all, &q, &format!("{base}/v1/orgDevices"), |d| {
                device_json(d, &fields, &base)
            })
        }
        ["orgDevices", serial] => match org.by_serial.get(*serial).and_then(|i| org.devices.get(*i)) {
            Some(d) => {
                let fields = fields(&q, "orgDevices", None);
                Answer::ok(&json!({"data": device_json(d, &fields, &base), "links": {"self": format!("{base}/v1/orgDevices/{serial}")}}))
            }
            None => Answer::not_found("orgDevices", serial),
        },
        ["orgDevices", serial, "relationships", "assignedServer"] => {
            match org.by_serial.get(*serial).and_then(|i| org.devices.get(*i)) {
                Some(d) => Answer::ok(&json!({
                    "data": d.server.as_ref().map(|s| json!({"type": "mdmServers", "id": s})),
                    "links": {
                        "self": format!("{base}/v1/orgDevices/{serial}/relationships/assignedServer"),
                        "related": format!("{base}/v1/orgDevices/{serial}/assignedServer"),
                    }
                })),
                None => Answer::not_found("orgDevices", serial),
            }
        }
        ["orgDeviceActivities", id] => match org.activities.iter().find(|a| a.id == *id) {
            Some(a) => Answer::ok(&json!({
                "data": {
                    "type": "orgDeviceActivities",
                    "id": a.id,
                    "attributes": {
                        "status": a.status,
                        "subStatus": a.sub_status,
                        "createdDateTime": ts(a.created),
                        "completedDateTime": ts(a.created + Duration::seconds(11)),
                    },
                    "links": {"self": format!("{base}/v1/orgDeviceActivities/{id}")}
                },
                "links": {"self": format!("{base}/v1/orgDeviceActivities/{id}")}
            })),
            None => Answer::not_found("orgDeviceActivities", id),
        },
        _ => Answer::not_found("path", path),
    }
}

/// The sparse fieldset asked for, else `default` (`None`: every attribute).
fn fields(
    q: &HashMap<String, String>,
    kind: &str,
    default: Option<&[&str]>,
) -> Option<Vec<String>> {
    match q.get(&format!("fields[{kind}]")) {
        Some(list) => Some(list.split(',').map(|f| f.trim().to_owned()).collect()),
        None => default.map(|d| d.iter().map(|f| (*f).to_owned()).collect()),
    }
}

fn keep(attributes: Map<String, Value>, fields: &Option<Vec<String>>) -> Map<String, Value> {
    match fields {
        None => attributes,
        Some(f) => attributes
            .into_iter()
            .filter(|(k, _)| f.iter().any(|x| x == k))
            .collect(),
    }
}

fn server_json(org: &Org, s: &Server, fields: &Option<Vec<String>>, base: &str) -> Value {
    let count = org
        .devices
        .iter()
        .filter(|d| d.server.as_deref() == Some(s.id.as_str()))
        .count();
    let mut a = Map::new();
    a.insert("serverName".into(), json!(s.name));
    a.insert("serverType".into(), json!(s.server_type));
    a.insert("status".into(), json!(s.status));
    a.insert("deviceCount".into(), json!(count));
    a.insert("enableMdmDisownFlag".into(), json!(false));
    a.insert("defaultProductFamilies".into(), json!(s.families));
    a.insert(
        "lastConnectedDateTime".into(),
        s.last_connected.map_or(Value::Null, |t| json!(ts(t))),
    );
    a.insert("lastConnectedIp".into(), json!(s.last_ip));
    // whole seconds here, milliseconds elsewhere: Apple mixes both in one document
    a.insert(
        "createdDateTime".into(),
        json!(s.created.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    a.insert(
        "updatedDateTime".into(),
        json!(ts(s.created + Duration::days(1))),
    );
    json!({
        "type": "mdmServers",
        "id": s.id,
        "attributes": keep(a, fields),
        "relationships": {"devices": {"links": {"self": format!("{base}/v1/mdmServers/{}/relationships/devices", s.id)}}},
        "links": {"self": format!("{base}/v1/mdmServers/{}", s.id)}
    })
}

fn device_json(d: &Device, fields: &Option<Vec<String>>, base: &str) -> Value {
    let mut a = Map::new();
    a.insert("serialNumber".into(), json!(d.serial));
    a.insert("addedToOrgDateTime".into(), json!(ts(d.added)));
    a.insert("releasedFromOrgDateTime".into(), Value::Null);
    a.insert(
        "updatedDateTime".into(),
        json!(ts(d.added + Duration::days(1))),
    );
    a.insert("deviceModel".into(), json!(d.model));
    a.insert("productFamily".into(), json!(d.family));
    a.insert("productType".into(), json!(d.product_type));
    a.insert("deviceCapacity".into(), json!("256GB"));
    a.insert("color".into(), json!(""));
    a.insert(
        "status".into(),
        json!(if d.server.is_some() {
            "ASSIGNED"
        } else {
            "UNASSIGNED"
        }),
    );
    a.insert("imei".into(), json!([]));
    a.insert("purchaseSourceUid".into(), json!("-2085650007946880"));
    a.insert("purchaseSourceType".into(), json!("APPLE"));
    a.insert("isMdmMigrationCapable".into(), json!(true));
    if let Some(m) = &d.migration {
        a.insert("mdmMigrationStatus".into(), json!(m));
        a.insert(
            "mdmMigrationDeadlineDateTime".into(),
            json!(ts(d.added + Duration::days(120))),
        );
    }
    json!({
        "type": "orgDevices",
        "id": d.serial,
        "attributes": keep(a, fields),
        "relationships": {
            "assignedServer": {"links": {
                "self": format!("{base}/v1/orgDevices/{}/relationships/assignedServer", d.serial),
                "related": format!("{base}/v1/orgDevices/{}/assignedServer", d.serial),
            }}
        },
        "links": {"self": format!("{base}/v1/orgDevices/{}", d.serial)}
    })
}

/// One page of `all` by `limit` (default 100, at most 1000) and the opaque `cursor`.
fn paged<T>(
    all: &[T],
    q: &HashMap<String, String>,
    self_link: &str,
    json_of: impl Fn(&T) -> Value,
) -> Answer {
    let limit = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            let mut a = Answer::error(
                StatusCode::BAD_REQUEST,
                "PARAMETER_ERROR.INVALID",
                "A parameter has an invalid value",
                "'limit' must be an integer from 1 to 1000",
            );
            if let Ok(mut v) = serde_json::from_slice::<Value>(&a.body) {
                v["errors"][0]["source"] = json!({"parameter": "limit"});
                a.body = serde_json::to_vec(&v).unwrap_or_default();
            }
            return a;
        }
    };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let start = match q.get("cursor") {
        None => 0,
        Some(c) => match b64
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("0:").and_then(|n| n.parse::<usize>().ok()))
        {
            Some(n) => n,
            None => {
                return Answer::error(
                    StatusCode::BAD_REQUEST,
                    "PARAMETER_ERROR.INVALID",
                    "A parameter has an invalid value",
                    "'cursor' is not valid",
                )
            }
        },
    };
    let end = start.saturating_add(limit).min(all.len());
    let data: Vec<Value> = all
        .get(start.min(all.len())..end)
        .unwrap_or(&[])
        .iter()
        .map(json_of)
        .collect();
    let mut links = json!({"self": self_link});
    let mut paging = json!({"limit": limit, "total": all.len()});
    if end < all.len() {
        let cursor = b64.encode(format!("0:{end}"));
        links["next"] = json!(format!("{self_link}?cursor={cursor}&limit={limit}"));
        paging["nextCursor"] = json!(cursor);
    }
    Answer::ok(&json!({"data": data, "links": links, "meta": {"paging": paging}}))
}

fn token(org: &mut Org, p: &HashMap<String, String>) -> Answer {
    if p.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return Answer::oauth(
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    if p.get("client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
        return Answer::oauth(
            "invalid_request",
            "client_assertion_type must be jwt-bearer",
        );
    }
    let client_id = p.get("client_id").cloned().unwrap_or_default();
    if client_id != org.client_id {
        return Answer::oauth("invalid_client", "unknown client_id");
    }
    let expected_scope = if client_id.starts_with("SCHOOLAPI.") {
        "school.api"
    } else {
        "business.api"
    };
    if p.get("scope").map(String::as_str) != Some(expected_scope) {
        return Answer::oauth("invalid_scope", "the scope does not match the client id");
    }
    let assertion = p.get("client_assertion").cloned().unwrap_or_default();
    if let Err(why) = verify(org, &assertion, &client_id) {
        return Answer::oauth("invalid_client", why);
    }
    let token = format!("sim-abm-{}", uuid::Uuid::new_v4().simple());
    let expires = org.now + Duration::seconds(org.token_lifetime);
    org.tokens
        .insert(token.clone(), (expires, expected_scope.to_owned()));
    org.tokens_issued += 1;
    Answer::ok(&json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": org.token_lifetime,
        "scope": expected_scope,
    }))
}

/// Verifies an ES256 client assertion as Apple documents it.
fn verify(org: &mut Org, assertion: &str, client_id: &str) -> Result<(), &'static str> {
    use p256::ecdsa::signature::Verifier as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = assertion.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the client assertion is not a JWT");
    };
    let header: Value = b64
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the JWT header is not base64url JSON")?;
    let claims: Value = b64
        .decode(c)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the JWT claims are not base64url JSON")?;
    if header.get("alg").and_then(Value::as_str) != Some("ES256") {
        return Err("alg must be ES256");
    }
    if header.get("kid").and_then(Value::as_str) != Some(org.key_id.as_str()) {
        return Err("unknown kid");
    }
    let sig = b64
        .decode(s)
        .map_err(|_| "the signature is not base64url")?;
    let sig = p256::ecdsa::Signature::from_slice(&sig)
        .map_err(|_| "the signature must be the 64-byte R||S of ES256")?;
    p256::ecdsa::VerifyingKey::from(&org.public_key)
        .verify(format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "the signature does not verify with the API account's public key")?;
    let claim = |k: &str| claims.get(k).and_then(Value::as_str);
    if claim("aud") != Some(AUDIENCE) {
        return Err("aud must be https://account.apple.com/auth/oauth2/v2/token");
    }
    if claim("sub") != Some(client_id) {
        return Err("sub must be the client id");
    }
    let now = org.now.timestamp();
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or("iat is missing")?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or("exp is missing")?;
    if exp <= now {
        return Err("the client assertion has expired");
    }
    if exp.saturating_sub(iat) > 180 * 86_400 {
        return Err("exp must be less than 180 days after iat");
    }
    if iat > now + 300 {
        return Err("iat is in the future");
    }
    let jti = claim("jti").ok_or("jti is missing")?.to_owned();
    if !org.used_jti.insert(jti) {
        return Err("this client assertion (jti) was already used");
    }
    Ok(())
}
