//! The workflows: tenant health report, safe renewals, profile workflows and the duplicate-app
//! repair. Each is one core call; reports become plain objects (times as `Date`).

use chrono::{DateTime, Utc};
use intune_apple_core::graph::SyncOptions;
use intune_apple_core::model::EnrollmentProfile;
use intune_apple_core::workflows::duplicates::{repair_duplicate_apps, DuplicateRepairOptions};
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::profile_check::{self, validate_token_profiles};
use intune_apple_core::workflows::profiles::{
    self, assign_serial_numbers, copy_profile, create_profile, set_default_profile,
    SerialAssignmentOptions,
};
use intune_apple_core::workflows::renewal::{
    download_push_csr, renew_enrollment_program_token, renew_enrollment_program_token_and_sync,
    renew_push_certificate, renew_vpp_token, DepRenewalRequest, PushRenewalRequest,
    VppRenewalRequest,
};
use intune_apple_core::workflows::report;
use intune_apple_core::Secret;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use intune_apple_core::manifest::node_error_code;

use crate::client::Client;
use crate::convert;
use crate::error::{failure, run, throw, Failure, RefusalInfo};
use crate::rules::{locale, thresholds, HealthOptions};

impl From<WorkflowError> for Failure {
    fn from(e: WorkflowError) -> Self {
        // The core's stable code, mechanically: `verification_failed` -> ERR_VERIFICATION_FAILED.
        let code = match &e {
            WorkflowError::Graph(g) => return Failure::from(g),
            other => node_error_code(other.code()),
        };
        let mut f = failure(&code, e.to_string());
        let reasons = e.reasons();
        if !reasons.is_empty() {
            f.0.reasons = Some(
                reasons
                    .iter()
                    .map(|r| RefusalInfo {
                        code: r.code.clone(),
                        message: r.message.clone(),
                        overridable: r.overridable,
                    })
                    .collect(),
            );
        }
        f
    }
}

/// One credential of a health report.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ReportItem {
    /// `pushCertificate`, `enrollmentProgramToken` or `vppToken`.
    #[napi(ts_type = "'pushCertificate' | 'enrollmentProgramToken' | 'vppToken'")]
    pub kind: String,
    /// Its id in Intune.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// The Apple ID that owns it.
    pub apple_id: Option<String>,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whole days left.
    pub days_left: Option<i64>,
    /// The worst severity.
    #[napi(ts_type = "Severity")]
    pub severity: String,
    /// The problems found (`code`, `message`).
    pub problems: Vec<ReportProblem>,
    /// What happens if it lapses.
    pub consequence: String,
    /// How to renew it.
    pub renewal: Vec<String>,
}

/// One problem of a report item.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ReportProblem {
    /// Stable code.
    pub code: String,
    /// What it means and what to do.
    pub message: String,
}

/// A section of a report that could not be read.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ReportSectionError {
    /// Which section.
    pub section: String,
    /// The error's code.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// The health of every Apple credential of a tenant, with its renderings.
#[napi]
pub struct HealthReport {
    pub(crate) inner: report::HealthReport,
}

#[napi]
impl HealthReport {
    /// When the report was made.
    #[napi(catch_unwind, getter)]
    pub fn generated_at(&self) -> DateTime<Utc> {
        self.inner.generated_at
    }

    /// The instant the credentials were evaluated at.
    #[napi(catch_unwind, getter)]
    pub fn as_of(&self) -> DateTime<Utc> {
        self.inner.as_of
    }

    /// One entry per credential, most urgent first.
    #[napi(catch_unwind, getter)]
    pub fn items(&self) -> Vec<ReportItem> {
        let json = serde_json::to_value(&self.inner.items).unwrap_or_default();
        self.inner
            .items
            .iter()
            .zip(json.as_array().cloned().unwrap_or_default())
            .map(|(i, j)| ReportItem {
                kind: j
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                id: i.id.clone(),
                name: i.name.clone(),
                apple_id: i.apple_id.clone(),
                expires_at: i.expires_at,
                days_left: i.days_left,
                severity: i.severity.code().to_owned(),
                problems: i
                    .problems
                    .iter()
                    .map(|p| ReportProblem {
                        code: p.code.clone(),
                        message: p.message.clone(),
                    })
                    .collect(),
                consequence: i.consequence.clone(),
                renewal: i.renewal.clone(),
            })
            .collect()
    }

