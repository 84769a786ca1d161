//! The Apple Business API account's private key, its client assertions and the access tokens
//! never appear in an error, a `Debug` text, a reconciliation or a log line, whatever the
//! simulated service's faults.
//!
//! A test binary of its own: it installs a global `tracing` subscriber that writes every event
//! and span of every level to a buffer.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt as _;
use intune_apple_core::abm::{self, ApiAccount, RequestBudget};
use intune_apple_core::clock::ManualClock;
use intune_apple_core::graph::RetryPolicy;
use intune_apple_core::Secret;
use intune_apple_sim::abm::{AbmFault, AbmFaultKind, AppleBusinessSimulator, OrgSeed};

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_fault_leaks_the_key_an_assertion_or_a_token() {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(buffer.clone());
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();

    let apple = AppleBusinessSimulator::start(OrgSeed::demo())
        .await
        .unwrap();
    let pem = apple.private_key_pem().to_owned();
    let account =
        ApiAccount::from_pem(apple.client_id(), apple.key_id(), &Secret::new(pem.clone())).unwrap();
    let assertion = account.assertion(apple.now());
    let clock = ManualClock::new(apple.now());
    let client = abm::Client::builder()
        .account(account.clone())
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .clock(Arc::new(clock.clone()))
        .request_budget(RequestBudget::unlimited())
        .retry_policy(RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();

    let mut texts = vec![
        format!("{account:?}"),
        format!("{client:?}"),
        format!("{assertion:?}"),
    ];
    let faults = [
        AbmFaultKind::Throttle {
            retry_after: Some("1".into()),
        },
        AbmFaultKind::Throttle { retry_after: None },
        AbmFaultKind::HtmlError { status: 502 },
        AbmFaultKind::ExpireTokens,
    ];
    for kind in faults {
        apple.clear_faults();
        apple.add_fault(AbmFault::new("/v1/*", kind));
        if let Err(e) = client.mdm_servers().try_collect::<Vec<_>>().await {
            texts.push(e.to_string());
            texts.push(format!("{e:?}"));
        }
    }
    apple.clear_faults();
    if let Err(e) = client.org_device("NOSUCH").await {
        texts.push(format!("{e} {e:?}"));
    }
    // a refused assertion: the service's clock far ahead
    apple.advance(chrono::Duration::days(2));
    apple.expire_tokens();
    let e = client
        .mdm_servers()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));
    // a key the service does not know
    let other = ApiAccount::from_pem(
        apple.client_id(),
        apple.key_id(),
        &Secret::new(ApiAccount::generate_test_key_pem()),
    )
    .unwrap();
    texts.push(format!("{other:?}"));
    let e = abm::Client::builder()
        .account(other)
        .api_root(apple.base_url())
        .token_url(apple.token_url())
        .build()
        .unwrap()
        .mdm_servers()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));
    let e = ApiAccount::from_pem("BUSINESSAPI.x", "k", &Secret::new(pem.replace('A', "B"))).err();
    texts.push(format!("{e:?}"));

    let logs = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying an Apple Business request"),
        "the faults were logged: {logs}"
    );
    texts.push(logs);
    // the key's base64 lines, the assertion's signature, and every issued token
    let key_lines: Vec<&str> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect();
    assert!(!key_lines.is_empty());
    let signature = assertion.expose().rsplit('.').next().unwrap().to_owned();
    for text in &texts {
        for line in &key_lines {
            assert!(!text.contains(line), "private key in: {text}");
        }
        assert!(!text.contains(&signature), "assertion in: {text}");
        assert!(!text.contains("sim-abm-"), "access token in: {text}");
        assert!(
            !text.contains("eyJhbGciOiJFUzI1Ni"),
            "an assertion in: {text}"
        );
    }
}
