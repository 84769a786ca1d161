//! Every error and every log line that the simulator's faults provoke is free of secrets:
//! client secrets, bearer tokens, client assertions, private keys, and the `.vpptoken`,
//! `.p7m` and PEM texts sent for upload.
//!
//! A test binary of its own: it installs a global `tracing` subscriber that writes every event
//! and span of every level to a buffer.
#![allow(clippy::unwrap_used)] // test setup: a failure should stop the test

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt as _;
use intune_apple_core::clock::ManualClock;
use intune_apple_core::graph::{
    Client, ClientCertificateCredential, ClientSecretCredential, Credential, Error, ErrorKind,
    StaticTokenCredential, SyncOptions,
};
use intune_apple_core::Secret;
use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle, Simulator};

const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
const VPP_MAIN: &str = "a1111111-0000-4000-8000-000000000001";
const WRONG_SECRET: &str = "wrong-secret-7f3e9a";
const STATIC_TOKEN: &str = "static-token-0c5d1b8e";
const WRONG_IDENTITY_HEADER: &str = "wrong-identity-header-9d2c";
const WRONG_RUNNER_TOKEN: &str = "wrong-runner-token-6b1e";
const P7M: &str = "MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggFAMIIBPAIBADAkMBYxFDASBgNVBAMTC3NlY3JldC10b2tlbg==";

/// A writer into the shared log buffer.
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

fn client_with(sim: &SimHandle, credential: impl Credential + 'static) -> (Client, ManualClock) {
    let clock = ManualClock::new(sim.now());
    let client = Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .credential(credential)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    (client, clock)
}

fn secret_client(sim: &SimHandle, id: &str, secret: &str) -> Client {
    client_with(
        sim,
        ClientSecretCredential::new(sim.tenant_id(), id, secret),
    )
    .0
}

fn vpptoken() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(
        r#"{"token":"vpp-secret-token-value","expDate":"2031-03-14T09:26:53+0000","orgName":"Contoso"}"#,
    )
}

/// Keeps the error's Display and Debug texts.
fn keep(texts: &mut Vec<String>, result: Result<impl Sized, Error>) -> Option<ErrorKind> {
    result.err().map(|e| {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
        e.kind()
    })
}

