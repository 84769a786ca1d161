//! When to notify: the change-state kept between runs, and the pure decision.
//!
//! A scheduled job runs [`decide`] with the state it saved last time ([`load_state`]) and the
//! reports of this run. It notifies when something changed since the last notification:
//!
//! - a credential crossed a threshold (by default 30, 14, 7, 3 and 1 days before expiry, and
//!   the expiry itself; [`NotifyPolicy::thresholds_days`]);
//! - a new problem appeared, or a credential got worse;
//! - a credential recovered (renewed, or its problems went away);
//! - a section could not be read ("could not check", sent once, not on every failing run),
//!   or could be read again.
//!
//! Otherwise it stays silent, unless [`NotifyPolicy::always`] asks for a digest every run.
//! A state file that is missing or damaged is reported ([`StateLoad::Damaged`]) and treated as
//! empty: every credential that is not `ok` then notifies, so no alert is ever lost (at worst
//! one is repeated). Save the new state ([`save_state`]) only once every channel delivered.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::health::{Severity, TokenKind};
use crate::workflows::report::{kind_name, section, ReportItem, TenantReport};

/// The version of the state file's shape.
pub const STATE_VERSION: u32 = 1;

/// What decides a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPolicy {
    /// Days before expiry whose crossing notifies (the expiry itself always does). Default
    /// 30, 14, 7, 3, 1.
    pub thresholds_days: Vec<i64>,
    /// Send a digest on every run, changed or not.
    pub always: bool,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        Self {
            thresholds_days: vec![30, 14, 7, 3, 1],
            always: false,
        }
    }
}

impl NotifyPolicy {
    /// Parses a comma-separated list of days, e.g. `60,30,7,1`.
    ///
    /// # Errors
    /// A value that is not a whole number of days from 1 to 3650.
    pub fn parse_thresholds(text: &str) -> Result<Vec<i64>, String> {
        let mut days = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let d = part
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    format!("thresholds must be whole numbers of days from 1 to 3650, separated by commas, not '{part}'")
                })?;
            days.push(d);
        }
        Self::check_thresholds(days)
    }

    /// Checks a list of days given as numbers (the bindings' `thresholds_days`): each from 1
    /// to 3650, at least one; returns them largest first, without repeats.
    ///
    /// # Errors
    /// An empty list, or a value outside 1 to 3650.
    pub fn check_thresholds(mut days: Vec<i64>) -> Result<Vec<i64>, String> {
        if let Some(d) = days.iter().find(|d| !(1..=3650).contains(*d)) {
            return Err(format!(
                "thresholds must be whole numbers of days from 1 to 3650, not {d}"
            ));
        }
        if days.is_empty() {
            return Err("give at least one threshold in days, e.g. 30,14,7,3,1".to_owned());
        }
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        Ok(days)
    }

    /// The threshold bucket of `days_left`: the smallest threshold it is at or under (`0` once
    /// expired), `None` above every threshold or without an expiry.
    #[must_use]
    pub fn bucket(&self, item: &ReportItem, as_of: DateTime<Utc>) -> Option<i64> {
        let expires = item.expires_at?;
        if expires <= as_of {
            return Some(0);
        }
        let d = item.days_left?;
        self.thresholds_days
            .iter()
            .copied()
            .filter(|t| *t > 0 && d <= *t)
            .min()
    }
}

/// What the last notification knew about one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialState {
    /// `pushCertificate`, `enrollmentProgramToken` or `vppToken`.
    pub kind: String,
    /// Its name, for a message about it once it is gone.
    #[serde(default)]
    pub name: Option<String>,
    /// `ok`, `unknown`, `warning`, `critical` or `expired`.
    pub severity: String,
    /// The threshold bucket (days) last notified, `0` once expired.
    #[serde(default)]
    pub bucket: Option<i64>,
    /// The expiry last seen (a later one means it was renewed).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// The problem codes last seen.
    #[serde(default)]
    pub problems: BTreeSet<String>,
}

