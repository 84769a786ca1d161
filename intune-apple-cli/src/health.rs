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
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use intune_apple_core::graph::{env, Client};
use intune_apple_core::rules::health::ThresholdPreset;
use intune_apple_core::rules::Locale;
use intune_apple_core::workflows::notify::state::NotifyPolicy;
use intune_apple_core::workflows::notify::{
    channels_from_env, finish_channels, notify_on_change, Channel, DeliveryOptions, NotifyOptions,
};
use intune_apple_core::workflows::report::{
    health_report, write_textfile, Format, ReportOptions, TenantReport,
};
use intune_apple_sim::{Seed, Simulator};

use crate::EXIT_USAGE;

/// What `health --help` says after the options.
pub const AFTER_HELP: &str = "\
Notifications are sent when something changed since the run kept in --state (a credential
crossing 30, 14, 7, 3 or 1 days before expiry, or expiry; a new problem; a recovery; a run
that could not check). Channels are better given in the environment, out of process lists:
INTUNE_APPLE_NOTIFY_TEAMS, _SLACK, _WEBHOOK, _EMAIL; INTUNE_APPLE_WEBHOOK_SECRET signs
webhooks; INTUNE_APPLE_MAIL_FROM is the mailbox e-mail is sent from (Mail.Send).

Credentials (from the environment; without any, the simulated demo tenant is used):
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
  (PEM or .pfx, with AZURE_CLIENT_CERTIFICATE_PASSWORD when it has one),
  or INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN, or the identity of the host
  (managed identity, workload identity, GitHub Actions OIDC, AZURE_TOKEN_CREDENTIALS).

Exit codes: 0 all ok; 1 warning, critical or unknown; 2 expired, a call failed or a
notification was not delivered; 64 bad arguments. --format nagios: 0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN.";

/// The arguments of `health`.
#[derive(Debug, Clone, clap::Args)]
pub struct HealthArgs {
    /// table (default), markdown (or md), json, ics, prometheus, openmetrics, nagios, checkmk
    /// or html
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = parse_format)]
    pub format: Format,
    /// Write the report to FILE atomically (e.g. a .prom file of node_exporter's textfile
    /// collector) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// default (warning 30 days, critical 7) or intune (the admin center's connector status:
    /// warning 7 days or 1 day without sync, critical 3 days without sync);
    /// --warning-days/--critical-days adjust it
    #[arg(long, value_name = "PRESET", value_parser = parse_preset)]
    pub preset: Option<ThresholdPreset>,
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
    /// A channel to notify on change: teams=URL, slack=URL, webhook=URL or
    /// email=ADDR[,ADDR]; repeatable (better from INTUNE_APPLE_NOTIFY_* variables)
    // The text is the option's help, not a doc link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long = "notify", value_name = "CHANNEL", value_parser = parse_channel)]
    pub notify: Vec<Channel>,
    /// The change-state kept between runs (created when missing, rebuilt when damaged)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Send a digest on every run, changed or not
    #[arg(long)]
    pub notify_always: bool,
    /// Days before expiry that notify (default 30,14,7,3,1; and expiry itself)
    #[arg(long, value_name = "DAYS", value_parser = parse_thresholds)]
    pub notify_thresholds: Option<DayList>,
    /// The mailbox e-mail is sent from (or INTUNE_APPLE_MAIL_FROM), with Mail.Send
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,
}

fn parse_preset(text: &str) -> Result<ThresholdPreset, String> {
    text.parse()
}

pub(crate) fn parse_channel(text: &str) -> Result<Channel, String> {
    text.parse::<Channel>().map_err(|e| e.to_string())
}

/// The days of `--notify-thresholds`, parsed by the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayList(pub Vec<i64>);

fn parse_thresholds(text: &str) -> Result<DayList, String> {
    NotifyPolicy::parse_thresholds(text).map(DayList)
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
            thresholds: self.preset.unwrap_or(ThresholdPreset::Default).thresholds(),
            include_apps: !self.no_apps,
            as_of: self.as_of,
            locale: self.locale.unwrap_or_default(),
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
        let _ = if args.format.is_machine_readable() || args.output.is_some() {
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
    let reports = vec![TenantReport {
        tenant: String::new(),
        report,
    }];
    if !notify_reports(args, var, Some(client), reports, "health", stderr).await {
        code = code.max(2);
    }
    code
}

impl HealthArgs {
    /// When to notify, from `--notify-always` and `--notify-thresholds`.
    #[must_use]
    pub fn policy(&self) -> NotifyPolicy {
        let mut policy = NotifyPolicy {
            always: self.notify_always,
            ..NotifyPolicy::default()
        };
        if let Some(DayList(days)) = &self.notify_thresholds {
            policy.thresholds_days.clone_from(days);
        }
        policy
    }
}

/// The channels to notify: those of the command line, then those of the environment
/// (`INTUNE_APPLE_NOTIFY_*`), with the webhook secret and the sending mailbox applied.
///
/// # Errors
/// A channel variable that does not parse.
pub(crate) fn channels_of(
    given: &[Channel],
    mail_from: Option<&String>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Channel>, intune_apple_core::workflows::notify::BadChannel> {
    let mut channels = given.to_vec();
    channels.extend(channels_from_env(var)?);
    Ok(finish_channels(channels, var)
        .into_iter()
        .map(|c| c.with_mail_from(mail_from.cloned()))
        .collect())
}

/// Sends the notifications the change-state calls for (the core's [`notify_on_change`], for
/// the reports of one tenant or of a scan) and says what happened on `stderr`, each line
/// prefixed by `command`; `false` when one was not delivered or the state could not be saved
/// (the state is then left as it was, so that the next run sends the alert again rather than
/// losing it). `client` sends e-mail (Graph `sendMail`).
pub(crate) async fn notify_reports(
    args: &HealthArgs,
    var: &dyn Fn(&str) -> Option<String>,
    client: Option<Client>,
    reports: Vec<TenantReport>,
    command: &str,
    stderr: &mut dyn Write,
) -> bool {
    let channels = match channels_of(&args.notify, args.mail_from.as_ref(), var) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(stderr, "{command}: {e}");
            return false;
        }
    };
    if channels.is_empty() && args.state.is_none() {
        return true;
    }
    let options = NotifyOptions {
        channels,
        state_path: args.state.clone(),
        policy: args.policy(),
        now: client.as_ref().map(|c| c.clock().now()),
        delivery: DeliveryOptions::default(),
        mail_from: args.mail_from.clone(),
        webhook_secret: None,
    };
    let run = notify_on_change(&reports, &options, client.as_ref()).await;
    if let Some(n) = &run.notice {
        let _ = writeln!(stderr, "{command}: {n}");
    }
    if !run.due {
        let _ = writeln!(
            stderr,
            "{command}: no change since the last notification: nothing sent"
        );
        return true;
    }
    for o in &run.outcomes {
        let _ = match &o.result {
            Ok(()) => writeln!(stderr, "{command}: notified {}", o.channel),
            Err(e) => writeln!(stderr, "{command}: not notified: {e}"),
        };
    }
    if !run.delivered() {
        let _ = writeln!(
            stderr,
            "{command}: the state is kept as it was, so the next run sends this alert again"
        );
    }
    if let Some(e) = &run.state_error {
        let _ = writeln!(stderr, "{command}: {e}");
    }
    run.succeeded()
}
