//! Enrollment profiles (ADE / DEP profiles) of an enrollment program token: the settings a
//! device gets from Apple Business/School Manager at setup, including the setup assistant panes.

use serde::{Deserialize, Serialize};

use super::common::{odata_polymorphic, open_enum};
use crate::Secret;

open_enum! {
    /// `iTunesPairingMode`: whether the device may pair with a computer (Finder / iTunes).
    pub enum ITunesPairingMode {
        /// Pairing not allowed.
        Disallow = "disallow",
        /// Pairing allowed.
        Allow = "allow",
        /// Pairing only with a computer holding a management certificate.
        RequiresCertificate = "requiresCertificate",
    }
}

odata_polymorphic! {
    /// **Enrollment profile** (ADE profile, DEP profile) as listed under an enrollment program
    /// token: one variant per `@odata.type`. Profiles of a type this library does not model
    /// (e.g. settings-catalog `ECV2_` ones, or the abstract `enrollmentProfile`) decode into
    /// `Other` and round-trip.
    ///
    /// Graph (beta): `GET /deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles`.
    pub enum EnrollmentProfile {
        /// `#microsoft.graph.depIOSEnrollmentProfile`.
        DepIos(DepIosEnrollmentProfile) = "depIOSEnrollmentProfile",
        /// `#microsoft.graph.depMacOSEnrollmentProfile`.
        DepMacOs(DepMacOsEnrollmentProfile) = "depMacOSEnrollmentProfile",
        /// `#microsoft.graph.depTvOSEnrollmentProfile`: an `enrollmentProfile` with no own
        /// properties.
        DepTvOs(BaseEnrollmentProfile) = "depTvOSEnrollmentProfile",
        /// `#microsoft.graph.depVisionOSEnrollmentProfile`: an `enrollmentProfile` with no own
        /// properties.
        DepVisionOs(BaseEnrollmentProfile) = "depVisionOSEnrollmentProfile",
        /// `#microsoft.graph.depEnrollmentProfile` (legacy flat type; decode it, never create it).
        DepEnrollmentProfile(DepEnrollmentProfile) = "depEnrollmentProfile";
        /// Any other or absent `@odata.type`: the common properties and every other property.
        Other(UnknownEnrollmentProfile),
    }
}

impl EnrollmentProfile {
    /// The profile id, whatever the type.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::DepIos(p) => p.id.as_deref(),
            Self::DepMacOs(p) => p.id.as_deref(),
            Self::DepTvOs(p) | Self::DepVisionOs(p) => p.id.as_deref(),
            Self::DepEnrollmentProfile(p) => p.id.as_deref(),
            Self::Other(p) => p.id.as_deref(),
        }
    }

    /// The profile name, whatever the type.
    #[must_use]
    pub fn display_name(&self) -> Option<&str> {
        match self {
            Self::DepIos(p) => p.display_name.as_deref(),
            Self::DepMacOs(p) => p.display_name.as_deref(),
            Self::DepTvOs(p) | Self::DepVisionOs(p) => p.display_name.as_deref(),
            Self::DepEnrollmentProfile(p) => p.display_name.as_deref(),
            Self::Other(p) => p.display_name.as_deref(),
        }
    }
}

/// **Enrollment profile** as Graph's `enrollmentProfile` declares it: the properties every
/// enrollment profile has, and the whole shape of the tvOS and visionOS profiles
/// (`depTvOSEnrollmentProfile`, `depVisionOSEnrollmentProfile`), which derive from it directly
/// and add nothing. They have no setup assistant panes, supervision, locked enrollment or device
/// name template: those are `depEnrollmentBaseProfile`'s, which only the iOS/iPadOS and macOS
/// profiles derive from. A property a tenant sends beyond these is not kept, so it is never
/// sent back.
///
/// Graph (beta): `.../depOnboardingSettings/{id}/enrollmentProfiles/{profileId}`,
/// `.../defaultTvOSEnrollmentProfile`, `.../defaultVisionOSEnrollmentProfile`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct BaseEnrollmentProfile {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key: `{depOnboardingSettingId}_{guid}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name shown in the Intune admin center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the user must authenticate (user affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_user_authentication: Option<bool>,
    /// The enrollment URL of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_endpoint_url: Option<String>,
    /// Authenticate with the Company Portal rather than Setup Assistant (Graph's description reads inverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_authentication_via_company_portal: Option<bool>,
    /// Install the Company Portal on devices enrolled through Setup Assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_company_portal_on_setup_assistant_enrolled_devices: Option<bool>,
}

