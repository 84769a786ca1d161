//! `Client`: every call of the core's Graph client, as Promises and pagers.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use intune_apple_core::graph::{
    self, ClientOption, Credential, DurationUnit, HttpStack, SyncOptions,
};
use intune_apple_core::model::{
    EnrollmentProfile, ImportedAppleDeviceIdentity, MobileAppAssignment, VppTokenCreateRequest,
};
use intune_apple_core::{Secret, Zeroizing};
use napi::bindgen_prelude::{Buffer, Either, PromiseRaw, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use crate::convert::{
    self, DataSharingConsentInfo, EnrollmentProgramToken, ImportResult, ImportedDevice,
    LicenseSummary, PushCertificate, VppTokenInfo,
};
use crate::error::{run, run_plain, throw, Failure};
use crate::pager::{
    page_sizes, AssignmentPager, EnrollmentProfilePager, EnrollmentProgramTokenPager,
    ImportedDevicePager, ListOptions, MobileAppPager, Prepare, VppTokenPager,
};

/// Timeouts of a client, in milliseconds.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TimeoutOptions {
    /// One HTTP attempt (default 60,000; a positive number up to a day).
    pub attempt_ms: Option<f64>,
    /// Connecting (default 10,000).
    pub connect_ms: Option<f64>,
    /// A whole call, retries and waits included (default 300,000).
    pub operation_ms: Option<f64>,
}

/// Retries of throttled (429) and unavailable (503/504) answers.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct RetryOptions {
    /// Attempts in all, the first included (default 5; 1 turns retries off; at most 100).
    pub max_attempts: Option<f64>,
    /// First back-off delay in milliseconds when no `Retry-After` is given (0 or more).
    pub base_delay_ms: Option<f64>,
    /// The longest single wait in milliseconds.
    pub max_delay_ms: Option<f64>,
    /// The most time spent waiting across retries, in milliseconds.
    pub total_budget_ms: Option<f64>,
}

/// Options of `new Client(...)`. Give `credential`, or `accessToken`, or `tenantId` and
/// `clientId` with `clientSecret`, `certificatePath` or `certificate` (with
/// `certificatePassword` when the file has one).
#[napi(object)]
#[derive(Default)]
pub struct ClientOptions<'a> {
    /// How to sign in: any `@azure/identity` `TokenCredential` (an object with `getToken`), or
    /// one of this library's credentials (`ManagedIdentityCredential`, `DefaultAzureCredential`,
    /// ...). Used instead of the other sign-in options.
    #[napi(ts_type = "Credential")]
    pub credential: Option<Unknown<'a>>,
    /// The Entra tenant id.
    pub tenant_id: Option<String>,
    /// The app (client) id.
    pub client_id: Option<String>,
    /// The client secret of the app.
    pub client_secret: Option<String>,
    /// The app's certificate with its private key: a PEM file, or a PKCS#12 (`.pfx`/`.p12`) file.
    pub certificate_path: Option<String>,
    /// The same file's contents instead of its path (e.g. a PFX from a secret store): PEM text,
    /// or the bytes of a PEM or PKCS#12 file (a secret).
    #[napi(ts_type = "string | Buffer")]
    pub certificate: Option<Either<String, Buffer>>,
    /// The certificate file's password: the PFX export password, or that of an encrypted PEM
    /// key (a secret).
    pub certificate_password: Option<String>,
    /// A bearer token obtained elsewhere, used as is.
    pub access_token: Option<String>,
    /// Graph root URL override (a proxy, or the simulator's `baseUrl`).
    pub base_url: Option<String>,
    /// Token authority override (the simulator's `authorityHost`).
    pub authority_host: Option<String>,
    /// National cloud (default `global`).
    #[napi(ts_type = "Cloud")]
    pub cloud: Option<String>,
    /// Timeouts.
    pub timeouts: Option<TimeoutOptions>,
    /// Retries.
    pub retries: Option<RetryOptions>,
    /// The `User-Agent` sent.
    pub user_agent: Option<String>,
}

