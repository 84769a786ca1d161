//! `cargo run --example health`: the tenant health report on the command line.
//!
//! ```text
//! health [--format table|markdown|json|ics] [--as-of RFC3339] [--warning-days N]
//!        [--critical-days N] [--locale en|fr] [--no-apps]
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
use intune_apple_core::graph::{env, Client, ClientSecretCredential};
use intune_apple_core::rules::Locale;
use intune_apple_core::workflows::report::{health_report, ReportOptions};
use intune_apple_sim::{Seed, Simulator};

/// Exit code for bad command-line arguments (`EX_USAGE`).
pub const EXIT_USAGE: i32 = 64;

/// The usage text.
pub const USAGE: &str = "\
Usage: cargo run --example health -- [OPTIONS]

Report on the Apple credentials of an Intune tenant: push certificate, enrollment program
tokens, VPP tokens (and the VPP apps).

Options:
  --format FORMAT     table (default), markdown, json or ics
  --as-of RFC3339     evaluate at this instant instead of now (e.g. 2027-01-01T00:00:00Z)
  --warning-days N    warning when at most N days are left (default 30)
  --critical-days N   critical when at most N days are left (default 7)
  --locale LOCALE     en (default) or fr
  --no-apps           do not read the VPP apps (skips the duplicate-app checks)
  -h, --help          this help

Credentials (from the environment; without any, the simulated demo tenant is used):
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
  (PEM or .pfx, with AZURE_CLIENT_CERTIFICATE_PASSWORD when it has one),
  or INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN.

Exit codes: 0 all ok; 1 warning, critical or unknown; 2 expired or a call failed;
64 bad arguments.
";

/// How to print the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned terminal table.
    Table,
    /// Markdown for an email.
    Markdown,
    /// The stable JSON of `docs/report.md`.
    Json,
    /// iCalendar of the renewal deadlines.
    Ics,
}

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// Output format.
    pub format: Format,
    /// Report options.
    pub options: ReportOptions,
    /// `--help` was asked.
    pub help: bool,
}

fn value<'a>(
    flag: &str,
    inline: Option<&'a str>,
    rest: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a str, String> {
    inline
        .or_else(|| rest.next().map(String::as_str))
        .ok_or_else(|| format!("{flag} needs a value"))
}

fn days(flag: &str, text: &str) -> Result<i64, String> {
    text.parse::<i64>()
        .ok()
        .filter(|d| (0..=3650).contains(d))
        .ok_or_else(|| {
            format!("{flag} must be a whole number of days from 0 to 3650, not '{text}'")
        })
}

/// Parses the arguments (without the program name).
///
/// # Errors
/// A message saying which argument is wrong.
pub fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut format = Format::Table;
    let mut options = ReportOptions {
        include_apps: true,
        ..ReportOptions::default()
    };
    let mut warning = None;
    let mut critical = None;
    let mut help = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg.as_str(), None),
        };
        match flag {
            "-h" | "--help" => help = true,
            "--no-apps" => options.include_apps = false,
            "--format" => {
                format = match value(flag, inline, &mut rest)? {
                    "table" => Format::Table,
                    "markdown" | "md" => Format::Markdown,
                    "json" => Format::Json,
                    "ics" => Format::Ics,
                    other => {
                        return Err(format!(
                            "--format must be table, markdown, json or ics, not '{other}'"
                        ))
                    }
                }
            }
            "--as-of" => {
                let text = value(flag, inline, &mut rest)?;
                let at = DateTime::parse_from_rfc3339(text).map_err(|e| {
                    format!("--as-of must be an RFC 3339 time such as 2027-01-01T00:00:00Z, not '{text}' ({e})")
                })?;
                options.as_of = Some(at.with_timezone(&Utc));
            }
            "--warning-days" => warning = Some(days(flag, value(flag, inline, &mut rest)?)?),
            "--critical-days" => critical = Some(days(flag, value(flag, inline, &mut rest)?)?),
            "--locale" => {
                options.locale = match value(flag, inline, &mut rest)? {
                    "en" => Locale::En,
                    "fr" => Locale::Fr,
                    other => return Err(format!("--locale must be en or fr, not '{other}'")),
                }
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let t = &mut options.thresholds;
    for w in [
        &mut t.push_certificate,
        &mut t.enrollment_program_token,
        &mut t.vpp_token,
    ] {
        if let Some(d) = warning {
            w.warning_days = d;
        }
        if let Some(d) = critical {
            w.critical_days = d;
        }
        if w.critical_days > w.warning_days {
            return Err(format!(
                "--critical-days ({}) must not be more than --warning-days ({})",
                w.critical_days, w.warning_days
            ));
        }
    }
    Ok(Args {
        format,
        options,
        help,
    })
}

/// Whether the environment names a tenant to report on.
pub fn has_credentials(var: &dyn Fn(&str) -> Option<String>) -> bool {
    [
        env::TENANT_ID,
        env::CLIENT_ID,
        env::CLIENT_SECRET,
        env::CLIENT_CERTIFICATE_PATH,
        env::GRAPH_URL,
        env::ACCESS_TOKEN,
    ]
    .iter()
    .any(|name| var(name).is_some_and(|v| !v.is_empty()))
}

/// Runs the command: parses `args` (without the program name), reads the environment through
/// `var`, writes the report to `stdout` and notices to `stderr`, and returns the exit code.
/// `color`: colour the table (pass whether stdout is a terminal and `NO_COLOR` is unset).
pub async fn run(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> i32 {
    let code = run_inner(args, var, stdout, stderr, color).await;
    let _ = stdout.flush();
    let _ = stderr.flush();
    code
}

async fn run_inner(
    args: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> i32 {
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(message) => {
            let _ = writeln!(stderr, "health: {message}\n\n{USAGE}");
            return EXIT_USAGE;
        }
    };
    if args.help {
        let _ = write!(stdout, "{USAGE}");
        return 0;
    }
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
        let _ = match args.format {
            Format::Json | Format::Ics => writeln!(stderr, "{notice}"),
            Format::Markdown => writeln!(stdout, "> {notice}\n"),
            Format::Table => writeln!(stdout, "{notice}"),
        };
        let client = Client::builder()
            .base_url(sim.base_url())
            .authority_host(sim.authority_host())
            .credential(ClientSecretCredential::new(
                sim.tenant_id(),
                sim.client_id(),
                sim.client_secret(),
            ))
            .build();
        _sim = Some(sim);
        match client {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(stderr, "health: cannot set up the Graph client: {e}");
                return 2;
            }
        }
    };
    let report = health_report(&client, &args.options).await;
    let text = match args.format {
        Format::Table => report.to_table(color),
        Format::Markdown => report.to_markdown(),
        Format::Json => {
            let mut j = report.to_json();
            j.push('\n');
            j
        }
        Format::Ics => report.to_ics(),
    };
    let _ = stdout.write_all(text.as_bytes());
    report.exit_code()
}
