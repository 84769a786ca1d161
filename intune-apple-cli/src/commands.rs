//! The subcommands other than `health`: each a thin layer over one core workflow, with every
//! write planned and confirmed first (see `confirm`).

use intune_apple_core::clock::{Clock as _, SystemClock};
use intune_apple_core::files::{inspect, AppleFile};
use intune_apple_core::graph::SyncOptions;
use intune_apple_core::rules::profile::{validate_profile, ValidationContext, ViolationSeverity};
use intune_apple_core::rules::SyncPolicy;
use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_check::validate_token_profiles;
use intune_apple_core::workflows::profiles::{
    assign_serial_numbers, copy_profile, create_profile, parse_profile_template,
    parse_serial_numbers, set_default_profile, SerialAssignmentOptions,
};
use intune_apple_core::workflows::renewal::{
    download_push_csr, renew_enrollment_program_token, renew_enrollment_program_token_and_sync,
    renew_push_certificate, renew_vpp_token, DepRenewalRequest, PushRenewalRequest,
    VppRenewalRequest,
};
use intune_apple_core::Secret;

use crate::connect::{connect_with, exit_code, read};
use crate::{Command, Io, EXIT_NOT_CONFIRMED};

/// `inspect FILE`.
#[derive(Debug, Clone, clap::Args)]
pub struct InspectArgs {
    /// The Apple file: push certificate .pem, enrollment program token .p7m or .vpptoken
    pub file: std::path::PathBuf,
}

