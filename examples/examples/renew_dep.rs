//! Renew an enrollment program token (Apple Business/School Manager `.p7m`) safely: the file
//! is checked against the token's current public key before anything is uploaded.
//!
//! ```text
//! cargo run --example renew_dep                          # simulated demo tenant
//! cargo run --example renew_dep -- --token ID --p7m FILE_smime.p7m --apple-id abm@contoso.com [--sync] [--force] [--json]
//! ```
//!
//! Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str| std::env::var(name).ok();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code =
        intune_apple_examples::workflow_cli::renew_dep(&args, &var, &mut out, &mut err).await;
    std::process::exit(code);
}
