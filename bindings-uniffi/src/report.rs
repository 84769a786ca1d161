//! The health report of a tenant, its renderers, and the multi-tenant scan.

use std::sync::Arc;
use std::time::SystemTime;

use intune_apple_core::workflows::report::{self, Format};

use crate::client::Client;
use crate::error::IntuneAppleError;
use crate::rules::{locale, thresholds, HealthOptions, Severity, TokenKind};
use crate::runtime::run;
use crate::types::{time, utc};

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// An output format of the health report (and of a scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReportFormat {
    /// Aligned terminal table.
    Table,
    /// Markdown for a ticket or an e-mail.
    Markdown,
    /// The stable JSON of `docs/report.md`.
    Json,
    /// iCalendar of the renewal deadlines.
    Ics,
    /// Prometheus text exposition 0.0.4 (node_exporter textfile collector).
    Prometheus,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
    /// Nagios / Icinga plugin output.
    Nagios,
    /// Checkmk local-check lines.
    Checkmk,
    /// A self-contained HTML page with an SVG timeline.
    Html,
}

impl From<ReportFormat> for Format {
    fn from(f: ReportFormat) -> Self {
        match f {
            ReportFormat::Table => Self::Table,
            ReportFormat::Markdown => Self::Markdown,
            ReportFormat::Json => Self::Json,
            ReportFormat::Ics => Self::Ics,
            ReportFormat::Prometheus => Self::Prometheus,
            ReportFormat::OpenMetrics => Self::OpenMetrics,
            ReportFormat::Nagios => Self::Nagios,
            ReportFormat::Checkmk => Self::Checkmk,
            ReportFormat::Html => Self::Html,
        }
    }
}

/// One problem of a report item.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportProblem {
    /// Stable code (`push.expiring`, `vpp.duplicate_location`, ...).
    pub code: String,
    /// What it means and what to do, in the report's locale.
    pub message: String,
}

/// One credential of a health report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportItem {
    /// Which kind of credential.
    pub kind: TokenKind,
    /// A stable identifier: the Graph id of tokens, the topic of the push certificate.
    pub id: String,
    /// The name an admin knows it by.
    pub name: Option<String>,
    /// The Apple ID (Managed Apple ID) to renew with.
    pub apple_id: Option<String>,
    /// When it expires.
    pub expires_at: Option<SystemTime>,
    /// Whole days left (negative once expired).
    pub days_left: Option<i64>,
    /// The worst of expiry and problems.
    pub severity: Severity,
    /// What is wrong, worst first.
    pub problems: Vec<ReportProblem>,
    /// What happens if it lapses.
    pub consequence: String,
    /// The renewal steps, in order.
    pub renewal: Vec<String>,
    /// Tokens: the last (successful) sync with Apple.
    pub last_sync_at: Option<SystemTime>,
    /// Enrollment program tokens: the earliest instant a manual sync is allowed.
    pub next_sync_allowed_at: Option<SystemTime>,
}

/// A section of a report that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportSectionError {
    /// Which section (`pushCertificate`, `vppTokens`, ..., `options`).
    pub section: String,
    /// The error's stable code (`forbidden`, `throttled`, ...).
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
}

/// Options of `healthReport` and `scanTenants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ReportOptions {
    /// Evaluate the credentials at this instant instead of now.
    #[uniffi(default)]
    pub as_of: Option<SystemTime>,
    /// Also read the VPP apps (apps on expired tokens, duplicate apps).
    #[uniffi(default)]
    pub include_apps: bool,
    /// Locale and warning / critical windows (its `now` is not used: see `asOf`).
    #[uniffi(default)]
    pub health: HealthOptions,
}

pub(crate) fn core_options(o: &ReportOptions) -> Result<report::ReportOptions> {
    let options = report::ReportOptions {
        as_of: utc(o.as_of),
        thresholds: thresholds(&o.health)?,
        locale: locale(o.health.locale.as_deref())?,
        include_apps: o.include_apps,
    };
    options.validate()?;
    Ok(options)
}

/// The health of every Apple credential of a tenant, with its renderings.
#[derive(Debug, uniffi::Object)]
pub struct HealthReport {
    pub(crate) inner: report::HealthReport,
}

