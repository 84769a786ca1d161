//! Enrollment profile validation (Automated Device Enrollment profiles).
//!
//! Every rule of the project's reference (`docs/rules.md` lists them with their sources) that
//! can be decided from the profile, the tenant's VPP tokens and the profile count: iOS/iPadOS
//! rules `I1`, `I3`–`I6`, `I8`–`I17`, macOS rules `M1`, `M2`, `M4`, `M8`, `M9` and the device
//! name template (`I13`, both platforms). Purely informational rules (I2, I7, I18, I19, M3,
//! M5–M7) are documented, not checked. All violations are returned at once.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use intune_apple_core::model::DepIosEnrollmentProfile;
//! use intune_apple_core::rules::profile::{validate_ios_profile, ValidationContext};
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
//! let profile = DepIosEnrollmentProfile {
//!     profile_removal_disabled: Some(true), // locked enrollment
//!     supervised_mode_enabled: Some(false),
//!     ..Default::default()
//! };
//! let v = validate_ios_profile(&profile, &ValidationContext::new(&[], now));
//! assert_eq!(v[0].code, "I1");
//! assert_eq!(v[0].path, "profileRemovalDisabled");
//! ```

use chrono::{DateTime, Utc};

use super::health::{expiry_severity, Severity, Window};
use crate::model::{
    DepIosEnrollmentProfile, DepMacOsEnrollmentProfile, ITunesPairingMode, VppToken, VppTokenState,
};

/// How serious a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViolationSeverity {
    /// The profile will not work as intended (or Graph refuses it).
    Warning,
    /// Graph refuses the profile, or enrolment fails.
    Error,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Stable rule code (`I1`..`I19`, `M1`..`M9`).
    pub code: &'static str,
    /// Error or warning.
    pub severity: ViolationSeverity,
    /// The Graph JSON field the violation is about (camelCase, e.g.
    /// `enableSingleAppEnrollmentMode`); empty when it is about the profile as a whole.
    pub path: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// What validation needs beyond the profile itself.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    /// The tenant's VPP tokens (to check `companyPortalVppTokenId`).
    pub vpp_tokens: &'a [VppToken],
    /// The instant to judge expiry against.
    pub now: DateTime<Utc>,
    /// How many enrollment profiles the token holds, this one included.
    pub profiles_on_token: usize,
    /// Maximum enrollment profiles per token (Intune documents 1,000).
    pub profile_limit: usize,
    /// Expiry window for the Company Portal VPP token (default: warning at 30 days).
    pub vpp_window: Window,
}

impl<'a> ValidationContext<'a> {
    /// A context with the documented defaults: limit 1,000 profiles, this profile the only one,
    /// the default expiry window.
    pub fn new(vpp_tokens: &'a [VppToken], now: DateTime<Utc>) -> Self {
        Self {
            vpp_tokens,
            now,
            profiles_on_token: 1,
            profile_limit: 1000,
            vpp_window: Window::default(),
        }
    }
}

fn on(b: Option<bool>) -> bool {
    b == Some(true)
}

fn err(code: &'static str, path: &'static str, message: impl Into<String>) -> Violation {
    Violation {
        code,
        severity: ViolationSeverity::Error,
        path,
        message: message.into(),
    }
}

fn warn(code: &'static str, path: &'static str, message: impl Into<String>) -> Violation {
    Violation {
        code,
        severity: ViolationSeverity::Warning,
        path,
        message: message.into(),
    }
}

/// The only variables Intune expands in an Apple device name template.
pub const DEVICE_NAME_VARIABLES: [&str; 2] = ["{{SERIAL}}", "{{DEVICETYPE}}"];

/// Maximum length of a device name template, variables included, as typed.
pub const DEVICE_NAME_TEMPLATE_MAX: usize = 63;

