//! Enrollment profiles as code: export a template from a profile, the drift of a template
//! across the tokens of one or many tenants, and a planned apply that brings every token to it.
//!
//! The pure decisions (template format, placeholders, validation, comparison, the writes of a
//! plan) are in [`rules::profile_template`](crate::rules::profile_template); this module reads
//! and writes the tenants. A template is validated offline, with every profile rule, before
//! any call; then for each tenant with its values and its VPP tokens.
//!
//! ```
//! use intune_apple_core::graph::{Client, ClientSecretCredential};
//! use intune_apple_core::rules::profile_template::parse_template;
//! use intune_apple_core::workflows::profile_templates::{profile_drift, TemplateValues, TokenSelection};
//! use intune_apple_core::workflows::report::TenantTarget;
//! use intune_apple_sim::{Seed, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start(Seed::demo()).await?;
//! let client = Client::builder()
//!     .base_url(sim.base_url())
//!     .authority_host(sim.authority_host())
//!     .credential(ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()))
//!     .build()?;
//! let template = parse_template(r#"{"platform": "ios", "displayName": "Corporate iPhone",
//!     "settings": {"supervisedModeEnabled": true, "supportPhoneNumber": "${support_phone}"}}"#)?;
//! let values = TemplateValues::from_json(r#"{"defaults": {"support_phone": "+1 555 0100"}}"#)?;
//! let tenants = [TenantTarget { name: "contoso".into(), client }];
//! let report = profile_drift(&tenants, &template, &values, &TokenSelection::All).await?;
//! // The demo's main token has the profile as the template says; the retail token lacks it.
//! assert_eq!(report.exit_code(), 1);
//! println!("{}", report.to_table());
//! # Ok(()) }
//! ```

mod render;

use std::collections::{BTreeMap, HashMap};

use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::WorkflowError;
use super::profiles::{
    assign_serial_numbers, create_profile, set_default_profile, SerialAssignmentOptions,
};
use super::report::TenantTarget;
use crate::graph::{Client, ErrorKind};
use crate::model::{DepOnboardingSetting, EnrollmentProfile, VppToken};
use crate::rules::profile_template::{
    assess_token, compare, desired_profile, needs_devices, profile_value, template_from_profile,
    DriftStatus, ExportOptions, ExportedTemplate, PlannedWrite, ProfileTemplate, TemplateContext,
    TemplateIssue, TokenAssessment, WriteKind, REPLACED_SUFFIX,
};

/// The per-tenant values of a template's placeholders (a JSON file):
/// `{"defaults": {"support_phone": "..."}, "tenants": {"contoso": {"group:All iPhones": "<id>"}}}`.
/// A tenant's values are the defaults overlaid with its own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateValues {
    /// Values of every tenant.
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    /// Values of each tenant, by [`TenantTarget::name`].
    #[serde(default)]
    pub tenants: BTreeMap<String, BTreeMap<String, String>>,
}

impl TemplateValues {
    /// Reads the values file.
    ///
    /// # Errors
    /// [`WorkflowError::InvalidInput`] naming what does not decode.
    pub fn from_json(json: &str) -> Result<Self, WorkflowError> {
        serde_json::from_str(json.trim_start_matches('\u{feff}')).map_err(|e| {
            WorkflowError::InvalidInput(format!(
                "the values file is not {{\"defaults\": {{name: text}}, \"tenants\": {{tenant: {{name: text}}}}}}: {e}"
            ))
        })
    }

    /// The values of one tenant: the defaults overlaid with the tenant's own.
    #[must_use]
    pub fn for_tenant(&self, tenant: &str) -> BTreeMap<String, String> {
        let mut out = self.defaults.clone();
        if let Some(own) = self.tenants.get(tenant) {
            out.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }
}

/// Which enrollment program tokens of each tenant a template is held against.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TokenSelection {
    /// Every token of the tenant.
    #[default]
    All,
    /// The tokens with these ids or names (a tenant that has none of them reports an error).
    Only(Vec<String>),
}

