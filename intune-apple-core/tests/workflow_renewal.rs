//! Safe renewals against the simulated tenant, over real HTTP: each happy path verifies by
//! reading back, and each refusal writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use chrono::{TimeZone, Utc};
use futures::TryStreamExt as _;
use intune_apple_core::graph::Client;
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::renewal::{
    download_push_csr, renew_enrollment_program_token, renew_push_certificate, renew_vpp_token,
    DepRenewalRequest, PushRenewalRequest, VppRenewalRequest,
};
use intune_apple_core::workflows::step::StepOutcome;
use intune_apple_core::Secret;
use intune_apple_sim::{Seed, SimHandle};

const DEMO_TOPIC: &str = "com.apple.mgmt.External.7c3a3b5e-1d2f-4e8a-9b6c-0f1e2d3c4b5a";
const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const VPP_TRAINING: &str = "a2222222-0000-4000-8000-000000000002";
const P7M_NAME: &str = "ContosoABM_Token_2026-11-23T11-30-00Z_smime.p7m";

fn data(name: &str) -> String {
    let path = format!("{}/../intune-apple-cli/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sample(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/apple-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn setup() -> (SimHandle, Client) {
    common::start(Seed::demo()).await
}

fn writes(sim: &SimHandle, method: &str, fragment: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|e| e.method == method && e.path.contains(fragment))
        .count()
}

fn push_request(pem: String, force: bool) -> PushRenewalRequest {
    PushRenewalRequest {
        apple_id: "admin@contoso.example".into(),
        pem: Secret::new(pem),
        force,
    }
}

fn codes(e: &WorkflowError) -> Vec<&str> {
    e.reasons().iter().map(|r| r.code.as_str()).collect()
}

#[tokio::test]
async fn push_renewal_with_the_same_topic_uploads_and_verifies() {
    let (sim, client) = setup().await;
    let report =
        renew_push_certificate(&client, &push_request(data("demo-push-renewed.pem"), false))
            .await
            .unwrap();
    assert_eq!(report.topic, DEMO_TOPIC);
    assert!(!report.topic_changed);
    assert!(report.overridden.is_empty());
    let before = report.previous_expiry.unwrap();
    assert_eq!(
        (before - sim.now()).num_days(),
        19,
        "demo cert expires in 20 days"
    );
    let after = report.new_expiry.unwrap();
    assert_eq!(
        after,
        Utc.with_ymd_and_hms(2126, 10, 30, 11, 26, 35).unwrap()
    );
    assert_eq!(report.serial_number.as_deref(), Some("2C4E6A8B0D1F3355"));
    let names: Vec<_> = report.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["inspect", "check", "upload", "readBack", "verify"]);
    assert!(report.steps.iter().all(|s| s.outcome == StepOutcome::Done));
    assert_eq!(sim.writes_applied(), 1);
    assert_eq!(writes(&sim, "PATCH", "applePushNotificationCertificate"), 1);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["topicChanged"], false);
    assert_eq!(json["steps"][4]["outcome"], "done");
}

