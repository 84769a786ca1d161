//! Named threshold presets: the default 30/7 days and the Intune admin center's connector
//! status ("Intune parity").
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use intune_apple_core::model::{DepOnboardingSetting, VppToken, VppTokenState, VppTokenSyncStatus};
use intune_apple_core::rules::health::{
    enrollment_program_token_health, vpp_token_health, HealthThresholds, Severity, ThresholdPreset,
};
use intune_apple_core::rules::Locale;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).unwrap()
}

fn vpp(expires_in: Duration, synced_ago: Duration) -> VppToken {
    VppToken {
        id: Some("v1".into()),
        location_name: Some("Paris".into()),
        expiration_date_time: Some(now() + expires_in),
        last_sync_date_time: Some(now() - synced_ago),
        state: Some(VppTokenState::Valid),
        last_sync_status: Some(VppTokenSyncStatus::Completed),
        ..Default::default()
    }
}

fn dep(expires_in: Duration, synced_ago: Duration) -> DepOnboardingSetting {
    DepOnboardingSetting {
        token_name: Some("ABM".into()),
        token_expiration_date_time: Some(now() + expires_in),
        last_successful_sync_date_time: Some(now() - synced_ago),
        last_sync_triggered_date_time: Some(now() - synced_ago),
        data_sharing_consent_granted: Some(true),
        ..Default::default()
    }
}

#[test]
fn presets_parse_by_name() {
    assert_eq!(
        "default".parse::<ThresholdPreset>().unwrap(),
        ThresholdPreset::Default
    );
    assert_eq!(
        "intune".parse::<ThresholdPreset>().unwrap(),
        ThresholdPreset::IntuneParity
    );
    assert_eq!(
        "Intune-Parity".parse::<ThresholdPreset>().unwrap(),
        ThresholdPreset::IntuneParity
    );
    assert!("strict"
        .parse::<ThresholdPreset>()
        .unwrap_err()
        .contains("intune"));
    assert_eq!(
        ThresholdPreset::Default.thresholds(),
        HealthThresholds::default()
    );
    assert_eq!(ThresholdPreset::IntuneParity.name(), "intune");
}

#[test]
fn intune_parity_expiry_warns_at_seven_days_and_is_unhealthy_once_expired() {
    let t = HealthThresholds::intune_parity();
    let sev =
        |d: Duration| vpp_token_health(&vpp(d, Duration::hours(2)), now(), &t, Locale::En).severity;
    assert_eq!(sev(Duration::days(8)), Severity::Ok);
    assert_eq!(
        sev(Duration::days(7) + Duration::hours(1)),
        Severity::Warning
    );
    // The last day before expiry is critical: thresholds are whole days from 0 (the admin
    // center has no such step; the preset's one departure from it).
    assert_eq!(
        sev(Duration::days(1) + Duration::hours(1)),
        Severity::Warning
    );
    assert_eq!(sev(Duration::hours(1)), Severity::Critical);
    assert_eq!(sev(Duration::zero()), Severity::Expired);
    // The default preset: 20 days is already a warning, 5 days critical.
    let d = HealthThresholds::default();
    let sev_d =
        |x: Duration| vpp_token_health(&vpp(x, Duration::hours(2)), now(), &d, Locale::En).severity;
    assert_eq!(sev_d(Duration::days(20)), Severity::Warning);
    assert_eq!(sev_d(Duration::days(5)), Severity::Critical);
}

#[test]
fn intune_parity_sync_warns_after_a_day_and_is_unhealthy_after_three() {
    let t = HealthThresholds::intune_parity();
    let far = Duration::days(200);
    let vpp_sev = |ago: Duration| vpp_token_health(&vpp(far, ago), now(), &t, Locale::En).severity;
    let dep_sev = |ago: Duration| {
        enrollment_program_token_health(&dep(far, ago), now(), &t, Locale::En).severity
    };
    for sev in [&vpp_sev as &dyn Fn(Duration) -> Severity, &dep_sev] {
        assert_eq!(sev(Duration::hours(23)), Severity::Ok);
        assert_eq!(sev(Duration::hours(25)), Severity::Warning);
        assert_eq!(sev(Duration::days(3)), Severity::Warning);
        assert_eq!(
            sev(Duration::days(3) + Duration::minutes(1)),
            Severity::Critical
        );
    }
    // The default preset never makes a stale sync critical.
    let d = HealthThresholds::default();
    let h = vpp_token_health(&vpp(far, Duration::days(10)), now(), &d, Locale::En);
    assert_eq!(h.severity, Severity::Warning);
    assert_eq!(h.problems[0].code, "vpp.sync_stale");
}
