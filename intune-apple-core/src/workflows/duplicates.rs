//! VPP duplicate-app repair: find the apps present twice after a renewed token was uploaded as
//! a new token, copy the old apps' assignments onto the apps of the current token, verify, and
//! tell when the old token can be deleted.
//!
//! Dry run by default ([`DuplicateRepairOptions::apply`] = false): the report shows the plan and
//! nothing is written. Applying is idempotent: each run reads every target app's current
//! assignments and copies only what is missing (Graph's `assign` replaces the whole list, so the
//! target's own assignments are sent back with the copies). Re-running after a failure finishes
//! the job without doubling anything.
//!
//! The report keeps its record whatever happens: an app whose assignments cannot be read is
//! reported as [`RepairOutcome::Unread`] and the run goes on with the others; just before each
//! write the target app's assignments are read again, and when someone changed them since the
//! plan the write is skipped ([`RepairOutcome::ChangedMeanwhile`]); verification checks that
//! every assignment the target had before ([`AppRepair::before`]) is still there and that every
//! copied one is there exactly once.
//!
//! ```no_run
//! use intune_apple_core::graph::Client;
//! use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
//!
//! # async fn run() -> Result<(), intune_apple_core::workflows::error::WorkflowError> {
//! let client = Client::from_env()?;
//! let plan = repair_duplicate_apps(&client, &DuplicateRepairOptions::default()).await?;
//! for app in &plan.apps {
//!     println!("{}: {} assignment(s) to copy", app.bundle_id, app.to_copy.len());
//! }
//! let done = repair_duplicate_apps(&client, &DuplicateRepairOptions { apply: true }).await?;
//! for token in &done.old_tokens {
//!     println!("{}: can delete = {}", token.token_id, token.can_delete);
//! }
//! # Ok(()) }
//! ```

use std::collections::HashMap;

use futures::{StreamExt as _, TryStreamExt as _};
use serde::{Deserialize, Serialize};

use super::error::WorkflowError;
use crate::graph::Client;
use crate::model::{MobileApp, MobileAppAssignment, VppToken};
use crate::rules::duplicates::{
    assignment_key, find_duplicates, plan_assignments, AppRef, AssignmentConflict, AssignmentKey,
    NotCopied,
};

/// Options of [`repair_duplicate_apps`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DuplicateRepairOptions {
    /// Write the copies. `false` (the default) only plans.
    pub apply: bool,
}

/// How the repair of one app ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub enum RepairOutcome {
    /// Every assignment is already on the target app.
    NothingToDo,
    /// Dry run: `toCopy` would be copied.
    Planned,
    /// The copies were written.
    Copied,
    /// The write failed (see `error`); run the repair again.
    Failed,
    /// The target app's assignments changed between the plan and the write (someone edited
    /// them during the run): nothing was written; run the repair again to plan from what is
    /// there now.
    ChangedMeanwhile,
    /// An app's assignments could not be read (see `error`): nothing was planned or written for
    /// this app; run the repair again.
    Unread,
}

/// One assignment, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentSummary {
    /// What it targets.
    pub key: AssignmentKey,
    /// Its intent (`required`, `available`, `uninstall`, ...).
    pub intent: Option<String>,
}

fn summary(a: &MobileAppAssignment) -> Option<AssignmentSummary> {
    Some(AssignmentSummary {
        key: assignment_key(a)?,
        intent: a.intent.as_ref().map(|i| i.as_str().to_owned()),
    })
}

/// The repair of one app present twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AppRepair {
    /// Bundle id.
    pub bundle_id: String,
    /// Display name of the target app.
    pub display_name: Option<String>,
    /// The app on the current token (receives the assignments).
    pub target_app_id: String,
    /// The current token.
    pub target_token_id: String,
    /// The apps on old tokens (their assignments are copied; they are not changed).
    pub source_app_ids: Vec<String>,
    /// The target app's assignments before the repair (verification checks they are all
    /// still there).
    pub before: Vec<AssignmentSummary>,
    /// Assignments copied (or to copy, in a dry run).
    pub to_copy: Vec<AssignmentSummary>,
    /// Targets already on the app of the current token.
    pub already_present: Vec<AssignmentKey>,
    /// Targets assigned with another intent on the app of the current token (its own kept).
    pub conflicts: Vec<AssignmentConflict>,
    /// Assignments that cannot be copied, and why.
    pub not_copied: Vec<NotCopied>,
    /// How it ended.
    pub outcome: RepairOutcome,
    /// After applying: whether every copied target is now on the app exactly once.
    pub verified: Option<bool>,
    /// The error, when the outcome is `failed`.
    pub error: Option<String>,
}

