//! VPP apps (Apps and Books apps: `iosVppApp`, `macOsVppApp`), their assignments, and the
//! request bodies of their actions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::{graph_time, odata_polymorphic, open_enum, UnknownObject};
use super::vpp_token::{ActionState, AppleDeviceDeliveryProtocol, VppTokenAccountType};

open_enum! {
    /// `mobileAppPublishingState`.
    pub enum MobileAppPublishingState {
        /// Not published.
        NotPublished = "notPublished",
        /// Processing.
        Processing = "processing",
        /// Published.
        Published = "published",
    }
}

open_enum! {
    /// `vppTokenActionFailureReason` (beta): why an action on a VPP token or app failed.
    pub enum VppTokenActionFailureReason {
        /// None.
        None = "none",
        /// Apple reported a failure.
        AppleFailure = "appleFailure",
        /// Intune internal error.
        InternalError = "internalError",
        /// The VPP token has expired: renew it.
        ExpiredVppToken = "expiredVppToken",
        /// The Apple MDM push certificate has expired: renew it.
        ExpiredApplePushNotificationCertificate = "expiredApplePushNotificationCertificate",
    }
}

open_enum! {
    /// `installIntent`: what an app assignment does.
    pub enum InstallIntent {
        /// Available in the Company Portal.
        Available = "available",
        /// Installed automatically.
        Required = "required",
        /// Removed.
        Uninstall = "uninstall",
        /// Available without enrollment.
        AvailableWithoutEnrollment = "availableWithoutEnrollment",
    }
}

open_enum! {
    /// `deviceAndAppManagementAssignmentFilterType`: how an assignment filter applies.
    pub enum AssignmentFilterType {
        /// No filter.
        None = "none",
        /// Include the devices the filter matches.
        Include = "include",
        /// Exclude the devices the filter matches.
        Exclude = "exclude",
    }
}

open_enum! {
    /// `deviceAndAppManagementAssignmentSource` (beta): where an assignment comes from.
    pub enum AssignmentSource {
        /// Assigned directly.
        Direct = "direct",
        /// Assigned through a policy set.
        PolicySets = "policySets",
    }
}

odata_polymorphic! {
    /// **App** (`mobileApp`) as listed under `deviceAppManagement/mobileApps`: the VPP app types
    /// this library needs, and every other app type kept verbatim in `Other`.
    ///
    /// Graph: `GET /deviceAppManagement/mobileApps?$filter=isof('microsoft.graph.iosVppApp')`.
    pub enum MobileApp {
        /// `#microsoft.graph.iosVppApp`.
        IosVppApp(IosVppApp) = "iosVppApp",
        /// `#microsoft.graph.macOsVppApp` (beta).
        MacOsVppApp(MacOsVppApp) = "macOsVppApp";
        /// Any other or absent `@odata.type`.
        Other(UnknownObject),
    }
}

odata_polymorphic! {
    /// The `target` of an app assignment (`deviceAndAppManagementAssignmentTarget`): who gets it.
    pub enum AssignmentTarget {
        /// `microsoft.graph.groupAssignmentTarget`: a group.
        Group(GroupAssignmentTarget) = "groupAssignmentTarget",
        /// `microsoft.graph.exclusionGroupAssignmentTarget`: a group excluded.
        ExclusionGroup(GroupAssignmentTarget) = "exclusionGroupAssignmentTarget",
        /// `microsoft.graph.allLicensedUsersAssignmentTarget`: all users.
        AllLicensedUsers(AllAssignmentTarget) = "allLicensedUsersAssignmentTarget",
        /// `microsoft.graph.allDevicesAssignmentTarget`: all devices.
        AllDevices(AllAssignmentTarget) = "allDevicesAssignmentTarget",
        /// `microsoft.graph.configurationManagerCollectionAssignmentTarget`.
        ConfigurationManagerCollection(ConfigurationManagerCollectionAssignmentTarget) =
            "configurationManagerCollectionAssignmentTarget";
        /// Any other or absent `@odata.type` (e.g. the abstract base type in docs examples).
        Other(UnknownObject),
    }
}

odata_polymorphic! {
    /// The `settings` of an app assignment (`mobileAppAssignmentSettings`).
    pub enum MobileAppAssignmentSettings {
        /// `microsoft.graph.iosVppAppAssignmentSettings`.
        IosVppApp(IosVppAppAssignmentSettings) = "iosVppAppAssignmentSettings",
        /// `microsoft.graph.macOsVppAppAssignmentSettings`.
        MacOsVppApp(MacOsVppAppAssignmentSettings) = "macOsVppAppAssignmentSettings";
        /// Any other or absent `@odata.type`, kept as raw JSON.
        Other(UnknownObject),
    }
}

