//! `intune-apple health`: the command's logic, run directly against simulated tenants.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use std::collections::{BTreeMap, BTreeSet};

use intune_apple_cli::EXIT_USAGE;
use intune_apple_sim::{Fault, FaultKind, Seed, Simulator};
use serde_json::Value;

mod common;

use common::{env_for, Output};

async fn health(args: &[&str], env: &BTreeMap<String, String>) -> Output {
    let args: Vec<&str> = std::iter::once("health")
        .chain(args.iter().copied())
        .collect();
    common::cli(&args, env).await
}

/// The demo tenant: no credentials in the environment.
async fn demo(args: &[&str]) -> Output {
    health(args, &BTreeMap::new()).await
}

const HEALTHY: &str = r#"{
  "pushCertificate": {"expiresInDays": 200},
  "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM", "expiresInDays": 300,
                 "lastSyncTriggeredHoursAgo": 2}],
  "vppTokens": [{"id": "a9999999-0000-4000-8000-000000000009", "organizationName": "Contoso",
                 "locationName": "Main", "displayName": "Main", "expiresInDays": 250, "state": "valid"}]
}"#;

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn demo_json_matches_the_documented_shape_and_exits_2() {
    let o = demo(&["--format", "json"]).await;
    assert_eq!(o.code, 2, "the demo tenant has an expired VPP token");
    assert!(
        o.stderr
            .lines()
            .next()
            .unwrap()
            .contains("simulated demo tenant"),
        "notice on stderr: {}",
        o.stderr
    );
    let v: Value = serde_json::from_str(&o.stdout).expect("stdout is only JSON");
    assert_eq!(
        keys(&v),
        BTreeSet::from(["generatedAt", "asOf", "items", "errors"])
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    for item in items {
        let mut expected = BTreeSet::from([
            "kind",
            "id",
            "name",
            "appleId",
            "expiresAt",
            "daysLeft",
            "severity",
            "problems",
            "consequence",
            "renewal",
        ]);
        // Tokens sync with Apple; the push certificate does not.
        if item["kind"] != "pushCertificate" {
            expected.insert("sync");
        }
        assert_eq!(keys(item), expected);
    }
    assert_eq!(items[0]["severity"], "expired");
    assert_eq!(items[0]["name"], "Warehouse");
    let codes: Vec<&str> = items[0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"vpp.apps_on_expired_token"),
        "apps are read by default: {codes:?}"
    );
    assert_eq!(v["errors"], Value::Array(vec![]));
}

#[tokio::test]
async fn demo_table_says_it_is_the_simulator_on_the_first_line() {
    let o = demo(&[]).await;
    assert_eq!(o.code, 2);
    let mut lines = o.stdout.lines();
    assert!(
        lines.next().unwrap().starts_with("No credentials set"),
        "{}",
        o.stdout
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("Apple credentials health at "),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("SEVERITY  KIND"), "{}", o.stdout);
    assert!(o.stdout.contains("Contoso Retail ABM"), "{}", o.stdout);
    assert!(!o.stdout.contains('\x1b'), "no colour when not asked");
    assert!(o.stderr.is_empty(), "{}", o.stderr);
}

#[tokio::test]
async fn demo_markdown_and_ics() {
    let o = demo(&["--format", "markdown"]).await;
    assert_eq!(o.code, 2);
    assert!(o.stdout.starts_with("> No credentials set"), "{}", o.stdout);
    assert!(
        o.stdout.contains("# Apple credentials health: expired"),
        "{}",
        o.stdout
    );

    let o = demo(&["--format=ics"]).await;
    assert_eq!(o.code, 2);
    assert!(
        o.stdout.starts_with("BEGIN:VCALENDAR\r\n"),
        "stdout is only the calendar"
    );
    assert_eq!(
        o.stdout.matches("BEGIN:VEVENT").count(),
        8,
        "7 expiries + the push grace end"
    );
    assert!(o.stderr.contains("simulated demo tenant"));
}

