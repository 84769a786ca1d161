//! The tenant health report against the simulated tenant, over real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use intune_apple_core::clock::{BoxFuture, ManualClock};
use intune_apple_core::graph::credentials::TokenRequestContext;
use intune_apple_core::graph::{
    AccessToken, Client, ClientSecretCredential, Credential, CredentialError,
};
use intune_apple_core::rules::health::{Severity, TokenKind};
use intune_apple_core::rules::Locale;
use intune_apple_core::workflows::report::{
    health_report, scan_exit_code, scan_tenants, HealthReport, ReportItem, ReportOptions,
    TenantTarget,
};
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle, Simulator};
use serde_json::Value;

const PUSH_TOPIC: &str = "com.apple.mgmt.External.7c3a3b5e-1d2f-4e8a-9b6c-0f1e2d3c4b5a";
const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const DEP_TERMS: &str = "d2222222-0000-4000-8000-000000000002";
const VPP_HQ: &str = "a1111111-0000-4000-8000-000000000001";
const VPP_TRAINING: &str = "a2222222-0000-4000-8000-000000000002";
const VPP_WAREHOUSE: &str = "a3333333-0000-4000-8000-000000000003";
const VPP_RENEWED: &str = "a4444444-0000-4000-8000-000000000004";

/// A tenant where everything is fine.
const HEALTHY: &str = r#"{
  "pushCertificate": {"expiresInDays": 200},
  "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM", "expiresInDays": 300,
                 "lastSyncTriggeredHoursAgo": 2}],
  "vppTokens": [{"id": "a9999999-0000-4000-8000-000000000009", "organizationName": "Contoso",
                 "locationName": "Main", "displayName": "Main", "expiresInDays": 250, "state": "valid"}]
}"#;

/// A tenant whose only concern is a VPP token in the warning window.
const ONE_WARNING: &str = r#"{
  "pushCertificate": {"expiresInDays": 200},
  "vppTokens": [{"id": "a8888888-0000-4000-8000-000000000008", "organizationName": "Contoso",
                 "locationName": "Branch", "displayName": "Branch", "expiresInDays": 12.5, "state": "valid"}]
}"#;

async fn setup(seed: Seed) -> (SimHandle, Client) {
    common::start(seed).await
}

fn with_apps() -> ReportOptions {
    ReportOptions {
        include_apps: true,
        ..ReportOptions::default()
    }
}

fn codes(item: &ReportItem) -> Vec<&str> {
    item.problems.iter().map(|p| p.code.as_str()).collect()
}

fn by_id(report: &HealthReport) -> BTreeMap<&str, &ReportItem> {
    report.items.iter().map(|i| (i.id.as_str(), i)).collect()
}

#[tokio::test]
async fn demo_report_lists_exactly_the_planted_problems() {
    let (sim, client) = setup(Seed::demo()).await;
    let report = health_report(&client, &with_apps()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items.len(), 7);
    let items = by_id(&report);
    let expect: [(&str, TokenKind, Severity, &[&str]); 7] = [
        (
            VPP_WAREHOUSE,
            TokenKind::VppToken,
            Severity::Expired,
            &[
                "vpp.expired",
                "vpp.state_expired",
                "vpp.apps_on_expired_token",
                "vpp.duplicate_apps",
            ],
        ),
        (
            VPP_RENEWED,
            TokenKind::VppToken,
            Severity::Critical,
            &["vpp.duplicate_location", "vpp.duplicate_apps"],
        ),
        (
            PUSH_TOPIC,
            TokenKind::PushCertificate,
            Severity::Warning,
            &["push.expiring"],
        ),
        (
            DEP_TERMS,
            TokenKind::EnrollmentProgramToken,
            Severity::Critical,
            // "Retail kiosk iPad" installs the Company Portal through the expired Warehouse.
            &[
                "dep.company_portal_token",
                "dep.sync_error_terms",
                "dep.sync_stale",
            ],
        ),
        // 48 of 50 Company Portal licences used, installed by "Retail iPad".
        (
            VPP_TRAINING,
            TokenKind::VppToken,
            Severity::Critical,
            &["vpp.company_portal_licences"],
        ),
        (VPP_HQ, TokenKind::VppToken, Severity::Ok, &[]),
        (
            DEP_MAIN,
            TokenKind::EnrollmentProgramToken,
            Severity::Ok,
            &[],
        ),
    ];
    for (id, kind, severity, want) in expect {
        let item = items.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(item.kind, kind, "{id}");
        assert_eq!(item.severity, severity, "{id}");
        assert_eq!(codes(item), want, "{id}");
        assert!(
            !item.consequence.is_empty() && !item.renewal.is_empty(),
            "{id}"
        );
    }
    // Most urgent first, in exactly the order above.
    let order: Vec<&str> = report.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        order,
        [
            VPP_WAREHOUSE,
            VPP_TRAINING,
            DEP_TERMS,
            VPP_RENEWED,
            PUSH_TOPIC,
            VPP_HQ,
            DEP_MAIN
        ]
    );
    let push = items[PUSH_TOPIC];
    assert_eq!(push.name.as_deref(), Some(PUSH_TOPIC));
    assert_eq!(push.apple_id.as_deref(), Some("admin@contoso.example"));
    // 20 days from the seed's start, seen from the report's whole second.
    assert!(
        matches!(push.days_left, Some(19 | 20)),
        "{:?}",
        push.days_left
    );
    assert!(push
        .renewal
        .iter()
        .any(|s| s.contains("admin@contoso.example")));
    assert_eq!(items[VPP_WAREHOUSE].days_left, Some(-10));
    assert_eq!(report.as_of, report.generated_at);
    assert_eq!(report.overall(), Severity::Expired);
    assert_eq!(report.exit_code(), 2);
    // Four sections, four listings: the report reads and never writes.
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn apps_are_read_only_when_asked() {
    let (sim, client) = setup(Seed::demo()).await;
    let report = health_report(&client, &ReportOptions::default()).await;
    let items = by_id(&report);
    assert_eq!(
        codes(items[VPP_WAREHOUSE]),
        ["vpp.expired", "vpp.state_expired"]
    );
    assert_eq!(codes(items[VPP_RENEWED]), ["vpp.duplicate_location"]);
    assert!(
        !sim.request_log()
            .iter()
            .any(|e| e.path.contains("mobileApps")),
        "no app listing without include_apps"
    );
}

