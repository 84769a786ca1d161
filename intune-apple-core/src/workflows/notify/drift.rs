//! The enrollment profile drift report ([`ProfileDriftReport`]) as a message for the alert
//! channels: a Teams card, Slack blocks, the webhook event and an e-mail, each listing the
//! tokens whose profile drifted, is missing or could not be checked.

use serde_json::json;

use super::slack::mrkdwn;
use super::teams::ADMIN_CENTER;
use super::Message;
use crate::graph::OutgoingMail;
use crate::rules::profile_template::DriftStatus;
use crate::workflows::profile_templates::ProfileDriftReport;

/// Lines listed before "+N more".
const MAX_LINES: usize = 20;

fn status(s: DriftStatus) -> &'static str {
    match s {
        DriftStatus::Matching => "matching",
        DriftStatus::Drifted => "drifted",
        DriftStatus::Missing => "missing",
        DriftStatus::Incomplete => "incomplete",
        DriftStatus::Ambiguous => "ambiguous",
        DriftStatus::NotComparable => "not comparable",
        DriftStatus::Error => "could not check",
    }
}

/// One plain line per tenant or token that needs attention.
fn attention(report: &ProfileDriftReport) -> Vec<String> {
    let clean = crate::workflows::report::plain;
    let mut out = Vec::new();
    for t in &report.tenants {
        if let Some(e) = &t.error {
            out.push(format!(
                "{}: could not check ({})",
                clean(&t.tenant),
                clean(e)
            ));
        }
        for k in &t.tokens {
            let a = &k.assessment;
            if a.status == DriftStatus::Matching {
                continue;
            }
            let token = k.token_name.as_deref().unwrap_or(&k.token_id);
            let mut line = format!(
                "{} / {}: {}",
                clean(&t.tenant),
                clean(token),
                status(a.status)
            );
            if !a.differences.is_empty() {
                let names: Vec<&str> = a.differences.iter().map(|d| d.setting.as_str()).collect();
                line.push_str(&format!(" ({})", clean(&names.join(", "))));
            }
            if let Some(e) = &k.error {
                line.push_str(&format!(": {}", clean(e)));
            }
            out.push(line);
        }
    }
    out
}

fn exit_word(code: i32) -> &'static str {
    match code {
        0 => "no drift",
        1 => "drift",
        _ => "could not check",
    }
}

/// The drift report as a message for every channel. Send it with
/// [`super::deliver_message`] (the `profiles drift --notify` command sends it when the report
/// finds drift or could not check).
#[must_use]
pub fn drift_message(report: &ProfileDriftReport) -> Message {
    let title = format!("Enrollment profiles: {}", report.summary());
    let lines = attention(report);
    let code = report.exit_code();
    let shown: Vec<&String> = lines.iter().take(MAX_LINES).collect();
    let more = lines.len().saturating_sub(MAX_LINES);

    let color = match code {
        0 => "Good",
        1 => "Warning",
        _ => "Attention",
    };
    let mut body = vec![json!({
        "type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true,
        "color": color
    })];
    for l in &shown {
        body.push(json!({"type": "TextBlock", "text": l, "wrap": true}));
    }
    if more > 0 {
        body.push(json!({"type": "TextBlock", "text": format!("+{more} more: see the report"), "wrap": true}));
    }
    let teams = json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "fallbackText": title,
                "body": body,
                "actions": [{"type": "Action.OpenUrl", "title": "Open the Intune admin center", "url": ADMIN_CENTER}]
            }
        }]
    });

    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": title.chars().take(150).collect::<String>()}
    })];
    if !shown.is_empty() {
        let text: Vec<String> = shown.iter().map(|l| format!("• {}", mrkdwn(l))).collect();
        let mut text = text.join("\n");
        if more > 0 {
            text.push_str(&format!("\n+{more} more: see the report"));
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text.chars().take(2900).collect::<String>()}}));
    }
    let slack = json!({"text": title, "blocks": blocks});

    // The same drift makes the same `webhook-id` (its lines are hashed): a receiver that
    // dedupes on it drops a repeat.
    let webhook = json!({
        "type": "enrollment_profiles.drift",
        "timestamp": null,
        "data": {
            "title": title,
            "result": exit_word(code),
            "exitCode": code,
            "changes": lines,
            "report": report,
        }
    });

    let mail = OutgoingMail {
        subject: format!("[{}] {title}", exit_word(code).to_uppercase()),
        html_body: report.to_html(),
        to: Vec::new(),
        attachments: Vec::new(),
        save_to_sent_items: false,
    };
    Message {
        teams,
        slack,
        webhook,
        mail,
    }
}
