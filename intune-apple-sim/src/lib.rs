//! A simulated Microsoft Intune tenant that speaks Microsoft Graph over HTTP on loopback.
//!
//! Start it with [`Simulator::start`] (on the caller's tokio runtime) or [`Simulator::spawn`]
//! (on its own runtime, for synchronous callers), then point any Graph client at
//! [`SimHandle::base_url`]. See `docs/simulator.md`.

#![forbid(unsafe_code)]

pub mod abm;
mod faults_paging;
mod identity;
mod latency;
mod mail;
mod policy_settings;
mod profile_rules;
mod profile_seeds;
mod real;
mod seed;
mod server;
mod time;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use identity::{
    FEDERATED_AUDIENCE, FEDERATED_CLIENT_ID, GITHUB_REQUEST_TOKEN, GITHUB_SUBJECT,
    GRAPH_SERVICE_PRINCIPAL_ID, IDENTITY_HEADER, K8S_SUBJECT, LEGACY_MSI_SECRET,
    MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_OBJECT_ID, PUBLIC_CLIENT_ID,
    USER_ASSIGNED_CLIENT_ID, USER_ASSIGNED_OBJECT_ID, USER_ASSIGNED_RESOURCE_ID,
};
pub use latency::{Latency, RouteLatency, ThrottleLimits, MAX_DELAY_MS};
pub use seed::{AppSeed, DepTokenSeed, ProfileSeed, PushCertificateSeed, Seed, VppTokenSeed};

/// What can go wrong starting or driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The seed could not be read.
    #[error("invalid seed: {0}; check the field names against docs/simulator.md")]
    Seed(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1: {0}; choose another port or use port 0")]
    Bind(std::io::Error),
    /// The background runtime could not be built.
    #[error("cannot start the simulator runtime: {0}")]
    Runtime(std::io::Error),
}

/// How many requests the request log keeps (the oldest are dropped beyond it), so that a
/// simulator serving for days holds bounded memory.
pub const LOG_LIMIT: usize = 100_000;

/// One entry of the request log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// HTTP method.
    pub method: String,
    /// Path and query as received.
    pub path: String,
    /// Whether an `Authorization: Bearer` header was sent.
    pub bearer: bool,
    /// Status answered (0 when the connection was dropped instead).
    pub status: u16,
    /// Size of the response body in bytes.
    pub body_size: usize,
    /// The `client-request-id` header sent, if any: the same on every retry of one call.
    #[serde(default)]
    pub client_request_id: Option<String>,
    /// Whether this request was a write that changed state (also when its answer was then
    /// lost to a `resetAfter` or `truncated` fault).
    #[serde(default)]
    pub applied: bool,
    /// Milliseconds the answer was held back by the simulated latency ([`Latency`]).
    #[serde(default)]
    pub delay_ms: u64,
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FaultKind {
    /// Answer 429 with this `Retry-After` header value (e.g. `"2"` or `"0.5"`), not applied.
    Throttle {
        /// Value of the `Retry-After` header.
        retry_after: String,
    },
    /// Answer this status (e.g. 503 or 504) with a Graph error body, not applied.
    Status {
        /// HTTP status.
        status: u16,
    },
    /// Answer 503 with this `Retry-After` header value, not applied (a service asking to come
    /// back later: a write may be resent).
    Unavailable {
        /// Value of the `Retry-After` header.
        retry_after: String,
    },
    /// Apply the request, then answer this status (e.g. 500, 502 or 504) with a Graph error
    /// body: the write happened although the answer says it failed.
    AppliedThenStatus {
        /// HTTP status.
        status: u16,
    },
    /// Wait this many milliseconds, then serve normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Drop the connection before the response; the request is not applied.
    ResetBefore,
    /// Apply the request, then drop the connection instead of answering.
    ResetAfter,
    /// Serve a body that is not JSON.
    Malformed,
    /// Serve the first half of the real body, then drop the connection.
    Truncated,
    /// Rewrite `@odata.nextLink` to point at `http://127.0.0.2:PORT/...`.
    ForeignNextLink,
    /// Expire every issued access token before handling the request.
    ExpireTokens,
    /// Point `@odata.nextLink` at the page just served: the listing repeats forever.
    RepeatNextLink,
    /// Point `@odata.nextLink` (added on a last page) at the listing's first page: the listing
    /// cycles forever.
    CycleNextLink,
    /// Answer with the status of the real answer and a body that never ends.
    EndlessBody,
    /// Answer 429 `TooManyRequests` without a `Retry-After` header (real tenants do), not
    /// applied.
    ThrottleWithoutRetryAfter,
    /// Answer as Intune's query broker does when it throttles: HTTP 500 with "Rate limit
    /// reached because of too many requests to query broker" and no `Retry-After`, not applied.
    QueryBrokerThrottle,
    /// Answer 403 as for an application without the permission: Intune's message lists the
    /// accepted permissions, legacy (`DeviceManagementServiceConfiguration.*`) and current
    /// (`DeviceManagementServiceConfig.*`) names mixed.
    MissingScope,
    /// Serve the answer in the shapes real tenants use where the documentation shows others:
    /// every `@odata.type` removed (collection members, expanded navigation properties, nested
    /// complex types), `@odata.count` on every collection although `$count` was not asked, and
    /// 200 with an empty body instead of 204.
    RealShapes,
    /// Answer 403 as Intune does when the application has the permission but its Intune role,
    /// scope tags or the tenant's licence refuse the call: `UnknownError` wrapping
    /// `{"ErrorCode":"Forbidden","Message":"<Intune's JSON document>"}`, three levels deep.
    IntuneRefused,
}

