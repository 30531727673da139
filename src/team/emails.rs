//! The invitation e-mail. The organization's and event's names are text their organizer
//! typed, so they are shown as plain text that cannot become a link.

use crate::mail::MailKind;
use crate::mail::compose::{self, Draft, LinkMessage, link_message, unlinkable};
use crate::mail::db::OutboxRow;
use crate::mail::outbox::{Render, RenderFuture, Rendered, payload_id};
use crate::organizations::Role;
use crate::platform::mailer::Mailer;
use crate::team::INVITATION_DAYS;
use crate::team::db;
use sqlx::PgPool;

/// The renderer of team messages.
pub struct TeamMail;

impl Render for TeamMail {
    fn render<'a>(&'a self, pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a> {
        Box::pin(render(pool, mailer, row))
    }
}

async fn render(pool: &PgPool, mailer: &Mailer, row: &OutboxRow) -> Result<Rendered, String> {
    if row.kind != MailKind::Invitation {
        return Err(format!("{} is not a team message", row.kind));
    }
    let invitation_id = payload_id(row, "invitation_id")?;
    let token = row.payload.get("token").and_then(|t| t.as_str()).ok_or("invitation without a token")?;
    let invitation = db::invitation_by_id(pool, invitation_id)
        .await
        .map_err(|e| format!("reading the invitation: {e}"))?
        .ok_or("the invitation is gone")?;
    let organization = unlinkable(&invitation.organization_name);
    let inviter = unlinkable(&invitation.invited_by);
    let (subject, what) = match &invitation.event_name {
        Some(event) => (
            format!("Work the door of {} for {organization}", unlinkable(event)),
            format!(
                "{inviter} invited you to check attendees in at {} ({organization}) on EventOS.",
                unlinkable(event)
            ),
        ),
        None => {
            let role = if invitation.role == Role::Admin { "an admin" } else { "door staff" };
            (
                format!("Join {organization} on EventOS"),
                format!("{inviter} invited you to join {organization} on EventOS as {role}."),
            )
        }
    };
    let lines = [
        what,
        format!(
            "The link below works once, for {INVITATION_DAYS} days. Log in with this address, or create your account from the link."
        ),
        "If you did not expect this, ignore this message.".to_owned(),
    ];
    let url = format!("{}/invitations/{token}", mailer.public_url);
    let label = "Accept the invitation";
    // The sent mail record never keeps a working invitation link.
    let LinkMessage { text, html, recorded: body_text } = link_message(&lines, &url, label, false);
    let draft = Draft { subject: subject.clone(), text, html, images: Vec::new(), files: Vec::new() };
    let message = compose::build(mailer, row, draft)?;
    Ok(Rendered { message, subject, body_text, attachments: Vec::new() })
}
