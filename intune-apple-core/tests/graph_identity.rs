//! Sign-in where scheduled jobs run, against the simulator over HTTP: the token cache (single
//! flight, remembered refusals, short lifetimes, a stalled endpoint), managed identity in each
//! host's form, workload identity, GitHub Actions OIDC, client assertions, the Azure CLI (a fake
//! `az`), device code, the default chain, and granting Graph permissions to an identity.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use intune_apple_core::clock::ManualClock;
use intune_apple_core::graph::Client;
use intune_apple_core::graph::{
    AzureCliCredential, ClientAssertionCredential, ClientSecretCredential, Credential,
    DefaultAzureCredential, DeviceCodeCredential, ErrorKind, GitHubActionsCredential,
    ManagedIdentityCredential, ManagedIdentityId, ManagedIdentitySource,
    WorkloadIdentityCredential,
};
use intune_apple_core::workflows::permissions::{
    grant_permissions, plan_permissions, GrantStatus, PermissionSet,
};
use intune_apple_core::workflows::{health_report, ReportOptions};
use intune_apple_core::Secret;
use intune_apple_sim::{
    Fault, FaultKind, Seed, SimHandle, Simulator, FEDERATED_CLIENT_ID, GITHUB_REQUEST_TOKEN,
    IDENTITY_HEADER, K8S_SUBJECT, LEGACY_MSI_SECRET, MANAGED_IDENTITY_OBJECT_ID, PUBLIC_CLIENT_ID,
    USER_ASSIGNED_CLIENT_ID, USER_ASSIGNED_OBJECT_ID, USER_ASSIGNED_RESOURCE_ID,
};

