//! Judging a ticket at the door, and putting the judgement in words. Pure functions: the
//! service reads and locks, this decides.

use crate::checkin::db::{Admission, ListRow};
use crate::checkin::statement::DoorTicket;
use crate::checkin::{ScanOutcome, Verdict, outside_window};
use crate::events::format_price;
use crate::events::time::timezone_or_default;
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the door should do with a ticket on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// Valid here and now: admit it (unless it is in already).
    Admit,
    /// Valid once the order is paid: collect the money at the door first.
    Collect,
    Refuse(ScanOutcome),
}

/// Judges `ticket` (as found by its code, if at all) for a list of the event `event_id` in
/// organization `organization_id` at `now`.
pub fn judge(ticket: Option<&DoorTicket>, event_id: Uuid, list: &ListRow, now: DateTime<Utc>) -> Judgement {
    let Some(ticket) = ticket else { return Judgement::Refuse(ScanOutcome::Unknown) };
    if ticket.event_id != event_id {
        return Judgement::Refuse(ScanOutcome::WrongEvent);
    }
    match (ticket.status, ticket.order_status) {
        (TicketStatus::Refunded, _) | (_, OrderStatus::Refunded) => return Judgement::Refuse(ScanOutcome::Refunded),
        (TicketStatus::Cancelled, _) | (_, OrderStatus::Cancelled | OrderStatus::Expired) => {
            return Judgement::Refuse(ScanOutcome::Cancelled);
        }
        (TicketStatus::Reserved, _) => return Judgement::Refuse(ScanOutcome::PaymentIncomplete),
        _ => {}
    }
    if !ticket.in_list {
        return Judgement::Refuse(ScanOutcome::WrongList);
    }
    if outside_window(list.opens_at, list.closes_at, now) {
        return Judgement::Refuse(ScanOutcome::OutsideWindow);
    }
    if ticket.order_status == OrderStatus::Pending {
        return if ticket.payment_provider == PaymentMethod::Offline {
            Judgement::Collect
        } else {
            Judgement::Refuse(ScanOutcome::PaymentIncomplete)
        };
    }
    Judgement::Admit
}

/// Everything the words of a verdict may need.
pub struct Facts<'a> {
    pub outcome: ScanOutcome,
    pub ticket: Option<&'a DoorTicket>,
    /// The organization whose door this is: another organization's ticket names nothing.
    pub organization_id: Uuid,
    pub list: &'a ListRow,
    pub admission: Option<&'a Admission>,
    pub checkin_id: Option<Uuid>,
    pub timezone: &'a str,
}

/// "18:42" in the event's time zone.
fn clock(at: DateTime<Utc>, timezone: &str) -> String {
    at.with_timezone(&timezone_or_default(timezone)).format("%H:%M").to_string()
}

/// "at 18:42 by Sam (Door 2)".
pub fn admitted_detail(admission: &Admission, timezone: &str) -> String {
    let by = if admission.staff_name.is_empty() { String::new() } else { format!(" by {}", admission.staff_name) };
    let device = if admission.device.is_empty() { String::new() } else { format!(" ({})", admission.device) };
    format!("at {}{by}{device}", clock(admission.admitted_at, timezone))
}

