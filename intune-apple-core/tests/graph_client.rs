//! The Graph client against the simulated tenant, over real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use intune_apple_core::clock::ManualClock;
use intune_apple_core::graph::{
    AssertionAlgorithm, Client, ClientCertificateCredential, ErrorKind, HttpStack, PageProgress,
    RetryPolicy, SyncOptions,
};
use intune_apple_core::model::{
    EnrollmentProfile, ImportedAppleDeviceIdentity, MobileApp, VppTokenCreateRequest,
};
use intune_apple_core::Secret;
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle, Simulator};

const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const VPP_MAIN: &str = "a1111111-0000-4000-8000-000000000001";

struct Setup {
    sim: SimHandle,
    client: Client,
    clock: ManualClock,
}

async fn setup_with(seed: Seed, client_id: &str, secret: &str) -> Setup {
    let sim = Simulator::start(seed).await.unwrap();
    let clock = ManualClock::new(sim.now());
    let client = common::sim_client(&sim, client_id, secret)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    Setup { sim, client, clock }
}

async fn setup() -> Setup {
    setup_with(
        Seed::demo(),
        intune_apple_sim::CLIENT_ID,
        intune_apple_sim::CLIENT_SECRET,
    )
    .await
}

fn count(sim: &SimHandle, method: &str, path_prefix: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|e| e.method == method && e.path.starts_with(path_prefix))
        .count()
}

#[tokio::test]
async fn push_certificate_calls() {
    let s = setup().await;
    let push = s.client.push_certificate();
    let cert = push.get().await.unwrap();
    let topic = cert.topic_identifier.clone().unwrap();
    assert!(topic.starts_with("com.apple.mgmt.External."), "{topic}");
    let days = (cert.expiration_date_time.unwrap() - s.sim.now()).num_days();
    assert!(
        (19..=20).contains(&days),
        "demo certificate expires in 20 days, got {days}"
    );
    assert!(cert.certificate.is_none(), "certificate is write-only");
    let csr = push.download_csr().await.unwrap();
    assert!(!csr.is_empty());
    let consent = push.data_sharing_consent().await.unwrap();
    let granted = push.grant_data_sharing_consent().await.unwrap();
    assert_eq!(granted.granted, Some(true));
    assert!(consent.id.is_some());
    let err = push
        .upload("admin@contoso.example", Secret::new("not a pem"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(!err.to_string().contains("not a pem"));
}

#[tokio::test]
async fn enrollment_program_token_calls() {
    let s = setup().await;
    let dep = s.client.enrollment_program_tokens();
    let tokens: Vec<_> = dep.list().try_collect().await.unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().any(|t| t.last_sync_error_code == Some(3)));
    let main = dep.get(DEP_MAIN).await.unwrap();
    assert_eq!(main.token_name.as_deref(), Some("Contoso ABM"));
    let key = dep.get_encryption_public_key(DEP_MAIN).await.unwrap();
    assert!(key.contains("BEGIN CERTIFICATE"), "{key}");

    // a sync is allowed, the next one 10 minutes later is refused client-side: no call leaves
    s.sim.advance(chrono::Duration::hours(1));
    s.clock.set(s.sim.now());
    dep.sync(DEP_MAIN, &SyncOptions::default()).await.unwrap();
    s.sim.advance(chrono::Duration::minutes(10));
    s.clock.set(s.sim.now());
    let posts_before = count(
        &s.sim,
        "POST",
        "/beta/deviceManagement/depOnboardingSettings",
    );
    let err = dep
        .sync(DEP_MAIN, &SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyncTooSoon, "{err}");
    let next = err.next_allowed_at().unwrap();
    let wait = (next - s.sim.now()).num_seconds();
    assert!(
        (295..=300).contains(&wait),
        "next allowed in {wait} s: {err}"
    );
    assert_eq!(
        count(
            &s.sim,
            "POST",
            "/beta/deviceManagement/depOnboardingSettings"
        ),
        posts_before,
        "the refused sync must not reach Intune"
    );
    // forced, Intune itself refuses with 409: still SyncTooSoon with the next time
    let forced = SyncOptions {
        force: true,
        ..SyncOptions::default()
    };
    let err = dep.sync(DEP_MAIN, &forced).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyncTooSoon, "{err}");
    assert!(err.next_allowed_at().is_some());
    assert_eq!(err.status(), Some(409));

    dep.share_for_school_data_sync(DEP_MAIN).await.unwrap();
    dep.unshare_for_school_data_sync(DEP_MAIN).await.unwrap();
    let created = dep.create("New ABM").await.unwrap();
    let id = created.id.clone().unwrap();
    let generated = dep.generate_encryption_public_key(&id).await.unwrap();
    assert!(generated.contains("BEGIN CERTIFICATE"));
    dep.upload_token(
        &id,
        "abm@contoso.example",
        Secret::new("MIME-Version: 1.0\n..."),
    )
    .await
    .unwrap();
    dep.delete(&id).await.unwrap();
    let err = dep.get(&id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn enrollment_profile_and_device_calls() {
    let s = setup().await;
    let profiles = s.client.enrollment_profiles(DEP_MAIN);
    let list: Vec<_> = profiles.list().try_collect().await.unwrap();
    assert_eq!(list.len(), 2);
    let ios = list
        .iter()
        .find(|p| matches!(p, EnrollmentProfile::DepIos(_)))
        .unwrap();
    let ios_id = ios.id().unwrap().to_owned();
    assert!(ios_id.starts_with(DEP_MAIN), "composite id: {ios_id}");
    let again = profiles.get(&ios_id).await.unwrap();
    assert_eq!(again.id(), Some(ios_id.as_str()));
    profiles.set_default(&ios_id).await.unwrap();
    let config = profiles.export_mobile_config(&ios_id).await.unwrap();
    assert!(!config.is_empty());

    let devices = s.client.imported_devices(DEP_MAIN);
    let all: Vec<ImportedAppleDeviceIdentity> = devices.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 250);
    let serials: Vec<String> = all
        .iter()
        .take(3)
        .filter_map(|d| d.serial_number.clone())
        .collect();
    let batches = profiles.assign_devices(&ios_id, &serials).await;
    assert_eq!(batches.len(), 1);
    assert!(batches[0].result.is_ok());
    let found: Vec<_> = devices
        .find_by_serial(&serials[0])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].requested_enrollment_profile_id.as_deref(),
        Some(ios_id.as_str())
    );
    let imported = devices
        .import(
            vec![ImportedAppleDeviceIdentity {
                serial_number: Some("NEWSERIAL0001".into()),
                ..ImportedAppleDeviceIdentity::default()
            }],
            false,
        )
        .await
        .unwrap();
    assert_eq!(imported.len(), 1);
    let writes = s.sim.writes_applied();
    let empty = devices
        .import(vec![ImportedAppleDeviceIdentity::default()], false)
        .await
        .unwrap_err();
    assert_eq!(
        empty.kind(),
        intune_apple_core::graph::ErrorKind::InvalidInput
    );
    assert!(empty.to_string().contains("no serial number"), "{empty}");
    assert_eq!(s.sim.writes_applied(), writes, "nothing is sent");
    let id = found[0].id.clone().unwrap();
    devices.delete(&id).await.unwrap();
    let after: Vec<_> = devices.list().try_collect().await.unwrap();
    assert_eq!(after.len(), 250, "one imported, one deleted");
}