/// Rule I13: the device name template uses only `{{SERIAL}}` and `{{DEVICETYPE}}` and is at most
/// 63 characters long (counted as typed, variables included). Warns on characters other than
/// letters, digits and hyphens and on unbalanced braces.
///
/// ```
/// use intune_apple_core::rules::profile::validate_device_name_template;
/// assert!(validate_device_name_template("{{DEVICETYPE}}-{{SERIAL}}").is_empty());
/// assert!(validate_device_name_template(&"a".repeat(63)).is_empty());
/// assert_eq!(validate_device_name_template(&"a".repeat(64))[0].code, "I13");
/// assert_eq!(validate_device_name_template("PC-{{USERNAME}}").len(), 1);
/// ```
pub fn validate_device_name_template(template: &str) -> Vec<Violation> {
    const PATH: &str = "deviceNameTemplate";
    let mut out = Vec::new();
    let len = template.chars().count();
    if len > DEVICE_NAME_TEMPLATE_MAX {
        out.push(err(
            "I13",
            PATH,
            format!("The device name template is {len} characters long; Intune allows at most 63, variables included. Shorten it."),
        ));
    }
    let mut rest = template;
    let mut literal = String::new();
    let mut unbalanced = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            if let Some(end) = after.find("}}") {
                let token = &rest[..end + 4];
                if !DEVICE_NAME_VARIABLES.contains(&token) {
                    let android = [
                        "{{SERIALLAST4DIGITS}}",
                        "{{ENROLLMENTDATETIME}}",
                        "{{UPNPREFIX}}",
                        "{{USERNAME}}",
                    ]
                    .contains(&token)
                        || token.starts_with("{{RAND:");
                    let hint = if android {
                        " It is an Android-only variable, not supported on Apple devices."
                    } else {
                        ""
                    };
                    out.push(err(
                        "I13",
                        PATH,
                        format!("The device name template uses {token}; only {{{{SERIAL}}}} and {{{{DEVICETYPE}}}} (upper case) are supported.{hint}"),
                    ));
                }
                rest = &after[end + 2..];
                continue;
            }
            unbalanced = true;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            if c == '{' || c == '}' {
                unbalanced = true;
            } else {
                literal.push(c);
            }
        }
        rest = chars.as_str();
    }
    if unbalanced {
        out.push(warn(
            "I13",
            PATH,
            "The device name template has unbalanced braces: write variables as {{SERIAL}} or {{DEVICETYPE}}.",
        ));
    }
    if literal
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || c == '-'))
    {
        out.push(warn(
            "I13",
            PATH,
            "The device name template contains characters other than letters, digits and hyphens; Intune does not document which characters Apple devices accept, so keep to those.",
        ));
    }
    out
}

/// Rule I5: the Company Portal VPP token exists, is valid and does not expire within the
/// warning window.
fn check_company_portal_token(id: &str, ctx: &ValidationContext<'_>, out: &mut Vec<Violation>) {
    const PATH: &str = "companyPortalVppTokenId";
    let Some(token) = ctx.vpp_tokens.iter().find(|t| t.id.as_deref() == Some(id)) else {
        out.push(err("I5", PATH, format!("No VPP token with id {id} exists: choose an existing VPP token that holds Company Portal licences, or clear the setting.")));
        return;
    };
    match &token.state {
        None | Some(VppTokenState::Valid) => {}
        Some(state) => out.push(err("I5", PATH, format!("The Company Portal VPP token is not valid (state {state:?}): devices are blocked from enrolling. Fix or renew the token (upload the new file into this token), or choose another one."))),
    }
    match expiry_severity(token.expiration_date_time, ctx.now, ctx.vpp_window) {
        Severity::Expired => out.push(err("I5", PATH, "The Company Portal VPP token has expired: devices are blocked from enrolling. Renew it and upload the new file into this existing token.")),
        Severity::Critical | Severity::Warning => out.push(warn("I5", PATH, "The Company Portal VPP token expires within the warning window: renew it before it does, or enrolment will be blocked.")),
        Severity::Ok | Severity::Unknown => {}
    }
}

fn check_profile_count(ctx: &ValidationContext<'_>, out: &mut Vec<Violation>) {
    if ctx.profiles_on_token > ctx.profile_limit {
        out.push(err(
            "I17",
            "",
            format!(
                "The token would hold {} enrollment profiles; the limit is {} per token. Delete unused profiles or use another token.",
                ctx.profiles_on_token, ctx.profile_limit
            ),
        ));
    }
}