/// A fault rule: which requests it hits and what it does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Method to match (`None`: any).
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match: exact path (no query), or a prefix when it ends with `*`.
    pub path: String,
    /// Hit only the n-th call of this method and path (1-based, counted since the simulator
    /// started or the faults were last cleared; `None`: every matching call).
    #[serde(default)]
    pub nth: Option<u64>,
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
}

/// A fault as a binding's caller states it, field by field: one spelling of the kinds (Graph's
/// camelCase, or its snake_case form as Python writes it) and one set of checks for every face.
///
/// ```
/// use intune_apple_sim::FaultSpec;
///
/// let fault = FaultSpec {
///     method: Some("GET".into()),
///     path: "/beta/deviceAppManagement/vppTokens".into(),
///     kind: "query_broker_throttle".into(),
///     nth: Some(1),
///     ..FaultSpec::default()
/// }
/// .into_fault()?;
/// assert_eq!(fault.nth, Some(1));
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSpec {
    /// Method to match (`None`: any).
    pub method: Option<String>,
    /// Path to match: exact path (no query), or a prefix when it ends with `*`.
    pub path: String,
    /// Hit only the n-th matching call (1-based).
    pub nth: Option<u64>,
    /// What happens: a [`FaultKind`] tag, camelCase (`intuneRefused`) or snake_case
    /// (`intune_refused`).
    pub kind: String,
    /// `throttle`: the `Retry-After` value.
    pub retry_after: Option<String>,
    /// `status` and `appliedThenStatus`: the HTTP status.
    pub status: Option<u16>,
    /// `delay`: milliseconds.
    pub ms: Option<u64>,
}

impl FaultSpec {
    /// The fault, or a message naming what is wrong (an unknown kind, a missing field).
    ///
    /// # Errors
    /// When the kind is not one of [`FaultKind`]'s or lacks a field it needs.
    pub fn into_fault(self) -> Result<Fault, String> {
        let kind = self
            .kind
            .split('_')
            .enumerate()
            .fold(String::new(), |mut out, (n, part)| {
                let mut chars = part.chars();
                if let (true, Some(first)) = (n > 0, chars.next()) {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                } else {
                    out.push_str(part);
                }
                out
            });
        let mut spec = serde_json::json!({
            "method": self.method,
            "path": self.path,
            "nth": self.nth,
            "kind": kind,
        });
        if let Some(obj) = spec.as_object_mut() {
            if let Some(v) = self.retry_after {
                obj.insert("retry_after".into(), v.into());
            }
            if let Some(v) = self.status {
                obj.insert("status".into(), v.into());
            }
            if let Some(v) = self.ms {
                obj.insert("ms".into(), v.into());
            }
        }
        serde_json::from_value(spec)
            .map_err(|e| format!("invalid fault {:?}: {e} (see docs/simulator.md)", self.kind))
    }
}

