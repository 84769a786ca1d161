//! Numbers a seed or a caller of the simulator chooses never stop it: huge, negative and
//! non-finite day counts, lifetimes and clock moves saturate, and the simulator keeps serving.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use intune_apple_sim::{Seed, Simulator};
use serde_json::{json, Value};

const HOSTILE: &str = r#"{
  "pushCertificate": {"expiresInDays": 1e300},
  "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM",
                 "expiresInDays": -1e300, "lastSyncTriggeredHoursAgo": -1e300}],
  "vppTokens": [{"id": "a9999999-0000-4000-8000-000000000009", "organizationName": "Contoso",
                 "locationName": "Main", "displayName": "Main", "expiresInDays": 1e18, "state": "valid"}],
  "tokenLifetimeSecs": 9223372036854775807,
  "depSyncDurationSecs": 9223372036854775807
}"#;

async fn get(http: &reqwest::Client, url: &str, token: &str) -> (u16, Value) {
    let r = http.get(url).bearer_auth(token).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn hostile_seed_and_clock_moves_saturate() {
    let sim = Simulator::start(Seed::from_json(HOSTILE).unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let t: Value = http
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
    let token = t["access_token"].as_str().unwrap().to_owned();
    let base = sim.base_url();
    for path in [
        "/v1.0/deviceManagement/applePushNotificationCertificate",
        "/beta/deviceManagement/depOnboardingSettings",
        "/v1.0/deviceAppManagement/vppTokens",
    ] {
        let (status, body) = get(&http, &format!("{base}{path}"), &token).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // A sync with an endless duration starts and is reported as running.
    let r = http
        .post(format!(
            "{base}/beta/deviceManagement/depOnboardingSettings/d9999999-0000-4000-8000-000000000009/syncWithAppleDeviceEnrollmentProgram"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(r.status().as_u16() < 500, "{}", r.status());

    for body in [
        json!({"advanceSeconds": 1e300}),
        json!({"advanceSeconds": -1e300}),
        json!({"now": "9999-12-31T23:59:59Z"}),
        json!({"now": "0001-01-01T00:00:00Z"}),
    ] {
        let r = http
            .post(format!("{base}/_sim/clock"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{body}");
    }
    sim.set_now(DateTime::<Utc>::MAX_UTC);
    sim.advance(Duration::MAX);
    sim.advance(Duration::MIN);
    sim.set_now(DateTime::<Utc>::MIN_UTC);
    // Still serving.
    let r = http.get(format!("{base}/_sim/log")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
}
