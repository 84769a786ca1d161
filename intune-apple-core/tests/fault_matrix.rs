//! The fault matrix: every fault the simulator can inject, against each family of operations
//! (a read, a paged listing, a write, the health report, the duplicate-app repair), over real
//! HTTP. For every pair it checks the same promises: nothing panics or hangs, nothing is written
//! twice, a success means the write happened, a write that may have happened is never reported
//! as simply failed, and the error or the report says what happened without a secret in it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use common::targets;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt as _;
use intune_apple_core::clock::ManualClock;
use intune_apple_core::graph::{Client, Error, ErrorKind, RetryPolicy};
use intune_apple_core::workflows::duplicates::{
    repair_duplicate_apps, DuplicateRepairOptions, RepairOutcome,
};
use intune_apple_core::workflows::report::{health_report, ReportOptions};
use intune_apple_sim::{AppSeed, Fault, FaultKind, Seed, SimHandle, VppTokenSeed};

const HQ: &str = "a1111111-0000-4000-8000-000000000001";
const PUSH: &str = "/beta/deviceManagement/applePushNotificationCertificate";
const VPP_TOKENS: &str = "/beta/deviceAppManagement/vppTokens";

/// Every fault, with a name for the messages.
fn faults() -> Vec<FaultKind> {
    vec![
        FaultKind::Throttle {
            retry_after: "0".into(),
        },
        FaultKind::ThrottleWithoutRetryAfter,
        FaultKind::QueryBrokerThrottle,
        FaultKind::Unavailable {
            retry_after: "0".into(),
        },
        FaultKind::Status { status: 500 },
        FaultKind::Status { status: 503 },
        FaultKind::Status { status: 504 },
        FaultKind::AppliedThenStatus { status: 500 },
        FaultKind::AppliedThenStatus { status: 502 },
        FaultKind::Delay { ms: 5 },
        FaultKind::ResetBefore,
        FaultKind::ResetAfter,
        FaultKind::Malformed,
        FaultKind::Truncated,
        FaultKind::EndlessBody,
        FaultKind::ExpireTokens,
        FaultKind::MissingScope,
        FaultKind::IntuneRefused,
        FaultKind::RealShapes,
        FaultKind::ForeignNextLink,
        FaultKind::RepeatNextLink,
        FaultKind::CycleNextLink,
    ]
}

/// A client of `sim` that retries quickly and gives up on a stalled call within seconds, so
/// that a fault which defeated a bound would show as a failed test rather than a hung one.
fn client(sim: &SimHandle) -> Client {
    common::sim_client(sim, sim.client_id(), sim.client_secret())
        .clock(Arc::new(ManualClock::new(sim.now())))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::ZERO,
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        })
        .attempt_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn calls(sim: &SimHandle, method: &str, path: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|e| e.method == method && e.path.split('?').next() == Some(path))
        .count()
}

/// What every error must do whatever the fault: say something, name no secret, and never ask
/// for a blind resend of a write that may have been applied.
fn check_error(sim: &SimHandle, what: &str, e: &Error) {
    let text = e.to_string();
    assert!(!text.trim().is_empty(), "{what}: an empty message");
    assert!(
        !text.contains(sim.client_secret()),
        "{what}: the client secret in `{text}`"
    );
    assert!(!format!("{e:?}").contains(sim.client_secret()), "{what}");
    if e.kind() == ErrorKind::OutcomeUnknown {
        assert!(!e.is_retryable(), "{what}: an uncertain write is retryable");
    }
}

/// The faults a read retries away when they happen once: throttling (with or without
/// `Retry-After`, and Intune's query-broker 500), 503 and 504, a dropped connection, an expired
/// token. A plain 500 or 502 is Intune's internal error: reported, not retried.
fn is_transient(fault: &FaultKind) -> bool {
    matches!(
        fault,
        FaultKind::Throttle { .. }
            | FaultKind::ThrottleWithoutRetryAfter
            | FaultKind::QueryBrokerThrottle
            | FaultKind::Unavailable { .. }
            | FaultKind::Status { status: 503 | 504 }
            | FaultKind::ResetBefore
            | FaultKind::ResetAfter
            | FaultKind::ExpireTokens
    )
}

fn is_refusal(fault: &FaultKind) -> bool {
    matches!(fault, FaultKind::MissingScope | FaultKind::IntuneRefused)
}

