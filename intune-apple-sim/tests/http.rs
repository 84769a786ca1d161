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
    let (s, _) = c.get("/v1.0/deviceAppManagement/vppTokens").await;
    assert_eq!(s, 401);
    let log = c.sim.request_log();
    assert!(!log[0].bearer && !log[1].bearer && log[2].bearer);
    assert_eq!(log[1].status, 401);
}

#[tokio::test]
async fn vpp_tokens_shapes_paging_and_renewal() {
    let c = C::new(Seed::demo()).await;
    let (_, v1) = c.get("/v1.0/deviceAppManagement/vppTokens").await;
    assert_eq!(v1["value"].as_array().unwrap().len(), 4);
    assert_shape("v1-vppToken-list.response.json", &v1["value"][0]);
    let (_, beta) = c.get("/beta/deviceAppManagement/vppTokens").await;
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
    let mut next = Some("/beta/deviceAppManagement/vppTokens".to_string());
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
            &format!("/v1.0/deviceAppManagement/vppTokens/{id}"),
            &json!({"token": file}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(renewed["expirationDateTime"], "2031-05-01T10:00:00.000Z");
    assert_eq!(renewed["state"], "valid");
    let (s, synced) = c
        .send(
            reqwest::Method::POST,
            &format!("/v1.0/deviceAppManagement/vppTokens/{id}/syncLicenses"),
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
    assert_eq!(apps["value"].as_array().unwrap().len(), 5);
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

/// Start-up time and paging speed are measured by `./benches/run` (a timed assertion here would
/// fail on a loaded machine); this test holds the behaviour: 100k generated devices, 100 pages.
#[tokio::test]
async fn pages_100k_devices() {
    let c = C::new(Seed::with_devices(0, 100_000)).await;
    c.sim.set_page_size(1000);
    let mut next = Some("/beta/deviceManagement/depOnboardingSettings/d0000000-0000-4000-8000-000000000000/importedAppleDeviceIdentities".to_string());
    let (mut pages, mut seen) = (0, 0);
    let mut serials = std::collections::HashSet::new();
    while let Some(url) = next {
        let (s, page) = c.get(&url).await;
        assert_eq!(s, 200);
        pages += 1;
        for device in page["value"].as_array().unwrap() {
            serials.insert(device["serialNumber"].as_str().unwrap().to_string());
            seen += 1;
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!((pages, seen, serials.len()), (100, 100_000, 100_000));
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
    let vpp = "/v1.0/deviceAppManagement/vppTokens";
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
        .json(&json!([{"path": "/v1.0/deviceAppManagement/*", "kind": "status", "status": 503}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(c.get(vpp).await.0, 503);
    c.http.delete(c.url("/_sim/faults")).send().await.unwrap();

    // Reset before: not applied. Reset after: applied but no answer.
    let id = "a1111111-0000-4000-8000-000000000001";
    let p = format!("/v1.0/deviceAppManagement/vppTokens/{id}");
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

/// A deterministic byte source for PSS salts in tests (never for real keys).
struct TestRng(u64);

impl rsa::rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest.iter_mut() {
            *b = (self.next_u64() >> 56) as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for TestRng {}

fn jwt(header: &Value, payload: &Value, tamper: bool) -> String {
    use base64::Engine;
    use rsa::pkcs8::DecodePrivateKey;
    use sha2::Digest;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(payload.to_string())
    );
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(intune_apple_sim::CERT_CLIENT_KEY_PEM).unwrap();
    let hashed = sha2::Sha256::digest(input.as_bytes());
    let mut sig = if header["alg"] == "PS256" {
        key.sign_with_rng(&mut TestRng(7), rsa::Pss::new::<sha2::Sha256>(), &hashed)
            .unwrap()
    } else {
        key.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed)
            .unwrap()
    };
    if tamper {
        sig[0] ^= 1;
    }
    format!("{input}.{}", b64.encode(sig))
}

#[tokio::test]
async fn certificate_client_assertion() {
    use base64::Engine;
    use der::{DecodePem, Encode};
    use sha2::Digest;
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let cert = x509_cert::Certificate::from_pem(intune_apple_sim::CERT_CLIENT_CERT_PEM.as_bytes())
        .unwrap();
    let thumb = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(cert.to_der().unwrap()));
    let x5t_sha1 = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha1::Sha1::digest(cert.to_der().unwrap()));
    let exp = sim.now().timestamp() + 600;
    let payload = json!({"iss": intune_apple_sim::CERT_CLIENT_ID, "sub": intune_apple_sim::CERT_CLIENT_ID,
        "aud": sim.token_url(), "exp": exp, "nbf": exp - 900, "jti": "1"});
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t#S256": thumb});
    let http = reqwest::Client::new();
    for (assertion, ok) in [
        (jwt(&header, &payload, false), true),
        (jwt(&header, &payload, true), false),
        (
            jwt(
                &json!({"alg": "RS256", "x5t#S256": "nope"}),
                &payload,
                false,
            ),
            false,
        ),
        (
            jwt(&json!({"alg": "PS256", "x5t": x5t_sha1}), &payload, false),
            true,
        ),
        (
            jwt(&json!({"alg": "PS256", "x5t": x5t_sha1}), &payload, true),
            false,
        ),
    ] {
        let r = http
            .post(sim.token_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", intune_apple_sim::CERT_CLIENT_ID),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().is_success(), ok);
    }
}

#[tokio::test]
async fn dep_and_vpp_actions() {
    use reqwest::Method as M;
    let c = C::new(Seed::demo()).await;
    let dep = "/beta/deviceManagement/depOnboardingSettings";
    let (s, created) = c
        .send(
            M::POST,
            dep,
            &json!({"tokenName": "New", "appleIdentifier": "n@contoso.example"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_shape("beta-depOnboardingSetting-create.response.json", &created);
    let new_id = created["id"].as_str().unwrap().to_string();
    let (s, patched) = c
        .send(
            M::PATCH,
            &format!("{dep}/{new_id}"),
            &json!({"tokenName": "Renamed"}),
        )
        .await;
    assert_eq!((s, patched["tokenName"].as_str()), (200, Some("Renamed")));
    assert_eq!(
        c.send(
            M::POST,
            &format!("{dep}/{new_id}/uploadDepToken"),
            &json!({"appleId": "x", "depToken": "abc"})
        )
        .await
        .0,
        204
    );
    assert_eq!(
        c.send(M::DELETE, &format!("{dep}/{new_id}"), &json!({}))
            .await
            .0,
        204
    );
    assert_eq!(c.get(&format!("{dep}/{new_id}")).await.0, 404);

    let id = "d1111111-0000-4000-8000-000000000001";
    let (_, k1) = c.get(&format!("{dep}/{id}/getEncryptionPublicKey")).await;
    let (_, k2) = c
        .send(
            M::POST,
            &format!("{dep}/{id}/generateEncryptionPublicKey"),
            &json!({}),
        )
        .await;
    assert_ne!(k1["value"], k2["value"], "generate makes a new key");
    let (s, p) = c.send(M::POST, &format!("{dep}/{id}/enrollmentProfiles"),
        &json!({"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Kiosk"})).await;
    assert_eq!(s, 201);
    let pid = p["id"].as_str().unwrap().to_string();
    assert!(pid.starts_with(&format!("{id}_")));
    assert_eq!(
        c.send(
            M::POST,
            &format!("{dep}/{id}/enrollmentProfiles/{pid}/setDefaultProfile"),
            &json!({})
        )
        .await
        .0,
        204
    );
    let (_, def) = c
        .get(&format!("{dep}/{id}/defaultIosEnrollmentProfile"))
        .await;
    assert_eq!(def["displayName"], "Kiosk");
    let (status, cfg) = c
        .get(&format!(
            "{dep}/{id}/enrollmentProfiles/{pid}/exportMobileConfig"
        ))
        .await;
    assert_eq!(status, 200, "exportMobileConfig is a GET function");
    assert!(cfg["value"].as_str().unwrap().contains("Kiosk"));

    let (_, lic) = c
        .get(
            "/beta/deviceAppManagement/vppTokens/getLicensesForApp(bundleId='com.readdle.Scanner')",
        )
        .await;
    assert_eq!(
        lic["value"].as_array().unwrap().len(),
        2,
        "the app appears under both Warehouse tokens"
    );
    assert_shape(
        "beta-vppToken-getLicensesForApp.response.json",
        &lic["value"][0],
    );
    let (_, encoded) = c
        .get("/beta/deviceAppManagement/vppTokens/getLicensesForApp(bundleId=%27com.readdle.Scanner%27)")
        .await;
    assert_eq!(
        encoded["value"], lic["value"],
        "quotes sent as %27 are decoded"
    );
    assert_eq!(
        c.send(
            M::POST,
            "/beta/deviceAppManagement/vppTokens/a1111111-0000-4000-8000-000000000001/revokeLicenses",
            &json!({"notifyManagedDevices": false, "revokeUntrackedLicenses": true})
        )
        .await
        .0,
        204
    );
    let (s, consent) = c
        .send(
            M::POST,
            "/beta/deviceManagement/dataSharingConsents/appleVPP/consentToDataSharing",
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-dataSharingConsent-consentToDataSharing.response.json",
        &consent,
    );
}

#[tokio::test]
async fn import_device_list_and_get_one() {
    use reqwest::Method as M;
    let c = C::new(Seed::with_devices(0, 3)).await;
    let base = "/beta/deviceManagement/depOnboardingSettings/d0000000-0000-4000-8000-000000000000/importedAppleDeviceIdentities";
    let path = format!("{}/tests/fixtures/beta-importedAppleDeviceIdentity-importAppleDeviceIdentityList.request.json", env!("CARGO_MANIFEST_DIR"));
    let mut req: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    req["importedAppleDeviceIdentities"][0]["serialNumber"] = json!("C02NEW0001");
    req["overwriteImportedDeviceIdentities"] = json!(false);
    let (s, res) = c
        .send(
            M::POST,
            &format!("{base}/importAppleDeviceIdentityList"),
            &req,
        )
        .await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-importedAppleDeviceIdentity-importAppleDeviceIdentityList.response.json",
        &res["value"][0],
    );
    assert_eq!(res["value"][0]["status"], true);
    let (_, again) = c
        .send(
            M::POST,
            &format!("{base}/importAppleDeviceIdentityList"),
            &req,
        )
        .await;
    assert_eq!(
        again["value"][0]["status"], false,
        "a serial already present is not imported twice"
    );
    let (_, all) = c.get(base).await;
    let all = all["value"].as_array().unwrap().clone();
    assert_eq!(all.len(), 4);
    for d in &all {
        let (s, one) = c
            .get(&format!("{base}/{}", d["id"].as_str().unwrap()))
            .await;
        assert_eq!((s, &one["serialNumber"]), (200, &d["serialNumber"]));
    }
    assert_eq!(
        c.send(
            M::DELETE,
            &format!("{base}/{}", all[3]["id"].as_str().unwrap()),
            &json!({})
        )
        .await
        .0,
        204
    );
    assert_eq!(
        c.send(
            M::DELETE,
            &format!("{base}/{}", all[0]["id"].as_str().unwrap()),
            &json!({})
        )
        .await
        .0,
        204
    );
    let (_, left) = c.get(base).await;
    assert_eq!(left["value"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn gateway_timeout_and_delay_faults() {
    let c = C::new(Seed::demo()).await;
    let vpp = "/v1.0/deviceAppManagement/vppTokens";
    c.sim
        .add_fault(Fault::new("GET", vpp, FaultKind::Status { status: 504 }).nth(1));
    c.sim
        .add_fault(Fault::new("GET", vpp, FaultKind::Delay { ms: 1 }).nth(2));
    let (s, body) = c.get(vpp).await;
    assert_eq!(s, 504);
    assert!(body["error"]["code"].is_string());
    let (s, body) = c.get(vpp).await;
    assert_eq!(s, 200);
    assert_eq!(body["value"].as_array().unwrap().len(), 4);
}

#[test]
fn binary_prints_listening_line() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_intune-apple-sim"))
        .args(["--seed", "demo", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
}

#[test]
fn seed_from_json_and_errors() {
    let seed =
        Seed::from_json(r#"{"pageSize": 7, "depTokens": [{"tokenName": "X", "deviceCount": 9}]}"#)
            .unwrap();
    assert_eq!((seed.page_size, seed.dep_tokens[0].device_count), (7, 9));
    let err = Seed::from_json(r#"{"pageSize": "many"}"#).unwrap_err();
    assert!(err.to_string().contains("invalid seed"));
}

#[tokio::test]
async fn sim_controls_over_http() {
    let c = C::new(Seed::demo()).await;
    let (_, cert, key) = c.sim.cert_client();
    assert_eq!(
        std::fs::read_to_string(cert).unwrap(),
        intune_apple_sim::CERT_CLIENT_CERT_PEM
    );
    assert!(key.exists());
    let before = c.sim.now();
    let r: Value = c
        .http
        .post(c.url("/_sim/clock"))
        .json(&json!({"advanceSeconds": 900}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["now"].is_string());
    assert_eq!((c.sim.now() - before).num_seconds(), 900);
    let r = c
        .http
        .post(c.url("/_sim/clock"))
        .json(&json!({"now": "2030-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(c.sim.now().to_rfc3339(), "2030-01-01T00:00:00+00:00");
    // Tokens issued before the jump have expired on the logical clock.
    assert_eq!(c.get("/v1.0/deviceAppManagement/vppTokens").await.0, 401);
    let log: Value = c
        .http
        .get(c.url("/_sim/log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["path"] == "/v1.0/deviceAppManagement/vppTokens")
        .unwrap();
    assert_eq!(
        (last["bearer"].as_bool(), last["status"].as_u64()),
        (Some(true), Some(401))
    );
    let r = c
        .http
        .post(c.url("/_sim/faults"))
        .json(&json!({"path": "/x", "kind": "nonsense"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The sample's `value` is a string (a function returning `Edm.String`), and so is ours.
fn assert_string_value(sample_file: &str, ours: &Value) {
    assert!(fixture(sample_file)["value"].is_string(), "{sample_file}");
    assert!(ours["value"].is_string(), "{sample_file}: {ours}");
}

/// The error and its `innerError` carry every key of the sample error.
fn assert_error_shape(sample_file: &str, ours: &Value) {
    let sample = fixture(sample_file);
    assert_shape(sample_file, ours);
    for (s, o) in [
        (&sample["error"], &ours["error"]),
        (&sample["error"]["innerError"], &ours["error"]["innerError"]),
    ] {
        let missing: Vec<_> = keys(s).difference(&keys(o)).cloned().collect();
        assert!(
            missing.is_empty(),
            "{sample_file}: missing {missing:?} in {ours}"
        );
    }
}

/// Every endpoint not covered by the other tests, against its published sample.
#[tokio::test]
async fn every_endpoint_matches_the_samples() {
    use reqwest::Method as M;
    let mut seed = Seed::demo();
    seed.apps.push(intune_apple_sim::AppSeed {
        id: "b5555555-0000-4000-8000-000000000005".into(),
        platform: "macOS".into(),
        display_name: "Xcode".into(),
        bundle_id: "com.apple.dt.Xcode".into(),
        vpp_token_id: "a1111111-0000-4000-8000-000000000001".into(),
        ..Default::default()
    });
    let c = C::new(seed).await;
    let push = "/deviceManagement/applePushNotificationCertificate";

    // Push certificate: beta get, CSR, update.
    let (s, got) = c.get(&format!("/beta{push}")).await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-applePushNotificationCertificate-get.response.json",
        &got,
    );
    let (s, csr) = c
        .get(&format!(
            "/v1.0{push}/downloadApplePushNotificationCertificateSigningRequest"
        ))
        .await;
    assert_eq!(s, 200);
    assert_string_value(
        "v1-applePushNotificationCertificate-downloadApplePushNotificationCertificateSigningRequest.response.json",
        &csr,
    );
    let mut req = fixture("v1-applePushNotificationCertificate-update.request.json");
    req["certificate"] = json!(include_str!("../fixtures/push-other-topic.pem"));
    for (version, sample) in [
        (
            "v1.0",
            "v1-applePushNotificationCertificate-update.response.json",
        ),
        (
            "beta",
            "beta-applePushNotificationCertificate-update.response.json",
        ),
    ] {
        let (s, updated) = c.send(M::PATCH, &format!("/{version}{push}"), &req).await;
        assert_eq!(s, 200);
        assert_shape(sample, &updated);
    }

    // Data-sharing consent: the list and one, as the consent action answers it.
    let consents = "/beta/deviceManagement/dataSharingConsents";
    let (s, list) = c.get(consents).await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-dataSharingConsent-consentToDataSharing.response.json",
        &list["value"][0],
    );
    let (s, one) = c.get(&format!("{consents}/appleMDMPushCertificate")).await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-dataSharingConsent-consentToDataSharing.response.json",
        &one,
    );

    // VPP tokens: create, get one, update, sync licences, revoke.
    let vpp = "/deviceAppManagement/vppTokens";
    for (version, req, resp, sync) in [
        (
            "v1.0",
            "v1-vppToken-create.request.json",
            "v1-vppToken-create.response.json",
            "v1-vppToken-syncLicenses.response.json",
        ),
        (
            "beta",
            "beta-vppToken-create.request.json",
            "beta-vppToken-create.response.json",
            "beta-vppToken-syncLicenses.response.json",
        ),
    ] {
        let (s, created) = c
            .send(M::POST, &format!("/{version}{vpp}"), &fixture(req))
            .await;
        assert_eq!(s, 201);
        assert_shape(resp, &created);
        let id = created["id"].as_str().unwrap();
        let (s, one) = c.get(&format!("/{version}{vpp}/{id}")).await;
        assert_eq!(s, 200);
        assert_shape(resp, &one);
        let (s, synced) = c
            .send(
                M::POST,
                &format!("/{version}{vpp}/{id}/syncLicenses"),
                &json!({}),
            )
            .await;
        assert_eq!(s, 200);
        assert_shape(sync, &synced);
    }
    let (s, updated) = c
        .send(
            M::PATCH,
            &format!("/v1.0{vpp}/a1111111-0000-4000-8000-000000000001"),
            &fixture("v1-vppToken-update.request.json"),
        )
        .await;
    assert_eq!(s, 200);
    assert_shape("v1-vppToken-update.response.json", &updated);
    let (s, _) = c
        .send(
            M::POST,
            &format!("/beta{vpp}/a1111111-0000-4000-8000-000000000001/revokeLicenses"),
            &fixture("beta-vppToken-revokeLicenses.request.json"),
        )
        .await;
    assert_eq!(s, 204);

    // Enrollment program token: get one, update, keys, upload.
    let dep = "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001";
    let (s, one) = c.get(dep).await;
    assert_eq!(s, 200);
    assert_shape("beta-depOnboardingSetting-get.response.json", &one);
    let (s, updated) = c
        .send(
            M::PATCH,
            dep,
            &fixture("beta-depOnboardingSetting-update.request.json"),
        )
        .await;
    assert_eq!(s, 200);
    assert_shape("beta-depOnboardingSetting-update.response.json", &updated);
    let (s, key) = c.get(&format!("{dep}/getEncryptionPublicKey")).await;
    assert_eq!(s, 200);
    assert_string_value(
        "beta-depOnboardingSetting-getEncryptionPublicKey.response.json",
        &key,
    );
    let (s, _) = c
        .send(
            M::POST,
            &format!("{dep}/uploadDepToken"),
            &fixture("beta-depOnboardingSetting-uploadDepToken.request.json"),
        )
        .await;
    assert_eq!(s, 204);

    // Enrollment profiles: create (iOS and macOS), get one, default, list, export, assign.
    let mut created_ids = Vec::new();
    for (req, resp) in [
        (
            "beta-depIOSEnrollmentProfile-create.request.json",
            "beta-depIOSEnrollmentProfile-create.response.json",
        ),
        (
            "beta-depMacOSEnrollmentProfile-create.request.json",
            "beta-depMacOSEnrollmentProfile-create.response.json",
        ),
    ] {
        let request = fixture(req);
        let (s, created) = c
            .send(M::POST, &format!("{dep}/enrollmentProfiles"), &request)
            .await;
        assert_eq!(s, 201);
        assert_shape(resp, &created);
        assert_eq!(created["@odata.type"], request["@odata.type"]);
        assert_eq!(created["displayName"], request["displayName"]);
        let id = created["id"].as_str().unwrap().to_string();
        let (s, one) = c.get(&format!("{dep}/enrollmentProfiles/{id}")).await;
        assert_eq!(s, 200);
        assert_shape(resp, &one);
        assert_eq!(
            one["deviceNameTemplate"], request["deviceNameTemplate"],
            "written settings read back"
        );
        created_ids.push(id);
    }
    let (s, def) = c.get(&format!("{dep}/defaultIosEnrollmentProfile")).await;
    assert_eq!(s, 200);
    assert_shape(
        "beta-depIOSEnrollmentProfile-getDefault.response.json",
        &def,
    );
    let (_, list) = c.get(&format!("{dep}/enrollmentProfiles")).await;
    let ios = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["@odata.type"] == "#microsoft.graph.depIOSEnrollmentProfile")
        .unwrap();
    assert_shape("beta-depIOSEnrollmentProfile-list.response.json", ios);
    let (s, cfg) = c
        .get(&format!(
            "{dep}/enrollmentProfiles/{}/exportMobileConfig",
            created_ids[0]
        ))
        .await;
    assert_eq!(s, 200);
    assert_string_value(
        "beta-enrollmentProfile-exportMobileConfig.response.json",
        &cfg,
    );
    let (s, _) = c
        .send(
            M::POST,
            &format!(
                "{dep}/enrollmentProfiles/{}/updateDeviceProfileAssignment",
                created_ids[0]
            ),
            &fixture("beta-enrollmentProfile-updateDeviceProfileAssignment.request.json"),
        )
        .await;
    assert_eq!(s, 204);
    let (s, key) = c
        .send(
            M::POST,
            &format!("{dep}/generateEncryptionPublicKey"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_string_value(
        "beta-depOnboardingSetting-generateEncryptionPublicKey.response.json",
        &key,
    );

    // VPP apps: get one (iOS and macOS), assign, add one assignment.
    let apps = "/deviceAppManagement/mobileApps";
    for (id, sample) in [
        (
            "b1111111-0000-4000-8000-000000000001",
            "beta-iosVppApp-get.response.json",
        ),
        (
            "b5555555-0000-4000-8000-000000000005",
            "beta-macOsVppApp-get.response.json",
        ),
    ] {
        let (s, app) = c.get(&format!("/beta{apps}/{id}")).await;
        assert_eq!(s, 200);
        assert_shape(sample, &app);
        assert_eq!(app["@odata.type"], fixture(sample)["value"]["@odata.type"]);
    }
    let app = "b1111111-0000-4000-8000-000000000001";
    let (s, _) = c
        .send(
            M::POST,
            &format!("/beta{apps}/{app}/assign"),
            &fixture("beta-mobileApp-assign.request.json"),
        )
        .await;
    assert_eq!(s, 204);
    for (version, req, resp) in [
        (
            "v1.0",
            "v1-mobileAppAssignment-create.request.json",
            "v1-mobileAppAssignment-create.response.json",
        ),
        (
            "beta",
            "beta-mobileAppAssignment-create.request.json",
            "beta-mobileAppAssignment-create.response.json",
        ),
    ] {
        let (s, created) = c
            .send(
                M::POST,
                &format!("/{version}{apps}/{app}/assignments"),
                &fixture(req),
            )
            .await;
        assert_eq!(s, 201);
        assert_shape(resp, &created);
    }

    // Errors: not found, throttled, the token endpoint's error.
    let (s, err) = c
        .get("/beta/deviceManagement/depOnboardingSettings/nope")
        .await;
    assert_eq!(s, 404);
    assert_error_shape("common-error-generic.response.json", &err);
    c.sim.add_fault(Fault::new(
        "GET",
        "/v1.0/deviceAppManagement/vppTokens",
        FaultKind::Throttle {
            retry_after: "2.128".into(),
        },
    ));
    let (s, err) = c.get("/v1.0/deviceAppManagement/vppTokens").await;
    assert_eq!(s, 429);
    assert_error_shape("common-error-throttled-429.response.json", &err);
    let (s, err) = c
        .send(
            M::PATCH,
            &format!("/v1.0{push}"),
            &json!({"certificate": "not a PEM"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_error_shape("common-error-intune-badrequest-400.response.json", &err);
    let r: Value = c
        .http
        .post(c.sim.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.sim.client_id()),
            ("client_secret", c.sim.client_secret()),
            ("scope", "https://foo.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"], "invalid_scope");
    assert_shape("oauth-token-error-invalid_scope.response.json", &r);
}

/// No new sync starts while one runs, even once the 15 minutes have passed.
#[tokio::test]
async fn dep_sync_in_progress_answers_409_until_it_ends() {
    use reqwest::Method as M;
    let c = C::new(Seed::demo()).await;
    let dep = "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001";
    let sync = format!("{dep}/syncWithAppleDeviceEnrollmentProgram");
    // Over HTTP: a sync runs for 30 minutes of the logical clock.
    let r = c
        .http
        .post(c.url("/_sim/depSyncDuration"))
        .json(&json!({"seconds": 1800}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (_, before) = c.get(dep).await;
    let started = c.sim.now();
    assert_eq!(c.send(M::POST, &sync, &json!({})).await.0, 204);
    let (_, running) = c.get(dep).await;
    assert_eq!(
        running["lastSuccessfulSyncDateTime"], before["lastSuccessfulSyncDateTime"],
        "a running sync has not succeeded yet"
    );
    c.sim.advance(chrono::Duration::minutes(16));
    let (s, err) = c.send(M::POST, &sync, &json!({})).await;
    assert_eq!(s, 409);
    assert_eq!(err["error"]["code"], "Conflict");
    let inner: Value = serde_json::from_str(err["error"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["CustomApiErrorPhrase"], "DepSyncInProgress");
    assert_eq!(inner["RetryAfter"], 14 * 60);
    assert!(inner["Message"]
        .as_str()
        .unwrap()
        .contains("already in progress"));
    c.sim.advance(chrono::Duration::minutes(14));
    let (_, done) = c.get(dep).await;
    let success =
        chrono::DateTime::parse_from_rfc3339(done["lastSuccessfulSyncDateTime"].as_str().unwrap())
            .unwrap();
    assert!(
        ((success.with_timezone(&chrono::Utc) - started).num_milliseconds() - 1_800_000).abs()
            < 1000
    );

    // A 5-minute sync: while it runs the answer says so, with the longer of the two waits;
    // once it has ended the 15-minute rule still answers.
    c.sim.set_dep_sync_duration(chrono::Duration::minutes(5));
    assert_eq!(c.send(M::POST, &sync, &json!({})).await.0, 204);
    c.sim.advance(chrono::Duration::minutes(2));
    let (s, err) = c.send(M::POST, &sync, &json!({})).await;
    assert_eq!(s, 409);
    let inner: Value = serde_json::from_str(err["error"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["CustomApiErrorPhrase"], "DepSyncInProgress");
    assert_eq!(inner["RetryAfter"], 13 * 60);
    c.sim.advance(chrono::Duration::minutes(5));
    let (s, err) = c.send(M::POST, &sync, &json!({})).await;
    assert_eq!(s, 409);
    let inner: Value = serde_json::from_str(err["error"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["CustomApiErrorPhrase"], "DepSyncTooFrequent");
    assert_eq!(inner["RetryAfter"], 8 * 60);
}

#[tokio::test]
async fn import_overwrites_only_when_asked() {
    use reqwest::Method as M;
    let c = C::new(Seed::with_devices(0, 3)).await;
    let base = "/beta/deviceManagement/depOnboardingSettings/d0000000-0000-4000-8000-000000000000/importedAppleDeviceIdentities";
    let (_, all) = c.get(base).await;
    let sn = all["value"][1]["serialNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let mut req =
        fixture("beta-importedAppleDeviceIdentity-importAppleDeviceIdentityList.request.json");
    req["importedAppleDeviceIdentities"][0]["serialNumber"] = json!(sn);
    req["importedAppleDeviceIdentities"][0]["description"] = json!("re-imported");
    req["overwriteImportedDeviceIdentities"] = json!(false);
    let url = format!("{base}/importAppleDeviceIdentityList");
    let (_, res) = c.send(M::POST, &url, &req).await;
    assert_eq!(
        res["value"][0]["status"], false,
        "present and not overwritten"
    );
    req["overwriteImportedDeviceIdentities"] = json!(true);
    let (_, res) = c.send(M::POST, &url, &req).await;
    assert_eq!(res["value"][0]["status"], true);
    let (_, found) = c
        .get(&format!("{base}?$filter=serialNumber%20eq%20'{sn}'"))
        .await;
    let found = found["value"].as_array().unwrap();
    assert_eq!(found.len(), 1, "replaced, not duplicated");
    assert_eq!(found[0]["description"], "re-imported");
    assert_eq!(found[0]["discoverySource"], "adminImport");
    let (_, all) = c.get(base).await;
    assert_eq!(all["value"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn app_throttle_limits_each_application_alone() {
    let c = C::new(Seed::demo()).await;
    let p = "/v1.0/deviceAppManagement/vppTokens/a1111111-0000-4000-8000-000000000001";
    let r = c
        .http
        .post(c.url("/_sim/throttle"))
        .json(&json!({"perApp": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (_, state) = c.get("/_sim/state").await;
    assert_eq!(
        (state["appThrottle"].as_bool(), state["throttle"].as_bool()),
        (Some(true), Some(false))
    );
    for _ in 0..100 {
        assert_eq!(
            c.send(reqwest::Method::PATCH, p, &json!({"displayName": "y"}))
                .await
                .0,
            200
        );
    }
    let r = c
        .http
        .patch(c.url(p))
        .bearer_auth(&c.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "20");
    // Reads of this application and requests of another application still pass.
    assert_eq!(c.get(p).await.0, 200);
    let (id, secret) = c.sim.read_only_client();
    let other = token(&c.sim, id, secret).await;
    let r = c
        .http
        .get(c.url(p))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Reads: 1,000 per application per 20 s.
    // 100 writes and 1 read so far; the refused write was not counted.
    for _ in 0..899 {
        assert_eq!(c.get(p).await.0, 200);
    }
    assert_eq!(c.get(p).await.0, 429);
    c.sim.advance(chrono::Duration::seconds(21));
    assert_eq!(c.get(p).await.0, 200);
}

#[tokio::test]
async fn top_asks_up_to_1000_and_large_seeds_cost_nothing() {
    let c = C::new(Seed::demo().with_device_count(1_000_000)).await;
    let dep = "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001";
    let (_, one) = c.get(dep).await;
    assert_eq!(one["syncedDeviceCount"], 1_000_000);
    let (_, page) = c
        .get(&format!("{dep}/importedAppleDeviceIdentities?$top=1000"))
        .await;
    assert_eq!(page["value"].as_array().unwrap().len(), 1000);
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("%24top=1000") || next.contains("$top=1000"),
        "{next}"
    );
    let (_, page) = c
        .get(&format!("{dep}/importedAppleDeviceIdentities?$top=5000"))
        .await;
    assert_eq!(
        page["value"].as_array().unwrap().len(),
        1000,
        "capped at 1000"
    );
    let (_, page) = c.get(&format!("{dep}/importedAppleDeviceIdentities")).await;
    assert_eq!(
        page["value"].as_array().unwrap().len(),
        100,
        "the page size without $top"
    );
    // The last device, found by serial without walking the others.
    let (_, last) = c
        .get(&format!(
            "{dep}/importedAppleDeviceIdentities?$skiptoken=999999"
        ))
        .await;
    let sn = last["value"][0]["serialNumber"].as_str().unwrap();
    let (_, found) = c
        .get(&format!(
            "{dep}/importedAppleDeviceIdentities?$filter=serialNumber%20eq%20'{sn}'"
        ))
        .await;
    assert_eq!(found["value"][0]["serialNumber"], sn);
    // Deleting devices keeps paging by index.
    let id0 = page["value"][0]["id"].as_str().unwrap();
    let id2 = page["value"][2]["id"].as_str().unwrap();
    for id in [id0, id2] {
        let (s, _) = c
            .send(
                reqwest::Method::DELETE,
                &format!("{dep}/importedAppleDeviceIdentities/{id}"),
                &json!({}),
            )
            .await;
        assert_eq!(s, 204);
    }
    let (_, after) = c
        .get(&format!("{dep}/importedAppleDeviceIdentities?$top=3"))
        .await;
    let ids: Vec<_> = after["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(
        ids,
        vec![
            page["value"][1]["id"].clone(),
            page["value"][3]["id"].clone(),
            page["value"][4]["id"].clone()
        ]
    );
}

#[test]
fn binary_generates_devices_and_sets_the_page_size() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_intune-apple-sim"))
        .args([
            "--seed",
            "demo",
            "--devices",
            "100000",
            "--page-size",
            "1000",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (count, page) = rt.block_on(async {
        let http = reqwest::Client::new();
        let tenant = "8f2c1e4a-0b3d-4c5e-9f6a-7b8c9d0e1f2a";
        let tok: Value = http
            .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", intune_apple_sim::CLIENT_ID),
                ("client_secret", intune_apple_sim::CLIENT_SECRET),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let dep =
            "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001";
        let get = |p: String| {
            let http = http.clone();
            let t = tok["access_token"].as_str().unwrap().to_string();
            async move {
                http.get(p)
                    .bearer_auth(t)
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let one = get(format!("{base}{dep}")).await;
        let page = get(format!("{base}{dep}/importedAppleDeviceIdentities")).await;
        (
            one["syncedDeviceCount"].clone(),
            page["value"].as_array().unwrap().len(),
        )
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!((count, page), (json!(100_000), 1000));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_intune-apple-sim"))
        .args(["--page-size", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--page-size"));
}

#[tokio::test]
async fn short_token_ids_from_a_seed_file_still_serve_devices() {
    let seed = Seed::from_json(r#"{"depTokens": [{"id": "x", "deviceCount": 3}]}"#).unwrap();
    let c = C::new(seed).await;
    let (s, page) = c
        .get("/beta/deviceManagement/depOnboardingSettings/x/importedAppleDeviceIdentities")
        .await;
    assert_eq!(s, 200);
    let devices = page["value"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    let (s, one) = c
        .get(&format!(
            "/beta/deviceManagement/depOnboardingSettings/x/importedAppleDeviceIdentities/{}",
            devices[1]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (s, &one["serialNumber"]),
        (200, &devices[1]["serialNumber"])
    );
}

#[tokio::test]
async fn log_keeps_client_request_ids_and_applied_writes() {
    let c = C::new(Seed::demo()).await;
    let p = "/v1.0/deviceAppManagement/vppTokens/a1111111-0000-4000-8000-000000000001";
    c.sim
        .add_fault(Fault::new("PATCH", p, FaultKind::ResetBefore).nth(1));
    c.sim
        .add_fault(Fault::new("PATCH", p, FaultKind::ResetAfter).nth(2));
    for id in ["call-1", "call-1", "call-2"] {
        if let Ok(r) = c
            .http
            .patch(c.url(p))
            .bearer_auth(&c.token)
            .header("client-request-id", id)
            .json(&json!({"displayName": "x"}))
            .send()
            .await
        {
            let _ = r.bytes().await;
        }
    }
    let _ = c.get(p).await;
    let log: Vec<_> = c
        .sim
        .request_log()
        .into_iter()
        .filter(|e| e.path == p)
        .map(|e| (e.method, e.client_request_id, e.applied, e.status))
        .collect();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        log,
        vec![
            ("PATCH".into(), s("call-1"), false, 0),
            ("PATCH".into(), s("call-1"), true, 0),
            ("PATCH".into(), s("call-2"), true, 200),
            ("GET".into(), None, false, 200),
        ]
    );
}

#[tokio::test]
async fn profile_create_needs_its_derived_type() {
    let c = C::new(Seed::demo()).await;
    let url = "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001/enrollmentProfiles";
    for body in [
        json!({"displayName": "No type"}),
        json!({"@odata.type": "#microsoft.graph.enrollmentProfile", "displayName": "Abstract"}),
    ] {
        let (s, err) = c.send(reqwest::Method::POST, url, &body).await;
        assert_eq!(s, 400, "{body}");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("@odata.type"));
    }
    let (s, mac) = c
        .send(
            reqwest::Method::POST,
            url,
            &json!({"@odata.type": "microsoft.graph.depMacOSEnrollmentProfile", "displayName": "Mac"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        mac["@odata.type"],
        "#microsoft.graph.depMacOSEnrollmentProfile"
    );
    assert_eq!(c.sim.writes_applied(), 1);
}

#[tokio::test]
async fn assign_needs_each_target_type() {
    let c = C::new(Seed::demo()).await;
    let url = "/beta/deviceAppManagement/mobileApps/b4444444-0000-4000-8000-000000000004/assign";
    let body =
        json!({"mobileAppAssignments": [{"intent": "required", "target": {"groupId": "g1"}}]});
    let (s, err) = c.send(reqwest::Method::POST, url, &body).await;
    assert_eq!(s, 400);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("@odata.type"));
    assert_eq!(c.sim.writes_applied(), 0);
}

/// A VPP token created from a file takes the organisation and the expiry the file carries, as
/// Intune reads them from Apple; a file that does not decode keeps the simulator's defaults.
#[tokio::test]
async fn a_created_vpp_token_takes_the_files_organisation() {
    use base64::Engine as _;
    let c = C::new(Seed::demo()).await;
    let file = base64::engine::general_purpose::STANDARD.encode(
        json!({"token": "opaque", "expDate": "2027-10-01T12:00:00+0000", "orgName": "Fabrikam Schools"})
            .to_string(),
    );
    let (status, created) = c
        .send(
            reqwest::Method::POST,
            "/v1.0/deviceAppManagement/vppTokens",
            &json!({"appleId": "vpp@fabrikam.example", "vppTokenAccountType": "education", "token": file}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(created["organizationName"], "Fabrikam Schools");
    assert!(created["expirationDateTime"]
        .as_str()
        .unwrap()
        .starts_with("2027-10-01T12:00:00"));
}
