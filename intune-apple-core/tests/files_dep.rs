//! `.p7m` enrollment program token: envelope, recipients, decryption.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use intune_apple_core::files::{DepTokenFile, FileError};
use intune_apple_core::Secret;

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/apple-samples/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const P7MS: [&str; 2] = [
    "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m",
    "TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m",
];

fn key() -> Secret {
    Secret::new(String::from_utf8(fixture("synthetic/test-dep-key.pem")).unwrap())
}

#[test]
fn both_p7m_parse_decrypt_and_match_their_certificate() {
    for name in P7MS {
        let f = DepTokenFile::parse(&fixture(&format!("synthetic/{name}")), Some(name)).unwrap();
        assert_eq!(f.server_name_from_file_name.as_deref(), Some("TestServer"));
        assert_eq!(
            f.file_name_timestamp,
            Some(Utc.with_ymd_and_hms(2030, 7, 1, 22, 18, 53).unwrap())
        );
        assert_eq!(f.recipients.len(), 1);
        let r = &f.recipients[0];
        assert_eq!(r.serial_hex.as_deref(), Some("1234ABCD"));
        assert!(r
            .issuer
            .as_deref()
            .unwrap()
            .contains("intune-apple test DEP token key"));
        assert_eq!(r.key_encryption_oid, "1.2.840.113549.1.1.1");
        assert!(f
            .check_against(&fixture("synthetic/test-dep-cert.pem"))
            .unwrap());
        assert!(!f
            .check_against(&fixture("synthetic/synthetic-fake-apple-ca.pem"))
            .unwrap());
        assert!(!f
            .check_against(&fixture("synthetic/synthetic-push-original.pem"))
            .unwrap());
        let p = f.decrypt(&key()).unwrap();
        assert!(p.consumer_key.expose().starts_with("CK_"));
        assert!(p.consumer_secret.expose().starts_with("CS_"));
        assert!(p.access_token.expose().starts_with("AT_"));
        assert!(p.access_secret.expose().starts_with("AS_"));
        assert_eq!(
            p.access_token_expiry,
            Some(Utc.with_ymd_and_hms(2031, 7, 1, 22, 18, 53).unwrap())
        );
    }
    let aes = DepTokenFile::parse(&fixture(&format!("synthetic/{}", P7MS[0])), None).unwrap();
    assert_eq!(aes.content_encryption_oid, "2.16.840.1.101.3.4.1.42");
    assert_eq!(aes.file_name_timestamp, None);
    let des = DepTokenFile::parse(&fixture(&format!("synthetic/{}", P7MS[1])), None).unwrap();
    assert_eq!(des.content_encryption_oid, "1.2.840.113549.3.7");
}

#[test]
fn lf_only_line_endings_are_accepted() {
    let b = fixture(&format!("synthetic/{}", P7MS[0]));
    let lf = String::from_utf8(b.clone()).unwrap().replace("\r\n", "\n");
    let f = DepTokenFile::parse(lf.as_bytes(), None).unwrap();
    assert!(f.decrypt(&key()).is_ok());
}

#[test]
fn wrong_key_fails_cleanly() {
    let f = DepTokenFile::parse(&fixture(&format!("synthetic/{}", P7MS[0])), None).unwrap();
    let other = rsa::RsaPrivateKey::new(&mut rand_core_rng(), 1024).unwrap();
    use rsa::pkcs8::EncodePrivateKey as _;
    let pem = other.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    assert_eq!(
        f.decrypt(&Secret::new(pem.as_str())),
        Err(FileError::DecryptionFailed)
    );
    assert_eq!(
        f.decrypt(&Secret::new("not a key")),
        Err(FileError::InvalidPrivateKey)
    );
    assert!(matches!(
        f.check_against(b"garbage"),
        Err(FileError::InvalidCertificate { .. })
    ));
}

fn rand_core_rng() -> rsa::rand_core::OsRng {
    rsa::rand_core::OsRng
}

#[test]
fn damaged_files_give_typed_errors() {
    let b = fixture(&format!("synthetic/{}", P7MS[0]));
    let text = String::from_utf8(b).unwrap();
    let truncated = &text[..text.len() - 300];
    let e = DepTokenFile::parse(truncated.as_bytes(), None).unwrap_err();
    assert!(
        matches!(
            e,
            FileError::InvalidBase64 { .. } | FileError::InvalidCms { .. }
        ),
        "{e:?}"
    );
    assert_eq!(
        DepTokenFile::parse(b"", None).unwrap_err(),
        FileError::Empty
    );
    assert!(matches!(
        DepTokenFile::parse(b"Content-Type: text/plain\r\n\r\nAAAA", None),
        Err(FileError::InvalidSmime { .. })
    ));
    assert!(matches!(
        DepTokenFile::parse(b"Content-Type: application/pkcs7-mime\r\n\r\n", None),
        Err(FileError::InvalidSmime { .. })
    ));
}

#[test]
fn payload_forms() {
    use intune_apple_core::files::dep::parse_payload;
    let doc = fixture("dep/nanodep-doc-example.tokens.json");
    let p = parse_payload(&doc).unwrap();
    assert_eq!(
        p.access_token_expiry,
        Some(Utc.with_ymd_and_hms(2023, 7, 1, 22, 18, 53).unwrap())
    );
    let plain = fixture("synthetic/test-dep-token.plaintext.txt");
    assert!(parse_payload(&plain).is_ok());
    let e = parse_payload(br#"{"consumer_key":"CK_1"}"#).unwrap_err();
    assert!(matches!(e, FileError::InvalidDepPayload { .. }));
}
