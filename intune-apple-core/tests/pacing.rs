//! The client's pacing against the simulator's throttles, over HTTP: with it a burst of writes
//! meets no 429; without it the simulator refuses some. The simulator counts real time over a
//! shortened window (Intune's rule, smaller numbers), so that the test lasts seconds; nothing
//! asserts on time, only on the answers.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use intune_apple_core::graph::{Client, ClientSecretCredential, ErrorKind, Pacing, RetryPolicy};
use intune_apple_sim::{Seed, SimHandle, Simulator, ThrottleLimits};

const WINDOW: Duration = Duration::from_millis(1500);
const WRITES: usize = 4;
const VPP: &str = "a1111111-0000-4000-8000-000000000001";

async fn throttled_sim() -> SimHandle {
    let mut seed = Seed::demo();
    seed.throttle = true;
    seed.app_throttle = true;
    seed.throttle_limits = ThrottleLimits {
        window_ms: 1500,
        real_time: true,
        app_writes: WRITES,
        ..ThrottleLimits::intune()
    };
    Simulator::start(seed).await.unwrap()
}

fn client(sim: &SimHandle, pacing: Option<Pacing>) -> Client {
    Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .credential(ClientSecretCredential::new(
            sim.tenant_id(),
            sim.client_id(),
            sim.client_secret(),
        ))
        .retry_policy(RetryPolicy::none())
        .pacing(pacing)
        .build()
        .unwrap()
}

fn refusals(sim: &SimHandle) -> usize {
    sim.request_log().iter().filter(|e| e.status == 429).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paced_writes_meet_no_throttling_and_unpaced_ones_do() {
    let pacing = Pacing {
        app_writes: WRITES,
        ..Pacing::intune().with_window(WINDOW)
    };
    let sim = throttled_sim().await;
    let paced = client(&sim, Some(pacing));
    // Two clients of the one tenant, writing at once: the limiter is theirs together.
    let other = client(&sim, Some(pacing));
    let burst = |c: Client| async move {
        let mut results = Vec::new();
        for _ in 0..WRITES + 1 {
            results.push(c.vpp_tokens().sync_licenses(VPP).await.map(|_| ()));
        }
        results
    };
    let (a, b) = tokio::join!(burst(paced), burst(other));
    for r in a.iter().chain(&b) {
        assert!(r.is_ok(), "{r:?}");
    }
    assert_eq!(refusals(&sim), 0, "{:?}", sim.request_log());
    assert_eq!(sim.writes_applied(), 2 * (WRITES as u64 + 1));

    let sim = throttled_sim().await;
    let unpaced = client(&sim, None);
    let mut throttled = 0;
    for _ in 0..WRITES + 2 {
        if let Err(e) = unpaced.vpp_tokens().sync_licenses(VPP).await {
            assert_eq!(e.kind(), ErrorKind::Throttled, "{e}");
            throttled += 1;
        }
    }
    assert_eq!(throttled, 2);
    assert_eq!(refusals(&sim), 2);
}

#[tokio::test]
async fn a_turn_beyond_the_operation_timeout_is_refused_unsent() {
    let sim = throttled_sim().await;
    let pacing = Pacing {
        app_writes: 1,
        ..Pacing::intune().with_window(Duration::from_secs(3600))
    };
    let c = Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .credential(ClientSecretCredential::new(
            sim.tenant_id(),
            sim.client_id(),
            sim.client_secret(),
        ))
        .operation_timeout(Duration::from_secs(30))
        .pacing(Some(pacing))
        .build()
        .unwrap();
    c.vpp_tokens().sync_licenses(VPP).await.unwrap();
    let e = c.vpp_tokens().sync_licenses(VPP).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttled, "{e}");
    assert!(e.to_string().contains("not sent"), "{e}");
    assert!(e.retry_after().is_some_and(|w| w > Duration::from_secs(30)));
    assert_eq!(sim.writes_applied(), 1);
    // Reads are not held by the writes' limit.
    c.vpp_tokens().get(VPP).await.unwrap();
}
