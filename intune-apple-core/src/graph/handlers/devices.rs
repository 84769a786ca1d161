//! Imported Apple device identities of an enrollment program token (beta).

use super::permission::{SERVICE_CONFIG_READ, SERVICE_CONFIG_WRITE};
use crate::graph::client::{odata_string, seg, Call, Client};
use crate::graph::listing::{ItemStream, ProgressCallback};
use crate::graph::{ApiVersion, Error};
use crate::model::{
    ImportAppleDeviceIdentityListRequest, ImportedAppleDeviceIdentity,
    ImportedAppleDeviceIdentityResult,
};

const LIST: &str = "/deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities";

/// The devices Apple assigned to one token: `client.imported_devices(token_id)`.
///
/// Listing is a stream, page by page: 100,000 devices never sit in memory at once.
///
/// ```no_run
/// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
/// use futures::TryStreamExt as _;
/// let mut devices = client.imported_devices("token-id").list();
/// while let Some(device) = devices.try_next().await? {
///     println!("{:?}", device.serial_number);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ImportedDevices {
    client: Client,
    token_id: String,
}

impl Client {
    /// The imported devices of one enrollment program token (beta).
    #[must_use]
    pub fn imported_devices(&self, token_id: &str) -> ImportedDevices {
        ImportedDevices {
            client: self.clone(),
            token_id: token_id.to_owned(),
        }
    }
}

impl ImportedDevices {
    fn base(&self) -> String {
        format!(
            "/deviceManagement/depOnboardingSettings/{}/importedAppleDeviceIdentities",
            seg(&self.token_id)
        )
    }

    /// Every device of the token.
    #[must_use]
    pub fn list(&self) -> ItemStream<ImportedAppleDeviceIdentity> {
        self.list_with_progress(None)
    }

    /// As [`Self::list`], calling `progress` after each page.
    #[must_use]
    pub fn list_with_progress(
        &self,
        progress: Option<ProgressCallback>,
    ) -> ItemStream<ImportedAppleDeviceIdentity> {
        self.client.list(
            Call::get(ApiVersion::Beta, self.base(), LIST, SERVICE_CONFIG_READ),
            progress,
        )
    }

    /// The devices with this serial number (`$filter=serialNumber eq '...'`).
    #[must_use]
    pub fn find_by_serial(&self, serial_number: &str) -> ItemStream<ImportedAppleDeviceIdentity> {
        self.client.list(
            Call::get(ApiVersion::Beta, self.base(), LIST, SERVICE_CONFIG_READ).query(
                "$filter",
                format!("serialNumber eq {}", odata_string(serial_number)),
            ),
            None,
        )
    }

    /// Imports devices by serial number; one result per device.
    ///
    /// # Errors
    /// [`Error`]; [`ErrorKind::InvalidInput`](crate::graph::ErrorKind::InvalidInput) before any
    /// call when a device has no serial number (Intune would import an empty entry).
    pub async fn import(
        &self,
        devices: Vec<ImportedAppleDeviceIdentity>,
        overwrite: bool,
    ) -> Result<Vec<ImportedAppleDeviceIdentityResult>, Error> {
        if let Some(i) = devices.iter().position(|d| {
            d.serial_number
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
        }) {
            return Err(Error::new(
                crate::graph::ErrorKind::InvalidInput,
                "POST /deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities/importAppleDeviceIdentityList",
                format!(
                    "device {} of {} has no serial number: give every device its `serialNumber` \
                     (as shown in Apple Business Manager); nothing was sent",
                    i + 1,
                    devices.len()
                ),
            ));
        }
        let body = ImportAppleDeviceIdentityListRequest {
            imported_apple_device_identities: devices,
            overwrite_imported_device_identities: overwrite,
        };
        self.client
            .get_value(
                Call::post(
                    ApiVersion::Beta,
                    format!("{}/importAppleDeviceIdentityList", self.base()),
                    "/deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities/importAppleDeviceIdentityList",
                    SERVICE_CONFIG_WRITE,
                )
                .json_body(&body)?,
            )
            .await
    }

    /// Deletes one imported device.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn delete(&self, device_id: &str) -> Result<(), Error> {
        self.client
            .send_no_content(Call::new(
                reqwest::Method::DELETE,
                ApiVersion::Beta,
                format!("{}/{}", self.base(), seg(device_id)),
                "/deviceManagement/depOnboardingSettings/{id}/importedAppleDeviceIdentities/{deviceId}",
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }
}