/// Validate an iOS/iPadOS enrollment profile (`depIOSEnrollmentProfile`). Returns every
/// violation, errors first.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use intune_apple_core::model::DepIosEnrollmentProfile;
/// use intune_apple_core::rules::profile::{validate_ios_profile, ValidationContext};
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// // Single-app mode without Company Portal authentication or a Company Portal VPP token.
/// let p = DepIosEnrollmentProfile {
///     requires_user_authentication: Some(true),
///     enable_single_app_enrollment_mode: Some(true),
///     ..Default::default()
/// };
/// let v = validate_ios_profile(&p, &ValidationContext::new(&[], now));
/// assert!(v.iter().all(|v| v.code == "I4" && v.path == "enableSingleAppEnrollmentMode"));
/// assert_eq!(v.len(), 2);
/// ```
pub fn validate_ios_profile(
    p: &DepIosEnrollmentProfile,
    ctx: &ValidationContext<'_>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let supervised = on(p.supervised_mode_enabled);
    let user_affinity = on(p.requires_user_authentication);
    let cp_auth = on(p.enable_authentication_via_company_portal);
    let cp_token = p
        .company_portal_vpp_token_id
        .as_deref()
        .filter(|s| !s.is_empty());
    let shared = on(p.enable_shared_i_pad);

    // I1
    if on(p.profile_removal_disabled) && !supervised {
        out.push(err("I1", "profileRemovalDisabled", "Locked enrollment requires supervised mode: set supervisedModeEnabled to true, or turn locked enrollment off. (iOS/iPadOS 13+ devices are supervised anyway.)"));
    }
    // I3
    if cp_token.is_some() && !cp_auth {
        out.push(err("I3", "companyPortalVppTokenId", "A Company Portal VPP token can only be set when enableAuthenticationViaCompanyPortal is true: turn on authentication with Company Portal, or clear the token."));
    }
    // I4
    if on(p.enable_single_app_enrollment_mode) {
        if !cp_auth {
            out.push(err("I4", "enableSingleAppEnrollmentMode", "Single App Mode until authentication requires authentication with Company Portal (enableAuthenticationViaCompanyPortal = true). It works on iOS/iPadOS 11.3.1 and later."));
        }
        if cp_token.is_none() {
            out.push(err("I4", "enableSingleAppEnrollmentMode", "Single App Mode requires installing Company Portal with VPP: set companyPortalVppTokenId to a valid VPP token with Company Portal device licences. It works on iOS/iPadOS 11.3.1 and later."));
        }
    }
    // I5
    if let Some(id) = cp_token {
        check_company_portal_token(id, ctx, &mut out);
    }
    // I6
    if !user_affinity {
        for (set, path) in [
            (cp_auth, "enableAuthenticationViaCompanyPortal"),
            (
                on(p.require_company_portal_on_setup_assistant_enrolled_devices),
                "requireCompanyPortalOnSetupAssistantEnrolledDevices",
            ),
            (on(p.configuration_web_url), "configurationWebUrl"),
        ] {
            if set {
                out.push(err("I6", path, "This authentication method needs user affinity: set requiresUserAuthentication to true (Enroll with User Affinity), or turn the method off."));
            }
        }
    }
    // I8
    if shared {
        if user_affinity {
            out.push(err("I8", "requiresUserAuthentication", "Shared iPad requires enrolment without user affinity: set requiresUserAuthentication to false."));
        }
        if !supervised {
            out.push(err(
                "I8",
                "supervisedModeEnabled",
                "Shared iPad requires supervised mode: set supervisedModeEnabled to true.",
            ));
        }
    }
    // I9
    if let Some(n) = p.shared_i_pad_maximum_user_count {
        if shared && !(0..=24).contains(&n) {
            out.push(err(
                "I9",
                "sharedIPadMaximumUserCount",
                format!("Maximum cached users is {n}; Intune allows at most 24 (32/64 GB iPads)."),
            ));
        }
    }
    if let Some(g) = p.passcode_lock_grace_period_in_seconds {
        if ![0, 60, 300, 900, 3600, 14400].contains(&g) {
            out.push(err(
                "I9",
                "passcodeLockGracePeriodInSeconds",
                format!(
                    "Passcode lock grace period {g} s is not one of 0, 60, 300, 900, 3600, 14400."
                ),
            ));
        }
    }
    for (v, path) in [
        (
            p.user_session_timeout_in_seconds,
            "userSessionTimeoutInSeconds",
        ),
        (
            p.temporary_session_timeout_in_seconds,
            "temporarySessionTimeoutInSeconds",
        ),
    ] {
        if let Some(s) = v {
            if s != 0 && s < 30 {
                out.push(err("I9", path, format!("A session timeout of {s} s is not allowed: use 0 (never) or at least 30 seconds.")));
            }
        }
    }
    if p.temporary_session_timeout_in_seconds
        .is_some_and(|s| s > 0)
        && !on(p.force_temporary_session)
    {
        out.push(warn(
            "I9",
            "temporarySessionTimeoutInSeconds",
            "The temporary session timeout only applies when forceTemporarySession is true.",
        ));
    }
    // I10
    if on(p.await_device_configured_confirmation) && shared && !user_affinity {
        out.push(err("I10", "awaitDeviceConfiguredConfirmation", "Await final configuration is unavailable for Shared iPad without user affinity: turn it off."));
    }
    // I11
    if on(p.userless_shared_aad_mode_enabled) && !on(p.profile_removal_disabled) {
        out.push(warn("I11", "profileRemovalDisabled", "For Microsoft Entra shared device mode, set Locked enrollment to Yes (profileRemovalDisabled = true)."));
    }
    // I12
    if p.i_tunes_pairing_mode == Some(ITunesPairingMode::RequiresCertificate) {
        let n = p.management_certificates.as_ref().map_or(0, Vec::len);
        if n == 0 {
            out.push(err("I12", "managementCertificates", "Sync with computers set to 'Allow Apple Configurator by certificate' needs at least one Apple Configurator certificate."));
        } else if n > 10 {
            out.push(err(
                "I12",
                "managementCertificates",
                format!("{n} Apple Configurator certificates: the limit is 10."),
            ));
        }
    }
    // I13
    if let Some(t) = &p.device_name_template {
        out.extend(validate_device_name_template(t));
    }
    // I14
    if on(p.pass_code_disabled) != on(p.touch_id_disabled) {
        out.push(warn("I14", "passCodeDisabled", "The Passcode and Touch ID/Face ID screens do not work correctly on iOS/iPadOS 14.5 and later when only one is hidden: hide both (passCodeDisabled and touchIdDisabled)."));
    }
    // I15
    if let Some(u) = p
        .carrier_activation_url
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        let ok = url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            out.push(warn("I15", "carrierActivationUrl", "The carrier activation URL is not an http(s) URL. It applies to iOS 13+ and needs carrier provisioning."));
        }
    }
    // I16
    check_skip_keys(p.enabled_skip_keys.as_deref(), Platform::Ios, &mut out);
    // I17
    check_profile_count(ctx, &mut out);
    out.sort_by_key(|v| std::cmp::Reverse(v.severity));
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Platform {
    Ios,
    MacOs,
}

