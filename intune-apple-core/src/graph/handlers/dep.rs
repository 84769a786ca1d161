//! Enrollment program tokens (Apple Business/School Manager, "DEP" tokens) and their
//! enrollment profiles. Beta only.

use serde::Serialize;

use super::permission::{SERVICE_CONFIG_READ, SERVICE_CONFIG_WRITE};
use crate::graph::client::{seg, Call, Client};
use crate::graph::listing::{ItemStream, ProgressCallback};
use crate::graph::{ApiVersion, Error, ErrorKind};
use crate::model::{
    DepOnboardingSetting, EnrollmentProfile, UpdateDeviceProfileAssignmentRequest,
    UploadDepTokenRequest,
};
use crate::rules::{SyncDecision, SyncKind, SyncPolicy, SyncTimes};
use crate::Secret;

const LIST: &str = "/deviceManagement/depOnboardingSettings";
const ONE: &str = "/deviceManagement/depOnboardingSettings/{id}";

/// The profile as sent to Graph, with the `@odata.type` of its variant even when the value
/// was built without one: Graph creates the derived type it names (an iOS or a macOS profile),
/// and a body without it does not say which.
/// `None` when the profile does not encode (then `json_body` reports why).
fn typed(profile: &EnrollmentProfile) -> Option<serde_json::Value> {
    let odata_type = match profile {
        EnrollmentProfile::DepIos(_) => Some("depIOSEnrollmentProfile"),
        EnrollmentProfile::DepMacOs(_) => Some("depMacOSEnrollmentProfile"),
        EnrollmentProfile::DepTvOs(_) => Some("depTvOSEnrollmentProfile"),
        EnrollmentProfile::DepVisionOs(_) => Some("depVisionOSEnrollmentProfile"),
        EnrollmentProfile::DepEnrollmentProfile(_) => Some("depEnrollmentProfile"),
        _ => None,
    };
    let mut value = serde_json::to_value(profile).ok()?;
    // tvOS and visionOS profiles derive from `enrollmentProfile`, not from
    // `depEnrollmentBaseProfile`: send only the properties that type declares.
    if matches!(
        profile,
        EnrollmentProfile::DepTvOs(_) | EnrollmentProfile::DepVisionOs(_)
    ) {
        if let Some(map) = value.as_object_mut() {
            map.retain(|k, _| ENROLLMENT_PROFILE_PROPERTIES.contains(&k.as_str()));
        }
    }
    if let (Some(ty), Some(map)) = (odata_type, value.as_object_mut()) {
        // The variant says which type is meant, whatever the inner value carried.
        map.insert(
            "@odata.type".into(),
            serde_json::Value::String(format!("#microsoft.graph.{ty}")),
        );
    }
    Some(value)
}

/// The properties `enrollmentProfile` declares (beta metadata), with `id` and `@odata.type`.
pub(crate) const ENROLLMENT_PROFILE_PROPERTIES: &[&str] = &[
    "@odata.type",
    "id",
    "configurationEndpointUrl",
    "description",
    "displayName",
    "enableAuthenticationViaCompanyPortal",
    "requireCompanyPortalOnSetupAssistantEnrolledDevices",
    "requiresUserAuthentication",
];

/// A call with the profile as its body, typed by [`typed`].
fn with_profile(call: Call, profile: &EnrollmentProfile) -> Result<Call, Error> {
    match typed(profile) {
        Some(value) => call.json_body(&value),
        None => call.json_body(profile),
    }
}

/// How far `updateDeviceProfileAssignment` is asked at once.
pub const ASSIGNMENT_BATCH: usize = 1_000;

/// Enrollment program tokens: `client.enrollment_program_tokens()`.
///
/// ```no_run
/// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
/// use futures::TryStreamExt as _;
/// let tokens: Vec<_> = client.enrollment_program_tokens().list().try_collect().await?;
/// for t in &tokens {
///     println!("{:?} expires {:?}", t.token_name, t.token_expiration_date_time);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct EnrollmentProgramTokens {
    pub(super) client: Client,
}

/// Options of [`EnrollmentProgramTokens::sync`].
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// The throttling rules checked before asking Intune (default: iOS docs' rules).
    pub policy: SyncPolicy,
    /// When the last full sync ran, if the caller tracks it (Graph does not report it).
    pub last_full_sync: Option<chrono::DateTime<chrono::Utc>>,
    /// Skip the client-side check and ask Intune anyway.
    pub force: bool,
}

