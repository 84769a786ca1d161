//! Sync throttling: boundaries and properties.

use chrono::{DateTime, Duration, TimeZone, Utc};
use intune_apple_core::rules::sync::{SyncDecision, SyncDenial, SyncKind, SyncPolicy, SyncTimes};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn done_at(t: DateTime<Utc>) -> SyncTimes {
    SyncTimes {
        last_triggered: Some(t),
        last_successful: Some(t),
        last_full: None,
    }
}

#[test]
fn never_synced_is_allowed() {
    let p = SyncPolicy::default();
    assert!(p
        .decide(SyncKind::Delta, &SyncTimes::default(), t0())
        .is_allowed());
    assert!(p
        .decide(SyncKind::Full, &SyncTimes::default(), t0())
        .is_allowed());
}

#[test]
fn manual_sync_14_59_is_denied_15_00_allowed() {
    let p = SyncPolicy::default();
    let times = done_at(t0());
    let at_14_59 = t0() + Duration::minutes(14) + Duration::seconds(59);
    assert_eq!(
        p.decide(SyncKind::Delta, &times, at_14_59),
        SyncDecision::Denied {
            reason: SyncDenial::TooSoon,
            next_allowed_at: t0() + Duration::minutes(15)
        }
    );
    assert_eq!(
        p.decide(SyncKind::Delta, &times, t0() + Duration::minutes(15)),
        SyncDecision::Allowed
    );
}

#[test]
fn one_hour_five_minutes_is_a_whole_duration_and_allowed() {
    let p = SyncPolicy::default();
    let times = done_at(t0());
    assert!(p
        .decide(
            SyncKind::Delta,
            &times,
            t0() + Duration::hours(1) + Duration::minutes(5)
        )
        .is_allowed());
    assert!(p
        .decide(
            SyncKind::Delta,
            &times,
            t0() + Duration::days(2) + Duration::minutes(3)
        )
        .is_allowed());
}

#[test]
fn in_progress_until_timeout() {
    let p = SyncPolicy::default();
    let times = SyncTimes {
        last_triggered: Some(t0()),
        last_successful: Some(t0() - Duration::hours(12)),
        last_full: None,
    };
    assert_eq!(
        p.decide(SyncKind::Delta, &times, t0() + Duration::minutes(10)),
        SyncDecision::Denied {
            reason: SyncDenial::InProgress,
            next_allowed_at: t0() + Duration::minutes(15)
        }
    );
    let never_ok = SyncTimes {
        last_triggered: Some(t0()),
        ..SyncTimes::default()
    };
    assert!(p.is_in_progress(&never_ok, t0()));
    assert!(p
        .decide(SyncKind::Delta, &times, t0() + Duration::minutes(15))
        .is_allowed());
}

#[test]
fn in_progress_with_longer_manual_interval_waits_for_both() {
    let p = SyncPolicy {
        manual_interval: Duration::minutes(30),
        ..SyncPolicy::default()
    };
    let times = SyncTimes {
        last_triggered: Some(t0()),
        last_successful: None,
        last_full: None,
    };
    assert_eq!(
        p.decide(SyncKind::Delta, &times, t0() + Duration::minutes(1)),
        SyncDecision::Denied {
            reason: SyncDenial::InProgress,
            next_allowed_at: t0() + Duration::minutes(30)
        }
    );
}

#[test]
fn full_sync_at_most_every_seven_days() {
    let p = SyncPolicy::default();
    let times = SyncTimes {
        last_full: Some(t0()),
        ..done_at(t0())
    };
    let almost = t0() + Duration::days(7) - Duration::seconds(1);
    assert_eq!(
        p.decide(SyncKind::Full, &times, almost),
        SyncDecision::Denied {
            reason: SyncDenial::FullSyncTooSoon,
            next_allowed_at: t0() + Duration::days(7)
        }
    );
    assert!(p.decide(SyncKind::Delta, &times, almost).is_allowed());
    assert!(p
        .decide(SyncKind::Full, &times, t0() + Duration::days(7))
        .is_allowed());
}

#[test]
fn next_automatic_sync_and_staleness() {
    let times = SyncTimes {
        last_triggered: Some(t0() + Duration::hours(1)),
        last_successful: Some(t0()),
        last_full: None,
    };
    assert_eq!(
        SyncPolicy::default().next_automatic_sync(&times),
        Some(t0() + Duration::hours(13))
    );
    assert_eq!(
        SyncPolicy::macos().next_automatic_sync(&times),
        Some(t0() + Duration::hours(25))
    );
    assert_eq!(
        SyncPolicy::default().next_automatic_sync(&SyncTimes::default()),
        None
    );
    let p = SyncPolicy::default();
    assert!(!p.is_stale(Some(t0()), t0() + Duration::hours(24)));
    assert!(p.is_stale(
        Some(t0()),
        t0() + Duration::hours(24) + Duration::seconds(1)
    ));
    assert!(p.is_stale(None, t0()));
}

#[test]
fn extreme_times_do_not_panic() {
    let p = SyncPolicy::default();
    let times = SyncTimes {
        last_triggered: Some(DateTime::<Utc>::MAX_UTC),
        last_successful: None,
        last_full: Some(DateTime::<Utc>::MAX_UTC),
    };
    let d = p.decide(SyncKind::Full, &times, DateTime::<Utc>::MIN_UTC);
    assert!(!d.is_allowed());
    assert_eq!(
        p.next_automatic_sync(&times),
        Some(DateTime::<Utc>::MAX_UTC)
    );
}

fn arb_time() -> impl Strategy<Value = Option<DateTime<Utc>>> {
    proptest::option::of((-2_592_000i64..2_592_000).prop_map(|s| t0() + Duration::seconds(s)))
}

fn arb_policy() -> impl Strategy<Value = SyncPolicy> {
    (1i64..120, 1i64..48, 1i64..14, 1i64..120).prop_map(|(m, a, f, to)| SyncPolicy {
        manual_interval: Duration::minutes(m),
        automatic_interval: Duration::hours(a),
        full_sync_interval: Duration::days(f),
        sync_timeout: Duration::minutes(to),
    })
}

proptest! {
    #[test]
    fn denial_points_to_a_future_instant_that_is_allowed(
        policy in arb_policy(),
        triggered in arb_time(),
        successful in arb_time(),
        full in arb_time(),
        full_kind in any::<bool>(),
        now_s in -2_592_000i64..2_592_000,
    ) {
        let times = SyncTimes { last_triggered: triggered, last_successful: successful, last_full: full };
        let kind = if full_kind { SyncKind::Full } else { SyncKind::Delta };
        let now = t0() + Duration::seconds(now_s);
        if let SyncDecision::Denied { next_allowed_at, .. } = policy.decide(kind, &times, now) {
            prop_assert!(next_allowed_at > now);
            prop_assert_eq!(policy.decide(kind, &times, next_allowed_at), SyncDecision::Allowed);
            prop_assert!(!policy.decide(kind, &times, next_allowed_at - Duration::seconds(1)).is_allowed());
        }
    }

    #[test]
    fn once_allowed_stays_allowed_later(
        policy in arb_policy(),
        triggered in arb_time(),
        successful in arb_time(),
        full in arb_time(),
        now_s in -2_592_000i64..2_592_000,
        later in 0i64..1_000_000,
    ) {
        let times = SyncTimes { last_triggered: triggered, last_successful: successful, last_full: full };
        let now = t0() + Duration::seconds(now_s);
        if policy.decide(SyncKind::Full, &times, now).is_allowed() {
            prop_assert!(policy.decide(SyncKind::Full, &times, now + Duration::seconds(later)).is_allowed());
        }
    }
}
