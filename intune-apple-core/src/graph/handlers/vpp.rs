//! VPP (Apps and Books) location tokens.

use super::permission::{SERVICE_CONFIG_READ, SERVICE_CONFIG_WRITE};
use crate::graph::client::{odata_string, seg, Call, Client};
use crate::graph::listing::{ItemStream, ProgressCallback};
use crate::graph::{ApiVersion, Error};
use crate::model::{
    RevokeLicensesRequest, VppToken, VppTokenCreateRequest, VppTokenLicenseSummary,
    VppTokenRenewRequest,
};
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
    pub(super) client: Client,
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
    pub async fn create(&self, request: &VppTokenCreateRequest) -> Result<VppToken, Error> {
        let mut body = request.clone();
        body.odata_type
            .get_or_insert_with(|| "#microsoft.graph.vppToken".to_owned());
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
        let call = Call::new(
            reqwest::Method::PATCH,
            ApiVersion::Beta,
            format!("{LIST}/{}", seg(id)),
            ONE,
            SERVICE_CONFIG_WRITE,
        )
        .json_body(&VppTokenRenewRequest {
            token: token_file.clone(),
        })?;
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
        let call = Call::post(
            ApiVersion::Beta,
            format!("{LIST}/{}/revokeLicenses", seg(id)),
            "/deviceAppManagement/vppTokens/{id}/revokeLicenses",
            SERVICE_CONFIG_WRITE,
        )
        .json_body(&RevokeLicensesRequest {
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
    ) -> Result<Vec<VppTokenLicenseSummary>, Error> {
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