#[tokio::test]
async fn vpp_token_and_app_calls() {
    let s = setup().await;
    let vpp = s.client.vpp_tokens();
    let tokens: Vec<_> = vpp.list().try_collect().await.unwrap();
    assert_eq!(tokens.len(), 4);
    let main = vpp.get(VPP_MAIN).await.unwrap();
    assert_eq!(main.location_name.as_deref(), Some("Headquarters"));
    let synced = vpp.sync_licenses(VPP_MAIN).await.unwrap();
    assert_eq!(synced.id.as_deref(), Some(VPP_MAIN));
    let file = Secret::new(base64_of(
        r#"{"token":"abc","expDate":"2031-03-14T09:26:53+0000","orgName":"Contoso"}"#,
    ));
    vpp.renew(VPP_MAIN, &file).await.unwrap();
    let renewed = vpp.get(VPP_MAIN).await.unwrap();
    assert_eq!(
        renewed.expiration_date_time.unwrap().to_rfc3339(),
        "2031-03-14T09:26:53+00:00"
    );
    vpp.revoke_licenses(VPP_MAIN, false).await.unwrap();
    let created = vpp
        .create(&VppTokenCreateRequest {
            odata_type: None,
            token: file.clone(),
            automatically_update_apps: Some(true),
            country_or_region: Some("us".into()),
            display_name: Some("Created".into()),
            role_scope_tag_ids: None,
            data_sharing_consent_granted: None,
            claim_token_management_from_external_mdm: None,
        })
        .await
        .unwrap();
    vpp.delete(created.id.as_deref().unwrap()).await.unwrap();

    let apps = s.client.vpp_apps();
    let all: Vec<MobileApp> = apps.list().try_collect().await.unwrap();
    assert!(!all.is_empty());
    let on_main: Vec<MobileApp> = apps.list_by_token(VPP_MAIN).try_collect().await.unwrap();
    assert!(!on_main.is_empty() && on_main.len() < all.len());
    let app_id = match &on_main[0] {
        MobileApp::IosVppApp(a) => a.id.clone().unwrap(),
        MobileApp::MacOsVppApp(a) => a.id.clone().unwrap(),
        other => panic!("unexpected {other:?}"),
    };
    let one = apps.get(&app_id).await.unwrap();
    assert!(matches!(
        one,
        MobileApp::IosVppApp(_) | MobileApp::MacOsVppApp(_)
    ));
    let assignments: Vec<_> = apps.assignments(&app_id).try_collect().await.unwrap();
    apps.assign(&app_id, assignments.clone()).await.unwrap();
    let again: Vec<_> = apps.assignments(&app_id).try_collect().await.unwrap();
    assert_eq!(again.len(), assignments.len());
    let licences = vpp.licenses_for_app("com.microsoft.CompanyPortal").await;
    assert!(licences.is_ok(), "{licences:?}");
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn certificate_credential_with_both_algorithms() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let pem = format!(
        "{}\n{}",
        intune_apple_sim::CERT_CLIENT_CERT_PEM,
        intune_apple_sim::CERT_CLIENT_KEY_PEM
    );
    for alg in [AssertionAlgorithm::Ps256, AssertionAlgorithm::Rs256] {
        let credential = ClientCertificateCredential::from_pem(
            sim.tenant_id(),
            intune_apple_sim::CERT_CLIENT_ID,
            &pem,
        )
        .unwrap()
        .with_algorithm(alg);
        let client = common::sim_builder(&sim)
            .credential(credential)
            .build()
            .unwrap();
        client.push_certificate().get().await.unwrap();
    }
}

