//! The workflows: safe renewals, the first push set-up, profile workflows and the
//! duplicate-app repair. Each is one core call. The renewal reports are typed records; the
//! longer reports of the profile and repair workflows are their documented JSON text.

use std::time::SystemTime;

use intune_apple_core::graph::SyncOptions;
use intune_apple_core::model::EnrollmentProfile;
use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
use intune_apple_core::workflows::profile_check::{self, validate_token_profiles};
use intune_apple_core::workflows::profiles::{
    self, assign_serial_numbers, copy_profile, create_profile, set_default_profile,
    SerialAssignmentOptions,
};
use intune_apple_core::workflows::renewal::{
    self as renewal, download_push_csr, renew_enrollment_program_token,
    renew_enrollment_program_token_and_sync, renew_push_certificate, renew_vpp_token,
    DepRenewalRequest, PushRenewalRequest, VppRenewalRequest,
};
use intune_apple_core::workflows::step::{Step, StepOutcome as CoreOutcome};
use intune_apple_core::Secret;

use crate::client::Client;
use crate::error::{IntuneAppleError, Refusal};
use crate::json;
use crate::rules::Violation;
use crate::runtime::run;
use crate::types::time;

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// How one step of a workflow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StepOutcome {
    /// The step ran and succeeded.
    Done,
    /// Something deserves attention but nothing failed.
    Warning,
    /// The step did not run (dry run, nothing to do, not needed).
    Skipped,
    /// The step failed; `detail` says why and what to do.
    Failed,
}

/// One step of a workflow: what was done and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WorkflowStep {
    /// Short stable name (`check`, `upload`, `readBack`, `verify`, ...).
    pub name: String,
    /// How it ended.
    pub outcome: StepOutcome,
    /// What happened, in words (never a secret).
    pub detail: String,
}

fn steps(steps: Vec<Step>) -> Vec<WorkflowStep> {
    steps
        .into_iter()
        .map(|s| WorkflowStep {
            name: s.name,
            outcome: match s.outcome {
                CoreOutcome::Done => StepOutcome::Done,
                CoreOutcome::Warning => StepOutcome::Warning,
                CoreOutcome::Skipped => StepOutcome::Skipped,
                CoreOutcome::Failed => StepOutcome::Failed,
            },
            detail: s.detail,
        })
        .collect()
}

fn refusals(r: Vec<intune_apple_core::workflows::error::Refusal>) -> Vec<Refusal> {
    r.into_iter()
        .map(|r| Refusal {
            code: r.code,
            message: r.message,
            overridable: r.overridable,
        })
        .collect()
}

/// The outcome of `renewPushCertificate`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushRenewalReport {
    /// The topic of the uploaded certificate.
    pub topic: String,
    /// The topic Intune had before (`None`: none was configured).
    pub previous_topic: Option<String>,
    /// True when the topic changed (only with `force`): every device must re-enrol.
    pub topic_changed: bool,
    /// Expiry before the upload.
    pub previous_expiry: Option<SystemTime>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<SystemTime>,
    /// Serial number read back after the upload.
    pub serial_number: Option<String>,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode.
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<WorkflowStep>,
}

/// The outcome of `renewEnrollmentProgramToken`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DepRenewalReport {
    /// Token id.
    pub token_id: String,
    /// Token name in Intune.
    pub token_name: Option<String>,
    /// MDM server name from the file name, when it follows Apple's pattern.
    pub server_name_from_file_name: Option<String>,
    /// Expiry before the upload.
    pub previous_expiry: Option<SystemTime>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<SystemTime>,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode.
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<WorkflowStep>,
}

/// The outcome of `renewVppToken`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VppRenewalReport {
    /// The Intune token renewed (or created).
    pub token_id: String,
    /// `orgName` of the file.
    pub organization_name: String,
    /// Location name of the token.
    pub location_name: Option<String>,
    /// True when a new token was created (`createIfMissing`).
    pub created: bool,
    /// Expiry before the upload (`None` when created).
    pub previous_expiry: Option<SystemTime>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<SystemTime>,
    /// `expDate` of the file.
    pub file_expiry: SystemTime,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode.
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<WorkflowStep>,
}

/// Where a certificate signing request was saved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CsrDownload {
    /// Where the CSR was written.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// What to do with it.
    pub next_step: String,
}

impl From<renewal::CsrDownload> for CsrDownload {
    fn from(d: renewal::CsrDownload) -> Self {
        Self {
            path: d.path,
            bytes: u64::try_from(d.bytes).unwrap_or(u64::MAX),
            next_step: d.next_step,
        }
    }
}

/// Serial numbers read from a CSV or a plain list (one per line).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SerialList {
    /// The serial numbers, in order, without duplicates.
    pub serial_numbers: Vec<String>,
    /// Those given more than once.
    pub duplicates: Vec<String>,
    /// Values that are not serial numbers.
    pub invalid: Vec<String>,
}

