//! Push certificate parsing and renewal checks over the sample files.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use intune_apple_core::files::{
    check_push_renewal, FileError, PushCertificate, PushRenewalError, PushWarning,
};
use intune_apple_core::model::ApplePushNotificationCertificate;

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/apple-samples/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 21, 10, 0, 0).unwrap()
}

fn intune_current(c: &PushCertificate, apple_id: Option<&str>) -> ApplePushNotificationCertificate {
    let mut cur: ApplePushNotificationCertificate = serde_json::from_str("{}").unwrap();
    cur.topic_identifier = Some(c.topic.clone());
    cur.expiration_date_time = Some(c.not_after);
    cur.certificate_serial_number = Some(c.serial_hex.clone());
    cur.apple_identifier = apple_id.map(str::to_owned);
    cur
}

#[test]
fn micromdm_mock_parses_with_cn_warning() {
    let c = PushCertificate::parse(&fixture("apns/micromdm-mock_push_cert.pem")).unwrap();
    assert_eq!(
        c.topic,
        "com.apple.mgmt.External.18a16429-886b-41f1-9c30-2bd04ae4fc37"
    );
    assert_eq!(c.not_before.date_naive().to_string(), "2018-01-25");
    assert_eq!(c.not_after.date_naive().to_string(), "2068-01-25");
    assert!(c.warnings.contains(&PushWarning::CnUuidMismatch));
    assert!(c.warnings.contains(&PushWarning::UnexpectedIssuer));
}

#[test]
fn micromdm_mock_without_uid_is_an_error() {
    let e =
        PushCertificate::parse(&fixture("apns/micromdm-mock_push_cert_no_uid.pem")).unwrap_err();
    assert_eq!(e, FileError::NoUid);
    assert!(e.to_string().contains("no UID"));
}

#[test]
fn micromdm_mock_wrong_prefix_is_an_error() {
    let e = PushCertificate::parse(&fixture(
        "apns/micromdm-mock_push_cert_wrong_uid_prefix.pem",
    ))
    .unwrap_err();
    assert!(
        matches!(&e, FileError::WrongUidPrefix { topic } if topic.starts_with("wrong.prefix."))
    );
}

