//! The settings-catalog enrollment policies of an enrollment program token (the new enrollment
//! policy experience): `client.enrollment_policies(token_id)`.

use super::permission::SERVICE_CONFIG_READ;
use crate::graph::client::{odata_string, seg, Call, Client};
use crate::graph::listing::ItemStream;
use crate::graph::ApiVersion;
use crate::model::configuration_policy::{
    dep_creation_source, ConfigurationPolicy, ConfigurationSetting,
};

const POLICIES: &str = "/deviceManagement/configurationPolicies";

/// The settings-catalog enrollment policies of one enrollment program token.
#[derive(Debug, Clone)]
pub struct EnrollmentPolicies {
    client: Client,
    token_id: String,
}

impl Client {
    /// The settings-catalog enrollment policies of enrollment program token `token_id` (listed
    /// among its enrollment profiles with `ECV2_<tokenId>_<policyId>` ids).
    #[must_use]
    pub fn enrollment_policies(&self, token_id: &str) -> EnrollmentPolicies {
        EnrollmentPolicies {
            client: self.clone(),
            token_id: token_id.to_owned(),
        }
    }
}

impl EnrollmentPolicies {
    /// Every policy whose `creationSource` is `DepTokenId_<tokenId>` (`GET
    /// /beta/deviceManagement/configurationPolicies?$filter=creationSource eq '...'`).
    #[must_use]
    pub fn list(&self) -> ItemStream<ConfigurationPolicy> {
        self.client.list(
            Call::get(
                ApiVersion::Beta,
                POLICIES.into(),
                POLICIES,
                SERVICE_CONFIG_READ,
            )
            .query(
                "$filter",
                format!(
                    "creationSource eq {}",
                    odata_string(&dep_creation_source(&self.token_id))
                ),
            ),
            None,
        )
    }

    /// The settings of policy `policy_id` (the `<policyId>` of its `ECV2_` profile id): `GET
    /// /beta/deviceManagement/configurationPolicies/{policyId}/settings`. Read them with
    /// [`SettingValues::of`](crate::model::configuration_policy::SettingValues::of).
    #[must_use]
    pub fn settings(&self, policy_id: &str) -> ItemStream<ConfigurationSetting> {
        self.client.list(
            Call::get(
                ApiVersion::Beta,
                format!("{POLICIES}/{}/settings", seg(policy_id)),
                "/deviceManagement/configurationPolicies/{id}/settings",
                SERVICE_CONFIG_READ,
            ),
            None,
        )
    }
}
