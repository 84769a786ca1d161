//! Safe renewals: each one checks the new file against what Intune has, writes only when every
//! check passes (or `force` says so), reads the result back and verifies it.
//!
//! - [`renew_push_certificate`]: the Apple MDM push certificate (`.pem`);
//! - [`download_push_csr`]: the certificate signing request to take to Apple's portal;
//! - [`renew_enrollment_program_token`]: an enrollment program token (`.p7m`), and
//!   [`renew_enrollment_program_token_and_sync`] to start a sync with Apple once renewed;
//! - [`renew_vpp_token`]: a VPP (Apps and Books) location token (`.vpptoken`).
//!
//! Nothing is written when a check fails: the refusal ([`WorkflowError::RenewalRefused`])
//! lists every reason found.
//!
//! ```no_run
//! use intune_apple_core::graph::Client;
//! use intune_apple_core::workflows::renewal::{renew_push_certificate, PushRenewalRequest};
//! use intune_apple_core::Secret;
//!
//! # async fn run() -> Result<(), intune_apple_core::workflows::error::WorkflowError> {
//! let client = Client::from_env()?;
//! let pem = std::fs::read_to_string("MDM_Contoso_Certificate.pem").unwrap_or_default();
//! let report = renew_push_certificate(&client, &PushRenewalRequest {
//!     apple_id: "admin@contoso.example".into(),
//!     pem: Secret::new(pem),
//!     force: false,
//! }).await?;
//! println!("now expires {:?}", report.new_expiry);
//! # Ok(()) }
//! ```

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};

use super::error::{Refusal, WorkflowError};
use super::step::{Step, StepOutcome};
use crate::files::push::{PushRenewalError, PushWarning};
use crate::files::{
    check_push_renewal, DepTokenFile, PushCertificate, VppRenewalFlag, VppTokenFile,
};
use crate::graph::{Client, ErrorKind, SyncOptions};
use crate::model::{
    ApplePushNotificationCertificate, VppToken, VppTokenCreateRequest, VppTokenState,
};
use crate::Secret;

// ---------------------------------------------------------------------------------------------
// Push certificate

/// What [`renew_push_certificate`] needs.
#[derive(Debug, Clone)]
pub struct PushRenewalRequest {
    /// The Apple ID the certificate was renewed with at the Apple Push Certificates Portal.
    pub apple_id: String,
    /// The renewed certificate as downloaded from Apple (`.pem`); a private key in the file is
    /// ignored and never sent.
    pub pem: Secret,
    /// Upload even if a check refuses it. A different topic is then uploaded too, which forces
    /// every enrolled Apple device to enrol again: the report says so in `topicChanged`.
    pub force: bool,
}

/// The outcome of [`renew_push_certificate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushRenewalReport {
    /// The topic of the uploaded certificate.
    pub topic: String,
    /// The topic Intune had before (`None`: none was configured).
    pub previous_topic: Option<String>,
    /// True when the topic changed (only possible with `force`): every device must re-enrol.
    pub topic_changed: bool,
    /// Expiry before the upload.
    pub previous_expiry: Option<DateTime<Utc>>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<DateTime<Utc>>,
    /// Serial number read back after the upload.
    pub serial_number: Option<String>,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode (empty when none).
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<Step>,
}

fn push_warning_text(w: &PushWarning) -> String {
    match w {
        PushWarning::PrivateKeyIgnored => {
            "the file also carried a private key; it was ignored and not sent".into()
        }
        PushWarning::CnUuidMismatch => {
            "the UUID in the certificate's common name differs from the one in its topic: check that this is the certificate Apple issued for this renewal".into()
        }
        PushWarning::UnexpectedIssuer => "the certificate is not issued by Apple's usual MDM push CA (Apple Application Integration 2 Certification Authority): check that it was downloaded from identity.apple.com".into(),
        PushWarning::AppleIdUnknown => "Intune does not record the Apple ID of the current certificate: keep note of the one used".into(),
        PushWarning::AppleIdDiffers { recorded } => format!("the Apple ID differs from the one Intune records ({recorded}): renew with the Apple ID that created the certificate"),
        PushWarning::CurrentTopicUnknown => "Intune does not report the current topic: the topic check could not run".into(),
    }
}

fn push_refusal(e: &PushRenewalError) -> Refusal {
    let code = match e {
        PushRenewalError::TopicChanged { .. } => "topicChanged",
        PushRenewalError::NotLater { .. } => "notLater",
        PushRenewalError::AlreadyExpired { .. } => "alreadyExpired",
    };
    Refusal::new(code, e.to_string())
}