/// Whether `text` holds a simulator access token (`sim.` and 32 hexadecimal digits).
fn holds_sim_token(text: &str) -> bool {
    text.match_indices("sim.").any(|(i, _)| {
        let rest = &text[i + 4..];
        rest.len() >= 32 && rest[..32].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn errors_and_log_lines_of_every_fault_hold_no_secret() {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(buffer.clone());
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish(),
    )
    .unwrap();

    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let client = secret_client(&sim, sim.client_id(), sim.client_secret());
    let vpp_path = "/beta/deviceAppManagement/vppTokens";
    let vpp_one = format!("{vpp_path}/{VPP_MAIN}");
    let push_path = "/v1.0/deviceManagement/applePushNotificationCertificate";
    let push_get = "/beta/deviceManagement/applePushNotificationCertificate";
    let dep_upload =
        format!("/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/uploadDepToken");
    let file = Secret::new(vpptoken());
    let pem = include_str!("../../intune-apple-sim/fixtures/push-other-topic.pem");
    let mut texts = Vec::new();
    let mut kinds = Vec::new();

    // Reads: throttled then served, throttled beyond the budget, unavailable, reset, malformed,
    // truncated, a foreign nextLink, tokens expiring mid-run.
    let faults = [
        Fault::new(
            "GET",
            vpp_path,
            FaultKind::Throttle {
                retry_after: "1.5".into(),
            },
        )
        .nth(1),
        Fault::new(
            "GET",
            vpp_path,
            FaultKind::Throttle {
                retry_after: "3".into(),
            },
        ),
        Fault::new("GET", vpp_path, FaultKind::Status { status: 503 }),
        Fault::new("GET", vpp_path, FaultKind::ResetBefore),
        Fault::new("GET", vpp_path, FaultKind::Malformed),
        Fault::new("GET", vpp_path, FaultKind::Truncated),
        Fault::new("GET", vpp_path, FaultKind::ExpireTokens).nth(1),
    ];
    for fault in faults {
        sim.clear_faults();
        sim.add_fault(fault);
        let listed = client.vpp_tokens().list().try_collect::<Vec<_>>().await;
        kinds.push(keep(&mut texts, listed));
    }
    sim.clear_faults();
    sim.set_page_size(1);
    sim.add_fault(Fault::new("GET", vpp_path, FaultKind::ForeignNextLink));
    let listed = client.vpp_tokens().list().try_collect::<Vec<_>>().await;
    kinds.push(keep(&mut texts, listed));
    sim.set_page_size(100);

    // Writes carrying secrets: the answer is lost after they were applied, or they fail.
    for (method, path, kind) in [
        ("PATCH", vpp_one.as_str(), FaultKind::ResetAfter),
        ("PATCH", vpp_one.as_str(), FaultKind::Status { status: 504 }),
        ("PATCH", push_path, FaultKind::ResetAfter),
        ("PATCH", push_path, FaultKind::Status { status: 500 }),
        ("POST", dep_upload.as_str(), FaultKind::ResetAfter),
        ("POST", dep_upload.as_str(), FaultKind::Truncated),
    ] {
        sim.clear_faults();
        sim.add_fault(Fault::new(method, path, kind));
        let result = if path == vpp_one {
            client.vpp_tokens().renew(VPP_MAIN, &file).await.map(|_| ())
        } else if path == push_path {
            client
                .push_certificate()
                .upload("admin@contoso.example", Secret::new(pem))
                .await
                .map(|_| ())
        } else {
            client
                .enrollment_program_tokens()
                .upload_token(DEP_MAIN, "abm@contoso.example", Secret::new(P7M))
                .await
        };
        kinds.push(keep(&mut texts, result));
    }
    sim.clear_faults();
    // A push certificate Intune cannot parse is refused with a 400 quoting nothing of it.
    let bad_pem = pem.replace("MII", "XXX");
    let refused = client
        .push_certificate()
        .upload("admin@contoso.example", Secret::new(bad_pem.as_str()))
        .await;
    kinds.push(keep(&mut texts, refused));
    // Intune refuses a sync.
    let forced = SyncOptions {
        force: true,
        ..SyncOptions::default()
    };
    let dep = client.enrollment_program_tokens();
    let _ = dep.sync(DEP_MAIN, &forced).await;
    kinds.push(keep(&mut texts, dep.sync(DEP_MAIN, &forced).await));

    // Credentials: a wrong secret, a read-only application, a bad static token, a certificate
    // whose token endpoint fails, then succeeds.
    let wrong = secret_client(&sim, sim.client_id(), WRONG_SECRET);
    kinds.push(keep(&mut texts, wrong.push_certificate().get().await));
    let (ro_id, ro_secret) = sim.read_only_client();
    let ro = secret_client(&sim, ro_id, ro_secret);
    kinds.push(keep(
        &mut texts,
        ro.vpp_tokens().renew(VPP_MAIN, &file).await,
    ));
    let (stat, _) = client_with(&sim, StaticTokenCredential::new(STATIC_TOKEN));
    kinds.push(keep(&mut texts, stat.push_certificate().get().await));
    let cert_pem = format!(
        "{}\n{}",
        intune_apple_sim::CERT_CLIENT_CERT_PEM,
        intune_apple_sim::CERT_CLIENT_KEY_PEM
    );
    let credential = ClientCertificateCredential::from_pem(
        sim.tenant_id(),
        intune_apple_sim::CERT_CLIENT_ID,
        &cert_pem,
    )
    .unwrap();
    texts.push(format!("{credential:?}"));
    let (cert, cert_clock) = client_with(&sim, credential);
    let token_path = format!("/{}/oauth2/v2.0/token", sim.tenant_id());
    sim.add_fault(Fault::new(
        "POST",
        &token_path,
        FaultKind::Status { status: 500 },
    ));
    kinds.push(keep(&mut texts, cert.push_certificate().get().await));
    sim.clear_faults();
    cert_clock.advance(Duration::from_secs(1));
    kinds.push(keep(&mut texts, cert.push_certificate().get().await));
    sim.add_fault(Fault::new("GET", push_get, FaultKind::ExpireTokens).nth(1));
    kinds.push(keep(&mut texts, cert.push_certificate().get().await));
    texts.push(format!("{client:?}"));
    texts.push(format!("{cert:?}"));

    // The faults did happen: errors of many kinds, and successes after retries.
    let failed: Vec<ErrorKind> = kinds.iter().flatten().copied().collect();
    for kind in [
        ErrorKind::Throttled,
        ErrorKind::Decode,
        ErrorKind::Configuration,
        ErrorKind::OutcomeUnknown,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::SyncTooSoon,
    ] {
        assert!(failed.contains(&kind), "no {kind:?} among {failed:?}");
    }
    assert!(
        kinds.iter().any(Option::is_none),
        "some calls succeeded after a retry"
    );

    // Sign-in where jobs run: a managed identity's header, a federated token, the GitHub
    // runner's request token, a device-code refresh token; right and wrong, through faults.
    {
        use intune_apple_core::graph::{
            DeviceCodeCredential, GitHubActionsCredential, ManagedIdentityCredential,
            ManagedIdentityId, ManagedIdentitySource, WorkloadIdentityCredential,
        };
        let app_service = |header: &str| {
            ManagedIdentityCredential::with_source(
                ManagedIdentitySource::AppService {
                    endpoint: format!("{}/msi/token", sim.base_url()),
                    header: Secret::new(header),
                },
                ManagedIdentityId::SystemAssigned,
            )
        };
        sim.add_fault(Fault::new(
            "GET",
            "/msi/token",
            FaultKind::Status { status: 503 },
        ));
        for header in [intune_apple_sim::IDENTITY_HEADER, WRONG_IDENTITY_HEADER] {
            let credential = app_service(header);
            texts.push(format!("{credential:?}"));
            let (c, _) = client_with(&sim, credential);
            kinds.push(keep(&mut texts, c.push_certificate().get().await));
        }
        sim.clear_faults();
        for header in [intune_apple_sim::IDENTITY_HEADER, WRONG_IDENTITY_HEADER] {
            let (c, _) = client_with(&sim, app_service(header));
            kinds.push(keep(&mut texts, c.push_certificate().get().await));
        }
        let dir = std::env::temp_dir().join(format!("intune-apple-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        for lifetime in [-5, 60] {
            std::fs::write(
                &file,
                sim.federated_token(
                    intune_apple_sim::K8S_SUBJECT,
                    chrono::Duration::minutes(lifetime),
                ),
            )
            .unwrap();
            let credential = WorkloadIdentityCredential::new(
                sim.tenant_id(),
                intune_apple_sim::FEDERATED_CLIENT_ID,
                &file,
            );
            texts.push(format!("{credential:?}"));
            let (c, _) = client_with(&sim, credential);
            kinds.push(keep(&mut texts, c.push_certificate().get().await));
        }
        for runner in [intune_apple_sim::GITHUB_REQUEST_TOKEN, WRONG_RUNNER_TOKEN] {
            let credential = GitHubActionsCredential::new(
                sim.tenant_id(),
                intune_apple_sim::FEDERATED_CLIENT_ID,
                sim.github_id_token_url(),
                runner,
            );
            texts.push(format!("{credential:?}"));
            let (c, _) = client_with(&sim, credential);
            kinds.push(keep(&mut texts, c.push_certificate().get().await));
        }
        let prompts = Arc::new(Mutex::new(Vec::new()));
        let seen = prompts.clone();
        let credential =
            DeviceCodeCredential::new(sim.tenant_id(), intune_apple_sim::PUBLIC_CLIENT_ID)
                .unwrap()
                .with_prompt(Arc::new(move |p| {
                    seen.lock().unwrap().push(format!("{p:?}"));
                }));
        let (c, _) = client_with(&sim, credential.clone());
        kinds.push(keep(&mut texts, c.push_certificate().get().await));
        sim.expire_tokens();
        kinds.push(keep(&mut texts, c.push_certificate().get().await));
        texts.push(format!("{credential:?}"));
        texts.extend(prompts.lock().unwrap().iter().cloned());
    }
    // Notifiers: webhook URLs and signing secrets never reach errors, Debug or the log, with
    // an endpoint refusing connections, one that is gone, and one throttling then accepting.
    texts.extend(notify_texts(&sim, &client).await);

    let log = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("graph_call") && log.contains("retrying"),
        "the log has the calls and the retries:\n{log}"
    );
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() > 50, "{} log lines", lines.len());
    let key_body = intune_apple_sim::CERT_CLIENT_KEY_PEM
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let forbidden = [
        intune_apple_sim::CLIENT_SECRET.to_string(),
        intune_apple_sim::READ_ONLY_CLIENT_SECRET.to_string(),
        WRONG_SECRET.to_string(),
        STATIC_TOKEN.to_string(),
        vpptoken(),
        "vpp-secret-token-value".to_string(),
        P7M.lines().last().unwrap().to_string(),
        "-----BEGIN".to_string(),
        pem.lines().nth(1).unwrap().to_string(),
        key_body,
        // A JWT (the client assertion, a federated token) starts with the base64url of `{"`.
        "eyJ".to_string(),
        intune_apple_sim::IDENTITY_HEADER.to_string(),
        WRONG_IDENTITY_HEADER.to_string(),
        intune_apple_sim::GITHUB_REQUEST_TOKEN.to_string(),
        WRONG_RUNNER_TOKEN.to_string(),
        intune_apple_sim::LEGACY_MSI_SECRET.to_string(),
        // Device-code refresh tokens and device codes of the simulator.
        "sim-refresh-".to_string(),
        "sim-device-".to_string(),
        WEBHOOK_SIG.to_string(),
        WEBHOOK_SECRET.to_string(),
    ];
    for text in texts
        .iter()
        .map(String::as_str)
        .chain(lines.iter().copied())
    {
        for secret in &forbidden {
            assert!(!text.contains(secret.as_str()), "{secret:?} in: {text}");
        }
        assert!(!holds_sim_token(text), "an access token in: {text}");
        assert!(
            !text.to_ascii_lowercase().contains("bearer sim"),
            "an authorization header in: {text}"
        );
    }
}

const WEBHOOK_SIG: &str = "sig-canary-4d2f9b7e";
const WEBHOOK_SECRET: &str = "whsec_Y2FuYXJ5LXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3";

/// Error texts and `Debug` of channels whose URLs and secrets are canaries, delivered to the
/// simulator's Graph root (which answers 404 for a webhook path), to a refused port, and by
/// e-mail from a mailbox outside the app's scope.
async fn notify_texts(sim: &SimHandle, client: &Client) -> Vec<String> {
    use intune_apple_core::workflows::notify::{deliver, Channel, DeliveryOptions, Notification};
    use intune_apple_core::workflows::report::{health_report, ReportOptions, TenantReport};
    let report = health_report(client, &ReportOptions::default()).await;
    let reports = vec![TenantReport {
        tenant: String::new(),
        report,
    }];
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut channels = Vec::new();
    for base in [sim.base_url(), format!("http://127.0.0.1:{refused}")] {
        let url = format!("{base}/workflows/x/invoke?sig={WEBHOOK_SIG}");
        channels.push(format!("teams={url}").parse::<Channel>().unwrap());
        channels.push(format!("slack={url}").parse::<Channel>().unwrap());
        channels.push(
            format!("webhook={url}")
                .parse::<Channel>()
                .unwrap()
                .with_webhook_secret(Some(Secret::new(WEBHOOK_SECRET))),
        );
    }
    channels.push(Channel::Email {
        to: vec!["a@contoso.example".into()],
        from: Some("outside-scope@contoso.example".into()),
    });
    let options = DeliveryOptions {
        clock: Arc::new(ManualClock::new(sim.now())),
        ..DeliveryOptions::default()
    };
    let note = Notification::digest(&reports);
    let mut texts = Vec::new();
    for (c, o) in channels
        .iter()
        .zip(deliver(&channels, &note, Some(client), &options).await)
    {
        texts.push(format!("{c:?} {c}"));
        let e = o.result.unwrap_err();
        texts.push(format!("{e} {e:?}"));
    }
    texts
}
