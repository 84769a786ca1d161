//! Paging keeps memory bounded: listing 100,000 imported devices from the simulator needs no
//! more heap at its peak than listing 10,000.
//!
//! A test binary of its own, because it installs a global allocator that counts the bytes in
//! use (for the whole process: client and simulator) and has a single test, so that no other
//! test allocates while it measures.
// Test setup may panic; the walk is timed for the report only, never asserted on.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::print_stdout)]

mod common;

use std::alloc::System;
use std::sync::Arc;

use futures::TryStreamExt as _;
use intune_apple_core::graph::{Client, PageProgress};
use intune_apple_sim::{Seed, Simulator};
use peakmem_alloc::{PeakMemAlloc, PeakMemAllocTrait as _, INSTRUMENTED_SYSTEM};

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

const SMALL: usize = 10_000;
const LARGE: usize = 100_000;

/// Lists every device of a token, dropping each as it arrives; returns the count, the pages
/// and the peak heap growth during the walk.
async fn walk(client: &Client, token_id: &str) -> (u64, PageProgress, usize) {
    let last = Arc::new(std::sync::Mutex::new(PageProgress::default()));
    let sink = last.clone();
    HEAP.reset_peak_memory();
    let mut stream = client
        .imported_devices(token_id)
        .list_with_progress(Some(Arc::new(move |p| *sink.lock().unwrap() = p)));
    let mut n = 0u64;
    while let Some(device) = stream.try_next().await.unwrap() {
        assert!(device.serial_number.is_some());
        n += 1;
    }
    drop(stream);
    let peak = HEAP.get_peak_memory();
    let progress = *last.lock().unwrap();
    (n, progress, peak)
}

#[test]
fn paging_100k_devices_peaks_no_higher_than_10k() {
    let mut seed = Seed::with_devices(1, LARGE);
    seed.dep_tokens[0].device_count = SMALL;
    seed.page_size = 1000;
    let small_token = seed.dep_tokens[0].id.clone();
    let large_token = seed.dep_tokens[1].id.clone();
    // The simulator runs on its own runtime; the client on this thread's.
    let sim = Simulator::spawn(seed).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = common::sim_client(&sim, sim.client_id(), sim.client_secret())
            .build()
            .unwrap();
        // Warm up: token, connection pool, lazily built state.
        walk(&client, &small_token).await;

        let (n_small, p_small, peak_small) = walk(&client, &small_token).await;
        let started = std::time::Instant::now();
        let (n_large, p_large, peak_large) = walk(&client, &large_token).await;
        let elapsed = started.elapsed();
        assert_eq!(n_small, SMALL as u64);
        assert_eq!(n_large, LARGE as u64);
        assert_eq!(
            p_large,
            PageProgress {
                items: LARGE as u64,
                pages: 100
            }
        );
        assert_eq!(p_small.pages, 10);
        println!(
            "peak heap growth: {peak_small} bytes for {SMALL} devices, {peak_large} bytes for \
             {LARGE} devices; {LARGE} devices in {} ms",
            elapsed.as_millis()
        );
        // Holding the devices would take ~10x more for 10x the devices.
        assert!(
            peak_large * 2 < peak_small * 3,
            "peak {peak_large} bytes for {LARGE} devices vs {peak_small} for {SMALL}"
        );
    });
    sim.shutdown();
}
