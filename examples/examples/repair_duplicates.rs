//! VPP duplicate-app repair: after a renewed token was uploaded as a new token, plan the copy of
//! the old apps' assignments onto the current token's apps (a dry run: nothing is written).
//! The full command is `intune-apple repair-duplicates [--apply]`.
//!
//! ```text
//! cargo run --example repair_duplicates   # on the simulated demo tenant
//! ```
#![allow(clippy::print_stdout)] // an example prints its results

use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};

#[tokio::main]
async fn main() -> Result<(), String> {
    let tenant = intune_apple_examples::connect().await?;
    let plan = repair_duplicate_apps(&tenant.client, &DuplicateRepairOptions { apply: false })
        .await
        .map_err(|e| e.to_string())?;
    for app in &plan.apps {
        println!("{app:?}");
    }
    for t in &plan.old_tokens {
        println!(
            "old token {} ({}): can delete: {}; next: {}",
            t.token_id, t.location, t.can_delete, t.next_step
        );
    }
    Ok(())
}