#[tokio::test]
async fn a_forbidden_section_becomes_an_error_and_the_others_stay() {
    let (sim, client) = setup(Seed::demo()).await;
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Status { status: 403 },
    ));
    let report = health_report(&client, &with_apps()).await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    assert_eq!(e.section, "vppTokens");
    assert_eq!(e.code, "forbidden");
    assert!(
        e.message.starts_with("Could not read the VPP tokens"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("DeviceManagementServiceConfig.Read"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("admin consent"),
        "says what to do: {}",
        e.message
    );
    let kinds: BTreeSet<_> = report.items.iter().map(|i| i.kind.code()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["enrollment_program_token", "push_certificate"])
    );
    assert_eq!(report.items.len(), 3);
    assert_eq!(report.exit_code(), 2);
}

#[tokio::test]
async fn a_server_failing_forever_on_one_section_does_not_sink_the_report() {
    let (sim, client) = setup(Seed::demo()).await;
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceManagement/applePushNotificationCertificate",
        FaultKind::Status { status: 503 },
    ));
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/mobileApps",
        FaultKind::Status { status: 500 },
    ));
    let report = health_report(&client, &with_apps()).await;
    let sections: Vec<(&str, &str)> = report
        .errors
        .iter()
        .map(|e| (e.section.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        sections,
        [("pushCertificate", "server"), ("vppApps", "server")]
    );
    // Tokens are all there; without the apps, no app problems.
    assert_eq!(report.items.len(), 6);
    assert!(report
        .items
        .iter()
        .all(|i| i.kind != TokenKind::PushCertificate));
    assert_eq!(
        codes(by_id(&report)[VPP_RENEWED]),
        ["vpp.duplicate_location"]
    );
    assert_eq!(report.overall(), Severity::Expired);
    let md = report.to_markdown();
    assert!(md.contains("## Sections that could not be read"), "{md}");
    assert!(md.contains("**pushCertificate** (`server`)"), "{md}");
    assert!(report.to_table(false).contains("ERROR vppApps (server)"));
}

