//! The one list of what the bindings expose, and the rule that names it in each language.
//!
//! Every core operation a binding offers appears here once, under its canonical name
//! (snake_case, Intune's and Apple's words). The Python name is the canonical name; the Node
//! name is its camelCase ([`node_name`]), and so are the Kotlin and Swift names of the uniffi
//! crate ([`kotlin_name`], [`swift_name`]). The parity tests of the bindings read
//! `bindings-manifest.json` at the root of the repository (written from this table by
//! `cargo test -p intune-apple-core --test manifest`, which fails when the file drifts) and
//! fail when a binding lacks an operation, names it differently, or exposes one that is not
//! listed here.
//!
//! Naming rule for the credentials: a checked workflow (inspect, compare with the tenant,
//! refuse what would break it, upload, read back, verify) is `renew_*`; the raw Graph upload
//! is `upload_*`.
//!
//! Where an operation lives: [`Surface::Client`] is a method of the client (Python `Client`
//! and `AsyncClient`, Node `Client`, Kotlin and Swift `Client`); [`Surface::Function`] is a
//! module-level function (Python module named by [`Operation::python_module`], Node package
//! root, a top-level function of the Kotlin package `uniffi.intune_apple` and of the Swift
//! module `IntuneApple`).
//!
//! In `missing_in`, `uniffi` stands for both of its faces, Kotlin and Swift: they are generated
//! from one crate and cannot differ.

use serde::Serialize;

/// Where a binding exposes an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Surface {
    /// A method of the Graph client.
    Client,
    /// A module-level function.
    Function,
}

/// One operation of the core, as the bindings expose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The canonical name (snake_case); also the Python name.
    pub name: &'static str,
    /// Client method or module-level function.
    pub surface: Surface,
    /// The Python module of a [`Surface::Function`] (`intune_apple.<module>`).
    pub python_module: Option<&'static str>,
    /// The core item it calls (for a reader; not checked).
    pub core: &'static str,
    /// Bindings that do not expose it yet (`python`, `node`, `uniffi`; each such entry is an
    /// open gap, and the parity test fails as soon as the binding gains it, so that the entry
    /// is removed).
    pub missing_in: &'static [&'static str],
}

const fn client(name: &'static str, core: &'static str) -> Operation {
    Operation {
        name,
        surface: Surface::Client,
        python_module: None,
        core,
        missing_in: &[],
    }
}

const fn function(name: &'static str, module: &'static str, core: &'static str) -> Operation {
    Operation {
        name,
        surface: Surface::Function,
        python_module: Some(module),
        core,
        missing_in: &[],
    }
}

// No gap is open now; a binding that lags behind the others again is listed with it.
#[allow(dead_code)]
const fn missing(op: Operation, missing_in: &'static [&'static str]) -> Operation {
    Operation { missing_in, ..op }
}

