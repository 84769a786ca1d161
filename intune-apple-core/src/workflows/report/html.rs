//! HTML renderings: a self-contained page (styles inline, no script, an SVG timeline) and an
//! e-mail variant whose timeline is a table (Outlook on the web and the new Outlook stopped
//! rendering inline SVG in 2025; classic Outlook never did). Every style is an inline `style`
//! attribute, which e-mail clients keep; every tenant-controlled text is escaped.

use std::fmt::Write as _;

use chrono::{DateTime, Months, Utc};

use super::nagios::{name, short_kind, when};
use super::prometheus::Scoped;
use super::{format_time, HealthReport, ReportItem};
use crate::rules::health::Severity;

/// Months drawn on the timeline.
const MONTHS: u32 = 13;

/// Escapes text for HTML content and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            // Invisible overrides that reorder what a reader sees.
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Ok => "#2e7d32",
        Severity::Unknown => "#6a1b9a",
        Severity::Warning => "#b26a00",
        Severity::Critical => "#c62828",
        Severity::Expired => "#7f0000",
    }
}

fn background(s: Severity) -> &'static str {
    match s {
        Severity::Ok => "#e8f5e9",
        Severity::Unknown => "#f3e5f5",
        Severity::Warning => "#fff3e0",
        Severity::Critical => "#ffebee",
        Severity::Expired => "#ffcdd2",
    }
}

const FONT: &str = "font-family:Segoe UI,Helvetica,Arial,sans-serif;";
const TH: &str = "text-align:left;padding:6px 8px;border-bottom:2px solid #999;font-size:13px;";
const TD: &str = "padding:6px 8px;border-bottom:1px solid #ddd;font-size:13px;vertical-align:top;";

fn badge(s: Severity) -> String {
    format!(
        "<span style=\"display:inline-block;padding:1px 8px;border-radius:10px;font-weight:bold;color:#fff;background:{};\">{}</span>",
        color(s),
        s.code().to_uppercase()
    )
}

fn summary(report: &HealthReport) -> String {
    let mut parts = Vec::new();
    for s in [
        Severity::Expired,
        Severity::Critical,
        Severity::Warning,
        Severity::Unknown,
        Severity::Ok,
    ] {
        let n = report.items.iter().filter(|i| i.severity == s).count();
        if n > 0 {
            parts.push(format!("{n} {}", s.code()));
        }
    }
    if !report.errors.is_empty() {
        parts.push(format!(
            "{} section(s) could not be read",
            report.errors.len()
        ));
    }
    if parts.is_empty() {
        "no Apple credential found".to_owned()
    } else {
        parts.join(", ")
    }
}

fn status_table(out: &mut String, report: &HealthReport) {
    if report.items.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<table role=\"table\" cellspacing=\"0\" cellpadding=\"0\" style=\"border-collapse:collapse;width:100%;margin:8px 0 16px 0;\"><thead><tr>\
<th style=\"{TH}\">Severity</th><th style=\"{TH}\">Kind</th><th style=\"{TH}\">Name</th><th style=\"{TH}\">Apple ID</th>\
<th style=\"{TH}\">Expires</th><th style=\"{TH}text-align:right;\">Days left</th><th style=\"{TH}\">Problems</th></tr></thead><tbody>"
    );
    for i in &report.items {
        let codes: Vec<&str> = i.problems.iter().map(|p| p.code.as_str()).collect();
        let _ = write!(
            out,
            "<tr class=\"credential\" style=\"background:{};\"><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td><td style=\"{TD}\"><strong>{}</strong></td>\
<td style=\"{TD}\">{}</td><td style=\"{TD}white-space:nowrap;\">{}</td><td style=\"{TD}text-align:right;\">{}</td><td style=\"{TD}font-family:monospace;font-size:12px;\">{}</td></tr>",
            background(i.severity),
            badge(i.severity),
            short_kind(i.kind),
            esc(name(i)),
            esc(i.apple_id.as_deref().unwrap_or("-")),
            i.expires_at
                .map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d").to_string()),
            i.days_left.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            if codes.is_empty() {
                "-".to_owned()
            } else {
                esc(&codes.join(", "))
            }
        );
    }
    out.push_str("</tbody></table>");
}

