//! Decoding alone: one page of devices, fetched once from an in-process simulator, decoded
//! again and again. This is the CPU the client spends per page with the page already in memory
//! and warm in the caches, without the transfer; `rust-client` measures the listing as a whole.

use std::time::Instant;

use intune_apple_core::model::{decode, Collection, ImportedAppleDeviceIdentity};
use intune_apple_sim::{Seed, Simulator};

use crate::Options;

/// Decodes one page of `--devices` (default 1,000) devices `--rounds` times (default 2,000)
/// and prints `{"devices": N, "rounds": R, "best_ms": B, "median_ms": M, "us_per_device": U}`.
pub(crate) async fn run(opts: &Options) -> Result<(), String> {
    let devices = opts.number("devices", 1000)?.max(1);
    let rounds = opts.number("rounds", 2000)?.max(1);
    let mut seed = Seed::with_devices(0, devices);
    seed.page_size = devices;
    let token_id = seed.dep_tokens[0].id.clone();
    let sim = Simulator::start(seed)
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let http = reqwest::Client::new();
    let token = crate::sim::access_token(&http, &sim).await?;
    let url = format!(
        "{}/beta/deviceManagement/depOnboardingSettings/{token_id}/importedAppleDeviceIdentities",
        sim.base_url()
    );
    let body = http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("GET {url}: {e}"))?
        .bytes()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        #[allow(clippy::disallowed_methods)] // a benchmark measures wall-clock time
        let clock = Instant::now();
        let page: Collection<ImportedAppleDeviceIdentity> =
            decode(&body).map_err(|e| e.to_string())?;
        let seen = std::hint::black_box(page).value.len();
        times.push(clock.elapsed().as_secs_f64());
        if seen != devices {
            return Err(format!("decoded {seen} devices of {devices}"));
        }
    }
    times.sort_by(f64::total_cmp);
    let best_ms = times[0] * 1e3;
    let median_ms = times[times.len() / 2] * 1e3;
    #[allow(clippy::cast_precision_loss)] // a device count
    let line = serde_json::json!({
        "devices": devices,
        "rounds": rounds,
        "page_bytes": body.len(),
        "best_ms": best_ms,
        "median_ms": median_ms,
        "us_per_device": median_ms * 1e3 / devices as f64,
    });
    #[allow(clippy::print_stdout)] // the result line is this program's output
    {
        println!("{line}");
    }
    Ok(())
}
