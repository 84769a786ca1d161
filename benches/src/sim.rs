//! The simulator launcher: a separate process serving the benchmark's tenants.
//!
//! It prints one JSON line once it is ready, then serves until its standard input closes
//! (the harness holds it open) or it receives Ctrl-C.

use intune_apple_sim::{Seed, SimHandle, Simulator, CLIENT_ID, CLIENT_SECRET};
use tokio::io::AsyncReadExt as _;

use crate::Options;

/// Page size of every collection, as in the issue: 1,000 items per page.
const PAGE_SIZE: usize = 1000;

/// Asks the simulator's token endpoint for an access token (the logical clock stands still,
/// so it never expires while the benchmark runs).
pub(crate) async fn access_token(
    http: &reqwest::Client,
    sim: &SimHandle,
) -> Result<String, String> {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let answer: serde_json::Value = http
        .post(sim.token_url())
        .form(&form)
        .send()
        .await
        .map_err(|e| format!("token endpoint: {e}"))?
        .json()
        .await
        .map_err(|e| format!("token endpoint answer: {e}"))?;
    answer["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no access_token in {answer}"))
}

/// Runs the launcher (`--devices N`, or `--tenants T --out FILE`).
pub(crate) async fn run(opts: &Options) -> Result<(), String> {
    let http = reqwest::Client::new();
    let tenants = opts.number("tenants", 0)?;
    let mut handles = Vec::new();
    let ready = if tenants > 0 {
        let out = opts.get("out")?;
        let mut list = Vec::with_capacity(tenants);
        for i in 0..tenants {
            let mut seed = Seed::demo();
            seed.tenant_id = format!("{i:08x}-0000-4000-8000-00000000be7c");
            seed.page_size = PAGE_SIZE;
            let sim = Simulator::start(seed).await.map_err(|e| e.to_string())?;
            list.push(serde_json::json!({
                "base_url": sim.base_url(),
                "tenant_id": sim.tenant_id(),
            }));
            handles.push(sim);
        }
        let text = serde_json::to_string(&list).map_err(|e| e.to_string())?;
        std::fs::write(out, text).map_err(|e| format!("cannot write {out}: {e}"))?;
        serde_json::json!({ "tenants": tenants, "file": out, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET })
    } else {
        let devices = opts.number("devices", 10_000)?;
        let mut seed = Seed::with_devices(0, devices);
        seed.page_size = PAGE_SIZE;
        let token_id = seed
            .dep_tokens
            .first()
            .map(|t| t.id.clone())
            .ok_or("the seed has no enrollment program token")?;
        let sim = Simulator::start(seed).await.map_err(|e| e.to_string())?;
        let token = access_token(&http, &sim).await?;
        let ready = serde_json::json!({
            "base_url": sim.base_url(),
            "token_url": sim.token_url(),
            "tenant_id": sim.tenant_id(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "token_id": token_id,
            "access_token": token,
            "devices": devices,
        });
        handles.push(sim);
        ready
    };
    #[allow(clippy::print_stdout)] // the ready line is this program's output
    {
        println!("{ready}");
    }
    let mut stdin = tokio::io::stdin();
    let mut sink = Vec::new();
    tokio::select! {
        _ = stdin.read_to_end(&mut sink) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    for sim in &handles {
        sim.shutdown();
    }
    Ok(())
}
