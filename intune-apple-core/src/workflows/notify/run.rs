//! One scheduled run of the notifiers: load the change-state, decide, deliver, save.
//!
//! This is what `intune-apple health --state FILE --notify ...` does, and what the Python and
//! Node `notify` functions call: the rule that the state is kept unchanged when a delivery
//! failed (so that the next run sends the alert again) lives here, once.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::state::{decide, load_state, save_state, Change, NotifyPolicy, StateLoad};
use super::{deliver, Channel, DeliveryOptions, Notification, Outcome};
use crate::graph::Client;
use crate::workflows::report::TenantReport;
use crate::Secret;

/// What [`notify_on_change`] needs: where to send, where the change-state lives, and when to
/// notify.
#[derive(Debug, Clone, Default)]
pub struct NotifyOptions {
    /// The channels, in the order they are delivered to (e.g. parsed from `teams=URL`).
    pub channels: Vec<Channel>,
    /// The change-state file kept between runs. `None`: no state, so every run notifies every
    /// credential that needs attention.
    pub state_path: Option<PathBuf>,
    /// When to notify (thresholds, a digest on every run).
    pub policy: NotifyPolicy,
    /// The instant written into the new state. `None`: the time of `delivery.clock`.
    pub now: Option<DateTime<Utc>>,
    /// Timeouts and retries of each delivery.
    pub delivery: DeliveryOptions,
    /// The sending mailbox of e-mail channels that have none
    /// ([`Channel::with_mail_from`]).
    pub mail_from: Option<String>,
    /// The Standard Webhooks signing secret (`whsec_` + base64) of webhook channels that have
    /// none ([`Channel::with_webhook_secret`]).
    pub webhook_secret: Option<Secret>,
}

/// What [`notify_on_change`] did. Holds no URL and no secret.
#[derive(Debug, Default)]
pub struct NotifyRun {
    /// Whether a notification was due: something changed since the last notification, or
    /// [`NotifyPolicy::always`]. When `false` nothing was sent and the state is unchanged.
    pub due: bool,
    /// What changed (empty for a digest of an unchanged state, or when nothing was due).
    pub changes: Vec<Change>,
    /// Something the operator should know about the state file: it was damaged (truncated,
    /// hand-edited, of another version) and was rebuilt from this run.
    pub notice: Option<String>,
    /// One outcome per channel, in the order of [`NotifyOptions::channels`], each naming its
    /// channel as shown to people (never its URL); empty when nothing was due.
    pub outcomes: Vec<Outcome>,
    /// Whether the new state was written to [`NotifyOptions::state_path`]. It is not when no
    /// path was given, when nothing was due (it is unchanged), when a channel failed (kept as it
    /// was, so that the next run sends the alert again) or when writing failed
    /// ([`NotifyRun::state_error`]).
    pub state_saved: bool,
    /// Why the state could not be written.
    pub state_error: Option<String>,
}

impl NotifyRun {
    /// Whether at least one channel received the notification.
    #[must_use]
    pub fn sent(&self) -> bool {
        self.outcomes.iter().any(|o| o.result.is_ok())
    }

    /// Whether every channel received it (also `true` when nothing was due).
    #[must_use]
    pub fn delivered(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.is_ok())
    }

    /// Whether the run did all it should: every channel delivered and the state, when asked
    /// for, saved. A scheduled job that gets `false` should end with a failing exit code.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.delivered() && self.state_error.is_none()
    }
}

/// One channel's outcome as the bindings hand it out.
#[derive(Serialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
struct NotifyOutcomeJson<'a> {
    /// The channel, as shown to people (never its URL).
    channel: &'a str,
    /// Whether it received the notification.
    delivered: bool,
    /// Why not, in words.
    error: Option<String>,
}

/// [`NotifyRun`] as the bindings hand it out.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
struct NotifyRunJson<'a> {
    /// [`NotifyRun::due`].
    due: bool,
    /// [`NotifyRun::sent`].
    sent: bool,
    /// [`NotifyRun::delivered`].
    delivered: bool,
    /// [`NotifyRun::succeeded`].
    succeeded: bool,
    /// [`NotifyRun::notice`].
    notice: Option<&'a str>,
    /// [`NotifyRun::changes`].
    changes: &'a [Change],
    /// [`NotifyRun::outcomes`].
    outcomes: Vec<NotifyOutcomeJson<'a>>,
    /// [`NotifyRun::state_saved`].
    state_saved: bool,
    /// [`NotifyRun::state_error`].
    state_error: Option<&'a str>,
}

