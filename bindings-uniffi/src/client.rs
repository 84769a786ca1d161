//! `Client`: the core's Graph client, every call `async` (Kotlin `suspend`, Swift `async`), and
//! `Credential`, how it signs in.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use futures::{StreamExt, TryStreamExt};
use intune_apple_core::graph::{
    self, ClientCertificateCredential, ClientSecretCredential, ItemStream, StaticTokenCredential,
    SyncOptions,
};
use intune_apple_core::model::{
    EnrollmentProfile, ImportedAppleDeviceIdentity, MobileAppAssignment, VppTokenCreateRequest,
};
use intune_apple_core::rules::SyncPolicy;
use intune_apple_core::Secret;

use crate::error::IntuneAppleError;
use crate::json;
use crate::runtime::run;
use crate::types::{
    utc, DataSharingConsentInfo, EnrollmentProgramToken, ImportResult, ImportedDevice,
    LicenseSummary, PushCertificate, VppTokenInfo,
};

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// How a client signs in. Its secrets stay inside the library: `toString()` / `description`
/// show only the kind.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Credential {
    inner: Arc<dyn graph::Credential>,
    kind: &'static str,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({})", self.kind)
    }
}

impl std::fmt::Display for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({})", self.kind)
    }
}

fn credential(inner: impl graph::Credential + 'static, kind: &'static str) -> Arc<Credential> {
    Arc::new(Credential {
        inner: Arc::new(inner),
        kind,
    })
}

#[uniffi::export]
impl Credential {
    /// An app registration's client secret (`AZURE_CLIENT_SECRET`).
    #[uniffi::constructor]
    pub fn client_secret(tenant_id: String, client_id: String, client_secret: String) -> Arc<Self> {
        credential(
            ClientSecretCredential::new(tenant_id, client_id, client_secret),
            "clientSecret",
        )
    }

    /// An app registration's certificate with its private key: PEM text or the bytes of a
    /// PKCS#12 (`.pfx`) file, with its password when it has one.
    #[uniffi::constructor]
    pub fn client_certificate(
        tenant_id: String,
        client_id: String,
        certificate: Vec<u8>,
        password: Option<String>,
    ) -> Result<Arc<Self>> {
        let password = password.map(Secret::new);
        let c = ClientCertificateCredential::from_contents(
            tenant_id,
            client_id,
            &certificate,
            password.as_ref().map(Secret::expose),
        )
        .map_err(|e| IntuneAppleError::invalid_input(e.to_string()))?;
        Ok(credential(c, "clientCertificate"))
    }

    /// As `clientCertificate`, from a file (`AZURE_CLIENT_CERTIFICATE_PATH`).
    #[uniffi::constructor]
    pub fn client_certificate_file(
        tenant_id: String,
        client_id: String,
        path: String,
        password: Option<String>,
    ) -> Result<Arc<Self>> {
        let password = password.map(Secret::new);
        let c = ClientCertificateCredential::from_file(
            tenant_id,
            client_id,
            path,
            password.as_ref().map(Secret::expose),
        )
        .map_err(|e| IntuneAppleError::invalid_input(e.to_string()))?;
        Ok(credential(c, "clientCertificate"))
    }

    /// A bearer token obtained elsewhere, used as is (`INTUNE_APPLE_ACCESS_TOKEN`).
    #[uniffi::constructor]
    pub fn access_token(token: String) -> Arc<Self> {
        credential(StaticTokenCredential::new(token), "accessToken")
    }

    /// The kind of credential (`clientSecret`, `clientCertificate`, `accessToken`).
    pub fn kind(&self) -> String {
        self.kind.to_owned()
    }
}

