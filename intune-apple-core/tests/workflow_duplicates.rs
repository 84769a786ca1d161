//! VPP duplicate-app repair against the simulated tenant, over real HTTP: dry run by default,
//! and re-running after a failure copies every assignment exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use common::targets;

use std::collections::HashMap;

use intune_apple_core::workflows::duplicates::{
    repair_duplicate_apps, DuplicateRepairOptions, RepairOutcome,
};
use intune_apple_sim::{AppSeed, Fault, FaultKind, Seed, SimHandle, VppTokenSeed};

const OLD: &str = "a3333333-0000-4000-8000-000000000003";
const NEW: &str = "a4444444-0000-4000-8000-000000000004";
const HQ: &str = "a1111111-0000-4000-8000-000000000001";
const G_ALL: &str = "0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70";
const G_SALES: &str = "1c9a5d2b-7b4f-4e3c-8d2a-3f4e5d6c7b81";
const G_OPS: &str = "2dab6e3c-8c5f-4f4d-9e3b-4a5f6e7d8c92";

fn app(id: &str, name: &str, bundle: &str, token: &str, groups: &[&str]) -> AppSeed {
    AppSeed {
        id: id.into(),
        platform: "ios".into(),
        display_name: name.into(),
        bundle_id: bundle.into(),
        vpp_token_id: token.into(),
        assigned_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        used_license_count: 1,
        total_license_count: 10,
    }
}

/// Three apps present twice at the Warehouse location, one app only on the old token, and an
/// app with the same bundle id at another location (not a duplicate).
fn seed() -> Seed {
    let mut seed = Seed::empty();
    let token = |id: &str, loc: &str, days: f64, state: &str| VppTokenSeed {
        id: id.into(),
        location_name: loc.into(),
        display_name: loc.into(),
        expires_in_days: days,
        state: state.into(),
        ..VppTokenSeed::default()
    };
    seed.vpp_tokens = vec![
        token(HQ, "Headquarters", 180.0, "valid"),
        token(OLD, "Warehouse", -10.0, "expired"),
        token(NEW, "Warehouse", 355.0, "duplicateLocationId"),
    ];
    seed.apps = vec![
        app(
            "a1",
            "Scanner Pro",
            "com.readdle.Scanner",
            OLD,
            &[G_ALL, G_SALES],
        ),
        app("a2", "Scanner Pro", "com.readdle.Scanner", NEW, &[G_SALES]),
        app("b1", "Notes Plus", "com.example.notes", OLD, &[G_ALL]),
        app("b2", "Notes Plus", "com.example.notes", NEW, &[]),
        app("c1", "Maps Pro", "com.example.maps", OLD, &[G_OPS]),
        app("c2", "Maps Pro", "com.example.maps", NEW, &[]),
        app("d1", "Legacy Tool", "com.example.legacy", OLD, &[G_ALL]),
        app("e1", "Scanner Pro", "com.readdle.Scanner", HQ, &[G_OPS]),
    ];
    seed.groups = vec![G_ALL.into(), G_SALES.into(), G_OPS.into()];
    seed
}

fn assign_posts(sim: &SimHandle) -> usize {
    sim.request_log()
        .iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/assign"))
        .count()
}

const APPLY: DuplicateRepairOptions = DuplicateRepairOptions { apply: true };

