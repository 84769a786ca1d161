//! Enrollment profiles as code: `profile_drift`, `plan_profile_apply`,
//! `apply_profile_template` across tenants and `export_profile_template`. Each converts its
//! arguments and calls the core; the reports come back as one `ProfileReport` class.

use intune_apple_core::rules::profile_template::{parse_template, ExportOptions};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_templates::{
    self, ApplyOptions, TemplateValues, TokenSelection,
};
use intune_apple_core::workflows::report::TenantTarget;
use pyo3::prelude::*;

use crate::client::NativeClient;
use crate::models::Field;
use crate::pending::Pending;
use crate::workflows::workflow_err;

/// A drift report, a plan or an apply report: its exit code, its JSON and its renderings.
#[pyclass(
    frozen,
    module = "intune_apple.profile_templates",
    name = "ProfileReport"
)]
pub(crate) struct PyProfileReport {
    kind: &'static str,
    exit_code: i32,
    json: String,
    table: String,
    markdown: String,
    html: Option<String>,
}

#[pymethods]
impl PyProfileReport {
    /// `drift`, `plan` or `apply`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }
    /// 0 nothing to do (or all done), 1 drift (writes to make), 2 could not check or a write
    /// failed.
    #[getter]
    fn exit_code(&self) -> i32 {
        self.exit_code
    }
    /// The report as JSON text (the core's shape, camelCase).
    fn to_json(&self) -> String {
        self.json.clone()
    }
    /// The report as a dict (of `to_json()`).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v: serde_json::Value = serde_json::from_str(&self.json).map_err(|e| {
            crate::errors::invalid_input(format!("the report does not read back: {e}"))
        })?;
        v.to_py(py)
    }
    /// Plain text.
    fn to_table(&self) -> String {
        self.table.clone()
    }
    /// Markdown (tenant text escaped).
    fn to_markdown(&self) -> String {
        self.markdown.clone()
    }
    /// HTML (drift only; `None` for a plan or an apply report).
    fn to_html(&self) -> Option<String> {
        self.html.clone()
    }
}

enum Report {
    Drift(profile_templates::ProfileDriftReport),
    Plan(profile_templates::ProfilePlan),
    Apply(profile_templates::ApplyReport),
}

impl crate::models::IntoPyValue for Report {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let r = match *self {
            Report::Drift(r) => PyProfileReport {
                kind: "drift",
                exit_code: r.exit_code(),
                json: r.to_json(),
                table: r.to_table(),
                markdown: r.to_markdown(),
                html: Some(r.to_html()),
            },
            Report::Plan(r) => PyProfileReport {
                kind: "plan",
                exit_code: r.exit_code(),
                json: r.to_json(),
                table: r.to_table(),
                markdown: r.to_markdown(),
                html: None,
            },
            Report::Apply(r) => PyProfileReport {
                kind: "apply",
                exit_code: r.exit_code(),
                json: r.to_json(),
                table: r.to_table(),
                markdown: r.to_markdown(),
                html: None,
            },
        };
        Ok(Py::new(py, r)?.into_any())
    }
}

struct Inputs {
    targets: Vec<TenantTarget>,
    template: intune_apple_core::rules::profile_template::ProfileTemplate,
    values: TemplateValues,
    tokens: TokenSelection,
}

fn inputs(
    tenants: Vec<(String, PyRef<'_, NativeClient>)>,
    template: &str,
    values: Option<&str>,
    tokens: Option<Vec<String>>,
) -> PyResult<Inputs> {
    let template = parse_template(template).map_err(|e| workflow_err(&WorkflowError::from(e)))?;
    let values = match values {
        Some(v) => TemplateValues::from_json(v).map_err(|e| workflow_err(&e))?,
        None => TemplateValues::default(),
    };
    Ok(Inputs {
        targets: tenants
            .into_iter()
            .map(|(name, c)| TenantTarget {
                name,
                client: c.inner.clone(),
            })
            .collect(),
        template,
        values,
        tokens: tokens.map_or(TokenSelection::All, TokenSelection::Only),
    })
}

fn pending<F>(fut: F) -> Pending
where
    F: std::future::Future<Output = Result<Report, WorkflowError>> + Send + 'static,
{
    Pending::new(async move { fut.await.map_err(|e| workflow_err(&e)) })
}

/// The drift of a template (JSON text) across `(name, client)` tenants.
#[pyfunction]
#[pyo3(signature = (tenants, template, *, values=None, tokens=None))]
pub(crate) fn profile_drift(
    tenants: Vec<(String, PyRef<'_, NativeClient>)>,
    template: &str,
    values: Option<&str>,
    tokens: Option<Vec<String>>,
) -> PyResult<Pending> {
    let i = inputs(tenants, template, values, tokens)?;
    Ok(pending(async move {
        profile_templates::profile_drift(&i.targets, &i.template, &i.values, &i.tokens)
            .await
            .map(Report::Drift)
    }))
}

/// The writes an apply would make, without writing.
#[pyfunction]
#[pyo3(signature = (tenants, template, *, values=None, tokens=None))]
pub(crate) fn plan_profile_apply(
    tenants: Vec<(String, PyRef<'_, NativeClient>)>,
    template: &str,
    values: Option<&str>,
    tokens: Option<Vec<String>>,
) -> PyResult<Pending> {
    let i = inputs(tenants, template, values, tokens)?;
    Ok(pending(async move {
        profile_templates::plan_profile_apply(&i.targets, &i.template, &i.values, &i.tokens)
            .await
            .map(Report::Plan)
    }))
}

/// Brings the tenants to the template (`apply=False`, the default: only plans).
#[pyfunction]
#[pyo3(signature = (tenants, template, *, values=None, tokens=None, apply=false))]
pub(crate) fn apply_profile_template(
    tenants: Vec<(String, PyRef<'_, NativeClient>)>,
    template: &str,
    values: Option<&str>,
    tokens: Option<Vec<String>>,
    apply: bool,
) -> PyResult<Pending> {
    let i = inputs(tenants, template, values, tokens)?;
    let options = ApplyOptions { apply };
    Ok(pending(async move {
        profile_templates::apply_profile_template(
            &i.targets,
            &i.template,
            &i.values,
            &i.tokens,
            &options,
        )
        .await
        .map(Report::Apply)
    }))
}

/// A template (and the source tenant's values) from an existing profile, as JSON text:
/// `{"template": {...}, "values": {...}, "notes": [...]}`.
#[pyfunction]
#[pyo3(signature = (client, token_id, profile_id, *, placeholders=true))]
pub(crate) fn export_profile_template(
    client: PyRef<'_, NativeClient>,
    token_id: String,
    profile_id: String,
    placeholders: bool,
) -> Pending {
    let c = client.inner.clone();
    Pending::new(async move {
        let exported = profile_templates::export_profile_template(
            &c,
            &token_id,
            &profile_id,
            &ExportOptions { placeholders },
        )
        .await
        .map_err(|e| workflow_err(&e))?;
        Ok::<_, PyErr>(serde_json::to_string_pretty(&exported).unwrap_or_default())
    })
}

/// Registers the functions and the report class.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProfileReport>()?;
    m.add_function(wrap_pyfunction!(profile_drift, m)?)?;
    m.add_function(wrap_pyfunction!(plan_profile_apply, m)?)?;
    m.add_function(wrap_pyfunction!(apply_profile_template, m)?)?;
    m.add_function(wrap_pyfunction!(export_profile_template, m)?)?;
    Ok(())
}