impl Fault {
    /// A fault on every call of `method path`.
    #[must_use]
    pub fn new(method: &str, path: &str, kind: FaultKind) -> Self {
        Self {
            method: Some(method.to_string()),
            path: path.to_string(),
            nth: None,
            kind,
        }
    }

    /// Restricts the fault to the n-th matching call (1-based).
    #[must_use]
    pub fn nth(mut self, n: u64) -> Self {
        self.nth = Some(n);
        self
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        method_ok && path_ok
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Credentials of the applications registered in the simulated tenant.
pub const CLIENT_ID: &str = "11111111-aaaa-4bbb-8ccc-000000000001";
/// Secret of [`CLIENT_ID`] (test-only).
pub const CLIENT_SECRET: &str = "sim-secret-read-write";
/// An application granted read-only permissions: its writes get 403.
pub const READ_ONLY_CLIENT_ID: &str = "11111111-aaaa-4bbb-8ccc-000000000002";
/// Secret of [`READ_ONLY_CLIENT_ID`] (test-only).
pub const READ_ONLY_CLIENT_SECRET: &str = "sim-secret-read-only";
/// An application that authenticates with the test certificate in `fixtures/`.
pub const CERT_CLIENT_ID: &str = "11111111-aaaa-4bbb-8ccc-000000000003";
/// Test-only certificate of [`CERT_CLIENT_ID`] (PEM).
pub const CERT_CLIENT_CERT_PEM: &str = include_str!("../fixtures/client-cert.pem");
/// Test-only private key of [`CERT_CLIENT_ID`] (PKCS#8 PEM); never use it outside tests.
pub const CERT_CLIENT_KEY_PEM: &str = include_str!("../fixtures/client-key.pem");

/// Entry point.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Starts a simulator on the caller's tokio runtime, listening on 127.0.0.1 (random port).
    ///
    /// # Errors
    /// [`SimError::Bind`] when the socket cannot be opened.
    pub async fn start(seed: Seed) -> Result<SimHandle, SimError> {
        Self::start_on(seed, 0).await
    }

    /// Starts a simulator on the caller's tokio runtime on the given port (0: random).
    ///
    /// # Errors
    /// [`SimError::Bind`] when the socket cannot be opened.
    pub async fn start_on(seed: Seed, port: u16) -> Result<SimHandle, SimError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(SimError::Bind)?;
        let addr = listener.local_addr().map_err(SimError::Bind)?;
        let shared = Arc::new(server::Shared::new(&seed, addr));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(SimHandle {
            shared,
            addr,
            shutdown: Mutex::new(Some(tx)),
            _runtime: None,
        })
    }