/// `renew push|enrollment|vpp`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Renew {
    /// Renew the Apple MDM push certificate (the same topic, a later expiry)
    Push {
        /// The renewed certificate from Apple's portal (.pem)
        #[arg(long, value_name = "FILE")]
        pem: std::path::PathBuf,
        /// The Apple ID the certificate was created with
        #[arg(long, value_name = "APPLE_ID")]
        apple_id: String,
        /// Upload even when an overridable check refuses
        #[arg(long)]
        force: bool,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Renew an enrollment program token (Apple Business/School Manager .p7m)
    Enrollment {
        /// The token's id in Intune
        #[arg(long, value_name = "ID")]
        token: String,
        /// The .p7m downloaded from Apple Business Manager
        #[arg(long, value_name = "FILE")]
        p7m: std::path::PathBuf,
        /// The Managed Apple ID of the Apple Business Manager account
        #[arg(long, value_name = "APPLE_ID")]
        apple_id: String,
        /// Start a sync once renewed
        #[arg(long)]
        sync: bool,
        /// Upload even when an overridable check refuses
        #[arg(long)]
        force: bool,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Renew a VPP (Apps and Books) token in place, never as a second token
    Vpp {
        /// The .vpptoken downloaded from Apple Business Manager
        #[arg(long, value_name = "FILE")]
        file: std::path::PathBuf,
        /// The location it renews, when the organisation has several
        #[arg(long)]
        location: Option<String>,
        /// Create the token when the organisation/location has none
        #[arg(long)]
        create_if_missing: bool,
        /// Upload even when an overridable check refuses
        #[arg(long)]
        force: bool,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `csr --out FILE`.
#[derive(Debug, Clone, clap::Args)]
pub struct CsrArgs {
    /// Where to write the certificate signing request
    #[arg(long, value_name = "FILE")]
    pub out: std::path::PathBuf,
}

/// `sync --token ID`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// The enrollment program token's id
    #[arg(long, value_name = "ID")]
    pub token: String,
    /// The token is for macOS devices only (Intune's macOS sync rules)
    #[arg(long)]
    pub macos: bool,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `profiles ...`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Profiles {
    /// Compare a profile template with the tenant's profiles (exit 0 none, 1 drift, 2 unchecked)
    Drift(crate::tenant_admin::DriftArgs),
    /// Plan the writes that bring the tenant to a profile template; --apply makes them
    Apply(crate::tenant_admin::ApplyArgs),
    /// Write a profile template (and its placeholders' values) from an existing profile
    Export(crate::tenant_admin::ExportArgs),
    /// Check a profile template against every rule (no call to Intune), or with --token every
    /// profile of a token as it is in the tenant, settings-catalog policies included (exit 0
    /// passes, 1 a rule broken, 2 a profile could not be checked)
    Validate {
        /// The profile JSON (Graph's depIOSEnrollmentProfile / depMacOSEnrollmentProfile)
        #[arg(required_unless_present = "token", conflicts_with = "token")]
        template: Option<std::path::PathBuf>,
        /// Check the tenant's profiles of this enrollment program token instead (read only)
        #[arg(long, value_name = "ID")]
        token: Option<String>,
        /// With --token: text (default) or json
        #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Create a profile from a template
    Create {
        /// The enrollment program token's id
        #[arg(long, value_name = "ID")]
        token: String,
        /// The profile JSON
        #[arg(long, value_name = "FILE")]
        template: std::path::PathBuf,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Copy a profile to another (or the same) enrollment program token
    Copy {
        /// The source token's id
        #[arg(long, value_name = "ID")]
        token: String,
        /// The profile's id
        #[arg(long, value_name = "ID")]
        profile: String,
        /// The target token's id
        #[arg(long, value_name = "ID")]
        to_token: String,
        /// The new profile's name
        #[arg(long)]
        name: Option<String>,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Assign the serial numbers of a CSV to a profile, in batches
    Assign {
        /// The enrollment program token's id
        #[arg(long, value_name = "ID")]
        token: String,
        /// The profile's id
        #[arg(long, value_name = "ID")]
        profile: String,
        /// The serial numbers (one per line, or a CSV with a serialNumber column)
        #[arg(long, value_name = "FILE")]
        csv: std::path::PathBuf,
        /// Serial numbers per call (at most 1000)
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
        batch_size: u16,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Make a profile the token's default for new devices
    Default {
        /// The enrollment program token's id
        #[arg(long, value_name = "ID")]
        token: String,
        /// The profile's id
        #[arg(long, value_name = "ID")]
        profile: String,
        /// Write without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `repair-duplicates [--apply]`.
#[derive(Debug, Clone, clap::Args)]
pub struct RepairArgs {
    /// Apply the plan (after confirmation); without it only the plan is printed
    #[arg(long)]
    pub apply: bool,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `simulator`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulatorArgs {
    /// Start with an empty tenant instead of the demo tenant
    #[arg(long)]
    pub empty: bool,
}

/// `completions SHELL`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: clap_complete::Shell,
}

/// Prints the plan, then asks (or takes `--yes`). `false`: nothing may be written.
pub(crate) fn confirm(io: &mut Io<'_>, plan: &[String], yes: bool) -> bool {
    let _ = writeln!(io.stdout, "Plan:");
    for line in plan {
        let _ = writeln!(io.stdout, "  - {line}");
    }
    let _ = io.stdout.flush();
    if yes {
        return true;
    }
    match io.confirm.as_mut() {
        Some(ask) => ask("Apply this plan?"),
        None => {
            let _ = writeln!(
                io.stderr,
                "Nothing written: no terminal to confirm on; run again with --yes to apply the plan."
            );
            false
        }
    }
}

/// Confirms the plan, then runs the write and prints its report as JSON. `write` is a future:
/// nothing of it runs before the confirmation.
async fn planned<T: serde::Serialize>(
    io: &mut Io<'_>,
    plan: &[String],
    yes: bool,
    write: impl std::future::Future<Output = Result<T, WorkflowError>>,
) -> i32 {
    if !confirm(io, plan, yes) {
        return EXIT_NOT_CONFIRMED;
    }
    match write.await {
        Ok(report) => {
            json(io, &report);
            0
        }
        Err(e) => fail(io, &e),
    }
}

fn fail(io: &mut Io<'_>, e: &WorkflowError) -> i32 {
    let _ = writeln!(io.stderr, "{e}");
    exit_code(e)
}

pub(crate) fn json(io: &mut Io<'_>, value: &impl serde::Serialize) {
    let _ = writeln!(
        io.stdout,
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

pub(crate) fn read_path(io: &mut Io<'_>, path: &std::path::Path) -> Option<String> {
    match read(&path.to_string_lossy()) {
        Ok(text) => Some(text),
        Err(e) => {
            let _ = writeln!(io.stderr, "{e}");
            None
        }
    }
}

/// Runs one of the subcommands other than `health` and `completions`.
pub async fn run(command: Command, io: &mut Io<'_>) -> i32 {
    // Commands that need no tenant.
    match &command {
        Command::Inspect(a) => return inspect_file(io, &a.file),
        // No tenant: the rules that need none.
        Command::Profiles(Profiles::Validate {
            template: Some(template),
            ..
        }) => return validate_file(io, template),
        Command::Simulator(a) => return simulator(io, a.empty).await,
        _ => {}
    }
    let tenant = match connect_with(io.var).await {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(io.stderr, "cannot connect: {e}");
            return 2;
        }
    };
    let _ = writeln!(io.stderr, "{}", tenant.banner());
    let client = &tenant.client;
    match command {
        Command::Renew(Renew::Push {
            pem,
            apple_id,
            force,
            yes,
        }) => {
            let Some(text) = read_path(io, &pem) else {
                return 2;
            };
            let summary = describe(&pem);
            let plan = [format!(
                "upload the push certificate {} ({summary}) with Apple ID {apple_id}, after checking that it keeps the current topic",
                pem.display()
            )];
            let request = PushRenewalRequest {
                apple_id,
                pem: Secret::new(text),
                force,
            };
            planned(io, &plan, yes, renew_push_certificate(client, &request)).await
        }
        Command::Renew(Renew::Enrollment {
            token,
            p7m,
            apple_id,
            sync,
            force,
            yes,
        }) => {
            let Some(text) = read_path(io, &p7m) else {
                return 2;
            };
            let plan = [format!(
                "upload {} into enrollment program token {token} with Apple ID {apple_id}, after checking that it was made for this token's key{}",
                p7m.display(),
                if sync { ", then start a sync" } else { "" }
            )];
            let request = DepRenewalRequest {
                token_id: token,
                apple_id,
                p7m: Secret::new(text),
                file_name: p7m.file_name().map(|n| n.to_string_lossy().into_owned()),
                force,
            };
            let write = async {
                if sync {
                    renew_enrollment_program_token_and_sync(
                        client,
                        &request,
                        &SyncOptions::default(),
                    )
                    .await
                } else {
                    renew_enrollment_program_token(client, &request).await
                }
            };
            planned(io, &plan, yes, write).await
        }
        Command::Renew(Renew::Vpp {
            file,
            location,
            create_if_missing,
            force,
            yes,
        }) => {
            let Some(text) = read_path(io, &file) else {
                return 2;
            };
            let plan = [format!(
                "upload {} ({}) into the VPP token of its organisation{}{}",
                file.display(),
                describe(&file),
                location
                    .as_deref()
                    .map(|l| format!(" at location {l:?}"))
                    .unwrap_or_default(),
                if create_if_missing {
                    ", creating it when there is none"
                } else {
                    ", refusing when there is none"
                }
            )];
            let request = VppRenewalRequest {
                token_file: Secret::new(text),
                location,
                create_if_missing,
                force,
            };
            planned(io, &plan, yes, renew_vpp_token(client, &request)).await
        }
        Command::Csr(a) => match download_push_csr(client, &a.out).await {
            Ok(csr) => {
                let _ = writeln!(
                    io.stdout,
                    "CSR written to {} ({} bytes).\n{}",
                    csr.path, csr.bytes, csr.next_step
                );
                0
            }
            Err(e) => fail(io, &e),
        },
        Command::Sync(a) => {
            let plan = [format!(
                "start a sync of enrollment program token {} with Apple",
                a.token
            )];
            if !confirm(io, &plan, a.yes) {
                return EXIT_NOT_CONFIRMED;
            }
            let options = SyncOptions {
                policy: if a.macos {
                    SyncPolicy::macos()
                } else {
                    SyncPolicy::default()
                },
                ..SyncOptions::default()
            };
            match client
                .enrollment_program_tokens()
                .sync(&a.token, &options)
                .await
            {
                Ok(()) => {
                    let _ = writeln!(io.stdout, "Sync started.");
                    0
                }
                Err(e) => fail(io, &WorkflowError::Graph(e)),
            }
        }
        Command::Profiles(p) => profiles(io, client, p).await,
        Command::GrantPermissions(a) => crate::tenant_admin::grant(io, client, &a).await,
        Command::Reconcile(a) => crate::tenant_admin::reconcile_command(io, client, &a).await,
        Command::RepairDuplicates(a) => {
            let plan = match repair_duplicate_apps(client, &DuplicateRepairOptions::default()).await
            {
                Ok(r) => r,
                Err(e) => return fail(io, &e),
            };
            json(io, &plan);
            if !a.apply {
                return i32::from(!repair_done(&plan));
            }
            if !confirm(
                io,
                &["copy the assignments listed above onto the current token's apps".to_owned()],
                a.yes,
            ) {
                return EXIT_NOT_CONFIRMED;
            }
            match repair_duplicate_apps(client, &DuplicateRepairOptions { apply: true }).await {
                Ok(r) => {
                    json(io, &r);
                    i32::from(!repair_done(&r))
                }
                Err(e) => fail(io, &e),
            }
        }
        _ => 2,
    }
}

async fn profiles(
    io: &mut Io<'_>,
    client: &intune_apple_core::graph::Client,
    command: Profiles,
) -> i32 {
    match command {
        Profiles::Validate {
            template: Some(template),
            ..
        } => validate_file(io, &template),
        Profiles::Validate {
            token: Some(token),
            format,
            ..
        } => match validate_token_profiles(client, &token).await {
            Ok(check) => {
                let text = if format == "json" {
                    check.to_json()
                } else {
                    check.to_text()
                };
                let _ = writeln!(io.stdout, "{}", text.trim_end());
                check.exit_code()
            }
            Err(e) => fail(io, &e),
        },
        Profiles::Validate { .. } => {
            let _ = writeln!(io.stderr, "give a profile template or --token ID");
            2
        }
        Profiles::Drift(a) => crate::tenant_admin::drift(io, client, &a).await,
        Profiles::Apply(a) => crate::tenant_admin::apply(io, client, &a).await,
        Profiles::Export(a) => crate::tenant_admin::export(io, client, &a).await,
        Profiles::Create {
            token,
            template,
            yes,
        } => {
            let Some(text) = read_path(io, &template) else {
                return 2;
            };
            let profile = match parse_profile_template(&text) {
                Ok(p) => p,
                Err(e) => return fail(io, &e),
            };
            let plan = [format!(
                "create the profile of {} on enrollment program token {token}, after checking every rule",
                template.display()
            )];
            planned(io, &plan, yes, create_profile(client, &token, &profile)).await
        }
        Profiles::Copy {
            token,
            profile,
            to_token,
            name,
            yes,
        } => {
            let plan = [format!(
                "copy profile {profile} of token {token} to token {to_token}{}",
                name.as_deref()
                    .map(|n| format!(" as {n:?}"))
                    .unwrap_or_default()
            )];
            let write = copy_profile(client, &token, &profile, client, &to_token, name.as_deref());
            planned(io, &plan, yes, write).await
        }
        Profiles::Assign {
            token,
            profile,
            csv,
            batch_size,
            yes,
        } => {
            let Some(text) = read_path(io, &csv) else {
                return 2;
            };
            let list = match parse_serial_numbers(&text) {
                Ok(l) => l,
                Err(e) => return fail(io, &e),
            };
            let plan = [format!(
                "assign {} serial number(s) of {} to profile {profile} of token {token}, {batch_size} per call",
                list.serial_numbers.len(),
                csv.display()
            )];
            let options = SerialAssignmentOptions {
                batch_size: usize::from(batch_size),
            };
            let write =
                assign_serial_numbers(client, &token, &profile, &list.serial_numbers, &options);
            planned(io, &plan, yes, write).await
        }
        Profiles::Default {
            token,
            profile,
            yes,
        } => {
            let plan = [format!(
                "make profile {profile} the default of enrollment program token {token}"
            )];
            planned(
                io,
                &plan,
                yes,
                set_default_profile(client, &token, &profile),
            )
            .await
        }
    }
}

/// Whether a repair leaves nothing to do: every old token can go, no location unresolved.
fn repair_done(r: &intune_apple_core::workflows::duplicates::DuplicateRepairReport) -> bool {
    r.old_tokens.iter().all(|t| t.can_delete) && r.unresolved.is_empty()
}

/// `profiles validate`: every rule that needs nothing from the tenant; exit 1 on an error.
fn validate_file(io: &mut Io<'_>, path: &std::path::Path) -> i32 {
    let Some(text) = read_path(io, path) else {
        return 2;
    };
    let profile = match parse_profile_template(&text) {
        Ok(p) => p,
        Err(e) => return fail(io, &e),
    };
    let violations = validate_profile(&profile, &ValidationContext::new(&[], SystemClock.now()));
    for v in &violations {
        let _ = writeln!(
            io.stdout,
            "{:?} {} {}: {}",
            v.severity, v.code, v.path, v.message
        );
    }
    if violations
        .iter()
        .any(|v| v.severity == ViolationSeverity::Error)
    {
        1
    } else {
        let _ = writeln!(
            io.stdout,
            "The profile passes every rule that needs no tenant."
        );
        0
    }
}

/// One line about an Apple file, for a plan (never its content).
fn describe(path: &std::path::Path) -> String {
    match inspect(path) {
        Ok(AppleFile::PushCertificate(c)) => {
            format!(
                "topic {}, valid until {}",
                c.topic,
                c.not_after.to_rfc3339()
            )
        }
        Ok(AppleFile::VppToken(v)) => format!(
            "organisation {:?}, valid until {}",
            v.organization_name,
            v.expires.to_rfc3339()
        ),
        Ok(_) => "an enrollment program token".to_owned(),
        Err(e) => format!("unreadable: {e}"),
    }
}

fn inspect_file(io: &mut Io<'_>, path: &std::path::Path) -> i32 {
    match inspect(path) {
        Ok(AppleFile::PushCertificate(c)) => {
            let _ = writeln!(
                io.stdout,
                "Push certificate: topic {}, valid {} to {}",
                c.topic,
                c.not_before.to_rfc3339(),
                c.not_after.to_rfc3339()
            );
            0
        }
        Ok(AppleFile::VppToken(v)) => {
            let _ = writeln!(
                io.stdout,
                "VPP token of organisation {:?}, valid until {}",
                v.organization_name,
                v.expires.to_rfc3339()
            );
            0
        }
        Ok(AppleFile::DepToken(d)) => {
            let _ = writeln!(
                io.stdout,
                "Enrollment program token (.p7m), encrypted with {} for {} recipient(s)",
                d.content_encryption_oid,
                d.recipients.len()
            );
            0
        }
        Err(e) => {
            let _ = writeln!(io.stderr, "{e}");
            2
        }
    }
}

async fn simulator(io: &mut Io<'_>, empty: bool) -> i32 {
    use intune_apple_sim::{Seed, Simulator};
    let seed = if empty { Seed::default() } else { Seed::demo() };
    let sim = match Simulator::start(seed).await {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(io.stderr, "cannot start the simulator: {e}");
            return 2;
        }
    };
    let _ = writeln!(
        io.stdout,
        "Simulated tenant at {}\nAZURE_TENANT_ID={}\nAZURE_CLIENT_ID={}\nAZURE_CLIENT_SECRET={}\nAZURE_AUTHORITY_HOST={}\nINTUNE_APPLE_GRAPH_URL={}\nPress Ctrl-C to stop.",
        sim.base_url(),
        sim.tenant_id(),
        sim.client_id(),
        sim.client_secret(),
        sim.authority_host(),
        sim.base_url()
    );
    let _ = io.stdout.flush();
    let _ = tokio::signal::ctrl_c().await;
    0
}
