//! Enrollment profiles as code against three simulated tenants, over real HTTP: drift, a plan,
//! an apply that makes exactly the planned writes once, a refused write in the middle, a lost
//! answer, and a setting that cannot be PATCHed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use futures::TryStreamExt as _;
use intune_apple_core::graph::Client;
use intune_apple_core::model::EnrollmentProfile;
use intune_apple_core::rules::profile_template::{
    parse_template, DriftStatus, ExportOptions, ProfileTemplate, WriteKind,
};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_templates::{
    apply_profile_template, export_profile_template, plan_profile_apply, profile_drift,
    ApplyOptions, ProfileDriftReport, TemplateValues, TokenSelection, WriteOutcome,
};
use intune_apple_core::workflows::report::TenantTarget;
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle};

const FABRIKAM_TOKEN: &str = "f2000001-0000-4000-8000-000000000001";
const FABRIKAM_IPHONE: &str =
    "f2000001-0000-4000-8000-000000000001_b2000001-0000-4000-8000-000000000001";
const TAILSPIN_TOKEN: &str = "f3000001-0000-4000-8000-000000000001";

struct Fleet {
    sims: Vec<SimHandle>,
    targets: Vec<TenantTarget>,
}

async fn fleet_of(seeds: Vec<(&str, Seed)>) -> Fleet {
    let mut sims = Vec::new();
    let mut targets = Vec::new();
    for (name, seed) in seeds {
        let (sim, client) = common::start(seed).await;
        sims.push(sim);
        targets.push(TenantTarget {
            name: name.into(),
            client,
        });
    }
    Fleet { sims, targets }
}

async fn fleet() -> Fleet {
    fleet_of(vec![
        ("northwind", Seed::fleet_matching()),
        ("fabrikam", Seed::fleet_drifted()),
        ("tailspin", Seed::fleet_missing()),
    ])
    .await
}

fn template() -> ProfileTemplate {
    parse_template(Seed::FLEET_TEMPLATE).unwrap()
}

fn values() -> TemplateValues {
    TemplateValues::from_json(Seed::FLEET_VALUES).unwrap()
}

async fn profiles_of(client: &Client, token: &str) -> Vec<EnrollmentProfile> {
    client
        .enrollment_profiles(token)
        .list()
        .try_collect()
        .await
        .unwrap()
}

fn statuses(r: &ProfileDriftReport) -> Vec<(String, DriftStatus)> {
    r.tenants
        .iter()
        .flat_map(|t| {
            t.tokens
                .iter()
                .map(move |k| (t.tenant.clone(), k.assessment.status))
        })
        .collect()
}

