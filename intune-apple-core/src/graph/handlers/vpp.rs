//! VPP (Apps and Books) location tokens.

use serde::Serialize;

use super::permission::{SERVICE_CONFIG_READ, SERVICE_CONFIG_WRITE};
use crate::graph::client::{odata_string, seg, Call, Client, ItemStream, ProgressCallback};
use crate::graph::{ApiVersion, Error};
use crate::model::VppToken;
use crate::Secret;

const LIST: &str = "/deviceAppManagement/vppTokens";
const ONE: &str = "/deviceAppManagement/vppTokens/{id}";

/// VPP tokens: `client.vpp_tokens()`.
///
/// ```no_run
/// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
/// use futures::TryStreamExt as _;
/// let tokens: Vec<_> = client.vpp_tokens().list().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct VppTokens {
    client: Client,
}

impl Client {
    /// VPP (Apps and Books) tokens.
    #[must_use]
    pub fn vpp_tokens(&self) -> VppTokens {
        VppTokens {
            client: self.clone(),
        }
    }
}

/// Body of a VPP token creation.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateVppToken<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    token: &'a Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_or_region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automatically_update_apps: Option<bool>,
}

impl VppTokens {
    /// Every VPP token (beta, for `displayName` and `locationName`).
    #[must_use]
    pub fn list(&self) -> ItemStream<VppToken> {
        self.list_with_progress(None)
    }

    /// As [`Self::list`], calling `progress` after each page.
    #[must_use]
    pub fn list_with_progress(&self, progress: Option<ProgressCallback>) -> ItemStream<VppToken> {
        self.client.list(
            Call::get(ApiVersion::Beta, LIST.into(), LIST, SERVICE_CONFIG_READ),
            progress,
        )
    }

    /// One VPP token.
    ///
    /// # Errors
    /// [`Error`]; `NotFound` for an unknown id.
    pub async fn get(&self, id: &str) -> Result<VppToken, Error> {
        self.client
            .get_entity(Call::get(
                ApiVersion::Beta,
                format!("{LIST}/{}", seg(id)),
                ONE,
                SERVICE_CONFIG_READ,
            ))
            .await
    }

    /// Uploads a `.vpptoken` as a **new** token. For a renewal use [`Self::renew`]: a second
    /// token for the same location duplicates every app.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn create(
        &self,
        token_file: &Secret,
        display_name: Option<&str>,
        country_or_region: Option<&str>,
        automatically_update_apps: Option<bool>,
    ) -> Result<VppToken, Error> {
        let body = CreateVppToken {
            odata_type: "#microsoft.graph.vppToken",
            token: token_file,
            display_name,
            country_or_region,
            automatically_update_apps,
        };
        self.client
            .get_entity(
                Call::post(ApiVersion::Beta, LIST.into(), LIST, SERVICE_CONFIG_WRITE)
                    .json_body(&body)?,
            )
            .await
    }

    /// Renews a token in place: `PATCH {"token": ...}` on the existing id (what the portal's
    /// "upload the renewed token into the existing token" does). Follow with
    /// [`Self::sync_licenses`].
    ///
    /// # Errors
    /// [`Error`]; `OutcomeUnknown` if the answer was lost (read the token back).
    pub async fn renew(&self, id: &str, token_file: &Secret) -> Result<(), Error> {
        #[derive(Serialize)]
        struct Renew<'a> {
            token: &'a Secret,
        }
        let call = Call::new(
            reqwest::Method::PATCH,
            ApiVersion::Beta,
            format!("{LIST}/{}", seg(id)),
            ONE,
            SERVICE_CONFIG_WRITE,
        )
        .json_body(&Renew { token: token_file })?;
        self.client.send_no_content(call).await
    }

    /// Deletes a token (only once its apps' assignments have moved to the current token).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.client
            .send_no_content(Call::new(
                reqwest::Method::DELETE,
                ApiVersion::Beta,
                format!("{LIST}/{}", seg(id)),
                ONE,
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Starts a licence sync with Apple; returns the token as Intune reports it.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn sync_licenses(&self, id: &str) -> Result<VppToken, Error> {
        self.client
            .get_entity(Call::post(
                ApiVersion::Beta,
                format!("{LIST}/{}/syncLicenses", seg(id)),
                "/deviceAppManagement/vppTokens/{id}/syncLicenses",
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Revokes every licence of the token (beta). Destructive.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn revoke_licenses(
        &self,
        id: &str,
        notify_managed_devices: bool,
    ) -> Result<(), Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Revoke {
            notify_managed_devices: bool,
        }
        let call = Call::post(
            ApiVersion::Beta,
            format!("{LIST}/{}/revokeLicenses", seg(id)),
            "/deviceAppManagement/vppTokens/{id}/revokeLicenses",
            SERVICE_CONFIG_WRITE,
        )
        .json_body(&Revoke {
            notify_managed_devices,
        })?;
        self.client.send_no_content(call).await
    }

    /// Licence counts of an app (by bundle id) on every token (beta `getLicensesForApp`).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn licenses_for_app(
        &self,
        bundle_id: &str,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, Error> {
        let path = format!(
            "{LIST}/getLicensesForApp(bundleId={})",
            seg(&odata_string(bundle_id))
        );
        self.client
            .get_value(Call::get(
                ApiVersion::Beta,
                path,
                "/deviceAppManagement/vppTokens/getLicensesForApp(bundleId={bundleId})",
                SERVICE_CONFIG_READ,
            ))
            .await
    }
}
