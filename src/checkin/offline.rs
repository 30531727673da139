//! The door without the network. A phone keeps a copy of what it needs to judge a scan
//! (hashes of the ticket secrets, never the secrets; who holds each ticket; whether it may
//! enter; who is in already), judges scans from it while offline, and queues them to be
//! sent when the network returns. The server judges every queued scan again and records a
//! conflict wherever the phone let in someone it would not have.
//!
//! Shared by the server (which builds the copy) and the browser (which keeps and uses it).

use crate::checkin::{MIN_SEARCH, ScanOutcome, TicketCode, Verdict, outside_window};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// Most scans one upload carries; a phone with more sends them in several.
pub const MAX_UPLOAD: usize = 200;

/// How a phone's copy names a ticket secret: the first 16 bytes of its SHA-256, in hex.
/// Enough to tell every ticket apart, and no way back to the secret.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One ticket in a phone's copy. Short field names: a copy of 10,000 tickets is kept in the
/// browser's storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopiedTicket {
    #[serde(rename = "h")]
    pub hash: String,
    #[serde(rename = "i")]
    pub id: Uuid,
    /// The ticket number as printed, for codes typed by hand.
    #[serde(rename = "n")]
    pub number: String,
    /// "Jane Doe — VIP".
    #[serde(rename = "w")]
    pub who: String,
    /// What the server says of the ticket on this list, admissions and the list's hours
    /// aside: `Admitted` (may enter), `Unpaid` (collect first) or the refusal.
    #[serde(rename = "s")]
    pub standing: ScanOutcome,
    /// What to collect, for an unpaid order.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// While it is in on this list: "at 18:42 by Sam (Door 2)".
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub admitted: Option<String>,
}

/// What the server sends a phone: the whole copy, or what changed since its cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyChanges {
    pub list_id: Uuid,
    pub list_name: String,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    /// Where the next refresh starts.
    pub cursor: String,
    /// `true`: these are all the tickets, and replace the copy. `false`: merge them in.
    pub complete: bool,
    pub tickets: Vec<CopiedTicket>,
}

/// A phone's copy of one list of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorCopy {
    pub event_id: Uuid,
    pub list_id: Uuid,
    pub list_name: String,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub cursor: String,
    pub tickets: HashMap<String, CopiedTicket>,
    /// Ticket number to hash; rebuilt whenever tickets change.
    #[serde(skip)]
    numbers: HashMap<String, String>,
}