    /// One entry per section that could not be read.
    #[napi(catch_unwind, getter)]
    pub fn errors(&self) -> Vec<ReportSectionError> {
        self.inner
            .errors
            .iter()
            .map(|e| ReportSectionError {
                section: e.section.clone(),
                code: e.code.clone(),
                message: e.message.clone(),
            })
            .collect()
    }

    /// The worst severity of the report.
    #[napi(catch_unwind, getter, ts_return_type = "Severity")]
    pub fn overall(&self) -> String {
        self.inner.overall().code().to_owned()
    }

    /// The exit code a scheduled job should end with (0 all fine, 1 attention, 2 expired or
    /// unreadable).
    #[napi(catch_unwind, getter)]
    pub fn exit_code(&self) -> i32 {
        self.inner.exit_code()
    }

    /// The documented JSON shape (`{ generatedAt, asOf, items, errors }`, times as text);
    /// `JSON.stringify(report)` uses it.
    #[napi(catch_unwind, js_name = "toJSON", ts_return_type = "HealthReportJson")]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.inner).unwrap_or_default()
    }

    /// Markdown for an email or a ticket.
    #[napi(catch_unwind)]
    pub fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    /// An iCalendar file with an event (and alarms) per expiry.
    #[napi(catch_unwind, js_name = "toICS")]
    pub fn to_ics(&self) -> String {
        self.inner.to_ics()
    }

    /// A text table for a terminal.
    #[napi(catch_unwind)]
    pub fn to_table(&self, color: Option<bool>) -> String {
        self.inner.to_table(color.unwrap_or(false))
    }

    /// Reads a report saved with `JSON.stringify(report)`.
    #[napi(catch_unwind, factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: String) -> Result<Self> {
        report::HealthReport::from_json(&json)
            .map(|inner| Self { inner })
            .map_err(|e| {
                throw(
                    env,
                    failure("ERR_INVALID_INPUT", format!("not a health report: {e}")),
                )
            })
    }
}

/// Options of `healthReport`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Evaluate the credentials at this instant instead of now.
    pub as_of: Option<DateTime<Utc>>,
    /// Language of problems, consequences and renewal steps.
    #[napi(ts_type = "Locale")]
    pub locale: Option<String>,
    /// Also read the VPP apps (apps on expired tokens, duplicate apps).
    pub include_apps: Option<bool>,
    /// Warning and critical windows.
    pub thresholds: Option<HealthOptions>,
}

/// Options of `renewPushCertificate`.
#[napi(object)]
pub struct PushRenewalOptions {
    /// The Apple ID that created the certificate.
    pub apple_id: String,
    /// The renewed certificate's PEM text (a secret).
    pub pem: String,
    /// Upload even when an overridable check refuses.
    pub force: Option<bool>,
}

/// Options of `renewEnrollmentProgramToken`.
#[napi(object)]
pub struct DepRenewalOptions {
    /// The token to renew.
    pub token_id: String,
    /// The managed Apple ID of the Apple Business/School Manager account.
    pub apple_id: String,
    /// The `.p7m` text (a secret).
    #[napi(js_name = "p7m")]
    pub p7m: String,
    /// Its file name (it carries the server name and download time).
    pub file_name: Option<String>,
    /// Upload even when an overridable check refuses.
    pub force: Option<bool>,
    /// Then start a sync with Apple (within Intune's sync rules; its outcome is the last step).
    pub sync: Option<bool>,
}

