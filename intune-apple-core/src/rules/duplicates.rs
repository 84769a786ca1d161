//! VPP duplicate-app planning (pure).
//!
//! When a renewed `.vpptoken` is uploaded as a **new** token instead of into the existing one,
//! Intune holds two tokens for the same location (the new one is flagged
//! `duplicateLocationId`) and every app of that location twice: once on the old token, with
//! its assignments, and once on the new token, unassigned. The repair copies the old apps'
//! assignments onto the new apps; once done, the old token can be deleted.
//!
//! This module decides, from what Graph returned and a given `now`:
//! - [`superseded_tokens`]: at each location holding several tokens, which one is current and
//!   which are old;
//! - [`find_duplicates`]: which apps are present twice (same bundle id and platform, one on an
//!   old token, one on the current token of that location) and which apps of old tokens have no
//!   counterpart;
//! - [`plan_assignments`]: which assignments to copy, which are already there, which conflict,
//!   and the full list to send (Graph's `assign` **replaces** an app's assignments, so the
//!   target's own assignments are kept in it). Computed against the target's current
//!   assignments on every run, so re-running after a failure never copies anything twice.
//!
//! ```
//! use intune_apple_core::model::{AssignmentTarget, GroupAssignmentTarget, InstallIntent, MobileAppAssignment};
//! use intune_apple_core::rules::duplicates::plan_assignments;
//!
//! let group = |id: &str| MobileAppAssignment {
//!     intent: Some(InstallIntent::Required),
//!     target: Some(AssignmentTarget::Group(GroupAssignmentTarget {
//!         group_id: Some(id.into()),
//!         ..Default::default()
//!     })),
//!     ..Default::default()
//! };
//! let target_now = vec![group("sales")];
//! let old_app = vec![group("sales"), group("all-staff")];
//! let plan = plan_assignments(&target_now, &old_app);
//! assert_eq!(plan.to_copy.len(), 1); // all-staff
//! assert_eq!(plan.already_present.len(), 1); // sales
//! assert_eq!(plan.merged.len(), 2); // what `assign` must receive
//! // Once applied, the same plan has nothing left to do.
//! assert!(plan_assignments(&plan.merged, &old_app).to_copy.is_empty());
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    AssignmentSource, AssignmentTarget, InstallIntent, MobileApp, MobileAppAssignment, VppToken,
    VppTokenState,
};

/// The platform of a VPP app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub enum AppPlatform {
    /// `iosVppApp`.
    Ios,
    /// `macOsVppApp`.
    MacOs,
}

/// What the planning needs to know of a VPP app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AppRef {
    /// App id.
    pub app_id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Bundle id.
    pub bundle_id: String,
    /// iOS/iPadOS or macOS.
    pub platform: AppPlatform,
    /// The VPP token the app is licensed through.
    pub vpp_token_id: String,
}

impl AppRef {
    /// The planning view of a Graph app; `None` for apps that are not VPP apps or lack an id,
    /// a bundle id or a VPP token id (beta only).
    #[must_use]
    pub fn from_app(app: &MobileApp) -> Option<Self> {
        let (id, name, bundle, token, platform) = match app {
            MobileApp::IosVppApp(a) => (
                &a.id,
                &a.display_name,
                &a.bundle_id,
                &a.vpp_token_id,
                AppPlatform::Ios,
            ),
            MobileApp::MacOsVppApp(a) => (
                &a.id,
                &a.display_name,
                &a.bundle_id,
                &a.vpp_token_id,
                AppPlatform::MacOs,
            ),
            _ => return None,
        };
        Some(Self {
            app_id: id.clone()?,
            display_name: name.clone(),
            bundle_id: bundle.clone().filter(|b| !b.is_empty())?,
            platform,
            vpp_token_id: token.clone().filter(|t| !t.is_empty())?,
        })
    }
}

/// An old token of a location that holds several, and the current one that replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SupersededToken {
    /// The old token.
    pub token_id: String,
    /// Its location name.
    pub location: String,
    /// The current token of the same organisation and location.
    pub replaced_by: String,
}

