//! E-mail: the outbox that order changes write to, the worker that drains it, and the two
//! transports (SMTP when configured, otherwise a local mailbox folder read through the
//! organizer's "sent mail" page).

pub mod api;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod render;
#[cfg(feature = "ssr")]
pub mod transport;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum!(
    /// Why a message is sent.
    MailKind {
        OrderConfirmation => "order_confirmation", "Order confirmation";
        AttendeeTicket => "attendee_ticket", "Attendee ticket";
        OrderCancelled => "order_cancelled", "Order cancelled";
        TicketCancelled => "ticket_cancelled", "Ticket cancelled";
    }
);

/// A message on the "sent mail" page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMail {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub transport: Option<String>,
    pub when: String,
}

/// One message in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMailDetail {
    pub summary: SentMail,
    pub body_text: Option<String>,
    /// File names of the attachments (QR codes, calendar entry).
    pub attachments: Vec<String>,
}
