//! Vocabulary shared by the readers: who attends, what tiers are called, which words end a
//! name, and the kinds of event.

use super::Scan;
use crate::events::EventType;

/// Nouns counting people: "500 people", "30 seats".
pub const PEOPLE: &[&str] = &[
    "people",
    "persons",
    "person",
    "attendees",
    "attendee",
    "guests",
    "guest",
    "participants",
    "participant",
    "delegates",
    "delegate",
    "seats",
    "seat",
    "spots",
    "spot",
    "places",
    "tickets",
    "registrants",
    "pax",
    "ppl",
    "visitors",
    "folks",
    "heads",
    "members",
    "capacity",
    "pp",
    "reps",
    "players",
    "golfers",
    "hackers",
    "runners",
    "kids",
    "children",
    "trainees",
    "students",
    "staff",
    "employees",
    "mats",
    "learners",
    "volunteers",
    "riders",
    "diners",
    "cyclists",
    "walkers",
    "teens",
];

/// Words organizers call a ticket tier by; a bare number after one is a price.
pub const TIER_WORDS: &[&str] = &[
    "general",
    "admission",
    "ga",
    "vip",
    "early",
    "bird",
    "earlybird",
    "regular",
    "standard",
    "student",
    "students",
    "member",
    "members",
    "non-member",
    "nonmember",
    "nonmembers",
    "premium",
    "basic",
    "adult",
    "adults",
    "child",
    "children",
    "kids",
    "kid",
    "senior",
    "seniors",
    "youth",
    "staff",
    "speaker",
    "speakers",
    "sponsor",
    "exhibitor",
    "virtual",
    "online",
    "in-person",
    "group",
    "table",
    "day",
    "pass",
    "full",
    "all-access",
    "backstage",
    "platinum",
    "gold",
    "silver",
    "bronze",
    "patron",
    "supporter",
    "donor",
    "community",
    "professional",
    "professionals",
    "academic",
    "nonprofit",
    "corporate",
    "team",
    "family",
    "couple",
    "couples",
    "single",
    "late",
    "last",
    "minute",
    "workshop",
    "conference",
    "dinner",
    "gala",
    "alumni",
    "faculty",
    "startup",
    "startups",
    "founder",
    "founders",
    "investor",
    "investors",
    "press",
    "media",
    "tier",
    "tiers",
    "ticket",
    "regular-price",
    "door",
    "advance",
];

/// Words never part of a tier's name; they end it when read backwards from a price.
pub const NAME_STOPS: &[&str] = &[
    "and", "or", "with", "plus", "but", "then", "a", "an", "at", "for", "on", "in", "to", "from", "is", "are", "be",
    "will", "cost", "costs", "costing", "priced", "price", "prices", "pricing", "charge", "charging", "sell",
    "selling", "sold", "each", "per", "we", "i", "it", "it's", "its", "they", "our", "us", "you", "create", "make",
    "set", "add", "have", "has", "want", "need", "like", "would", "should", "let's", "lets", "please", "up", "called",
    "named", "titled", "between", "about", "around", "roughly", "only", "just", "also", "while", "where", "which",
    "who", "that", "this", "these", "those", "there", "here", "of", "by", "as", "than", "change", "raise", "lower",
    "bump", "increase", "reduce", "update", "now", "instead", "drop", "move", "the",
];

pub fn is_people_word(scan: &Scan, i: usize) -> bool {
    scan.t.is_any_word(i, PEOPLE)
}

/// Whether the words appear one after another somewhere in the message.
pub fn has_phrase(scan: &Scan, phrase: &[&str]) -> bool {
    phrase_at_any(scan, phrase).is_some()
}

/// The index of the first token of the phrase's first occurrence.
pub fn phrase_at_any(scan: &Scan, phrase: &[&str]) -> Option<usize> {
    (0..scan.t.len()).find(|&i| phrase_at(scan, i, phrase).is_some())
}

