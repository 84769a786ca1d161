//! The Apple Business client and the reconciliation, over HTTP against the simulated Intune
//! tenant and the simulated Apple Business organisation.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt as _;
use intune_apple_core::abm::{self, ApiAccount, ErrorKind, RequestBudget};
use intune_apple_core::clock::{Clock, ManualClock, SystemClock};
use intune_apple_core::graph::{Client, ClientSecretCredential, RetryPolicy};
use intune_apple_core::rules::Severity;
use intune_apple_core::workflows::reconcile::{
    reconcile, Confidence, Finding, MatchEvidence, ReconcileOptions, Reconciliation,
};
use intune_apple_core::Secret;
use intune_apple_sim::abm::{
    AbmFault, AbmFaultKind, AbmSimHandle, AppleBusinessSimulator, OrgSeed, MAIN_SERVER_ID,
    RETAIL_SERVER_ID, RETIRED_SERVER_ID,
};
use intune_apple_sim::{Seed, SimHandle, Simulator};

const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const DEP_RETAIL: &str = "d2222222-0000-4000-8000-000000000002";

fn account(apple: &AbmSimHandle) -> ApiAccount {
    ApiAccount::from_pem(
        apple.client_id(),
        apple.key_id(),
        &Secret::new(apple.private_key_pem()),
    )
    .unwrap()
}

fn apple_client(apple: &AbmSimHandle, clock: Arc<dyn Clock>, budget: RequestBudget) -> abm::Client {
    abm::Client::builder()
        .account(account(apple))
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .clock(clock)
        .request_budget(budget)
        .build()
        .unwrap()
}

fn graph_client(sim: &SimHandle) -> Client {
    Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .credential(ClientSecretCredential::new(
            sim.tenant_id(),
            sim.client_id(),
            sim.client_secret(),
        ))
        .build()
        .unwrap()
}

fn find<'a>(r: &'a Reconciliation, token: &str, code: &str) -> &'a Finding {
    let t = r.tokens.iter().find(|t| t.token_id == token).unwrap();
    t.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} on {token}: {:#?}", t.findings))
}

fn serial(prefix: &str, i: usize) -> String {
    format!("{prefix}{i:010}")
}

