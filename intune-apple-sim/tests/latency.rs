//! The simulated latency and the throttles' limits, over real HTTP. No assertion reads a
//! clock: the delays are checked in the simulator's own request log, and that they hold an
//! answer back by the order in which answers arrive.
#![allow(clippy::unwrap_used)]

use intune_apple_sim::{Latency, Seed, SimHandle, Simulator, ThrottleLimits};
use serde_json::{json, Value};

async fn token(http: &reqwest::Client, sim: &SimHandle) -> String {
    let r: Value = http
        .post(sim.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_owned()
}

const PUSH: &str = "/v1.0/deviceManagement/applePushNotificationCertificate";
const VPP: &str = "/v1.0/deviceAppManagement/vppTokens";

/// Token, push certificate twice, VPP tokens, the state; the log's delays.
async fn delays_of_a_run(latency: Latency) -> Vec<(String, u64)> {
    let mut seed = Seed::demo();
    seed.latency = latency;
    let sim = Simulator::start(seed).await.unwrap();
    let http = reqwest::Client::new();
    let bearer = token(&http, &sim).await;
    for p in [PUSH, PUSH, VPP] {
        let r = http
            .get(format!("{}{p}", sim.base_url()))
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let r = http
        .get(format!("{}/_sim/state", sim.base_url()))
        .send()
        .await
        .unwrap();
    let state: Value = r.json().await.unwrap();
    assert_eq!(state["latency"]["fixedMs"], 20);
    sim.request_log()
        .into_iter()
        .map(|e| (e.path, e.delay_ms))
        .collect()
}

#[tokio::test]
async fn answers_wait_the_latency_of_their_route_with_a_seeded_jitter() {
    let latency = Latency::fixed(20).with_jitter(10, 3).route(
        Some("GET"),
        "/v1.0/deviceAppManagement/*",
        40,
        0,
    );
    let first = delays_of_a_run(latency.clone()).await;
    let paths: Vec<&str> = first.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths.len(), 5, "{first:?}");
    assert!(paths[0].ends_with("/oauth2/v2.0/token"), "{paths:?}");
    for (path, delay) in &first[..3] {
        assert!((20..=30).contains(delay), "{path}: {delay}");
    }
    assert_eq!(first[3], (VPP.to_owned(), 40));
    assert_eq!(first[4], ("/_sim/state".to_owned(), 0), "controls wait not");
    // The same requests draw the same jitter.
    assert_eq!(delays_of_a_run(latency.clone()).await, first);
    // Another seed draws another (for at least one of many calls).
    let other = latency.clone().with_jitter(10, 4);
    assert!((1..=50).any(|n| other.delay_ms("GET", PUSH, n) != latency.delay_ms("GET", PUSH, n)));
}

#[tokio::test]
async fn a_delayed_answer_arrives_after_a_later_undelayed_one() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let http = reqwest::Client::new();
    let bearer = token(&http, &sim).await;
    // Set over the control API: the push certificate is held back a minute, the rest not.
    let r = http
        .post(format!("{}/_sim/latency", sim.base_url()))
        .json(&json!({"routes": [{"method": "GET", "path": PUSH, "fixedMs": 60_000}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(sim.latency().routes.len(), 1);
    let slow = tokio::spawn({
        let (http, url, bearer) = (
            http.clone(),
            format!("{}{PUSH}", sim.base_url()),
            bearer.clone(),
        );
        async move {
            http.get(url)
                .bearer_auth(bearer)
                .send()
                .await
                .map(|r| r.status())
        }
    });
    // Wait until the simulator has answered it (the log entry is written before the delay).
    while !sim.request_log().iter().any(|e| e.path == PUSH) {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let fast = http
        .get(format!("{}{VPP}", sim.base_url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(fast.status().as_u16(), 200);
    assert!(!slow.is_finished(), "the delayed answer came first");
    slow.abort();
    let log = sim.request_log();
    let push = log.iter().find(|e| e.path == PUSH).unwrap();
    assert_eq!((push.status, push.delay_ms), (200, 60_000));
}

#[tokio::test]
async fn throttle_limits_can_be_shortened_and_count_real_time() {
    let mut seed = Seed::demo();
    seed.app_throttle = true;
    seed.throttle_limits = ThrottleLimits {
        window_ms: 600_000,
        real_time: true,
        app_writes: 3,
        ..ThrottleLimits::intune()
    };
    let sim = Simulator::start(seed).await.unwrap();
    let http = reqwest::Client::new();
    let bearer = token(&http, &sim).await;
    let path = format!(
        "{}/v1.0/deviceAppManagement/vppTokens/a1111111-0000-4000-8000-000000000001",
        sim.base_url()
    );
    let patch = || {
        http.patch(&path)
            .bearer_auth(&bearer)
            .json(&json!({"displayName": "y"}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(patch().await.unwrap().status().as_u16(), 200);
    }
    let refused = patch().await.unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    let wait: f64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0.0 && wait <= 600.0, "{wait}");
    // Reads still pass: only the writes' limit is reached.
    let r = http
        .get(format!("{}{VPP}", sim.base_url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // New limits over the control API forget what was counted.
    let r = http
        .post(format!("{}/_sim/throttle", sim.base_url()))
        .json(&json!({"perApp": true, "limits": {"windowMs": 600_000, "realTime": true, "appWrites": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(patch().await.unwrap().status().as_u16(), 200);
    assert_eq!(patch().await.unwrap().status().as_u16(), 429);
}
