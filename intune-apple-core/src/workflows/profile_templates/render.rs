//! Renderers of the drift, the plan and the apply report: plain text, Markdown, HTML. Every
//! text that comes from a tenant (names, values) is escaped for the format.

use std::fmt::Write as _;

use serde_json::Value;

use super::{ApplyReport, PlanLine, ProfileDriftReport, ProfilePlan, TokenDrift, WriteOutcome};
use crate::rules::profile_template::{DriftStatus, WriteKind};

fn status_name(s: DriftStatus) -> &'static str {
    match s {
        DriftStatus::Matching => "matching",
        DriftStatus::Drifted => "drifted",
        DriftStatus::Missing => "missing",
        DriftStatus::Incomplete => "incomplete",
        DriftStatus::Ambiguous => "ambiguous",
        DriftStatus::NotComparable => "not comparable",
        DriftStatus::Error => "error",
    }
}

fn kind_name(k: WriteKind) -> &'static str {
    match k {
        WriteKind::Create => "create",
        WriteKind::Patch => "patch",
        WriteKind::SetDefault => "set default",
        WriteKind::CreateReplacement => "create replacement",
        WriteKind::MoveDevices => "move devices",
        WriteKind::RenameReplaced => "rename replaced",
        WriteKind::RenameReplacement => "rename replacement",
    }
}

fn outcome_name(o: WriteOutcome) -> &'static str {
    match o {
        WriteOutcome::Done => "done",
        WriteOutcome::Failed => "FAILED",
        WriteOutcome::NotAttempted => "not attempted",
    }
}

