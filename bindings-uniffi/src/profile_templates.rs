//! Enrollment profiles as code: `profileDrift`, `planProfileApply`, `applyProfileTemplate`
//! across tenants and `exportProfileTemplate`. Each converts its arguments and calls the core;
//! the three reports come back as one `ProfileReport`, with the core's JSON and renderings.

use std::collections::HashMap;
use std::sync::Arc;

use intune_apple_core::rules::profile_template::{parse_template, ExportOptions, ProfileTemplate};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_templates::{
    self as templates, ApplyOptions, TemplateValues, TokenSelection,
};
use intune_apple_core::workflows::report::TenantTarget;

use crate::client::Client;
use crate::error::IntuneAppleError;
use crate::report::Tenant;
use crate::runtime::run;

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// Which report a `ProfileReport` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProfileReportKind {
    /// `profileDrift`: each selected token held against the template.
    Drift,
    /// `planProfileApply`: the writes an apply would make.
    Plan,
    /// `applyProfileTemplate`: what was written, what failed, what was not attempted.
    Apply,
}

/// A drift report, a plan or an apply report: its exit code, its JSON and its renderings.
#[derive(Debug, uniffi::Object)]
pub struct ProfileReport {
    kind: ProfileReportKind,
    exit_code: i32,
    json: String,
    table: String,
    markdown: String,
    html: Option<String>,
}

#[uniffi::export]
impl ProfileReport {
    /// Which report this is.
    pub fn kind(&self) -> ProfileReportKind {
        self.kind
    }

    /// 0 nothing to do (or all done), 1 drift (writes to make), 2 could not check or a write
    /// failed.
    pub fn exit_code(&self) -> i32 {
        self.exit_code
    }

    /// The report as JSON text (the core's shape, camelCase).
    pub fn to_json(&self) -> String {
        self.json.clone()
    }

    /// Plain text.
    pub fn to_table(&self) -> String {
        self.table.clone()
    }

    /// Markdown (tenant text escaped).
    pub fn to_markdown(&self) -> String {
        self.markdown.clone()
    }

    /// HTML (drift only; `null` / `nil` for a plan or an apply report).
    pub fn to_html(&self) -> Option<String> {
        self.html.clone()
    }
}

fn drift_report(r: &templates::ProfileDriftReport) -> Arc<ProfileReport> {
    Arc::new(ProfileReport {
        kind: ProfileReportKind::Drift,
        exit_code: r.exit_code(),
        json: r.to_json(),
        table: r.to_table(),
        markdown: r.to_markdown(),
        html: Some(r.to_html()),
    })
}

fn plan_report(r: &templates::ProfilePlan) -> Arc<ProfileReport> {
    Arc::new(ProfileReport {
        kind: ProfileReportKind::Plan,
        exit_code: r.exit_code(),
        json: r.to_json(),
        table: r.to_table(),
        markdown: r.to_markdown(),
        html: None,
    })
}

fn apply_report(r: &templates::ApplyReport) -> Arc<ProfileReport> {
    Arc::new(ProfileReport {
        kind: ProfileReportKind::Apply,
        exit_code: r.exit_code(),
        json: r.to_json(),
        table: r.to_table(),
        markdown: r.to_markdown(),
        html: None,
    })
}

/// The placeholder values and the token selection of a template workflow; every field may be
/// left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProfileTemplateOptions {
    /// The per-tenant values of the template's placeholders, as JSON text:
    /// `{"defaults": {"support_phone": "..."}, "tenants": {"contoso": {...}}}` (the tenants by
    /// their `Tenant.name`).
    #[uniffi(default)]
    pub values: Option<String>,
    /// Only the enrollment program tokens with these ids or names (default: every token).
    #[uniffi(default)]
    pub tokens: Option<Vec<String>>,
}

struct Inputs {
    targets: Vec<TenantTarget>,
    template: ProfileTemplate,
    values: TemplateValues,
    tokens: TokenSelection,
}

