//! `intune-apple health`: the tenant health report on the command line.
//!
//! ```text
//! intune-apple health [--format table|markdown|json|ics] [--as-of RFC3339] [--warning-days N]
//!                     [--critical-days N] [--locale en|fr] [--no-apps]
//! ```
//!
//! Without credentials in the environment it starts the simulated demo tenant in-process and
//! says so on the first line (on stderr for `json` and `ics`, so that stdout stays
//! machine-readable). With `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` (or
//! `AZURE_CLIENT_CERTIFICATE_PATH`), or `INTUNE_APPLE_GRAPH_URL` and `INTUNE_APPLE_ACCESS_TOKEN`,
//! it reports on that tenant.
//!
//! Exit codes: `0` everything ok; `1` something is warning, critical or unknown; `2` something
//! expired, a section could not be read, or the client could not be set up; `64` bad arguments
//! (the usage is printed on stderr).

use std::io::Write;

use chrono::{DateTime, Utc};
use intune_apple_core::graph::{env, Client};
use intune_apple_core::rules::Locale;
use intune_apple_core::workflows::report::{health_report, Format, ReportOptions};
use intune_apple_sim::{Seed, Simulator};

use crate::EXIT_USAGE;

/// What `health --help` says after the options.
pub const AFTER_HELP: &str = "\
Credentials (from the environment; without any, the simulated demo tenant is used):
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
  (PEM or .pfx, with AZURE_CLIENT_CERTIFICATE_PASSWORD when it has one),
  or INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN.

Exit codes: 0 all ok; 1 warning, critical or unknown; 2 expired or a call failed;
64 bad arguments.";

/// The arguments of `health`.
#[derive(Debug, Clone, clap::Args)]
pub struct HealthArgs {
    /// table (default), markdown (or md), json or ics
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = parse_format)]
    pub format: Format,
    /// Evaluate at this instant instead of now (e.g. 2027-01-01T00:00:00Z)
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub as_of: Option<DateTime<Utc>>,
    /// Warning when at most N days are left (default 30)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub warning_days: Option<i64>,
    /// Critical when at most N days are left (default 7)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub critical_days: Option<i64>,
    /// en (default) or fr
    #[arg(long, value_name = "LOCALE", value_parser = parse_locale)]
    pub locale: Option<Locale>,
    /// Do not read the VPP apps (skips the duplicate-app checks)
    #[arg(long)]
    pub no_apps: bool,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
        .map_err(|e: intune_apple_core::workflows::report::UnknownFormat| e.to_string())
}

fn parse_locale(text: &str) -> Result<Locale, String> {
    Locale::parse(text).map_err(|e| e.to_string())
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| format!("an RFC 3339 time such as 2027-01-01T00:00:00Z is needed ({e})"))
}

impl HealthArgs {
    /// The report options these arguments ask for.
    ///
    /// # Errors
    /// A message when `--critical-days` is more than `--warning-days`.
    pub fn options(&self) -> Result<ReportOptions, String> {
        let mut options = ReportOptions {
            include_apps: !self.no_apps,
            as_of: self.as_of,
            locale: self.locale.unwrap_or_default(),
            ..ReportOptions::default()
        };
        let t = &mut options.thresholds;
        for w in [
            &mut t.push_certificate,
            &mut t.enrollment_program_token,
            &mut t.vpp_token,
        ] {
            if let Some(d) = self.warning_days {
                w.warning_days = d;
            }
            if let Some(d) = self.critical_days {
                w.critical_days = d;
            }
            if w.critical_days > w.warning_days {
                return Err(format!(
                    "--critical-days ({}) must not be more than --warning-days ({})",
                    w.critical_days, w.warning_days
                ));
            }
        }
        Ok(options)
    }
}

/// Whether the environment names a tenant to report on.
pub fn has_credentials(var: &dyn Fn(&str) -> Option<String>) -> bool {
    env::names_a_credential(var)
}

/// Runs `health`: reads the environment through `var`, writes the report to `stdout` and
/// notices to `stderr`, and returns the exit code. `color`: colour the table.
pub async fn run(
    args: &HealthArgs,
    var: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> i32 {
    let options = match args.options() {
        Ok(o) => o,
        Err(message) => {
            let _ = writeln!(
                stderr,
                "error: {message}\n\nUsage: intune-apple health [OPTIONS]\n\nFor more information, try '--help'."
            );
            return EXIT_USAGE;
        }
    };
    // Keep the simulator alive until the report is written.
    let mut _sim = None;
    let client = if has_credentials(var) {
        match Client::from_env_with(|name| var(name).filter(|v| !v.is_empty())) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(stderr, "health: cannot set up the Graph client: {e}");
                return 2;
            }
        }
    } else {
        let sim = match Simulator::start(Seed::demo()).await {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(stderr, "health: cannot start the simulated tenant: {e}");
                return 2;
            }
        };
        let notice = format!(
            "No credentials set ({} / {} / {}, or {} + {}): reporting on the simulated demo tenant at {}.",
            env::TENANT_ID,
            env::CLIENT_ID,
            env::CLIENT_SECRET,
            env::GRAPH_URL,
            env::ACCESS_TOKEN,
            sim.base_url()
        );
        // On stderr when stdout holds a document for a program; a quote in Markdown.
        let _ = if args.format.is_machine_readable() {
            writeln!(stderr, "{notice}")
        } else if args.format == Format::Markdown {
            writeln!(stdout, "> {notice}\n")
        } else {
            writeln!(stdout, "{notice}")
        };
        let client = crate::connect::client_for(&sim);
        _sim = Some(sim);
        match client {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(stderr, "health: cannot set up the Graph client: {e}");
                return 2;
            }
        }
    };
    let report = health_report(&client, &options).await;
    let _ = stdout.write_all(args.format.render(&report, color).as_bytes());
    report.exit_code()
}
