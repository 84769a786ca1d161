//! What the command-line tests share: running the command in-process with a given
//! environment, and the environment of a real tenant pointed at a simulator.
#![allow(dead_code)] // each test file uses a part

use std::collections::BTreeMap;

use intune_apple_cli::{run, Io};
use intune_apple_sim::SimHandle;

/// What a command printed and returned.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `intune-apple ARGS` with the environment `env` and no terminal.
pub async fn cli(args: &[&str], env: &BTreeMap<String, String>) -> Output {
    let args: Vec<String> = args.iter().copied().map(str::to_owned).collect();
    let var = |name: &str| env.get(name).cloned();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = Io {
        stdout: &mut out,
        stderr: &mut err,
        var: &var,
        confirm: None,
        color: false,
    };
    let code = run(&args, &mut io).await;
    Output {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// The environment of a real tenant, pointed at a simulator.
pub fn env_for(sim: &SimHandle) -> BTreeMap<String, String> {
    [
        ("AZURE_TENANT_ID", sim.tenant_id()),
        ("AZURE_CLIENT_ID", sim.client_id().to_owned()),
        ("AZURE_CLIENT_SECRET", sim.client_secret().to_owned()),
        ("AZURE_AUTHORITY_HOST", sim.authority_host()),
        ("INTUNE_APPLE_GRAPH_URL", sim.base_url()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("intune-apple-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
