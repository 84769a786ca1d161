//! VPP apps (iOS/iPadOS and macOS) and their assignments.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::StreamExt as _;

use crate::graph::client::{odata_string, seg, Call, Client};
use crate::graph::listing::{ItemStream, PageProgress, ProgressCallback};
use crate::graph::{ApiVersion, Error};
use crate::model::{
    AssignmentTarget, MobileApp, MobileAppAssignRequest, MobileAppAssignment,
    MobileAppAssignmentSettings,
};

const APPS: &str = "/deviceAppManagement/mobileApps";
const APPS_READ: &str = "DeviceManagementApps.Read.All";
const APPS_WRITE: &str = "DeviceManagementApps.ReadWrite.All";

/// VPP apps: `client.vpp_apps()`.
///
/// ```no_run
/// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
/// use futures::TryStreamExt as _;
/// let apps: Vec<_> = client.vpp_apps().list_by_token("vpp-token-id").try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct VppApps {
    pub(super) client: Client,
}

impl Client {
    /// VPP apps (beta, for `vppTokenId`).
    #[must_use]
    pub fn vpp_apps(&self) -> VppApps {
        VppApps {
            client: self.clone(),
        }
    }
}

impl VppApps {
    /// Every iOS/iPadOS and macOS VPP app of the tenant.
    #[must_use]
    pub fn list(&self) -> ItemStream<MobileApp> {
        self.list_with_progress(None)
    }

    /// As [`Self::list`], calling `progress` after each page. iOS and macOS apps are asked in
    /// two listings (`isof(...)` once each, the filter form proven on real tenants); the
    /// progress counts both together, so it never goes back when the macOS listing starts.
    ///
    /// ```no_run
    /// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
    /// use futures::TryStreamExt as _;
    /// use std::sync::Arc;
    /// let apps: Vec<_> = client
    ///     .vpp_apps()
    ///     .list_with_progress(Some(Arc::new(|p| eprintln!("{} apps in {} pages", p.items, p.pages))))
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    #[allow(clippy::needless_pass_by_value)] // same signature as every other listing
    pub fn list_with_progress(&self, progress: Option<ProgressCallback>) -> ItemStream<MobileApp> {
        // What the iOS listing reported last: the macOS listing's progress starts from there.
        let ios_items = Arc::new(AtomicU64::new(0));
        let ios_pages = Arc::new(AtomicU64::new(0));
        let ios_progress: Option<ProgressCallback> = progress.clone().map(|cb| {
            let (items, pages) = (ios_items.clone(), ios_pages.clone());
            Arc::new(move |p: PageProgress| {
                items.store(p.items, Ordering::Relaxed);
                pages.store(p.pages, Ordering::Relaxed);
                cb(p);
            }) as ProgressCallback
        });
        let mac_progress: Option<ProgressCallback> = progress.map(|cb| {
            Arc::new(move |p: PageProgress| {
                cb(PageProgress {
                    items: ios_items.load(Ordering::Relaxed) + p.items,
                    pages: ios_pages.load(Ordering::Relaxed) + p.pages,
                });
            }) as ProgressCallback
        });
        let of_type = |short: &'static str, progress: Option<ProgressCallback>| {
            // Members of an `isof` listing may come without `@odata.type`: they are of that type.
            futures::TryStreamExt::map_ok(
                self.client.list(
                    Call::get(ApiVersion::Beta, APPS.into(), APPS, APPS_READ)
                        .query("$filter", format!("isof('microsoft.graph.{short}')")),
                    progress,
                ),
                move |app: MobileApp| app.with_declared_type(short),
            )
        };
        Box::pin(of_type("iosVppApp", ios_progress).chain(of_type("macOsVppApp", mac_progress)))
    }

    /// The VPP apps of one VPP token (`$filter=vppTokenId eq '...'`, beta).
    #[must_use]
    pub fn list_by_token(&self, vpp_token_id: &str) -> ItemStream<MobileApp> {
        self.client.list(
            Call::get(ApiVersion::Beta, APPS.into(), APPS, APPS_READ).query(
                "$filter",
                format!("vppTokenId eq {}", odata_string(vpp_token_id)),
            ),
            None,
        )
    }

    /// One app.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn get(&self, app_id: &str) -> Result<MobileApp, Error> {
        self.client
            .get_entity(Call::get(
                ApiVersion::Beta,
                format!("{APPS}/{}", seg(app_id)),
                "/deviceAppManagement/mobileApps/{appId}",
                APPS_READ,
            ))
            .await
    }

    /// The assignments of one app.
    #[must_use]
    pub fn assignments(&self, app_id: &str) -> ItemStream<MobileAppAssignment> {
        self.client.list(
            Call::get(
                ApiVersion::Beta,
                format!("{APPS}/{}/assignments", seg(app_id)),
                "/deviceAppManagement/mobileApps/{appId}/assignments",
                APPS_READ,
            ),
            None,
        )
    }

    /// Replaces the app's assignments with `assignments` (Graph's `assign` action sets the
    /// whole list: read the current ones first to add to them).
    ///
    /// # Errors
    /// [`Error`]; `OutcomeUnknown` when the answer was lost (read the assignments back).
    pub async fn assign(
        &self,
        app_id: &str,
        assignments: Vec<MobileAppAssignment>,
    ) -> Result<(), Error> {
        let call = Call::post(
            ApiVersion::Beta,
            format!("{APPS}/{}/assign", seg(app_id)),
            "/deviceAppManagement/mobileApps/{appId}/assign",
            APPS_WRITE,
        );
        let typed: Option<Vec<serde_json::Value>> =
            assignments.iter().map(typed_assignment).collect();
        let call = match typed {
            Some(list) => call.json_body(&serde_json::json!({ "mobileAppAssignments": list }))?,
            None => call.json_body(&MobileAppAssignRequest {
                mobile_app_assignments: assignments,
            })?,
        };
        self.client.send_no_content(call).await
    }
}