/// Options of a client; every field may be left out.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// Graph root URL override (a proxy, or the simulator's `baseUrl()`).
    #[uniffi(default)]
    pub base_url: Option<String>,
    /// Token authority override (the simulator's `authorityHost()`).
    #[uniffi(default)]
    pub authority_host: Option<String>,
    /// National cloud: `global` (default), `usgov`, `dod` or `china`.
    #[uniffi(default)]
    pub cloud: Option<String>,
    /// The `User-Agent` sent.
    #[uniffi(default)]
    pub user_agent: Option<String>,
    /// One HTTP attempt, in milliseconds (default 60,000).
    #[uniffi(default)]
    pub attempt_timeout_ms: Option<u64>,
    /// Connecting, in milliseconds (default 10,000).
    #[uniffi(default)]
    pub connect_timeout_ms: Option<u64>,
    /// A whole call, retries and waits included, in milliseconds (default 300,000).
    #[uniffi(default)]
    pub operation_timeout_ms: Option<u64>,
    /// Attempts in all for throttled or unavailable answers (default 5; 1: no retries).
    #[uniffi(default)]
    pub max_attempts: Option<u32>,
}

/// A caller's milliseconds as the core's number (exact up to 2^53, beyond any accepted value).
#[allow(clippy::cast_precision_loss)]
fn millis(v: u64) -> f64 {
    v as f64
}

/// How Kotlin and Swift spell the core's client options in messages.
fn uniffi_spelling(o: graph::ClientOption) -> &'static str {
    use graph::ClientOption as O;
    match o {
        O::AttemptTimeout => "attemptTimeoutMs",
        O::ConnectTimeout => "connectTimeoutMs",
        O::OperationTimeout => "operationTimeoutMs",
        O::MaxAttempts => "maxAttempts",
        O::Cloud => "cloud",
        o => o.name(),
    }
}

/// A Microsoft Graph client for the Apple credentials of an Intune tenant. Cheap to share
/// between coroutines / tasks; every call is `async`.
#[derive(uniffi::Object)]
pub struct Client {
    inner: graph::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.inner.graph_root())
    }
}

impl Client {
    /// The core client (for the workflows).
    pub(crate) fn core(&self) -> graph::Client {
        self.inner.clone()
    }
}

/// Collects a listing.
async fn all<T, U: From<T>>(stream: ItemStream<T>) -> Result<Vec<U>> {
    Ok(stream.map_ok(U::from).try_collect().await?)
}

/// Collects a listing of a polymorphic type as JSON text, one object per item.
async fn all_json<T: serde::Serialize>(stream: ItemStream<T>) -> Result<Vec<String>> {
    let items: Vec<T> = stream.try_collect().await?;
    items.iter().map(json::to_text).collect()
}

fn sync_options(last_full_sync: Option<SystemTime>, force: bool, macos: bool) -> SyncOptions {
    SyncOptions {
        last_full_sync: utc(last_full_sync),
        force,
        policy: if macos {
            SyncPolicy::macos()
        } else {
            SyncPolicy::default()
        },
    }
}

/// Options of `createVppToken`.
#[derive(Clone, Default, uniffi::Record)]
pub struct CreateVppTokenOptions {
    /// Name in Intune.
    #[uniffi(default)]
    pub display_name: Option<String>,
    /// Store country or region (e.g. `us`).
    #[uniffi(default)]
    pub country_or_region: Option<String>,
    /// Whether apps update automatically.
    #[uniffi(default)]
    pub automatically_update_apps: Option<bool>,
    /// Scope tags.
    #[uniffi(default)]
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// Whether data-sharing consent is granted.
    #[uniffi(default)]
    pub data_sharing_consent_granted: Option<bool>,
    /// Whether to take the token over from another MDM.
    #[uniffi(default)]
    pub claim_token_management_from_external_mdm: Option<bool>,
}

/// The outcome of one batch of a profile assignment (up to 1,000 serial numbers).
#[derive(Debug, Clone, uniffi::Record)]
pub struct AssignmentBatch {
    /// The serial numbers of this batch.
    pub serial_numbers: Vec<String>,
    /// Why the batch failed (`None`: applied).
    pub error: Option<IntuneAppleError>,
}

