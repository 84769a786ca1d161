//! Retry policy: which responses are retried, how long to wait (`Retry-After`, Intune's own
//! `RetryAfter`, or full-jitter exponential back-off), and the total budget.
//!
//! Only requests whose outcome is known to be "not applied" are retried. A read (`GET`) is
//! retried on 429, 503 and 504, Intune's query-broker 500, and a failed or cut-off connection.
//! A write is retried only on 429, on 503 with a `Retry-After`, and when the connection failed
//! before the request was sent; any other 5xx, a lost answer or a cut-off body makes it
//! [`super::ErrorKind::OutcomeUnknown`] (it may have been applied): the workflows read back,
//! and a write whose outcome is unknown is never resent.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How the client retries throttled and unavailable responses.
///
/// ```
/// use intune_apple_core::graph::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default().with_max_attempts(3).with_max_delay(Duration::from_secs(30));
/// assert_eq!(policy.max_attempts, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The base of the exponential back-off when the server gives no `Retry-After`.
    pub base_delay: Duration,
    /// The longest single wait, `Retry-After` included: a server asking for more makes the call
    /// fail with a throttling error that carries the server's value.
    pub max_delay: Duration,
    /// The most time all waits of one call may add up to.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            total_budget: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the back-off base.
    #[must_use]
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the cap of a single wait.
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the total waiting budget of one call.
    #[must_use]
    pub fn with_total_budget(mut self, budget: Duration) -> Self {
        self.total_budget = budget;
        self
    }

    /// Full-jitter exponential back-off for retry number `retry` (0 for the first retry):
    /// a uniform wait in `[0, min(max_delay, base * 2^retry)]`. `unit` is a random number in
    /// `[0, 1)` supplied by the caller, so that the computation stays deterministic in tests.
    #[must_use]
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        let ceiling = self.base_delay.saturating_mul(factor).min(self.max_delay);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Whether an HTTP status means "not applied, try again later".
#[must_use]
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// The longest timeout or delay a caller may give: a day.
pub const MAX_CALLER_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// A timeout or delay a caller gave as a number of milliseconds (a JavaScript number, say):
/// finite, not negative, at most [`MAX_CALLER_DURATION`], and above zero unless `zero_ok` (a
/// zero timeout would fail every call at once; a zero back-off is allowed).
///
/// # Errors
/// A message naming `name`, the value and what is accepted.
///
/// ```
/// use intune_apple_core::graph::caller_millis;
/// assert_eq!(caller_millis("attemptMs", 1500.0, false).unwrap().as_millis(), 1500);
/// assert!(caller_millis("attemptMs", -1.0, false).is_err());
/// assert!(caller_millis("attemptMs", 0.0, false).is_err());
/// assert!(caller_millis("baseDelayMs", 0.0, true).is_ok());
/// assert!(caller_millis("attemptMs", f64::NAN, false).is_err());
/// ```
pub fn caller_millis(name: &str, ms: f64, zero_ok: bool) -> Result<Duration, String> {
    let d = Duration::try_from_secs_f64(ms / 1000.0)
        .ok()
        .filter(|d| *d <= MAX_CALLER_DURATION && (zero_ok || !d.is_zero()));
    d.ok_or_else(|| {
        format!(
            "{name} is {ms}: give a {} number of milliseconds up to {} (a day)",
            if zero_ok { "non-negative" } else { "positive" },
            MAX_CALLER_DURATION.as_millis()
        )
    })
}

/// A number of attempts a caller gave: a whole number from 1 (no retry) to 100.
///
/// # Errors
/// A message naming the value and what is accepted.
pub fn caller_attempts(n: f64) -> Result<u32, String> {
    if n.fract() == 0.0 && (1.0..=100.0).contains(&n) {
        // Whole and within 1..=100: the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(n as u32)
    } else {
        Err(format!(
            "maxAttempts is {n}: give a whole number from 1 (no retry) to 100"
        ))
    }
}

/// Parses an HTTP `Retry-After` value: delay seconds (Graph sends fractions such as `2.128`) or
/// an HTTP date (relative to `now`; a date in the past means "now").
///
/// ```
/// use intune_apple_core::graph::parse_retry_after;
/// use chrono::{TimeZone, Utc};
/// use std::time::Duration;
/// let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();
/// assert_eq!(parse_retry_after("2.128", now), Some(Duration::from_millis(2128)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(60)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
#[must_use]
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return seconds_to_duration(seconds);
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// Converts a number of seconds from a server (possibly negative, fractional or absurd) to a
/// `Duration`; `None` when it is not a finite number.
#[must_use]
pub fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    if !seconds.is_finite() {
        return None;
    }
    // a year is more than any server means; it also keeps `from_secs_f64` from panicking
    Some(Duration::from_secs_f64(
        seconds.clamp(0.0, 365.0 * 86_400.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3", now()), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 0.5 ", now()),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_retry_after("-4", now()), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("NaN", now()), None);
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 09:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("", now()), None);
    }

    #[test]
    fn only_throttling_and_unavailable_are_retried() {
        for s in [429, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 400, 401, 403, 404, 409, 500, 502] {
            assert!(!is_retryable_status(s));
        }
    }

    proptest! {
        #[test]
        fn backoff_stays_within_the_cap(retry in 0u32..100, unit in 0.0f64..1.0) {
            let p = RetryPolicy::default();
            let d = p.backoff(retry, unit);
            prop_assert!(d <= p.max_delay);
            let ceiling = p.base_delay.saturating_mul(2u32.saturating_pow(retry.min(30))).min(p.max_delay);
            prop_assert!(d <= ceiling);
        }

        #[test]
        fn any_text_is_handled(text in ".*") {
            let _ = parse_retry_after(&text, now());
        }
    }
}