#[tokio::test]
async fn every_case_of_the_demo_is_found_and_rendered() {
    let intune = Simulator::start(Seed::demo()).await.unwrap();
    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    let graph = graph_client(&intune);
    let abm = apple_client(&apple, Arc::new(SystemClock), RequestBudget::default());
    let r = reconcile(&graph, &abm, &ReconcileOptions::default())
        .await
        .unwrap();

    // mapping: by serial overlap, the names agreeing
    let main = r.tokens.iter().find(|t| t.token_id == DEP_MAIN).unwrap();
    let m = main.server.as_ref().unwrap();
    assert_eq!(m.server_id, MAIN_SERVER_ID);
    assert_eq!(
        (m.evidence, m.confidence),
        (MatchEvidence::SerialOverlap, Confidence::High)
    );
    assert_eq!(
        (m.shared_serials, m.apple_serials, m.intune_serials),
        (240, 243, 250)
    );
    let retail = r.tokens.iter().find(|t| t.token_id == DEP_RETAIL).unwrap();
    assert_eq!(retail.server.as_ref().unwrap().server_id, RETAIL_SERVER_ID);

    // (a) assigned by Apple, absent from Intune, with when a sync is allowed
    let a = find(&r, DEP_MAIN, "abm.missing_in_intune");
    assert_eq!(
        a.serials,
        vec!["C02Z00000003", "DMQX00000001", "DMQX00000002"]
    );
    assert!(a.action.contains("a sync is allowed now"), "{}", a.action);
    assert!(a.action.contains("full sync"), "{}", a.action);
    let a_retail = find(&r, DEP_RETAIL, "abm.missing_in_intune");
    assert_eq!(
        a_retail.serials,
        (245..250).map(|i| serial("D1", i)).collect::<Vec<_>>()
    );
    // (b) in Intune, assigned elsewhere, unassigned, or released
    let b = find(&r, DEP_MAIN, "abm.assigned_elsewhere");
    assert_eq!(
        b.serials,
        (245..250).map(|i| serial("D1", i)).collect::<Vec<_>>()
    );
    assert!(b.summary.contains("Contoso Retail ABM"), "{}", b.summary);
    assert_eq!(
        find(&r, DEP_MAIN, "abm.unassigned").serials,
        vec![serial("D1", 240), serial("D1", 241)]
    );
    assert_eq!(
        find(&r, DEP_MAIN, "abm.not_in_organization").serials,
        (242..245).map(|i| serial("D1", i)).collect::<Vec<_>>()
    );
    // (c) Retail's devices have no profile and the token has no default
    let c = find(&r, DEP_RETAIL, "abm.no_profile");
    assert_eq!(c.severity, Severity::Critical);
    assert_eq!(
        c.serials,
        (0..12).map(|i| serial("D2", i)).collect::<Vec<_>>()
    );
    // (d) Apple saw the retail server 30 h ago, Intune never synced it successfully
    let d = find(&r, DEP_RETAIL, "abm.sync_clock_mismatch");
    assert!(d.summary.contains("no successful sync"), "{}", d.summary);
    assert!(main
        .findings
        .iter()
        .all(|f| f.code != "abm.sync_clock_mismatch"));
    // (e) Apple TV by default to the main server, iPad to the retail one
    assert!(find(&r, DEP_MAIN, "abm.default_family_without_profile")
        .summary
        .contains("APPLE_TV"));
    assert!(find(&r, DEP_RETAIL, "abm.default_family_without_profile")
        .summary
        .contains("IPAD"));
    // (f) the migrating Macs (3, 7) use a profile that does not await; the iPhone (1) does
    assert_eq!(
        find(&r, DEP_MAIN, "abm.migration_without_await").serials,
        vec![serial("D1", 3), serial("D1", 7)]
    );
    // organisation: the retired server's devices match no token; Configurator is ignored
    let org = r
        .organization
        .iter()
        .find(|f| f.code == "abm.server_without_token")
        .unwrap();
    assert_eq!(org.serials.len(), 4);
    assert!(org.summary.contains("Contoso Jamf (retired)"));
    assert!(r
        .organization
        .iter()
        .all(|f| !f.summary.contains("Configurator")));
    assert!(!r.tokens.iter().any(|t| t
        .server
        .as_ref()
        .is_some_and(|m| m.server_id == RETIRED_SERVER_ID)));

    // renderers: text shows a count and the first few serials, JSON has them all
    let table = r.to_table();
    assert!(
        table.contains("abm.no_profile") && table.contains("(+7)"),
        "{table}"
    );
    let md = r.to_markdown();
    assert!(
        md.contains("| critical | c |") && md.contains("(+7)"),
        "{md}"
    );
    let json = r.to_json();
    assert!(json.contains(&serial("D2", 11)));
    assert_eq!(Reconciliation::from_json(&json).unwrap(), r);

    // Apple's side: servers (1 page) + 4 relationship listings + devices (1 page); one token
    assert_eq!(abm.requests_sent(), 6);
    assert_eq!(apple.tokens_issued(), 1);
    // read-only on both sides
    assert_eq!(intune.writes_applied(), 0);
    assert!(apple
        .request_log()
        .iter()
        .all(|e| e.method == "GET" || e.path.starts_with("/auth/")));
}

#[tokio::test]
async fn the_token_is_asked_for_once_an_hour_and_again_after_a_401() {
    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    let clock = ManualClock::new(apple.now());
    let abm = apple_client(&apple, Arc::new(clock.clone()), RequestBudget::unlimited());
    for _ in 0..3 {
        let _: Vec<_> = abm.mdm_servers().try_collect().await.unwrap();
    }
    assert_eq!((abm.token_requests_sent(), apple.tokens_issued()), (1, 1));
    // 56 minutes later the cached token is within five minutes of its end: a new one
    clock.advance(Duration::from_secs(56 * 60));
    apple.advance(chrono::Duration::minutes(56));
    let _: Vec<_> = abm.mdm_servers().try_collect().await.unwrap();
    assert_eq!(apple.tokens_issued(), 2);
    // the service forgets the token: one 401, one new token, the call succeeds
    apple.add_fault(AbmFault::new("/v1/mdmServers", AbmFaultKind::ExpireTokens).nth(1));
    let _: Vec<_> = abm.mdm_servers().try_collect().await.unwrap();
    assert_eq!(apple.tokens_issued(), 3);
    let statuses: Vec<u16> = apple.request_log().iter().map(|e| e.status).collect();
    assert!(statuses.contains(&401), "{statuses:?}");
}

