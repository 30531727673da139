//! E-mail: the outbox that changes write to, the worker that drains it through the
//! platform's mailer (SMTP, or the mailbox folder), and the organizer's "sent mail" page.
//! Each domain that owes a kind of message renders it (`outbox::Render`); this one only
//! queues, sends, retries and shows.

pub mod api;
#[cfg(feature = "ssr")]
pub mod compose;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum!(
    /// Why a message is sent.
    MailKind {
        OrderConfirmation => "order_confirmation", "Order confirmation";
        AttendeeTicket => "attendee_ticket", "Attendee ticket";
        OrderCancelled => "order_cancelled", "Order cancelled";
        TicketCancelled => "ticket_cancelled", "Ticket cancelled";
        OrderExpired => "order_expired", "Reservation released";
        PasswordReset => "password_reset", "Password reset";
        SignupAttempt => "signup_attempt", "Sign-up with an existing address";
        ConfirmEmail => "confirm_email", "Address confirmation";
        EventCancelled => "event_cancelled", "Event cancelled";
        Invitation => "invitation", "Team invitation";
        Announcement => "announcement", "Message to attendees";
    }
);

text_enum!(
    /// Where a message stands.
    MailStatus {
        Pending => "pending", "Waiting";
        Sent => "sent", "Sent";
        Failed => "failed", "Failed";
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
