//! Numbers a caller or a server chooses: thresholds, far dates, huge intervals. None may stop
//! the process; unusable ones are refused with an `invalid_input` error that says what to give.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::TryStreamExt as _;
use intune_apple_core::model::VppToken;
use intune_apple_core::rules::health::{
    vpp_token_health, HealthThresholds, Window, MAX_WINDOW_DAYS,
};
use intune_apple_core::rules::sync::SyncPolicy;
use intune_apple_core::rules::Locale;
use intune_apple_core::workflows::report::{
    health_report, scan_tenants, section, ReportOptions, TenantTarget,
};
use intune_apple_sim::Seed;

fn vpp_window(warning_days: i64, critical_days: i64) -> HealthThresholds {
    HealthThresholds {
        vpp_token: Window {
            warning_days,
            critical_days,
        },
        ..HealthThresholds::default()
    }
}

/// Every kind of hostile window: wrapped negatives, huge, negative, inverted.
fn hostile_windows() -> Vec<(i64, i64)> {
    vec![
        (4_294_967_295, 7),
        (100_000_000, 7),
        (-1, 7),
        (30, -1),
        (7, 30),
        (i64::MAX, i64::MIN),
        (i64::MIN, i64::MAX),
        (MAX_WINDOW_DAYS + 1, 0),
    ]
}

#[test]
fn thresholds_outside_the_documented_range_are_refused_with_what_to_give() {
    for (w, c) in hostile_windows() {
        let e = vpp_window(w, c).validate().unwrap_err();
        let text = e.to_string();
        assert!(text.contains("VPP token"), "{text}");
        assert!(
            text.contains("3650") || text.contains("at most warning"),
            "{text}"
        );
        assert!(Window::new(w, c).is_err(), "{w} {c}");
    }
    for (w, c) in [(0, 0), (30, 7), (MAX_WINDOW_DAYS, MAX_WINDOW_DAYS), (5, 0)] {
        assert!(vpp_window(w, c).validate().is_ok(), "{w} {c}");
        assert!(HealthThresholds::with_window(Window::new(w, c).unwrap()).is_ok());
    }
    let zero_interval = HealthThresholds {
        vpp_sync_interval: Duration::zero(),
        ..HealthThresholds::default()
    };
    assert!(zero_interval.validate().is_err());
    let huge_grace = HealthThresholds {
        push_grace_period: Duration::MAX,
        ..HealthThresholds::default()
    };
    assert!(huge_grace.validate().is_err());
    let negative_sync = HealthThresholds {
        dep_sync: SyncPolicy {
            manual_interval: Duration::minutes(-1),
            ..SyncPolicy::default()
        },
        ..HealthThresholds::default()
    };
    assert!(negative_sync.validate().is_err());
}

/// The Node reproduction of the issue: `warningDays: -1` wrapped to 4294967295, then `toICS()`
/// aborted the process.
#[tokio::test]
async fn a_report_with_unusable_thresholds_reads_nothing_and_says_why() {
    let (sim, client) = common::start(Seed::demo()).await;
    let options = ReportOptions {
        thresholds: vpp_window(4_294_967_295, 7),
        ..ReportOptions::default()
    };
    let e = options.validate().unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    let report = health_report(&client, &options).await;
    assert!(report.items.is_empty());
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].section, section::OPTIONS);
    assert_eq!(report.errors[0].code, "invalid_input");
    assert!(report.errors[0].message.contains("4294967295"));
    assert_eq!(report.exit_code(), 2);
    assert!(sim.request_log().is_empty(), "nothing may be read");
    let ics = report.to_ics();
    assert!(ics.starts_with("BEGIN:VCALENDAR"));

    let reports = scan_tenants(
        vec![TenantTarget {
            name: "contoso".into(),
            client,
        }],
        &options,
        2,
    )
    .await;
    assert_eq!(reports[0].report.errors[0].section, section::OPTIONS);
}

/// `to_ics_with` and a report whose public fields were set by hand never panic, whatever the
/// thresholds and however far the expiry; alarms that fall outside the range of dates are left
/// out.
#[tokio::test]
async fn calendars_survive_hostile_thresholds_and_far_dates() {
    let (_sim, client) = common::start(Seed::demo()).await;
    let mut report = health_report(&client, &ReportOptions::default()).await;
    assert!(report.errors.is_empty());
    for (w, c) in hostile_windows() {
        let t = HealthThresholds {
            push_certificate: Window {
                warning_days: w,
                critical_days: c,
            },
            enrollment_program_token: Window {
                warning_days: w,
                critical_days: c,
            },
            vpp_token: Window {
                warning_days: w,
                critical_days: c,
            },
            push_grace_period: Duration::MAX,
            ..HealthThresholds::default()
        };
        let ics = report.to_ics_with(&t);
        assert!(ics.ends_with("END:VCALENDAR\r\n"), "{w} {c}");
        report.thresholds = t;
        assert!(report.to_ics().contains("BEGIN:VEVENT"));
    }
    report.thresholds = HealthThresholds::default();
    let far = [
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MIN_UTC + Duration::minutes(30),
    ];
    for (item, at) in report.items.iter_mut().zip(far.iter().cycle()) {
        item.expires_at = Some(*at);
    }
    let ics = report.to_ics();
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    // A usable alarm is still there for an ordinary expiry.
    report.items[0].expires_at = Some(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap());
    assert!(report
        .to_ics()
        .contains("TRIGGER;VALUE=DATE-TIME:20291202T000000Z"));
}

#[test]
fn rules_survive_huge_intervals() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
    let t = HealthThresholds {
        vpp_sync_interval: Duration::MAX,
        ..HealthThresholds::default()
    };
    let token = VppToken {
        last_sync_date_time: Some(now - Duration::days(3)),
        ..VppToken::default()
    };
    let h = vpp_token_health(&token, now, &t, Locale::En);
    assert!(!h.problems.iter().any(|p| p.code == "vpp.sync_stale"));
    let p = SyncPolicy {
        automatic_interval: Duration::MAX,
        ..SyncPolicy::default()
    };
    assert!(!p.is_stale(Some(now), now));
}

/// A token endpoint that answers `expires_in: 9223372036854775807` (the simulator's lifetime is
/// the seed's number): the token is used, the process does not stop.
#[tokio::test]
async fn an_extreme_token_lifetime_is_capped() {
    let seed = Seed::from_json(r#"{"tokenLifetimeSecs": 9223372036854775807}"#).unwrap();
    let (_sim, client) = common::start(seed).await;
    let _tokens: Vec<_> = client.vpp_tokens().list().try_collect().await.unwrap();
    let _again: Vec<_> = client.vpp_tokens().list().try_collect().await.unwrap();
    let seed = Seed::from_json(r#"{"tokenLifetimeSecs": -9223372036854775808}"#).unwrap();
    let (_sim, client) = common::start(seed).await;
    let listed: Result<Vec<_>, _> = client.vpp_tokens().list().try_collect().await;
    // The simulator issues tokens that are already expired: a typed error, not a crash.
    let e = listed.unwrap_err();
    assert_eq!(
        e.kind(),
        intune_apple_core::graph::ErrorKind::Unauthorized,
        "{e}"
    );
}
