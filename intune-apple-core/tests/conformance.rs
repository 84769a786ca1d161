//! The model and the client's actions held against Microsoft's Graph metadata (the beta extract
//! in `fixtures/csdl/`): every property each modelled type declares (own and inherited) survives
//! a decode and re-encode, every enum member is known, and every action and function bound to
//! these types is either called by the client or listed as not offered. Drift in the metadata
//! or the model fails this test.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

use std::collections::{BTreeMap, BTreeSet};

use intune_apple_core::model::{self as m};
use serde_json::{json, Value};

const BETA: &str = include_str!("fixtures/csdl/types-beta.xml");

#[derive(Debug, Default)]
struct Type {
    base: Option<String>,
    properties: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct Metadata {
    types: BTreeMap<String, Type>,
    enums: BTreeMap<String, Vec<String>>,
    /// (name, Action|Function, binding type)
    operations: Vec<(String, String, String)>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

fn short(t: &str) -> String {
    t.trim_start_matches("graph.").to_owned()
}

/// A small reader of the extract: one element per tag, in document order.
fn parse(xml: &str) -> Metadata {
    let mut md = Metadata::default();
    let mut current_type: Option<String> = None;
    let mut current_enum: Option<String> = None;
    let mut current_op: Option<(String, String)> = None;
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + end + 1];
        rest = &rest[start + end + 1..];
        let name_of = |t: &str| {
            t.trim_start_matches('<')
                .split([' ', '>', '/'])
                .next()
                .unwrap_or("")
                .to_owned()
        };
        let el = name_of(tag);
        match el.as_str() {
            "EntityType" | "ComplexType" => {
                let name = attr(tag, "Name").unwrap();
                md.types.insert(
                    name.clone(),
                    Type {
                        base: attr(tag, "BaseType").map(|b| short(&b)),
                        properties: Vec::new(),
                    },
                );
                current_type = (!tag.ends_with("/>")).then_some(name);
            }
            "/EntityType" | "/ComplexType" => current_type = None,
            "Property" => {
                if let Some(t) = &current_type {
                    let p = (attr(tag, "Name").unwrap(), attr(tag, "Type").unwrap());
                    md.types.get_mut(t).unwrap().properties.push(p);
                }
            }
            "EnumType" => {
                let name = attr(tag, "Name").unwrap();
                md.enums.insert(name.clone(), Vec::new());
                current_enum = Some(name);
            }
            "/EnumType" => current_enum = None,
            "Member" => {
                if let Some(e) = &current_enum {
                    md.enums
                        .get_mut(e)
                        .unwrap()
                        .push(attr(tag, "Name").unwrap());
                }
            }
            "Action" | "Function" => {
                current_op = Some((attr(tag, "Name").unwrap(), el.clone()));
            }
            "Parameter" => {
                if let Some((name, kind)) = current_op.take() {
                    if attr(tag, "Name").as_deref() == Some("bindingParameter") {
                        md.operations
                            .push((name, kind, short(&attr(tag, "Type").unwrap())));
                    } else {
                        current_op = Some((name, kind));
                    }
                }
            }
            _ => {}
        }
    }
    md
}

fn all_properties(md: &Metadata, name: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut at = Some(name.to_owned());
    while let Some(n) = at {
        match md.types.get(&n) {
            Some(t) => {
                out.extend(t.properties.iter().cloned());
                at = t.base.clone();
            }
            None => {
                if n == "entity" {
                    out.push(("id".to_owned(), "Edm.String".to_owned()));
                }
                at = None;
            }
        }
    }
    out
}

/// A value of the declared type, as Graph would write one.
fn sample(md: &Metadata, ty: &str) -> Value {
    if ty.starts_with("Collection(") {
        return json!([]);
    }
    match ty {
        "Edm.String" => json!("x"),
        "Edm.Boolean" => json!(true),
        "Edm.Int32" | "Edm.Int64" => json!(1),
        "Edm.DateTimeOffset" => json!("2026-01-02T03:04:05Z"),
        "Edm.Guid" => json!("00000000-0000-4000-8000-000000000001"),
        "Edm.Binary" => json!("eA=="),
        other => {
            let s = short(other);
            match md.enums.get(&s) {
                Some(members) => json!(members[0]),
                None => json!({}),
            }
        }
    }
}

