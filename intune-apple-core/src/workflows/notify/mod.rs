//! Notifiers: push the health report into the admin's own channel.
//!
//! - [`Channel::Teams`]: a Microsoft Teams Workflows webhook ("When a Teams webhook request is
//!   received" + "Post card in a chat or channel"): one Adaptive Card 1.4, answered with 202;
//! - [`Channel::Slack`]: a Slack incoming webhook (Block Kit, with the `text` fallback);
//! - [`Channel::Webhook`]: any HTTPS endpoint, the JSON report in a Standard Webhooks event,
//!   signed (HMAC-SHA256, `webhook-id` / `webhook-timestamp` / `webhook-signature`) when a
//!   secret is given;
//! - [`Channel::Email`]: Microsoft Graph `sendMail` from a mailbox the app may send as
//!   (`Mail.Send`), the HTML report as the body and the `.ics` attached.
//!
//! Every delivery has a timeout, bounded retries that honour `Retry-After` (429 and 5xx), and
//! a [`NotifyError`] that says what to do. Webhook URLs and signing secrets are [`Secret`]s:
//! they never appear in `Debug`, errors or logs. [`state`] decides *when* to notify;
//! [`notify_on_change`] is one scheduled run: load the state, decide, deliver, save the state
//! only once every channel delivered.
//!
//! ```no_run
//! use intune_apple_core::workflows::notify::{deliver, Channel, DeliveryOptions, Notification};
//! # async fn run(reports: Vec<intune_apple_core::workflows::report::TenantReport>) {
//! let channel: Channel = "teams=https://example.invalid/workflows/...".parse().unwrap();
//! let note = Notification::digest(&reports);
//! for outcome in deliver(&[channel], &note, None, &DeliveryOptions::default()).await {
//!     if let Err(e) = outcome.result { eprintln!("{}: {e}", outcome.channel); }
//! }
//! # }
//! ```

mod drift;
mod email;
mod http;
mod run;
mod slack;
pub mod state;
mod teams;
mod webhook;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use email::{email_message, ATTACHMENT_NAME};
pub use run::{notify_on_change, NotifyOptions, NotifyRun};
pub use slack::slack_payload;
pub use teams::teams_payload;
pub use webhook::{sign, webhook_event, webhook_id};

use crate::clock::{Clock, SystemClock};
use crate::graph::Client;
use crate::rules::health::Severity;
use crate::workflows::report::TenantReport;
use crate::Secret;
use state::Change;

/// Environment variables read by [`channels_from_env`], so that webhook URLs stay out of
/// process lists and shell history.
pub mod env {
    /// A Teams Workflows webhook URL.
    pub const TEAMS: &str = "INTUNE_APPLE_NOTIFY_TEAMS";
    /// A Slack incoming-webhook URL.
    pub const SLACK: &str = "INTUNE_APPLE_NOTIFY_SLACK";
    /// A generic webhook URL.
    pub const WEBHOOK: &str = "INTUNE_APPLE_NOTIFY_WEBHOOK";
    /// The Standard Webhooks signing secret (`whsec_...`) of the generic webhook.
    pub const WEBHOOK_SECRET: &str = "INTUNE_APPLE_WEBHOOK_SECRET";
    /// E-mail recipients, comma-separated.
    pub const EMAIL: &str = "INTUNE_APPLE_NOTIFY_EMAIL";
    /// The mailbox the e-mail is sent from (UPN or object id), with `Mail.Send`.
    pub const MAIL_FROM: &str = "INTUNE_APPLE_MAIL_FROM";
}

