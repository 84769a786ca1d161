//! Writes whose outcome is uncertain: a write is resent only when the answer says it was not
//! applied (429, or 503 with `Retry-After`); any other 5xx, a lost answer or a cut-off body is
//! `OutcomeUnknown`, never resent, never "retryable"; the workflows that create read back
//! before they would create again.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use futures::TryStreamExt as _;
use intune_apple_core::graph::ErrorKind;
use intune_apple_core::model::EnrollmentProfile;
use intune_apple_core::workflows::profiles::create_profile;
use intune_apple_core::workflows::renewal::{renew_vpp_token, VppRenewalRequest};
use intune_apple_core::Secret;
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle};

const HQ: &str = "a1111111-0000-4000-8000-000000000001";
const TRAINING: &str = "a2222222-0000-4000-8000-000000000002";
const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";

fn sync_path(token: &str) -> String {
    format!("/beta/deviceAppManagement/vppTokens/{token}/syncLicenses")
}

fn calls(sim: &SimHandle, method: &str, path: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|e| e.method == method && e.path.split('?').next() == Some(path))
        .count()
}

fn file(dir: &str, name: &str) -> String {
    let path = format!("{}/{dir}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn a_write_answered_with_a_5xx_is_never_resent_and_may_have_been_applied() {
    for (fault, applied) in [
        (FaultKind::AppliedThenStatus { status: 500 }, true),
        (FaultKind::AppliedThenStatus { status: 502 }, true),
        (FaultKind::AppliedThenStatus { status: 504 }, true),
        (FaultKind::Status { status: 500 }, false),
        (FaultKind::Status { status: 503 }, false),
    ] {
        let (sim, client) = common::start(Seed::demo()).await;
        let path = sync_path(HQ);
        sim.add_fault(Fault::new("POST", &path, fault.clone()));
        let err = client.vpp_tokens().sync_licenses(HQ).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{fault:?}: {err}");
        assert!(
            !err.is_retryable(),
            "{fault:?}: a caller must read back first"
        );
        assert!(err.to_string().contains("Read the resource back"), "{err}");
        assert_eq!(calls(&sim, "POST", &path), 1, "{fault:?}: sent once");
        assert_eq!(sim.writes_applied(), u64::from(applied), "{fault:?}");
    }
}

#[tokio::test]
async fn a_write_is_resent_when_the_answer_says_it_was_not_applied() {
    for fault in [
        FaultKind::Unavailable {
            retry_after: "0".into(),
        },
        FaultKind::Throttle {
            retry_after: "0".into(),
        },
        FaultKind::ThrottleWithoutRetryAfter,
    ] {
        let (sim, client) = common::start(Seed::demo()).await;
        let path = sync_path(HQ);
        sim.add_fault(Fault::new("POST", &path, fault.clone()).nth(1));
        client.vpp_tokens().sync_licenses(HQ).await.unwrap();
        assert_eq!(calls(&sim, "POST", &path), 2, "{fault:?}");
        assert_eq!(sim.writes_applied(), 1, "{fault:?}: applied once");
    }
}

#[tokio::test]
async fn a_read_answered_with_a_5xx_is_a_server_error_worth_retrying() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(Fault::new(
        "GET",
        &format!("/beta/deviceAppManagement/vppTokens/{HQ}"),
        FaultKind::Status { status: 500 },
    ));
    let err = client.vpp_tokens().get(HQ).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(err.is_retryable());
}

fn profile(name: &str) -> EnrollmentProfile {
    serde_json::from_value(serde_json::json!({
        "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
        "displayName": name,
        "requiresUserAuthentication": true,
        "isMandatory": true,
        "supervisedModeEnabled": true,
        "profileRemovalDisabled": true,
        "enableAuthenticationViaCompanyPortal": false,
        "awaitDeviceConfiguredConfirmation": true
    }))
    .unwrap()
}