/// **iOS VPP app** (Apps and Books app for iPhone/iPad, `iosVppApp`): an app bought through a
/// VPP token, with its licence counts and the token it comes from.
///
/// Graph: `GET /deviceAppManagement/mobileApps/{id}` (v1.0 and beta; `vppTokenId` is beta only).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IosVppApp {
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
    /// App name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_icon: Option<MimeContent>,
    /// Creation time.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// Last modification.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Featured in the Company Portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_featured: Option<bool>,
    /// Privacy statement URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_information_url: Option<String>,
    /// More information URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_url: Option<String>,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// (beta) Upload state (0 not ready, 1 ready, 2 processing; docs samples send other numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_state: Option<i32>,
    /// Publishing state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing_state: Option<MobileAppPublishingState>,
    /// (beta) Whether the app is assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_assigned: Option<bool>,
    /// (beta) Scope tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// (beta) Number of dependent apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependent_app_count: Option<i32>,
    /// (beta) Number of superseding apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseding_app_count: Option<i32>,
    /// (beta) Number of superseded apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_app_count: Option<i32>,
    /// Licences in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_license_count: Option<i32>,
    /// Licences bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_license_count: Option<i32>,
    /// Release date in the App Store.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub release_date_time: Option<DateTime<Utc>>,
    /// App Store URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_store_url: Option<String>,
    /// User and/or device licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licensing_type: Option<VppLicensingType>,
    /// iPad and/or iPhone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_device_type: Option<IosDeviceType>,
    /// Organisation of the VPP token (v1.0 matching; ambiguous with several locations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_organization_name: Option<String>,
    /// Business or education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_account_type: Option<VppTokenAccountType>,
    /// Apple ID of the VPP token (v1.0 matching; ambiguous with several locations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_apple_id: Option<String>,
    /// Bundle id: with the platform, the key for finding duplicate apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<String>,
    /// (beta) Id of the VPP token this app comes from: the reliable app-to-token link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_id: Option<String>,
    /// (beta) Name of that VPP token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_display_name: Option<String>,
    /// (beta) Results of licence revocations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_license_action_results: Option<Vec<VppAppRevokeLicensesActionResult>>,
    /// (beta, 2026) Delivery protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_device_app_delivery_protocol_type: Option<AppleDeviceDeliveryProtocol>,
}

/// **macOS VPP app** (Apps and Books app for Macs, `macOsVppApp`).
///
/// Graph (beta only): `GET /deviceAppManagement/mobileApps/{id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct MacOsVppApp {
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
    /// App name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_icon: Option<MimeContent>,
    /// Creation time.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// Last modification.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Featured in the Company Portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_featured: Option<bool>,
    /// Privacy statement URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_information_url: Option<String>,
    /// More information URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_url: Option<String>,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// (beta) Upload state (0 not ready, 1 ready, 2 processing; docs samples send other numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_state: Option<i32>,
    /// Publishing state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing_state: Option<MobileAppPublishingState>,
    /// (beta) Whether the app is assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_assigned: Option<bool>,
    /// (beta) Scope tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// (beta) Number of dependent apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependent_app_count: Option<i32>,
    /// (beta) Number of superseding apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseding_app_count: Option<i32>,
    /// (beta) Number of superseded apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_app_count: Option<i32>,
    /// Licences in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_license_count: Option<i32>,
    /// Licences bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_license_count: Option<i32>,
    /// Release date in the App Store.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub release_date_time: Option<DateTime<Utc>>,
    /// App Store URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_store_url: Option<String>,
    /// User and/or device licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licensing_type: Option<VppLicensingType>,
    /// Organisation of the VPP token (v1.0 matching; ambiguous with several locations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_organization_name: Option<String>,
    /// Business or education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_account_type: Option<VppTokenAccountType>,
    /// Apple ID of the VPP token (v1.0 matching; ambiguous with several locations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_apple_id: Option<String>,
    /// Bundle id: with the platform, the key for finding duplicate apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<String>,
    /// (beta) Id of the VPP token this app comes from: the reliable app-to-token link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_id: Option<String>,
    /// (beta) Name of that VPP token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpp_token_display_name: Option<String>,
    /// (beta) Results of licence revocations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_license_action_results: Option<Vec<VppAppRevokeLicensesActionResult>>,
    /// (beta, 2026) Delivery protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_device_app_delivery_protocol_type: Option<AppleDeviceDeliveryProtocol>,
}