fn check_skip_keys(keys: Option<&[String]>, platform: Platform, out: &mut Vec<Violation>) {
    const PATH: &str = "enabledSkipKeys";
    const MAC_ONLY: [&str; 5] = [
        "FileVault",
        "iCloudDiagnostics",
        "iCloudStorage",
        "Registration",
        "Accessibility",
    ];
    const IOS_ONLY: [&str; 6] = [
        "Android",
        "HomeButtonSensitivity",
        "iMessageAndFaceTime",
        "SIMSetup",
        "WatchMigration",
        "DeviceToDeviceMigration",
    ];
    const IOS_DEPRECATED: [(&str, &str); 4] = [
        ("DisplayTone", "15"),
        ("HomeButtonSensitivity", "15"),
        ("OnBoarding", "14"),
        ("Zoom", "17"),
    ];
    for key in keys.unwrap_or_default() {
        let k = key.as_str();
        match platform {
            Platform::Ios => {
                if MAC_ONLY.contains(&k) {
                    out.push(warn(
                        "I16",
                        PATH,
                        format!("Skip key {k} is macOS only; it has no effect on iOS/iPadOS."),
                    ));
                }
                if let Some((_, v)) = IOS_DEPRECATED.iter().find(|(d, _)| *d == k) {
                    out.push(warn(
                        "I16",
                        PATH,
                        format!("Skip key {k} is deprecated since iOS {v}."),
                    ));
                }
            }
            Platform::MacOs => {
                if IOS_ONLY.contains(&k) {
                    out.push(warn(
                        "I16",
                        PATH,
                        format!("Skip key {k} is iOS/iPadOS only; it has no effect on macOS."),
                    ));
                }
            }
        }
    }
}

