//! The event's name, its venue and its kind, kept as the organizer typed them.

use super::tokens::Kind;
use super::{Scan, Use, places, words};
use crate::events::EventType;

/// Words that may sit inside a capitalised name ("Women in Tech", "Festival of Ideas").
const CONNECTORS: &[&str] =
    &["of", "in", "and", "the", "for", "on", "de", "la", "du", "des", "a", "an", "to", "x", "vs"];

/// Words that end a name or a venue wherever they appear.
const HARD_STOPS: &[&str] = &[
    "at",
    "from",
    "with",
    "starting",
    "between",
    "this",
    "next",
    "tomorrow",
    "today",
    "tonight",
    "until",
    "till",
    "happening",
    "taking",
    "which",
    "that",
    "where",
    "featuring",
    "called",
    "named",
    "titled",
    "held",
    "hosted",
    "running",
    "capacity",
    "max",
    "limit",
    "tickets",
    "ticket",
    "price",
    "pricing",
    "costing",
    "priced",
    "venue",
    "location",
    "please",
    "thanks",
];

/// Verbs and words that open a request and are never part of a name.
const OPENERS: &[&str] = &[
    "create",
    "plan",
    "set",
    "setup",
    "organize",
    "organise",
    "schedule",
    "add",
    "host",
    "hosting",
    "make",
    "book",
    "need",
    "put",
    "throw",
    "run",
    "arrange",
    "start",
    "please",
    "let's",
    "lets",
    "i",
    "we",
    "we're",
    "i'm",
    "can",
    "could",
    "would",
    "help",
    "draft",
    "our",
    "my",
    "a",
    "an",
    "the",
    "hey",
    "hi",
    "ok",
    "okay",
    "so",
    "annual",
    "want",
    "planning",
    "organizing",
    "organising",
    "throwing",
    "announce",
    "announcing",
];

const QUOTES: &[(char, char)] = &[('"', '"'), ('“', '”'), ('‘', '’'), ('\'', '\''), ('«', '»')];

/// The name in quotes, when the message has one that is not a venue's.
pub fn read_quoted(scan: &mut Scan) -> Option<String> {
    let t = &scan.t;
    for i in 0..t.len() {
        let Some(&(_, close)) = QUOTES.iter().find(|(open, _)| t.is_mark(i, *open)) else { continue };
        let opens = t.get(i + 1).is_some_and(|next| !next.spaced);
        let for_venue = i > 0 && (t.is_any_word(i - 1, &["at", "venue", "location", "in"]) || t.is_mark(i - 1, '@'));
        if !opens || for_venue {
            continue;
        }
        let Some(end) = (i + 1..t.len().min(i + 16)).find(|&k| t.is_mark(k, close)) else { continue };
        if end == i + 1 {
            continue;
        }
        let name = clean(t.raw(i + 1, end - 1));
        scan.mark(i, end, Use::Name);
        return (!name.is_empty()).then_some(name);
    }
    None
}

/// The name after "called", "named", "titled", "name it", "call it", "name:", "title:".
pub fn read_marked(scan: &mut Scan) -> Option<String> {
    let t = &scan.t;
    let start = (0..t.len()).find_map(|i| {
        if !scan.free(i) {
            return None;
        }
        let after = match t.word(i)? {
            "called" | "titled" | "named" => i + 1,
            "name" | "call" | "calling" if t.is_word(i + 1, "it") => i + 2,
            "name" | "title" if t.is_mark(i + 1, ':') || t.is_word(i + 1, "is") => i + 2,
            "name" | "title" if t.is_word(i + 1, "will") && t.is_word(i + 2, "be") => i + 3,
            _ => return None,
        };
        let after = if t.is_mark(after, ':') { after + 1 } else { after };
        Some(after)
    })?;
    let end = run_end(scan, start, false)?;
    let name = clean(t.raw(start, end));
    scan.mark(start, end, Use::Name);
    (!name.is_empty()).then_some(name)
}

