//! `intune_apple.inspect(path)`: the offline checks of the files Apple hands out, as typed
//! classes. File contents stay in Rust (a `Secret`): they are never readable from Python, but
//! the objects can be passed to the upload and renewal calls.

use chrono::{DateTime, Utc};
use intune_apple_core::files::{
    self, AppleFile, DepRecipient, DepTokenFile, PushCertificate, PushWarning, VppRenewalCheck,
    VppRenewalFlag, VppTokenFile,
};
use pyo3::prelude::*;

use crate::errors::{file_err, renewal_err};
use crate::models::{PyApplePushNotificationCertificate, PyVppToken};

fn to_py(py: Python<'_>, file: AppleFile) -> PyResult<Py<PyAny>> {
    Ok(match file {
        AppleFile::VppToken(inner) => Py::new(py, PyVppTokenFile { inner })?.into_any(),
        AppleFile::PushCertificate(inner) => {
            Py::new(py, PyPushCertificateFile { inner })?.into_any()
        }
        AppleFile::DepToken(inner) => Py::new(py, PyDepTokenFile { inner })?.into_any(),
    })
}

/// Reads and recognises an Apple file by its content.
#[pyfunction]
pub(crate) fn inspect(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Py<PyAny>> {
    let file = py
        .detach(|| files::inspect(&path))
        .map_err(|e| file_err(&e))?;
    to_py(py, file)
}

/// Recognises an Apple file from its bytes (`file_name` feeds the `.p7m` timestamp).
#[pyfunction]
#[pyo3(signature = (data, file_name=None))]
pub(crate) fn inspect_bytes(
    py: Python<'_>,
    data: &[u8],
    file_name: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let file = files::inspect_bytes(data, file_name).map_err(|e| file_err(&e))?;
    to_py(py, file)
}

fn read(py: Python<'_>, path: &std::path::Path) -> PyResult<Vec<u8>> {
    py.detach(|| files::read(path)).map_err(|e| file_err(&e))
}

/// Checks that the push certificate at `path` can replace Intune's `current` one; returns the
/// warnings or raises `RenewalRefusedError` (another topic, not later, already expired), and
/// `TokenFileError` when the file is not a readable push certificate.
#[pyfunction]
#[pyo3(signature = (current, path, now, apple_id=None))]
pub(crate) fn check_push_certificate_renewal(
    py: Python<'_>,
    current: PyRef<'_, PyApplePushNotificationCertificate>,
    path: std::path::PathBuf,
    now: DateTime<Utc>,
    apple_id: Option<&str>,
) -> PyResult<Vec<&'static str>> {
    let new = PushCertificate::parse(&read(py, &path)?).map_err(|e| file_err(&e))?;
    files::check_push_renewal(&current.inner, &new, now, apple_id)
        .map(|w| w.iter().map(warning_code).collect())
        .map_err(|e| renewal_err(&e))
}

/// Checks the `.vpptoken` at `path` against the VPP tokens already in Intune.
#[pyfunction]
#[pyo3(signature = (path, existing, now, location=None))]
pub(crate) fn check_vpp_token_renewal(
    py: Python<'_>,
    path: std::path::PathBuf,
    existing: Vec<PyRef<'_, PyVppToken>>,
    now: DateTime<Utc>,
    location: Option<&str>,
) -> PyResult<PyVppRenewalCheck> {
    let file = VppTokenFile::parse(&read(py, &path)?).map_err(|e| file_err(&e))?;
    let tokens: Vec<_> = existing.iter().map(|t| t.inner.clone()).collect();
    Ok(PyVppRenewalCheck {
        inner: file.check_renewal(&tokens, location, now),
    })
}

/// Whether the `.p7m` at `path` was encrypted to the public key certificate Intune gave for
/// the token (PEM, `get_encryption_public_key`): `False` means it was downloaded for another
/// MDM server.
#[pyfunction]
pub(crate) fn check_enrollment_program_token_file(
    py: Python<'_>,
    path: std::path::PathBuf,
    public_key_pem: &str,
) -> PyResult<bool> {
    let name = path.file_name().and_then(|n| n.to_str());
    let file = DepTokenFile::parse(&read(py, &path)?, name).map_err(|e| file_err(&e))?;
    file.check_against(public_key_pem.as_bytes())
        .map_err(|e| file_err(&e))
}

