//! How many people an event takes: "500 people", "max 90", "capped at 120", "1,200
//! attendees". "Around 500" is no number to build on, so it is asked.

use super::tokens::Kind;
use super::{Field, Scan, Use, words};

const PREFIXES: &[&[&str]] = &[
    &["limited", "to"],
    &["capped", "at"],
    &["capacity", "of"],
    &["up", "to"],
    &["room", "for"],
    &["headcount", "of"],
    &["maximum", "of"],
    &["max", "of"],
    &["max"],
    &["maximum"],
    &["limit"],
    &["cap"],
    &["capacity"],
    &["headcount"],
    &["holds"],
    &["fits"],
    &["seats"],
    &["seating"],
    &["seat"],
];

/// Labels of a form, counted only with their colon: "Attendees: 24", "How many: 250".
const LABELS: &[&[&str]] = &[
    &["attendees"],
    &["participants"],
    &["guests"],
    &["spots"],
    &["runners"],
    &["people"],
    &["how", "many"],
    &["pax"],
    &["players"],
    &["size"],
    &["expected"],
    &["rsvp", "cap"],
];

const VAGUE_BEFORE: &[&str] = &[
    "couple",
    "few",
    "several",
    "around",
    "about",
    "roughly",
    "approximately",
    "approx",
    "circa",
    "some",
    "maybe",
    "perhaps",
    "least",
    "over",
    "than",
    "under",
    "almost",
    "nearly",
    "estimated",
    "expect",
    "expecting",
    "possibly",
];

const NUMBER_WORDS: &[(&str, u64)] = &[
    ("ten", 10),
    ("twelve", 12),
    ("fifteen", 15),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("dozen", 12),
];

/// The event's capacity, marking what was read; a vague number becomes a question.
pub fn read(scan: &mut Scan) -> Option<i32> {
    let mut found = None;
    let mut i = 0;
    while i < scan.t.len() {
        if !scan.free(i) {
            i += 1;
            continue;
        }
        let Some((value, number_at, end)) = count_at(scan, i) else {
            i += 1;
            continue;
        };
        scan.mark(i, end, Use::Capacity);
        // "VIP $599 (50 seats)": the tier's own count, not the event's.
        let in_brackets = number_at > 0
            && scan.t.is_mark(number_at - 1, '(')
            && number_at >= 2
            && scan.used(number_at - 2) == Some(Use::Price);
        if !in_brackets && found.is_none() {
            let vague = vague_around(scan, i, number_at, end);
            if let Some(written) = vague {
                scan.ask(Field::Capacity, format!("You wrote “{written}” — how many people can attend at most?"));
                found = Some(None);
            } else {
                found = Some(i32::try_from(value).ok());
            }
        }
        i = end + 1;
    }
    found.flatten()
}

/// A count at `i`: "500 people", "a 500-person", "max 90", "capacity: 300". Returns the
/// value, where its number is and the last token read.
fn count_at(scan: &Scan, i: usize) -> Option<(u64, usize, usize)> {
    let t = &scan.t;
    let labelled =
        LABELS.iter().filter_map(|label| words::phrase_at(scan, i, label)).find(|&last| t.is_mark(last + 1, ':'));
    let candidates = PREFIXES.iter().map(|p| (*p, None)).chain(labelled.map(|last| (LABELS[0], Some(last))));
    for (prefix, known_last) in candidates {
        let Some(last) = known_last.or_else(|| words::phrase_at(scan, i, prefix)) else { continue };
        let mut k = last + 1;
        while t.is_mark(k, ':') || t.is_mark(k, '.') || t.is_mark(k, '=') || t.is_any_word(k, &["of", "is", "at", "to"])
        {
            k += 1;
        }
        // "seats 80" counts; "seats are $20" does not.
        let (value, end) = number_value(scan, k)?;
        // "80 seats 20" is two numbers; "seats 80" is a count.
        let verb = known_last.is_none()
            && matches!(prefix, [w] if matches!(*w, "seats" | "seating" | "holds" | "fits" | "seat"));
        if verb && i > 0 && t.number(i - 1).is_some() {
            return None;
        }
        let end = if words::is_people_word(scan, end + 1) { end + 1 } else { end };
        return Some((value, k, end));
    }
    let (value, end) = number_value(scan, i)?;
    let mut k = end + 1;
    if t.is_dash(k) && t.is_any_word(k + 1, &["person", "people", "seat", "guest", "attendee", "capacity"]) {
        k += 1;
    }
    if words::is_people_word(scan, k) && !t.is_word(k, "pp") {
        // "500 members" is a capacity; "$25 for members" never reaches here (a price).
        let mut end = k;
        if t.is_word(k, "person") && t.is_word(k + 1, "capacity") {
            end += 1;
        }
        return Some((value, i, end));
    }
    // "for 500" + a word that counts people later is handled above; "for 500, …" alone is not.
    None
}

