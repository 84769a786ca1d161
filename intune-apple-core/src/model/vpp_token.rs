//! VPP tokens (Apps and Books location tokens).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::{graph_time, open_enum};
use crate::Secret;

open_enum! {
    /// `vppTokenState`: whether a VPP token can be used.
    pub enum VppTokenState {
        /// Unknown.
        Unknown = "unknown",
        /// Valid.
        Valid = "valid",
        /// Expired: apps stop updating; renew at Apple and upload into this token.
        Expired = "expired",
        /// Invalid.
        Invalid = "invalid",
        /// Used by another MDM; claim it (`claimTokenManagementFromExternalMdm`) to take it over.
        AssignedToExternalMdm = "assignedToExternalMDM",
        /// (beta) Another token on the account is for the same location: the typical result of
        /// uploading a renewed token as a new token.
        DuplicateLocationId = "duplicateLocationId",
    }
}

open_enum! {
    /// `vppTokenSyncStatus`: the outcome of the last licence sync with Apple.
    pub enum VppTokenSyncStatus {
        /// No sync yet.
        None = "none",
        /// A sync is running.
        InProgress = "inProgress",
        /// The last sync completed.
        Completed = "completed",
        /// The last sync failed.
        Failed = "failed",
    }
}

open_enum! {
    /// `vppTokenAccountType`: Apple Business Manager or Apple School Manager.
    pub enum VppTokenAccountType {
        /// Apple Business Manager.
        Business = "business",
        /// Apple School Manager.
        Education = "education",
    }
}

open_enum! {
    /// `actionState` (beta): the state of a long-running action on a token or app.
    pub enum ActionState {
        /// None.
        None = "none",
        /// Pending.
        Pending = "pending",
        /// Canceled.
        Canceled = "canceled",
        /// Active.
        Active = "active",
        /// Done.
        Done = "done",
        /// Failed.
        Failed = "failed",
        /// Not supported.
        NotSupported = "notSupported",
    }
}

open_enum! {
    /// `appleDeviceDeliveryProtocol` (beta): how apps of this token are delivered.
    pub enum AppleDeviceDeliveryProtocol {
        /// Service default.
        Default = "default",
        /// Classic MDM commands.
        MobileDeviceManagement = "mobileDeviceManagement",
        /// Declarative device management.
        DeclarativeDeviceManagement = "declarativeDeviceManagement",
        /// Sentinel of evolvable enums.
        UnknownFutureValue = "unknownFutureValue",
    }
}

/// `vppTokenActionResult` (beta): the result of an action run on a VPP token.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VppTokenActionResult {
    /// `@odata.type` of the complex type, when sent.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Action name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_name: Option<String>,
    /// Action state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_state: Option<ActionState>,
    /// Start time.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<DateTime<Utc>>,
    /// Last update.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_updated_date_time: Option<DateTime<Utc>>,
}

/// **VPP token** (Apps and Books location token, `.vpptoken`): one per Apple Business/School
/// Manager location. Expired, apps stop updating. Renew by uploading the new file *into this
/// token* (PATCH `token`), never as a new token: a new token for the same location duplicates
/// every app.
///
/// Graph: `GET /deviceAppManagement/vppTokens[/{id}]` (v1.0 and beta; `displayName`,
/// `locationName`, `roleScopeTagIds`, ... are beta only).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VppToken {
    /// `@odata.type`; absent on real responses.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The organisation of the token (from Apple).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    /// Business or education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_account_type: Option<VppTokenAccountType>,
    /// The Apple ID of the Apple Business/School Manager account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_id: Option<String>,
    /// When the token expires.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub expiration_date_time: Option<DateTime<Utc>>,
    /// Last licence sync with Apple.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_sync_date_time: Option<DateTime<Utc>>,
    /// The token file content. A secret; only sent on create/renew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Last modification.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Token state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<VppTokenState>,
    /// Outcome of the last sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_status: Option<VppTokenSyncStatus>,
    /// Whether apps update automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatically_update_apps: Option<bool>,
    /// Country or region of the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_or_region: Option<String>,
    /// (beta) Results of actions run on the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_action_results: Option<Vec<VppTokenActionResult>>,
    /// (beta) Consent to share data with Apple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sharing_consent_granted: Option<bool>,
    /// (beta) Admin-chosen name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// (beta) The location name from Apple: the token's identity for renewals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    /// (beta) Consent to take the token over from another MDM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_token_management_from_external_mdm: Option<bool>,
    /// (beta) Scope tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// (beta, 2026) Delivery protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_device_app_delivery_protocol_type: Option<AppleDeviceDeliveryProtocol>,
    /// (beta, 2024 docs only) Number of apps at the last sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_app_count: Option<i32>,
}

/// `vppTokenLicenseSummary` (beta): the licences of one app under one VPP token.
///
/// Graph (beta): `GET /deviceAppManagement/vppTokens/getLicensesForApp(bundleId='{bundleId}')`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VppTokenLicenseSummary {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// The VPP token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_id: Option<String>,
    /// Apple ID of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_id: Option<String>,
    /// Organisation of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    /// Licences still available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_license_count: Option<i32>,
    /// Licences in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_license_count: Option<i32>,
}

/// Body of `POST /deviceAppManagement/vppTokens`: add a **new** VPP token (a location not yet in
/// Intune). To renew an existing token use [`VppTokenRenewRequest`] instead: a new token for a
/// location already present duplicates every app. Only writable properties are sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VppTokenCreateRequest {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// The `.vpptoken` file content. A secret.
    pub token: Secret,
    /// Whether apps update automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatically_update_apps: Option<bool>,
    /// Country or region of the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_or_region: Option<String>,
    /// (beta) Admin-chosen name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// (beta) Scope tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// (beta) Consent to share data with Apple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sharing_consent_granted: Option<bool>,
    /// (beta) Take the token over from another MDM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_token_management_from_external_mdm: Option<bool>,
}

/// Body of `PATCH /deviceAppManagement/vppTokens/{id}` that **renews** a VPP token: only the new
/// `.vpptoken` file content, uploaded into the existing token (then `syncLicenses`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VppTokenRenewRequest {
    /// The renewed `.vpptoken` file content. A secret.
    pub token: Secret,
}