/// A `.vpptoken` (Apps and Books location token).
#[pyclass(frozen, module = "intune_apple.files", name = "VppTokenFile")]
pub(crate) struct PyVppTokenFile {
    pub(crate) inner: VppTokenFile,
}

#[pymethods]
impl PyVppTokenFile {
    #[getter]
    fn organization_name(&self) -> &str {
        &self.inner.organization_name
    }
    #[getter]
    fn expires_at(&self) -> DateTime<Utc> {
        self.inner.expires
    }
    fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.inner.is_expired(now)
    }
    /// Compares the file with the VPP tokens already in Intune.
    #[pyo3(signature = (existing, now, location=None))]
    fn check_renewal(
        &self,
        existing: Vec<PyRef<'_, PyVppToken>>,
        now: DateTime<Utc>,
        location: Option<&str>,
    ) -> PyVppRenewalCheck {
        let tokens: Vec<_> = existing.iter().map(|t| t.inner.clone()).collect();
        PyVppRenewalCheck {
            inner: self.inner.check_renewal(&tokens, location, now),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "VppTokenFile(organization_name={:?}, expires_at={})",
            self.inner.organization_name,
            self.inner.expires.to_rfc3339()
        )
    }
}

/// The outcome of `VppTokenFile.check_renewal`.
#[pyclass(frozen, module = "intune_apple.files", name = "VppRenewalCheck")]
pub(crate) struct PyVppRenewalCheck {
    inner: VppRenewalCheck,
}

#[pymethods]
impl PyVppRenewalCheck {
    #[getter]
    fn renews_token_id(&self) -> Option<&str> {
        self.inner.renews_token_id.as_deref()
    }
    #[getter]
    fn renews_location(&self) -> Option<&str> {
        self.inner.renews_location.as_deref()
    }
    /// Problems found, as `(code, detail)`: `already_expired`, `expires_sooner_than_replaced`
    /// (detail: the current expiry), `duplicate_of_existing` (detail: the token id),
    /// `other_organization`.
    #[getter]
    fn flags(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, Py<PyAny>)>> {
        self.inner
            .flags
            .iter()
            .map(|f| {
                Ok(match f {
                    VppRenewalFlag::AlreadyExpired => ("already_expired", py.None()),
                    VppRenewalFlag::ExpiresSoonerThanReplaced { current } => (
                        "expires_sooner_than_replaced",
                        current.into_pyobject(py)?.into_any().unbind(),
                    ),
                    VppRenewalFlag::DuplicateOfExisting { token_id } => (
                        "duplicate_of_existing",
                        token_id.clone().into_pyobject(py)?.into_any().unbind(),
                    ),
                    VppRenewalFlag::OtherOrganization => ("other_organization", py.None()),
                })
            })
            .collect()
    }
    #[getter]
    fn is_ok(&self) -> bool {
        self.inner.is_ok()
    }
    fn __repr__(&self) -> String {
        format!(
            "VppRenewalCheck(renews_token_id={:?}, flags={})",
            self.inner.renews_token_id,
            self.inner.flags.len()
        )
    }
}

fn warning_code(w: &PushWarning) -> &'static str {
    match w {
        PushWarning::PrivateKeyIgnored => "private_key_ignored",
        PushWarning::CnUuidMismatch => "cn_uuid_mismatch",
        PushWarning::UnexpectedIssuer => "unexpected_issuer",
        PushWarning::AppleIdUnknown => "apple_id_unknown",
        PushWarning::AppleIdDiffers { .. } => "apple_id_differs",
        PushWarning::CurrentTopicUnknown => "current_topic_unknown",
    }
}