impl Client {
    /// Enrollment program tokens (beta).
    #[must_use]
    pub fn enrollment_program_tokens(&self) -> EnrollmentProgramTokens {
        EnrollmentProgramTokens {
            client: self.clone(),
        }
    }

    /// The enrollment profiles of one enrollment program token (beta).
    #[must_use]
    pub fn enrollment_profiles(&self, token_id: &str) -> EnrollmentProfiles {
        EnrollmentProfiles {
            client: self.clone(),
            token_id: token_id.to_owned(),
        }
    }
}

impl EnrollmentProgramTokens {
    fn path(id: &str, suffix: &str) -> String {
        format!("{LIST}/{}{suffix}", seg(id))
    }

    /// Every enrollment program token.
    #[must_use]
    pub fn list(&self) -> ItemStream<DepOnboardingSetting> {
        self.list_with_progress(None)
    }

    /// As [`Self::list`], calling `progress` after each page.
    #[must_use]
    pub fn list_with_progress(
        &self,
        progress: Option<ProgressCallback>,
    ) -> ItemStream<DepOnboardingSetting> {
        self.client.list(
            Call::get(ApiVersion::Beta, LIST.into(), LIST, SERVICE_CONFIG_READ),
            progress,
        )
    }

    /// One token, with its default iOS, macOS, tvOS and visionOS profiles expanded.
    ///
    /// # Errors
    /// [`Error`]; `NotFound` for an unknown id.
    pub async fn get(&self, id: &str) -> Result<DepOnboardingSetting, Error> {
        self.client
            .get_entity(
                Call::get(
                    ApiVersion::Beta,
                    Self::path(id, ""),
                    ONE,
                    SERVICE_CONFIG_READ,
                )
                .query(
                    "$expand",
                    "defaultIosEnrollmentProfile,defaultMacOsEnrollmentProfile,defaultTvOSEnrollmentProfile,defaultVisionOSEnrollmentProfile",
                ),
            )
            .await
    }