/// The last index of the phrase when it starts at `i`; hyphens between its words are skipped.
pub fn phrase_at(scan: &Scan, i: usize, phrase: &[&str]) -> Option<usize> {
    let mut k = i;
    for (n, word) in phrase.iter().enumerate() {
        if n > 0 && scan.t.is_dash(k) {
            k += 1;
        }
        if n > 0 && (*word == "and") && scan.t.is_mark(k, '&') {
            k += 1;
            continue;
        }
        if !scan.t.is_word(k, word) {
            return None;
        }
        k += 1;
    }
    Some(k - 1)
}

/// Words naming a kind of event, longest first, and the kind.
const KINDS: &[(&[&str], EventType)] = &[
    (&["lunch", "and", "learn"], EventType::Seminar),
    (&["fireside", "chat"], EventType::Seminar),
    (&["info", "session"], EventType::Seminar),
    (&["information", "session"], EventType::Seminar),
    (&["launch", "party"], EventType::Networking),
    (&["happy", "hour"], EventType::Networking),
    (&["meet", "up"], EventType::Networking),
    (&["boot", "camp"], EventType::Workshop),
    (&["trade", "show"], EventType::Conference),
    (&["conference"], EventType::Conference),
    (&["conf"], EventType::Conference),
    (&["summit"], EventType::Conference),
    (&["convention"], EventType::Conference),
    (&["expo"], EventType::Conference),
    (&["symposium"], EventType::Conference),
    (&["forum"], EventType::Conference),
    (&["congress"], EventType::Conference),
    (&["workshop"], EventType::Workshop),
    (&["bootcamp"], EventType::Workshop),
    (&["hackathon"], EventType::Workshop),
    (&["training"], EventType::Workshop),
    (&["masterclass"], EventType::Workshop),
    (&["class"], EventType::Workshop),
    (&["course"], EventType::Workshop),
    (&["seminar"], EventType::Seminar),
    (&["webinar"], EventType::Seminar),
    (&["talk"], EventType::Seminar),
    (&["lecture"], EventType::Seminar),
    (&["panel"], EventType::Seminar),
    (&["mixer"], EventType::Networking),
    (&["meetup"], EventType::Networking),
    (&["reception"], EventType::Networking),
    (&["networking"], EventType::Networking),
    (&["social"], EventType::Networking),
    (&["party"], EventType::Networking),
];

/// A kind of event named at token `i`, and the last token of its words.
pub fn kind_at(scan: &Scan, i: usize) -> Option<(EventType, usize)> {
    KINDS.iter().find_map(|(phrase, kind)| phrase_at(scan, i, phrase).map(|end| (*kind, end)))
}

/// Nouns that make a run of capitalised words an event's name ("Toronto AI Summit").
pub const NAME_NOUNS: &[&str] = &[
    "summit",
    "conference",
    "conf",
    "convention",
    "expo",
    "symposium",
    "forum",
    "congress",
    "workshop",
    "bootcamp",
    "hackathon",
    "masterclass",
    "seminar",
    "webinar",
    "lecture",
    "mixer",
    "meetup",
    "reception",
    "social",
    "party",
    "gala",
    "festival",
    "fest",
    "awards",
    "night",
    "day",
    "days",
    "retreat",
    "series",
    "showcase",
    "jam",
    "camp",
    "launch",
    "fair",
    "talks",
    "breakfast",
    "lunch",
    "dinner",
    "brunch",
    "week",
    "weekend",
    "hangout",
    "session",
    "sessions",
    "classic",
    "open",
    "cup",
    "challenge",
    "games",
    "con",
    "live",
    "connect",
    "exchange",
    "roundtable",
    "kickoff",
    "offsite",
    "clinic",
    "bash",
    "crawl",
    "tour",
    "tournament",
    "run",
    "dash",
    "lab",
    "sprint",
    "trivia",
    "hangs",
    "showdown",
    "drinks",
    "all-hands",
    "pitch",
    "demo",
];