#[tokio::test]
async fn dry_run_plans_and_writes_nothing() {
    let (sim, client) = common::start(seed()).await;
    let report = repair_duplicate_apps(&client, &DuplicateRepairOptions::default())
        .await
        .unwrap();
    assert!(report.dry_run);
    let by_target: HashMap<_, _> = report
        .apps
        .iter()
        .map(|a| (a.target_app_id.as_str(), a))
        .collect();
    assert_eq!(by_target.len(), 3, "e1 at Headquarters is not a duplicate");
    let scanner = by_target["a2"];
    assert_eq!(scanner.source_app_ids, ["a1"]);
    assert_eq!(scanner.outcome, RepairOutcome::Planned);
    assert_eq!(scanner.to_copy.len(), 1);
    assert_eq!(scanner.to_copy[0].key.to_string(), format!("group {G_ALL}"));
    assert_eq!(
        scanner.already_present.len(),
        1,
        "sales is already on the new app"
    );
    assert_eq!(by_target["b2"].to_copy.len(), 1);
    assert_eq!(by_target["c2"].to_copy.len(), 1);
    assert_eq!(report.orphans.len(), 1);
    assert_eq!(report.orphans[0].app.app_id, "d1");
    assert_eq!(report.orphans[0].assignment_count, Some(1));
    assert_eq!(report.old_tokens.len(), 1);
    let old = &report.old_tokens[0];
    assert_eq!(
        (old.token_id.as_str(), old.replaced_by.as_str()),
        (OLD, NEW)
    );
    assert!(!old.can_delete);
    assert_eq!(old.blockers.len(), 4, "{:?}", old.blockers);
    assert_eq!(sim.writes_applied(), 0);
    assert_eq!(assign_posts(&sim), 0);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["dryRun"], true);
    assert_eq!(json["apps"][0]["outcome"], "planned");
}

async fn run_twice_after(fault: FaultKind) {
    let (sim, client) = common::start(seed()).await;
    // The second app's assign fails once, in the middle of the first run.
    sim.add_fault(
        Fault::new(
            "POST",
            "/beta/deviceAppManagement/mobileApps/b2/assign",
            fault,
        )
        .nth(1),
    );
    let first = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    let outcome = |r: &intune_apple_core::workflows::duplicates::DuplicateRepairReport,
                   id: &str| {
        r.apps
            .iter()
            .find(|a| a.target_app_id == id)
            .unwrap()
            .outcome
    };
    assert_eq!(outcome(&first, "a2"), RepairOutcome::Copied);
    assert_eq!(outcome(&first, "b2"), RepairOutcome::Failed);
    assert_eq!(
        outcome(&first, "c2"),
        RepairOutcome::Copied,
        "one failure does not stop the others"
    );
    let failed = first.apps.iter().find(|a| a.target_app_id == "b2").unwrap();
    assert!(failed.error.is_some());
    assert!(!first.old_tokens[0].can_delete);
    assert!(first.old_tokens[0]
        .blockers
        .iter()
        .any(|b| b.contains("run the repair again")));

    let second = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    assert_eq!(outcome(&second, "a2"), RepairOutcome::NothingToDo);
    assert!(matches!(
        outcome(&second, "b2"),
        RepairOutcome::Copied | RepairOutcome::NothingToDo
    ));
    assert_eq!(outcome(&second, "c2"), RepairOutcome::NothingToDo);
    assert!(
        second.apps.iter().all(|a| a.verified == Some(true)),
        "{:?}",
        second.apps
    );

    // Every assignment copied exactly once; the targets' own kept.
    let a2 = targets(&client, "a2").await;
    assert_eq!(a2.len(), 2);
    assert_eq!(a2[&format!("group {G_ALL}")], 1);
    assert_eq!(a2[&format!("group {G_SALES}")], 1);
    assert_eq!(
        targets(&client, "b2").await,
        HashMap::from([(format!("group {G_ALL}"), 1)])
    );
    assert_eq!(
        targets(&client, "c2").await,
        HashMap::from([(format!("group {G_OPS}"), 1)])
    );
    // The old apps and the app at another location are untouched.
    assert_eq!(targets(&client, "a1").await.len(), 2);
    assert_eq!(
        targets(&client, "e1").await,
        HashMap::from([(format!("group {G_OPS}"), 1)])
    );

    // Only the orphan still blocks the old token.
    let old = &second.old_tokens[0];
    assert!(!old.can_delete);
    assert_eq!(old.blockers.len(), 1, "{:?}", old.blockers);
    assert!(
        old.blockers[0].starts_with("Legacy Tool"),
        "{:?}",
        old.blockers
    );

    // A third run writes nothing.
    let posts = assign_posts(&sim);
    let third = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    assert!(third
        .apps
        .iter()
        .all(|a| a.outcome == RepairOutcome::NothingToDo));
    assert_eq!(assign_posts(&sim), posts);
}

#[tokio::test]
async fn repair_run_twice_after_a_refused_write_copies_everything_exactly_once() {
    run_twice_after(FaultKind::Status { status: 500 }).await;
}

