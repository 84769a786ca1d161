//! Renewing the Apple MDM push certificate (`.pem`) and downloading its signing request.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::read_back_failed;
use crate::files::push::{PushRenewalError, PushWarning};
use crate::files::{check_push_renewal, PushCertificate};
use crate::graph::{Client, ErrorKind};
use crate::model::ApplePushNotificationCertificate;
use crate::workflows::error::{Refusal, WorkflowError};
use crate::workflows::step::{Step, StepOutcome};
use crate::Secret;

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
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
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
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_keys_ignore_case_separators_and_sign_byte() {
        assert_eq!(serial_key("00:2c:4e"), serial_key("2C4E"));
        assert_ne!(serial_key("2C4E"), serial_key("2C4F"));
    }
}
