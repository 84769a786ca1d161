//! Enrollment profiles as code: `profileDrift`, `planProfileApply`, `applyProfileTemplate`
//! across tenants and `exportProfileTemplate`. Each converts its arguments and calls the core's
//! `workflows::profile_templates`; the reports come back as one `ProfileReport` class.
//! `index.js` turns a client, a `Map`, an object or an array of `[name, client]` pairs into the
//! two lists these take, and a template or values object into its JSON text.

use intune_apple_core::rules::profile_template::{parse_template, ExportOptions, ProfileTemplate};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_templates::{
    self as templates, ApplyOptions, TemplateValues, TokenSelection,
};
use intune_apple_core::workflows::report::TenantTarget;
use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result};
use napi_derive::napi;

use crate::client::Client;
use crate::error::{failure, run, throw, Failure};

/// A drift report, a plan or an apply report: its exit code, its JSON and its renderings.
#[napi]
pub struct ProfileReport {
    kind: &'static str,
    exit_code: i32,
    json: String,
    table: String,
    markdown: String,
    html: Option<String>,
}

#[napi]
impl ProfileReport {
    /// `drift`, `plan` or `apply`.
    #[napi(catch_unwind, getter, ts_return_type = "'drift' | 'plan' | 'apply'")]
    pub fn kind(&self) -> String {
        self.kind.to_owned()
    }

    /// 0 nothing to do (or all done), 1 drift (writes to make), 2 could not check or a write
    /// failed.
    #[napi(catch_unwind, getter)]
    pub fn exit_code(&self) -> i32 {
        self.exit_code
    }

    /// The report as a plain object (the core's JSON shape, camelCase); `JSON.stringify(report)`
    /// uses it.
    #[napi(
        catch_unwind,
        js_name = "toJSON",
        ts_return_type = "Record<string, any>"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.json).unwrap_or_default()
    }

    /// Plain text.
    #[napi(catch_unwind)]
    pub fn to_table(&self) -> String {
        self.table.clone()
    }

    /// Markdown (tenant text escaped).
    #[napi(catch_unwind)]
    pub fn to_markdown(&self) -> String {
        self.markdown.clone()
    }

    /// HTML (drift only; `null` for a plan or an apply report).
    #[napi(catch_unwind)]
    pub fn to_html(&self) -> Option<String> {
        self.html.clone()
    }
}

enum Report {
    Drift(templates::ProfileDriftReport),
    Plan(templates::ProfilePlan),
    Apply(templates::ApplyReport),
}

impl From<Report> for ProfileReport {
    fn from(r: Report) -> Self {
        match r {
            Report::Drift(r) => Self {
                kind: "drift",
                exit_code: r.exit_code(),
                json: r.to_json(),
                table: r.to_table(),
                markdown: r.to_markdown(),
                html: Some(r.to_html()),
            },
            Report::Plan(r) => Self {
                kind: "plan",
                exit_code: r.exit_code(),
                json: r.to_json(),
                table: r.to_table(),
                markdown: r.to_markdown(),
                html: None,
            },
            Report::Apply(r) => Self {
                kind: "apply",
                exit_code: r.exit_code(),
                json: r.to_json(),
                table: r.to_table(),
                markdown: r.to_markdown(),
                html: None,
            },
        }
    }
}

struct Inputs {
    targets: Vec<TenantTarget>,
    template: ProfileTemplate,
    values: TemplateValues,
    tokens: TokenSelection,
}

fn inputs(
    names: Vec<String>,
    clients: &[&Client],
    template: &str,
    values: Option<&str>,
    tokens: Option<Vec<String>>,
) -> std::result::Result<Inputs, Failure> {
    if names.len() != clients.len() {
        return Err(failure(
            "ERR_INVALID_INPUT",
            format!(
                "{} tenant names for {} clients: give one name per client",
                names.len(),
                clients.len()
            ),
        ));
    }
    let template = parse_template(template).map_err(|e| Failure::from(WorkflowError::from(e)))?;
    let values = match values {
        Some(v) => TemplateValues::from_json(v)?,
        None => TemplateValues::default(),
    };
    Ok(Inputs {
        targets: names
            .into_iter()
            .zip(clients)
            .map(|(name, c)| TenantTarget {
                name,
                client: c.core(),
            })
            .collect(),
        template,
        values,
        tokens: tokens.map_or(TokenSelection::All, TokenSelection::Only),
    })
}