#[tokio::test]
async fn options_reach_the_report() {
    let o = demo(&[
        "--format",
        "json",
        "--as-of",
        "2027-01-01T00:00:00Z",
        "--locale",
        "fr",
        "--no-apps",
    ])
    .await;
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["asOf"], "2027-01-01T00:00:00Z");
    let items = v["items"].as_array().unwrap();
    let push = items
        .iter()
        .find(|i| i["kind"] == "pushCertificate")
        .unwrap();
    assert_eq!(
        push["severity"], "expired",
        "the certificate expires mid-December 2026"
    );
    assert!(push["consequence"]
        .as_str()
        .unwrap()
        .starts_with("Intune ne peut plus"));
    assert!(
        !o.stdout.contains("vpp.duplicate_apps"),
        "--no-apps skips the app checks"
    );

    let o = demo(&[
        "--format",
        "json",
        "--warning-days",
        "60",
        "--critical-days",
        "50",
    ])
    .await;
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let training = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Training Center")
        .unwrap();
    assert_eq!(
        training["severity"], "critical",
        "45 days left, critical at 50"
    );
}

#[tokio::test]
async fn real_tenant_credentials_are_used_and_exit_codes_follow_the_report() {
    let sim = Simulator::start(Seed::from_json(HEALTHY).unwrap())
        .await
        .unwrap();
    let o = health(&["--format", "json"], &env_for(&sim)).await;
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.is_empty(),
        "no simulator notice with credentials: {}",
        o.stderr
    );
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    assert!(
        sim.request_log().iter().any(|e| e.bearer),
        "the tenant was asked"
    );

    // The same tenant seen 190 days later: the push certificate (200 days) has 10 days left.
    let later = (sim.now() + chrono::Duration::days(190)).to_rfc3339();
    let o = health(&["--as-of", &later], &env_for(&sim)).await;
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("push.expiring"), "{}", o.stdout);
    assert!(
        !o.stdout.contains("sync_stale"),
        "syncs are judged now: {}",
        o.stdout
    );
    assert!(
        o.stdout.starts_with("Apple credentials health at "),
        "{}",
        o.stdout
    );

    // A section that cannot be read: 2.
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Status { status: 403 },
    ));
    let o = health(&["--format", "table"], &env_for(&sim)).await;
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stdout.contains("ERROR vppTokens (forbidden)"),
        "{}",
        o.stdout
    );
}

#[tokio::test]
async fn a_tenant_without_a_push_certificate_is_reported_not_failed() {
    let seed = r#"{"pushCertificate": null,
        "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM", "expiresInDays": 300,
                       "lastSyncTriggeredHoursAgo": 2}]}"#;
    let sim = Simulator::start(Seed::from_json(seed).unwrap())
        .await
        .unwrap();
    let o = health(&["--format", "table"], &env_for(&sim)).await;
    assert_eq!(o.code, 1, "critical, not a failed read: {}", o.stdout);
    assert!(o.stdout.contains("push.missing"), "{}", o.stdout);
    assert!(!o.stdout.contains("ERROR"), "{}", o.stdout);
    let o = health(&["--format", "markdown"], &env_for(&sim)).await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout
            .contains("no push certificate: no Apple device can be managed"),
        "{}",
        o.stdout
    );
    let o = health(&["--format", "json"], &env_for(&sim)).await;
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_query_broker_s_500_is_retried_and_the_two_403s_are_told_apart() {
    let sim = Simulator::start(Seed::from_json(HEALTHY).unwrap())
        .await
        .unwrap();
    let push = "/beta/deviceManagement/applePushNotificationCertificate";
    sim.add_fault(Fault::new("GET", push, FaultKind::QueryBrokerThrottle).nth(1));
    let o = health(&["--format", "json"], &env_for(&sim)).await;
    assert_eq!(o.code, 0, "backed off and read: {}", o.stdout);

    let vpp = "/beta/deviceAppManagement/vppTokens";
    sim.add_fault(Fault::new("GET", vpp, FaultKind::IntuneRefused));
    let o = health(&["--format", "table"], &env_for(&sim)).await;
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.contains("Intune refused it"), "{}", o.stdout);
    assert!(o.stdout.contains("scope tags"), "{}", o.stdout);
    assert!(
        !o.stdout.contains("\\\"") && !o.stdout.contains("{\""),
        "{}",
        o.stdout
    );

    sim.clear_faults();
    sim.add_fault(Fault::new("GET", vpp, FaultKind::MissingScope));
    let o = health(&["--format", "table"], &env_for(&sim)).await;
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.contains("Grant this permission"), "{}", o.stdout);
    assert!(
        o.stdout.contains("DeviceManagementServiceConfig.Read.All"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("Intune refused it"), "{}", o.stdout);
}