/// Without a marker: a run of capitalised words holding an event noun ("Toronto AI Summit 2027").
pub fn read_capitalised(scan: &mut Scan) -> Option<String> {
    if let Some(name) = after_kind(scan) {
        return Some(name);
    }
    if let Some(name) = leading_title(scan) {
        return Some(name);
    }
    let t = &scan.t;
    let noun = (0..t.len()).find(|&i| scan.free(i) && t.capitalised(i) && t.is_any_word(i, words::NAME_NOUNS))?;
    let mut first = noun;
    while first > 0 {
        let k = first - 1;
        let fits = scan.free(k)
            && match &t.get(k)?.kind {
                Kind::Word(w) => {
                    (t.capitalised(k) && !OPENERS.contains(&w.as_str())
                        || CONNECTORS.contains(&w.as_str()) && k > 0 && t.capitalised(k - 1))
                        && !t.is_mark(k + 1, ',')
                }
                Kind::Number(_) => true,
                Kind::Mark('&' | '-' | '\'') => !t.get(k + 1)?.spaced || t.is_mark(k, '&'),
                _ => false,
            };
        if !fits {
            break;
        }
        first = k;
    }
    while first < noun && (t.is_any_word(first, CONNECTORS) || t.is_mark(first, '&') || t.is_dash(first)) {
        first += 1;
    }
    let mut last = noun;
    while let Some(next) = t.get(last + 1) {
        let k = last + 1;
        let fits = scan.free(k)
            && match &next.kind {
                Kind::Word(w) => t.capitalised(k) && !HARD_STOPS.contains(&w.as_str()),
                Kind::Number(n) => n.digits == 4 || n.digits <= 2 && t.capitalised(last),
                _ => false,
            };
        if !fits {
            break;
        }
        last = k;
    }
    let word_count = (first..=last).filter(|&k| t.word(k).is_some() || t.number(k).is_some()).count();
    if word_count < 2 {
        return None;
    }
    let name = clean(t.raw(first, last));
    scan.mark(first, last, Use::Name);
    Some(name)
}

/// "Community Yoga in the Park, Sunday June 6 …": a capitalised title opening the message,
/// up to its first comma.
fn leading_title(scan: &mut Scan) -> Option<String> {
    let t = &scan.t;
    let comma = (0..t.len().min(12)).find(|&k| t.is_mark(k, ','))?;
    let words: Vec<usize> = (0..comma).filter(|&k| t.word(k).is_some()).collect();
    let titled = words.len() >= 2
        && (0..comma).all(|k| scan.free(k))
        && !t.is_any_word(0, OPENERS)
        && words.iter().all(|&k| t.capitalised(k) || t.is_any_word(k, CONNECTORS))
        && t.capitalised(comma - 1);
    if !titled {
        return None;
    }
    let name = clean(t.raw(0, comma - 1));
    scan.mark(0, comma - 1, Use::Name);
    Some(name)
}

/// "our conference DataConf Toronto 2027 is on …": the capitalised words right after a kind.
fn after_kind(scan: &mut Scan) -> Option<String> {
    let t = &scan.t;
    let (from, to) = (0..t.len()).find_map(|i| {
        let (_, kind_end) = words::kind_at(scan, i)?;
        let from = kind_end + 1;
        if t.capitalised(i)
            || !scan.free(from)
            || !t.capitalised(from)
            || t.number(from).is_some()
            || month_or_day(scan, from)
        {
            return None;
        }
        let to = (from..t.len())
            .take_while(|&k| {
                scan.free(k) && (t.capitalised(k) && t.word(k).is_some() || t.number(k).is_some_and(|n| n.digits == 4))
            })
            .last()?;
        Some((from, to))
    })?;
    let name = clean(t.raw(from, to));
    scan.mark(from, to, Use::Name);
    Some(name)
}

/// The venue after "at", "@", "venue:", "location:", "held at", "hosted at".
pub fn read_venue(scan: &mut Scan) -> Option<String> {
    let (at, end, venue) = find_venue(scan)?;
    scan.mark(at, end, Use::Venue);
    Some(venue)
}

fn find_venue(scan: &Scan) -> Option<(usize, usize, String)> {
    let t = &scan.t;
    for i in 0..t.len() {
        if !scan.free(i) {
            continue;
        }
        let start = match t.word(i) {
            Some("venue" | "location") if t.is_mark(i + 1, ':') || t.is_word(i + 1, "is") => i + 2,
            Some("venue" | "location") if t.is_word(i + 1, "will") && t.is_word(i + 2, "be") => i + 3,
            Some("at") => i + 1,
            _ if t.is_mark(i, '@') => i + 1,
            _ => continue,
        };
        let mut start = start;
        while QUOTES.iter().any(|(open, _)| t.is_mark(start, *open)) {
            start += 1;
        }
        if !scan.free(start)
            || t.is_any_word(
                start,
                &["least", "most", "no", "a", "an", "all", "door", "home", "once", "which", "what", "that"],
            )
        {
            continue;
        }
        if t.is_word(start, "the")
            && t.is_any_word(
                start + 1,
                &["door", "doors", "moment", "latest", "earliest", "same", "end", "start", "beginning"],
            )
        {
            continue;
        }
        if t.number(start).is_some() && t.word(start + 1).is_none() {
            continue;
        }
        // A lowercase "the" is an article; "The Drake" is a name.
        if t.is_word(start, "the") && !t.capitalised(start) {
            start += 1;
        }
        let Some(end) = run_end(scan, start, true) else { continue };
        let venue = clean(t.raw(start, end));
        if !venue.is_empty() {
            return Some((i, end, venue));
        }
    }
    None
}

