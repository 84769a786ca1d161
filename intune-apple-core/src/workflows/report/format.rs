//! The output formats of a report, by name, and the one place every front end renders through.

use std::fmt;
use std::str::FromStr;

use super::prometheus::{scoped, Scoped};
use super::{html, ics, nagios, prometheus, HealthReport, TenantReport};

/// An output format of the health report and of a scan.
///
/// ```
/// use intune_apple_core::workflows::report::Format;
/// let f: Format = "prometheus".parse().unwrap();
/// assert_eq!(f, Format::Prometheus);
/// assert_eq!(f.name(), "prometheus");
/// assert!("yaml".parse::<Format>().unwrap_err().to_string().contains("openmetrics"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Aligned terminal table.
    Table,
    /// Markdown for a ticket or an e-mail.
    Markdown,
    /// The stable JSON of `docs/report.md` (for a scan: an array of `{tenant, report}`).
    Json,
    /// iCalendar of the renewal deadlines.
    Ics,
    /// Prometheus text exposition 0.0.4 (node_exporter textfile collector).
    Prometheus,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
    /// Nagios / Icinga plugin output (use [`Format::exit_code`] as the exit code).
    Nagios,
    /// Checkmk local-check lines.
    Checkmk,
    /// A self-contained HTML page with an SVG timeline.
    Html,
}

impl Format {
    /// Every format, in the order of [`Format::NAMES`].
    pub const ALL: [Self; 9] = [
        Self::Table,
        Self::Markdown,
        Self::Json,
        Self::Ics,
        Self::Prometheus,
        Self::OpenMetrics,
        Self::Nagios,
        Self::Checkmk,
        Self::Html,
    ];

    /// The names accepted by [`FromStr`], as used on command lines.
    pub const NAMES: [&'static str; 9] = [
        "table",
        "markdown",
        "json",
        "ics",
        "prometheus",
        "openmetrics",
        "nagios",
        "checkmk",
        "html",
    ];

