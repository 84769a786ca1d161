//! The first set-up of the Apple MDM push certificate: a tenant without one answers 404 to
//! every read of it, and a renewal is refused (`noCurrentCertificate`). This generates the
//! certificate signing request to take to Apple's portal (*Create a Certificate*, not *Renew*).

use std::path::Path;

use crate::graph::Client;

use super::error::WorkflowError;
use super::renewal::CsrDownload;

/// Generates a new push certificate signing request in Intune and writes it to `path`, for a
/// tenant that has no push certificate yet.
///
/// Refuses (nothing generated) when the tenant already has a push certificate: a renewal must
/// use the signing request of the certificate in use ([`super::renewal::download_push_csr`]),
/// since a certificate created from a new request has another topic and every enrolled device
/// would have to enrol again.
///
/// # Errors
/// [`WorkflowError::RenewalRefused`] (`pushCertificateExists`) when the tenant has one,
/// [`WorkflowError::Graph`] or [`WorkflowError::Io`].
pub async fn generate_push_csr(
    client: &Client,
    path: impl AsRef<Path>,
) -> Result<CsrDownload, WorkflowError> {
    let path = path.as_ref();
    let api = client.push_certificate();
    match api.get().await {
        Ok(_) => {
            return Err(WorkflowError::RenewalRefused {
                reasons: vec![super::Refusal::blocking(
                    "pushCertificateExists",
                    "the tenant already has a push certificate: renew it with the signing request of the one in use (download_push_csr, then Renew at https://identity.apple.com); a certificate from a new request has another topic and every device would have to enrol again",
                )],
            })
        }
        Err(e) if e.kind() == crate::graph::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let csr = api.generate_csr().await?;
    std::fs::write(path, csr.as_bytes()).map_err(|e| WorkflowError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(CsrDownload {
        path: path.display().to_string(),
        bytes: csr.len(),
        next_step: "Sign in at https://identity.apple.com with a Managed Apple ID of the organisation (one that will stay), choose Create a Certificate (not Renew), upload this file, download the .pem and upload it with the push renewal and force (a first set-up has no certificate to compare with)".into(),
    })
}
