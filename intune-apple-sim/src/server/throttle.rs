//! Intune's throttles: per tenant (all applications) and per application in the tenant, over
//! a sliding window of the logical clock (or of real time: [`crate::ThrottleLimits::real_time`]).

use axum::http::StatusCode;

use super::{Answer, Tenant};

/// One request counted by the throttles: when (milliseconds on the throttles' timeline),
/// whether it was a write, and which application.
pub(super) struct Counted {
    at: i64,
    write: bool,
    app: &'static str,
}

/// Milliseconds until a throttle window admits this request, or `None` when it is admitted
/// now: at most `max_all` requests and `max_writes` writes in any window.
fn throttle_wait<'a>(
    window: impl Iterator<Item = &'a Counted> + Clone,
    write: bool,
    max_all: usize,
    max_writes: usize,
    now: i64,
    window_ms: i64,
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
    Some(oldest.saturating_add(window_ms).saturating_sub(now))
}

/// Now on the throttles' timeline, in milliseconds.
fn timeline_now(t: &Tenant) -> i64 {
    if t.throttle_limits.real_time {
        i64::try_from(t.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    } else {
        t.now.timestamp_millis()
    }
}

/// The `Retry-After` value of a wait: whole seconds (at least 1) on the logical clock, as
/// Intune writes them; seconds with milliseconds on real time, whose windows are shortened.
fn retry_after(wait_ms: i64, real_time: bool) -> String {
    if real_time {
        // At most a window of an hour's worth of milliseconds: exact in an f64.
        #[allow(clippy::cast_precision_loss)]
        let secs = wait_ms.max(1) as f64 / 1000.0;
        format!("{secs:.3}")
    } else {
        (wait_ms / 1000).max(1).to_string()
    }
}

/// Counts a request of application `app` against the throttles that are on, or answers 429
/// with `Retry-After` when a window is full (the refused request is not counted).
pub(super) fn admit(t: &mut Tenant, write: bool, app: &'static str) -> Option<Answer> {
    if !(t.throttle || t.app_throttle) {
        return None;
    }
    let limits = t.throttle_limits;
    let window_ms = i64::try_from(limits.window_ms).unwrap_or(i64::MAX);
    let now = timeline_now(t);
    t.recent.retain(|c| c.at > now.saturating_sub(window_ms));
    let mut wait = None;
    if t.throttle {
        wait = throttle_wait(
            t.recent.iter(),
            write,
            limits.tenant_requests,
            limits.tenant_writes,
            now,
            window_ms,
        );
    }
    if wait.is_none() && t.app_throttle {
        wait = throttle_wait(
            t.recent.iter().filter(|c| c.app == app),
            write,
            limits.app_requests,
            limits.app_writes,
            now,
            window_ms,
        );
    }
    if let Some(wait) = wait {
        let mut a = Answer::error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
            t.now,
        );
        a.headers
            .push(("retry-after", retry_after(wait, limits.real_time)));
        return Some(a);
    }
    t.recent.push(Counted {
        at: now,
        write,
        app,
    });
    None
}