/// **iOS/iPadOS enrollment profile** (ADE profile for iPhone and iPad, `depIOSEnrollmentProfile`),
/// with its setup assistant panes and shared iPad settings.
///
/// Graph (beta): `.../depOnboardingSettings/{id}/enrollmentProfiles/{profileId}`,
/// `.../depOnboardingSettings/{id}/defaultIosEnrollmentProfile`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DepIosEnrollmentProfile {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key: `{depOnboardingSettingId}_{guid}` (settings-catalog ones start with `ECV2_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name shown in the Intune admin center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the user must authenticate (user affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_user_authentication: Option<bool>,
    /// The enrollment URL of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_endpoint_url: Option<String>,
    /// Authenticate with the Company Portal rather than Setup Assistant (Graph's description reads inverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_authentication_via_company_portal: Option<bool>,
    /// Install the Company Portal on devices enrolled through Setup Assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_company_portal_on_setup_assistant_enrolled_devices: Option<bool>,
    /// Whether this is the default profile of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Supervised mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_mode_enabled: Option<bool>,
    /// Support department shown on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_department: Option<String>,
    /// Support phone number shown on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// Whether the user cannot skip enrollment ("locked enrollment" is separate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mandatory: Option<bool>,
    /// Setup assistant pane: Location services hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_disabled: Option<bool>,
    /// Locked enrollment: the user cannot remove the management profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_removal_disabled: Option<bool>,
    /// Setup assistant pane: Restore hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_blocked: Option<bool>,
    /// Setup assistant pane: Apple ID hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_id_disabled: Option<bool>,
    /// Setup assistant pane: Terms and conditions hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_and_conditions_disabled: Option<bool>,
    /// Setup assistant pane: Touch ID / Face ID hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_id_disabled: Option<bool>,
    /// Setup assistant pane: Apple Pay hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_pay_disabled: Option<bool>,
    /// Setup assistant pane: Siri hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siri_disabled: Option<bool>,
    /// Setup assistant pane: Diagnostics hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics_disabled: Option<bool>,
    /// Setup assistant pane: True Tone display hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_tone_setup_disabled: Option<bool>,
    /// Setup assistant pane: Privacy hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_pane_disabled: Option<bool>,
    /// Setup assistant pane: Screen Time hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_time_screen_disabled: Option<bool>,
    /// Device name template (e.g. `{{SERIAL}}`), or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name_template: Option<String>,
    /// Whether setup assistant login goes through a web URL (a Boolean, despite its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_web_url: Option<bool>,
    /// Every Apple setup-assistant `SkipKeys` this profile enables (`Restore`, `AppleID`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_skip_keys: Option<Vec<String>>,
    /// Entra ID groups the device joins at enrollment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_time_azure_ad_group_ids: Option<Vec<String>>,
    /// Hold setup assistant until the device is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_device_configured_confirmation: Option<bool>,
    /// Pairing with a computer (iTunes / Finder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_tunes_pairing_mode: Option<ITunesPairingMode>,
    /// Apple Configurator management certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_certificates: Option<Vec<ManagementCertificateWithThumbprint>>,
    /// Setup assistant pane: Move from Android hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_from_android_disabled: Option<bool>,
    /// Hold setup assistant until the device is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_device_configured_confirmation: Option<bool>,
    /// Shared iPad: maximum number of users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_i_pad_maximum_user_count: Option<i32>,
    /// Shared iPad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_shared_i_pad: Option<bool>,
    /// VPP token used to install the Company Portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_portal_vpp_token_id: Option<String>,
    /// Run the Company Portal in single app mode until enrollment completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_single_app_enrollment_mode: Option<bool>,
    /// Setup assistant pane: Home button hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_button_screen_disabled: Option<bool>,
    /// Setup assistant pane: iMessage and FaceTime hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_message_and_face_time_screen_disabled: Option<bool>,
    /// Setup assistant pane: Onboarding hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_boarding_screen_disabled: Option<bool>,
    /// Setup assistant pane: SIM setup hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_setup_screen_disabled: Option<bool>,
    /// Setup assistant pane: Software update hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_update_screen_disabled: Option<bool>,
    /// Setup assistant pane: Watch migration hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_migration_screen_disabled: Option<bool>,
    /// Setup assistant pane: Appearance hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance_screen_disabled: Option<bool>,
    /// Setup assistant pane: Express language hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub express_language_screen_disabled: Option<bool>,
    /// Setup assistant pane: Preferred language hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language_screen_disabled: Option<bool>,
    /// Setup assistant pane: Device to device migration hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_to_device_migration_disabled: Option<bool>,
    /// Setup assistant pane: Welcome hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_screen_disabled: Option<bool>,
    /// Setup assistant pane: Passcode hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code_disabled: Option<bool>,
    /// Setup assistant pane: Zoom hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_disabled: Option<bool>,
    /// Setup assistant pane: Restore completed hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_completed_screen_disabled: Option<bool>,
    /// Setup assistant pane: Software update complete hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_complete_screen_disabled: Option<bool>,
    /// Shared iPad: temporary sessions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_temporary_session: Option<bool>,
    /// Shared iPad: temporary session timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_session_timeout_in_seconds: Option<i32>,
    /// Shared iPad: user session timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_session_timeout_in_seconds: Option<i32>,
    /// Shared iPad: passcode lock grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode_lock_grace_period_in_seconds: Option<i32>,
    /// eSIM carrier activation URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_activation_url: Option<String>,
    /// Shared device mode (distinct from shared iPad).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userless_shared_aad_mode_enabled: Option<bool>,
}

