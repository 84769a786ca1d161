//! Sync throttling for enrollment program tokens (Automated Device Enrollment sync).
//!
//! Intune's documented limits (see `docs/rules.md`): a manual sync at most every 15 minutes, an
//! automatic delta sync every 12 hours (the macOS page says 24 hours, so it is configurable), a
//! full sync at most every 7 days, every sync has 15 minutes to finish and no sync starts while
//! one is running.
//!
//! All comparisons use *whole* durations: 1 h 05 min since the last sync is 65 minutes, not "5
//! minutes", so it is allowed.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use intune_apple_core::rules::sync::{SyncDecision, SyncDenial, SyncKind, SyncPolicy, SyncTimes};
//!
//! let policy = SyncPolicy::default();
//! let last = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
//! let times = SyncTimes { last_triggered: Some(last), last_successful: Some(last), last_full: None };
//!
//! // 14 min 59 s later: too soon, with the exact time it becomes possible.
//! let d = policy.decide(SyncKind::Delta, &times, last + Duration::seconds(899));
//! assert_eq!(d, SyncDecision::Denied { reason: SyncDenial::TooSoon, next_allowed_at: last + Duration::minutes(15) });
//! // 15 min later: allowed.
//! assert!(policy.decide(SyncKind::Delta, &times, last + Duration::minutes(15)).is_allowed());
//! ```

use chrono::{DateTime, Duration, Utc};

/// The throttling limits of Intune's enrollment program token sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPolicy {
    /// Minimum time between two manual syncs (Intune: 15 minutes).
    pub manual_interval: Duration,
    /// Interval of Intune's automatic delta sync (iOS docs: 12 hours; macOS docs: 24 hours).
    pub automatic_interval: Duration,
    /// Minimum time between two full syncs (Intune: 7 days).
    pub full_sync_interval: Duration,
    /// Time a sync has to finish (Intune: 15 minutes); until then it counts as in progress.
    pub sync_timeout: Duration,
}

impl Default for SyncPolicy {
    /// Intune's documented limits with the 12-hour automatic interval of the iOS/iPadOS page.
    fn default() -> Self {
        Self {
            manual_interval: Duration::minutes(15),
            automatic_interval: Duration::hours(12),
            full_sync_interval: Duration::days(7),
            sync_timeout: Duration::minutes(15),
        }
    }
}

/// What kind of sync is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// A delta sync (the admin center's **Sync** button).
    Delta,
    /// A full sync (fetches every serial assigned to the MDM server; at most every 7 days).
    Full,
}

/// The timestamps the decision is made from.
///
/// `last_triggered` and `last_successful` are `depOnboardingSetting.lastSyncTriggeredDateTime`
/// and `lastSuccessfulSyncDateTime`. Graph has no last-full-sync time: the caller tracks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncTimes {
    /// When the last sync was started (manual or automatic).
    pub last_triggered: Option<DateTime<Utc>>,
    /// When the last sync finished successfully.
    pub last_successful: Option<DateTime<Utc>>,
    /// When the last full sync was started, if known.
    pub last_full: Option<DateTime<Utc>>,
}

impl SyncTimes {
    /// The times of an enrollment program token as Graph reports them, plus the last full sync
    /// the caller tracked (Graph has none).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use intune_apple_core::model::DepOnboardingSetting;
    /// use intune_apple_core::rules::sync::SyncTimes;
    /// let t = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    /// let token = DepOnboardingSetting {
    ///     last_sync_triggered_date_time: Some(t),
    ///     last_successful_sync_date_time: Some(t),
    ///     ..Default::default()
    /// };
    /// let times = SyncTimes::from_token(&token, None);
    /// assert_eq!(times.last_triggered, Some(t));
    /// assert_eq!(times.last_full, None);
    /// ```
    pub fn from_token(
        token: &crate::model::DepOnboardingSetting,
        last_full: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            last_triggered: token.last_sync_triggered_date_time,
            last_successful: token.last_successful_sync_date_time,
            last_full,
        }
    }
}

/// Why a sync is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDenial {
    /// The last sync started less than the manual interval ago.
    TooSoon,
    /// A sync started, has not succeeded yet and has not timed out.
    InProgress,
    /// A full sync was asked for less than the full-sync interval after the last one.
    FullSyncTooSoon,
}

impl SyncDenial {
    /// A stable code: `sync.too_soon`, `sync.in_progress`, `sync.full_sync_too_soon`.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooSoon => "sync.too_soon",
            Self::InProgress => "sync.in_progress",
            Self::FullSyncTooSoon => "sync.full_sync_too_soon",
        }
    }
}

/// The outcome of [`SyncPolicy::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDecision {
    /// A sync may be started now.
    Allowed,
    /// A sync may not be started before `next_allowed_at`.
    Denied {
        /// The reason with the highest priority (in progress, then full sync, then too soon).
        reason: SyncDenial,
        /// The first instant at which the same request is allowed (never before `now`).
        next_allowed_at: DateTime<Utc>,
    },
}

impl SyncDecision {
    /// Whether the sync may start.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed)
    }
}

/// `t + d`, saturating at the ends of the representable range instead of panicking.
fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