/// Where a notification goes.
#[derive(Clone, PartialEq, Eq)]
pub enum Channel {
    /// A Teams Workflows webhook URL.
    Teams(Secret),
    /// A Slack incoming-webhook URL.
    Slack(Secret),
    /// A generic webhook.
    Webhook {
        /// Its URL.
        url: Secret,
        /// The Standard Webhooks secret (`whsec_` + base64); `None`: unsigned.
        secret: Option<Secret>,
    },
    /// E-mail through Graph `sendMail`.
    Email {
        /// The recipients.
        to: Vec<String>,
        /// The sending mailbox (UPN or id); `None` until set with [`Channel::with_mail_from`]
        /// or [`env::MAIL_FROM`].
        from: Option<String>,
    },
}

impl Channel {
    /// The channel's kind: `teams`, `slack`, `webhook` or `email`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Teams(_) => "teams",
            Self::Slack(_) => "slack",
            Self::Webhook { .. } => "webhook",
            Self::Email { .. } => "email",
        }
    }

    /// Sets the signing secret of a webhook channel (other channels are unchanged).
    #[must_use]
    pub fn with_webhook_secret(self, secret: Option<Secret>) -> Self {
        match self {
            Self::Webhook { url, secret: old } => Self::Webhook {
                url,
                secret: secret.or(old),
            },
            other => other,
        }
    }

    /// Sets the sending mailbox of an e-mail channel (other channels are unchanged).
    #[must_use]
    pub fn with_mail_from(self, from: Option<String>) -> Self {
        match self {
            Self::Email { to, from: old } => Self::Email {
                to,
                from: old.or(from),
            },
            other => other,
        }
    }
}

/// Never shows a URL or a secret.
impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `teams`, `slack`, `webhook (signed)`, `email to a@b, c@d`: never a URL.
impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Webhook {
                secret: Some(_), ..
            } => f.write_str("webhook (signed)"),
            Self::Email { to, .. } => write!(f, "email to {}", to.join(", ")),
            other => f.write_str(other.kind()),
        }
    }
}

/// A `--notify` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadChannel(String);

fn check_url(kind: &str, url: &str) -> Result<Secret, BadChannel> {
    let parsed = url::Url::parse(url).map_err(|_| {
        BadChannel(format!(
            "the {kind} URL is not a valid URL (it is not shown here: it is a secret)"
        ))
    })?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(BadChannel(format!(
            "the {kind} URL must use https (http is accepted only on loopback)"
        )));
    }
    Ok(Secret::new(url))
}

/// Parses `teams=URL`, `slack=URL`, `webhook=URL` or `email=ADDR[,ADDR...]`.
impl FromStr for Channel {
    type Err = BadChannel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, value) = s.split_once('=').ok_or_else(|| {
            BadChannel(
                "a notification channel is teams=URL, slack=URL, webhook=URL or email=ADDRESS"
                    .to_owned(),
            )
        })?;
        let value = value.trim();
        match kind.trim().to_ascii_lowercase().as_str() {
            "teams" => Ok(Self::Teams(check_url("Teams", value)?)),
            "slack" => Ok(Self::Slack(check_url("Slack", value)?)),
            "webhook" => Ok(Self::Webhook {
                url: check_url("webhook", value)?,
                secret: None,
            }),
            "email" | "mail" => {
                let to: Vec<String> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect();
                if to.is_empty() || to.iter().any(|a| !valid_address(a)) {
                    return Err(BadChannel(format!(
                        "email= needs one or more addresses separated by commas, not '{value}'"
                    )));
                }
                Ok(Self::Email { to, from: None })
            }
            other => Err(BadChannel(format!(
                "unknown notification channel '{other}': use teams, slack, webhook or email"
            ))),
        }
    }
}

fn valid_address(a: &str) -> bool {
    a.split_once('@').is_some_and(|(l, d)| {
        !l.is_empty() && d.contains('.') && !a.chars().any(|c| c.is_whitespace() || c == '<')
    })
}