/// Whether a token can be used at `now`: not expired (by state or by date), not invalid, not
/// held by another MDM.
#[must_use]
pub fn is_usable(token: &VppToken, now: DateTime<Utc>) -> bool {
    let state_ok = !matches!(
        token.state,
        Some(
            VppTokenState::Expired | VppTokenState::Invalid | VppTokenState::AssignedToExternalMdm
        )
    );
    state_ok && token.expiration_date_time.is_none_or(|e| e > now)
}

fn location_key(t: &VppToken) -> Option<(String, String)> {
    let loc = t.location_name.as_deref()?.trim().to_lowercase();
    if loc.is_empty() {
        return None;
    }
    let org = t
        .organization_name
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    Some((org, loc))
}

/// The outcome of [`superseded_tokens`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TokenRoles {
    /// Old tokens and the token that replaces each.
    pub superseded: Vec<SupersededToken>,
    /// Locations with several tokens of which none is usable: nothing can be repaired there
    /// until one is renewed (one message per location).
    pub unresolved: Vec<String>,
}

/// At each location (same organisation and `locationName`) holding several tokens, the current
/// token is the usable one ([`is_usable`]) that expires last; the others are old. Tokens
/// without a location name are never grouped.
#[must_use]
pub fn superseded_tokens(tokens: &[VppToken], now: DateTime<Utc>) -> TokenRoles {
    let mut groups: Vec<((String, String), Vec<&VppToken>)> = Vec::new();
    for t in tokens.iter().filter(|t| t.id.is_some()) {
        let Some(key) = location_key(t) else { continue };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(t),
            None => groups.push((key, vec![t])),
        }
    }
    let mut out = TokenRoles::default();
    for (_, group) in groups.into_iter().filter(|(_, g)| g.len() > 1) {
        let location = group[0].location_name.clone().unwrap_or_default();
        let current = group
            .iter()
            .filter(|t| is_usable(t, now))
            .max_by_key(|t| (t.expiration_date_time, t.last_modified_date_time));
        let Some(current) = current else {
            out.unresolved.push(format!(
                "location {location:?} has {} VPP tokens and none is usable: renew one (upload the new file into it), then run the repair again",
                group.len()
            ));
            continue;
        };
        let current_id = current.id.clone().unwrap_or_default();
        for t in &group {
            let id = t.id.clone().unwrap_or_default();
            if id != current_id {
                out.superseded.push(SupersededToken {
                    token_id: id,
                    location: location.clone(),
                    replaced_by: current_id.clone(),
                });
            }
        }
    }
    out
}

/// One app present twice: the app on the current token (`target`) and its copies on old
/// tokens (`sources`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DuplicateApp {
    /// Bundle id.
    pub bundle_id: String,
    /// The app on the current token: it receives the assignments.
    pub target: AppRef,
    /// The apps on old tokens: their assignments are copied.
    pub sources: Vec<AppRef>,
}

/// The outcome of [`find_duplicates`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DuplicateFindings {
    /// Token roles per location.
    pub tokens: TokenRoles,
    /// Apps present on an old and on the current token.
    pub duplicates: Vec<DuplicateApp>,
    /// Apps on an old token with no counterpart on the current token: their assignments would
    /// be lost with the old token.
    pub orphans: Vec<AppRef>,
}