#[tokio::test]
async fn repair_run_twice_after_a_lost_answer_copies_everything_exactly_once() {
    // The write is applied but its answer is lost: the second run must see it and not add it again.
    run_twice_after(FaultKind::ResetAfter).await;
}

#[tokio::test]
async fn demo_tenant_repair_frees_the_old_warehouse_token() {
    let (sim, client) = common::start(Seed::demo()).await;
    let plan = repair_duplicate_apps(&client, &DuplicateRepairOptions::default())
        .await
        .unwrap();
    assert_eq!(plan.apps.len(), 1);
    assert_eq!(plan.apps[0].bundle_id, "com.readdle.Scanner");
    assert_eq!(plan.apps[0].to_copy.len(), 1);
    assert!(!plan.old_tokens[0].can_delete);
    common::round_trips(&plan);
    assert_eq!(sim.writes_applied(), 0);

    let done = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    assert_eq!(done.apps[0].outcome, RepairOutcome::Copied);
    assert_eq!(done.apps[0].verified, Some(true));
    common::round_trips(&done);
    let old = &done.old_tokens[0];
    assert_eq!(old.token_id, OLD);
    assert!(old.can_delete, "{:?}", old.blockers);
    assert!(
        old.next_step.contains("Delete old token"),
        "{}",
        old.next_step
    );
    assert_eq!(sim.writes_applied(), 1);
}

#[tokio::test]
async fn a_conflicting_intent_is_kept_reported_and_blocks_the_old_token() {
    use intune_apple_core::model::{
        AssignmentTarget, GroupAssignmentTarget, InstallIntent, MobileAppAssignment,
    };
    let (sim, client) = common::start(Seed::demo()).await;
    // The current app already offers the group as available; the old app requires it.
    let available = MobileAppAssignment {
        odata_type: Some("#microsoft.graph.mobileAppAssignment".into()),
        intent: Some(InstallIntent::Available),
        target: Some(AssignmentTarget::Group(GroupAssignmentTarget {
            odata_type: Some("#microsoft.graph.groupAssignmentTarget".into()),
            group_id: Some(G_ALL.into()),
            ..GroupAssignmentTarget::default()
        })),
        ..MobileAppAssignment::default()
    };
    let target = "b4444444-0000-4000-8000-000000000004";
    client
        .vpp_apps()
        .assign(target, vec![available])
        .await
        .unwrap();
    let writes = sim.writes_applied();
    let report = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    let app = &report.apps[0];
    assert_eq!(app.outcome, RepairOutcome::NothingToDo);
    assert_eq!(app.conflicts.len(), 1);
    assert_eq!(app.conflicts[0].kept_intent.as_deref(), Some("available"));
    assert_eq!(app.conflicts[0].old_intent.as_deref(), Some("required"));
    common::round_trips(&report);
    assert_eq!(app.verified, Some(true));
    assert_eq!(sim.writes_applied(), writes, "nothing to write");
    let old = &report.old_tokens[0];
    assert!(!old.can_delete);
    assert!(
        old.blockers[0].contains("align them by hand"),
        "{:?}",
        old.blockers
    );
    assert_eq!(
        targets(&client, target).await,
        HashMap::from([(format!("group {G_ALL}"), 1)])
    );
}

#[tokio::test]
async fn a_failed_read_back_after_the_copy_keeps_the_report_and_the_old_token() {
    let (sim, client) = common::start(Seed::demo()).await;
    sim.add_fault(
        Fault::new(
            "GET",
            "/beta/deviceAppManagement/mobileApps/b4444444-0000-4000-8000-000000000004/assignments",
            FaultKind::Status { status: 500 },
        )
        // The third read: after the plan's and the one just before the write.
        .nth(3),
    );
    let report = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    let app = &report.apps[0];
    assert_eq!(app.outcome, RepairOutcome::Copied);
    assert_eq!(app.verified, Some(false));
    assert!(
        app.error.as_deref().unwrap().contains("could not read"),
        "{app:?}"
    );
    assert!(!report.old_tokens[0].can_delete);
    // The next run sees the copy and frees the token.
    let again = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    assert_eq!(again.apps[0].outcome, RepairOutcome::NothingToDo);
    assert!(
        again.old_tokens[0].can_delete,
        "{:?}",
        again.old_tokens[0].blockers
    );
}