/// Options of `renewVppToken`.
#[napi(object)]
pub struct VppRenewalOptions {
    /// The `.vpptoken` content (a secret).
    pub token_file: String,
    /// The location it renews, when the organisation has several.
    pub location: Option<String>,
    /// Create the token when the organisation/location has none.
    pub create_if_missing: Option<bool>,
    /// Upload even when an overridable check refuses.
    pub force: Option<bool>,
}

fn core_report_options(env: &Env, o: ReportOptions) -> Result<report::ReportOptions> {
    let options = report::ReportOptions {
        as_of: crate::guard::instant(env, "asOf", o.as_of)?,
        thresholds: thresholds(env, &o.thresholds.unwrap_or_default())?,
        locale: locale(env, o.locale.as_deref())?,
        include_apps: o.include_apps.unwrap_or(false),
    };
    options
        .validate()
        .map_err(|e| throw(env, Failure::from(e)))?;
    Ok(options)
}

/// One tenant's report of `scanTenants`.
#[napi(object, object_from_js = false)]
pub struct TenantReport {
    /// The tenant's name, as given.
    pub tenant: String,
    /// Its health report (a section that could not be read is in `report.errors`).
    pub report: HealthReport,
}

/// The health reports of many tenants (`scanTenants` in `index.js` builds the two lists from a
/// `Map`, an object or an array of `[name, client]` pairs). The reports come back in the order
/// given, at most `concurrency` tenants at a time (0 counts as 1).
#[napi(js_name = "__scanTenants", skip_typescript)]
pub fn scan_tenants<'e>(
    env: &'e Env,
    names: Vec<String>,
    clients: Vec<&Client>,
    options: Option<ReportOptions>,
    concurrency: Option<f64>,
) -> Result<PromiseRaw<'e, Vec<TenantReport>>> {
    if names.len() != clients.len() {
        return Err(throw(
            env,
            failure(
                "ERR_INVALID_INPUT",
                format!(
                    "{} tenant names for {} clients: give one name per client",
                    names.len(),
                    clients.len()
                ),
            ),
        ));
    }
    let targets: Vec<report::TenantTarget> = names
        .into_iter()
        .zip(clients)
        .map(|(name, c)| report::TenantTarget {
            name,
            client: c.core(),
        })
        .collect();
    let options = core_report_options(env, options.unwrap_or_default())?;
    let concurrency = match concurrency {
        Some(c) => crate::guard::count(env, "concurrency", c, 0, u32::MAX as usize)?,
        None => report::DEFAULT_SCAN_CONCURRENCY,
    };
    run(
        env,
        async move { Ok::<_, Failure>(report::scan_tenants(targets, &options, concurrency).await) },
        |_, reports| {
            Ok(reports
                .into_iter()
                .map(|r| TenantReport {
                    tenant: r.tenant,
                    report: HealthReport { inner: r.report },
                })
                .collect())
        },
    )
}

/// Every enrollment profile of a token held against the profile rules (`validateTokenProfiles`).
#[napi]
pub struct TokenProfilesCheck {
    inner: profile_check::TokenProfilesCheck,
}

#[napi]
impl TokenProfilesCheck {
    /// The enrollment program token.
    #[napi(catch_unwind, getter)]
    pub fn token_id(&self) -> String {
        self.inner.token_id.clone()
    }

    /// One entry per profile, in the token's order.
    #[napi(catch_unwind, getter, ts_return_type = "Array<ProfileCheck>")]
    pub fn profiles(&self) -> serde_json::Value {
        serde_json::to_value(&self.inner.profiles).unwrap_or_default()
    }

    /// 0 every profile passes, 1 a profile breaks a rule, 2 one could not be checked (none
    /// breaks a rule).
    #[napi(catch_unwind, getter)]
    pub fn exit_code(&self) -> i32 {
        self.inner.exit_code()
    }

    /// Whether a profile breaks a rule at error level.
    #[napi(catch_unwind)]
    pub fn has_errors(&self) -> bool {
        self.inner.has_errors()
    }