impl DoorCopy {
    pub fn new(event_id: Uuid, list_id: Uuid) -> DoorCopy {
        DoorCopy { event_id, list_id, ..DoorCopy::default() }
    }

    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }

    /// Brings the copy up to date with what the server sent.
    pub fn apply(&mut self, changes: CopyChanges) {
        if changes.complete || changes.list_id != self.list_id {
            self.tickets.clear();
        }
        self.list_id = changes.list_id;
        self.list_name = changes.list_name;
        self.opens_at = changes.opens_at;
        self.closes_at = changes.closes_at;
        self.cursor = changes.cursor;
        for ticket in changes.tickets {
            self.tickets.insert(ticket.hash.clone(), ticket);
        }
        self.index();
    }

    /// Rebuilds the number index (after loading a copy from storage, too).
    pub fn index(&mut self) {
        self.numbers = self.tickets.values().map(|t| (t.number.clone(), t.hash.clone())).collect();
    }

    pub fn find(&self, code: &TicketCode) -> Option<&CopiedTicket> {
        match code {
            TicketCode::Secret(secret) => self.tickets.get(&secret_hash(secret)),
            TicketCode::Number(number) => self.numbers.get(number).and_then(|hash| self.tickets.get(hash)),
        }
    }

    pub fn find_id(&self, id: Uuid) -> Option<&CopiedTicket> {
        self.tickets.values().find(|t| t.id == id)
    }

    /// Judges a ticket as the server would, from the copy. `collect`: the money for an
    /// unpaid order was taken at the door.
    pub fn judge(&self, ticket: Option<&CopiedTicket>, collect: bool, now: DateTime<Utc>) -> Verdict {
        let Some(ticket) = ticket else {
            return Verdict {
                outcome: ScanOutcome::Unknown,
                headline: ScanOutcome::Unknown.label().to_owned(),
                detail: "Not among this phone's tickets for the event".to_owned(),
                ticket_id: None,
                checkin_id: None,
                amount_due: None,
            };
        };
        let outcome = match ticket.standing {
            ScanOutcome::Admitted | ScanOutcome::Unpaid if outside_window(self.opens_at, self.closes_at, now) => {
                ScanOutcome::OutsideWindow
            }
            ScanOutcome::Admitted if ticket.admitted.is_some() => ScanOutcome::AlreadyAdmitted,
            ScanOutcome::Unpaid if collect => ScanOutcome::Admitted,
            standing => standing,
        };
        let collected = (ticket.standing == ScanOutcome::Unpaid).then(|| ticket.due.clone()).flatten();
        let (headline, detail) = match outcome {
            ScanOutcome::Admitted => (
                format!("Welcome, {}", ticket.who),
                collected.map(|due| format!("Collected {due}")).unwrap_or_default(),
            ),
            ScanOutcome::AlreadyAdmitted => {
                let when = ticket.admitted.clone().unwrap_or_default();
                let detail = [when, ticket.who.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
                (outcome.label().to_owned(), detail.join(" · "))
            }
            ScanOutcome::Unpaid => {
                (format!("Unpaid — collect {}", ticket.due.clone().unwrap_or_default()), ticket.who.clone())
            }
            _ => (outcome.label().to_owned(), ticket.who.clone()),
        };
        Verdict {
            outcome,
            headline,
            detail,
            ticket_id: Some(ticket.id),
            checkin_id: None,
            amount_due: (outcome == ScanOutcome::Unpaid).then(|| ticket.due.clone()).flatten(),
        }
    }

    /// Tickets whose holder's name or number contains `query` (any case), at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&CopiedTicket> {
        let query = query.trim().to_lowercase();
        if query.chars().count() < MIN_SEARCH {
            return Vec::new();
        }
        let mut found: Vec<&CopiedTicket> = self
            .tickets
            .values()
            .filter(|t| t.who.to_lowercase().contains(&query) || t.number.to_lowercase().contains(&query))
            .collect();
        found.sort_by(|a, b| a.who.cmp(&b.who).then_with(|| a.number.cmp(&b.number)));
        found.truncate(limit);
        found
    }

    /// Notes that this phone let the ticket in (offline, or as the server answered).
    pub fn admitted(&mut self, id: Uuid, how: String) {
        if let Some(ticket) = self.tickets.values_mut().find(|t| t.id == id) {
            ticket.admitted = Some(how);
            if ticket.standing == ScanOutcome::Unpaid {
                ticket.standing = ScanOutcome::Admitted;
            }
        }
    }

    /// Notes that the ticket's admission on this list was taken back.
    pub fn undone(&mut self, id: Uuid) {
        if let Some(ticket) = self.tickets.values_mut().find(|t| t.id == id) {
            ticket.admitted = None;
        }
    }
}

/// A scan judged on a phone without the network, waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedScan {
    pub list_id: Uuid,
    /// The ticket, when the copy knew it.
    pub ticket_id: Option<Uuid>,
    /// What was scanned or typed, when the copy did not know it.
    pub code: Option<String>,
    pub nonce: Uuid,
    pub client_time: DateTime<Utc>,
    /// What the phone showed: `Admitted` means it let the person in.
    pub shown: ScanOutcome,
    /// The money for an unpaid order was taken at the door.
    pub collect: bool,
    pub device: String,
}