#[tokio::test]
async fn push_renewal_with_a_different_topic_is_refused_and_nothing_is_written() {
    let (sim, client) = setup().await;
    let err = renew_push_certificate(
        &client,
        &push_request(data("demo-push-other-topic.pem"), false),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WorkflowError::RenewalRefused { .. }), "{err}");
    assert_eq!(codes(&err), ["topicChanged"]);
    let text = err.to_string();
    assert!(text.contains("re-enrol"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(sim.writes_applied(), 0);
    assert_eq!(writes(&sim, "PATCH", "applePushNotificationCertificate"), 0);
    assert!(sim
        .request_log()
        .iter()
        .all(|e| e.method == "GET" || e.path.contains("oauth2")));
    let cert = client.push_certificate().get().await.unwrap();
    assert_eq!(cert.topic_identifier.as_deref(), Some(DEMO_TOPIC));

    // Apple's "Create" mistake from the shared samples: refused for the same reason.
    let err = renew_push_certificate(
        &client,
        &push_request(
            sample("synthetic/synthetic-push-new-cert-different-topic.pem"),
            false,
        ),
    )
    .await
    .unwrap_err();
    assert!(codes(&err).contains(&"topicChanged"), "{err}");
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn push_refusal_lists_every_reason() {
    let (sim, client) = setup().await;
    let err = renew_push_certificate(
        &client,
        &push_request(sample("synthetic/synthetic-push-expired.pem"), false),
    )
    .await
    .unwrap_err();
    assert_eq!(codes(&err), ["topicChanged", "alreadyExpired"]);
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn forced_topic_change_is_uploaded_and_said_loudly() {
    let (sim, client) = setup().await;
    let report = renew_push_certificate(
        &client,
        &push_request(data("demo-push-other-topic.pem"), true),
    )
    .await
    .unwrap();
    common::round_trips(&report);
    assert!(report.topic_changed);
    assert!(report.forced);
    assert_eq!(report.previous_topic.as_deref(), Some(DEMO_TOPIC));
    assert_eq!(report.overridden.len(), 1);
    assert_eq!(report.overridden[0].code, "topicChanged");
    assert!(
        report.warnings[0].starts_with("TOPIC CHANGED"),
        "{:?}",
        report.warnings
    );
    assert_eq!(report.steps[1].outcome, StepOutcome::Warning);
    assert_eq!(sim.writes_applied(), 1);
}

#[tokio::test]
async fn a_file_that_is_not_a_push_certificate_writes_nothing() {
    let (sim, client) = setup().await;
    let err = renew_push_certificate(
        &client,
        &push_request(sample("apns/micromdm-mock_push_cert_no_uid.pem"), true),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WorkflowError::TokenFile(_)), "{err}");
    assert_eq!(err.code(), "token_file");
    assert!(sim.request_log().is_empty(), "no call at all");
}

#[tokio::test]
async fn push_csr_is_written_to_the_file() {
    let (_sim, client) = setup().await;
    let path = std::env::temp_dir().join(format!("intune-apple-csr-{}.csr", std::process::id()));
    let out = download_push_csr(&client, &path).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(text.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert_eq!(out.bytes, text.len());
    assert!(out.next_step.contains("Renew"));
    let err = download_push_csr(&client, "/nonexistent-dir/x.csr")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "io");
}

fn dep_request(p7m: String, name: &str) -> DepRenewalRequest {
    DepRenewalRequest {
        token_id: DEP_MAIN.into(),
        apple_id: "abm@contoso.example".into(),
        p7m: Secret::new(p7m),
        file_name: Some(name.into()),
        force: false,
    }
}

#[tokio::test]
async fn enrollment_program_token_renewal_checks_the_key_uploads_and_verifies() {
    let (sim, client) = setup().await;
    let report = renew_enrollment_program_token(&client, &dep_request(data(P7M_NAME), P7M_NAME))
        .await
        .unwrap();
    common::round_trips(&report);
    let before = report.previous_expiry.unwrap();
    let after = report.new_expiry.unwrap();
    assert_eq!((before - sim.now()).num_days(), 239);
    let year = after - sim.now() - chrono::Duration::days(365);
    assert!(year.num_seconds().abs() <= 1, "renewed for a year: {after}");
    assert_eq!(report.token_name.as_deref(), Some("Contoso ABM"));
    assert_eq!(
        report.server_name_from_file_name.as_deref(),
        Some("ContosoABM")
    );
    assert!(
        report.steps.iter().all(|s| s.outcome == StepOutcome::Done),
        "{:?}",
        report.steps
    );
    assert_eq!(writes(&sim, "POST", "/uploadDepToken"), 1);
    assert_eq!(
        writes(&sim, "POST", "generateEncryptionPublicKey"),
        0,
        "never a new key"
    );
    assert_eq!(sim.writes_applied(), 1);
}

#[tokio::test]
async fn enrollment_program_token_for_another_key_is_refused_and_nothing_is_written() {
    let (sim, client) = setup().await;
    let name = "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m";
    let err = renew_enrollment_program_token(
        &client,
        &dep_request(sample(&format!("synthetic/{name}")), name),
    )
    .await
    .unwrap_err();
    assert_eq!(codes(&err), ["notForThisKey"], "{err}");
    assert!(
        err.to_string().contains("intune-apple test DEP token key"),
        "names the recipient: {err}"
    );
    assert_eq!(writes(&sim, "POST", "/uploadDepToken"), 0);
    assert_eq!(sim.writes_applied(), 0);
}

fn vpp_request(file: String, location: Option<&str>) -> VppRenewalRequest {
    VppRenewalRequest {
        token_file: Secret::new(file),
        location: location.map(str::to_owned),
        create_if_missing: false,
        force: false,
    }
}

#[tokio::test]
async fn vpp_renewal_patches_the_token_of_that_location_syncs_and_verifies() {
    let (sim, client) = setup().await;
    let report = renew_vpp_token(
        &client,
        &vpp_request(data("demo-contoso.vpptoken"), Some("training center")),
    )
    .await
    .unwrap();
    assert_eq!(report.token_id, VPP_TRAINING);
    assert!(!report.created);
    common::round_trips(&report);
    assert_eq!(report.location_name.as_deref(), Some("Training Center"));
    let expected = Utc.with_ymd_and_hms(2036, 11, 23, 10, 0, 0).unwrap();
    assert_eq!(report.file_expiry, expected);
    assert_eq!(report.new_expiry, Some(expected));
    assert_eq!((report.previous_expiry.unwrap() - sim.now()).num_days(), 44);
    let names: Vec<_> = report.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "inspect",
            "check",
            "upload",
            "syncLicenses",
            "readBack",
            "verify"
        ]
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(writes(&sim, "PATCH", VPP_TRAINING), 1);
    assert_eq!(
        writes(&sim, "POST", "/vppTokens"),
        1,
        "only the licence sync, no create"
    );
    assert_eq!(sim.writes_applied(), 2);
}

#[tokio::test]
async fn vpp_renewal_refuses_when_the_target_is_ambiguous_or_duplicated() {
    let (sim, client) = setup().await;
    let err = renew_vpp_token(&client, &vpp_request(data("demo-contoso.vpptoken"), None))
        .await
        .unwrap_err();
    assert_eq!(codes(&err), ["ambiguousToken"]);
    assert!(err.to_string().contains("Training Center"), "{err}");
    assert!(err.to_string().contains("cannot override"), "{err}");
    let mut forced = vpp_request(data("demo-contoso.vpptoken"), Some("Warehouse"));
    forced.force = true;
    let err = renew_vpp_token(&client, &forced).await.unwrap_err();
    assert_eq!(codes(&err), ["duplicateLocation"]);
    let err = renew_vpp_token(
        &client,
        &vpp_request(data("demo-contoso.vpptoken"), Some("Paris")),
    )
    .await
    .unwrap_err();
    assert_eq!(codes(&err), ["noTokenForLocation"]);
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn vpp_token_of_an_unknown_organisation_is_created_only_on_request() {
    let (sim, client) = setup().await;
    let file = sample("synthetic/synthetic-compact-neg-offset.vpptoken");
    let err = renew_vpp_token(&client, &vpp_request(file.clone(), None))
        .await
        .unwrap_err();
    assert_eq!(codes(&err), ["noTokenForOrganization"]);
    assert_eq!(sim.writes_applied(), 0);

    let expired = sample("synthetic/synthetic-expired.vpptoken");
    let mut req = vpp_request(expired, None);
    req.create_if_missing = true;
    let err = renew_vpp_token(&client, &req).await.unwrap_err();
    assert_eq!(codes(&err), ["alreadyExpired"]);
    assert_eq!(sim.writes_applied(), 0);

    let mut req = vpp_request(file, Some("Lyon"));
    req.create_if_missing = true;
    let report = renew_vpp_token(&client, &req).await.unwrap();
    assert!(report.created);
    assert_eq!(report.previous_expiry, None);
    assert_eq!(
        report.new_expiry,
        Some(Utc.with_ymd_and_hms(2031, 3, 14, 16, 26, 53).unwrap())
    );
    assert_eq!(writes(&sim, "PATCH", "vppTokens"), 0);
    let tokens: Vec<_> = client.vpp_tokens().list().try_collect().await.unwrap();
    assert_eq!(tokens.len(), 5);
}

#[tokio::test]
async fn no_file_content_appears_in_requests_reports_or_errors() {
    let (_sim, client) = setup().await;
    let vpp = data("demo-contoso.vpptoken");
    let p7m = data(P7M_NAME);
    let pem = data("demo-push-other-topic.pem");
    let pem_body = pem.lines().nth(3).unwrap().to_owned();
    let p7m_body = p7m.lines().nth(7).unwrap().trim().to_owned();

    let push = push_request(pem.clone(), false);
    let dep = dep_request(p7m.clone(), P7M_NAME);
    let vpp_req = vpp_request(vpp.clone(), None);
    let mut texts = vec![
        format!("{push:?}"),
        format!("{dep:?}"),
        format!("{vpp_req:?}"),
    ];
    let e = renew_push_certificate(&client, &push).await.unwrap_err();
    texts.push(format!("{e} {e:?}"));
    let e = renew_vpp_token(&client, &vpp_req).await.unwrap_err();
    texts.push(format!("{e} {e:?}"));
    let mut wrong = dep_request(
        sample("synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m"),
        "x.p7m",
    );
    wrong.force = false;
    let e = renew_enrollment_program_token(&client, &wrong)
        .await
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));
    let ok = renew_enrollment_program_token(&client, &dep).await.unwrap();
    texts.push(serde_json::to_string(&ok).unwrap());
    for t in &texts {
        assert!(!t.contains(vpp.trim()), "vpptoken leaked: {t}");
        assert!(!t.contains(&pem_body), "certificate text leaked: {t}");
        assert!(!t.contains(&p7m_body), "p7m leaked: {t}");
    }
}

