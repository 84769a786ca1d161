//! The Apple MDM push certificate.

use super::permission::{PUSH_READ, SERVICE_CONFIG_READ, SERVICE_CONFIG_WRITE};
use crate::graph::client::{Call, Client};
use crate::graph::{ApiVersion, Error};
use crate::model::{
    ApplePushNotificationCertificate, ApplePushNotificationCertificateUpdate, DataSharingConsent,
};
use crate::Secret;

const PATH: &str = "/deviceManagement/applePushNotificationCertificate";
const CONSENT: &str = "/deviceManagement/dataSharingConsents/appleMDMPushCertificate";

/// The tenant's Apple MDM push certificate: `client.push_certificate()`.
///
/// ```no_run
/// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
/// let cert = client.push_certificate().get().await?;
/// let csr = client.push_certificate().download_csr().await?; // upload it at Apple's portal
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PushCertificate {
    client: Client,
}

impl Client {
    /// The Apple MDM push certificate.
    #[must_use]
    pub fn push_certificate(&self) -> PushCertificate {
        PushCertificate {
            client: self.clone(),
        }
    }
}

impl PushCertificate {
    /// Reads the push certificate (`GET /beta/deviceManagement/applePushNotificationCertificate`).
    ///
    /// # Errors
    /// [`Error`]; `NotFound` when the tenant has none.
    pub async fn get(&self) -> Result<ApplePushNotificationCertificate, Error> {
        self.client
            .get_entity(Call::get(ApiVersion::Beta, PATH.into(), PATH, PUSH_READ))
            .await
    }

    /// Downloads the certificate signing request to upload at Apple's Push Certificates Portal
    /// (`.../downloadApplePushNotificationCertificateSigningRequest`). Returns the CSR text.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn download_csr(&self) -> Result<String, Error> {
        const T: &str = "/deviceManagement/applePushNotificationCertificate/downloadApplePushNotificationCertificateSigningRequest";
        self.client
            .get_value(Call::get(ApiVersion::V1, T.into(), T, SERVICE_CONFIG_WRITE))
            .await
    }

    /// Generates a new certificate signing request for a **first set-up** of the push
    /// certificate (`POST /beta/deviceManagement/applePushNotificationCertificate/generateApplePushNotificationCertificateSigningRequest`,
    /// an action returning `Edm.String`). Upload it at Apple's portal with *Create a
    /// Certificate*. For a renewal use [`Self::download_csr`]: a new request does not help renew
    /// the certificate in use.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn generate_csr(&self) -> Result<String, Error> {
        const T: &str = "/deviceManagement/applePushNotificationCertificate/generateApplePushNotificationCertificateSigningRequest";
        self.client
            .get_value(Call::post(
                ApiVersion::Beta,
                T.into(),
                T,
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Uploads a renewed certificate: `PATCH` with the Apple ID and the PEM text. Check the file
    /// first with `files::check_renewal`: Intune accepts a certificate with another topic, and
    /// that silently breaks every device. Returns the certificate as Intune now has it.
    ///
    /// # Errors
    /// [`Error`]; `OutcomeUnknown` if the answer was lost (read it back with [`Self::get`]).
    pub async fn upload(
        &self,
        apple_id: &str,
        pem: Secret,
    ) -> Result<ApplePushNotificationCertificate, Error> {
        let body = ApplePushNotificationCertificateUpdate {
            odata_type: Some("#microsoft.graph.applePushNotificationCertificate".into()),
            apple_identifier: apple_id.to_owned(),
            certificate: pem,
        };
        let call = Call::new(
            reqwest::Method::PATCH,
            ApiVersion::V1,
            PATH.into(),
            PATH,
            SERVICE_CONFIG_WRITE,
        )
        .json_body(&body)?;
        let raw = self.client.execute(call).await?;
        if raw.body.is_empty() {
            return self.get().await;
        }
        crate::model::decode::<crate::model::Entity<ApplePushNotificationCertificate>>(&raw.body)
            .map(crate::model::Entity::into_inner)
            .map_err(|e| Error::decode(format!("PATCH /v1.0{PATH}"), e))
    }

    /// The data-sharing consent Intune needs before the first upload (beta).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn data_sharing_consent(&self) -> Result<DataSharingConsent, Error> {
        self.client
            .get_entity(Call::get(
                ApiVersion::Beta,
                CONSENT.into(),
                CONSENT,
                SERVICE_CONFIG_READ,
            ))
            .await
    }

    /// Grants the data-sharing consent (one-way: it cannot be revoked).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn grant_data_sharing_consent(&self) -> Result<DataSharingConsent, Error> {
        const T: &str =
            "/deviceManagement/dataSharingConsents/appleMDMPushCertificate/consentToDataSharing";
        self.client
            .get_entity(Call::post(
                ApiVersion::Beta,
                T.into(),
                T,
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }
}
