//! Imported Apple device identities: the serial numbers of devices known from Apple Business/
//! School Manager (or imported by the admin), with the profile each should get.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::{graph_time, open_enum};

open_enum! {
    /// `discoverySource`: how Intune learnt of an imported device.
    pub enum DiscoverySource {
        /// Unknown.
        Unknown = "unknown",
        /// Imported by the admin (CSV).
        AdminImport = "adminImport",
        /// Synced from Apple Business/School Manager.
        DeviceEnrollmentProgram = "deviceEnrollmentProgram",
    }
}

open_enum! {
    /// `enrollmentState` (beta): where a device is in enrollment.
    pub enum EnrollmentState {
        /// Unknown.
        Unknown = "unknown",
        /// Enrolled.
        Enrolled = "enrolled",
        /// Pending reset.
        PendingReset = "pendingReset",
        /// Enrollment failed.
        Failed = "failed",
        /// Not contacted yet.
        NotContacted = "notContacted",
        /// Blocked (beta only).
        Blocked = "blocked",
    }
}

open_enum! {
    /// `platform` (beta): the device platform. tvOS is spelled `tvos` in the docs and `tvOS` in
    /// the metadata; both decode to [`Platform::TvOs`] (which writes `tvOS`).
    pub enum Platform {
        /// Unknown.
        Unknown = "unknown",
        /// iOS / iPadOS.
        Ios = "ios",
        /// Android.
        Android = "android",
        /// Windows.
        Windows = "windows",
        /// Windows Mobile.
        WindowsMobile = "windowsMobile",
        /// macOS.
        MacOs = "macOS",
        /// visionOS.
        VisionOs = "visionOS",
        /// tvOS.
        TvOs = "tvOS" | "tvos",
        /// Sentinel of evolvable enums.
        UnknownFutureValue = "unknownFutureValue",
    }
}

/// **Imported device** (`importedAppleDeviceIdentity`): a device serial number under an enrollment
/// program token, synced from Apple Business/School Manager or imported by the admin.
///
/// Graph (beta): `GET /deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities`.
///
/// A flat struct (no flattening) because tenants hold 100,000 of them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ImportedAppleDeviceIdentity {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Serial number of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// The enrollment profile the admin wants applied at the next enrollment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_enrollment_profile_id: Option<String>,
    /// When that profile was assigned.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub requested_enrollment_profile_assignment_date_time: Option<DateTime<Utc>>,
    /// Whether the device is supervised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_supervised: Option<bool>,
    /// How Intune learnt of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_source: Option<DiscoverySource>,
    /// Whether the device was deleted from Apple Business/School Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,
    /// When the identity was created.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// When the device last contacted Intune.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_contacted_date_time: Option<DateTime<Utc>>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enrollment state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_state: Option<EnrollmentState>,
    /// Platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// **Import result** of one device (`importedAppleDeviceIdentityResult`): the identity plus
/// whether its import succeeded.
///
/// Graph (beta): the response of `POST .../importedAppleDeviceIdentities/importAppleDeviceIdentityList`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ImportedAppleDeviceIdentityResult {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Serial number of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// The enrollment profile the admin wants applied at the next enrollment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_enrollment_profile_id: Option<String>,
    /// When that profile was assigned.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub requested_enrollment_profile_assignment_date_time: Option<DateTime<Utc>>,
    /// Whether the device is supervised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_supervised: Option<bool>,
    /// How Intune learnt of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_source: Option<DiscoverySource>,
    /// Whether the device was deleted from Apple Business/School Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,
    /// When the identity was created.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// When the device last contacted Intune.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_contacted_date_time: Option<DateTime<Utc>>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enrollment state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_state: Option<EnrollmentState>,
    /// Platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Whether the import of this device succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<bool>,
}

/// Body of `POST /deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities/importAppleDeviceIdentityList`
/// (beta): import device serial numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportAppleDeviceIdentityListRequest {
    /// The devices to import.
    pub imported_apple_device_identities: Vec<ImportedAppleDeviceIdentity>,
    /// Whether to overwrite devices already imported.
    pub overwrite_imported_device_identities: bool,
}
