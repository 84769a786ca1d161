//! `.vpptoken` decoding and renewal checks over the sample files.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use intune_apple_core::files::{FileError, VppRenewalFlag, VppTokenFile};
use intune_apple_core::model::VppToken;
use intune_apple_core::Secret;

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/apple-samples/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

#[test]
fn apple_doc_example_decodes() {
    let f = VppTokenFile::parse(&fixture("vpptoken/apple-doc-example.vpptoken")).unwrap();
    assert_eq!(f.organization_name, "ORG12345");
    assert_eq!(
        f.expires,
        Utc.with_ymd_and_hms(2030, 11, 8, 22, 33, 22).unwrap()
    );
    assert_eq!(f.content.len(), 260);
    assert!(f.inner_token.expose().starts_with("VFdwQmVV"));
}

#[test]
fn whitespace_and_newline_tolerated() {
    let mut b = b"  \n".to_vec();
    b.extend(fixture("vpptoken/apple-doc-example.vpptoken"));
    b.extend(b"\r\n");
    let f = VppTokenFile::parse(&b).unwrap();
    assert_eq!(f.content.len(), 260);
}

#[test]
fn negative_offset_normalised_to_utc() {
    let f =
        VppTokenFile::parse(&fixture("synthetic/synthetic-compact-neg-offset.vpptoken")).unwrap();
    assert_eq!(f.organization_name, "Contoso Synthetic Ltd");
    assert_eq!(
        f.expires,
        Utc.with_ymd_and_hms(2031, 3, 14, 16, 26, 53).unwrap()
    );
    assert!(!f.is_expired(now()));
}

#[test]
fn expired_sample() {
    let f = VppTokenFile::parse(&fixture("synthetic/synthetic-expired.vpptoken")).unwrap();
    assert_eq!(
        f.expires,
        Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap()
    );
    assert!(f.is_expired(now()));
    let c = f.check_renewal(&[], None, now());
    assert_eq!(c.flags, vec![VppRenewalFlag::AlreadyExpired]);
}

#[test]
fn bad_inputs_give_typed_errors() {
    assert_eq!(VppTokenFile::parse(b" \n"), Err(FileError::Empty));
    let full = fixture("vpptoken/apple-doc-example.vpptoken");
    assert!(matches!(
        VppTokenFile::parse(&full[..101]),
        Err(FileError::InvalidBase64 { .. })
    ));
    // URL-safe alphabet is rejected.
    assert!(matches!(
        VppTokenFile::parse(b"ab-_"),
        Err(FileError::InvalidBase64 { .. })
    ));
    let no_org = base64_of(r#"{"token":"x","expDate":"2030-11-08T22:33:22Z"}"#);
    assert_eq!(
        VppTokenFile::parse(no_org.as_bytes()),
        Err(FileError::VppMissingField { field: "orgName" })
    );
    let not_json = base64_of("hello");
    assert!(matches!(
        VppTokenFile::parse(not_json.as_bytes()),
        Err(FileError::VppInvalidJson { .. })
    ));
    let bad_date = base64_of(r#"{"token":"x","expDate":"soon","orgName":"O"}"#);
    assert!(matches!(
        VppTokenFile::parse(bad_date.as_bytes()),
        Err(FileError::VppBadDate { .. })
    ));
}

fn base64_of(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn intune_token(
    id: &str,
    org: &str,
    loc: &str,
    exp: chrono::DateTime<Utc>,
    token: Option<&str>,
) -> VppToken {
    let mut t: VppToken = serde_json::from_str("{}").unwrap();
    t.id = Some(id.into());
    t.organization_name = Some(org.into());
    t.location_name = Some(loc.into());
    t.expiration_date_time = Some(exp);
    t.token = token.map(Secret::new);
    t
}

#[test]
fn renewal_into_same_organisation_and_location() {
    let f =
        VppTokenFile::parse(&fixture("synthetic/synthetic-compact-neg-offset.vpptoken")).unwrap();
    let cur = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let existing = vec![
        intune_token("1", "Other Org", "HQ", cur, None),
        intune_token("2", "Contoso Synthetic Ltd", "Paris", cur, None),
        intune_token("3", "Contoso Synthetic Ltd", "Berlin", cur, None),
    ];
    let c = f.check_renewal(&existing, Some("Berlin"), now());
    assert!(c.is_ok(), "{c:?}");
    assert_eq!(c.renews_token_id.as_deref(), Some("3"));
    let c = f.check_renewal(&existing, None, now());
    assert_eq!(c.renews_token_id.as_deref(), Some("2"));
}

#[test]
fn renewal_flags() {
    let f =
        VppTokenFile::parse(&fixture("synthetic/synthetic-compact-neg-offset.vpptoken")).unwrap();
    let later = Utc.with_ymd_and_hms(2032, 1, 1, 0, 0, 0).unwrap();
    let c = f.check_renewal(
        &[intune_token("2", "contoso synthetic ltd", "P", later, None)],
        None,
        now(),
    );
    assert_eq!(
        c.flags,
        vec![VppRenewalFlag::ExpiresSoonerThanReplaced { current: later }]
    );

    let c = f.check_renewal(
        &[intune_token("9", "Fabrikam", "P", later, None)],
        None,
        now(),
    );
    assert_eq!(c.flags, vec![VppRenewalFlag::OtherOrganization]);
    assert_eq!(c.renews_token_id, None);

    let dup = intune_token(
        "5",
        "Contoso Synthetic Ltd",
        "P",
        f.expires,
        Some(f.content.expose()),
    );
    let c = f.check_renewal(&[dup], None, now());
    assert_eq!(
        c.flags,
        vec![VppRenewalFlag::DuplicateOfExisting {
            token_id: Some("5".into())
        }]
    );
}