async fn named(client: &intune_apple_core::graph::Client, name: &str) -> usize {
    let all: Vec<EnrollmentProfile> = client
        .enrollment_profiles(DEP_MAIN)
        .list()
        .try_collect()
        .await
        .unwrap();
    all.iter()
        .filter(|p| p.display_name() == Some(name))
        .count()
}

#[tokio::test]
async fn a_profile_created_whose_answer_failed_is_read_back_not_created_twice() {
    let (sim, client) = common::start(Seed::demo()).await;
    let path =
        format!("/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/enrollmentProfiles");
    sim.add_fault(Fault::new("POST", &path, FaultKind::AppliedThenStatus { status: 500 }).nth(1));
    let created = create_profile(&client, DEP_MAIN, &profile("Shop floor iPhone"))
        .await
        .unwrap();
    assert!(
        created.notes.iter().any(|n| n.contains("read back")),
        "{:?}",
        created.notes
    );
    assert_eq!(named(&client, "Shop floor iPhone").await, 1);
    assert_eq!(calls(&sim, "POST", &path), 1, "never resent");

    // Refused without being applied: nothing found on reading back, so the error stands and
    // nothing was created; the next attempt creates it once.
    sim.add_fault(Fault::new("POST", &path, FaultKind::Status { status: 502 }).nth(2));
    let err = create_profile(&client, DEP_MAIN, &profile("Front desk iPad"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "graph");
    assert_eq!(named(&client, "Front desk iPad").await, 0);
    create_profile(&client, DEP_MAIN, &profile("Front desk iPad"))
        .await
        .unwrap();
    assert_eq!(named(&client, "Front desk iPad").await, 1);
}

#[tokio::test]
async fn a_vpp_token_created_whose_answer_was_cut_off_is_found_not_created_again() {
    for fault in [
        FaultKind::AppliedThenStatus { status: 500 },
        FaultKind::Truncated,
    ] {
        let (sim, client) = common::start(Seed::demo()).await;
        let path = "/beta/deviceAppManagement/vppTokens";
        sim.add_fault(Fault::new("POST", path, fault.clone()).nth(1));
        let request = VppRenewalRequest {
            token_file: Secret::new(file(
                "tests/fixtures/apple-samples",
                "synthetic/synthetic-compact-neg-offset.vpptoken",
            )),
            location: Some("Lyon".into()),
            create_if_missing: true,
            force: false,
        };
        let before = client
            .vpp_tokens()
            .list()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len();
        let report = renew_vpp_token(&client, &request).await.unwrap();
        assert!(report.created, "{fault:?}");
        assert!(
            report
                .steps
                .iter()
                .any(|s| s.name == "create" && s.detail.contains("read back")),
            "{fault:?}: {:?}",
            report.steps
        );
        let after = client
            .vpp_tokens()
            .list()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len();
        assert_eq!(after, before + 1, "{fault:?}: one token, not two");
        assert_eq!(calls(&sim, "POST", path), 1, "{fault:?}: never resent");
    }
}

#[tokio::test]
async fn force_never_uploads_a_vpptoken_that_sits_in_another_token() {
    let (sim, client) = common::start(Seed::demo()).await;
    let vpp = file("../intune-apple-cli/data", "demo-contoso.vpptoken");
    let request = |location: &str, force: bool| VppRenewalRequest {
        token_file: Secret::new(vpp.clone()),
        location: Some(location.into()),
        create_if_missing: false,
        force,
    };
    renew_vpp_token(&client, &request("Training Center", false))
        .await
        .unwrap();
    let writes = sim.writes_applied();
    let err = renew_vpp_token(&client, &request("Headquarters", true))
        .await
        .unwrap_err();
    let uploaded = err
        .reasons()
        .iter()
        .find(|r| r.code == "alreadyUploaded")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(!uploaded.overridable, "{err}");
    assert!(uploaded.message.contains(TRAINING), "{err}");
    assert_eq!(
        sim.writes_applied(),
        writes,
        "nothing uploaded into Headquarters"
    );
}
