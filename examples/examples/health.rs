//! The tenant health report, the library's main job, in a few calls. The full command with
//! its options is `intune-apple health` (`cargo run -p intune-apple-cli -- health --help`).
//!
//! ```text
//! cargo run --example health          # simulated demo tenant when no credentials are set
//! ```
#![allow(clippy::print_stdout)] // an example prints its results

use intune_apple_core::workflows::report::{health_report, ReportOptions};

#[tokio::main]
async fn main() -> Result<(), String> {
    let tenant = intune_apple_examples::connect().await?;
    eprintln!("{}", tenant.banner());
    let options = ReportOptions {
        include_apps: true,
        ..ReportOptions::default()
    };
    let report = health_report(&tenant.client, &options).await;
    print!("{}", report.to_table(false));
    std::process::exit(report.exit_code());
}