fn inputs(tenants: Vec<Tenant>, template: &str, options: ProfileTemplateOptions) -> Result<Inputs> {
    let template = parse_template(template).map_err(WorkflowError::from)?;
    let values = match options.values.as_deref() {
        Some(v) => TemplateValues::from_json(v)?,
        None => TemplateValues::default(),
    };
    Ok(Inputs {
        targets: tenants
            .into_iter()
            .map(|t| TenantTarget {
                name: t.name,
                client: t.client.core(),
            })
            .collect(),
        template,
        values,
        tokens: options
            .tokens
            .map_or(TokenSelection::All, TokenSelection::Only),
    })
}

/// The drift of a template (JSON text) across tenants: each selected token's profile held
/// against it (`matching`, `drifted` with every difference, `missing`). Read-only. A wrong
/// template fails with `InvalidTemplate` (every issue) before any call.
#[uniffi::export]
pub async fn profile_drift(
    tenants: Vec<Tenant>,
    template: String,
    options: ProfileTemplateOptions,
) -> Result<Arc<ProfileReport>> {
    let i = inputs(tenants, &template, options)?;
    run(async move {
        let r = templates::profile_drift(&i.targets, &i.template, &i.values, &i.tokens).await?;
        Ok(drift_report(&r))
    })
    .await
}

/// The writes an apply would make, in order, without writing.
#[uniffi::export]
pub async fn plan_profile_apply(
    tenants: Vec<Tenant>,
    template: String,
    options: ProfileTemplateOptions,
) -> Result<Arc<ProfileReport>> {
    let i = inputs(tenants, &template, options)?;
    run(async move {
        let r =
            templates::plan_profile_apply(&i.targets, &i.template, &i.values, &i.tokens).await?;
        Ok(plan_report(&r))
    })
    .await
}

/// Brings the tenants to the template (`apply` false: only plans, every write reported as
/// not attempted). Each write is decided from a fresh read and verified by reading back; the
/// first refused or unverified write stops the apply, and the next apply continues from what
/// it finds.
#[uniffi::export]
pub async fn apply_profile_template(
    tenants: Vec<Tenant>,
    template: String,
    options: ProfileTemplateOptions,
    apply: bool,
) -> Result<Arc<ProfileReport>> {
    let i = inputs(tenants, &template, options)?;
    let options = ApplyOptions { apply };
    run(async move {
        let r = templates::apply_profile_template(
            &i.targets,
            &i.template,
            &i.values,
            &i.tokens,
            &options,
        )
        .await?;
        Ok(apply_report(&r))
    })
    .await
}

/// A template written from an existing profile.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportedProfileTemplate {
    /// The template, as JSON text (the `template` of `profileDrift`).
    pub template: String,
    /// The source tenant's value of each placeholder (`support_phone`, ...): its entry under
    /// `tenants` in `ProfileTemplateOptions.values`.
    pub values: HashMap<String, String>,
    /// What was left out, and why.
    pub notes: Vec<String>,
}

/// Writes a template from profile `profileId` of token `tokenId`: ids, the default flag, the
/// enrollment URL and secrets are left out; with `placeholders`, tenant-specific values
/// become placeholders (`${support_phone}`, `${vppToken:<location>}`, ...) and their values
/// are returned.
#[uniffi::export]
pub async fn export_profile_template(
    client: Arc<Client>,
    token_id: String,
    profile_id: String,
    placeholders: bool,
) -> Result<ExportedProfileTemplate> {
    let c = client.core();
    run(async move {
        let exported = templates::export_profile_template(
            &c,
            &token_id,
            &profile_id,
            &ExportOptions { placeholders },
        )
        .await?;
        let template = serde_json::to_string_pretty(&exported.template).map_err(|e| {
            IntuneAppleError::of("decode", format!("cannot write the template: {e}"))
        })?;
        Ok(ExportedProfileTemplate {
            template,
            values: exported.values.into_iter().collect(),
            notes: exported.notes,
        })
    })
    .await
}
