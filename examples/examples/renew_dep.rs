//! Renew an enrollment program token (Apple Business/School Manager `.p7m`) safely: the file
//! is checked against the token's current public key before anything is uploaded.
//!
//! ```text
//! cargo run --example renew_dep                          # simulated demo tenant
//! cargo run --example renew_dep -- --token ID --p7m FILE_smime.p7m --apple-id abm@contoso.com [--force] [--json]
//! ```
//!
//! Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use intune_apple_core::workflows::renewal::{renew_enrollment_program_token, DepRenewalRequest};
use intune_apple_core::Secret;
use intune_apple_examples::connect::{connect, demo, exit_code, print_steps, read, Args};

#[tokio::main]
async fn main() {
    std::process::exit(run().await);
}

async fn run() -> i32 {
    let args = match Args::parse(&["--token", "--p7m", "--apple-id"], &["--force", "--json"]) {
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
    let (token_id, p7m, file_name) = match (args.value("--token"), args.value("--p7m")) {
        (Some(t), Some(path)) => match read(&path) {
            Ok(text) => {
                let name = std::path::Path::new(&path)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_owned);
                (t, text, name)
            }
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        },
        (None, None) if tenant.is_simulated() => (
            demo::DEP_MAIN.to_owned(),
            demo::DEP_TOKEN.to_owned(),
            Some(demo::DEP_TOKEN_NAME.to_owned()),
        ),
        _ => {
            eprintln!("give --token ID (the enrollment program token in Intune) and --p7m PATH, and --apple-id");
            return 2;
        }
    };
    let request = DepRenewalRequest {
        token_id,
        apple_id: args
            .value("--apple-id")
            .unwrap_or_else(|| demo::ABM_APPLE_ID.to_owned()),
        p7m: Secret::new(p7m),
        file_name,
        force: args.flag("--force"),
    };
    match renew_enrollment_program_token(&tenant.client, &request).await {
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
                "Renewed {}: expiry {} -> {}",
                report.token_name.as_deref().unwrap_or(&report.token_id),
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
