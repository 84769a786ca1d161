//! Timing, peak memory, and the core client's measurement.

use futures::TryStreamExt as _;
use intune_apple_core::graph::{Client, StaticTokenCredential};

use crate::Options;

/// A wall-clock stopwatch: benchmarks measure elapsed real time on purpose.
pub(crate) struct Stopwatch(std::time::Instant);

impl Stopwatch {
    #[allow(clippy::disallowed_methods)] // a benchmark measures wall-clock time
    pub(crate) fn start() -> Self {
        Self(std::time::Instant::now())
    }

    pub(crate) fn seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// Peak resident memory of this process in MiB (`VmHWM` of `/proc/self/status`; 0 elsewhere).
pub(crate) fn peak_rss_mib() -> f64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Prints the result line read by `benches/run`.
pub(crate) fn report(items: u64, seconds: f64, extra: serde_json::Value) {
    let mut line = serde_json::json!({
        "items": items,
        "seconds": seconds,
        "rss_mib": peak_rss_mib(),
    });
    if let (Some(obj), serde_json::Value::Object(more)) = (line.as_object_mut(), extra) {
        obj.extend(more);
    }
    #[allow(clippy::print_stdout)] // the result line is this program's output
    {
        println!("{line}");
    }
}

/// Streams every device of one token with the core client; returns (items, serial bytes).
pub(crate) async fn stream_all(
    base: &str,
    token: &str,
    token_id: &str,
) -> Result<(u64, usize), String> {
    let client = Client::builder()
        .base_url(base)
        .credential(StaticTokenCredential::new(token.to_owned()))
        .build()
        .map_err(|e| e.to_string())?;
    let mut devices = client.imported_devices(token_id).list();
    let mut items = 0u64;
    let mut serial_bytes = 0usize;
    while let Some(device) = devices.try_next().await.map_err(|e| e.to_string())? {
        items += 1;
        serial_bytes += device.serial_number.as_deref().map_or(0, str::len);
    }
    Ok((items, serial_bytes))
}

/// The core client streaming every imported device of one token.
pub(crate) async fn rust_client(opts: &Options) -> Result<(), String> {
    let clock = Stopwatch::start();
    let (items, serial_bytes) =
        stream_all(opts.get("base")?, opts.get("token")?, opts.get("token-id")?).await?;
    let seconds = clock.seconds();
    report(
        items,
        seconds,
        serde_json::json!({ "serial_bytes": serial_bytes }),
    );
    Ok(())
}
