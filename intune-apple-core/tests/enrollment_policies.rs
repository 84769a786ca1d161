//! The new enrollment policy experience, over HTTP: settings-catalog policies listed among a
//! token's enrollment profiles (`ECV2_<tokenId>_<policyId>`) and read from
//! `configurationPolicies` (`creationSource` `DepTokenId_<tokenId>`), beside classic profiles;
//! and the key of Apple Configurator profiles never counted as an enrollment program token.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use futures::TryStreamExt as _;
use intune_apple_core::model::configuration_policy::{parse_ecv2_id, ConfigurationPolicy};
use intune_apple_core::model::EnrollmentProfile;
use intune_apple_core::rules::setup::is_apple_configurator_key;
use intune_apple_core::workflows::report::{health_report, ReportOptions};
use intune_apple_sim::Seed;

const TOKEN: &str = "d9999999-0000-4000-8000-000000000009";

const SEED: &str = r#"{
  "pushCertificate": {"expiresInDays": 200},
  "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM", "expiresInDays": 300,
                 "lastSyncTriggeredHoursAgo": 2,
                 "profiles": [
                   {"guid": "e9999999-0000-4000-8000-000000000001", "displayName": "Classic iPhone", "platform": "ios", "isDefault": true},
                   {"guid": "f9999999-0000-4000-8000-000000000002", "displayName": "New iPad policy", "platform": "ios", "settingsCatalog": true}
                 ]}]
}"#;

#[tokio::test]
async fn settings_catalog_policies_are_listed_beside_classic_profiles_and_never_fail() {
    let (_sim, client) = common::start(Seed::from_json(SEED).unwrap()).await;
    let profiles: Vec<EnrollmentProfile> = client
        .enrollment_profiles(TOKEN)
        .list()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(profiles.len(), 2);
    let (classic, policy): (Vec<_>, Vec<_>) =
        profiles.iter().partition(|p| !p.is_settings_catalog());
    assert_eq!(classic.len(), 1);
    let id = policy[0].id().unwrap();
    let (token, policy_id) = parse_ecv2_id(id).unwrap();
    assert_eq!(token, TOKEN);

    let policies: Vec<ConfigurationPolicy> = client
        .enrollment_policies(TOKEN)
        .list()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].id.as_deref(), Some(policy_id));
    assert_eq!(policies[0].dep_token_id(), Some(TOKEN));
    assert_eq!(policies[0].name.as_deref(), Some("New iPad policy"));
    // Another token has none.
    let none: Vec<ConfigurationPolicy> = client
        .enrollment_policies("d0000000-0000-4000-8000-000000000000")
        .list()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());

    // One of them read on its own, and the report over the token: no failure.
    client
        .enrollment_profiles(TOKEN)
        .get(id)
        .await
        .expect("an ECV2 profile reads");
    let report = health_report(
        &client,
        &ReportOptions {
            include_apps: true,
            ..ReportOptions::default()
        },
    )
    .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn the_apple_configurator_key_is_not_a_token() {
    let key: intune_apple_core::model::DepOnboardingSetting = serde_json::from_str(
        r#"{"id": "7e1b0000-0000-4000-8000-00000000c0f1", "tokenType": "none", "tokenName": null,
            "appleIdentifier": null, "tokenExpirationDateTime": null, "syncedDeviceCount": 0}"#,
    )
    .unwrap();
    assert!(is_apple_configurator_key(&key));
}

/// A token with a classic profile that breaks I14, a settings-catalog iOS policy as the admin
/// center writes it, one that hides the Passcode screen but shows Touch ID (I14), a macOS
/// policy that lets the user edit the prefilled account without creating one (M4 names its
/// setting), and one whose settings cannot be read.
const CHECK_SEED: &str = include_str!("fixtures/seeds/profile-check.json");

#[tokio::test]
async fn every_profile_of_a_token_is_checked_settings_catalog_policies_through_their_settings() {
    use intune_apple_core::workflows::profile_check::validate_token_profiles;
    use intune_apple_sim::{Fault, FaultKind};

    let (sim, client) = common::start(Seed::from_json(CHECK_SEED).unwrap()).await;
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceManagement/configurationPolicies/f9999999-0000-4000-8000-000000000005/settings",
        FaultKind::IntuneRefused,
    ));
    let check = validate_token_profiles(&client, TOKEN).await.unwrap();
    let by_name = |n: &str| {
        check
            .profiles
            .iter()
            .find(|p| p.display_name.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("{n}: {check:?}"))
    };
    let codes = |n: &str| -> Vec<(String, String)> {
        by_name(n)
            .violations
            .iter()
            .map(|v| (v.code.clone(), v.path.clone()))
            .collect()
    };
    assert_eq!(check.profiles.len(), 5);

    let classic = by_name("Classic iPhone");
    assert!(!classic.settings_catalog);
    assert!(
        codes("Classic iPhone").iter().any(|(c, _)| c == "I14"),
        "{classic:?}"
    );

    let default = by_name("Default iPad policy");
    assert!(default.settings_catalog);
    assert_eq!(default.platform.as_deref(), Some("iOS"));
    assert_eq!(
        codes("Default iPad policy"),
        Vec::<(String, String)>::new(),
        "{default:?}"
    );
    assert!(default.unchecked_settings.is_empty(), "{default:?}");
    assert_eq!(default.error, None);

    let kiosk = by_name("Kiosk iPad policy");
    assert!(
        codes("Kiosk iPad policy").contains(&("I14".into(), "ade_setupassistant_passcode".into())),
        "{kiosk:?}"
    );
    assert_eq!(
        kiosk.unchecked_settings,
        vec!["ade_setupassistant_somethingnew".to_owned()]
    );

    let mac = by_name("Mac policy");
    assert_eq!(mac.platform.as_deref(), Some("macOS"));
    assert!(
        !codes("Mac policy").iter().any(|(c, _)| c == "M1"),
        "{mac:?}"
    );
    assert!(
        codes("Mac policy").contains(&("M4".into(), "ade_accountsettings_restrictediting".into())),
        "{mac:?}"
    );

    let unreadable = by_name("Unreadable policy");
    let error = unreadable.error.as_deref().unwrap();
    assert!(error.contains("could not be read"), "{error}");
    assert!(!error.contains("\\\""), "escaped JSON shown: {error}");
    assert!(unreadable.violations.is_empty());

    // M4 is an error: it wins over the unchecked profile in the exit code.
    assert!(check.has_errors());
    assert_eq!(check.exit_code(), 1);
    common::round_trips(&check);

    let text = check.to_text();
    assert!(
        text.contains("  warning I14 ade_setupassistant_passcode: "),
        "{text}"
    );
    assert!(
        text.contains("Unreadable policy (settings-catalog policy, iOS"),
        "{text}"
    );
    assert!(
        text.contains("  not checked: its settings could not be read"),
        "{text}"
    );
    assert!(text.ends_with("5 profile(s) of token d9999999-0000-4000-8000-000000000009: 1 break a rule, 1 could not be checked\n"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&check.to_json()).unwrap();
    assert_eq!(
        json["profiles"][3]["violations"][0]["path"],
        "ade_accountsettings_restrictediting"
    );
}
