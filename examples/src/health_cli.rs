//! `cargo run --example health`: the tenant health report on the command line.
//!
//! ```text
//! health [--format table|markdown|json|ics|prometheus|openmetrics|nagios|checkmk|html]
//!        [--output FILE] [--as-of RFC3339] [--preset default|intune] [--warning-days N]
//!        [--critical-days N] [--locale en|fr] [--no-apps]
//!        [--notify teams=URL|slack=URL|webhook=URL|email=ADDR]... [--notify-always]
//!        [--notify-thresholds 30,14,7,3,1] [--state FILE] [--mail-from ADDR]
//! ```
//!
//! Without credentials in the environment it starts the simulated demo tenant in-process and
//! says so on the first line (on stderr for `json` and `ics`, so that stdout stays
//! machine-readable). With `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` (or
//! `AZURE_CLIENT_CERTIFICATE_PATH`), or `INTUNE_APPLE_GRAPH_URL` and `INTUNE_APPLE_ACCESS_TOKEN`,
//! it reports on that tenant.
//!
//! Exit codes: `0` everything ok; `1` something is warning, critical or unknown; `2` something
//! expired, a section could not be read, the client could not be set up, or a notification
//! was not delivered; `64` bad arguments (the usage is printed on stderr). With `--format
//! nagios`: the plugin codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not check).
//!
//! Formats, channels, thresholds and the change-state are parsed and decided in the core
//! (`Format`, `Channel`, `ThresholdPreset`, `notify::state`): this file only wires them.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use intune_apple_core::graph::{env, Client, ClientSecretCredential};
use intune_apple_core::rules::health::ThresholdPreset;
use intune_apple_core::rules::Locale;
use intune_apple_core::workflows::notify::state::{
    decide, load_state, save_state, NotifyPolicy, StateLoad,
};
use intune_apple_core::workflows::notify::{
    channels_from_env, deliver, finish_channels, Channel, DeliveryOptions, Notification,
};
pub use intune_apple_core::workflows::report::Format;
use intune_apple_core::workflows::report::{
    health_report, write_textfile, ReportOptions, TenantReport,
};
use intune_apple_sim::{Seed, Simulator};

/// Exit code for bad command-line arguments (`EX_USAGE`).
pub const EXIT_USAGE: i32 = 64;

/// The usage text.
pub const USAGE: &str = "\
Usage: cargo run --example health -- [OPTIONS]

Report on the Apple credentials of an Intune tenant: push certificate, enrollment program
tokens, VPP tokens (and the VPP apps).

