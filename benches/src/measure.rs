//! Timing, peak memory, and the core client's measurement.

use futures::TryStreamExt as _;
use intune_apple_core::graph::{Client, StaticTokenCredential};

use crate::Options;

/// A wall-clock and CPU stopwatch: benchmarks measure elapsed real time on purpose.
pub(crate) struct Stopwatch {
    wall: std::time::Instant,
    cpu: f64,
}

/// What a [`Stopwatch`] measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Elapsed {
    /// Wall-clock seconds.
    pub(crate) seconds: f64,
    /// CPU seconds of this process (all threads) over the same span.
    pub(crate) cpu_seconds: f64,
}

impl Stopwatch {
    #[allow(clippy::disallowed_methods)] // a benchmark measures wall-clock time
    pub(crate) fn start() -> Self {
        Self {
            wall: std::time::Instant::now(),
            cpu: cpu_seconds(),
        }
    }

    pub(crate) fn stop(&self) -> Elapsed {
        Elapsed {
            seconds: self.wall.elapsed().as_secs_f64(),
            cpu_seconds: cpu_seconds() - self.cpu,
        }
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

/// CPU time (user + system, all threads) this process used so far, in seconds, from
/// `/proc/self/stat` (Linux clock ticks of 1/100 s; 0 elsewhere).
pub(crate) fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Prints the result line read by `benches/run`.
pub(crate) fn report(items: u64, elapsed: Elapsed, extra: serde_json::Value) {
    let mut line = serde_json::json!({
        "items": items,
        "seconds": elapsed.seconds,
        "cpu_seconds": elapsed.cpu_seconds,
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

/// The core client for the simulator at `base`, with a bearer token.
pub(crate) fn client(base: &str, token: &str) -> Result<Client, String> {
    Client::builder()
        .base_url(base)
        .credential(StaticTokenCredential::new(token.to_owned()))
        .build()
        .map_err(|e| e.to_string())
}

/// Streams every device of one token with the core client; returns (items, serial bytes).
pub(crate) async fn stream_all(client: &Client, token_id: &str) -> Result<(u64, usize), String> {
    let mut devices = client.imported_devices(token_id).list();
    let mut items = 0u64;
    let mut serial_bytes = 0usize;
    while let Some(device) = devices.try_next().await.map_err(|e| e.to_string())? {
        items += 1;
        serial_bytes += device.serial_number.as_deref().map_or(0, str::len);
    }
    Ok((items, serial_bytes))
}

/// The core client streaming every imported device of one token. The client is built before
/// the clock starts, as the floor's `reqwest::Client` and the bindings' clients are.
pub(crate) async fn rust_client(opts: &Options) -> Result<(), String> {
    let client = client(opts.get("base")?, opts.get("token")?)?;
    let clock = Stopwatch::start();
    let (items, serial_bytes) = stream_all(&client, opts.get("token-id")?).await?;
    let elapsed = clock.stop();
    report(
        items,
        elapsed,
        serde_json::json!({ "serial_bytes": serial_bytes }),
    );
    Ok(())
}
