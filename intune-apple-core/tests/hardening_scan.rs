//! A multi-tenant scan: one tenant that panics or stalls becomes that tenant's error; the
//! others are reported.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::time::Duration;

use intune_apple_core::clock::BoxFuture;
use intune_apple_core::graph::credentials::TokenRequestContext;
use intune_apple_core::graph::{AccessToken, Credential, CredentialError};
use intune_apple_core::workflows::report::{
    scan_tenants, scan_tenants_within, section, ReportOptions, TenantTarget,
};
use intune_apple_sim::{Fault, FaultKind, Seed};

/// A credential with a bug: it panics.
#[derive(Debug)]
struct Panicking;

impl Credential for Panicking {
    fn get_token<'a>(
        &'a self,
        _ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async { panic!("a credential with a bug") })
    }
}

#[tokio::test]
async fn a_panicking_tenant_is_that_tenants_error() {
    let (sim, good) = common::start(Seed::demo()).await;
    let bad = common::sim_builder(&sim)
        .credential(Panicking)
        .build()
        .unwrap();
    let reports = scan_tenants(
        vec![
            TenantTarget {
                name: "bad".into(),
                client: bad,
            },
            TenantTarget {
                name: "good".into(),
                client: good,
            },
        ],
        &ReportOptions::default(),
        2,
    )
    .await;
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].tenant, "bad");
    let e = &reports[0].report.errors;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].section, section::TENANT);
    assert_eq!(e[0].code, "internal");
    assert_eq!(reports[0].report.exit_code(), 2);
    assert_eq!(reports[1].tenant, "good");
    assert!(reports[1].report.errors.is_empty());
    assert_eq!(reports[1].report.items.len(), 7);
}

#[tokio::test]
async fn a_stalled_tenant_does_not_hold_up_the_others() {
    let (slow_sim, slow) = common::start(Seed::demo()).await;
    slow_sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Delay { ms: 600_000 },
    ));
    let (_sim, good) = common::start(Seed::demo()).await;
    let reports = scan_tenants_within(
        vec![
            TenantTarget {
                name: "slow".into(),
                client: slow,
            },
            TenantTarget {
                name: "good".into(),
                client: good,
            },
        ],
        &ReportOptions::default(),
        1,
        Some(Duration::from_millis(300)),
    )
    .await;
    let e = &reports[0].report.errors;
    assert_eq!(e[0].section, section::TENANT, "{e:?}");
    assert_eq!(e[0].code, "timeout");
    assert!(reports[1].report.errors.is_empty());
    assert_eq!(reports[1].report.items.len(), 7);
}
