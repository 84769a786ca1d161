//! `intune-apple-bench`: the Rust side of the benchmarks run by `benches/run`.
//!
//! Each measurement runs in its own process so that peak memory (VmHWM) belongs to it alone,
//! and the simulator runs in yet another process so that its memory and allocations do not
//! count. Every measuring subcommand prints one JSON line:
//! `{"items": N, "seconds": S, "rss_mib": M}`.
//!
//! ```text
//! intune-apple-bench sim --devices N            # one token with N devices, 1,000 per page
//! intune-apple-bench sim --tenants T --out FILE  # T simulated tenants (demo seed each)
//! intune-apple-bench rust-client --base URL --token TOKEN --token-id ID
//! intune-apple-bench rust-floor  --base URL --token TOKEN --token-id ID
//! intune-apple-bench rust-untyped --base URL --token TOKEN --token-id ID
//! intune-apple-bench sim --demo 1 [--latency-ms L] [--throttle-window-ms W] [--devices N]
//! intune-apple-bench sim --duplicates N [--latency-ms L] [--throttle-window-ms W]
//! intune-apple-bench tenants --file FILE [--concurrency K] [--include-apps 1] [--latency-ms L]
//! intune-apple-bench health --base URL --tenant-id ID --latency-ms L
//! intune-apple-bench repair --base URL --tenant-id ID --window-ms W [--pacing 0]
//! intune-apple-bench assign --base URL --tenant-id ID --serials N --window-ms W [--pacing 0]
//! intune-apple-bench decode-page [--devices 1000] [--rounds 2000]   # decoding alone, in memory
//! ```

mod decode;
mod floor;
mod latency;
mod measure;
mod sim;
mod tenants;

use std::collections::HashMap;
use std::process::ExitCode;

/// Parsed `--name value` options.
#[derive(Debug, Default)]
pub(crate) struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut map = HashMap::new();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!(
                    "unexpected argument {arg}; options are --name value"
                ));
            };
            let value = args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            map.insert(name.to_owned(), value);
        }
        Ok(Self(map))
    }

    /// The value of `--name`, required.
    pub(crate) fn get(&self, name: &str) -> Result<&str, String> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required"))
    }

    /// The value of `--name` as a number, or `default`.
    pub(crate) fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => v
                .replace('_', "")
                .parse()
                .map_err(|e| format!("--{name} {v}: {e}")),
        }
    }
}

const USAGE: &str = "usage: intune-apple-bench sim|rust-client|rust-floor|rust-untyped|tenants|health|repair|assign|decode-page [--name value ...] (see docs/performance.md)";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = Options::parse(args).and_then(|opts| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        runtime.block_on(async {
            match command.as_str() {
                "sim" => sim::run(&opts).await,
                "rust-client" => measure::rust_client(&opts).await,
                "rust-floor" => floor::run(&opts, floor::Parse::Nothing).await,
                "rust-untyped" => floor::run(&opts, floor::Parse::Untyped).await,
                "tenants" => tenants::run(&opts).await,
                "health" => latency::health(&opts).await,
                "repair" => latency::repair(&opts).await,
                "assign" => latency::assign(&opts).await,
                "decode-page" => decode::run(&opts).await,
                other => Err(format!("unknown command {other}; {USAGE}")),
            }
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intune-apple-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod smoke {
    //! A tiny run of both listings against an in-process simulator, to keep them working.
    //! Benchmarks themselves run only through `benches/run`.

    use intune_apple_sim::{Seed, Simulator};

    #[tokio::test]
    async fn the_floor_and_the_client_see_every_device_of_a_small_token() {
        let mut seed = Seed::with_devices(0, 2_500);
        seed.page_size = 1000;
        let token_id = seed.dep_tokens[0].id.clone();
        let sim = Simulator::start(seed).await.unwrap();
        let http = reqwest::Client::new();
        let token = crate::sim::access_token(&http, &sim).await.unwrap();
        for parse in [crate::floor::Parse::Nothing, crate::floor::Parse::Untyped] {
            let floor = crate::floor::fetch_all(&http, &sim.base_url(), &token, &token_id, parse)
                .await
                .unwrap();
            assert_eq!(floor, (2_500, 3), "{parse:?}");
        }
        let client = crate::measure::client(&sim.base_url(), &token).unwrap();
        let (items, serial_bytes) = crate::measure::stream_all(&client, &token_id)
            .await
            .unwrap();
        assert_eq!(items, 2_500);
        assert_eq!(serial_bytes, 2_500 * 12);
    }

    /// The latency and pacing benchmarks' workflows, tiny: the health report's critical path
    /// is three requests long, and a paced repair of a few apps meets no 429.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_latency_and_pacing_workflows_run() {
        use intune_apple_core::graph::{HttpStack, Pacing};
        use intune_apple_core::workflows::duplicates::{
            repair_duplicate_apps, DuplicateRepairOptions,
        };
        use intune_apple_core::workflows::report::{health_report, ReportOptions};

        let mut seed = Seed::demo();
        seed.latency = intune_apple_sim::Latency::fixed(1);
        let sim = Simulator::start(seed).await.unwrap();
        let http = HttpStack::new().unwrap();
        let client = crate::latency::client(
            &http,
            &sim.base_url(),
            &sim.tenant_id(),
            Some(Pacing::intune()),
        )
        .unwrap();
        let options = ReportOptions {
            include_apps: true,
            ..ReportOptions::default()
        };
        let report = health_report(&client, &options).await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let log = sim.request_log();
        assert!(log.iter().all(|e| e.delay_ms == 1));
        assert_eq!(crate::latency::health_chain(&log), 3, "{log:?}");

        let mut seed = crate::sim::duplicates(12);
        seed.throttle = true;
        seed.app_throttle = true;
        seed.throttle_limits = intune_apple_sim::ThrottleLimits {
            window_ms: 1000,
            real_time: true,
            app_writes: 5,
            ..intune_apple_sim::ThrottleLimits::intune()
        };
        let sim = Simulator::start(seed).await.unwrap();
        let pacing = Pacing {
            app_writes: 5,
            ..Pacing::intune().with_window(std::time::Duration::from_secs(1))
        };
        let client =
            crate::latency::client(&http, &sim.base_url(), &sim.tenant_id(), Some(pacing)).unwrap();
        let done = repair_duplicate_apps(&client, &DuplicateRepairOptions { apply: true })
            .await
            .unwrap();
        assert_eq!(done.apps.len(), 12);
        assert!(
            done.apps.iter().all(|a| a.error.is_none()),
            "{:?}",
            done.apps
        );
        let log = sim.request_log();
        assert_eq!(log.iter().filter(|e| e.status == 429).count(), 0);
        assert_eq!(
            log.iter()
                .filter(|e| e.method != "GET" && e.applied && !e.path.contains("/oauth2/"))
                .count(),
            12
        );
    }
}
