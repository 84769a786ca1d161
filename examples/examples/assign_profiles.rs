//! Enrollment profiles: list a token's profiles, assign two imported devices to one of them and
//! make it the default. The full commands are `intune-apple profiles ...`.
//!
//! ```text
//! cargo run --example assign_profiles # on the simulated demo tenant
//! ```
#![allow(clippy::print_stdout)] // an example prints its results

use futures::TryStreamExt as _;
use intune_apple_core::workflows::profiles::{
    assign_serial_numbers, set_default_profile, SerialAssignmentOptions,
};
use intune_apple_examples::demo;

#[tokio::main]
async fn main() -> Result<(), String> {
    let tenant = intune_apple_examples::connect().await?;
    let client = &tenant.client;
    let token = demo::DEP_MAIN;
    let profiles: Vec<_> = client
        .enrollment_profiles(token)
        .list()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    for p in &profiles {
        println!("profile {:?} {:?}", p.id(), p.display_name());
    }
    let devices: Vec<_> = client
        .imported_devices(token)
        .list()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let serials: Vec<String> = devices
        .iter()
        .filter_map(|d| d.serial_number.clone())
        .take(2)
        .collect();
    let options = SerialAssignmentOptions::default();
    let report = assign_serial_numbers(client, token, demo::IPHONE_PROFILE, &serials, &options)
        .await
        .map_err(|e| e.to_string())?;
    println!("assigned {} of {}", report.assigned, serials.len());
    let set = set_default_profile(client, token, demo::IPHONE_PROFILE)
        .await
        .map_err(|e| e.to_string())?;
    println!("default profile is now {}", set.profile_id);
    Ok(())
}
