//! Token health: expiry windows, push grace period, VPP states and syncs.

use chrono::{DateTime, Duration, TimeZone, Utc};
use intune_apple_core::model::{
    ApplePushNotificationCertificate, VppToken, VppTokenState, VppTokenSyncStatus,
};
use intune_apple_core::rules::health::{
    days_left, expiry_severity, push_certificate_health, vpp_token_health, HealthThresholds,
    Severity, TokenKind, Window,
};
use intune_apple_core::rules::Locale;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn cert(expires: Option<DateTime<Utc>>) -> ApplePushNotificationCertificate {
    ApplePushNotificationCertificate {
        apple_identifier: Some("mdm@contoso.com".into()),
        topic_identifier: Some("com.apple.mgmt.External.1234".into()),
        expiration_date_time: expires,
        ..Default::default()
    }
}

fn healthy_vpp() -> VppToken {
    VppToken {
        id: Some("v1".into()),
        organization_name: Some("Contoso".into()),
        location_name: Some("Paris".into()),
        apple_id: Some("abm@contoso.com".into()),
        expiration_date_time: Some(now() + Duration::days(200)),
        last_sync_date_time: Some(now() - Duration::hours(5)),
        state: Some(VppTokenState::Valid),
        last_sync_status: Some(VppTokenSyncStatus::Completed),
        ..Default::default()
    }
}

fn codes(h: &intune_apple_core::rules::health::TokenHealth) -> Vec<&'static str> {
    h.problems.iter().map(|p| p.code).collect()
}

#[test]
fn exactly_30_days_is_warning_31_is_ok() {
    let t = HealthThresholds::default();
    let h = push_certificate_health(
        &cert(Some(now() + Duration::days(31))),
        now(),
        &t,
        Locale::En,
    );
    assert_eq!(h.severity, Severity::Ok);
    assert!(h.problems.is_empty());
    let h = push_certificate_health(
        &cert(Some(now() + Duration::days(30))),
        now(),
        &t,
        Locale::En,
    );
    assert_eq!(h.severity, Severity::Warning);
    assert_eq!(h.days_left, Some(30));
    assert_eq!(codes(&h), ["push.expiring"]);
    assert_eq!(h.kind, TokenKind::PushCertificate);
    assert_eq!(h.apple_id.as_deref(), Some("mdm@contoso.com"));
}

#[test]
fn exactly_7_days_is_critical_8_is_warning() {
    let w = Window::default();
    assert_eq!(
        expiry_severity(Some(now() + Duration::days(8)), now(), w),
        Severity::Warning
    );
    assert_eq!(
        expiry_severity(Some(now() + Duration::days(7)), now(), w),
        Severity::Critical
    );
    // one second before the instant: still critical (0 days left), at the instant: expired
    assert_eq!(
        expiry_severity(Some(now() + Duration::seconds(1)), now(), w),
        Severity::Critical
    );
    assert_eq!(expiry_severity(Some(now()), now(), w), Severity::Expired);
}

#[test]
fn thresholds_are_configurable_per_kind() {
    let t = HealthThresholds {
        vpp_token: Window {
            warning_days: 60,
            critical_days: 14,
        },
        ..HealthThresholds::default()
    };
    let mut token = healthy_vpp();
    token.expiration_date_time = Some(now() + Duration::days(45));
    assert_eq!(
        vpp_token_health(&token, now(), &t, Locale::En).severity,
        Severity::Warning
    );
    // The push certificate keeps the default window.
    let h = push_certificate_health(
        &cert(Some(now() + Duration::days(45))),
        now(),
        &t,
        Locale::En,
    );
    assert_eq!(h.severity, Severity::Ok);
}

#[test]
fn push_grace_day_30_vs_31() {
    let t = HealthThresholds::default();
    let h = push_certificate_health(
        &cert(Some(now() - Duration::days(30))),
        now(),
        &t,
        Locale::En,
    );
    assert_eq!(h.severity, Severity::Expired);
    assert_eq!(codes(&h), ["push.grace_period"]);
    assert_eq!(h.days_left, Some(-30));
    let h = push_certificate_health(
        &cert(Some(now() - Duration::days(31))),
        now(),
        &t,
        Locale::En,
    );
    assert_eq!(codes(&h), ["push.past_grace"]);
    assert!(h.problems[0].message.contains("must then enrol again"));
    // Expired one second ago: grace.
    let h = push_certificate_health(
        &cert(Some(now() - Duration::seconds(1))),
        now(),
        &t,
        Locale::Fr,
    );
    assert_eq!(codes(&h), ["push.grace_period"]);
    assert!(h.problems[0].message.contains("délai de grâce"));
}

