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
//! intune-apple-bench tenants --file FILE [--concurrency K]
//! intune-apple-bench decode-page [--devices 1000] [--rounds 2000]   # decoding alone, in memory
//! ```

mod decode;
mod floor;
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

const USAGE: &str = "usage: intune-apple-bench sim|rust-client|rust-floor|rust-untyped|tenants|decode-page [--name value ...] (see docs/performance.md)";

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
}
