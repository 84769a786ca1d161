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
