//! `intune-apple scan`: many tenants in one run, against simulated tenants.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::collections::BTreeMap;

use common::{cli, env_for, temp_dir};
use intune_apple_cli::EXIT_USAGE;
use intune_apple_sim::{Seed, Simulator};
use serde_json::Value;

#[tokio::test]
async fn without_credentials_three_simulated_tenants_are_scanned_and_it_says_so() {
    let o = cli(&["scan", "--format", "json"], &BTreeMap::new()).await;
    assert!(
        o.stderr.contains("scanning 3 simulated tenants"),
        "{}",
        o.stderr
    );
    let v: Value = serde_json::from_str(&o.stdout).expect("stdout is only JSON");
    let tenants: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(tenants, ["contoso", "fabrikam", "northwind"]);
    // The demo tenant holds an expired VPP token: the worst tenant's exit code.
    assert_eq!(o.code, 2);
    let table = cli(&["scan"], &BTreeMap::new()).await;
    assert!(
        table.stdout.starts_with("No credentials set"),
        "{}",
        table.stdout
    );
    for name in ["== contoso ==", "== fabrikam ==", "== northwind =="] {
        assert!(table.stdout.contains(name), "{}", table.stdout);
    }
}

#[tokio::test]
async fn each_tenant_is_read_with_the_one_app_and_its_own_tenant_id() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let env = env_for(&sim);
    let good = format!("contoso={}", sim.tenant_id());
    let o = cli(
        &[
            "scan",
            "--tenant",
            &good,
            "--tenant",
            "unknown=00000000-0000-4000-8000-00000000dead",
            "--format",
            "json",
        ],
        &env,
    )
    .await;
    let v: Value = serde_json::from_str(&o.stdout).expect("stdout is only JSON");
    let scans = v.as_array().unwrap();
    assert_eq!(scans.len(), 2, "{v:#}");
    assert_eq!(scans[0]["tenant"], "contoso");
    assert_eq!(scans[0]["report"]["items"].as_array().unwrap().len(), 7);
    assert_eq!(scans[0]["report"]["errors"], Value::Array(vec![]));
    // A tenant the app cannot sign in to is that tenant's error; the other is still reported.
    assert_eq!(scans[1]["tenant"], "unknown");
    let errors = scans[1]["report"]["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{v:#}");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("90002"),
        "{}",
        errors[0]
    );
    assert_eq!(o.code, 2);
    // Nothing was written to the tenant.
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn tenants_come_from_a_file_or_the_environment_and_feed_prometheus() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let dir = temp_dir("scan-file");
    let list = dir.join("tenants.txt");
    std::fs::write(
        &list,
        format!(
            "# customers\ncontoso = {}\n\nfabrikam={}  # same tenant, second label\n",
            sim.tenant_id(),
            sim.tenant_id()
        ),
    )
    .unwrap();
    let out = dir.join("intune.prom");
    let o = cli(
        &[
            "scan",
            "--tenants-file",
            list.to_str().unwrap(),
            "--format",
            "prometheus",
            "--output",
            out.to_str().unwrap(),
        ],
        &env_for(&sim),
    )
    .await;
    assert_eq!(o.stdout, "", "the report went to --output");
    let text = std::fs::read_to_string(&out).unwrap();
    for tenant in ["tenant=\"contoso\"", "tenant=\"fabrikam\""] {
        assert!(text.contains(tenant), "{text}");
    }
    assert_eq!(o.code, 2, "{}", o.stderr);

    let mut env = env_for(&sim);
    env.insert(
        "INTUNE_APPLE_TENANTS".into(),
        format!("northwind={}", sim.tenant_id()),
    );
    let o = cli(&["scan", "--format", "nagios"], &env).await;
    assert!(o.stdout.contains("northwind"), "{}", o.stdout);
    assert_eq!(o.code, 2, "nagios: CRITICAL for an expired token");
}

#[tokio::test]
async fn bad_tenant_lists_are_refused_before_anything_is_read() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let env = env_for(&sim);
    for (args, says) in [
        (vec!["scan"], "no tenant to scan"),
        (vec!["scan", "--tenant", "contoso"], "NAME=TENANT_ID"),
        (
            vec!["scan", "--tenant", "a=x", "--tenant", "a=y"],
            "given twice",
        ),
        (
            vec!["scan", "--tenants-file", "/nonexistent/tenants.txt"],
            "cannot read",
        ),
        (
            vec!["scan", "--tenant", "a=x", "--concurrency", "0"],
            "concurrency",
        ),
    ] {
        let o = cli(&args, &env).await;
        assert_eq!(o.code, EXIT_USAGE, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(says), "{args:?}: {}", o.stderr);
    }
    assert!(
        sim.request_log().is_empty(),
        "nothing was asked of the tenant"
    );
    // Tenants without a way to sign in: said, not guessed.
    let o = cli(&["scan", "--tenant", "a=x"], &BTreeMap::new()).await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no credentials are set"), "{}", o.stderr);
}

#[tokio::test]
async fn the_notification_state_covers_every_tenant_of_the_scan() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let dir = temp_dir("scan-state");
    let state = dir.join("state.json");
    let a = format!("contoso={}", sim.tenant_id());
    let b = format!("fabrikam={}", sim.tenant_id());
    let args = [
        "scan",
        "--tenant",
        &a,
        "--tenant",
        &b,
        "--state",
        state.to_str().unwrap(),
    ];
    let first = cli(&args, &env_for(&sim)).await;
    assert_eq!(first.code, 2, "{}", first.stderr);
    let saved = std::fs::read_to_string(&state).unwrap();
    for tenant in ["contoso", "fabrikam"] {
        assert!(saved.contains(tenant), "{saved}");
    }
    let second = cli(&args, &env_for(&sim)).await;
    assert!(
        second
            .stderr
            .contains("scan: no change since the last notification"),
        "{}",
        second.stderr
    );
}
