//! Renew a VPP (Apps and Books) token safely: the `.vpptoken` goes into the existing token of
//! its organisation and location, never a second token for one location. The full command is
//! `intune-apple renew vpp --file FILE [--location NAME]`.
//!
//! ```text
//! cargo run --example renew_vpp       # on the simulated demo tenant
//! ```
#![allow(clippy::print_stdout)] // an example prints its results

use intune_apple_core::workflows::renewal::{renew_vpp_token, VppRenewalRequest};
use intune_apple_core::Secret;
use intune_apple_examples::demo;

#[tokio::main]
async fn main() -> Result<(), String> {
    let tenant = intune_apple_examples::connect().await?;
    if !tenant.is_simulated() {
        return Err(
            "this example renews with demo files: use `intune-apple renew vpp` for a real tenant"
                .into(),
        );
    }
    let request = VppRenewalRequest {
        token_file: Secret::new(demo::VPP_TOKEN),
        location: Some("Headquarters".to_owned()),
        create_if_missing: false,
        force: false,
    };
    match renew_vpp_token(&tenant.client, &request).await {
        Ok(report) => println!("renewed {}: until {:?}", report.token_id, report.new_expiry),
        Err(e) => println!("refused or failed: {e}"),
    }
    Ok(())
}