/// Every reason `files::check_push_renewal` finds (it stops at the first; the checks are
/// re-run with the found difference neutralised to collect the others), and the warnings.
fn push_checks(
    current: &ApplePushNotificationCertificate,
    new: &PushCertificate,
    now: DateTime<Utc>,
    apple_id: &str,
) -> (Vec<Refusal>, Vec<PushWarning>) {
    let mut cur = current.clone();
    let mut reasons = Vec::new();
    for _ in 0..4 {
        match check_push_renewal(&cur, new, now, Some(apple_id)) {
            Ok(w) => return (reasons, w),
            Err(e) => {
                reasons.push(push_refusal(&e));
                match e {
                    PushRenewalError::TopicChanged { .. } => {
                        cur.topic_identifier = Some(new.topic.clone());
                    }
                    PushRenewalError::NotLater { .. } => cur.expiration_date_time = None,
                    _ => break,
                }
            }
        }
    }
    (reasons, new.warnings.clone())
}

/// The write was sent; reading it back failed: say so, so that nobody uploads twice blindly.
#[allow(clippy::needless_pass_by_value)] // used as `map_err(read_back_failed)`
fn read_back_failed(e: crate::graph::Error) -> WorkflowError {
    WorkflowError::VerificationFailed {
        what: format!(
            "the upload was sent but reading it back failed ({e}); it may or may not be applied"
        ),
    }
}

/// Normalised serial for comparison: upper-case hex without leading zeros.
fn serial_key(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    s.trim_start_matches('0').to_owned()
}

