//! The Apple MDM push certificate (APNs certificate) and the data-sharing consent it requires.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::graph_time;
use crate::Secret;

/// **Apple MDM push certificate**: the tenant's one APNs certificate, through which Intune
/// reaches every iPhone, iPad and Mac. Valid 365 days; renew it at Apple's Push Certificates
/// Portal *keeping its topic*, within 30 days after expiry at the latest.
///
/// Graph: `GET /deviceManagement/applePushNotificationCertificate` (v1.0 and beta), `PATCH` the
/// same path to upload a renewed certificate.
///
/// The `id` changes between calls on a real tenant: never key anything on it. `certificate` is
/// write-only (it reads back as `null`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ApplePushNotificationCertificate {
    /// `@odata.type` (`#microsoft.graph.applePushNotificationCertificate`); absent on real responses.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key. Unstable: it changes between calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The Apple ID that created the certificate at Apple's portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_identifier: Option<String>,
    /// The APNs topic, `com.apple.mgmt.External.<uuid>`: the value a renewal must keep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_identifier: Option<String>,
    /// Last modification.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// When the certificate expires (`None`: not set, or Intune's "never" sentinel).
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub expiration_date_time: Option<DateTime<Utc>>,
    /// Free text upload status (not an enum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_upload_status: Option<String>,
    /// Why the last upload failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_upload_failure_reason: Option<String>,
    /// The certificate's serial number, hex (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial_number: Option<String>,
    /// The PEM text, only when uploading (reads back as `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Secret>,
}

/// Body of `PATCH /deviceManagement/applePushNotificationCertificate`: upload a renewed push
/// certificate. `certificate` is the PEM text of the `.pem` from Apple.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplePushNotificationCertificateUpdate {
    /// `@odata.type`, as the docs examples send it; optional.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// The Apple ID used at Apple's portal (keep the same one).
    pub apple_identifier: String,
    /// The PEM text of the renewed certificate.
    pub certificate: Secret,
}

/// **Data-sharing consent** (beta): the one-way consent to share data with Apple that Intune
/// asks for before the first push certificate upload.
///
/// Graph: `GET /beta/deviceManagement/dataSharingConsents/appleMDMPushCertificate`,
/// `POST .../consentToDataSharing`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DataSharingConsent {
    /// `@odata.type`; absent on real responses.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key (`appleMDMPushCertificate` for the push certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The service shown to the admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_display_name: Option<String>,
    /// Link to the terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
    /// Whether consent has been granted (it cannot be revoked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted: Option<bool>,
    /// When consent was granted.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub grant_date_time: Option<DateTime<Utc>>,
    /// UPN of the admin who granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by_upn: Option<String>,
    /// User id of the admin who granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by_user_id: Option<String>,
}
