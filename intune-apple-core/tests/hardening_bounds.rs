//! Bounded reads and listings: an answer or a file larger than its cap, a body that never
//! ends, a `@odata.nextLink` that repeats or cycles, a listing past its page limit. Each ends
//! with an error that says what happened, never a hang or a filled memory.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::sync::Arc;

use futures::TryStreamExt as _;
use intune_apple_core::clock::ManualClock;
use intune_apple_core::files::{
    inspect, inspect_bytes, FileError, VppTokenFile, MAX_APPLE_FILE_BYTES,
};
use intune_apple_core::graph::{Client, ErrorKind, ListLimits};
use intune_apple_core::model::ImportedAppleDeviceIdentity;
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle, Simulator};

const TOKEN: &str = "d0000000-0000-4000-8000-000000000000";
const DEVICES: &str =
    "/beta/deviceManagement/depOnboardingSettings/d0000000-0000-4000-8000-000000000000/importedAppleDeviceIdentities";

async fn tenant(devices: usize, page: usize) -> SimHandle {
    let mut seed = Seed::with_devices(0, devices);
    seed.page_size = page;
    Simulator::start(seed).await.unwrap()
}

fn client(sim: &SimHandle, limits: ListLimits, max_body: usize) -> Client {
    common::sim_client(sim, sim.client_id(), sim.client_secret())
        .clock(Arc::new(ManualClock::new(sim.now())))
        .list_limits(limits)
        .max_response_bytes(max_body)
        .build()
        .unwrap()
}

async fn list(c: &Client) -> (usize, Option<intune_apple_core::graph::Error>) {
    let mut stream = c.imported_devices(TOKEN).list();
    let mut n = 0;
    loop {
        match stream.try_next().await {
            Ok(Some(ImportedAppleDeviceIdentity { .. })) => n += 1,
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

#[test]
fn apple_files_over_a_mebibyte_are_refused() {
    let big = vec![b'A'; MAX_APPLE_FILE_BYTES + 1];
    assert_eq!(
        inspect_bytes(&big, None).unwrap_err(),
        FileError::TooLarge(u64::try_from(big.len()).unwrap())
    );
    assert!(matches!(
        VppTokenFile::parse(&big),
        Err(FileError::TooLarge(_))
    ));
    let dir = std::env::temp_dir().join(format!("intune-apple-big-{}", std::process::id()));
    std::fs::write(&dir, vec![b'A'; 3 * MAX_APPLE_FILE_BYTES]).unwrap();
    let e = inspect(&dir).unwrap_err();
    std::fs::remove_file(&dir).unwrap();
    assert!(
        matches!(e, FileError::TooLarge(n) if n == (MAX_APPLE_FILE_BYTES + 1) as u64),
        "{e}"
    );
    assert!(e.to_string().contains("1 MiB"));
}

#[tokio::test]
async fn an_answer_over_the_size_cap_is_refused() {
    let sim = tenant(300, 100).await;
    let (n, e) = list(&client(&sim, ListLimits::default(), 4_096)).await;
    assert_eq!(n, 0);
    let e = e.unwrap();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("larger than 4096 bytes"), "{e}");
    // The default cap reads the same listing.
    let (n, e) = list(&client(&sim, ListLimits::default(), 64 << 20)).await;
    assert!(e.is_none(), "{e:?}");
    assert_eq!(n, 300);
}

#[tokio::test]
async fn a_body_that_never_ends_stops_at_the_cap() {
    let sim = tenant(10, 100).await;
    sim.add_fault(Fault::new("GET", DEVICES, FaultKind::EndlessBody));
    let (_, e) = list(&client(&sim, ListLimits::default(), 1 << 20)).await;
    let e = e.unwrap();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("larger than"), "{e}");
}

#[tokio::test]
async fn a_repeating_or_cycling_next_link_ends_the_listing() {
    for (kind, nth) in [
        (FaultKind::RepeatNextLink, 2),
        (FaultKind::CycleNextLink, 3),
    ] {
        let sim = tenant(300, 100).await;
        sim.add_fault(Fault::new("GET", DEVICES, kind.clone()).nth(nth));
        let (n, e) = list(&client(&sim, ListLimits::default(), 64 << 20)).await;
        let e = e.unwrap_or_else(|| panic!("{kind:?}: the listing ended normally with {n} items"));
        assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
        assert!(e.to_string().contains("already sent"), "{kind:?}: {e}");
        assert!(n <= 400, "{kind:?}: {n} items");
        assert!(sim.request_log().len() < 10, "{kind:?}");
    }
}

#[tokio::test]
async fn a_listing_stops_at_its_page_and_item_limits() {
    let sim = tenant(1_000, 100).await;
    let limits = ListLimits {
        max_pages: 3,
        ..ListLimits::default()
    };
    let (n, e) = list(&client(&sim, limits, 64 << 20)).await;
    assert_eq!(n, 300);
    assert!(e.unwrap().to_string().contains("max_pages"));
    let limits = ListLimits {
        max_items: 250,
        ..ListLimits::default()
    };
    let (n, e) = list(&client(&sim, limits, 64 << 20)).await;
    assert_eq!(n, 300);
    assert!(e.unwrap().to_string().contains("max_items"));
}

/// The `Debug` of a parsed `.p7m` names its recipients, never the envelope's bytes.
#[test]
fn a_dep_token_files_debug_holds_no_envelope() {
    let name = "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m";
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/apple-samples/synthetic/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let f = intune_apple_core::files::DepTokenFile::parse(&bytes, Some(name)).unwrap();
    let text = format!("{f:?}");
    assert!(text.contains("recipients"), "{text}");
    assert!(
        !text.contains("envelope") && !text.contains("EnvelopedData"),
        "{text}"
    );
    assert!(text.len() < 2_000, "{} characters", text.len());
}