fn client(sim: &SimHandle, credential: impl Credential + 'static) -> (Client, ManualClock) {
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

async fn sim() -> SimHandle {
    Simulator::start(Seed::demo()).await.unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "intune-apple-identity-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_calls_on_a_fresh_client_make_one_token_request() {
    let sim = sim().await;
    let (c, _) = client(
        &sim,
        ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()),
    );
    let calls = (0..20).map(|_| {
        let c = c.clone();
        async move { c.push_certificate().get().await }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(sim.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_secret_is_asked_for_once_and_reported_once() {
    let sim = sim().await;
    let (c, _) = client(
        &sim,
        ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), "wrong-secret-4f1a"),
    );
    let report = health_report(
        &c,
        &ReportOptions {
            include_apps: true,
            ..ReportOptions::default()
        },
    )
    .await;
    assert_eq!(sim.token_requests(), 1);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].section, "signIn");
    assert_eq!(report.errors[0].code, "unauthorized");
    assert!(
        report.errors[0].message.contains("not its Secret ID"),
        "{}",
        report.errors[0].message
    );
    // The refusal is remembered: later calls of the run do not ask again.
    assert!(c.push_certificate().get().await.is_err());
    assert_eq!(sim.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lifetime_shorter_than_the_refresh_margin_is_still_cached() {
    let mut seed = Seed::demo();
    seed.token_lifetime_secs = 120;
    let sim = Simulator::start(seed).await.unwrap();
    let (c, clock) = client(
        &sim,
        ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()),
    );
    for _ in 0..3 {
        c.push_certificate().get().await.unwrap();
    }
    assert_eq!(sim.token_requests(), 1);
    // Past half its life it is replaced.
    clock.advance(Duration::from_secs(61));
    c.push_certificate().get().await.unwrap();
    assert_eq!(sim.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_token_endpoint_costs_one_bounded_request_chain_not_one_per_call() {
    let sim = sim().await;
    let token_path = format!("/{}/oauth2/v2.0/token", sim.tenant_id());
    sim.add_fault(Fault::new(
        "POST",
        &token_path,
        FaultKind::Delay { ms: 30_000 },
    ));
    let clock = ManualClock::new(sim.now());
    let c = Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .credential(ClientSecretCredential::new(
            sim.tenant_id(),
            sim.client_id(),
            sim.client_secret(),
        ))
        .attempt_timeout(Duration::from_millis(300))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let calls = (0..10).map(|_| {
        let c = c.clone();
        async move { c.push_certificate().get().await }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_err));
    let e = results[0].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    // One request and its three retries (each abandoned after the attempt timeout), shared by
    // the ten calls: one call per waiting call would have slept thirty times.
    assert_eq!(clock.slept().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_service_managed_identity_with_its_header() {
    let sim = sim().await;
    let endpoint = format!("{}/msi/token", sim.base_url());
    let good = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::AppService {
            endpoint: endpoint.clone(),
            header: Secret::new(IDENTITY_HEADER),
        },
        ManagedIdentityId::SystemAssigned,
    );
    let (c, _) = client(&sim, good);
    c.push_certificate().get().await.unwrap();
    let user = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::AppService {
            endpoint: endpoint.clone(),
            header: Secret::new(IDENTITY_HEADER),
        },
        ManagedIdentityId::ResourceId(USER_ASSIGNED_RESOURCE_ID.into()),
    );
    client(&sim, user).0.push_certificate().get().await.unwrap();
    let log = sim.request_log();
    assert!(
        log.iter().any(|e| e.path.contains("mi_res_id=")),
        "resource id spelt mi_res_id"
    );

    let wrong = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::AppService {
            endpoint,
            header: Secret::new("stale-header-value-77"),
        },
        ManagedIdentityId::SystemAssigned,
    );
    let err = client(&sim, wrong)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("IDENTITY_HEADER") && text.contains("401"),
        "{text}"
    );
    assert!(
        !text.contains("stale-header-value-77")
            && !format!("{err:?}").contains("stale-header-value-77")
    );
    // A managed identity has no secret: the hint says to fix what the message names.
    assert!(
        err.hint().contains("fix the sign-in as the message says"),
        "{}",
        err.hint()
    );
    assert!(!err.hint().contains("secret"), "{}", err.hint());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_503_then_429_then_success_with_the_documented_back_off() {
    let sim = sim().await;
    let path = "/metadata/identity/oauth2/token";
    sim.add_fault(Fault::new("GET", path, FaultKind::Status { status: 503 }).nth(1));
    sim.add_fault(
        Fault::new(
            "GET",
            path,
            FaultKind::Throttle {
                retry_after: "1".into(),
            },
        )
        .nth(2),
    );
    let vars = |n: &str| (n == "AZURE_POD_IDENTITY_AUTHORITY_HOST").then(|| sim.base_url());
    let credential =
        ManagedIdentityCredential::from_env_with(&vars, ManagedIdentityId::SystemAssigned);
    assert!(matches!(
        credential.source(),
        ManagedIdentitySource::Imds { .. }
    ));
    let (c, clock) = client(&sim, credential);
    c.push_certificate().get().await.unwrap();
    assert_eq!(sim.token_requests(), 3);
    assert_eq!(
        clock.slept(),
        vec![Duration::from_secs(1), Duration::from_secs(2)]
    );
    // User-assigned by client id and object id; an unknown one is refused, not retried.
    for id in [
        ManagedIdentityId::ClientId(USER_ASSIGNED_CLIENT_ID.into()),
        ManagedIdentityId::ObjectId(USER_ASSIGNED_OBJECT_ID.into()),
    ] {
        let cred = ManagedIdentityCredential::from_env_with(&vars, id);
        client(&sim, cred).0.push_certificate().get().await.unwrap();
    }
    let before = sim.token_requests();
    let cred = ManagedIdentityCredential::from_env_with(
        &vars,
        ManagedIdentityId::ClientId("00000000-0000-0000-0000-00000000dead".into()),
    );
    let err = client(&sim, cred)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no identity is assigned"), "{err}");
    assert_eq!(sim.token_requests(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arc_challenge_cloud_shell_and_the_2017_protocol() {
    let sim = sim().await;
    let arc = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::Arc {
            endpoint: format!("{}/arc/token", sim.base_url()),
            tokens_dir: sim.arc_tokens_dir(),
        },
        ManagedIdentityId::SystemAssigned,
    );
    client(&sim, arc).0.push_certificate().get().await.unwrap();
    // A key file outside the agent's directory is refused.
    let elsewhere = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::Arc {
            endpoint: format!("{}/arc/token", sim.base_url()),
            tokens_dir: temp_dir("arc"),
        },
        ManagedIdentityId::SystemAssigned,
    );
    let err = client(&sim, elsewhere)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("tokens directory"), "{err}");

    let shell = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::CloudShell {
            endpoint: format!("{}/cloudshell/token", sim.base_url()),
        },
        ManagedIdentityId::SystemAssigned,
    );
    client(&sim, shell)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap();
    let legacy = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::Legacy {
            endpoint: format!("{}/msi/legacy", sim.base_url()),
            secret: Secret::new(LEGACY_MSI_SECRET),
        },
        ManagedIdentityId::SystemAssigned,
    );
    client(&sim, legacy)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_reads_the_file_again_when_it_rotates() {
    let sim = sim().await;
    let dir = temp_dir("wi");
    let file = dir.join("token");
    std::fs::write(
        &file,
        sim.federated_token(K8S_SUBJECT, chrono::Duration::minutes(-1)),
    )
    .unwrap();
    let credential = WorkloadIdentityCredential::new(sim.tenant_id(), FEDERATED_CLIENT_ID, &file);
    let err = client(&sim, credential.clone())
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("AADSTS700024") && text.contains("time window"),
        "{text}"
    );
    // The kubelet writes a fresh token: the same credential picks it up.
    std::fs::write(
        &file,
        sim.federated_token(K8S_SUBJECT, chrono::Duration::hours(1)),
    )
    .unwrap();
    client(&sim, credential)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap();
    // A token for another subject is refused with the federated-credential explanation.
    std::fs::write(
        &file,
        sim.federated_token(
            "system:serviceaccount:other:app",
            chrono::Duration::hours(1),
        ),
    )
    .unwrap();
    let other = WorkloadIdentityCredential::new(sim.tenant_id(), FEDERATED_CLIENT_ID, &file);
    let err = client(&sim, other)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("subject"), "{err}");
    // A missing file says which file and which variable.
    let missing =
        WorkloadIdentityCredential::new(sim.tenant_id(), FEDERATED_CLIENT_ID, dir.join("absent"));
    let err = client(&sim, missing)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("AZURE_FEDERATED_TOKEN_FILE"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_actions_oidc_and_a_client_assertion_callback() {
    let sim = sim().await;
    let gh = GitHubActionsCredential::new(
        sim.tenant_id(),
        FEDERATED_CLIENT_ID,
        sim.github_id_token_url(),
        GITHUB_REQUEST_TOKEN,
    );
    client(&sim, gh).0.push_certificate().get().await.unwrap();
    assert!(sim
        .request_log()
        .iter()
        .any(|e| e.path.contains("audience=api%3A%2F%2FAzureADTokenExchange")));
    let wrong = GitHubActionsCredential::new(
        sim.tenant_id(),
        FEDERATED_CLIENT_ID,
        sim.github_id_token_url(),
        "not-the-runner-token",
    );
    let err = client(&sim, wrong)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("id-token: write"), "{err}");

    let token = sim.federated_token(K8S_SUBJECT, chrono::Duration::hours(1));
    let calls = Arc::new(Mutex::new(0));
    let counted = calls.clone();
    let assertion = ClientAssertionCredential::new(
        sim.tenant_id(),
        FEDERATED_CLIENT_ID,
        Arc::new(move || {
            *counted.lock().unwrap() += 1;
            let t = token.clone();
            Box::pin(async move { Ok(Secret::new(t)) })
        }),
    );
    let (c, _) = client(&sim, assertion);
    c.push_certificate().get().await.unwrap();
    c.vpp_tokens()
        .get("a1111111-0000-4000-8000-000000000001")
        .await
        .ok();
    assert_eq!(
        *calls.lock().unwrap(),
        1,
        "the callback runs only for a new token"
    );
    let failing = ClientAssertionCredential::new(
        sim.tenant_id(),
        FEDERATED_CLIENT_ID,
        Arc::new(|| Box::pin(async { Err("the vault is sealed".to_owned()) })),
    );
    let err = client(&sim, failing)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("ClientAssertionCredential") && text.contains("the vault is sealed"),
        "{text}"
    );
}