    /// The public key certificate (PEM) to upload to Apple Business/School Manager when renewing
    /// the token. Use this, not [`Self::generate_encryption_public_key`], for a renewal.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn get_encryption_public_key(&self, id: &str) -> Result<String, Error> {
        self.client
            .get_value(Call::get(
                ApiVersion::Beta,
                Self::path(id, "/getEncryptionPublicKey"),
                "/deviceManagement/depOnboardingSettings/{id}/getEncryptionPublicKey",
                SERVICE_CONFIG_READ,
            ))
            .await
    }

    /// Generates a **new** key pair and returns its public key: only for a new token. On a token
    /// in use it breaks the next renewal, whose `.p7m` was encrypted for the old key.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn generate_encryption_public_key(&self, id: &str) -> Result<String, Error> {
        self.client
            .get_value(Call::post(
                ApiVersion::Beta,
                Self::path(id, "/generateEncryptionPublicKey"),
                "/deviceManagement/depOnboardingSettings/{id}/generateEncryptionPublicKey",
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Creates an (empty) enrollment program token entry; then generate its key and upload the
    /// `.p7m`.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn create(&self, token_name: &str) -> Result<DepOnboardingSetting, Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Create<'a> {
            #[serde(rename = "@odata.type")]
            odata_type: &'static str,
            token_name: &'a str,
        }
        self.client
            .get_entity(
                Call::post(ApiVersion::Beta, LIST.into(), LIST, SERVICE_CONFIG_WRITE).json_body(
                    &Create {
                        odata_type: "#microsoft.graph.depOnboardingSetting",
                        token_name,
                    },
                )?,
            )
            .await
    }

    /// Uploads (renews) the `.p7m` server token from Apple into token `id`.
    ///
    /// # Errors
    /// [`Error`]; `OutcomeUnknown` when the answer was lost (read the token back and compare
    /// `tokenExpirationDateTime`).
    pub async fn upload_token(&self, id: &str, apple_id: &str, p7m: Secret) -> Result<(), Error> {
        let body = UploadDepTokenRequest {
            apple_id: apple_id.to_owned(),
            dep_token: p7m,
        };
        self.client
            .send_no_content(
                Call::post(
                    ApiVersion::Beta,
                    Self::path(id, "/uploadDepToken"),
                    "/deviceManagement/depOnboardingSettings/{id}/uploadDepToken",
                    SERVICE_CONFIG_WRITE,
                )
                .json_body(&body)?,
            )
            .await
    }

    /// Asks Intune to sync the token with Apple. Unless `options.force`, the throttling rules
    /// are checked first against the token's last sync times, and a sync Intune would refuse
    /// fails with [`ErrorKind::SyncTooSoon`] (with the next allowed time) without any call.
    ///
    /// # Errors
    /// [`Error`]; `SyncTooSoon` from the client-side check or from Intune.
    pub async fn sync(&self, id: &str, options: &SyncOptions) -> Result<(), Error> {
        const T: &str =
            "/deviceManagement/depOnboardingSettings/{id}/syncWithAppleDeviceEnrollmentProgram";
        let op = format!("POST /beta{T}");
        if !options.force {
            let token = self.get(id).await?;
            let times = SyncTimes {
                last_triggered: token.last_sync_triggered_date_time,
                last_successful: token.last_successful_sync_date_time,
                last_full: options.last_full_sync,
            };
            let now = self.client.clock().now();
            if let SyncDecision::Denied {
                reason,
                next_allowed_at,
            } = options.policy.decide(SyncKind::Delta, &times, now)
            {
                return Err(Error::new(
                    ErrorKind::SyncTooSoon,
                    op,
                    format!("Intune would refuse this sync ({})", reason.code()),
                )
                .with_next_allowed_at(next_allowed_at));
            }
        }
        let result = self
            .client
            .send_no_content(Call::post(
                ApiVersion::Beta,
                Self::path(id, "/syncWithAppleDeviceEnrollmentProgram"),
                T,
                SERVICE_CONFIG_WRITE,
            ))
            .await;
        match result {
            Err(e) if e.kind() == ErrorKind::Conflict => {
                let now = self.client.clock().now();
                let next = e
                    .retry_after()
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .map(|d| now + d);
                let e = e.with_kind(ErrorKind::SyncTooSoon);
                Err(match next {
                    Some(at) => e.with_next_allowed_at(at),
                    None => e,
                })
            }
            other => other,
        }
    }

    /// Shares the token with School Data Sync (Apple School Manager).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn share_for_school_data_sync(&self, id: &str) -> Result<(), Error> {
        self.action(
            id,
            "shareForSchoolDataSyncService",
            "/deviceManagement/depOnboardingSettings/{id}/shareForSchoolDataSyncService",
        )
        .await
    }

    /// Stops sharing the token with School Data Sync.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn unshare_for_school_data_sync(&self, id: &str) -> Result<(), Error> {
        self.action(
            id,
            "unshareForSchoolDataSyncService",
            "/deviceManagement/depOnboardingSettings/{id}/unshareForSchoolDataSyncService",
        )
        .await
    }

    async fn action(
        &self,
        id: &str,
        name: &'static str,
        template: &'static str,
    ) -> Result<(), Error> {
        self.client
            .send_no_content(Call::post(
                ApiVersion::Beta,
                Self::path(id, &format!("/{name}")),
                template,
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Deletes the token from Intune (devices stay in Apple Business Manager).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.client
            .send_no_content(Call::new(
                reqwest::Method::DELETE,
                ApiVersion::Beta,
                Self::path(id, ""),
                ONE,
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }
}

/// The enrollment profiles of one token: `client.enrollment_profiles(token_id)`.
///
/// ```no_run
/// # async fn run(client: intune_apple_core::graph::Client) -> Result<(), intune_apple_core::graph::Error> {
/// use futures::TryStreamExt as _;
/// let profiles = client.enrollment_profiles("token-id");
/// let all: Vec<_> = profiles.list().try_collect().await?;
/// if let Some(id) = all.iter().find_map(|p| p.id()) {
///     // Assign devices by serial number, 1,000 per request; one result per batch.
///     let serials = vec!["C02XK1JHJG5J".to_string()];
///     for batch in profiles.assign_devices(id, &serials).await {
///         batch.result?;
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct EnrollmentProfiles {
    client: Client,
    token_id: String,
}

/// The outcome of one batch of [`EnrollmentProfiles::assign_devices`].
#[derive(Debug)]
pub struct AssignmentBatch {
    /// The serial numbers of this batch.
    pub serial_numbers: Vec<String>,
    /// `Ok` when Intune accepted the batch.
    pub result: Result<(), Error>,
}

impl EnrollmentProfiles {
    fn base(&self) -> String {
        format!("{LIST}/{}/enrollmentProfiles", seg(&self.token_id))
    }

    fn one(&self, profile_id: &str, suffix: &str) -> String {
        format!("{}/{}{suffix}", self.base(), seg(profile_id))
    }

    /// Every profile of the token (iOS, macOS, and any other type, kept as `Other`).
    #[must_use]
    pub fn list(&self) -> ItemStream<EnrollmentProfile> {
        // Members may come without `@odata.type`: resolved by their properties.
        Box::pin(futures::TryStreamExt::map_ok(
            self.client.list(
                Call::get(
                    ApiVersion::Beta,
                    self.base(),
                    "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles",
                    SERVICE_CONFIG_READ,
                ),
                None,
            ),
            EnrollmentProfile::resolve_untyped,
        ))
    }

    /// One profile.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn get(&self, profile_id: &str) -> Result<EnrollmentProfile, Error> {
        self.client
            .get_entity(Call::get(
                ApiVersion::Beta,
                self.one(profile_id, ""),
                "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{profileId}",
                SERVICE_CONFIG_READ,
            ))
            .await
    }

    /// Creates a profile (validate it first with the rules). The body carries the
    /// `@odata.type` of the variant (iOS, macOS, ...) even when the value has none.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn create(&self, profile: &EnrollmentProfile) -> Result<EnrollmentProfile, Error> {
        self.client
            .get_entity(with_profile(
                Call::post(
                    ApiVersion::Beta,
                    self.base(),
                    "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles",
                    SERVICE_CONFIG_WRITE,
                ),
                profile,
            )?)
            .await
    }

    /// Updates a profile (PATCH with the given properties).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn update(&self, profile_id: &str, changes: &EnrollmentProfile) -> Result<(), Error> {
        self.client
            .send_no_content(with_profile(
                Call::new(
                    reqwest::Method::PATCH,
                    ApiVersion::Beta,
                    self.one(profile_id, ""),
                    "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{profileId}",
                    SERVICE_CONFIG_WRITE,
                ),
                changes,
            )?)
            .await
    }

    /// Deletes a profile.
    ///
    /// # Errors
    /// [`Error`].
    pub async fn delete(&self, profile_id: &str) -> Result<(), Error> {
        self.client
            .send_no_content(Call::new(
                reqwest::Method::DELETE,
                ApiVersion::Beta,
                self.one(profile_id, ""),
                "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{profileId}",
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Makes the profile the token's default (Intune answers 204, or 200 on some tenants).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn set_default(&self, profile_id: &str) -> Result<(), Error> {
        self.client
            .send_no_content(Call::post(
                ApiVersion::Beta,
                self.one(profile_id, "/setDefaultProfile"),
                "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{profileId}/setDefaultProfile",
                SERVICE_CONFIG_WRITE,
            ))
            .await
    }

    /// Assigns devices (serial numbers) to the profile, in batches of [`ASSIGNMENT_BATCH`]; one
    /// result per batch, in order. A failed batch does not stop the next ones.
    pub async fn assign_devices(
        &self,
        profile_id: &str,
        serial_numbers: &[String],
    ) -> Vec<AssignmentBatch> {
        let mut out = Vec::new();
        for chunk in serial_numbers.chunks(ASSIGNMENT_BATCH) {
            let body = UpdateDeviceProfileAssignmentRequest {
                device_ids: chunk.to_vec(),
            };
            let result = match Call::post(
                ApiVersion::Beta,
                self.one(profile_id, "/updateDeviceProfileAssignment"),
                "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{profileId}/updateDeviceProfileAssignment",
                SERVICE_CONFIG_WRITE,
            )
            .json_body(&body)
            {
                Ok(call) => self.client.send_no_content(call).await,
                Err(e) => Err(e),
            };
            out.push(AssignmentBatch {
                serial_numbers: chunk.to_vec(),
                result,
            });
        }
        out
    }

    /// The profile as a `.mobileconfig` (for Apple Configurator enrollment).
    ///
    /// # Errors
    /// [`Error`].
    pub async fn export_mobile_config(&self, profile_id: &str) -> Result<String, Error> {
        self.client
            .get_value(Call::get(
                ApiVersion::Beta,
                self.one(profile_id, "/exportMobileConfig"),
                "/deviceManagement/depOnboardingSettings/{id}/enrollmentProfiles/{profileId}/exportMobileConfig",
                SERVICE_CONFIG_READ,
            ))
            .await
    }
}