/// An app of an old token that has no counterpart on the current token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct OrphanApp {
    /// The app.
    pub app: AppRef,
    /// How many assignments it has (lost if the old token is deleted); `None` when they could
    /// not be read (see `error`).
    pub assignment_count: Option<usize>,
    /// Why its assignments could not be read.
    pub error: Option<String>,
}

/// An old token and whether it can be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct OldToken {
    /// The old token.
    pub token_id: String,
    /// Its location.
    pub location: String,
    /// The current token of the location.
    pub replaced_by: String,
    /// True when every assignment of its apps is on the current token's apps.
    pub can_delete: bool,
    /// What still prevents deleting it.
    pub blockers: Vec<String>,
    /// What to do next.
    pub next_step: String,
}

/// The outcome of [`repair_duplicate_apps`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DuplicateRepairReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// One entry per app present twice.
    pub apps: Vec<AppRepair>,
    /// Apps of old tokens without a counterpart on the current token.
    pub orphans: Vec<OrphanApp>,
    /// Every old token, and whether it can be deleted.
    pub old_tokens: Vec<OldToken>,
    /// Locations that cannot be repaired yet, and why.
    pub unresolved: Vec<String>,
}

async fn assignments(
    client: &Client,
    app_id: &str,
) -> Result<Vec<MobileAppAssignment>, WorkflowError> {
    Ok(client.vpp_apps().assignments(app_id).try_collect().await?)
}

/// How many apps [`repair_duplicate_apps`] repairs at once.
pub const REPAIR_CONCURRENCY: usize = 8;