#[tokio::test]
async fn as_of_and_thresholds_change_severities() {
    let (sim, client) = setup(Seed::demo()).await;
    let in_25_days = sim.now() + Duration::days(25);
    let report = health_report(
        &client,
        &ReportOptions {
            as_of: Some(in_25_days),
            ..ReportOptions::default()
        },
    )
    .await;
    assert_eq!(report.as_of, in_25_days);
    assert!(report.generated_at < in_25_days);
    let items = by_id(&report);
    let push = items[PUSH_TOPIC];
    assert_eq!(push.severity, Severity::Expired);
    assert_eq!(codes(push), ["push.grace_period"]);
    let training = items[VPP_TRAINING];
    assert_eq!(training.severity, Severity::Warning);
    assert_eq!(training.days_left, Some(19)); // 45 - 25 days, minus the moments since the seed
    assert_eq!(codes(training), ["vpp.expiring"]);
    // Syncs are judged now, not in 25 days: the healthy tokens stay healthy.
    assert_eq!(items[DEP_MAIN].severity, Severity::Ok);
    assert_eq!(items[VPP_HQ].severity, Severity::Ok);
    // In the past, everything is judged then: a month ago, the seed's last syncs had not
    // happened yet, and the Warehouse token had 20 days left.
    let report = health_report(
        &client,
        &ReportOptions {
            as_of: Some(sim.now() - Duration::days(30)),
            ..ReportOptions::default()
        },
    )
    .await;
    let items = by_id(&report);
    assert_eq!(items[VPP_WAREHOUSE].days_left, Some(19));
    assert!(codes(items[VPP_WAREHOUSE]).contains(&"vpp.expiring"));

    // 60 days of warning for VPP tokens: Training Center (45 days) is already a warning today.
    let mut options = ReportOptions::default();
    options.thresholds.vpp_token.warning_days = 60;
    let report = health_report(&client, &options).await;
    assert_eq!(by_id(&report)[VPP_TRAINING].severity, Severity::Warning);
    // And 50 days of critical: critical.
    options.thresholds.vpp_token.critical_days = 50;
    let report = health_report(&client, &options).await;
    assert_eq!(by_id(&report)[VPP_TRAINING].severity, Severity::Critical);
}

#[tokio::test]
async fn french_report() {
    let (_sim, client) = setup(Seed::demo()).await;
    let report = health_report(
        &client,
        &ReportOptions {
            locale: Locale::Fr,
            include_apps: true,
            ..ReportOptions::default()
        },
    )
    .await;
    let w = by_id(&report)[VPP_WAREHOUSE];
    assert!(
        w.consequence.starts_with("Les applications"),
        "{}",
        w.consequence
    );
    assert!(w
        .problems
        .iter()
        .any(|p| p.message.contains("jeton expiré")));
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| DateTime::parse_from_rfc3339(s).is_ok() && s.ends_with('Z'))
}

#[tokio::test]
async fn json_has_exactly_the_documented_shape() {
    let (sim, client) = setup(Seed::demo()).await;
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceManagement/depOnboardingSettings",
        FaultKind::Status { status: 403 },
    ));
    let report = health_report(&client, &with_apps()).await;
    let json = report.to_json();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        keys(&v),
        BTreeSet::from(["generatedAt", "asOf", "items", "errors"])
    );
    assert!(is_rfc3339(&v["generatedAt"]) && is_rfc3339(&v["asOf"]));
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    for item in items {
        let mut expected = BTreeSet::from([
            "kind",
            "id",
            "name",
            "appleId",
            "expiresAt",
            "daysLeft",
            "severity",
            "problems",
            "consequence",
            "renewal",
        ]);
        // Tokens carry their sync facts; the push certificate does not sync.
        if item["kind"] != "pushCertificate" {
            expected.insert("sync");
            assert!(item["sync"].is_object());
        }
        assert_eq!(keys(item), expected);
        assert!(["pushCertificate", "enrollmentProgramToken", "vppToken"]
            .contains(&item["kind"].as_str().unwrap()));
        assert!(item["id"].is_string());
        assert!(item["name"].is_string() || item["name"].is_null());
        assert!(item["appleId"].is_string() || item["appleId"].is_null());
        assert!(is_rfc3339(&item["expiresAt"]) || item["expiresAt"].is_null());
        assert!(item["daysLeft"].is_i64() || item["daysLeft"].is_null());
        assert!(["ok", "warning", "critical", "expired", "unknown"]
            .contains(&item["severity"].as_str().unwrap()));
        for p in item["problems"].as_array().unwrap() {
            assert_eq!(keys(p), BTreeSet::from(["code", "message"]));
            assert!(p["code"].is_string() && p["message"].is_string());
        }
        assert!(item["consequence"].is_string());
        assert!(item["renewal"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string));
    }
    assert_eq!(items[0]["kind"], "vppToken");
    assert_eq!(items[0]["severity"], "expired");
    assert_eq!(items[0]["daysLeft"], -10);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        keys(&errors[0]),
        BTreeSet::from(["section", "code", "message"])
    );
    assert_eq!(errors[0]["section"], "enrollmentProgramTokens");
    assert_eq!(errors[0]["code"], "forbidden");

    // A saved report reads back to the same report, and renders the same.
    let back = HealthReport::from_json(&json).unwrap();
    assert_eq!(back, report);
    assert_eq!(back.to_markdown(), report.to_markdown());
    assert!(HealthReport::from_json(r#"{"generatedAt": "yesterday"}"#).is_err());
}

#[tokio::test]
async fn exit_codes_follow_the_worst_item() {
    let (_sim, client) = setup(Seed::from_json(HEALTHY).unwrap()).await;
    let report = health_report(&client, &with_apps()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items.len(), 3);
    assert!(
        report.items.iter().all(|i| i.severity == Severity::Ok),
        "{report:#?}"
    );
    assert_eq!(report.exit_code(), 0);

    let (_sim, client) = setup(Seed::from_json(ONE_WARNING).unwrap()).await;
    let report = health_report(&client, &ReportOptions::default()).await;
    assert_eq!(report.overall(), Severity::Warning);
    assert_eq!(report.exit_code(), 1);

    let (_sim, client) = setup(Seed::demo()).await;
    assert_eq!(
        health_report(&client, &ReportOptions::default())
            .await
            .exit_code(),
        2
    );

    // A healthy tenant whose VPP section cannot be read: 2, the state is unknown.
    let (sim, client) = setup(Seed::from_json(HEALTHY).unwrap()).await;
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Malformed,
    ));
    let report = health_report(&client, &ReportOptions::default()).await;
    assert_eq!(report.errors[0].code, "decode");
    assert_eq!(report.overall(), Severity::Unknown);
    assert_eq!(report.exit_code(), 2);
}

