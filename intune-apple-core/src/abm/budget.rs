//! The request budget: at most `requests` API requests in any window of `per`, shared by every
//! clone of a client. Apple publishes no limit; terraform-provider-axm measured about 20 GET
//! requests a minute (and 10 POST an hour), so that is the default.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;

/// How many API requests a client may send in a sliding window.
///
/// ```
/// use intune_apple_core::abm::RequestBudget;
/// use std::time::Duration;
/// assert_eq!(RequestBudget::default(), RequestBudget::per_minute(20));
/// let b = RequestBudget::per_minute(60);
/// assert_eq!((b.requests, b.per), (60, Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestBudget {
    /// Requests allowed in any window of [`RequestBudget::per`] (0 counts as 1).
    pub requests: u32,
    /// The window.
    pub per: Duration,
}

impl Default for RequestBudget {
    /// 20 requests a minute: the measured GET limit of the Apple Business API.
    fn default() -> Self {
        Self::per_minute(20)
    }
}

impl RequestBudget {
    /// `requests` a minute.
    #[must_use]
    pub fn per_minute(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::from_secs(60),
        }
    }

    /// No practical limit (for a simulator or a measurement).
    #[must_use]
    pub fn unlimited() -> Self {
        Self {
            requests: u32::MAX,
            per: Duration::from_secs(1),
        }
    }
}

/// The send times of the last requests, shared by a client's clones.
#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    budget: RequestBudget,
    sent: Arc<Mutex<VecDeque<DateTime<Utc>>>>,
}

impl Limiter {
    pub(crate) fn new(budget: RequestBudget) -> Self {
        Self {
            budget,
            sent: Arc::default(),
        }
    }

    /// How long to wait before the next request may go at `now` (zero: now), recording it as
    /// sent at `now + wait`.
    pub(crate) fn reserve(&self, now: DateTime<Utc>) -> Duration {
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        let window = chrono::Duration::from_std(self.budget.per).unwrap_or(chrono::Duration::MAX);
        let limit = usize::try_from(self.budget.requests.max(1)).unwrap_or(usize::MAX);
        while sent.front().is_some_and(|t| *t + window <= now) {
            sent.pop_front();
        }
        let at = if sent.len() < limit {
            now
        } else {
            // the request goes when the oldest of the last `limit` leaves the window
            let oldest = sent.len() - limit;
            sent.get(oldest).map_or(now, |t| (*t + window).max(now))
        };
        sent.push_back(at);
        // keep no more than the window can hold
        while sent.len() > limit {
            sent.pop_front();
        }
        (at - now).to_std().unwrap_or(Duration::ZERO)
    }

    /// Waits until the next request may go.
    pub(crate) async fn acquire(&self, clock: &dyn Clock) {
        let wait = self.reserve(clock.now());
        if !wait.is_zero() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "apple business request budget"
            );
            clock.sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_is_never_exceeded() {
        let limiter = Limiter::new(RequestBudget::per_minute(20));
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let mut sends = Vec::new();
        let mut now = start;
        for _ in 0..65 {
            let wait = limiter.reserve(now);
            now += chrono::Duration::from_std(wait).unwrap();
            sends.push(now);
        }
        // the first 20 go at once, then each waits for a slot
        assert_eq!(sends[19], start);
        assert_eq!(sends[20], start + chrono::Duration::seconds(60));
        for (i, t) in sends.iter().enumerate().skip(20) {
            assert!(
                *t >= sends[i - 20] + chrono::Duration::seconds(60),
                "request {i}"
            );
        }
    }
}
