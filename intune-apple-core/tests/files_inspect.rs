//! `inspect` over every sample file, and the no-secret-in-output guarantee.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use intune_apple_core::files::{
    check_push_renewal, inspect, inspect_bytes, AppleFile, DepTokenFile, FileError,
    PushCertificate, VppTokenFile,
};
use intune_apple_core::Secret;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apple-samples")
}

#[derive(Debug)]
enum Expect {
    Vpp,
    Push,
    Dep,
    Err(FileError),
}

fn expected(rel: &str) -> Expect {
    use Expect::{Dep, Err, Push, Vpp};
    match rel {
        "README.md"
        | "vpptoken/apple-doc-example.decoded.json"
        | "dep/nanodep-doc-example.tokens.json" => Err(FileError::UnrecognisedFormat),
        "vpptoken/apple-doc-example.vpptoken"
        | "synthetic/synthetic-compact-neg-offset.vpptoken"
        | "synthetic/synthetic-expired.vpptoken" => Vpp,
        "apns/micromdm-mock_push_cert.pem"
        | "synthetic/synthetic-push-original.pem"
        | "synthetic/synthetic-push-renewed-same-topic.pem"
        | "synthetic/synthetic-push-new-cert-different-topic.pem"
        | "synthetic/synthetic-push-expired.pem" => Push,
        "apns/micromdm-mock_push_cert_no_uid.pem"
        | "synthetic/synthetic-fake-apple-ca.pem"
        | "synthetic/test-dep-cert.pem" => Err(FileError::NoUid),
        "apns/micromdm-mock_push_cert_wrong_uid_prefix.pem" => Err(FileError::WrongUidPrefix {
            topic: "wrong.prefix.18a16429-886b-41f1-9c30-2bd04ae4fc37".into(),
        }),
        "synthetic/test-dep-key.pem" => Err(FileError::PrivateKeyInsteadOfCertificate),
        "synthetic/test-dep-token.plaintext.txt" => Err(FileError::InvalidSmime {
            reason: "Content-Type is not application/pkcs7-mime".into(),
        }),
        "synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m"
        | "synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m" => Dep,
        other => panic!("sample {other} has no expected result: add it to this table"),
    }
}

fn all_samples() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(dir())
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_sample_has_its_expected_result() {
    let samples = all_samples();
    assert_eq!(samples.len(), 19, "{samples:?}");
    for rel in samples {
        let got = inspect(dir().join(&rel));
        match (expected(&rel), &got) {
            (Expect::Vpp, Ok(AppleFile::VppToken(_)))
            | (Expect::Push, Ok(AppleFile::PushCertificate(_)))
            | (Expect::Dep, Ok(AppleFile::DepToken(_))) => {}
            (Expect::Err(e), Err(g)) if &e == g => {}
            (e, g) => panic!("{rel}: expected {e:?}, got {g:?}"),
        }
    }
}

#[test]
fn p7m_file_name_timestamp_comes_from_path() {
    let got = inspect(dir().join("synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m"))
        .unwrap();
    let AppleFile::DepToken(d) = got else {
        panic!("{got:?}")
    };
    assert!(d.file_name_timestamp.is_some());
}

#[test]
fn recognition_ignores_extension_and_handles_der_and_junk() {
    let pem = std::fs::read(dir().join("synthetic/synthetic-push-original.pem")).unwrap();
    let (_, der) = der::pem::decode_vec(&pem).unwrap();
    assert!(matches!(
        inspect_bytes(&der, Some("x.vpptoken")),
        Ok(AppleFile::PushCertificate(_))
    ));
    let p7m = std::fs::read(
        dir().join("synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m"),
    )
    .unwrap();
    let text = String::from_utf8(p7m).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    use base64::Engine as _;
    let cms = base64::engine::general_purpose::STANDARD
        .decode(body.replace("\r\n", ""))
        .unwrap();
    assert!(matches!(
        inspect_bytes(&cms, None),
        Ok(AppleFile::DepToken(_))
    ));
    assert!(matches!(
        inspect_bytes(body.as_bytes(), None),
        Ok(AppleFile::DepToken(_))
    ));
    assert_eq!(inspect_bytes(b"  \r\n", None), Err(FileError::Empty));
    assert_eq!(
        inspect_bytes(b"\x00\x01binary", None),
        Err(FileError::UnrecognisedFormat)
    );
    let vpp = std::fs::read(dir().join("vpptoken/apple-doc-example.vpptoken")).unwrap();
    assert!(matches!(
        inspect_bytes(&vpp[..200], None),
        Err(FileError::InvalidBase64 { .. } | FileError::VppInvalidJson { .. })
    ));
    assert!(matches!(
        inspect(dir().join("missing.pem")),
        Err(FileError::Io(_))
    ));
}