impl TokenSelection {
    fn picks(&self, t: &DepOnboardingSetting) -> bool {
        match self {
            Self::All => true,
            Self::Only(wanted) => wanted.iter().any(|w| {
                t.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(w))
                    || t.token_name
                        .as_deref()
                        .is_some_and(|n| n.trim() == w.trim())
            }),
        }
    }
}

/// The template held against one token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDrift {
    /// Token id.
    pub token_id: String,
    /// Token name.
    pub token_name: Option<String>,
    /// Status, differences, open settings, skipped profiles and planned writes.
    #[serde(flatten)]
    pub assessment: TokenAssessment,
    /// Why the token could not be checked ([`DriftStatus::Error`]).
    pub error: Option<String>,
}

/// The template held against one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantDrift {
    /// [`TenantTarget::name`].
    pub tenant: String,
    /// One entry per selected token.
    pub tokens: Vec<TokenDrift>,
    /// Why the tenant could not be checked at all (read failure, no selected token).
    pub error: Option<String>,
    /// The template's issues for this tenant (unresolved placeholders, rules that need the
    /// tenant); an error among them makes every token [`DriftStatus::Error`].
    pub issues: Vec<TemplateIssue>,
}

/// The drift of a template across tenants and tokens ([`profile_drift`], [`plan_profile_apply`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDriftReport {
    /// The template's profile name.
    pub template: String,
    /// Its platform (`ios`, `macOS`, ...).
    pub platform: String,
    /// Warnings of the offline validation.
    pub warnings: Vec<TemplateIssue>,
    /// One entry per tenant, in the order given.
    pub tenants: Vec<TenantDrift>,
}

/// One write of a [`ProfilePlan`], with where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanLine {
    /// Tenant.
    pub tenant: String,
    /// Token id.
    pub token_id: String,
    /// Token name.
    pub token_name: Option<String>,
    /// The write.
    #[serde(flatten)]
    pub write: PlannedWrite,
}

impl ProfileDriftReport {
    /// 0: every token matches; 1: drift (something to write); 2: a tenant or token could not
    /// be checked (read failure, unresolved placeholder, ambiguous or not comparable profile).
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        self.tenants
            .iter()
            .map(|t| {
                let own = if t.error.is_some() || t.issues.iter().any(TemplateIssue::is_error) {
                    2
                } else {
                    0
                };
                t.tokens
                    .iter()
                    .map(|k| k.assessment.status.exit_code())
                    .fold(own, i32::max)
            })
            .max()
            .unwrap_or(0)
    }

    /// One line: the platform, the template's name, how many tenants, and the count of each
    /// status (`ios profile `Corp` on 3 tenant(s): 1 drifted, 2 matching, 1 missing`).
    #[must_use]
    pub fn summary(&self) -> String {
        render::summary(self)
    }

    /// Every planned write, tenant by tenant and token by token.
    #[must_use]
    pub fn writes(&self) -> Vec<PlanLine> {
        self.tenants
            .iter()
            .flat_map(|t| {
                t.tokens.iter().flat_map(move |k| {
                    k.assessment.writes.iter().map(move |w| PlanLine {
                        tenant: t.tenant.clone(),
                        token_id: k.token_id.clone(),
                        token_name: k.token_name.clone(),
                        write: w.clone(),
                    })
                })
            })
            .collect()
    }

    /// The report as JSON (the shape of this type, camelCase).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a report back from [`Self::to_json`].
    ///
    /// # Errors
    /// When the JSON is not a report.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The drift as a plain-text table.
    #[must_use]
    pub fn to_table(&self) -> String {
        render::drift_table(self)
    }

    /// The drift as Markdown (tenant text escaped).
    #[must_use]
    pub fn to_markdown(&self) -> String {
        render::drift_markdown(self)
    }

    /// The drift as a self-contained HTML page (tenant text escaped).
    #[must_use]
    pub fn to_html(&self) -> String {
        render::drift_html(self)
    }
}