/// An Apple MDM push certificate file (`.pem`, from the Apple Push Certificates Portal).
#[pyclass(frozen, module = "intune_apple.files", name = "PushCertificateFile")]
pub(crate) struct PyPushCertificateFile {
    pub(crate) inner: PushCertificate,
}

#[pymethods]
impl PyPushCertificateFile {
    #[getter]
    fn topic(&self) -> &str {
        &self.inner.topic
    }
    #[getter]
    fn serial_hex(&self) -> &str {
        &self.inner.serial_hex
    }
    #[getter]
    fn not_before(&self) -> DateTime<Utc> {
        self.inner.not_before
    }
    #[getter]
    fn not_after(&self) -> DateTime<Utc> {
        self.inner.not_after
    }
    #[getter]
    fn issuer(&self) -> &str {
        &self.inner.issuer
    }
    #[getter]
    fn issuer_cn(&self) -> Option<&str> {
        self.inner.issuer_cn.as_deref()
    }
    #[getter]
    fn subject_cn(&self) -> Option<&str> {
        self.inner.subject_cn.as_deref()
    }
    #[getter]
    fn sha256_fingerprint(&self) -> &str {
        &self.inner.sha256_fingerprint
    }
    /// Remarks that do not block an upload (`private_key_ignored`, `unexpected_issuer`, ...).
    #[getter]
    fn warnings(&self) -> Vec<&'static str> {
        self.inner.warnings.iter().map(warning_code).collect()
    }
    fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.inner.is_expired(now)
    }
    /// Checks that this file can replace Intune's `current` certificate; returns the warnings
    /// or raises `RenewalRefusedError` (another topic, not later, already expired).
    #[pyo3(signature = (current, now, apple_id=None))]
    fn check_renewal(
        &self,
        current: PyRef<'_, PyApplePushNotificationCertificate>,
        now: DateTime<Utc>,
        apple_id: Option<&str>,
    ) -> PyResult<Vec<&'static str>> {
        files::check_push_renewal(&current.inner, &self.inner, now, apple_id)
            .map(|w| w.iter().map(warning_code).collect())
            .map_err(|e| renewal_err(&e))
    }
    fn __repr__(&self) -> String {
        format!(
            "PushCertificateFile(topic={:?}, not_after={})",
            self.inner.topic,
            self.inner.not_after.to_rfc3339()
        )
    }
}

/// An enrollment program token file (`.p7m`), still encrypted.
#[pyclass(frozen, module = "intune_apple.files", name = "DepTokenFile")]
pub(crate) struct PyDepTokenFile {
    pub(crate) inner: DepTokenFile,
}

#[pymethods]
impl PyDepTokenFile {
    #[getter]
    fn server_name_from_file_name(&self) -> Option<&str> {
        self.inner.server_name_from_file_name.as_deref()
    }
    #[getter]
    fn file_name_timestamp(&self) -> Option<DateTime<Utc>> {
        self.inner.file_name_timestamp
    }
    #[getter]
    fn content_encryption_oid(&self) -> &str {
        &self.inner.content_encryption_oid
    }
    /// The certificates the token was encrypted for, as `(issuer, serial_hex, key_encryption_oid)`.
    #[getter]
    fn recipients(&self) -> Vec<(Option<String>, Option<String>, String)> {
        self.inner
            .recipients
            .iter()
            .map(|r: &DepRecipient| {
                (
                    r.issuer.clone(),
                    r.serial_hex.clone(),
                    r.key_encryption_oid.clone(),
                )
            })
            .collect()
    }
    /// Whether the token was encrypted for this public key certificate (PEM; for Intune the
    /// result of `get_encryption_public_key`).
    fn check_against(&self, public_key_pem: &str) -> PyResult<bool> {
        self.inner
            .check_against(public_key_pem.as_bytes())
            .map_err(|e| file_err(&e))
    }
    fn __repr__(&self) -> String {
        format!(
            "DepTokenFile(server_name_from_file_name={:?}, recipients={})",
            self.inner.server_name_from_file_name,
            self.inner.recipients.len()
        )
    }
}