/// Formats every value and error the module returns for the samples and searches the text for
/// the secrets they carry.
#[test]
fn no_secret_in_any_debug_or_display() {
    let mut outputs: Vec<String> = Vec::new();
    let mut secrets: Vec<String> = Vec::new();

    for rel in all_samples() {
        let bytes = std::fs::read(dir().join(&rel)).unwrap();
        match inspect_bytes(&bytes, Some(&rel)) {
            Ok(v) => outputs.push(format!("{v:?} {v:#?}")),
            Err(e) => outputs.push(format!("{e:?} {e}")),
        }
        if rel.ends_with(".vpptoken") {
            let v = VppTokenFile::parse(&bytes).unwrap();
            secrets.push(v.inner_token.expose().to_owned());
            secrets.push(v.content.expose().to_owned());
            let c = v.check_renewal(&[], None, chrono::DateTime::UNIX_EPOCH);
            outputs.push(format!("{c:?}"));
        }
    }

    let key_text = std::fs::read_to_string(dir().join("synthetic/test-dep-key.pem")).unwrap();
    for line in key_text.lines().filter(|l| !l.starts_with("-----")) {
        secrets.push(line.to_owned());
    }
    let key = Secret::new(key_text.clone());
    outputs.push(format!("{key:?}"));
    for name in [
        "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m",
        "TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m",
    ] {
        let bytes = std::fs::read(dir().join("synthetic").join(name)).unwrap();
        let f = DepTokenFile::parse(&bytes, Some(name)).unwrap();
        let p = f.decrypt(&key).unwrap();
        for s in [&p.consumer_secret, &p.access_token, &p.access_secret] {
            secrets.push(s.expose().to_owned());
        }
        outputs.push(format!("{f:?} {p:?} {p:#?}"));
        let e = f
            .decrypt(&Secret::new(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            ))
            .unwrap_err();
        outputs.push(format!("{e:?} {e}"));
    }

    // A bundle with the key, and a key alone given as a certificate.
    let cert =
        std::fs::read_to_string(dir().join("synthetic/synthetic-push-original.pem")).unwrap();
    let bundle = format!("{cert}{key_text}");
    let c = PushCertificate::parse(bundle.as_bytes()).unwrap();
    outputs.push(format!("{c:?}"));
    let e = PushCertificate::parse(key_text.as_bytes()).unwrap_err();
    outputs.push(format!("{e:?} {e}"));
    let mut cur: intune_apple_core::model::ApplePushNotificationCertificate =
        serde_json::from_str("{}").unwrap();
    cur.topic_identifier = Some("com.apple.mgmt.other".into());
    let e = check_push_renewal(&cur, &c, chrono::DateTime::UNIX_EPOCH, None).unwrap_err();
    outputs.push(format!("{e:?} {e}"));

    // Damaged variants produce errors; those must not echo content either.
    let vpp = std::fs::read(dir().join("vpptoken/apple-doc-example.vpptoken")).unwrap();
    for cut in [10, 100, 200, 259] {
        if let Err(e) = VppTokenFile::parse(&vpp[..cut]) {
            outputs.push(format!("{e:?} {e}"));
        }
    }

    assert!(secrets.len() > 20);
    for s in &secrets {
        assert!(s.len() >= 8, "secret too short to search for");
        for o in &outputs {
            assert!(!o.contains(s.as_str()), "secret leaked into: {o}");
        }
    }
}
