//! Workflows against a simulator that answers with a real tenant's latency, and writes paced
//! under Intune's throttles. Each prints its wall time beside the bound that the physics and
//! Intune's rules set, computed from the simulator's request log:
//!
//! - `health`: one tenant's health report (with the apps) against its critical path, the
//!   longest chain of requests that depend on each other (the token; then the push
//!   certificate, the enrollment program tokens, the VPP tokens and the apps, page after page;
//!   then every token's enrollment profiles), times the latency;
//! - `repair`: the duplicate-app repair, and `assign`: the assignment of serial numbers to an
//!   enrollment profile, against the writes they made divided by the allowed write rate, with
//!   the number of 429 answers.

use std::collections::HashMap;

use intune_apple_core::graph::{Client, ClientSecretCredential, HttpStack, Pacing};
use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
use intune_apple_core::workflows::report::{health_report, ReportOptions};
use intune_apple_sim::{LogEntry, CLIENT_ID, CLIENT_SECRET};

use crate::measure::{report, Stopwatch};
use crate::Options;

/// A client of the simulated tenant at `base`, signing in with the read-write application.
pub(crate) fn client(
    http: &HttpStack,
    base: &str,
    tenant: &str,
    pacing: Option<Pacing>,
) -> Result<Client, String> {
    Client::builder()
        .http_stack(http.clone())
        .base_url(base)
        .authority_host(base)
        .credential(ClientSecretCredential::new(
            tenant.to_owned(),
            CLIENT_ID,
            CLIENT_SECRET.to_owned(),
        ))
        .pacing(pacing)
        .build()
        .map_err(|e| e.to_string())
}

/// The simulator's request log.
pub(crate) async fn log(base: &str) -> Result<Vec<LogEntry>, String> {
    reqwest::get(format!("{base}/_sim/log"))
        .await
        .map_err(|e| format!("request log: {e}"))?
        .json()
        .await
        .map_err(|e| format!("request log: {e}"))
}

/// The number of requests on the health report's critical path, from the requests it made
/// (`log`, one report's): 1 for the token, the most pages of any of the four first reads, the
/// most pages of any token's enrollment profiles.
pub(crate) fn health_chain(log: &[LogEntry]) -> usize {
    // One listing is a path and query without its `$skiptoken`; its requests are its pages.
    let mut pages: HashMap<String, usize> = HashMap::new();
    for e in log.iter().filter(|e| !e.path.starts_with("/_sim/")) {
        let (path, query) = e.path.split_once('?').unwrap_or((&e.path, ""));
        let listing: Vec<&str> = query
            .split('&')
            .filter(|q| !q.starts_with("%24skiptoken=") && !q.starts_with("$skiptoken="))
            .collect();
        *pages
            .entry(format!("{path}?{}", listing.join("&")))
            .or_default() += 1;
    }
    let is_token = |p: &str| p.contains("/oauth2/v2.0/token");
    let token = usize::from(pages.keys().any(|p| is_token(p)));
    let stage = |profiles: bool| {
        pages
            .iter()
            .filter(|(p, _)| !is_token(p))
            .filter(|(p, _)| p.contains("/enrollmentProfiles") == profiles)
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0)
    };
    token + stage(false) + stage(true)
}

/// `health --base URL --tenant-id ID --latency-ms L`.
pub(crate) async fn health(opts: &Options) -> Result<(), String> {
    let base = opts.get("base")?;
    let latency = opts.number("latency-ms", 150)? as f64 / 1000.0;
    let before = log(base).await?.len();
    let http = HttpStack::new().map_err(|e| e.to_string())?;
    let client = client(&http, base, opts.get("tenant-id")?, Some(Pacing::intune()))?;
    let options = ReportOptions {
        include_apps: true,
        ..ReportOptions::default()
    };
    let clock = Stopwatch::start();
    let health = health_report(&client, &options).await;
    let elapsed = clock.stop();
    if let Some(e) = health.errors.first() {
        return Err(format!("the report has errors; first: {e:?}"));
    }
    let made = log(base).await?;
    let made = made.get(before..).unwrap_or(&[]);
    let chain = health_chain(made);
    report(
        health.items.len() as u64,
        elapsed,
        serde_json::json!({
            "requests": made.len(),
            "chain": chain,
            "bound_seconds": chain as f64 * latency,
        }),
    );
    Ok(())
}