    /// The name of the format (`table`, `markdown`, ...).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Markdown => "markdown",
            Self::Json => "json",
            Self::Ics => "ics",
            Self::Prometheus => "prometheus",
            Self::OpenMetrics => "openmetrics",
            Self::Nagios => "nagios",
            Self::Checkmk => "checkmk",
            Self::Html => "html",
        }
    }

    /// The media type to serve the output with.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Table | Self::Nagios | Self::Checkmk => "text/plain; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Json => "application/json",
            Self::Ics => "text/calendar; charset=utf-8",
            Self::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
        }
    }

    /// Whether the output is meant for a machine, so that notices go to stderr.
    #[must_use]
    pub fn is_machine_readable(self) -> bool {
        !matches!(self, Self::Table | Self::Markdown)
    }

    /// Renders one report. `color`: ANSI colours in the table.
    #[must_use]
    pub fn render(self, report: &HealthReport, color: bool) -> String {
        let one: [Scoped<'_>; 1] = [(None, report)];
        match self {
            Self::Table => report.to_table(color),
            Self::Markdown => report.to_markdown(),
            Self::Json => {
                let mut j = report.to_json();
                j.push('\n');
                j
            }
            Self::Ics => report.to_ics(),
            Self::Prometheus => prometheus::prometheus(&one),
            Self::OpenMetrics => prometheus::openmetrics(&one),
            Self::Nagios => nagios::nagios(&one),
            Self::Checkmk => nagios::checkmk(&one),
            Self::Html => html::html(&one, true, false),
        }
    }

    /// Renders a multi-tenant scan: one document across the tenants.
    #[must_use]
    pub fn render_scan(self, reports: &[TenantReport], color: bool) -> String {
        let all = scoped(reports);
        match self {
            Self::Table | Self::Markdown => {
                let mut out = String::new();
                for r in reports {
                    let body = self.render(&r.report, color);
                    if self == Self::Table {
                        out.push_str(&format!("== {} ==\n{body}\n", r.tenant));
                    } else {
                        out.push_str(&format!(
                            "# Tenant: {}\n\n{}\n",
                            super::render::cell(&r.tenant),
                            body.replacen("# ", "## ", 1)
                        ));
                    }
                }
                out
            }
            Self::Json => {
                let mut j = serde_json::to_string_pretty(reports).unwrap_or_default();
                j.push('\n');
                j
            }
            Self::Ics => ics::merge(reports),
            Self::Prometheus => prometheus::prometheus(&all),
            Self::OpenMetrics => prometheus::openmetrics(&all),
            Self::Nagios => nagios::nagios(&all),
            Self::Checkmk => nagios::checkmk(&all),
            Self::Html => html::html(&all, true, true),
        }
    }

    /// The process exit code after printing `report` in this format: the Nagios plugin codes
    /// (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN = could not check) for [`Format::Nagios`],
    /// [`HealthReport::exit_code`] otherwise.
    #[must_use]
    pub fn exit_code(self, report: &HealthReport) -> i32 {
        match self {
            Self::Nagios => nagios::nagios_exit_code(&[(None, report)]),
            _ => report.exit_code(),
        }
    }

    /// As [`Format::exit_code`] for a scan ([`super::scan_exit_code`] outside Nagios).
    #[must_use]
    pub fn scan_exit_code(self, reports: &[TenantReport]) -> i32 {
        match self {
            Self::Nagios => nagios::nagios_exit_code(&scoped(reports)),
            _ => super::scan_exit_code(reports),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`Format::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format '{0}': use one of table, markdown, json, ics, prometheus, openmetrics, nagios, checkmk, html")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "md" => Ok(Self::Markdown),
            "prom" => Ok(Self::Prometheus),
            other => Self::ALL
                .into_iter()
                .find(|f| f.name() == other)
                .ok_or_else(|| UnknownFormat(s.to_owned())),
        }
    }
}

impl HealthReport {
    /// Prometheus text exposition format 0.0.4, for node_exporter's textfile collector (write
    /// it with [`write_textfile`](super::write_textfile)). See the [`prometheus`
    /// module](super) table of series.
    #[must_use]
    pub fn to_prometheus(&self) -> String {
        Format::Prometheus.render(self, false)
    }

    /// The same series as [`HealthReport::to_prometheus`] in OpenMetrics 1.0 text (units,
    /// `info` type, `# EOF`).
    #[must_use]
    pub fn to_openmetrics(&self) -> String {
        Format::OpenMetrics.render(self, false)
    }

    /// Nagios / Icinga plugin output; exit with [`HealthReport::nagios_exit_code`].
    #[must_use]
    pub fn to_nagios(&self) -> String {
        Format::Nagios.render(self, false)
    }

    /// The Nagios plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not check).
    #[must_use]
    pub fn nagios_exit_code(&self) -> i32 {
        Format::Nagios.exit_code(self)
    }

    /// Checkmk local-check lines, one service per credential plus one for the reading.
    #[must_use]
    pub fn to_checkmk(&self) -> String {
        Format::Checkmk.render(self, false)
    }

    /// A self-contained HTML page: status table, SVG timeline of the next 13 months, what to
    /// do for each credential. No script, no external resource.
    #[must_use]
    pub fn to_html(&self) -> String {
        Format::Html.render(self, false)
    }

    /// The HTML page for an e-mail body: inline styles only, the timeline as a table (no SVG).
    #[must_use]
    pub fn to_html_email(&self) -> String {
        html::html(&[(None, self)], false, false)
    }
}

/// A scan as Prometheus text 0.0.4, every series labelled with `tenant`.
#[must_use]
pub fn scan_to_prometheus(reports: &[TenantReport]) -> String {
    Format::Prometheus.render_scan(reports, false)
}

/// A scan as OpenMetrics text.
#[must_use]
pub fn scan_to_openmetrics(reports: &[TenantReport]) -> String {
    Format::OpenMetrics.render_scan(reports, false)
}

/// A scan as Nagios plugin output (exit with [`Format::scan_exit_code`] of [`Format::Nagios`]).
#[must_use]
pub fn scan_to_nagios(reports: &[TenantReport]) -> String {
    Format::Nagios.render_scan(reports, false)
}

/// A scan as Checkmk local-check lines, service names prefixed with the tenant.
#[must_use]
pub fn scan_to_checkmk(reports: &[TenantReport]) -> String {
    Format::Checkmk.render_scan(reports, false)
}

/// A scan as one HTML page: an overview of the tenants, then each tenant's report.
#[must_use]
pub fn scan_to_html(reports: &[TenantReport]) -> String {
    Format::Html.render_scan(reports, false)
}

/// A scan as one HTML e-mail body (no SVG).
#[must_use]
pub fn scan_to_html_email(reports: &[TenantReport]) -> String {
    html::html(&scoped(reports), false, true)
}

/// RFC 3339 in UTC, as the report's JSON writes instants.
pub(crate) fn format_time_public(t: &chrono::DateTime<chrono::Utc>) -> String {
    super::format_time(t)
}

/// `push certificate`, `enrollment program token`, `VPP token`.
pub(crate) fn kind_label_public(kind: crate::rules::health::TokenKind) -> &'static str {
    nagios::short_kind(kind)
}

/// The e-mail body of one or many reports, with the changes that caused it listed first.
pub(crate) fn email_html(reports: &[TenantReport], changes: &[String]) -> String {
    let scan = reports.len() > 1 || reports.first().is_some_and(|r| !r.tenant.is_empty());
    let all: Vec<Scoped<'_>> = reports
        .iter()
        .map(|r| {
            (
                (!r.tenant.is_empty()).then_some(r.tenant.as_str()),
                &r.report,
            )
        })
        .collect();
    html::html_with_preface(&all, false, scan, changes)
}