fn report<'e, F>(env: &'e Env, fut: F) -> Result<PromiseRaw<'e, ProfileReport>>
where
    F: std::future::Future<Output = std::result::Result<Report, WorkflowError>> + Send + 'static,
{
    run(
        env,
        async move { fut.await.map_err(Failure::from) },
        |_, r| Ok(ProfileReport::from(r)),
    )
}

/// The drift of a template (JSON text) across the tenants (`names[i]` names `clients[i]`).
#[napi(js_name = "__profileDrift", skip_typescript)]
pub fn profile_drift<'e>(
    env: &'e Env,
    names: Vec<String>,
    clients: Vec<&Client>,
    template: String,
    values: Option<String>,
    tokens: Option<Vec<String>>,
) -> Result<PromiseRaw<'e, ProfileReport>> {
    let i =
        inputs(names, &clients, &template, values.as_deref(), tokens).map_err(|f| throw(env, f))?;
    report(env, async move {
        templates::profile_drift(&i.targets, &i.template, &i.values, &i.tokens)
            .await
            .map(Report::Drift)
    })
}

/// The writes an apply would make, without writing.
#[napi(js_name = "__planProfileApply", skip_typescript)]
pub fn plan_profile_apply<'e>(
    env: &'e Env,
    names: Vec<String>,
    clients: Vec<&Client>,
    template: String,
    values: Option<String>,
    tokens: Option<Vec<String>>,
) -> Result<PromiseRaw<'e, ProfileReport>> {
    let i =
        inputs(names, &clients, &template, values.as_deref(), tokens).map_err(|f| throw(env, f))?;
    report(env, async move {
        templates::plan_profile_apply(&i.targets, &i.template, &i.values, &i.tokens)
            .await
            .map(Report::Plan)
    })
}

/// Brings the tenants to the template (`apply` false, the default: only plans).
#[napi(js_name = "__applyProfileTemplate", skip_typescript)]
pub fn apply_profile_template<'e>(
    env: &'e Env,
    names: Vec<String>,
    clients: Vec<&Client>,
    template: String,
    values: Option<String>,
    tokens: Option<Vec<String>>,
    apply: Option<bool>,
) -> Result<PromiseRaw<'e, ProfileReport>> {
    let i =
        inputs(names, &clients, &template, values.as_deref(), tokens).map_err(|f| throw(env, f))?;
    let options = ApplyOptions {
        apply: apply.unwrap_or(false),
    };
    report(env, async move {
        templates::apply_profile_template(&i.targets, &i.template, &i.values, &i.tokens, &options)
            .await
            .map(Report::Apply)
    })
}

/// Options of `exportProfileTemplate`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ExportTemplateOptions {
    /// Turn tenant-specific values (groups, VPP token, support contacts) into placeholders
    /// (default true).
    pub placeholders: Option<bool>,
}

/// A template from an existing profile: `{ template, values, notes }` (write
/// `JSON.stringify(result.template, null, 2)` to a file, `result.values` to the values file).
#[napi(ts_return_type = "Promise<ExportedProfileTemplate>")]
pub fn export_profile_template<'e>(
    env: &'e Env,
    client: &Client,
    token_id: String,
    profile_id: String,
    options: Option<ExportTemplateOptions>,
) -> Result<PromiseRaw<'e, serde_json::Value>> {
    let c = client.core();
    let placeholders = options.and_then(|o| o.placeholders).unwrap_or(true);
    run(
        env,
        async move {
            let exported = templates::export_profile_template(
                &c,
                &token_id,
                &profile_id,
                &ExportOptions { placeholders },
            )
            .await
            .map_err(Failure::from)?;
            serde_json::to_value(&exported)
                .map_err(|e| failure("ERR_DECODE", format!("the exported template: {e}")))
        },
        |_, v| Ok(v),
    )
}
