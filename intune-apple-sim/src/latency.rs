//! Simulated network and service latency, and the limits of Intune's throttles.
//!
//! Real Graph answers in 100 to 300 ms; the simulator on loopback answers in well under one.
//! A [`Latency`] holds every answer back by a fixed delay plus a jitter, optionally different
//! per route, so that benchmarks can measure what a workflow costs against a real tenant's
//! round trips. The jitter is deterministic: it is derived from [`Latency::jitter_seed`], the
//! request's method and path and how many calls of that method and path came before, so two
//! runs of the same requests see the same delays whatever their interleaving. The wait uses
//! tokio's timer (no thread is blocked).

use serde::{Deserialize, Serialize};

/// The longest delay the simulator applies to one answer (an hour): a larger number is cut to it.
pub const MAX_DELAY_MS: u64 = 3_600_000;

/// The delay of every answer: `fixed_ms` plus a jitter in `0..=jitter_ms`, or the values of the
/// first matching entry of `routes`.
///
/// JSON (seed field `latency`, `POST /_sim/latency`):
/// `{"fixedMs": 150, "jitterMs": 20, "jitterSeed": 7, "routes": [{"method": "GET", "path": "/beta/deviceManagement/*", "fixedMs": 300}]}`.
///
/// ```
/// use intune_apple_sim::Latency;
/// let latency = Latency::fixed(150).with_jitter(20, 7).route(Some("GET"), "/beta/*", 300, 0);
/// assert_eq!(latency.delay_ms("GET", "/beta/deviceManagement/depOnboardingSettings", 1), 300);
/// let d = latency.delay_ms("GET", "/v1.0/deviceAppManagement/vppTokens", 1);
/// assert!((150..=170).contains(&d));
/// assert_eq!(d, latency.delay_ms("GET", "/v1.0/deviceAppManagement/vppTokens", 1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Latency {
    /// Milliseconds every answer waits.
    pub fixed_ms: u64,
    /// The most milliseconds added on top, chosen per request from the seed.
    pub jitter_ms: u64,
    /// The seed of the jitter.
    pub jitter_seed: u64,
    /// Per-route delays, the first matching one applies instead of the defaults above.
    pub routes: Vec<RouteLatency>,
}

/// The delay of the requests of one route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RouteLatency {
    /// Method to match (`None`: any).
    pub method: Option<String>,
    /// Path to match: exact (no query), or a prefix when it ends with `*`.
    pub path: String,
    /// Milliseconds every answer of this route waits.
    pub fixed_ms: u64,
    /// The most milliseconds added on top.
    pub jitter_ms: u64,
}

impl Latency {
    /// No delay (the default).
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// `ms` milliseconds on every answer, no jitter.
    #[must_use]
    pub fn fixed(ms: u64) -> Self {
        Self {
            fixed_ms: ms,
            ..Self::default()
        }
    }

    /// Adds a jitter of up to `ms` milliseconds drawn from `seed`.
    #[must_use]
    pub fn with_jitter(mut self, ms: u64, seed: u64) -> Self {
        self.jitter_ms = ms;
        self.jitter_seed = seed;
        self
    }

    /// Adds a route with its own delay (matched like a fault's path: exact, or a prefix ending
    /// in `*`).
    #[must_use]
    pub fn route(
        mut self,
        method: Option<&str>,
        path: &str,
        fixed_ms: u64,
        jitter_ms: u64,
    ) -> Self {
        self.routes.push(RouteLatency {
            method: method.map(str::to_owned),
            path: path.to_owned(),
            fixed_ms,
            jitter_ms,
        });
        self
    }

    /// Whether any answer is delayed.
    #[must_use]
    pub fn is_none(&self) -> bool {
        self.fixed_ms == 0
            && self.jitter_ms == 0
            && self
                .routes
                .iter()
                .all(|r| r.fixed_ms == 0 && r.jitter_ms == 0)
    }

    /// The delay in milliseconds of the `nth` call (1-based) of `method path`, at most
    /// [`MAX_DELAY_MS`].
    #[must_use]
    pub fn delay_ms(&self, method: &str, path: &str, nth: u64) -> u64 {
        let (fixed, jitter) = self
            .routes
            .iter()
            .find(|r| {
                let method_ok = r
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method));
                let path_ok = match r.path.strip_suffix('*') {
                    Some(prefix) => path.starts_with(prefix),
                    None => path == r.path,
                };
                method_ok && path_ok
            })
            .map_or((self.fixed_ms, self.jitter_ms), |r| {
                (r.fixed_ms, r.jitter_ms)
            });
        let extra = if jitter == 0 {
            0
        } else {
            let mut h = self.jitter_seed ^ 0x9e37_79b9_7f4a_7c15;
            for b in method.bytes().chain([b' ']).chain(path.bytes()) {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            splitmix64(h ^ nth) % jitter.saturating_add(1)
        };
        fixed.saturating_add(extra).min(MAX_DELAY_MS)
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The limits of Intune's throttles (when they are on: [`crate::Seed::throttle`],
/// [`crate::Seed::app_throttle`]): Intune's numbers by default, per 20 s of the logical clock.
///
/// Benchmarks shrink the window (e.g. 2 s with the same counts) and count on real time
/// (`real_time`), so that a paced workflow finishes in seconds. JSON (seed field
/// `throttleLimits`, or the same fields in `POST /_sim/throttle`):
/// `{"windowMs": 2000, "realTime": true, "tenantRequests": 2000, "tenantWrites": 200, "appRequests": 1000, "appWrites": 100}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ThrottleLimits {
    /// Length of the sliding window, in milliseconds (Intune: 20,000).
    pub window_ms: u64,
    /// Whether the window counts real (monotonic) time instead of the logical clock.
    pub real_time: bool,
    /// Requests of all applications per window (Intune: 2,000).
    pub tenant_requests: usize,
    /// Writes of all applications per window (Intune: 200).
    pub tenant_writes: usize,
    /// Requests of one application per window (Intune: 1,000).
    pub app_requests: usize,
    /// Writes of one application per window (Intune: 100).
    pub app_writes: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self::intune()
    }
}

impl ThrottleLimits {
    /// Intune's limits: per tenant 2,000 requests and 200 writes, per application in the tenant
    /// 1,000 and 100, in any 20 s.
    #[must_use]
    pub fn intune() -> Self {
        Self {
            window_ms: 20_000,
            real_time: false,
            tenant_requests: 2000,
            tenant_writes: 200,
            app_requests: 1000,
            app_writes: 100,
        }
    }
}