/// How Node spells the core's client options in messages.
fn node_spelling(o: ClientOption) -> &'static str {
    match o {
        ClientOption::Credential => "credential",
        ClientOption::TenantId => "tenantId",
        ClientOption::ClientId => "clientId",
        ClientOption::ClientSecret => "clientSecret",
        ClientOption::Certificate => "certificate",
        ClientOption::CertificatePath => "certificatePath",
        ClientOption::AccessToken => "accessToken",
        ClientOption::Cloud => "cloud",
        ClientOption::AttemptTimeout => "timeouts.attemptMs",
        ClientOption::ConnectTimeout => "timeouts.connectMs",
        ClientOption::OperationTimeout => "timeouts.operationMs",
        ClientOption::MaxAttempts => "retries.maxAttempts",
        ClientOption::RetryBaseDelay => "retries.baseDelayMs",
        ClientOption::RetryMaxDelay => "retries.maxDelayMs",
        ClientOption::RetryTotalBudget => "retries.totalBudgetMs",
    }
}

/// The user's options, as the core's: the core chooses the credential, checks every number
/// and shares the HTTP stack.
fn build(
    options: ClientOptions<'_>,
    credential: Option<Arc<dyn Credential>>,
) -> std::result::Result<graph::Client, Failure> {
    let timeouts = options.timeouts.unwrap_or_default();
    let retries = options.retries.unwrap_or_default();
    graph::ClientOptions {
        credential,
        access_token: options.access_token.map(Secret::new),
        tenant_id: options.tenant_id,
        client_id: options.client_id,
        client_secret: options.client_secret.map(Secret::new),
        certificate: options.certificate.map(|c| {
            Zeroizing::new(match c {
                Either::A(text) => text.into_bytes(),
                Either::B(bytes) => bytes.to_vec(),
            })
        }),
        certificate_path: options.certificate_path,
        certificate_password: options.certificate_password.map(Secret::new),
        base_url: options.base_url,
        authority_host: options.authority_host,
        cloud: options.cloud,
        user_agent: options.user_agent,
        attempt_timeout: timeouts.attempt_ms,
        connect_timeout: timeouts.connect_ms,
        operation_timeout: timeouts.operation_ms,
        max_attempts: retries.max_attempts,
        retry_base_delay: retries.base_delay_ms,
        retry_max_delay: retries.max_delay_ms,
        retry_total_budget: retries.total_budget_ms,
        unit: DurationUnit::Milliseconds,
        spelling: node_spelling,
        share_http_stack: true,
    }
    .build()
    .map_err(Failure::from)
}

/// Options of `syncEnrollmentProgramToken`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SyncTokenOptions {
    /// When the last full sync ran (Graph does not record it).
    pub last_full_sync: Option<DateTime<Utc>>,
    /// Skip the client-side check of Intune's sync rules.
    pub force: Option<bool>,
    /// The token's devices are Macs: the macOS rules (automatic syncs every 24 h, not 12 h).
    pub macos: Option<bool>,
}

/// Options of `createVppToken`.
#[napi(object)]
#[derive(Default)]
pub struct CreateVppTokenOptions {
    /// The whole content of the `.vpptoken` file (a secret).
    pub token: String,
    /// Name in Intune.
    pub display_name: Option<String>,
    /// Store country or region (e.g. `us`).
    pub country_or_region: Option<String>,
    /// Whether apps update automatically.
    pub automatically_update_apps: Option<bool>,
    /// Scope tags.
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// Whether data-sharing consent is granted.
    pub data_sharing_consent_granted: Option<bool>,
    /// Whether to take the token over from another MDM.
    pub claim_token_management_from_external_mdm: Option<bool>,
}

/// The outcome of one batch of a profile assignment (up to 1,000 serial numbers).
#[napi(object)]
pub struct AssignmentBatch<'e> {
    /// The serial numbers of this batch.
    pub serial_numbers: Vec<String>,
    /// Whether the batch was applied.
    pub ok: bool,
    /// Why not.
    #[napi(ts_type = "IntuneAppleError")]
    pub error: Option<Unknown<'e>>,
}

/// A Microsoft Graph client for the Apple credentials of an Intune tenant. Every method returns
/// a Promise (or a pager for `for await`); failures are `IntuneAppleError`s.
#[napi]
pub struct Client {
    inner: graph::Client,
}

impl Client {
    /// The core client (for the workflows).
    pub(crate) fn core(&self) -> graph::Client {
        self.inner.clone()
    }
}