/// A whole number at `i` (digits or a few words: "fifty", "a hundred", "two dozen").
fn number_value(scan: &Scan, i: usize) -> Option<(u64, usize)> {
    let t = &scan.t;
    if !scan.free(i) {
        return None;
    }
    if let Some(n) = t.number(i) {
        if !n.is_whole() || n.ordinal || n.int == 0 || n.int > 1_000_000 {
            return None;
        }
        if i > 0 && matches!(t.get(i - 1)?.kind, Kind::Mark('$' | '€' | '£')) {
            return None;
        }
        if t.is_any_word(i + 1, &["k"]) && !t.get(i + 1)?.spaced {
            return Some((n.int * 1000, i + 1));
        }
        return Some((n.int, i));
    }
    let word = t.word(i)?;
    let (mut value, mut end) = match word {
        "a" | "one" if t.is_any_word(i + 1, &["hundred", "thousand", "dozen"]) => (1, i),
        "two" => (2, i),
        "three" => (3, i),
        "four" => (4, i),
        "five" => (5, i),
        _ => (NUMBER_WORDS.iter().find(|(w, _)| *w == word)?.1, i),
    };
    match t.word(end + 1) {
        Some("hundred") if value < 100 => {
            value *= 100;
            end += 1;
        }
        Some("thousand") => {
            value *= 1000;
            end += 1;
        }
        Some("dozen") if value < 12 => {
            value *= 12;
            end += 1;
        }
        _ => {}
    }
    (value >= 10 || end > i).then_some((value, end))
}

/// "around 500 people", "500ish", "500+", "500-600 people", "between 400 and 500": the
/// words as written, when the number is not exact.
fn vague_around(scan: &Scan, from: usize, number_at: usize, end: usize) -> Option<String> {
    let t = &scan.t;
    let before =
        (number_at.saturating_sub(2)..number_at).find(|&k| t.is_any_word(k, VAGUE_BEFORE) || t.is_mark(k, '~'));
    let after_number = number_at + 1;
    let ish = t.is_word(after_number, "ish") || t.is_mark(after_number, '+') || t.is_word(end + 1, "ish");
    let or_so = t.is_word(end + 1, "or") && t.is_word(end + 2, "so");
    // "18 people — or 24 if the private room frees up": two numbers, one capacity.
    let or_other = (end + 1..end + 4).any(|k| t.is_word(k, "or") && t.number(k + 1).is_some());
    if or_other {
        let last = (end + 1..end + 4).find(|&k| t.is_word(k, "or")).map_or(end, |k| k + 1);
        return Some(t.raw(from.min(number_at), last.min(t.len() - 1)).to_string());
    }
    let ranged_before = number_at >= 2
        && (t.is_dash(number_at - 1) || t.is_any_word(number_at - 1, &["to", "and"]))
        && t.number(number_at - 2).is_some();
    let ranged_after =
        (t.is_dash(after_number) || t.is_word(after_number, "to")) && t.number(after_number + 1).is_some();
    if before.is_none() && !ish && !or_so && !ranged_before && !ranged_after {
        return None;
    }
    let start = before.unwrap_or(if ranged_before { number_at - 2 } else { from }).min(from);
    let stop = if or_so { end + 2 } else { end };
    Some(t.raw(start, stop.min(t.len() - 1)).to_string())
}