fn todo(out: &mut String, report: &HealthReport) {
    let urgent: Vec<&ReportItem> = report
        .items
        .iter()
        .filter(|i| i.severity != Severity::Ok)
        .collect();
    if urgent.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h3 style=\"{FONT}font-size:16px;margin:20px 0 8px 0;\">What to do</h3>"
    );
    for i in urgent {
        let _ = write!(
            out,
            "<div class=\"todo\" style=\"border-left:4px solid {};padding:4px 12px;margin:0 0 14px 0;\">\
<p style=\"margin:4px 0;font-size:14px;\">{} <strong>{} “{}”</strong>: {}</p>",
            color(i.severity),
            badge(i.severity),
            esc(short_kind(i.kind)),
            esc(name(i)),
            esc(&when(i))
        );
        if let Some(a) = &i.apple_id {
            let _ = write!(
                out,
                "<p style=\"margin:4px 0;font-size:13px;\">Renew with the Apple ID <strong>{}</strong>.</p>",
                esc(a)
            );
        }
        if !i.problems.is_empty() {
            out.push_str("<ul style=\"margin:4px 0;padding-left:20px;font-size:13px;\">");
            for p in &i.problems {
                let _ = write!(
                    out,
                    "<li><code>{}</code>: {}</li>",
                    esc(&p.code),
                    esc(&p.message)
                );
            }
            out.push_str("</ul>");
        }
        let _ = write!(
            out,
            "<p style=\"margin:4px 0;font-size:13px;\"><em>If it lapses:</em> {}</p>",
            esc(&i.consequence)
        );
        out.push_str("<ol style=\"margin:4px 0;padding-left:20px;font-size:13px;\">");
        for step in &i.renewal {
            let _ = write!(out, "<li>{}</li>", esc(step));
        }
        out.push_str("</ol></div>");
    }
}

fn errors(out: &mut String, report: &HealthReport) {
    if report.errors.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h3 style=\"{FONT}font-size:16px;margin:20px 0 8px 0;color:#7f0000;\">Could not check</h3><ul style=\"font-size:13px;\">"
    );
    for e in &report.errors {
        let _ = write!(
            out,
            "<li class=\"unreadable\"><strong>{}</strong> (<code>{}</code>): {}</li>",
            esc(&e.section),
            esc(&e.code),
            esc(&e.message)
        );
    }
    out.push_str("</ul>");
}

/// The months of the timeline: the first instant of each, from the month of `start`.
fn month_starts(start: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    use chrono::{Datelike as _, TimeZone as _};
    let first = Utc
        .with_ymd_and_hms(start.year(), start.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(start);
    (0..=MONTHS)
        .filter_map(|m| first.checked_add_months(Months::new(m)))
        .collect()
}

/// Fractional days from `a` to `b`.
#[allow(clippy::cast_precision_loss)] // seconds within centuries: exact enough for pixels
fn days_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    b.signed_duration_since(a).num_seconds() as f64 / 86_400.0
}