#[tokio::test]
async fn the_demo_shows_licences_running_out_and_a_profile_on_a_lapsed_token() {
    let o = demo(&["--format", "table"]).await;
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stdout.contains("vpp.company_portal_licences"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("dep.company_portal_token"),
        "{}",
        o.stdout
    );
    let o = demo(&["--format", "markdown"]).await;
    assert!(o.stdout.contains("Retail kiosk iPad"), "{}", o.stdout);
}

#[tokio::test]
async fn incomplete_credentials_fail_with_what_is_missing() {
    let env = BTreeMap::from([(
        "AZURE_TENANT_ID".to_owned(),
        "contoso.onmicrosoft.com".to_owned(),
    )]);
    // A tenant id alone is no credential: the default chain tries each step, and the one
    // sign-in error of the report lists them, naming what is missing.
    let o = health(&[], &env).await;
    assert_eq!(o.code, 2);
    assert!(o.stdout.contains("signIn"), "{}", o.stdout);
    assert!(o.stdout.contains("AZURE_CLIENT_ID"), "{}", o.stdout);
    for step in [
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
        "AzureCliCredential",
    ] {
        assert!(o.stdout.contains(step), "{step}: {}", o.stdout);
    }
}

#[tokio::test]
async fn bad_arguments_print_the_usage_and_exit_64() {
    for args in [
        &["--format", "xml"][..],
        &["--as-of", "tomorrow"],
        &["--warning-days", "many"],
        &["--warning-days", "-3"],
        &["--critical-days", "40"],
        &["--locale", "de"],
        &["--format"],
        &["--verbose"],
    ] {
        let o = demo(args).await;
        assert_eq!(o.code, EXIT_USAGE, "{args:?}");
        assert!(o.stderr.starts_with("error: "), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("intune-apple health"), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let o = demo(&["--help"]).await;
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains("Usage: intune-apple health"),
        "{}",
        o.stdout
    );
}

#[test]
fn parsing() {
    use clap::Parser as _;
    use intune_apple_cli::{Cli, Command};
    use intune_apple_core::workflows::report::Format;
    let health = |args: &[&str]| match Cli::try_parse_from(
        ["intune-apple", "health"].iter().chain(args.iter()),
    )
    .unwrap()
    .command
    {
        Command::Health(a) => a,
        other => panic!("{other:?}"),
    };
    let a = health(&[]);
    assert_eq!(a.format, Format::Table);
    let o = a.options().unwrap();
    assert!(o.include_apps);
    assert_eq!(o.thresholds.vpp_token.warning_days, 30);
    let a = health(&[
        "--warning-days=45",
        "--critical-days",
        "10",
        "--format",
        "md",
    ]);
    assert_eq!(a.format, Format::Markdown);
    let o = a.options().unwrap();
    for w in [
        o.thresholds.push_certificate,
        o.thresholds.enrollment_program_token,
        o.thresholds.vpp_token,
    ] {
        assert_eq!((w.warning_days, w.critical_days), (45, 10));
    }
}

#[test]
fn the_built_binary_prints_json_on_stdout_and_exits_2_on_the_demo() {
    let bin = env!("CARGO_BIN_EXE_intune-apple");
    let mut cmd = std::process::Command::new(bin);
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "INTUNE_APPLE_GRAPH_URL",
        "INTUNE_APPLE_ACCESS_TOKEN",
    ] {
        cmd.env_remove(name);
    }
    let out = cmd.args(["health", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is only JSON");
    assert_eq!(v["items"].as_array().unwrap().len(), 7);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("No credentials set"), "{stderr}");

    let out = std::process::Command::new(bin)
        .args(["health", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(EXIT_USAGE));
    assert!(out.stdout.is_empty());
}
