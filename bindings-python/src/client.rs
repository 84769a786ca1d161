//! `NativeClient`: every call of the core's Graph client, each returning a [`Pending`] (run by
//! the sync `Client` or awaited by the `AsyncClient`) or [`Pages`] for listings.

use std::sync::Arc;

use intune_apple_core::graph::{
    self, ClientOption, Credential, DurationUnit, HttpStack, SyncOptions,
};
use intune_apple_core::model::{
    EnrollmentProfile, ImportedAppleDeviceIdentity, MobileAppAssignment, VppTokenCreateRequest,
};
use intune_apple_core::{Secret, Zeroizing};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde::de::DeserializeOwned;

use crate::errors::{graph_err, invalid_input};
use crate::files::{PyDepTokenFile, PyPushCertificateFile, PyVppTokenFile};
use crate::models::{
    PyBaseEnrollmentProfile, PyDepEnrollmentProfile, PyDepIosEnrollmentProfile,
    PyDepMacOsEnrollmentProfile, PyImportedAppleDeviceIdentity, PyMobileAppAssignment,
};
use crate::pending::{progress_callback, Pages, Pending};

/// Decodes a Python dict (Graph's JSON shape, camelCase) or JSON text into a model type.
pub(crate) fn from_graph_json<T: DeserializeOwned>(
    obj: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<T> {
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else {
        obj.py()
            .import("json")?
            .call_method1("dumps", (obj,))
            .map_err(|_| invalid_input(format!("{what}: expected a dict of Graph JSON")))?
            .extract()?
    };
    serde_json::from_str(&text).map_err(|e| invalid_input(format!("{what}: {e}")))
}

/// File content given as text, bytes or an inspected file (the secret is kept in Rust).
pub(crate) fn secret_content(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Secret> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Secret::new(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .map(Secret::new)
            .map_err(|_| invalid_input(format!("{what}: the bytes are not text")));
    }
    if let Ok(f) = obj.cast::<PyVppTokenFile>() {
        return Ok(f.get().inner.content.clone());
    }
    if let Ok(f) = obj.cast::<PyPushCertificateFile>() {
        return Ok(f.get().inner.pem.clone());
    }
    if let Ok(f) = obj.cast::<PyDepTokenFile>() {
        return Ok(f.get().inner.content.clone());
    }
    Err(invalid_input(format!(
        "{what}: expected str, bytes or the result of intune_apple.inspect()"
    )))
}

pub(crate) fn profile_from_py(obj: &Bound<'_, PyAny>) -> PyResult<EnrollmentProfile> {
    if let Ok(p) = obj.cast::<PyDepIosEnrollmentProfile>() {
        return Ok(EnrollmentProfile::DepIos(p.get().inner.clone()));
    }
    if let Ok(p) = obj.cast::<PyDepMacOsEnrollmentProfile>() {
        return Ok(EnrollmentProfile::DepMacOs(p.get().inner.clone()));
    }
    if let Ok(p) = obj.cast::<PyBaseEnrollmentProfile>() {
        return from_graph_json(
            &serde_json::to_string(&p.get().inner)
                .map_err(|e| invalid_input(e.to_string()))?
                .into_pyobject(obj.py())?
                .into_any(),
            "profile",
        );
    }
    if let Ok(p) = obj.cast::<PyDepEnrollmentProfile>() {
        return Ok(EnrollmentProfile::DepEnrollmentProfile(
            p.get().inner.clone(),
        ));
    }
    from_graph_json(obj, "profile")
}

fn assignment_from_py(obj: &Bound<'_, PyAny>) -> PyResult<MobileAppAssignment> {
    if let Ok(a) = obj.cast::<PyMobileAppAssignment>() {
        return Ok(a.get().inner.clone());
    }
    from_graph_json(obj, "assignment")
}

fn device_from_py(obj: &Bound<'_, PyAny>) -> PyResult<ImportedAppleDeviceIdentity> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(ImportedAppleDeviceIdentity {
            serial_number: Some(s.to_cow()?.into_owned()),
            ..ImportedAppleDeviceIdentity::default()
        });
    }
    if let Ok(d) = obj.cast::<PyImportedAppleDeviceIdentity>() {
        return Ok(d.get().inner.clone());
    }
    from_graph_json(obj, "device")
}

