//! `notify`: the notifiers of the health report (`docs/alerts.md`), the core's
//! `notify_on_change` over a change-state file. The channels and the signing secret are
//! arguments, not fields of a record, so that no `toString()` / `description` shows them.

use std::path::PathBuf;
use std::sync::Arc;

use intune_apple_core::workflows::notify::state::NotifyPolicy;
use intune_apple_core::workflows::notify::{
    self as alerts, notify_on_change, Channel, DeliveryOptions,
};
use intune_apple_core::Secret;

use crate::client::Client;
use crate::error::IntuneAppleError;
use crate::report::{core_reports, TenantReport};
use crate::runtime::run;

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// When and how `notify` notifies; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct NotifyOptions {
    /// The change-state file kept between runs (created when missing, rebuilt when damaged).
    /// Without it every run notifies every credential that needs attention.
    #[uniffi(default)]
    pub state_path: Option<String>,
    /// Send a digest on every run, changed or not.
    #[uniffi(default)]
    pub always: bool,
    /// Days before expiry whose crossing notifies (default 30, 14, 7, 3, 1; and expiry).
    #[uniffi(default)]
    pub thresholds_days: Option<Vec<u32>>,
    /// The mailbox e-mail is sent from (with `Mail.Send`; needs `client`).
    #[uniffi(default)]
    pub mail_from: Option<String>,
    /// Attempts per channel, the first included (1 to 10, default 4; 429 and 5xx are retried).
    #[uniffi(default)]
    pub max_attempts: Option<u32>,
    /// Time for one attempt, in seconds (1 to 600, default 20).
    #[uniffi(default)]
    pub timeout_seconds: Option<u32>,
}

/// How one channel's delivery went.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChannelOutcome {
    /// The channel as shown to people (`teams`, `webhook (signed)`, ...), never its URL.
    pub channel: String,
    /// Whether it received the notification.
    pub delivered: bool,
    /// Why not, in words (never the URL).
    pub error: Option<String>,
}

/// What `notify` did. Holds no URL and no secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NotifyRun {
    /// Whether a notification was due (something changed since the last one, or `always`).
    /// When false nothing was sent and the state is unchanged.
    pub due: bool,
    /// At least one channel received it.
    pub sent: bool,
    /// Every channel received it (also true when nothing was due).
    pub delivered: bool,
    /// Every channel delivered and the state, when asked for, saved: a scheduled job should
    /// fail otherwise.
    pub succeeded: bool,
    /// About the state file: it was damaged and was rebuilt from this run.
    pub notice: Option<String>,
    /// What changed, each as JSON text in the shape of the webhook event's `changes`
    /// (`tenant`, `credential`, `severity`, `what` with its `type`).
    pub changes: Vec<String>,
    /// One per channel, in their order (empty when nothing was due).
    pub outcomes: Vec<ChannelOutcome>,
    /// The new state was written (not when nothing was due, a channel failed, or writing
    /// failed).
    pub state_saved: bool,
    /// Why the state could not be written.
    pub state_error: Option<String>,
}

fn run_of(r: &alerts::NotifyRun) -> Result<NotifyRun> {
    let changes = r
        .changes
        .iter()
        .map(|c| {
            serde_json::to_string(c).map_err(|e| {
                IntuneAppleError::of("decode", format!("cannot convert a change: {e}"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(NotifyRun {
        due: r.due,
        sent: r.sent(),
        delivered: r.delivered(),
        succeeded: r.succeeded(),
        notice: r.notice.clone(),
        changes,
        outcomes: r
            .outcomes
            .iter()
            .map(|o| ChannelOutcome {
                channel: o.channel.clone(),
                delivered: o.result.is_ok(),
                error: o.result.as_ref().err().map(ToString::to_string),
            })
            .collect(),
        state_saved: r.state_saved,
        state_error: r.state_error.clone(),
    })
}

/// Sends the notifications the change-state calls for to `channels` (`teams=URL`,
/// `slack=URL`, `webhook=URL`, `email=ADDR[,ADDR]`: the URLs are secrets, keep them out of
/// code), signing webhooks with `webhookSecret` (`whsec_` + base64) when given, and keeps the
/// state: it is saved only once every channel delivered, so a failed delivery is sent again
/// next run. `reports`: one per tenant (a single tenant's report with an empty name); `client`
/// sends the e-mail channels. A failed channel is in `outcomes`, not an error; an unusable
/// channel or option fails with `InvalidInput` before anything is sent.
#[uniffi::export]
pub async fn notify(
    reports: Vec<TenantReport>,
    channels: Vec<String>,
    webhook_secret: Option<String>,
    options: NotifyOptions,
    client: Option<Arc<Client>>,
) -> Result<NotifyRun> {
    let webhook_secret = webhook_secret.map(Secret::new);
    let channels = channels
        .iter()
        .map(|spec| spec.parse::<Channel>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| IntuneAppleError::invalid_input(e.to_string()))?;
    let mut policy = NotifyPolicy {
        always: options.always,
        ..NotifyPolicy::default()
    };
    if let Some(days) = options.thresholds_days {
        policy.thresholds_days =
            NotifyPolicy::check_thresholds(days.into_iter().map(i64::from).collect())
                .map_err(IntuneAppleError::invalid_input)?;
    }
    let delivery = DeliveryOptions::with_limits(
        options.max_attempts.map(i64::from),
        options.timeout_seconds.map(i64::from),
    )
    .map_err(IntuneAppleError::invalid_input)?;
    let core_options = alerts::NotifyOptions {
        channels,
        state_path: options.state_path.map(PathBuf::from),
        policy,
        now: None,
        delivery,
        mail_from: options.mail_from,
        webhook_secret,
    };
    let reports = core_reports(&reports);
    let graph = client.map(|c| c.core());
    run(async move { run_of(&notify_on_change(&reports, &core_options, graph.as_ref()).await) })
        .await
}