    /// Starts a simulator on its own runtime on a background thread (for synchronous callers).
    ///
    /// # Errors
    /// [`SimError::Runtime`] or [`SimError::Bind`].
    pub fn spawn(seed: Seed) -> Result<SimHandle, SimError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(SimError::Runtime)?;
        let mut handle = rt.block_on(Self::start(seed))?;
        handle._runtime = Some(rt);
        Ok(handle)
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    shutdown: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    _runtime: Option<tokio::runtime::Runtime>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`; Graph lives under `{base}/v1.0` and `{base}/beta`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Authority host (same as the base); tokens at `{base}/{tenant}/oauth2/v2.0/token`.
    #[must_use]
    pub fn authority_host(&self) -> String {
        self.base_url()
    }
    /// Token endpoint of the tenant.
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.base_url(), self.tenant_id())
    }
    /// The socket address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Tenant id.
    #[must_use]
    pub fn tenant_id(&self) -> String {
        self.shared.tenant_id.clone()
    }
    /// Client id of the read-write application.
    #[must_use]
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }
    /// Client secret of the read-write application (test-only).
    #[must_use]
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }
    /// Client id and secret of the read-only application.
    #[must_use]
    pub fn read_only_client(&self) -> (&'static str, &'static str) {
        (READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET)
    }
    /// Client id of the certificate application and the paths of its test-only certificate and
    /// private key (PEM files in the crate's `fixtures/`; the same text as
    /// [`CERT_CLIENT_CERT_PEM`] and [`CERT_CLIENT_KEY_PEM`]).
    #[must_use]
    pub fn cert_client(&self) -> (&'static str, std::path::PathBuf, std::path::PathBuf) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        (
            CERT_CLIENT_ID,
            dir.join("client-cert.pem"),
            dir.join("client-key.pem"),
        )
    }
    /// Requests received so far, oldest first: the last [`LOG_LIMIT`] of them.
    #[must_use]
    pub fn request_log(&self) -> Vec<LogEntry> {
        lock(&self.shared.log).iter().cloned().collect()
    }
    /// Number of writes that changed state.
    #[must_use]
    pub fn writes_applied(&self) -> u64 {
        self.shared.writes.load(std::sync::atomic::Ordering::SeqCst)
    }
    /// Adds a fault rule.
    pub fn add_fault(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }
    /// Removes every fault rule and restarts the per-route call counts used by `nth`.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
        lock(&self.shared.calls).clear();
    }
    /// Expires every access token issued so far.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tenant).tokens.clear();
    }
    /// Turns Intune's per-tenant throttle on or off.
    pub fn set_throttle(&self, on: bool) {
        lock(&self.shared.tenant).throttle = on;
    }
    /// Turns Intune's per-application throttle (100 writes / 1,000 requests per 20 s for each
    /// application) on or off.
    pub fn set_app_throttle(&self, on: bool) {
        lock(&self.shared.tenant).app_throttle = on;
    }
    /// Sets the delay of every answer from now on (see [`Latency`]).
    pub fn set_latency(&self, latency: Latency) {
        *lock(&self.shared.latency) = latency;
    }
    /// The delay in force.
    #[must_use]
    pub fn latency(&self) -> Latency {
        lock(&self.shared.latency).clone()
    }
    /// Sets the limits of the throttles (window, counts, logical or real time) and forgets
    /// the requests counted so far.
    pub fn set_throttle_limits(&self, limits: ThrottleLimits) {
        let mut t = lock(&self.shared.tenant);
        t.throttle_limits = limits;
        t.clear_throttle_counts();
    }
    /// Sets how long a sync with Apple runs once triggered, on the logical clock (zero: it ends
    /// at once). While it runs, another sync of the same token answers 409.
    pub fn set_dep_sync_duration(&self, duration: chrono::Duration) {
        lock(&self.shared.tenant).dep_sync_duration = duration.max(chrono::Duration::zero());
    }
    /// Sets the page size of collections.
    pub fn set_page_size(&self, n: usize) {
        lock(&self.shared.tenant).page_size = n.max(1);
    }
    /// The logical clock.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        lock(&self.shared.tenant).now
    }
    /// Sets the logical clock (kept between 1970 and the year 9000).
    pub fn set_now(&self, now: DateTime<Utc>) {
        lock(&self.shared.tenant).now = time::clamp_clock(now);
    }
    /// Moves the logical clock (saturating at the ends of its range).
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = lock(&self.shared.tenant);
        t.now = time::clamp_clock(time::add(t.now, by));
    }
    /// Stops the server (also done on drop).
    pub fn shutdown(&self) {
        if let Some(tx) = lock(&self.shutdown).take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown();
        if let Some(rt) = self._runtime.take() {
            rt.shutdown_background();
        }
    }
}