#[tokio::test]
async fn markdown_and_table_show_every_item() {
    let (_sim, client) = setup(Seed::demo()).await;
    let report = health_report(&client, &with_apps()).await;
    let md = report.to_markdown();
    assert!(
        md.starts_with("# Apple credentials health: expired\n"),
        "{md}"
    );
    for name in [
        "Warehouse",
        "Contoso Retail ABM",
        "Training Center",
        "Headquarters",
        "Contoso ABM",
        PUSH_TOPIC,
    ] {
        assert!(md.contains(&format!("| {name} |")), "{name} in\n{md}");
    }
    assert!(md.contains("## VPP token: Warehouse (expired)"), "{md}");
    assert!(md.contains("expired 10 days ago"), "{md}");
    assert!(md.contains("`dep.sync_error_terms`"), "{md}");
    assert!(md.contains("1. Apple Business Manager"), "{md}");
    // Healthy items are in the table but get no details section.
    assert!(!md.contains("## VPP token: Headquarters"), "{md}");

    let table = report.to_table(false);
    assert!(!table.contains('\x1b'), "no colour unless asked");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 7, "{table}");
    assert!(lines[1].starts_with("SEVERITY  KIND"), "{table}");
    // Columns are aligned: every row has its KIND column at the same offset.
    let kind_at = lines[1].find("KIND").unwrap();
    for row in &lines[2..] {
        assert_eq!(&row[kind_at - 2..kind_at], "  ", "{row}");
        assert_ne!(row.as_bytes()[kind_at], b' ', "{row}");
    }
    assert!(lines[2].starts_with("expired   vpp"), "{table}");
    assert!(lines[2].contains("vpp.apps_on_expired_token"), "{table}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ok        enrollment  Contoso ABM")),
        "{table}"
    );

    let colored = report.to_table(true);
    assert!(colored.contains("\x1b[1;31mexpired\x1b[0m"), "{colored}");
    assert!(colored.contains("\x1b[32mok\x1b[0m"), "{colored}");
}