/// The app certificate as Windows, Key Vault, OpenSSL 1.x and 3 export it (PKCS#12, with and
/// without a password), and as PEM with an encrypted key: each signs in.
#[tokio::test]
async fn certificate_files_in_every_form_sign_in() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../intune-apple-sim/fixtures");
    let dir = std::env::temp_dir().join(format!("intune-apple-certs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("plain.pem");
    std::fs::write(
        &plain,
        format!(
            "{}{}",
            intune_apple_sim::CERT_CLIENT_CERT_PEM,
            intune_apple_sim::CERT_CLIENT_KEY_PEM
        ),
    )
    .unwrap();
    let password = Some("sim-test-password");
    let cases = [
        (format!("{fixtures}/client-aes.pfx"), password),
        (format!("{fixtures}/client-3des.pfx"), password),
        (format!("{fixtures}/client-rc2.pfx"), password),
        (format!("{fixtures}/client-nopassword.pfx"), None),
        (format!("{fixtures}/client-nopassword.pfx"), Some("")),
        (format!("{fixtures}/client-encrypted-key.pem"), password),
        (plain.display().to_string(), None),
    ];
    let mut thumbprints = std::collections::BTreeSet::new();
    for (path, password) in cases {
        let credential = ClientCertificateCredential::from_file(
            sim.tenant_id(),
            intune_apple_sim::CERT_CLIENT_ID,
            &path,
            password,
        )
        .unwrap_or_else(|e| panic!("{path}: {e}"));
        thumbprints.insert(credential.thumbprint_sha256());
        let client = common::sim_builder(&sim)
            .credential(credential)
            .build()
            .unwrap();
        client
            .push_certificate()
            .get()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    // Key Vault hands a certificate's secret value out as base64 PFX text (wrapped or not).
    use base64::Engine as _;
    let pfx = std::fs::read(format!("{fixtures}/client-nopassword.pfx")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(pfx);
    let wrapped: String = b64
        .as_bytes()
        .chunks(64)
        .map(|line| format!("{}\n", String::from_utf8_lossy(line)))
        .collect();
    for text in [b64, wrapped] {
        let credential = ClientCertificateCredential::from_contents(
            sim.tenant_id(),
            intune_apple_sim::CERT_CLIENT_ID,
            text.as_bytes(),
            None,
        )
        .unwrap();
        thumbprints.insert(credential.thumbprint_sha256());
    }
    assert_eq!(
        thumbprints.len(),
        1,
        "every form holds the same certificate"
    );

    let refused = |path: String, password: Option<&str>| {
        let err = ClientCertificateCredential::from_file("t", "c", &path, password).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&path), "names the file: {text}");
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            assert!(
                !text.contains(p) && !format!("{err:?}").contains(p),
                "{text}"
            );
        }
        text
    };
    let wrong = refused(format!("{fixtures}/client-aes.pfx"), Some("hunter2-wrong"));
    assert!(wrong.contains("password does not open"), "{wrong}");
    let none = refused(format!("{fixtures}/client-aes.pfx"), None);
    assert!(none.contains("password does not open"), "{none}");
    let wrong = refused(
        format!("{fixtures}/client-encrypted-key.pem"),
        Some("hunter2-wrong"),
    );
    assert!(wrong.contains("password does not open"), "{wrong}");
    let missing = refused(format!("{fixtures}/client-encrypted-key.pem"), None);
    assert!(
        missing.contains("AZURE_CLIENT_CERTIFICATE_PASSWORD"),
        "{missing}"
    );
    let not_a_certificate = refused(format!("{fixtures}/../Cargo.toml"), None);
    assert!(
        not_a_certificate.contains("no CERTIFICATE block")
            || not_a_certificate.contains("not a PKCS#12"),
        "{not_a_certificate}"
    );
    let absent = refused(format!("{fixtures}/absent.pfx"), None);
    assert!(absent.contains("cannot read"), "{absent}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn wrong_secret_is_unauthorized_without_echoing_it() {
    let s = setup_with(
        Seed::demo(),
        intune_apple_sim::CLIENT_ID,
        "wrong-secret-value",
    )
    .await;
    let err = s.client.push_certificate().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert!(!err.to_string().contains("wrong-secret-value"));
    assert!(!format!("{err:?}").contains("wrong-secret-value"));
}

#[tokio::test]
async fn read_only_app_gets_forbidden_with_the_permission() {
    let (id, secret) = (
        intune_apple_sim::READ_ONLY_CLIENT_ID,
        intune_apple_sim::READ_ONLY_CLIENT_SECRET,
    );
    let s = setup_with(Seed::demo(), id, secret).await;
    s.client.vpp_tokens().get(VPP_MAIN).await.unwrap();
    let err = s
        .client
        .vpp_tokens()
        .sync_licenses(VPP_MAIN)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
    assert_eq!(
        err.required_permission(),
        Some("DeviceManagementServiceConfig.ReadWrite.All")
    );
}

#[tokio::test]
async fn expired_token_is_refreshed_once() {
    let s = setup().await;
    s.client.push_certificate().get().await.unwrap();
    s.sim.expire_tokens();
    s.client.push_certificate().get().await.unwrap();
    let token_requests = s
        .sim
        .request_log()
        .iter()
        .filter(|e| e.path.contains("/oauth2/v2.0/token"))
        .count();
    assert_eq!(
        token_requests, 2,
        "one token, then one refresh after the 401"
    );
}

#[tokio::test]
async fn cached_token_is_refreshed_before_expiry() {
    let s = setup().await;
    s.client.push_certificate().get().await.unwrap();
    s.client.push_certificate().get().await.unwrap();
    let tokens = |sim: &SimHandle| {
        sim.request_log()
            .iter()
            .filter(|e| e.path.contains("/oauth2/v2.0/token"))
            .count()
    };
    assert_eq!(tokens(&s.sim), 1, "the token is cached");
    // the sim issues short-lived tokens; five minutes before expiry the client refreshes
    s.clock.advance(Duration::from_secs(24 * 3600));
    s.client.push_certificate().get().await.unwrap();
    assert_eq!(tokens(&s.sim), 2);
}

#[tokio::test]
async fn throttling_honours_retry_after() {
    for (value, expected) in [("2", 2.0), ("1.5", 1.5)] {
        let s = setup().await;
        s.sim.add_fault(
            Fault::new(
                "GET",
                "/beta/deviceAppManagement/vppTokens",
                FaultKind::Throttle {
                    retry_after: value.into(),
                },
            )
            .nth(1),
        );
        let tokens: Vec<_> = s.client.vpp_tokens().list().try_collect().await.unwrap();
        assert_eq!(tokens.len(), 4);
        let slept = s.clock.slept();
        assert_eq!(slept.len(), 1, "{slept:?}");
        let waited = slept[0].as_secs_f64();
        assert!(
            (waited - expected).abs() <= expected * 0.1,
            "waited {waited} s for Retry-After {value}"
        );
    }
}

#[tokio::test]
async fn throttling_beyond_the_budget_is_a_throttled_error() {
    let s = setup().await;
    s.sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Throttle {
            retry_after: "3".into(),
        },
    ));
    let err = s
        .client
        .vpp_tokens()
        .list()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled, "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(s.clock.slept().len(), 4, "5 attempts, 4 waits");
    assert!(err.client_request_id().is_some());
}

