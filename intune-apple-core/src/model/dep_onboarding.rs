//! Enrollment program tokens (ADE / DEP / ABM tokens, `depOnboardingSetting`) and the request
//! bodies of their actions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::{graph_time, open_enum};
use crate::Secret;

open_enum! {
    /// `depTokenType`: which Apple program the enrollment program token comes from.
    pub enum DepTokenType {
        /// None.
        None = "none",
        /// Apple Business Manager (Device Enrollment Program).
        Dep = "dep",
        /// Apple School Manager.
        AppleSchoolManager = "appleSchoolManager",
    }
}

/// **Enrollment program token** (ADE token, DEP token, ABM/ASM server token, `.p7m`): the link
/// between an Apple Business/School Manager MDM server and Intune. Expires after a year; renew it
/// by downloading a new `.p7m` for the *same* MDM server and uploading it into this token
/// (`uploadDepToken`).
///
/// Graph (beta only): `GET /deviceManagement/depOnboardingSettings[/{id}]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DepOnboardingSetting {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key (a GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The Apple ID used to obtain the current token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_identifier: Option<String>,
    /// When the token expires.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub token_expiration_date_time: Option<DateTime<Utc>>,
    /// When the service was onboarded (Graph's wording).
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Last successful sync with Apple.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_successful_sync_date_time: Option<DateTime<Utc>>,
    /// When Intune last asked Apple for a sync.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_sync_triggered_date_time: Option<DateTime<Utc>>,
    /// Whether the token is shared with School Data Sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_token_with_school_data_sync_service: Option<bool>,
    /// Error code Apple reported at the last sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_error_code: Option<i32>,
    /// Apple Business Manager or Apple School Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<DepTokenType>,
    /// Admin-chosen name of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
    /// Number of devices synced from Apple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_device_count: Option<i32>,
    /// Consent to share data with Apple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sharing_consent_granted: Option<bool>,
    /// Scope tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// Expanded `defaultIosEnrollmentProfile` (`$expand`), `None` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_ios_enrollment_profile: Option<Box<super::DepIosEnrollmentProfile>>,
    /// Expanded `defaultMacOsEnrollmentProfile` (`$expand`), `None` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mac_os_enrollment_profile: Option<Box<super::DepMacOsEnrollmentProfile>>,
    /// Expanded `defaultTvOSEnrollmentProfile` (`$expand`), `None` when unset.
    #[serde(
        rename = "defaultTvOSEnrollmentProfile",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_tv_os_enrollment_profile: Option<Box<super::BaseEnrollmentProfile>>,
    /// Expanded `defaultVisionOSEnrollmentProfile` (`$expand`), `None` when unset.
    #[serde(
        rename = "defaultVisionOSEnrollmentProfile",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_vision_os_enrollment_profile: Option<Box<super::BaseEnrollmentProfile>>,
}

/// Body of `POST /deviceManagement/depOnboardingSettings/{id}/uploadDepToken` (beta): upload a
/// new or renewed enrollment program token (`.p7m` content) into the token `{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadDepTokenRequest {
    /// The Apple ID of the Apple Business/School Manager account.
    pub apple_id: String,
    /// The `.p7m` file content. A secret.
    pub dep_token: Secret,
}

/// Body of `POST /deviceManagement/depOnboardingSettings/{id}/releaseAppleDevices` (beta):
/// release devices from Apple Business/School Manager. Destructive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseAppleDevicesRequest {
    /// The enrollment program token content. A secret.
    pub dep_token: Secret,
    /// Serial numbers of the devices to release.
    pub device_serial_numbers: Vec<String>,
}
