//! Pacing: the client keeps its requests under Intune's throttles instead of running into them.
//!
//! Intune throttles each tenant (2,000 requests and 200 writes in any 20 s, all applications
//! together) and each application in a tenant (1,000 requests and 100 writes). A workflow that
//! writes faster (a repair of hundreds of apps, thousands of assignments) would otherwise be
//! answered 429 and wait the `Retry-After` of each refusal. Every client of one tenant and
//! Graph root in the process shares one [`Limiter`] (a registry keyed by the Graph root and the
//! tenant; applications are told apart inside it), so that clients built separately (one per
//! task, one per binding call) are paced together.
//!
//! A request reserves the earliest instant at which it fits every window that applies (the
//! request windows for every call, the write windows too for a write) and waits until then on
//! the client's clock. A window of `n` per `w` admits an instant `x` when fewer than `n`
//! reservations lie within `w` either side of it, so that a reservation made ahead (a write
//! waiting its turn) is never crowded out by a later one. Reads wait only when the request
//! budget is spent; writes queue behind each other once the write budget is. The lock is never
//! held across a wait, and a wait longer than what is left of the call's operation timeout is
//! refused at once (nothing reserved, nothing sent).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;

/// The rates a client keeps to, per tenant and per application in a tenant (see
/// [`ClientBuilder::pacing`](super::ClientBuilder::pacing)). Default: [`Pacing::intune`].
///
/// ```
/// use intune_apple_core::graph::Pacing;
/// use std::time::Duration;
/// let pacing = Pacing::intune();
/// assert_eq!((pacing.app_writes, pacing.window), (100, Duration::from_secs(20)));
/// // A simulator whose windows are shortened to 2 s with the same counts:
/// let short = Pacing::intune().with_window(Duration::from_secs(2));
/// assert_eq!(short.margin, Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pacing {
    /// Length of the sliding window (Intune: 20 s).
    pub window: Duration,
    /// Added to the window on the client's side, for the difference between when a request
    /// leaves and when the service counts it (default a twentieth of the window).
    pub margin: Duration,
    /// Requests of all applications of the tenant per window (Intune: 2,000).
    pub tenant_requests: usize,
    /// Writes of all applications of the tenant per window (Intune: 200).
    pub tenant_writes: usize,
    /// Requests of one application per window (Intune: 1,000).
    pub app_requests: usize,
    /// Writes of one application per window (Intune: 100).
    pub app_writes: usize,
}

impl Default for Pacing {
    fn default() -> Self {
        Self::intune()
    }
}

impl Pacing {
    /// Intune's limits: per tenant 2,000 requests and 200 writes, per application 1,000 and
    /// 100, in any 20 s; a margin of 1 s.
    #[must_use]
    pub fn intune() -> Self {
        Self {
            window: Duration::from_secs(20),
            margin: Duration::from_secs(1),
            tenant_requests: 2000,
            tenant_writes: 200,
            app_requests: 1000,
            app_writes: 100,
        }
    }

    /// The same counts over another window, with a margin of a twentieth of it.
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self.margin = window / 20;
        self
    }

    /// The window the client keeps to: the service's plus the margin.
    fn span(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.window.saturating_add(self.margin))
            .unwrap_or(chrono::Duration::MAX)
    }
}

/// Reservations of one window, oldest first.
#[derive(Debug, Default)]
struct Window(VecDeque<DateTime<Utc>>);

impl Window {
    /// Drops reservations that no longer count at `now`.
    fn expire(&mut self, now: DateTime<Utc>, span: chrono::Duration) {
        while self.0.front().is_some_and(|&e| e <= now - span) {
            self.0.pop_front();
        }
    }

    /// Reservations strictly within `span` either side of `x`.
    fn around(&self, x: DateTime<Utc>, span: chrono::Duration) -> usize {
        let below = self.0.partition_point(|&e| e <= x - span);
        let above = self.0.partition_point(|&e| e < x + span);
        above.saturating_sub(below)
    }

    /// The earliest instant from `from` on at which this window admits one more of `limit`.
    fn earliest(&self, from: DateTime<Utc>, limit: usize, span: chrono::Duration) -> DateTime<Utc> {
        if limit == 0 {
            return from;
        }
        if self.around(from, span) < limit {
            return from;
        }
        // The count only falls when an instant moves past a reservation's span.
        self.0
            .iter()
            .map(|&e| e + span)
            .filter(|&x| x > from)
            .find(|&x| self.around(x, span) < limit)
            .unwrap_or_else(|| self.0.back().map_or(from, |&e| e + span))
    }