#[uniffi::export]
impl HealthReport {
    /// Reads a report saved with `render(ReportFormat.JSON)` (`docs/report.md`).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        report::HealthReport::from_json(&json)
            .map(|inner| Arc::new(Self { inner }))
            .map_err(|e| IntuneAppleError::invalid_input(format!("not a health report: {e}")))
    }

    /// When the report was made.
    pub fn generated_at(&self) -> SystemTime {
        self.inner.generated_at.into()
    }

    /// The instant the credentials were evaluated at.
    pub fn as_of(&self) -> SystemTime {
        self.inner.as_of.into()
    }

    /// One entry per credential, most urgent first.
    pub fn items(&self) -> Vec<ReportItem> {
        self.inner
            .items
            .iter()
            .map(|i| ReportItem {
                kind: i.kind.into(),
                id: i.id.clone(),
                name: i.name.clone(),
                apple_id: i.apple_id.clone(),
                expires_at: time(i.expires_at),
                days_left: i.days_left,
                severity: i.severity.into(),
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
                last_sync_at: time(i.sync.as_ref().and_then(|s| s.last_sync_at)),
                next_sync_allowed_at: time(i.sync.as_ref().and_then(|s| s.next_sync_allowed_at)),
            })
            .collect()
    }

    /// One entry per section that could not be read.
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
    pub fn overall(&self) -> Severity {
        self.inner.overall().into()
    }

    /// The exit code a scheduled job should end with (0 all fine, 1 attention, 2 expired or
    /// unreadable; Nagios' own for `ReportFormat.NAGIOS`).
    pub fn exit_code(&self, format: ReportFormat) -> i32 {
        Format::from(format).exit_code(&self.inner)
    }

    /// The report in a format; `color`: ANSI colours in the table.
    pub fn render(&self, format: ReportFormat, color: bool) -> String {
        Format::from(format).render(&self.inner, color)
    }
}

/// A tenant to scan: a name for the results and its client.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Tenant {
    /// The tenant's name in the results (its domain, a customer name).
    pub name: String,
    /// A client signed in to that tenant.
    pub client: Arc<Client>,
}

/// One tenant's report of `scanTenants`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TenantReport {
    /// The tenant's name, as given.
    pub tenant: String,
    /// Its report (a section that could not be read is in `report.errors()`).
    pub report: Arc<HealthReport>,
}

pub(crate) fn core_reports(reports: &[TenantReport]) -> Vec<report::TenantReport> {
    reports
        .iter()
        .map(|r| report::TenantReport {
            tenant: r.tenant.clone(),
            report: r.report.inner.clone(),
        })
        .collect()
}

/// The health reports of many tenants, in the order given, at most `concurrency` at a time
/// (0 counts as 1).
#[uniffi::export]
pub async fn scan_tenants(
    tenants: Vec<Tenant>,
    options: ReportOptions,
    concurrency: u32,
) -> Result<Vec<TenantReport>> {
    let options = core_options(&options)?;
    let targets: Vec<report::TenantTarget> = tenants
        .into_iter()
        .map(|t| report::TenantTarget {
            name: t.name,
            client: t.client.core(),
        })
        .collect();
    let concurrency = usize::try_from(concurrency).unwrap_or(usize::MAX);
    run(async move {
        Ok(report::scan_tenants(targets, &options, concurrency)
            .await
            .into_iter()
            .map(|r| TenantReport {
                tenant: r.tenant,
                report: Arc::new(HealthReport { inner: r.report }),
            })
            .collect())
    })
    .await
}

/// The reports of a scan in one document of a format.
#[uniffi::export]
pub fn render_scan(reports: Vec<TenantReport>, format: ReportFormat, color: bool) -> String {
    Format::from(format).render_scan(&core_reports(&reports), color)
}

/// The exit code of a scan (the worst tenant's; Nagios' own for `ReportFormat.NAGIOS`).
#[uniffi::export]
pub fn scan_exit_code(reports: Vec<TenantReport>, format: ReportFormat) -> i32 {
    Format::from(format).scan_exit_code(&core_reports(&reports))
}

#[uniffi::export]
impl Client {
    /// The health of every Apple credential of the tenant.
    pub async fn health_report(&self, options: ReportOptions) -> Result<Arc<HealthReport>> {
        let c = self.core();
        let options = core_options(&options)?;
        run(async move {
            Ok(Arc::new(HealthReport {
                inner: report::health_report(&c, &options).await,
            }))
        })
        .await
    }
}
