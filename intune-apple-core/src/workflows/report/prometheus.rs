//! Prometheus text exposition (0.0.4, for node_exporter's textfile collector) and OpenMetrics
//! 1.0 renderings of one or many [`HealthReport`]s, and an atomic textfile writer.
//!
//! Both formats carry the same series, so one set of alert rules serves both:
//!
//! | Series | Labels | Value |
//! |---|---|---|
//! | `intune_apple_credential_expiry_timestamp_seconds` | `tenant`, `kind`, `id` | expiry, Unix seconds |
//! | `intune_apple_credential_state` | `tenant`, `kind`, `id`, `state` | 1 for the current severity, 0 for the others |
//! | `intune_apple_credential_info` | `tenant`, `kind`, `id`, `name` | always 1 |
//! | `intune_apple_credential_problem` | `tenant`, `kind`, `id`, `code` | 1 per open problem |
//! | `intune_apple_credential_last_sync_timestamp_seconds` | `tenant`, `kind`, `id` | last (successful) sync |
//! | `intune_apple_credential_next_sync_allowed_timestamp_seconds` | `tenant`, `kind`, `id` | earliest manual sync Intune accepts |
//! | `intune_apple_section_read_success` | `tenant`, `section` | 1 read, 0 could not be read |
//! | `intune_apple_threshold_seconds` | `tenant`, `kind`, `level` | warning / critical window |
//! | `intune_apple_report_timestamp_seconds` | `tenant` | when the report was made |
//!
//! The Apple ID (an e-mail address, unbounded and personal) is never a label. The `tenant`
//! label is present only for a scan of many tenants. No sample carries a timestamp: the
//! textfile collector rejects files that do.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::{section, HealthReport, TenantReport};
use crate::rules::health::{Severity, TokenKind, Window};

/// One report and the tenant it belongs to (`None` for a single-tenant report).
pub(super) type Scoped<'a> = (Option<&'a str>, &'a HealthReport);

const SEVERITIES: [Severity; 5] = [
    Severity::Ok,
    Severity::Unknown,
    Severity::Warning,
    Severity::Critical,
    Severity::Expired,
];

/// Escapes a label value: `\`, `"` and line feed.
fn label_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

struct Family {
    /// The sample name.
    name: &'static str,
    help: &'static str,
    /// OpenMetrics: `info` families drop the `_info` suffix in their metadata.
    info: bool,
    /// OpenMetrics `# UNIT`.
    unit: Option<&'static str>,
    samples: Vec<(Vec<(&'static str, String)>, i64)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Self {
        Self {
            name,
            help,
            info: false,
            unit: name.ends_with("_seconds").then_some("seconds"),
            samples: Vec::new(),
        }
    }

    fn write(&self, out: &mut String, openmetrics: bool) {
        if self.samples.is_empty() {
            return;
        }
        if openmetrics {
            let (base, kind) = match (self.info, self.name.strip_suffix("_info")) {
                (true, Some(base)) => (base, "info"),
                _ => (self.name, "gauge"),
            };
            let _ = writeln!(out, "# TYPE {base} {kind}");
            if let Some(u) = self.unit {
                let _ = writeln!(out, "# UNIT {base} {u}");
            }
            let _ = writeln!(out, "# HELP {base} {}", self.help);
        } else {
            let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
            let _ = writeln!(out, "# TYPE {} gauge", self.name);
        }
        for (labels, value) in &self.samples {
            out.push_str(self.name);
            if !labels.is_empty() {
                out.push('{');
                for (n, (k, v)) in labels.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{k}=\"{}\"", label_value(v));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {value}");
        }
    }
}

/// The `kind` label: `push_certificate`, `enrollment_program_token`, `vpp_token`.
fn kind_label(kind: TokenKind) -> &'static str {
    kind.code()
}

fn window(report: &HealthReport, kind: TokenKind) -> Window {
    match kind {
        TokenKind::PushCertificate => report.thresholds.push_certificate,
        TokenKind::EnrollmentProgramToken => report.thresholds.enrollment_program_token,
        TokenKind::VppToken => report.thresholds.vpp_token,
    }
}

