//! The monitoring renderings of the health report and the notifiers (`docs/alerts.md`): a few
//! lines each over the core's `Format` and `notify_on_change`.

use std::path::PathBuf;

use intune_apple_core::workflows::notify::state::NotifyPolicy;
use intune_apple_core::workflows::notify::{
    notify_on_change, Channel, DeliveryOptions, NotifyOptions,
};
use intune_apple_core::workflows::report::{Format, TenantReport};
use intune_apple_core::Secret;
use pyo3::prelude::*;

use crate::client::NativeClient;
use crate::errors::invalid_input;
use crate::models::{Field, IntoPyValue, PyHealthReport};
use crate::pending::Pending;

#[pymethods]
impl PyHealthReport {
    /// Prometheus text 0.0.4 for node_exporter's textfile collector.
    fn to_prometheus(&self) -> String {
        self.inner.to_prometheus()
    }
    /// The same series in OpenMetrics 1.0, ending with `# EOF`.
    fn to_openmetrics(&self) -> String {
        self.inner.to_openmetrics()
    }
    /// Nagios / Icinga plugin output.
    fn to_nagios(&self) -> String {
        self.inner.to_nagios()
    }
    /// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not check).
    #[getter]
    fn nagios_exit_code(&self) -> i32 {
        self.inner.nagios_exit_code()
    }
    /// Checkmk local-check lines.
    fn to_checkmk(&self) -> String {
        self.inner.to_checkmk()
    }
    /// A self-contained HTML page.
    fn to_html(&self) -> String {
        self.inner.to_html()
    }
    /// The HTML e-mail body.
    fn to_html_email(&self) -> String {
        self.inner.to_html_email()
    }
    /// Renders in a format by name.
    fn render(&self, format: &str) -> PyResult<String> {
        let f: Format = format.parse().map_err(|e| invalid_input(format!("{e}")))?;
        Ok(f.render(&self.inner, false))
    }
}

/// What `notify` did, in the core's JSON shape (`python/intune_apple/workflows.py` makes it a
/// `NotifyRun`).
struct RunJson(serde_json::Value);

impl IntoPyValue for RunJson {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.0.to_py(py)
    }
}

/// `(tenant, report)` pairs as the core's scan results.
fn tenant_reports(reports: Vec<(String, PyRef<'_, PyHealthReport>)>) -> Vec<TenantReport> {
    reports
        .into_iter()
        .map(|(tenant, r)| TenantReport {
            tenant,
            report: r.inner.clone(),
        })
        .collect()
}

/// The reports of a scan in one document of `format` (one Prometheus file with a `tenant`
/// label, one HTML page across tenants, ...): the core's `Format::render_scan`.
#[pyfunction]
pub(crate) fn render_scan(
    format: &str,
    reports: Vec<(String, PyRef<'_, PyHealthReport>)>,
) -> PyResult<String> {
    let f: Format = format.parse().map_err(|e| invalid_input(format!("{e}")))?;
    let reports = tenant_reports(reports);
    Ok(f.render_scan(&reports, false))
}

/// The exit code of a scan: the worst report's (the core's `scan_exit_code`), or the Nagios
/// code of the whole scan with `format="nagios"` (the core's `Format::scan_exit_code`).
#[pyfunction]
#[pyo3(signature = (reports, format=None))]
pub(crate) fn scan_exit_code(
    reports: Vec<(String, PyRef<'_, PyHealthReport>)>,
    format: Option<&str>,
) -> PyResult<i32> {
    let reports = tenant_reports(reports);
    Ok(match format {
        Some(name) => {
            let f: Format = name.parse().map_err(|e| invalid_input(format!("{e}")))?;
            f.scan_exit_code(&reports)
        }
        None => intune_apple_core::workflows::report::scan_exit_code(&reports),
    })
}

/// Sends the notifications the change-state calls for (the core's `notify_on_change`).
#[pyfunction]
#[pyo3(signature = (reports, *, channels, state_path=None, always=false, thresholds_days=None,
    mail_from=None, webhook_secret=None, max_attempts=None, timeout_seconds=None, client=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn notify(
    reports: Vec<(String, PyRef<'_, PyHealthReport>)>,
    channels: Vec<String>,
    state_path: Option<PathBuf>,
    always: bool,
    thresholds_days: Option<Vec<i64>>,
    mail_from: Option<String>,
    webhook_secret: Option<String>,
    max_attempts: Option<i64>,
    timeout_seconds: Option<i64>,
    client: Option<PyRef<'_, NativeClient>>,
) -> PyResult<Pending> {
    let channels = channels
        .iter()
        .map(|spec| spec.parse::<Channel>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid_input(e.to_string()))?;
    let mut policy = NotifyPolicy {
        always,
        ..NotifyPolicy::default()
    };
    if let Some(days) = thresholds_days {
        policy.thresholds_days = NotifyPolicy::check_thresholds(days).map_err(invalid_input)?;
    }
    let options = NotifyOptions {
        channels,
        state_path,
        policy,
        now: None,
        delivery: DeliveryOptions::with_limits(max_attempts, timeout_seconds)
            .map_err(invalid_input)?,
        mail_from,
        webhook_secret: webhook_secret.map(Secret::new),
    };
    let reports = tenant_reports(reports);
    let graph = client.map(|c| c.inner.clone());
    Ok(Pending::new(async move {
        let run = notify_on_change(&reports, &options, graph.as_ref()).await;
        Ok::<_, PyErr>(RunJson(serde_json::to_value(&run).unwrap_or_default()))
    }))
}