#[tokio::test]
async fn throttling_is_honoured_within_the_budget() {
    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    let clock = ManualClock::new(apple.now());
    let abm = abm::Client::builder()
        .account(account(&apple))
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .clock(Arc::new(clock.clone()))
        .page_size(10)
        .build()
        .unwrap();
    assert_eq!(abm.request_budget(), RequestBudget::per_minute(20));
    // 429 with Retry-After: 7 on the second page, 429 without on the fourth
    apple.add_fault(
        AbmFault::new(
            "/v1/orgDevices",
            AbmFaultKind::Throttle {
                retry_after: Some("7".into()),
            },
        )
        .nth(2),
    );
    apple.add_fault(
        AbmFault::new(
            "/v1/orgDevices",
            AbmFaultKind::Throttle { retry_after: None },
        )
        .nth(4),
    );
    let start = clock.now();
    let devices: Vec<_> = abm.org_devices().try_collect().await.unwrap();
    assert_eq!(devices.len(), 268); // 250 - 3 released + 3 new + 12 + 2 + 4
    let slept = clock.slept();
    assert!(slept.contains(&Duration::from_secs(7)), "{slept:?}");
    // 27 pages + 2 retries = 29 requests: at most 20 in any minute, so at least 60 s in all
    assert_eq!(abm.requests_sent(), 29);
    let elapsed = (clock.now() - start).to_std().unwrap();
    assert!(elapsed >= Duration::from_secs(60), "{elapsed:?}");
    // a Retry-After beyond the longest wait fails at once, with Apple's value
    apple.clear_faults();
    apple.add_fault(AbmFault::new(
        "/v1/mdmServers",
        AbmFaultKind::Throttle {
            retry_after: Some("600".into()),
        },
    ));
    let before = clock.slept().len();
    let e = abm.mdm_servers().try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttled);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(600)));
    assert_eq!(e.code(), Some("RATE_LIMIT_EXCEEDED"));
    assert!(clock.slept()[before..]
        .iter()
        .all(|d| *d < Duration::from_secs(600)));
}

#[tokio::test]
async fn html_error_pages_and_json_api_errors_are_typed() {
    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    let clock = ManualClock::new(apple.now());
    let abm = abm::Client::builder()
        .account(account(&apple))
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .clock(Arc::new(clock.clone()))
        .retry_policy(RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();
    // one HTML 503 is retried
    apple
        .add_fault(AbmFault::new("/v1/mdmServers", AbmFaultKind::HtmlError { status: 503 }).nth(1));
    assert_eq!(
        abm.mdm_servers()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        4
    );
    // a lasting HTML 502 is an error that says so
    apple.clear_faults();
    apple.add_fault(AbmFault::new(
        "/v1/mdmServers",
        AbmFaultKind::HtmlError { status: 502 },
    ));
    let e = abm.mdm_servers().try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.is_html()),
        (ErrorKind::Server, Some(502), true)
    );
    assert!(e.to_string().contains("HTML page"), "{e}");
    // Apple's JSON:API errors
    apple.clear_faults();
    let e = abm.org_device("NOSUCHSERIAL").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::NotFound, Some("NOT_FOUND"))
    );
    assert!(e.error_id().is_some());
    assert!(e.message().contains("NOSUCHSERIAL"));
    // single reads
    assert_eq!(
        abm.assigned_server_id("D10000000000")
            .await
            .unwrap()
            .as_deref(),
        Some(MAIN_SERVER_ID)
    );
    assert_eq!(abm.assigned_server_id("D10000000240").await.unwrap(), None);
    let d = abm.org_device("D10000000003").await.unwrap();
    assert!(d.is_migrating());
    assert_eq!(
        abm.mdm_server(RETAIL_SERVER_ID)
            .await
            .unwrap()
            .server_name
            .as_deref(),
        Some("Contoso Retail ABM")
    );
    let act = abm
        .org_device_activity("b1481656-b267-480d-b284-a809eed8b041")
        .await
        .unwrap();
    assert_eq!(act.sub_status.as_deref(), Some("COMPLETED_WITH_SUCCESS"));
}

#[tokio::test]
async fn a_refused_assertion_is_unauthorized_and_not_retried() {
    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    // the client's clock is a day behind the service's: the assertion has expired on arrival
    let clock = ManualClock::new(apple.now() - chrono::Duration::days(1));
    let abm = apple_client(&apple, Arc::new(clock), RequestBudget::unlimited());
    let e = abm.mdm_servers().try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Unauthorized, Some("invalid_client"))
    );
    assert!(e.message().contains("expired"), "{e}");
    assert_eq!((abm.token_requests_sent(), abm.requests_sent()), (1, 0));
    // a key that is not the account's
    let other = ApiAccount::from_pem(
        apple.client_id(),
        apple.key_id(),
        &Secret::new(ApiAccount::generate_test_key_pem()),
    )
    .unwrap();
    let abm = abm::Client::builder()
        .account(other)
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .build()
        .unwrap();
    let e = abm.mdm_servers().try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert!(e.message().contains("does not verify"), "{e}");
    assert_eq!(apple.tokens_issued(), 0);
}