/// **macOS enrollment profile** (ADE profile for Macs, `depMacOSEnrollmentProfile`), with its
/// setup assistant panes, local accounts and admin password rotation.
///
/// Graph (beta): `.../depOnboardingSettings/{id}/enrollmentProfiles/{profileId}`,
/// `.../depOnboardingSettings/{id}/defaultMacOsEnrollmentProfile`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DepMacOsEnrollmentProfile {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key: `{depOnboardingSettingId}_{guid}` (settings-catalog ones start with `ECV2_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name shown in the Intune admin center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the user must authenticate (user affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_user_authentication: Option<bool>,
    /// The enrollment URL of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_endpoint_url: Option<String>,
    /// Authenticate with the Company Portal rather than Setup Assistant (Graph's description reads inverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_authentication_via_company_portal: Option<bool>,
    /// Install the Company Portal on devices enrolled through Setup Assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_company_portal_on_setup_assistant_enrolled_devices: Option<bool>,
    /// Whether this is the default profile of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Supervised mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_mode_enabled: Option<bool>,
    /// Support department shown on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_department: Option<String>,
    /// Support phone number shown on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// Whether the user cannot skip enrollment ("locked enrollment" is separate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mandatory: Option<bool>,
    /// Setup assistant pane: Location services hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_disabled: Option<bool>,
    /// Locked enrollment: the user cannot remove the management profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_removal_disabled: Option<bool>,
    /// Setup assistant pane: Restore hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_blocked: Option<bool>,
    /// Setup assistant pane: Apple ID hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_id_disabled: Option<bool>,
    /// Setup assistant pane: Terms and conditions hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_and_conditions_disabled: Option<bool>,
    /// Setup assistant pane: Touch ID / Face ID hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_id_disabled: Option<bool>,
    /// Setup assistant pane: Apple Pay hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_pay_disabled: Option<bool>,
    /// Setup assistant pane: Siri hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siri_disabled: Option<bool>,
    /// Setup assistant pane: Diagnostics hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics_disabled: Option<bool>,
    /// Setup assistant pane: True Tone display hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_tone_setup_disabled: Option<bool>,
    /// Setup assistant pane: Privacy hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_pane_disabled: Option<bool>,
    /// Setup assistant pane: Screen Time hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_time_screen_disabled: Option<bool>,
    /// Device name template (e.g. `{{SERIAL}}`), or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name_template: Option<String>,
    /// Whether setup assistant login goes through a web URL (a Boolean, despite its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_web_url: Option<bool>,
    /// Every Apple setup-assistant `SkipKeys` this profile enables (`Restore`, `AppleID`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_skip_keys: Option<Vec<String>>,
    /// Entra ID groups the device joins at enrollment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_time_azure_ad_group_ids: Option<Vec<String>>,
    /// Hold setup assistant until the device is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_device_configured_confirmation: Option<bool>,
    /// Setup assistant pane: Registration hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_disabled: Option<bool>,
    /// Setup assistant pane: FileVault hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_vault_disabled: Option<bool>,
    /// Setup assistant pane: iCloud diagnostics hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_cloud_diagnostics_disabled: Option<bool>,
    /// Setup assistant pane: Passcode hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code_disabled: Option<bool>,
    /// Setup assistant pane: Zoom hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_disabled: Option<bool>,
    /// Setup assistant pane: iCloud storage hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_cloud_storage_disabled: Option<bool>,
    /// Setup assistant pane: Choose your lock screen hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choose_your_lock_screen_disabled: Option<bool>,
    /// Setup assistant pane: Accessibility hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessibility_screen_disabled: Option<bool>,
    /// Setup assistant pane: Unlock with Apple Watch hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_unlock_with_watch_disabled: Option<bool>,
    /// Skip creating the primary local account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_primary_setup_account_creation: Option<bool>,
    /// Create the primary account as a standard user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_primary_setup_account_as_regular_user: Option<bool>,
    /// Do not prefill the primary account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dont_auto_populate_primary_account_info: Option<bool>,
    /// Primary account full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_account_full_name: Option<String>,
    /// Primary account user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_account_user_name: Option<String>,
    /// The user cannot edit the prefilled account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_restrict_editing: Option<bool>,
    /// Local admin account user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_account_user_name: Option<String>,
    /// Local admin account full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_account_full_name: Option<String>,
    /// Local admin account password. A secret; reads back as `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_account_password: Option<Secret>,
    /// Hide the local admin account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_admin_account: Option<bool>,
    /// Enrollment requires a network tether.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_requires_network_tether: Option<bool>,
    /// Advance through setup assistant automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_advance_setup_enabled: Option<bool>,
    /// Rotation of the local admin password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dep_profile_admin_account_password_rotation_setting:
        Option<DepProfileAdminAccountPasswordRotationSetting>,
    /// Platform SSO during setup assistant (not with `configurationWebUrl`).
    #[serde(
        rename = "usePlatformSSODuringSetupAssistant",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub use_platform_sso_during_setup_assistant: Option<bool>,
}

