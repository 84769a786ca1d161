//! The workflow examples' commands (`renew_push`, `renew_dep`, `renew_vpp`, `assign_profiles`,
//! `repair_duplicates`), here so that they are tested directly against simulated tenants.
//!
//! Each takes the command-line arguments, the environment (a variable reader), stdout and stderr,
//! and returns the exit code: 0 done, 1 refused by a safety check (nothing written) or work left,
//! 2 any other error. Without credentials in the environment each runs on the simulated demo
//! tenant and says so on the first line.

use std::io::Write;

use intune_apple_core::graph::SyncOptions;
use intune_apple_core::workflows::duplicates::{
    repair_duplicate_apps, DuplicateRepairOptions, DuplicateRepairReport,
};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profiles::{
    assign_serial_numbers, create_profile, parse_profile_template, parse_serial_numbers,
    set_default_profile, SerialAssignmentOptions,
};
use intune_apple_core::workflows::renewal::{
    download_push_csr, renew_enrollment_program_token, renew_enrollment_program_token_and_sync,
    renew_push_certificate, renew_vpp_token, DepRenewalRequest, PushRenewalReport,
    PushRenewalRequest, VppRenewalRequest,
};
use intune_apple_core::Secret;

use crate::connect::{connect_with, demo, exit_code, print_steps, read, Args};

/// `writeln!` that ignores a closed output.
macro_rules! wl {
    ($w:expr, $($t:tt)*) => {{
        let _ = writeln!($w, $($t)*);
    }};
}

/// Narrative (banner, demo steps, refusals shown on purpose): to stdout, or to stderr with
/// `--json`, so that stdout then holds only the JSON document.
macro_rules! say {
    ($json:expr, $out:expr, $err:expr, $($t:tt)*) => {{
        if $json {
            wl!($err, $($t)*);
        } else {
            wl!($out, $($t)*);
        }
    }};
}

// ---------------------------------------------------------------------------------------------
// renew_push