/// `mimeContent`: an icon.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct MimeContent {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// MIME type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Content, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `vppLicensingType`: which licence kinds an app supports.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VppLicensingType {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// (beta, deprecated duplicate) User licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_user_licensing: Option<bool>,
    /// (beta, deprecated duplicate) Device licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_device_licensing: Option<bool>,
    /// User licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_user_licensing: Option<bool>,
    /// Device licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_device_licensing: Option<bool>,
}

/// `iosDeviceType`: which devices an iOS app runs on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IosDeviceType {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// iPad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_pad: Option<bool>,
    /// iPhone and iPod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_phone_and_i_pod: Option<bool>,
}

/// `iosVppAppRevokeLicensesActionResult` / `macOsVppAppRevokeLicensesActionResult` (beta): the
/// outcome of revoking an app's licences.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VppAppRevokeLicensesActionResult {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// User.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_device_id: Option<String>,
    /// Licences to revoke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_licenses_count: Option<i32>,
    /// Licences that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_licenses_count: Option<i32>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_failure_reason: Option<VppTokenActionFailureReason>,
    /// Action name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_name: Option<String>,
    /// Action state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_state: Option<ActionState>,
    /// Start.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<DateTime<Utc>>,
    /// Last update.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_updated_date_time: Option<DateTime<Utc>>,
}

/// **App assignment** (`mobileAppAssignment`): who gets an app, how, with which settings.
///
/// Graph: `GET /deviceAppManagement/mobileApps/{id}/assignments` (v1.0 and beta).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct MobileAppAssignment {
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
    /// Available, required or uninstall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<InstallIntent>,
    /// Who gets the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<AssignmentTarget>,
    /// Settings of the assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<MobileAppAssignmentSettings>,
    /// (beta) Direct or through a policy set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AssignmentSource>,
    /// (beta) Id of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
}

/// `groupAssignmentTarget` / `exclusionGroupAssignmentTarget`: a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct GroupAssignmentTarget {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Assignment filter id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_id: Option<String>,
    /// Include or exclude the filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_type: Option<AssignmentFilterType>,
    /// Entra ID group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
}

/// `allLicensedUsersAssignmentTarget` / `allDevicesAssignmentTarget`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AllAssignmentTarget {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Assignment filter id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_id: Option<String>,
    /// Include or exclude the filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_type: Option<AssignmentFilterType>,
}

/// `configurationManagerCollectionAssignmentTarget`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationManagerCollectionAssignmentTarget {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Assignment filter id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_id: Option<String>,
    /// Include or exclude the filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_type: Option<AssignmentFilterType>,
    /// Configuration Manager collection id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_id: Option<String>,
}

/// `iosVppAppAssignmentSettings`: settings of an iOS VPP app assignment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct IosVppAppAssignmentSettings {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Device licensing rather than user licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_device_licensing: Option<bool>,
    /// Per-app VPN configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn_configuration_id: Option<String>,
    /// Remove the app when the device is unenrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninstall_on_device_removal: Option<bool>,
    /// The user may remove the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_removable: Option<bool>,
    /// Block backup of app data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_managed_app_backup: Option<bool>,
    /// Block automatic updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_auto_app_update: Option<bool>,
}

/// `macOsVppAppAssignmentSettings`: settings of a macOS VPP app assignment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct MacOsVppAppAssignmentSettings {
    /// `@odata.type`; optional where the type is the declared one.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Device licensing rather than user licensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_device_licensing: Option<bool>,
    /// Remove the app when the device is unenrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninstall_on_device_removal: Option<bool>,
    /// Block backup of app data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_managed_app_backup: Option<bool>,
    /// Block automatic updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_auto_app_update: Option<bool>,
}

/// Body of `POST /deviceAppManagement/mobileApps/{id}/assign`: replaces the app's whole set of
/// assignments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MobileAppAssignRequest {
    /// The full set of assignments.
    pub mobile_app_assignments: Vec<MobileAppAssignment>,
}

/// Body of `POST /deviceAppManagement/vppTokens/{id}/revokeLicenses` and of
/// `POST /deviceAppManagement/mobileApps/{id}/revokeAllLicenses` (beta).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeLicensesRequest {
    /// Notify the devices that lose the licence.
    pub notify_managed_devices: bool,
}
