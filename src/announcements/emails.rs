//! The message attendees receive. The organizer wrote it; the event's and organization's
//! names frame it, and it says why it arrived.

use crate::announcements::db;
use crate::mail::MailKind;
use crate::mail::compose::{self, Draft, escape};
use crate::mail::db::OutboxRow;
use crate::mail::outbox::{Render, RenderFuture, Rendered, payload_id};
use crate::platform::mailer::Mailer;
use sqlx::PgPool;

/// The renderer of messages to attendees.
pub struct AnnouncementMail;

impl Render for AnnouncementMail {
    fn render<'a>(&'a self, pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a> {
        Box::pin(render(pool, mailer, row))
    }
}

/// The text attendees read: the message, who sent it and why it came.
pub fn text(body: &str, event: &str, organization: &str) -> String {
    format!("{body}\n\n— {organization}\n\nYou receive this because you hold a ticket to {event}.\n")
}

async fn render(pool: &PgPool, mailer: &Mailer, row: &OutboxRow) -> Result<Rendered, String> {
    if row.kind != MailKind::Announcement {
        return Err(format!("{} is not a message to attendees", row.kind));
    }
    let id = payload_id(row, "announcement_id")?;
    let announcement = db::for_mail(pool, id)
        .await
        .map_err(|e| format!("reading the announcement: {e}"))?
        .ok_or("the announcement is gone")?;
    let body_text = text(&announcement.body, &announcement.event_name, &announcement.organization_name);
    let html = body_text
        .split("\n\n")
        .map(|paragraph| format!("<p>{}</p>", escape(paragraph).replace('\n', "<br>")))
        .collect::<String>();
    let subject = announcement.subject.clone();
    let draft =
        Draft { subject: subject.clone(), text: body_text.clone(), html, images: Vec::new(), files: Vec::new() };
    let message = compose::build(mailer, row, draft)?;
    Ok(Rendered { message, subject, body_text, attachments: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_who_sent_it_and_why_it_came() {
        let text = text("Doors open at 8.", "Toronto AI Summit", "Olivia Events");
        assert_eq!(
            text,
            "Doors open at 8.\n\n— Olivia Events\n\nYou receive this because you hold a ticket to Toronto AI Summit.\n"
        );
    }
}
