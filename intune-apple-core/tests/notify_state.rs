//! When to notify: the change-state between runs. A crossing notifies once, the next run is
//! silent, a recovery notifies, a could-not-check notifies once, a damaged state file is
//! reported and rebuilt without losing an alert.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use intune_apple_core::rules::health::{HealthThresholds, Severity, TokenKind};
use intune_apple_core::workflows::notify::state::{
    decide, load_state, save_state, ChangeKind, Decision, NotifyPolicy, StateLoad,
};
use intune_apple_core::workflows::report::{
    HealthReport, ReportError, ReportItem, ReportProblem, TenantReport,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).unwrap()
}

/// A VPP token expiring at `expiry`, evaluated at `now` with the default thresholds.
fn vpp(now: DateTime<Utc>, expiry: DateTime<Utc>, problem: Option<(&str, Severity)>) -> ReportItem {
    let days = intune_apple_core::rules::health::days_left(expiry, now);
    let mut severity = intune_apple_core::rules::health::expiry_severity(
        Some(expiry),
        now,
        intune_apple_core::rules::health::Window::default(),
    );
    let mut problems = Vec::new();
    if let Some((code, s)) = problem {
        severity = severity.max(s);
        problems.push(ReportProblem {
            code: code.into(),
            message: code.into(),
        });
    }
    ReportItem {
        kind: TokenKind::VppToken,
        id: "vpp-1".into(),
        name: Some("Paris".into()),
        apple_id: None,
        expires_at: Some(expiry),
        days_left: Some(days),
        severity,
        problems,
        consequence: String::new(),
        renewal: Vec::new(),
        sync: None,
    }
}

fn run(now: DateTime<Utc>, items: Vec<ReportItem>, errors: Vec<ReportError>) -> Vec<TenantReport> {
    vec![TenantReport {
        tenant: String::new(),
        report: HealthReport {
            generated_at: now,
            as_of: now,
            items,
            errors,
            thresholds: HealthThresholds::default(),
        },
    }]
}

fn forbidden() -> ReportError {
    ReportError {
        section: "vppTokens".into(),
        code: "forbidden".into(),
        message: "403".into(),
    }
}

fn next(prev: &Decision) -> StateLoad {
    StateLoad::Loaded(prev.next.clone())
}

#[test]
fn a_crossing_notifies_once_and_the_next_run_is_silent() {
    let policy = NotifyPolicy::default();
    let expiry = t0() + Duration::days(40);
    // First run, 40 days left: nothing to say.
    let d1 = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &policy,
        t0(),
    );
    assert!(!d1.send && d1.changes.is_empty());
    // 29 days left: crossed 30.
    let now = t0() + Duration::days(11);
    let d2 = decide(
        &next(&d1),
        &run(now, vec![vpp(now, expiry, None)], vec![]),
        &policy,
        now,
    );
    assert!(d2.send);
    assert_eq!(d2.changes.len(), 1);
    assert_eq!(
        d2.changes[0].what,
        ChangeKind::Crossed { threshold_days: 30 }
    );
    assert!(
        d2.changes[0].describe().contains("30 days or fewer"),
        "{}",
        d2.changes[0].describe()
    );
    // The next day, 28 days left: silent.
    let now = now + Duration::days(1);
    let d3 = decide(
        &next(&d2),
        &run(now, vec![vpp(now, expiry, None)], vec![]),
        &policy,
        now,
    );
    assert!(!d3.send, "{:?}", d3.changes);
    // 13 days left: crossed 14; then 6 days: crossed 7; at expiry: expired; after: silent.
    let mut prev = d3;
    for (days_left, what) in [
        (13, ChangeKind::Crossed { threshold_days: 14 }),
        (6, ChangeKind::Crossed { threshold_days: 7 }),
        (2, ChangeKind::Crossed { threshold_days: 3 }),
        (0, ChangeKind::Crossed { threshold_days: 1 }),
    ] {
        let now = expiry - Duration::days(days_left) - Duration::hours(1);
        let d = decide(
            &next(&prev),
            &run(now, vec![vpp(now, expiry, None)], vec![]),
            &policy,
            now,
        );
        assert_eq!(
            d.changes.iter().map(|c| c.what.clone()).collect::<Vec<_>>(),
            vec![what]
        );
        prev = d;
    }
    let now = expiry + Duration::hours(1);
    let d = decide(
        &next(&prev),
        &run(now, vec![vpp(now, expiry, None)], vec![]),
        &policy,
        now,
    );
    assert_eq!(d.changes[0].what, ChangeKind::Expired);
    assert_eq!(d.changes[0].severity, Severity::Expired);
    let later = now + Duration::days(1);
    let d = decide(
        &next(&d),
        &run(later, vec![vpp(later, expiry, None)], vec![]),
        &policy,
        later,
    );
    assert!(!d.send);
}