#[tokio::test]
async fn a_failed_read_back_says_the_upload_was_sent() {
    let (sim, client) = setup().await;
    sim.add_fault(
        intune_apple_sim::Fault::new(
            "GET",
            "/beta/deviceManagement/applePushNotificationCertificate",
            intune_apple_sim::FaultKind::Status { status: 500 },
        )
        .nth(2),
    );
    let err = renew_push_certificate(&client, &push_request(data("demo-push-renewed.pem"), false))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "verification_failed", "{err}");
    assert!(err.to_string().contains("the upload was sent"), "{err}");
    assert_eq!(sim.writes_applied(), 1);
}

/// The demo tenant, with the main enrollment program token synced `minutes` ago.
fn demo_synced_minutes_ago(minutes: f64) -> Seed {
    let mut seed = Seed::demo();
    let main = seed
        .dep_tokens
        .iter_mut()
        .find(|t| t.id == DEP_MAIN)
        .unwrap();
    main.last_sync_triggered_hours_ago = Some(minutes / 60.0);
    seed
}

#[tokio::test]
async fn enrollment_program_token_renewal_then_sync_starts_a_sync() {
    use intune_apple_core::graph::SyncOptions;
    use intune_apple_core::workflows::renew_enrollment_program_token_and_sync;
    let (sim, client) = setup().await;
    let report = renew_enrollment_program_token_and_sync(
        &client,
        &dep_request(data(P7M_NAME), P7M_NAME),
        &SyncOptions::default(),
    )
    .await
    .unwrap();
    let names: Vec<&str> = report.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["inspect", "check", "upload", "readBack", "verify", "sync"]
    );
    assert!(
        report.steps.iter().all(|s| s.outcome == StepOutcome::Done),
        "{:?}",
        report.steps
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    // The upload, then the sync, in that order.
    let log = sim.request_log();
    let upload = log.iter().position(|e| e.path.contains("/uploadDepToken"));
    let sync = log.iter().position(|e| {
        e.method == "POST" && e.path.contains("syncWithAppleDeviceEnrollmentProgram")
    });
    assert!(upload.is_some() && sync > upload, "{upload:?} {sync:?}");
    assert_eq!(
        writes(&sim, "POST", "syncWithAppleDeviceEnrollmentProgram"),
        1
    );
    let token = client
        .enrollment_program_tokens()
        .get(DEP_MAIN)
        .await
        .unwrap();
    let triggered = token.last_sync_triggered_date_time.unwrap();
    assert!(
        (triggered - sim.now()).num_seconds().abs() <= 1,
        "{triggered}"
    );
}