Options:
  --format FORMAT     table (default), markdown, json, ics, prometheus, openmetrics,
                      nagios, checkmk or html
  --output FILE       write the report to FILE atomically (e.g. a .prom file of
                      node_exporter's textfile collector) instead of stdout
  --as-of RFC3339     evaluate at this instant instead of now (e.g. 2027-01-01T00:00:00Z)
  --preset PRESET     default (warning 30 days, critical 7) or intune (the admin center's
                      connector status: warning 7 days or 1 day without sync, critical 3
                      days without sync); --warning-days/--critical-days adjust it
  --warning-days N    warning when at most N days are left (default 30)
  --critical-days N   critical when at most N days are left (default 7)
  --locale LOCALE     en (default) or fr
  --no-apps           do not read the VPP apps (skips the duplicate-app checks)
  -h, --help          this help

Notifications (sent when something changed since the last run kept in --state):
  --notify CHANNEL    teams=URL, slack=URL, webhook=URL or email=ADDR[,ADDR]; repeatable.
                      Better from the environment, out of process lists:
                      INTUNE_APPLE_NOTIFY_TEAMS, _SLACK, _WEBHOOK, _EMAIL
  --state FILE        the change-state kept between runs (created when missing)
  --notify-always     send a digest on every run, changed or not
  --notify-thresholds DAYS  days before expiry that notify (default 30,14,7,3,1; and expiry)
  --mail-from ADDR    the mailbox e-mail is sent from (or INTUNE_APPLE_MAIL_FROM), with
                      the Mail.Send permission; INTUNE_APPLE_WEBHOOK_SECRET signs webhooks

Credentials (from the environment; without any, the simulated demo tenant is used):
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
  (PEM or .pfx, with AZURE_CLIENT_CERTIFICATE_PASSWORD when it has one),
  or INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN.

Exit codes: 0 all ok; 1 warning, critical or unknown; 2 expired, a call failed or a
notification was not delivered; 64 bad arguments. --format nagios: 0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN.
";

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// Output format.
    pub format: Format,
    /// Report options.
    pub options: ReportOptions,
    /// `--help` was asked.
    pub help: bool,
    /// `--output`.
    pub output: Option<PathBuf>,
    /// `--notify`, in order.
    pub channels: Vec<Channel>,
    /// `--state`.
    pub state: Option<PathBuf>,
    /// When to notify (`--notify-always`, `--notify-thresholds`).
    pub policy: NotifyPolicy,
    /// `--mail-from`.
    pub mail_from: Option<String>,
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
    let mut output = None;
    let mut channels = Vec::new();
    let mut state = None;
    let mut policy = NotifyPolicy::default();
    let mut mail_from = None;
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
                format = value(flag, inline, &mut rest)?
                    .parse::<Format>()
                    .map_err(|e| format!("--format: {e}"))?;
            }
            "--output" => output = Some(PathBuf::from(value(flag, inline, &mut rest)?)),
            "--preset" => {
                let p: ThresholdPreset = value(flag, inline, &mut rest)?
                    .parse()
                    .map_err(|e| format!("--preset: {e}"))?;
                options.thresholds = p.thresholds();
            }
            "--notify" => channels.push(
                value(flag, inline, &mut rest)?
                    .parse::<Channel>()
                    .map_err(|e| format!("--notify: {e}"))?,
            ),
            "--notify-always" => policy.always = true,
            "--notify-thresholds" => {
                policy.thresholds_days =
                    NotifyPolicy::parse_thresholds(value(flag, inline, &mut rest)?)
                        .map_err(|e| format!("--notify-thresholds: {e}"))?;
            }
            "--state" => state = Some(PathBuf::from(value(flag, inline, &mut rest)?)),
            "--mail-from" => mail_from = Some(value(flag, inline, &mut rest)?.to_owned()),
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
        output,
        channels,
        state,
        policy,
        mail_from,
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
            _ if args.output.is_some() => writeln!(stderr, "{notice}"),
            Format::Markdown => writeln!(stdout, "> {notice}\n"),
            Format::Table => writeln!(stdout, "{notice}"),
            _ => writeln!(stderr, "{notice}"),
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
    let text = args.format.render(&report, color && args.output.is_none());
    let mut code = args.format.exit_code(&report);
    match &args.output {
        Some(path) => {
            if let Err(e) = write_textfile(path, &text) {
                let _ = writeln!(stderr, "health: cannot write {}: {e}", path.display());
                return 2;
            }
        }
        None => {
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    let notified = notify(&args, var, client, report, stderr).await;
    if !notified {
        code = code.max(2);
    }
    code
}

/// Sends the notifications the change-state calls for; `false` when one was not delivered or
/// the state could not be saved (the state is then left as it was, so that the next run
/// sends the alert again rather than losing it).
async fn notify(
    args: &Args,
    var: &dyn Fn(&str) -> Option<String>,
    client: Client,
    report: intune_apple_core::workflows::report::HealthReport,
    stderr: &mut dyn Write,
) -> bool {
    let mut channels = args.channels.clone();
    match channels_from_env(var) {
        Ok(more) => channels.extend(more),
        Err(e) => {
            let _ = writeln!(stderr, "health: {e}");
            return false;
        }
    }
    let channels: Vec<Channel> = finish_channels(channels, var)
        .into_iter()
        .map(|c| c.with_mail_from(args.mail_from.clone()))
        .collect();
    if channels.is_empty() && args.state.is_none() {
        return true;
    }
    let previous = args.state.as_deref().map_or(StateLoad::Missing, load_state);
    let reports = vec![TenantReport {
        tenant: String::new(),
        report,
    }];
    let decision = decide(&previous, &reports, &args.policy, client.clock().now());
    if let Some(n) = &decision.notice {
        let _ = writeln!(stderr, "health: {n}");
    }
    if !decision.send {
        let _ = writeln!(
            stderr,
            "health: no change since the last notification: nothing sent"
        );
        return true;
    }
    let note = Notification::from_decision(&reports, &decision);
    let mut delivered = true;
    for o in deliver(&channels, &note, Some(&client), &DeliveryOptions::default()).await {
        match o.result {
            Ok(()) => {
                let _ = writeln!(stderr, "health: notified {}", o.channel);
            }
            Err(e) => {
                delivered = false;
                let _ = writeln!(stderr, "health: not notified: {e}");
            }
        }
    }
    if !delivered {
        let _ = writeln!(
            stderr,
            "health: the state is kept as it was, so the next run sends this alert again"
        );
        return false;
    }
    if let Some(path) = &args.state {
        if let Err(e) = save_state(path, &decision.next) {
            let _ = writeln!(
                stderr,
                "health: cannot save the notification state to {}: {e}",
                path.display()
            );
            return false;
        }
    }
    true
}