fn check_type<T: serde::de::DeserializeOwned + serde::Serialize>(
    md: &Metadata,
    name: &str,
    missing: &mut Vec<String>,
) -> usize {
    let props = all_properties(md, name);
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.type".into(),
        json!(format!("#microsoft.graph.{name}")),
    );
    for (p, t) in &props {
        body.insert(p.clone(), sample(md, t));
    }
    let decoded: T = serde_json::from_value(Value::Object(body))
        .unwrap_or_else(|e| panic!("{name} does not decode a body of its metadata: {e}"));
    let back = serde_json::to_value(&decoded).unwrap();
    for (p, _) in &props {
        if back.get(p).is_none() {
            missing.push(format!("{name}.{p}"));
        }
    }
    props.len()
}

#[test]
fn the_model_holds_every_property_and_enum_member_of_the_metadata() {
    let md = parse(BETA);
    let mut missing = Vec::new();
    let mut checked = 0;
    macro_rules! types {
        ($($name:literal => $t:ty),+ $(,)?) => {
            $( checked += check_type::<$t>(&md, $name, &mut missing); )+
        };
    }
    types! {
        "applePushNotificationCertificate" => m::ApplePushNotificationCertificate,
        "dataSharingConsent" => m::DataSharingConsent,
        "depOnboardingSetting" => m::DepOnboardingSetting,
        "depIOSEnrollmentProfile" => m::DepIosEnrollmentProfile,
        "depMacOSEnrollmentProfile" => m::DepMacOsEnrollmentProfile,
        "depEnrollmentProfile" => m::DepEnrollmentProfile,
        "depTvOSEnrollmentProfile" => m::EnrollmentProfile,
        "depVisionOSEnrollmentProfile" => m::EnrollmentProfile,
        "importedAppleDeviceIdentity" => m::ImportedAppleDeviceIdentity,
        "importedAppleDeviceIdentityResult" => m::ImportedAppleDeviceIdentityResult,
        "vppToken" => m::VppToken,
        "iosVppApp" => m::IosVppApp,
        "macOsVppApp" => m::MacOsVppApp,
        "mobileAppAssignment" => m::MobileAppAssignment,
        "groupAssignmentTarget" => m::AssignmentTarget,
        "exclusionGroupAssignmentTarget" => m::AssignmentTarget,
        "allLicensedUsersAssignmentTarget" => m::AssignmentTarget,
        "allDevicesAssignmentTarget" => m::AssignmentTarget,
        "configurationManagerCollectionAssignmentTarget" => m::AssignmentTarget,
        "iosVppAppAssignmentSettings" => m::IosVppAppAssignmentSettings,
        "macOsVppAppAssignmentSettings" => m::MacOsVppAppAssignmentSettings,
        "vppLicensingType" => m::VppLicensingType,
        "iosDeviceType" => m::IosDeviceType,
        "mimeContent" => m::MimeContent,
        "vppTokenActionResult" => m::VppTokenActionResult,
        "vppTokenRevokeLicensesActionResult" => m::VppTokenRevokeLicensesActionResult,
        "vppTokenLicenseSummary" => m::VppTokenLicenseSummary,
        "iosVppAppRevokeLicensesActionResult" => m::VppAppRevokeLicensesActionResult,
        "macOsVppAppRevokeLicensesActionResult" => m::VppAppRevokeLicensesActionResult,
        "managementCertificateWithThumbprint" => m::ManagementCertificateWithThumbprint,
        "depProfileAdminAccountPasswordRotationSetting" => m::DepProfileAdminAccountPasswordRotationSetting,
        "depProfileDelayAutoRotationSetting" => m::DepProfileDelayAutoRotationSetting,
    }
    assert!(
        missing.is_empty(),
        "properties the model loses: {missing:?}"
    );

    macro_rules! enums {
        ($($name:literal => $t:ty),+ $(,)?) => {{
            let mut n = 0;
            $(
                let known: BTreeSet<&str> = <$t>::KNOWN.iter().map(|v| v.as_str()).collect();
                for member in &md.enums[$name] {
                    assert!(known.contains(member.as_str()), "{}.{member} is not modelled", $name);
                    n += 1;
                }
            )+
            assert_eq!(n, md.enums.values().map(Vec::len).sum::<usize>(), "an enum of the metadata is not checked");
            n
        }};
    }
    let members = enums! {
        "vppTokenState" => m::VppTokenState,
        "vppTokenSyncStatus" => m::VppTokenSyncStatus,
        "vppTokenAccountType" => m::VppTokenAccountType,
        "vppTokenActionFailureReason" => m::VppTokenActionFailureReason,
        "depTokenType" => m::DepTokenType,
        "discoverySource" => m::DiscoverySource,
        "platform" => m::Platform,
        "enrollmentState" => m::EnrollmentState,
        "iTunesPairingMode" => m::ITunesPairingMode,
        "installIntent" => m::InstallIntent,
        "mobileAppPublishingState" => m::MobileAppPublishingState,
        "actionState" => m::ActionState,
        "appleDeviceDeliveryProtocol" => m::AppleDeviceDeliveryProtocol,
        "deviceAndAppManagementAssignmentFilterType" => m::AssignmentFilterType,
        "deviceAndAppManagementAssignmentSource" => m::AssignmentSource,
    };
    println!("conformance: {checked} properties in 32 types, {members} enum members");
}

