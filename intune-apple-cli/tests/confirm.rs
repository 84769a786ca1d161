//! A planned write waits for the answer on the terminal: "no" writes nothing, "yes" writes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use std::collections::BTreeMap;

use intune_apple_cli::{run, Io, EXIT_NOT_CONFIRMED};
use intune_apple_sim::{Seed, Simulator};

async fn renew_push(sim: &intune_apple_sim::SimHandle, answer: bool) -> (i32, Vec<String>, String) {
    let env: BTreeMap<&str, String> = [
        ("AZURE_TENANT_ID", sim.tenant_id()),
        ("AZURE_CLIENT_ID", sim.client_id().to_owned()),
        ("AZURE_CLIENT_SECRET", sim.client_secret().to_owned()),
        ("AZURE_AUTHORITY_HOST", sim.authority_host()),
        ("INTUNE_APPLE_GRAPH_URL", sim.base_url()),
    ]
    .into_iter()
    .collect();
    let var = |name: &str| env.get(name).cloned();
    let pem = concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo-push-renewed.pem");
    let args: Vec<String> = [
        "renew",
        "push",
        "--pem",
        pem,
        "--apple-id",
        "admin@contoso.example",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut asked = Vec::new();
    let mut ask = |question: &str| {
        asked.push(question.to_owned());
        answer
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = Io {
        stdout: &mut out,
        stderr: &mut err,
        var: &var,
        confirm: Some(&mut ask),
        color: false,
    };
    let code = run(&args, &mut io).await;
    (code, asked, String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn no_writes_nothing_and_yes_writes() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let (code, asked, out) = renew_push(&sim, false).await;
    assert_eq!(code, EXIT_NOT_CONFIRMED);
    assert_eq!(asked.len(), 1);
    assert!(out.starts_with("Plan:\n"), "{out}");
    assert_eq!(sim.writes_applied(), 0);

    let (code, asked, out) = renew_push(&sim, true).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(asked.len(), 1);
    assert!(sim.writes_applied() > 0);
}
