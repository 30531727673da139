//! The outbox worker's renderer: each kind of message goes to the domain that owes it.

use crate::accounts::emails::AccountMail;
use crate::announcements::emails::AnnouncementMail;
use crate::mail::MailKind;
use crate::mail::db::OutboxRow;
use crate::mail::outbox::{Render, RenderFuture};
use crate::orders::emails::OrderMail;
use crate::platform::mailer::Mailer;
use crate::team::emails::TeamMail;
use sqlx::PgPool;

pub struct AllMail;

impl Render for AllMail {
    fn render<'a>(&'a self, pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a> {
        match row.kind {
            MailKind::PasswordReset | MailKind::SignupAttempt | MailKind::ConfirmEmail => {
                AccountMail.render(pool, mailer, row)
            }
            MailKind::OrderConfirmation
            | MailKind::AttendeeTicket
            | MailKind::OrderCancelled
            | MailKind::TicketCancelled
            | MailKind::OrderExpired
            | MailKind::EventCancelled => OrderMail.render(pool, mailer, row),
            MailKind::Invitation => TeamMail.render(pool, mailer, row),
            MailKind::Announcement => AnnouncementMail.render(pool, mailer, row),
        }
    }
}