/// Every operation the bindings expose, by canonical name.
pub const OPERATIONS: &[Operation] = &[
    // push certificate
    client("get_push_certificate", "graph::PushCertificates::get"),
    client(
        "download_push_certificate_csr",
        "graph::PushCertificates::download_csr",
    ),
    client("upload_push_certificate", "graph::PushCertificates::upload"),
    client(
        "get_data_sharing_consent",
        "graph::PushCertificates::data_sharing_consent",
    ),
    client(
        "grant_data_sharing_consent",
        "graph::PushCertificates::grant_data_sharing_consent",
    ),
    // enrollment program tokens
    client(
        "enrollment_program_tokens",
        "graph::EnrollmentProgramTokens::list",
    ),
    client(
        "get_enrollment_program_token",
        "graph::EnrollmentProgramTokens::get",
    ),
    client(
        "get_encryption_public_key",
        "graph::EnrollmentProgramTokens::get_encryption_public_key",
    ),
    client(
        "generate_encryption_public_key",
        "graph::EnrollmentProgramTokens::generate_encryption_public_key",
    ),
    client(
        "create_enrollment_program_token",
        "graph::EnrollmentProgramTokens::create",
    ),
    client(
        "upload_enrollment_program_token",
        "graph::EnrollmentProgramTokens::upload",
    ),
    client(
        "sync_enrollment_program_token",
        "graph::EnrollmentProgramTokens::sync",
    ),
    client(
        "share_for_school_data_sync",
        "graph::EnrollmentProgramTokens::share_for_school_data_sync",
    ),
    client(
        "unshare_for_school_data_sync",
        "graph::EnrollmentProgramTokens::unshare_for_school_data_sync",
    ),
    client(
        "delete_enrollment_program_token",
        "graph::EnrollmentProgramTokens::delete",
    ),
    // enrollment profiles
    client("enrollment_profiles", "graph::EnrollmentProfiles::list"),
    client("get_enrollment_profile", "graph::EnrollmentProfiles::get"),
    client(
        "create_enrollment_profile",
        "graph::EnrollmentProfiles::create",
    ),
    client(
        "update_enrollment_profile",
        "graph::EnrollmentProfiles::update",
    ),
    client(
        "delete_enrollment_profile",
        "graph::EnrollmentProfiles::delete",
    ),
    client(
        "set_default_enrollment_profile",
        "graph::EnrollmentProfiles::set_default",
    ),
    client(
        "assign_enrollment_profile",
        "graph::EnrollmentProfiles::assign",
    ),
    client(
        "export_mobile_config",
        "graph::EnrollmentProfiles::export_mobile_config",
    ),
    // imported devices
    client("imported_devices", "graph::ImportedDevices::list"),
    client("find_imported_devices", "graph::ImportedDevices::find"),
    client("import_devices", "graph::ImportedDevices::import"),
    client("delete_imported_device", "graph::ImportedDevices::delete"),
    // VPP tokens
    client("vpp_tokens", "graph::VppTokens::list"),
    client("get_vpp_token", "graph::VppTokens::get"),
    client("create_vpp_token", "graph::VppTokens::create"),
    client("upload_vpp_token", "graph::VppTokens::renew"),
    client("delete_vpp_token", "graph::VppTokens::delete"),
    client("sync_vpp_token_licenses", "graph::VppTokens::sync_licenses"),
    client(
        "revoke_vpp_token_licenses",
        "graph::VppTokens::revoke_licenses",
    ),
    client("vpp_licenses_for_app", "graph::VppTokens::licenses_for_app"),
    // VPP apps
    client("vpp_apps", "graph::VppApps::list"),
    client("vpp_apps_for_token", "graph::VppApps::list_for_token"),
    client("get_vpp_app", "graph::VppApps::get"),
    client("app_assignments", "graph::VppApps::assignments"),
    client("assign_app", "graph::VppApps::assign"),
    // workflows
    client("health_report", "workflows::report::health_report"),
    client(
        "renew_push_certificate",
        "workflows::renewal::renew_push_certificate",
    ),
    client("download_push_csr", "workflows::renewal::download_push_csr"),
    client(
        "renew_enrollment_program_token",
        "workflows::renewal::renew_enrollment_program_token",
    ),
    client("renew_vpp_token", "workflows::renewal::renew_vpp_token"),
    client(
        "repair_duplicate_apps",
        "workflows::duplicates::repair_duplicate_apps",
    ),
    client("create_profile", "workflows::profiles::create_profile"),
    client("copy_profile", "workflows::profiles::copy_profile"),
    client(
        "validate_token_profiles",
        "workflows::profile_check::validate_token_profiles",
    ),
    client(
        "assign_serial_numbers",
        "workflows::profiles::assign_serial_numbers",
    ),
    client(
        "set_default_profile",
        "workflows::profiles::set_default_profile",
    ),
    client("reconcile", "workflows::reconcile::reconcile"),
    client(
        "generate_push_csr",
        "workflows::push_setup::generate_push_csr",
    ),
    client(
        "expiring_vpp_token_count",
        "graph::EnrollmentProgramTokens::expiring_vpp_token_count",
    ),
    client(
        "release_apple_devices",
        "graph::EnrollmentProgramTokens::release_apple_devices",
    ),
    client(
        "sync_vpp_token_license_counts",
        "graph::VppTokens::sync_license_counts",
    ),
    client(
        "revoke_vpp_token_licenses_with_untracked",
        "graph::VppTokens::revoke_licenses_with_untracked",
    ),
    client(
        "revoke_all_app_licenses",
        "graph::VppApps::revoke_all_licenses",
    ),
    client(
        "revoke_app_device_license",
        "graph::VppApps::revoke_device_license",
    ),
    client(
        "revoke_app_user_license",
        "graph::VppApps::revoke_user_license",
    ),
    // module-level: files
    function("inspect", "files", "files::inspect"),
    function("inspect_bytes", "files", "files::inspect_bytes"),
    // Python also has these as methods of the inspected file (`VppTokenFile.check_renewal`, ...).
    function(
        "check_push_certificate_renewal",
        "files",
        "files::check_push_renewal",
    ),
    function(
        "check_vpp_token_renewal",
        "files",
        "files::VppTokenFile::check_renewal",
    ),
    function(
        "check_enrollment_program_token_file",
        "files",
        "files::DepTokenFile::check_against",
    ),
    // module-level: rules
    function(
        "push_certificate_health",
        "rules",
        "rules::push_certificate_health",
    ),
    function(
        "enrollment_program_token_health",
        "rules",
        "rules::enrollment_program_token_health",
    ),
    function("vpp_token_health", "rules", "rules::vpp_token_health"),
    function("renewal_guidance", "rules", "rules::guidance"),
    function("decide_sync", "rules", "rules::SyncRules::decide"),
    function(
        "validate_enrollment_profile",
        "rules",
        "rules::profile::validate",
    ),
    function(
        "validate_device_name_template",
        "rules",
        "rules::profile::validate_device_name_template",
    ),
    function(
        "vpp_token_usable",
        "rules",
        "rules::duplicates::token_usable",
    ),
    function(
        "superseded_tokens",
        "rules",
        "rules::duplicates::superseded_tokens",
    ),
    function(
        "find_duplicate_apps",
        "rules",
        "rules::duplicates::find_duplicates",
    ),
    function(
        "assignment_key",
        "rules",
        "rules::duplicates::assignment_key",
    ),
    function(
        "plan_assignments",
        "rules",
        "rules::duplicates::plan_assignments",
    ),
    // module-level: workflows
    function(
        "scan_tenants",
        "workflows",
        "workflows::report::scan_tenants",
    ),
    function(
        "scan_exit_code",
        "workflows",
        "workflows::report::scan_exit_code",
    ),
    function(
        "parse_serial_numbers",
        "workflows",
        "workflows::profiles::parse_serial_numbers",
    ),
    function(
        "render_scan",
        "workflows",
        "workflows::report::Format::render_scan",
    ),
    function("notify", "workflows", "workflows::notify::notify_on_change"),
    // module-level: enrollment profiles as code (over one client or a mapping of named clients)
    function(
        "profile_drift",
        "profile_templates",
        "workflows::profile_templates::profile_drift",
    ),
    function(
        "plan_profile_apply",
        "profile_templates",
        "workflows::profile_templates::plan_profile_apply",
    ),
    function(
        "apply_profile_template",
        "profile_templates",
        "workflows::profile_templates::apply_profile_template",
    ),
    function(
        "export_profile_template",
        "profile_templates",
        "workflows::profile_templates::export_profile_template",
    ),
    // the command line: `intune-apple ARGS...` (the crate intune-apple-cli)
    function("run_cli", "cli", "intune_apple_cli::run_process"),
];