#[tokio::test]
async fn ics_validates_with_an_icalendar_parser() {
    use icalendar::parser::{read_calendar, unfold};

    let (_sim, client) = setup(Seed::demo()).await;
    let report = health_report(&client, &with_apps()).await;
    let ics = report.to_ics();
    // CRLF line ends only, and no physical line over 75 octets.
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let unfolded = unfold(&ics);
    let cal = read_calendar(&unfolded).unwrap();
    let cal_prop = |name: &str| {
        cal.properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.val.as_str().to_owned())
    };
    assert_eq!(cal_prop("VERSION").as_deref(), Some("2.0"));
    assert!(cal_prop("PRODID").is_some());
    // The typed model reads it too.
    let typed: icalendar::Calendar = ics.parse().unwrap();
    assert_eq!(typed.components.len(), 8);
    let mut events: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(
        events.len(),
        8,
        "one event per expiry, and the end of the push certificate's grace period"
    );
    let push_expiry = by_id(&report)[PUSH_TOPIC].expires_at.unwrap();
    let grace_at = events
        .iter()
        .position(|e| {
            e.find_prop("UID")
                .unwrap()
                .val
                .as_str()
                .ends_with("-grace@intune-apple")
        })
        .unwrap();
    let grace = events.remove(grace_at);
    assert_eq!(
        grace.find_prop("DTEND").unwrap().val.as_str(),
        (push_expiry + Duration::days(30))
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    );
    let grace_alarms: Vec<_> = grace
        .components
        .iter()
        .filter(|c| c.name == "VALARM")
        .collect();
    assert_eq!(grace_alarms.len(), 1);
    let mut uids = BTreeSet::new();
    for (event, item) in events.iter().zip(&report.items) {
        let prop = |name: &str| event.find_prop(name).unwrap().val.as_str().to_owned();
        let uid = prop("UID");
        assert!(uid.ends_with("@intune-apple"), "{uid}");
        assert!(uid.contains(&item.id), "{uid} for {}", item.id);
        uids.insert(uid);
        let expires = item.expires_at.unwrap();
        assert_eq!(prop("DTEND"), expires.format("%Y%m%dT%H%M%SZ").to_string());
        assert_eq!(
            prop("DTSTAMP"),
            report.generated_at.format("%Y%m%dT%H%M%SZ").to_string()
        );
        assert!(prop("DTSTART") < prop("DTEND"));
        assert!(
            prop("SUMMARY").starts_with("Renew the "),
            "{}",
            prop("SUMMARY")
        );
        // Escaped text reads back to the original.
        let description = event
            .find_prop("DESCRIPTION")
            .unwrap()
            .val
            .clone()
            .unescape_text();
        assert!(
            description.as_str().contains(&item.consequence),
            "{}",
            description.as_str()
        );
        let alarms: Vec<_> = event
            .components
            .iter()
            .filter(|c| c.name == "VALARM")
            .collect();
        assert_eq!(alarms.len(), 2, "warning and critical alarms");
        let triggers: Vec<String> = alarms
            .iter()
            .map(|a| a.find_prop("TRIGGER").unwrap().val.as_str().to_owned())
            .collect();
        let at = |days: i64| {
            (expires - Duration::days(days))
                .format("%Y%m%dT%H%M%SZ")
                .to_string()
        };
        assert_eq!(triggers, [at(30), at(7)]);
        for a in &alarms {
            assert_eq!(a.find_prop("ACTION").unwrap().val.as_str(), "DISPLAY");
            assert!(a.find_prop("DESCRIPTION").is_some());
        }
    }
    assert_eq!(uids.len(), 7, "UIDs are unique");
    assert!(!uids.contains(grace.find_prop("UID").unwrap().val.as_str()));

    // Stable UIDs: another report of the same tenant names its events the same way.
    let again = health_report(&client, &with_apps()).await.to_ics();
    let uid_lines = |s: &str| -> BTreeSet<String> {
        unfold(s)
            .lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(uid_lines(&again), uid_lines(&ics));

    // Alarms follow the report's thresholds.
    let mut options = ReportOptions::default();
    options.thresholds.push_certificate.warning_days = 60;
    options.thresholds.push_certificate.critical_days = 14;
    let report = health_report(&client, &options).await;
    let ics = unfold(&report.to_ics());
    let push_expiry = by_id(&report)[PUSH_TOPIC].expires_at.unwrap();
    for days in [60, 14] {
        let trigger = (push_expiry - Duration::days(days)).format("%Y%m%dT%H%M%SZ");
        assert!(
            ics.contains(&format!("TRIGGER;VALUE=DATE-TIME:{trigger}")),
            "{days}"
        );
    }
}

/// Tenants whose token request is in flight at the same moment, and the most seen at once.
#[derive(Debug, Default)]
struct InFlight {
    tenants: BTreeMap<usize, usize>,
    max: usize,
}

/// The simulator's secret credential, noting which tenant is asking for a token: every
/// tenant's report starts with one, so tenants in flight at once are tenants being scanned at
/// once.
#[derive(Debug)]
struct Counting {
    inner: ClientSecretCredential,
    tenant: usize,
    in_flight: Arc<Mutex<InFlight>>,
}