/// The actions and functions bound to the modelled types: the client calls these (with the
/// verb the metadata implies: `POST` for an action, `GET` for a function) ...
const OFFERED: &[(&str, &str)] = &[
    ("assign", "Action"),
    ("getLicensesForApp", "Function"),
    ("revokeLicenses", "Action"),
    ("syncLicenses", "Action"),
    (
        "downloadApplePushNotificationCertificateSigningRequest",
        "Function",
    ),
    (
        "generateApplePushNotificationCertificateSigningRequest",
        "Action",
    ),
    ("consentToDataSharing", "Action"),
    ("exportMobileConfig", "Function"),
    ("setDefaultProfile", "Action"),
    ("updateDeviceProfileAssignment", "Action"),
    ("generateEncryptionPublicKey", "Action"),
    ("getEncryptionPublicKey", "Function"),
    ("importAppleDeviceIdentityList", "Action"),
    ("shareForSchoolDataSyncService", "Action"),
    ("syncWithAppleDeviceEnrollmentProgram", "Action"),
    ("unshareForSchoolDataSyncService", "Action"),
    ("uploadDepToken", "Action"),
    ("getExpiringVppTokenCount", "Function"),
    ("releaseAppleDevices", "Action"),
    ("syncLicenseCounts", "Action"),
    ("revokeAllLicenses", "Action"),
    ("revokeDeviceLicense", "Action"),
    ("revokeUserLicense", "Action"),
];

/// ... and these it does not offer, on purpose (outside the Apple credentials).
const NOT_OFFERED: &[&str] = &[
    // outside this library's scope
    "convertFromMobileAppCatalogPackage",
    "hasPayloadLinks",
    "updateRelationships",
    "validateXml",
    "revokeAppleVppLicenses",
    "syncMicrosoftStoreForBusinessApps",
];

/// tvOS and visionOS profiles derive from `enrollmentProfile`, not `depEnrollmentBaseProfile`:
/// given a body with every property of the latter, the model keeps (and would send) only what
/// the type declares.
#[test]
fn tvos_and_visionos_profiles_hold_only_what_their_type_declares() {
    let md = parse(BETA);
    for name in ["depTvOSEnrollmentProfile", "depVisionOSEnrollmentProfile"] {
        assert_eq!(
            md.types.get(name).and_then(|t| t.base.as_deref()),
            Some("enrollmentProfile")
        );
        let declared: BTreeSet<String> = all_properties(&md, name)
            .into_iter()
            .map(|(p, _)| p)
            .chain(["@odata.type".to_owned()])
            .collect();
        let mut body = serde_json::Map::new();
        for (p, t) in all_properties(&md, "depEnrollmentBaseProfile") {
            body.insert(p, sample(&md, &t));
        }
        body.insert(
            "@odata.type".into(),
            json!(format!("#microsoft.graph.{name}")),
        );
        let decoded: m::EnrollmentProfile = serde_json::from_value(Value::Object(body)).unwrap();
        let back = serde_json::to_value(&decoded).unwrap();
        let kept: BTreeSet<String> = back.as_object().unwrap().keys().cloned().collect();
        assert!(
            kept.is_subset(&declared),
            "{name} keeps undeclared properties: {:?}",
            kept.difference(&declared).collect::<Vec<_>>()
        );
        assert_eq!(kept, declared, "{name} loses declared properties");
    }
}

