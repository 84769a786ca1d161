//! What real Intune tenants answer beyond the documentation, reproduced by the simulator's
//! seeds and faults, over HTTP: no push certificate (404), the query broker's throttling as
//! HTTP 500, 429 without `Retry-After`, and the two kinds of 403.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use intune_apple_core::graph::{ErrorKind, ForbiddenReason, SyncOptions};
use intune_apple_core::rules::Severity;
use intune_apple_core::workflows::push_setup::generate_push_csr;
use intune_apple_core::workflows::renewal::{renew_push_certificate, PushRenewalRequest};
use intune_apple_core::workflows::report::{health_report, ReportOptions};
use intune_apple_core::workflows::WorkflowError;
use intune_apple_core::Secret;
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle};

const PUSH: &str = "/beta/deviceManagement/applePushNotificationCertificate";

fn no_push_with_a_token() -> Seed {
    Seed::from_json(
        r#"{"pushCertificate": null,
            "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM", "expiresInDays": 300}]}"#,
    )
    .unwrap()
}

fn calls(sim: &SimHandle, method: &str, path: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|e| e.method == method && e.path.split('?').next() == Some(path))
        .count()
}

#[tokio::test]
async fn no_push_certificate_is_a_critical_finding_when_apple_tokens_wait_for_it() {
    let (_sim, client) = common::start(no_push_with_a_token()).await;
    let err = client.push_certificate().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.code(), Some("ResourceNotFound"));
    assert!(!err.message().contains('{'), "decoded: {}", err.message());

    let report = health_report(&client, &ReportOptions::default()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let push = report
        .items
        .iter()
        .find(|i| i.id == "applePushNotificationCertificate")
        .expect("a push certificate item");
    assert_eq!(push.severity, Severity::Critical);
    assert_eq!(push.problems[0].code, "push.missing");
    assert!(
        push.problems[0]
            .message
            .starts_with("no push certificate: no Apple device can be managed"),
        "{}",
        push.problems[0].message
    );
    assert!(push
        .renewal
        .iter()
        .any(|s| s.contains("Create a Certificate")));
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn no_push_certificate_in_an_empty_tenant_is_informational() {
    let (_sim, client) = common::start(Seed::empty()).await;
    let report = health_report(&client, &ReportOptions::default()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items.len(), 1);
    assert_eq!(report.items[0].severity, Severity::Ok);
    assert_eq!(report.items[0].problems[0].code, "push.missing");
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test]
async fn push_renewal_without_a_certificate_is_a_first_set_up_and_points_to_creating_one() {
    let (sim, client) = common::start(no_push_with_a_token()).await;
    let pem = std::fs::read_to_string(format!(
        "{}/../intune-apple-cli/data/demo-push-renewed.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let err = renew_push_certificate(
        &client,
        &PushRenewalRequest {
            apple_id: "admin@contoso.example".into(),
            pem: Secret::new(pem),
            force: false,
        },
    )
    .await
    .unwrap_err();
    let WorkflowError::RenewalRefused { reasons } = &err else {
        panic!("{err}")
    };
    assert_eq!(reasons[0].code, "noCurrentCertificate");
    assert!(
        reasons[0]
            .message
            .contains("this is a first set-up, not a renewal"),
        "{}",
        reasons[0].message
    );
    assert!(reasons[0].message.contains("generate"));
    assert_eq!(sim.writes_applied(), 0);

    // The signing request of a first set-up.
    let path = std::env::temp_dir().join(format!("intune-apple-first-{}.csr", std::process::id()));
    let out = generate_push_csr(&client, &path).await.unwrap();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("CERTIFICATE REQUEST"));
    assert!(out.next_step.contains("Create a Certificate"));
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        calls(
            &sim,
            "POST",
            "/beta/deviceManagement/applePushNotificationCertificate/generateApplePushNotificationCertificateSigningRequest"
        ),
        1
    );
}

#[tokio::test]
async fn generating_a_signing_request_is_refused_when_a_certificate_exists() {
    let (sim, client) = common::start(Seed::demo()).await;
    let path = std::env::temp_dir().join(format!("intune-apple-exists-{}.csr", std::process::id()));
    let err = generate_push_csr(&client, &path).await.unwrap_err();
    assert_eq!(err.reasons()[0].code, "pushCertificateExists");
    assert!(!path.exists());
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn the_query_broker_s_http_500_is_throttling_and_a_read_backs_off() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(Fault::new("GET", PUSH, FaultKind::QueryBrokerThrottle).nth(1));
    client.push_certificate().get().await.unwrap();
    assert_eq!(calls(&sim, "GET", PUSH), 2, "retried once");

    // Every time: a throttling error, not a server error.
    sim.clear_faults();
    sim.add_fault(Fault::new("GET", PUSH, FaultKind::QueryBrokerThrottle));
    let err = client.push_certificate().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.status(), Some(500));
    assert!(err.is_retryable());
    assert!(err.message().starts_with("Rate limit reached"), "{err}");
    assert_eq!(
        calls(&sim, "GET", PUSH),
        2 + 5,
        "the retry policy's 5 attempts"
    );
}

