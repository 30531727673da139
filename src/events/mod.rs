//! Events, their ticket tiers and venues: the wire types, and the rules that need no database.

pub mod api;
#[cfg(feature = "ssr")]
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod http;
pub mod money;
#[cfg(feature = "ssr")]
pub mod public;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod tiers;
#[cfg(feature = "ssr")]
pub mod time;

pub use money::{Currency, format_amount, format_price};

use crate::venues::PublicVenue;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum!(
    /// What kind of event it is.
    EventType {
        Conference => "conference", "Conference";
        Seminar => "seminar", "Seminar";
        Workshop => "workshop", "Workshop";
        Networking => "networking", "Networking";
        Other => "other", "Other";
    }
);

text_enum!(
    /// Where an event is in its life.
    EventStatus {
        Draft => "draft", "Draft";
        Published => "published", "Published";
        Live => "live", "Live";
        Completed => "completed", "Completed";
        Cancelled => "cancelled", "Cancelled";
    }
);

text_enum!(
    /// Who can find an event.
    Visibility {
        Public => "public", "Public: listed on the home page";
        Unlisted => "unlisted", "Unlisted: anyone with the link";
        Private => "private", "Private: your organization only";
    }
);

impl EventStatus {
    /// Whether attendees can see the event page (subject to visibility).
    pub fn is_visible_to_public(self) -> bool {
        !matches!(self, EventStatus::Draft)
    }

    /// The statuses an organizer may move to from this one, as offered in the editor.
    pub fn next_steps(self) -> &'static [EventStatus] {
        use EventStatus::*;
        match self {
            Draft => &[Published, Cancelled],
            Published => &[Live, Draft, Cancelled],
            Live => &[Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    /// Checks one status change against the event's life cycle.
    /// `sold` counts tickets sold; `active_tiers` counts tiers on sale.
    /// Whether the event may move to `to`, given its tickets sold or held (`taken`) and
    /// its active tiers.
    pub fn check_transition(self, to: EventStatus, taken: i64, active_tiers: i64) -> Result<(), String> {
        use EventStatus::*;
        if !self.next_steps().contains(&to) {
            return Err(format!(
                "A {} event cannot become {}.",
                self.label().to_lowercase(),
                to.label().to_lowercase()
            ));
        }
        match (self, to) {
            (Draft, Published) if active_tiers == 0 => {
                Err("Add at least one active ticket tier before publishing.".into())
            }
            (Published, Draft) if taken > 0 => {
                Err("Tickets are sold or held for this event, so it cannot go back to draft. Cancel it instead.".into())
            }
            _ => Ok(()),
        }
    }
}

/// A ticket tier as the organizer manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub price: String,
    pub capacity: i32,
    pub sold: i64,
    pub available: i64,
    /// Local times in the event's time zone, as `datetime-local` inputs want them.
    pub sales_start_local: Option<String>,
    pub sales_end_local: Option<String>,
    pub min_per_order: i32,
    pub max_per_order: i32,
    pub is_active: bool,
    pub sort_order: i32,
    /// "12 left", "Sold out", "Sales open Mar 1", "Sales ended".
    pub availability: String,
    pub on_sale: bool,
}

/// One row of the organizer's event list.
/// The dashboard's home: the organization, and its events for those who may see them
/// (admins and owners; staff have the door instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardOverview {
    pub organization: crate::organizations::OrganizationOverview,
    pub events: Option<Vec<EventSummary>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub event_type: EventType,
    pub status: EventStatus,
    pub visibility: Visibility,
    pub when: String,
    pub venue_name: Option<String>,
    pub city: Option<String>,
    pub capacity: i32,
    pub sold: i64,
    pub cover_url: Option<String>,
    pub price_from: Option<String>,
}

/// Everything the organizer's editor shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEditor {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub event_type: EventType,
    pub description: String,
    pub venue_id: Option<Uuid>,
    pub start_local: String,
    pub end_local: String,
    pub capacity: i32,
    pub status: EventStatus,
    pub visibility: Visibility,
    pub currency: String,
    pub timezone: String,
    pub allow_registrations: bool,
    /// Buyers may reserve now and pay at the door or by invoice.
    pub offline_payments: bool,
    /// Days an unpaid offline order has to pay (never past the event's start).
    pub offline_payment_days: i32,
    pub cover_url: Option<String>,
    pub sold: i64,
    pub tiers: Vec<TierView>,
    pub venue_capacity: Option<i32>,
}