#[tokio::test]
async fn unavailable_then_success() {
    for status in [503, 504] {
        let s = setup().await;
        s.sim.add_fault(
            Fault::new(
                "GET",
                "/beta/deviceManagement/applePushNotificationCertificate",
                FaultKind::Status { status },
            )
            .nth(1),
        );
        s.client.push_certificate().get().await.unwrap();
        assert_eq!(s.clock.slept().len(), 1);
    }
}

#[tokio::test]
async fn write_answered_504_is_not_resent() {
    let s = setup().await;
    s.sim.add_fault(
        Fault::new(
            "POST",
            &format!("/beta/deviceAppManagement/vppTokens/{VPP_MAIN}/syncLicenses"),
            FaultKind::Status { status: 504 },
        )
        .nth(1),
    );
    let err = s
        .client
        .vpp_tokens()
        .sync_licenses(VPP_MAIN)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(
        count(&s.sim, "POST", "/beta/deviceAppManagement/vppTokens/"),
        1
    );
}

#[tokio::test]
async fn reset_before_the_answer_of_a_read_is_retried() {
    let s = setup().await;
    s.sim.add_fault(
        Fault::new(
            "GET",
            "/beta/deviceManagement/applePushNotificationCertificate",
            FaultKind::ResetBefore,
        )
        .nth(1),
    );
    s.client.push_certificate().get().await.unwrap();
    assert_eq!(
        count(
            &s.sim,
            "GET",
            "/beta/deviceManagement/applePushNotificationCertificate"
        ),
        2
    );
}