#[tokio::test]
async fn drift_across_tenants_finds_the_matching_the_drifted_and_the_missing_profile() {
    let f = fleet().await;
    let report = profile_drift(&f.targets, &template(), &values(), &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(
        statuses(&report),
        [
            ("northwind".to_string(), DriftStatus::Matching),
            ("northwind".to_string(), DriftStatus::Matching),
            ("fabrikam".to_string(), DriftStatus::Drifted),
            ("tailspin".to_string(), DriftStatus::Missing),
        ]
    );
    assert_eq!(report.exit_code(), 1);

    // Exactly the three settings that differ, with both values (the template's resolved for
    // fabrikam).
    let fab = &report.tenants[1].tokens[0].assessment;
    let diffs: Vec<(&str, String, String)> = fab
        .differences
        .iter()
        .map(|d| {
            (
                d.setting.as_str(),
                d.template.to_string(),
                d.tenant.to_string(),
            )
        })
        .collect();
    assert_eq!(
        diffs,
        [
            (
                "deviceNameTemplate",
                "\"FAB-{{SERIAL}}\"".into(),
                "\"{{SERIAL}}\"".into()
            ),
            ("profileRemovalDisabled", "true".into(), "false".into()),
            (
                "supportDepartment",
                "\"IT Operations\"".into(),
                "\"Helpdesk\"".into()
            ),
        ]
    );
    assert!(fab.differences.iter().all(|d| d.patchable));
    assert_eq!(fab.profile_id.as_deref(), Some(FABRIKAM_IPHONE));
    // The settings the template leaves open are listed with the tenant's value.
    let open: Vec<&str> = fab
        .open_settings
        .iter()
        .map(|o| o.setting.as_str())
        .collect();
    assert!(
        open.contains(&"appleIdDisabled") && open.contains(&"awaitDeviceConfiguredConfirmation"),
        "{open:?}"
    );
    assert!(
        !open.contains(&"supportPhoneNumber") && !open.contains(&"id"),
        "{open:?}"
    );

    // The settings-catalog policies are skipped, with the reason, not failed.
    for token in &report.tenants[0].tokens {
        assert_eq!(token.assessment.skipped.len(), 1);
        assert!(token.assessment.skipped[0].profile_id.starts_with("ECV2_"));
        assert!(token.assessment.skipped[0]
            .reason
            .contains("settings-catalog"));
    }

    // Renderers: every format names the drift; the JSON reads back.
    let table = report.to_table();
    assert!(
        table.contains("supportDepartment: template IT Operations / tenant Helpdesk"),
        "{table}"
    );
    assert!(table.contains("missing"), "{table}");
    let markdown = report.to_markdown();
    assert!(
        markdown.contains(
            "| fabrikam | Fabrikam ABM | drifted | `profileRemovalDisabled` | true | false |"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("### Not compared"), "{markdown}");
    assert!(report
        .to_html()
        .contains("<td>tailspin</td><td>Tailspin ABM</td><td>missing</td>"));
    assert_eq!(
        ProfileDriftReport::from_json(&report.to_json()).unwrap(),
        report
    );
    // Drift only reads.
    assert!(f.sims.iter().all(|s| s.writes_applied() == 0));
}

#[tokio::test]
async fn the_plan_lists_exactly_the_writes_and_the_apply_makes_them_once() {
    let f = fleet().await;
    let (t, v) = (template(), values());
    let plan = plan_profile_apply(&f.targets, &t, &v, &TokenSelection::All)
        .await
        .unwrap();
    let lines: Vec<(&str, WriteKind, Vec<String>)> = plan
        .writes
        .iter()
        .map(|l| (l.tenant.as_str(), l.write.kind, l.write.settings.clone()))
        .collect();
    assert_eq!(lines.len(), 3, "{}", plan.to_table());
    assert_eq!(
        lines[0],
        (
            "fabrikam",
            WriteKind::Patch,
            vec![
                "deviceNameTemplate".into(),
                "profileRemovalDisabled".into(),
                "supportDepartment".into()
            ]
        )
    );
    assert_eq!((lines[1].0, lines[1].1), ("tailspin", WriteKind::Create));
    assert_eq!(
        (lines[2].0, lines[2].1),
        ("tailspin", WriteKind::SetDefault)
    );
    assert_eq!(plan.exit_code(), 1);
    assert!(plan
        .to_markdown()
        .contains("| 1 | fabrikam | Fabrikam ABM | patch |"));
    // A plan is the default of an apply, and writes nothing.
    let dry = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions::default(),
    )
    .await
    .unwrap();
    assert!(!dry.applied);
    assert_eq!(dry.counts(), (0, 0, 3));
    assert_eq!(dry.exit_code(), 1);
    assert!(f.sims.iter().all(|s| s.writes_applied() == 0));

    let report = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    assert_eq!(report.counts(), (3, 0, 0), "{}", report.to_table());
    assert!(report.complete);
    assert_eq!(report.exit_code(), 0);
    let made: Vec<(&str, WriteKind)> = report
        .writes
        .iter()
        .map(|w| (w.line.tenant.as_str(), w.line.write.kind))
        .collect();
    assert_eq!(
        made,
        [
            ("fabrikam", WriteKind::Patch),
            ("tailspin", WriteKind::Create),
            ("tailspin", WriteKind::SetDefault)
        ]
    );
    assert_eq!(f.sims[0].writes_applied(), 0);
    assert_eq!(f.sims[1].writes_applied(), 1);
    assert_eq!(f.sims[2].writes_applied(), 2);

    // The created profile has the template's settings, resolved for tailspin, and is default.
    let created: Vec<_> = profiles_of(&f.targets[2].client, TAILSPIN_TOKEN)
        .await
        .into_iter()
        .filter(|p| p.display_name() == Some("Corporate iPhone"))
        .collect();
    assert_eq!(created.len(), 1);
    let EnrollmentProfile::DepIos(p) = &created[0] else {
        panic!("not iOS")
    };
    assert_eq!(p.device_name_template.as_deref(), Some("TS-{{SERIAL}}"));
    assert_eq!(p.support_phone_number.as_deref(), Some("+1 555 0100"));
    assert_eq!(p.is_default, Some(true));

    // A second apply writes nothing; the drift is gone.
    let again = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    assert!(again.writes.is_empty(), "{}", again.to_table());
    assert!(again.complete);
    assert_eq!(f.sims.iter().map(SimHandle::writes_applied).sum::<u64>(), 3);
    let drift = profile_drift(&f.targets, &t, &v, &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(drift.exit_code(), 0, "{}", drift.to_table());
    common::round_trips(&report);
    common::round_trips(&plan);
}

#[tokio::test]
async fn a_refused_write_in_the_middle_leaves_a_report_of_what_was_done_and_what_was_not() {
    let f = fleet().await;
    let (t, v) = (template(), values());
    f.sims[2].add_fault(Fault::new(
        "POST",
        &format!(
            "/beta/deviceManagement/depOnboardingSettings/{TAILSPIN_TOKEN}/enrollmentProfiles"
        ),
        FaultKind::Status { status: 403 },
    ));
    let report = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    let outcomes: Vec<(&str, WriteKind, WriteOutcome)> = report
        .writes
        .iter()
        .map(|w| (w.line.tenant.as_str(), w.line.write.kind, w.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("fabrikam", WriteKind::Patch, WriteOutcome::Done),
            ("tailspin", WriteKind::Create, WriteOutcome::Failed),
            (
                "tailspin",
                WriteKind::SetDefault,
                WriteOutcome::NotAttempted
            ),
        ]
    );
    assert!(!report.complete);
    assert_eq!(report.exit_code(), 2);
    assert!(
        report.writes[1]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("403") || d.to_lowercase().contains("permission")),
        "{:?}",
        report.writes[1].detail
    );
    let text = report.to_table();
    assert!(
        text.contains("1 write(s) done, 1 failed, 1 not attempted"),
        "{text}"
    );
    assert!(
        text.contains("[FAILED] tailspin / Tailspin ABM: create"),
        "{text}"
    );
    assert!(
        text.contains("[not attempted] tailspin / Tailspin ABM: set default"),
        "{text}"
    );
    assert_eq!(f.sims[2].writes_applied(), 0);
    common::round_trips(&report);

    // Once the cause is gone, the next apply makes only what is left.
    f.sims[2].clear_faults();
    let next = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    let kinds: Vec<(&str, WriteKind)> = next
        .writes
        .iter()
        .map(|w| (w.line.tenant.as_str(), w.line.write.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("tailspin", WriteKind::Create),
            ("tailspin", WriteKind::SetDefault)
        ]
    );
    assert!(next.complete);
    assert_eq!(
        f.sims[1].writes_applied(),
        1,
        "the PATCH was not made twice"
    );
}

#[tokio::test]
async fn a_lost_create_answer_is_read_back_and_never_resent() {
    let f = fleet_of(vec![("tailspin", Seed::fleet_missing())]).await;
    let path =
        format!("/beta/deviceManagement/depOnboardingSettings/{TAILSPIN_TOKEN}/enrollmentProfiles");
    f.sims[0].add_fault(Fault::new("POST", &path, FaultKind::ResetAfter).nth(1));
    let report = apply_profile_template(
        &f.targets,
        &template(),
        &values(),
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    assert_eq!(report.counts(), (2, 0, 0), "{}", report.to_table());
    assert!(report.writes[0]
        .detail
        .as_deref()
        .is_some_and(|d| d.contains("answer was lost")));
    let posts = f.sims[0]
        .request_log()
        .iter()
        .filter(|e| e.method == "POST" && e.path.split('?').next() == Some(path.as_str()))
        .count();
    assert_eq!(posts, 1);
    let named = profiles_of(&f.targets[0].client, TAILSPIN_TOKEN)
        .await
        .into_iter()
        .filter(|p| p.display_name() == Some("Corporate iPhone"))
        .count();
    assert_eq!(named, 1);
}

#[tokio::test]
async fn a_setting_that_cannot_be_patched_gets_a_new_profile_that_takes_the_default_and_the_devices(
) {
    // Fabrikam's profile enrols without user affinity: that cannot be PATCHed.
    let mut seed = Seed::fleet_drifted();
    seed.dep_tokens[0].profiles[0].settings.insert(
        "requiresUserAuthentication".into(),
        serde_json::json!(false),
    );
    let f = fleet_of(vec![("fabrikam", seed)]).await;
    let client = &f.targets[0].client;
    let serials = ["F20000000001".to_string(), "F20000000002".to_string()];
    for b in client
        .enrollment_profiles(FABRIKAM_TOKEN)
        .assign_devices(FABRIKAM_IPHONE, &serials)
        .await
    {
        b.result.unwrap();
    }
    let (t, v) = (template(), values());
    let plan = plan_profile_apply(&f.targets, &t, &v, &TokenSelection::All)
        .await
        .unwrap();
    let kinds: Vec<WriteKind> = plan.writes.iter().map(|l| l.write.kind).collect();
    assert_eq!(
        kinds,
        [
            WriteKind::CreateReplacement,
            WriteKind::SetDefault,
            WriteKind::MoveDevices,
            WriteKind::RenameReplaced,
            WriteKind::RenameReplacement,
        ],
        "{}",
        plan.to_table()
    );
    assert!(plan.writes[0]
        .write
        .description
        .contains("requiresUserAuthentication cannot be changed"));
    let diff = &plan.drift.tenants[0].tokens[0].assessment.differences;
    assert!(diff
        .iter()
        .any(|d| d.setting == "requiresUserAuthentication" && !d.patchable));

    // The apply stops half-way (the rename of the old profile is refused) ...
    f.sims[0].add_fault(
        Fault::new(
            "PATCH",
            &format!("/beta/deviceManagement/depOnboardingSettings/{FABRIKAM_TOKEN}/enrollmentProfiles/{FABRIKAM_IPHONE}"),
            FaultKind::Status { status: 403 },
        )
        .nth(1),
    );
    let first = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    let outcomes: Vec<(WriteKind, WriteOutcome)> = first
        .writes
        .iter()
        .map(|w| (w.line.write.kind, w.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (WriteKind::CreateReplacement, WriteOutcome::Done),
            (WriteKind::SetDefault, WriteOutcome::Done),
            (WriteKind::MoveDevices, WriteOutcome::Done),
            (WriteKind::RenameReplaced, WriteOutcome::Failed),
            (WriteKind::RenameReplacement, WriteOutcome::NotAttempted),
        ],
        "{}",
        first.to_table()
    );
    // ... and the next apply completes it without creating or moving anything again.
    let drift = profile_drift(&f.targets, &t, &v, &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(
        drift.tenants[0].tokens[0].assessment.status,
        DriftStatus::Incomplete
    );
    let second = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    let kinds: Vec<WriteKind> = second.writes.iter().map(|w| w.line.write.kind).collect();
    assert_eq!(
        kinds,
        [WriteKind::RenameReplaced, WriteKind::RenameReplacement],
        "{}",
        second.to_table()
    );
    assert!(second.complete);

    let profiles = profiles_of(client, FABRIKAM_TOKEN).await;
    let by_name = |n: &str| {
        profiles
            .iter()
            .find(|p| p.display_name() == Some(n))
            .unwrap()
    };
    let new = by_name("Corporate iPhone");
    let EnrollmentProfile::DepIos(p) = new else {
        panic!("not iOS")
    };
    assert_ne!(p.id.as_deref(), Some(FABRIKAM_IPHONE));
    assert_eq!(
        (p.is_default, p.requires_user_authentication),
        (Some(true), Some(true))
    );
    assert_eq!(
        by_name("Corporate iPhone (replaced)").id(),
        Some(FABRIKAM_IPHONE)
    );
    for s in &serials {
        let d: Vec<_> = client
            .imported_devices(FABRIKAM_TOKEN)
            .find_by_serial(s)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            d[0].requested_enrollment_profile_id.as_deref(),
            p.id.as_deref()
        );
    }
    let third = apply_profile_template(
        &f.targets,
        &t,
        &v,
        &TokenSelection::All,
        &ApplyOptions { apply: true },
    )
    .await
    .unwrap();
    assert!(
        third.writes.is_empty() && third.complete,
        "{}",
        third.to_table()
    );
}

#[tokio::test]
async fn a_wrong_template_is_refused_with_every_issue_before_any_call() {
    let f = fleet().await;
    let t = parse_template(
        r#"{"platform": "ios", "displayName": "Corporate iPhone", "settings": {
            "supervisedModeEnabled": false, "profileRemovalDisabled": true,
            "supportPhone": "x", "id": "abc", "deviceNameTemplate": "${prefix"}}"#,
    )
    .unwrap();
    let err = profile_drift(&f.targets, &t, &values(), &TokenSelection::All)
        .await
        .unwrap_err();
    let WorkflowError::InvalidTemplate { issues } = &err else {
        panic!("{err}")
    };
    let mut paths: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.code.as_str(), i.path.as_str()))
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            ("FORBIDDEN", "settings.id"),
            ("I1", "settings.profileRemovalDisabled"),
            ("PLACEHOLDER", "settings.deviceNameTemplate"),
            ("UNKNOWN_SETTING", "settings.supportPhone"),
        ]
    );
    assert_eq!(err.code(), "invalid_template");
    assert!(err.to_string().contains("nothing was changed"));
    assert!(f.sims.iter().all(|s| s.request_log().is_empty()));
    // A JSON that is not a template names what is wrong.
    let bad = parse_template(r#"{"platform": "android", "displayName": "x"}"#).unwrap_err();
    assert!(bad.message.contains("android"), "{}", bad.message);
}

