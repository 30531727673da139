//! The built-in assistant's reading of an organizer's message: a deterministic parser for
//! how organizers write about an event (its name, kind, days and hours, venue, capacity,
//! tiers and prices). It never guesses: what is missing is asked for, and what could be
//! read two ways becomes a question instead of a value.
//!
//! Readers run in a fixed order over one token list; each marks the tokens it used, so a
//! number read as a price is never also a capacity or an hour.

pub mod dates;
mod forms;
mod money;
mod names;
mod people;
mod places;
mod relative;
mod times;
mod tokens;
mod words;

pub use dates::Days;
pub use money::TierReading;
pub use times::Times;

use crate::events::EventType;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use tokens::Tokens;

/// The time zone and currency an event gets when the message names none; the preview
/// shows them as defaults.
pub const DEFAULT_TIMEZONE: &str = "America/Toronto";
pub const DEFAULT_CURRENCY: &str = "CAD";

/// What a token was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Date,
    Time,
    Price,
    Tier,
    Capacity,
    Name,
    Venue,
    Zone,
}

/// A field of the draft the assistant may have to ask about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Name,
    Date,
    Start,
    End,
    Capacity,
    Tickets,
    Currency,
}

/// One thing to ask the organizer. Several fields may share one sentence; the others then
/// carry no text of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub field: Field,
    pub text: Option<String>,
}

/// A message being read: its tokens, which are taken, and the questions raised so far.
pub struct Scan<'a> {
    pub t: Tokens<'a>,
    used: Vec<Option<Use>>,
    pub today: NaiveDate,
    questions: Vec<Question>,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str, today: NaiveDate) -> Self {
        let t = Tokens::new(text);
        let used = vec![None; t.len()];
        Scan { t, used, today, questions: Vec::new() }
    }

    /// Whether token `i` exists and no reader has taken it.
    pub fn free(&self, i: usize) -> bool {
        self.used.get(i).is_some_and(Option::is_none)
    }

    pub fn used(&self, i: usize) -> Option<Use> {
        self.used.get(i).copied().flatten()
    }

    /// Takes tokens `from..=to` that are still free.
    pub fn mark(&mut self, from: usize, to: usize, what: Use) {
        for slot in self.used.iter_mut().take(to.saturating_add(1)).skip(from) {
            slot.get_or_insert(what);
        }
    }

    /// Raises a question about `field` (the first one asked about a field is kept).
    pub fn ask(&mut self, field: Field, text: String) {
        if !self.asked(field) {
            self.questions.push(Question { field, text: Some(text) });
        }
    }

    /// Marks `field` as in doubt, covered by another question's sentence.
    pub fn ask_quietly(&mut self, field: Field) {
        if !self.asked(field) {
            self.questions.push(Question { field, text: None });
        }
    }

    pub fn asked(&self, field: Field) -> bool {
        self.questions.iter().any(|q| q.field == field)
    }
}

/// What one message says about an event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reading {
    pub name: Option<String>,
    pub event_type: Option<EventType>,
    pub days: Option<Days>,
    pub times: Times,
    /// Named in the message (a zone or a city); None means the default.
    pub timezone: Option<&'static str>,
    pub capacity: Option<i32>,
    pub venue: Option<String>,
    /// Named in the message; None means the default.
    pub currency: Option<&'static str>,
    pub tiers: Vec<TierReading>,
    /// What the message leaves in doubt (ambiguous, not merely missing).
    pub doubts: Vec<Question>,
}

/// Reads one message written on `today` (the organizer's local date).
pub fn read(text: &str, today: NaiveDate) -> Reading {
    let mut scan = Scan::new(text, today);
    let quoted = names::read_quoted(&mut scan);
    let prices = money::read_prices(&mut scan);
    let days = dates::read(&mut scan);
    let times = times::read(&mut scan, days.is_some_and(|d| d.last != d.first));
    let capacity = people::read(&mut scan);
    let form = forms::read(&mut scan);
    let venue = match form.venue {
        Some(venue) => venue,
        None => names::read_venue(&mut scan).map(|v| forms::strip_article(&v)),
    };
    let name =
        quoted.or(form.name).or_else(|| names::read_marked(&mut scan)).or_else(|| names::read_capitalised(&mut scan));
    let venue = venue.or_else(|| names::read_unmarked_venue(&mut scan));
    let tiers = money::read_tiers(&mut scan, &prices);
    let event_type = names::read_kind(&scan);
    let place = places::read(&mut scan);
    let named_currency = prices.found.iter().find_map(|p| p.currency);
    let charges = tiers.iter().any(|t| t.price_cents > 0);
    if prices.bare_dollars && named_currency.is_none() && place.abroad && charges {
        let question = if place.american {
            "Are the prices in US dollars or Canadian dollars?"
        } else {
            "Which currency are the prices in?"
        };
        scan.ask(Field::Currency, question.into());
    }
    Reading {
        name,
        event_type,
        days,
        times,
        timezone: place.zone,
        capacity,
        venue,
        currency: named_currency,
        tiers,
        doubts: scan.questions,
    }
}