impl Credential for Counting {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            {
                let mut f = self.in_flight.lock().unwrap();
                *f.tenants.entry(self.tenant).or_default() += 1;
                f.max = f.max.max(f.tenants.len());
            }
            let token = self.inner.get_token(ctx).await;
            let mut f = self.in_flight.lock().unwrap();
            let n = f.tenants.get_mut(&self.tenant).unwrap();
            *n -= 1;
            if *n == 0 {
                f.tenants.remove(&self.tenant);
            }
            token
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_twenty_tenants_four_at_a_time_keeps_the_order() {
    let in_flight = Arc::new(Mutex::new(InFlight::default()));
    let mut sims = Vec::new();
    let mut targets = Vec::new();
    for n in 0..20 {
        let seed = match n % 3 {
            0 => Seed::from_json(HEALTHY).unwrap(),
            1 => Seed::from_json(ONE_WARNING).unwrap(),
            _ => Seed::demo(),
        };
        let sim = Simulator::start(seed).await.unwrap();
        let credential = Counting {
            inner: ClientSecretCredential::new(
                sim.tenant_id(),
                sim.client_id(),
                sim.client_secret(),
            ),
            tenant: n,
            in_flight: in_flight.clone(),
        };
        let client = Client::builder()
            .base_url(sim.base_url())
            .authority_host(sim.authority_host())
            .credential(credential)
            .clock(Arc::new(ManualClock::new(sim.now())))
            .build()
            .unwrap();
        targets.push(TenantTarget {
            name: format!("tenant-{n:02}"),
            client,
        });
        sims.push(sim);
    }
    let reports = scan_tenants(targets, &ReportOptions::default(), 4).await;
    assert_eq!(reports.len(), 20);
    let max = in_flight.lock().unwrap().max;
    assert!((2..=4).contains(&max), "{max} tenants at once");
    for (n, r) in reports.iter().enumerate() {
        assert_eq!(r.tenant, format!("tenant-{n:02}"));
        assert!(r.report.errors.is_empty(), "{:?}", r.report.errors);
        assert_eq!(r.report.exit_code(), [0, 1, 2][n % 3], "tenant {n}");
    }
    assert_eq!(scan_exit_code(&reports), 2);
    assert_eq!(scan_exit_code(&reports[..2]), 1);
    assert_eq!(scan_exit_code(&[]), 0);
    // Each tenant was asked exactly its three sections, once each (plus the token).
    for sim in &sims {
        let graph_calls = sim
            .request_log()
            .iter()
            .filter(|e| e.path.starts_with("/beta/") || e.path.starts_with("/v1.0/"))
            .count();
        assert_eq!(graph_calls, 3);
    }
}

#[tokio::test]
async fn zero_concurrency_still_scans() {
    let sim = Simulator::start(Seed::from_json(HEALTHY).unwrap())
        .await
        .unwrap();
    let target = TenantTarget {
        name: "only".into(),
        client: common::client_of(&sim),
    };
    let reports = scan_tenants(vec![target], &ReportOptions::default(), 0).await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].report.exit_code(), 0);
}

#[test]
fn an_empty_report_is_ok() {
    let t: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    let report = HealthReport {
        generated_at: t,
        as_of: t,
        items: vec![],
        errors: vec![],
        thresholds: Default::default(),
    };
    assert_eq!(report.overall(), Severity::Ok);
    assert_eq!(report.exit_code(), 0);
    assert!(report.to_table(false).contains("no Apple credential found"));
    let ics = report.to_ics();
    assert!(!ics.contains("VEVENT"));
    assert_eq!(
        report.to_json().replace([' ', '\n'], ""),
        r#"{"generatedAt":"2026-11-23T10:00:00Z","asOf":"2026-11-23T10:00:00Z","items":[],"errors":[]}"#
    );
}

#[tokio::test]
async fn a_tenant_without_apple_credentials() {
    let (_sim, client) = setup(Seed::empty()).await;
    let report = health_report(&client, &with_apps()).await;
    // Graph answers 404 when no push certificate was ever uploaded: a finding of the report,
    // informational while nothing in the tenant needs one, not a failed read.
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items.len(), 1);
    let push = &report.items[0];
    assert_eq!(push.id, "applePushNotificationCertificate");
    assert_eq!(push.severity, Severity::Ok);
    assert_eq!(push.problems[0].code, "push.missing");
    assert!(
        push.problems[0]
            .message
            .starts_with("no push certificate: no Apple device can be managed"),
        "{}",
        push.problems[0].message
    );
    assert_eq!(report.exit_code(), 0);
}

/// A report made by hand, with names that need escaping in every format.
fn tricky_report() -> HealthReport {
    let t: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    let json = r#"{
      "generatedAt": "2026-11-23T10:00:00Z", "asOf": "2026-11-23T10:00:00Z",
      "items": [{"kind": "vppToken", "id": "tok/1 2", "name": "Paris, Lyon; HQ | \\ \"main\"\nsecond line",
                 "appleId": null, "expiresAt": "2026-12-01T08:30:00.250Z", "daysLeft": 7,
                 "severity": "critical", "problems": [{"code": "vpp.expiring", "message": "Renew; now, please"}],
                 "consequence": "Apps stop updating.", "renewal": ["Step one", "Step two"]}],
      "errors": []}"#;
    let report = HealthReport::from_json(json).unwrap();
    assert_eq!(report.generated_at, t);
    report
}