#[tokio::test]
async fn an_unreadable_app_is_recorded_and_the_run_goes_on() {
    let (sim, client) = common::start(seed()).await;
    // The old Notes Plus app's assignments cannot be read; the orphan's neither.
    for app in ["b1", "d1"] {
        sim.add_fault(Fault::new(
            "GET",
            &format!("/beta/deviceAppManagement/mobileApps/{app}/assignments"),
            FaultKind::Status { status: 500 },
        ));
    }
    let report = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    let by_target: HashMap<_, _> = report
        .apps
        .iter()
        .map(|a| (a.target_app_id.as_str(), a))
        .collect();
    assert_eq!(by_target["b2"].outcome, RepairOutcome::Unread);
    assert!(by_target["b2"]
        .error
        .as_deref()
        .unwrap()
        .contains("nothing was planned or written"));
    assert_eq!(
        by_target["a2"].outcome,
        RepairOutcome::Copied,
        "the others go on"
    );
    assert_eq!(by_target["c2"].outcome, RepairOutcome::Copied);
    assert_eq!(report.orphans[0].assignment_count, None);
    assert!(report.orphans[0].error.is_some());
    let old = &report.old_tokens[0];
    assert!(!old.can_delete);
    assert!(
        old.blockers
            .iter()
            .any(|b| b.starts_with("Notes Plus") && b.contains("could not be read")),
        "{:?}",
        old.blockers
    );
    assert!(
        old.blockers
            .iter()
            .any(|b| b.starts_with("Legacy Tool") && b.contains("could not be read")),
        "{:?}",
        old.blockers
    );
    assert!(
        targets(&client, "b2").await.is_empty(),
        "nothing written to b2"
    );
}

#[tokio::test]
async fn a_change_made_during_the_repair_is_not_overwritten() {
    let (sim, client) = common::start(seed()).await;
    let sim = std::sync::Arc::new(sim);
    // The second read of Maps Pro's new app (the one just before its write) waits, and an admin
    // assigns it to the sales group meanwhile.
    let path = "/beta/deviceAppManagement/mobileApps/c2/assignments";
    sim.add_fault(Fault::new("GET", path, FaultKind::Delay { ms: 1500 }).nth(2));
    let admin = client.clone();
    let sales: intune_apple_core::model::MobileAppAssignment =
        serde_json::from_value(serde_json::json!({
            "intent": "available",
            "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": G_SALES}
        }))
        .unwrap();
    let log = std::sync::Arc::clone(&sim);
    let meanwhile = tokio::spawn(async move {
        // Once the plan's read of the app is answered (the next one, just before the write, is
        // held for 1.5 s), change the app under the repair's feet.
        loop {
            let reads = log
                .request_log()
                .iter()
                .filter(|e| e.method == "GET" && e.path.starts_with(path))
                .count();
            if reads >= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        admin.vpp_apps().assign("c2", vec![sales]).await.unwrap();
    });
    let report = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    meanwhile.await.unwrap();
    let maps = report
        .apps
        .iter()
        .find(|a| a.target_app_id == "c2")
        .unwrap();
    assert_eq!(maps.outcome, RepairOutcome::ChangedMeanwhile, "{maps:?}");
    assert!(maps.before.is_empty(), "c2 had no assignment when planned");
    assert_eq!(maps.verified, None);
    // The admin's change stands; the planned copy was not written over it.
    assert_eq!(
        targets(&client, "c2").await,
        HashMap::from([(format!("group {G_SALES}"), 1)])
    );
    assert!(report.old_tokens[0]
        .blockers
        .iter()
        .any(|b| b.starts_with("Maps Pro") && b.contains("changed during the repair")));
    // The next run plans from what is there now, keeps the admin's assignment and adds the copy.
    let again = repair_duplicate_apps(&client, &APPLY).await.unwrap();
    let maps = again.apps.iter().find(|a| a.target_app_id == "c2").unwrap();
    assert_eq!(maps.outcome, RepairOutcome::Copied);
    assert_eq!(maps.before.len(), 1);
    assert_eq!(maps.verified, Some(true));
    assert_eq!(targets(&client, "c2").await.len(), 2);
}
