//! An enrollment program token sync asked too soon is refused by the client itself, with the
//! exact next allowed time, and never reaches Intune.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use chrono::Duration;
use intune_apple_core::graph::{ErrorKind, SyncOptions};
use intune_apple_sim::{DepTokenSeed, Seed};

const TOKEN: &str = "d9999999-0000-4000-8000-000000000009";

#[tokio::test]
async fn a_sync_ten_minutes_after_the_last_is_refused_client_side_with_the_next_time() {
    let mut seed = Seed::empty();
    seed.dep_tokens.push(DepTokenSeed {
        id: TOKEN.into(),
        token_name: "Contoso ABM".into(),
        last_sync_triggered_hours_ago: Some(10.0 / 60.0),
        ..DepTokenSeed::default()
    });
    let (sim, client) = common::start(seed).await;
    let dep = client.enrollment_program_tokens();
    let token = dep.get(TOKEN).await.unwrap();
    let last = token.last_sync_triggered_date_time.unwrap();
    let ago = sim.now() - last;
    assert!(
        (ago - Duration::minutes(10)).num_seconds().abs() <= 1,
        "{ago}"
    );

    let err = dep.sync(TOKEN, &SyncOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyncTooSoon, "{err}");
    assert_eq!(err.next_allowed_at(), Some(last + Duration::minutes(15)));
    assert!(err.status().is_none(), "decided client-side: {err}");
    assert!(err.to_string().contains("next allowed at"), "{err}");

    let syncs = sim
        .request_log()
        .iter()
        .filter(|e| e.method == "POST" && e.path.contains("syncWithAppleDeviceEnrollmentProgram"))
        .count();
    assert_eq!(syncs, 0, "no sync request reached the simulated tenant");
    assert_eq!(sim.writes_applied(), 0);
}