/// Renews the Apple MDM push certificate safely: checks the new `.pem` against the certificate
/// in Intune (same topic, later expiry, not expired), uploads it, reads it back and verifies that
/// the topic stayed and the expiry moved.
///
/// # Errors
/// - [`WorkflowError::TokenFile`] when the PEM is not a push certificate (nothing written);
/// - [`WorkflowError::RenewalRefused`] with every reason when a check fails and `force` is off
///   (nothing written);
/// - [`WorkflowError::Graph`] when a call fails;
/// - [`WorkflowError::VerificationFailed`] when the certificate read back is not the new one.
pub async fn renew_push_certificate(
    client: &Client,
    request: &PushRenewalRequest,
) -> Result<PushRenewalReport, WorkflowError> {
    let now = client.clock().now();
    let mut steps = Vec::new();
    let new = PushCertificate::parse(request.pem.expose().as_bytes())?;
    steps.push(Step::done(
        "inspect",
        format!(
            "certificate for topic {} valid until {}",
            new.topic,
            new.not_after.to_rfc3339()
        ),
    ));
    let api = client.push_certificate();
    let current = match api.get().await {
        Ok(c) => Some(c),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let (reasons, warnings) = match &current {
        Some(cur) => push_checks(cur, &new, now, &request.apple_id),
        None => (
            vec![Refusal::new(
                "noCurrentCertificate",
                "the tenant has no push certificate: this is a first set-up, not a renewal. Create one: generate a signing request (generate_push_csr, Graph generateApplePushNotificationCertificateSigningRequest, or Intune admin center: Devices > Enrollment > Apple > Apple MDM Push certificate), choose Create a Certificate (not Renew) at https://identity.apple.com with a Managed Apple ID of the organisation, then upload the .pem (use force to upload this one as the first)",
            )],
            new.warnings.clone(),
        ),
    };
    let mut warnings: Vec<String> = warnings.iter().map(push_warning_text).collect();
    let previous_topic = current.as_ref().and_then(|c| c.topic_identifier.clone());
    let previous_expiry = current.as_ref().and_then(|c| c.expiration_date_time);
    let topic_changed = previous_topic
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case(&new.topic));
    if !reasons.is_empty() && !request.force {
        return Err(WorkflowError::RenewalRefused { reasons });
    }
    if reasons.is_empty() {
        steps.push(Step::done("check", "same topic, later expiry, not expired"));
    } else {
        steps.push(Step::new(
            "check",
            StepOutcome::Warning,
            format!("{} refusal(s) overridden by force", reasons.len()),
        ));
    }
    if topic_changed {
        let loud = format!(
            "TOPIC CHANGED from {} to {}: every enrolled Apple device loses contact with Intune and must enrol again",
            previous_topic.as_deref().unwrap_or_default(),
            new.topic
        );
        tracing::warn!("{loud}");
        warnings.insert(0, loud);
    }
    match api.upload(&request.apple_id, new.pem.clone()).await {
        Ok(_) => steps.push(Step::done("upload", "Intune accepted the certificate")),
        Err(e) if e.kind() == ErrorKind::OutcomeUnknown => steps.push(Step::new(
            "upload",
            StepOutcome::Warning,
            "the answer was lost; reading back to see whether the upload was applied",
        )),
        Err(e) => return Err(e.into()),
    }
    let after = api.get().await.map_err(read_back_failed)?;
    steps.push(Step::done("readBack", "certificate read back from Intune"));
    let read_topic = after.topic_identifier.clone().unwrap_or_default();
    if !read_topic.eq_ignore_ascii_case(&new.topic) {
        return Err(WorkflowError::VerificationFailed {
            what: format!(
                "Intune reports topic {read_topic:?}, expected {} from the uploaded certificate",
                new.topic
            ),
        });
    }
    let Some(new_expiry) = after.expiration_date_time else {
        return Err(WorkflowError::VerificationFailed {
            what: "Intune reports no expiry for the push certificate after the upload".into(),
        });
    };
    if previous_expiry.is_some_and(|p| new_expiry <= p) {
        return Err(WorkflowError::VerificationFailed {
            what: format!(
                "the expiry did not move (still {}): the upload was not applied",
                new_expiry.to_rfc3339()
            ),
        });
    }
    if (new_expiry - new.not_after).num_seconds().abs() > Duration::days(1).num_seconds() {
        warnings.push(format!(
            "Intune reports expiry {} but the certificate says {}: check the push certificate in the Intune admin center (Devices > Enrollment > Apple > Apple MDM Push certificate)",
            new_expiry.to_rfc3339(),
            new.not_after.to_rfc3339()
        ));
    }
    if let Some(s) = &after.certificate_serial_number {
        if serial_key(s) != serial_key(&new.serial_hex) {
            warnings.push(format!(
                "Intune reports serial {s}, the certificate has {}: check the push certificate in the Intune admin center (Devices > Enrollment > Apple > Apple MDM Push certificate)",
                new.serial_hex
            ));
        }
    }
    steps.push(Step::done(
        "verify",
        format!(
            "topic unchanged, expiry moved to {}",
            new_expiry.to_rfc3339()
        ),
    ));
    Ok(PushRenewalReport {
        topic: new.topic.clone(),
        previous_topic,
        topic_changed,
        previous_expiry,
        new_expiry: Some(new_expiry),
        serial_number: after.certificate_serial_number,
        forced: request.force,
        overridden: reasons,
        warnings,
        steps,
    })
}

/// The outcome of [`download_push_csr`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsrDownload {
    /// Where the CSR was written.
    pub path: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// What to do with it.
    pub next_step: String,
}

/// Downloads the push certificate signing request from Intune and writes it to `path`, ready to
/// upload at <https://identity.apple.com> (Renew, not Create).
///
/// # Errors
/// [`WorkflowError::Graph`] or [`WorkflowError::Io`].
pub async fn download_push_csr(
    client: &Client,
    path: impl AsRef<Path>,
) -> Result<CsrDownload, WorkflowError> {
    let path = path.as_ref();
    let csr = client.push_certificate().download_csr().await?;
    std::fs::write(path, csr.as_bytes()).map_err(|e| WorkflowError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(CsrDownload {
        path: path.display().to_string(),
        bytes: csr.len(),
        next_step: "Sign in at https://identity.apple.com with the Apple ID that created the certificate, choose Renew next to it (not Create), upload this file, download the new .pem and run the push renewal with it".into(),
    })
}

// ---------------------------------------------------------------------------------------------
// Enrollment program token

/// What [`renew_enrollment_program_token`] needs.
#[derive(Debug, Clone)]
pub struct DepRenewalRequest {
    /// The id of the enrollment program token in Intune (`depOnboardingSetting` id).
    pub token_id: String,
    /// The Managed Apple ID of the Apple Business/School Manager account.
    pub apple_id: String,
    /// The `.p7m` file content as downloaded from Apple Business/School Manager.
    pub p7m: Secret,
    /// The file name (`<server>_Token_<timestamp>_smime.p7m`), for the report; optional.
    pub file_name: Option<String>,
    /// Upload even if the recipient check refuses it.
    pub force: bool,
}

/// The outcome of [`renew_enrollment_program_token`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepRenewalReport {
    /// Token id.
    pub token_id: String,
    /// Token name in Intune.
    pub token_name: Option<String>,
    /// MDM server name from the file name, when it follows Apple's pattern.
    pub server_name_from_file_name: Option<String>,
    /// Expiry before the upload.
    pub previous_expiry: Option<DateTime<Utc>>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<DateTime<Utc>>,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode.
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<Step>,
}