/// The public event page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicEvent {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub event_type: EventType,
    pub status: EventStatus,
    pub description: String,
    pub when: String,
    pub start_iso: String,
    pub end_iso: String,
    pub timezone: String,
    pub currency: String,
    pub organizer_name: String,
    pub venue: Option<PublicVenue>,
    pub cover_url: Option<String>,
    pub tiers: Vec<TierView>,
    pub available: i64,
}

impl PublicEvent {
    /// A link that opens the venue's address on a map.
    pub fn map_url(&self) -> Option<String> {
        let venue = self.venue.as_ref()?;
        let query = format!("{}, {}, {}, {}", venue.address, venue.city, venue.province, venue.country);
        Some(format!("https://www.openstreetmap.org/search?query={}", encode_query(&query)))
    }
}

/// Percent-encodes a query-string value.
pub fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Filters of the public listing, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilters {
    pub q: Option<String>,
    pub event_type: Option<String>,
    pub city: Option<String>,
    /// `YYYY-MM-DD`, in Toronto time.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
}

impl EventFilters {
    pub const PAGE_SIZE: i64 = 12;

    /// The URL of another page of the same results.
    pub fn url_for_page(&self, page: i64) -> String {
        let mut pairs = Vec::new();
        for (key, value) in
            [("q", &self.q), ("type", &self.event_type), ("city", &self.city), ("from", &self.from), ("to", &self.to)]
        {
            if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                pairs.push(format!("{key}={}", encode_query(value)));
            }
        }
        if page > 1 {
            pairs.push(format!("page={page}"));
        }
        if pairs.is_empty() { "/".into() } else { format!("/?{}", pairs.join("&")) }
    }
}

/// One page of the public listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventSummary>,
    pub page: i64,
    pub total: i64,
    pub cities: Vec<String>,
}

impl EventPage {
    pub fn page_count(&self) -> i64 {
        ((self.total + EventFilters::PAGE_SIZE - 1) / EventFilters::PAGE_SIZE).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventStatus::*;

    #[test]
    fn events_move_forward_along_their_life_cycle() {
        assert!(Draft.check_transition(Published, 0, 1).is_ok());
        assert!(Published.check_transition(Live, 10, 1).is_ok());
        assert!(Live.check_transition(Completed, 10, 1).is_ok());
    }

    #[test]
    fn publishing_needs_an_active_tier() {
        assert_eq!(
            Draft.check_transition(Published, 0, 0),
            Err("Add at least one active ticket tier before publishing.".into())
        );
    }

    #[test]
    fn a_published_event_goes_back_to_draft_only_while_nothing_is_sold() {
        assert!(Published.check_transition(Draft, 0, 1).is_ok());
        assert!(Published.check_transition(Draft, 1, 1).is_err());
    }

    #[test]
    fn anything_but_a_completed_event_can_be_cancelled() {
        for from in [Draft, Published, Live] {
            assert!(from.check_transition(Cancelled, 5, 1).is_ok(), "{from:?}");
        }
        assert!(Completed.check_transition(Cancelled, 5, 1).is_err());
        assert!(Cancelled.check_transition(Published, 0, 1).is_err());
    }

    #[test]
    fn skipping_steps_is_refused() {
        assert!(Draft.check_transition(Live, 0, 1).is_err());
        assert!(Draft.check_transition(Completed, 0, 1).is_err());
        assert!(Live.check_transition(Published, 0, 1).is_err());
    }

    #[test]
    fn listing_urls_keep_every_filter_and_the_page() {
        let filters = EventFilters { q: Some("ai summit".into()), city: Some("Toronto".into()), ..Default::default() };
        assert_eq!(filters.url_for_page(2), "/?q=ai+summit&city=Toronto&page=2");
        assert_eq!(EventFilters::default().url_for_page(1), "/");
    }

    #[test]
    fn enums_round_trip_through_their_stored_names() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        for s in EventStatus::ALL {
            assert_eq!(EventStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Visibility::parse("secret"), None);
    }
}
