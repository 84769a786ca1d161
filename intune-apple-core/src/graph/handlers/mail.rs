//! Sending e-mail: `POST /v1.0/users/{id | userPrincipalName}/sendMail`.
//!
//! With application permissions the call names the sending mailbox (`/me/sendMail` is only
//! for a signed-in user). It needs `Mail.Send`, which by default lets the app send as *any*
//! mailbox of the tenant: restrict it to one mailbox with RBAC for Applications in Exchange
//! Online (or a legacy application access policy), as `docs/alerts.md` describes.

use serde::Serialize;

use crate::graph::client::{seg, Call, Client};
use crate::graph::{ApiVersion, Error};

const TEMPLATE: &str = "/users/{id}/sendMail";
const MAIL_SEND: &str = "Mail.Send";

/// A file attached to an [`OutgoingMail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// File name, e.g. `apple-credentials.ics`.
    pub name: String,
    /// Media type, e.g. `text/calendar`.
    pub content_type: String,
    /// The bytes (sent base64-encoded; keep the whole message under 3 MB).
    pub bytes: Vec<u8>,
}

/// A message for [`Mail::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Subject line.
    pub subject: String,
    /// The HTML body.
    pub html_body: String,
    /// Recipients (To).
    pub to: Vec<String>,
    /// Attachments.
    pub attachments: Vec<MailAttachment>,
    /// Keep a copy in the sender's Sent Items (Graph's default is to keep one).
    pub save_to_sent_items: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendMailBody<'a> {
    message: Message<'a>,
    save_to_sent_items: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Message<'a> {
    subject: &'a str,
    body: Body<'a>,
    to_recipients: Vec<Recipient<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    content_type: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Recipient<'a> {
    email_address: Address<'a>,
}

#[derive(Serialize)]
struct Address<'a> {
    address: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Attachment<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    name: &'a str,
    content_type: &'a str,
    content_bytes: String,
}

/// E-mail through Graph: `client.mail()`.
#[derive(Debug, Clone)]
pub struct Mail {
    client: Client,
}

impl Client {
    /// Sending e-mail (`sendMail`).
    #[must_use]
    pub fn mail(&self) -> Mail {
        Mail {
            client: self.clone(),
        }
    }
}

impl Mail {
    /// Sends `mail` from the mailbox `sender` (a user principal name or object id). Graph
    /// answers 202: accepted for delivery, not yet delivered.
    ///
    /// # Errors
    /// [`Error`]: `Forbidden` without `Mail.Send` or outside the mailboxes the app may send
    /// as; `NotFound` for an unknown sender; `OutcomeUnknown` when the answer was lost (the
    /// mail may have been sent: Graph offers no way to read it back unless it is saved to
    /// Sent Items).
    pub async fn send(&self, sender: &str, mail: &OutgoingMail) -> Result<(), Error> {
        use base64::Engine as _;
        let body = SendMailBody {
            message: Message {
                subject: &mail.subject,
                body: Body {
                    content_type: "HTML",
                    content: &mail.html_body,
                },
                to_recipients: mail
                    .to
                    .iter()
                    .map(|a| Recipient {
                        email_address: Address { address: a },
                    })
                    .collect(),
                attachments: mail
                    .attachments
                    .iter()
                    .map(|a| Attachment {
                        odata_type: "#microsoft.graph.fileAttachment",
                        name: &a.name,
                        content_type: &a.content_type,
                        content_bytes: base64::engine::general_purpose::STANDARD.encode(&a.bytes),
                    })
                    .collect(),
            },
            save_to_sent_items: mail.save_to_sent_items,
        };
        let path = format!("/users/{}/sendMail", seg(sender));
        let call = Call::post(ApiVersion::V1, path, TEMPLATE, MAIL_SEND).json_body(&body)?;
        self.client.send_no_content(call).await
    }
}
