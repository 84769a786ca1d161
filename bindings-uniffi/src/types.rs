//! Typed records of the model: the push certificate, the tokens, imported devices. Field names
//! follow Graph's (`expirationDateTime` is `expirationDateTime` in Kotlin and Swift), times are
//! `java.time.Instant` / `Date`, Graph's open enums are their Graph text. Secrets (`token`,
//! `certificate`, ...) are never copied into them.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use intune_apple_core::model::{
    ApplePushNotificationCertificate, DataSharingConsent, DepOnboardingSetting,
    ImportedAppleDeviceIdentity, ImportedAppleDeviceIdentityResult, VppToken, VppTokenActionResult,
    VppTokenLicenseSummary,
};

/// A core time as the foreign one.
pub(crate) fn time(t: Option<DateTime<Utc>>) -> Option<SystemTime> {
    t.map(SystemTime::from)
}

/// A foreign time as the core's.
pub(crate) fn utc(t: Option<SystemTime>) -> Option<DateTime<Utc>> {
    t.map(DateTime::<Utc>::from)
}

fn text<T: std::fmt::Display>(v: Option<T>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn parse<T: for<'a> From<&'a str>>(v: Option<&String>) -> Option<T> {
    v.map(|s| T::from(s.as_str()))
}

/// The tenant's **Apple MDM push certificate** (`applePushNotificationCertificate`).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct PushCertificate {
    /// Id (changes between calls: never key on it).
    #[uniffi(default)]
    pub id: Option<String>,
    /// The Apple ID the certificate was created with.
    #[uniffi(default)]
    pub apple_identifier: Option<String>,
    /// The topic, `com.apple.mgmt.External.<uuid>`.
    #[uniffi(default)]
    pub topic_identifier: Option<String>,
    /// Last change.
    #[uniffi(default)]
    pub last_modified_date_time: Option<SystemTime>,
    /// Expiry.
    #[uniffi(default)]
    pub expiration_date_time: Option<SystemTime>,
    /// Upload status.
    #[uniffi(default)]
    pub certificate_upload_status: Option<String>,
    /// Why the last upload failed.
    #[uniffi(default)]
    pub certificate_upload_failure_reason: Option<String>,
    /// Serial number of the certificate.
    #[uniffi(default)]
    pub certificate_serial_number: Option<String>,
}

impl From<ApplePushNotificationCertificate> for PushCertificate {
    fn from(c: ApplePushNotificationCertificate) -> Self {
        Self {
            id: c.id,
            apple_identifier: c.apple_identifier,
            topic_identifier: c.topic_identifier,
            last_modified_date_time: time(c.last_modified_date_time),
            expiration_date_time: time(c.expiration_date_time),
            certificate_upload_status: c.certificate_upload_status,
            certificate_upload_failure_reason: c.certificate_upload_failure_reason,
            certificate_serial_number: c.certificate_serial_number,
        }
    }
}

impl From<PushCertificate> for ApplePushNotificationCertificate {
    fn from(c: PushCertificate) -> Self {
        Self {
            id: c.id,
            apple_identifier: c.apple_identifier,
            topic_identifier: c.topic_identifier,
            last_modified_date_time: utc(c.last_modified_date_time),
            expiration_date_time: utc(c.expiration_date_time),
            certificate_upload_status: c.certificate_upload_status,
            certificate_upload_failure_reason: c.certificate_upload_failure_reason,
            certificate_serial_number: c.certificate_serial_number,
            ..Self::default()
        }
    }
}

/// The data-sharing consent Intune needs before it talks to Apple.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct DataSharingConsentInfo {
    /// Id.
    pub id: Option<String>,
    /// The service the consent is for.
    pub service_display_name: Option<String>,
    /// The terms.
    pub terms_url: Option<String>,
    /// Whether it is granted.
    pub granted: Option<bool>,
    /// When it was granted.
    pub grant_date_time: Option<SystemTime>,
    /// Who granted it.
    pub granted_by_upn: Option<String>,
    /// Who granted it (user id).
    pub granted_by_user_id: Option<String>,
}

impl From<DataSharingConsent> for DataSharingConsentInfo {
    fn from(c: DataSharingConsent) -> Self {
        Self {
            id: c.id,
            service_display_name: c.service_display_name,
            terms_url: c.terms_url,
            granted: c.granted,
            grant_date_time: time(c.grant_date_time),
            granted_by_upn: c.granted_by_upn,
            granted_by_user_id: c.granted_by_user_id,
        }
    }
}