/// The writes that bring every selected token to the template ([`plan_profile_apply`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePlan {
    /// Every write, in the order an apply makes them.
    pub writes: Vec<PlanLine>,
    /// The drift the plan comes from (what cannot be planned is there, with its reason).
    pub drift: ProfileDriftReport,
}

impl ProfilePlan {
    /// 0: nothing to write; 1: writes planned; 2: something could not be checked.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        self.drift.exit_code()
    }

    /// The plan as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The plan as plain text, one write per line.
    #[must_use]
    pub fn to_table(&self) -> String {
        render::plan_table(self)
    }

    /// The plan as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        render::plan_markdown(self)
    }
}

/// What became of one write of an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WriteOutcome {
    /// Made, and reading back shows it.
    Done,
    /// Refused, or made and not visible when read back: the apply stopped here.
    Failed,
    /// Not attempted: the apply stopped at an earlier failure. The next apply makes it.
    NotAttempted,
}

/// One write of an [`ApplyReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedWrite {
    /// Where and what.
    #[serde(flatten)]
    pub line: PlanLine,
    /// What became of it.
    pub outcome: WriteOutcome,
    /// The error, or a remark (e.g. an answer that was lost and read back).
    pub detail: Option<String>,
}

/// The outcome of [`apply_profile_template`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport {
    /// Whether it wrote (`false`: it only planned; every write is `notAttempted`).
    pub applied: bool,
    /// Every write made, failed or left, in order.
    pub writes: Vec<AppliedWrite>,
    /// Tokens and tenants that could not be checked (nothing written there), with the reason.
    pub unchecked: Vec<String>,
    /// `true` when every selected token now matches the template.
    pub complete: bool,
}

impl ApplyReport {
    /// 0: complete; 1: planned only, with writes to make; 2: a write failed, or a tenant or
    /// token could not be checked.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if !self.unchecked.is_empty()
            || self
                .writes
                .iter()
                .any(|w| w.outcome == WriteOutcome::Failed)
        {
            2
        } else if self.complete {
            0
        } else if self.applied {
            2
        } else {
            1
        }
    }

    /// Counts of `(done, failed, not attempted)`.
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |o| self.writes.iter().filter(|w| w.outcome == o).count();
        (
            n(WriteOutcome::Done),
            n(WriteOutcome::Failed),
            n(WriteOutcome::NotAttempted),
        )
    }

    /// The report as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as plain text: what was done and what was not.
    #[must_use]
    pub fn to_table(&self) -> String {
        render::apply_table(self)
    }

    /// The report as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        render::apply_markdown(self)
    }
}

/// Writes a template from profile `profile_id` of token `token_id` (see
/// [`template_from_profile`] for what is left out and what becomes a placeholder); the
/// Company Portal VPP token is named by its location.
///
/// # Errors
/// [`WorkflowError::Graph`]; [`WorkflowError::InvalidInput`] for a profile that is not a
/// classic one (a settings-catalog policy, a legacy profile).
pub async fn export_profile_template(
    client: &Client,
    token_id: &str,
    profile_id: &str,
    options: &ExportOptions,
) -> Result<ExportedTemplate, WorkflowError> {
    let profile = client.enrollment_profiles(token_id).get(profile_id).await?;
    let uses_vpp = profile_value(&profile)
        .get("companyPortalVppTokenId")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    let vpp: Vec<VppToken> = if uses_vpp && options.placeholders {
        client.vpp_tokens().list().try_collect().await?
    } else {
        Vec::new()
    };
    template_from_profile(&profile, &vpp, options).map_err(WorkflowError::InvalidInput)
}

/// Checks the template offline: every issue at once, before any call.
fn check_offline(template: &ProfileTemplate) -> Result<Vec<TemplateIssue>, WorkflowError> {
    match desired_profile(template, &TemplateContext::offline()) {
        Ok(_) => Ok(crate::rules::profile_template::validate_template(
            template,
            &TemplateContext::offline(),
        )),
        Err(issues) => Err(WorkflowError::InvalidTemplate { issues }),
    }
}

