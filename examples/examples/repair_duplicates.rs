//! VPP duplicate-app repair: after a renewed token was uploaded as a new token, copy the old
//! apps' assignments onto the current token's apps, then tell when the old token can go.
//! Dry run unless `--apply`.
//!
//! ```text
//! cargo run --example repair_duplicates                  # plan, simulated demo tenant
//! cargo run --example repair_duplicates -- --apply [--json]
//! ```
//!
//! Exit code: 0 nothing left to do, 1 work remains (plan not applied, failures, blockers), 2 error.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str| std::env::var(name).ok();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code =
        intune_apple_examples::workflow_cli::repair_duplicates(&args, &var, &mut out, &mut err)
            .await;
    std::process::exit(code);
}