/// **Legacy enrollment profile** (`depEnrollmentProfile`, the flat type from before the
/// per-platform profiles). Decode it if seen; never create it.
///
/// Graph (beta): `.../depOnboardingSettings/{id}/enrollmentProfiles/{profileId}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DepEnrollmentProfile {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key: `{depOnboardingSettingId}_{guid}` (settings-catalog ones start with `ECV2_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name shown in the Intune admin center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the user must authenticate (user affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_user_authentication: Option<bool>,
    /// The enrollment URL of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_endpoint_url: Option<String>,
    /// Authenticate with the Company Portal rather than Setup Assistant (Graph's description reads inverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_authentication_via_company_portal: Option<bool>,
    /// Install the Company Portal on devices enrolled through Setup Assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_company_portal_on_setup_assistant_enrolled_devices: Option<bool>,
    /// Whether this is the default profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Supervised mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_mode_enabled: Option<bool>,
    /// Support department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_department: Option<String>,
    /// Passcode pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code_disabled: Option<bool>,
    /// Whether enrollment is mandatory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mandatory: Option<bool>,
    /// Location pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_disabled: Option<bool>,
    /// Support phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// Pairing with a computer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_tunes_pairing_mode: Option<ITunesPairingMode>,
    /// Locked enrollment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_removal_disabled: Option<bool>,
    /// Apple Configurator management certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_certificates: Option<Vec<ManagementCertificateWithThumbprint>>,
    /// Restore pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_blocked: Option<bool>,
    /// Move from Android pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_from_android_disabled: Option<bool>,
    /// Apple ID pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_id_disabled: Option<bool>,
    /// Terms and conditions pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_and_conditions_disabled: Option<bool>,
    /// Touch ID pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_id_disabled: Option<bool>,
    /// Apple Pay pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_pay_disabled: Option<bool>,
    /// Zoom pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_disabled: Option<bool>,
    /// Siri pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siri_disabled: Option<bool>,
    /// Diagnostics pane hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics_disabled: Option<bool>,
    /// macOS Registration pane hidden.
    #[serde(
        rename = "macOSRegistrationDisabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mac_os_registration_disabled: Option<bool>,
    /// macOS FileVault pane hidden.
    #[serde(
        rename = "macOSFileVaultDisabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mac_os_file_vault_disabled: Option<bool>,
    /// Hold setup assistant until configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_device_configured_confirmation: Option<bool>,
    /// Shared iPad: maximum number of users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_i_pad_maximum_user_count: Option<i32>,
    /// Shared iPad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_shared_i_pad: Option<bool>,
}

