//! How an organization's events are doing, for its organizers: what needs them now, sales
//! and revenue over time (read from the daily rollups the sales themselves keep, never from
//! aggregates over tickets), and today's check-in.

#[cfg(feature = "ssr")]
pub mod activity;
pub mod api;
#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod service;

use crate::events::EventStatus;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many days the overview's sales cover (and the days before, to compare with).
pub const WINDOW_DAYS: i64 = 30;
/// Unpaid pay-at-the-door orders this close to their deadline need the organizer.
pub const DEADLINE_WARNING_HOURS: i64 = 48;
/// Drafts starting this soon need publishing.
pub const DRAFT_WARNING_DAYS: i64 = 7;
/// Ticket sales ending this soon are worth a look.
pub const SALES_CLOSING_HOURS: i64 = 72;
/// Items shown per kind of attention.
pub const ATTENTION_LIMIT: i64 = 10;

/// One bar of a chart: what it stands for on the x axis, its height, and its value in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// "$1,250.00" or "12": what the table and the tooltip say.
    pub shown: String,
}

text_enum!(
    /// Why something is on the "needs attention" list.
    AttentionKind {
        OfflineDeadline => "offline_deadline", "Payment deadline";
        FlaggedOrder => "flagged_order", "Flagged order";
        DraftStartingSoon => "draft_starting_soon", "Draft starting soon";
        SalesClosing => "sales_closing", "Sales closing";
    }
);

/// One thing that needs the organizer, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub kind: AttentionKind,
    pub text: String,
    pub link: String,
}

/// Revenue in one currency over the window, and over the window before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueFigure {
    pub currency: String,
    pub amount: String,
    pub previous: String,
    /// "+12 %", "−5 %", or "new" when nothing was sold before.
    pub change: String,
}

/// An event's revenue so far, net of refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRevenue {
    pub event_id: Uuid,
    pub name: String,
    pub currency: String,
    pub cents: i64,
    pub amount: String,
}

/// The organizer's overview (`/dashboard`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub organization_name: String,
    pub timezone: String,
    pub attention: Vec<Attention>,
    pub upcoming_events: i64,
    pub tickets: i64,
    pub tickets_previous: i64,
    pub tickets_change: String,
    pub revenue: Vec<RevenueFigure>,
    /// Checked in / expected across events happening today; `None` when none is.
    pub checkin_today: Option<(i64, i64)>,
    /// Tickets sold per day over the window, oldest first, every day present.
    pub daily_tickets: Vec<Bar>,
    /// Net revenue per event, largest first, in the organization's main currency.
    pub revenue_by_event: Vec<EventRevenue>,
}

/// One tier's sales: sold (paid), held (reserved or awaiting payment) and what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierSales {
    pub name: String,
    pub capacity: i32,
    pub sold: i64,
    pub held: i64,
    pub revenue: String,
    /// The funnel's lower steps for this tier: orders that asked for it, those paid, and its
    /// tickets checked in.
    pub orders_placed: i64,
    pub orders_paid: i64,
    pub checked_in: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoUse {
    pub code: String,
    pub used: i32,
    pub max_uses: Option<i32>,
    pub active: bool,
}

/// Who changed what on an event, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub when: String,
    pub who: String,
    pub text: String,
}

/// How many activity entries the event page shows.
pub const ACTIVITY_SHOWN: i64 = 50;

/// How one event is doing (`/dashboard/events/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInsights {
    pub event_id: Uuid,
    pub name: String,
    pub status: EventStatus,
    pub timezone: String,
    pub currency: String,
    pub tiers: Vec<TierSales>,
    pub orders: i64,
    pub revenue: String,
    pub refunded: String,
    pub average_order: String,
    pub promos: Vec<PromoUse>,
    /// Tickets sold per day of the event's time zone, the last `WINDOW_DAYS` days.
    pub daily_tickets: Vec<Bar>,
    pub page_views: i64,
    pub checkouts_opened: i64,
    pub activity: Vec<ActivityEntry>,
}

/// "+12 %", "−5 %", "±0 %" or "new": the change from `previous` to `now`.
pub fn change(now: i64, previous: i64) -> String {
    if previous == 0 {
        return if now == 0 { "±0 %".to_owned() } else { "new".to_owned() };
    }
    let percent = ((now - previous) as f64 / previous as f64 * 100.0).round() as i64;
    match percent {
        0 => "±0 %".to_owned(),
        p if p > 0 => format!("+{p} %"),
        p => format!("−{} %", -p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_a_rounded_percentage_with_its_sign() {
        assert_eq!(change(112, 100), "+12 %");
        assert_eq!(change(95, 100), "−5 %");
        assert_eq!(change(100, 100), "±0 %");
        assert_eq!(change(1, 3), "−67 %");
        assert_eq!(change(5, 0), "new");
        assert_eq!(change(0, 0), "±0 %");
    }
}

text_enum!(
    /// The order of the attendee table.
    AttendeeSort {
        Name => "name", "Name";
        Email => "email", "E-mail";
        Tier => "tier", "Tier";
        Order => "order", "Order";
        Paid => "paid", "Paid";
        CheckedIn => "checked_in", "Checked in";
    }
);

/// Attendees shown per page of the table.
pub const ATTENDEES_PER_PAGE: i64 = 50;

/// One ticket's holder in the attendee table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeRow {
    pub name: String,
    pub email: String,
    pub tier: String,
    pub ticket_number: String,
    pub order_id: Uuid,
    pub order_number: String,
    /// "Paid", "Unpaid", "Cancelled" or "Refunded".
    pub payment: String,
    pub checked_in: bool,
}

/// One page of an event's attendees, as searched and sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeePage {
    pub event_id: Uuid,
    pub event_name: String,
    pub query: String,
    pub sort: AttendeeSort,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub rows: Vec<AttendeeRow>,
}
