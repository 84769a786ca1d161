//! Granting Microsoft Graph application permissions to a managed identity (or any service
//! principal), which the Azure portal cannot do: [`plan_permissions`] says what would be
//! granted, [`grant_permissions`] grants what is missing. Run twice, nothing is granted twice.
//!
//! The client signs in as an admin who may grant app roles (`AppRoleAssignment.ReadWrite.All`
//! and `Application.Read.All`, e.g. a Privileged Role Administrator through the Azure CLI or a
//! device-code sign-in).
//!
//! ```
//! use intune_apple_core::graph::{Client, ClientSecretCredential};
//! use intune_apple_core::workflows::permissions::{grant_permissions, plan_permissions, PermissionSet};
//! use intune_apple_sim::{Seed, Simulator, MANAGED_IDENTITY_OBJECT_ID};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start(Seed::demo()).await?;
//! let admin = Client::builder()
//!     .base_url(sim.base_url())
//!     .authority_host(sim.authority_host())
//!     .credential(ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()))
//!     .build()?;
//! let plan = plan_permissions(&admin, MANAGED_IDENTITY_OBJECT_ID, PermissionSet::ReadOnly).await?;
//! println!("{plan}");
//! let done = grant_permissions(&admin, &plan).await?;
//! assert_eq!(done.granted().count(), 3);
//! let again = plan_permissions(&admin, MANAGED_IDENTITY_OBJECT_ID, PermissionSet::ReadOnly).await?;
//! assert_eq!(again.to_grant().count(), 0);
//! # Ok(()) }
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::graph::{AppRoleAssignment, Client, Error, ErrorKind, GRAPH_APP_ID};

/// Which permissions the job needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PermissionSet {
    /// The health report and monitoring: read the push certificate, enrollment program tokens,
    /// VPP tokens and VPP apps.
    #[default]
    ReadOnly,
    /// Renewals, syncs, profile changes and duplicate-app repairs as well.
    ReadWrite,
}

impl PermissionSet {
    /// The Graph application permissions of the set, with their app role ids.
    #[must_use]
    pub fn roles(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::ReadOnly => &[
                (
                    "DeviceManagementServiceConfig.Read.All",
                    "06a5fe6d-c49d-46a7-b082-56b1b14103c7",
                ),
                (
                    "DeviceManagementApps.Read.All",
                    "7a6ee1e7-141e-4cec-ae74-d9db155731ff",
                ),
                // The push certificate is readable with this one (or ServiceConfig.ReadWrite).
                (
                    "DeviceManagementManagedDevices.Read.All",
                    "2f51be20-0bb4-4fed-bf7b-db946066c75e",
                ),
            ],
            Self::ReadWrite => &[
                (
                    "DeviceManagementServiceConfig.ReadWrite.All",
                    "5ac13192-7ace-4fcf-b828-1a26f28068ee",
                ),
                (
                    "DeviceManagementApps.ReadWrite.All",
                    "78145de6-330d-4800-a6ce-494ff2d33d07",
                ),
            ],
        }
    }
}

/// What happens to one permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GrantStatus {
    /// Granted before: nothing to do.
    AlreadyGranted,
    /// Missing: [`grant_permissions`] grants it.
    ToGrant,
    /// Granted by this run.
    Granted,
}

/// One permission of a [`PermissionPlan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    /// The permission name, e.g. `DeviceManagementServiceConfig.Read.All`.
    pub permission: String,
    /// Its app role id.
    pub app_role_id: String,
    /// What happens to it.
    pub status: GrantStatus,
}

/// What granting will do (or did), permission by permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionPlan {
    /// The identity's service principal object id.
    pub principal_id: String,
    /// Its display name.
    pub principal_name: Option<String>,
    /// Microsoft Graph's service principal object id in this tenant.
    pub graph_service_principal_id: String,
    /// One entry per permission of the set.
    pub grants: Vec<PermissionGrant>,
}

impl PermissionPlan {
    /// The permissions still to grant.
    pub fn to_grant(&self) -> impl Iterator<Item = &PermissionGrant> {
        self.grants
            .iter()
            .filter(|g| g.status == GrantStatus::ToGrant)
    }

    /// The permissions granted by this run.
    pub fn granted(&self) -> impl Iterator<Item = &PermissionGrant> {
        self.grants
            .iter()
            .filter(|g| g.status == GrantStatus::Granted)
    }
}

