//! The workflow examples' commands, run directly: on the simulated demo tenant when no
//! credentials are set, and on a "real" tenant (a simulator named by the environment).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use std::collections::BTreeMap;

use intune_apple_examples::workflow_cli;
use intune_apple_sim::{Seed, Simulator};

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn data(name: &str) -> String {
    format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

macro_rules! run {
    ($cmd:ident, $env:expr, [$($arg:expr),* $(,)?]) => {{
        let args: Vec<String> = vec![$(String::from($arg)),*];
        let env: &BTreeMap<String, String> = $env;
        let var = |name: &str| env.get(name).cloned();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = workflow_cli::$cmd(&args, &var, &mut out, &mut err).await;
        Output {
            code,
            stdout: String::from_utf8(out).unwrap(),
            stderr: String::from_utf8(err).unwrap(),
        }
    }};
}

fn no_env() -> BTreeMap<String, String> {
    BTreeMap::new()
}

#[tokio::test]
async fn renew_push_on_the_demo_tenant_shows_the_refusal_then_renews() {
    let o = run!(renew_push, &no_env(), []);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.starts_with("Simulated demo tenant"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("[topicChanged]"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("Renewed: topic com.apple.mgmt.External.7c3a3b5e"),
        "{}",
        o.stdout
    );

    let o = run!(
        renew_push,
        &no_env(),
        ["--pem", data("demo-push-other-topic.pem")]
    );
    assert_eq!(o.code, 1, "refused: {}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("nothing was changed"), "{}", o.stderr);

    let csr = std::env::temp_dir().join(format!("intune-apple-example-{}.csr", std::process::id()));
    let o = run!(renew_push, &no_env(), ["--csr", csr.display().to_string()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(std::fs::read_to_string(&csr)
        .unwrap()
        .contains("CERTIFICATE REQUEST"));
    let o = run!(
        renew_push,
        &no_env(),
        ["--csr", csr.display().to_string(), "--json"]
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let doc: serde_json::Value = serde_json::from_str(&o.stdout).expect("only JSON on stdout");
    assert_eq!(doc["path"], csr.display().to_string());
    assert!(doc["bytes"].as_u64().unwrap() > 0);
    assert!(doc["nextStep"].as_str().unwrap().contains("Renew"), "{doc}");
    std::fs::remove_file(&csr).unwrap();

    let o = run!(renew_push, &no_env(), ["--bogus"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown argument --bogus"),
        "{}",
        o.stderr
    );
}

#[tokio::test]
async fn renew_dep_on_the_demo_tenant() {
    let o = run!(renew_dep, &no_env(), ["--json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let json: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(
        o.stderr.starts_with("Simulated demo tenant"),
        "{}",
        o.stderr
    );
    assert_eq!(json["tokenName"], "Contoso ABM");
    assert_eq!(json["steps"][4]["name"], "verify");

    let o = run!(renew_dep, &no_env(), ["--sync", "--json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let json: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(json["steps"][5]["name"], "sync");
    assert_eq!(json["steps"][5]["outcome"], "done");

    let wrong = format!(
        "{}/../intune-apple-core/tests/fixtures/apple-samples/synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = run!(
        renew_dep,
        &no_env(),
        [
            "--token",
            "d1111111-0000-4000-8000-000000000001",
            "--p7m",
            wrong
        ]
    );
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("notForThisKey"), "{}", o.stderr);
}

#[tokio::test]
async fn renew_vpp_on_the_demo_tenant_and_on_a_tenant_from_the_environment() {
    let o = run!(renew_vpp, &no_env(), []);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("[ambiguousToken]"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("Renewed token a2222222-0000-4000-8000-000000000002 (Training Center)"),
        "{}",
        o.stdout
    );

    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let env: BTreeMap<String, String> = [
        ("AZURE_TENANT_ID", sim.tenant_id()),
        ("AZURE_CLIENT_ID", sim.client_id().to_owned()),
        ("AZURE_CLIENT_SECRET", sim.client_secret().to_owned()),
        ("AZURE_AUTHORITY_HOST", sim.authority_host()),
        ("INTUNE_APPLE_GRAPH_URL", sim.base_url()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let o = run!(
        renew_vpp,
        &env,
        [
            "--file",
            data("demo-contoso.vpptoken"),
            "--location",
            "Warehouse"
        ]
    );
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.starts_with("Tenant at"), "{}", o.stdout);
    assert!(o.stderr.contains("[duplicateLocation]"), "{}", o.stderr);
    assert_eq!(sim.writes_applied(), 0);
    let o = run!(
        renew_vpp,
        &env,
        [
            "--file",
            data("demo-contoso.vpptoken"),
            "--location",
            "Headquarters"
        ]
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(
        sim.writes_applied(),
        2,
        "PATCH and licence sync on the tenant of the environment"
    );
}

#[tokio::test]
async fn assign_profiles_on_the_demo_tenant() {
    let o = run!(assign_profiles, &no_env(), []);
    // One serial of the demo CSV is not on the token: exit 1, with a line per device.
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("I13 Error deviceNameTemplate"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("created Sales iPhone"), "{}", o.stdout);
    assert!(
        o.stdout.contains("C02XK1ZZJGH5   UnknownSerial"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("3 assigned, 1 unknown, 0 failed, in 2 batch(es)"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("default ios profile"), "{}", o.stdout);
}

#[tokio::test]
async fn repair_duplicates_plans_by_default_and_applies_on_request() {
    let o = run!(repair_duplicates, &no_env(), []);
    assert_eq!(o.code, 1, "work left: {}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("Dry run"), "{}", o.stdout);
    assert!(o.stdout.contains("keep it for now"), "{}", o.stdout);
    let o = run!(repair_duplicates, &no_env(), ["--apply"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("Copied, verified"), "{}", o.stdout);
    assert!(o.stdout.contains("can be deleted"), "{}", o.stdout);
}

/// With `--json`, stdout holds exactly one JSON document, even in demo mode where the command
/// also shows a refusal on purpose: the banner and the narrative go to stderr.
#[tokio::test]
async fn json_output_is_only_json_on_stdout_for_every_command() {
    let o = run!(renew_push, &no_env(), ["--json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let json: serde_json::Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not only JSON ({e}):\n{}", o.stdout));
    assert!(json["topic"]
        .as_str()
        .unwrap()
        .starts_with("com.apple.mgmt.External.7c3a3b5e"));
    assert!(
        o.stderr.starts_with("Simulated demo tenant"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("[topicChanged]"), "{}", o.stderr);

    let o = run!(renew_vpp, &no_env(), ["--json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let json: serde_json::Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not only JSON ({e}):\n{}", o.stdout));
    assert_eq!(json["tokenId"], "a2222222-0000-4000-8000-000000000002");
    assert!(o.stderr.contains("[ambiguousToken]"), "{}", o.stderr);

    let o = run!(assign_profiles, &no_env(), ["--json"]);
    let json: serde_json::Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not only JSON ({e}):\n{}", o.stdout));
    assert!(json["devices"].is_array(), "{json}");
    assert!(o.stderr.contains("1. A template"), "{}", o.stderr);
    assert!(o.stderr.contains("4. Make it the default"), "{}", o.stderr);

    for o in [
        run!(renew_dep, &no_env(), ["--json"]),
        run!(repair_duplicates, &no_env(), ["--json"]),
    ] {
        let _: serde_json::Value = serde_json::from_str(&o.stdout)
            .unwrap_or_else(|e| panic!("stdout is not only JSON ({e}):\n{}", o.stdout));
    }
}