#[tokio::test]
async fn a_write_answered_by_the_query_broker_s_500_is_not_resent() {
    let (sim, client) = common::start(Seed::demo()).await;
    let path = "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001/syncWithAppleDeviceEnrollmentProgram";
    sim.add_fault(Fault::new("POST", path, FaultKind::QueryBrokerThrottle));
    let err = client
        .enrollment_program_tokens()
        .sync(
            "d1111111-0000-4000-8000-000000000001",
            &SyncOptions {
                force: true,
                ..SyncOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(calls(&sim, "POST", path), 1);
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_succeeds() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(Fault::new("GET", PUSH, FaultKind::ThrottleWithoutRetryAfter).nth(1));
    sim.add_fault(Fault::new("GET", PUSH, FaultKind::ThrottleWithoutRetryAfter).nth(2));
    client.push_certificate().get().await.unwrap();
    assert_eq!(calls(&sim, "GET", PUSH), 3);
    let log = sim.request_log();
    assert_eq!(
        log.iter()
            .filter(|e| e.path.starts_with(PUSH))
            .map(|e| e.status)
            .collect::<Vec<_>>(),
        [429, 429, 200]
    );
}

#[tokio::test]
async fn a_403_for_a_missing_scope_lists_the_accepted_permissions() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(Fault::new("GET", PUSH, FaultKind::MissingScope));
    let err = client.push_certificate().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(
        err.forbidden_reason(),
        Some(ForbiddenReason::MissingPermission)
    );
    assert!(err
        .accepted_permissions()
        .iter()
        .any(|p| p == "DeviceManagementServiceConfiguration.Read.All"));
    assert!(err
        .accepted_permissions()
        .iter()
        .any(|p| p == "DeviceManagementServiceConfig.ReadWrite.All"));
    let text = err.to_string();
    assert!(text.contains("Grant this permission"), "{text}");
    assert!(text.contains("legacy name"), "{text}");
    assert!(!text.contains("Intune refused"), "{text}");
    assert!(!text.contains("\\\"") && !text.contains("{\""), "{text}");
}

#[tokio::test]
async fn a_403_refused_by_intune_says_role_scope_tags_and_licence() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(Fault::new("GET", PUSH, FaultKind::IntuneRefused));
    let err = client.push_certificate().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.code(), Some("UnknownError"));
    assert_eq!(err.forbidden_reason(), Some(ForbiddenReason::IntuneRefused));
    assert_eq!(err.required_permission(), None, "not a missing permission");
    assert!(err.message().starts_with("An error has occurred"), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("the app has the permission but Intune refused it")
            || text.contains("The app has the permission but Intune refused it"),
        "{text}"
    );
    assert!(
        text.contains("scope tags") && text.contains("licence"),
        "{text}"
    );
    assert!(!text.contains('\\') && !text.contains("{\""), "{text}");
    // The request id of the error body is kept even when it is not a GUID.
    assert!(err.request_id().unwrap().starts_with("sim-"));

    // In the report, the section's error carries the same hint.
    let report = health_report(&client, &ReportOptions::default()).await;
    let e = &report.errors[0];
    assert_eq!(e.section, "pushCertificate");
    assert_eq!(e.code, "forbidden");
    assert!(e.message.contains("Intune refused it"), "{}", e.message);
}

#[tokio::test]
async fn the_apple_configurator_key_is_never_counted_as_a_token() {
    let mut seed = Seed::demo();
    seed.apple_configurator_key = Some("0c3f5a3e-0000-4000-8000-00000000ac01".into());
    let (_sim, client) = common::start(seed).await;
    let (_plain, plain_client) = common::start(Seed::demo()).await;
    let with_key = health_report(&client, &ReportOptions::default()).await;
    let without = health_report(&plain_client, &ReportOptions::default()).await;
    assert!(with_key.errors.is_empty(), "{:?}", with_key.errors);
    let ids = |r: &intune_apple_core::workflows::report::HealthReport| -> Vec<String> {
        r.items.iter().map(|i| i.id.clone()).collect()
    };
    assert_eq!(
        ids(&with_key),
        ids(&without),
        "the same items, the key not among them"
    );
    assert!(with_key.items.iter().all(|i| !i.id.contains("ac01")));
}
