//! Renew the Apple MDM push certificate safely: the workflow refuses a certificate with another
//! topic (made with "Create" instead of "Renew") before anything is written. The full command
//! is `intune-apple renew push --pem FILE --apple-id ID`.
//!
//! ```text
//! cargo run --example renew_push      # on the simulated demo tenant
//! ```
#![allow(clippy::print_stdout)] // an example prints its results

use intune_apple_core::workflows::renewal::{renew_push_certificate, PushRenewalRequest};
use intune_apple_core::Secret;
use intune_apple_examples::demo;

#[tokio::main]
async fn main() -> Result<(), String> {
    let tenant = intune_apple_examples::connect().await?;
    if !tenant.is_simulated() {
        return Err(
            "this example renews with demo files: use `intune-apple renew push` for a real tenant"
                .into(),
        );
    }
    for (what, pem) in [
        ("another topic", demo::PUSH_OTHER_TOPIC),
        ("same topic", demo::PUSH_RENEWED),
    ] {
        let request = PushRenewalRequest {
            apple_id: demo::PUSH_APPLE_ID.to_owned(),
            pem: Secret::new(pem),
            force: false,
        };
        match renew_push_certificate(&tenant.client, &request).await {
            Ok(report) => println!(
                "{what}: renewed, topic {}, until {:?}",
                report.topic, report.new_expiry
            ),
            Err(e) => println!("{what}: {e}"),
        }
    }
    Ok(())
}