/// Finds the apps present twice, and the apps of old tokens that have no counterpart.
#[must_use]
pub fn find_duplicates(
    tokens: &[VppToken],
    apps: &[AppRef],
    now: DateTime<Utc>,
) -> DuplicateFindings {
    let roles = superseded_tokens(tokens, now);
    let mut duplicates: Vec<DuplicateApp> = Vec::new();
    let mut orphans = Vec::new();
    for source in apps {
        let Some(old) = roles
            .superseded
            .iter()
            .find(|s| s.token_id == source.vpp_token_id)
        else {
            continue;
        };
        let target = apps.iter().find(|a| {
            a.vpp_token_id == old.replaced_by
                && a.platform == source.platform
                && a.bundle_id.eq_ignore_ascii_case(&source.bundle_id)
        });
        match target {
            Some(target) => match duplicates
                .iter_mut()
                .find(|d| d.target.app_id == target.app_id)
            {
                Some(d) => d.sources.push(source.clone()),
                None => duplicates.push(DuplicateApp {
                    bundle_id: target.bundle_id.clone(),
                    target: target.clone(),
                    sources: vec![source.clone()],
                }),
            },
            None => orphans.push(source.clone()),
        }
    }
    DuplicateFindings {
        tokens: roles,
        duplicates,
        orphans,
    }
}

/// What an assignment targets: two assignments with the same key target the same devices or
/// users (Intune allows one assignment per target and app).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentKey {
    /// `group`, `exclusionGroup`, `allLicensedUsers`, `allDevices`,
    /// `configurationManagerCollection`, or the `@odata.type` of another target.
    pub target_type: String,
    /// The group or collection id, when the target has one.
    pub target_id: Option<String>,
}

impl std::fmt::Display for AssignmentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.target_id {
            Some(id) => write!(f, "{} {id}", self.target_type),
            None => f.write_str(&self.target_type),
        }
    }
}

/// The key of an assignment (`None` when it has no target).
#[must_use]
pub fn assignment_key(a: &MobileAppAssignment) -> Option<AssignmentKey> {
    let key = |t: &str, id: Option<&String>| AssignmentKey {
        target_type: t.to_owned(),
        target_id: id.map(|s| s.to_lowercase()),
    };
    Some(match a.target.as_ref()? {
        AssignmentTarget::Group(g) => key("group", g.group_id.as_ref()),
        AssignmentTarget::ExclusionGroup(g) => key("exclusionGroup", g.group_id.as_ref()),
        AssignmentTarget::AllLicensedUsers(_) => key("allLicensedUsers", None),
        AssignmentTarget::AllDevices(_) => key("allDevices", None),
        AssignmentTarget::ConfigurationManagerCollection(c) => {
            key("configurationManagerCollection", c.collection_id.as_ref())
        }
        other => {
            let v = serde_json::to_value(other).unwrap_or_default();
            let ty = v
                .get("@odata.type")
                .and_then(serde_json::Value::as_str)
                .map_or("unknown", crate::model::odata_short_name)
                .to_owned();
            let id = v
                .get("groupId")
                .or_else(|| v.get("collectionId"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_lowercase);
            AssignmentKey {
                target_type: ty,
                target_id: id,
            }
        }
    })
}

/// An assignment the target app already has for the same target, with another intent: the
/// target's is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentConflict {
    /// The target of both assignments.
    pub key: AssignmentKey,
    /// The intent on the app of the current token (kept).
    pub kept_intent: Option<String>,
    /// The intent on the app of the old token (not copied).
    pub old_intent: Option<String>,
}

/// An assignment of an old app that is not copied, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct NotCopied {
    /// Its target (`None` when it has none).
    pub key: Option<AssignmentKey>,
    /// Why, and what to do instead.
    pub reason: String,
}

/// The plan for one target app.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentPlan {
    /// Assignments to add to the target (ids cleared).
    pub to_copy: Vec<MobileAppAssignment>,
    /// Targets the target app already has with the same intent.
    pub already_present: Vec<AssignmentKey>,
    /// Targets the target app already has with another intent (its own is kept).
    pub conflicts: Vec<AssignmentConflict>,
    /// Assignments that cannot be copied (policy sets, no target).
    pub not_copied: Vec<NotCopied>,
    /// The complete list to send with `assign`: the target's current direct assignments (those
    /// of policy sets stay with their policy set) followed by `to_copy`. Sending it removes
    /// nothing the target had.
    pub merged: Vec<MobileAppAssignment>,
}

impl AssignmentPlan {
    /// True when nothing is left to copy.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.to_copy.is_empty()
    }
}