#[tokio::test]
async fn every_fault_once_against_a_read() {
    for fault in faults() {
        let sim = intune_apple_sim::Simulator::start(Seed::demo())
            .await
            .unwrap();
        let client = client(&sim);
        sim.add_fault(Fault::new("GET", PUSH, fault.clone()).nth(1));
        let what = format!("GET push certificate after {fault:?}");
        match client.push_certificate().get().await {
            Ok(cert) => {
                assert!(cert.topic_identifier.is_some(), "{what}: read but empty");
                assert!(!is_refusal(&fault), "{what}: a refusal read as a success");
            }
            Err(e) => {
                check_error(&sim, &what, &e);
                // A read is safe to repeat: a transient fault once is retried away.
                assert!(!is_transient(&fault), "{what}: not retried: {e}");
                if is_refusal(&fault) {
                    assert_eq!(e.kind(), ErrorKind::Forbidden, "{what}: {e}");
                    assert_eq!(
                        calls(&sim, "GET", PUSH),
                        1,
                        "{what}: a refusal is not retried"
                    );
                }
            }
        }
        assert_eq!(sim.writes_applied(), 0, "{what}: a read wrote");
    }
}

#[tokio::test]
async fn every_fault_on_every_page_of_a_listing() {
    for fault in faults() {
        let sim = intune_apple_sim::Simulator::start(Seed::demo())
            .await
            .unwrap();
        sim.set_page_size(1);
        let all = client(&sim)
            .vpp_tokens()
            .list()
            .try_collect::<Vec<_>>()
            .await
            .unwrap();
        assert!(all.len() >= 3, "the listing has several pages");
        let client = client(&sim);
        // Every page call, not only the first: the listing must end or fail, never loop.
        sim.add_fault(Fault::new("GET", VPP_TOKENS, fault.clone()));
        let what = format!("listing VPP tokens under {fault:?}");
        match client.vpp_tokens().list().try_collect::<Vec<_>>().await {
            Ok(items) => {
                // A listing that succeeds is the whole listing, each item once.
                let mut ids: Vec<_> = items.iter().filter_map(|t| t.id.clone()).collect();
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), all.len(), "{what}: items lost or repeated");
                assert!(!is_refusal(&fault), "{what}");
            }
            Err(e) => {
                check_error(&sim, &what, &e);
                if matches!(
                    fault,
                    FaultKind::RepeatNextLink
                        | FaultKind::CycleNextLink
                        | FaultKind::ForeignNextLink
                ) {
                    assert!(
                        e.to_string().contains("nextLink"),
                        "{what}: the error does not say which link: {e}"
                    );
                }
            }
        }
        assert_eq!(sim.writes_applied(), 0, "{what}: a listing wrote");
    }
}

#[tokio::test]
async fn every_fault_once_against_a_write() {
    let path = format!("{VPP_TOKENS}/{HQ}/syncLicenses");
    for fault in faults() {
        let sim = intune_apple_sim::Simulator::start(Seed::demo())
            .await
            .unwrap();
        let client = client(&sim);
        sim.add_fault(Fault::new("POST", &path, fault.clone()).nth(1));
        let what = format!("POST syncLicenses after {fault:?}");
        let result = client.vpp_tokens().sync_licenses(HQ).await;
        let applied = sim.writes_applied();
        assert!(applied <= 1, "{what}: written {applied} times");
        match &result {
            Ok(_) => assert_eq!(applied, 1, "{what}: a success that wrote nothing"),
            Err(e) => {
                check_error(&sim, &what, e);
                if applied == 1 {
                    assert_eq!(
                        e.kind(),
                        ErrorKind::OutcomeUnknown,
                        "{what}: applied, but reported as {e}"
                    );
                }
                if e.kind() == ErrorKind::OutcomeUnknown {
                    assert_eq!(calls(&sim, "POST", &path), 1, "{what}: resent blindly");
                    assert!(
                        e.to_string().contains("Read the resource back"),
                        "{what}: {e}"
                    );
                }
                if is_refusal(&fault) {
                    assert_eq!(e.kind(), ErrorKind::Forbidden, "{what}: {e}");
                }
            }
        }
        // What the answer said was not applied is resent and succeeds.
        if matches!(
            fault,
            FaultKind::Throttle { .. }
                | FaultKind::ThrottleWithoutRetryAfter
                | FaultKind::Unavailable { .. }
                | FaultKind::ExpireTokens
        ) {
            assert!(result.is_ok(), "{what}: {result:?}");
        }
        // What was applied and then answered badly is never resent.
        if matches!(
            fault,
            FaultKind::AppliedThenStatus { .. } | FaultKind::ResetAfter
        ) {
            assert_eq!(
                result.as_ref().map_err(Error::kind).err(),
                Some(ErrorKind::OutcomeUnknown),
                "{what}"
            );
            assert_eq!(applied, 1, "{what}");
        }
    }
}