#[tokio::test]
async fn a_tenant_without_a_value_is_reported_and_the_others_still_checked() {
    let f = fleet().await;
    let v = TemplateValues::from_json(
        r#"{"tenants": {"northwind": {"name_prefix": "NW"}, "fabrikam": {"name_prefix": "FAB"}}}"#,
    )
    .unwrap();
    let report = profile_drift(&f.targets, &template(), &v, &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(report.exit_code(), 2);
    // support_phone has no value anywhere: every tenant's template does not resolve ...
    let tail = &report.tenants[2];
    assert!(
        tail.issues
            .iter()
            .any(|i| i.code == "PLACEHOLDER" && i.path == "settings.deviceNameTemplate"),
        "{:?}",
        tail.issues
    );
    assert!(tail
        .issues
        .iter()
        .any(|i| i.path == "settings.supportPhoneNumber"));
    assert_eq!(tail.tokens[0].assessment.status, DriftStatus::Error);
    // ... and an unknown token is an error of that tenant only.
    let one = profile_drift(
        &f.targets[..2],
        &template(),
        &values(),
        &TokenSelection::Only(vec!["Northwind ABM".into()]),
    )
    .await
    .unwrap();
    assert_eq!(one.tenants[0].tokens.len(), 1);
    assert_eq!(
        one.tenants[0].tokens[0].assessment.status,
        DriftStatus::Matching
    );
    assert!(one.tenants[1]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("Northwind ABM")));
    assert_eq!(one.exit_code(), 2);
}

