//! The `intune-apple` command, written once: the Cargo binary, the Python package's console
//! script and the npm package's `bin` all call [`run`].
//!
//! ```text
//! intune-apple health                         the tenant health report (the main job)
//! intune-apple scan --tenant NAME=ID ...      the same for many tenants at once
//! intune-apple inspect FILE                   check a .pem / .p7m / .vpptoken offline
//! intune-apple renew push|enrollment|vpp ...  safe renewals (planned, then confirmed)
//! intune-apple csr --out FILE                 the push certificate CSR for Apple's portal
//! intune-apple sync --token ID                sync an enrollment program token
//! intune-apple profiles validate|create|copy|assign|default ...
//! intune-apple repair-duplicates [--apply]    VPP duplicate-app repair
//! intune-apple simulator                      run the simulated tenant
//! intune-apple completions SHELL              shell completions
//! ```
//!
//! Arguments are read completely before anything is read or written: an unknown or misplaced
//! argument, or `--help` anywhere, stops the command first. Every write to the tenant is
//! planned: the command prints what it will change, then writes only after an interactive
//! "yes" or `--yes`; without a terminal and without `--yes` it prints the plan and exits
//! [`EXIT_NOT_CONFIRMED`], so a typo in a cron line never renews by accident.
//!
//! Exit codes: `0` done / all ok; `1` refused by a safety check (nothing written), work left,
//! or a health warning; `2` an error (or an expired credential in `health`); `3` a planned
//! write was not confirmed (nothing written); `64` bad arguments.

#![forbid(unsafe_code)]

use std::io::Write;

use clap::{CommandFactory as _, Parser};

pub mod commands;
pub mod connect;
pub mod health;
pub mod scan;
pub mod tenant_admin;

/// Exit code for bad command-line arguments (`EX_USAGE`).
pub const EXIT_USAGE: i32 = 64;
/// Exit code when a planned write was not confirmed: nothing was written.
pub const EXIT_NOT_CONFIRMED: i32 = 3;

/// Keep the Apple credentials of a Microsoft Intune tenant alive.
///
/// Without credentials in the environment every command runs on the simulated demo tenant and
/// says so. Credentials: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or
/// AZURE_CLIENT_CERTIFICATE_PATH, or INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN.
#[derive(Debug, Parser)]
#[command(name = "intune-apple", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 ok; 1 refused, work left or a warning; 2 error or expired; \
3 a planned write was not confirmed; 64 bad arguments."
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Report on the push certificate, enrollment program tokens and VPP tokens
    #[command(after_help = health::AFTER_HELP)]
    Health(health::HealthArgs),
    /// The health report of many tenants at once (an MSP, or several tenants): the options of
    /// health, for every tenant
    #[command(after_help = scan::AFTER_HELP)]
    Scan(scan::ScanArgs),
    /// Check an Apple file (.pem, .p7m, .vpptoken) offline, by its content
    Inspect(commands::InspectArgs),
    /// Renew a credential safely: planned and checked, then written after confirmation
    #[command(subcommand)]
    Renew(commands::Renew),
    /// Write the push certificate signing request for Apple's portal (step 1 of a renewal)
    Csr(commands::CsrArgs),
    /// Start a sync of an enrollment program token with Apple
    Sync(commands::SyncArgs),
    /// Enrollment profiles: validate, create, copy, assign serial numbers, make default
    #[command(subcommand)]
    Profiles(commands::Profiles),
    /// Repair VPP apps present under two tokens (plan; --apply to write)
    RepairDuplicates(commands::RepairArgs),
    /// Grant a managed identity (or app) the Graph permissions of the report, or of renewals
    /// and repairs with --read-write (planned; idempotent)
    GrantPermissions(tenant_admin::GrantArgs),
    /// Compare what Apple Business assigns to each MDM server with what Intune holds (read-only)
    Reconcile(tenant_admin::ReconcileArgs),
    /// Run the simulated Intune tenant on loopback until interrupted
    Simulator(commands::SimulatorArgs),
    /// Print shell completions
    Completions(commands::CompletionsArgs),
}

/// What a command reads and writes: its outputs, the environment, and how to ask for a
/// confirmation.
pub struct Io<'a> {
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// The environment (`|name| std::env::var(name).ok()`).
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// Asks the question on a terminal and returns the answer; `None` when there is no terminal.
    pub confirm: Option<&'a mut dyn FnMut(&str) -> bool>,
    /// Colour the table output.
    pub color: bool,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("interactive", &self.confirm.is_some())
            .field("color", &self.color)
            .finish_non_exhaustive()
    }
}

/// Runs the command line `args` (without the program name) and returns the exit code.
pub async fn run(args: &[String], io: &mut Io<'_>) -> i32 {
    let argv = std::iter::once("intune-apple".to_owned()).chain(args.iter().cloned());
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind as K;
            let text = e.render().to_string();
            return match e.kind() {
                K::DisplayHelp | K::DisplayVersion => {
                    let _ = io.stdout.write_all(text.as_bytes());
                    0
                }
                K::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = io.stderr.write_all(text.as_bytes());
                    EXIT_USAGE
                }
                _ => {
                    let _ = io.stderr.write_all(text.as_bytes());
                    if !text.contains("Usage:") {
                        let _ = write!(io.stderr, "\n{}", usage_for(args));
                    }
                    EXIT_USAGE
                }
            };
        }
    };
    let code = match cli.command {
        Command::Health(a) => health::run(&a, io.var, io.stdout, io.stderr, io.color).await,
        Command::Scan(a) => scan::run(&a, io.var, io.stdout, io.stderr, io.color).await,
        Command::Completions(a) => {
            let mut cmd = Cli::command();
            clap_complete::generate(a.shell, &mut cmd, "intune-apple", io.stdout);
            0
        }
        other => commands::run(other, io).await,
    };
    let _ = io.stdout.flush();
    let _ = io.stderr.flush();
    code
}

/// The usage line of the deepest subcommand that `args` name (for an error message).
fn usage_for(args: &[String]) -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut current = cmd;
    for arg in args {
        match current.find_subcommand(arg) {
            Some(sub) => current = sub.clone(),
            None if arg.starts_with('-') => {}
            None => break,
        }
    }
    format!("{}\n", current.render_usage())
}

/// Runs the command line of this process (`std::env::args` without the program name, or
/// `args`) with the real stdout, stderr, environment and terminal, on its own runtime; the
/// entry point of the Cargo binary and of the bindings' commands.
#[must_use]
pub fn run_process(args: &[String]) -> i32 {
    use std::io::IsTerminal as _;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "intune-apple: cannot start: {e}");
            return 2;
        }
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let var = |name: &str| std::env::var(name).ok();
    let mut ask = |question: &str| {
        let _ = write!(std::io::stderr(), "{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).is_ok()
            && matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    };
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let mut io = Io {
        stdout: &mut out,
        stderr: &mut err,
        var: &var,
        confirm: if interactive { Some(&mut ask) } else { None },
        color,
    };
    runtime.block_on(run(args, &mut io))
}
