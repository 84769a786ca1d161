//! Shared by the integration tests that talk to the simulator. Each test file uses some of it.
#![allow(dead_code)]

use std::sync::Arc;

use intune_apple_core::clock::ManualClock;
use intune_apple_core::graph::{Client, ClientBuilder, ClientSecretCredential};
use intune_apple_sim::{Seed, SimHandle, Simulator};

/// `value` reads back from its JSON with nothing lost (the Python package pickles results
/// through it), compared as JSON.
pub fn round_trips<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) {
    let json = serde_json::to_value(value).unwrap();
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
}

/// A client builder pointed at `sim` (its Graph root and its token endpoint), without a
/// credential.
pub fn sim_builder(sim: &SimHandle) -> ClientBuilder {
    Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
}

/// A client builder pointed at `sim`, signed in as the application `client_id` with `secret`.
pub fn sim_client(sim: &SimHandle, client_id: &str, secret: &str) -> ClientBuilder {
    sim_builder(sim).credential(ClientSecretCredential::new(
        sim.tenant_id(),
        client_id,
        secret,
    ))
}

/// A client of `sim` as its read-write application, on a clock standing at the simulator's
/// "now".
pub fn client_of(sim: &SimHandle) -> Client {
    sim_client(sim, sim.client_id(), sim.client_secret())
        .clock(Arc::new(ManualClock::new(sim.now())))
        .build()
        .unwrap()
}

/// A simulated tenant started from `seed`, and a client of it ([`client_of`]).
pub async fn start(seed: Seed) -> (SimHandle, Client) {
    let sim = Simulator::start(seed).await.unwrap();
    let client = client_of(&sim);
    (sim, client)
}

/// The assignments of app `app_id`, counted by target (`group <id>`, `allDevices`, ...): a
/// count above 1 is an assignment made twice.
pub async fn targets(client: &Client, app_id: &str) -> std::collections::HashMap<String, usize> {
    use futures::TryStreamExt as _;
    let list: Vec<_> = client
        .vpp_apps()
        .assignments(app_id)
        .try_collect()
        .await
        .unwrap();
    let mut out = std::collections::HashMap::new();
    for a in &list {
        let key = intune_apple_core::rules::duplicates::assignment_key(a).unwrap();
        *out.entry(key.to_string()).or_default() += 1;
    }
    out
}