/// A JSON value in one line, shortened; control characters are dropped.
fn value(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Null => "(not set)".into(),
        other => other.to_string(),
    };
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// Plain text: control characters (terminal escapes) are dropped.
fn plain(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Markdown table cell or inline text: the characters Markdown and HTML give a meaning are
/// escaped.
fn md(s: &str) -> String {
    let mut out = String::new();
    for c in plain(s).chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// HTML text and attribute escaping.
fn html(s: &str) -> String {
    let mut out = String::new();
    for c in plain(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn token_label(t: &TokenDrift) -> String {
    t.token_name.clone().unwrap_or_else(|| t.token_id.clone())
}

pub(super) fn summary(r: &ProfileDriftReport) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for t in r.tenants.iter().flat_map(|t| &t.tokens) {
        *counts
            .entry(status_name(t.assessment.status))
            .or_insert(0usize) += 1;
    }
    let errors = r.tenants.iter().filter(|t| t.error.is_some()).count();
    let mut parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    if errors > 0 {
        parts.push(format!("{errors} tenant(s) not read"));
    }
    format!(
        "{} profile `{}` on {} tenant(s): {}",
        r.platform,
        plain(&r.template),
        r.tenants.len(),
        if parts.is_empty() {
            "no token".into()
        } else {
            parts.join(", ")
        }
    )
}

pub(super) fn drift_table(r: &ProfileDriftReport) -> String {
    let mut out = format!("{}\n", summary(r));
    for w in &r.warnings {
        let _ = writeln!(
            out,
            "  warning {} {}: {}",
            w.code,
            w.path,
            plain(&w.message)
        );
    }
    for t in &r.tenants {
        let _ = writeln!(out, "\n{}", plain(&t.tenant));
        if let Some(e) = &t.error {
            let _ = writeln!(out, "  could not check: {}", plain(e));
        }
        for i in &t.issues {
            let _ = writeln!(
                out,
                "  {} {} {}: {}",
                i.severity,
                i.code,
                i.path,
                plain(&i.message)
            );
        }
        for k in &t.tokens {
            let a = &k.assessment;
            let _ = writeln!(
                out,
                "  {:<30} {:<15} {}",
                plain(&token_label(k)),
                status_name(a.status),
                a.profile_id.as_deref().map(plain).unwrap_or_default()
            );
            for d in &a.differences {
                let _ = writeln!(
                    out,
                    "      {}: template {} / tenant {}{}",
                    d.setting,
                    value(&d.template),
                    value(&d.tenant),
                    if d.patchable {
                        ""
                    } else {
                        " (needs a new profile)"
                    }
                );
            }
            if !a.open_settings.is_empty() {
                let _ = writeln!(
                    out,
                    "      left open by the template: {}",
                    a.open_settings.len()
                );
            }
            for s in &a.skipped {
                let _ = writeln!(
                    out,
                    "      skipped {} ({}): {}",
                    plain(&s.profile_id),
                    plain(s.display_name.as_deref().unwrap_or("")),
                    s.reason
                );
            }
            for n in &a.notes {
                let _ = writeln!(out, "      note: {}", plain(n));
            }
            if let Some(e) = &k.error {
                let _ = writeln!(out, "      could not check: {}", plain(e));
            }
        }
    }
    out
}

pub(super) fn drift_markdown(r: &ProfileDriftReport) -> String {
    let mut out = format!("## Enrollment profile drift\n\n{}\n\n", md(&summary(r)));
    out.push_str("| Tenant | Token | Status | Setting | Template | Tenant value |\n|---|---|---|---|---|---|\n");
    for t in &r.tenants {
        if let Some(e) = &t.error {
            let _ = writeln!(
                out,
                "| {} | | could not check | | | {} |",
                md(&t.tenant),
                md(e)
            );
        }
        for k in &t.tokens {
            let a = &k.assessment;
            if a.differences.is_empty() {
                let note = k.error.clone().unwrap_or_else(|| a.notes.join("; "));
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | | | {} |",
                    md(&t.tenant),
                    md(&token_label(k)),
                    status_name(a.status),
                    md(&note)
                );
            }
            for d in &a.differences {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | `{}` | {} | {} |",
                    md(&t.tenant),
                    md(&token_label(k)),
                    status_name(a.status),
                    md(&d.setting),
                    md(&value(&d.template)),
                    md(&value(&d.tenant))
                );
            }
        }
    }
    let skipped: Vec<String> = r
        .tenants
        .iter()
        .flat_map(|t| {
            t.tokens.iter().flat_map(move |k| {
                k.assessment.skipped.iter().map(move |s| {
                    format!(
                        "- {} / {}: {} ({}) — {}",
                        md(&t.tenant),
                        md(&token_label(k)),
                        md(s.display_name.as_deref().unwrap_or("")),
                        md(&s.profile_id),
                        md(&s.reason)
                    )
                })
            })
        })
        .collect();
    if !skipped.is_empty() {
        let _ = write!(out, "\n### Not compared\n\n{}\n", skipped.join("\n"));
    }
    out
}

pub(super) fn drift_html(r: &ProfileDriftReport) -> String {
    let mut rows = String::new();
    for t in &r.tenants {
        if let Some(e) = &t.error {
            let _ = write!(
                rows,
                "<tr><td>{}</td><td></td><td>could not check</td><td colspan=\"3\">{}</td></tr>",
                html(&t.tenant),
                html(e)
            );
        }
        for k in &t.tokens {
            let a = &k.assessment;
            if a.differences.is_empty() {
                let note = k.error.clone().unwrap_or_else(|| a.notes.join("; "));
                let _ = write!(rows, "<tr class=\"{0}\"><td>{1}</td><td>{2}</td><td>{0}</td><td colspan=\"3\">{3}</td></tr>", status_name(a.status), html(&t.tenant), html(&token_label(k)), html(&note));
            }
            for d in &a.differences {
                let _ = write!(rows, "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", status_name(a.status), html(&t.tenant), html(&token_label(k)), status_name(a.status), html(&d.setting), html(&value(&d.template)), html(&value(&d.tenant)));
            }
            for s in &a.skipped {
                let _ = write!(rows, "<tr class=\"skipped\"><td>{}</td><td>{}</td><td>not compared</td><td colspan=\"3\">{} ({}): {}</td></tr>", html(&t.tenant), html(&token_label(k)), html(s.display_name.as_deref().unwrap_or("")), html(&s.profile_id), html(&s.reason));
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Enrollment profile drift</title>\
<style>body{{font-family:sans-serif}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}\
.drifted,.missing,.incomplete{{background:#fff4d6}}.error,.ambiguous{{background:#fde2e1}}.matching{{background:#e6f4ea}}</style></head>\
<body><h1>Enrollment profile drift</h1><p>{}</p><table><thead><tr><th>Tenant</th><th>Token</th><th>Status</th><th>Setting</th><th>Template</th><th>Tenant value</th></tr></thead><tbody>{rows}</tbody></table></body></html>\n",
        html(&summary(r))
    )
}

fn line_text(l: &PlanLine) -> String {
    format!(
        "{} / {}: {} — {}",
        plain(&l.tenant),
        plain(l.token_name.as_deref().unwrap_or(&l.token_id)),
        kind_name(l.write.kind),
        plain(&l.write.description)
    )
}

pub(super) fn plan_table(p: &ProfilePlan) -> String {
    let mut out = format!("Plan: {} write(s). {}\n", p.writes.len(), summary(&p.drift));
    for (i, l) in p.writes.iter().enumerate() {
        let _ = writeln!(out, "{:>3}. {}", i.saturating_add(1), line_text(l));
    }
    for t in &p.drift.tenants {
        if let Some(e) = &t.error {
            let _ = writeln!(out, "  not planned: {}: {}", plain(&t.tenant), plain(e));
        }
        for k in &t.tokens {
            if k.assessment.status.exit_code() == 2 {
                let why = k
                    .error
                    .clone()
                    .unwrap_or_else(|| k.assessment.notes.join("; "));
                let _ = writeln!(
                    out,
                    "  not planned: {} / {}: {}",
                    plain(&t.tenant),
                    plain(&token_label(k)),
                    plain(&why)
                );
            }
        }
    }
    out
}

pub(super) fn plan_markdown(p: &ProfilePlan) -> String {
    let mut out = format!("## Enrollment profile plan\n\n{} write(s). {}\n\n| # | Tenant | Token | Write | Details |\n|---|---|---|---|---|\n", p.writes.len(), md(&summary(&p.drift)));
    for (i, l) in p.writes.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            i.saturating_add(1),
            md(&l.tenant),
            md(l.token_name.as_deref().unwrap_or(&l.token_id)),
            kind_name(l.write.kind),
            md(&l.write.description)
        );
    }
    out
}

pub(super) fn apply_table(r: &ApplyReport) -> String {
    let (done, failed, left) = r.counts();
    let mut out = format!(
        "{}: {done} write(s) done, {failed} failed, {left} not attempted{}\n",
        if r.applied {
            "Apply"
        } else {
            "Plan (nothing written)"
        },
        if r.complete {
            "; every token matches the template"
        } else {
            ""
        }
    );
    for (i, w) in r.writes.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:>3}. [{}] {}{}",
            i.saturating_add(1),
            outcome_name(w.outcome),
            line_text(&w.line),
            w.detail
                .as_deref()
                .map(|d| format!(" ({})", plain(d)))
                .unwrap_or_default()
        );
    }
    for u in &r.unchecked {
        let _ = writeln!(out, "  not checked: {}", plain(u));
    }
    if failed > 0 || left > 0 {
        out.push_str("Run the apply again once the failure is fixed: it continues from what it finds, doing nothing twice.\n");
    }
    out
}

pub(super) fn apply_markdown(r: &ApplyReport) -> String {
    let (done, failed, left) = r.counts();
    let mut out = format!("## Enrollment profile apply\n\n{done} done, {failed} failed, {left} not attempted.\n\n| # | Outcome | Tenant | Token | Write | Details |\n|---|---|---|---|---|---|\n");
    for (i, w) in r.writes.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            i.saturating_add(1),
            outcome_name(w.outcome),
            md(&w.line.tenant),
            md(w.line.token_name.as_deref().unwrap_or(&w.line.token_id)),
            kind_name(w.line.write.kind),
            md(&format!(
                "{}{}",
                w.line.write.description,
                w.detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ))
        );
    }
    for u in &r.unchecked {
        let _ = writeln!(out, "\n- not checked: {}", md(u));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_text_is_escaped() {
        assert_eq!(html("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
        assert_eq!(md("a|b<i>`x`"), "a\\|b\\<i\\>\\`x\\`");
        assert_eq!(plain("ok\u{1b}[31m"), "ok[31m");
    }
}
