//! Every Graph sample body in `tests/fixtures/graph-samples/` decodes into its model type and
//! serializes back to an equivalent JSON document; plus one test per model convention.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use intune_apple_core::model::{
    decode, decode_value, ApplePushNotificationCertificate, AssignmentTarget, Collection,
    DataSharingConsent, DepIosEnrollmentProfile, DepMacOsEnrollmentProfile, DepOnboardingSetting,
    DepTokenType, EnrollmentProfile, Entity, GraphErrorBody, ImportAppleDeviceIdentityListRequest,
    ImportedAppleDeviceIdentity, ImportedAppleDeviceIdentityResult, IosVppApp, MacOsVppApp,
    MobileApp, MobileAppAssignRequest, MobileAppAssignment, MobileAppAssignmentSettings,
    OAuthErrorBody, OAuthTokenResponse, Platform, ReleaseAppleDevicesRequest,
    RevokeLicensesRequest, UpdateDeviceProfileAssignmentRequest, UploadDepTokenRequest,
    ValueResult, VppToken, VppTokenLicenseSummary, VppTokenRenewRequest, VppTokenState,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graph-samples")
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Decodes a fixture into `T`, serializes it back, returns (original, re-serialized, Debug text).
fn round_trip<T: DeserializeOwned + Serialize + Debug>(name: &str) -> (Value, Value, String) {
    let bytes = read_fixture(name);
    let decoded: T = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&decoded).unwrap_or_else(|e| panic!("{name}: {e}"));
    let original: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (original, back, format!("{decoded:?}"))
}

type Checker = fn(&str) -> (Value, Value, String);

/// How a fixture is decoded.
enum Shape {
    /// A single entity, bare or docs-wrapped (`Entity<T>`): compared with the unwrapped entity.
    Entity(Checker),
    /// A body decoded as is (collections, `{"value": primitive}`, request bodies, error bodies).
    Body(Checker),
}

fn entity<T: DeserializeOwned + Serialize + Debug>(name: &str) -> (Value, Value, String) {
    round_trip::<Entity<T>>(name)
}

fn body<T: DeserializeOwned + Serialize + Debug>(name: &str) -> (Value, Value, String) {
    round_trip::<T>(name)
}

