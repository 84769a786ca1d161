//! Shapes of real answers that the documentation does not show, over HTTP (the simulator's
//! `realShapes` fault) and from fixtures written for these tests (`fixtures/shapes/`, not
//! captures): members, expanded navigation properties and nested complex types without
//! `@odata.type`, `@odata.count` without `$count`, 200 instead of 204, a macOS VPP app read from
//! v1.0 as a bare `mobileApp`, and the identity platform's `timestamp` with a space.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use futures::TryStreamExt as _;
use intune_apple_core::model::{decode, Collection, EnrollmentProfile, MobileApp, OAuthErrorBody};
use intune_apple_core::rules::licences::AppLicences;
use intune_apple_sim::{Fault, FaultKind, Seed};

const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/shapes/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test]
async fn untyped_members_and_expanded_defaults_are_read_as_their_types() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(Fault {
        method: Some("GET".into()),
        path: "/beta/*".into(),
        nth: None,
        kind: FaultKind::RealShapes,
    });
    let profiles: Vec<EnrollmentProfile> = client
        .enrollment_profiles(DEP_MAIN)
        .list()
        .try_collect()
        .await
        .unwrap();
    assert!(
        matches!(profiles[0], EnrollmentProfile::DepIos(_)),
        "{:?}",
        profiles[0]
    );
    assert!(
        matches!(profiles[1], EnrollmentProfile::DepMacOs(_)),
        "{:?}",
        profiles[1]
    );

    let token = client
        .enrollment_program_tokens()
        .get(DEP_MAIN)
        .await
        .unwrap();
    let ios = token
        .default_ios_enrollment_profile
        .expect("expanded without @odata.type");
    assert_eq!(ios.display_name.as_deref(), Some("Corporate iPhone"));
    assert!(token.default_mac_os_enrollment_profile.is_some());

    let apps: Vec<MobileApp> = client.vpp_apps().list().try_collect().await.unwrap();
    assert_eq!(apps.len(), 5);
    assert!(apps.iter().all(|a| matches!(a, MobileApp::IosVppApp(_))));
    assert!(apps.iter().all(|a| AppLicences::of(a).is_some()));
    // VPP apps are read from beta: v1.0 has no vppTokenId (and no macOsVppApp).
    assert!(sim
        .request_log()
        .iter()
        .filter(|e| e.path.contains("mobileApps"))
        .all(|e| e.path.starts_with("/beta/")));

    // The health report reads the same tenant as without the fault.
    let report = intune_apple_core::workflows::report::health_report(
        &client,
        &intune_apple_core::workflows::report::ReportOptions {
            include_apps: true,
            ..Default::default()
        },
    )
    .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items.len(), 7);
}

#[tokio::test]
async fn set_default_profile_answered_200_without_a_body_is_a_success() {
    let (sim, client) = common::start(Seed::demo()).await;
    let profile = format!("{DEP_MAIN}_e1111111-0000-4000-8000-000000000001");
    sim.add_fault(Fault {
        method: Some("POST".into()),
        path: "/beta/deviceManagement/depOnboardingSettings/*".into(),
        nth: None,
        kind: FaultKind::RealShapes,
    });
    client
        .enrollment_profiles(DEP_MAIN)
        .set_default(&profile)
        .await
        .unwrap();
    let last = sim.request_log().pop().unwrap();
    assert!(last.path.ends_with("/setDefaultProfile"), "{}", last.path);
    assert_eq!((last.status, last.body_size), (200, 0));
}

#[test]
fn fixtures_of_real_shapes_decode() {
    let page: Collection<EnrollmentProfile> =
        decode(fixture("collection-untyped-with-count.json").as_bytes()).unwrap();
    assert_eq!(page.odata_count, Some(3), "@odata.count without $count");
    let kinds: Vec<EnrollmentProfile> = page
        .value
        .into_iter()
        .map(EnrollmentProfile::resolve_untyped)
        .collect();
    assert!(matches!(kinds[0], EnrollmentProfile::DepIos(_)));
    assert!(matches!(kinds[1], EnrollmentProfile::DepMacOs(_)));
    // A settings catalog policy stays what it is, and keeps its id.
    assert!(matches!(kinds[2], EnrollmentProfile::Other(_)));
    assert!(kinds[2].id().unwrap().starts_with("ECV2_"));

    let bare: MobileApp = decode::<intune_apple_core::model::Entity<MobileApp>>(
        fixture("v1-macOsVppApp-bare-mobileApp.json").as_bytes(),
    )
    .unwrap()
    .into_inner();
    assert!(matches!(bare, MobileApp::Other(_)));
    assert!(
        AppLicences::of(&bare).is_none(),
        "no licence fields in v1.0"
    );

    let oauth: OAuthErrorBody =
        serde_json::from_str(&fixture("oauth-error-space-timestamp.json")).unwrap();
    assert_eq!(oauth.timestamp.as_deref(), Some("2026-11-30 08:15:42Z"));
    assert_eq!(oauth.error.as_deref(), Some("invalid_client"));
}
