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

mod enrollment_program;
mod push;
mod vpp;

pub use enrollment_program::{
    renew_enrollment_program_token, renew_enrollment_program_token_and_sync, DepRenewalReport,
    DepRenewalRequest,
};
pub use push::{
    download_push_csr, renew_push_certificate, CsrDownload, PushRenewalReport, PushRenewalRequest,
};
pub use vpp::{renew_vpp_token, VppRenewalReport, VppRenewalRequest};

use super::error::WorkflowError;

/// The write was sent; reading it back failed: say so, so that nobody uploads twice blindly.
#[allow(clippy::needless_pass_by_value)] // used as `map_err(read_back_failed)`
fn read_back_failed(e: crate::graph::Error) -> WorkflowError {
    WorkflowError::VerificationFailed {
        what: format!(
            "the upload was sent but reading it back failed ({e}); it may or may not be applied"
        ),
    }
}

/// Whether a renewal took: the expiry read back is later than before (or there is one where
/// there was none). `what` names the credential in the error ("the token's", ...).
fn check_expiry_moved(
    what: &str,
    previous: Option<chrono::DateTime<chrono::Utc>>,
    new: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), WorkflowError> {
    let moved = match (previous, new) {
        (Some(p), Some(n)) => n > p,
        (None, Some(_)) => true,
        _ => false,
    };
    if moved {
        return Ok(());
    }
    Err(WorkflowError::VerificationFailed {
        what: format!(
            "{what} expiry did not move ({}): the upload was not applied",
            new.map_or_else(|| "none".into(), |d| d.to_rfc3339())
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Client;

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
}
