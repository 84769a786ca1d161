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
#![allow(clippy::print_stdout, clippy::print_stderr)]

use intune_apple_core::workflows::duplicates::{
    repair_duplicate_apps, DuplicateRepairOptions, DuplicateRepairReport,
};
use intune_apple_examples::connect::{connect, Args};

fn print(report: &DuplicateRepairReport) {
    println!(
        "{}",
        if report.dry_run {
            "Dry run: nothing written (run with --apply to copy)."
        } else {
            "Applied."
        }
    );
    if report.apps.is_empty() {
        println!("No app is present twice.");
    }
    for app in &report.apps {
        println!(
            "\n{} ({}) -> app {} on token {}: {:?}{}",
            app.display_name.as_deref().unwrap_or(&app.bundle_id),
            app.bundle_id,
            app.target_app_id,
            app.target_token_id,
            app.outcome,
            match app.verified {
                Some(true) => ", verified",
                Some(false) => ", NOT verified",
                None => "",
            }
        );
        for a in &app.to_copy {
            println!(
                "  copy     {} ({})",
                a.key,
                a.intent.as_deref().unwrap_or("?")
            );
        }
        for k in &app.already_present {
            println!("  present  {k}");
        }
        for c in &app.conflicts {
            println!(
                "  conflict {}: {} on the old app, {} kept",
                c.key,
                c.old_intent.as_deref().unwrap_or("?"),
                c.kept_intent.as_deref().unwrap_or("?")
            );
        }
        for n in &app.not_copied {
            println!("  skipped  {}", n.reason);
        }
        if let Some(e) = &app.error {
            println!("  error    {e}");
        }
    }
    for o in &report.orphans {
        println!(
            "\nOnly on the old token: {} ({}), {} assignment(s)",
            o.app.display_name.as_deref().unwrap_or(&o.app.bundle_id),
            o.app.app_id,
            o.assignment_count
        );
    }
    for t in &report.old_tokens {
        println!(
            "\nOld token {} ({}), replaced by {}: {}",
            t.token_id,
            t.location,
            t.replaced_by,
            if t.can_delete {
                "can be deleted"
            } else {
                "keep it for now"
            }
        );
        for b in &t.blockers {
            println!("  - {b}");
        }
        println!("  Next: {}", t.next_step);
    }
    for u in &report.unresolved {
        println!("\n{u}");
    }
}

#[tokio::main]
async fn main() {
    std::process::exit(run().await);
}

async fn run() -> i32 {
    let args = match Args::parse(&[], &["--apply", "--json"]) {
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
    let options = DuplicateRepairOptions {
        apply: args.flag("--apply"),
    };
    match repair_duplicate_apps(&tenant.client, &options).await {
        Ok(report) => {
            if args.flag("--json") {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                print(&report);
            }
            let done =
                report.old_tokens.iter().all(|t| t.can_delete) && report.unresolved.is_empty();
            i32::from(!done)
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}