#[tokio::test]
async fn reset_after_a_write_is_outcome_unknown_and_applied_once() {
    let s = setup().await;
    let path = format!("/beta/deviceAppManagement/vppTokens/{VPP_MAIN}");
    s.sim
        .add_fault(Fault::new("PATCH", &path, FaultKind::ResetAfter).nth(1));
    let before = s.sim.writes_applied();
    let file = Secret::new(base64_of(
        r#"{"token":"abc","expDate":"2031-03-14T09:26:53+0000","orgName":"Contoso"}"#,
    ));
    let err = s
        .client
        .vpp_tokens()
        .renew(VPP_MAIN, &file)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(s.sim.writes_applied(), before + 1, "exactly one write");
    assert_eq!(count(&s.sim, "PATCH", &path), 1, "never resent");
    assert!(err.to_string().contains("Read the resource back"), "{err}");
}

#[tokio::test]
async fn foreign_next_link_is_refused_and_gets_no_token() {
    let s = setup().await;
    s.sim.set_page_size(100);
    let path = format!(
        "/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/importedAppleDeviceIdentities"
    );
    s.sim
        .add_fault(Fault::new("GET", &path, FaultKind::ForeignNextLink).nth(1));
    let mut stream = s.client.imported_devices(DEP_MAIN).list();
    let mut items = 0;
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => items += 1,
            Some(Err(e)) => break e,
            None => panic!("the listing ended without refusing the link"),
        }
    };
    assert_eq!(items, 100, "the page that carried the link is not lost");
    assert!(stream.next().await.is_none(), "the listing ends there");
    assert_eq!(err.kind(), ErrorKind::Configuration, "{err}");
    assert!(err.to_string().contains("127.0.0.2"), "{err}");
    assert_eq!(
        count(&s.sim, "GET", &path),
        1,
        "only the first page was asked"
    );
}

#[tokio::test]
async fn malformed_and_truncated_bodies() {
    let s = setup().await;
    let path = "/beta/deviceAppManagement/vppTokens";
    s.sim
        .add_fault(Fault::new("GET", path, FaultKind::Malformed).nth(1));
    let err = s
        .client
        .vpp_tokens()
        .list()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.decode_path().is_some());

    s.sim.clear_faults();
    s.sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceManagement/applePushNotificationCertificate",
        FaultKind::Truncated,
    ));
    let err = s.client.push_certificate().get().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Transport | ErrorKind::Decode),
        "{err}"
    );
}

#[tokio::test]
async fn paging_walks_every_page_with_progress() {
    let s = setup_with(
        Seed::with_devices(0, 2_345),
        intune_apple_sim::CLIENT_ID,
        intune_apple_sim::CLIENT_SECRET,
    )
    .await;
    s.sim.set_page_size(100);
    let tokens: Vec<_> = s
        .client
        .enrollment_program_tokens()
        .list()
        .try_collect()
        .await
        .unwrap();
    let token_id = tokens[0].id.clone().unwrap();
    let seen = Arc::new(Mutex::new(Vec::<PageProgress>::new()));
    let sink = seen.clone();
    let devices: Vec<_> = s
        .client
        .imported_devices(&token_id)
        .list_with_progress(Some(Arc::new(move |p| sink.lock().unwrap().push(p))))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(devices.len(), 2_345);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 24);
    assert_eq!(
        seen.last().copied(),
        Some(PageProgress {
            items: 2_345,
            pages: 24
        })
    );
}

#[tokio::test]
async fn no_secret_in_any_error_or_debug() {
    let s = setup().await;
    let mut texts = Vec::new();
    for fault in [
        FaultKind::Throttle {
            retry_after: "9999".into(),
        },
        FaultKind::Status { status: 503 },
        FaultKind::ResetAfter,
        FaultKind::Malformed,
        FaultKind::ForeignNextLink,
    ] {
        s.sim.clear_faults();
        s.sim.add_fault(Fault::new(
            "GET",
            "/beta/deviceAppManagement/vppTokens",
            fault,
        ));
        if let Err(e) = s.client.vpp_tokens().list().try_collect::<Vec<_>>().await {
            texts.push(e.to_string());
            texts.push(format!("{e:?}"));
        }
    }
    texts.push(format!("{:?}", s.client));
    assert!(texts.len() > 5);
    for text in &texts {
        assert!(!text.contains(intune_apple_sim::CLIENT_SECRET), "{text}");
        assert!(!text.to_ascii_lowercase().contains("bearer "), "{text}");
    }
}