#[test]
fn every_action_and_function_of_the_metadata_is_accounted_for() {
    let md = parse(BETA);
    let offered: BTreeMap<&str, &str> = OFFERED.iter().copied().collect();
    let mut seen = BTreeSet::new();
    for (name, kind, binding) in &md.operations {
        seen.insert(name.as_str());
        match offered.get(name.as_str()) {
            Some(k) => assert_eq!(k, kind, "{name} (bound to {binding}) is a {kind}"),
            None => assert!(
                NOT_OFFERED.contains(&name.as_str()),
                "{name} ({kind} bound to {binding}) is new in the metadata: offer it or list it"
            ),
        }
    }
    for name in offered.keys().chain(NOT_OFFERED) {
        assert!(seen.contains(name), "{name} is no longer in the metadata");
    }
    println!(
        "conformance: {} actions/functions, {} offered by the client",
        md.operations.len(),
        OFFERED.len()
    );
}

/// What the simulator serves, held against the metadata: for each body, the properties its
/// type declares that it omits, and the properties it writes that the type does not declare.
#[tokio::test]
async fn the_simulator_s_bodies_against_the_metadata() {
    let md = parse(BETA);
    let sim = intune_apple_sim::Simulator::start(intune_apple_sim::Seed::demo())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(sim.token_url())
        .form(&[
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    let get = |path: String| {
        let http = http.clone();
        let bearer = bearer.clone();
        let url = format!("{}{path}", sim.base_url());
        async move {
            http.get(url)
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let dep = "d1111111-0000-4000-8000-000000000001";
    let mut bodies: Vec<(String, Value)> = Vec::new();
    let push = get("/beta/deviceManagement/applePushNotificationCertificate".into()).await;
    bodies.push(("applePushNotificationCertificate".into(), push));
    let token = get(format!(
        "/beta/deviceManagement/depOnboardingSettings/{dep}"
    ))
    .await;
    bodies.push(("depOnboardingSetting".into(), token));
    for (path, declared) in [
        (format!("/beta/deviceManagement/depOnboardingSettings/{dep}/enrollmentProfiles"), "enrollmentProfile"),
        (format!("/beta/deviceManagement/depOnboardingSettings/{dep}/importedAppleDeviceIdentities?$top=1"), "importedAppleDeviceIdentity"),
        ("/beta/deviceAppManagement/vppTokens".to_owned(), "vppToken"),
        ("/beta/deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.iosVppApp')".to_owned(), "iosVppApp"),
        ("/beta/deviceAppManagement/mobileApps/b1111111-0000-4000-8000-000000000001/assignments".to_owned(), "mobileAppAssignment"),
    ] {
        let page = get(path).await;
        for item in page["value"].as_array().unwrap() {
            let ty = item["@odata.type"]
                .as_str()
                .map_or(declared.to_owned(), |t| t.trim_start_matches("#microsoft.graph.").to_owned());
            bodies.push((ty, item.clone()));
        }
    }
    let mut omitted = BTreeSet::new();
    let mut undeclared = BTreeSet::new();
    let mut declared_total = 0;
    let mut seen_types = BTreeSet::new();
    for (ty, body) in &bodies {
        let props: BTreeSet<String> = all_properties(&md, ty).into_iter().map(|p| p.0).collect();
        assert!(!props.is_empty(), "{ty} is not in the metadata extract");
        if seen_types.insert(ty.clone()) {
            declared_total += props.len();
        }
        let keys: BTreeSet<String> = body
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with('@'))
            .cloned()
            .collect();
        for p in props.difference(&keys) {
            omitted.insert(format!("{ty}.{p}"));
        }
        for k in keys.difference(&props) {
            undeclared.insert(format!("{ty}.{k}"));
        }
        if let Some(t) = body["@odata.type"].as_str() {
            assert!(
                t.starts_with('#'),
                "{ty}: @odata.type without its leading #: {t}"
            );
        }
    }
    println!(
        "conformance: the simulator serves {} types ({declared_total} properties declared): {} omitted, {} undeclared",
        seen_types.len(),
        omitted.len(),
        undeclared.len()
    );
    println!("omitted: {omitted:?}");
    println!("undeclared: {undeclared:?}");
    assert!(
        undeclared.is_empty(),
        "the simulator writes properties the metadata does not declare: {undeclared:?}"
    );
    assert!(
        omitted.is_empty(),
        "the simulator omits properties the metadata declares: {omitted:?}"
    );
}
