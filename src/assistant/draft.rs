//! What a conversation knows about its event: before the event exists, the fields gathered
//! so far (kept in `wizard_states.form_data`); after, the event itself, read again at every
//! turn so edits made by hand in the preview are what the assistant sees.

use crate::assistant::parser::{DEFAULT_CURRENCY, DEFAULT_TIMEZONE, Field};
use crate::assistant::{DraftPreview, PreviewTier, Stage};
use crate::events::service::EventForm;
use crate::events::{Currency, EventEditor, EventStatus, EventType, format_price};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tier known before the event exists, or read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftTier {
    pub name: String,
    /// Hundredths of the currency's unit, as the tools count them (see `to_minor`).
    pub price_cents: i64,
    pub active: bool,
}

/// The conversation's event, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub name: Option<String>,
    pub event_type: Option<EventType>,
    /// The first and last day (None: the same day) and the hours, in the event's time zone:
    /// kept apart so a day told before its hours (or after) is not lost.
    pub day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    /// None: the default (America/Toronto), shown as a default.
    pub timezone: Option<String>,
    pub capacity: Option<i32>,
    /// The venue as the organizer named it, and the venue it was matched to.
    pub venue: Option<String>,
    pub venue_id: Option<Uuid>,
    /// None: the default (CAD), shown as a default.
    pub currency: Option<String>,
    pub tiers: Vec<DraftTier>,
    pub description: Option<String>,
    pub status: Option<EventStatus>,
    /// The last reply asked for the new venue's street address.
    pub awaiting_venue_address: bool,
    /// What the last reply asked about, so a bare answer ("500", "Data Basics") is understood.
    pub asked: Vec<Field>,
}

impl Draft {
    /// What the event needs before it can be saved as a draft.
    pub fn missing_for_event(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.name.is_none() {
            missing.push("name");
        }
        if self.day.is_none() {
            missing.push("day");
        }
        if self.start_time.is_none() {
            missing.push("start");
        }
        if self.end_time.is_none() {
            missing.push("end");
        }
        if self.capacity.is_none() {
            missing.push("capacity");
        }
        missing
    }

    pub fn start(&self) -> Option<NaiveDateTime> {
        Some(self.day?.and_time(self.start_time?))
    }

    /// The last day at the end hour; the next day when that is not after the start (9pm–2am).
    pub fn end(&self) -> Option<NaiveDateTime> {
        let end = self.last_day.or(self.day)?.and_time(self.end_time?);
        match self.start() {
            Some(start) if end <= start => Some(end + Duration::days(1)),
            _ => Some(end),
        }
    }

    pub fn start_local(&self) -> Option<String> {
        self.start().map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
    }

    pub fn end_local(&self) -> Option<String> {
        self.end().map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
    }

    /// Sets the start and end from full local times.
    pub fn set_times(&mut self, start: NaiveDateTime, end: NaiveDateTime) {
        self.day = Some(start.date());
        self.start_time = Some(start.time());
        self.last_day = (end.date() != start.date()).then_some(end.date());
        self.end_time = Some(end.time());
    }

