//! Renew the Apple MDM push certificate safely.
//!
//! ```text
//! cargo run --example renew_push                        # simulated demo tenant
//! cargo run --example renew_push -- --csr push.csr      # step 1: the CSR for Apple's portal
//! cargo run --example renew_push -- --pem MDM.pem --apple-id admin@contoso.com [--force] [--json]
//! ```
//!
//! Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str| std::env::var(name).ok();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code =
        intune_apple_examples::workflow_cli::renew_push(&args, &var, &mut out, &mut err).await;
    std::process::exit(code);
}