/// What the server made of one queued scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedScan {
    pub nonce: Uuid,
    pub outcome: ScanOutcome,
    /// The phone let in someone the server would not have (in already, cancelled since…).
    pub conflict: bool,
    /// Why the server could not take the scan at all (the list is gone, the door is no
    /// longer the phone user's): the phone drops it and says so.
    #[serde(default)]
    pub refused: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn copy() -> DoorCopy {
        let mut copy = DoorCopy::new(Uuid::from_u128(1), Uuid::from_u128(2));
        let ticket = |n: u128, number: &str, standing, admitted: Option<&str>| CopiedTicket {
            hash: secret_hash(&format!("secret-number-{n}-abcdefghijklmnop")),
            id: Uuid::from_u128(n),
            number: number.into(),
            who: format!("Guest {n} — VIP"),
            standing,
            due: (standing == ScanOutcome::Unpaid).then(|| "$95.00".to_owned()),
            admitted: admitted.map(str::to_owned),
        };
        copy.apply(CopyChanges {
            list_id: Uuid::from_u128(2),
            list_name: "Main entrance".into(),
            opens_at: None,
            closes_at: None,
            cursor: "100".into(),
            complete: true,
            tickets: vec![
                ticket(10, "TKT-A-000001", ScanOutcome::Admitted, None),
                ticket(11, "TKT-A-000002", ScanOutcome::Admitted, Some("at 18:42 by Sam (Door 2)")),
                ticket(12, "TKT-A-000003", ScanOutcome::Cancelled, None),
                ticket(13, "TKT-A-000004", ScanOutcome::Unpaid, None),
            ],
        });
        copy
    }

    fn code(n: u128) -> TicketCode {
        TicketCode::Secret(format!("secret-number-{n}-abcdefghijklmnop"))
    }

    #[test]
    fn the_copy_names_secrets_by_a_hash_that_is_not_the_secret() {
        let hash = secret_hash("AbCdEfGhIjKlMnOpQrStUvWxYz0123");
        assert_eq!(hash.len(), 32);
        assert!(!hash.contains("AbCd"));
        assert_eq!(hash, secret_hash("AbCdEfGhIjKlMnOpQrStUvWxYz0123"));
    }

    #[test]
    fn a_copy_judges_valid_in_already_cancelled_unpaid_and_unknown_as_the_server_would() {
        let copy = copy();
        let now = Utc::now();
        let judge = |c: &TicketCode| copy.judge(copy.find(c), false, now);
        assert_eq!(judge(&code(10)).headline, "Welcome, Guest 10 — VIP");
        let again = judge(&code(11));
        assert_eq!(again.outcome, ScanOutcome::AlreadyAdmitted);
        assert_eq!(again.detail, "at 18:42 by Sam (Door 2) · Guest 11 — VIP");
        assert_eq!(judge(&code(12)).outcome, ScanOutcome::Cancelled);
        let unpaid = judge(&code(13));
        assert_eq!((unpaid.outcome, unpaid.amount_due.as_deref()), (ScanOutcome::Unpaid, Some("$95.00")));
        assert_eq!(judge(&code(99)).outcome, ScanOutcome::Unknown);
        assert_eq!(judge(&TicketCode::Number("TKT-A-000001".into())).ticket_id, Some(Uuid::from_u128(10)));
        let collected = copy.judge(copy.find(&code(13)), true, now);
        assert_eq!((collected.outcome, collected.detail.as_str()), (ScanOutcome::Admitted, "Collected $95.00"));
    }

    #[test]
    fn a_copy_refuses_outside_the_lists_hours_and_remembers_its_own_admissions() {
        let mut copy = copy();
        let now = Utc::now();
        copy.admitted(Uuid::from_u128(10), "at 19:00 on this phone".into());
        assert_eq!(copy.judge(copy.find(&code(10)), false, now).outcome, ScanOutcome::AlreadyAdmitted);
        copy.undone(Uuid::from_u128(10));
        assert_eq!(copy.judge(copy.find(&code(10)), false, now).outcome, ScanOutcome::Admitted);
        copy.opens_at = Some(now + Duration::hours(1));
        assert_eq!(copy.judge(copy.find(&code(10)), false, now).outcome, ScanOutcome::OutsideWindow);
        assert_eq!(copy.judge(copy.find(&code(12)), false, now).outcome, ScanOutcome::Cancelled);
    }

    #[test]
    fn a_copy_is_searched_by_name_or_number_in_any_case() {
        let copy = copy();
        let numbers = |q: &str| copy.search(q, 10).iter().map(|t| t.number.clone()).collect::<Vec<_>>();
        assert_eq!(numbers("guest 11"), vec!["TKT-A-000002"]);
        assert_eq!(numbers("tkt-a-000004"), vec!["TKT-A-000004"]);
        assert_eq!(copy.search("guest", 2).len(), 2);
        assert!(numbers("nobody").is_empty());
        assert!(numbers("g").is_empty(), "one letter would list half the room");
    }

    #[test]
    fn changes_merge_into_the_copy_and_a_complete_answer_replaces_it() {
        let mut copy = copy();
        let mut changed = copy.find(&code(10)).cloned().unwrap();
        changed.standing = ScanOutcome::Refunded;
        let changes = |complete| CopyChanges {
            list_id: Uuid::from_u128(2),
            list_name: "Main entrance".into(),
            opens_at: None,
            closes_at: None,
            cursor: "200".into(),
            complete,
            tickets: vec![changed.clone()],
        };
        copy.apply(changes(false));
        assert_eq!((copy.len(), copy.cursor.as_str()), (4, "200"));
        assert_eq!(copy.judge(copy.find(&code(10)), false, Utc::now()).outcome, ScanOutcome::Refunded);
        copy.apply(changes(true));
        assert_eq!(copy.len(), 1);
        assert!(copy.find(&TicketCode::Number("TKT-A-000002".into())).is_none());
    }
}
