//! Nagios / Icinga / Naemon plugin output and Checkmk local-check lines.
//!
//! Plugin exit codes ([`nagios_exit_code`]): `0` OK, `1` WARNING (a credential is `warning` or
//! has no known expiry), `2` CRITICAL (a credential is `critical` or `expired`), `3` UNKNOWN
//! (a section could not be read and nothing read is critical: the check could not be made).

use std::fmt::Write as _;

use super::prometheus::Scoped;
use super::{HealthReport, ReportItem};
use crate::rules::health::{Severity, TokenKind, Window};

/// The plugin state of a whole output.
fn state(reports: &[Scoped<'_>]) -> i32 {
    let worst = reports
        .iter()
        .flat_map(|(_, r)| r.items.iter())
        .map(|i| i.severity)
        .fold(Severity::Ok, Severity::max);
    let unreadable = reports.iter().any(|(_, r)| !r.errors.is_empty());
    match worst {
        Severity::Critical | Severity::Expired => 2,
        _ if unreadable => 3,
        Severity::Warning | Severity::Unknown => 1,
        Severity::Ok => 0,
    }
}

/// The Nagios plugin exit code of the reports (see the module documentation).
pub(super) fn nagios_exit_code(reports: &[Scoped<'_>]) -> i32 {
    state(reports)
}

fn state_word(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "WARNING",
        2 => "CRITICAL",
        _ => "UNKNOWN",
    }
}

pub(super) fn short_kind(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::PushCertificate => "push certificate",
        TokenKind::EnrollmentProgramToken => "enrollment program token",
        TokenKind::VppToken => "VPP token",
    }
}

fn window(report: &HealthReport, kind: TokenKind) -> Window {
    match kind {
        TokenKind::PushCertificate => report.thresholds.push_certificate,
        TokenKind::EnrollmentProgramToken => report.thresholds.enrollment_program_token,
        TokenKind::VppToken => report.thresholds.vpp_token,
    }
}

/// One line of text: control characters (line breaks, tabs) become spaces, and `|` (which
/// would start performance data) becomes `/`.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// A perfdata label: ASCII letters, digits and `_` only (no quotes, `=`, spaces or `%`, which
/// metric backends such as Graphite mishandle).
fn perf_label(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        if !out.is_empty() {
            out.push('_');
        }
        let mut last_us = false;
        for c in p.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
                last_us = false;
            } else if !last_us && !out.is_empty() {
                out.push('_');
                last_us = true;
            }
        }
        while out.ends_with('_') {
            out.pop();
        }
    }
    out
}

pub(super) fn name(i: &ReportItem) -> &str {
    i.name.as_deref().unwrap_or(&i.id)
}

pub(super) fn when(i: &ReportItem) -> String {
    match (i.expires_at, i.days_left) {
        (Some(t), Some(d)) if d < 0 => {
            format!(
                "expired {} day(s) ago ({})",
                d.unsigned_abs(),
                t.format("%Y-%m-%d")
            )
        }
        (Some(t), Some(d)) => format!("expires in {d} day(s) ({})", t.format("%Y-%m-%d")),
        _ => "no expiry date known".to_owned(),
    }
}