/// Reads serial numbers from a CSV export or a plain list.
#[uniffi::export]
pub fn parse_serial_numbers(text: String) -> Result<SerialList> {
    let list = profiles::parse_serial_numbers(&text)?;
    Ok(SerialList {
        serial_numbers: list.serial_numbers,
        duplicates: list.duplicates,
        invalid: list.invalid,
    })
}

#[uniffi::export]
impl Client {
    /// Renews the push certificate with a renewed `.pem` (its text, a secret), after checking
    /// that it keeps the topic and extends the validity (fails with `RenewalRefused` and its
    /// `reasons` otherwise; `force` overrides what may be overridden).
    pub async fn renew_push_certificate(
        &self,
        apple_id: String,
        pem: String,
        force: bool,
    ) -> Result<PushRenewalReport> {
        let c = self.core();
        let request = PushRenewalRequest {
            apple_id,
            pem: Secret::new(pem),
            force,
        };
        run(async move {
            let r = renew_push_certificate(&c, &request).await?;
            Ok(PushRenewalReport {
                topic: r.topic,
                previous_topic: r.previous_topic,
                topic_changed: r.topic_changed,
                previous_expiry: time(r.previous_expiry),
                new_expiry: time(r.new_expiry),
                serial_number: r.serial_number,
                forced: r.forced,
                overridden: refusals(r.overridden),
                warnings: r.warnings,
                steps: steps(r.steps),
            })
        })
        .await
    }

    /// First set-up (no push certificate yet): has Intune generate the certificate signing
    /// request and saves it to `path` (Create, not Renew, at Apple).
    pub async fn generate_push_csr(&self, path: String) -> Result<CsrDownload> {
        let c = self.core();
        run(async move {
            Ok(
                intune_apple_core::workflows::push_setup::generate_push_csr(&c, &path)
                    .await?
                    .into(),
            )
        })
        .await
    }

    /// Saves the push certificate signing request to `path`, for the Apple portal (Renew).
    pub async fn download_push_csr(&self, path: String) -> Result<CsrDownload> {
        let c = self.core();
        run(async move { Ok(download_push_csr(&c, &path).await?.into()) }).await
    }

    /// Renews an enrollment program token with a `.p7m` (its text, a secret), after checking
    /// it was made for this token's key; `fileName` (Apple's, it carries the server name);
    /// `sync`: then start a sync with Apple.
    pub async fn renew_enrollment_program_token(
        &self,
        token_id: String,
        apple_id: String,
        p7m: String,
        file_name: Option<String>,
        force: bool,
        sync: bool,
    ) -> Result<DepRenewalReport> {
        let c = self.core();
        let request = DepRenewalRequest {
            token_id,
            apple_id,
            p7m: Secret::new(p7m),
            file_name,
            force,
        };
        run(async move {
            let r = if sync {
                renew_enrollment_program_token_and_sync(&c, &request, &SyncOptions::default())
                    .await?
            } else {
                renew_enrollment_program_token(&c, &request).await?
            };
            Ok(DepRenewalReport {
                token_id: r.token_id,
                token_name: r.token_name,
                server_name_from_file_name: r.server_name_from_file_name,
                previous_expiry: time(r.previous_expiry),
                new_expiry: time(r.new_expiry),
                forced: r.forced,
                overridden: refusals(r.overridden),
                warnings: r.warnings,
                steps: steps(r.steps),
            })
        })
        .await
    }

    /// Renews the VPP token of the file's organisation (and `location`) in place, after every
    /// safety check (`tokenFile`: the `.vpptoken` content, a secret). `createIfMissing`:
    /// create the token when the organisation/location has none.
    pub async fn renew_vpp_token(
        &self,
        token_file: String,
        location: Option<String>,
        create_if_missing: bool,
        force: bool,
    ) -> Result<VppRenewalReport> {
        let c = self.core();
        let request = VppRenewalRequest {
            token_file: Secret::new(token_file),
            location,
            create_if_missing,
            force,
        };
        run(async move {
            let r = renew_vpp_token(&c, &request).await?;
            Ok(VppRenewalReport {
                token_id: r.token_id,
                organization_name: r.organization_name,
                location_name: r.location_name,
                created: r.created,
                previous_expiry: time(r.previous_expiry),
                new_expiry: time(r.new_expiry),
                file_expiry: r.file_expiry.into(),
                forced: r.forced,
                overridden: refusals(r.overridden),
                warnings: r.warnings,
                steps: steps(r.steps),
            })
        })
        .await
    }

    /// Plans (`apply` false) or applies the repair of VPP apps present under two tokens;
    /// the report as JSON text (`docs/duplicates.md`).
    pub async fn repair_duplicate_apps(&self, apply: bool) -> Result<String> {
        let c = self.core();
        let options = DuplicateRepairOptions { apply };
        run(async move { json::to_text(&repair_duplicate_apps(&c, &options).await?) }).await
    }