/// An **enrollment program token** (`depOnboardingSetting`; DEP / ABM / ASM token).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct EnrollmentProgramToken {
    /// Key.
    #[uniffi(default)]
    pub id: Option<String>,
    /// The managed Apple ID of the Apple Business/School Manager account.
    #[uniffi(default)]
    pub apple_identifier: Option<String>,
    /// When the token expires.
    #[uniffi(default)]
    pub token_expiration_date_time: Option<SystemTime>,
    /// Last change.
    #[uniffi(default)]
    pub last_modified_date_time: Option<SystemTime>,
    /// Last successful sync with Apple.
    #[uniffi(default)]
    pub last_successful_sync_date_time: Option<SystemTime>,
    /// Last sync asked for.
    #[uniffi(default)]
    pub last_sync_triggered_date_time: Option<SystemTime>,
    /// Shared with School Data Sync.
    #[uniffi(default)]
    pub share_token_with_school_data_sync_service: Option<bool>,
    /// Error code of the last sync (0: none).
    #[uniffi(default)]
    pub last_sync_error_code: Option<i32>,
    /// Token type (`dep`, `appleSchoolManager`, ...).
    #[uniffi(default)]
    pub token_type: Option<String>,
    /// Name given in Intune.
    #[uniffi(default)]
    pub token_name: Option<String>,
    /// Devices synced.
    #[uniffi(default)]
    pub synced_device_count: Option<i32>,
    /// Whether data-sharing consent is granted.
    #[uniffi(default)]
    pub data_sharing_consent_granted: Option<bool>,
    /// Scope tags.
    #[uniffi(default)]
    pub role_scope_tag_ids: Option<Vec<String>>,
}

impl From<DepOnboardingSetting> for EnrollmentProgramToken {
    fn from(t: DepOnboardingSetting) -> Self {
        Self {
            id: t.id,
            apple_identifier: t.apple_identifier,
            token_expiration_date_time: time(t.token_expiration_date_time),
            last_modified_date_time: time(t.last_modified_date_time),
            last_successful_sync_date_time: time(t.last_successful_sync_date_time),
            last_sync_triggered_date_time: time(t.last_sync_triggered_date_time),
            share_token_with_school_data_sync_service: t.share_token_with_school_data_sync_service,
            last_sync_error_code: t.last_sync_error_code,
            token_type: text(t.token_type),
            token_name: t.token_name,
            synced_device_count: t.synced_device_count,
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            role_scope_tag_ids: t.role_scope_tag_ids,
        }
    }
}

impl From<EnrollmentProgramToken> for DepOnboardingSetting {
    fn from(t: EnrollmentProgramToken) -> Self {
        Self {
            id: t.id,
            apple_identifier: t.apple_identifier,
            token_expiration_date_time: utc(t.token_expiration_date_time),
            last_modified_date_time: utc(t.last_modified_date_time),
            last_successful_sync_date_time: utc(t.last_successful_sync_date_time),
            last_sync_triggered_date_time: utc(t.last_sync_triggered_date_time),
            share_token_with_school_data_sync_service: t.share_token_with_school_data_sync_service,
            last_sync_error_code: t.last_sync_error_code,
            token_type: parse(t.token_type.as_ref()),
            token_name: t.token_name,
            synced_device_count: t.synced_device_count,
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            role_scope_tag_ids: t.role_scope_tag_ids,
            ..Self::default()
        }
    }
}

/// The state of a VPP token action (license sync, revoke).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct VppTokenAction {
    /// Action name.
    #[uniffi(default)]
    pub action_name: Option<String>,
    /// State.
    #[uniffi(default)]
    pub action_state: Option<String>,
    /// Started.
    #[uniffi(default)]
    pub start_date_time: Option<SystemTime>,
    /// Last update.
    #[uniffi(default)]
    pub last_updated_date_time: Option<SystemTime>,
}