/// The state file: what was last notified, per credential and per unreadable section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyState {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// When it was written.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Per `tenant/kind/id` (tenant empty for a single-tenant report).
    #[serde(default)]
    pub credentials: BTreeMap<String, CredentialState>,
    /// Per tenant, the sections that could not be read at the last notification.
    #[serde(default)]
    pub unreadable: BTreeMap<String, BTreeSet<String>>,
}

/// The state as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateLoad {
    /// Read.
    Loaded(NotifyState),
    /// No state file yet (a first run): every credential that is not `ok` notifies.
    Missing,
    /// The file exists but could not be used; why. It is rebuilt from this run, and every
    /// credential that is not `ok` notifies.
    Damaged(String),
}

/// Reads the state file. Never fails: a missing file is [`StateLoad::Missing`], an unreadable
/// or damaged one [`StateLoad::Damaged`] with the reason.
#[must_use]
pub fn load_state(path: &Path) -> StateLoad {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return StateLoad::Missing,
        Err(e) => {
            return StateLoad::Damaged(format!("cannot read {}: {e}", path.display()));
        }
    };
    parse_state(&text).map_or_else(
        |why| StateLoad::Damaged(format!("{}: {why}", path.display())),
        StateLoad::Loaded,
    )
}

/// Parses the text of a state file.
///
/// # Errors
/// Not the JSON of a [`NotifyState`], or of another version.
pub fn parse_state(text: &str) -> Result<NotifyState, String> {
    let state: NotifyState =
        serde_json::from_str(text).map_err(|e| format!("not a notification state file ({e})"))?;
    if state.version != STATE_VERSION {
        return Err(format!(
            "state file version {} is not {STATE_VERSION}",
            state.version
        ));
    }
    Ok(state)
}

/// Writes the state file atomically (a temporary file in the same directory, then a rename).
///
/// # Errors
/// The directory is missing or not writable.
pub fn save_state(path: &Path, state: &NotifyState) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(state).map_err(std::io::Error::other)?;
    text.push('\n');
    crate::workflows::report::write_textfile(path, &text)
}

/// A credential named in a [`Change`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct CredentialRef {
    /// `pushCertificate`, `enrollmentProgramToken` or `vppToken`.
    pub kind: String,
    /// Its stable id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whole days left.
    pub days_left: Option<i64>,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ChangeKind {
    /// Crossed the threshold of this many days before expiry.
    #[serde(rename_all = "camelCase")]
    Crossed {
        /// The threshold.
        threshold_days: i64,
    },
    /// Reached its expiry.
    Expired,
    /// Got worse, or has problems it did not have (codes).
    #[serde(rename_all = "camelCase")]
    NewProblem {
        /// The new problem codes.
        codes: Vec<String>,
    },
    /// Was renewed (its expiry moved later).
    Renewed,
    /// Is `ok` again.
    Recovered,
    /// A section could not be read.
    #[serde(rename_all = "camelCase")]
    CouldNotCheck {
        /// The section.
        section: String,
        /// The error code (`forbidden`, ...).
        code: String,
        /// What failed and what to do.
        message: String,
    },
    /// A section that could not be read is read again.
    #[serde(rename_all = "camelCase")]
    CheckRestored {
        /// The section.
        section: String,
    },
}

/// One reason to notify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The tenant (empty for a single-tenant report).
    pub tenant: String,
    /// The credential, when the change is about one.
    pub credential: Option<CredentialRef>,
    /// Its severity now.
    #[serde(with = "severity_code")]
    pub severity: Severity,
    /// What changed.
    pub what: ChangeKind,
}