#[uniffi::export]
impl Client {
    /// A client signing in with `credential`.
    #[uniffi::constructor]
    pub fn new(credential: Arc<Credential>, options: ClientOptions) -> Result<Arc<Self>> {
        // The core decides and checks; messages name the options as Kotlin and Swift do.
        let inner = graph::ClientOptions {
            credential: Some(credential.inner.clone()),
            base_url: options.base_url,
            authority_host: options.authority_host,
            cloud: options.cloud,
            user_agent: options.user_agent,
            attempt_timeout: options.attempt_timeout_ms.map(millis),
            connect_timeout: options.connect_timeout_ms.map(millis),
            operation_timeout: options.operation_timeout_ms.map(millis),
            max_attempts: options.max_attempts.map(f64::from),
            spelling: uniffi_spelling,
            ..graph::ClientOptions::default()
        }
        .build()?;
        Ok(Arc::new(Self { inner }))
    }

    /// A client from the environment (`vars`, or the process's when `None`):
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`; or `INTUNE_APPLE_ACCESS_TOKEN`; plus
    /// `INTUNE_APPLE_GRAPH_URL`, `AZURE_AUTHORITY_HOST`, `INTUNE_APPLE_CLOUD`. Without any of
    /// these it signs in with the `DefaultAzureCredential` chain.
    #[uniffi::constructor]
    pub fn from_env(vars: Option<HashMap<String, String>>) -> Result<Arc<Self>> {
        let var = move |name: &str| {
            match &vars {
                Some(map) => map.get(name).cloned(),
                None => std::env::var(name).ok(),
            }
            .filter(|v| !v.is_empty())
        };
        let inner = graph::Client::builder_from_env_with(var)?.build()?;
        Ok(Arc::new(Self { inner }))
    }

    /// The Graph root URL in use.
    pub fn graph_root(&self) -> String {
        self.inner.graph_root().to_owned()
    }

    // ----- push certificate -----

    /// The tenant's Apple MDM push certificate.
    pub async fn get_push_certificate(&self) -> Result<PushCertificate> {
        let c = self.core();
        run(async move { Ok(c.push_certificate().get().await?.into()) }).await
    }

    /// The certificate signing request to upload to the Apple Push Certificates Portal.
    pub async fn download_push_certificate_csr(&self) -> Result<String> {
        let c = self.core();
        run(async move { Ok(c.push_certificate().download_csr().await?) }).await
    }

    /// Uploads a renewed push certificate (PEM text) for `appleId`, unchecked: the raw Graph
    /// call. `renewPushCertificate` is the checked workflow.
    pub async fn upload_push_certificate(
        &self,
        apple_id: String,
        pem: String,
    ) -> Result<PushCertificate> {
        let c = self.core();
        let pem = Secret::new(pem);
        run(async move { Ok(c.push_certificate().upload(&apple_id, pem).await?.into()) }).await
    }

    /// The data-sharing consent for the push certificate.
    pub async fn get_data_sharing_consent(&self) -> Result<DataSharingConsentInfo> {
        let c = self.core();
        run(async move { Ok(c.push_certificate().data_sharing_consent().await?.into()) }).await
    }

    /// Grants the data-sharing consent for the push certificate.
    pub async fn grant_data_sharing_consent(&self) -> Result<DataSharingConsentInfo> {
        let c = self.core();
        run(async move {
            Ok(c.push_certificate()
                .grant_data_sharing_consent()
                .await?
                .into())
        })
        .await
    }

    // ----- enrollment program tokens -----

    /// Every enrollment program (ADE / DEP / ABM) token.
    pub async fn enrollment_program_tokens(&self) -> Result<Vec<EnrollmentProgramToken>> {
        let c = self.core();
        run(async move { all(c.enrollment_program_tokens().list()).await }).await
    }

    /// One enrollment program token.
    pub async fn get_enrollment_program_token(&self, id: String) -> Result<EnrollmentProgramToken> {
        let c = self.core();
        run(async move { Ok(c.enrollment_program_tokens().get(&id).await?.into()) }).await
    }

    /// The public key (PEM certificate) to upload to Apple Business Manager when renewing a
    /// token. Use this, not `generateEncryptionPublicKey`, for a renewal.
    pub async fn get_encryption_public_key(&self, id: String) -> Result<String> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_program_tokens()
                .get_encryption_public_key(&id)
                .await?)
        })
        .await
    }

    /// Generates a NEW key pair for a token (breaks the token in use: only for a new token).
    pub async fn generate_encryption_public_key(&self, id: String) -> Result<String> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_program_tokens()
                .generate_encryption_public_key(&id)
                .await?)
        })
        .await
    }

    /// Creates an enrollment program token entry (before the first `.p7m` upload).
    pub async fn create_enrollment_program_token(
        &self,
        token_name: String,
    ) -> Result<EnrollmentProgramToken> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_program_tokens()
                .create(&token_name)
                .await?
                .into())
        })
        .await
    }

    /// Uploads a `.p7m` (its whole text, a secret) into a token, unchecked: the raw Graph
    /// call. `renewEnrollmentProgramToken` is the checked workflow.
    pub async fn upload_enrollment_program_token(
        &self,
        id: String,
        apple_id: String,
        file_content: String,
    ) -> Result<()> {
        let c = self.core();
        let p7m = Secret::new(file_content);
        run(async move {
            Ok(c.enrollment_program_tokens()
                .upload_token(&id, &apple_id, p7m)
                .await?)
        })
        .await
    }

    /// Asks Intune to sync a token with Apple, after checking Intune's sync rules (fails with
    /// `SyncTooSoon` and `nextAllowedAt` when it would be refused). `lastFullSync`: when the
    /// last full sync ran (Graph does not record it); `force`: skip the check; `macos`: the
    /// token's devices are Macs (automatic syncs every 24 h).
    pub async fn sync_enrollment_program_token(
        &self,
        id: String,
        last_full_sync: Option<SystemTime>,
        force: bool,
        macos: bool,
    ) -> Result<()> {
        let c = self.core();
        let options = sync_options(last_full_sync, force, macos);
        run(async move { Ok(c.enrollment_program_tokens().sync(&id, &options).await?) }).await
    }

    /// Shares a token with School Data Sync.
    pub async fn share_for_school_data_sync(&self, id: String) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_program_tokens()
                .share_for_school_data_sync(&id)
                .await?)
        })
        .await
    }

    /// Stops sharing a token with School Data Sync.
    pub async fn unshare_for_school_data_sync(&self, id: String) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_program_tokens()
                .unshare_for_school_data_sync(&id)
                .await?)
        })
        .await
    }

    /// Deletes an enrollment program token from Intune.
    pub async fn delete_enrollment_program_token(&self, id: String) -> Result<()> {
        let c = self.core();
        run(async move { Ok(c.enrollment_program_tokens().delete(&id).await?) }).await
    }

    /// How many VPP tokens expire before `expiringBefore`.
    pub async fn expiring_vpp_token_count(&self, expiring_before: SystemTime) -> Result<i32> {
        let c = self.core();
        let before = chrono::DateTime::<chrono::Utc>::from(expiring_before);
        run(async move {
            Ok(c.enrollment_program_tokens()
                .expiring_vpp_token_count(before)
                .await?)
        })
        .await
    }

    /// Releases devices from the organisation at Apple (`fileContent`: the token's `.p7m`
    /// text, a secret). **Destructive**: the devices leave Apple Business Manager.
    pub async fn release_apple_devices(
        &self,
        id: String,
        file_content: String,
        serial_numbers: Vec<String>,
    ) -> Result<()> {
        let c = self.core();
        let p7m = Secret::new(file_content);
        run(async move {
            Ok(c.enrollment_program_tokens()
                .release_apple_devices(&id, p7m, &serial_numbers)
                .await?)
        })
        .await
    }

    // ----- enrollment profiles (Graph JSON, polymorphic by `@odata.type`) -----

    /// The enrollment profiles of a token, each as Graph's JSON text.
    pub async fn enrollment_profiles(&self, token_id: String) -> Result<Vec<String>> {
        let c = self.core();
        run(async move { all_json(c.enrollment_profiles(&token_id).list()).await }).await
    }

    /// One enrollment profile, as Graph's JSON text.
    pub async fn get_enrollment_profile(
        &self,
        token_id: String,
        profile_id: String,
    ) -> Result<String> {
        let c = self.core();
        run(async move { json::to_text(&c.enrollment_profiles(&token_id).get(&profile_id).await?) })
            .await
    }

    /// Creates an enrollment profile from Graph's JSON (with its `@odata.type`) and returns
    /// the one created. `createProfile` is the validated workflow.
    pub async fn create_enrollment_profile(
        &self,
        token_id: String,
        profile_json: String,
    ) -> Result<String> {
        let profile: EnrollmentProfile = json::from_text(&profile_json, "the profile")?;
        let c = self.core();
        run(async move { json::to_text(&c.enrollment_profiles(&token_id).create(&profile).await?) })
            .await
    }

    /// Changes an enrollment profile (Graph's JSON with its `@odata.type` and the changed
    /// properties).
    pub async fn update_enrollment_profile(
        &self,
        token_id: String,
        profile_id: String,
        changes_json: String,
    ) -> Result<()> {
        let changes: EnrollmentProfile = json::from_text(&changes_json, "the changes")?;
        let c = self.core();
        run(async move {
            Ok(c.enrollment_profiles(&token_id)
                .update(&profile_id, &changes)
                .await?)
        })
        .await
    }

    /// Deletes an enrollment profile.
    pub async fn delete_enrollment_profile(
        &self,
        token_id: String,
        profile_id: String,
    ) -> Result<()> {
        let c = self.core();
        run(async move { Ok(c.enrollment_profiles(&token_id).delete(&profile_id).await?) }).await
    }

    /// Makes a profile the default of its platform for new devices.
    pub async fn set_default_enrollment_profile(
        &self,
        token_id: String,
        profile_id: String,
    ) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_profiles(&token_id)
                .set_default(&profile_id)
                .await?)
        })
        .await
    }

    /// Assigns a profile to devices by serial number, in batches of 1,000; one outcome per
    /// batch (a failed batch does not stop the others).
    pub async fn assign_enrollment_profile(
        &self,
        token_id: String,
        profile_id: String,
        serial_numbers: Vec<String>,
    ) -> Result<Vec<AssignmentBatch>> {
        let c = self.core();
        run(async move {
            let batches = c
                .enrollment_profiles(&token_id)
                .assign_devices(&profile_id, &serial_numbers)
                .await;
            Ok(batches
                .into_iter()
                .map(|b| AssignmentBatch {
                    serial_numbers: b.serial_numbers,
                    error: b.result.err().map(IntuneAppleError::from),
                })
                .collect())
        })
        .await
    }

    /// The `.mobileconfig` of a profile (for Apple Configurator).
    pub async fn export_mobile_config(
        &self,
        token_id: String,
        profile_id: String,
    ) -> Result<String> {
        let c = self.core();
        run(async move {
            Ok(c.enrollment_profiles(&token_id)
                .export_mobile_config(&profile_id)
                .await?)
        })
        .await
    }

    // ----- imported devices -----

    /// The imported devices of a token, a page at a time (100,000 devices never sit in
    /// memory at once).
    pub fn imported_devices(&self, token_id: String) -> Arc<ImportedDevicePager> {
        ImportedDevicePager::new(self.inner.imported_devices(&token_id).list())
    }

    /// The imported devices of a token with this serial number.
    pub async fn find_imported_devices(
        &self,
        token_id: String,
        serial_number: String,
    ) -> Result<Vec<ImportedDevice>> {
        let c = self.core();
        run(async move { all(c.imported_devices(&token_id).find_by_serial(&serial_number)).await })
            .await
    }

    /// Imports device serial numbers under a token.
    pub async fn import_devices(
        &self,
        token_id: String,
        devices: Vec<ImportedDevice>,
        overwrite: bool,
    ) -> Result<Vec<ImportResult>> {
        let c = self.core();
        let devices: Vec<ImportedAppleDeviceIdentity> =
            devices.into_iter().map(Into::into).collect();
        run(async move {
            let results = c
                .imported_devices(&token_id)
                .import(devices, overwrite)
                .await?;
            Ok(results.into_iter().map(ImportResult::from).collect())
        })
        .await
    }

    /// Deletes an imported device.
    pub async fn delete_imported_device(&self, token_id: String, device_id: String) -> Result<()> {
        let c = self.core();
        run(async move { Ok(c.imported_devices(&token_id).delete(&device_id).await?) }).await
    }

    // ----- VPP tokens -----

    /// Every VPP (Apps and Books) token.
    pub async fn vpp_tokens(&self) -> Result<Vec<VppTokenInfo>> {
        let c = self.core();
        run(async move { all(c.vpp_tokens().list()).await }).await
    }

    /// One VPP token.
    pub async fn get_vpp_token(&self, id: String) -> Result<VppTokenInfo> {
        let c = self.core();
        run(async move { Ok(c.vpp_tokens().get(&id).await?.into()) }).await
    }

    /// Adds a VPP token from the content of a `.vpptoken` file (a secret).
    pub async fn create_vpp_token(
        &self,
        token_file: String,
        options: CreateVppTokenOptions,
    ) -> Result<VppTokenInfo> {
        let c = self.core();
        let request = VppTokenCreateRequest {
            odata_type: None,
            token: Secret::new(token_file),
            automatically_update_apps: options.automatically_update_apps,
            country_or_region: options.country_or_region,
            display_name: options.display_name,
            role_scope_tag_ids: options.role_scope_tag_ids,
            data_sharing_consent_granted: options.data_sharing_consent_granted,
            claim_token_management_from_external_mdm: options
                .claim_token_management_from_external_mdm,
        };
        run(async move { Ok(c.vpp_tokens().create(&request).await?.into()) }).await
    }

    /// Uploads the content of a new `.vpptoken` file into a VPP token, unchecked: the raw
    /// Graph call. `renewVppToken` is the checked workflow.
    pub async fn upload_vpp_token(&self, id: String, token_file: String) -> Result<()> {
        let c = self.core();
        let token = Secret::new(token_file);
        run(async move { Ok(c.vpp_tokens().renew(&id, &token).await?) }).await
    }

    /// Deletes a VPP token from Intune.
    pub async fn delete_vpp_token(&self, id: String) -> Result<()> {
        let c = self.core();
        run(async move { Ok(c.vpp_tokens().delete(&id).await?) }).await
    }

    /// Syncs the licenses of a VPP token with Apple.
    pub async fn sync_vpp_token_licenses(&self, id: String) -> Result<VppTokenInfo> {
        let c = self.core();
        run(async move { Ok(c.vpp_tokens().sync_licenses(&id).await?.into()) }).await
    }

    /// Revokes every license of a VPP token. Destructive.
    pub async fn revoke_vpp_token_licenses(
        &self,
        id: String,
        notify_managed_devices: bool,
    ) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.vpp_tokens()
                .revoke_licenses(&id, notify_managed_devices)
                .await?)
        })
        .await
    }

    /// Revokes every license of a VPP token and, with `revokeUntrackedLicenses`, also those
    /// assigned outside Intune. Destructive.
    pub async fn revoke_vpp_token_licenses_with_untracked(
        &self,
        id: String,
        notify_managed_devices: bool,
        revoke_untracked_licenses: bool,
    ) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.vpp_tokens()
                .revoke_licenses_with_untracked(
                    &id,
                    notify_managed_devices,
                    revoke_untracked_licenses,
                )
                .await?)
        })
        .await
    }

    /// Asks Intune to refresh the license counts of every VPP token.
    pub async fn sync_vpp_token_license_counts(&self) -> Result<()> {
        let c = self.core();
        run(async move { Ok(c.vpp_tokens().sync_license_counts().await?) }).await
    }

    /// The licenses of an app (by bundle id) under every VPP token.
    pub async fn vpp_licenses_for_app(&self, bundle_id: String) -> Result<Vec<LicenseSummary>> {
        let c = self.core();
        run(async move {
            let list = c.vpp_tokens().licenses_for_app(&bundle_id).await?;
            Ok(list.into_iter().map(LicenseSummary::from).collect())
        })
        .await
    }

    // ----- VPP apps (Graph JSON, polymorphic by `@odata.type`) -----

    /// Every iOS and macOS VPP app, each as Graph's JSON text.
    pub async fn vpp_apps(&self) -> Result<Vec<String>> {
        let c = self.core();
        run(async move { all_json(c.vpp_apps().list()).await }).await
    }

    /// The VPP apps bought with one VPP token, each as Graph's JSON text.
    pub async fn vpp_apps_for_token(&self, vpp_token_id: String) -> Result<Vec<String>> {
        let c = self.core();
        run(async move { all_json(c.vpp_apps().list_by_token(&vpp_token_id)).await }).await
    }

    /// One app, as Graph's JSON text.
    pub async fn get_vpp_app(&self, app_id: String) -> Result<String> {
        let c = self.core();
        run(async move { json::to_text(&c.vpp_apps().get(&app_id).await?) }).await
    }

    /// The assignments of an app, each as Graph's JSON text.
    pub async fn app_assignments(&self, app_id: String) -> Result<Vec<String>> {
        let c = self.core();
        run(async move { all_json(c.vpp_apps().assignments(&app_id)).await }).await
    }

    /// Replaces the assignments of an app (a JSON array of Graph's `mobileAppAssignment`).
    pub async fn assign_app(&self, app_id: String, assignments_json: String) -> Result<()> {
        let assignments: Vec<MobileAppAssignment> =
            json::from_text(&assignments_json, "the assignments")?;
        let c = self.core();
        run(async move { Ok(c.vpp_apps().assign(&app_id, assignments).await?) }).await
    }

    /// Revokes every license of an iOS VPP app. Destructive.
    pub async fn revoke_all_app_licenses(
        &self,
        app_id: String,
        notify_managed_devices: bool,
    ) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.vpp_apps()
                .revoke_all_licenses(&app_id, notify_managed_devices)
                .await?)
        })
        .await
    }

    /// Revokes an iOS VPP app's license on one managed device. Destructive.
    pub async fn revoke_app_device_license(
        &self,
        app_id: String,
        managed_device_id: String,
        notify_managed_devices: bool,
    ) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.vpp_apps()
                .revoke_device_license(&app_id, &managed_device_id, notify_managed_devices)
                .await?)
        })
        .await
    }

    /// Revokes an iOS VPP app's license of one user. Destructive.
    pub async fn revoke_app_user_license(
        &self,
        app_id: String,
        user_id: String,
        notify_managed_devices: bool,
    ) -> Result<()> {
        let c = self.core();
        run(async move {
            Ok(c.vpp_apps()
                .revoke_user_license(&app_id, &user_id, notify_managed_devices)
                .await?)
        })
        .await
    }
}

/// Imported devices, read a page at a time as the caller asks.
#[derive(uniffi::Object)]
pub struct ImportedDevicePager {
    stream: Arc<tokio::sync::Mutex<ItemStream<ImportedAppleDeviceIdentity>>>,
}

impl std::fmt::Debug for ImportedDevicePager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImportedDevicePager")
    }
}

impl ImportedDevicePager {
    fn new(stream: ItemStream<ImportedAppleDeviceIdentity>) -> Arc<Self> {
        Arc::new(Self {
            stream: Arc::new(tokio::sync::Mutex::new(stream)),
        })
    }
}

#[uniffi::export]
impl ImportedDevicePager {
    /// The next devices, at most `maxItems` (at least 1); an empty list once all were read.
    pub async fn next_page(&self, max_items: u32) -> Result<Vec<ImportedDevice>> {
        let stream = self.stream.clone();
        let max = usize::try_from(max_items.max(1)).unwrap_or(1);
        run(async move {
            let mut stream = stream.lock().await;
            let mut out = Vec::new();
            while out.len() < max {
                match stream.next().await {
                    Some(item) => out.push(ImportedDevice::from(item?)),
                    None => break,
                }
            }
            Ok(out)
        })
        .await
    }
}
