//! Renew an enrollment program token (Apple Business/School Manager `.p7m`) safely: the file
//! is checked against the token's current public key before it is uploaded. The full command
//! is `intune-apple renew enrollment --token ID --p7m FILE --apple-id ID`.
//!
//! ```text
//! cargo run --example renew_dep       # on the simulated demo tenant
//! ```
#![allow(clippy::print_stdout)] // an example prints its results

use intune_apple_core::workflows::renewal::{renew_enrollment_program_token, DepRenewalRequest};
use intune_apple_core::Secret;
use intune_apple_examples::demo;

#[tokio::main]
async fn main() -> Result<(), String> {
    let tenant = intune_apple_examples::connect().await?;
    if !tenant.is_simulated() {
        return Err("this example renews with demo files: use `intune-apple renew enrollment` for a real tenant".into());
    }
    let request = DepRenewalRequest {
        token_id: demo::DEP_MAIN.to_owned(),
        apple_id: demo::ABM_APPLE_ID.to_owned(),
        p7m: Secret::new(demo::DEP_TOKEN),
        file_name: Some(demo::DEP_TOKEN_NAME.to_owned()),
        force: false,
    };
    let report = renew_enrollment_program_token(&tenant.client, &request)
        .await
        .map_err(|e| e.to_string())?;
    println!("renewed {}: until {:?}", report.token_id, report.new_expiry);
    Ok(())
}