#[tokio::test]
async fn an_exported_template_matches_its_source_and_carries_the_tenant_values() {
    let f = fleet().await;
    let northwind = &f.targets[0].client;
    let token = "f1000001-0000-4000-8000-000000000001";
    let exported = export_profile_template(
        northwind,
        token,
        "f1000001-0000-4000-8000-000000000001_a1000001-0000-4000-8000-000000000001",
        &ExportOptions::default(),
    )
    .await
    .unwrap();
    let t = &exported.template;
    assert_eq!(
        (t.display_name.as_str(), t.default),
        ("Corporate iPhone", Some(true))
    );
    assert_eq!(t.settings["supportPhoneNumber"], "${support_phone}");
    assert_eq!(t.settings["supportDepartment"], "${support_department}");
    assert_eq!(exported.values["support_phone"], "+1 555 0100");
    for left_out in ["id", "isDefault", "configurationEndpointUrl", "displayName"] {
        assert!(!t.settings.contains_key(left_out), "{left_out}");
    }
    // The file reads back, and holds no drift against its source tenant.
    let back = parse_template(&t.to_json()).unwrap();
    let values = TemplateValues {
        tenants: [("northwind".to_string(), exported.values.clone())].into(),
        ..TemplateValues::default()
    };
    let drift = profile_drift(&f.targets[..1], &back, &values, &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(drift.exit_code(), 0, "{}", drift.to_table());
    // The other tenant has drifted from it: deviceNameTemplate, support values, locked enrollment.
    let fab_values = TemplateValues {
        defaults: exported.values.clone(),
        ..TemplateValues::default()
    };
    let fab = profile_drift(&f.targets[1..2], &back, &fab_values, &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(
        fab.tenants[0].tokens[0].assessment.status,
        DriftStatus::Drifted
    );
    // A settings-catalog policy is not exported, with the reason.
    let err = export_profile_template(
        northwind,
        token,
        "ECV2_f1000001-0000-4000-8000-000000000001_a1000001-0000-4000-8000-000000000002",
        &ExportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("settings-catalog"), "{err}");
}

#[tokio::test]
async fn the_apple_configurator_key_is_not_a_token_to_compare() {
    // Real tenants list the key of their Apple Configurator profiles among the tokens.
    let mut seed = Seed::fleet_matching();
    seed.apple_configurator_key = Some("0c3f5a3e-0000-4000-8000-00000000ac01".into());
    let f = fleet_of(vec![("northwind", seed)]).await;
    let listed: Vec<intune_apple_core::model::DepOnboardingSetting> = f.targets[0]
        .client
        .enrollment_program_tokens()
        .list()
        .try_collect()
        .await
        .unwrap();
    assert!(listed
        .iter()
        .any(intune_apple_core::rules::setup::is_apple_configurator_key));
    let report = profile_drift(&f.targets, &template(), &values(), &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(report.exit_code(), 0, "{}", report.to_table());
}