#[test]
fn names_are_escaped_in_every_format() {
    use icalendar::parser::{read_calendar, unfold};

    let report = tricky_report();
    let name = report.items[0].name.clone().unwrap();
    // Fractions of a second from Graph survive a round trip.
    assert!(report.to_json().contains("\"2026-12-01T08:30:00.250Z\""));
    assert_eq!(HealthReport::from_json(&report.to_json()).unwrap(), report);

    let md = report.to_markdown();
    let row = md
        .lines()
        .find(|l| l.starts_with("| **critical**"))
        .unwrap();
    assert!(row.contains(r"Paris, Lyon; HQ \| \\ "), "{row}");
    assert_eq!(row.matches(" | ").count(), 6, "no extra cell: {row}");

    let table = report.to_table(false);
    assert_eq!(table.lines().count(), 3, "one line per item: {table}");

    let ics = report.to_ics();
    let unfolded = unfold(&ics);
    let cal = read_calendar(&unfolded).unwrap();
    let event = &cal.components[0];
    let summary = event
        .find_prop("SUMMARY")
        .unwrap()
        .val
        .clone()
        .unescape_text();
    assert_eq!(summary.as_str(), format!("Renew the VPP token {name}"));
    let uid = event.find_prop("UID").unwrap().val.as_str().to_owned();
    assert_eq!(uid, "vppToken-tok-1-2@intune-apple");
    let description = event
        .find_prop("DESCRIPTION")
        .unwrap()
        .val
        .clone()
        .unescape_text();
    assert!(description
        .as_str()
        .contains("- vpp.expiring: Renew; now, please"));
    assert!(description.as_str().contains("\n1. Step one\n2. Step two"));
}

/// The same app bought for two locations (one of them expired), and for the same location
/// name under two organisations: licensed twice on purpose, not duplicates. Only the pair the
/// repair acts on (an old and the current token of one organisation and location) is flagged.
const TWO_LOCATIONS: &str = r#"{
  "pushCertificate": {"expiresInDays": 200},
  "vppTokens": [
    {"id": "a1000000-0000-4000-8000-000000000001", "organizationName": "Contoso",
     "locationName": "Paris", "displayName": "Paris", "expiresInDays": -5, "state": "expired"},
    {"id": "a2000000-0000-4000-8000-000000000002", "organizationName": "Contoso",
     "locationName": "Lyon", "displayName": "Lyon", "expiresInDays": 200, "state": "valid"},
    {"id": "a3000000-0000-4000-8000-000000000003", "organizationName": "Fabrikam",
     "locationName": "Lyon", "displayName": "Lyon (Fabrikam)", "expiresInDays": 200, "state": "valid"},
    {"id": "a4000000-0000-4000-8000-000000000004", "organizationName": "Contoso",
     "locationName": "Lyon", "displayName": "Lyon (renewed)", "expiresInDays": 300,
     "state": "duplicateLocationId"}
  ],
  "apps": [
    {"id": "b1000000-0000-4000-8000-000000000001", "displayName": "Scanner", "bundleId": "com.example.scanner",
     "vppTokenId": "a1000000-0000-4000-8000-000000000001"},
    {"id": "b2000000-0000-4000-8000-000000000002", "displayName": "Scanner", "bundleId": "com.example.scanner",
     "vppTokenId": "a2000000-0000-4000-8000-000000000002"},
    {"id": "b3000000-0000-4000-8000-000000000003", "displayName": "Scanner", "bundleId": "com.example.scanner",
     "vppTokenId": "a3000000-0000-4000-8000-000000000003"},
    {"id": "b4000000-0000-4000-8000-000000000004", "displayName": "Notes", "bundleId": "com.example.notes",
     "vppTokenId": "a2000000-0000-4000-8000-000000000002"},
    {"id": "b5000000-0000-4000-8000-000000000005", "displayName": "Notes", "bundleId": "com.example.notes",
     "vppTokenId": "a4000000-0000-4000-8000-000000000004"}
  ]
}"#;