#[napi]
impl Client {
    /// Builds a client from explicit options.
    #[napi(catch_unwind, constructor)]
    pub fn new(env: &Env, options: ClientOptions<'_>) -> Result<Self> {
        let credential = options
            .credential
            .map(|value| crate::credentials::from_js(env, value))
            .transpose()
            .map_err(|f| throw(env, f))?;
        build(options, credential)
            .map(|inner| Self { inner })
            .map_err(|f| throw(env, f))
    }

    /// Builds a client from the environment (`vars`, or the process's when absent):
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`; or `INTUNE_APPLE_ACCESS_TOKEN`; plus
    /// `INTUNE_APPLE_GRAPH_URL`, `AZURE_AUTHORITY_HOST`, `INTUNE_APPLE_CLOUD`. When none of these
    /// names a credential, or `AZURE_TOKEN_CREDENTIALS` is set, it signs in with the
    /// `DefaultAzureCredential` chain (workload identity, managed identity, the Azure CLI).
    #[napi(catch_unwind, factory)]
    pub fn from_env(env: &Env, vars: Option<HashMap<String, String>>) -> Result<Self> {
        let from_env = move |name: &str| {
            match &vars {
                Some(map) => map.get(name).cloned(),
                None => std::env::var(name).ok(),
            }
            .filter(|v| !v.is_empty())
        };
        graph::Client::builder_from_env_with(from_env)
            .and_then(|b| {
                let stack = HttpStack::shared(graph::DEFAULT_CONNECT_TIMEOUT)?;
                b.http_stack(stack).build()
            })
            .map_err(Failure::from)
            .map(|inner| Self { inner })
            .map_err(|f| throw(env, f))
    }

    /// The Graph root URL in use.
    #[napi(catch_unwind, getter)]
    pub fn graph_root(&self) -> String {
        self.inner.graph_root().to_owned()
    }

    // ----- push certificate -----

    /// The tenant's Apple MDM push certificate.
    #[napi(ts_return_type = "Promise<PushCertificate>")]
    pub fn get_push_certificate<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, PushCertificate>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(PushCertificate::from(c.push_certificate().get().await?))
        })
    }

    /// The certificate signing request to upload to the Apple Push Certificates Portal.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn download_push_certificate_csr<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, String>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.push_certificate().download_csr().await?)
        })
    }

    /// Uploads a renewed push certificate (PEM text) for `appleId`. Check it first with
    /// `checkPushCertificateRenewal`.
    #[napi(ts_return_type = "Promise<PushCertificate>")]
    pub fn upload_push_certificate<'e>(
        &self,
        env: &'e Env,
        apple_id: String,
        pem: String,
    ) -> Result<PromiseRaw<'e, PushCertificate>> {
        let c = self.inner.clone();
        let pem = Secret::new(pem);
        run_plain(env, async move {
            Ok(PushCertificate::from(
                c.push_certificate().upload(&apple_id, pem).await?,
            ))
        })
    }

    /// The data-sharing consent for the push certificate.
    #[napi(ts_return_type = "Promise<DataSharingConsentInfo>")]
    pub fn get_data_sharing_consent<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, DataSharingConsentInfo>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(DataSharingConsentInfo::from(
                c.push_certificate().data_sharing_consent().await?,
            ))
        })
    }

    /// Grants the data-sharing consent for the push certificate.
    #[napi(ts_return_type = "Promise<DataSharingConsentInfo>")]
    pub fn grant_data_sharing_consent<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, DataSharingConsentInfo>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(DataSharingConsentInfo::from(
                c.push_certificate().grant_data_sharing_consent().await?,
            ))
        })
    }

    // ----- enrollment program tokens -----

    /// Every enrollment program (ADE / DEP / ABM) token, for `for await`.
    #[napi(catch_unwind)]
    pub fn enrollment_program_tokens(
        &self,
        options: Option<ListOptions<'_>>,
    ) -> Result<EnrollmentProgramTokenPager> {
        let (progress, sizes) = page_sizes();
        let stream = self
            .inner
            .enrollment_program_tokens()
            .list_with_progress(Some(progress));
        EnrollmentProgramTokenPager::new(stream, Some(sizes), options)
    }

    /// One enrollment program token.
    #[napi(ts_return_type = "Promise<EnrollmentProgramToken>")]
    pub fn get_enrollment_program_token<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, EnrollmentProgramToken>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(EnrollmentProgramToken::from(
                c.enrollment_program_tokens().get(&id).await?,
            ))
        })
    }

    /// The public key (PEM certificate) to upload to Apple Business Manager when renewing a
    /// token. Use this, not `generateEncryptionPublicKey`, for a renewal.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn get_encryption_public_key<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, String>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .get_encryption_public_key(&id)
                .await?)
        })
    }

    /// Generates a NEW key pair for a token (breaks the token in use: only for a new token).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn generate_encryption_public_key<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, String>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .generate_encryption_public_key(&id)
                .await?)
        })
    }

    /// Creates an enrollment program token entry (before the first `.p7m` upload).
    #[napi(ts_return_type = "Promise<EnrollmentProgramToken>")]
    pub fn create_enrollment_program_token<'e>(
        &self,
        env: &'e Env,
        token_name: String,
    ) -> Result<PromiseRaw<'e, EnrollmentProgramToken>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(EnrollmentProgramToken::from(
                c.enrollment_program_tokens().create(&token_name).await?,
            ))
        })
    }

    /// Uploads a `.p7m` (its whole text, a secret) to renew a token.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn upload_enrollment_program_token<'e>(
        &self,
        env: &'e Env,
        id: String,
        apple_id: String,
        file_content: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        let p7m = Secret::new(file_content);
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .upload_token(&id, &apple_id, p7m)
                .await?)
        })
    }

    /// Asks Intune to sync a token with Apple, after checking Intune's sync rules (rejects
    /// with `ERR_SYNC_TOO_SOON` and `nextAllowedAt` when it would be refused).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn sync_enrollment_program_token<'e>(
        &self,
        env: &'e Env,
        id: String,
        options: Option<SyncTokenOptions>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        let options = options.unwrap_or_default();
        let sync = SyncOptions {
            last_full_sync: crate::guard::instant(env, "lastFullSync", options.last_full_sync)?,
            force: options.force.unwrap_or(false),
            policy: if options.macos.unwrap_or(false) {
                intune_apple_core::rules::SyncPolicy::macos()
            } else {
                intune_apple_core::rules::SyncPolicy::default()
            },
        };
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens().sync(&id, &sync).await?)
        })
    }

    /// Shares a token with School Data Sync.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn share_for_school_data_sync<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .share_for_school_data_sync(&id)
                .await?)
        })
    }

    /// Stops sharing a token with School Data Sync.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn unshare_for_school_data_sync<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .unshare_for_school_data_sync(&id)
                .await?)
        })
    }

    /// Deletes an enrollment program token from Intune.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_enrollment_program_token<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens().delete(&id).await?)
        })
    }

    // ----- enrollment profiles -----

    /// The enrollment profiles of a token, for `for await`.
    #[napi(catch_unwind)]
    pub fn enrollment_profiles(
        &self,
        token_id: String,
        options: Option<ListOptions<'_>>,
    ) -> Result<EnrollmentProfilePager> {
        EnrollmentProfilePager::new(
            self.inner.enrollment_profiles(&token_id).list(),
            None,
            options,
        )
    }

    /// One enrollment profile.
    #[napi(ts_return_type = "Promise<EnrollmentProfile>")]
    pub fn get_enrollment_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.inner.clone();
        run(
            env,
            async move { Ok(c.enrollment_profiles(&token_id).get(&profile_id).await?) },
            |env, p| convert::to_js(env, &p),
        )
    }

    /// Creates an enrollment profile (give its `@odata.type`).
    #[napi(ts_return_type = "Promise<EnrollmentProfile>")]
    pub fn create_enrollment_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        #[napi(ts_arg_type = "EnrollmentProfile")] profile: Unknown<'_>,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let profile: EnrollmentProfile =
            convert::from_js(profile, "the profile").map_err(|f| throw(env, f))?;
        let c = self.inner.clone();
        run(
            env,
            async move { Ok(c.enrollment_profiles(&token_id).create(&profile).await?) },
            |env, p| convert::to_js(env, &p),
        )
    }

    /// Changes an enrollment profile (give its `@odata.type` and the changed properties).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn update_enrollment_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
        #[napi(ts_arg_type = "EnrollmentProfile")] changes: Unknown<'_>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let changes: EnrollmentProfile =
            convert::from_js(changes, "the changes").map_err(|f| throw(env, f))?;
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_profiles(&token_id)
                .update(&profile_id, &changes)
                .await?)
        })
    }

    /// Deletes an enrollment profile.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_enrollment_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_profiles(&token_id).delete(&profile_id).await?)
        })
    }

    /// Makes a profile the default of its platform for new devices.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_default_enrollment_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_profiles(&token_id)
                .set_default(&profile_id)
                .await?)
        })
    }

    /// Assigns a profile to devices by serial number, in batches of 1,000; one outcome per
    /// batch (a failed batch does not stop the others).
    #[napi(ts_return_type = "Promise<Array<AssignmentBatch>>")]
    pub fn assign_enrollment_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
        serial_numbers: Vec<String>,
    ) -> Result<PromiseRaw<'e, Vec<AssignmentBatch<'e>>>> {
        let c = self.inner.clone();
        run(
            env,
            async move {
                let batches = c
                    .enrollment_profiles(&token_id)
                    .assign_devices(&profile_id, &serial_numbers)
                    .await;
                Ok(batches
                    .into_iter()
                    .map(|b| (b.serial_numbers, b.result.err().map(Failure::from)))
                    .collect::<Vec<_>>())
            },
            |env, batches| {
                batches
                    .into_iter()
                    .map(|(serial_numbers, failure)| {
                        let error = match failure {
                            Some(f) => Some(crate::error::to_js(env, f)?),
                            None => None,
                        };
                        Ok(AssignmentBatch {
                            serial_numbers,
                            ok: error.is_none(),
                            error,
                        })
                    })
                    .collect()
            },
        )
    }

    /// The `.mobileconfig` of a profile (for Apple Configurator).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn export_mobile_config<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
    ) -> Result<PromiseRaw<'e, String>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_profiles(&token_id)
                .export_mobile_config(&profile_id)
                .await?)
        })
    }

    // ----- imported devices -----

    /// The imported devices of a token, for `for await` (100,000 devices never sit in memory
    /// at once: pages are read as the loop goes).
    #[napi(catch_unwind)]
    pub fn imported_devices(
        &self,
        env: &Env,
        token_id: String,
        options: Option<ListOptions<'_>>,
    ) -> Result<ImportedDevicePager> {
        let (progress, sizes) = page_sizes();
        let stream = self
            .inner
            .imported_devices(&token_id)
            .list_with_progress(Some(progress));
        ImportedDevicePager::with_rows(stream, Some(sizes), options, device_rows(env)?)
    }

    /// The imported devices of a token with this serial number.
    #[napi(catch_unwind)]
    pub fn find_imported_devices(
        &self,
        env: &Env,
        token_id: String,
        serial_number: String,
    ) -> Result<ImportedDevicePager> {
        ImportedDevicePager::with_rows(
            self.inner
                .imported_devices(&token_id)
                .find_by_serial(&serial_number),
            None,
            None,
            device_rows(env)?,
        )
    }

    /// Imports device serial numbers under a token.
    #[napi(ts_return_type = "Promise<Array<ImportResult>>")]
    pub fn import_devices<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        devices: Vec<ImportedDevice>,
        overwrite: Option<bool>,
    ) -> Result<PromiseRaw<'e, Vec<ImportResult>>> {
        let c = self.inner.clone();
        let devices = devices.into_iter().map(Into::into).collect();
        run_plain(env, async move {
            let results = c
                .imported_devices(&token_id)
                .import(devices, overwrite.unwrap_or(false))
                .await?;
            Ok(results.into_iter().map(ImportResult::from).collect())
        })
    }

    /// Deletes an imported device.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_imported_device<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        device_id: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.imported_devices(&token_id).delete(&device_id).await?)
        })
    }

    // ----- VPP tokens -----

    /// Every VPP (Apps and Books) token, for `for await`.
    #[napi(catch_unwind)]
    pub fn vpp_tokens(&self, options: Option<ListOptions<'_>>) -> Result<VppTokenPager> {
        let (progress, sizes) = page_sizes();
        let stream = self.inner.vpp_tokens().list_with_progress(Some(progress));
        VppTokenPager::new(stream, Some(sizes), options)
    }

    /// One VPP token.
    #[napi(ts_return_type = "Promise<VppTokenInfo>")]
    pub fn get_vpp_token<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, VppTokenInfo>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(VppTokenInfo::from(c.vpp_tokens().get(&id).await?))
        })
    }

    /// Adds a VPP token from the content of a `.vpptoken` file.
    #[napi(ts_return_type = "Promise<VppTokenInfo>")]
    pub fn create_vpp_token<'e>(
        &self,
        env: &'e Env,
        options: CreateVppTokenOptions,
    ) -> Result<PromiseRaw<'e, VppTokenInfo>> {
        let c = self.inner.clone();
        let request = VppTokenCreateRequest {
            odata_type: None,
            token: Secret::new(options.token),
            automatically_update_apps: options.automatically_update_apps,
            country_or_region: options.country_or_region,
            display_name: options.display_name,
            role_scope_tag_ids: options.role_scope_tag_ids,
            data_sharing_consent_granted: options.data_sharing_consent_granted,
            claim_token_management_from_external_mdm: options
                .claim_token_management_from_external_mdm,
        };
        run_plain(env, async move {
            Ok(VppTokenInfo::from(c.vpp_tokens().create(&request).await?))
        })
    }

    /// Uploads the content of a new `.vpptoken` file into a VPP token, unchecked: the raw Graph
    /// call. `renewVppToken` is the checked workflow (right organisation, not expired, no second
    /// token for one location); use this only after `checkVppTokenRenewal`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn upload_vpp_token<'e>(
        &self,
        env: &'e Env,
        id: String,
        token_file: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        let token = Secret::new(token_file);
        run_plain(
            env,
            async move { Ok(c.vpp_tokens().renew(&id, &token).await?) },
        )
    }

    /// Deletes a VPP token from Intune.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_vpp_token<'e>(&self, env: &'e Env, id: String) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move { Ok(c.vpp_tokens().delete(&id).await?) })
    }

    /// Syncs the licenses of a VPP token with Apple.
    #[napi(ts_return_type = "Promise<VppTokenInfo>")]
    pub fn sync_vpp_token_licenses<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, VppTokenInfo>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(VppTokenInfo::from(c.vpp_tokens().sync_licenses(&id).await?))
        })
    }

    /// Revokes every license of a VPP token.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_vpp_token_licenses<'e>(
        &self,
        env: &'e Env,
        id: String,
        notify_managed_devices: Option<bool>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_tokens()
                .revoke_licenses(&id, notify_managed_devices.unwrap_or(false))
                .await?)
        })
    }

    /// Revokes every license of a VPP token and, with `revokeUntrackedLicenses`, also those
    /// assigned outside Intune. Destructive.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_vpp_token_licenses_with_untracked<'e>(
        &self,
        env: &'e Env,
        id: String,
        notify_managed_devices: Option<bool>,
        revoke_untracked_licenses: Option<bool>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_tokens()
                .revoke_licenses_with_untracked(
                    &id,
                    notify_managed_devices.unwrap_or(false),
                    revoke_untracked_licenses.unwrap_or(false),
                )
                .await?)
        })
    }

    /// Asks Intune to refresh the license counts of every VPP token.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn sync_vpp_token_license_counts<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_tokens().sync_license_counts().await?)
        })
    }

    /// How many VPP tokens expire before `expiringBefore`.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn expiring_vpp_token_count<'e>(
        &self,
        env: &'e Env,
        expiring_before: DateTime<Utc>,
    ) -> Result<PromiseRaw<'e, i32>> {
        crate::guard::instant(env, "expiringBefore", Some(expiring_before))?;
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .expiring_vpp_token_count(expiring_before)
                .await?)
        })
    }

    /// Releases devices from the organisation at Apple (`fileContent`: the token's `.p7m`
    /// text, a secret). **Destructive**: the devices leave Apple Business Manager.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn release_apple_devices<'e>(
        &self,
        env: &'e Env,
        id: String,
        file_content: String,
        serial_numbers: Vec<String>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        let p7m = Secret::new(file_content);
        run_plain(env, async move {
            Ok(c.enrollment_program_tokens()
                .release_apple_devices(&id, p7m, &serial_numbers)
                .await?)
        })
    }

    /// Revokes every license of an iOS VPP app. Destructive.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_all_app_licenses<'e>(
        &self,
        env: &'e Env,
        app_id: String,
        notify_managed_devices: Option<bool>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_apps()
                .revoke_all_licenses(&app_id, notify_managed_devices.unwrap_or(false))
                .await?)
        })
    }

    /// Revokes an iOS VPP app's license on one managed device. Destructive.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_app_device_license<'e>(
        &self,
        env: &'e Env,
        app_id: String,
        managed_device_id: String,
        notify_managed_devices: Option<bool>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_apps()
                .revoke_device_license(
                    &app_id,
                    &managed_device_id,
                    notify_managed_devices.unwrap_or(false),
                )
                .await?)
        })
    }

    /// Revokes an iOS VPP app's license of one user. Destructive.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_app_user_license<'e>(
        &self,
        env: &'e Env,
        app_id: String,
        user_id: String,
        notify_managed_devices: Option<bool>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_apps()
                .revoke_user_license(&app_id, &user_id, notify_managed_devices.unwrap_or(false))
                .await?)
        })
    }

    /// The licenses of an app (by bundle id) under every VPP token.
    #[napi(ts_return_type = "Promise<Array<LicenseSummary>>")]
    pub fn vpp_licenses_for_app<'e>(
        &self,
        env: &'e Env,
        bundle_id: String,
    ) -> Result<PromiseRaw<'e, Vec<LicenseSummary>>> {
        let c = self.inner.clone();
        run_plain(env, async move {
            let list = c.vpp_tokens().licenses_for_app(&bundle_id).await?;
            Ok(list.into_iter().map(LicenseSummary::from).collect())
        })
    }

    // ----- VPP apps -----

    /// Every iOS and macOS VPP app, for `for await`.
    #[napi(catch_unwind)]
    pub fn vpp_apps(&self, options: Option<ListOptions<'_>>) -> Result<MobileAppPager> {
        let (progress, sizes) = page_sizes();
        let stream = self.inner.vpp_apps().list_with_progress(Some(progress));
        MobileAppPager::new(stream, Some(sizes), options)
    }

    /// The VPP apps bought with one VPP token, for `for await`.
    #[napi(catch_unwind)]
    pub fn vpp_apps_for_token(&self, vpp_token_id: String) -> Result<MobileAppPager> {
        MobileAppPager::new(
            self.inner.vpp_apps().list_by_token(&vpp_token_id),
            None,
            None,
        )
    }

    /// One app.
    #[napi(ts_return_type = "Promise<MobileApp>")]
    pub fn get_vpp_app<'e>(
        &self,
        env: &'e Env,
        app_id: String,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.inner.clone();
        run(
            env,
            async move { Ok(c.vpp_apps().get(&app_id).await?) },
            |env, a| convert::to_js(env, &a),
        )
    }

    /// The assignments of an app, for `for await`.
    #[napi(catch_unwind)]
    pub fn app_assignments(&self, app_id: String) -> Result<AssignmentPager> {
        AssignmentPager::new(self.inner.vpp_apps().assignments(&app_id), None, None)
    }

    /// Replaces the assignments of an app.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn assign_app<'e>(
        &self,
        env: &'e Env,
        app_id: String,
        #[napi(ts_arg_type = "Array<MobileAppAssignment>")] assignments: Unknown<'_>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let assignments: Vec<MobileAppAssignment> =
            convert::from_js(assignments, "the assignments").map_err(|f| throw(env, f))?;
        let c = self.inner.clone();
        run_plain(env, async move {
            Ok(c.vpp_apps().assign(&app_id, assignments).await?)
        })
    }
}

/// Imported devices go to JavaScript as JSON rows when `index.js` registered their builder.
fn device_rows(env: &Env) -> Result<Option<Prepare<ImportedAppleDeviceIdentity>>> {
    Ok(crate::pager::rows_registered(env)?
        .then_some(crate::convert::device_rows as Prepare<ImportedAppleDeviceIdentity>))
}
