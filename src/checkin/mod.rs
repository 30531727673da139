//! The door: admitting tickets on check-in lists, every scan recorded, and what the
//! door staff's phone shows.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod batch;
#[cfg(feature = "ssr")]
pub mod copy;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod lane;
#[cfg(feature = "ssr")]
pub mod manage;
pub mod offline;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod statement;
#[cfg(feature = "ssr")]
pub mod verdict;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long after an admission the person who made it may take it back.
pub const UNDO_WINDOW_SECS: i64 = 120;

/// Shortest search the door runs: one letter would list half the room.
pub const MIN_SEARCH: usize = 2;

/// Longest device label a phone may give itself ("Door 2").
pub const MAX_DEVICE_LABEL: usize = 60;

text_enum!(
    /// What happened to one attempt at the door.
    ScanOutcome {
        Admitted => "admitted", "Welcome";
        AlreadyAdmitted => "already_admitted", "Already checked in";
        Cancelled => "cancelled", "Ticket cancelled";
        Refunded => "refunded", "Ticket refunded";
        Unpaid => "unpaid", "Unpaid";
        PaymentIncomplete => "payment_incomplete", "Payment not completed";
        WrongList => "wrong_list", "Not valid for this entrance";
        OutsideWindow => "outside_window", "Not valid for this entrance now";
        WrongEvent => "wrong_event", "Not for this event";
        Unknown => "unknown", "Unknown code";
        Undone => "undone", "Admission undone";
    }
);

/// The colour a verdict fills the screen with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    Go,
    Stop,
    Collect,
}

impl ScanOutcome {
    pub fn tone(self) -> Tone {
        match self {
            ScanOutcome::Admitted => Tone::Go,
            ScanOutcome::Unpaid => Tone::Collect,
            _ => Tone::Stop,
        }
    }
}

/// The door's answer to one scan, as the phone shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: ScanOutcome,
    /// "Welcome, Jane Doe — VIP", "Already checked in".
    pub headline: String,
    /// "at 18:42 by Sam (Door 2)", "Collect $95.00 for order ORD-…".
    pub detail: String,
    pub ticket_id: Option<Uuid>,
    /// Set when this scan admitted someone: what "Undo" takes back.
    pub checkin_id: Option<Uuid>,
    /// For an unpaid order: what to collect, formatted in its currency.
    pub amount_due: Option<String>,
}

/// An event as the door sees it: its lists and when it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorEvent {
    pub event_id: Uuid,
    /// Who works the door on this phone: what the phone keeps is kept per person.
    pub user_id: Uuid,
    pub name: String,
    pub when: String,
    pub lists: Vec<DoorList>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorList {
    pub id: Uuid,
    pub name: String,
    /// "All tiers" or the tiers it takes.
    pub takes: String,
}

/// Checked in against expected, for one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorCounts {
    pub checked_in: i64,
    pub expected: i64,
    pub tiers: Vec<TierCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCount {
    pub tier: String,
    pub checked_in: i64,
    pub expected: i64,
}

/// One ticket found by the search tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeHit {
    pub ticket_id: Uuid,
    pub attendee_name: String,
    pub email: String,
    pub tier: String,
    pub ticket_number: String,
    pub order_number: String,
    /// "Valid", "Checked in 18:42", "Unpaid", "Cancelled".
    pub state: String,
    pub admitted: bool,
}

/// An event the caller may work the door of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorEventSummary {
    pub event_id: Uuid,
    pub name: String,
    pub when: String,
}

/// An event's door as its organizer sees it: the lists and how full each is, and the log
/// of scans (conflicts from offline phones among them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorBoard {
    pub event_id: Uuid,
    pub event_name: String,
    pub tiers: Vec<TierChoice>,
    pub lists: Vec<ListProgress>,
    pub scans: Vec<ScanLogEntry>,
    /// Staff who scanned at this event, for the log's filter.
    pub staff: Vec<TierChoice>,
    pub conflicts: i64,
}

/// A tier (or a staff member) to choose from: id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierChoice {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListProgress {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    /// Empty when the list takes every tier.
    pub tier_ids: Vec<Uuid>,
    /// "All tiers" or the tiers' names.
    pub takes: String,
    /// As `datetime-local` values in the event's time zone; empty when open-ended.
    pub opens_at: String,
    pub closes_at: String,
    pub checked_in: i64,
    pub expected: i64,
    /// Used at the door: kept for its history, never deleted.
    pub used: bool,
}

/// One row of the scan log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanLogEntry {
    /// "18:42:07" in the event's time zone, when the server recorded it.
    pub at: String,
    /// When the phone made it, for scans judged offline.
    pub scanned_at: Option<String>,
    pub outcome: ScanOutcome,
    pub list: String,
    pub staff: String,
    pub device: String,
    pub attendee: String,
    pub ticket_number: String,
    pub reason: String,
    pub offline: bool,
    pub conflict: bool,
}

/// Which scans the log shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanFilter {
    pub outcome: Option<ScanOutcome>,
    pub staff: Option<Uuid>,
    pub conflicts_only: bool,
}

/// What a scanned or typed code names: the secret inside a ticket's QR code
/// (`EOS1:<secret>`, or the secret alone) or a ticket number as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketCode {
    Secret(String),
    Number(String),
}

impl TicketCode {
    pub fn parse(input: &str) -> Result<TicketCode, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err("Scan a ticket or type its code.".into());
        }
        if text.len() > 200 {
            return Err("That is not a ticket code.".into());
        }
        let upper = text.to_ascii_uppercase();
        if upper.starts_with("TKT-") {
            return Ok(TicketCode::Number(upper));
        }
        let secret = text.strip_prefix("EOS1:").unwrap_or(text);
        if secret.len() >= 22 && secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            Ok(TicketCode::Secret(secret.to_owned()))
        } else {
            Err("That is not an EventOS ticket code.".into())
        }
    }
}

/// Whether `now` is before a list opens or after it closes.
pub fn outside_window(
    opens_at: Option<chrono::DateTime<chrono::Utc>>,
    closes_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    opens_at.is_some_and(|opens| now < opens) || closes_at.is_some_and(|closes| now >= closes)
}

/// A device label as typed: trimmed, at most `MAX_DEVICE_LABEL` characters, no control
/// characters.
pub fn clean_device_label(input: &str) -> String {
    input.trim().chars().filter(|c| !c.is_control()).take(MAX_DEVICE_LABEL).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_payload_a_bare_secret_and_a_ticket_number_are_all_ticket_codes() {
        let secret = "AbCdEfGhIjKlMnOpQrStUvWxYz0123";
        assert_eq!(TicketCode::parse(&format!("EOS1:{secret}")), Ok(TicketCode::Secret(secret.into())));
        assert_eq!(TicketCode::parse(&format!("  {secret}\n")), Ok(TicketCode::Secret(secret.into())));
        assert_eq!(TicketCode::parse("tkt-ab12cd34-000123"), Ok(TicketCode::Number("TKT-AB12CD34-000123".into())));
    }

    #[test]
    fn anything_else_is_refused_with_a_message() {
        assert!(TicketCode::parse("   ").is_err());
        assert!(TicketCode::parse("https://example.com/phish").is_err());
        assert!(TicketCode::parse("short").is_err());
        assert!(TicketCode::parse(&"a".repeat(500)).is_err());
    }

    #[test]
    fn a_device_label_is_trimmed_cut_and_free_of_control_characters() {
        assert_eq!(clean_device_label("  Door\u{7} 2 \n"), "Door 2");
        assert_eq!(clean_device_label(&"x".repeat(100)).chars().count(), MAX_DEVICE_LABEL);
    }
}
