//! Rules 8 and 9 of the health report, over HTTP against the simulator: VPP licences running
//! out (configurable), the Company Portal critical where an enrollment profile installs it
//! through that token, and profiles that install it through a token that cannot give it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use intune_apple_core::rules::health::{HealthThresholds, Severity};
use intune_apple_core::rules::licences::LicenceThresholds;
use intune_apple_core::workflows::report::{
    health_report, HealthReport, ReportItem, ReportOptions,
};
use intune_apple_sim::Seed;

const TRAINING: &str = "a2222222-0000-4000-8000-000000000002";
const RETAIL: &str = "d2222222-0000-4000-8000-000000000002";

fn with_apps() -> ReportOptions {
    ReportOptions {
        include_apps: true,
        ..ReportOptions::default()
    }
}

fn item<'a>(r: &'a HealthReport, id: &str) -> &'a ReportItem {
    r.items.iter().find(|i| i.id == id).unwrap()
}

fn codes(i: &ReportItem) -> Vec<&str> {
    i.problems.iter().map(|p| p.code.as_str()).collect()
}

#[tokio::test]
async fn the_demo_tenant_shows_company_portal_licences_and_a_profile_on_a_lapsed_token() {
    let (_sim, client) = common::start(Seed::demo()).await;
    let report = health_report(&client, &with_apps()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    // Rule 8: 48 of 50 Company Portal licences used, installed by "Retail iPad": critical.
    let training = item(&report, TRAINING);
    assert_eq!(training.severity, Severity::Critical);
    let p = training
        .problems
        .iter()
        .find(|p| p.code == "vpp.company_portal_licences")
        .expect("Company Portal licences");
    assert!(
        p.message
            .contains("Intune Company Portal (48 of 50 used), 2 left"),
        "{}",
        p.message
    );

    // Rule 9: "Retail kiosk iPad" installs it through the expired Warehouse token.
    let retail = item(&report, RETAIL);
    assert_eq!(retail.severity, Severity::Critical);
    let p = retail
        .problems
        .iter()
        .find(|p| p.code == "dep.company_portal_token")
        .expect("profile on a lapsed token");
    assert!(p.message.contains("Retail kiosk iPad"), "{}", p.message);
    assert!(
        p.message.contains("\"Warehouse\", which has expired"),
        "{}",
        p.message
    );
    assert!(p.message.contains("Apple ID is asked for"), "{}", p.message);
    // "Retail iPad" still has licences (2 left): not reported on the token.
    assert_eq!(
        retail
            .problems
            .iter()
            .filter(|p| p.code == "dep.company_portal_token")
            .count(),
        1
    );

    // Without the apps the report reads no profiles and says nothing about licences.
    let report = health_report(&client, &ReportOptions::default()).await;
    assert!(!codes(item(&report, TRAINING)).contains(&"vpp.company_portal_licences"));
    assert!(!codes(item(&report, RETAIL)).contains(&"dep.company_portal_token"));
}

const SEED: &str = r#"{
  "pushCertificate": {"expiresInDays": 200},
  "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM", "expiresInDays": 300,
                 "lastSyncTriggeredHoursAgo": 2,
                 "profiles": [{"guid": "e9999999-0000-4000-8000-000000000001", "displayName": "Shop iPad",
                               "platform": "ios", "companyPortalVppTokenId": "a1111111-0000-4000-8000-000000000001"},
                              {"guid": "e9999999-0000-4000-8000-000000000002", "displayName": "Lab iPad",
                               "platform": "ios", "companyPortalVppTokenId": "a2222222-0000-4000-8000-000000000002"}]}],
  "vppTokens": [{"id": "a1111111-0000-4000-8000-000000000001", "locationName": "Shop", "displayName": "Shop",
                 "expiresInDays": 250, "state": "valid"},
                {"id": "a2222222-0000-4000-8000-000000000002", "locationName": "Lab", "displayName": "Lab",
                 "expiresInDays": 250, "state": "invalid"}],
  "apps": [{"id": "b1111111-0000-4000-8000-000000000001", "displayName": "Company Portal",
            "bundleId": "com.microsoft.CompanyPortal", "vppTokenId": "a1111111-0000-4000-8000-000000000001",
            "usedLicenseCount": 20, "totalLicenseCount": 20},
           {"id": "b2222222-0000-4000-8000-000000000002", "displayName": "Notes",
            "bundleId": "com.example.notes", "vppTokenId": "a1111111-0000-4000-8000-000000000001",
            "usedLicenseCount": 85, "totalLicenseCount": 100}]
}"#;

#[tokio::test]
async fn exhausted_and_invalid_tokens_and_the_configurable_warning() {
    let (_sim, client) = common::start(Seed::from_json(SEED).unwrap()).await;
    let report = health_report(&client, &with_apps()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let dep = item(&report, "d9999999-0000-4000-8000-000000000009");
    let messages: Vec<&str> = dep
        .problems
        .iter()
        .filter(|p| p.code == "dep.company_portal_token")
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("\"Shop iPad\"")
            && m.contains("no Company Portal licence left (20 of 20 used)")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\"Lab iPad\"") && m.contains("is not valid (state invalid)")),
        "{messages:?}"
    );
    assert_eq!(dep.severity, Severity::Critical);

    // Notes: 85 of 100 used, 15 left: below the default warning (90 % or 10 left)...
    let shop = item(&report, "a1111111-0000-4000-8000-000000000001");
    assert_eq!(codes(shop), ["vpp.company_portal_licences"]);
    // ... and a warning at 80 %.
    let options = ReportOptions {
        include_apps: true,
        thresholds: HealthThresholds {
            licences: LicenceThresholds {
                warning_used_percent: 80,
                warning_left: 10,
            },
            ..HealthThresholds::default()
        },
        ..ReportOptions::default()
    };
    let report = health_report(&client, &options).await;
    let shop = item(&report, "a1111111-0000-4000-8000-000000000001");
    let low = shop
        .problems
        .iter()
        .find(|p| p.code == "vpp.licences_low")
        .unwrap();
    assert!(
        low.message
            .contains("Notes (85 of 100 used): 15 licence(s) left"),
        "{}",
        low.message
    );
    // 20 left counts too when asked.
    let options = ReportOptions {
        include_apps: true,
        thresholds: HealthThresholds {
            licences: LicenceThresholds {
                warning_used_percent: 0,
                warning_left: 15,
            },
            ..HealthThresholds::default()
        },
        ..ReportOptions::default()
    };
    let report = health_report(&client, &options).await;
    assert!(
        codes(item(&report, "a1111111-0000-4000-8000-000000000001")).contains(&"vpp.licences_low")
    );
}