impl fmt::Display for PermissionPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Microsoft Graph application permissions for {} ({}):",
            self.principal_name
                .as_deref()
                .unwrap_or("service principal"),
            self.principal_id
        )?;
        for g in &self.grants {
            let what = match g.status {
                GrantStatus::AlreadyGranted => "already granted",
                GrantStatus::ToGrant => "will be granted",
                GrantStatus::Granted => "granted",
            };
            writeln!(f, "  {:<46} {what}", g.permission)?;
        }
        Ok(())
    }
}

/// Reads the identity, Graph's service principal and the roles already granted, and plans the
/// missing ones. Writes nothing.
///
/// # Errors
/// [`ErrorKind::NotFound`] when `principal_id` is not a service principal of the tenant (give the
/// managed identity's object id, `identity.principalId`), or when Graph's roles are missing;
/// other [`Error`]s as the calls fail.
pub async fn plan_permissions(
    client: &Client,
    principal_id: &str,
    set: PermissionSet,
) -> Result<PermissionPlan, Error> {
    let sps = client.service_principals();
    let principal = sps.get(principal_id).await.map_err(|e| {
        if e.kind() == ErrorKind::NotFound {
            Error::new(
                ErrorKind::NotFound,
                "planning permissions",
                format!(
                    "{principal_id} is not a service principal of this tenant; give the managed \
                     identity's object (principal) id, not its client id"
                ),
            )
        } else {
            e
        }
    })?;
    let graph = sps
        .by_app_id(GRAPH_APP_ID)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "planning permissions",
                "Microsoft Graph has no service principal in this tenant".to_owned(),
            )
        })?;
    for (name, role) in set.roles() {
        if !graph.app_roles.is_empty() && !graph.app_roles.iter().any(|r| r.id == *role) {
            return Err(Error::new(
                ErrorKind::NotFound,
                "planning permissions",
                format!("Microsoft Graph offers no app role {name} ({role}) in this tenant"),
            ));
        }
    }
    let held = sps.app_role_assignments(&principal.id).await?;
    let grants = set
        .roles()
        .iter()
        .map(|(name, role)| PermissionGrant {
            permission: (*name).to_owned(),
            app_role_id: (*role).to_owned(),
            status: if held
                .iter()
                .any(|a| a.app_role_id == *role && a.resource_id == graph.id)
            {
                GrantStatus::AlreadyGranted
            } else {
                GrantStatus::ToGrant
            },
        })
        .collect();
    Ok(PermissionPlan {
        principal_id: principal.id,
        principal_name: principal.display_name,
        graph_service_principal_id: graph.id,
        grants,
    })
}

/// Grants the permissions `plan` marks [`GrantStatus::ToGrant`], reading the assignments again
/// first (another run may have granted some), and returns the plan with what was granted. A
/// grant whose answer is lost is read back, never sent twice.
///
/// # Errors
/// [`Error`] from the first call that fails; the permissions granted before it stay granted
/// (running again completes the rest).
pub async fn grant_permissions(
    client: &Client,
    plan: &PermissionPlan,
) -> Result<PermissionPlan, Error> {
    let sps = client.service_principals();
    let held = |assignments: &[AppRoleAssignment], role: &str| {
        assignments
            .iter()
            .any(|a| a.app_role_id == role && a.resource_id == plan.graph_service_principal_id)
    };
    let current = sps.app_role_assignments(&plan.principal_id).await?;
    let mut done = plan.clone();
    for grant in &mut done.grants {
        if grant.status != GrantStatus::ToGrant {
            continue;
        }
        if held(&current, &grant.app_role_id) {
            grant.status = GrantStatus::AlreadyGranted;
            continue;
        }
        let assignment = AppRoleAssignment {
            id: None,
            principal_id: plan.principal_id.clone(),
            resource_id: plan.graph_service_principal_id.clone(),
            app_role_id: grant.app_role_id.clone(),
        };
        match sps.grant(&assignment).await {
            Ok(_) => grant.status = GrantStatus::Granted,
            Err(e) if e.kind() == ErrorKind::OutcomeUnknown => {
                let now = sps.app_role_assignments(&plan.principal_id).await?;
                if held(&now, &grant.app_role_id) {
                    grant.status = GrantStatus::Granted;
                } else {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
