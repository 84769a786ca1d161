//! What the client refuses to send: plain http to another machine, credentials in a URL, a
//! tenant id that would change the token URL, ids that would name another resource.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use intune_apple_core::graph::{Client, ClientSecretCredential, ErrorKind};
use intune_apple_sim::Seed;

fn secret() -> ClientSecretCredential {
    ClientSecretCredential::new("contoso.onmicrosoft.com", "app", "secret")
}

#[test]
fn cleartext_and_userinfo_are_refused_when_building() {
    for (graph, authority) in [
        (
            "http://graph.example.com",
            "https://login.microsoftonline.com",
        ),
        ("https://graph.microsoft.com", "http://login.example.com"),
        (
            "https://user:pw@graph.example.com",
            "https://login.microsoftonline.com",
        ),
        (
            "https://graph.microsoft.com",
            "https://user:pw@login.example.com",
        ),
    ] {
        let e = Client::builder()
            .base_url(graph)
            .authority_host(authority)
            .credential(secret())
            .build()
            .err()
            .unwrap_or_else(|| panic!("{graph} {authority} was accepted"));
        assert_eq!(e.kind(), ErrorKind::Configuration, "{e}");
        assert!(!e.to_string().contains("pw@"), "{e}");
    }
    // Loopback (the simulator) and an explicit opt-in are accepted.
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .authority_host("http://localhost:9")
        .credential(secret())
        .build()
        .unwrap();
    Client::builder()
        .base_url("http://graph-proxy.test")
        .authority_host("http://login-proxy.test")
        .allow_insecure_http(true)
        .credential(secret())
        .build()
        .unwrap();
}

#[tokio::test]
async fn empty_dot_and_over_long_ids_are_refused_before_a_request_is_made() {
    let (sim, client) = common::start(Seed::demo()).await;
    let long = "x".repeat(100_000);
    for id in ["", ".", "..", long.as_str()] {
        let e = client.vpp_tokens().delete(id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{id:?}: {e}");
        let e = client
            .enrollment_program_tokens()
            .get(id)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{id:?}: {e}");
        assert!(!e.to_string().contains("not a valid Uri"), "{e}");
    }
    assert!(
        sim.request_log()
            .iter()
            .all(|r| !r.path.contains("/deviceAppManagement/vppTokens")
                && !r.path.contains("depOnboardingSettings")),
        "{:?}",
        sim.request_log()
    );
    assert_eq!(sim.writes_applied(), 0);
}

#[tokio::test]
async fn a_tenant_id_that_would_change_the_token_url_is_refused() {
    let (sim, _) = common::start(Seed::demo()).await;
    for tenant in ["../other/oauth2", "contoso?x=1", "a/b", "."] {
        let client = common::sim_builder(&sim)
            .credential(ClientSecretCredential::new(
                tenant,
                sim.client_id(),
                sim.client_secret(),
            ))
            .build()
            .unwrap();
        let e = client.push_certificate().get().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{tenant}: {e}");
    }
    assert!(sim.request_log().is_empty(), "{:?}", sim.request_log());
}