/// The channels named in the environment ([`mod@env`]): one per variable that is set, with the
/// webhook's secret and the sending mailbox.
///
/// # Errors
/// A variable holds something that is not a URL / address.
pub fn channels_from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Channel>, BadChannel> {
    let get = |n: &str| var(n).filter(|v| !v.trim().is_empty());
    let mut out = Vec::new();
    for (name, kind) in [
        (env::TEAMS, "teams"),
        (env::SLACK, "slack"),
        (env::WEBHOOK, "webhook"),
        (env::EMAIL, "email"),
    ] {
        if let Some(v) = get(name) {
            let c: Channel = format!("{kind}={v}")
                .parse()
                .map_err(|e: BadChannel| BadChannel(format!("{name}: {e}")))?;
            out.push(c);
        }
    }
    Ok(finish_channels(out, var))
}

/// Gives webhook channels the secret of [`env::WEBHOOK_SECRET`] and e-mail channels the
/// sender of [`env::MAIL_FROM`], when set.
#[must_use]
pub fn finish_channels(
    channels: Vec<Channel>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Vec<Channel> {
    let get = |n: &str| var(n).filter(|v| !v.trim().is_empty());
    let secret = get(env::WEBHOOK_SECRET);
    let from = get(env::MAIL_FROM);
    channels
        .into_iter()
        .map(|c| {
            c.with_webhook_secret(secret.clone().map(Secret::new))
                .with_mail_from(from.clone())
        })
        .collect()
}

/// What a notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Something changed (see [`Notification::changes`]).
    Changed,
    /// The digest of every run ([`state::NotifyPolicy::always`]).
    Digest,
}

/// One notification: the reports of this run and why it is sent.
#[derive(Debug, Clone)]
pub struct Notification<'a> {
    /// The reports (a single-tenant report has an empty tenant name).
    pub reports: &'a [TenantReport],
    /// The changes since the last notification.
    pub changes: Vec<Change>,
    /// Why it is sent.
    pub reason: Reason,
}

impl<'a> Notification<'a> {
    /// A digest of the reports, with no change list.
    #[must_use]
    pub fn digest(reports: &'a [TenantReport]) -> Self {
        Self {
            reports,
            changes: Vec::new(),
            reason: Reason::Digest,
        }
    }

    /// The notification of a [`state::Decision`].
    #[must_use]
    pub fn from_decision(reports: &'a [TenantReport], decision: &state::Decision) -> Self {
        Self {
            reports,
            changes: decision.changes.clone(),
            reason: if decision.changes.is_empty() {
                Reason::Digest
            } else {
                Reason::Changed
            },
        }
    }

    /// The worst severity across the reports (`unknown` at least when a section could not be
    /// read).
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.reports
            .iter()
            .map(|r| r.report.overall())
            .fold(Severity::Ok, Severity::max)
    }

    /// Whether some section of some tenant could not be read.
    #[must_use]
    pub fn could_not_check(&self) -> bool {
        self.reports.iter().any(|r| !r.report.errors.is_empty())
    }

    /// One line: `Apple credentials (contoso): 1 expired, 2 warning` or `... could not check`.
    #[must_use]
    pub fn title(&self) -> String {
        let tenants: Vec<&str> = self
            .reports
            .iter()
            .map(|r| r.tenant.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        let scope = match tenants.len() {
            0 => String::new(),
            1 => format!(" ({})", tenants[0]),
            n => format!(" ({n} tenants)"),
        };
        let mut counts = Vec::new();
        for s in [
            Severity::Expired,
            Severity::Critical,
            Severity::Warning,
            Severity::Unknown,
        ] {
            let n = self
                .reports
                .iter()
                .flat_map(|r| &r.report.items)
                .filter(|i| i.severity == s)
                .count();
            if n > 0 {
                counts.push(format!("{n} {}", s.code()));
            }
        }
        if self.could_not_check() {
            counts.push("could not check everything".to_owned());
        }
        if counts.is_empty() {
            counts.push("all ok".to_owned());
        }
        format!("Apple credentials{scope}: {}", counts.join(", "))
    }

    /// The items needing attention, with their tenant, worst first.
    pub(crate) fn attention(&self) -> Vec<(&str, &crate::workflows::report::ReportItem)> {
        let mut v: Vec<_> = self
            .reports
            .iter()
            .flat_map(|r| r.report.items.iter().map(move |i| (r.tenant.as_str(), i)))
            .filter(|(_, i)| i.severity > Severity::Ok)
            .collect();
        v.sort_by_key(|(_, i)| {
            (
                std::cmp::Reverse(i.severity),
                i.days_left.unwrap_or(i64::MAX),
            )
        });
        v
    }
}