fn render(reports: &[Scoped<'_>], openmetrics: bool) -> String {
    let mut expiry = Family::new(
        "intune_apple_credential_expiry_timestamp_seconds",
        "When an Apple credential of Intune expires (Unix seconds).",
    );
    let mut state = Family::new(
        "intune_apple_credential_state",
        "Severity of an Apple credential: 1 for the current state (ok, unknown, warning, critical, expired), 0 for the others.",
    );
    let mut info = Family::new(
        "intune_apple_credential_info",
        "Names of an Apple credential (value always 1).",
    );
    info.info = true;
    let mut problem = Family::new(
        "intune_apple_credential_problem",
        "An open problem of an Apple credential, by stable code (value always 1).",
    );
    let mut last_sync = Family::new(
        "intune_apple_credential_last_sync_timestamp_seconds",
        "Last successful sync of a token with Apple (Unix seconds).",
    );
    let mut next_sync = Family::new(
        "intune_apple_credential_next_sync_allowed_timestamp_seconds",
        "Earliest instant at which Intune accepts a manual sync of the token (Unix seconds).",
    );
    let mut read = Family::new(
        "intune_apple_section_read_success",
        "Whether a section of the report could be read from Graph (1) or not (0): 0 means its credentials are missing from this output.",
    );
    let mut threshold = Family::new(
        "intune_apple_threshold_seconds",
        "Warning and critical windows the report was evaluated with (seconds before expiry).",
    );
    let mut generated = Family::new(
        "intune_apple_report_timestamp_seconds",
        "When the report was made (Unix seconds): alert when it gets old.",
    );
    for (tenant, report) in reports {
        let tenant_label = |mut l: Vec<(&'static str, String)>| {
            if let Some(t) = tenant {
                l.insert(0, ("tenant", (*t).to_owned()));
            }
            l
        };
        for i in &report.items {
            let ids = || {
                tenant_label(vec![
                    ("kind", kind_label(i.kind).to_owned()),
                    ("id", i.id.clone()),
                ])
            };
            if let Some(t) = i.expires_at {
                expiry.samples.push((ids(), t.timestamp()));
            }
            for s in SEVERITIES {
                let mut l = ids();
                l.push(("state", s.code().to_owned()));
                state.samples.push((l, i64::from(s == i.severity)));
            }
            let mut l = ids();
            l.push(("name", i.name.clone().unwrap_or_default()));
            info.samples.push((l, 1));
            for p in &i.problems {
                let mut l = ids();
                l.push(("code", p.code.clone()));
                problem.samples.push((l, 1));
            }
            if let Some(sync) = &i.sync {
                if let Some(t) = sync.last_sync_at {
                    last_sync.samples.push((ids(), t.timestamp()));
                }
                if let Some(t) = sync.next_sync_allowed_at {
                    next_sync.samples.push((ids(), t.timestamp()));
                }
            }
        }
        let mut sections = vec![
            section::PUSH_CERTIFICATE,
            section::ENROLLMENT_PROGRAM_TOKENS,
            section::VPP_TOKENS,
        ];
        if report.errors.iter().any(|e| e.section == section::VPP_APPS) {
            sections.push(section::VPP_APPS);
        }
        for s in sections {
            let ok = !report.errors.iter().any(|e| e.section == s);
            read.samples
                .push((tenant_label(vec![("section", s.to_owned())]), i64::from(ok)));
        }
        for kind in [
            TokenKind::PushCertificate,
            TokenKind::EnrollmentProgramToken,
            TokenKind::VppToken,
        ] {
            let w = window(report, kind);
            for (level, days) in [("warning", w.warning_days), ("critical", w.critical_days)] {
                threshold.samples.push((
                    tenant_label(vec![
                        ("kind", kind_label(kind).to_owned()),
                        ("level", level.to_owned()),
                    ]),
                    days.saturating_mul(86_400),
                ));
            }
        }
        generated
            .samples
            .push((tenant_label(Vec::new()), report.generated_at.timestamp()));
    }
    let mut out = String::new();
    for f in [
        &expiry, &state, &info, &problem, &last_sync, &next_sync, &read, &threshold, &generated,
    ] {
        f.write(&mut out, openmetrics);
    }
    if openmetrics {
        out.push_str("# EOF\n");
    }
    out
}

/// The Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`).
pub(super) fn prometheus(reports: &[Scoped<'_>]) -> String {
    render(reports, false)
}

/// OpenMetrics 1.0 (`application/openmetrics-text; version=1.0.0; charset=utf-8`), ending
/// with `# EOF`.
pub(super) fn openmetrics(reports: &[Scoped<'_>]) -> String {
    render(reports, true)
}

/// The scan as scoped reports.
pub(super) fn scoped(reports: &[TenantReport]) -> Vec<Scoped<'_>> {
    reports
        .iter()
        .map(|r| (Some(r.tenant.as_str()), &r.report))
        .collect()
}

/// Writes `contents` to `path` atomically, the way node_exporter's textfile collector needs:
/// into a temporary file in the same directory (`.<name>.<pid>.tmp`, which the collector
/// ignores since it reads only `*.prom`), flushed to disk, then renamed over `path`. A reader
/// sees the old file or the new one, never half of one. The file is readable by everyone
/// (mode 0644 on Unix), since node_exporter runs as its own user.
///
/// # Errors
/// The directory does not exist or is not writable, or the disk is full; the temporary file
/// is removed and `path` is left as it was.
pub fn write_textfile(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn kind_names_differ_from_json_names() {
        // The JSON says `pushCertificate`; labels use snake_case codes.
        assert_eq!(kind_label(TokenKind::PushCertificate), "push_certificate");
        assert_eq!(
            super::super::kind_name(TokenKind::PushCertificate),
            "pushCertificate"
        );
    }
}