/// An assignment as sent to Graph: the assignment, its `target` and its `settings` carry the
/// `@odata.type` of their variants even when the values were built without one. Graph needs
/// them to tell a group from an excluded group (the same properties) or from all devices.
/// `None` when the value does not encode (then `json_body` reports why).
fn typed_assignment(assignment: &MobileAppAssignment) -> Option<serde_json::Value> {
    use serde_json::Value;
    let target_type = assignment.target.as_ref().and_then(|t| match t {
        AssignmentTarget::Group(_) => Some("groupAssignmentTarget"),
        AssignmentTarget::ExclusionGroup(_) => Some("exclusionGroupAssignmentTarget"),
        AssignmentTarget::AllLicensedUsers(_) => Some("allLicensedUsersAssignmentTarget"),
        AssignmentTarget::AllDevices(_) => Some("allDevicesAssignmentTarget"),
        AssignmentTarget::ConfigurationManagerCollection(_) => {
            Some("configurationManagerCollectionAssignmentTarget")
        }
        _ => None,
    });
    let settings_type = assignment.settings.as_ref().and_then(|s| match s {
        MobileAppAssignmentSettings::IosVppApp(_) => Some("iosVppAppAssignmentSettings"),
        MobileAppAssignmentSettings::MacOsVppApp(_) => Some("macOsVppAppAssignmentSettings"),
        _ => None,
    });
    let mut value = serde_json::to_value(assignment).ok()?;
    let map = value.as_object_mut()?;
    map.entry("@odata.type")
        .or_insert_with(|| Value::String("#microsoft.graph.mobileAppAssignment".into()));
    for (key, ty) in [("target", target_type), ("settings", settings_type)] {
        if let (Some(ty), Some(Value::Object(inner))) = (ty, map.get_mut(key)) {
            inner.insert(
                "@odata.type".into(),
                Value::String(format!("#microsoft.graph.{ty}")),
            );
        }
    }
    Some(value)
}
