//! The health command end to end with notifications and the new formats: a webhook
//! receiver on loopback, a state file between runs, the simulated tenant behind Graph.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Router;
use intune_apple_sim::{Fault, FaultKind, Seed, Simulator};
use serde_json::Value;

mod common;

use common::{env_for, temp_dir, Output};

async fn health(args: &[&str], env: &BTreeMap<String, String>) -> Output {
    let args: Vec<&str> = std::iter::once("health")
        .chain(args.iter().copied())
        .collect();
    common::cli(&args, env).await
}

type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

async fn receive(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> StatusCode {
    seen.lock()
        .unwrap()
        .push((headers, serde_json::from_slice(&body).unwrap()));
    StatusCode::NO_CONTENT
}

async fn receiver() -> (Seen, String) {
    let seen: Seen = Arc::default();
    let app = Router::new().fallback(receive).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (seen, format!("http://{addr}/hook"))
}

#[tokio::test]
async fn notifies_on_change_only_and_could_not_check_once() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let (seen, url) = receiver().await;
    let dir = temp_dir("notify");
    let state = dir.join("state.json");
    let mut env = env_for(&sim);
    // The URL from the environment, out of the process list.
    env.insert("INTUNE_APPLE_NOTIFY_WEBHOOK".into(), url);
    env.insert(
        "INTUNE_APPLE_WEBHOOK_SECRET".into(),
        "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
    );
    let args = ["--format", "json", "--state", state.to_str().unwrap()];

    // First run: every credential that needs attention is news.
    let o = health(&args, &env).await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("notified webhook (signed)"),
        "{}",
        o.stderr
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    {
        let s = seen.lock().unwrap();
        let (headers, body) = &s[0];
        assert!(headers.contains_key("webhook-signature"));
        assert_eq!(body["type"], "apple_credentials.changed");
        assert!(!body["data"]["changes"].as_array().unwrap().is_empty());
    }
    assert!(state.exists());
    // Second run, nothing changed: silent.
    let o = health(&args, &env).await;
    assert!(
        o.stderr.contains("no change since the last notification"),
        "{}",
        o.stderr
    );
    assert_eq!(seen.lock().unwrap().len(), 1);

    // The VPP tokens cannot be read: "could not check", once.
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Status { status: 403 },
    ));
    let o = health(&args, &env).await;
    assert_eq!(o.code, 2);
    assert_eq!(seen.lock().unwrap().len(), 2, "{}", o.stderr);
    assert_eq!(
        seen.lock().unwrap()[1].1["type"],
        "apple_credentials.could_not_check"
    );
    let o = health(&args, &env).await;
    assert_eq!(seen.lock().unwrap().len(), 2, "{}", o.stderr);

    // Readable again: said once.
    sim.clear_faults();
    let _ = health(&args, &env).await;
    assert_eq!(seen.lock().unwrap().len(), 3);
    let changes = seen.lock().unwrap()[2].1["data"]["changes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        changes.iter().any(|c| c["what"]["type"] == "checkRestored"),
        "{changes:?}"
    );

    // A damaged state file: reported, rebuilt, and the alerts sent again.
    std::fs::write(&state, "{ not json").unwrap();
    let o = health(&args, &env).await;
    assert!(o.stderr.contains("rebuilt"), "{}", o.stderr);
    assert_eq!(seen.lock().unwrap().len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_undelivered_notification_keeps_the_state_for_the_next_run() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let dir = temp_dir("undelivered");
    let state = dir.join("state.json");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let spec = format!("webhook=http://127.0.0.1:{port}/hook");
    let o = health(
        &[
            "--format",
            "json",
            "--state",
            state.to_str().unwrap(),
            "--notify",
            &spec,
        ],
        &env_for(&sim),
    )
    .await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("not notified: webhook"), "{}", o.stderr);
    assert!(o.stderr.contains("sends this alert again"));
    assert!(
        !state.exists(),
        "no state saved: the next run sends the alert"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn new_formats_and_exit_codes() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let env = env_for(&sim);
    let o = health(&["--format", "nagios"], &env).await;
    assert_eq!(o.code, 2);
    assert!(
        o.stdout.starts_with("APPLE CREDENTIALS CRITICAL - "),
        "{}",
        o.stdout
    );
    let o = health(&["--format", "checkmk"], &env).await;
    assert!(o.stdout.starts_with("0 \"Apple credentials read\""));
    let o = health(&["--format", "html"], &env).await;
    assert!(o.stdout.starts_with("<!DOCTYPE html>"));
    let o = health(&["--format", "openmetrics"], &env).await;
    assert!(o.stdout.ends_with("# EOF\n"));
    // Prometheus into the textfile collector's directory, atomically.
    let dir = temp_dir("textfile");
    let prom = dir.join("intune_apple.prom");
    let o = health(
        &["--format", "prometheus", "--output", prom.to_str().unwrap()],
        &env,
    )
    .await;
    assert_eq!(o.code, 2);
    assert!(o.stdout.is_empty());
    let text = std::fs::read_to_string(&prom).unwrap();
    assert!(text.contains("intune_apple_credential_expiry_timestamp_seconds{"));
    // Could not check at all: Nagios UNKNOWN.
    for path in [
        "/beta/deviceManagement/applePushNotificationCertificate",
        "/beta/deviceManagement/depOnboardingSettings",
        "/beta/deviceAppManagement/vppTokens",
        "/beta/deviceAppManagement/mobileApps",
    ] {
        sim.add_fault(Fault::new("GET", path, FaultKind::Status { status: 403 }));
    }
    let o = health(&["--format", "nagios"], &env).await;
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(o.stdout.starts_with("APPLE CREDENTIALS UNKNOWN"));
    // The Intune-parity preset and bad arguments.
    sim.clear_faults();
    let o = health(&["--format", "json", "--preset", "intune"], &env).await;
    assert!(o.stdout.starts_with('{'));
    for bad in [
        &["--format", "yaml"][..],
        &["--preset", "strict"],
        &["--notify", "pager=x"],
        &["--notify-thresholds", "soon"],
    ] {
        let o = health(bad, &env).await;
        assert_eq!(o.code, 64, "{bad:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