impl SyncPolicy {
    /// The policy with the 24-hour automatic interval of Intune's macOS page.
    ///
    /// ```
    /// use chrono::Duration;
    /// use intune_apple_core::rules::sync::SyncPolicy;
    /// assert_eq!(SyncPolicy::macos().automatic_interval, Duration::hours(24));
    /// ```
    pub fn macos() -> Self {
        Self {
            automatic_interval: Duration::hours(24),
            ..Self::default()
        }
    }

    /// Whether a sync is running at `now`: it was triggered after the last success (or there is
    /// no success) and less than `sync_timeout` ago.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use intune_apple_core::rules::sync::{SyncPolicy, SyncTimes};
    /// let t = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    /// let times = SyncTimes { last_triggered: Some(t), last_successful: Some(t - Duration::hours(12)), last_full: None };
    /// let p = SyncPolicy::default();
    /// assert!(p.is_in_progress(&times, t + Duration::minutes(14)));
    /// assert!(!p.is_in_progress(&times, t + Duration::minutes(15))); // timed out
    /// ```
    pub fn is_in_progress(&self, times: &SyncTimes, now: DateTime<Utc>) -> bool {
        let Some(triggered) = times.last_triggered else {
            return false;
        };
        let unfinished = times.last_successful.is_none_or(|ok| triggered > ok);
        unfinished && now < add(triggered, self.sync_timeout)
    }

    /// Decide whether a sync of `kind` may start at `now`.
    ///
    /// On a denial, `next_allowed_at` is the latest of every limit still in force, so the same
    /// request made at that instant is allowed.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use intune_apple_core::rules::sync::{SyncDecision, SyncDenial, SyncKind, SyncPolicy, SyncTimes};
    /// let p = SyncPolicy::default();
    /// let t = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    /// // 1 h 05 min after the last sync: allowed (whole duration, not the minutes component).
    /// let times = SyncTimes { last_triggered: Some(t), last_successful: Some(t), last_full: Some(t) };
    /// assert!(p.decide(SyncKind::Delta, &times, t + Duration::minutes(65)).is_allowed());
    /// // A full sync 6 days after the last one is refused until day 7.
    /// assert_eq!(
    ///     p.decide(SyncKind::Full, &times, t + Duration::days(6)),
    ///     SyncDecision::Denied { reason: SyncDenial::FullSyncTooSoon, next_allowed_at: t + Duration::days(7) }
    /// );
    /// ```
    pub fn decide(&self, kind: SyncKind, times: &SyncTimes, now: DateTime<Utc>) -> SyncDecision {
        let mut next: Option<DateTime<Utc>> = None;
        let mut reason: Option<SyncDenial> = None;
        let mut deny = |r: SyncDenial, at: DateTime<Utc>| {
            next = Some(next.map_or(at, |n| n.max(at)));
            // Keep the reason with the highest priority.
            let rank = |r: SyncDenial| match r {
                SyncDenial::InProgress => 3,
                SyncDenial::FullSyncTooSoon => 2,
                SyncDenial::TooSoon => 1,
            };
            if reason.is_none_or(|old| rank(r) > rank(old)) {
                reason = Some(r);
            }
        };
        if let Some(triggered) = times.last_triggered {
            if self.is_in_progress(times, now) {
                deny(SyncDenial::InProgress, add(triggered, self.sync_timeout));
            }
            let earliest = add(triggered, self.manual_interval);
            if now < earliest {
                deny(SyncDenial::TooSoon, earliest);
            }
        }
        if kind == SyncKind::Full {
            if let Some(full) = times.last_full {
                let earliest = add(full, self.full_sync_interval);
                if now < earliest {
                    deny(SyncDenial::FullSyncTooSoon, earliest);
                }
            }
        }
        match (reason, next) {
            (Some(reason), Some(next_allowed_at)) => SyncDecision::Denied {
                reason,
                next_allowed_at,
            },
            _ => SyncDecision::Allowed,
        }
    }

    /// When Intune's next automatic delta sync is due: the last sync (triggered or successful,
    /// whichever is later) plus `automatic_interval`; `None` if the token never synced.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use intune_apple_core::rules::sync::{SyncPolicy, SyncTimes};
    /// let t = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    /// let times = SyncTimes { last_triggered: Some(t), last_successful: Some(t), last_full: None };
    /// assert_eq!(SyncPolicy::default().next_automatic_sync(&times), Some(t + Duration::hours(12)));
    /// assert_eq!(SyncPolicy::macos().next_automatic_sync(&times), Some(t + Duration::hours(24)));
    /// ```
    pub fn next_automatic_sync(&self, times: &SyncTimes) -> Option<DateTime<Utc>> {
        let last = match (times.last_triggered, times.last_successful) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }?;
        Some(add(last, self.automatic_interval))
    }

    /// Whether the last successful sync is older than two automatic intervals, or there never
    /// was one: the token's sync is stale.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use intune_apple_core::rules::sync::SyncPolicy;
    /// let t = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    /// let p = SyncPolicy::default();
    /// assert!(!p.is_stale(Some(t), t + Duration::hours(24)));
    /// assert!(p.is_stale(Some(t), t + Duration::hours(24) + Duration::seconds(1)));
    /// ```
    pub fn is_stale(&self, last_successful: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        match last_successful {
            Some(ok) => {
                let two = self
                    .automatic_interval
                    .checked_mul(2)
                    .unwrap_or(Duration::MAX);
                now > add(ok, two)
            }
            None => true,
        }
    }
}