fn uses_vpp(template: &ProfileTemplate) -> bool {
    template.settings.contains_key("companyPortalVppTokenId")
        || template
            .settings
            .values()
            .any(|v| v.to_string().contains("${vppToken:"))
}

/// One tenant's context: its selected tokens and the template resolved for it.
struct TenantContext {
    tokens: Vec<DepOnboardingSetting>,
    desired: Result<EnrollmentProfile, Vec<TemplateIssue>>,
    warnings: Vec<TemplateIssue>,
}

async fn tenant_context(
    target: &TenantTarget,
    template: &ProfileTemplate,
    values: &TemplateValues,
    selection: &TokenSelection,
) -> Result<TenantContext, String> {
    let client = &target.client;
    let all: Vec<DepOnboardingSetting> = client
        .enrollment_program_tokens()
        .list()
        .try_collect()
        .await
        .map_err(|e| format!("the enrollment program tokens could not be read: {e}"))?;
    // The Apple Configurator key is listed among the tokens but holds none.
    let tokens: Vec<DepOnboardingSetting> = all
        .into_iter()
        .filter(|t| !crate::rules::setup::is_apple_configurator_key(t) && selection.picks(t))
        .collect();
    if tokens.is_empty() {
        return Err(match selection {
            TokenSelection::All => "the tenant has no enrollment program token".into(),
            TokenSelection::Only(w) => format!(
                "the tenant has no enrollment program token with id or name {}",
                w.join(", ")
            ),
        });
    }
    let vpp: Option<Vec<VppToken>> = if uses_vpp(template) {
        Some(
            client
                .vpp_tokens()
                .list()
                .try_collect()
                .await
                .map_err(|e| format!("the VPP tokens could not be read: {e}"))?,
        )
    } else {
        None
    };
    let tenant_values = values.for_tenant(&target.name);
    let ctx = TemplateContext {
        values: Some(&tenant_values),
        vpp_tokens: vpp.as_deref(),
        now: Some(client.clock().now()),
    };
    let desired = desired_profile(template, &ctx);
    let warnings = if desired.is_ok() {
        crate::rules::profile_template::validate_template(template, &ctx)
    } else {
        Vec::new()
    };
    Ok(TenantContext {
        tokens,
        desired,
        warnings,
    })
}

/// Reads one token's profiles (and its devices when a replacement needs them) and assesses it.
async fn assess(
    client: &Client,
    token_id: &str,
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
) -> Result<TokenAssessment, crate::graph::Error> {
    let profiles: Vec<EnrollmentProfile> = client
        .enrollment_profiles(token_id)
        .list()
        .try_collect()
        .await?;
    let mut devices: HashMap<String, Vec<String>> = HashMap::new();
    if needs_devices(template, desired, &profiles) {
        let mut stream = client.imported_devices(token_id).list();
        while let Some(d) = stream.try_next().await? {
            if let (Some(p), Some(s)) = (d.requested_enrollment_profile_id, d.serial_number) {
                if !p.is_empty() {
                    devices.entry(p).or_default().push(s);
                }
            }
        }
    }
    Ok(assess_token(template, desired, &profiles, &devices))
}

fn error_token(t: &DepOnboardingSetting, error: String) -> TokenDrift {
    TokenDrift {
        token_id: t.id.clone().unwrap_or_default(),
        token_name: t.token_name.clone(),
        assessment: TokenAssessment {
            status: DriftStatus::Error,
            profile_id: None,
            differences: Vec::new(),
            open_settings: Vec::new(),
            skipped: Vec::new(),
            writes: Vec::new(),
            notes: Vec::new(),
        },
        error: Some(error),
    }
}