/// An enrollment profile of a type this library does not model: the `enrollmentProfile`
/// properties plus every other property, verbatim.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UnknownEnrollmentProfile {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key: `{depOnboardingSettingId}_{guid}` (settings-catalog ones start with `ECV2_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name shown in the Intune admin center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the user must authenticate (user affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_user_authentication: Option<bool>,
    /// The enrollment URL of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_endpoint_url: Option<String>,
    /// Authenticate with the Company Portal rather than Setup Assistant (Graph's description reads inverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_authentication_via_company_portal: Option<bool>,
    /// Install the Company Portal on devices enrolled through Setup Assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_company_portal_on_setup_assistant_enrolled_devices: Option<bool>,
    /// Every other property, kept verbatim so that the object round-trips.
    #[serde(flatten)]
    pub other_properties: serde_json::Map<String, serde_json::Value>,
}

/// `managementCertificateWithThumbprint`: an Apple Configurator management certificate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ManagementCertificateWithThumbprint {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Thumbprint of the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    /// The certificate, base64. Kept out of `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Secret>,
}

/// `depProfileAdminAccountPasswordRotationSetting`: rotation of the macOS local admin password.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DepProfileAdminAccountPasswordRotationSetting {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Rotate every so many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_rotation_period_in_days: Option<i32>,
    /// Rotation after the password was retrieved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dep_profile_delay_auto_rotation_setting: Option<DepProfileDelayAutoRotationSetting>,
}

/// `depProfileDelayAutoRotationSetting`: rotate the local admin password after it was retrieved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DepProfileDelayAutoRotationSetting {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Rotate after retrieval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_retrieval_auto_rotate_password_enabled: Option<bool>,
    /// Hours to wait after retrieval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_retrieval_delay_auto_rotate_password_in_hours: Option<i32>,
}

/// Body of `POST .../enrollmentProfiles/{profileId}/updateDeviceProfileAssignment` (beta):
/// assign the profile to devices (serial numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDeviceProfileAssignmentRequest {
    /// The devices (serial numbers).
    pub device_ids: Vec<String>,
}