fn svg_timeline(out: &mut String, report: &HealthReport) {
    const LEFT: f64 = 270.0;
    const WIDTH: f64 = 960.0;
    const LANE: f64 = 24.0;
    const TOP: f64 = 34.0;
    let start = report.as_of;
    let months = month_starts(start);
    let (Some(first), Some(last)) = (months.first().copied(), months.last().copied()) else {
        return;
    };
    let span = days_between(first, last).max(1.0);
    let plot = WIDTH - LEFT - 20.0;
    let x = |t: DateTime<Utc>| LEFT + (days_between(first, t) / span).clamp(0.0, 1.0) * plot;
    #[allow(clippy::cast_precision_loss)]
    let height = TOP + LANE * report.items.len().max(1) as f64 + 10.0;
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"tl-title\" width=\"{WIDTH}\" height=\"{height:.0}\" viewBox=\"0 0 {WIDTH} {height:.0}\" style=\"max-width:100%;height:auto;{FONT}\">\
<title id=\"tl-title\">Expiry of every credential over the next {MONTHS} months</title>"
    );
    for (n, m) in months.iter().enumerate() {
        let mx = x(*m);
        let _ = write!(
            out,
            "<line x1=\"{mx:.1}\" y1=\"{:.1}\" x2=\"{mx:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>",
            TOP - 6.0,
            height - 6.0
        );
        if n < months.len() - 1 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#555\">{}</text>",
                mx + 3.0,
                TOP - 12.0,
                m.format("%b %y")
            );
        }
    }
    let now_x = x(start);
    let _ = write!(
        out,
        "<line x1=\"{now_x:.1}\" y1=\"{:.1}\" x2=\"{now_x:.1}\" y2=\"{:.1}\" stroke=\"#1565c0\" stroke-width=\"2\"/>\
<text x=\"{:.1}\" y=\"10\" font-size=\"11\" fill=\"#1565c0\">today {}</text>",
        TOP - 6.0,
        height - 6.0,
        (now_x - 20.0).max(0.0),
        start.format("%Y-%m-%d")
    );
    for (n, i) in report.items.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = TOP + LANE * n as f64 + LANE / 2.0;
        let full = format!("{}: {}", short_kind(i.kind), name(i));
        let mut label: String = full.chars().take(36).collect();
        if full.chars().count() > 36 {
            label.push('…');
        }
        let _ = write!(
            out,
            "<text x=\"4\" y=\"{:.1}\" font-size=\"12\" fill=\"#222\"><title>{}</title>{}</text>\
<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/>",
            y + 4.0,
            esc(&full),
            esc(&label),
            WIDTH - 20.0
        );
        let c = color(i.severity);
        match i.expires_at {
            Some(t) if t <= start => {
                // Overdue: a red marker at today's line, with how long ago.
                let _ = write!(
                    out,
                    "<g class=\"overdue\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{c}\" transform=\"rotate(45 {now_x:.1} {y:.1})\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\" fill=\"{c}\">OVERDUE since {}</text></g>",
                    now_x - 6.0,
                    y - 6.0,
                    now_x + 12.0,
                    y + 4.0,
                    t.format("%Y-%m-%d")
                );
            }
            Some(t) if t > last => {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"{c}\" text-anchor=\"end\">{} →</text>",
                    WIDTH - 22.0,
                    y + 4.0,
                    t.format("%Y-%m-%d")
                );
            }
            Some(t) => {
                let tx = x(t);
                let anchor = if tx > WIDTH - 120.0 { "end" } else { "start" };
                let lx = if anchor == "end" { tx - 9.0 } else { tx + 9.0 };
                let _ = write!(
                    out,
                    "<circle cx=\"{tx:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{c}\"><title>{} expires {}</title></circle>\
<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"{c}\" text-anchor=\"{anchor}\">{}</text>",
                    esc(name(i)),
                    t.format("%Y-%m-%d"),
                    y + 4.0,
                    t.format("%Y-%m-%d")
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"{c}\">no expiry date known</text>",
                    LEFT + 4.0,
                    y + 4.0
                );
            }
        }
    }
    out.push_str("</svg>");
}