async fn tenant_drift(
    target: &TenantTarget,
    template: &ProfileTemplate,
    values: &TemplateValues,
    selection: &TokenSelection,
) -> TenantDrift {
    let mut out = TenantDrift {
        tenant: target.name.clone(),
        tokens: Vec::new(),
        error: None,
        issues: Vec::new(),
    };
    let ctx = match tenant_context(target, template, values, selection).await {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    let desired = match ctx.desired {
        Ok(d) => d,
        Err(issues) => {
            out.issues = issues;
            out.tokens = ctx
                .tokens
                .iter()
                .map(|t| {
                    error_token(
                        t,
                        "the template does not resolve for this tenant: see the tenant's issues"
                            .into(),
                    )
                })
                .collect();
            return out;
        }
    };
    out.issues = ctx.warnings;
    for t in &ctx.tokens {
        let id = t.id.clone().unwrap_or_default();
        out.tokens.push(
            match assess(&target.client, &id, template, &desired).await {
                Ok(assessment) => TokenDrift {
                    token_id: id,
                    token_name: t.token_name.clone(),
                    assessment,
                    error: None,
                },
                Err(e) => error_token(t, format!("the token's profiles could not be read: {e}")),
            },
        );
    }
    out
}

/// How many tenants [`profile_drift`] reads at once.
const DRIFT_CONCURRENCY: usize = 4;

/// The drift of `template` on the selected tokens of every tenant (one tenant: a slice of
/// one). Read only. A tenant that cannot be read, or for which the template does not resolve,
/// is reported as such; the others are still checked.
///
/// # Errors
/// [`WorkflowError::InvalidTemplate`] with every issue when the template itself is wrong
/// (no call is made).
pub async fn profile_drift(
    tenants: &[TenantTarget],
    template: &ProfileTemplate,
    values: &TemplateValues,
    tokens: &TokenSelection,
) -> Result<ProfileDriftReport, WorkflowError> {
    let warnings = check_offline(template)?;
    let mut results = Vec::with_capacity(tenants.len());
    for chunk in tenants.chunks(DRIFT_CONCURRENCY) {
        let futures: Vec<_> = chunk
            .iter()
            .map(|t| tenant_drift(t, template, values, tokens))
            .collect();
        results.extend(futures::future::join_all(futures).await);
    }
    Ok(ProfileDriftReport {
        template: template.display_name.clone(),
        platform: template.platform.name().into(),
        warnings,
        tenants: results,
    })
}

/// The plan of an apply: every write that would bring the selected tokens to the template,
/// in order, without writing anything. The default of `profiles apply`.
///
/// # Errors
/// As [`profile_drift`].
pub async fn plan_profile_apply(
    tenants: &[TenantTarget],
    template: &ProfileTemplate,
    values: &TemplateValues,
    tokens: &TokenSelection,
) -> Result<ProfilePlan, WorkflowError> {
    let drift = profile_drift(tenants, template, values, tokens).await?;
    Ok(ProfilePlan {
        writes: drift.writes(),
        drift,
    })
}

/// Options of [`apply_profile_template`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplyOptions {
    /// Write (`false`, the default: only plan, as [`plan_profile_apply`], reported as
    /// `notAttempted` writes).
    pub apply: bool,
}

/// Most writes one token can need (a replacement: create, default, devices, two renames,
/// plus a PATCH): a bound against a tenant that keeps changing under the apply.
const MAX_WRITES_PER_TOKEN: usize = 8;

