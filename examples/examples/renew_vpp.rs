//! Renew a VPP (Apps and Books) token safely: the `.vpptoken` is uploaded into the existing
//! token of its organisation and location, never as a second token for the same location.
//!
//! ```text
//! cargo run --example renew_vpp                          # simulated demo tenant
//! cargo run --example renew_vpp -- --file sToken.vpptoken [--location "Main"] [--create-if-missing] [--force] [--json]
//! ```
//!
//! Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str| std::env::var(name).ok();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code =
        intune_apple_examples::workflow_cli::renew_vpp(&args, &var, &mut out, &mut err).await;
    std::process::exit(code);
}