#[tokio::test]
async fn every_fault_under_the_health_report_is_in_the_report() {
    for fault in faults() {
        let sim = intune_apple_sim::Simulator::start(Seed::demo())
            .await
            .unwrap();
        sim.set_page_size(1);
        let client = client(&sim);
        sim.add_fault(Fault::new("GET", &format!("{VPP_TOKENS}*"), fault.clone()));
        let what = format!("health report with {fault:?} on every VPP token call");
        let report = health_report(&client, &ReportOptions::default()).await;
        // The other sections are read whatever happens to this one.
        assert!(
            report
                .items
                .iter()
                .any(|i| i.kind.code() == "push_certificate"),
            "{what}: the push certificate is missing"
        );
        let vpp_error = report.errors.iter().find(|e| e.section == "vppTokens");
        let vpp_items = report
            .items
            .iter()
            .filter(|i| i.kind.code() == "vpp_token")
            .count();
        match vpp_error {
            Some(e) => {
                assert!(!e.message.trim().is_empty(), "{what}");
                assert!(!e.message.contains(sim.client_secret()), "{what}");
                assert_eq!(report.exit_code(), 2, "{what}: an unread section is exit 2");
                if is_refusal(&fault) {
                    assert_eq!(e.code, "forbidden", "{what}");
                }
            }
            None => {
                assert!(vpp_items >= 3, "{what}: VPP tokens lost without an error");
                assert!(!is_refusal(&fault), "{what}: a refusal is not reported");
            }
        }
        assert_eq!(sim.writes_applied(), 0, "{what}: the report wrote");
    }
}

const OLD: &str = "a3333333-0000-4000-8000-000000000003";
const NEW: &str = "a4444444-0000-4000-8000-000000000004";
const G_ALL: &str = "0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70";
const G_SALES: &str = "1c9a5d2b-7b4f-4e3c-8d2a-3f4e5d6c7b81";

/// One app at the Warehouse location present under the old and the current token.
fn duplicate_seed() -> Seed {
    let mut seed = Seed::empty();
    let token = |id: &str, days: f64, state: &str| VppTokenSeed {
        id: id.into(),
        location_name: "Warehouse".into(),
        display_name: "Warehouse".into(),
        expires_in_days: days,
        state: state.into(),
        ..VppTokenSeed::default()
    };
    seed.vpp_tokens = vec![
        token(OLD, -10.0, "expired"),
        token(NEW, 355.0, "duplicateLocationId"),
    ];
    let app = |id: &str, token: &str, groups: &[&str]| AppSeed {
        id: id.into(),
        platform: "ios".into(),
        display_name: "Scanner Pro".into(),
        bundle_id: "com.readdle.Scanner".into(),
        vpp_token_id: token.into(),
        assigned_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        used_license_count: 1,
        total_license_count: 10,
    };
    seed.apps = vec![
        app("old", OLD, &[G_ALL, G_SALES]),
        app("new", NEW, &[G_ALL]),
    ];
    seed
}

#[tokio::test]
async fn every_fault_in_the_middle_of_the_duplicate_repair() {
    let apply = DuplicateRepairOptions { apply: true };
    let want = HashMap::from([
        (format!("group {G_ALL}"), 1),
        (format!("group {G_SALES}"), 1),
    ]);
    let assign = "/beta/deviceAppManagement/mobileApps/new/assign";
    for fault in faults() {
        let sim = intune_apple_sim::Simulator::start(duplicate_seed())
            .await
            .unwrap();
        let client = client(&sim);
        sim.add_fault(Fault::new("POST", assign, fault.clone()).nth(1));
        let what = format!("repair with {fault:?} on the first assign");
        let first = repair_duplicate_apps(&client, &apply).await.unwrap();
        let app = &first.apps[0];
        // Never an assignment twice, whatever the answer was.
        let after_first = targets(&client, "new").await;
        assert!(
            after_first.values().all(|n| *n == 1),
            "{what}: {after_first:?}"
        );
        match app.outcome {
            RepairOutcome::Copied => {
                assert_eq!(after_first, want, "{what}: copied but not all there");
                assert_eq!(app.verified, Some(true), "{what}");
            }
            RepairOutcome::Failed => {
                assert!(
                    app.error.as_deref().is_some_and(|e| !e.trim().is_empty()),
                    "{what}: a failure without a reason"
                );
                assert!(
                    !first.old_tokens[0].can_delete,
                    "{what}: old token deletable"
                );
            }
            other => panic!("{what}: {other:?}"),
        }
        // Running again converges: every assignment exactly once, the target's own kept.
        let second = repair_duplicate_apps(&client, &apply).await.unwrap();
        assert!(
            matches!(
                second.apps[0].outcome,
                RepairOutcome::Copied | RepairOutcome::NothingToDo
            ),
            "{what}: second run {:?}",
            second.apps[0]
        );
        assert_eq!(
            targets(&client, "new").await,
            want,
            "{what}: after the second run"
        );
        assert!(
            calls(&sim, "POST", assign) <= 3,
            "{what}: assign sent {} times",
            calls(&sim, "POST", assign)
        );
    }
}
