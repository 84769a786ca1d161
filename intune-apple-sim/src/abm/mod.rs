//! A simulated Apple Business API (and its token endpoint) over HTTP on loopback, on its own
//! listener: the organisation's devices, its MDM servers and their device assignments, device
//! activities, the OAuth token endpoint verifying ES256 client assertions against the API
//! account's public key, and injectable faults. See `docs/simulator.md`.
//!
//! Its JSON is written from Apple's documentation, independently of the client's model.

mod seed;
mod server;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use p256::pkcs8::EncodePrivateKey as _;
use serde::{Deserialize, Serialize};

pub use seed::{
    ActivitySeed, DeviceSeed, OrgSeed, ServerSeed, CONFIGURATOR_SERVER_ID, DEMO_CLIENT_ID,
    DEMO_KEY_ID, MAIN_SERVER_ID, RETAIL_SERVER_ID, RETIRED_SERVER_ID,
};

use crate::{lock, SimError};

/// What a fault does to a matching request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AbmFaultKind {
    /// Answer 429 with Apple's `ErrorResponse`, with this `Retry-After` (seconds) or none.
    Throttle {
        /// Value of the `Retry-After` header, if any.
        #[serde(default)]
        retry_after: Option<String>,
    },
    /// Answer this status (e.g. 502, 503) with an HTML page, as a proxy or a maintenance page does.
    HtmlError {
        /// HTTP status.
        status: u16,
    },
    /// Expire every issued access token before handling the request (the next API call gets 401).
    ExpireTokens,
}

/// A fault rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AbmFault {
    /// Path to match: exact (no query), or a prefix when it ends with `*`.
    pub path: String,
    /// Hit only the n-th matching call (1-based); `None`: every one.
    #[serde(default)]
    pub nth: Option<u64>,
    /// What happens.
    #[serde(flatten)]
    pub kind: AbmFaultKind,
}

impl AbmFault {
    /// A fault on every call of `path`.
    #[must_use]
    pub fn new(path: &str, kind: AbmFaultKind) -> Self {
        Self {
            path: path.to_owned(),
            nth: None,
            kind,
        }
    }

    /// Only the n-th matching call (1-based).
    #[must_use]
    pub fn nth(mut self, n: u64) -> Self {
        self.nth = Some(n);
        self
    }

    fn matches(&self, path: &str) -> bool {
        match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        }
    }
}

/// One request the simulated service received.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AbmLogEntry {
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Status answered.
    pub status: u16,
}

/// Entry point.
#[derive(Debug)]
pub struct AppleBusinessSimulator;

impl AppleBusinessSimulator {
    /// Starts a simulated organisation on the caller's tokio runtime, on 127.0.0.1 (random
    /// port), with a fresh P-256 key pair for its API account.
    ///
    /// # Errors
    /// [`SimError::Bind`] when the socket cannot be opened.
    pub async fn start(seed: OrgSeed) -> Result<AbmSimHandle, SimError> {
        Self::start_on(seed, 0).await
    }

    /// As [`AppleBusinessSimulator::start`] on the given port (0: random).
    ///
    /// # Errors
    /// [`SimError::Bind`] when the socket cannot be opened.
    pub async fn start_on(seed: OrgSeed, port: u16) -> Result<AbmSimHandle, SimError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(SimError::Bind)?;
        let addr = listener.local_addr().map_err(SimError::Bind)?;
        let key = loop {
            let bytes: [u8; 32] = rand::random();
            if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
                break k;
            }
        };
        let private_pem = key
            .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
            .map(|p| p.to_string())
            .unwrap_or_default();
        let shared = Arc::new(server::Shared::new(&seed, addr, key.public_key()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(AbmSimHandle {
            shared,
            addr,
            client_id: seed.client_id,
            key_id: seed.key_id,
            private_pem,
            shutdown: Mutex::new(Some(tx)),
            runtime: None,
        })
    }

    /// Starts a simulated organisation on its own runtime (for synchronous callers).
    ///
    /// # Errors
    /// [`SimError::Runtime`] or [`SimError::Bind`].
    pub fn spawn(seed: OrgSeed) -> Result<AbmSimHandle, SimError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(SimError::Runtime)?;
        let mut handle = rt.block_on(Self::start(seed))?;
        handle.runtime = Some(rt);
        Ok(handle)
    }
}

/// A running simulated Apple Business service. Dropping it stops the server.
pub struct AbmSimHandle {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    client_id: String,
    key_id: String,
    private_pem: String,
    shutdown: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl AbmSimHandle {
    /// `http://127.0.0.1:PORT`, the API root (`{base}/v1/...`).
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The token endpoint, `{base}/auth/oauth2/token` (`/auth/oauth2/v2/token` works too).
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}/auth/oauth2/token", self.base_url())
    }
    /// The API account's client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    /// The API account's key id.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
    /// The API account's private key (PKCS#8 PEM), made at start; test-only, never a real key.
    #[must_use]
    pub fn private_key_pem(&self) -> &str {
        &self.private_pem
    }
    /// Requests received so far, oldest first.
    #[must_use]
    pub fn request_log(&self) -> Vec<AbmLogEntry> {
        lock(&self.shared.log).clone()
    }
    /// Token requests that were granted.
    #[must_use]
    pub fn tokens_issued(&self) -> u64 {
        lock(&self.shared.org).tokens_issued
    }
    /// Adds a fault rule.
    pub fn add_fault(&self, fault: AbmFault) {
        lock(&self.shared.faults).push(fault);
    }
    /// Removes every fault rule and restarts the counts used by `nth`.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
        lock(&self.shared.calls).clear();
    }
    /// Expires every access token issued so far.
    pub fn expire_tokens(&self) {
        lock(&self.shared.org).tokens.clear();
    }
    /// The logical clock (starts at the real time; tokens and assertions are judged by it).
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        lock(&self.shared.org).now
    }
    /// Moves the logical clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        lock(&self.shared.org).now += by;
    }
    /// Stops the server (also done on drop).
    pub fn shutdown(&self) {
        if let Some(tx) = lock(&self.shutdown).take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for AbmSimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AbmSimHandle")
            .field("addr", &self.addr)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Drop for AbmSimHandle {
    fn drop(&mut self) {
        self.shutdown();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

pub(crate) fn fault_for(shared: &server::Shared, path: &str) -> Option<AbmFaultKind> {
    let faults = lock(&shared.faults);
    let mut calls = lock(&shared.calls);
    let mut hit = None;
    for (i, f) in faults.iter().enumerate() {
        if !f.matches(path) {
            continue;
        }
        let n = calls.entry(format!("{i}")).or_insert(0);
        *n += 1;
        if hit.is_none() && f.nth.is_none_or(|k| k == *n) {
            hit = Some(f.kind.clone());
        }
    }
    hit
}