/// Brings the selected tokens of every tenant to the template. Before each write the token is
/// read again and the next write decided from what is there; after it, the token is read
/// back to verify it. A write whose answer was lost is never resent: the read-back decides.
/// The first refused or unverified write stops the apply; the report then lists what was
/// done, what failed and what was not attempted, and the next apply continues from the state
/// it finds (matching profiles by name and platform), doing nothing twice.
///
/// # Errors
/// [`WorkflowError::InvalidTemplate`] when the template itself is wrong (nothing written).
pub async fn apply_profile_template(
    tenants: &[TenantTarget],
    template: &ProfileTemplate,
    values: &TemplateValues,
    tokens: &TokenSelection,
    options: &ApplyOptions,
) -> Result<ApplyReport, WorkflowError> {
    check_offline(template)?;
    let mut report = ApplyReport {
        applied: options.apply,
        writes: Vec::new(),
        unchecked: Vec::new(),
        complete: true,
    };
    let mut stopped = !options.apply;
    for target in tenants {
        let ctx = match tenant_context(target, template, values, tokens).await {
            Ok(c) => c,
            Err(e) => {
                report.unchecked.push(format!("{}: {e}", target.name));
                report.complete = false;
                continue;
            }
        };
        let desired = match ctx.desired {
            Ok(d) => d,
            Err(issues) => {
                let text: Vec<String> = issues
                    .iter()
                    .filter(|i| i.is_error())
                    .map(ToString::to_string)
                    .collect();
                report.unchecked.push(format!(
                    "{}: the template does not resolve: {}",
                    target.name,
                    text.join("; ")
                ));
                report.complete = false;
                continue;
            }
        };
        for token in &ctx.tokens {
            let token_id = token.id.clone().unwrap_or_default();
            let line = |w: PlannedWrite| PlanLine {
                tenant: target.name.clone(),
                token_id: token_id.clone(),
                token_name: token.token_name.clone(),
                write: w,
            };
            let mut made = 0;
            let mut failed: Option<PlannedWrite> = None;
            loop {
                let a = match assess(&target.client, &token_id, template, &desired).await {
                    Ok(a) => a,
                    Err(e) => {
                        report.unchecked.push(format!(
                            "{} token {token_id}: the profiles could not be read: {e}",
                            target.name
                        ));
                        report.complete = false;
                        break;
                    }
                };
                if matches!(
                    a.status,
                    DriftStatus::Ambiguous | DriftStatus::NotComparable
                ) {
                    report.unchecked.push(format!(
                        "{} token {token_id}: {}",
                        target.name,
                        a.notes.join("; ")
                    ));
                    report.complete = false;
                    break;
                }
                if a.writes.is_empty() {
                    break;
                }
                if made >= MAX_WRITES_PER_TOKEN && !stopped {
                    stopped = true;
                    report.unchecked.push(format!("{} token {token_id}: the token kept changing during the apply: run it again", target.name));
                }
                if stopped {
                    report.complete = false;
                    let mut rest = a.writes.into_iter().peekable();
                    // The write that just failed is reported once, as failed.
                    if rest.peek().is_some_and(|w| Some(w) == failed.as_ref()) {
                        rest.next();
                    }
                    for w in rest {
                        report.writes.push(AppliedWrite {
                            line: line(w),
                            outcome: WriteOutcome::NotAttempted,
                            detail: None,
                        });
                    }
                    break;
                }
                let Some(w) = a.writes.into_iter().next() else {
                    break;
                };
                made += 1;
                let (outcome, detail) =
                    execute(&target.client, &token_id, template, &desired, &w).await;
                if outcome != WriteOutcome::Done {
                    stopped = true;
                    failed = Some(w.clone());
                }
                report.writes.push(AppliedWrite {
                    line: line(w),
                    outcome,
                    detail,
                });
            }
        }
    }
    Ok(report)
}