    pub fn timezone_name(&self) -> &str {
        self.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE)
    }

    pub fn currency_code(&self) -> &str {
        self.currency.as_deref().unwrap_or(DEFAULT_CURRENCY)
    }

    pub fn tz(&self) -> Tz {
        self.timezone_name().parse().unwrap_or(chrono_tz::America::Toronto)
    }

    /// The event form the events domain validates, once everything required is known.
    pub fn event_form(&self) -> Option<EventForm> {
        Some(EventForm {
            name: self.name.clone()?,
            event_type: self.event_type.unwrap_or(EventType::Other).as_str().to_string(),
            description: self.description.clone().unwrap_or_default(),
            venue_id: self.venue_id.map(|id| id.to_string()),
            start_local: self.start_local()?,
            end_local: self.end_local()?,
            timezone: Some(self.timezone_name().to_string()),
            capacity: self.capacity?.to_string(),
            visibility: "public".into(),
            currency: Some(self.currency_code().to_string()),
            allow_registrations: true,
            offline_payments: false,
            offline_payment_days: None,
        })
    }

    /// The event as it is now, keeping what only the conversation knows (which values are
    /// defaults, the venue's name as typed, a question waiting for an answer).
    pub fn refreshed_from(&self, event: &EventEditor, venue_name: Option<String>) -> Draft {
        let mut draft = Draft {
            name: Some(event.name.clone()),
            event_type: Some(event.event_type),
            day: None,
            last_day: None,
            start_time: None,
            end_time: None,
            timezone: if self.timezone.is_none() && event.timezone == DEFAULT_TIMEZONE {
                None
            } else {
                Some(event.timezone.clone())
            },
            capacity: Some(event.capacity),
            venue: venue_name.or_else(|| self.venue.clone()),
            venue_id: event.venue_id,
            currency: if self.currency.is_none() && event.currency == DEFAULT_CURRENCY {
                None
            } else {
                Some(event.currency.clone())
            },
            tiers: event
                .tiers
                .iter()
                .map(|t| DraftTier {
                    name: t.name.clone(),
                    price_cents: to_hundredths(t.price_cents, &event.currency),
                    active: t.is_active,
                })
                .collect(),
            description: Some(event.description.clone()).filter(|d| !d.trim().is_empty()),
            status: Some(event.status),
            awaiting_venue_address: self.awaiting_venue_address,
            asked: self.asked.clone(),
        };
        if let (Some(start), Some(end)) = (parse_local(&event.start_local), parse_local(&event.end_local)) {
            draft.set_times(start, end);
        }
        draft
    }

    /// The stage the event is at, and the stages done.
    pub fn stage(&self, event_exists: bool) -> (Stage, Vec<Stage>) {
        let order = [Stage::Basics, Stage::Venue, Stage::Tickets, Stage::Review, Stage::Published];
        let current =
            if matches!(self.status, Some(EventStatus::Published | EventStatus::Live | EventStatus::Completed)) {
                Stage::Published
            } else if !event_exists {
                Stage::Basics
            } else if self.venue_id.is_none() {
                Stage::Venue
            } else if !self.tiers.iter().any(|t| t.active) {
                Stage::Tickets
            } else {
                Stage::Review
            };
        let mut done: Vec<Stage> = order.iter().copied().take_while(|s| *s != current).collect();
        // A venue is optional: with tickets set, the venue stage is passed, not done.
        if current == Stage::Venue && self.tiers.iter().any(|t| t.active) {
            done.push(Stage::Tickets);
        }
        if current == Stage::Published {
            done.push(Stage::Published);
        }
        (current, done)
    }

    pub fn preview(&self, event_id: Option<Uuid>) -> DraftPreview {
        let (stage, completed) = self.stage(event_id.is_some());
        let currency = self.currency_code().to_string();
        DraftPreview {
            event_id,
            status: self.status.map(|s| s.label().to_string()),
            stage: Some(stage),
            completed,
            name: self.name.clone(),
            event_type: self.event_type.map(|t| t.label().to_string()),
            when: self.when(),
            start_local: self.start_local(),
            end_local: self.end_local(),
            timezone: self.timezone_name().to_string(),
            timezone_is_default: self.timezone.is_none(),
            venue: self.venue.clone(),
            capacity: self.capacity,
            currency: currency.clone(),
            currency_is_default: self.currency.is_none(),
            tiers: self
                .tiers
                .iter()
                .map(|t| PreviewTier {
                    name: t.name.clone(),
                    price: hundredths_label(t.price_cents, &currency),
                    active: t.active,
                })
                .collect(),
            description: self.description.clone(),
        }
    }

    /// "Fri 12 Mar 2027, 09:00–17:00 EST (UTC−5)"; the start alone while the end is unknown.
    pub fn when(&self) -> Option<String> {
        let tz = self.tz();
        let Some(start) = self.start() else {
            return self.day.map(|day| day.format("%a %-d %b %Y").to_string());
        };
        let start_at = tz.from_local_datetime(&start).earliest()?;
        let zone = |at: chrono::DateTime<Tz>| {
            format!("{} ({})", at.format("%Z"), utc_offset(at.offset().fix().local_minus_utc()))
        };
        let Some(end) = self.end() else {
            return Some(format!("{}, {} {}", start.format("%a %-d %b %Y"), start.format("%H:%M"), zone(start_at)));
        };
        let end_at = tz.from_local_datetime(&end).earliest()?;
        Some(if start.date() == end.date() {
            format!(
                "{}, {}–{} {}",
                start.format("%a %-d %b %Y"),
                start.format("%H:%M"),
                end.format("%H:%M"),
                zone(end_at)
            )
        } else {
            format!(
                "{}, {} – {}, {} {}",
                start.format("%a %-d %b %Y"),
                start.format("%H:%M"),
                end.format("%a %-d %b %Y"),
                end.format("%H:%M"),
                zone(end_at)
            )
        })
    }
}

