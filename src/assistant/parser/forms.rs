//! Messages pasted as forms or lists: "Event: …", "Where: …", "Workshop: Resume Lab",
//! a title alone on the first line, or parts separated by "·", "|" or " — ".

use super::tokens::Kind;
use super::{Scan, Use, words};

const NAME_LABELS: &[&[&str]] =
    &[&["event", "name"], &["event", "title"], &["event"], &["title"], &["name"], &["what"], &["subject"]];
const VENUE_LABELS: &[&[&str]] = &[&["where"], &["place"], &["location"], &["venue"], &["address"]];
/// Labels of other fields: their values are read by the other readers.
const FIELD_LABELS: &[&str] = &[
    "date",
    "dates",
    "day",
    "days",
    "when",
    "time",
    "times",
    "hours",
    "start",
    "end",
    "doors",
    "capacity",
    "seats",
    "tickets",
    "ticket",
    "price",
    "prices",
    "cost",
    "fee",
    "registration",
    "entry",
    "attendees",
    "participants",
    "guests",
    "spots",
    "type",
    "format",
    "city",
    "currency",
    "timezone",
    "note",
    "notes",
    "details",
    "rsvp",
    "headcount",
    "runners",
    "how",
    "expected",
    "finish",
    "urgent",
];
/// A venue that is no place: nothing to find or create.
const NO_PLACE: &[&str] = &["tbd", "tba", "online", "virtual", "zoom", "teams", "remote", "webinar", "tbc"];
/// First lines that are headings, not names.
const HEADINGS: &[&str] = &["event details", "details", "hi", "hello", "hey", "event", "new event", "hi team"];

/// What the form gave: a name and a venue (`Some(None)`: said to be no place yet).
#[derive(Debug, Default)]
pub struct Form {
    pub name: Option<String>,
    pub venue: Option<Option<String>>,
}

/// The message's parts: lines, and within a line the parts between separators.
fn segments(scan: &Scan) -> Vec<(usize, usize)> {
    let t = &scan.t;
    let separator = |k: usize| {
        t.is_mark(k, '\n')
            || t.is_mark(k, '·')
            || t.is_mark(k, '|')
            || t.is_mark(k, '•')
            || matches!(t.get(k).map(|x| &x.kind), Some(Kind::Mark('—' | '–')))
                && t.get(k).is_some_and(|x| x.spaced)
                && t.get(k + 1).is_some_and(|x| x.spaced)
    };
    let mut parts = Vec::new();
    let mut start = 0;
    for k in 0..=t.len() {
        if k == t.len() || separator(k) {
            // A bullet's own mark ("- GA $50") is not part of it.
            let mut from = start;
            while from < k && (t.is_dash(from) || t.is_mark(from, '*')) {
                from += 1;
            }
            if from < k {
                parts.push((from, k - 1));
            }
            start = k + 1;
        }
    }
    parts
}

fn label_at(scan: &Scan, from: usize, labels: &[&[&str]]) -> Option<usize> {
    labels.iter().find_map(|label| {
        let last = words::phrase_at(scan, from, label)?;
        let mark = last + 1;
        let spaced_dash = scan.t.is_dash(mark) && scan.t.get(mark).is_some_and(|m| m.spaced);
        (scan.t.is_mark(mark, ':') || spaced_dash).then_some(mark + 1)
    })
}

/// The value of a segment after its label, up to a sentence's end.
fn value_end(scan: &Scan, from: usize, to: usize) -> usize {
    (from..=to).find(|&k| scan.t.ends_sentence(k) && scan.t.is_mark(k, '.')).map_or(to, |k| k.saturating_sub(1))
}

fn clean(scan: &Scan, from: usize, to: usize) -> Option<String> {
    if from > to {
        return None;
    }
    let text = scan
        .t
        .raw(from, to)
        .trim()
        .trim_matches(|c: char| matches!(c, '"' | '“' | '”' | '\'' | ',' | '.' | ';'))
        .trim();
    (!text.is_empty()).then(|| text.to_string())
}