/// Makes one write, then reads the token back to verify it.
async fn execute(
    client: &Client,
    token_id: &str,
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
    w: &PlannedWrite,
) -> (WriteOutcome, Option<String>) {
    let profiles = client.enrollment_profiles(token_id);
    // A create whose answer was lost and that reading back found (create_profile reads back).
    let mut recovered = false;
    let sent: Result<(), WorkflowError> = match w.kind {
        WriteKind::Create | WriteKind::CreateReplacement => {
            let mut p = desired.clone();
            set_name(&mut p, &w.display_name);
            create_profile(client, token_id, &p).await.map(|created| {
                recovered = created
                    .notes
                    .iter()
                    .any(|n| n == crate::workflows::profiles::LOST_CREATE_NOTE);
            })
        }
        WriteKind::Patch => match patch_body(template, desired, &w.settings) {
            Ok(body) => match &w.profile_id {
                Some(id) => profiles
                    .update(id, &body)
                    .await
                    .map_err(WorkflowError::from),
                None => Err(WorkflowError::InvalidInput(
                    "the profile to PATCH has no id".into(),
                )),
            },
            Err(e) => Err(e),
        },
        WriteKind::SetDefault => match &w.profile_id {
            Some(id) => set_default_profile(client, token_id, id).await.map(|_| ()),
            None => Err(WorkflowError::InvalidInput(
                "the profile to make default has no id".into(),
            )),
        },
        WriteKind::MoveDevices => match &w.profile_id {
            Some(id) => match assign_serial_numbers(
                client,
                token_id,
                id,
                &w.serial_numbers,
                &SerialAssignmentOptions::default(),
            )
            .await
            {
                Ok(r) if r.failed == 0 && r.unknown == 0 => Ok(()),
                Ok(r) => Err(WorkflowError::VerificationFailed {
                    what: format!(
                        "{} of {} device(s) were not assigned ({} unknown serial numbers)",
                        r.failed + r.unknown,
                        r.devices.len(),
                        r.unknown
                    ),
                }),
                Err(e) => Err(e),
            },
            None => Err(WorkflowError::InvalidInput(
                "the replacement profile has no id".into(),
            )),
        },
        WriteKind::RenameReplaced | WriteKind::RenameReplacement => {
            let new_name = if w.kind == WriteKind::RenameReplaced {
                format!("{}{REPLACED_SUFFIX}", template.display_name.trim())
            } else {
                template.display_name.trim().to_owned()
            };
            match (&w.profile_id, rename_body(template, &new_name)) {
                (Some(id), Ok(body)) => profiles
                    .update(id, &body)
                    .await
                    .map_err(WorkflowError::from),
                (None, _) => Err(WorkflowError::InvalidInput(
                    "the profile to rename has no id".into(),
                )),
                (_, Err(e)) => Err(e),
            }
        }
    };
    let lost = match &sent {
        Ok(()) => recovered,
        Err(WorkflowError::Graph(e)) if e.kind() == ErrorKind::OutcomeUnknown => true,
        Err(e) => return (WriteOutcome::Failed, Some(e.to_string())),
    };
    match verify(client, token_id, template, desired, w).await {
        Ok(()) if lost => (WriteOutcome::Done, Some("the answer was lost; reading back shows the write made".into())),
        Ok(()) => (WriteOutcome::Done, None),
        Err(e) if lost => (WriteOutcome::Failed, Some(format!("the answer was lost and reading back does not show the write ({e}); it was not resent: the next apply checks again before writing"))),
        Err(e) => (WriteOutcome::Failed, Some(e)),
    }
}

fn set_name(p: &mut EnrollmentProfile, name: &str) {
    match p {
        EnrollmentProfile::DepIos(x) => x.display_name = Some(name.to_owned()),
        EnrollmentProfile::DepMacOs(x) => x.display_name = Some(name.to_owned()),
        EnrollmentProfile::DepTvOs(x) | EnrollmentProfile::DepVisionOs(x) => {
            x.display_name = Some(name.to_owned());
        }
        _ => {}
    }
}

fn body_of(
    template: &ProfileTemplate,
    mut m: serde_json::Map<String, Value>,
) -> Result<EnrollmentProfile, WorkflowError> {
    m.insert(
        "@odata.type".into(),
        Value::String(template.platform.odata_type().into()),
    );
    crate::model::decode_value(Value::Object(m))
        .map_err(|e| WorkflowError::InvalidInput(format!("the PATCH body does not decode: {e}")))
}

/// The PATCH body of `settings`: their desired values only, with the `@odata.type`.
fn patch_body(
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
    settings: &[String],
) -> Result<EnrollmentProfile, WorkflowError> {
    let want = profile_value(desired);
    let m = settings
        .iter()
        .filter_map(|s| want.get(s).map(|v| (s.clone(), v.clone())))
        .collect();
    body_of(template, m)
}