fn intent(a: &MobileAppAssignment) -> Option<String> {
    a.intent.as_ref().map(|i| i.as_str().to_owned())
}

/// Plans the copy of `sources` (the assignments of the old apps, in order) onto a target app
/// whose current assignments are `target_current`.
#[must_use]
pub fn plan_assignments(
    target_current: &[MobileAppAssignment],
    sources: &[MobileAppAssignment],
) -> AssignmentPlan {
    // Assignments a policy set made are not the app's own: sending them back with `assign`
    // would turn them into direct assignments. They still count as present.
    let mut plan = AssignmentPlan {
        merged: target_current
            .iter()
            .filter(|a| a.source != Some(AssignmentSource::PolicySets))
            .cloned()
            .collect(),
        ..AssignmentPlan::default()
    };
    for a in sources {
        let Some(key) = assignment_key(a) else {
            plan.not_copied.push(NotCopied {
                key: None,
                reason: "the assignment has no target".into(),
            });
            continue;
        };
        if a.source == Some(AssignmentSource::PolicySets) {
            plan.not_copied.push(NotCopied {
                key: Some(key),
                reason: format!(
                    "assigned through policy set {}: add the app of the current token to that policy set instead",
                    a.source_id.as_deref().unwrap_or("?")
                ),
            });
            continue;
        }
        let existing = target_current
            .iter()
            .chain(plan.to_copy.iter())
            .find(|t| assignment_key(t).as_ref() == Some(&key));
        match existing {
            Some(t) if intent(t) == intent(a) => {
                if !plan.already_present.contains(&key) {
                    plan.already_present.push(key);
                }
            }
            Some(t) => {
                let conflict = AssignmentConflict {
                    key,
                    kept_intent: intent(t),
                    old_intent: intent(a),
                };
                if !plan.conflicts.contains(&conflict) {
                    plan.conflicts.push(conflict);
                }
            }
            None => {
                let mut copy = a.clone();
                copy.id = None;
                copy.source = None;
                copy.source_id = None;
                if copy.intent.is_none() {
                    copy.intent = Some(InstallIntent::Required);
                }
                plan.to_copy.push(copy);
            }
        }
    }
    plan.merged.extend(plan.to_copy.iter().cloned());
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AllAssignmentTarget, GroupAssignmentTarget};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    /// The value reads back from its JSON with nothing lost (the Python package pickles through
    /// it). Compared as JSON: a target built in code without `@odata.type` is written with its
    /// type, as Graph needs, and reads back with it.
    fn round_trips<T>(value: &T)
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let json = serde_json::to_value(value).unwrap();
        let back: T = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), json);
    }

    fn token(id: &str, loc: &str, days: i64, state: VppTokenState) -> VppToken {
        VppToken {
            id: Some(id.into()),
            organization_name: Some("Contoso".into()),
            location_name: Some(loc.into()),
            expiration_date_time: Some(now() + chrono::Duration::days(days)),
            state: Some(state),
            ..VppToken::default()
        }
    }

    fn app(id: &str, bundle: &str, token: &str) -> AppRef {
        AppRef {
            app_id: id.into(),
            display_name: None,
            bundle_id: bundle.into(),
            platform: AppPlatform::Ios,
            vpp_token_id: token.into(),
        }
    }

    fn group(id: &str, intent: InstallIntent) -> MobileAppAssignment {
        MobileAppAssignment {
            id: Some(format!("{id}_x")),
            intent: Some(intent),
            target: Some(AssignmentTarget::Group(GroupAssignmentTarget {
                group_id: Some(id.into()),
                ..GroupAssignmentTarget::default()
            })),
            ..MobileAppAssignment::default()
        }
    }

    #[test]
    fn the_usable_token_that_expires_last_is_current() {
        let tokens = [
            token("old", "Warehouse", -10, VppTokenState::Expired),
            token("new", "warehouse", 355, VppTokenState::DuplicateLocationId),
            token("hq", "Headquarters", 100, VppTokenState::Valid),
        ];
        let roles = superseded_tokens(&tokens, now());
        assert_eq!(
            roles.superseded,
            [SupersededToken {
                token_id: "old".into(),
                location: "Warehouse".into(),
                replaced_by: "new".into()
            }]
        );
        assert!(roles.unresolved.is_empty());
        let dead = [
            token("a", "X", -1, VppTokenState::Valid),
            token("b", "X", 10, VppTokenState::Invalid),
        ];
        round_trips(&roles);
        let roles = superseded_tokens(&dead, now());
        assert!(roles.superseded.is_empty());
        assert_eq!(roles.unresolved.len(), 1);
        round_trips(&roles);
    }

    #[test]
    fn same_bundle_on_two_locations_is_not_a_duplicate() {
        let tokens = [
            token("old", "Warehouse", -10, VppTokenState::Expired),
            token("new", "Warehouse", 355, VppTokenState::DuplicateLocationId),
            token("hq", "Headquarters", 100, VppTokenState::Valid),
        ];
        let apps = [
            app("a1", "com.x", "old"),
            app("a2", "com.x", "new"),
            app("a3", "com.x", "hq"),
            app("a4", "com.only.old", "old"),
        ];
        let f = find_duplicates(&tokens, &apps, now());
        assert_eq!(f.duplicates.len(), 1);
        assert_eq!(f.duplicates[0].target.app_id, "a2");
        assert_eq!(f.duplicates[0].sources[0].app_id, "a1");
        assert_eq!(f.orphans.len(), 1);
        assert_eq!(f.orphans[0].app_id, "a4");
        round_trips(&f);
    }

    #[test]
    fn plan_keeps_the_targets_own_and_reports_conflicts() {
        let target = [group("g1", InstallIntent::Available)];
        let sources = [
            group("g1", InstallIntent::Required),
            group("g2", InstallIntent::Required),
            group("g2", InstallIntent::Required),
            MobileAppAssignment {
                intent: Some(InstallIntent::Available),
                target: Some(AssignmentTarget::AllLicensedUsers(
                    AllAssignmentTarget::default(),
                )),
                source: Some(AssignmentSource::PolicySets),
                source_id: Some("ps1".into()),
                ..MobileAppAssignment::default()
            },
            MobileAppAssignment::default(),
        ];
        let plan = plan_assignments(&target, &sources);
        assert_eq!(
            plan.to_copy.len(),
            1,
            "g2 once, even if two old apps have it"
        );
        assert_eq!(plan.to_copy[0].id, None);
        assert_eq!(plan.conflicts.len(), 1);
        assert_eq!(plan.conflicts[0].kept_intent.as_deref(), Some("available"));
        assert_eq!(plan.not_copied.len(), 2);
        assert_eq!(plan.merged.len(), 2);
        assert_eq!(
            plan.merged[0], target[0],
            "the target's own assignment is kept as is"
        );
        round_trips(&plan);
        let again = plan_assignments(&plan.merged, &sources);
        assert!(again.is_complete());
        assert_eq!(again.merged.len(), 2);
    }

    #[test]
    fn policy_set_assignments_of_the_target_count_but_are_not_sent_back() {
        let mut from_set = group("g1", InstallIntent::Required);
        from_set.source = Some(AssignmentSource::PolicySets);
        let target = [from_set, group("g2", InstallIntent::Required)];
        let plan = plan_assignments(&target, &[group("g1", InstallIntent::Required)]);
        assert!(plan.is_complete());
        assert_eq!(plan.already_present.len(), 1);
        assert_eq!(plan.merged, [target[1].clone()]);
    }

    #[test]
    fn group_ids_compare_case_insensitively() {
        let a = group("ABC", InstallIntent::Required);
        let b = group("abc", InstallIntent::Required);
        assert_eq!(assignment_key(&a), assignment_key(&b));
        assert_eq!(assignment_key(&a).unwrap().to_string(), "group abc");
    }
}
