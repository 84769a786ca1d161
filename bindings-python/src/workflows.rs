//! The core's workflows on the native client: health report, safe renewals, profile
//! workflows, duplicate-app repair. Each returns a typed report class.

use chrono::{DateTime, Utc};
use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_check;
use intune_apple_core::workflows::profiles::{self, SerialAssignmentOptions};
use intune_apple_core::workflows::renewal::{
    self, DepRenewalRequest, PushRenewalRequest, VppRenewalRequest,
};
use intune_apple_core::workflows::report::{self, HealthReport, ReportOptions, TenantTarget};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::client::{secret_content, NativeClient};
use crate::errors::{build, file_err, graph_err, invalid_input, ErrorFields};
use crate::models::{Field, PyHealthReport, PyTokenProfilesCheck};
use crate::pending::Pending;
use crate::rules::locale;

/// The one conversion of a workflow error.
pub(crate) fn workflow_err(err: &WorkflowError) -> PyErr {
    match err {
        WorkflowError::Graph(e) => graph_err(e),
        WorkflowError::TokenFile(e) => file_err(e),
        WorkflowError::RenewalRefused { reasons } => {
            let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
            build(&ErrorFields {
                kind: "renewal_refused",
                message: err.to_string(),
                code: codes.first().copied(),
                ..ErrorFields::default()
            })
        }
        other => build(&ErrorFields {
            // The core's stable code, mechanically (one exception class per code).
            kind: other.code(),
            message: other.to_string(),
            code: Some(other.code()),
            ..ErrorFields::default()
        }),
    }
}

fn report_options(
    as_of: Option<DateTime<Utc>>,
    warning_days: i64,
    critical_days: i64,
    locale_name: &str,
    include_apps: bool,
) -> PyResult<ReportOptions> {
    let options = ReportOptions {
        as_of,
        thresholds: crate::rules::thresholds(warning_days, critical_days)?,
        locale: locale(locale_name)?,
        include_apps,
    };
    options.validate().map_err(|e| workflow_err(&e))?;
    Ok(options)
}

fn workflow<T, F>(fut: F) -> Pending
where
    T: crate::models::IntoPyValue,
    F: std::future::Future<Output = Result<T, WorkflowError>> + Send + 'static,
{
    Pending::new(async move { fut.await.map_err(|e| workflow_err(&e)) })
}

#[pymethods]
impl NativeClient {
    #[pyo3(signature = (*, as_of=None, warning_days=30, critical_days=7, locale="en", include_apps=false))]
    fn health_report(
        &self,
        as_of: Option<DateTime<Utc>>,
        warning_days: i64,
        critical_days: i64,
        locale: &str,
        include_apps: bool,
    ) -> PyResult<Pending> {
        let options = report_options(as_of, warning_days, critical_days, locale, include_apps)?;
        let c = self.inner.clone();
        Ok(Pending::new(async move {
            Ok::<_, PyErr>(report::health_report(&c, &options).await)
        }))
    }

    #[pyo3(signature = (apple_id, pem, *, force=false))]
    fn renew_push_certificate(
        &self,
        apple_id: String,
        pem: &Bound<'_, PyAny>,
        force: bool,
    ) -> PyResult<Pending> {
        let request = PushRenewalRequest {
            apple_id,
            pem: secret_content(pem, "pem")?,
            force,
        };
        let c = self.inner.clone();
        Ok(workflow(async move {
            renewal::renew_push_certificate(&c, &request).await
        }))
    }

    fn generate_push_csr(&self, path: std::path::PathBuf) -> Pending {
        let c = self.inner.clone();
        workflow(async move {
            intune_apple_core::workflows::push_setup::generate_push_csr(&c, &path).await
        })
    }

    fn download_push_csr(&self, path: std::path::PathBuf) -> Pending {
        let c = self.inner.clone();
        workflow(async move { renewal::download_push_csr(&c, &path).await })
    }

    #[pyo3(signature = (token_id, apple_id, p7m, *, file_name=None, force=false, sync=false))]
    #[allow(clippy::too_many_arguments)]
    fn renew_enrollment_program_token(
        &self,
        token_id: String,
        apple_id: String,
        p7m: &Bound<'_, PyAny>,
        file_name: Option<String>,
        force: bool,
        sync: bool,
    ) -> PyResult<Pending> {
        let request = DepRenewalRequest {
            token_id,
            apple_id,
            p7m: secret_content(p7m, "p7m")?,
            file_name,
            force,
        };
        let c = self.inner.clone();
        Ok(workflow(async move {
            if sync {
                let options = intune_apple_core::graph::SyncOptions::default();
                renewal::renew_enrollment_program_token_and_sync(&c, &request, &options).await
            } else {
                renewal::renew_enrollment_program_token(&c, &request).await
            }
        }))
    }

    #[pyo3(signature = (token_file, *, location=None, create_if_missing=false, force=false))]
    fn renew_vpp_token(
        &self,
        token_file: &Bound<'_, PyAny>,
        location: Option<String>,
        create_if_missing: bool,
        force: bool,
    ) -> PyResult<Pending> {
        let request = VppRenewalRequest {
            token_file: secret_content(token_file, "token_file")?,
            location,
            create_if_missing,
            force,
        };
        let c = self.inner.clone();
        Ok(workflow(async move {
            renewal::renew_vpp_token(&c, &request).await
        }))
    }

    #[pyo3(signature = (*, apply=false))]
    fn repair_duplicate_apps(&self, apply: bool) -> Pending {
        let c = self.inner.clone();
        workflow(async move { repair_duplicate_apps(&c, &DuplicateRepairOptions { apply }).await })
    }

