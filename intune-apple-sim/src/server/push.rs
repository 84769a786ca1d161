//! The Apple MDM push certificate: `deviceManagement/applePushNotificationCertificate`, its
//! signing requests, and the upload that renews it (a new topic leaves the devices unreachable).

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{ts, Answer, Call, Tenant, GRAPH};
use crate::seed::PushCertificateSeed;
use crate::time::{add, days};

pub(super) struct PushCert {
    pub(super) apple_identifier: String,
    pub(super) topic: String,
    pub(super) expires: DateTime<Utc>,
    pub(super) serial: String,
    pub(super) modified: DateTime<Utc>,
    pub(super) id: u64,
}

impl PushCert {
    /// The certificate of the seed, on the simulator's clock at `now`.
    pub(super) fn seeded(p: &PushCertificateSeed, now: DateTime<Utc>) -> Self {
        Self {
            apple_identifier: p.apple_identifier.clone(),
            topic: p.topic_identifier.clone(),
            expires: add(now, days(p.expires_in_days)),
            serial: p.certificate_serial_number.clone(),
            modified: add(now, days(p.expires_in_days - 365.0)),
            id: 1,
        }
    }
}

/// `deviceManagement/applePushNotificationCertificate` and its signing requests.
pub(super) fn routes(t: &mut Tenant, c: &Call<'_>) -> Option<Answer> {
    let version = c.version;
    Some(match c.rest {
        ["deviceManagement", "applePushNotificationCertificate"] => {
            push_certificate(t, c.method, &c.body, version)
        }
        ["deviceManagement", "applePushNotificationCertificate", "downloadApplePushNotificationCertificateSigningRequest"]
            if *c.method == Method::GET =>
        {
            Answer::ok(json!({
                "@odata.context": format!("{GRAPH}/{version}/$metadata#Edm.String"),
                "value": csr_text()
            }))
        }
        ["deviceManagement", "applePushNotificationCertificate", "generateApplePushNotificationCertificateSigningRequest"]
            if c.beta && *c.method == Method::POST =>
        {
            Answer::written(
                StatusCode::OK,
                json!({
                    "@odata.context": format!("{GRAPH}/beta/$metadata#Edm.String"),
                    "value": csr_text()
                }),
            )
        }
        _ => return None,
    })
}

pub(super) fn push_json(p: &PushCert, version: &str) -> Value {
    json!({
        "@odata.context": format!("{GRAPH}/{version}/$metadata#deviceManagement/applePushNotificationCertificate/$entity"),
        "id": format!("{:08x}-0000-4000-8000-{:012x}", p.id, p.id),
        "appleIdentifier": p.apple_identifier,
        "topicIdentifier": p.topic,
        "lastModifiedDateTime": ts(p.modified),
        "expirationDateTime": ts(p.expires),
        "certificateUploadStatus": null,
        "certificateUploadFailureReason": null,
        "certificateSerialNumber": p.serial,
        "certificate": null
    })
}

fn push_certificate(t: &mut Tenant, method: &Method, body: &Value, version: &str) -> Answer {
    let now = t.now;
    match *method {
        Method::GET => {
            t.push_id_counter += 1;
            let counter = t.push_id_counter;
            match t.push.as_mut() {
                Some(p) => {
                    // The id changes between calls, as in Intune.
                    p.id = counter;
                    Answer::ok(push_json(p, version))
                }
                None => Answer::not_found(now),
            }
        }
        Method::PATCH => {
            let Some(pem) = body.get("certificate").and_then(Value::as_str) else {
                return Answer::bad_request("certificate (PEM) is required", now);
            };
            let Some(cert) = parse_push_pem(pem) else {
                return Answer::bad_request(
                    "{\"_version\": 3, \"Message\": \"The certificate could not be parsed as a PEM X.509 certificate.\", \"RetryAfter\": null}",
                    now,
                );
            };
            let apple_id = body
                .get("appleIdentifier")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(old) = &t.push {
                if old.topic != cert.0 {
                    t.devices_unreachable_since = Some(now);
                }
            }
            t.push_id_counter += 1;
            let p = PushCert {
                apple_identifier: apple_id,
                topic: cert.0,
                expires: cert.1,
                serial: cert.2,
                modified: now,
                id: t.push_id_counter,
            };
            let j = push_json(&p, version);
            t.push = Some(p);
            Answer::written(StatusCode::OK, j)
        }
        _ => Answer::not_found(now),
    }
}

/// Topic (subject UID), expiry and serial of a PEM certificate.
fn parse_push_pem(pem: &str) -> Option<(String, DateTime<Utc>, String)> {
    use der::DecodePem;
    let cert = x509_cert::Certificate::from_pem(pem.trim().as_bytes()).ok()?;
    let tbs = &cert.tbs_certificate;
    let uid_oid = der::asn1::ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
    let topic = tbs
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find_map(|atv| {
            (atv.oid == uid_oid).then(|| String::from_utf8_lossy(atv.value.value()).into_owned())
        })?;
    let secs = tbs.validity.not_after.to_unix_duration().as_secs();
    let expires = DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?;
    let serial: String = tbs
        .serial_number
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    Some((topic, expires, serial))
}

fn csr_text() -> String {
    "-----BEGIN CERTIFICATE REQUEST-----\nMIICsimulatedCSRforIntuneAppleSimulatorOnlyAAAA\n-----END CERTIFICATE REQUEST-----\n"
        .into()
}