/// A **VPP token** (Apps and Books location token, `.vpptoken`).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct VppTokenInfo {
    /// Key.
    #[uniffi(default)]
    pub id: Option<String>,
    /// Organisation in Apple Business/School Manager.
    #[uniffi(default)]
    pub organization_name: Option<String>,
    /// Business or education.
    #[uniffi(default)]
    pub vpp_token_account_type: Option<String>,
    /// The Apple ID of the location.
    #[uniffi(default)]
    pub apple_id: Option<String>,
    /// When the token expires.
    #[uniffi(default)]
    pub expiration_date_time: Option<SystemTime>,
    /// Last license sync.
    #[uniffi(default)]
    pub last_sync_date_time: Option<SystemTime>,
    /// Last change.
    #[uniffi(default)]
    pub last_modified_date_time: Option<SystemTime>,
    /// State (`valid`, `expired`, `invalid`, `assignedToExternalMDM`, ...).
    #[uniffi(default)]
    pub state: Option<String>,
    /// Status of the last sync.
    #[uniffi(default)]
    pub last_sync_status: Option<String>,
    /// Whether apps update automatically.
    #[uniffi(default)]
    pub automatically_update_apps: Option<bool>,
    /// Store country or region.
    #[uniffi(default)]
    pub country_or_region: Option<String>,
    /// Recent actions.
    #[uniffi(default)]
    pub token_action_results: Option<Vec<VppTokenAction>>,
    /// Whether data-sharing consent is granted.
    #[uniffi(default)]
    pub data_sharing_consent_granted: Option<bool>,
    /// Name in Intune.
    #[uniffi(default)]
    pub display_name: Option<String>,
    /// Location name in Apple Business/School Manager.
    #[uniffi(default)]
    pub location_name: Option<String>,
    /// Whether to take the token over from another MDM.
    #[uniffi(default)]
    pub claim_token_management_from_external_mdm: Option<bool>,
    /// Scope tags.
    #[uniffi(default)]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// App delivery protocol.
    #[uniffi(default)]
    pub apple_device_app_delivery_protocol_type: Option<String>,
    /// Apps at the last sync.
    #[uniffi(default)]
    pub last_app_count: Option<i32>,
}

impl From<VppTokenActionResult> for VppTokenAction {
    fn from(a: VppTokenActionResult) -> Self {
        Self {
            action_name: a.action_name,
            action_state: text(a.action_state),
            start_date_time: time(a.start_date_time),
            last_updated_date_time: time(a.last_updated_date_time),
        }
    }
}

impl From<VppTokenAction> for VppTokenActionResult {
    fn from(a: VppTokenAction) -> Self {
        Self {
            action_name: a.action_name,
            action_state: parse(a.action_state.as_ref()),
            start_date_time: utc(a.start_date_time),
            last_updated_date_time: utc(a.last_updated_date_time),
            ..Self::default()
        }
    }
}

impl From<VppToken> for VppTokenInfo {
    fn from(t: VppToken) -> Self {
        Self {
            id: t.id,
            organization_name: t.organization_name,
            vpp_token_account_type: text(t.vpp_token_account_type),
            apple_id: t.apple_id,
            expiration_date_time: time(t.expiration_date_time),
            last_sync_date_time: time(t.last_sync_date_time),
            last_modified_date_time: time(t.last_modified_date_time),
            state: text(t.state),
            last_sync_status: text(t.last_sync_status),
            automatically_update_apps: t.automatically_update_apps,
            country_or_region: t.country_or_region,
            token_action_results: t
                .token_action_results
                .map(|v| v.into_iter().map(Into::into).collect()),
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            display_name: t.display_name,
            location_name: t.location_name,
            claim_token_management_from_external_mdm: t.claim_token_management_from_external_mdm,
            role_scope_tag_ids: t.role_scope_tag_ids,
            apple_device_app_delivery_protocol_type: text(
                t.apple_device_app_delivery_protocol_type,
            ),
            last_app_count: t.last_app_count,
        }
    }
}

impl From<VppTokenInfo> for VppToken {
    fn from(t: VppTokenInfo) -> Self {
        Self {
            id: t.id,
            organization_name: t.organization_name,
            vpp_token_account_type: parse(t.vpp_token_account_type.as_ref()),
            apple_id: t.apple_id,
            expiration_date_time: utc(t.expiration_date_time),
            last_sync_date_time: utc(t.last_sync_date_time),
            last_modified_date_time: utc(t.last_modified_date_time),
            state: parse(t.state.as_ref()),
            last_sync_status: parse(t.last_sync_status.as_ref()),
            automatically_update_apps: t.automatically_update_apps,
            country_or_region: t.country_or_region,
            token_action_results: t
                .token_action_results
                .map(|v| v.into_iter().map(Into::into).collect()),
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            display_name: t.display_name,
            location_name: t.location_name,
            claim_token_management_from_external_mdm: t.claim_token_management_from_external_mdm,
            role_scope_tag_ids: t.role_scope_tag_ids,
            apple_device_app_delivery_protocol_type: parse(
                t.apple_device_app_delivery_protocol_type.as_ref(),
            ),
            last_app_count: t.last_app_count,
            ..Self::default()
        }
    }
}

