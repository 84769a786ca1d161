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
#![allow(clippy::print_stdout, clippy::print_stderr)]

use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profiles::{
    assign_serial_numbers, create_profile, parse_profile_template, parse_serial_numbers,
    set_default_profile, SerialAssignmentOptions,
};
use intune_apple_examples::connect::{connect, demo, exit_code, read, Args};

/// A template that breaks several rules: all are reported at once, nothing is sent.
const BROKEN_TEMPLATE: &str = r##"{"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
  "displayName": "Kiosk iPad", "supervisedModeEnabled": false, "profileRemovalDisabled": true,
  "requiresUserAuthentication": true, "enableSingleAppEnrollmentMode": true,
  "deviceNameTemplate": "KIOSK-{{USERNAME}}"}"##;

const GOOD_TEMPLATE: &str = r##"{"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
  "displayName": "Sales iPhone", "description": "Supervised, locked enrollment",
  "requiresUserAuthentication": true, "supervisedModeEnabled": true,
  "profileRemovalDisabled": true, "isMandatory": true, "deviceNameTemplate": "SALES-{{SERIAL}}"}"##;

const DEMO_CSV: &str = "Device,serialNumber\niPhone 1,D10000000001\niPhone 2,d10000000002\niPhone 1 again,D10000000001\nNot ours,C02XK1ZZJGH5\niPhone 3,D10000000003\n";

fn fail(e: &WorkflowError) -> i32 {
    eprintln!("{e}");
    exit_code(e)
}

#[tokio::main]
async fn main() {
    std::process::exit(run().await);
}

#[allow(clippy::too_many_lines)]
async fn run() -> i32 {
    let args = match Args::parse(
        &[
            "--token",
            "--profile",
            "--csv",
            "--template",
            "--batch-size",
        ],
        &["--set-default", "--json"],
    ) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let tenant = match connect().await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot connect: {e}");
            return 2;
        }
    };
    println!("{}", tenant.banner());
    let client = &tenant.client;
    let simulated_demo = tenant.is_simulated() && args.value("--token").is_none();
    let Some(token) = args
        .value("--token")
        .or_else(|| simulated_demo.then(|| demo::DEP_MAIN.to_owned()))
    else {
        eprintln!("give --token ID (the enrollment program token), and --template PATH or --profile ID --csv PATH");
        return 2;
    };

    let mut profile = args.value("--profile");
    let template = match args.value("--template") {
        Some(path) => match read(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        },
        None if simulated_demo => {
            println!("\n1. A template that breaks several rules:");
            match parse_profile_template(BROKEN_TEMPLATE) {
                Ok(t) => match create_profile(client, &token, &t).await {
                    Err(WorkflowError::InvalidProfile { violations }) => {
                        for v in violations {
                            println!("  {} {:?} {}: {}", v.code, v.severity, v.path, v.message);
                        }
                    }
                    other => println!("  unexpected: {other:?}"),
                },
                Err(e) => return fail(&e),
            }
            println!("\n2. A valid template:");
            Some(GOOD_TEMPLATE.to_owned())
        }
        None => None,
    };
    if let Some(text) = template {
        let created = match parse_profile_template(&text) {
            Ok(t) => create_profile(client, &token, &t).await,
            Err(e) => Err(e),
        };
        match created {
            Ok(c) => {
                println!(
                    "  created {} ({})",
                    c.display_name.as_deref().unwrap_or("?"),
                    c.profile_id
                );
                for w in &c.warnings {
                    println!("  ! {} {}: {}", w.code, w.path, w.message);
                }
                profile = Some(c.profile_id);
            }
            Err(e) => return fail(&e),
        }
    }
    let Some(profile) = profile.or_else(|| simulated_demo.then(|| demo::IPHONE_PROFILE.to_owned()))
    else {
        eprintln!("give --profile ID (or --template PATH to create one)");
        return 2;
    };

    let csv = match args.value("--csv") {
        Some(path) => match read(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        },
        None if simulated_demo => {
            println!("\n3. Serial numbers from a CSV:\n{DEMO_CSV}");
            Some(DEMO_CSV.to_owned())
        }
        None => None,
    };
    let mut code = 0;
    if let Some(csv) = csv {
        let list = match parse_serial_numbers(&csv) {
            Ok(l) => l,
            Err(e) => return fail(&e),
        };
        if !list.duplicates.is_empty() {
            println!(
                "  given twice (assigned once): {}",
                list.duplicates.join(", ")
            );
        }
        if !list.invalid.is_empty() {
            println!(
                "  not serial numbers (left out): {}",
                list.invalid.join(", ")
            );
        }
        let options = SerialAssignmentOptions {
            batch_size: args
                .value("--batch-size")
                .and_then(|n| n.parse().ok())
                .unwrap_or(if simulated_demo {
                    2
                } else {
                    SerialAssignmentOptions::default().batch_size
                }),
        };
        match assign_serial_numbers(client, &token, &profile, &list.serial_numbers, &options).await
        {
            Ok(report) if args.flag("--json") => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
                code = i32::from(report.unknown + report.failed > 0);
            }
            Ok(report) => {
                for d in &report.devices {
                    println!(
                        "  {:<14} {:<14} {}",
                        d.serial_number,
                        format!("{:?}", d.outcome),
                        d.detail.as_deref().unwrap_or("")
                    );
                }
                println!(
                    "  {} assigned, {} unknown, {} failed, in {} batch(es)",
                    report.assigned, report.unknown, report.failed, report.batches
                );
                code = i32::from(report.unknown + report.failed > 0);
            }
            Err(e) => return fail(&e),
        }
    }
    if args.flag("--set-default") || simulated_demo {
        println!("\n4. Make it the default profile:");
        match set_default_profile(client, &token, &profile).await {
            Ok(d) => println!(
                "  default {} profile: {} (was {})",
                d.platform,
                d.profile_id,
                d.previous_default.as_deref().unwrap_or("none")
            ),
            Err(e) => return fail(&e),
        }
    }
    code
}
