//! The result of revoking the licences of a VPP token (`revokeLicenses`, beta).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::graph_time;
use super::{ActionState, VppTokenActionFailureReason};

/// **`vppTokenRevokeLicensesActionResult`** (beta; derives from `vppTokenActionResult`): how a
/// licence revocation of a VPP token went, as listed in the token's `tokenActionResults`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VppTokenRevokeLicensesActionResult {
    /// `@odata.type` (`#microsoft.graph.vppTokenRevokeLicensesActionResult`), when sent.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Name of the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_name: Option<String>,
    /// State of the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_state: Option<ActionState>,
    /// When it started.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<DateTime<Utc>>,
    /// When it was last updated.
    #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
    pub last_updated_date_time: Option<DateTime<Utc>>,
    /// Why it failed (`none` when it did not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_failure_reason: Option<VppTokenActionFailureReason>,
    /// Licences that could not be revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_licenses_count: Option<i32>,
    /// Licences asked to be revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_licenses_count: Option<i32>,
}
