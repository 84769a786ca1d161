//! Serde types that mirror Microsoft Graph's JSON for Intune's Apple resources, exactly: field
//! names, `@odata.type` discriminators, enums. No IO.
//!
//! Conventions (see `docs/` and each type's rustdoc):
//! - enums are *open*: a member this library does not know decodes to `Other(String)` and round-trips;
//! - `0001-01-01T00:00:00Z` ("never") decodes to `None`;
//! - a single entity decodes bare or wrapped in `{"value": {...}}` ([`Entity`]);
//! - `@odata.type` is optional where the type is the declared one;
//! - unknown properties are ignored and absent ones tolerated (every field is an `Option`);
//! - secrets (`token`, `certificate`, `depToken`, `adminAccountPassword`, `access_token`) are
//!   [`Secret`](crate::Secret)s.

pub mod apple_business;
pub mod common;
pub mod configuration_policy;
pub mod dep_onboarding;
pub mod enrollment_profile;
pub mod error;
pub mod error_levels;
pub mod imported_device;
pub mod push_certificate;
pub mod untyped;
pub mod vpp_app;
pub mod vpp_token;
pub mod vpp_token_revoke;

pub use common::{
    decode, decode_value, is_never, odata_short_name, Collection, DecodeError, Entity,
    UnknownObject, ValueResult,
};
pub use dep_onboarding::{
    DepOnboardingSetting, DepTokenType, ReleaseAppleDevicesRequest, UploadDepTokenRequest,
};
pub use enrollment_profile::{
    BaseEnrollmentProfile, DepEnrollmentProfile, DepIosEnrollmentProfile,
    DepMacOsEnrollmentProfile, DepProfileAdminAccountPasswordRotationSetting,
    DepProfileDelayAutoRotationSetting, EnrollmentProfile, ITunesPairingMode,
    ManagementCertificateWithThumbprint, UnknownEnrollmentProfile,
    UpdateDeviceProfileAssignmentRequest,
};
pub use error::{
    GraphError, GraphErrorBody, InnerError, IntuneErrorMessage, NumberOrText, OAuthErrorBody,
    OAuthTokenResponse,
};
pub use imported_device::{
    DiscoverySource, EnrollmentState, ImportAppleDeviceIdentityListRequest,
    ImportedAppleDeviceIdentity, ImportedAppleDeviceIdentityResult, Platform,
};
pub use push_certificate::{
    ApplePushNotificationCertificate, ApplePushNotificationCertificateUpdate, DataSharingConsent,
};
pub use vpp_app::{
    AllAssignmentTarget, AssignmentFilterType, AssignmentSource, AssignmentTarget,
    ConfigurationManagerCollectionAssignmentTarget, GroupAssignmentTarget, InstallIntent,
    IosDeviceType, IosVppApp, IosVppAppAssignmentSettings, MacOsVppApp,
    MacOsVppAppAssignmentSettings, MimeContent, MobileApp, MobileAppAssignRequest,
    MobileAppAssignment, MobileAppAssignmentSettings, MobileAppPublishingState,
    RevokeLicensesRequest, VppAppRevokeLicensesActionResult, VppLicensingType,
    VppTokenActionFailureReason,
};
pub use vpp_token::{
    ActionState, AppleDeviceDeliveryProtocol, VppToken, VppTokenAccountType, VppTokenActionResult,
    VppTokenCreateRequest, VppTokenLicenseSummary, VppTokenRenewRequest, VppTokenState,
    VppTokenSyncStatus,
};
pub use vpp_token_revoke::VppTokenRevokeLicensesActionResult;