/// The verdict the phone shows, and the reason recorded with the scan.
pub fn verdict(facts: &Facts<'_>) -> Verdict {
    let own_ticket = facts.ticket.filter(|t| t.organization_id == facts.organization_id);
    let who = own_ticket.map(|t| format!("{} — {}", t.attendee_name, t.tier_name)).unwrap_or_default();
    let (headline, detail) = match facts.outcome {
        ScanOutcome::Admitted => (format!("Welcome, {who}"), String::new()),
        ScanOutcome::AlreadyAdmitted => {
            let when = facts.admission.map(|a| admitted_detail(a, facts.timezone));
            let detail = [when.unwrap_or_default(), who].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
            ("Already checked in".to_owned(), detail.join(" · "))
        }
        ScanOutcome::Unpaid => {
            let due = own_ticket.map(|t| format_price(t.total_cents, &t.currency)).unwrap_or_default();
            let order = own_ticket.map(|t| format!("Order {} · {who}", t.order_number)).unwrap_or_default();
            (format!("Unpaid — collect {due}"), order)
        }
        ScanOutcome::WrongList => {
            let tier = own_ticket.map(|t| t.tier_name.as_str()).unwrap_or("This ticket");
            (facts.outcome.label().to_owned(), format!("{tier} is not taken at {} · {who}", facts.list.name))
        }
        ScanOutcome::OutsideWindow => {
            let now = Utc::now();
            let when = match (facts.list.opens_at, facts.list.closes_at) {
                (Some(opens), _) if now < opens => {
                    format!("{} opens at {}", facts.list.name, clock(opens, facts.timezone))
                }
                (_, Some(closes)) => format!("{} closed at {}", facts.list.name, clock(closes, facts.timezone)),
                _ => String::new(),
            };
            (facts.outcome.label().to_owned(), when)
        }
        ScanOutcome::WrongEvent => {
            let other = own_ticket.map(|t| format!("This ticket is for {}", t.event_name)).unwrap_or_default();
            (facts.outcome.label().to_owned(), other)
        }
        ScanOutcome::Undone => (facts.outcome.label().to_owned(), format!("{who} may be scanned again")),
        ScanOutcome::Cancelled | ScanOutcome::Refunded | ScanOutcome::PaymentIncomplete | ScanOutcome::Unknown => {
            (facts.outcome.label().to_owned(), who)
        }
    };
    Verdict {
        outcome: facts.outcome,
        headline,
        detail,
        ticket_id: own_ticket.map(|t| t.id),
        checkin_id: facts.checkin_id,
        amount_due: (facts.outcome == ScanOutcome::Unpaid)
            .then(|| own_ticket.map(|t| format_price(t.total_cents, &t.currency)))
            .flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn ticket() -> DoorTicket {
        DoorTicket {
            id: Uuid::from_u128(1),
            event_id: Uuid::from_u128(10),
            organization_id: Uuid::from_u128(100),
            event_name: "Toronto AI Summit".into(),
            tier_id: Uuid::from_u128(20),
            tier_name: "VIP".into(),
            status: TicketStatus::Active,
            order_id: Uuid::from_u128(30),
            order_number: "ORD-20261122-ABCDEFGH".into(),
            order_status: OrderStatus::Paid,
            payment_provider: PaymentMethod::Stripe,
            total_cents: 9500,
            currency: "CAD".into(),
            attendee_name: "Jane Doe".into(),
            in_list: true,
        }
    }

    fn list() -> ListRow {
        ListRow { id: Uuid::from_u128(40), name: "VIP entrance".into(), opens_at: None, closes_at: None }
    }

    fn judged(ticket: &DoorTicket, list: &ListRow) -> Judgement {
        judge(Some(ticket), Uuid::from_u128(10), list, Utc::now())
    }

    #[test]
    fn a_paid_valid_ticket_on_a_list_that_takes_its_tier_is_admitted() {
        assert_eq!(judged(&ticket(), &list()), Judgement::Admit);
        let used = DoorTicket { status: TicketStatus::Used, ..ticket() };
        assert_eq!(judged(&used, &list()), Judgement::Admit, "used on another list still enters this one");
    }

    #[test]
    fn each_reason_to_refuse_has_its_own_outcome() {
        let cases = [
            (DoorTicket { status: TicketStatus::Cancelled, ..ticket() }, ScanOutcome::Cancelled),
            (DoorTicket { order_status: OrderStatus::Expired, ..ticket() }, ScanOutcome::Cancelled),
            (DoorTicket { status: TicketStatus::Refunded, ..ticket() }, ScanOutcome::Refunded),
            (DoorTicket { status: TicketStatus::Reserved, ..ticket() }, ScanOutcome::PaymentIncomplete),
            (DoorTicket { order_status: OrderStatus::Pending, ..ticket() }, ScanOutcome::PaymentIncomplete),
            (DoorTicket { in_list: false, ..ticket() }, ScanOutcome::WrongList),
            (DoorTicket { event_id: Uuid::from_u128(11), ..ticket() }, ScanOutcome::WrongEvent),
        ];
        for (ticket, outcome) in cases {
            assert_eq!(judged(&ticket, &list()), Judgement::Refuse(outcome));
        }
        assert_eq!(judge(None, Uuid::from_u128(10), &list(), Utc::now()), Judgement::Refuse(ScanOutcome::Unknown));
    }

    #[test]
    fn an_unpaid_pay_at_the_door_order_is_collected_not_refused() {
        let unpaid =
            DoorTicket { order_status: OrderStatus::Pending, payment_provider: PaymentMethod::Offline, ..ticket() };
        assert_eq!(judged(&unpaid, &list()), Judgement::Collect);
        let words = verdict(&Facts {
            outcome: ScanOutcome::Unpaid,
            ticket: Some(&unpaid),
            organization_id: Uuid::from_u128(100),
            list: &list(),
            admission: None,
            checkin_id: None,
            timezone: "America/Toronto",
        });
        assert_eq!(words.headline, "Unpaid — collect $95.00");
        assert_eq!(words.amount_due.as_deref(), Some("$95.00"));
    }

    #[test]
    fn a_list_admits_only_inside_its_time_window() {
        let now = Utc::now();
        let later = ListRow { opens_at: Some(now + Duration::hours(1)), ..list() };
        let over = ListRow { closes_at: Some(now - Duration::minutes(1)), ..list() };
        let open =
            ListRow { opens_at: Some(now - Duration::hours(1)), closes_at: Some(now + Duration::hours(1)), ..list() };
        assert_eq!(judged(&ticket(), &later), Judgement::Refuse(ScanOutcome::OutsideWindow));
        assert_eq!(judged(&ticket(), &over), Judgement::Refuse(ScanOutcome::OutsideWindow));
        assert_eq!(judged(&ticket(), &open), Judgement::Admit);
    }

    #[test]
    fn already_checked_in_says_when_by_whom_and_on_which_device_in_the_events_time_zone() {
        let admitted_at = "2026-11-22T23:42:00Z".parse().unwrap();
        let admission = Admission { admitted_at, staff_name: "Sam".into(), device: "Door 2".into() };
        let words = verdict(&Facts {
            outcome: ScanOutcome::AlreadyAdmitted,
            ticket: Some(&ticket()),
            organization_id: Uuid::from_u128(100),
            list: &list(),
            admission: Some(&admission),
            checkin_id: None,
            timezone: "America/Toronto",
        });
        assert_eq!(words.headline, "Already checked in");
        assert_eq!(words.detail, "at 18:42 by Sam (Door 2) · Jane Doe — VIP");
    }

    #[test]
    fn another_organizations_ticket_reveals_nothing_about_it() {
        let foreign = DoorTicket { organization_id: Uuid::from_u128(999), event_id: Uuid::from_u128(12), ..ticket() };
        let words = verdict(&Facts {
            outcome: ScanOutcome::WrongEvent,
            ticket: Some(&foreign),
            organization_id: Uuid::from_u128(100),
            list: &list(),
            admission: None,
            checkin_id: None,
            timezone: "America/Toronto",
        });
        assert_eq!((words.headline.as_str(), words.detail.as_str()), ("Not for this event", ""));
        assert_eq!(words.ticket_id, None);
    }
}