/// The timeline as a table: a column per month, the expiry month of each credential filled
/// in its severity's colour, overdue ones in a column of their own.
fn table_timeline(out: &mut String, report: &HealthReport) {
    let months = month_starts(report.as_of);
    if months.len() < 2 {
        return;
    }
    let cell = "padding:3px 2px;border:1px solid #eee;font-size:11px;text-align:center;";
    let _ = write!(
        out,
        "<table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\" style=\"border-collapse:collapse;width:100%;margin:8px 0 16px 0;\"><tr>\
<th style=\"{TH}\">Credential</th><th style=\"{cell}color:#7f0000;\">overdue</th>"
    );
    for m in &months[..months.len() - 1] {
        let _ = write!(out, "<th style=\"{cell}\">{}</th>", m.format("%b<br>%y"));
    }
    out.push_str("</tr>");
    for i in &report.items {
        let _ = write!(
            out,
            "<tr class=\"timeline\"><td style=\"{TD}\">{}: {}</td>",
            esc(short_kind(i.kind)),
            esc(name(i))
        );
        let bg = background(i.severity);
        let fg = color(i.severity);
        let overdue = i.expires_at.is_some_and(|t| t <= report.as_of);
        if overdue {
            let _ = write!(
                out,
                "<td style=\"{cell}background:{fg};color:#fff;font-weight:bold;\">&#9670;</td>"
            );
        } else {
            let _ = write!(out, "<td style=\"{cell}\"></td>");
        }
        for w in months.windows(2) {
            let here = !overdue && i.expires_at.is_some_and(|t| t >= w[0] && t < w[1]);
            if here {
                let day = i
                    .expires_at
                    .map(|t| t.format("%d").to_string())
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<td style=\"{cell}background:{bg};color:{fg};font-weight:bold;\">{day}</td>"
                );
            } else {
                let _ = write!(out, "<td style=\"{cell}\"></td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn report_body(out: &mut String, tenant: Option<&str>, report: &HealthReport, svg: bool) {
    let overall = report.overall();
    let heading = match tenant {
        Some(t) => format!("{}: {}", esc(t), badge(overall)),
        None => format!("Apple credentials health: {}", badge(overall)),
    };
    let level = if tenant.is_some() { "h2" } else { "h1" };
    let _ = write!(
        out,
        "<{level} style=\"{FONT}font-size:{};margin:16px 0 4px 0;\">{heading}</{level}>\
<p style=\"margin:0 0 8px 0;font-size:13px;color:#444;\">Evaluated at {} (generated {}): {}.</p>",
        if tenant.is_some() { "18px" } else { "22px" },
        format_time(&report.as_of),
        format_time(&report.generated_at),
        esc(&summary(report))
    );
    errors(out, report);
    status_table(out, report);
    if !report.items.is_empty() {
        let _ = write!(
            out,
            "<h3 style=\"{FONT}font-size:16px;margin:16px 0 4px 0;\">Expiries over the next {MONTHS} months</h3>"
        );
        if svg {
            svg_timeline(out, report);
        } else {
            table_timeline(out, report);
        }
    }
    todo(out, report);
}

fn page(title: &str, svg: bool, body: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title>{}</head><body style=\"margin:0;padding:16px 24px;background:#fff;color:#222;{FONT}\">\
<div style=\"max-width:1000px;margin:0 auto;\">{body}\
<p style=\"margin:24px 0 0 0;font-size:11px;color:#777;\">intune-apple health report</p></div></body></html>",
        esc(title),
        if svg {
            "<style>@media print{body{padding:0}svg{max-width:100%}}</style>"
        } else {
            ""
        }
    );
    out
}

fn overview(out: &mut String, reports: &[Scoped<'_>]) {
    let _ = write!(
        out,
        "<h1 style=\"{FONT}font-size:22px;margin:16px 0 4px 0;\">Apple credentials across {} tenant(s)</h1>\
<table cellspacing=\"0\" cellpadding=\"0\" style=\"border-collapse:collapse;width:100%;margin:8px 0 16px 0;\"><thead><tr>\
<th style=\"{TH}\">Tenant</th><th style=\"{TH}\">Overall</th><th style=\"{TH}\">Summary</th></tr></thead><tbody>",
        reports.len()
    );
    for (t, r) in reports {
        let _ = write!(
            out,
            "<tr class=\"tenant\" style=\"background:{};\"><td style=\"{TD}\"><strong>{}</strong></td><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td></tr>",
            background(r.overall()),
            esc(t.unwrap_or("")),
            badge(r.overall()),
            esc(&summary(r))
        );
    }
    out.push_str("</tbody></table>");
}

pub(super) fn html(reports: &[Scoped<'_>], svg: bool, scan: bool) -> String {
    html_with_preface(reports, svg, scan, &[])
}

/// As [`html`], with a "What changed" list first (the reason of a notification).
pub(super) fn html_with_preface(
    reports: &[Scoped<'_>],
    svg: bool,
    scan: bool,
    changes: &[String],
) -> String {
    let mut body = String::new();
    if !changes.is_empty() {
        let _ = write!(
            body,
            "<div style=\"border:1px solid #1565c0;background:#e3f2fd;padding:8px 14px;margin:8px 0;\"><p style=\"margin:4px 0;font-weight:bold;font-size:14px;\">What changed</p><ul style=\"margin:4px 0;padding-left:20px;font-size:13px;\">"
        );
        for c in changes {
            let _ = write!(body, "<li class=\"change\">{}</li>", esc(c));
        }
        body.push_str("</ul></div>");
    }
    if scan {
        overview(&mut body, reports);
    }
    for (t, r) in reports {
        report_body(&mut body, *t, r, svg);
    }
    let title = match (scan, reports.first()) {
        (false, Some((_, r))) => format!("Apple credentials health: {}", r.overall().code()),
        _ => format!("Apple credentials across {} tenant(s)", reports.len()),
    };
    page(&title, svg, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<b a='1'>&\"</b>"),
            "&lt;b a=&#39;1&#39;&gt;&amp;&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn thirteen_months_and_an_end() {
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 2, 3, 0, 0).unwrap();
        let m = month_starts(t);
        assert_eq!(m.len(), 14);
        assert_eq!(m[13].format("%Y-%m").to_string(), "2028-01");
    }
}