pub fn read(scan: &mut Scan) -> Form {
    let mut form = Form::default();
    let parts = segments(scan);
    let many = parts.len() >= 3 || scan.t.list.iter().any(|t| t.is_mark('\n'));
    for &(from, to) in &parts {
        if let Some(value) = label_at(scan, from, NAME_LABELS) {
            let end = value_end(scan, value, to);
            if form.name.is_none() && (value..=end).all(|k| scan.free(k)) {
                form.name = clean(scan, value, end);
                scan.mark(from, end, Use::Name);
            }
        } else if let Some(value) = label_at(scan, from, VENUE_LABELS) {
            // "Saskatoon, TCU Place": a city first, then the place.
            let value =
                if super::places::city_at(scan, value) && scan.t.is_mark(value + 1, ',') { value + 2 } else { value };
            let end = (value..=to).find(|&k| scan.t.is_mark(k, ',')).map_or(to, |k| k - 1);
            let place = clean(scan, value, end);
            let nowhere = place.as_deref().is_some_and(|p| NO_PLACE.contains(&p.to_lowercase().as_str()));
            form.venue.get_or_insert(if nowhere { None } else { place.map(|p| strip_article(&p)) });
            scan.mark(from, to, Use::Venue);
        } else if form.name.is_none()
            && let Some(word) = scan.t.word(from)
            && !FIELD_LABELS.contains(&word)
            && let Some(value) = label_at(scan, from, &[&[word][..], &[word, "night"][..]])
            && value <= to
            && (scan.t.capitalised(value)
                || matches!(scan.t.get(value).map(|x| &x.kind), Some(Kind::Mark('"' | '“' | '\''))))
        {
            // "Workshop: Resume Lab", "Panel night: Women in Fintech".
            let end = value_end(scan, value, to);
            let end = (value..=end).take_while(|&k| scan.free(k)).last().unwrap_or(value);
            if let Some(name) = clean(scan, value, end) {
                form.name = Some(name);
                scan.mark(from, end, Use::Name);
            }
        }
    }
    if !many {
        return form;
    }
    // Unlabelled parts: the first that is only words is the title, the next a place.
    for (n, &(from, to)) in parts.iter().enumerate() {
        if !(from..=to).all(|k| scan.free(k)) || !scan.t.capitalised(from) && !scan.t.is_mark(from, '"') {
            continue;
        }
        // "City: Chicago", "Pricing:": a label, not a title or a place.
        let labelled = (from..=to.min(from + 3)).any(|k| scan.t.is_mark(k, ':'));
        if labelled {
            continue;
        }
        let words_in = (from..=to).filter(|&k| scan.t.word(k).is_some() || scan.t.number(k).is_some()).count();
        let text = scan.t.raw(from, to).to_lowercase();
        if words_in == 0 || words_in > 9 || HEADINGS.contains(&text.trim_end_matches([':', '!', '.', ',']).trim()) {
            continue;
        }
        let sentence = (from..=to)
            .any(|k| scan.t.is_any_word(k, &["we", "we're", "i", "i'm", "please", "our", "is", "are", "will", "it's"]));
        if sentence {
            continue;
        }
        if form.name.is_none() && n <= 1 {
            if only_kind(scan, from, to) {
                continue;
            }
            // "Set up the Winter Gala.": the request's own words are not the name.
            let mut from = from;
            let request = |k: usize| {
                scan.t
                    .is_any_word(k, &["set", "up", "create", "plan", "organize", "organise", "schedule", "add", "host"])
            };
            if request(from) {
                while from < to && (request(from) || scan.t.is_any_word(from, &["the", "a", "an", "our"])) {
                    from += 1;
                }
            }
            // "Crypto Tax Clinic (webinar)": the bracket says the kind.
            let mut end = to;
            if scan.t.is_mark(end, ')')
                && let Some(open) = (from..end).rev().find(|&k| scan.t.is_mark(k, '('))
            {
                end = open.saturating_sub(1);
            }
            // "Sales Kickoff in Chicago": the city is not the name.
            if let Some(city) = (from..end).find(|&k| scan.t.is_word(k, "in") && super::places::city_at(scan, k + 1)) {
                end = city.saturating_sub(1);
            }
            form.name = clean(scan, from, end);
            scan.mark(from, end, Use::Name);
        } else if form.venue.is_none() && form.name.is_some() {
            let end = (from..=to).find(|&k| scan.t.is_mark(k, ',')).map_or(to, |k| k - 1);
            let place = clean(scan, from, end);
            if place.as_deref().is_some_and(|p| NO_PLACE.contains(&p.to_lowercase().as_str())) {
                form.venue = Some(None);
            } else {
                form.venue = Some(place.map(|p| strip_article(&p)));
            }
            scan.mark(from, to, Use::Venue);
        }
    }
    form
}

/// A part that only names the kind of event ("Free webinar", "Online workshop").
fn only_kind(scan: &Scan, from: usize, to: usize) -> bool {
    (from..=to).all(|k| {
        scan.t.is_any_word(k, &["free", "online", "virtual", "monthly", "weekly", "annual", "new", "a", "an", "our"])
            || words::kind_at(scan, k).is_some()
            || scan.t.word(k).is_none()
    })
}

/// "THE EATON CENTRE" written in capitals drops its article like a lowercase "the".
pub fn strip_article(place: &str) -> String {
    match place.strip_prefix("THE ") {
        Some(rest) if place.chars().all(|c| !c.is_lowercase()) => rest.to_string(),
        _ => match place.strip_prefix("the ") {
            Some(rest) => rest.to_string(),
            None => place.to_string(),
        },
    }
}
