//! The HTTP side: the tenant state, the request path from authentication to the resource that
//! answers, and one file per resource.
//!
//! A request goes through [`faults`] (the injected fault that applies, the call log), then
//! [`dispatch`]: the simulator's own controls ([`control`]), the identity endpoints
//! (`crate::identity`), the token endpoint ([`auth`]), then for a Graph call the bearer check
//! ([`auth`]), Intune's throttles ([`throttle`]) and the routes of each resource in [`ROUTES`]
//! order: [`push`] (the Apple push certificate), [`vpp`] (VPP tokens, their licences and data
//! sharing consent), [`enrollment_program`] (enrollment program tokens, which hand their
//! enrollment profiles to [`enrollment_profiles`] and their imported devices to [`devices`])
//! and [`apps`] (VPP apps and their assignments). Collections are served by [`paging`].

mod apps;
mod auth;
mod control;
mod devices;
mod enrollment_profiles;
mod enrollment_program;
mod faults;
mod paging;
mod push;
mod throttle;
mod vpp;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Method, StatusCode};
use axum::Router;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::seed::Seed;
use crate::time::{clamp_clock, seconds};
use crate::{Fault, LogEntry};

pub(crate) use auth::bearer;
pub(crate) use paging::url_decode_pairs;

const GRAPH: &str = "https://graph.microsoft.com";

pub(crate) struct TokenInfo {
    pub(crate) expires: DateTime<Utc>,
    pub(crate) read_only: bool,
    pub(crate) client_id: &'static str,
}

pub(crate) struct Tenant {
    pub(crate) now: DateTime<Utc>,
    pub(crate) tokens: HashMap<String, TokenInfo>,
    pub(crate) throttle: bool,
    pub(crate) app_throttle: bool,
    pub(crate) page_size: usize,
    pub(crate) dep_sync_duration: Duration,
    /// The Apple Configurator key listed among the tokens ([`crate::Seed::apple_configurator_key`]).
    pub(crate) apple_configurator_key: Option<String>,
    pub(crate) token_lifetime: i64,
    push: Option<push::PushCert>,
    devices_unreachable_since: Option<DateTime<Utc>>,
    dep: Vec<enrollment_program::DepToken>,
    vpp: Vec<vpp::VppToken>,
    apps: Vec<apps::App>,
    recent: Vec<throttle::Counted>,
    /// The limits of the throttles (window, counts, which clock).
    pub(crate) throttle_limits: crate::ThrottleLimits,
    /// When the simulator started, for throttles that count real time.
    started: tokio::time::Instant,
    push_id_counter: u64,
}

impl Tenant {
    /// Forgets the requests the throttles counted (their limits or clock changed).
    pub(crate) fn clear_throttle_counts(&mut self) {
        self.recent.clear();
    }
}

pub(crate) struct Shared {
    pub(crate) tenant_id: String,
    pub(crate) tenant: Mutex<Tenant>,
    pub(crate) faults: Mutex<Vec<Fault>>,
    /// The delay of every answer.
    pub(crate) latency: Mutex<crate::Latency>,
    pub(crate) calls: Mutex<HashMap<(String, String), u64>>,
    pub(crate) log: Mutex<VecDeque<LogEntry>>,
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
        Self {
            tenant_id: seed.tenant_id.clone(),
            tenant: Mutex::new(Tenant {
                now,
                tokens: HashMap::new(),
                throttle: seed.throttle,
                app_throttle: seed.app_throttle,
                page_size: seed.page_size.max(1),
                dep_sync_duration: seconds(seed.dep_sync_duration_secs.max(0)),
                apple_configurator_key: seed.apple_configurator_key.clone(),
                token_lifetime: seed.token_lifetime_secs,
                push: seed
                    .push_certificate
                    .as_ref()
                    .map(|p| push::PushCert::seeded(p, now)),
                devices_unreachable_since: None,
                dep: seed
                    .dep_tokens
                    .iter()
                    .map(|d| enrollment_program::DepToken::seeded(d, now))
                    .collect(),
                vpp: seed
                    .vpp_tokens
                    .iter()
                    .map(|v| vpp::VppToken::seeded(v, now))
                    .collect(),
                apps: seed.apps.iter().map(apps::App::seeded).collect(),
                recent: Vec::new(),
                throttle_limits: seed.throttle_limits,
                started: tokio::time::Instant::now(),
                push_id_counter: 1,
            }),
            faults: Mutex::new(Vec::new()),
            latency: Mutex::new(seed.latency.clone()),
            calls: Mutex::new(HashMap::new()),
            log: Mutex::new(VecDeque::new()),
            writes: AtomicU64::new(0),
            addr,
            identity: crate::identity::IdentityState::default(),
        }
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(crate::mail::routes())
        .fallback(faults::handle)
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

/// A Graph call that passed authentication and the throttles: what the routes of a resource
/// read.
struct Call<'a> {
    method: &'a Method,
    /// `v1.0` or `beta`.
    version: &'a str,
    beta: bool,
    /// The segments after the version.
    rest: &'a [&'a str],
    /// `http://{addr}/{version}`, the start of next links.
    base: String,
    q: HashMap<String, String>,
    /// The request body as JSON (null when empty).
    body: Value,
    now: DateTime<Utc>,
}

/// The routes of one resource: an answer when the call is theirs, `None` to let the next ones
/// try.
type Routes = fn(&mut Tenant, &Call<'_>) -> Option<Answer>;

/// The resources' routes, tried in this order; a call none of them takes is not found.
const ROUTES: &[Routes] = &[
    push::routes,
    vpp::routes,
    enrollment_program::routes,
    enrollment_profiles::routes,
    apps::routes,
];

#[allow(clippy::too_many_arguments)]
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
        let mut a = control::sim_control(sh, t, method, &segs[1..], body);
        a.write = false;
        return a;
    }
    // Managed identity, federation, device code, service principals.
    if let Some(a) = crate::identity::dispatch(sh, t, method, &segs, query, headers, body) {
        return a;
    }
    // Token endpoint.
    if segs.len() == 4 && segs[1..] == ["oauth2", "v2.0", "token"] && method == Method::POST {
        return auth::token_endpoint(sh, t, segs[0], body);
    }
    let (version, rest) = match segs.split_first() {
        Some((v, rest)) if *v == "v1.0" || *v == "beta" => (*v, rest),
        _ => return Answer::not_found(now),
    };
    let app = match auth::caller(t, headers, write) {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    if let Some(throttled) = throttle::admit(t, write, app) {
        return throttled;
    }
    let body_json: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return Answer::bad_request(&format!("Invalid JSON body: {e}"), now),
        }
    };
    let call = Call {
        method,
        version,
        beta: version == "beta",
        rest,
        base: format!("http://{}/{version}", sh.addr),
        q: paging::query_params(query),
        body: body_json,
        now,
    };
    ROUTES
        .iter()
        .find_map(|routes| routes(t, &call))
        .unwrap_or_else(|| Answer::not_found(now))
}