impl Change {
    /// One line for a message, e.g. `VPP token "Paris": crossed 7 days (expires 2026-12-08)`.
    #[must_use]
    pub fn describe(&self) -> String {
        let who = self.credential.as_ref().map(|c| {
            format!(
                "{} \"{}\"",
                kind_label(&c.kind),
                c.name.as_deref().unwrap_or(&c.id)
            )
        });
        let when = self
            .credential
            .as_ref()
            .and_then(|c| c.expires_at)
            .map(|t| t.format("%Y-%m-%d").to_string());
        let tenant = if self.tenant.is_empty() {
            String::new()
        } else {
            format!("[{}] ", self.tenant)
        };
        let body = match &self.what {
            ChangeKind::Crossed { threshold_days } => format!(
                "{}: {threshold_days} days or fewer left (expires {})",
                who.unwrap_or_default(),
                when.unwrap_or_default()
            ),
            ChangeKind::Expired => format!(
                "{}: expired ({})",
                who.unwrap_or_default(),
                when.unwrap_or_default()
            ),
            ChangeKind::NewProblem { codes } => format!(
                "{}: {} ({})",
                who.unwrap_or_default(),
                self.severity.code(),
                codes.join(", ")
            ),
            ChangeKind::Renewed => format!(
                "{}: renewed, now expires {}",
                who.unwrap_or_default(),
                when.unwrap_or_default()
            ),
            ChangeKind::Recovered => format!("{}: ok again", who.unwrap_or_default()),
            ChangeKind::CouldNotCheck {
                section,
                code,
                message,
            } => format!("could not check {section} ({code}): {message}"),
            ChangeKind::CheckRestored { section } => format!("{section} can be read again"),
        };
        format!("{tenant}{body}")
    }
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "pushCertificate" => "Push certificate",
        "enrollmentProgramToken" => "Enrollment program token",
        "vppToken" => "VPP token",
        other => other,
    }
}

mod severity_code {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use crate::rules::health::Severity;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes a reference
    pub(super) fn serialize<S: Serializer>(v: &Severity, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.code())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(d)?;
        Ok(super::severity_from(&s))
    }
}

fn severity_from(code: &str) -> Severity {
    match code {
        "ok" => Severity::Ok,
        "warning" => Severity::Warning,
        "critical" => Severity::Critical,
        "expired" => Severity::Expired,
        _ => Severity::Unknown,
    }
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether to send (a change, or [`NotifyPolicy::always`]).
    pub send: bool,
    /// Why, one entry per change (empty for a digest of an unchanged state).
    pub changes: Vec<Change>,
    /// The state to save once the notification was delivered.
    pub next: NotifyState,
    /// Something the operator should know about the state file (damaged, rebuilt).
    pub notice: Option<String>,
}

/// The section a credential kind is read from.
fn section_of(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::PushCertificate => section::PUSH_CERTIFICATE,
        TokenKind::EnrollmentProgramToken => section::ENROLLMENT_PROGRAM_TOKENS,
        TokenKind::VppToken => section::VPP_TOKENS,
    }
}

fn section_of_kind_name(kind: &str) -> &'static str {
    match kind {
        "pushCertificate" => section::PUSH_CERTIFICATE,
        "enrollmentProgramToken" => section::ENROLLMENT_PROGRAM_TOKENS,
        _ => section::VPP_TOKENS,
    }
}

fn key(tenant: &str, kind: TokenKind, id: &str) -> String {
    format!("{tenant}/{}/{id}", kind_name(kind))
}

fn reference(i: &ReportItem) -> CredentialRef {
    CredentialRef {
        kind: kind_name(i.kind).to_owned(),
        id: i.id.clone(),
        name: i.name.clone(),
        expires_at: i.expires_at,
        days_left: i.days_left,
    }
}