    /// Creates a profile from a template (Graph's JSON) after validating it against the
    /// tenant (fails with `InvalidProfile` and every violation); the outcome as JSON text.
    pub async fn create_profile(&self, token_id: String, template_json: String) -> Result<String> {
        let template: EnrollmentProfile = json::from_text(&template_json, "the template")?;
        let c = self.core();
        run(async move { json::to_text(&create_profile(&c, &token_id, &template).await?) }).await
    }

    /// Holds every enrollment profile of a token against the profile rules, as it is in the
    /// tenant: classic profiles, and settings-catalog enrollment policies through their
    /// settings. Read only.
    pub async fn validate_token_profiles(
        &self,
        token_id: String,
    ) -> Result<std::sync::Arc<TokenProfilesCheck>> {
        let c = self.core();
        run(async move {
            let inner = validate_token_profiles(&c, &token_id).await?;
            Ok(std::sync::Arc::new(TokenProfilesCheck { inner }))
        })
        .await
    }

    /// Copies a profile to a token, of this tenant or of the `target` client's tenant; the
    /// outcome as JSON text.
    pub async fn copy_profile(
        &self,
        source_token_id: String,
        profile_id: String,
        target: std::sync::Arc<Client>,
        target_token_id: String,
        new_name: Option<String>,
    ) -> Result<String> {
        let c = self.core();
        let t = target.core();
        run(async move {
            json::to_text(
                &copy_profile(
                    &c,
                    &source_token_id,
                    &profile_id,
                    &t,
                    &target_token_id,
                    new_name.as_deref(),
                )
                .await?,
            )
        })
        .await
    }

    /// Assigns a profile to serial numbers in batches (`batchSize`, default and most 1,000),
    /// with one outcome per device; the report as JSON text.
    pub async fn assign_serial_numbers(
        &self,
        token_id: String,
        profile_id: String,
        serial_numbers: Vec<String>,
        batch_size: Option<u32>,
    ) -> Result<String> {
        let c = self.core();
        let mut options = SerialAssignmentOptions::default();
        if let Some(n) = batch_size {
            options.batch_size = usize::try_from(n).unwrap_or(usize::MAX);
        }
        run(async move {
            json::to_text(
                &assign_serial_numbers(&c, &token_id, &profile_id, &serial_numbers, &options)
                    .await?,
            )
        })
        .await
    }

    /// Makes a profile the default of its platform, reporting the previous default (JSON).
    pub async fn set_default_profile(
        &self,
        token_id: String,
        profile_id: String,
    ) -> Result<String> {
        let c = self.core();
        run(async move { json::to_text(&set_default_profile(&c, &token_id, &profile_id).await?) })
            .await
    }
}

/// One profile of a token, as `validateTokenProfiles` checked it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProfileCheck {
    /// The profile's id (`ECV2_<tokenId>_<policyId>` for a settings-catalog policy).
    pub profile_id: String,
    /// Its name.
    pub display_name: Option<String>,
    /// Whether it is a settings-catalog enrollment policy (checked through its settings).
    pub settings_catalog: bool,
    /// `iOS`, `macOS`, `tvOS` or `visionOS`, when known.
    pub platform: Option<String>,
    /// Every broken rule, errors first; for a settings-catalog policy `path` is the setting
    /// definition id.
    pub violations: Vec<Violation>,
    /// Settings of a policy that no rule reads (review them in the Intune admin center).
    pub unchecked_settings: Vec<String>,
    /// Why the profile could not be checked; `null` / `nil` when it was.
    pub error: Option<String>,
}

/// Every enrollment profile of a token held against the profile rules.
#[derive(Debug, uniffi::Object)]
pub struct TokenProfilesCheck {
    inner: profile_check::TokenProfilesCheck,
}

#[uniffi::export]
impl TokenProfilesCheck {
    /// The enrollment program token.
    pub fn token_id(&self) -> String {
        self.inner.token_id.clone()
    }

    /// One entry per profile, in the token's order.
    pub fn profiles(&self) -> Vec<ProfileCheck> {
        self.inner
            .profiles
            .iter()
            .map(|p| ProfileCheck {
                profile_id: p.profile_id.clone(),
                display_name: p.display_name.clone(),
                settings_catalog: p.settings_catalog,
                platform: p.platform.clone(),
                violations: p
                    .violations
                    .iter()
                    .map(|v| Violation {
                        code: v.code.clone(),
                        is_error: v.severity == "error",
                        path: v.path.clone(),
                        message: v.message.clone(),
                    })
                    .collect(),
                unchecked_settings: p.unchecked_settings.clone(),
                error: p.error.clone(),
            })
            .collect()
    }

    /// 0 every profile passes, 1 a profile breaks a rule, 2 one could not be checked (none
    /// breaks a rule).
    pub fn exit_code(&self) -> i32 {
        self.inner.exit_code()
    }

    /// Whether a profile breaks a rule at error level.
    pub fn has_errors(&self) -> bool {
        self.inner.has_errors()
    }

    /// Plain text for a terminal (tenant text made safe).
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The check as JSON text (the core's shape, camelCase).
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}