/// Every fixture and the type it decodes into. A fixture that is not listed here fails
/// `every_fixture_has_a_type`.
///
/// Documented cases:
/// - request samples of the docs send read-only properties (`state`, `lastSyncDateTime`, ...):
///   they decode into the entity type, not into the slimmer request types
///   (`ApplePushNotificationCertificateUpdate`, `VppTokenCreateRequest`, `VppTokenRenewRequest`);
/// - `certificateUploadStatus: "Certificate Upload Status value"` is free text in Graph (a
///   `String` here), and `uploadState: 11` is an `Int32`: both round-trip unchanged;
/// - assignment `settings` of Windows/LOB types on iOS-app pages and the abstract
///   `deviceAndAppManagementAssignmentTarget`/`mobileAppAssignmentSettings` in v1.0 examples
///   round-trip through `Other` (see `placeholder_polymorphic_types_go_to_other`);
/// - `#microsoft.graph.enrollmentProfile` (abstract base) in `beta-enrollmentProfile-list` goes to
///   `EnrollmentProfile::Other`.
fn table() -> Vec<(&'static str, Shape)> {
    use Shape::{Body, Entity as E};
    vec![
        ("beta-applePushNotificationCertificate-downloadApplePushNotificationCertificateSigningRequest.response.json", Body(body::<ValueResult<String>>)),
        ("beta-applePushNotificationCertificate-generateApplePushNotificationCertificateSigningRequest.response.json", Body(body::<ValueResult<String>>)),
        ("beta-applePushNotificationCertificate-get.response.json", E(entity::<ApplePushNotificationCertificate>)),
        ("beta-applePushNotificationCertificate-update.request.json", E(entity::<ApplePushNotificationCertificate>)),
        ("beta-applePushNotificationCertificate-update.response.json", E(entity::<ApplePushNotificationCertificate>)),
        ("beta-dataSharingConsent-consentToDataSharing.response.json", E(entity::<DataSharingConsent>)),
        ("beta-depIOSEnrollmentProfile-create.request.json", E(entity::<DepIosEnrollmentProfile>)),
        ("beta-depIOSEnrollmentProfile-create.response.json", E(entity::<DepIosEnrollmentProfile>)),
        ("beta-depIOSEnrollmentProfile-getDefault.response.json", E(entity::<DepIosEnrollmentProfile>)),
        ("beta-depIOSEnrollmentProfile-list.response.json", Body(body::<Collection<EnrollmentProfile>>)),
        ("beta-depMacOSEnrollmentProfile-create.request.json", E(entity::<DepMacOsEnrollmentProfile>)),
        ("beta-depMacOSEnrollmentProfile-create.response.json", E(entity::<DepMacOsEnrollmentProfile>)),
        ("beta-depOnboardingSetting-create.request.json", E(entity::<DepOnboardingSetting>)),
        ("beta-depOnboardingSetting-create.response.json", E(entity::<DepOnboardingSetting>)),
        ("beta-depOnboardingSetting-generateEncryptionPublicKey.response.json", Body(body::<ValueResult<String>>)),
        ("beta-depOnboardingSetting-get.response.json", E(entity::<DepOnboardingSetting>)),
        ("beta-depOnboardingSetting-getEncryptionPublicKey.response.json", Body(body::<ValueResult<String>>)),
        ("beta-depOnboardingSetting-getExpiringVppTokenCount.response.json", Body(body::<ValueResult<i32>>)),
        ("beta-depOnboardingSetting-list.response.json", Body(body::<Collection<DepOnboardingSetting>>)),
        ("beta-depOnboardingSetting-releaseAppleDevices.request.json", Body(body::<ReleaseAppleDevicesRequest>)),
        ("beta-depOnboardingSetting-update.request.json", E(entity::<DepOnboardingSetting>)),
        ("beta-depOnboardingSetting-update.response.json", E(entity::<DepOnboardingSetting>)),
        ("beta-depOnboardingSetting-uploadDepToken.request.json", Body(body::<UploadDepTokenRequest>)),
        ("beta-enrollmentProfile-exportMobileConfig.response.json", Body(body::<ValueResult<String>>)),
        ("beta-enrollmentProfile-list.response.json", Body(body::<Collection<EnrollmentProfile>>)),
        ("beta-enrollmentProfile-updateDeviceProfileAssignment.request.json", Body(body::<UpdateDeviceProfileAssignmentRequest>)),
        ("beta-importedAppleDeviceIdentity-importAppleDeviceIdentityList.request.json", Body(body::<ImportAppleDeviceIdentityListRequest>)),
        ("beta-importedAppleDeviceIdentity-importAppleDeviceIdentityList.response.json", Body(body::<Collection<ImportedAppleDeviceIdentityResult>>)),
        ("beta-importedAppleDeviceIdentity-list.response.json", Body(body::<Collection<ImportedAppleDeviceIdentity>>)),
        ("beta-iosVppApp-get.response.json", E(entity::<IosVppApp>)),
        ("beta-iosVppApp-revokeAllLicenses.request.json", Body(body::<RevokeLicensesRequest>)),
        ("beta-macOsVppApp-get.response.json", E(entity::<MacOsVppApp>)),
        ("beta-mobileApp-assign.request.json", Body(body::<MobileAppAssignRequest>)),
        ("beta-mobileAppAssignment-create.request.json", E(entity::<MobileAppAssignment>)),
        ("beta-mobileAppAssignment-create.response.json", E(entity::<MobileAppAssignment>)),
        ("beta-mobileAppAssignment-list.response.json", Body(body::<Collection<MobileAppAssignment>>)),
        ("beta-vppToken-create.request.json", E(entity::<VppToken>)),
        ("beta-vppToken-create.response.json", E(entity::<VppToken>)),
        ("beta-vppToken-getLicensesForApp.response.json", Body(body::<Collection<VppTokenLicenseSummary>>)),
        ("beta-vppToken-list.response.json", Body(body::<Collection<VppToken>>)),
        ("beta-vppToken-revokeLicenses.request.json", Body(body::<RevokeLicensesRequest>)),
        ("beta-vppToken-syncLicenses.response.json", E(entity::<VppToken>)),
        ("common-error-generic.response.json", Body(body::<GraphErrorBody>)),
        ("common-error-intune-badrequest-400.response.json", Body(body::<GraphErrorBody>)),
        ("common-error-throttled-429.response.json", Body(body::<GraphErrorBody>)),
        ("oauth-token-client-credentials.response.json", Body(body::<OAuthTokenResponse>)),
        ("oauth-token-error-invalid_scope.response.json", Body(body::<OAuthErrorBody>)),
        ("v1-applePushNotificationCertificate-downloadApplePushNotificationCertificateSigningRequest.response.json", Body(body::<ValueResult<String>>)),
        ("v1-applePushNotificationCertificate-get.response.json", E(entity::<ApplePushNotificationCertificate>)),
        ("v1-applePushNotificationCertificate-update.request.json", E(entity::<ApplePushNotificationCertificate>)),
        ("v1-applePushNotificationCertificate-update.response.json", E(entity::<ApplePushNotificationCertificate>)),
        ("v1-iosVppApp-list.response.json", Body(body::<Collection<MobileApp>>)),
        ("v1-mobileApp-assign.request.json", Body(body::<MobileAppAssignRequest>)),
        ("v1-mobileAppAssignment-create.request.json", E(entity::<MobileAppAssignment>)),
        ("v1-mobileAppAssignment-create.response.json", E(entity::<MobileAppAssignment>)),
        ("v1-vppToken-create.request.json", E(entity::<VppToken>)),
        ("v1-vppToken-create.response.json", E(entity::<VppToken>)),
        ("v1-vppToken-list.response.json", Body(body::<Collection<VppToken>>)),
        ("v1-vppToken-syncLicenses.response.json", E(entity::<VppToken>)),
        ("v1-vppToken-update.request.json", E(entity::<VppToken>)),
        ("v1-vppToken-update.response.json", E(entity::<VppToken>)),
    ]
}

