//! Enrollment profile workflows against the simulated tenant, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use futures::TryStreamExt as _;
use intune_apple_core::model::{DepIosEnrollmentProfile, EnrollmentProfile};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profiles::{
    assign_serial_numbers, copy_profile, create_profile, parse_profile_template,
    parse_serial_numbers, set_default_profile, DeviceOutcome, SerialAssignmentOptions,
};
use intune_apple_sim::{DepTokenSeed, Fault, FaultKind, Seed, SimHandle};

const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const DEP_RETAIL: &str = "d2222222-0000-4000-8000-000000000002";
const IPHONE: &str = "d1111111-0000-4000-8000-000000000001_e1111111-0000-4000-8000-000000000001";
const RETAIL_IPAD: &str =
    "d2222222-0000-4000-8000-000000000002_e3333333-0000-4000-8000-000000000003";

#[tokio::test]
async fn a_template_with_several_violations_reports_them_all_and_makes_no_call() {
    let (sim, client) = common::start(Seed::demo()).await;
    let template = EnrollmentProfile::DepIos(DepIosEnrollmentProfile {
        profile_removal_disabled: Some(true), // I1: locked enrollment without supervision
        supervised_mode_enabled: Some(false),
        requires_user_authentication: Some(true),
        enable_single_app_enrollment_mode: Some(true), // I4 twice: no CP auth, no CP token
        enable_shared_i_pad: Some(true), // I8: shared iPad with user affinity (and unsupervised)
        device_name_template: Some("PC-{{USERNAME}}".into()), // I13
        ..DepIosEnrollmentProfile::default()  // and no displayName
    });
    let err = create_profile(&client, DEP_MAIN, &template)
        .await
        .unwrap_err();
    let WorkflowError::InvalidProfile { violations } = &err else {
        panic!("expected InvalidProfile, got {err}");
    };
    let mut codes: Vec<&str> = violations.iter().map(|v| v.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, ["I1", "I13", "I4", "I8", "NAME"], "{err}");
    assert!(violations.len() >= 6, "{violations:?}");
    let text = err.to_string();
    assert!(
        text.contains("profileRemovalDisabled") && text.contains("deviceNameTemplate"),
        "{text}"
    );
    assert!(
        sim.request_log().is_empty(),
        "no call at all: {:?}",
        sim.request_log()
    );
}

#[tokio::test]
async fn a_rule_that_needs_the_tenant_is_checked_before_anything_is_created() {
    let (sim, client) = common::start(Seed::demo()).await;
    let template = parse_profile_template(
        r##"{"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
            "displayName": "Kiosk iPad", "requiresUserAuthentication": true,
            "enableAuthenticationViaCompanyPortal": true,
            "companyPortalVppTokenId": "no-such-token", "supervisedModeEnabled": true}"##,
    )
    .unwrap();
    let err = create_profile(&client, DEP_MAIN, &template)
        .await
        .unwrap_err();
    let WorkflowError::InvalidProfile { violations } = &err else {
        panic!("{err}");
    };
    assert_eq!(
        violations.iter().map(|v| v.code).collect::<Vec<_>>(),
        ["I5"]
    );
    assert!(sim
        .request_log()
        .iter()
        .all(|e| e.method != "POST" || e.path.contains("oauth2")));
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn a_valid_template_is_created_and_can_become_the_default() {
    let (sim, client) = common::start(Seed::demo()).await;
    let template = parse_profile_template(
        r##"{"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
            "id": "ignored", "isDefault": true,
            "displayName": "Sales iPhone", "requiresUserAuthentication": true,
            "supervisedModeEnabled": true, "profileRemovalDisabled": true,
            "deviceNameTemplate": "SALES-{{SERIAL}}"}"##,
    )
    .unwrap();
    let created = create_profile(&client, DEP_MAIN, &template).await.unwrap();
    common::round_trips(&created);
    assert!(
        created.profile_id.starts_with(&format!("{DEP_MAIN}_")),
        "{}",
        created.profile_id
    );
    assert_ne!(created.profile_id, "ignored");
    assert_eq!(created.display_name.as_deref(), Some("Sales iPhone"));
    let profiles: Vec<_> = client
        .enrollment_profiles(DEP_MAIN)
        .list()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(profiles.len(), 3);

    let set = set_default_profile(&client, DEP_MAIN, &created.profile_id)
        .await
        .unwrap();
    assert_eq!(set.platform, "ios");
    assert_eq!(set.previous_default.as_deref(), Some(IPHONE));
    let token = client
        .enrollment_program_tokens()
        .get(DEP_MAIN)
        .await
        .unwrap();
    assert_eq!(
        token.default_ios_enrollment_profile.unwrap().id.as_deref(),
        Some(created.profile_id.as_str())
    );
    assert_eq!(sim.writes_applied(), 2);
}