#[test]
fn a_skipped_run_still_notifies_the_lowest_threshold_crossed() {
    let expiry = t0() + Duration::days(40);
    let d1 = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &NotifyPolicy::default(),
        t0(),
    );
    // The job did not run for a month: 5 days left now.
    let now = expiry - Duration::days(5) - Duration::hours(1);
    let d = decide(
        &next(&d1),
        &run(now, vec![vpp(now, expiry, None)], vec![]),
        &NotifyPolicy::default(),
        now,
    );
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].what, ChangeKind::Crossed { threshold_days: 7 });
}

#[test]
fn a_renewal_and_a_recovery_notify() {
    let policy = NotifyPolicy::default();
    let expiry = t0() + Duration::days(5);
    let d1 = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &policy,
        t0(),
    );
    assert_eq!(
        d1.changes[0].what,
        ChangeKind::Crossed { threshold_days: 7 }
    );
    // Renewed: the expiry moved a year ahead.
    let now = t0() + Duration::days(1);
    let renewed = expiry + Duration::days(365);
    let d2 = decide(
        &next(&d1),
        &run(now, vec![vpp(now, renewed, None)], vec![]),
        &policy,
        now,
    );
    assert_eq!(d2.changes.len(), 1);
    assert_eq!(d2.changes[0].what, ChangeKind::Renewed);
    // A new problem beyond the date, then its recovery.
    let d3 = decide(
        &next(&d2),
        &run(
            now,
            vec![vpp(
                now,
                renewed,
                Some(("vpp.assigned_to_external_mdm", Severity::Critical)),
            )],
            vec![],
        ),
        &policy,
        now,
    );
    assert_eq!(
        d3.changes[0].what,
        ChangeKind::NewProblem {
            codes: vec!["vpp.assigned_to_external_mdm".into()]
        }
    );
    let d4 = decide(
        &next(&d3),
        &run(
            now,
            vec![vpp(
                now,
                renewed,
                Some(("vpp.assigned_to_external_mdm", Severity::Critical)),
            )],
            vec![],
        ),
        &policy,
        now,
    );
    assert!(!d4.send, "the same problem again is silent");
    let d5 = decide(
        &next(&d4),
        &run(now, vec![vpp(now, renewed, None)], vec![]),
        &policy,
        now,
    );
    assert_eq!(d5.changes[0].what, ChangeKind::Recovered);
    assert!(d5.changes[0].describe().contains("ok again"));
}

#[test]
fn could_not_check_notifies_once_and_never_looks_like_all_ok() {
    let policy = NotifyPolicy::default();
    let expiry = t0() + Duration::days(5);
    let d1 = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &policy,
        t0(),
    );
    // The VPP tokens cannot be read (403): "could not check", once.
    let now = t0() + Duration::days(1);
    let d2 = decide(
        &next(&d1),
        &run(now, vec![], vec![forbidden()]),
        &policy,
        now,
    );
    assert!(d2.send);
    assert_eq!(d2.changes.len(), 1, "{:?}", d2.changes);
    assert!(
        matches!(&d2.changes[0].what, ChangeKind::CouldNotCheck { section, code, .. } if section == "vppTokens" && code == "forbidden")
    );
    // Still failing: silent, and the token is not "recovered".
    let d3 = decide(
        &next(&d2),
        &run(now, vec![], vec![forbidden()]),
        &policy,
        now,
    );
    assert!(!d3.send, "{:?}", d3.changes);
    assert!(
        d3.next.credentials.contains_key("/vppToken/vpp-1"),
        "kept while unreadable"
    );
    // Readable again, meanwhile crossed 3 days: both are said.
    let now = expiry - Duration::days(2) - Duration::hours(1);
    let d4 = decide(
        &next(&d3),
        &run(now, vec![vpp(now, expiry, None)], vec![]),
        &policy,
        now,
    );
    let whats: Vec<_> = d4.changes.iter().map(|c| c.what.clone()).collect();
    assert!(
        whats.contains(&ChangeKind::CheckRestored {
            section: "vppTokens".into()
        }),
        "{whats:?}"
    );
    assert!(
        whats.contains(&ChangeKind::Crossed { threshold_days: 3 }),
        "{whats:?}"
    );
}

