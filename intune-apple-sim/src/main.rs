//! `intune-apple-sim --seed demo|empty|FILE [--port N] [--faults FILE] [--devices N]
//! [--page-size N] [--dep-sync-seconds N] [--latency-ms N] [--jitter-ms N] [--jitter-seed N]`:
//! runs a simulated tenant.
use intune_apple_sim::{Fault, Seed, Simulator};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intune-apple-sim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "intune-apple-sim --seed demo|empty|FILE [--port N] [--faults FILE] \
[--devices N (generated devices on the first enrollment program token)] \
[--page-size N (items per page; $top may ask up to 1000)] \
[--dep-sync-seconds N (how long a sync with Apple runs)] \
[--latency-ms N (delay of every answer)] [--jitter-ms N (up to N ms more, seeded)] \
[--jitter-seed N]";

async fn run() -> Result<(), String> {
    let mut seed = Seed::demo();
    let mut port = 0u16;
    let mut faults: Vec<Fault> = Vec::new();
    let mut devices: Option<usize> = None;
    let mut page_size: Option<usize> = None;
    let mut dep_sync_secs: Option<i64> = None;
    let mut latency: Option<u64> = None;
    let mut jitter: Option<u64> = None;
    let mut jitter_seed: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seed" => {
                let v = value()?;
                seed = match v.as_str() {
                    "demo" => Seed::demo(),
                    "empty" => Seed::empty(),
                    file => {
                        let text = std::fs::read_to_string(file)
                            .map_err(|e| format!("cannot read seed {file}: {e}"))?;
                        Seed::from_json(&text).map_err(|e| e.to_string())?
                    }
                };
            }
            "--port" => {
                port = value()?
                    .parse()
                    .map_err(|e| format!("invalid --port: {e}"))?;
            }
            "--faults" => {
                let file = value()?;
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read faults {file}: {e}"))?;
                faults = serde_json::from_str(&text)
                    .map_err(|e| format!("invalid faults file {file}: {e}"))?;
            }
            "--devices" => {
                devices = Some(
                    value()?
                        .parse()
                        .map_err(|e| format!("invalid --devices: {e}"))?,
                );
            }
            "--page-size" => {
                let n: usize = value()?
                    .parse()
                    .map_err(|e| format!("invalid --page-size: {e}"))?;
                if n == 0 {
                    return Err("invalid --page-size: it must be at least 1".into());
                }
                page_size = Some(n);
            }
            "--dep-sync-seconds" => {
                dep_sync_secs = Some(
                    value()?
                        .parse()
                        .map_err(|e| format!("invalid --dep-sync-seconds: {e}"))?,
                );
            }
            "--latency-ms" | "--jitter-ms" | "--jitter-seed" => {
                let n: u64 = value()?
                    .parse()
                    .map_err(|e| format!("invalid {arg}: {e}"))?;
                match arg.as_str() {
                    "--latency-ms" => latency = Some(n),
                    "--jitter-ms" => jitter = Some(n),
                    _ => jitter_seed = Some(n),
                }
            }
            other => return Err(format!("unknown argument {other}; usage: {USAGE}")),
        }
    }
    if let Some(n) = devices {
        seed = seed.with_device_count(n);
    }
    if let Some(n) = page_size {
        seed.page_size = n;
    }
    if let Some(secs) = dep_sync_secs {
        seed.dep_sync_duration_secs = secs;
    }
    if let Some(ms) = latency {
        seed.latency.fixed_ms = ms;
    }
    if let Some(ms) = jitter {
        seed.latency.jitter_ms = ms;
    }
    if let Some(n) = jitter_seed {
        seed.latency.jitter_seed = n;
    }
    let handle = Simulator::start_on(seed, port)
        .await
        .map_err(|e| e.to_string())?;
    for f in faults {
        handle.add_fault(f);
    }
    #[allow(clippy::print_stdout)]
    {
        println!("listening on {}", handle.base_url());
    }
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    handle.shutdown();
    Ok(())
}