#[tokio::test]
async fn sync_while_one_runs_is_sync_too_soon_with_its_end() {
    let s = setup().await;
    s.sim.set_dep_sync_duration(chrono::Duration::minutes(30));
    let dep = s.client.enrollment_program_tokens();
    dep.sync(DEP_MAIN, &SyncOptions::default()).await.unwrap();
    // 16 minutes later the client-side rule allows it, but Intune's sync still runs.
    s.sim.advance(chrono::Duration::minutes(16));
    s.clock.set(s.sim.now());
    let err = dep
        .sync(DEP_MAIN, &SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyncTooSoon, "{err}");
    assert_eq!(err.status(), Some(409));
    let wait = (err.next_allowed_at().unwrap() - s.sim.now()).num_seconds();
    assert!(
        (839..=840).contains(&wait),
        "next allowed in {wait} s: {err}"
    );
    assert!(err.to_string().contains("already in progress"), "{err}");
    s.sim.advance(chrono::Duration::minutes(14));
    s.clock.set(s.sim.now());
    dep.sync(DEP_MAIN, &SyncOptions::default()).await.unwrap();
}

#[tokio::test]
async fn vpp_app_progress_counts_both_platforms_together() {
    let mut seed = Seed::demo();
    for i in 0..3 {
        seed.apps.push(intune_apple_sim::AppSeed {
            platform: "macOS".into(),
            display_name: format!("Mac app {i}"),
            bundle_id: format!("com.example.mac{i}"),
            vpp_token_id: VPP_MAIN.into(),
            ..Default::default()
        });
    }
    let s = setup_with(
        seed,
        intune_apple_sim::CLIENT_ID,
        intune_apple_sim::CLIENT_SECRET,
    )
    .await;
    s.sim.set_page_size(2);
    let seen = Arc::new(Mutex::new(Vec::<PageProgress>::new()));
    let sink = seen.clone();
    let apps: Vec<MobileApp> = s
        .client
        .vpp_apps()
        .list_with_progress(Some(Arc::new(move |p| sink.lock().unwrap().push(p))))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(apps.len(), 8, "5 iOS and 3 macOS apps");
    let seen = seen.lock().unwrap().clone();
    let expected: Vec<(u64, u64)> = vec![(2, 1), (4, 2), (5, 3), (7, 4), (8, 5)];
    assert_eq!(
        seen.iter().map(|p| (p.items, p.pages)).collect::<Vec<_>>(),
        expected,
        "iOS pages of 2, 2, 1, then macOS pages of 2, 1, counted on from the iOS total"
    );
}

#[tokio::test]
async fn retries_reuse_one_client_request_id_and_a_lost_write_is_sent_once() {
    let s = setup().await;
    let path = "/beta/deviceAppManagement/vppTokens";
    for n in [1, 2] {
        s.sim.add_fault(
            Fault::new(
                "GET",
                path,
                FaultKind::Throttle {
                    retry_after: "1".into(),
                },
            )
            .nth(n),
        );
    }
    s.client
        .vpp_tokens()
        .list()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    s.client
        .vpp_tokens()
        .list()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let ids: Vec<String> = s
        .sim
        .request_log()
        .into_iter()
        .filter(|e| e.path == path)
        .map(|e| e.client_request_id.unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        4,
        "two throttled attempts, then two calls served"
    );
    assert!(
        ids[0] == ids[1] && ids[1] == ids[2],
        "one id across retries: {ids:?}"
    );
    assert_ne!(ids[2], ids[3], "a new call, a new id");

    let one = format!("{path}/{VPP_MAIN}");
    s.sim
        .add_fault(Fault::new("PATCH", &one, FaultKind::ResetAfter).nth(1));
    let file = Secret::new(base64_of(
        r#"{"token":"abc","expDate":"2031-03-14T09:26:53+0000","orgName":"Contoso"}"#,
    ));
    let err = s
        .client
        .vpp_tokens()
        .renew(VPP_MAIN, &file)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    let patches: Vec<_> = s
        .sim
        .request_log()
        .into_iter()
        .filter(|e| e.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1, "never resent");
    assert!(patches[0].applied, "applied although the answer was lost");
    assert_eq!(
        patches[0].client_request_id.as_deref(),
        err.client_request_id(),
        "the error gives the id to look the write up with"
    );
}