    fn insert(&mut self, at: DateTime<Utc>) {
        let i = self.0.partition_point(|&e| e <= at);
        self.0.insert(i, at);
    }
}

#[derive(Debug, Default)]
struct Windows {
    requests: Window,
    writes: Window,
}

#[derive(Debug, Default)]
struct State {
    tenant: Windows,
    apps: HashMap<String, Windows>,
}

/// The pacing of one tenant (and Graph root), shared by every client of it in the process.
#[derive(Debug)]
pub(crate) struct Limiter {
    pacing: Pacing,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

type Registry = Mutex<HashMap<(String, String, Pacing), Weak<Limiter>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

impl Limiter {
    /// The limiter of `tenant` at `root` with these rates: the one other clients of the
    /// process use, or a new one on `clock` (the first client's clock paces them all).
    pub(crate) fn shared(
        root: &str,
        tenant: &str,
        pacing: Pacing,
        clock: &Arc<dyn Clock>,
    ) -> Arc<Self> {
        let mut map = registry().lock().unwrap_or_else(PoisonError::into_inner);
        let key = (root.to_owned(), tenant.to_owned(), pacing);
        if let Some(limiter) = map.get(&key).and_then(Weak::upgrade) {
            return limiter;
        }
        map.retain(|_, w| w.strong_count() > 0);
        let limiter = Arc::new(Self {
            pacing,
            clock: Arc::clone(clock),
            state: Mutex::new(State::default()),
        });
        map.insert(key, Arc::downgrade(&limiter));
        limiter
    }

    /// Reserves a slot for one request of application `app` and waits for it. `Err(wait)`
    /// when the slot is further away than `budget` (nothing is reserved).
    pub(crate) async fn admit(
        &self,
        app: &str,
        write: bool,
        budget: Duration,
    ) -> Result<(), Duration> {
        let now = self.clock.monotonic();
        let at = self.reserve(app, write, now, budget)?;
        if let Ok(wait) = (at - now).to_std() {
            if !wait.is_zero() {
                tracing::debug!(wait_ms = wait.as_millis() as u64, write, "pacing");
                self.clock.sleep(wait).await;
            }
        }
        Ok(())
    }