#[cfg(unix)]
fn fake_az(dir: &std::path::Path, script: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("az");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_through_a_fake_az_on_path() {
    let sim = sim().await;
    let dir = temp_dir("az");
    let expires = sim.now().timestamp() + 3600;
    fake_az(&dir, &format!(
        "[ \"$1 $2 $3 $4 $5 $6\" = \"account get-access-token --output json --resource https://graph.microsoft.com\" ] || {{ echo \"unexpected: $*\" >&2; exit 2; }}\necho '{{\"accessToken\":\"{}\",\"expires_on\":{expires},\"tokenType\":\"Bearer\",\"tenant\":\"t\"}}'",
        sim.issue_token()
    ));
    let cli = AzureCliCredential::new().with_search_path(dir.as_os_str());
    client(&sim, cli).0.push_certificate().get().await.unwrap();

    let logged_out = temp_dir("az-out");
    fake_az(
        &logged_out,
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1",
    );
    let cli = AzureCliCredential::new().with_search_path(logged_out.as_os_str());
    let err = client(&sim, cli)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("run `az login`"), "{err}");

    let empty = temp_dir("az-none");
    let cli = AzureCliCredential::new().with_search_path(empty.as_os_str());
    let err = client(&sim, cli)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not on PATH"), "{err}");

    let hangs = temp_dir("az-hang");
    fake_az(&hangs, "exec sleep 30");
    let cli = AzureCliCredential::new()
        .with_search_path(hangs.as_os_str())
        .with_timeout(Duration::from_millis(500));
    let err = client(&sim, cli)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no answer within"), "{err}");

    let garbage = temp_dir("az-garbage");
    fake_az(&garbage, "echo 'WARNING: not json'");
    let cli = AzureCliCredential::new().with_search_path(garbage.as_os_str());
    let err = client(&sim, cli)
        .0
        .push_certificate()
        .get()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("AzureCliCredential"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_prompts_once_and_refreshes_in_memory() {
    let sim = sim().await;
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let seen = prompts.clone();
    let credential = DeviceCodeCredential::new(sim.tenant_id(), PUBLIC_CLIENT_ID)
        .unwrap()
        .with_prompt(Arc::new(move |p| seen.lock().unwrap().push(p.clone())));
    let (c, clock) = client(&sim, credential);
    c.push_certificate().get().await.unwrap();
    {
        let prompts = prompts.lock().unwrap();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].user_code, "SIMCODE42");
        assert!(prompts[0]
            .message
            .contains("https://microsoft.com/devicelogin"));
    }
    // Polled every `interval` (5 s) until the person finished.
    assert_eq!(
        clock.slept(),
        vec![Duration::from_secs(5), Duration::from_secs(5)]
    );
    // The access token expires: the refresh token (in memory) gets a new one, no new prompt.
    sim.expire_tokens();
    c.push_certificate().get().await.unwrap();
    assert_eq!(prompts.lock().unwrap().len(), 1);
    // Microsoft's own app ids are refused.
    assert!(
        DeviceCodeCredential::new(sim.tenant_id(), "14d82eec-204b-4c2f-b7e8-296a70dab67e").is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_env_chooses_managed_identity_where_identity_endpoint_is_set() {
    let sim = sim().await;
    let base = sim.base_url();
    let vars = |n: &str| match n {
        "IDENTITY_ENDPOINT" => Some(format!("{base}/msi/token")),
        "IDENTITY_HEADER" => Some(IDENTITY_HEADER.to_owned()),
        "INTUNE_APPLE_GRAPH_URL" | "AZURE_AUTHORITY_HOST" => Some(base.clone()),
        _ => None,
    };
    let c = Client::from_env_with(vars).unwrap();
    assert_eq!(c.credential_name(), "DefaultAzureCredential");
    c.push_certificate().get().await.unwrap();
    let chain = Arc::new(DefaultAzureCredential::from_env_with(&vars).unwrap());
    let c = Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .shared_credential(chain.clone())
        .build()
        .unwrap();
    c.sign_in().await.unwrap();
    assert_eq!(chain.chosen(), Some("ManagedIdentityCredential"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_error_lists_every_step_and_honours_azure_token_credentials() {
    let sim = sim().await;
    let base = sim.base_url();
    let vars = |n: &str| match n {
        "INTUNE_APPLE_GRAPH_URL" | "AZURE_AUTHORITY_HOST" => Some(base.clone()),
        "AZURE_CLIENT_ID" => Some("11111111-aaaa-4bbb-8ccc-000000000001".to_owned()),
        _ => None,
    };
    let c = Client::from_env_with(vars).unwrap();
    let err = c.sign_in().await.unwrap_err();
    let text = err.to_string();
    for step in [
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
        "AzureCliCredential",
    ] {
        assert!(text.contains(step), "{step} in {text}");
    }
    assert!(
        text.contains("AZURE_FEDERATED_TOKEN_FILE") && text.contains("AZURE_CLIENT_SECRET"),
        "{text}"
    );
    // No step reached a managed-identity endpoint: a laptop never waits on IMDS.
    assert_eq!(sim.token_requests(), 0);
    // The chain's own hint, not the generic one about a secret that was never given (the
    // error reaches the client shared between waiting calls, wrapped).
    assert!(
        text.contains("no credential of the chain was usable"),
        "{text}"
    );
    assert!(!text.contains("secret or certificate"), "{text}");

    let only = DefaultAzureCredential::from_env_with(&|n| {
        (n == "AZURE_TOKEN_CREDENTIALS").then(|| "dev".to_owned())
    })
    .unwrap();
    assert_eq!(only.steps(), ["AzureCliCredential"]);
    let prod = DefaultAzureCredential::from_env_with(&|n| {
        (n == "AZURE_TOKEN_CREDENTIALS").then(|| "Prod".to_owned())
    })
    .unwrap();
    assert_eq!(
        prod.steps(),
        [
            "EnvironmentCredential",
            "WorkloadIdentityCredential",
            "ManagedIdentityCredential"
        ]
    );
    let one = DefaultAzureCredential::from_env_with(&|n| {
        (n == "AZURE_TOKEN_CREDENTIALS").then(|| "ManagedIdentityCredential".to_owned())
    })
    .unwrap();
    assert_eq!(one.steps(), ["ManagedIdentityCredential"]);

    // A refused secret in the environment stops the chain and says why.
    let vars = |n: &str| match n {
        "AZURE_TENANT_ID" => Some(sim.tenant_id()),
        "AZURE_CLIENT_ID" => Some(sim.client_id().to_owned()),
        "AZURE_CLIENT_SECRET" => Some("wrong-secret-chain".to_owned()),
        _ => None,
    };
    let chain = DefaultAzureCredential::from_env_with(&vars).unwrap();
    let (c, _) = client(&sim, chain);
    let text = c.sign_in().await.unwrap_err().to_string();
    assert!(
        text.contains("AADSTS7000215") && !text.contains("wrong-secret-chain"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granting_permissions_plans_first_and_never_grants_twice() {
    let sim = sim().await;
    let (admin, _) = client(
        &sim,
        ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()),
    );
    let plan = plan_permissions(&admin, MANAGED_IDENTITY_OBJECT_ID, PermissionSet::ReadWrite)
        .await
        .unwrap();
    assert_eq!(sim.writes_applied(), 0, "planning writes nothing");
    assert_eq!(plan.to_grant().count(), 2);
    let shown = plan.to_string();
    assert!(
        shown.contains("DeviceManagementServiceConfig.ReadWrite.All")
            && shown.contains("will be granted"),
        "{shown}"
    );
    let done = grant_permissions(&admin, &plan).await.unwrap();
    assert_eq!(done.granted().count(), 2);
    assert_eq!(sim.writes_applied(), 2);
    // Run twice: nothing twice, even with the stale plan.
    let again = grant_permissions(&admin, &plan).await.unwrap();
    assert!(again
        .grants
        .iter()
        .all(|g| g.status == GrantStatus::AlreadyGranted));
    assert_eq!(sim.writes_applied(), 2);
    assert_eq!(sim.app_role_assignments().len(), 2);
    // A client id instead of the object id is named as the mistake.
    let err = plan_permissions(
        &admin,
        "22222222-aaaa-4bbb-8ccc-000000000001",
        PermissionSet::ReadOnly,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("object (principal) id"), "{err}");
    // An app without the right to grant gets Graph's refusal.
    let (ro_id, ro_secret) = sim.read_only_client();
    let (reader, _) = client(
        &sim,
        ClientSecretCredential::new(sim.tenant_id(), ro_id, ro_secret),
    );
    let plan = plan_permissions(&reader, USER_ASSIGNED_OBJECT_ID, PermissionSet::ReadOnly)
        .await
        .unwrap();
    let err = grant_permissions(&reader, &plan).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managed_identity_answer_that_never_ends_stops_at_its_cap() {
    let sim = sim().await;
    sim.add_fault(Fault::new("GET", "/msi/token", FaultKind::EndlessBody));
    let credential = ManagedIdentityCredential::with_source(
        ManagedIdentitySource::AppService {
            endpoint: format!("{}/msi/token", sim.base_url()),
            header: Secret::new(IDENTITY_HEADER),
        },
        ManagedIdentityId::SystemAssigned,
    );
    let (c, _) = client(&sim, credential);
    let err = tokio::time::timeout(Duration::from_secs(60), c.push_certificate().get())
        .await
        .expect("an endless token answer must not hang the call")
        .unwrap_err();
    assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
}