#[test]
fn push_missing_expiry_is_unknown() {
    let h = push_certificate_health(&cert(None), now(), &HealthThresholds::default(), Locale::En);
    assert_eq!(h.severity, Severity::Unknown);
    assert_eq!(h.days_left, None);
    assert_eq!(codes(&h), ["push.missing_expiry"]);
}

#[test]
fn healthy_vpp_token_has_no_problem() {
    let h = vpp_token_health(
        &healthy_vpp(),
        now(),
        &HealthThresholds::default(),
        Locale::En,
    );
    assert_eq!(h.severity, Severity::Ok);
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    assert_eq!(h.display_name.as_deref(), Some("Paris"));
    assert_eq!(h.kind, TokenKind::VppToken);
}

#[test]
fn vpp_states_each_give_their_problem() {
    let cases = [
        (
            VppTokenState::Expired,
            "vpp.state_expired",
            Severity::Expired,
        ),
        (
            VppTokenState::Invalid,
            "vpp.state_invalid",
            Severity::Critical,
        ),
        (
            VppTokenState::AssignedToExternalMdm,
            "vpp.assigned_to_external_mdm",
            Severity::Critical,
        ),
        (
            VppTokenState::DuplicateLocationId,
            "vpp.duplicate_location",
            Severity::Critical,
        ),
        (
            VppTokenState::Unknown,
            "vpp.state_unknown",
            Severity::Warning,
        ),
        (
            VppTokenState::Other("newState".into()),
            "vpp.state_unknown",
            Severity::Warning,
        ),
    ];
    for (state, code, sev) in cases {
        let mut token = healthy_vpp();
        token.state = Some(state);
        let h = vpp_token_health(&token, now(), &HealthThresholds::default(), Locale::En);
        assert_eq!(codes(&h), [code]);
        assert_eq!(h.severity, sev);
    }
    let mut token = healthy_vpp();
    token.state = Some(VppTokenState::AssignedToExternalMdm);
    let h = vpp_token_health(&token, now(), &HealthThresholds::default(), Locale::En);
    assert!(h.problems[0]
        .message
        .contains("claimTokenManagementFromExternalMdm"));
}

#[test]
fn vpp_sync_failed_and_stale() {
    let t = HealthThresholds::default();
    let mut token = healthy_vpp();
    token.last_sync_status = Some(VppTokenSyncStatus::Failed);
    assert_eq!(
        codes(&vpp_token_health(&token, now(), &t, Locale::En)),
        ["vpp.sync_failed"]
    );
    let mut token = healthy_vpp();
    token.last_sync_date_time = Some(now() - Duration::days(2));
    assert!(codes(&vpp_token_health(&token, now(), &t, Locale::En)).is_empty());
    token.last_sync_date_time = Some(now() - Duration::days(2) - Duration::seconds(1));
    assert_eq!(
        codes(&vpp_token_health(&token, now(), &t, Locale::En)),
        ["vpp.sync_stale"]
    );
}

#[test]
fn expired_vpp_token_keeps_being_reported_worst_first() {
    let mut token = healthy_vpp();
    token.expiration_date_time = Some(now() - Duration::days(400));
    token.state = Some(VppTokenState::Expired);
    token.last_sync_status = Some(VppTokenSyncStatus::Failed);
    let h = vpp_token_health(&token, now(), &HealthThresholds::default(), Locale::En);
    assert_eq!(h.severity, Severity::Expired);
    assert_eq!(h.days_left, Some(-400));
    assert_eq!(h.problems.last().map(|p| p.code), Some("vpp.sync_failed"));
    assert!(h
        .problems
        .windows(2)
        .all(|w| w[0].severity >= w[1].severity));
}

proptest! {
    #[test]
    fn severity_is_monotonic_in_days_left(secs in -100_000_000i64..100_000_000, step in 0i64..10_000_000) {
        let w = Window::default();
        let sooner = expiry_severity(Some(now() + Duration::seconds(secs)), now(), w);
        let later = expiry_severity(Some(now() + Duration::seconds(secs + step)), now(), w);
        prop_assert!(sooner >= later);
        let d = days_left(now() + Duration::seconds(secs), now());
        prop_assert!(d * 86_400 <= secs && secs < (d + 1) * 86_400);
    }
}