/// Decides whether this run notifies, and what state to keep. Pure: no clock, no IO.
///
/// `previous` is what [`load_state`] returned; `reports` are this run's (one with an empty
/// tenant for a single-tenant report); `now` is written into the new state.
#[must_use]
pub fn decide(
    previous: &StateLoad,
    reports: &[TenantReport],
    policy: &NotifyPolicy,
    now: DateTime<Utc>,
) -> Decision {
    let (prev, notice) = match previous {
        StateLoad::Loaded(s) => (s.clone(), None),
        StateLoad::Missing => (NotifyState::default(), None),
        StateLoad::Damaged(why) => (
            NotifyState::default(),
            Some(format!(
                "the notification state could not be used ({why}); it is rebuilt from this run, and every credential that needs attention is notified again"
            )),
        ),
    };
    let mut next = NotifyState {
        version: STATE_VERSION,
        updated_at: Some(now),
        ..NotifyState::default()
    };
    let mut changes = Vec::new();
    for tr in reports {
        let tenant = tr.tenant.as_str();
        let r = &tr.report;
        let unreadable: BTreeSet<String> = r.errors.iter().map(|e| e.section.clone()).collect();
        let before = prev.unreadable.get(tenant).cloned().unwrap_or_default();
        for e in &r.errors {
            if !before.contains(&e.section) {
                changes.push(Change {
                    tenant: tenant.to_owned(),
                    credential: None,
                    severity: Severity::Unknown,
                    what: ChangeKind::CouldNotCheck {
                        section: e.section.clone(),
                        code: e.code.clone(),
                        message: e.message.clone(),
                    },
                });
            }
        }
        for s in before.difference(&unreadable) {
            changes.push(Change {
                tenant: tenant.to_owned(),
                credential: None,
                severity: Severity::Ok,
                what: ChangeKind::CheckRestored { section: s.clone() },
            });
        }
        if !unreadable.is_empty() {
            next.unreadable
                .insert(tenant.to_owned(), unreadable.clone());
        }
        // Credentials of a section that could not be read keep their last known state: no
        // false recovery, and their alerts come when the section is read again.
        let prefix = format!("{tenant}/");
        for (k, c) in prev.credentials.range(prefix.clone()..) {
            if !k.starts_with(&prefix) {
                break;
            }
            if unreadable.contains(section_of_kind_name(&c.kind)) {
                next.credentials.insert(k.clone(), c.clone());
            }
        }
        for i in &r.items {
            if unreadable.contains(section_of(i.kind)) {
                continue;
            }
            let k = key(tenant, i.kind, &i.id);
            let bucket = policy.bucket(i, r.as_of);
            let problems: BTreeSet<String> = i.problems.iter().map(|p| p.code.clone()).collect();
            let old = prev.credentials.get(&k);
            let change = |what| Change {
                tenant: tenant.to_owned(),
                credential: Some(reference(i)),
                severity: i.severity,
                what,
            };
            match old {
                None => {
                    if bucket == Some(0) {
                        changes.push(change(ChangeKind::Expired));
                    } else if let Some(t) = bucket {
                        changes.push(change(ChangeKind::Crossed { threshold_days: t }));
                    } else if i.severity > Severity::Ok {
                        changes.push(change(ChangeKind::NewProblem {
                            codes: problems.iter().cloned().collect(),
                        }));
                    }
                }
                Some(old) => {
                    let old_sev = severity_from(&old.severity);
                    let renewed = matches!((old.expires_at, i.expires_at), (Some(a), Some(b)) if b > a)
                        && old.bucket.is_some();
                    let new_codes: Vec<String> =
                        problems.difference(&old.problems).cloned().collect();
                    if renewed {
                        changes.push(change(ChangeKind::Renewed));
                    } else if bucket == Some(0) && old.bucket != Some(0) {
                        changes.push(change(ChangeKind::Expired));
                    } else if let (Some(t), true) = (
                        bucket,
                        bucket.is_some_and(|b| old.bucket.is_none_or(|o| b < o)),
                    ) {
                        changes.push(change(ChangeKind::Crossed { threshold_days: t }));
                    } else if i.severity > old_sev
                        || (!new_codes.is_empty() && i.severity > Severity::Ok)
                    {
                        changes.push(change(ChangeKind::NewProblem { codes: new_codes }));
                    } else if i.severity == Severity::Ok && old_sev > Severity::Ok {
                        changes.push(change(ChangeKind::Recovered));
                    }
                }
            }
            next.credentials.insert(
                k,
                CredentialState {
                    kind: kind_name(i.kind).to_owned(),
                    name: i.name.clone(),
                    severity: i.severity.code().to_owned(),
                    bucket,
                    expires_at: i.expires_at,
                    problems,
                },
            );
        }
    }
    Decision {
        send: policy.always || !changes.is_empty(),
        changes,
        next,
        notice,
    }
}