/// Timeouts and retries of a delivery.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// Time for one attempt, connection included (default 20 s).
    pub timeout: Duration,
    /// Attempts in all, the first included (default 4).
    pub max_attempts: u32,
    /// First backoff when the server gives no `Retry-After` (default 2 s, doubled each time).
    pub base_delay: Duration,
    /// Longest wait between attempts; a longer `Retry-After` ends the retries with an error
    /// saying when to try again (default 120 s).
    pub max_delay: Duration,
    /// The clock that waits between attempts (tests pass a manual clock).
    pub clock: Arc<dyn Clock>,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(120),
            clock: Arc::new(SystemClock),
        }
    }
}

impl DeliveryOptions {
    /// The most attempts [`DeliveryOptions::with_limits`] accepts.
    pub const MAX_ATTEMPTS: i64 = 10;
    /// The longest timeout of one attempt [`DeliveryOptions::with_limits`] accepts, in seconds.
    pub const MAX_TIMEOUT_SECONDS: i64 = 600;

    /// The default options with the attempts (1 to [`Self::MAX_ATTEMPTS`]) and the timeout
    /// of one attempt (1 to [`Self::MAX_TIMEOUT_SECONDS`] seconds) given, as a binding's
    /// `max_attempts` / `timeout_seconds` ask.
    ///
    /// # Errors
    /// A value outside its range.
    pub fn with_limits(
        max_attempts: Option<i64>,
        timeout_seconds: Option<i64>,
    ) -> Result<Self, String> {
        let mut o = Self::default();
        if let Some(n) = max_attempts {
            o.max_attempts = u32::try_from(n)
                .ok()
                .filter(|n| (1..=Self::MAX_ATTEMPTS).contains(&i64::from(*n)))
                .ok_or_else(|| {
                    format!(
                        "attempts per channel must be from 1 to {}, not {n}",
                        Self::MAX_ATTEMPTS
                    )
                })?;
        }
        if let Some(s) = timeout_seconds {
            o.timeout = u64::try_from(s)
                .ok()
                .filter(|s| (1..=Self::MAX_TIMEOUT_SECONDS.unsigned_abs()).contains(s))
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    format!(
                        "the timeout of one attempt must be from 1 to {} seconds, not {s}",
                        Self::MAX_TIMEOUT_SECONDS
                    )
                })?;
        }
        Ok(o)
    }
}

/// Why a notification was not delivered. The message never contains the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// The endpoint could not be reached (refused, DNS, TLS).
    #[error("{channel}: the endpoint could not be reached ({detail}); check the URL and the network (proxy, firewall)")]
    Unreachable {
        /// The channel.
        channel: String,
        /// What failed, without the URL.
        detail: String,
    },
    /// No answer within the timeout: the message may or may not have been posted.
    #[error("{channel}: no answer within {seconds} s; the message may have been posted, check the channel before sending again")]
    Timeout {
        /// The channel.
        channel: String,
        /// The timeout.
        seconds: u64,
    },
    /// Rejected (4xx other than 429, or 5xx after every retry).
    #[error("{channel}: the endpoint answered {status}{}; {hint}", if body.is_empty() { String::new() } else { format!(" ({body})") })]
    Rejected {
        /// The channel.
        channel: String,
        /// HTTP status.
        status: u16,
        /// The start of the answer's body.
        body: String,
        /// What to do.
        hint: String,
    },
    /// Still throttled or failing after every attempt.
    #[error("{channel}: still {status} after {attempts} attempt(s); try again later{}", retry_after.map(|s| format!(" (the endpoint asks for {s} s)")).unwrap_or_default())]
    GaveUp {
        /// The channel.
        channel: String,
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// The last `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// The channel is not set up (e.g. e-mail without a sending mailbox or a Graph client).
    #[error("{channel}: {message}")]
    Configuration {
        /// The channel.
        channel: String,
        /// What is missing.
        message: String,
    },
    /// Graph refused `sendMail`.
    #[error("{channel}: {message}")]
    Graph {
        /// The channel.
        channel: String,
        /// The Graph error, with what to do.
        message: String,
    },
}