fn parse_local(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M").ok()
}

/// "UTC−5", "UTC+5:30", "UTC".
pub fn utc_offset(seconds: i32) -> String {
    if seconds == 0 {
        return "UTC".into();
    }
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = seconds.abs() / 60;
    if minutes % 60 == 0 {
        format!("UTC{sign}{}", minutes / 60)
    } else {
        format!("UTC{sign}{}:{:02}", minutes / 60, minutes % 60)
    }
}

/// Tools and drafts count prices in hundredths of the currency's unit ($12.50 is 1250,
/// ¥500 is 50000, 25 KWD is 2500); the events domain in the currency's minor units (¥500 is
/// 500, 25 KWD is 25000). A price finer than the currency can hold is refused.
pub fn to_minor(hundredths: i64, currency: &str) -> Result<i64, String> {
    match Currency::from_code(currency).map_or(2, Currency::decimals) {
        0 if hundredths % 100 != 0 => Err(format!("{currency} has no smaller unit: give a whole price.")),
        0 => Ok(hundredths / 100),
        1 => Ok(hundredths / 10),
        2 => Ok(hundredths),
        d => Ok(hundredths.saturating_mul(10_i64.pow(d - 2))),
    }
}

/// Minor units of `currency` as hundredths of its unit (rounded down past the hundredth).
pub fn to_hundredths(minor: i64, currency: &str) -> i64 {
    match Currency::from_code(currency).map_or(2, Currency::decimals) {
        0 => minor.saturating_mul(100),
        1 => minor.saturating_mul(10),
        2 => minor,
        d => minor / 10_i64.pow(d - 2),
    }
}

/// The label of a price in hundredths.
pub fn hundredths_label(hundredths: i64, currency: &str) -> String {
    price_label(to_minor(hundredths, currency).unwrap_or(hundredths), currency)
}

/// "$599.00 CAD", "Free": a price in the currency's minor units.
pub fn price_label(cents: i64, currency: &str) -> String {
    if cents == 0 { "Free".into() } else { format!("{} {currency}", format_price(cents, currency)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(local: &str) -> NaiveDateTime {
        parse_local(local).unwrap()
    }

    #[test]
    fn the_preview_reads_times_back_with_the_zone_and_its_offset() {
        let mut draft = Draft::default();
        draft.set_times(at("2027-03-12T09:00"), at("2027-03-12T17:00"));
        assert_eq!(draft.when().as_deref(), Some("Fri 12 Mar 2027, 09:00–17:00 EST (UTC−5)"));
        let mut summer = Draft { timezone: Some("Asia/Kolkata".into()), ..Draft::default() };
        summer.set_times(at("2027-05-20T09:00"), at("2027-05-21T17:00"));
        assert_eq!(summer.when().as_deref(), Some("Thu 20 May 2027, 09:00 – Fri 21 May 2027, 17:00 IST (UTC+5:30)"));
    }

    #[test]
    fn prices_are_written_in_each_currencys_own_units() {
        assert_eq!(to_minor(59900, "CAD"), Ok(59900));
        assert_eq!(to_minor(50000, "JPY"), Ok(500), "¥500");
        assert!(to_minor(1250, "JPY").is_err(), "¥12.50 does not exist");
        assert_eq!(to_minor(2500, "KWD"), Ok(25000), "25 KWD in fils");
        assert_eq!(to_hundredths(500, "JPY"), 50000);
        assert_eq!(to_hundredths(25000, "KWD"), 2500);
        assert_eq!(hundredths_label(50000, "JPY"), "¥500 JPY");
    }

    #[test]
    fn an_event_needs_a_name_times_and_a_capacity_before_it_is_saved() {
        let mut draft = Draft { name: Some("Summit".into()), ..Draft::default() };
        assert_eq!(draft.missing_for_event(), ["day", "start", "end", "capacity"]);
        draft.day = NaiveDate::from_ymd_opt(2027, 3, 12);
        draft.start_time = NaiveTime::from_hms_opt(21, 0, 0);
        draft.end_time = NaiveTime::from_hms_opt(2, 0, 0);
        assert_eq!(draft.end_local().as_deref(), Some("2027-03-13T02:00"), "an end before the start is the next day");
        draft.capacity = Some(10);
        assert!(draft.event_form().is_some());
        assert_eq!(draft.event_form().unwrap().currency.as_deref(), Some("CAD"));
    }
}
