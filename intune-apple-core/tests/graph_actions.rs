//! The actions and functions added from the metadata, over HTTP against the simulator: each
//! sent with the verb, path and body the metadata gives, with its typed result.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use intune_apple_core::graph::ErrorKind;
use intune_apple_core::Secret;
use intune_apple_sim::Seed;

const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const VPP_MAIN: &str = "a1111111-0000-4000-8000-000000000001";
const OUTLOOK: &str = "b1111111-0000-4000-8000-000000000001";

#[tokio::test]
async fn the_metadata_s_remaining_actions_and_functions() {
    let (sim, client) = common::start(Seed::demo()).await;
    // Function: GET with its parameter in parentheses; Edm.Int32.
    let in_60_days = sim.now() + chrono::Duration::days(60);
    let n = client
        .enrollment_program_tokens()
        .expiring_vpp_token_count(in_60_days)
        .await
        .unwrap();
    assert_eq!(n, 2, "Training Center (45 days) and the expired Warehouse");

    // Actions: POST with a body.
    client
        .enrollment_program_tokens()
        .release_apple_devices(
            DEP_MAIN,
            Secret::new("p7m-content"),
            &["C02XK0AAAA01".to_owned()],
        )
        .await
        .unwrap();
    let err = client
        .enrollment_program_tokens()
        .release_apple_devices(DEP_MAIN, Secret::new("p7m-content"), &[])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    client.vpp_tokens().sync_license_counts().await.unwrap();
    client
        .vpp_tokens()
        .revoke_licenses_with_untracked(VPP_MAIN, true, true)
        .await
        .unwrap();
    client
        .vpp_apps()
        .revoke_device_license(OUTLOOK, "md-1", false)
        .await
        .unwrap();
    client
        .vpp_apps()
        .revoke_user_license(OUTLOOK, "user-1", false)
        .await
        .unwrap();
    client
        .vpp_apps()
        .revoke_all_licenses(OUTLOOK, true)
        .await
        .unwrap();

    let log: Vec<(String, String)> = sim
        .request_log()
        .into_iter()
        .map(|e| (e.method, e.path))
        .collect();
    for (method, fragment) in [
        ("GET", "/beta/deviceManagement/depOnboardingSettings/getExpiringVppTokenCount(expiringBeforeDateTime="),
        ("POST", "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001/releaseAppleDevices"),
        ("POST", "/beta/deviceAppManagement/vppTokens/syncLicenseCounts"),
        ("POST", "/beta/deviceAppManagement/vppTokens/a1111111-0000-4000-8000-000000000001/revokeLicenses"),
        ("POST", "/beta/deviceAppManagement/mobileApps/b1111111-0000-4000-8000-000000000001/microsoft.graph.iosVppApp/revokeDeviceLicense"),
        ("POST", "/beta/deviceAppManagement/mobileApps/b1111111-0000-4000-8000-000000000001/microsoft.graph.iosVppApp/revokeUserLicense"),
        ("POST", "/beta/deviceAppManagement/mobileApps/b1111111-0000-4000-8000-000000000001/microsoft.graph.iosVppApp/revokeAllLicenses"),
    ] {
        assert!(
            log.iter().any(|(m, p)| m == method && p.starts_with(fragment)),
            "{method} {fragment} in {log:?}"
        );
    }
    // The p7m never appears in the request log or an error.
    assert!(!format!("{log:?}{err}").contains("p7m-content"));
}
