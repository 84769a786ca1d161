//! E-mail through Graph `sendMail`: the HTML report as the body, the `.ics` attached.

use super::{Notification, NotifyError};
use crate::graph::{Client, ErrorKind, MailAttachment, OutgoingMail};
use crate::workflows::report::{email_html, Format};

/// The name of the attached calendar.
pub const ATTACHMENT_NAME: &str = "apple-credential-renewals.ics";

/// The message: subject with the overall severity, the HTML e-mail body (what changed, then
/// the report; no SVG, inline styles), the renewal calendar attached, not saved to Sent Items.
#[must_use]
pub fn email_message(note: &Notification<'_>, to: &[String]) -> OutgoingMail {
    let severity = if note.could_not_check() {
        "COULD NOT CHECK".to_owned()
    } else {
        note.severity().code().to_uppercase()
    };
    let changes: Vec<String> = note
        .changes
        .iter()
        .map(super::state::Change::describe)
        .collect();
    let ics = if note.reports.len() == 1 && note.reports[0].tenant.is_empty() {
        note.reports[0].report.to_ics()
    } else {
        Format::Ics.render_scan(note.reports, false)
    };
    OutgoingMail {
        subject: format!("[{severity}] {}", note.title()),
        html_body: email_html(note.reports, &changes),
        to: to.to_vec(),
        attachments: vec![MailAttachment {
            name: ATTACHMENT_NAME.to_owned(),
            content_type: "text/calendar".to_owned(),
            bytes: ics.into_bytes(),
        }],
        save_to_sent_items: false,
    }
}

pub(super) async fn send(
    graph: Option<&Client>,
    to: &[String],
    from: Option<&str>,
    draft: &OutgoingMail,
    channel: &str,
) -> Result<(), NotifyError> {
    let Some(from) = from.filter(|f| !f.trim().is_empty()) else {
        return Err(NotifyError::Configuration {
            channel: channel.to_owned(),
            message: format!(
                "no sending mailbox: set {} (or --mail-from) to a mailbox the app may send as with Mail.Send",
                super::env::MAIL_FROM
            ),
        });
    };
    let Some(client) = graph else {
        return Err(NotifyError::Configuration {
            channel: channel.to_owned(),
            message: "e-mail is sent through Microsoft Graph: a signed-in Graph client is needed"
                .to_owned(),
        });
    };
    let mut mail = draft.clone();
    mail.to = to.to_vec();
    client.mail().send(from, &mail).await.map_err(|e| {
        let hint = match e.kind() {
            ErrorKind::Forbidden => format!(
                " The app needs the Mail.Send application permission, and its mailbox scope (RBAC for Applications or an application access policy) must include {from}: see docs/alerts.md."
            ),
            ErrorKind::NotFound => format!(" No mailbox {from} in this tenant: check the address."),
            _ => String::new(),
        };
        NotifyError::Graph {
            channel: channel.to_owned(),
            message: format!("{e}.{hint}"),
        }
    })
}