/// Every stable error code a binding can raise: the kinds of [`crate::graph::ErrorKind`] and of
/// [`crate::workflows::error::WorkflowError`] (a Graph error inside a workflow carries its Graph
/// kind), plus `token_file` ([`crate::files::FileError`]). Python maps each to one exception
/// class, Node to `ERR_` and the code in capitals ([`node_error_code`]).
pub const ERROR_CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "throttled",
    "conflict",
    "sync_too_soon",
    "invalid_input",
    "outcome_unknown",
    "transport",
    "decode",
    "server",
    "configuration",
    "renewal_refused",
    "invalid_profile",
    "invalid_template",
    "token_file",
    "verification_failed",
    "io",
];

/// The stable code of a workflow error: its own kind, or the Graph kind of a failed call.
#[must_use]
pub fn workflow_error_code(e: &crate::workflows::error::WorkflowError) -> &'static str {
    match e {
        crate::workflows::error::WorkflowError::Graph(g) => g.kind().as_str(),
        other => other.code(),
    }
}

/// The Node form of a stable error code: `verification_failed` → `ERR_VERIFICATION_FAILED`.
#[must_use]
pub fn node_error_code(code: &str) -> String {
    format!("ERR_{}", code.to_ascii_uppercase())
}

/// The Node name of a canonical name: camelCase (`renew_vpp_token` → `renewVppToken`).
#[must_use]
pub fn node_name(canonical: &str) -> String {
    let mut out = String::with_capacity(canonical.len());
    let mut upper = false;
    for c in canonical.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The Kotlin name of a canonical name: camelCase, as uniffi writes it (the same as Node's).
#[must_use]
pub fn kotlin_name(canonical: &str) -> String {
    node_name(canonical)
}

/// The Swift name of a canonical name: lowerCamelCase, Swift's convention for functions and
/// methods, as uniffi writes it (`renew_vpp_token` → `renewVppToken`).
#[must_use]
pub fn swift_name(canonical: &str) -> String {
    node_name(canonical)
}

/// The Kotlin and Swift name of a stable error code: the variant of `IntuneAppleError`, in
/// UpperCamelCase (`verification_failed` → `VerificationFailed`; Swift writes the case in
/// lowerCamelCase, `verificationFailed`).
#[must_use]
pub fn uniffi_error_variant(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for word in code.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// The Python name of a canonical name: the canonical name itself (snake_case).
#[must_use]
pub fn python_name(canonical: &str) -> String {
    canonical.to_owned()
}

/// One line of `bindings-manifest.json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(flatten)]
    op: Operation,
    python: String,
    node: String,
    kotlin: String,
    swift: String,
}

/// Calls the macro `$then` with the model's open enums (Graph's), listed here once: [`enums`]
/// takes their members from them, and the description's `enums` group ([`types_json`])
/// describes them.
macro_rules! with_open_enums {
    ($then:ident) => {
        $then![
            ActionState,
            AppleDeviceDeliveryProtocol,
            AssignmentFilterType,
            AssignmentSource,
            DepTokenType,
            DiscoverySource,
            EnrollmentState,
            ITunesPairingMode,
            InstallIntent,
            MobileAppPublishingState,
            Platform,
            VppTokenAccountType,
            VppTokenActionFailureReason,
            VppTokenState,
            VppTokenSyncStatus,
        ]
    };
}

/// The open enums of the model the bindings name (Python `intune_apple` enum classes, Node
/// string unions), each with its members' wire spellings in Graph's order: taken from the
/// model's own table of members (`KNOWN`), so that a member added to the model fails the
/// bindings' parity tests until their types list it too.
#[must_use]
pub fn enums() -> Vec<(&'static str, Vec<&'static str>)> {
    use crate::model as m;
    macro_rules! table {
        ($($t:ident),+ $(,)?) => {
            vec![$( (stringify!($t), m::$t::KNOWN.iter().map(m::$t::as_str).collect()) ),+]
        };
    }
    with_open_enums!(table)
}

/// The manifest as the bindings' parity tests read it: every operation with its derived
/// Python, Node, Kotlin and Swift names, and the stable error codes with their Node `ERR_*`
/// form and their uniffi error variant, and the model's open enums ([`enums`]).
#[must_use]
pub fn manifest_json() -> String {
    let operations: Vec<Entry> = OPERATIONS
        .iter()
        .map(|op| Entry {
            op: *op,
            python: python_name(op.name),
            node: node_name(op.name),
            kotlin: kotlin_name(op.name),
            swift: swift_name(op.name),
        })
        .collect();
    let errors: Vec<serde_json::Value> = ERROR_CODES
        .iter()
        .map(|code| {
            serde_json::json!({
                "code": code,
                "node": node_error_code(code),
                "uniffi": uniffi_error_variant(code),
            })
        })
        .collect();
    let enums: serde_json::Map<String, serde_json::Value> = enums()
        .into_iter()
        .map(|(name, members)| (name.to_owned(), serde_json::json!(members)))
        .collect();
    let doc = serde_json::json!({
        "comment": "Generated from intune-apple-core/src/manifest.rs by `cargo test -p intune-apple-core --test manifest`; do not edit.",
        "operations": operations,
        "errorCodes": errors,
        "enums": enums,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The types the bindings expose, each under the path a user of the core names it by, in the
/// order the bindings list them: `models` (Graph objects), `polymorphic` (chosen by
/// `@odata.type`), `results` (of the workflows and rules); the `enums` group is
/// [`exposed_enums`]. Their description, with every type they use, is [`types_json`].
#[cfg(feature = "describe")]
macro_rules! exposed_types {
    ($($group:ident: [$($($seg:ident)::+),+ $(,)?]),+ $(,)?) => {
        fn exposed_types(
            reg: &mut crate::describe::Registry,
        ) -> Vec<(&'static str, Vec<(String, String)>)> {
            use crate::{model, rules, workflows};
            vec![$((
                stringify!($group),
                vec![$({
                    reg.add::<$($seg)::+>();
                    let path: Vec<&str> = vec![$(stringify!($seg)),+];
                    let (name, module) = path.split_last().map_or(("", &[][..]), |(n, m)| (*n, m));
                    let module: String =
                        std::iter::once("intune_apple_core").chain(module.iter().copied()).collect::<Vec<_>>().join("::");
                    (name.to_owned(), module)
                }),+],
            )),+]
        }
    };
}

#[cfg(feature = "describe")]
exposed_types! {
    models: [
        model::ApplePushNotificationCertificate, model::DataSharingConsent,
        model::DepOnboardingSetting, model::BaseEnrollmentProfile, model::DepIosEnrollmentProfile,
        model::DepMacOsEnrollmentProfile, model::DepEnrollmentProfile,
        model::UnknownEnrollmentProfile, model::ManagementCertificateWithThumbprint,
        model::DepProfileAdminAccountPasswordRotationSetting,
        model::DepProfileDelayAutoRotationSetting, model::ImportedAppleDeviceIdentity,
        model::ImportedAppleDeviceIdentityResult, model::IosVppApp, model::MacOsVppApp,
        model::MimeContent, model::VppLicensingType, model::IosDeviceType,
        model::VppAppRevokeLicensesActionResult, model::MobileAppAssignment,
        model::GroupAssignmentTarget, model::AllAssignmentTarget,
        model::ConfigurationManagerCollectionAssignmentTarget, model::IosVppAppAssignmentSettings,
        model::MacOsVppAppAssignmentSettings, model::VppTokenActionResult, model::VppToken,
        model::VppTokenLicenseSummary, model::UnknownObject,
    ],
    polymorphic: [
        model::EnrollmentProfile, model::MobileApp, model::AssignmentTarget,
        model::MobileAppAssignmentSettings,
    ],
    results: [
        workflows::report::HealthReport, workflows::report::ReportItem,
        workflows::report::ReportProblem, workflows::report::ReportError,
        workflows::report::ItemSync, workflows::renewal::PushRenewalReport,
        workflows::renewal::CsrDownload, workflows::renewal::DepRenewalReport,
        workflows::renewal::VppRenewalReport, workflows::step::Step, workflows::error::Refusal,
        workflows::duplicates::DuplicateRepairReport, workflows::duplicates::AppRepair,
        workflows::duplicates::AssignmentSummary, rules::duplicates::AssignmentKey,
        rules::duplicates::AssignmentConflict, rules::duplicates::NotCopied,
        workflows::duplicates::OrphanApp, workflows::duplicates::OldToken,
        rules::duplicates::AppRef, workflows::profiles::ProfileCreated,
        workflows::profiles::ViolationSummary, workflows::profiles::SerialList,
        workflows::profiles::DeviceResult, workflows::profiles::SerialAssignmentReport,
        workflows::profiles::DefaultProfileSet, rules::duplicates::SupersededToken,
        rules::duplicates::TokenRoles, rules::duplicates::DuplicateApp,
        rules::duplicates::DuplicateFindings, rules::duplicates::AssignmentPlan,
        workflows::profile_check::TokenProfilesCheck, workflows::profile_check::ProfileCheck,
    ],
}

/// The description's `enums` group: the model's open enums ([`with_open_enums!`]), then the
/// rules' closed ones.
#[cfg(feature = "describe")]
fn exposed_enums(reg: &mut crate::describe::Registry) -> Vec<(String, String)> {
    use crate::{model, rules};
    macro_rules! described {
        ($($t:ident),+ $(,)?) => {
            vec![$({
                reg.add::<model::$t>();
                (stringify!($t).to_owned(), "intune_apple_core::model".to_owned())
            }),+]
        };
    }
    let mut enums = with_open_enums!(described);
    macro_rules! closed {
        ($($t:ident),+) => {
            $(
                reg.add::<rules::$t>();
                enums.push((stringify!($t).to_owned(), "intune_apple_core::rules".to_owned()));
            )+
        };
    }
    closed!(Severity, TokenKind);
    enums
}

/// Every group of exposed types, described into `reg`: [`exposed_types!`]'s, then `enums`.
#[cfg(feature = "describe")]
fn exposed(reg: &mut crate::describe::Registry) -> Vec<(&'static str, Vec<(String, String)>)> {
    let mut groups = exposed_types(reg);
    groups.push(("enums", exposed_enums(reg)));
    groups
}

/// The description of the exposed types as the bindings' generators read it
/// (`bindings-types.json`): `exposed`, the types of [`exposed_types!`] by group with the path
/// a user names them by, and `types`, every type they use (structs with their fields' Rust
/// names, wire names, docs and shapes; enums with their members' wire spellings; polymorphic
/// types with their variants), by name. Written by `cargo test -p intune-apple-core --test
/// types`, which fails when the checked-in file differs.
#[cfg(feature = "describe")]
#[must_use]
pub fn types_json() -> String {
    let mut reg = crate::describe::Registry::default();
    let exposed: serde_json::Map<String, serde_json::Value> = exposed(&mut reg)
        .into_iter()
        .map(|(group, items)| {
            let items: Vec<serde_json::Value> = items
                .into_iter()
                .map(|(name, path)| serde_json::json!({ "name": name, "path": path }))
                .collect();
            (group.to_owned(), serde_json::Value::Array(items))
        })
        .collect();
    let doc = serde_json::json!({
        "comment": "Generated from the types of intune-apple-core (feature `describe`) by `cargo test -p intune-apple-core --test types`; do not edit.",
        "exposed": exposed,
        "types": reg.into_types(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of `T` as a binding walks its values ([`crate::describe::Schema`]), made once per
/// type and shared: besides `T`'s own secrets it withholds, from objects the description does
/// not know (an unknown `@odata.type`), a property named like any secret of the exposed types
/// (a certificate, a token, an enrollment profile's password).
#[cfg(feature = "describe")]
#[must_use]
pub fn schema<T>() -> std::sync::Arc<crate::describe::Schema>
where
    T: crate::describe::Describe + ?Sized + 'static,
{
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock, PoisonError};

    use crate::describe::Schema;

    static SECRETS: OnceLock<Vec<&'static str>> = OnceLock::new();
    static SCHEMAS: OnceLock<Mutex<HashMap<TypeId, Arc<Schema>>>> = OnceLock::new();
    let secrets = SECRETS.get_or_init(|| {
        let mut reg = crate::describe::Registry::default();
        exposed(&mut reg);
        reg.into_types()
            .values()
            .flat_map(crate::describe::secret_fields)
            .collect()
    });
    let mut schemas = SCHEMAS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    Arc::clone(
        schemas
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(Schema::of::<T>().withholding(secrets.iter().copied()))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_a_listed_code() {
        use crate::graph::ErrorKind as K;
        for k in [
            K::Unauthorized,
            K::Forbidden,
            K::NotFound,
            K::Throttled,
            K::Conflict,
            K::SyncTooSoon,
            K::InvalidInput,
            K::OutcomeUnknown,
            K::Transport,
            K::Decode,
            K::Server,
            K::Configuration,
        ] {
            assert!(ERROR_CODES.contains(&k.as_str()), "{}", k.as_str());
        }
        use crate::workflows::error::WorkflowError as W;
        let verification = W::VerificationFailed { what: "x".into() };
        assert_eq!(workflow_error_code(&verification), "verification_failed");
        assert_eq!(
            node_error_code("verification_failed"),
            "ERR_VERIFICATION_FAILED"
        );
        for e in [
            W::RenewalRefused { reasons: vec![] },
            W::InvalidInput("x".into()),
            W::InvalidProfile { violations: vec![] },
            W::InvalidTemplate { issues: vec![] },
            verification,
            W::Io {
                path: "p".into(),
                message: "m".into(),
            },
        ] {
            assert!(ERROR_CODES.contains(&workflow_error_code(&e)));
        }
    }

    #[cfg(feature = "describe")]
    #[test]
    fn a_schema_withholds_every_exposed_secret_name_from_undescribed_objects() {
        use crate::rules::duplicates::AssignmentPlan;
        let assignment: crate::model::MobileAppAssignment =
            serde_json::from_value(serde_json::json!({
                "intent": "required",
                "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"},
                "settings": {
                    "@odata.type": "#microsoft.graph.futureAppAssignmentSettings",
                    "startDateTime": "2027-01-02T03:04:05Z",
                    "adminAccountPassword": "hunter2",
                    "nested": {"certificate": "MIIB", "token": "t0k"},
                },
            }))
            .unwrap_or_else(|e| panic!("{e}"));
        let plan = crate::rules::duplicates::plan_assignments(&[], &[assignment]);
        let json = serde_json::to_value(&plan).unwrap_or_default();
        let plan_schema = schema::<AssignmentPlan>();
        let names: Vec<&str> = plan_schema.secret_names().collect();
        for name in ["adminAccountPassword", "certificate", "token"] {
            assert!(names.contains(&name), "{names:?}");
        }
        let out = plan_schema
            .build(&json, &mut crate::describe::Marked)
            .unwrap_or_default();
        let settings = &out["merged"][0]["settings"];
        assert_eq!(settings["startDateTime"], "2027-01-02T03:04:05Z");
        let text = out.to_string();
        for secret in ["hunter2", "MIIB", "t0k"] {
            assert!(!text.contains(secret), "{text}");
        }
        // Made once per type.
        assert!(std::sync::Arc::ptr_eq(
            &plan_schema,
            &schema::<AssignmentPlan>()
        ));
    }

    #[test]
    fn uniffi_names_by_rule() {
        assert_eq!(kotlin_name("renew_vpp_token"), "renewVppToken");
        assert_eq!(swift_name("get_push_certificate"), "getPushCertificate");
        assert_eq!(
            uniffi_error_variant("verification_failed"),
            "VerificationFailed"
        );
        assert_eq!(uniffi_error_variant("io"), "Io");
    }

    #[test]
    fn camel_case_by_rule() {
        assert_eq!(node_name("renew_vpp_token"), "renewVppToken");
        assert_eq!(node_name("inspect"), "inspect");
        assert_eq!(
            node_name("download_push_certificate_csr"),
            "downloadPushCertificateCsr"
        );
    }

    #[test]
    fn names_are_unique_snake_case_and_follow_the_renew_upload_rule() {
        let mut seen = std::collections::HashSet::new();
        for op in OPERATIONS {
            assert!(seen.insert(op.name), "{} listed twice", op.name);
            assert!(
                op.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{} is not snake_case",
                op.name
            );
            assert_eq!(op.surface == Surface::Function, op.python_module.is_some());
        }
        for kind in ["push_certificate", "enrollment_program_token", "vpp_token"] {
            assert!(seen.contains(format!("renew_{kind}").as_str()));
            assert!(seen.contains(format!("upload_{kind}").as_str()));
        }
    }
}