    /// Plain text for a terminal (tenant text made safe).
    #[napi(catch_unwind)]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The check as a plain object (the core's JSON shape); `JSON.stringify(check)` uses it.
    #[napi(
        catch_unwind,
        js_name = "toJSON",
        ts_return_type = "TokenProfilesCheckJson"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.inner).unwrap_or_default()
    }
}

#[napi]
impl Client {
    /// The health of every Apple credential of the tenant: `toJSON()`, `toMarkdown()`,
    /// `toICS()`, `toTable()`.
    #[napi(ts_return_type = "Promise<HealthReport>")]
    pub fn health_report<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> Result<PromiseRaw<'e, HealthReport>> {
        let c = self.core();
        let options = core_report_options(env, options.unwrap_or_default())?;
        run(
            env,
            async move { Ok::<_, Failure>(report::health_report(&c, &options).await) },
            |_, inner| Ok(HealthReport { inner }),
        )
    }

    /// Renews the push certificate with a renewed `.pem`, after checking that it keeps the
    /// topic and extends the validity (refuses with `ERR_RENEWAL_REFUSED` and `reasons`).
    #[napi(ts_return_type = "Promise<PushRenewalReport>")]
    pub fn renew_push_certificate<'e>(
        &self,
        env: &'e Env,
        options: PushRenewalOptions,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        let request = PushRenewalRequest {
            apple_id: options.apple_id,
            pem: Secret::new(options.pem),
            force: options.force.unwrap_or(false),
        };
        run(
            env,
            async move { Ok(renew_push_certificate(&c, &request).await?) },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// First set-up (no push certificate yet): has Intune generate the certificate signing
    /// request and saves it to `path` (Create, not Renew, at Apple). Refused when the tenant
    /// already has a certificate (renew that one instead).
    #[napi(ts_return_type = "Promise<CsrDownload>")]
    pub fn generate_push_csr<'e>(
        &self,
        env: &'e Env,
        path: String,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        run(
            env,
            async move {
                Ok(intune_apple_core::workflows::push_setup::generate_push_csr(&c, &path).await?)
            },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Saves the push certificate signing request to `path`, for the Apple portal.
    #[napi(ts_return_type = "Promise<CsrDownload>")]
    pub fn download_push_csr<'e>(
        &self,
        env: &'e Env,
        path: String,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        run(
            env,
            async move { Ok(download_push_csr(&c, &path).await?) },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Renews an enrollment program token with a `.p7m`, after checking it was made for this
    /// token's key.
    #[napi(ts_return_type = "Promise<DepRenewalReport>")]
    pub fn renew_enrollment_program_token<'e>(
        &self,
        env: &'e Env,
        options: DepRenewalOptions,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        let request = DepRenewalRequest {
            token_id: options.token_id,
            apple_id: options.apple_id,
            p7m: Secret::new(options.p7m),
            file_name: options.file_name,
            force: options.force.unwrap_or(false),
        };
        let sync = options.sync.unwrap_or(false);
        run(
            env,
            async move {
                Ok(if sync {
                    renew_enrollment_program_token_and_sync(&c, &request, &SyncOptions::default())
                        .await?
                } else {
                    renew_enrollment_program_token(&c, &request).await?
                })
            },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Renews the VPP token of the file's organisation (and location) in place, after every
    /// safety check (the checked workflow; `uploadVppToken` is the raw upload).
    #[napi(ts_return_type = "Promise<VppRenewalReport>")]
    pub fn renew_vpp_token<'e>(
        &self,
        env: &'e Env,
        options: VppRenewalOptions,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        let request = VppRenewalRequest {
            token_file: Secret::new(options.token_file),
            location: options.location,
            create_if_missing: options.create_if_missing.unwrap_or(false),
            force: options.force.unwrap_or(false),
        };
        run(
            env,
            async move { Ok(renew_vpp_token(&c, &request).await?) },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Plans (default) or applies the repair of VPP apps present under two tokens: copies the
    /// assignments of the old copy to the one on the current token.
    #[napi(ts_return_type = "Promise<DuplicateRepairReport>")]
    pub fn repair_duplicate_apps<'e>(
        &self,
        env: &'e Env,
        apply: Option<bool>,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        let options = DuplicateRepairOptions {
            apply: apply.unwrap_or(false),
        };
        run(
            env,
            async move { Ok(repair_duplicate_apps(&c, &options).await?) },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Creates a profile from a template after validating it against the tenant (refuses
    /// with every violation).
    #[napi(ts_return_type = "Promise<ProfileCreated>")]
    pub fn create_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        #[napi(ts_arg_type = "EnrollmentProfile")] template: Unknown<'_>,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let template: EnrollmentProfile =
            convert::from_js(template, "the template").map_err(|f| throw(env, f))?;
        let c = self.core();
        run(
            env,
            async move { Ok(create_profile(&c, &token_id, &template).await?) },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Holds every enrollment profile of a token against the profile rules, as it is in the
    /// tenant: classic profiles, and settings-catalog enrollment policies through their
    /// settings. Read only.
    #[napi]
    pub fn validate_token_profiles<'e>(
        &self,
        env: &'e Env,
        token_id: String,
    ) -> Result<PromiseRaw<'e, TokenProfilesCheck>> {
        let c = self.core();
        run(
            env,
            async move { Ok(validate_token_profiles(&c, &token_id).await?) },
            |_, inner| Ok(TokenProfilesCheck { inner }),
        )
    }

    /// Copies a profile to a token, of this tenant or of the `target` client's tenant.
    #[napi(ts_return_type = "Promise<ProfileCreated>")]
    pub fn copy_profile<'e>(
        &self,
        env: &'e Env,
        source_token_id: String,
        profile_id: String,
        target: &Client,
        target_token_id: String,
        new_name: Option<String>,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        let t = target.core();
        run(
            env,
            async move {
                Ok(copy_profile(
                    &c,
                    &source_token_id,
                    &profile_id,
                    &t,
                    &target_token_id,
                    new_name.as_deref(),
                )
                .await?)
            },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Assigns a profile to serial numbers in batches, with one outcome per device.
    #[napi(ts_return_type = "Promise<SerialAssignmentReport>")]
    pub fn assign_serial_numbers<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
        serial_numbers: Vec<String>,
        batch_size: Option<f64>,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        let mut options = SerialAssignmentOptions::default();
        if let Some(n) = batch_size {
            options.batch_size = crate::guard::count(env, "batchSize", n, 1, 1_000_000)?;
        }
        run(
            env,
            async move {
                Ok(
                    assign_serial_numbers(&c, &token_id, &profile_id, &serial_numbers, &options)
                        .await?,
                )
            },
            |env, r| convert::to_js(env, &r),
        )
    }

    /// Makes a profile the default of its platform, reporting the previous default.
    #[napi(ts_return_type = "Promise<DefaultProfileSet>")]
    pub fn set_default_profile<'e>(
        &self,
        env: &'e Env,
        token_id: String,
        profile_id: String,
    ) -> Result<PromiseRaw<'e, Unknown<'e>>> {
        let c = self.core();
        run(
            env,
            async move { Ok(set_default_profile(&c, &token_id, &profile_id).await?) },
            |env, r| convert::to_js(env, &r),
        )
    }
}

/// Serial numbers read from a CSV or a plain list (one per line).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct SerialList {
    /// The serial numbers, in order, without duplicates.
    pub serial_numbers: Vec<String>,
    /// Those given more than once.
    pub duplicates: Vec<String>,
    /// Values that are not serial numbers.
    pub invalid: Vec<String>,
}

/// Reads serial numbers from a CSV export or a plain list.
#[napi(catch_unwind)]
pub fn parse_serial_numbers(env: &Env, text: String) -> Result<SerialList> {
    let list = profiles::parse_serial_numbers(&text).map_err(|e| throw(env, e))?;
    Ok(SerialList {
        serial_numbers: list.serial_numbers,
        duplicates: list.duplicates,
        invalid: list.invalid,
    })
}
