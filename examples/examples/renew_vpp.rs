//! Renew a VPP (Apps and Books) token safely: the `.vpptoken` is uploaded into the existing
//! token of its organisation and location, never as a second token for the same location.
//!
//! ```text
//! cargo run --example renew_vpp                          # simulated demo tenant
//! cargo run --example renew_vpp -- --file sToken.vpptoken [--location "Main"] [--create-if-missing] [--force] [--json]
//! ```
//!
//! Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use intune_apple_core::workflows::renewal::{renew_vpp_token, VppRenewalRequest};
use intune_apple_core::Secret;
use intune_apple_examples::connect::{connect, demo, exit_code, print_steps, read, Args};

#[tokio::main]
async fn main() {
    std::process::exit(run().await);
}

async fn run() -> i32 {
    let args = match Args::parse(
        &["--file", "--location"],
        &["--create-if-missing", "--force", "--json"],
    ) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let tenant = match connect().await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot connect: {e}");
            return 2;
        }
    };
    println!("{}", tenant.banner());
    let (file, location) = match args.value("--file") {
        Some(path) => match read(&path) {
            Ok(text) => (text, args.value("--location")),
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        },
        None if tenant.is_simulated() => {
            println!("\n1. Without a location (the demo organisation has several tokens):");
            let ambiguous = VppRenewalRequest {
                token_file: Secret::new(demo::VPP_TOKEN),
                location: None,
                create_if_missing: false,
                force: false,
            };
            if let Err(e) = renew_vpp_token(&tenant.client, &ambiguous).await {
                println!("  {e}");
            }
            println!("\n2. For the location \"Training Center\":");
            (
                demo::VPP_TOKEN.to_owned(),
                Some(
                    args.value("--location")
                        .unwrap_or_else(|| "Training Center".to_owned()),
                ),
            )
        }
        None => {
            eprintln!("give --file PATH (the .vpptoken) and, when the organisation has several tokens, --location NAME");
            return 2;
        }
    };
    let request = VppRenewalRequest {
        token_file: Secret::new(file),
        location,
        create_if_missing: args.flag("--create-if-missing"),
        force: args.flag("--force"),
    };
    match renew_vpp_token(&tenant.client, &request).await {
        Ok(report) if args.flag("--json") => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            0
        }
        Ok(report) => {
            print_steps(&report.steps, &report.warnings);
            println!(
                "{} token {} ({}): expiry {} -> {}",
                if report.created { "Created" } else { "Renewed" },
                report.token_id,
                report.location_name.as_deref().unwrap_or("no location"),
                report
                    .previous_expiry
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default(),
                report
                    .new_expiry
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default()
            );
            0
        }
        Err(e) => {
            eprintln!("{e}");
            exit_code(&e)
        }
    }
}