/// Renews an enrollment program token safely: fetches the token's current public key
/// (`getEncryptionPublicKey`, never a new one), checks that the `.p7m` was encrypted for it,
/// uploads it, reads the token back and verifies that its expiry moved.
///
/// # Errors
/// - [`WorkflowError::TokenFile`] when the file is not a `.p7m` (nothing written);
/// - [`WorkflowError::RenewalRefused`] when the file was made for another key (another MDM
///   server or an old key) and `force` is off (nothing written);
/// - [`WorkflowError::Graph`] when a call fails;
/// - [`WorkflowError::VerificationFailed`] when the expiry did not move.
pub async fn renew_enrollment_program_token(
    client: &Client,
    request: &DepRenewalRequest,
) -> Result<DepRenewalReport, WorkflowError> {
    let mut steps = Vec::new();
    let mut warnings = Vec::new();
    let file = DepTokenFile::parse(
        request.p7m.expose().as_bytes(),
        request.file_name.as_deref(),
    )?;
    steps.push(Step::done(
        "inspect",
        format!(
            "S/MIME enrollment program token with {} recipient(s)",
            file.recipients.len()
        ),
    ));
    let api = client.enrollment_program_tokens();
    let token = api.get(&request.token_id).await?;
    let previous_expiry = token.token_expiration_date_time;
    let key = api.get_encryption_public_key(&request.token_id).await?;
    let mut reasons = Vec::new();
    match file.check_against(key.as_bytes()) {
        Ok(true) => steps.push(Step::done(
            "check",
            "the file was encrypted for this token's current public key",
        )),
        Ok(false) => {
            let recipients = file
                .recipients
                .iter()
                .map(|r| {
                    format!(
                        "{} serial {}",
                        r.issuer.as_deref().unwrap_or("(key id)"),
                        r.serial_hex.as_deref().unwrap_or("?")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            reasons.push(Refusal::new(
                "notForThisKey",
                format!("the .p7m was encrypted for {recipients}, not for the public key of token {:?}: it was downloaded for another MDM server or before the key changed. In Apple Business Manager, upload this token's public key (from getEncryptionPublicKey) to the MDM server, download the token again and retry", token.token_name.as_deref().unwrap_or(&request.token_id)),
            ));
        }
        Err(e) => reasons.push(Refusal::new(
            "publicKeyUnreadable",
            format!("Intune's public key for this token could not be read ({e}); the recipient check could not run: retry later, or use force only if you are sure the file was downloaded for this token's public key"),
        )),
    }
    match token.apple_identifier.as_deref() {
        Some(rec) if !rec.trim().eq_ignore_ascii_case(request.apple_id.trim()) => {
            warnings.push(format!(
                "the Apple ID differs from the one Intune records ({rec}): Intune now records the one given; if that is not the Managed Apple ID of the Apple Business/School Manager account, upload again with the right one"
            ));
        }
        _ => {}
    }
    if !reasons.is_empty() {
        if !request.force {
            return Err(WorkflowError::RenewalRefused { reasons });
        }
        steps.push(Step::new(
            "check",
            StepOutcome::Warning,
            "the recipient check refused the file; overridden by force",
        ));
    }
    match api
        .upload_token(&request.token_id, &request.apple_id, request.p7m.clone())
        .await
    {
        Ok(()) => steps.push(Step::done("upload", "Intune accepted the token")),
        Err(e) if e.kind() == ErrorKind::OutcomeUnknown => steps.push(Step::new(
            "upload",
            StepOutcome::Warning,
            "the answer was lost; reading back to see whether the upload was applied",
        )),
        Err(e) => return Err(e.into()),
    }
    let after = api.get(&request.token_id).await.map_err(read_back_failed)?;
    steps.push(Step::done("readBack", "token read back from Intune"));
    let new_expiry = after.token_expiration_date_time;
    let moved = match (previous_expiry, new_expiry) {
        (Some(p), Some(n)) => n > p,
        (None, Some(_)) => true,
        _ => false,
    };
    if !moved {
        return Err(WorkflowError::VerificationFailed {
            what: format!(
                "the token's expiry did not move ({}): the upload was not applied",
                new_expiry.map_or_else(|| "none".into(), |d| d.to_rfc3339())
            ),
        });
    }
    if after.last_sync_error_code.is_some_and(|c| c != 0) {
        warnings.push(format!(
            "the token still reports sync error {}: sign in to Apple Business Manager and accept any new terms",
            after.last_sync_error_code.unwrap_or_default()
        ));
    }
    steps.push(Step::done(
        "verify",
        format!(
            "expiry moved to {}",
            new_expiry.map(|d| d.to_rfc3339()).unwrap_or_default()
        ),
    ));
    Ok(DepRenewalReport {
        token_id: request.token_id.clone(),
        token_name: after.token_name.or(token.token_name),
        server_name_from_file_name: file.server_name_from_file_name.clone(),
        previous_expiry,
        new_expiry,
        forced: request.force,
        overridden: reasons,
        warnings,
        steps,
    })
}

/// As [`renew_enrollment_program_token`], then asks Intune to sync the token with Apple, so
/// that devices assigned in Apple Business/School Manager while the token was lapsing show up
/// without waiting for the next automatic sync.
///
/// The sync goes through [`EnrollmentProgramTokens::sync`](crate::graph::EnrollmentProgramTokens::sync)
/// with `sync`, so Intune's sync rules are checked first (unless `sync.force`). The renewal is
/// done and verified before the sync is asked, so a sync that cannot run does not fail the
/// renewal: the report gets a `sync` step that is
/// - `done` when Intune accepted the sync;
/// - `warning` when the sync is refused as too soon (client-side or by Intune), with the next
///   allowed time, plus an entry in `warnings` saying when to sync again;
/// - `failed` for any other error, with what to do, plus an entry in `warnings`.
///
/// ```
/// use intune_apple_core::graph::{Client, ClientSecretCredential, SyncOptions};
/// use intune_apple_core::workflows::{renew_enrollment_program_token_and_sync, DepRenewalRequest, StepOutcome};
/// use intune_apple_core::Secret;
/// use intune_apple_sim::{Seed, Simulator};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sim = Simulator::start(Seed::demo()).await?;
/// let client = Client::builder()
///     .base_url(sim.base_url())
///     .authority_host(sim.authority_host())
///     .credential(ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()))
///     .build()?;
/// let name = "ContosoABM_Token_2026-11-23T11-30-00Z_smime.p7m";
/// let p7m = std::fs::read_to_string(format!("{}/../intune-apple-cli/data/{name}", env!("CARGO_MANIFEST_DIR")))?;
/// let request = DepRenewalRequest {
///     token_id: "d1111111-0000-4000-8000-000000000001".into(),
///     apple_id: "abm@contoso.example".into(),
///     p7m: Secret::new(p7m),
///     file_name: Some(name.into()),
///     force: false,
/// };
/// let report = renew_enrollment_program_token_and_sync(&client, &request, &SyncOptions::default()).await?;
/// let sync = report.steps.last().map(|s| (s.name.as_str(), s.outcome));
/// assert_eq!(sync, Some(("sync", StepOutcome::Done)));
/// # Ok(()) }
/// ```
///
/// # Errors
/// Those of [`renew_enrollment_program_token`]; never an error of the sync itself.
pub async fn renew_enrollment_program_token_and_sync(
    client: &Client,
    request: &DepRenewalRequest,
    sync: &SyncOptions,
) -> Result<DepRenewalReport, WorkflowError> {
    let mut report = renew_enrollment_program_token(client, request).await?;
    let api = client.enrollment_program_tokens();
    match api.sync(&request.token_id, sync).await {
        Ok(()) => report.steps.push(Step::done(
            "sync",
            "Intune started a sync with Apple; new device assignments appear once it ends",
        )),
        Err(e) if e.kind() == ErrorKind::SyncTooSoon => {
            let when = e.next_allowed_at().map_or_else(
                || "in 15 minutes".to_owned(),
                |t| format!("after {}", t.to_rfc3339()),
            );
            report.steps.push(Step::new(
                "sync",
                StepOutcome::Warning,
                format!("a sync is not allowed yet ({e}); the renewal itself is done"),
            ));
            report.warnings.push(format!(
                "the token was renewed but not synced: Intune allows a manual sync at most every 15 minutes and none while one runs; sync it {when} (Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens > Sync), or wait for the automatic sync"
            ));
        }
        Err(e) => {
            report.steps.push(Step::new(
                "sync",
                StepOutcome::Failed,
                format!("the sync could not be started ({e}); the renewal itself is done"),
            ));
            report.warnings.push(
                "the token was renewed but the sync could not be started: sync it from the Intune admin center (Devices > Enrollment > Apple > Enrollment program tokens > Sync), or wait for the automatic sync".to_owned(),
            );
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// VPP token

/// What [`renew_vpp_token`] needs.
#[derive(Debug, Clone)]
pub struct VppRenewalRequest {
    /// The `.vpptoken` file content as downloaded from Apple Business/School Manager.
    pub token_file: Secret,
    /// The location (as Intune shows it in `locationName` or the token's display name). The file
    /// does not carry it; needed when the organisation has several tokens.
    pub location: Option<String>,
    /// Create a new token when the organisation (and location) has none in Intune. Never
    /// creates a second token for a location that already has one.
    pub create_if_missing: bool,
    /// Upload even if an expiry check refuses it (never overrides an ambiguous or duplicate
    /// target).
    pub force: bool,
}

/// The outcome of [`renew_vpp_token`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VppRenewalReport {
    /// The Intune token renewed (or created).
    pub token_id: String,
    /// `orgName` of the file.
    pub organization_name: String,
    /// Location name of the token.
    pub location_name: Option<String>,
    /// True when a new token was created (`create_if_missing`).
    pub created: bool,
    /// Expiry before the upload (`None` when created).
    pub previous_expiry: Option<DateTime<Utc>>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<DateTime<Utc>>,
    /// `expDate` of the file.
    pub file_expiry: DateTime<Utc>,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode.
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<Step>,
}

fn same(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.trim().eq_ignore_ascii_case(b.trim()))
}

fn describe_token(t: &VppToken) -> String {
    format!(
        "{} ({})",
        t.location_name
            .as_deref()
            .or(t.display_name.as_deref())
            .unwrap_or("no location name"),
        t.id.as_deref().unwrap_or("no id")
    )
}

enum VppTarget<'a> {
    Existing(&'a VppToken),
    Create,
}

/// Finds the Intune token a `.vpptoken` renews, or why it cannot be chosen safely.
fn vpp_target<'a>(
    file: &VppTokenFile,
    tokens: &'a [VppToken],
    location: Option<&str>,
    create_if_missing: bool,
) -> Result<VppTarget<'a>, Refusal> {
    let org: Vec<&VppToken> = tokens
        .iter()
        .filter(|t| same(t.organization_name.as_deref(), &file.organization_name))
        .collect();
    let at_location: Vec<&VppToken> = match location {
        Some(loc) => org
            .iter()
            .copied()
            .filter(|t| {
                same(t.location_name.as_deref(), loc) || same(t.display_name.as_deref(), loc)
            })
            .collect(),
        None => org.clone(),
    };
    match at_location.as_slice() {
        [one] => Ok(VppTarget::Existing(one)),
        [] if create_if_missing => Ok(VppTarget::Create),
        [] if org.is_empty() => {
            let orgs: Vec<String> = tokens
                .iter()
                .filter_map(|t| t.organization_name.clone())
                .collect();
            Err(Refusal::blocking(
                "noTokenForOrganization",
                format!(
                    "no VPP token in Intune belongs to organisation {:?} (Intune has: {}): check that the file is for this tenant; to add a new location on purpose, use create_if_missing",
                    file.organization_name,
                    if orgs.is_empty() { "none".into() } else { orgs.join(", ") }
                ),
            ))
        }
        [] => Err(Refusal::blocking(
            "noTokenForLocation",
            format!(
                "organisation {:?} has no VPP token at location {:?} (its locations: {}): give one of those, or use create_if_missing to add a new location on purpose",
                file.organization_name,
                location.unwrap_or_default(),
                org.iter().map(|t| describe_token(t)).collect::<Vec<_>>().join(", ")
            ),
        )),
        many if location.is_some() => Err(Refusal::blocking(
            "duplicateLocation",
            format!(
                "location {:?} already has {} VPP tokens ({}): repair the duplicate apps, delete the old token, then renew the one left",
                location.unwrap_or_default(),
                many.len(),
                many.iter().map(|t| describe_token(t)).collect::<Vec<_>>().join(", ")
            ),
        )),
        many => Err(Refusal::blocking(
            "ambiguousToken",
            format!(
                "organisation {:?} has {} VPP tokens ({}): the file does not say which location it is for; give the location",
                file.organization_name,
                many.len(),
                many.iter().map(|t| describe_token(t)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

fn vpp_flag_refusal(flag: &VppRenewalFlag, file: &VppTokenFile) -> Option<Refusal> {
    match flag {
        VppRenewalFlag::AlreadyExpired => Some(Refusal::new(
            "alreadyExpired",
            format!(
                "the file expired on {}: download a new token from Apple Business Manager (Preferences, Payments and Billing)",
                file.expires.to_rfc3339()
            ),
        )),
        VppRenewalFlag::ExpiresSoonerThanReplaced { current } => Some(Refusal::new(
            "notLater",
            format!(
                "the file expires {} which is before the token in Intune ({}): it is an older download; download the token again",
                file.expires.to_rfc3339(),
                current.to_rfc3339()
            ),
        )),
        VppRenewalFlag::DuplicateOfExisting { token_id } => Some(Refusal::new(
            "alreadyUploaded",
            format!(
                "this exact token is already in Intune (token {}): nothing to renew",
                token_id.as_deref().unwrap_or("?")
            ),
        )),
        _ => None,
    }
}

/// Renews a VPP token safely: inspects the `.vpptoken`, finds the Intune token of the same
/// organisation (and location), uploads the file into it (`PATCH`, never a second token for the
/// same location), starts a licence sync, reads it back and verifies the expiry moved. When the
/// organisation/location has no token, refuses unless `create_if_missing`.
///
/// # Errors
/// - [`WorkflowError::TokenFile`] when the file is not a `.vpptoken` (nothing written);
/// - [`WorkflowError::RenewalRefused`] when no single target can be chosen, or an expiry check
///   fails and `force` is off (nothing written);
/// - [`WorkflowError::Graph`] when a call fails;
/// - [`WorkflowError::VerificationFailed`] when the expiry did not move.
pub async fn renew_vpp_token(
    client: &Client,
    request: &VppRenewalRequest,
) -> Result<VppRenewalReport, WorkflowError> {
    let now = client.clock().now();
    let mut steps = Vec::new();
    let mut warnings = Vec::new();
    let file = VppTokenFile::parse(request.token_file.expose().as_bytes())?;
    steps.push(Step::done(
        "inspect",
        format!(
            "token of organisation {:?} valid until {}",
            file.organization_name,
            file.expires.to_rfc3339()
        ),
    ));
    let api = client.vpp_tokens();
    let tokens: Vec<VppToken> = api.list().try_collect().await?;
    let target = vpp_target(
        &file,
        &tokens,
        request.location.as_deref(),
        request.create_if_missing,
    )
    .map_err(|r| WorkflowError::RenewalRefused { reasons: vec![r] })?;
    let mut reasons = Vec::new();
    let existing = match target {
        VppTarget::Existing(t) => Some(t),
        VppTarget::Create => None,
    };
    let check = file.check_renewal(
        existing.map(std::slice::from_ref).unwrap_or_default(),
        None,
        now,
    );
    let all = file.check_renewal(&tokens, None, now);
    for flag in check.flags.iter().chain(
        all.flags
            .iter()
            .filter(|f| matches!(f, VppRenewalFlag::DuplicateOfExisting { .. })),
    ) {
        if let Some(r) = vpp_flag_refusal(flag, &file) {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
    }
    if let Some(t) = existing {
        if t.state == Some(VppTokenState::AssignedToExternalMdm) {
            warnings.push("the token is assigned to another MDM: claim it (claimTokenManagementFromExternalMdm) in the Intune admin center".into());
        }
    }
    if !reasons.is_empty() {
        if !request.force {
            return Err(WorkflowError::RenewalRefused { reasons });
        }
        steps.push(Step::new(
            "check",
            StepOutcome::Warning,
            format!("{} refusal(s) overridden by force", reasons.len()),
        ));
    } else {
        steps.push(Step::done(
            "check",
            match existing {
                Some(t) => format!("renews {}", describe_token(t)),
                None => "no token for this organisation/location: a new one will be created".into(),
            },
        ));
    }
    let (token_id, previous_expiry, created) = match existing {
        Some(t) => {
            let id = t.id.clone().ok_or_else(|| {
                WorkflowError::InvalidInput("Intune listed a VPP token without an id".into())
            })?;
            match api.renew(&id, &file.content).await {
                Ok(()) => steps.push(Step::done(
                    "upload",
                    "file uploaded into the existing token",
                )),
                Err(e) if e.kind() == ErrorKind::OutcomeUnknown => steps.push(Step::new(
                    "upload",
                    StepOutcome::Warning,
                    "the answer was lost; reading back to see whether the upload was applied",
                )),
                Err(e) => return Err(e.into()),
            }
            (id, t.expiration_date_time, false)
        }
        None => {
            let created = api
                .create(&VppTokenCreateRequest {
                    odata_type: None,
                    token: file.content.clone(),
                    automatically_update_apps: None,
                    country_or_region: None,
                    display_name: request.location.clone(),
                    role_scope_tag_ids: None,
                    data_sharing_consent_granted: Some(true),
                    claim_token_management_from_external_mdm: None,
                })
                .await?;
            let id = created.id.ok_or_else(|| WorkflowError::VerificationFailed {
                what: "Intune created the token but returned no id; list the VPP tokens to find it".into(),
            })?;
            steps.push(Step::done("create", format!("new token {id} created")));
            (id, None, true)
        }
    };
    match api.sync_licenses(&token_id).await {
        Ok(_) => steps.push(Step::done(
            "syncLicenses",
            "licence sync with Apple started",
        )),
        Err(e) => {
            warnings.push(format!("the licence sync could not start ({e}): start it from the Intune admin center (Tenant administration > Connectors and tokens > Apple VPP tokens > Sync)"));
            steps.push(Step::new(
                "syncLicenses",
                StepOutcome::Failed,
                "start it from the Intune admin center (Tenant administration > Connectors and tokens > Apple VPP tokens > Sync)",
            ));
        }
    }
    let after = api.get(&token_id).await.map_err(read_back_failed)?;
    steps.push(Step::done("readBack", "token read back from Intune"));
    let new_expiry = after.expiration_date_time;
    let moved = match (previous_expiry, new_expiry) {
        (Some(p), Some(n)) => n > p,
        (None, Some(_)) => true,
        _ => false,
    };
    if !moved {
        return Err(WorkflowError::VerificationFailed {
            what: format!(
                "the VPP token's expiry did not move ({}): the upload was not applied",
                new_expiry.map_or_else(|| "none".into(), |d| d.to_rfc3339())
            ),
        });
    }
    if let Some(n) = new_expiry {
        if (n - file.expires).num_seconds().abs() > Duration::days(1).num_seconds() {
            warnings.push(format!(
                "Intune reports expiry {} but the file says {}: check the token in the Intune admin center (Tenant administration > Connectors and tokens > Apple VPP tokens)",
                n.to_rfc3339(),
                file.expires.to_rfc3339()
            ));
        }
    }
    match &after.state {
        None | Some(VppTokenState::Valid) => {}
        Some(s) => warnings.push(format!(
            "the token reports state {s:?} after the upload; check it after the licence sync"
        )),
    }
    steps.push(Step::done(
        "verify",
        format!(
            "expiry moved to {}",
            new_expiry.map(|d| d.to_rfc3339()).unwrap_or_default()
        ),
    ));
    Ok(VppRenewalReport {
        token_id,
        organization_name: file.organization_name.clone(),
        location_name: after
            .location_name
            .or_else(|| existing.and_then(|t| t.location_name.clone())),
        created,
        previous_expiry,
        new_expiry,
        file_expiry: file.expires,
        forced: request.force,
        overridden: reasons,
        warnings,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings run these futures on a multi-threaded runtime.
    #[allow(dead_code)]
    fn futures_are_send(
        client: &Client,
        p: &PushRenewalRequest,
        d: &DepRenewalRequest,
        v: &VppRenewalRequest,
    ) {
        fn send<T: Send>(_: &T) {}
        send(&renew_push_certificate(client, p));
        send(&renew_enrollment_program_token(client, d));
        send(&renew_vpp_token(client, v));
        send(&download_push_csr(client, "x"));
    }

    #[test]
    fn serial_keys_ignore_case_separators_and_sign_byte() {
        assert_eq!(serial_key("00:2c:4e"), serial_key("2C4E"));
        assert_ne!(serial_key("2C4E"), serial_key("2C4F"));
    }
}