/// The shape the bindings hand out: `{due, sent, delivered, succeeded, notice, changes,
/// outcomes: [{channel, delivered, error}], stateSaved, stateError}`, `changes` as in the
/// webhook event, `error` the readable message of a failed channel (never its URL).
impl Serialize for NotifyRun {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        NotifyRunJson {
            due: self.due,
            sent: self.sent(),
            delivered: self.delivered(),
            succeeded: self.succeeded(),
            notice: self.notice.as_deref(),
            changes: &self.changes,
            outcomes: self
                .outcomes
                .iter()
                .map(|o| NotifyOutcomeJson {
                    channel: &o.channel,
                    delivered: o.result.is_ok(),
                    error: o.result.as_ref().err().map(ToString::to_string),
                })
                .collect(),
            state_saved: self.state_saved,
            state_error: self.state_error.as_deref(),
        }
        .serialize(serializer)
    }
}

/// Described as the shape it serialises to.
#[cfg(feature = "describe")]
impl crate::describe::Describe for NotifyRun {
    fn shape(reg: &mut crate::describe::Registry) -> crate::describe::Shape {
        NotifyRunJson::shape(reg)
    }
}

/// Sends the notifications the change-state calls for, and keeps the state.
///
/// Loads the state from [`NotifyOptions::state_path`] (a missing file is a first run; a damaged
/// one is reported in [`NotifyRun::notice`] and rebuilt), [`decide`]s with `reports` (a
/// single-tenant report has an empty tenant name), delivers to every channel when something
/// is due, and saves the new state only once every channel delivered: when one failed the
/// state is left as it was, so the next run sends the alert again rather than losing it (a
/// channel that did receive it may see it twice; the webhook's `webhook-id` lets a receiver
/// drop the repeat). `graph` is needed for e-mail channels.
///
/// Never fails as a whole and never panics: each problem is in the returned [`NotifyRun`].
///
/// ```no_run
/// use intune_apple_core::workflows::notify::{notify_on_change, NotifyOptions};
/// # async fn run(reports: Vec<intune_apple_core::workflows::report::TenantReport>) {
/// let options = NotifyOptions {
///     channels: vec!["slack=https://hooks.slack.com/services/...".parse().unwrap()],
///     state_path: Some("/var/lib/intune-apple/state.json".into()),
///     ..NotifyOptions::default()
/// };
/// let run = notify_on_change(&reports, &options, None).await;
/// for o in &run.outcomes {
///     if let Err(e) = &o.result { eprintln!("not notified: {e}"); }
/// }
/// # }
/// ```
pub async fn notify_on_change(
    reports: &[TenantReport],
    options: &NotifyOptions,
    graph: Option<&Client>,
) -> NotifyRun {
    let channels: Vec<Channel> = options
        .channels
        .iter()
        .cloned()
        .map(|c| {
            c.with_webhook_secret(options.webhook_secret.clone())
                .with_mail_from(options.mail_from.clone())
        })
        .collect();
    let previous = options
        .state_path
        .as_deref()
        .map_or(StateLoad::Missing, load_state);
    let now = options.now.unwrap_or_else(|| options.delivery.clock.now());
    let decision = decide(&previous, reports, &options.policy, now);
    let mut run = NotifyRun {
        due: decision.send,
        notice: decision.notice.clone(),
        ..NotifyRun::default()
    };
    if !decision.send {
        return run;
    }
    let note = Notification::from_decision(reports, &decision);
    run.outcomes = deliver(&channels, &note, graph, &options.delivery).await;
    run.changes = decision.changes.clone();
    if !run.delivered() {
        return run;
    }
    if let Some(path) = &options.state_path {
        match save_state(path, &decision.next) {
            Ok(()) => run.state_saved = true,
            Err(e) => {
                run.state_error = Some(format!(
                    "cannot save the notification state to {}: {e}",
                    path.display()
                ));
            }
        }
    }
    run
}