#[test]
fn a_first_run_notifies_every_credential_that_needs_attention() {
    let expiry = t0() + Duration::days(20);
    let d = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &NotifyPolicy::default(),
        t0(),
    );
    assert_eq!(
        d.changes[0].what,
        ChangeKind::Crossed { threshold_days: 30 }
    );
    assert!(d.notice.is_none());
}

#[test]
fn notify_always_sends_a_digest_when_nothing_changed() {
    let policy = NotifyPolicy {
        always: true,
        ..NotifyPolicy::default()
    };
    let expiry = t0() + Duration::days(200);
    let d = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &policy,
        t0(),
    );
    assert!(d.send && d.changes.is_empty());
}

#[test]
fn thresholds_are_configurable() {
    assert_eq!(
        NotifyPolicy::parse_thresholds("7, 60,30,7").unwrap(),
        vec![60, 30, 7]
    );
    assert!(NotifyPolicy::parse_thresholds("30,x").is_err());
    assert!(NotifyPolicy::parse_thresholds("0").is_err());
    assert!(NotifyPolicy::parse_thresholds("").is_err());
    // The same rule for days given as numbers (the bindings).
    assert_eq!(
        NotifyPolicy::check_thresholds(vec![7, 60, 30, 7]).unwrap(),
        vec![60, 30, 7]
    );
    for bad in [vec![], vec![0], vec![30, 3651], vec![-1]] {
        assert!(NotifyPolicy::check_thresholds(bad).is_err());
    }
    let policy = NotifyPolicy {
        thresholds_days: vec![60],
        always: false,
    };
    let expiry = t0() + Duration::days(50);
    let d = decide(
        &StateLoad::Missing,
        &run(t0(), vec![vpp(t0(), expiry, None)], vec![]),
        &policy,
        t0(),
    );
    assert_eq!(
        d.changes[0].what,
        ChangeKind::Crossed { threshold_days: 60 }
    );
}

#[test]
fn a_damaged_or_missing_state_file_is_reported_and_rebuilt_without_losing_an_alert() {
    let dir = std::env::temp_dir().join(format!("intune-apple-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    assert_eq!(load_state(&path), StateLoad::Missing);
    let expiry = t0() + Duration::days(5);
    let reports = run(t0(), vec![vpp(t0(), expiry, None)], vec![]);
    let d1 = decide(&load_state(&path), &reports, &NotifyPolicy::default(), t0());
    save_state(&path, &d1.next).unwrap();
    assert_eq!(load_state(&path), StateLoad::Loaded(d1.next.clone()));
    // Same state: silent.
    assert!(!decide(&load_state(&path), &reports, &NotifyPolicy::default(), t0()).send);
    // Damaged (truncated by a full disk, hand-edited, another version).
    for damage in [
        "{\"version\":1,\"credentials\":{\"x\":",
        "garbage",
        "{\"version\":99}",
    ] {
        std::fs::write(&path, damage).unwrap();
        let loaded = load_state(&path);
        let StateLoad::Damaged(why) = &loaded else {
            panic!("{loaded:?}")
        };
        assert!(why.contains("state.json"), "{why}");
        let d = decide(&loaded, &reports, &NotifyPolicy::default(), t0());
        assert!(d.notice.as_deref().unwrap().contains("rebuilt"));
        // The alert is sent again rather than lost.
        assert!(d.send);
        assert_eq!(d.changes[0].what, ChangeKind::Crossed { threshold_days: 7 });
        save_state(&path, &d.next).unwrap();
        assert!(matches!(load_state(&path), StateLoad::Loaded(_)));
    }
    // A directory where the file should be: reported, not a crash.
    let as_dir = dir.join("is-a-dir");
    std::fs::create_dir_all(&as_dir).unwrap();
    assert!(matches!(load_state(&as_dir), StateLoad::Damaged(_)));
    std::fs::remove_dir_all(&dir).unwrap();
}