/// A place named without "at" ("The Rec Room has booked us", "in the Osler boardroom"),
/// read after the event's name so the name's words are not taken for a place.
pub fn read_unmarked_venue(scan: &mut Scan) -> Option<String> {
    let (at, end, venue) = venue_by_noun(scan).or_else(|| in_the(scan))?;
    scan.mark(at, end, Use::Venue);
    Some(venue)
}

/// Nouns that end a place's name: "Toronto Reference Library", "The Rec Room".
const PLACE_NOUNS: &[&str] = &[
    "centre",
    "center",
    "hall",
    "hotel",
    "library",
    "park",
    "club",
    "theatre",
    "theater",
    "campus",
    "gallery",
    "museum",
    "room",
    "cafeteria",
    "auditorium",
    "arena",
    "stadium",
    "church",
    "school",
    "college",
    "university",
    "office",
    "offices",
    "building",
    "tower",
    "house",
    "lounge",
    "pub",
    "restaurant",
    "cafe",
    "café",
    "studio",
    "studios",
    "hub",
    "garden",
    "gardens",
    "pavilion",
    "ballroom",
    "boardroom",
    "atrium",
    "loft",
    "warehouse",
    "brewery",
    "roundhouse",
    "market",
    "square",
    "lodge",
    "inn",
    "resort",
    "manor",
    "rooftop",
    "terrace",
    "headquarters",
    "hq",
    "cinema",
    "tavern",
    "bistro",
    "arts",
    "commons",
];

/// A run of capitalised words ending in a place noun, anywhere no other reader took it.
fn venue_by_noun(scan: &Scan) -> Option<(usize, usize, String)> {
    let t = &scan.t;
    let noun = (1..t.len()).find(|&k| {
        scan.free(k)
            && t.is_any_word(k, PLACE_NOUNS)
            && scan.free(k - 1)
            && t.capitalised(k - 1)
            && t.word(k - 1).is_some()
    })?;
    let mut from = noun;
    while from > 0
        && scan.free(from - 1)
        && t.word(from - 1).is_some()
        && t.capitalised(from - 1)
        && !OPENERS.contains(&t.word(from - 1)?)
        || from > 1 && t.is_word(from - 1, "of") && t.capitalised(from - 2) && scan.free(from - 2)
    {
        from -= 1;
    }
    if from > 0 && t.is_word(from - 1, "the") && t.capitalised(from - 1) && scan.free(from - 1) {
        from -= 1;
    }
    (from < noun).then(|| (from, noun, clean(t.raw(from, noun))))
}

/// "in the Osler boardroom", when nothing placed the event "at" somewhere.
fn in_the(scan: &Scan) -> Option<(usize, usize, String)> {
    let t = &scan.t;
    (0..t.len()).find_map(|i| {
        let inside = scan.free(i)
            && t.is_word(i, "in")
            && t.is_word(i + 1, "the")
            && t.capitalised(i + 2)
            && !t.capitalised(i + 1);
        if !inside {
            return None;
        }
        let end = run_end(scan, i + 2, true)?;
        Some((i, end, clean(t.raw(i + 2, end))))
    })
}

/// The kind of event from the first word that names one.
pub fn read_kind(scan: &Scan) -> Option<EventType> {
    (0..scan.t.len()).find_map(|i| words::kind_at(scan, i)).map(|(kind, _)| kind)
}

