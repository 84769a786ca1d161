//! Renewing an enrollment program token (`.p7m`), and the renewal followed by a sync with Apple.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::read_back_failed;
use crate::files::DepTokenFile;
use crate::graph::{Client, ErrorKind, SyncOptions};
use crate::workflows::error::{Refusal, WorkflowError};
use crate::workflows::step::{Step, StepOutcome};
use crate::Secret;

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
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
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
    super::check_expiry_moved("the token's", previous_expiry, new_expiry)?;
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
