//! Reconcile Apple Business with Intune: which devices Apple assigns to each MDM server against
//! what each enrollment program token holds. Read-only on both sides.
//!
//! ```text
//! cargo run --example reconcile                    # simulated tenant and organisation
//! cargo run --example reconcile -- --json          # every serial number, as JSON
//! cargo run --example reconcile -- --markdown
//! ```
//!
//! With `AZURE_*` set it reads the real tenant; with `APPLE_BUSINESS_CLIENT_ID`,
//! `APPLE_BUSINESS_KEY_ID` and `APPLE_BUSINESS_PRIVATE_KEY_PATH` the real organisation (see
//! `docs/apple-business.md`). Exit code: 0 both sides agree, 1 findings, 2 error.

#![allow(clippy::print_stdout)] // an example prints its results

use intune_apple_core::abm::{self, ApiAccount, RequestBudget};
use intune_apple_core::rules::Severity;
use intune_apple_core::workflows::reconcile::{reconcile, ReconcileOptions};
use intune_apple_core::Secret;
use intune_apple_sim::abm::{AppleBusinessSimulator, OrgSeed};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str| std::env::var(name).ok();
    let code = match run(&args, &var).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("reconcile: {e}");
            2
        }
    };
    std::process::exit(code);
}

async fn run(args: &[String], var: &dyn Fn(&str) -> Option<String>) -> Result<i32, String> {
    let tenant = intune_apple_examples::connect_with(var).await?;
    eprintln!("{}", tenant.banner());
    // the real organisation when configured, else the simulated one behind the demo tenant
    let mut simulated = None;
    let apple = match abm::Client::from_env_with(var).map_err(|e| e.to_string())? {
        Some(client) => client,
        None => {
            let sim = AppleBusinessSimulator::start(OrgSeed::demo())
                .await
                .map_err(|e| e.to_string())?;
            let key = Secret::new(sim.private_key_pem());
            let account = ApiAccount::from_pem(sim.client_id(), sim.key_id(), &key)
                .map_err(|e| e.to_string())?;
            let client = abm::Client::builder()
                .account(account)
                .api_root(sim.base_url())
                .token_url(sim.token_url())
                .request_budget(RequestBudget::unlimited())
                .build()
                .map_err(|e| e.to_string())?;
            eprintln!(
                "Simulated Apple Business organisation at {}",
                sim.base_url()
            );
            simulated = Some(sim);
            client
        }
    };
    let result = reconcile(&tenant.client, &apple, &ReconcileOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let text = if args.iter().any(|a| a == "--json") {
        result.to_json()
    } else if args.iter().any(|a| a == "--markdown") {
        result.to_markdown()
    } else {
        result.to_table()
    };
    println!("{text}");
    eprintln!("{} Apple Business request(s)", apple.requests_sent());
    drop(simulated);
    Ok(i32::from(result.severity() > Severity::Ok))
}