fn rename_body(template: &ProfileTemplate, name: &str) -> Result<EnrollmentProfile, WorkflowError> {
    let mut m = serde_json::Map::new();
    m.insert("displayName".into(), Value::String(name.to_owned()));
    body_of(template, m)
}

/// Reads the token back and checks that the write shows.
async fn verify(
    client: &Client,
    token_id: &str,
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
    w: &PlannedWrite,
) -> Result<(), String> {
    let profiles: Vec<EnrollmentProfile> = client
        .enrollment_profiles(token_id)
        .list()
        .try_collect()
        .await
        .map_err(|e| format!("the profiles could not be read back: {e}"))?;
    let named = |n: &str| {
        profiles.iter().find(|p| {
            p.display_name()
                .is_some_and(|d| d.trim().to_lowercase() == n.trim().to_lowercase())
        })
    };
    let by_id = |id: &Option<String>| {
        profiles
            .iter()
            .find(|p| p.id().is_some() && p.id() == id.as_deref())
    };
    let is_default = |p: &EnrollmentProfile| {
        profile_value(p).get("isDefault").and_then(Value::as_bool) == Some(true)
    };
    match w.kind {
        WriteKind::Create | WriteKind::CreateReplacement => {
            let p = named(&w.display_name)
                .ok_or_else(|| format!("no profile named `{}` reads back", w.display_name))?;
            let left: Vec<String> = compare(template, desired, p)
                .differences
                .into_iter()
                .filter(|d| d.setting != "isDefault")
                .map(|d| d.setting)
                .collect();
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "`{}` reads back with other values for {}",
                    w.display_name,
                    left.join(", ")
                ))
            }
        }
        WriteKind::Patch => {
            let p = by_id(&w.profile_id).ok_or("the profile no longer reads back")?;
            let left: Vec<String> = compare(template, desired, p)
                .differences
                .into_iter()
                .filter(|d| w.settings.contains(&d.setting))
                .map(|d| d.setting)
                .collect();
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "the profile reads back with other values for {}",
                    left.join(", ")
                ))
            }
        }
        WriteKind::SetDefault => match by_id(&w.profile_id) {
            Some(p) if is_default(p) => Ok(()),
            _ => Err("the profile does not read back as the default".into()),
        },
        // assign_serial_numbers verified every device.
        WriteKind::MoveDevices => Ok(()),
        WriteKind::RenameReplaced | WriteKind::RenameReplacement => {
            let want = if w.kind == WriteKind::RenameReplaced {
                format!("{}{REPLACED_SUFFIX}", template.display_name.trim())
            } else {
                template.display_name.trim().to_owned()
            };
            match by_id(&w.profile_id) {
                Some(p) if p.display_name().is_some_and(|d| d.trim() == want) => Ok(()),
                _ => Err(format!("the profile does not read back as `{want}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings run these futures on a multi-threaded runtime.
    #[allow(dead_code)]
    fn futures_are_send(t: &[TenantTarget], p: &ProfileTemplate, v: &TemplateValues, c: &Client) {
        fn send<T: Send>(_: &T) {}
        send(&profile_drift(t, p, v, &TokenSelection::All));
        send(&plan_profile_apply(t, p, v, &TokenSelection::All));
        send(&apply_profile_template(
            t,
            p,
            v,
            &TokenSelection::All,
            &ApplyOptions::default(),
        ));
        send(&export_profile_template(
            c,
            "t",
            "p",
            &ExportOptions::default(),
        ));
    }

    #[test]
    fn values_overlay_the_defaults() {
        let v = TemplateValues::from_json(
            r#"{"defaults": {"a": "1", "b": "2"}, "tenants": {"x": {"b": "3"}}}"#,
        )
        .unwrap();
        assert_eq!(v.for_tenant("x")["b"], "3");
        assert_eq!(v.for_tenant("x")["a"], "1");
        assert_eq!(v.for_tenant("y")["b"], "2");
        assert!(TemplateValues::from_json(r#"{"tenant": {}}"#).is_err());
    }
}