impl Reading {
    pub fn doubts_about(&self, field: Field) -> bool {
        self.doubts.iter().any(|q| q.field == field)
    }

    pub fn timezone_name(&self) -> &'static str {
        self.timezone.unwrap_or(DEFAULT_TIMEZONE)
    }

    pub fn currency_code(&self) -> &'static str {
        self.currency.unwrap_or(DEFAULT_CURRENCY)
    }

    /// The start in the event's local time, when the day and the hour are both certain.
    pub fn start(&self) -> Option<NaiveDateTime> {
        if self.doubts_about(Field::Date) || self.doubts_about(Field::Start) {
            return None;
        }
        Some(self.days?.first.and_time(self.times.start?))
    }

    /// The end in the event's local time: the last day at the end hour (the next day when
    /// that is not after the start), or the start plus a duration.
    pub fn end(&self) -> Option<NaiveDateTime> {
        if self.doubts_about(Field::Date) || self.doubts_about(Field::End) {
            return None;
        }
        let days = self.days?;
        match (self.times.end, self.start(), self.times.duration) {
            (Some(end), start, _) => {
                let at = days.last.and_time(end);
                match start {
                    Some(start) if at <= start => Some(at + Duration::days(1)),
                    _ => Some(at),
                }
            }
            (None, Some(start), Some(duration)) => Some(start + duration),
            _ => None,
        }
    }

    /// What the assistant asks after a first message: every doubt, and every required
    /// field the message left out (name, day, hours, capacity, tickets).
    pub fn questions(&self) -> Vec<Question> {
        let mut questions = self.doubts.clone();
        let mut missing = |field: Field, text: Option<&str>| {
            if !questions.iter().any(|q| q.field == field) {
                questions.push(Question { field, text: text.map(str::to_string) });
            }
        };
        if self.name.is_none() {
            missing(Field::Name, Some("What should the event be called?"));
        }
        if self.days.is_none() {
            missing(Field::Date, Some("Which day is it?"));
        }
        let no_end = self.times.end.is_none() && self.times.duration.is_none();
        match (self.times.start.is_none(), no_end) {
            (true, true) => {
                missing(Field::Start, Some("What time does it start and end?"));
                missing(Field::End, None);
            }
            (true, false) => missing(Field::Start, Some("What time does it start?")),
            (false, true) => missing(Field::End, Some("What time does it end?")),
            (false, false) => {}
        }
        if self.capacity.is_none() {
            missing(Field::Capacity, Some("How many people can attend?"));
        }
        if self.tiers.is_empty() {
            missing(Field::Tickets, Some("What do tickets cost — or is it free?"));
        }
        questions.sort_by_key(|q| q.field);
        questions
    }

    /// The reading as `eventos assistant eval` prints it.
    pub fn summary(&self) -> Summary {
        let questions = self.questions();
        let asked = |field: Field| questions.iter().any(|q| q.field == field);
        Summary {
            name: self.name.clone().filter(|_| !asked(Field::Name)),
            event_type: self.event_type.map(|t| t.as_str().to_string()),
            start: self.start().map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
            end: self.end().map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
            timezone: self.timezone_name().to_string(),
            capacity: self.capacity.filter(|_| !asked(Field::Capacity)),
            venue: self.venue.clone(),
            currency: self.currency_code().to_string(),
            tiers: self
                .tiers
                .iter()
                .map(|t| SummaryTier { name: t.name.clone(), price_cents: t.price_cents })
                .collect(),
            questions: questions.iter().filter_map(|q| q.text.clone()).collect(),
        }
    }
}

/// One line of `eventos assistant eval`'s output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub timezone: String,
    pub capacity: Option<i32>,
    pub venue: Option<String>,
    pub currency: String,
    pub tiers: Vec<SummaryTier>,
    pub questions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryTier {
    pub name: String,
    pub price_cents: i64,
}

#[cfg(test)]
mod tests;
