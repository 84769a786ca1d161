//! Service principals and their app role assignments (`/v1.0/servicePrincipals`): what
//! granting Graph application permissions to a managed identity reads and writes.

use serde::{Deserialize, Serialize};

use crate::graph::client::{odata_string, seg, Call, Client};
use crate::graph::{ApiVersion, Error};

/// The permission needed to read service principals and write app role assignments.
const ASSIGN: &str = "AppRoleAssignment.ReadWrite.All (and Application.Read.All)";
const ONE: &str = "/servicePrincipals/{id}";
const LIST: &str = "/servicePrincipals";
const ASSIGNMENTS: &str = "/servicePrincipals/{id}/appRoleAssignments";

/// The application id of Microsoft Graph, the same in every tenant.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// A service principal (an enterprise application or a managed identity).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Object id.
    #[serde(default)]
    pub id: String,
    /// Application (client) id.
    #[serde(default)]
    pub app_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `Application`, `ManagedIdentity`, ...
    #[serde(default)]
    pub service_principal_type: Option<String>,
    /// The application roles it offers (Graph's permissions).
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
}

/// An application role (an application permission such as
/// `DeviceManagementServiceConfig.Read.All`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    /// The role id.
    #[serde(default)]
    pub id: String,
    /// The permission name.
    #[serde(default)]
    pub value: Option<String>,
    /// Whether it can be granted.
    #[serde(default)]
    pub is_enabled: Option<bool>,
}

/// An app role granted to a service principal.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    /// Assignment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The service principal granted the role.
    pub principal_id: String,
    /// The resource's service principal (Microsoft Graph's, in this tenant).
    pub resource_id: String,
    /// The role.
    pub app_role_id: String,
}

/// Service principals: `client.service_principals()`.
#[derive(Debug, Clone)]
pub struct ServicePrincipals {
    client: Client,
}

impl Client {
    /// Service principals and their app role assignments.
    #[must_use]
    pub fn service_principals(&self) -> ServicePrincipals {
        ServicePrincipals {
            client: self.clone(),
        }
    }
}

impl ServicePrincipals {
    /// One service principal by object id.
    ///
    /// # Errors
    /// [`Error`]; `NotFound` for an unknown id.
    pub async fn get(&self, id: &str) -> Result<ServicePrincipal, Error> {
        self.client
            .get_entity(Call::get(
                ApiVersion::V1,
                format!("/servicePrincipals/{}", seg(id)),
                ONE,
                ASSIGN,
            ))
            .await
    }

    /// The service principals of the application `app_id` (one, or none).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn by_app_id(&self, app_id: &str) -> Result<Vec<ServicePrincipal>, Error> {
        self.client
            .get_value(
                Call::get(ApiVersion::V1, LIST.into(), LIST, ASSIGN)
                    .query("$filter", format!("appId eq {}", odata_string(app_id))),
            )
            .await
    }

    /// The app roles granted to `principal_id`.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn app_role_assignments(
        &self,
        principal_id: &str,
    ) -> Result<Vec<AppRoleAssignment>, Error> {
        self.client
            .get_value(Call::get(
                ApiVersion::V1,
                format!(
                    "/servicePrincipals/{}/appRoleAssignments",
                    seg(principal_id)
                ),
                ASSIGNMENTS,
                ASSIGN,
            ))
            .await
    }

    /// Grants one app role (`POST .../appRoleAssignments`). Not resent when its answer is lost
    /// ([`crate::graph::ErrorKind::OutcomeUnknown`]): read the assignments back instead.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn grant(&self, assignment: &AppRoleAssignment) -> Result<AppRoleAssignment, Error> {
        let call = Call::post(
            ApiVersion::V1,
            format!(
                "/servicePrincipals/{}/appRoleAssignments",
                seg(&assignment.principal_id)
            ),
            ASSIGNMENTS,
            ASSIGN,
        )
        .json_body(assignment)?;
        self.client.get_entity(call).await
    }
}
