//! Intune's throttles on the logical clock: per tenant (all applications) and per application
//! in the tenant.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};

use super::{Answer, Tenant};

/// One request counted by the throttles: when, whether it was a write, and which application.
pub(super) struct Counted {
    at: DateTime<Utc>,
    write: bool,
    app: &'static str,
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

/// Counts a request of application `app` against the throttles that are on, or answers 429
/// with `Retry-After` when a window is full (the refused request is not counted).
pub(super) fn admit(t: &mut Tenant, write: bool, app: &'static str) -> Option<Answer> {
    if !(t.throttle || t.app_throttle) {
        return None;
    }
    let now = t.now;
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
        return Some(a);
    }
    t.recent.push(Counted {
        at: now,
        write,
        app,
    });
    None
}