/// **Imported device** (`importedAppleDeviceIdentity`): a serial number under an enrollment
/// program token.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ImportedDevice {
    /// Key.
    #[uniffi(default)]
    pub id: Option<String>,
    /// Serial number of the device.
    #[uniffi(default)]
    pub serial_number: Option<String>,
    /// The enrollment profile requested for the next enrollment.
    #[uniffi(default)]
    pub requested_enrollment_profile_id: Option<String>,
    /// When that profile was assigned.
    #[uniffi(default)]
    pub requested_enrollment_profile_assignment_date_time: Option<SystemTime>,
    /// Whether the device is supervised.
    #[uniffi(default)]
    pub is_supervised: Option<bool>,
    /// How Intune learnt of the device.
    #[uniffi(default)]
    pub discovery_source: Option<String>,
    /// Whether the device was deleted from Apple Business/School Manager.
    #[uniffi(default)]
    pub is_deleted: Option<bool>,
    /// When the identity was created.
    #[uniffi(default)]
    pub created_date_time: Option<SystemTime>,
    /// When the device last contacted Intune.
    #[uniffi(default)]
    pub last_contacted_date_time: Option<SystemTime>,
    /// Description.
    #[uniffi(default)]
    pub description: Option<String>,
    /// Enrollment state.
    #[uniffi(default)]
    pub enrollment_state: Option<String>,
    /// Platform (`iOS`, `macOS`, ...).
    #[uniffi(default)]
    pub platform: Option<String>,
}

impl From<ImportedAppleDeviceIdentity> for ImportedDevice {
    fn from(d: ImportedAppleDeviceIdentity) -> Self {
        Self {
            id: d.id,
            serial_number: d.serial_number,
            requested_enrollment_profile_id: d.requested_enrollment_profile_id,
            requested_enrollment_profile_assignment_date_time: time(
                d.requested_enrollment_profile_assignment_date_time,
            ),
            is_supervised: d.is_supervised,
            discovery_source: text(d.discovery_source),
            is_deleted: d.is_deleted,
            created_date_time: time(d.created_date_time),
            last_contacted_date_time: time(d.last_contacted_date_time),
            description: d.description,
            enrollment_state: text(d.enrollment_state),
            platform: text(d.platform),
        }
    }
}

impl From<ImportedDevice> for ImportedAppleDeviceIdentity {
    fn from(d: ImportedDevice) -> Self {
        Self {
            odata_type: None,
            id: d.id,
            serial_number: d.serial_number,
            requested_enrollment_profile_id: d.requested_enrollment_profile_id,
            requested_enrollment_profile_assignment_date_time: utc(
                d.requested_enrollment_profile_assignment_date_time
            ),
            is_supervised: d.is_supervised,
            discovery_source: parse(d.discovery_source.as_ref()),
            is_deleted: d.is_deleted,
            created_date_time: utc(d.created_date_time),
            last_contacted_date_time: utc(d.last_contacted_date_time),
            description: d.description,
            enrollment_state: parse(d.enrollment_state.as_ref()),
            platform: parse(d.platform.as_ref()),
        }
    }
}

/// The result of importing one device.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ImportResult {
    /// Key.
    pub id: Option<String>,
    /// Serial number of the device.
    pub serial_number: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Platform.
    pub platform: Option<String>,
    /// Whether the import of this device succeeded.
    pub status: Option<bool>,
}

impl From<ImportedAppleDeviceIdentityResult> for ImportResult {
    fn from(r: ImportedAppleDeviceIdentityResult) -> Self {
        Self {
            id: r.id,
            serial_number: r.serial_number,
            description: r.description,
            platform: text(r.platform),
            status: r.status,
        }
    }
}

/// Licenses of one app under one VPP token.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct LicenseSummary {
    /// The VPP token.
    pub vpp_token_id: Option<String>,
    /// Its Apple ID.
    pub apple_id: Option<String>,
    /// Its organisation.
    pub organization_name: Option<String>,
    /// Licenses left.
    pub available_license_count: Option<i32>,
    /// Licenses used.
    pub used_license_count: Option<i32>,
}

impl From<VppTokenLicenseSummary> for LicenseSummary {
    fn from(s: VppTokenLicenseSummary) -> Self {
        Self {
            vpp_token_id: s.vpp_token_id,
            apple_id: s.apple_id,
            organization_name: s.organization_name,
            available_license_count: s.available_license_count,
            used_license_count: s.used_license_count,
        }
    }
}