/// How Python spells the core's client options in messages (its keyword arguments).
fn python_spelling(o: ClientOption) -> &'static str {
    match o {
        ClientOption::OperationTimeout => "timeout",
        // `retries` counts the attempts after the first.
        ClientOption::MaxAttempts => "retries + 1",
        o => o.name(),
    }
}

/// The core client shared by the sync and async Python faces.
#[pyclass(module = "intune_apple._native", frozen)]
pub(crate) struct NativeClient {
    pub(crate) inner: graph::Client,
    /// The process that made this client: a forked child cannot use it (see `HttpStack::shared`).
    #[pyo3(get)]
    pid: u32,
}

/// `certificate=`: PEM text, or the bytes of a PEM or PKCS#12 (`.pfx`) file.
#[derive(FromPyObject)]
pub(crate) enum CertificateContents {
    Text(String),
    Bytes(Vec<u8>),
}

impl CertificateContents {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Bytes(bytes) => bytes,
        }
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (*, tenant_id=None, client_id=None, client_secret=None, certificate=None,
        certificate_path=None, certificate_password=None, access_token=None, base_url=None,
        authority_host=None, cloud=None, timeout=None, attempt_timeout=None, connect_timeout=None,
        retries=None, retry_base_delay=None, retry_max_delay=None, retry_total_budget=None,
        user_agent=None, credential=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        tenant_id: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        certificate: Option<CertificateContents>,
        certificate_path: Option<String>,
        certificate_password: Option<String>,
        access_token: Option<String>,
        base_url: Option<String>,
        authority_host: Option<String>,
        cloud: Option<String>,
        timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        connect_timeout: Option<f64>,
        retries: Option<u32>,
        retry_base_delay: Option<f64>,
        retry_max_delay: Option<f64>,
        retry_total_budget: Option<f64>,
        user_agent: Option<String>,
        credential: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // The library's own credential goes to the core as is; anything else is an
        // azure-identity-shaped object called through Python.
        let credential: Option<Arc<dyn Credential>> = match &credential {
            Some(object) => Some(
                match object.cast::<crate::own_credentials::NativeCredential>() {
                    Ok(own) => own.get().inner.clone(),
                    Err(_) => Arc::new(crate::credential::PyCredential::new(object)?),
                },
            ),
            None => None,
        };
        // The core decides the credential, checks every number and shares the HTTP stack
        // (per process: a forked child starts again).
        let b = graph::ClientOptions {
            credential,
            access_token: access_token.map(Secret::new),
            tenant_id,
            client_id,
            client_secret: client_secret.map(Secret::new),
            certificate: certificate.map(|c| Zeroizing::new(c.bytes().to_vec())),
            certificate_path,
            certificate_password: certificate_password.map(Secret::new),
            base_url,
            authority_host,
            cloud,
            user_agent,
            attempt_timeout,
            connect_timeout,
            operation_timeout: timeout,
            max_attempts: retries.map(|n| f64::from(n) + 1.0),
            retry_base_delay,
            retry_max_delay,
            retry_total_budget,
            unit: DurationUnit::Seconds,
            spelling: python_spelling,
            share_http_stack: true,
        }
        .into_builder()
        .map_err(|e| graph_err(&e))?;
        let inner = b.build().map_err(|e| graph_err(&e))?;
        Ok(Self {
            inner,
            pid: std::process::id(),
        })
    }

    #[staticmethod]
    fn from_env() -> PyResult<Self> {
        let inner = graph::Client::builder_from_env_with(|name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
        .and_then(|b| Ok(b.http_stack(HttpStack::shared(graph::DEFAULT_CONNECT_TIMEOUT)?)))
        .and_then(graph::ClientBuilder::build)
        .map_err(|e| graph_err(&e))?;
        Ok(Self {
            inner,
            pid: std::process::id(),
        })
    }

    #[getter]
    fn graph_root(&self) -> String {
        self.inner.graph_root().to_owned()
    }

    // --- push certificate -------------------------------------------------------------------

    fn get_push_certificate(&self) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.push_certificate().get().await })
    }

    fn download_push_certificate_csr(&self) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.push_certificate().download_csr().await })
    }

    fn upload_push_certificate(
        &self,
        apple_id: String,
        pem: &Bound<'_, PyAny>,
    ) -> PyResult<Pending> {
        let pem = secret_content(pem, "pem")?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.push_certificate().upload(&apple_id, pem).await
        }))
    }

    fn get_data_sharing_consent(&self) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.push_certificate().data_sharing_consent().await })
    }

    fn grant_data_sharing_consent(&self) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.push_certificate().grant_data_sharing_consent().await })
    }

    // --- enrollment program tokens ----------------------------------------------------------

    #[pyo3(signature = (progress=None))]
    fn enrollment_program_tokens(&self, progress: Option<Py<PyAny>>) -> Pages {
        Pages::new(
            self.inner
                .enrollment_program_tokens()
                .list_with_progress(progress_callback(progress)),
        )
    }

    fn get_enrollment_program_token(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.enrollment_program_tokens().get(&token_id).await })
    }

    fn get_encryption_public_key(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_program_tokens()
                .get_encryption_public_key(&token_id)
                .await
        })
    }

    fn generate_encryption_public_key(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_program_tokens()
                .generate_encryption_public_key(&token_id)
                .await
        })
    }

    fn create_enrollment_program_token(&self, token_name: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.enrollment_program_tokens().create(&token_name).await })
    }

    fn upload_enrollment_program_token(
        &self,
        token_id: String,
        apple_id: String,
        p7m: &Bound<'_, PyAny>,
    ) -> PyResult<Pending> {
        let p7m = secret_content(p7m, "p7m")?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.enrollment_program_tokens()
                .upload_token(&token_id, &apple_id, p7m)
                .await
        }))
    }

    #[pyo3(signature = (token_id, *, force=false, last_full_sync=None, macos=false))]
    fn sync_enrollment_program_token(
        &self,
        token_id: String,
        force: bool,
        last_full_sync: Option<chrono::DateTime<chrono::Utc>>,
        macos: bool,
    ) -> Pending {
        let c = self.inner.clone();
        let options = SyncOptions {
            policy: if macos {
                intune_apple_core::rules::SyncPolicy::macos()
            } else {
                intune_apple_core::rules::SyncPolicy::default()
            },
            last_full_sync,
            force,
        };
        Pending::graph(async move {
            c.enrollment_program_tokens()
                .sync(&token_id, &options)
                .await
        })
    }

    fn share_for_school_data_sync(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_program_tokens()
                .share_for_school_data_sync(&token_id)
                .await
        })
    }

    fn unshare_for_school_data_sync(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_program_tokens()
                .unshare_for_school_data_sync(&token_id)
                .await
        })
    }

    fn delete_enrollment_program_token(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.enrollment_program_tokens().delete(&token_id).await })
    }

    // --- enrollment profiles ----------------------------------------------------------------

    fn enrollment_profiles(&self, token_id: &str) -> Pages {
        Pages::new(self.inner.enrollment_profiles(token_id).list())
    }

    fn get_enrollment_profile(&self, token_id: String, profile_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.enrollment_profiles(&token_id).get(&profile_id).await })
    }

    fn create_enrollment_profile(
        &self,
        token_id: String,
        profile: &Bound<'_, PyAny>,
    ) -> PyResult<Pending> {
        let profile = profile_from_py(profile)?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.enrollment_profiles(&token_id).create(&profile).await
        }))
    }

    fn update_enrollment_profile(
        &self,
        token_id: String,
        profile_id: String,
        changes: &Bound<'_, PyAny>,
    ) -> PyResult<Pending> {
        let changes = profile_from_py(changes)?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.enrollment_profiles(&token_id)
                .update(&profile_id, &changes)
                .await
        }))
    }

    fn delete_enrollment_profile(&self, token_id: String, profile_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.enrollment_profiles(&token_id).delete(&profile_id).await })
    }

    fn set_default_enrollment_profile(&self, token_id: String, profile_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_profiles(&token_id)
                .set_default(&profile_id)
                .await
        })
    }

    fn export_mobile_config(&self, token_id: String, profile_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_profiles(&token_id)
                .export_mobile_config(&profile_id)
                .await
        })
    }

    /// One `(serial_numbers, error)` pair per batch; `error` is the exception or None.
    fn assign_profile_to_devices(
        &self,
        token_id: String,
        profile_id: String,
        serial_numbers: Vec<String>,
    ) -> Pending {
        let c = self.inner.clone();
        Pending::new(async move {
            let batches = c
                .enrollment_profiles(&token_id)
                .assign_devices(&profile_id, &serial_numbers)
                .await;
            Ok(AssignmentBatches(batches))
        })
    }

    // --- imported devices -------------------------------------------------------------------

    #[pyo3(signature = (token_id, progress=None))]
    fn imported_devices(&self, token_id: &str, progress: Option<Py<PyAny>>) -> Pages {
        Pages::new(
            self.inner
                .imported_devices(token_id)
                .list_with_progress(progress_callback(progress)),
        )
    }

    fn find_imported_devices(&self, token_id: &str, serial_number: &str) -> Pages {
        Pages::new(
            self.inner
                .imported_devices(token_id)
                .find_by_serial(serial_number),
        )
    }

    #[pyo3(signature = (token_id, devices, overwrite=false))]
    fn import_devices(
        &self,
        token_id: String,
        devices: Vec<Bound<'_, PyAny>>,
        overwrite: bool,
    ) -> PyResult<Pending> {
        let devices = devices
            .iter()
            .map(device_from_py)
            .collect::<PyResult<Vec<_>>>()?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.imported_devices(&token_id)
                .import(devices, overwrite)
                .await
        }))
    }

    fn delete_imported_device(&self, token_id: String, device_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.imported_devices(&token_id).delete(&device_id).await })
    }

    // --- VPP tokens -------------------------------------------------------------------------

    #[pyo3(signature = (progress=None))]
    fn vpp_tokens(&self, progress: Option<Py<PyAny>>) -> Pages {
        Pages::new(
            self.inner
                .vpp_tokens()
                .list_with_progress(progress_callback(progress)),
        )
    }

    fn get_vpp_token(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.vpp_tokens().get(&token_id).await })
    }

    #[pyo3(signature = (token_file, *, display_name=None, country_or_region=None,
        automatically_update_apps=None, data_sharing_consent_granted=None))]
    fn create_vpp_token(
        &self,
        token_file: &Bound<'_, PyAny>,
        display_name: Option<String>,
        country_or_region: Option<String>,
        automatically_update_apps: Option<bool>,
        data_sharing_consent_granted: Option<bool>,
    ) -> PyResult<Pending> {
        let request = VppTokenCreateRequest {
            odata_type: None,
            token: secret_content(token_file, "token_file")?,
            automatically_update_apps,
            country_or_region,
            display_name,
            role_scope_tag_ids: None,
            data_sharing_consent_granted,
            claim_token_management_from_external_mdm: None,
        };
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.vpp_tokens().create(&request).await
        }))
    }

    fn upload_vpp_token(
        &self,
        token_id: String,
        token_file: &Bound<'_, PyAny>,
    ) -> PyResult<Pending> {
        let content = secret_content(token_file, "token_file")?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.vpp_tokens().renew(&token_id, &content).await
        }))
    }

    fn delete_vpp_token(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.vpp_tokens().delete(&token_id).await })
    }

    fn sync_vpp_licenses(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.vpp_tokens().sync_licenses(&token_id).await })
    }

    #[pyo3(signature = (token_id, *, notify_managed_devices=false))]
    fn revoke_vpp_licenses(&self, token_id: String, notify_managed_devices: bool) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.vpp_tokens()
                .revoke_licenses(&token_id, notify_managed_devices)
                .await
        })
    }

    #[pyo3(signature = (token_id, *, notify_managed_devices=false, revoke_untracked_licenses=false))]
    fn revoke_vpp_token_licenses_with_untracked(
        &self,
        token_id: String,
        notify_managed_devices: bool,
        revoke_untracked_licenses: bool,
    ) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.vpp_tokens()
                .revoke_licenses_with_untracked(
                    &token_id,
                    notify_managed_devices,
                    revoke_untracked_licenses,
                )
                .await
        })
    }

    fn sync_vpp_token_license_counts(&self) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.vpp_tokens().sync_license_counts().await })
    }

    fn expiring_vpp_token_count(&self, expiring_before: chrono::DateTime<chrono::Utc>) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.enrollment_program_tokens()
                .expiring_vpp_token_count(expiring_before)
                .await
        })
    }

    fn release_apple_devices(
        &self,
        token_id: String,
        p7m: &Bound<'_, PyAny>,
        serial_numbers: Vec<String>,
    ) -> PyResult<Pending> {
        let dep_token = secret_content(p7m, "p7m")?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.enrollment_program_tokens()
                .release_apple_devices(&token_id, dep_token, &serial_numbers)
                .await
        }))
    }

    #[pyo3(signature = (app_id, *, notify_managed_devices=false))]
    fn revoke_all_app_licenses(&self, app_id: String, notify_managed_devices: bool) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.vpp_apps()
                .revoke_all_licenses(&app_id, notify_managed_devices)
                .await
        })
    }

    #[pyo3(signature = (app_id, managed_device_id, *, notify_managed_devices=false))]
    fn revoke_app_device_license(
        &self,
        app_id: String,
        managed_device_id: String,
        notify_managed_devices: bool,
    ) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.vpp_apps()
                .revoke_device_license(&app_id, &managed_device_id, notify_managed_devices)
                .await
        })
    }

    #[pyo3(signature = (app_id, user_id, *, notify_managed_devices=false))]
    fn revoke_app_user_license(
        &self,
        app_id: String,
        user_id: String,
        notify_managed_devices: bool,
    ) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move {
            c.vpp_apps()
                .revoke_user_license(&app_id, &user_id, notify_managed_devices)
                .await
        })
    }

    fn vpp_licenses_for_app(&self, bundle_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.vpp_tokens().licenses_for_app(&bundle_id).await })
    }

    // --- VPP apps and assignments -----------------------------------------------------------

    #[pyo3(signature = (progress=None))]
    fn vpp_apps(&self, progress: Option<Py<PyAny>>) -> Pages {
        Pages::new(
            self.inner
                .vpp_apps()
                .list_with_progress(progress_callback(progress)),
        )
    }

    fn vpp_apps_for_token(&self, vpp_token_id: &str) -> Pages {
        Pages::new(self.inner.vpp_apps().list_by_token(vpp_token_id))
    }

    fn get_vpp_app(&self, app_id: String) -> Pending {
        let c = self.inner.clone();
        Pending::graph(async move { c.vpp_apps().get(&app_id).await })
    }

    fn app_assignments(&self, app_id: &str) -> Pages {
        Pages::new(self.inner.vpp_apps().assignments(app_id))
    }

    fn assign_app(&self, app_id: String, assignments: Vec<Bound<'_, PyAny>>) -> PyResult<Pending> {
        let assignments = assignments
            .iter()
            .map(assignment_from_py)
            .collect::<PyResult<Vec<_>>>()?;
        let c = self.inner.clone();
        Ok(Pending::graph(async move {
            c.vpp_apps().assign(&app_id, assignments).await
        }))
    }
}

/// The batches of `assign_profile_to_devices`, as `(serial_numbers, exception or None)`.
struct AssignmentBatches(Vec<graph::AssignmentBatch>);

impl crate::models::IntoPyValue for AssignmentBatches {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items = self
            .0
            .into_iter()
            .map(|b| {
                let err: Py<PyAny> = match &b.result {
                    Ok(()) => py.None(),
                    Err(e) => graph_err(e).into_value(py).into_any(),
                };
                Ok((b.serial_numbers, err)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind())
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(pyo3::types::PyList::new(py, items)?.into_any().unbind())
    }
}
