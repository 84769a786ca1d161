//! One handler per resource. Each call chooses its API version here, in one place: enrollment
//! program tokens, profiles, imported devices, data-sharing consents and `vppTokenId` exist only
//! in `beta`; the push certificate and VPP tokens are read from `beta` too, because it has
//! every property `v1.0` has, and more (`displayName`, `locationName`).

pub(crate) mod actions;
pub(crate) mod apps;
pub(crate) mod dep;
pub(crate) mod devices;
pub(crate) mod enrollment_policies;
pub(crate) mod mail;
pub(crate) mod push;
pub(crate) mod service_principals;
pub(crate) mod vpp;

pub use apps::VppApps;
pub use dep::{EnrollmentProfiles, EnrollmentProgramTokens, SyncOptions};
pub use devices::ImportedDevices;
pub use enrollment_policies::EnrollmentPolicies;
pub use mail::{Mail, MailAttachment, OutgoingMail};
pub use push::PushCertificate;
pub use service_principals::{
    AppRole, AppRoleAssignment, ServicePrincipal, ServicePrincipals, GRAPH_APP_ID,
};
pub use vpp::VppTokens;

/// Application permissions, least privileged first, as named in errors.
pub(crate) mod permission {
    pub const SERVICE_CONFIG_READ: &str = "DeviceManagementServiceConfig.Read.All";
    pub const SERVICE_CONFIG_WRITE: &str = "DeviceManagementServiceConfig.ReadWrite.All";
    pub const PUSH_READ: &str =
        "DeviceManagementServiceConfig.ReadWrite.All or DeviceManagementManagedDevices.Read.All";
}
