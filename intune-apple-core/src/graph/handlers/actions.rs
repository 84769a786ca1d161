//! The remaining actions and functions the beta metadata binds to these resources, each with the
//! version, verb, path and body the metadata gives: functions are `GET` with their parameters in
//! parentheses, actions are `POST` with their parameters as a JSON body.

use serde::Serialize;

use super::permission::{SERVICE_CONFIG_READ, SERVICE_CONFIG_WRITE};
use crate::graph::client::{odata_string, seg, Call};
use crate::graph::{ApiVersion, EnrollmentProgramTokens, Error, VppApps, VppTokens};
use crate::model::ReleaseAppleDevicesRequest;
use crate::Secret;

const APPS_WRITE: &str = "DeviceManagementApps.ReadWrite.All";

impl EnrollmentProgramTokens {
    /// How many VPP tokens expire before `expiring_before` (`GET
    /// /beta/deviceManagement/depOnboardingSettings/getExpiringVppTokenCount(expiringBeforeDateTime='...')`,
    /// a function returning `Edm.Int32`).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn expiring_vpp_token_count(
        &self,
        expiring_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<i32, Error> {
        const T: &str = "/deviceManagement/depOnboardingSettings/getExpiringVppTokenCount(expiringBeforeDateTime={at})";
        let at = expiring_before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let path = format!(
            "/deviceManagement/depOnboardingSettings/getExpiringVppTokenCount(expiringBeforeDateTime={})",
            seg(&odata_string(&at))
        );
        self.client
            .get_value(Call::get(ApiVersion::Beta, path, T, SERVICE_CONFIG_READ))
            .await
    }

    /// Releases devices from the Apple Business/School Manager server of token `id` (`POST
    /// .../depOnboardingSettings/{id}/releaseAppleDevices`, beta). **Destructive**: the devices
    /// leave the organisation at Apple. `dep_token` is the token's `.p7m` content.
    ///
    /// # Errors
    /// [`Error`]; `OutcomeUnknown` when the answer was lost (never resent).
    pub async fn release_apple_devices(
        &self,
        id: &str,
        dep_token: Secret,
        serial_numbers: &[String],
    ) -> Result<(), Error> {
        let body = ReleaseAppleDevicesRequest {
            dep_token,
            device_serial_numbers: serial_numbers.to_vec(),
        };
        self.client
            .send_no_content(
                Call::post(
                    ApiVersion::Beta,
                    format!(
                        "/deviceManagement/depOnboardingSettings/{}/releaseAppleDevices",
                        seg(id)
                    ),
                    "/deviceManagement/depOnboardingSettings/{id}/releaseAppleDevices",
                    SERVICE_CONFIG_WRITE,
                )
                .json_body(&body)?,
            )
            .await
    }
}

/// Body of `revokeLicenses` with its optional parameter.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevokeTokenLicenses {
    notify_managed_devices: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke_untracked_licenses: Option<bool>,
}

impl VppTokens {
    /// Asks Intune to refresh the licence counts of every VPP token (`POST
    /// /beta/deviceAppManagement/vppTokens/syncLicenseCounts`, an action bound to the collection).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn sync_license_counts(&self) -> Result<(), Error> {
        const T: &str = "/deviceAppManagement/vppTokens/syncLicenseCounts";
        self.client
            .send_no_content(Call::post(
                ApiVersion::Beta,
                T.into(),
                T,
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// [`VppTokens::revoke_licenses`] with `revokeUntrackedLicenses`: also revoke the licences
    /// Intune does not track (assigned outside Intune). Destructive.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn revoke_licenses_with_untracked(
        &self,
        id: &str,
        notify_managed_devices: bool,
        revoke_untracked_licenses: bool,
    ) -> Result<(), Error> {
        let call = Call::post(
            ApiVersion::Beta,
            format!("/deviceAppManagement/vppTokens/{}/revokeLicenses", seg(id)),
            "/deviceAppManagement/vppTokens/{id}/revokeLicenses",
            SERVICE_CONFIG_WRITE,
        )
        .json_body(&RevokeTokenLicenses {
            notify_managed_devices,
            revoke_untracked_licenses: Some(revoke_untracked_licenses),
        })?;
        self.client.send_no_content(call).await
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevokeOne<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    managed_device_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a str>,
    notify_managed_devices: bool,
}

impl VppApps {
    fn ios_action(&self, id: &str, action: &str) -> String {
        format!(
            "/deviceAppManagement/mobileApps/{}/microsoft.graph.iosVppApp/{action}",
            seg(id)
        )
    }

    /// Revokes every licence of iOS VPP app `id` (`POST
    /// .../mobileApps/{id}/microsoft.graph.iosVppApp/revokeAllLicenses`, beta). Destructive.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn revoke_all_licenses(
        &self,
        id: &str,
        notify_managed_devices: bool,
    ) -> Result<(), Error> {
        self.revoke(
            id,
            "revokeAllLicenses",
            "/deviceAppManagement/mobileApps/{id}/microsoft.graph.iosVppApp/revokeAllLicenses",
            RevokeOne {
                managed_device_id: None,
                user_id: None,
                notify_managed_devices,
            },
        )
        .await
    }

    /// Revokes the device licence of iOS VPP app `id` on managed device `managed_device_id`.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn revoke_device_license(
        &self,
        id: &str,
        managed_device_id: &str,
        notify_managed_devices: bool,
    ) -> Result<(), Error> {
        self.revoke(
            id,
            "revokeDeviceLicense",
            "/deviceAppManagement/mobileApps/{id}/microsoft.graph.iosVppApp/revokeDeviceLicense",
            RevokeOne {
                managed_device_id: Some(managed_device_id),
                user_id: None,
                notify_managed_devices,
            },
        )
        .await
    }

    /// Revokes the user licence of iOS VPP app `id` for user `user_id`.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn revoke_user_license(
        &self,
        id: &str,
        user_id: &str,
        notify_managed_devices: bool,
    ) -> Result<(), Error> {
        self.revoke(
            id,
            "revokeUserLicense",
            "/deviceAppManagement/mobileApps/{id}/microsoft.graph.iosVppApp/revokeUserLicense",
            RevokeOne {
                managed_device_id: None,
                user_id: Some(user_id),
                notify_managed_devices,
            },
        )
        .await
    }

    async fn revoke(
        &self,
        id: &str,
        action: &str,
        template: &'static str,
        body: RevokeOne<'_>,
    ) -> Result<(), Error> {
        let call = Call::post(
            ApiVersion::Beta,
            self.ios_action(id, action),
            template,
            APPS_WRITE,
        )
        .json_body(&body)?;
        self.client.send_no_content(call).await
    }
}