#[tokio::test]
async fn enrollment_profile_create_update_delete_and_expanded_defaults() {
    use intune_apple_core::model::{DepIosEnrollmentProfile, DepMacOsEnrollmentProfile};
    let s = setup().await;
    let token = s
        .client
        .enrollment_program_tokens()
        .get(DEP_MAIN)
        .await
        .unwrap();
    assert_eq!(
        token
            .default_ios_enrollment_profile
            .as_ref()
            .and_then(|p| p.display_name.as_deref()),
        Some("Corporate iPhone")
    );
    assert_eq!(
        token
            .default_mac_os_enrollment_profile
            .as_ref()
            .and_then(|p| p.display_name.as_deref()),
        Some("Corporate Mac")
    );

    let profiles = s.client.enrollment_profiles(DEP_MAIN);
    let created = profiles
        .create(&EnrollmentProfile::DepIos(DepIosEnrollmentProfile {
            display_name: Some("Kiosk iPad".into()),
            siri_disabled: Some(true),
            device_name_template: Some("KIOSK-{{SERIAL}}".into()),
            ..DepIosEnrollmentProfile::default()
        }))
        .await
        .unwrap();
    let EnrollmentProfile::DepIos(created) = created else {
        panic!("an iOS profile comes back as one: {created:?}");
    };
    let id = created.id.clone().unwrap();
    assert!(id.starts_with(&format!("{DEP_MAIN}_")), "{id}");
    assert_eq!(created.siri_disabled, Some(true));
    profiles
        .update(
            &id,
            &EnrollmentProfile::DepIos(DepIosEnrollmentProfile {
                display_name: Some("Kiosk iPad (shared)".into()),
                siri_disabled: Some(false),
                ..DepIosEnrollmentProfile::default()
            }),
        )
        .await
        .unwrap();
    let EnrollmentProfile::DepIos(read) = profiles.get(&id).await.unwrap() else {
        panic!("still an iOS profile");
    };
    assert_eq!(read.display_name.as_deref(), Some("Kiosk iPad (shared)"));
    assert_eq!(read.siri_disabled, Some(false));
    assert_eq!(
        read.device_name_template.as_deref(),
        Some("KIOSK-{{SERIAL}}")
    );
    let mac = profiles
        .create(&EnrollmentProfile::DepMacOs(DepMacOsEnrollmentProfile {
            display_name: Some("Lab Mac".into()),
            ..DepMacOsEnrollmentProfile::default()
        }))
        .await
        .unwrap();
    assert!(matches!(mac, EnrollmentProfile::DepMacOs(_)), "{mac:?}");
    profiles.delete(&id).await.unwrap();
    let err = profiles.get(&id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let left: Vec<_> = profiles.list().try_collect().await.unwrap();
    assert_eq!(left.len(), 3, "two seeded and the macOS one");
}

#[tokio::test]
async fn assignments_built_in_code_keep_their_target_types() {
    use intune_apple_core::model::{
        AllAssignmentTarget, AssignmentTarget, GroupAssignmentTarget, InstallIntent,
        IosVppAppAssignmentSettings, MobileAppAssignment, MobileAppAssignmentSettings,
    };
    let s = setup().await;
    let app = "b4444444-0000-4000-8000-000000000004";
    let group = |id: &str| GroupAssignmentTarget {
        group_id: Some(id.into()),
        ..GroupAssignmentTarget::default()
    };
    let wanted = vec![
        MobileAppAssignment {
            intent: Some(InstallIntent::Required),
            target: Some(AssignmentTarget::Group(group(
                "0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70",
            ))),
            settings: Some(MobileAppAssignmentSettings::IosVppApp(
                IosVppAppAssignmentSettings {
                    use_device_licensing: Some(true),
                    ..IosVppAppAssignmentSettings::default()
                },
            )),
            ..MobileAppAssignment::default()
        },
        MobileAppAssignment {
            intent: Some(InstallIntent::Required),
            target: Some(AssignmentTarget::ExclusionGroup(group(
                "1c9a5d2b-7b4f-4e3c-8d2a-3f4e5d6c7b81",
            ))),
            ..MobileAppAssignment::default()
        },
        MobileAppAssignment {
            intent: Some(InstallIntent::Available),
            target: Some(AssignmentTarget::AllDevices(AllAssignmentTarget::default())),
            ..MobileAppAssignment::default()
        },
    ];
    s.client.vpp_apps().assign(app, wanted).await.unwrap();
    let read: Vec<MobileAppAssignment> = s
        .client
        .vpp_apps()
        .assignments(app)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(read.len(), 3);
    assert!(
        matches!(read[0].target, Some(AssignmentTarget::Group(_))),
        "{read:?}"
    );
    assert!(
        matches!(read[1].target, Some(AssignmentTarget::ExclusionGroup(_))),
        "an excluded group stays excluded: {read:?}"
    );
    assert!(
        matches!(read[2].target, Some(AssignmentTarget::AllDevices(_))),
        "{read:?}"
    );
    assert!(matches!(
        read[0].settings,
        Some(MobileAppAssignmentSettings::IosVppApp(_))
    ));
}

/// Waits, a few milliseconds at a time for at most 10 s, until `done` holds; whether it held.
async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..1_000 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done()
}

