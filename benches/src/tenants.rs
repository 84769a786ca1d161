//! The multi-tenant scan: what the tenant health report asks of each tenant, for many tenants
//! at once with bounded concurrency.
//!
//! Per tenant: a client-secret token, the push certificate, the enrollment program tokens and
//! the VPP tokens (four requests, one at a time, far below Intune's 2,000 requests per 20 s per
//! tenant); tenants run `--concurrency` at a time.

use futures::{StreamExt as _, TryStreamExt as _};
use intune_apple_core::graph::{Client, ClientSecretCredential};
use intune_apple_sim::{CLIENT_ID, CLIENT_SECRET};

use crate::measure::{report, Stopwatch};
use crate::Options;

#[derive(serde::Deserialize)]
struct Tenant {
    base_url: String,
    tenant_id: String,
}

async fn scan_one(tenant: &Tenant) -> Result<usize, String> {
    let client = Client::builder()
        .base_url(&tenant.base_url)
        .authority_host(&tenant.base_url)
        .credential(ClientSecretCredential::new(
            tenant.tenant_id.clone(),
            CLIENT_ID,
            CLIENT_SECRET.to_owned(),
        ))
        .build()
        .map_err(|e| e.to_string())?;
    let push_handler = client.push_certificate();
    let push = push_handler.get();
    let dep = client
        .enrollment_program_tokens()
        .list()
        .try_collect::<Vec<_>>();
    let vpp = client.vpp_tokens().list().try_collect::<Vec<_>>();
    // The report asks for all three; the first call also fetches the token.
    let push = push.await.map_err(|e| e.to_string())?;
    let (dep, vpp) = futures::try_join!(dep, vpp).map_err(|e| e.to_string())?;
    drop(push);
    Ok(1 + dep.len() + vpp.len())
}

/// Scans every tenant of the launcher's file.
pub(crate) async fn run(opts: &Options) -> Result<(), String> {
    let file = opts.get("file")?;
    let concurrency = opts.number("concurrency", 50)?.max(1);
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let tenants: Vec<Tenant> =
        serde_json::from_str(&text).map_err(|e| format!("invalid tenants file {file}: {e}"))?;
    let clock = Stopwatch::start();
    let results: Vec<Result<usize, String>> = futures::stream::iter(tenants.iter())
        .map(scan_one)
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = clock.stop();
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(first) = failed.first() {
        return Err(format!("{} tenants failed; first: {first}", failed.len()));
    }
    let credentials: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    report(
        tenants.len() as u64,
        elapsed,
        serde_json::json!({ "credentials": credentials, "concurrency": concurrency, "mode": "calls" }),
    );
    Ok(())
}
