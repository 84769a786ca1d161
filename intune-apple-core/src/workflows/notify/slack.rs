//! The Slack incoming-webhook payload: Block Kit blocks with the `text` fallback.

use serde_json::{json, Value};

use super::Notification;
use crate::workflows::report::format_time_public as format_time;

/// Slack's limit of blocks per message.
const MAX_BLOCKS: usize = 50;
/// Slack's limit of a section's text.
const MAX_SECTION: usize = 3000;

/// Escapes mrkdwn control characters (`&`, `<`, `>`), so a token name cannot inject a link
/// or a mention.
pub(super) fn mrkdwn(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}})
}

/// The JSON body to POST to a Slack incoming webhook.
#[must_use]
pub fn slack_payload(note: &Notification<'_>) -> Value {
    let title = note.title();
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": clip(&title, 150)}
    })];
    let mut fallback = title.clone();
    if !note.changes.is_empty() {
        let lines: Vec<String> = note
            .changes
            .iter()
            .map(|c| format!("• {}", mrkdwn(&c.describe())))
            .collect();
        blocks.push(section(&format!("*What changed*\n{}", lines.join("\n"))));
        for c in note.changes.iter().take(5) {
            fallback.push_str("; ");
            fallback.push_str(&c.describe());
        }
    }
    for r in note.reports {
        for e in &r.report.errors {
            let who = if r.tenant.is_empty() {
                String::new()
            } else {
                format!("[{}] ", mrkdwn(&r.tenant))
            };
            blocks.push(section(&format!(
                ":warning: {who}*Could not check {}* (`{}`): {}",
                mrkdwn(&e.section),
                mrkdwn(&e.code),
                mrkdwn(&e.message)
            )));
        }
    }
    let attention = note.attention();
    // Room for the closing divider and context, and a "+N more" line.
    let room = MAX_BLOCKS.saturating_sub(blocks.len() + 3);
    for (tenant, i) in attention.iter().take(room) {
        let name = i.name.as_deref().unwrap_or(&i.id);
        let when = match (i.expires_at, i.days_left) {
            (Some(t), Some(d)) if d < 0 => format!("expired *{}*", t.format("%Y-%m-%d")),
            (Some(t), Some(d)) => format!("expires *{}* ({d} days)", t.format("%Y-%m-%d")),
            _ => "no expiry date known".to_owned(),
        };
        let codes: Vec<&str> = i.problems.iter().map(|p| p.code.as_str()).collect();
        blocks.push(section(&format!(
            "*{}* {}{} *{}*: {when}{}",
            i.severity.code().to_uppercase(),
            if tenant.is_empty() {
                String::new()
            } else {
                format!("[{}] ", mrkdwn(tenant))
            },
            super::super::report::kind_label_public(i.kind),
            mrkdwn(name),
            if codes.is_empty() {
                String::new()
            } else {
                format!("\n`{}`", mrkdwn(&codes.join(", ")))
            }
        )));
    }
    if attention.len() > room {
        blocks.push(section(&format!(
            "+{} more: see the report",
            attention.len() - room
        )));
    }
    blocks.push(json!({"type": "divider"}));
    let when = note
        .reports
        .first()
        .map(|r| format_time(&r.report.as_of))
        .unwrap_or_default();
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": format!("Checked {when} · renew in the <{}|Intune admin center>", super::teams::ADMIN_CENTER)}]
    }));
    json!({"text": clip(&fallback, 3000), "blocks": blocks})
}