fn print_push(out: &mut dyn Write, report: &PushRenewalReport, json: bool) {
    if json {
        wl!(
            out,
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
        return;
    }
    for w in &report.warnings {
        wl!(out, "  ! {w}");
    }
    for s in &report.steps {
        wl!(out, "  {:<9} {:?}: {}", s.name, s.outcome, s.detail);
    }
    wl!(
        out,
        "Renewed: topic {}, expiry {} -> {}",
        report.topic,
        report
            .previous_expiry
            .map(|d| d.to_rfc3339())
            .unwrap_or_default(),
        report
            .new_expiry
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    );
}

/// Renew the Apple MDM push certificate safely.
///
/// ```text
/// cargo run --example renew_push                        # simulated demo tenant
/// cargo run --example renew_push -- --csr push.csr      # step 1: the CSR for Apple's portal
/// cargo run --example renew_push -- --pem MDM.pem --apple-id admin@contoso.com [--force] [--json]
/// ```
///
/// Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.
pub async fn renew_push(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = match Args::from_args(
        args,
        &["--pem", "--apple-id", "--csr"],
        &["--force", "--json"],
    ) {
        Ok(a) => a,
        Err(e) => {
            wl!(err, "{e}");
            return 2;
        }
    };
    let tenant = match connect_with(var).await {
        Ok(t) => t,
        Err(e) => {
            wl!(err, "cannot connect: {e}");
            return 2;
        }
    };
    let json = args.flag("--json");
    say!(json, out, err, "{}", tenant.banner());
    let client = &tenant.client;
    if let Some(path) = args.value("--csr") {
        return match download_push_csr(client, &path).await {
            Ok(csr) if json => {
                wl!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&csr).unwrap_or_default()
                );
                0
            }
            Ok(csr) => {
                wl!(
                    out,
                    "CSR written to {} ({} bytes).\n{}",
                    csr.path,
                    csr.bytes,
                    csr.next_step
                );
                0
            }
            Err(e) => {
                wl!(err, "{e}");
                exit_code(&e)
            }
        };
    }
    let apple_id = args
        .value("--apple-id")
        .unwrap_or_else(|| demo::PUSH_APPLE_ID.to_owned());
    let pem = match args.value("--pem") {
        Some(path) => match read(&path) {
            Ok(p) => p,
            Err(e) => {
                wl!(err, "{e}");
                return 2;
            }
        },
        None if tenant.is_simulated() => {
            say!(
                json,
                out,
                err,
                "\n1. A certificate made with \"Create\" instead of \"Renew\" (another topic):"
            );
            let wrong = PushRenewalRequest {
                apple_id: apple_id.clone(),
                pem: Secret::new(demo::PUSH_OTHER_TOPIC),
                force: false,
            };
            match renew_push_certificate(client, &wrong).await {
                Ok(_) => say!(json, out, err, "  unexpectedly accepted"),
                Err(e) => say!(json, out, err, "  {e}"),
            }
            say!(json, out, err, "\n2. The renewed certificate (same topic):");
            demo::PUSH_RENEWED.to_owned()
        }
        None => {
            wl!(err, "give --pem PATH (the renewed certificate) and --apple-id, or --csr PATH to start a renewal");
            return 2;
        }
    };
    let request = PushRenewalRequest {
        apple_id,
        pem: Secret::new(pem),
        force: args.flag("--force"),
    };
    match renew_push_certificate(client, &request).await {
        Ok(report) => {
            print_push(out, &report, json);
            0
        }
        Err(e) => {
            wl!(err, "{e}");
            exit_code(&e)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// renew_dep

/// Renew an enrollment program token (Apple Business/School Manager `.p7m`) safely: the file
/// is checked against the token's current public key before anything is uploaded.
///
/// ```text
/// cargo run --example renew_dep                          # simulated demo tenant
/// cargo run --example renew_dep -- --token ID --p7m FILE_smime.p7m --apple-id abm@contoso.com [--sync] [--force] [--json]
/// ```
///
/// Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.
pub async fn renew_dep(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = match Args::from_args(
        args,
        &["--token", "--p7m", "--apple-id"],
        &["--sync", "--force", "--json"],
    ) {
        Ok(a) => a,
        Err(e) => {
            wl!(err, "{e}");
            return 2;
        }
    };
    let tenant = match connect_with(var).await {
        Ok(t) => t,
        Err(e) => {
            wl!(err, "cannot connect: {e}");
            return 2;
        }
    };
    let json = args.flag("--json");
    say!(json, out, err, "{}", tenant.banner());
    let (token_id, p7m, file_name) = match (args.value("--token"), args.value("--p7m")) {
        (Some(t), Some(path)) => match read(&path) {
            Ok(text) => {
                let name = std::path::Path::new(&path)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_owned);
                (t, text, name)
            }
            Err(e) => {
                wl!(err, "{e}");
                return 2;
            }
        },
        (None, None) if tenant.is_simulated() => (
            demo::DEP_MAIN.to_owned(),
            demo::DEP_TOKEN.to_owned(),
            Some(demo::DEP_TOKEN_NAME.to_owned()),
        ),
        _ => {
            wl!(err, "give --token ID (the enrollment program token in Intune) and --p7m PATH, and --apple-id");
            return 2;
        }
    };
    let request = DepRenewalRequest {
        token_id,
        apple_id: args
            .value("--apple-id")
            .unwrap_or_else(|| demo::ABM_APPLE_ID.to_owned()),
        p7m: Secret::new(p7m),
        file_name,
        force: args.flag("--force"),
    };
    let renewed = if args.flag("--sync") {
        renew_enrollment_program_token_and_sync(&tenant.client, &request, &SyncOptions::default())
            .await
    } else {
        renew_enrollment_program_token(&tenant.client, &request).await
    };
    match renewed {
        Ok(report) if json => {
            wl!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            0
        }
        Ok(report) => {
            print_steps(out, &report.steps, &report.warnings);
            wl!(
                out,
                "Renewed {}: expiry {} -> {}",
                report.token_name.as_deref().unwrap_or(&report.token_id),
                report
                    .previous_expiry
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default(),
                report
                    .new_expiry
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default()
            );
            0
        }
        Err(e) => {
            wl!(err, "{e}");
            exit_code(&e)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// renew_vpp

/// Renew a VPP (Apps and Books) token safely: the `.vpptoken` is uploaded into the existing
/// token of its organisation and location, never as a second token for the same location.
///
/// ```text
/// cargo run --example renew_vpp                          # simulated demo tenant
/// cargo run --example renew_vpp -- --file sToken.vpptoken [--location "Main"] [--create-if-missing] [--force] [--json]
/// ```
///
/// Exit code: 0 renewed, 1 refused by a safety check (nothing written), 2 other error.
pub async fn renew_vpp(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = match Args::from_args(
        args,
        &["--file", "--location"],
        &["--create-if-missing", "--force", "--json"],
    ) {
        Ok(a) => a,
        Err(e) => {
            wl!(err, "{e}");
            return 2;
        }
    };
    let tenant = match connect_with(var).await {
        Ok(t) => t,
        Err(e) => {
            wl!(err, "cannot connect: {e}");
            return 2;
        }
    };
    let json = args.flag("--json");
    say!(json, out, err, "{}", tenant.banner());
    let (file, location) = match args.value("--file") {
        Some(path) => match read(&path) {
            Ok(text) => (text, args.value("--location")),
            Err(e) => {
                wl!(err, "{e}");
                return 2;
            }
        },
        None if tenant.is_simulated() => {
            say!(
                json,
                out,
                err,
                "\n1. Without a location (the demo organisation has several tokens):"
            );
            let ambiguous = VppRenewalRequest {
                token_file: Secret::new(demo::VPP_TOKEN),
                location: None,
                create_if_missing: false,
                force: false,
            };
            if let Err(e) = renew_vpp_token(&tenant.client, &ambiguous).await {
                say!(json, out, err, "  {e}");
            }
            say!(json, out, err, "\n2. For the location \"Training Center\":");
            (
                demo::VPP_TOKEN.to_owned(),
                Some(
                    args.value("--location")
                        .unwrap_or_else(|| "Training Center".to_owned()),
                ),
            )
        }
        None => {
            wl!(err, "give --file PATH (the .vpptoken) and, when the organisation has several tokens, --location NAME");
            return 2;
        }
    };
    let request = VppRenewalRequest {
        token_file: Secret::new(file),
        location,
        create_if_missing: args.flag("--create-if-missing"),
        force: args.flag("--force"),
    };
    match renew_vpp_token(&tenant.client, &request).await {
        Ok(report) if json => {
            wl!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            0
        }
        Ok(report) => {
            print_steps(out, &report.steps, &report.warnings);
            wl!(
                out,
                "{} token {} ({}): expiry {} -> {}",
                if report.created { "Created" } else { "Renewed" },
                report.token_id,
                report.location_name.as_deref().unwrap_or("no location"),
                report
                    .previous_expiry
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default(),
                report
                    .new_expiry
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default()
            );
            0
        }
        Err(e) => {
            wl!(err, "{e}");
            exit_code(&e)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// assign_profiles

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

fn fail(err: &mut dyn Write, e: &WorkflowError) -> i32 {
    wl!(err, "{e}");
    exit_code(e)
}

#[allow(clippy::too_many_lines)]
/// Enrollment profiles: create one from a template (every rule checked before any call), assign
/// serial numbers from a CSV in batches with a result per device, and make it the default.
///
/// ```text
/// cargo run --example assign_profiles                    # simulated demo tenant
/// cargo run --example assign_profiles -- --token ID --profile ID --csv devices.csv [--batch-size N] [--set-default] [--json]
/// cargo run --example assign_profiles -- --token ID --template profile.json
/// ```
///
/// Exit code: 0 done, 1 refused (profile rules) or some devices not assigned, 2 other error.
pub async fn assign_profiles(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = match Args::from_args(
        args,
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
            wl!(err, "{e}");
            return 2;
        }
    };
    let tenant = match connect_with(var).await {
        Ok(t) => t,
        Err(e) => {
            wl!(err, "cannot connect: {e}");
            return 2;
        }
    };
    let json = args.flag("--json");
    say!(json, out, err, "{}", tenant.banner());
    let client = &tenant.client;
    let simulated_demo = tenant.is_simulated() && args.value("--token").is_none();
    let Some(token) = args
        .value("--token")
        .or_else(|| simulated_demo.then(|| demo::DEP_MAIN.to_owned()))
    else {
        wl!(err, "give --token ID (the enrollment program token), and --template PATH or --profile ID --csv PATH");
        return 2;
    };

    let mut profile = args.value("--profile");
    let template = match args.value("--template") {
        Some(path) => match read(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                wl!(err, "{e}");
                return 2;
            }
        },
        None if simulated_demo => {
            say!(json, out, err, "\n1. A template that breaks several rules:");
            match parse_profile_template(BROKEN_TEMPLATE) {
                Ok(t) => match create_profile(client, &token, &t).await {
                    Err(WorkflowError::InvalidProfile { violations }) => {
                        for v in violations {
                            say!(
                                json,
                                out,
                                err,
                                "  {} {:?} {}: {}",
                                v.code,
                                v.severity,
                                v.path,
                                v.message
                            );
                        }
                    }
                    other => say!(json, out, err, "  unexpected: {other:?}"),
                },
                Err(e) => return fail(err, &e),
            }
            say!(json, out, err, "\n2. A valid template:");
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
                say!(
                    json,
                    out,
                    err,
                    "  created {} ({})",
                    c.display_name.as_deref().unwrap_or("?"),
                    c.profile_id
                );
                for w in &c.warnings {
                    say!(json, out, err, "  ! {} {}: {}", w.code, w.path, w.message);
                }
                profile = Some(c.profile_id);
            }
            Err(e) => return fail(err, &e),
        }
    }
    let Some(profile) = profile.or_else(|| simulated_demo.then(|| demo::IPHONE_PROFILE.to_owned()))
    else {
        wl!(err, "give --profile ID (or --template PATH to create one)");
        return 2;
    };

    let csv = match args.value("--csv") {
        Some(path) => match read(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                wl!(err, "{e}");
                return 2;
            }
        },
        None if simulated_demo => {
            say!(
                json,
                out,
                err,
                "\n3. Serial numbers from a CSV:\n{DEMO_CSV}"
            );
            Some(DEMO_CSV.to_owned())
        }
        None => None,
    };
    let mut code = 0;
    if let Some(csv) = csv {
        let list = match parse_serial_numbers(&csv) {
            Ok(l) => l,
            Err(e) => return fail(err, &e),
        };
        if !list.duplicates.is_empty() {
            say!(
                json,
                out,
                err,
                "  given twice (assigned once): {}",
                list.duplicates.join(", ")
            );
        }
        if !list.invalid.is_empty() {
            say!(
                json,
                out,
                err,
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
            Ok(report) if json => {
                wl!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
                code = i32::from(report.unknown + report.failed > 0);
            }
            Ok(report) => {
                for d in &report.devices {
                    wl!(
                        out,
                        "  {:<14} {:<14} {}",
                        d.serial_number,
                        format!("{:?}", d.outcome),
                        d.detail.as_deref().unwrap_or("")
                    );
                }
                wl!(
                    out,
                    "  {} assigned, {} unknown, {} failed, in {} batch(es)",
                    report.assigned,
                    report.unknown,
                    report.failed,
                    report.batches
                );
                code = i32::from(report.unknown + report.failed > 0);
            }
            Err(e) => return fail(err, &e),
        }
    }
    if args.flag("--set-default") || simulated_demo {
        say!(json, out, err, "\n4. Make it the default profile:");
        match set_default_profile(client, &token, &profile).await {
            Ok(d) => say!(
                json,
                out,
                err,
                "  default {} profile: {} (was {})",
                d.platform,
                d.profile_id,
                d.previous_default.as_deref().unwrap_or("none")
            ),
            Err(e) => return fail(err, &e),
        }
    }
    code
}

// ---------------------------------------------------------------------------------------------
// repair_duplicates

fn print_repair(out: &mut dyn Write, report: &DuplicateRepairReport) {
    wl!(
        out,
        "{}",
        if report.dry_run {
            "Dry run: nothing written (run with --apply to copy)."
        } else {
            "Applied."
        }
    );
    if report.apps.is_empty() {
        wl!(out, "No app is present twice.");
    }
    for app in &report.apps {
        wl!(
            out,
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
            wl!(
                out,
                "  copy     {} ({})",
                a.key,
                a.intent.as_deref().unwrap_or("?")
            );
        }
        for k in &app.already_present {
            wl!(out, "  present  {k}");
        }
        for c in &app.conflicts {
            wl!(
                out,
                "  conflict {}: {} on the old app, {} kept",
                c.key,
                c.old_intent.as_deref().unwrap_or("?"),
                c.kept_intent.as_deref().unwrap_or("?")
            );
        }
        for n in &app.not_copied {
            wl!(out, "  skipped  {}", n.reason);
        }
        if let Some(e) = &app.error {
            wl!(out, "  error    {e}");
        }
    }
    for o in &report.orphans {
        wl!(
            out,
            "\nOnly on the old token: {} ({}), {} assignment(s)",
            o.app.display_name.as_deref().unwrap_or(&o.app.bundle_id),
            o.app.app_id,
            o.assignment_count
        );
    }
    for t in &report.old_tokens {
        wl!(
            out,
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
            wl!(out, "  - {b}");
        }
        wl!(out, "  Next: {}", t.next_step);
    }
    for u in &report.unresolved {
        wl!(out, "\n{u}");
    }
}

/// VPP duplicate-app repair: after a renewed token was uploaded as a new token, copy the old
/// apps' assignments onto the current token's apps, then tell when the old token can go.
/// Dry run unless `--apply`.
///
/// ```text
/// cargo run --example repair_duplicates                  # plan, simulated demo tenant
/// cargo run --example repair_duplicates -- --apply [--json]
/// ```
///
/// Exit code: 0 nothing left to do, 1 work remains (plan not applied, failures, blockers), 2 error.
pub async fn repair_duplicates(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = match Args::from_args(args, &[], &["--apply", "--json"]) {
        Ok(a) => a,
        Err(e) => {
            wl!(err, "{e}");
            return 2;
        }
    };
    let tenant = match connect_with(var).await {
        Ok(t) => t,
        Err(e) => {
            wl!(err, "cannot connect: {e}");
            return 2;
        }
    };
    let json = args.flag("--json");
    say!(json, out, err, "{}", tenant.banner());
    let options = DuplicateRepairOptions {
        apply: args.flag("--apply"),
    };
    match repair_duplicate_apps(&tenant.client, &options).await {
        Ok(report) => {
            if json {
                wl!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                print_repair(out, &report);
            }
            let done =
                report.old_tokens.iter().all(|t| t.can_delete) && report.unresolved.is_empty();
            i32::from(!done)
        }
        Err(e) => {
            wl!(err, "{e}");
            2
        }
    }
}
