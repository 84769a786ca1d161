//! The monitoring renderings of the health report (`docs/alerts.md`): a few lines each over
//! the core's `Format`.

use pyo3::prelude::*;

use crate::errors::invalid_input;
use crate::models::PyHealthReport;
use intune_apple_core::workflows::report::Format;

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