/// A tenant whose first enrollment program token holds `devices` devices served 100 per page;
/// its token id and the path of its device listing.
async fn devices_in_pages_of_100(devices: usize) -> (Setup, String, String) {
    let s = setup_with(
        Seed::with_devices(0, devices),
        intune_apple_sim::CLIENT_ID,
        intune_apple_sim::CLIENT_SECRET,
    )
    .await;
    s.sim.set_page_size(100);
    let token_id = "d0000000-0000-4000-8000-000000000000".to_owned();
    let path = format!(
        "/beta/deviceManagement/depOnboardingSettings/{token_id}/importedAppleDeviceIdentities"
    );
    (s, token_id, path)
}

#[tokio::test]
async fn pages_are_fetched_ahead_of_the_consumer_but_boundedly() {
    let (s, token_id, path) = devices_in_pages_of_100(550).await;
    let token_id = token_id.as_str();
    let mut stream = s.client.imported_devices(token_id).list();
    let first = stream.next().await.unwrap().unwrap();
    assert!(first.serial_number.is_some());
    // the consumer holds the first item of page 1 and asks for nothing more: pages 2 and 3
    // are fetched meanwhile (one waiting, one held by the fetching task), and no further
    assert!(
        eventually(|| count(&s.sim, "GET", &path) == 3).await,
        "pages 2 and 3 were not fetched ahead"
    );
    tokio::task::yield_now().await;
    assert_eq!(count(&s.sim, "GET", &path), 3, "at most two pages ahead");
    let rest: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(rest.len(), 549);
    assert_eq!(count(&s.sim, "GET", &path), 6, "each page asked for once");
    let serials: std::collections::HashSet<_> = rest
        .iter()
        .chain([&first])
        .map(|d| d.serial_number.clone())
        .collect();
    assert_eq!(serials.len(), 550, "no page twice, none lost");
}

#[tokio::test]
async fn clients_sharing_one_http_stack_keep_their_own_tenant_and_timeouts() {
    let contoso = Simulator::start(Seed::demo()).await.unwrap();
    let fabrikam = Simulator::start(Seed::with_devices(0, 3)).await.unwrap();
    let client_of = |sim: &SimHandle, http: HttpStack| {
        common::sim_client(
            sim,
            intune_apple_sim::CLIENT_ID,
            intune_apple_sim::CLIENT_SECRET,
        )
        .http_stack(http)
        .retry_policy(RetryPolicy::default().with_max_attempts(1))
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
    };
    let http = HttpStack::new().unwrap();
    let a = client_of(&contoso, http.clone());
    let b = client_of(&fabrikam, http);
    let third = client_of(&fabrikam, b.http_stack());
    let mut tokens = Vec::new();
    for client in [&a, &b, &third] {
        let list: Vec<_> = client
            .enrollment_program_tokens()
            .list()
            .try_collect()
            .await
            .unwrap();
        tokens.push(list);
    }
    let [tokens_a, tokens_b, tokens_c] = &tokens[..] else {
        unreachable!()
    };
    assert_eq!(tokens_a.len(), 2, "the demo tenant's tokens");
    assert_eq!(tokens_b.len(), 1);
    assert_eq!(tokens_b[0].id, tokens_c[0].id);
    assert_ne!(tokens_a[0].id, tokens_b[0].id);
    // each client keeps its own attempt timeout on the shared stack
    let path = "/beta/deviceManagement/applePushNotificationCertificate";
    fabrikam.add_fault(Fault::new("GET", path, FaultKind::Delay { ms: 3_000 }).nth(1));
    let err = b.push_certificate().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn a_page_that_does_not_decode_ends_the_listing_after_the_pages_before_it() {
    let (s, token_id, path) = devices_in_pages_of_100(350).await;
    let token_id = token_id.as_str();
    s.sim
        .add_fault(Fault::new("GET", &path, FaultKind::Malformed).nth(3));
    let mut stream = s.client.imported_devices(token_id).list();
    let mut serials = std::collections::HashSet::new();
    let err = loop {
        match stream.next().await {
            Some(Ok(device)) => assert!(serials.insert(device.serial_number)),
            Some(Err(e)) => break e,
            None => panic!("the listing ended without the error of page 3"),
        }
    };
    assert_eq!(serials.len(), 200, "the items of pages 1 and 2, once each");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.decode_path().is_some(), "{err}");
    assert!(stream.next().await.is_none(), "nothing after the error");
}