    fn reserve(
        &self,
        app: &str,
        write: bool,
        now: DateTime<Utc>,
        budget: Duration,
    ) -> Result<DateTime<Utc>, Duration> {
        let p = self.pacing;
        let span = p.span();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let State { tenant, apps } = &mut *state;
        apps.retain(|_, w| {
            w.requests.expire(now, span);
            w.writes.expire(now, span);
            !w.requests.0.is_empty()
        });
        tenant.requests.expire(now, span);
        tenant.writes.expire(now, span);
        let app_windows = apps.entry(app.to_owned()).or_default();
        let mut at = now;
        loop {
            let mut next = tenant
                .requests
                .earliest(at, p.tenant_requests, span)
                .max(app_windows.requests.earliest(at, p.app_requests, span));
            if write {
                next = next
                    .max(tenant.writes.earliest(at, p.tenant_writes, span))
                    .max(app_windows.writes.earliest(at, p.app_writes, span));
            }
            if next == at {
                break;
            }
            at = next;
        }
        let wait = (at - now).to_std().unwrap_or(Duration::ZERO);
        if wait > budget {
            return Err(wait);
        }
        tenant.requests.insert(at);
        app_windows.requests.insert(at);
        if write {
            tenant.writes.insert(at);
            app_windows.writes.insert(at);
        }
        Ok(at)
    }
}

/// The tenant (`tid`) and application (`appid`, else `azp`) an access token was issued for,
/// read from its claims without checking its signature (the service does that): they only
/// choose whose pacing a request counts against. `None` for a token that is not a JWT.
pub(crate) fn token_identity(token: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    #[derive(serde::Deserialize)]
    struct Claims {
        tid: Option<String>,
        appid: Option<String>,
        azp: Option<String>,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    Some((
        claims.tid.unwrap_or_default(),
        claims.appid.or(claims.azp).unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use chrono::TimeZone;

    fn clock() -> (ManualClock, Arc<dyn Clock>) {
        let manual = ManualClock::new(Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap());
        let shared: Arc<dyn Clock> = Arc::new(manual.clone());
        (manual, shared)
    }

    fn small() -> Pacing {
        Pacing {
            window: Duration::from_secs(10),
            margin: Duration::from_secs(1),
            tenant_requests: 20,
            tenant_writes: 6,
            app_requests: 10,
            app_writes: 3,
        }
    }

    /// At most `n` of `times` within any `span` (as the service counts: `(t - span, t]`).
    fn most_in_any_window(times: &[DateTime<Utc>], span: chrono::Duration) -> usize {
        times
            .iter()
            .map(|&t| times.iter().filter(|&&e| e > t - span && e <= t).count())
            .max()
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn writes_are_spread_so_that_no_window_holds_more_than_allowed() {
        let (manual, clock) = clock();
        let limiter = Limiter::shared("http://test-writes/", "t", small(), &clock);
        let mut sent = Vec::new();
        for _ in 0..10 {
            limiter
                .admit("app", true, Duration::from_secs(3600))
                .await
                .unwrap();
            sent.push(manual.now());
        }
        let window = chrono::Duration::seconds(10);
        assert_eq!(most_in_any_window(&sent, window), 3);
        // Three at once, then three every 11 s (the window and its margin).
        assert_eq!(sent[2], sent[0]);
        assert_eq!((sent[3] - sent[0]).num_seconds(), 11);
        assert_eq!((sent[9] - sent[0]).num_seconds(), 33);
    }

    #[tokio::test]
    async fn reads_pass_writes_that_wait_and_pace_only_at_the_request_limit() {
        let (manual, clock) = clock();
        let limiter = Limiter::shared("http://test-reads/", "t", small(), &clock);
        let start = manual.now();
        // Reserve 6 writes: 3 now, 3 in 11 s (reserved ahead, without waiting for them).
        for _ in 0..6 {
            limiter
                .reserve("app", true, manual.now(), Duration::from_secs(3600))
                .unwrap();
        }
        // A read is not held behind the writes waiting their turn.
        limiter
            .admit("app", false, Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(manual.now(), start);
        // Ten requests about now in all (3 writes, 7 reads): the next one waits.
        for _ in 0..6 {
            limiter
                .admit("app", false, Duration::from_secs(3600))
                .await
                .unwrap();
        }
        assert_eq!(manual.now(), start);
        limiter
            .admit("app", false, Duration::from_secs(3600))
            .await
            .unwrap();
        assert!(manual.now() > start);
    }

    #[tokio::test]
    async fn a_wait_beyond_the_budget_is_refused_without_reserving() {
        let (_manual, clock) = clock();
        let limiter = Limiter::shared("http://test-budget/", "t", small(), &clock);
        for _ in 0..3 {
            limiter.admit("app", true, Duration::ZERO).await.unwrap();
        }
        let wait = limiter
            .admit("app", true, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(11));
        // The refusal took nothing: the next write still gets the first free slot.
        let wait = limiter
            .admit("app", true, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(11));
    }

    #[tokio::test]
    async fn the_tenant_limit_holds_across_applications_and_clients_share_one_limiter() {
        let (_manual, clock) = clock();
        let a = Limiter::shared("http://test-share/", "t", small(), &clock);
        let b = Limiter::shared("http://test-share/", "t", small(), &clock);
        assert!(Arc::ptr_eq(&a, &b));
        let other = Limiter::shared("http://test-share/", "u", small(), &clock);
        assert!(!Arc::ptr_eq(&a, &other));
        for app in ["one", "two"] {
            for _ in 0..3 {
                a.admit(app, true, Duration::ZERO).await.unwrap();
            }
        }
        // Six writes of the tenant: a third application waits too.
        assert!(b.admit("three", true, Duration::ZERO).await.is_err());
        assert!(other.admit("three", true, Duration::ZERO).await.is_ok());
    }

    #[test]
    fn the_tenant_and_application_come_from_the_token() {
        use base64::Engine as _;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"tid":"contoso","appid":"app-1"}"#);
        assert_eq!(
            token_identity(&format!("e30.{claims}.sig")),
            Some(("contoso".into(), "app-1".into()))
        );
        assert_eq!(token_identity("sim.opaque"), None);
        assert_eq!(token_identity("no-dots"), None);
    }
}