#[tokio::test]
async fn a_sync_too_soon_after_renewal_is_a_warning_and_never_reaches_intune() {
    use intune_apple_core::graph::SyncOptions;
    use intune_apple_core::workflows::renew_enrollment_program_token_and_sync;
    let (sim, client) = common::start(demo_synced_minutes_ago(10.0)).await;
    let last = client
        .enrollment_program_tokens()
        .get(DEP_MAIN)
        .await
        .unwrap()
        .last_sync_triggered_date_time
        .unwrap();
    let report = renew_enrollment_program_token_and_sync(
        &client,
        &dep_request(data(P7M_NAME), P7M_NAME),
        &SyncOptions::default(),
    )
    .await
    .expect("the renewal succeeds even when the sync must wait");
    let sync = report.steps.last().unwrap();
    assert_eq!(sync.name, "sync");
    assert_eq!(sync.outcome, StepOutcome::Warning, "{sync:?}");
    assert!(sync.detail.contains("renewal itself is done"), "{sync:?}");
    let next = (last + chrono::Duration::minutes(15)).to_rfc3339();
    assert!(
        report.warnings.iter().any(|w| w.contains(&next)),
        "{next} in {:?}",
        report.warnings
    );
    assert!(report.new_expiry > report.previous_expiry);
    assert_eq!(writes(&sim, "POST", "/uploadDepToken"), 1);
    assert_eq!(
        writes(&sim, "POST", "syncWithAppleDeviceEnrollmentProgram"),
        0,
        "refused client-side"
    );
}

