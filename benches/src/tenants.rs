//! The multi-tenant scan: the tenant health report
//! ([`intune_apple_core::workflows::report::scan_tenants`]) of many tenants at once with bounded
//! concurrency.
//!
//! Per tenant the report asks for a client-secret token, then the push certificate, the
//! enrollment program tokens and the VPP tokens at once (four requests, far below Intune's
//! 2,000 requests per 20 s per tenant); `--concurrency` tenants run at a time. The time counts
//! building one client per tenant as well, since a caller pays for it too; the clients share
//! one [`HttpStack`], as the core's documentation advises for many tenants.

use intune_apple_core::graph::{Client, ClientSecretCredential, HttpStack};
use intune_apple_core::workflows::report::{scan_tenants, ReportOptions, TenantTarget};
use intune_apple_sim::{CLIENT_ID, CLIENT_SECRET};

use crate::measure::{report, Stopwatch};
use crate::Options;

#[derive(serde::Deserialize)]
struct Tenant {
    base_url: String,
    tenant_id: String,
}

fn target(http: &HttpStack, tenant: &Tenant) -> Result<TenantTarget, String> {
    let client = Client::builder()
        .http_stack(http.clone())
        .base_url(&tenant.base_url)
        .authority_host(&tenant.base_url)
        .credential(ClientSecretCredential::new(
            tenant.tenant_id.clone(),
            CLIENT_ID,
            CLIENT_SECRET.to_owned(),
        ))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(TenantTarget {
        name: tenant.tenant_id.clone(),
        client,
    })
}

/// Scans every tenant of the launcher's file.
pub(crate) async fn run(opts: &Options) -> Result<(), String> {
    let file = opts.get("file")?;
    let concurrency = opts.number("concurrency", 50)?.max(1);
    let include_apps = opts.number("include-apps", 0)? > 0;
    let latency = opts.number("latency-ms", 0)? as f64 / 1000.0;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let tenants: Vec<Tenant> =
        serde_json::from_str(&text).map_err(|e| format!("invalid tenants file {file}: {e}"))?;
    let clock = Stopwatch::start();
    let http = HttpStack::new().map_err(|e| e.to_string())?;
    let targets = tenants
        .iter()
        .map(|t| target(&http, t))
        .collect::<Result<Vec<_>, _>>()?;
    let built = clock.stop();
    let options = ReportOptions {
        include_apps,
        ..ReportOptions::default()
    };
    let reports = scan_tenants(targets, &options, concurrency).await;
    let elapsed = clock.stop();
    let failed: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.report
                .errors
                .iter()
                .map(move |e| format!("{}: {e:?}", r.tenant))
        })
        .collect();
    if let Some(first) = failed.first() {
        return Err(format!("{} report errors; first: {first}", failed.len()));
    }
    let chain = match tenants.first() {
        Some(t) => crate::latency::health_chain(&crate::latency::log(&t.base_url).await?),
        None => 0,
    };
    let credentials: usize = reports.iter().map(|r| r.report.items.len()).sum();
    report(
        reports.len() as u64,
        elapsed,
        serde_json::json!({
            "credentials": credentials,
            "concurrency": concurrency,
            "build_clients_seconds": built.seconds,
            "build_clients_cpu_seconds": built.cpu_seconds,
            // Tenants run in waves of `concurrency`, each as long as one report's critical
            // path (from the first tenant's requests; every tenant has the demo's).
            "chain": chain,
            "bound_seconds": tenants.len().div_ceil(concurrency) as f64 * chain as f64 * latency,
        }),
    );
    Ok(())
}