/// The figures of `docs/apple-business.md`: a token of 10,000 devices against an organisation
/// of 10,000 devices. Asserts the request counts; the time is the benchmarks' business.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_devices_take_a_few_requests() {
    const N: usize = 10_000;
    let intune = Simulator::start(Seed::with_devices(0, N)).await.unwrap();
    intune.set_page_size(1000);
    let apple = AppleBusinessSimulator::start(OrgSeed::with_devices("ABM 0", N))
        .await
        .unwrap();
    let graph = graph_client(&intune);
    let abm = apple_client(&apple, Arc::new(SystemClock), RequestBudget::unlimited());
    let r = reconcile(&graph, &abm, &ReconcileOptions::default())
        .await
        .unwrap();
    let m = r.tokens[0].server.as_ref().unwrap();
    assert_eq!((m.shared_serials, m.confidence), (N, Confidence::High));
    assert!(
        r.tokens[0]
            .findings
            .iter()
            .all(|f| f.case != "a" && f.case != "b"),
        "{:#?}",
        r.tokens[0].findings
    );
    // Apple: 1 (servers) + 10 (relationships, 1,000 a page) + 10 (devices, 1,000 a page)
    assert_eq!(abm.requests_sent(), 21);
    assert_eq!(abm.token_requests_sent(), 1);
    let graph_requests = intune
        .request_log()
        .iter()
        .filter(|e| !e.path.contains("oauth2"))
        .count();
    eprintln!(
        "reconciling {N} devices: {} Apple Business requests (+1 token), {graph_requests} Graph requests. With the default budget of 20 a minute the request past the 20th waits for the window, about 60 s in all",
        abm.requests_sent(),
    );
}

#[tokio::test]
async fn the_health_report_and_the_scan_carry_the_apple_business_section() {
    use intune_apple_core::workflows::report::{
        health_report, health_report_with_apple_business, scan_tenants_with_apple_business,
        ReportOptions, TenantTarget, APPLE_BUSINESS,
    };
    let intune = Simulator::start(Seed::demo()).await.unwrap();
    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    let graph = graph_client(&intune);
    let abm = apple_client(&apple, Arc::new(SystemClock), RequestBudget::default());
    let options = ReportOptions::default();
    let plain = health_report(&graph, &options).await;
    let without =
        health_report_with_apple_business(&graph, None, &options, &ReconcileOptions::default())
            .await;
    assert_eq!(without.items, plain.items);
    let report = health_report_with_apple_business(
        &graph,
        Some(&abm),
        &options,
        &ReconcileOptions::default(),
    )
    .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let retail = report.items.iter().find(|i| i.id == DEP_RETAIL).unwrap();
    let no_profile = retail
        .problems
        .iter()
        .find(|p| p.code == "abm.no_profile")
        .unwrap();
    assert!(no_profile.message.contains("D20000000000") && no_profile.message.contains("(+7)"));
    assert!(retail.severity >= Severity::Critical);
    let retired = report
        .items
        .iter()
        .find(|i| i.id == format!("appleBusiness:{RETIRED_SERVER_ID}"))
        .unwrap();
    assert_eq!(retired.problems[0].code, "abm.server_without_token");
    assert!(report.to_markdown().contains("abm.migration_without_await"));

    // Apple Business unreachable: the report says so and keeps the rest
    apple.add_fault(AbmFault::new(
        "/v1/*",
        AbmFaultKind::HtmlError { status: 502 },
    ));
    let quick = abm::Client::builder()
        .account(account(&apple))
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let empty = Simulator::start(Seed::empty()).await.unwrap();
    let targets = vec![
        (
            TenantTarget {
                name: "contoso".into(),
                client: graph.clone(),
            },
            Some(quick),
        ),
        (
            TenantTarget {
                name: "fabrikam".into(),
                client: graph_client(&empty),
            },
            None,
        ),
    ];
    let reports =
        scan_tenants_with_apple_business(targets, &options, &ReconcileOptions::default(), 2).await;
    let contoso = &reports[0].report;
    let e = contoso
        .errors
        .iter()
        .find(|e| e.section == APPLE_BUSINESS)
        .unwrap();
    assert_eq!(e.code, "server");
    assert_eq!(contoso.items.len(), plain.items.len());
    assert!(reports[1]
        .report
        .errors
        .iter()
        .all(|e| e.section != APPLE_BUSINESS));
}
