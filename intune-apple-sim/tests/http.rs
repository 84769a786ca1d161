//! Drives the simulator over real HTTP with a plain client.
// Test helpers may panic; the start-time test measures wall time on purpose.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]
use std::collections::BTreeSet;

use intune_apple_sim::{Fault, FaultKind, Seed, SimHandle, Simulator};
use serde_json::{json, Value};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with('@'))
        .cloned()
        .collect()
}

/// Every key of the first item of the sample collection appears in ours.
fn assert_shape(sample_file: &str, ours: &Value) {
    let path = format!(
        "{}/tests/fixtures/{sample_file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let sample: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sample_item = match &sample["value"] {
        Value::Array(a) => a[0].clone(),
        Value::Object(_) => sample["value"].clone(),
        _ => sample.clone(),
    };
    let missing: Vec<_> = keys(&sample_item)
        .difference(&keys(ours))
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "{sample_file}: missing {missing:?} in {ours}"
    );
}

async fn token(sim: &SimHandle, id: &str, secret: &str) -> String {
    let r: Value = reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_shape("oauth-token-client-credentials.response.json", &r);
    r["access_token"].as_str().unwrap().to_string()
}

struct C {
    sim: SimHandle,
    http: reqwest::Client,
    token: String,
}

impl C {
    async fn new(seed: Seed) -> Self {
        let sim = Simulator::start(seed).await.unwrap();
        let token = token(&sim, sim.client_id(), sim.client_secret()).await;
        Self {
            sim,
            http: reqwest::Client::new(),
            token,
        }
    }
    fn url(&self, p: &str) -> String {
        if p.starts_with("http") {
            p.to_string()
        } else {
            format!("{}{p}", self.sim.base_url())
        }
    }
    async fn get(&self, p: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(p))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }
    async fn send(&self, m: reqwest::Method, p: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .request(m, self.url(p))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn auth_push_certificate_and_permissions() {
    let c = C::new(Seed::demo()).await;
    let r = c
        .http
        .get(c.url("/v1.0/deviceManagement/applePushNotificationCertificate"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let (s, push) = c
        .get("/v1.0/deviceManagement/applePushNotificationCertificate")
        .await;
    assert_eq!(s, 200);
    assert_shape(
        "v1-applePushNotificationCertificate-get.response.json",
        &push,
    );
    assert!(push["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$entity"));
    assert!(push["certificate"].is_null());
    let exp =
        chrono::DateTime::parse_from_rfc3339(push["expirationDateTime"].as_str().unwrap()).unwrap();
    assert!(
        ((exp.with_timezone(&chrono::Utc) - c.sim.now()).num_seconds() - 20 * 86_400).abs() <= 1
    );
    let (_, again) = c
        .get("/v1.0/deviceManagement/applePushNotificationCertificate")
        .await;
    assert_ne!(push["id"], again["id"], "the id changes between calls");

    // Read-only application: reads work, writes are refused.
    let (id, secret) = c.sim.read_only_client();
    let ro = token(&c.sim, id, secret).await;
    let pem = include_str!("../fixtures/push-other-topic.pem");
    let r = c
        .http
        .patch(c.url("/v1.0/deviceManagement/applePushNotificationCertificate"))
        .bearer_auth(&ro)
        .json(&json!({"appleIdentifier": "a@b.example", "certificate": pem}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(c.sim.writes_applied(), 0);

    // Another topic is accepted and makes the devices unreachable.
    let (s, patched) = c
        .send(
            reqwest::Method::PATCH,
            "/v1.0/deviceManagement/applePushNotificationCertificate",
            &json!({"appleIdentifier": "a@b.example", "certificate": pem}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        patched["topicIdentifier"],
        "com.apple.mgmt.External.11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(c.sim.writes_applied(), 1);
    let (_, state) = c.get("/_sim/state").await;
    assert!(state["devicesUnreachableSince"].is_string());

    let (s, csr) = c.get("/v1.0/deviceManagement/applePushNotificationCertificate/downloadApplePushNotificationCertificateSigningRequest").await;
    assert_eq!(s, 200);
    assert!(csr["value"]
        .as_str()
        .unwrap()
        .contains("CERTIFICATE REQUEST"));

    // Token expiry on the logical clock.
    c.sim.advance(chrono::Duration::seconds(3600));
    let (s, _) = c.get("/v1.0/deviceManagement/vppTokens").await;
    assert_eq!(s, 401);
    let log = c.sim.request_log();
    assert!(!log[0].bearer && !log[1].bearer && log[2].bearer);
    assert_eq!(log[1].status, 401);
}

#[tokio::test]
async fn vpp_tokens_shapes_paging_and_renewal() {
    let c = C::new(Seed::demo()).await;
    let (_, v1) = c.get("/v1.0/deviceManagement/vppTokens").await;
    assert_eq!(v1["value"].as_array().unwrap().len(), 4);
    assert_shape("v1-vppToken-list.response.json", &v1["value"][0]);
    let (_, beta) = c.get("/beta/deviceManagement/vppTokens").await;
    assert_shape("beta-vppToken-list.response.json", &beta["value"][0]);
    let states: Vec<_> = beta["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap().to_string())
        .collect();
    assert!(states.contains(&"expired".into()) && states.contains(&"duplicateLocationId".into()));

    // Paging: page size 1 walks 4 pages through nextLink with $skiptoken.
    c.sim.set_page_size(1);
    let mut next = Some("/beta/deviceManagement/vppTokens".to_string());
    let mut pages = 0;
    let mut seen = 0;
    while let Some(url) = next {
        let (_, page) = c.get(&url).await;
        pages += 1;
        seen += page["value"].as_array().unwrap().len();
        next = page["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(n) = &next {
            assert!(n.contains("$skiptoken="));
        }
    }
    assert_eq!((pages, seen), (4, 4));

    // Renewal reads expDate from the .vpptoken.
    use base64::Engine;
    let file = base64::engine::general_purpose::STANDARD
        .encode(r#"{"token":"abc","expDate":"2031-05-01T10:00:00+0000","orgName":"Contoso"}"#);
    let id = "a3333333-0000-4000-8000-000000000003";
    let (s, renewed) = c
        .send(
            reqwest::Method::PATCH,
            &format!("/v1.0/deviceManagement/vppTokens/{id}"),
            &json!({"token": file}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(renewed["expirationDateTime"], "2031-05-01T10:00:00.000Z");
    assert_eq!(renewed["state"], "valid");
    let (s, synced) = c
        .send(
            reqwest::Method::POST,
            &format!("/v1.0/deviceManagement/vppTokens/{id}/syncLicenses"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        synced["lastSyncDateTime"].as_str().unwrap(),
        renewed["lastModifiedDateTime"].as_str().unwrap()
    );
}

#[tokio::test]
async fn dep_tokens_profiles_devices_and_sync_rule() {
    let c = C::new(Seed::demo()).await;
    let (s, list) = c.get("/beta/deviceManagement/depOnboardingSettings").await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-depOnboardingSetting-list.response.json",
        &list["value"][0],
    );
    assert_eq!(list["value"][1]["lastSyncErrorCode"], 3);
    let (s, _) = c.get("/v1.0/deviceManagement/depOnboardingSettings").await;
    assert_eq!(s, 404, "beta only");
    let id = "d1111111-0000-4000-8000-000000000001";
    let (_, one) = c.get(&format!("/beta/deviceManagement/depOnboardingSettings/{id}?$expand=defaultIosEnrollmentProfile,defaultMacOsEnrollmentProfile")).await;
    assert_eq!(
        one["defaultIosEnrollmentProfile"]["displayName"],
        "Corporate iPhone"
    );
    let (_, profiles) = c
        .get(&format!(
            "/beta/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles"
        ))
        .await;
    assert_shape(
        "beta-enrollmentProfile-list.response.json",
        &profiles["value"][0],
    );
    let (_, devices) = c.get(&format!("/beta/deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities?$top=5")).await;
    assert_shape(
        "beta-importedAppleDeviceIdentity-list.response.json",
        &devices["value"][0],
    );
    assert_eq!(devices["value"].as_array().unwrap().len(), 5);

    // Profile assignment updates the devices.
    let sn = devices["value"][2]["serialNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let pid = profiles["value"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = c.send(reqwest::Method::POST, &format!("/beta/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{pid}/updateDeviceProfileAssignment"), &json!({"deviceIds": [sn]})).await;
    assert_eq!(s, 204);
    let (_, found) = c.get(&format!("/beta/deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities?$filter=serialNumber%20eq%20'{sn}'")).await;
    assert_eq!(
        found["value"][0]["requestedEnrollmentProfileId"],
        pid.as_str()
    );

    // Sync rule: one manual sync per 15 minutes.
    let sync = format!(
        "/beta/deviceManagement/depOnboardingSettings/{id}/syncWithAppleDeviceEnrollmentProgram"
    );
    let (s, _) = c.send(reqwest::Method::POST, &sync, &json!({})).await;
    assert_eq!(s, 204);
    c.sim.advance(chrono::Duration::seconds(14 * 60 + 59));
    let (s, err) = c.send(reqwest::Method::POST, &sync, &json!({})).await;
    assert_eq!(s, 409);
    let inner: Value = serde_json::from_str(err["error"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["RetryAfter"], 1);
    c.sim.advance(chrono::Duration::seconds(1));
    let (s, _) = c.send(reqwest::Method::POST, &sync, &json!({})).await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn apps_filter_and_assign_replaces() {
    let c = C::new(Seed::demo()).await;
    let (_, apps) = c
        .get("/beta/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.iosVppApp')")
        .await;
    assert_eq!(apps["value"].as_array().unwrap().len(), 4);
    assert_shape("v1-iosVppApp-list.response.json", &apps["value"][0]);
    let (_, dup) = c.get("/beta/deviceAppManagement/mobileApps?$filter=vppTokenId%20eq%20'a4444444-0000-4000-8000-000000000004'").await;
    assert_eq!(dup["value"].as_array().unwrap().len(), 1);
    let app = "b4444444-0000-4000-8000-000000000004";
    let (_, a) = c
        .get(&format!(
            "/beta/deviceAppManagement/mobileApps/{app}/assignments"
        ))
        .await;
    assert!(a["value"].as_array().unwrap().is_empty());
    let (_, a) = c
        .get(
            "/beta/deviceAppManagement/mobileApps/b3333333-0000-4000-8000-000000000003/assignments",
        )
        .await;
    assert_shape(
        "beta-mobileAppAssignment-list.response.json",
        &a["value"][0],
    );
    let body = json!({"mobileAppAssignments": [{"@odata.type": "#microsoft.graph.mobileAppAssignment", "intent": "required",
        "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}]});
    let (s, _) = c
        .send(
            reqwest::Method::POST,
            &format!("/beta/deviceAppManagement/mobileApps/{app}/assign"),
            &body,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = c
        .send(
            reqwest::Method::POST,
            &format!("/beta/deviceAppManagement/mobileApps/{app}/assign"),
            &body,
        )
        .await;
    assert_eq!(s, 204);
    let (_, a) = c
        .get(&format!(
            "/beta/deviceAppManagement/mobileApps/{app}/assignments"
        ))
        .await;
    assert_eq!(
        a["value"].as_array().unwrap().len(),
        1,
        "assign replaces the set"
    );
    let (_, sel) = c
        .get("/v1.0/deviceAppManagement/mobileApps?$select=bundleId")
        .await;
    assert_eq!(
        keys(&sel["value"][0]),
        ["bundleId".to_string(), "id".to_string()]
            .into_iter()
            .collect()
    );
}

#[tokio::test]
async fn starts_fast_and_pages_100k_devices() {
    let started = std::time::Instant::now();
    let c = C::new(Seed::with_devices(0, 100_000)).await;
    let start_ms = started.elapsed().as_millis();
    println!("start + first token: {start_ms} ms");
    assert!(start_ms < 100, "start took {start_ms} ms");
    c.sim.set_page_size(1000);
    let walk = std::time::Instant::now();
    let mut next = Some("/beta/deviceManagement/depOnboardingSettings/d0000000-0000-4000-8000-000000000000/importedAppleDeviceIdentities".to_string());
    let (mut pages, mut seen) = (0, 0);
    while let Some(url) = next {
        let (s, page) = c.get(&url).await;
        assert_eq!(s, 200);
        pages += 1;
        seen += page["value"].as_array().unwrap().len();
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    println!(
        "100k devices in {pages} pages: {} ms",
        walk.elapsed().as_millis()
    );
    assert_eq!((pages, seen), (100, 100_000));
}

#[test]
fn spawn_serves_sync_callers() {
    let sim = Simulator::spawn(Seed::empty()).unwrap();
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    let addr = sim.addr();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"GET /_sim/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"));
    sim.shutdown();
}

#[tokio::test]
async fn faults_do_what_they_say() {
    let c = C::new(Seed::demo()).await;
    let vpp = "/v1.0/deviceManagement/vppTokens";
    c.sim.add_fault(
        Fault::new(
            "GET",
            vpp,
            FaultKind::Throttle {
                retry_after: "0.5".into(),
            },
        )
        .nth(2),
    );
    let (s, _) = c.get(vpp).await;
    assert_eq!(s, 200);
    let r = c
        .http
        .get(c.url(vpp))
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "0.5");
    let (s, _) = c.get(vpp).await;
    assert_eq!(s, 200, "only the 2nd call");
    c.sim.clear_faults();

    // Over HTTP: 503 on every call of a prefix.
    let r = c
        .http
        .post(c.url("/_sim/faults"))
        .json(&json!([{"path": "/v1.0/deviceManagement/*", "kind": "status", "status": 503}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(c.get(vpp).await.0, 503);
    c.http.delete(c.url("/_sim/faults")).send().await.unwrap();

    // Reset before: not applied. Reset after: applied but no answer.
    let id = "a1111111-0000-4000-8000-000000000001";
    let p = format!("/v1.0/deviceManagement/vppTokens/{id}");
    c.sim
        .add_fault(Fault::new("PATCH", &p, FaultKind::ResetBefore).nth(1));
    c.sim
        .add_fault(Fault::new("PATCH", &p, FaultKind::ResetAfter).nth(2));
    for expected in [0, 1] {
        let r = c
            .http
            .patch(c.url(&p))
            .bearer_auth(&c.token)
            .json(&json!({"displayName": "x"}))
            .send()
            .await;
        let failed = match r {
            Err(_) => true,
            Ok(r) => r.bytes().await.is_err(),
        };
        assert!(failed);
        assert_eq!(c.sim.writes_applied(), expected);
    }
    c.sim.clear_faults();

    // Malformed and truncated bodies.
    c.sim
        .add_fault(Fault::new("GET", vpp, FaultKind::Malformed).nth(1));
    c.sim
        .add_fault(Fault::new("GET", vpp, FaultKind::Truncated).nth(2));
    let text = c
        .http
        .get(c.url(vpp))
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err());
    let r = c.http.get(c.url(vpp)).bearer_auth(&c.token).send().await;
    let failed = match r {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "a truncated body fails to read");
    c.sim.clear_faults();

    // Foreign nextLink.
    c.sim.set_page_size(1);
    c.sim
        .add_fault(Fault::new("GET", vpp, FaultKind::ForeignNextLink));
    let (_, page) = c.get(vpp).await;
    assert!(page["@odata.nextLink"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.2:"));
    c.sim.clear_faults();

    // Token expiry mid-run.
    c.sim
        .add_fault(Fault::new("GET", vpp, FaultKind::ExpireTokens).nth(1));
    assert_eq!(c.get(vpp).await.0, 401);

    // Intune's throttle on the logical clock.
    let c = C::new(Seed::demo()).await;
    c.sim.set_throttle(true);
    for _ in 0..200 {
        assert_eq!(
            c.send(reqwest::Method::PATCH, &p, &json!({"displayName": "y"}))
                .await
                .0,
            200
        );
    }
    let r = c
        .http
        .patch(c.url(&p))
        .bearer_auth(&c.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "20");
    c.sim.advance(chrono::Duration::seconds(21));
    assert_eq!(
        c.send(reqwest::Method::PATCH, &p, &json!({"displayName": "y"}))
            .await
            .0,
        200
    );
}
