//! Renew the Apple MDM push certificate safely.
//!
//! ```text
//! cargo run --example renew_push                        # simulated demo tenant
//! cargo run --example renew_push -- --csr push.csr      # step 1: the CSR for Apple's portal
//! cargo run --example renew_push -- --pem MDM.pem --apple-id admin@contoso.com [--force] [--json]
//! ```
//!
//! Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use intune_apple_core::workflows::renewal::{
    download_push_csr, renew_push_certificate, PushRenewalReport, PushRenewalRequest,
};
use intune_apple_core::Secret;
use intune_apple_examples::connect::{connect, demo, exit_code, read, Args};

fn print(report: &PushRenewalReport, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
        return;
    }
    for w in &report.warnings {
        println!("  ! {w}");
    }
    for s in &report.steps {
        println!("  {:<9} {:?}: {}", s.name, s.outcome, s.detail);
    }
    println!(
        "Renewed: topic {}, expiry {} -> {}",
        report.topic,
        report
            .previous_expiry
            .map(|d| d.to_rfc3339())
            .unwrap_or_default(),
        report
            .new_expiry
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    );
}

#[tokio::main]
async fn main() {
    std::process::exit(run().await);
}

async fn run() -> i32 {
    let args = match Args::parse(&["--pem", "--apple-id", "--csr"], &["--force", "--json"]) {
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
    let client = &tenant.client;
    if let Some(path) = args.value("--csr") {
        return match download_push_csr(client, &path).await {
            Ok(out) => {
                println!(
                    "CSR written to {} ({} bytes).\n{}",
                    out.path, out.bytes, out.next_step
                );
                0
            }
            Err(e) => {
                eprintln!("{e}");
                exit_code(&e)
            }
        };
    }
    let apple_id = args
        .value("--apple-id")
        .unwrap_or_else(|| demo::PUSH_APPLE_ID.to_owned());
    let pem = match args.value("--pem") {
        Some(path) => match read(&path) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        },
        None if tenant.is_simulated() => {
            println!(
                "\n1. A certificate made with \"Create\" instead of \"Renew\" (another topic):"
            );
            let wrong = PushRenewalRequest {
                apple_id: apple_id.clone(),
                pem: Secret::new(demo::PUSH_OTHER_TOPIC),
                force: false,
            };
            match renew_push_certificate(client, &wrong).await {
                Ok(_) => println!("  unexpectedly accepted"),
                Err(e) => println!("  {e}"),
            }
            println!("\n2. The renewed certificate (same topic):");
            demo::PUSH_RENEWED.to_owned()
        }
        None => {
            eprintln!("give --pem PATH (the renewed certificate) and --apple-id, or --csr PATH to start a renewal");
            return 2;
        }
    };
    let request = PushRenewalRequest {
        apple_id,
        pem: Secret::new(pem),
        force: args.flag("--force"),
    };
    match renew_push_certificate(client, &request).await {
        Ok(report) => {
            print(&report, args.flag("--json"));
            0
        }
        Err(e) => {
            eprintln!("{e}");
            exit_code(&e)
        }
    }
}
