//! Enrollment profiles: create one from a template (every rule checked before any call), assign
//! serial numbers from a CSV in batches with a result per device, and make it the default.
//!
//! ```text
//! cargo run --example assign_profiles                    # simulated demo tenant
//! cargo run --example assign_profiles -- --token ID --profile ID --csv devices.csv [--batch-size N] [--set-default] [--json]
//! cargo run --example assign_profiles -- --token ID --template profile.json
//! ```
//!
//! Exit code: 0 done, 1 refused (profile rules) or some devices not assigned, 2 other error.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str| std::env::var(name).ok();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code =
        intune_apple_examples::workflow_cli::assign_profiles(&args, &var, &mut out, &mut err).await;
    std::process::exit(code);
}
