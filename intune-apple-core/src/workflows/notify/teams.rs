//! The Teams Workflows payload: a `message` with one Adaptive Card 1.4 attachment.

use serde_json::{json, Value};

use super::Notification;
use crate::rules::health::Severity;
use crate::workflows::report::format_time_public as format_time;

/// Rows of credentials shown before "+N more" (the card stays far below Teams' ~28 KB).
const MAX_ROWS: usize = 20;
/// Longest text of one block.
const MAX_TEXT: usize = 600;

/// The admin center, where every Apple credential is renewed.
pub(super) const ADMIN_CENTER: &str = "https://intune.microsoft.com/";

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Ok => "Good",
        Severity::Unknown | Severity::Warning => "Warning",
        Severity::Critical | Severity::Expired => "Attention",
    }
}

fn clip(text: &str) -> String {
    let mut s: String = text.chars().take(MAX_TEXT).collect();
    if text.chars().count() > MAX_TEXT {
        s.push('…');
    }
    s
}

fn text(t: &str) -> Value {
    json!({"type": "TextBlock", "text": clip(t), "wrap": true})
}

/// The JSON body to POST to a Teams Workflows webhook: the summary, what changed, a row per
/// credential that needs attention, the sections that could not be read, and a button to
/// the Intune admin center. Version 1.4: the "Post card" action does not render 1.5 cards.
#[must_use]
pub fn teams_payload(note: &Notification<'_>) -> Value {
    let title = note.title();
    let sev = if note.could_not_check() {
        note.severity().max(Severity::Critical)
    } else {
        note.severity()
    };
    let mut body = vec![json!({
        "type": "TextBlock", "text": clip(&title), "weight": "Bolder", "size": "Medium",
        "wrap": true, "color": color(sev)
    })];
    if let Some(r) = note.reports.first() {
        body.push(json!({
            "type": "TextBlock", "isSubtle": true, "spacing": "None", "wrap": true,
            "text": format!("Evaluated at {}", format_time(&r.report.as_of))
        }));
    }
    if !note.changes.is_empty() {
        body.push(json!({"type": "TextBlock", "text": "What changed", "weight": "Bolder", "wrap": true, "separator": true}));
        for c in note.changes.iter().take(MAX_ROWS) {
            body.push(text(&format!("- {}", c.describe())));
        }
        if note.changes.len() > MAX_ROWS {
            body.push(text(&format!("+{} more", note.changes.len() - MAX_ROWS)));
        }
    }
    for r in note.reports {
        for e in &r.report.errors {
            let who = if r.tenant.is_empty() {
                String::new()
            } else {
                format!("[{}] ", r.tenant)
            };
            body.push(json!({
                "type": "TextBlock", "wrap": true, "color": "Attention",
                "text": clip(&format!("{who}Could not check {} ({}): {}", e.section, e.code, e.message))
            }));
        }
    }
    let attention = note.attention();
    if !attention.is_empty() {
        body.push(json!({"type": "TextBlock", "text": "Needs attention", "weight": "Bolder", "wrap": true, "separator": true}));
    }
    for (tenant, i) in attention.iter().take(MAX_ROWS) {
        let name = i.name.as_deref().unwrap_or(&i.id);
        let what = format!(
            "{}{} **{}**",
            if tenant.is_empty() {
                String::new()
            } else {
                format!("[{tenant}] ")
            },
            super::super::report::kind_label_public(i.kind),
            name
        );
        let when = match (i.expires_at, i.days_left) {
            (Some(t), Some(d)) if d < 0 => format!("expired {}", t.format("%Y-%m-%d")),
            (Some(t), Some(d)) => format!("{} ({d} d)", t.format("%Y-%m-%d")),
            _ => "no expiry known".to_owned(),
        };
        body.push(json!({
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "auto", "items": [
                    {"type": "TextBlock", "text": i.severity.code().to_uppercase(), "weight": "Bolder", "color": color(i.severity)}]},
                {"type": "Column", "width": "stretch", "items": [text(&what)]},
                {"type": "Column", "width": "auto", "items": [{"type": "TextBlock", "text": when, "wrap": true}]}
            ]
        }));
    }
    if attention.len() > MAX_ROWS {
        body.push(text(&format!(
            "+{} more: see the report",
            attention.len() - MAX_ROWS
        )));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "fallbackText": clip(&title),
                "body": body,
                "actions": [{
                    "type": "Action.OpenUrl",
                    "title": "Open the Intune admin center",
                    "url": ADMIN_CENTER
                }]
            }
        }]
    })
}