/// Writes and 429 answers in `log`.
fn writes_and_refusals(log: &[LogEntry]) -> (usize, usize) {
    let writes = log
        .iter()
        .filter(|e| e.method != "GET" && e.applied && !e.path.contains("/oauth2/"))
        .count();
    let refused = log.iter().filter(|e| e.status == 429).count();
    (writes, refused)
}

/// The client's pacing for a simulator whose windows last `--window-ms` (Intune's counts), or
/// none with `--pacing 0`.
fn pacing(opts: &Options) -> Result<(Option<Pacing>, f64), String> {
    let window = opts.number("window-ms", 20_000)?;
    let on = opts.number("pacing", 1)? > 0;
    let pacing = Pacing::intune().with_window(std::time::Duration::from_millis(window as u64));
    Ok((on.then_some(pacing), window as f64 / 1000.0))
}

fn paced_report(
    items: u64,
    elapsed: crate::measure::Elapsed,
    made: &[LogEntry],
    window: f64,
    pacing: Option<Pacing>,
) {
    let (writes, refused) = writes_and_refusals(made);
    let per_window = Pacing::intune().app_writes as f64;
    report(
        items,
        elapsed,
        serde_json::json!({
            "requests": made.len(),
            "writes": writes,
            "throttled": refused,
            "pacing": pacing.is_some(),
            "bound_seconds": writes as f64 / (per_window / window),
        }),
    );
}

/// `repair --base URL --tenant-id ID --window-ms W [--pacing 0]`: the duplicate-app repair.
pub(crate) async fn repair(opts: &Options) -> Result<(), String> {
    let base = opts.get("base")?;
    let (pacing, window) = pacing(opts)?;
    let before = log(base).await?.len();
    let http = HttpStack::new().map_err(|e| e.to_string())?;
    let client = client(&http, base, opts.get("tenant-id")?, pacing)?;
    let clock = Stopwatch::start();
    let done = repair_duplicate_apps(&client, &DuplicateRepairOptions { apply: true })
        .await
        .map_err(|e| e.to_string())?;
    let elapsed = clock.stop();
    let made = log(base).await?;
    let made = made.get(before..).unwrap_or(&[]);
    if let Some(failed) = done.apps.iter().find(|a| a.error.is_some()) {
        return Err(format!("an app was not repaired: {:?}", failed.error));
    }
    paced_report(done.apps.len() as u64, elapsed, made, window, pacing);
    Ok(())
}

/// `assign --base URL --tenant-id ID --serials N --window-ms W [--pacing 0]`: assigns N serial
/// numbers of the demo's first enrollment program token to its first profile.
pub(crate) async fn assign(opts: &Options) -> Result<(), String> {
    let base = opts.get("base")?;
    let (pacing, window) = pacing(opts)?;
    let serials: Vec<String> = (0..opts.number("serials", 20_000)?)
        .map(|i| format!("D1{i:010}"))
        .collect();
    let before = log(base).await?.len();
    let http = HttpStack::new().map_err(|e| e.to_string())?;
    let client = client(&http, base, opts.get("tenant-id")?, pacing)?;
    let token = "d1111111-0000-4000-8000-000000000001";
    let profile = format!("{token}_e1111111-0000-4000-8000-000000000001");
    let clock = Stopwatch::start();
    let batches = client
        .enrollment_profiles(token)
        .assign_devices(&profile, &serials)
        .await;
    let elapsed = clock.stop();
    if let Some(e) = batches.iter().find_map(|b| b.result.as_ref().err()) {
        return Err(format!("a batch failed: {e}"));
    }
    let made = log(base).await?;
    let made = made.get(before..).unwrap_or(&[]);
    paced_report(serials.len() as u64, elapsed, made, window, pacing);
    Ok(())
}