fn counts(reports: &[Scoped<'_>]) -> [usize; 5] {
    let mut c = [0usize; 5];
    for (_, r) in reports {
        for i in &r.items {
            let k = match i.severity {
                Severity::Expired => 0,
                Severity::Critical => 1,
                Severity::Warning => 2,
                Severity::Unknown => 3,
                Severity::Ok => 4,
            };
            c[k] += 1;
        }
    }
    c
}

/// The plugin output: the status line with summary perfdata, one line per credential (worst
/// first) and per unreadable section, then the per-credential perfdata (days left, with the
/// warning and critical thresholds as "alert below" ranges).
pub(super) fn nagios(reports: &[Scoped<'_>]) -> String {
    let code = state(reports);
    let c = counts(reports);
    let errors: usize = reports.iter().map(|(_, r)| r.errors.len()).sum();
    let mut parts = Vec::new();
    for (n, word) in c
        .iter()
        .zip(["expired", "critical", "warning", "unknown", "ok"])
    {
        if *n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    if errors > 0 {
        parts.push(format!("{errors} section(s) unreadable"));
    }
    if parts.is_empty() {
        parts.push("no Apple credential found".to_owned());
    }
    // The most urgent credential, named on the status line (items are sorted worst first).
    let worst = reports
        .iter()
        .flat_map(|(t, r)| r.items.iter().map(move |i| (*t, i)))
        .filter(|(_, i)| i.severity > Severity::Ok)
        .max_by_key(|(_, i)| {
            (
                i.severity,
                std::cmp::Reverse(i.days_left.unwrap_or(i64::MAX)),
            )
        });
    let mut status = format!(
        "APPLE CREDENTIALS {} - {}",
        state_word(code),
        parts.join(", ")
    );
    if let Some((t, i)) = worst {
        let _ = write!(
            status,
            "; worst: {}{} \"{}\" {}",
            t.map(|t| format!("{} ", one_line(t))).unwrap_or_default(),
            short_kind(i.kind),
            one_line(name(i)),
            when(i)
        );
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} | expired={};;;0 critical={};;;0 warning={};;;0 unknown={};;;0 ok={};;;0 unreadable_sections={errors};;;0",
        status, c[0], c[1], c[2], c[3], c[4]
    );
    let mut perf = Vec::new();
    for (tenant, report) in reports {
        let prefix = tenant
            .map(|t| format!("[{}] ", one_line(t)))
            .unwrap_or_default();
        for e in &report.errors {
            let _ = writeln!(
                out,
                "{prefix}UNKNOWN: {} could not be read ({}): {}",
                e.section,
                e.code,
                one_line(&e.message)
            );
        }
        for i in &report.items {
            let codes: Vec<&str> = i.problems.iter().map(|p| p.code.as_str()).collect();
            let _ = writeln!(
                out,
                "{prefix}{}: {} \"{}\" {}{}",
                i.severity.code().to_uppercase(),
                short_kind(i.kind),
                one_line(name(i)),
                when(i),
                if codes.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", codes.join(", "))
                }
            );
            if let Some(d) = i.days_left {
                let w = window(report, i.kind);
                let id_part: String = i.id.chars().take(8).collect();
                let label = perf_label(&[
                    tenant.unwrap_or(""),
                    i.kind.code(),
                    name(i),
                    &id_part,
                    "days",
                ]);
                perf.push(format!(
                    "{label}={d};{}:;{}:",
                    w.warning_days, w.critical_days
                ));
            }
        }
    }
    if !perf.is_empty() {
        let _ = writeln!(out, "| {}", perf.join(" "));
    }
    out
}

/// A Checkmk service name: one line, no double quotes.
fn service(text: &str) -> String {
    one_line(text).replace('"', "'")
}

/// Checkmk local-check lines: one service per credential (`Apple <kind> <name>`, prefixed with
/// the tenant in a scan), with its days left as a metric whose thresholds are "alert below"
/// ranges, and one `Apple credentials read` service per tenant (state 3 when a section could
/// not be read, so that a failed read never shows as a healthy service).
pub(super) fn checkmk(reports: &[Scoped<'_>]) -> String {
    let mut out = String::new();
    for (tenant, report) in reports {
        let prefix = tenant
            .map(|t| format!("{} ", service(t)))
            .unwrap_or_default();
        let read_state = if report.errors.is_empty() { 0 } else { 3 };
        let detail = if report.errors.is_empty() {
            format!(
                "{} credential(s) read at {}",
                report.items.len(),
                super::format_time(&report.generated_at)
            )
        } else {
            report
                .errors
                .iter()
                .map(|e| {
                    format!(
                        "{} could not be read ({}): {}",
                        e.section,
                        e.code,
                        one_line(&e.message)
                    )
                })
                .collect::<Vec<_>>()
                .join("\\n")
        };
        let _ = writeln!(
            out,
            "{read_state} \"{prefix}Apple credentials read\" intune_apple_unreadable_sections={};1;1;0 {detail}",
            report.errors.len()
        );
        for i in &report.items {
            let st = match i.severity {
                Severity::Ok => 0,
                Severity::Warning | Severity::Unknown => 1,
                Severity::Critical | Severity::Expired => 2,
            };
            let short_id: String = i.id.chars().take(8).collect();
            let svc = service(&format!(
                "{prefix}Apple {} {} {short_id}",
                short_kind(i.kind),
                name(i)
            ));
            let metric = match i.days_left {
                Some(d) => {
                    let w = window(report, i.kind);
                    format!(
                        "intune_apple_days_left={d};{}:;{}:",
                        w.warning_days, w.critical_days
                    )
                }
                None => "-".to_owned(),
            };
            let mut detail = format!("{}: {}", i.severity.code(), when(i));
            for p in &i.problems {
                let _ = write!(detail, "\\n{}: {}", p.code, one_line(&p.message));
            }
            let _ = writeln!(out, "{st} \"{svc}\" {metric} {detail}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perf_labels_are_plain() {
        assert_eq!(
            perf_label(&["", "vpp_token", "Paris 'HQ'=x", "days"]),
            "vpp_token_paris_hq_x_days"
        );
    }

    #[test]
    fn one_line_has_no_pipe_or_break() {
        assert_eq!(one_line("a|b\nc"), "a/b c");
    }
}