/// The last token of a name or venue starting at `start`. Capitalised names keep small
/// words between capitals; names typed in lowercase run to the next structural word.
fn run_end(scan: &Scan, start: usize, venue: bool) -> Option<usize> {
    let t = &scan.t;
    if !scan.free(start) {
        return None;
    }
    let capital_mode = t.capitalised(start);
    let mut end = None;
    let mut k = start;
    let limit = start + if venue { 10 } else { 14 };
    while k < t.len() && k < limit && scan.free(k) {
        let token = t.get(k)?;
        let next_capital = capital_ahead(scan, k + 1);
        // "Co-op", "Follow-up": a word joined by a hyphen belongs to the one before.
        let joined = k > start && !token.spaced && t.is_dash(k - 1);
        let stop = match &token.kind {
            // "Chef's Table: Winter Menu": a subtitle after a colon.
            Kind::Mark(':') if !venue && capital_mode && next_capital => false,
            Kind::Mark(',' | ';' | '!' | '?' | '(' | ':' | '"' | '“' | '”' | '\n' | '|') => true,
            Kind::Mark('.') => t.ends_sentence(k) && !abbreviation(scan, k),
            Kind::Mark('-' | '–' | '—') => token.spaced && t.get(k + 1).is_some_and(|n| n.spaced),
            Kind::Mark('\'' | '’') => t.get(k + 1).is_none_or(|n| n.spaced),
            Kind::Mark(_) | Kind::Number(_) => false,
            // The first word after "called" is the name's, whatever it is ("Pricing Power").
            Kind::Word(_) if joined || k == start && !venue => false,
            Kind::Word(w) => {
                let w = w.as_str();
                // A capitalised word of a name is the name's ("Partner Pricing Update").
                let stop_word = HARD_STOPS.contains(&w) && (venue || !t.capitalised(k));
                if stop_word || venue && matches!(w, "on" | "to" | "by") {
                    true
                } else if matches!(w, "on" | "for" | "by") {
                    !(capital_mode && next_capital && !month_or_day(scan, k + 1))
                } else if w == "in" {
                    places::city_at(scan, k + 1) || !(next_capital || !capital_mode && t.word(k + 1).is_some())
                } else if (w == "and" || w == "&") && !t.capitalised(k) {
                    capital_mode && !next_capital
                } else if capital_mode && !venue && !t.capitalised(k) {
                    // A venue may end in a common noun ("the Shopify office"); a name may not.
                    !CONNECTORS.contains(&w) || !next_capital
                } else {
                    false
                }
            }
        };
        if stop {
            break;
        }
        end = Some(k);
        k += 1;
    }
    let mut end = end?;
    while end > start
        && (t.is_any_word(end, CONNECTORS) && !t.capitalised(end)
            || matches!(t.get(end)?.kind, Kind::Mark(c) if c != ')'))
    {
        end -= 1;
    }
    Some(end)
}

/// Whether the next word that is not a small connector ("the", "of") is capitalised.
fn capital_ahead(scan: &Scan, from: usize) -> bool {
    let mut k = from;
    while scan.t.is_any_word(k, &["the", "of", "a", "an", "de", "la"]) && !scan.t.capitalised(k) {
        k += 1;
    }
    scan.free(k)
        && scan.t.raw_one(k.min(scan.t.len().saturating_sub(1))).chars().next().is_some_and(char::is_uppercase)
        && k < scan.t.len()
}

fn month_or_day(scan: &Scan, i: usize) -> bool {
    scan.t.word(i).is_some_and(|w| super::dates::month_name(w).is_some() || super::dates::weekday_name(w).is_some())
}

/// "St." in "Queen St. W" does not end a venue.
fn abbreviation(scan: &Scan, dot: usize) -> bool {
    // "Lillian H. Smith": an initial.
    let initial = dot > 0 && scan.t.raw_one(dot - 1).chars().count() == 1 && scan.t.capitalised(dot - 1);
    if initial && scan.t.get(dot + 1).is_some_and(|_| scan.t.capitalised(dot + 1)) {
        return true;
    }
    dot > 0
        && scan.t.is_any_word(
            dot - 1,
            &["st", "ave", "rd", "blvd", "dr", "mt", "ft", "no", "e", "w", "n", "s", "inc", "ltd", "co"],
        )
        && scan.t.get(dot + 1).is_some_and(|_| scan.t.capitalised(dot + 1))
}

/// Trims spaces, quotes and closing punctuation.
fn clean(raw: &str) -> String {
    raw.trim()
        .trim_matches(|c: char| matches!(c, '"' | '“' | '”' | '‘' | '’' | '\'' | ',' | '.' | ';' | ':' | '!' | '?'))
        .trim()
        .to_string()
}