/// Validate a macOS enrollment profile (`depMacOSEnrollmentProfile`). Returns every
/// violation, errors first.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use intune_apple_core::model::DepMacOsEnrollmentProfile;
/// use intune_apple_core::rules::profile::{validate_macos_profile, ValidationContext};
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// // Skipping the primary account creation needs an admin account (M2).
/// let p = DepMacOsEnrollmentProfile {
///     requires_user_authentication: Some(true),
///     configuration_web_url: Some(true),
///     wait_for_device_configured_confirmation: Some(true),
///     skip_primary_setup_account_creation: Some(true),
///     ..Default::default()
/// };
/// let v = validate_macos_profile(&p, &ValidationContext::new(&[], now));
/// assert_eq!(v.len(), 1);
/// assert_eq!((v[0].code, v[0].path), ("M2", "adminAccountUserName"));
/// ```
pub fn validate_macos_profile(
    p: &DepMacOsEnrollmentProfile,
    ctx: &ValidationContext<'_>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let user_affinity = on(p.requires_user_authentication);
    // M1
    let primary = [
        (
            "primaryAccountUserName",
            p.primary_account_user_name
                .as_deref()
                .is_some_and(|s| !s.is_empty()),
        ),
        (
            "primaryAccountFullName",
            p.primary_account_full_name
                .as_deref()
                .is_some_and(|s| !s.is_empty()),
        ),
        (
            "dontAutoPopulatePrimaryAccountInfo",
            on(p.dont_auto_populate_primary_account_info),
        ),
        ("enableRestrictEditing", on(p.enable_restrict_editing)),
        (
            "skipPrimarySetupAccountCreation",
            on(p.skip_primary_setup_account_creation),
        ),
        (
            "setPrimarySetupAccountAsRegularUser",
            on(p.set_primary_setup_account_as_regular_user),
        ),
    ];
    if let Some((path, _)) = primary.iter().find(|(_, set)| *set) {
        if !user_affinity {
            out.push(err("M1", path, "Local primary account settings require user affinity: set requiresUserAuthentication to true."));
        } else if !on(p.configuration_web_url) && !on(p.enable_authentication_via_company_portal) {
            out.push(err("M1", path, "Local primary account settings require Setup Assistant authentication (modern or legacy): choose an authentication method."));
        }
        if p.wait_for_device_configured_confirmation == Some(false) {
            out.push(warn("M1", "waitForDeviceConfiguredConfirmation", "Local primary account settings need Await final configuration; Intune turns it on anyway. Set it to true."));
        }
    }
    // M2
    if (on(p.skip_primary_setup_account_creation)
        || on(p.set_primary_setup_account_as_regular_user))
        && p.admin_account_user_name
            .as_deref()
            .is_none_or(str::is_empty)
    {
        out.push(err("M2", "adminAccountUserName", "Skipping the primary account or making it a standard user requires a local admin account: set adminAccountUserName (and its full name)."));
    }
    // M4
    if on(p.enable_restrict_editing) {
        if on(p.dont_auto_populate_primary_account_info) {
            out.push(err("M4", "enableRestrictEditing", "Restrict editing needs the primary account info to be prefilled: set dontAutoPopulatePrimaryAccountInfo to false."));
        }
        if p.primary_account_user_name
            .as_deref()
            .is_none_or(str::is_empty)
        {
            out.push(warn("M4", "primaryAccountUserName", "Restrict editing locks a prefilled account name: set primaryAccountUserName (e.g. {{partialupn}})."));
        }
    }
    // M8
    if on(p.use_platform_sso_during_setup_assistant) && on(p.configuration_web_url) {
        out.push(warn("M8", "usePlatformSSODuringSetupAssistant", "Platform SSO during Setup Assistant is reported not to combine with configurationWebUrl = true (unverified in Graph's documentation); check the profile's authentication settings."));
    }
    // M9
    if on(p.accessibility_screen_disabled) {
        out.push(warn(
            "M9",
            "accessibilityScreenDisabled",
            "Hiding the Accessibility screen disables VoiceOver during Setup Assistant.",
        ));
    }
    if let Some(t) = &p.device_name_template {
        out.extend(validate_device_name_template(t));
    }
    check_skip_keys(p.enabled_skip_keys.as_deref(), Platform::MacOs, &mut out);
    check_profile_count(ctx, &mut out);
    out.sort_by_key(|v| std::cmp::Reverse(v.severity));
    out
}

/// Validate any enrollment profile: iOS/iPadOS and macOS profiles get their full rule set;
/// the others (tvOS and visionOS profiles, which Graph gives no setup assistant panes,
/// supervision or name template; the legacy `depEnrollmentProfile`; settings-catalog ones) only
/// the profile count.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use intune_apple_core::model::{BaseEnrollmentProfile, EnrollmentProfile};
/// use intune_apple_core::rules::profile::{validate_profile, ValidationContext};
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let tv = EnrollmentProfile::DepTvOs(BaseEnrollmentProfile {
///     display_name: Some("Meeting rooms".into()),
///     ..Default::default()
/// });
/// assert!(validate_profile(&tv, &ValidationContext::new(&[], now)).is_empty());
/// ```
pub fn validate_profile(
    profile: &crate::model::EnrollmentProfile,
    ctx: &ValidationContext<'_>,
) -> Vec<Violation> {
    use crate::model::EnrollmentProfile as P;
    match profile {
        P::DepIos(p) => validate_ios_profile(p, ctx),
        P::DepMacOs(p) => validate_macos_profile(p, ctx),
        _ => {
            let mut out = Vec::new();
            check_profile_count(ctx, &mut out);
            out
        }
    }
}