    fn create_profile_from_template(
        &self,
        token_id: String,
        template: &Bound<'_, PyAny>,
    ) -> PyResult<Pending> {
        let template = crate::client::profile_from_py(template)?;
        let c = self.inner.clone();
        Ok(workflow(async move {
            profiles::create_profile(&c, &token_id, &template).await
        }))
    }

    /// Every enrollment profile of a token held against the profile rules, as it is in the
    /// tenant (classic profiles and settings-catalog policies). Read only.
    fn validate_token_profiles(&self, token_id: String) -> Pending {
        let c = self.inner.clone();
        workflow(async move { profile_check::validate_token_profiles(&c, &token_id).await })
    }

    #[pyo3(signature = (token_id, profile_id, target_token_id, *, new_name=None, target=None))]
    fn copy_profile(
        &self,
        token_id: String,
        profile_id: String,
        target_token_id: String,
        new_name: Option<String>,
        target: Option<PyRef<'_, NativeClient>>,
    ) -> Pending {
        let source = self.inner.clone();
        let target = target.map_or_else(|| source.clone(), |t| t.inner.clone());
        workflow(async move {
            profiles::copy_profile(
                &source,
                &token_id,
                &profile_id,
                &target,
                &target_token_id,
                new_name.as_deref(),
            )
            .await
        })
    }

    #[pyo3(signature = (token_id, profile_id, serial_numbers, *, batch_size=None))]
    fn assign_serial_numbers(
        &self,
        token_id: String,
        profile_id: String,
        serial_numbers: Vec<String>,
        batch_size: Option<usize>,
    ) -> Pending {
        let mut options = SerialAssignmentOptions::default();
        if let Some(n) = batch_size {
            options.batch_size = n;
        }
        let c = self.inner.clone();
        workflow(async move {
            profiles::assign_serial_numbers(&c, &token_id, &profile_id, &serial_numbers, &options)
                .await
        })
    }

    fn set_default_profile(&self, token_id: String, profile_id: String) -> Pending {
        let c = self.inner.clone();
        workflow(async move { profiles::set_default_profile(&c, &token_id, &profile_id).await })
    }
}

/// The health reports of many tenants, `(name, report)` in the order given, at most
/// `concurrency` tenants at a time.
#[pyfunction]
#[pyo3(signature = (tenants, *, as_of=None, warning_days=30, critical_days=7, locale="en",
    include_apps=false, concurrency=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn scan_tenants(
    tenants: Vec<(String, PyRef<'_, NativeClient>)>,
    as_of: Option<DateTime<Utc>>,
    warning_days: i64,
    critical_days: i64,
    locale: &str,
    include_apps: bool,
    concurrency: Option<usize>,
) -> PyResult<Pending> {
    let concurrency = concurrency.unwrap_or(report::DEFAULT_SCAN_CONCURRENCY);
    let options = report_options(as_of, warning_days, critical_days, locale, include_apps)?;
    let targets: Vec<TenantTarget> = tenants
        .into_iter()
        .map(|(name, c)| TenantTarget {
            name,
            client: c.inner.clone(),
        })
        .collect();
    Ok(Pending::new(async move {
        let reports = report::scan_tenants(targets, &options, concurrency).await;
        Ok::<_, PyErr>(TenantReports(
            reports.into_iter().map(|r| (r.tenant, r.report)).collect(),
        ))
    }))
}

struct TenantReports(Vec<(String, HealthReport)>);

impl crate::models::IntoPyValue for TenantReports {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items = self
            .0
            .into_iter()
            .map(|(name, report)| {
                let report = report.to_py(py)?;
                Ok((name, report).into_pyobject(py)?.into_any().unbind())
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
}

/// Reads a list of serial numbers (one per line, or CSV with a `serialNumber` column).
#[pyfunction]
pub(crate) fn parse_serial_numbers(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
    let list = profiles::parse_serial_numbers(text).map_err(|e| workflow_err(&e))?;
    list.to_py(py)
}

#[pymethods]
impl PyTokenProfilesCheck {
    /// 0 every profile passes, 1 a profile breaks a rule, 2 one could not be checked (none
    /// breaks a rule).
    #[getter]
    fn exit_code(&self) -> i32 {
        self.inner.exit_code()
    }
    /// Whether a profile breaks a rule at error level.
    fn has_errors(&self) -> bool {
        self.inner.has_errors()
    }
    /// Plain text for a terminal (tenant text made safe).
    fn to_text(&self) -> String {
        self.inner.to_text()
    }
    /// The check as JSON (camelCase, the core's shape).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

#[pymethods]
impl PyHealthReport {
    /// The worst severity: the worst item, at least `unknown` when a section could not be read.
    #[getter]
    fn overall(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::rules::severity(py, self.inner.overall())
    }
    /// 0 all ok, 1 warning/critical/unknown, 2 expired or a section unreadable.
    #[getter]
    fn exit_code(&self) -> i32 {
        self.inner.exit_code()
    }
    /// The documented JSON shape (`docs/report.md`).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// Email-ready Markdown.
    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }
    /// A plain-text table (ANSI colours with `color=True`).
    #[pyo3(signature = (color=false))]
    fn to_table(&self, color: bool) -> String {
        self.inner.to_table(color)
    }
    /// An iCalendar file with one event per expiry and alarms at the thresholds.
    fn to_ics(&self) -> String {
        self.inner.to_ics()
    }
    /// Reads a report back from `to_json()`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        HealthReport::from_json(text)
            .map(|inner| Self { inner })
            .map_err(|e| invalid_input(format!("not a health report: {e}")))
    }
}