#[tokio::test]
async fn a_profile_is_copied_to_another_token_and_to_another_tenant() {
    let (_sim, client) = common::start(Seed::demo()).await;
    let copy = copy_profile(
        &client,
        DEP_MAIN,
        IPHONE,
        &client,
        DEP_RETAIL,
        Some("Retail iPhone"),
    )
    .await
    .unwrap();
    assert!(copy.profile_id.starts_with(DEP_RETAIL));
    assert_eq!(copy.copied_from.as_deref(), Some(IPHONE));
    let on_retail: Vec<_> = client
        .enrollment_profiles(DEP_RETAIL)
        .list()
        .try_collect()
        .await
        .unwrap();
    assert!(on_retail
        .iter()
        .any(|p| p.display_name() == Some("Retail iPhone")));

    let mut other = Seed::empty();
    other.tenant_id = "0f0e0d0c-0b0a-4000-8000-000000000001".into();
    other.dep_tokens.push(DepTokenSeed {
        id: "d7777777-0000-4000-8000-000000000007".into(),
        token_name: "Fabrikam ABM".into(),
        ..DepTokenSeed::default()
    });
    let (other_sim, other_client) = common::start(other).await;
    let copy = copy_profile(
        &client,
        DEP_MAIN,
        IPHONE,
        &other_client,
        "d7777777-0000-4000-8000-000000000007",
        None,
    )
    .await
    .unwrap();
    assert_eq!(copy.display_name.as_deref(), Some("Corporate iPhone"));
    assert_eq!(other_sim.writes_applied(), 1);
}

#[tokio::test]
async fn serials_from_a_csv_are_assigned_in_batches_with_a_result_per_device() {
    let (sim, client) = common::start(Seed::demo()).await;
    let csv = "Device,serialNumber\n\
               iPhone 1,D10000000001\n\
               iPhone 2, d10000000002 \n\
               iPhone 1 again,D10000000001\n\
               Unknown,UNKNOWN123\n\
               iPhone 3,D10000000003\n\
               Broken,bad serial!\n";
    let list = parse_serial_numbers(csv).unwrap();
    assert_eq!(
        list.serial_numbers,
        ["D10000000001", "D10000000002", "UNKNOWN123", "D10000000003"]
    );
    assert_eq!(list.duplicates, ["D10000000001"]);
    assert_eq!(list.invalid, ["bad serial!"]);
    common::round_trips(&list);

    // The second batch fails.
    sim.add_fault(
        Fault::new(
            "POST",
            &format!("/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/enrollmentProfiles/{IPHONE}/updateDeviceProfileAssignment"),
            FaultKind::Status { status: 500 },
        )
        .nth(2),
    );
    let report = assign_serial_numbers(
        &client,
        DEP_MAIN,
        IPHONE,
        &list.serial_numbers,
        &SerialAssignmentOptions { batch_size: 2 },
    )
    .await
    .unwrap();
    assert_eq!(report.batches, 2);
    assert_eq!((report.assigned, report.unknown, report.failed), (2, 1, 1));
    common::round_trips(&report);
    let outcome: Vec<_> = report
        .devices
        .iter()
        .map(|d| (d.serial_number.as_str(), d.outcome, d.batch))
        .collect();
    assert_eq!(
        outcome,
        [
            ("D10000000001", DeviceOutcome::Assigned, Some(1)),
            ("D10000000002", DeviceOutcome::Assigned, Some(1)),
            ("UNKNOWN123", DeviceOutcome::UnknownSerial, None),
            ("D10000000003", DeviceOutcome::Failed, Some(2)),
        ]
    );
    assert!(report.devices[3]
        .detail
        .as_deref()
        .unwrap()
        .contains("HTTP 500"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["devices"][2]["outcome"], "unknownSerial");

    // The failed device alone, again: assigned.
    let retry = assign_serial_numbers(
        &client,
        DEP_MAIN,
        IPHONE,
        &["D10000000003".to_owned()],
        &SerialAssignmentOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(retry.devices[0].outcome, DeviceOutcome::Assigned);
}

#[tokio::test]
async fn the_default_of_another_token_and_bad_input() {
    let (_sim, client) = common::start(Seed::demo()).await;
    let set = set_default_profile(&client, DEP_RETAIL, RETAIL_IPAD)
        .await
        .unwrap();
    assert_eq!(set.previous_default, None);
    let err = assign_serial_numbers(
        &client,
        DEP_MAIN,
        IPHONE,
        &[" ".into()],
        &SerialAssignmentOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let err = assign_serial_numbers(
        &client,
        DEP_MAIN,
        "nope",
        &["D10000000001".into()],
        &SerialAssignmentOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "graph", "{err}");
}

#[tokio::test]
async fn few_serials_are_looked_up_one_by_one_many_by_one_listing() {
    let (sim, client) = common::start(Seed::demo()).await;
    let lookups = |sim: &SimHandle| {
        sim.request_log()
            .iter()
            .filter(|e| {
                e.path.contains("importedAppleDeviceIdentities") && e.path.contains("filter")
            })
            .count()
    };
    let listings = |sim: &SimHandle| {
        sim.request_log()
            .iter()
            .filter(|e| {
                e.path.contains("importedAppleDeviceIdentities") && !e.path.contains("filter")
            })
            .count()
    };
    let few = vec!["D10000000010".to_owned(), "D10000000011".to_owned()];
    let r = assign_serial_numbers(
        &client,
        DEP_MAIN,
        IPHONE,
        &few,
        &SerialAssignmentOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(r.assigned, 2);
    assert_eq!(
        (lookups(&sim), listings(&sim)),
        (4, 0),
        "two lookups before, two after"
    );

    let mut many: Vec<String> = (100..160).map(|i| format!("D1{i:010}")).collect();
    many.push("NOPE00000001".into());
    let r = assign_serial_numbers(
        &client,
        DEP_MAIN,
        IPHONE,
        &many,
        &SerialAssignmentOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((r.assigned, r.unknown, r.batches), (60, 1, 1));
    assert!(r.devices[..60]
        .iter()
        .all(|d| d.outcome == DeviceOutcome::Assigned));
    assert_eq!(lookups(&sim), 4, "no per-serial lookup for 61 serials");
    assert_eq!(
        listings(&sim),
        6,
        "250 devices in pages of 100, listed before and after"
    );
}
