//! Markdown and terminal-table renderings of a [`HealthReport`].

use std::fmt::Write as _;

use super::{format_time, HealthReport, ReportItem};
use crate::rules::health::{Severity, TokenKind};

fn kind_label(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::PushCertificate => "Push certificate",
        TokenKind::EnrollmentProgramToken => "Enrollment program token",
        TokenKind::VppToken => "VPP token",
    }
}

fn short_kind(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::PushCertificate => "push",
        TokenKind::EnrollmentProgramToken => "enrollment",
        TokenKind::VppToken => "vpp",
    }
}

fn name(item: &ReportItem) -> &str {
    item.name.as_deref().unwrap_or(&item.id)
}

fn date(item: &ReportItem) -> String {
    item.expires_at
        .map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d").to_string())
}

fn days(item: &ReportItem) -> String {
    item.days_left
        .map_or_else(|| "-".to_owned(), |d| d.to_string())
}

/// Text from the tenant (names, messages) made safe for a terminal or a document: control
/// characters (terminal escapes, bells, line breaks, C1 controls) become spaces and the
/// invisible bidirectional overrides that reorder what is shown are dropped.
pub(crate) fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Tenant text inside Markdown: [`plain`], with the characters that would make links, images,
/// raw HTML or break a table escaped (code spans and emphasis are harmless and kept, so that
/// our own messages keep their `code`).
pub(super) fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in plain(text).chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Markdown table cell: one line of [`md_text`].
pub(super) fn cell(text: &str) -> String {
    md_text(text)
}

fn summary(report: &HealthReport) -> String {
    let count = |s: Severity| report.items.iter().filter(|i| i.severity == s).count();
    let mut parts = Vec::new();
    for s in [
        Severity::Expired,
        Severity::Critical,
        Severity::Warning,
        Severity::Unknown,
        Severity::Ok,
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!("{n} {}", s.code()));
        }
    }
    if !report.errors.is_empty() {
        parts.push(format!("{} section(s) unreadable", report.errors.len()));
    }
    if parts.is_empty() {
        "no Apple credential found".to_owned()
    } else {
        parts.join(", ")
    }
}

pub(super) fn markdown(report: &HealthReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Apple credentials health: {}",
        report.overall().code()
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Evaluated at {} (generated {}): {}.",
        format_time(&report.as_of),
        format_time(&report.generated_at),
        summary(report)
    );
    let _ = writeln!(out);
    if !report.items.is_empty() {
        let _ = writeln!(
            out,
            "| Severity | Kind | Name | Apple ID | Expires | Days left | Problems |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---:|---|");
        for i in &report.items {
            let codes: Vec<&str> = i.problems.iter().map(|p| p.code.as_str()).collect();
            let _ = writeln!(
                out,
                "| **{}** | {} | {} | {} | {} | {} | {} |",
                i.severity.code(),
                kind_label(i.kind),
                cell(name(i)),
                cell(i.apple_id.as_deref().unwrap_or("-")),
                date(i),
                days(i),
                if codes.is_empty() {
                    "-".to_owned()
                } else {
                    cell(&codes.join(", "))
                }
            );
        }
        let _ = writeln!(out);
    }
    for i in report.items.iter().filter(|i| i.severity != Severity::Ok) {
        let _ = writeln!(
            out,
            "## {}: {} ({})",
            kind_label(i.kind),
            md_text(name(i)),
            i.severity.code()
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "- Id: `{}`", i.id);
        if let Some(a) = &i.apple_id {
            let _ = writeln!(out, "- Apple ID: {}", md_text(a));
        }
        if let Some(t) = &i.expires_at {
            let when = match i.days_left {
                Some(d) if d < 0 => format!("expired {} days ago", -d),
                Some(d) => format!("{d} days left"),
                None => String::new(),
            };
            let _ = writeln!(out, "- Expires: {} ({when})", format_time(t));
        }
        let _ = writeln!(out);
        if !i.problems.is_empty() {
            let _ = writeln!(out, "Problems:");
            let _ = writeln!(out);
            for p in &i.problems {
                let _ = writeln!(out, "- `{}`: {}", p.code, md_text(&p.message));
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "If it lapses: {}", i.consequence);
        let _ = writeln!(out);
        let _ = writeln!(out, "Renewal:");
        let _ = writeln!(out);
        for (n, step) in i.renewal.iter().enumerate() {
            let _ = writeln!(out, "{}. {step}", n + 1);
        }
        let _ = writeln!(out);
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "## Sections that could not be read");
        let _ = writeln!(out);
        for e in &report.errors {
            let _ = writeln!(
                out,
                "- **{}** (`{}`): {}",
                e.section,
                e.code,
                md_text(&e.message)
            );
        }
        let _ = writeln!(out);
    }
    out
}

fn paint(text: &str, severity: Severity) -> String {
    let code = match severity {
        Severity::Ok => "32",
        Severity::Unknown => "35",
        Severity::Warning => "33",
        Severity::Critical => "31",
        Severity::Expired => "1;31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

pub(super) fn table(report: &HealthReport, color: bool) -> String {
    const HEADERS: [&str; 6] = ["SEVERITY", "KIND", "NAME", "EXPIRES", "DAYS", "PROBLEMS"];
    let rows: Vec<[String; 6]> = report
        .items
        .iter()
        .map(|i| {
            let codes: Vec<&str> = i.problems.iter().map(|p| p.code.as_str()).collect();
            [
                i.severity.code().to_owned(),
                short_kind(i.kind).to_owned(),
                plain(name(i)),
                date(i),
                days(i),
                codes.join(", "),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Apple credentials health at {}: {}",
        format_time(&report.as_of),
        summary(report)
    );
    let line = |cells: &[String; 6], severity: Option<Severity>| {
        let mut l = String::new();
        for (n, (c, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(c.chars().count());
            let is_last = n == cells.len() - 1;
            let text = match severity {
                Some(s) if color && n == 0 => paint(c, s),
                _ => c.clone(),
            };
            // Days are numbers: right-aligned.
            if n == 4 {
                l.push_str(&" ".repeat(pad));
                l.push_str(&text);
            } else {
                l.push_str(&text);
                if !is_last {
                    l.push_str(&" ".repeat(pad));
                }
            }
            if !is_last {
                l.push_str("  ");
            }
        }
        l.trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", line(&HEADERS.map(str::to_owned), None));
    for (row, i) in rows.iter().zip(&report.items) {
        let _ = writeln!(out, "{}", line(row, Some(i.severity)));
    }
    for e in &report.errors {
        let label = if color {
            paint("ERROR", Severity::Expired)
        } else {
            "ERROR".to_owned()
        };
        let _ = writeln!(
            out,
            "{label} {} ({}): {}",
            e.section,
            e.code,
            plain(&e.message)
        );
    }
    out
}