/// Finds the VPP apps present twice, plans the copy of their assignments and, with
/// `options.apply`, writes it, verifies it and says which old tokens can be deleted.
///
/// A failed write of one app does not stop the others: its entry says `failed` and the old
/// token stays blocked; run the repair again.
///
/// # Errors
/// [`WorkflowError::Graph`] when the tokens, the apps or an app's assignments cannot be read.
pub async fn repair_duplicate_apps(
    client: &Client,
    options: &DuplicateRepairOptions,
) -> Result<DuplicateRepairReport, WorkflowError> {
    let now = client.clock().now();
    let tokens: Vec<VppToken> = client.vpp_tokens().list().try_collect().await?;
    let apps: Vec<MobileApp> = client.vpp_apps().list().try_collect().await?;
    let refs: Vec<AppRef> = apps.iter().filter_map(AppRef::from_app).collect();
    let findings = find_duplicates(&tokens, &refs, now);

    // The apps are repaired a few at a time: each repair is a chain of round trips (read,
    // write, read back) that depends on nothing of the others, and the client's pacing keeps
    // the writes under Intune's limits however many run at once.
    // Collected first: a stream mapping borrowed items to futures is not `Send` for every
    // lifetime, as the bindings' futures must be.
    let pending: Vec<_> = findings
        .duplicates
        .iter()
        .map(|dup| repair_one(client, options, dup))
        .collect();
    let repairs: Vec<AppRepair> = futures::stream::iter(pending)
        .buffered(REPAIR_CONCURRENCY)
        .collect()
        .await;

    let mut orphans = Vec::new();
    for app in &findings.orphans {
        let (assignment_count, error) = match assignments(client, &app.app_id).await {
            Ok(a) => (Some(a.len()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        orphans.push(OrphanApp {
            app: app.clone(),
            assignment_count,
            error,
        });
    }

    let old_tokens = findings
        .tokens
        .superseded
        .iter()
        .map(|old| old_token_status(old, &findings.duplicates, &repairs, &orphans, options.apply))
        .collect();
    Ok(DuplicateRepairReport {
        dry_run: !options.apply,
        apps: repairs,
        orphans,
        old_tokens,
        unresolved: findings.tokens.unresolved,
    })
}

/// Reads, plans and (with `options.apply`) writes and verifies the repair of one app.
async fn repair_one(
    client: &Client,
    options: &DuplicateRepairOptions,
    dup: &crate::rules::duplicates::DuplicateApp,
) -> AppRepair {
    let (sources, current) = match read_pair(client, dup).await {
        Ok(read) => read,
        Err(e) => return unread(dup, &e),
    };
    let plan = plan_assignments(&current, &sources);
    let (outcome, error) = if plan.is_complete() {
        (RepairOutcome::NothingToDo, None)
    } else if !options.apply {
        (RepairOutcome::Planned, None)
    } else {
        write_unless_changed(client, &dup.target.app_id, &current, plan.merged.clone()).await
    };
    let mut error = error;
    let verify = options.apply
        && matches!(
            outcome,
            RepairOutcome::Copied | RepairOutcome::Failed | RepairOutcome::NothingToDo
        );
    let verified = if verify {
        // After a write (or a write whose answer was lost), a failed read-back must not
        // lose the report: it leaves the app unverified (and its old token blocked).
        match assignments(client, &dup.target.app_id).await {
            Ok(after) => Some(
                exactly_once(&after, &sources, &plan.conflicts) && still_there(&after, &current),
            ),
            Err(e) => {
                error.get_or_insert_with(|| format!("could not read the assignments back: {e}"));
                Some(false)
            }
        }
    } else {
        None
    };
    AppRepair {
        bundle_id: dup.bundle_id.clone(),
        display_name: dup.target.display_name.clone(),
        target_app_id: dup.target.app_id.clone(),
        target_token_id: dup.target.vpp_token_id.clone(),
        source_app_ids: dup.sources.iter().map(|s| s.app_id.clone()).collect(),
        before: current.iter().filter_map(summary).collect(),
        to_copy: plan.to_copy.iter().filter_map(summary).collect(),
        already_present: plan.already_present,
        conflicts: plan.conflicts,
        not_copied: plan.not_copied,
        outcome,
        verified,
        error,
    }
}

/// The assignments of a duplicate's old apps and of its target app.
async fn read_pair(
    client: &Client,
    dup: &crate::rules::duplicates::DuplicateApp,
) -> Result<(Vec<MobileAppAssignment>, Vec<MobileAppAssignment>), WorkflowError> {
    let mut sources = Vec::new();
    for s in &dup.sources {
        sources.extend(assignments(client, &s.app_id).await?);
    }
    let current = assignments(client, &dup.target.app_id).await?;
    Ok((sources, current))
}

/// The entry of an app whose assignments could not be read: nothing planned, nothing written.
fn unread(dup: &crate::rules::duplicates::DuplicateApp, e: &WorkflowError) -> AppRepair {
    AppRepair {
        bundle_id: dup.bundle_id.clone(),
        display_name: dup.target.display_name.clone(),
        target_app_id: dup.target.app_id.clone(),
        target_token_id: dup.target.vpp_token_id.clone(),
        source_app_ids: dup.sources.iter().map(|s| s.app_id.clone()).collect(),
        before: Vec::new(),
        to_copy: Vec::new(),
        already_present: Vec::new(),
        conflicts: Vec::new(),
        not_copied: Vec::new(),
        outcome: RepairOutcome::Unread,
        verified: None,
        error: Some(format!(
            "the assignments could not be read ({e}): nothing was planned or written for this app; run the repair again"
        )),
    }
}

/// Reads the target app's assignments again and writes `merged` only when they are still those
/// the plan was made from.
async fn write_unless_changed(
    client: &Client,
    app_id: &str,
    planned_from: &[MobileAppAssignment],
    merged: Vec<MobileAppAssignment>,
) -> (RepairOutcome, Option<String>) {
    match assignments(client, app_id).await {
        Ok(now) if same_assignments(&now, planned_from) => {
            match client.vpp_apps().assign(app_id, merged).await {
                Ok(()) => (RepairOutcome::Copied, None),
                Err(e) => (RepairOutcome::Failed, Some(e.to_string())),
            }
        }
        Ok(_) => (
            RepairOutcome::ChangedMeanwhile,
            Some("the app's assignments changed after they were read (someone edited them during the repair): nothing was written; run the repair again to plan from what is there now".into()),
        ),
        Err(e) => (
            RepairOutcome::Failed,
            Some(format!(
                "the assignments could not be read again just before writing ({e}): nothing was written; run the repair again"
            )),
        ),
    }
}

/// The same targets with the same intents, as many times each.
fn same_assignments(a: &[MobileAppAssignment], b: &[MobileAppAssignment]) -> bool {
    fn counts(
        list: &[MobileAppAssignment],
    ) -> HashMap<(Option<AssignmentKey>, Option<String>), usize> {
        let mut out = HashMap::new();
        for x in list {
            let intent = x.intent.as_ref().map(|i| i.as_str().to_owned());
            *out.entry((assignment_key(x), intent)).or_default() += 1;
        }
        out
    }
    counts(a) == counts(b)
}

/// Whether every target the app had before the repair is still on it.
fn still_there(after: &[MobileAppAssignment], before: &[MobileAppAssignment]) -> bool {
    let now: std::collections::HashSet<AssignmentKey> =
        after.iter().filter_map(assignment_key).collect();
    before
        .iter()
        .filter_map(assignment_key)
        .all(|k| now.contains(&k))
}

/// Whether every copyable target of `sources` (conflicts aside) is on the app exactly once.
fn exactly_once(
    after: &[MobileAppAssignment],
    sources: &[MobileAppAssignment],
    conflicts: &[AssignmentConflict],
) -> bool {
    let mut counts: HashMap<AssignmentKey, usize> = HashMap::new();
    for a in after {
        if let Some(k) = assignment_key(a) {
            *counts.entry(k).or_default() += 1;
        }
    }
    let no_doubles = counts.values().all(|n| *n == 1);
    let all_there = sources
        .iter()
        .filter(|s| s.source != Some(crate::model::AssignmentSource::PolicySets))
        .filter_map(assignment_key)
        .filter(|k| !conflicts.iter().any(|c| &c.key == k))
        .all(|k| counts.get(&k) == Some(&1));
    no_doubles && all_there
}

fn old_token_status(
    old: &crate::rules::duplicates::SupersededToken,
    duplicates: &[crate::rules::duplicates::DuplicateApp],
    repairs: &[AppRepair],
    orphans: &[OrphanApp],
    applied: bool,
) -> OldToken {
    let mut blockers = Vec::new();
    for (dup, repair) in duplicates.iter().zip(repairs) {
        if !dup.sources.iter().any(|s| s.vpp_token_id == old.token_id) {
            continue;
        }
        let name = repair.display_name.as_deref().unwrap_or(&repair.bundle_id);
        match repair.outcome {
            RepairOutcome::Planned => blockers.push(format!(
                "{name}: {} assignment(s) to copy (run with apply)",
                repair.to_copy.len()
            )),
            RepairOutcome::Failed => blockers.push(format!(
                "{name}: copying failed ({}); run the repair again",
                repair.error.as_deref().unwrap_or("unknown error")
            )),
            RepairOutcome::ChangedMeanwhile => blockers.push(format!(
                "{name}: its assignments changed during the repair; run the repair again"
            )),
            RepairOutcome::Unread => blockers.push(format!(
                "{name}: its assignments could not be read; run the repair again"
            )),
            RepairOutcome::Copied | RepairOutcome::NothingToDo => {
                if repair.verified == Some(false) {
                    blockers.push(format!(
                        "{name}: the assignments read back do not match; run the repair again"
                    ));
                }
            }
        }
        for c in &repair.conflicts {
            blockers.push(format!(
                "{name}: {} is {} on the old app but {} on the current one; align them by hand",
                c.key,
                c.old_intent.as_deref().unwrap_or("assigned"),
                c.kept_intent.as_deref().unwrap_or("assigned")
            ));
        }
        for n in &repair.not_copied {
            if n.key.is_some() {
                blockers.push(format!("{name}: {}", n.reason));
            }
        }
    }
    for o in orphans
        .iter()
        .filter(|o| o.app.vpp_token_id == old.token_id)
    {
        let name = o.app.display_name.as_deref().unwrap_or(&o.app.bundle_id);
        match o.assignment_count {
            Some(0) => {}
            Some(n) => blockers.push(format!(
                "{name}: {n} assignment(s) and no copy of the app on the current token; sync the current token's licences (or buy the app on that location) and run the repair again"
            )),
            None => blockers.push(format!(
                "{name}: its assignments could not be read (it has no copy on the current token); run the repair again"
            )),
        }
    }
    let can_delete = blockers.is_empty();
    let next_step = if can_delete {
        format!(
            "Every assignment is on the apps of token {}. Delete old token {} (Tenant administration > Connectors and tokens > Apple VPP tokens), then sync the current one",
            old.replaced_by, old.token_id
        )
    } else if applied {
        "Resolve the blockers and run the repair again; do not delete the old token yet".into()
    } else {
        "Review the plan, then run the repair with apply".into()
    };
    OldToken {
        token_id: old.token_id.clone(),
        location: old.location.clone(),
        replaced_by: old.replaced_by.clone(),
        can_delete,
        blockers,
        next_step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings run these futures on a multi-threaded runtime.
    #[allow(dead_code)]
    fn futures_are_send(client: &Client) {
        fn send<T: Send>(_: &T) {}
        send(&repair_duplicate_apps(
            client,
            &DuplicateRepairOptions::default(),
        ));
    }
}
