//! The one CLI suite (`tests/suite/cases.json`) against the Cargo binary `intune-apple`, each
//! case on a fresh simulated tenant, with no terminal: the same cases run against the Python
//! console script and the npm bin.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use std::path::PathBuf;
use std::process::{Command, Stdio};

use intune_apple_sim::{Seed, Simulator};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_case_of_the_suite_against_the_cargo_binary() {
    let text = std::fs::read_to_string(root().join("tests/suite/cases.json")).unwrap();
    let suite: Value = serde_json::from_str(&text).unwrap();
    let data = root().join("data");
    let tmp = std::env::temp_dir().join(format!("intune-apple-cli-suite-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failures = Vec::new();
    for case in suite["cases"].as_array().unwrap() {
        let args: Vec<String> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                a.as_str()
                    .unwrap()
                    .replace("{data}", &data.to_string_lossy())
                    .replace("{tmp}", &tmp.to_string_lossy())
            })
            .collect();
        let sim = Simulator::spawn(Seed::demo()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_intune-apple"))
            .args(&args)
            .env_clear()
            .env("AZURE_TENANT_ID", sim.tenant_id())
            .env("AZURE_CLIENT_ID", sim.client_id())
            .env("AZURE_CLIENT_SECRET", sim.client_secret())
            .env("AZURE_AUTHORITY_HOST", sim.authority_host())
            .env("INTUNE_APPLE_GRAPH_URL", sim.base_url())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut problems = Vec::new();
        let want = case["code"].as_i64().unwrap();
        if out.status.code().map(i64::from) != Some(want) {
            problems.push(format!("exit {:?}, want {want}", out.status.code()));
        }
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            for needle in case[stream].as_array().into_iter().flatten() {
                let needle = needle.as_str().unwrap();
                if !text.contains(needle) {
                    problems.push(format!("{stream} lacks {needle:?}"));
                }
            }
        }
        if case["requests"] == 0 && !sim.request_log().is_empty() {
            problems.push(format!("{} request(s) made", sim.request_log().len()));
        }
        let writes = sim.writes_applied();
        match &case["writes"] {
            Value::Number(n) if n.as_u64() == Some(0) && writes != 0 => {
                problems.push(format!("{writes} write(s) applied"));
            }
            Value::String(s) if s == "some" && writes == 0 => {
                problems.push("nothing written".into());
            }
            _ => {}
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{args:?}: {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
                problems.join("; ")
            ));
        }
        sim.shutdown();
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