#[tokio::test]
async fn duplicate_apps_are_exactly_those_the_repair_finds() {
    use intune_apple_core::rules::duplicates::{find_duplicates, AppRef};
    use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
    let (_sim, client) = setup(Seed::from_json(TWO_LOCATIONS).unwrap()).await;
    let report = health_report(&client, &with_apps()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let items = by_id(&report);
    let paris = items["a1000000-0000-4000-8000-000000000001"];
    // Expired, with its app, but the app's twin lives at another location: no duplicate.
    assert_eq!(
        codes(paris),
        [
            "vpp.expired",
            "vpp.state_expired",
            "vpp.apps_on_expired_token"
        ]
    );
    assert!(codes(items["a3000000-0000-4000-8000-000000000003"]).is_empty());
    // Lyon: old token (Contoso) and its renewed copy share Notes; Scanner is only on the old one.
    let lyon_old = items["a2000000-0000-4000-8000-000000000002"];
    let lyon_new = items["a4000000-0000-4000-8000-000000000004"];
    assert!(
        codes(lyon_old).contains(&"vpp.duplicate_apps"),
        "{lyon_old:?}"
    );
    assert!(
        codes(lyon_new).contains(&"vpp.duplicate_apps"),
        "{lyon_new:?}"
    );
    for item in [lyon_old, lyon_new] {
        let p = item
            .problems
            .iter()
            .find(|p| p.code == "vpp.duplicate_apps")
            .unwrap();
        assert!(p.message.starts_with("1 app(s)"), "{}", p.message);
        assert!(p.message.contains("Notes") && !p.message.contains("Scanner"));
    }

    // The same answer as the repair's planning, and as the repair itself.
    let tokens: Vec<_> = futures::TryStreamExt::try_collect(client.vpp_tokens().list())
        .await
        .unwrap();
    let apps: Vec<_> = futures::TryStreamExt::try_collect(client.vpp_apps().list())
        .await
        .unwrap();
    let refs: Vec<AppRef> = apps.iter().filter_map(AppRef::from_app).collect();
    let found = find_duplicates(&tokens, &refs, client.clock().now());
    assert_eq!(found.duplicates.len(), 1);
    assert_eq!(found.duplicates[0].bundle_id, "com.example.notes");
    let plan = repair_duplicate_apps(&client, &DuplicateRepairOptions::default())
        .await
        .unwrap();
    let flagged: usize = report
        .items
        .iter()
        .filter(|i| codes(i).contains(&"vpp.duplicate_apps"))
        .count();
    assert_eq!(flagged, 2, "one old token and its current token");
    let repaired: Vec<(&str, &str)> = plan
        .apps
        .iter()
        .map(|a| (a.bundle_id.as_str(), a.target_token_id.as_str()))
        .collect();
    assert_eq!(
        repaired,
        [("com.example.notes", "a4000000-0000-4000-8000-000000000004")]
    );
}

#[tokio::test]
async fn names_from_the_tenant_cannot_drive_a_terminal_or_inject_markup() {
    let hostile = "Evil\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}txt.exe <img src=x onerror=alert(1)> [click](http://evil.example) **x** |";
    let mut seed = Seed::demo();
    seed.vpp_tokens[0].display_name = hostile.into();
    seed.vpp_tokens[0].location_name = hostile.into();
    let (_sim, client) = setup(seed).await;
    let report = health_report(&client, &ReportOptions::default()).await;
    for (format, text) in [
        ("table", report.to_table(false)),
        ("table in colour", report.to_table(true)),
        ("markdown", report.to_markdown()),
        ("html", report.to_html()),
    ] {
        assert!(!text.contains('\u{7}'), "{format}: a bell");
        assert!(!text.contains("\u{1b}[2J"), "{format}: a terminal escape");
        assert!(!text.contains("\u{1b}]0;"), "{format}: a title escape");
        assert!(!text.contains('\u{202e}'), "{format}: a bidi override");
        assert!(text.contains("Evil"), "{format}: the name is still shown");
        if !format.starts_with("table") {
            // Markdown shows `\<img`: an escaped character, not markup.
            assert!(
                !text.replace("\\<", "").contains("<img"),
                "{format}: raw HTML"
            );
        }
    }
    let md = report.to_markdown();
    assert!(!md.contains("[click](http"), "a link: {md}");
    assert!(md.contains("\\[click\\]"), "{md}");
    // The table keeps its columns: the name is one cell, on one line.
    let table = report.to_table(false);
    let row = table.lines().find(|l| l.contains("Evil")).unwrap();
    assert!(row.contains("txt.exe"), "{row}");
}

#[tokio::test]
async fn settings_catalog_enrollment_policies_are_listed_on_their_token_not_checked() {
    let mut seed = Seed::demo();
    seed.dep_tokens[0]
        .profiles
        .push(intune_apple_sim::ProfileSeed {
            display_name: "Corporate iPhone (settings catalog)".into(),
            settings_catalog: true,
            ..intune_apple_sim::ProfileSeed::default()
        });
    let token = seed.dep_tokens[0].id.clone();
    let (_sim, client) = setup(seed).await;
    let (_plain, plain_client) = setup(Seed::demo()).await;
    let report = health_report(&client, &with_apps()).await;
    let without = health_report(&plain_client, &with_apps()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let item = report.items.iter().find(|i| i.id == token).unwrap();
    let before = without.items.iter().find(|i| i.id == token).unwrap();
    let listed = item
        .problems
        .iter()
        .find(|p| p.code == "dep.settings_catalog_policies")
        .unwrap_or_else(|| panic!("{:?}", item.problems));
    assert!(
        listed
            .message
            .contains("Corporate iPhone (settings catalog)"),
        "{}",
        listed.message
    );
    assert!(
        listed
            .message
            .starts_with("1 settings-catalog enrollment policy"),
        "{}",
        listed.message
    );
    assert_eq!(item.severity, before.severity, "listed, not a finding");
}