#[tokio::test]
async fn a_sync_refused_by_intune_after_renewal_is_a_warning_too() {
    use intune_apple_core::graph::SyncOptions;
    use intune_apple_core::workflows::renew_enrollment_program_token_and_sync;
    let (sim, client) = common::start(demo_synced_minutes_ago(10.0)).await;
    let force = SyncOptions {
        force: true,
        ..SyncOptions::default()
    };
    let report = renew_enrollment_program_token_and_sync(
        &client,
        &dep_request(data(P7M_NAME), P7M_NAME),
        &force,
    )
    .await
    .unwrap();
    let sync = report.steps.last().unwrap();
    assert_eq!(
        (sync.name.as_str(), sync.outcome),
        ("sync", StepOutcome::Warning),
        "{sync:?}"
    );
    assert!(report.warnings.iter().any(|w| w.contains("not synced")));
    // Asked, and refused by the simulated tenant (409): nothing synced.
    assert_eq!(
        writes(&sim, "POST", "syncWithAppleDeviceEnrollmentProgram"),
        1
    );
    assert_eq!(sim.writes_applied(), 1, "only the upload was applied");
}

#[tokio::test]
async fn a_sync_that_fails_after_renewal_is_a_failed_step_and_the_renewal_stands() {
    use intune_apple_core::graph::SyncOptions;
    use intune_apple_core::workflows::renew_enrollment_program_token_and_sync;
    let (sim, client) = setup().await;
    sim.add_fault(intune_apple_sim::Fault::new(
        "POST",
        &format!(
            "/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/syncWithAppleDeviceEnrollmentProgram"
        ),
        intune_apple_sim::FaultKind::Status { status: 500 },
    ));
    let report = renew_enrollment_program_token_and_sync(
        &client,
        &dep_request(data(P7M_NAME), P7M_NAME),
        &SyncOptions::default(),
    )
    .await
    .expect("the renewal stands when only the sync fails");
    let sync = report.steps.last().unwrap();
    assert_eq!(
        (sync.name.as_str(), sync.outcome),
        ("sync", StepOutcome::Failed),
        "{sync:?}"
    );
    assert!(sync.detail.contains("could not be started"), "{sync:?}");
    assert!(sync.detail.contains("renewal itself is done"), "{sync:?}");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("sync could not be started") && w.contains("admin center")),
        "{:?}",
        report.warnings
    );
    assert!(report.new_expiry > report.previous_expiry);
    assert_eq!(writes(&sim, "POST", "/uploadDepToken"), 1);
    assert_eq!(sim.writes_applied(), 1, "only the upload was applied");
}

#[tokio::test]
async fn a_different_apple_id_is_a_warning_that_says_what_to_do() {
    let (_sim, client) = setup().await;
    let mut request = dep_request(data(P7M_NAME), P7M_NAME);
    request.apple_id = "someone-else@contoso.example".into();
    let report = renew_enrollment_program_token(&client, &request)
        .await
        .unwrap();
    let w = report
        .warnings
        .iter()
        .find(|w| w.contains("Apple ID differs"))
        .unwrap_or_else(|| panic!("{:?}", report.warnings));
    assert!(w.contains("upload again with the right one"), "{w}");
}