/// Removes the docs' `{"value": {...}}` wrapper (with an optional `@odata.context`).
fn unwrap_entity(value: Value) -> Value {
    if let Value::Object(map) = &value {
        if map.get("value").is_some_and(Value::is_object)
            && map.keys().all(|k| k == "value" || k == "@odata.context")
        {
            return map["value"].clone();
        }
    }
    value
}

/// Semantic equality: same keys and values, except that a `null` member equals an absent one
/// (absent optional fields are not written) and two strings that are both RFC 3339 date-times
/// are compared as instants (times are normalised to UTC `Z`). Returns the first difference.
fn diff(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let va = x.get(k).unwrap_or(&Value::Null);
                let vb = y.get(k).unwrap_or(&Value::Null);
                if let Some(d) = diff(&format!("{path}.{k}"), va, vb) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: length {} vs {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (va, vb))| diff(&format!("{path}[{i}]"), va, vb))
        }
        (Value::String(x), Value::String(y)) if x != y => {
            match (
                DateTime::parse_from_rfc3339(x),
                DateTime::parse_from_rfc3339(y),
            ) {
                (Ok(tx), Ok(ty)) if tx == ty => None,
                _ => Some(format!("{path}: {x:?} vs {y:?}")),
            }
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

#[test]
fn every_sample_round_trips() {
    let mut failures = Vec::new();
    for (name, shape) in table() {
        let (original, back) = match shape {
            Shape::Entity(check) => {
                let (o, b, _) = check(name);
                (unwrap_entity(o), b)
            }
            Shape::Body(check) => {
                let (o, b, _) = check(name);
                (o, b)
            }
        };
        if let Some(d) = diff("$", &original, &back) {
            failures.push(format!("{name}: {d}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_has_a_type() {
    let listed: BTreeSet<&str> = table().iter().map(|(n, _)| *n).collect();
    let mut missing = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            count += 1;
            if !listed.contains(name.as_str()) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures without a table entry: {missing:?}"
    );
    assert_eq!(count, listed.len(), "table lists files that do not exist");
    assert_eq!(count, 61);
}

#[test]
fn secrets_never_appear_in_debug() {
    let secrets = [
        "Token value",
        "Dep Token value",
        "Certificate value",
        "eyJ0eXAiOiJKV1Qi",
        "Admin Account Password value",
    ];
    for (name, shape) in table() {
        let (Shape::Entity(check) | Shape::Body(check)) = shape;
        let (_, _, debug) = check(name);
        for secret in secrets {
            assert!(!debug.contains(secret), "{name}: Debug shows {secret:?}");
        }
    }
    // and the secret values did round-trip on the wire
    let (_, back, _) =
        body::<UploadDepTokenRequest>("beta-depOnboardingSetting-uploadDepToken.request.json");
    assert_eq!(back["depToken"], "Dep Token value");
}

#[test]
fn open_enum_keeps_unknown_member_and_round_trips() {
    let token: VppToken =
        decode(br#"{"state":"someFutureState","vppTokenAccountType":"business"}"#).unwrap();
    assert_eq!(
        token.state,
        Some(VppTokenState::Other("someFutureState".into()))
    );
    let back = serde_json::to_value(&token).unwrap();
    assert_eq!(back["state"], "someFutureState");
    assert_eq!(
        decode::<DepOnboardingSetting>(br#"{"tokenType":"appleSchoolManager"}"#)
            .unwrap()
            .token_type,
        Some(DepTokenType::AppleSchoolManager)
    );
    // tvOS has two spellings
    for spelling in ["tvos", "tvOS"] {
        let d: ImportedAppleDeviceIdentity = decode_value(json!({ "platform": spelling })).unwrap();
        assert_eq!(d.platform, Some(Platform::TvOs));
    }
}

#[test]
fn never_sentinel_is_none() {
    let s: DepOnboardingSetting = decode(br#"{"lastSuccessfulSyncDateTime":"0001-01-01T00:00:00Z","tokenExpirationDateTime":"2027-01-01T00:00:00Z"}"#).unwrap();
    assert_eq!(s.last_successful_sync_date_time, None);
    assert!(s.token_expiration_date_time.is_some());
    let back = serde_json::to_value(&s).unwrap();
    assert!(back.get("lastSuccessfulSyncDateTime").is_none());
}

#[test]
fn bare_and_wrapped_entities_decode_alike() {
    let wrapped: Entity<DepOnboardingSetting> =
        decode(&read_fixture("beta-depOnboardingSetting-get.response.json")).unwrap();
    let inner = serde_json::from_slice::<Value>(&read_fixture(
        "beta-depOnboardingSetting-get.response.json",
    ))
    .unwrap()["value"]
        .clone();
    let mut bare = inner.clone();
    bare["@odata.context"] = json!(
        "https://graph.microsoft.com/beta/$metadata#deviceManagement/depOnboardingSettings/$entity"
    );
    let bare: Entity<DepOnboardingSetting> = decode_value(bare).unwrap();
    assert_eq!(wrapped, bare);
    assert_eq!(wrapped.0.token_name.as_deref(), Some("Token Name value"));
}

#[test]
fn absent_odata_type_decodes_the_declared_type() {
    // as real Graph returns `defaultMacOsEnrollmentProfile` inside an expanded token
    let setting: DepOnboardingSetting = decode_value(json!({
        "id": "t1",
        "defaultIosEnrollmentProfile": null,
        "defaultMacOsEnrollmentProfile": {"id": "t1_p1", "displayName": "Macs", "adminAccountPassword": null, "fileVaultDisabled": true}
    }))
    .unwrap();
    let mac = setting.default_mac_os_enrollment_profile.unwrap();
    assert_eq!(mac.file_vault_disabled, Some(true));
    assert!(setting.default_ios_enrollment_profile.is_none());
    let ios: DepIosEnrollmentProfile =
        decode_value(json!({"iTunesPairingMode": "requiresCertificate"})).unwrap();
    assert!(ios.odata_type.is_none());
}

#[test]
fn polymorphic_types_dispatch_with_or_without_hash() {
    let list: Collection<EnrollmentProfile> = decode_value(json!({"value": [
        {"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "id": "a", "enableSharedIPad": true},
        {"@odata.type": "microsoft.graph.depMacOSEnrollmentProfile", "id": "b"},
        {"@odata.type": "#microsoft.graph.depTvOSEnrollmentProfile", "id": "c", "supervisedModeEnabled": true},
        {"@odata.type": "#microsoft.graph.depVisionOSEnrollmentProfile", "id": "d"},
        {"@odata.type": "#microsoft.graph.depEnrollmentProfile", "id": "e", "macOSFileVaultDisabled": true},
        {"@odata.type": "#microsoft.graph.someNewProfile", "id": "ECV2_x_y", "newThing": {"a": 1}},
        {"id": "f"}
    ]}))
    .unwrap();
    let v = &list.value;
    assert!(matches!(&v[0], EnrollmentProfile::DepIos(p) if p.enable_shared_i_pad == Some(true)));
    assert!(matches!(&v[1], EnrollmentProfile::DepMacOs(_)));
    assert!(matches!(&v[2], EnrollmentProfile::DepTvOs(_)));
    // tvOS and visionOS profiles are `enrollmentProfile`s: a property of
    // `depEnrollmentBaseProfile` a tenant sends along is not kept, so it is never sent back.
    for tv in [&v[2], &v[3]] {
        let back = serde_json::to_value(tv).unwrap();
        assert!(back.get("supervisedModeEnabled").is_none(), "{back}");
    }
    assert!(matches!(&v[3], EnrollmentProfile::DepVisionOs(_)));
    assert!(
        matches!(&v[4], EnrollmentProfile::DepEnrollmentProfile(p) if p.mac_os_file_vault_disabled == Some(true))
    );
    assert!(matches!(&v[5], EnrollmentProfile::Other(p) if p.id.as_deref() == Some("ECV2_x_y")));
    assert!(matches!(&v[6], EnrollmentProfile::Other(_)));
    assert_eq!(v[5].id(), Some("ECV2_x_y"));
    let back = serde_json::to_value(&v[5]).unwrap();
    assert_eq!(back["newThing"], json!({"a": 1}));
}

#[test]
fn placeholder_polymorphic_types_go_to_other() {
    let req: MobileAppAssignRequest =
        decode(&read_fixture("v1-mobileApp-assign.request.json")).unwrap();
    let a = &req.mobile_app_assignments[0];
    assert!(matches!(a.target, Some(AssignmentTarget::Other(_))));
    assert!(matches!(
        a.settings,
        Some(MobileAppAssignmentSettings::Other(_))
    ));
    let group: MobileAppAssignment = decode_value(json!({
        "intent": "required",
        "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g1"},
        "settings": {"@odata.type": "microsoft.graph.iosVppAppAssignmentSettings", "useDeviceLicensing": true}
    }))
    .unwrap();
    assert!(
        matches!(&group.target, Some(AssignmentTarget::ExclusionGroup(t)) if t.group_id.as_deref() == Some("g1"))
    );
    assert!(
        matches!(&group.settings, Some(MobileAppAssignmentSettings::IosVppApp(s)) if s.use_device_licensing == Some(true))
    );
    let apps: Collection<MobileApp> =
        decode(&read_fixture("v1-iosVppApp-list.response.json")).unwrap();
    assert!(matches!(apps.value[0], MobileApp::IosVppApp(_)));
}

#[test]
fn unknown_properties_are_ignored() {
    let t: VppToken =
        decode(br#"{"id":"1","brandNewProperty":{"x":[1,2]},"state":"valid"}"#).unwrap();
    assert_eq!(t.id.as_deref(), Some("1"));
    let d: ImportedAppleDeviceIdentity =
        decode(br#"{"serialNumber":"C02X","unknown":true}"#).unwrap();
    assert_eq!(d.serial_number.as_deref(), Some("C02X"));
}

#[test]
fn renew_body_holds_only_the_token() {
    let body = VppTokenRenewRequest {
        token: "new-file-content".into(),
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"token": "new-file-content"})
    );
    assert!(!format!("{body:?}").contains("new-file-content"));
}

#[test]
fn malformed_and_wrong_type_bodies_name_the_field_path() {
    let err = decode::<Collection<ImportedAppleDeviceIdentity>>(
        br#"{"value":[{"serialNumber":"A"},{"isSupervised":"yes"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "value[1].isSupervised");
    let err = decode::<Collection<EnrollmentProfile>>(br##"{"value":[{"@odata.type":"#microsoft.graph.depIOSEnrollmentProfile","sharedIPadMaximumUserCount":"many"}]}"##).unwrap_err();
    assert!(
        err.to_string().contains("sharedIPadMaximumUserCount"),
        "{err}"
    );
    let err =
        decode::<DepOnboardingSetting>(br#"{"tokenExpirationDateTime":"not a date"}"#).unwrap_err();
    assert_eq!(err.path, "tokenExpirationDateTime");
    assert!(decode::<VppToken>(b"{\"id\": ").is_err());
    let err = decode::<UploadDepTokenRequest>(br#"{"appleId":"a"}"#).unwrap_err();
    assert!(err.to_string().contains("depToken"), "{err}");
}

#[test]
fn graph_error_samples_expose_ids_and_readable_message() {
    let b: GraphErrorBody = decode(&read_fixture(
        "common-error-intune-badrequest-400.response.json",
    ))
    .unwrap();
    assert_eq!(
        b.error.request_id(),
        Some("a8ed5cd5-3fc6-41a5-8788-9e6df37bce7a")
    );
    assert_eq!(
        b.error.client_request_id(),
        Some("f9d7bd85-b6bc-65b6-3223-48a5b0b6a656")
    );
    assert!(b
        .error
        .readable_message()
        .unwrap()
        .starts_with("An error has occurred"));
    assert_eq!(b.error.retry_after_seconds(), None);
    let t: GraphErrorBody =
        decode(&read_fixture("common-error-throttled-429.response.json")).unwrap();
    assert_eq!(t.error.code.as_deref(), Some("TooManyRequests"));
    assert_eq!(
        t.error.readable_message().as_deref(),
        Some("Please retry again later.")
    );
    let camel: GraphErrorBody =
        decode_value(json!({"error": {"code": "x", "innerError": {"requestId": "r2"}}})).unwrap();
    assert_eq!(camel.error.request_id(), Some("r2"));
}

/// A polymorphic value built in code (no `@odata.type` set) still tells Graph which type it is:
/// an exclusion group must not be sent as an inclusion, nor the reverse.
#[test]
fn known_variants_built_in_code_carry_their_odata_type() {
    use intune_apple_core::model::{AssignmentTarget, GroupAssignmentTarget};
    let group = GroupAssignmentTarget {
        group_id: Some("g1".into()),
        ..GroupAssignmentTarget::default()
    };
    let excluded = serde_json::to_value(AssignmentTarget::ExclusionGroup(group.clone())).unwrap();
    assert_eq!(
        excluded["@odata.type"],
        "#microsoft.graph.exclusionGroupAssignmentTarget"
    );
    let included = serde_json::to_value(AssignmentTarget::Group(group)).unwrap();
    assert_eq!(
        included["@odata.type"],
        "#microsoft.graph.groupAssignmentTarget"
    );
    let back: AssignmentTarget = serde_json::from_value(excluded).unwrap();
    assert!(matches!(back, AssignmentTarget::ExclusionGroup(_)));
    // A type given explicitly is kept as it is.
    let explicit = GroupAssignmentTarget {
        odata_type: Some("microsoft.graph.groupAssignmentTarget".into()),
        ..GroupAssignmentTarget::default()
    };
    let kept = serde_json::to_value(AssignmentTarget::Group(explicit)).unwrap();
    assert_eq!(kept["@odata.type"], "microsoft.graph.groupAssignmentTarget");
}