#[test]
fn synthetic_original_fields() {
    let c = PushCertificate::parse(&fixture("synthetic/synthetic-push-original.pem")).unwrap();
    assert_eq!(
        c.topic,
        "com.apple.mgmt.External.5f0c9c3e-2d1b-4c6e-9a8f-7b3d2e1f0a91"
    );
    assert_eq!(c.serial_hex, "1A2B3C4D5E6F7081");
    assert_eq!(
        c.not_before,
        Utc.with_ymd_and_hms(2025, 1, 10, 12, 0, 0).unwrap()
    );
    assert_eq!(
        c.not_after,
        Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap()
    );
    assert_eq!(
        c.issuer_cn.as_deref(),
        Some("Apple Application Integration 2 Certification Authority")
    );
    assert!(c
        .subject_cn
        .as_deref()
        .unwrap()
        .starts_with("APSP:5f0c9c3e"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.pem.expose().starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(c.sha256_fingerprint.len(), 64);
}

#[test]
fn der_form_gives_same_result() {
    let pem = fixture("synthetic/synthetic-push-original.pem");
    let (_, der) = der::pem::decode_vec(&pem).unwrap();
    let a = PushCertificate::parse(&pem).unwrap();
    let b = PushCertificate::parse(&der).unwrap();
    assert_eq!(a, b);
}

const FAKE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD\n-----END PRIVATE KEY-----\n";

#[test]
fn bundle_with_private_key_ignores_the_key() {
    let mut b = fixture("synthetic/synthetic-push-original.pem");
    b.extend_from_slice(FAKE_KEY.as_bytes());
    let c = PushCertificate::parse(&b).unwrap();
    assert!(c.warnings.contains(&PushWarning::PrivateKeyIgnored));
    assert!(!c.pem.expose().contains("PRIVATE KEY"));
    let dump = format!("{c:?}");
    assert!(!dump.contains("TUlJRXZRSUJB"));
}

#[test]
fn key_alone_and_ca_and_junk() {
    assert_eq!(
        PushCertificate::parse(FAKE_KEY.as_bytes()),
        Err(FileError::PrivateKeyInsteadOfCertificate)
    );
    assert_eq!(
        PushCertificate::parse(&fixture("synthetic/test-dep-key.pem")),
        Err(FileError::PrivateKeyInsteadOfCertificate)
    );
    assert_eq!(
        PushCertificate::parse(&fixture("synthetic/synthetic-fake-apple-ca.pem")),
        Err(FileError::NoUid)
    );
    assert_eq!(
        PushCertificate::parse(&fixture("synthetic/test-dep-cert.pem")),
        Err(FileError::NoUid)
    );
    assert_eq!(PushCertificate::parse(b"\n"), Err(FileError::Empty));
    assert!(matches!(
        PushCertificate::parse(b"\x30\x03\x02\x01\x01"),
        Err(FileError::InvalidCertificate { .. })
    ));
    let mut two = fixture("synthetic/synthetic-push-original.pem");
    two.extend(fixture("synthetic/synthetic-push-expired.pem"));
    assert_eq!(
        PushCertificate::parse(&two),
        Err(FileError::MultipleCertificates { count: 2 })
    );
}

#[test]
fn renewal_same_topic_is_ok() {
    let orig = PushCertificate::parse(&fixture("synthetic/synthetic-push-original.pem")).unwrap();
    let new = PushCertificate::parse(&fixture("synthetic/synthetic-push-renewed-same-topic.pem"))
        .unwrap();
    let cur = intune_current(&orig, Some("mdm@contoso.example"));
    let w = check_push_renewal(&cur, &new, now(), Some("MDM@contoso.example")).unwrap();
    assert!(w.is_empty(), "{w:?}");
    let w = check_push_renewal(&cur, &new, now(), Some("someone@else.example")).unwrap();
    assert_eq!(
        w,
        vec![PushWarning::AppleIdDiffers {
            recorded: "mdm@contoso.example".into()
        }]
    );
    let w = check_push_renewal(&intune_current(&orig, None), &new, now(), None).unwrap();
    assert_eq!(w, vec![PushWarning::AppleIdUnknown]);
}

#[test]
fn renewal_different_topic_is_refused() {
    let orig = PushCertificate::parse(&fixture("synthetic/synthetic-push-original.pem")).unwrap();
    let new = PushCertificate::parse(&fixture(
        "synthetic/synthetic-push-new-cert-different-topic.pem",
    ))
    .unwrap();
    let e =
        check_push_renewal(&intune_current(&orig, Some("a@b.c")), &new, now(), None).unwrap_err();
    assert!(matches!(e, PushRenewalError::TopicChanged { .. }));
    assert!(e.to_string().contains("re-enrol"));
}

#[test]
fn renewal_expired_is_refused() {
    let orig = PushCertificate::parse(&fixture("synthetic/synthetic-push-original.pem")).unwrap();
    let new = PushCertificate::parse(&fixture("synthetic/synthetic-push-expired.pem")).unwrap();
    assert_eq!(new.topic, orig.topic);
    let e =
        check_push_renewal(&intune_current(&orig, Some("a@b.c")), &new, now(), None).unwrap_err();
    assert!(matches!(e, PushRenewalError::AlreadyExpired { .. }));
}

#[test]
fn renewal_not_later_is_refused() {
    let orig = PushCertificate::parse(&fixture("synthetic/synthetic-push-original.pem")).unwrap();
    let e = check_push_renewal(
        &intune_current(&orig, Some("a@b.c")),
        &orig,
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap(),
        None,
    )
    .unwrap_err();
    assert!(matches!(e, PushRenewalError::NotLater { .. }));
}