/// The result of one channel.
#[derive(Debug)]
pub struct Outcome {
    /// The channel, as shown to people (never its URL).
    pub channel: String,
    /// Delivered, or why not.
    pub result: Result<(), NotifyError>,
}

pub use drift::drift_message;

/// One message in the form of every channel: what [`deliver_message`] sends. A health
/// [`Notification`] makes one ([`Notification::message`]); so does a profile drift report
/// (`ProfileDriftReport::message`).
#[derive(Debug, Clone)]
pub struct Message {
    /// The body POSTed to a Teams Workflows webhook.
    pub teams: serde_json::Value,
    /// The body POSTed to a Slack incoming webhook.
    pub slack: serde_json::Value,
    /// The generic webhook event (`type`, `timestamp`, `data`), signed when a secret is given.
    pub webhook: serde_json::Value,
    /// The e-mail, without recipients (each e-mail channel gives its own).
    pub mail: crate::graph::OutgoingMail,
}

impl Notification<'_> {
    /// This notification in every channel's form.
    #[must_use]
    pub fn message(&self) -> Message {
        Message {
            teams: teams::teams_payload(self),
            slack: slack::slack_payload(self),
            webhook: webhook::webhook_event(self),
            mail: email::email_message(self, &[]),
        }
    }
}

/// Delivers `note` to every channel, one after the other, and returns one outcome per
/// channel in their order. `graph` is needed for e-mail.
pub async fn deliver(
    channels: &[Channel],
    note: &Notification<'_>,
    graph: Option<&Client>,
    options: &DeliveryOptions,
) -> Vec<Outcome> {
    deliver_message(channels, &note.message(), graph, options).await
}

/// Delivers `message` to every channel, one after the other (timeouts, bounded retries
/// honouring `Retry-After`), and returns one outcome per channel in their order. `graph` is
/// needed for e-mail.
pub async fn deliver_message(
    channels: &[Channel],
    message: &Message,
    graph: Option<&Client>,
    options: &DeliveryOptions,
) -> Vec<Outcome> {
    let http = http::client(options);
    let mut out = Vec::new();
    for c in channels {
        let result = match (&http, c) {
            (_, Channel::Email { to, from }) => {
                email::send(graph, to, from.as_deref(), &message.mail, &c.to_string()).await
            }
            (Err(e), _) => Err(NotifyError::Configuration {
                channel: c.to_string(),
                message: e.clone(),
            }),
            (Ok(h), Channel::Teams(url)) => {
                let body = serde_json::to_vec(&message.teams).unwrap_or_default();
                http::post(h, "teams", url, &body, &|_| Vec::new(), false, options).await
            }
            (Ok(h), Channel::Slack(url)) => {
                let body = serde_json::to_vec(&message.slack).unwrap_or_default();
                http::post(h, "slack", url, &body, &|_| Vec::new(), false, options).await
            }
            (Ok(h), Channel::Webhook { url, secret }) => {
                webhook::send(h, url, secret.as_ref(), &message.webhook, options).await
            }
        };
        out.push(Outcome {
            channel: c.to_string(),
            result,
        });
    }
    out
}
