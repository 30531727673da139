//! When an event starts and ends on its day: clock times, ranges and durations. An hour
//! that could be morning or evening with nothing in the message to tell is asked about.

use super::{Field, Scan, Use, words};
use chrono::{Duration, NaiveTime, Timelike};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub start: Option<NaiveTime>,
    pub end: Option<NaiveTime>,
    pub duration: Option<Duration>,
    /// Only a part of the day was named ("all day", "in the evening"): no clock time.
    pub vague: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// A clock time as written, before morning or evening is settled.
#[derive(Debug, Clone, Copy)]
struct Clock {
    hour: u32,
    minute: u32,
    meridiem: Option<Meridiem>,
    /// Written so that it can only be a 24-hour time ("17:00", "09:30").
    fixed: bool,
    /// Written with minutes or am/pm: a time whatever the words around it.
    strong: bool,
    end: usize,
}

impl Clock {
    fn in_24h(self, meridiem: Meridiem) -> u32 {
        match meridiem {
            Meridiem::Am => self.hour % 12,
            Meridiem::Pm => self.hour % 12 + 12,
        }
    }

    fn time(self, hour: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(hour % 24, self.minute, 0)
    }

    fn written(self) -> String {
        if self.minute == 0 { self.hour.to_string() } else { format!("{}:{:02}", self.hour, self.minute) }
    }
}

const START_WORDS: &[&str] =
    &["at", "from", "starting", "starts", "start", "begins", "beginning", "doors", "kickoff", "@"];
const END_WORDS: &[&str] = &[
    "until",
    "till",
    "til",
    "to",
    "ends",
    "ending",
    "end",
    "finish",
    "finishes",
    "finishing",
    "wraps",
    "wrap",
    "closes",
    "close",
];
const UNIT_WORDS: &[&str] =
    &["hours", "hour", "hrs", "hr", "h", "minutes", "minute", "mins", "min", "days", "day", "weeks", "%"];

pub fn read(scan: &mut Scan, multi_day: bool) -> Times {
    let hint = day_part_hint(scan);
    let mut times = Times::default();
    // Single clock times, settled once all are known: "starts at 7, ends 9pm" is 19:00.
    let mut starts: Vec<Clock> = Vec::new();
    let mut ends: Vec<Clock> = Vec::new();
    let mut i = 0;
    while i < scan.t.len() {
        if !scan.free(i) {
            i += 1;
            continue;
        }
        if let Some((from, to, end)) = range_at(scan, i) {
            scan.mark(i, end, Use::Time);
            if times.start.is_none() && times.end.is_none() && starts.is_empty() {
                settle_range(scan, from, to, hint, &mut times);
            } else if ends.is_empty() && times.end.is_none() {
                // "Doors 6:30pm, show 7:30pm–9:30pm": the show's end ends the event.
                ends.push(to);
            }
            i = end + 1;
            continue;
        }
        if let Some(duration) = duration_at(scan, i) {
            times.duration.get_or_insert(duration.0);
            scan.mark(i, duration.1, Use::Time);
            i = duration.1 + 1;
            continue;
        }
        // The words before the time, past "at"/"by" and a colon: "ends at 9", "closes: 11:30".
        let word_at = |k: usize| scan.t.word(k);
        let before = i.checked_sub(1).and_then(word_at);
        let lead = (i.saturating_sub(3)..i)
            .rev()
            .filter_map(word_at)
            .find(|w| !matches!(*w, "at" | "by" | "around" | "about"));
        // "capped at 15", "limited to 40", "up to 200": counts, not hours.
        let counting = i >= 2
            && scan.t.is_any_word(i - 1, &["at", "to", "for"])
            && scan.t.is_any_word(i - 2, &["capped", "limited", "up", "room", "max", "maxed", "seats", "seat"]);
        let finishing = lead.is_some_and(|w| END_WORDS.contains(&w) && w != "to" || FINISH_WORDS.contains(&w));
        let loose = !counting
            && (before.is_some_and(|w| START_WORDS.contains(&w) || END_WORDS.contains(&w) || w == "by")
                && (before != Some("by") || finishing)
                || scan.t.is_mark(i.wrapping_sub(1), ':')
                    && lead.is_some_and(|w| START_LABELS.contains(&w) || END_WORDS.contains(&w)));
        if let Some(clock) = clock_at(scan, i, loose) {
            let is_end = finishing || before == Some("to") && (times.start.is_some() || !starts.is_empty());
            scan.mark(i, clock.end, Use::Time);
            if is_end {
                ends.push(clock)
            } else {
                starts.push(clock)
            }
            i = clock.end + 1;
            continue;
        }
        i += 1;
    }
    // Across several days, "Saturday at 10am to Sunday at 4pm": the last time ends it.
    if multi_day && ends.is_empty() && times.end.is_none() && starts.len() >= 2 {
        ends.push(starts.pop().expect("two starts"));
    }
    if times.start.is_none()
        && let Some(&first) = starts.first()
    {
        let end_hint = ends
            .first()
            .and_then(|e| e.meridiem.or(e.fixed.then_some(if e.hour >= 12 { Meridiem::Pm } else { Meridiem::Am })));
        times.start = settle_single(scan, first, hint.or(end_hint), Field::Start, None);
    }
    if times.end.is_none()
        && let Some(&last) = ends.first()
    {
        times.end = settle_single(scan, last, hint, Field::End, times.start);
    }
    if times.start.is_none()
        && times.end.is_none()
        && (words::has_phrase(scan, &["all", "day"])
            || words::has_phrase(scan, &["full", "day"])
            || words::has_phrase(scan, &["half", "day"])
            || hint.is_some())
    {
        times.vague = true;
    }
    times
}

/// Words that make the time after them the end: "wrap up by 9", "done by 11".
const FINISH_WORDS: &[&str] =
    &["up", "done", "finished", "over", "out", "wrapped", "wrapping", "go", "goes", "runs", "run"];
/// Labels whose time is the start: "Start: 9:00 AM", "Doors: 6pm".
const START_LABELS: &[&str] = &["start", "starts", "doors", "time", "begins", "kickoff", "from"];

/// Morning or evening as the message tells it ("breakfast", "dinner", "tonight").
fn day_part_hint(scan: &Scan) -> Option<Meridiem> {
    const MORNING: &[&str] = &["morning", "breakfast", "brunch", "sunrise", "am"];
    const EVENING: &[&str] = &[
        "evening",
        "tonight",
        "night",
        "dinner",
        "gala",
        "party",
        "cocktails",
        "cocktail",
        "drinks",
        "reception",
        "mixer",
        "afternoon",
        "supper",
    ];
    let evening = scan.t.list.iter().any(|t| t.is_any_word(EVENING)) || words::has_phrase(scan, &["happy", "hour"]);
    let morning = scan.t.list.iter().any(|t| t.is_any_word(&MORNING[..4]));
    match (morning, evening) {
        (true, false) => Some(Meridiem::Am),
        (false, true) => Some(Meridiem::Pm),
        _ => None,
    }
}

fn clock_at(scan: &Scan, i: usize, loose: bool) -> Option<Clock> {
    let t = &scan.t;
    if !scan.free(i) {
        return None;
    }
    // "Midnight Social": a name, not an hour.
    let named = t.capitalised(i) && t.get(i + 1).is_some_and(|n| n.word().is_some()) && t.capitalised(i + 1);
    match t.word(i) {
        Some("noon" | "midday" | "midnight") if named => return None,
        Some("noon" | "midday") => {
            return Some(Clock {
                hour: 12,
                minute: 0,
                meridiem: Some(Meridiem::Pm),
                fixed: true,
                strong: true,
                end: i,
            });
        }
        Some("midnight") => {
            return Some(Clock { hour: 0, minute: 0, meridiem: Some(Meridiem::Am), fixed: true, strong: true, end: i });
        }
        _ => {}
    }
    let n = t.number(i)?;
    if n.int > 24 || n.digits > 2 || n.ordinal {
        return None;
    }
    if i > 0 && matches!(t.get(i - 1)?.kind, super::tokens::Kind::Mark('$' | '€' | '£')) {
        return None;
    }
    let mut end = i;
    let mut minute = 0;
    let mut strong = false;
    if let Some(f) = n.fraction.as_deref() {
        // "9.30am" is half past nine; "2.5" alone is no time.
        if f.len() != 2 || !t.is_any_word(i + 1, &["am", "pm"]) {
            return None;
        }
        minute = f.parse().ok()?;
    } else if t.is_mark(i + 1, ':') {
        let m = t.number(i + 2).filter(|m| m.digits == 2 && m.is_whole() && m.int < 60)?;
        minute = m.int as u32;
        end = i + 2;
        strong = true;
    }
    let mut meridiem = None;
    match t.word(end + 1) {
        Some("am" | "a") if t.word(end + 1) == Some("am") || !t.get(end + 1)?.spaced => {
            meridiem = Some(Meridiem::Am);
            end += 1;
        }
        Some("pm" | "p") if t.word(end + 1) == Some("pm") || !t.get(end + 1)?.spaced => {
            meridiem = Some(Meridiem::Pm);
            end += 1;
        }
        Some("o'clock" | "oclock") => end += 1,
        _ => {}
    }
    if meridiem.is_some() {
        strong = true;
        if n.int == 0 || n.int > 12 {
            return None;
        }
    }
    if t.is_any_word(end + 1, UNIT_WORDS) || words::is_people_word(scan, end + 1) || t.is_mark(end + 1, '%') {
        return None;
    }
    if !strong && !loose {
        return None;
    }
    let hour = n.int as u32;
    let fixed = meridiem.is_none() && (hour > 12 || hour == 0 || (strong && n.digits == 2 && hour < 10));
    Some(Clock { hour, minute, meridiem, fixed, strong, end })
}

/// "9am–5pm", "9-4", "from 9 to 5", "between 6 and 9pm", "6:30 to 9:30".
fn range_at(scan: &Scan, i: usize) -> Option<(Clock, Clock, usize)> {
    let t = &scan.t;
    let (first_at, between) = match t.word(i) {
        Some("between") => (i + 1, true),
        Some("from") => (i + 1, false),
        _ => (i, false),
    };
    let prepped = first_at > i || i.checked_sub(1).is_some_and(|k| t.is_any_word(k, START_WORDS));
    let from = clock_at(scan, first_at, true)?;
    let link = from.end + 1;
    let linked = if between {
        t.is_word(link, "and")
    } else {
        t.is_dash(link) || t.is_any_word(link, &["to", "until", "till", "til", "through"])
    };
    if !linked {
        return None;
    }
    let to = clock_at(scan, link + 1, true)?;
    // Bare numbers joined by a dash are a time range only when nothing else claims them.
    let bare = !from.strong && !to.strong;
    if bare && !prepped && !(t.is_dash(link) || t.is_word(link, "to")) {
        return None;
    }
    if bare && (from.hour > 24 || to.hour > 24) {
        return None;
    }
    Some((from, to, to.end))
}

fn settle_range(scan: &mut Scan, from: Clock, to: Clock, hint: Option<Meridiem>, times: &mut Times) {
    let start_hour = match (from.fixed, from.meridiem, to.fixed, to.meridiem) {
        (true, _, _, _) => Some(from.hour),
        (_, Some(m), _, _) => Some(from.in_24h(m)),
        // "6-9pm": the start takes the end's half of the day when that keeps it first;
        // "11-2pm" starts in the morning.
        // "7 until midnight" runs into the night.
        (_, None, true, _) if to.hour == 0 => Some(from.hour % 12 + 12),
        (_, None, _, Some(m)) => {
            let same = from.in_24h(m);
            Some(if same * 60 + from.minute <= to.in_24h(m) * 60 + to.minute { same } else { from.hour % 12 })
        }
        (_, None, true, None) => {
            Some(if from.hour < to.hour && from.hour + 12 > to.hour { from.hour } else { from.hour % 12 + 12 })
        }
        (_, None, false, None) => {
            let (a, b) = (from.hour % 12, to.hour % 12);
            if from.hour == 12 {
                Some(12)
            } else if b * 60 + to.minute <= a * 60 + from.minute || to.hour == 12 && hint != Some(Meridiem::Pm) {
                // "9-4", "10-2", "9-12": across noon.
                Some(a)
            } else if (1..=5).contains(&from.hour) {
                Some(a + 12)
            } else {
                hint.map(|m| from.in_24h(m))
            }
        }
    };
    let Some(start_hour) = start_hour else {
        let question = format!("Is {}–{} in the morning or the evening?", from.written(), to.written());
        scan.ask(Field::Start, question);
        scan.ask_quietly(Field::End);
        return;
    };
    let Some(start) = from.time(start_hour) else { return };
    // The end is the first time after the start that reads as written.
    let end_hour = if to.fixed {
        to.hour
    } else if let Some(m) = to.meridiem {
        to.in_24h(m)
    } else {
        let candidates = [to.hour % 12, to.hour % 12 + 12];
        let after = |h: u32| {
            let minutes = (h * 60 + to.minute + 24 * 60 - (start_hour * 60 + from.minute)) % (24 * 60);
            if minutes == 0 { 24 * 60 } else { minutes }
        };
        *candidates.iter().min_by_key(|&&h| after(h)).unwrap_or(&to.hour)
    };
    times.start = Some(start);
    times.end = to.time(end_hour);
}

fn settle_single(
    scan: &mut Scan,
    clock: Clock,
    hint: Option<Meridiem>,
    field: Field,
    after: Option<NaiveTime>,
) -> Option<NaiveTime> {
    let hour = if clock.fixed {
        clock.hour
    } else if let Some(m) = clock.meridiem {
        clock.in_24h(m)
    } else if let Some(start) = after {
        // An end reads as the first such hour after the start: "from 6pm … done by 9".
        let start_minutes = start.hour() * 60 + start.minute();
        let candidates = [clock.hour % 12, clock.hour % 12 + 12];
        *candidates
            .iter()
            .min_by_key(|&&h| (h * 60 + clock.minute + 24 * 60 - start_minutes - 1) % (24 * 60))
            .unwrap_or(&clock.hour)
    } else if clock.hour == 12 {
        12
    } else if (1..=5).contains(&clock.hour) {
        clock.hour + 12
    } else if let Some(m) = hint {
        clock.in_24h(m)
    } else {
        let what = if field == Field::End { "end" } else { "start" };
        scan.ask(field, format!("Does it {what} at {} in the morning or in the evening?", clock.written()));
        return None;
    };
    clock.time(hour)
}

/// "for 3 hours", "for 90 minutes", "a 3-hour workshop", "for an hour".
fn duration_at(scan: &Scan, i: usize) -> Option<(Duration, usize)> {
    let t = &scan.t;
    let (amount, unit_at) = if let Some(n) = t.number(i) {
        let hundredths = n.hundredths();
        let unit_at = if t.is_dash(i + 1) { i + 2 } else { i + 1 };
        (hundredths, unit_at)
    } else {
        let n = match t.word(i)? {
            "an" | "one" => 1,
            "two" => 2,
            "three" => 3,
            "four" => 4,
            "five" => 5,
            "six" => 6,
            "eight" => 8,
            "half" if t.is_word(i + 1, "an") => {
                return t.is_word(i + 2, "hour").then_some((Duration::minutes(30), i + 2));
            }
            _ => return None,
        };
        (n * 100, i + 1)
    };
    let minutes = match t.word(unit_at)? {
        "hours" | "hour" | "hrs" | "hr" | "h" => amount * 60 / 100,
        "minutes" | "minute" | "mins" | "min" => amount / 100,
        _ => return None,
    };
    // A duration is the event's length after "for" or as "a 3-hour …"; "2 hours before" is not.
    let led = i
        .checked_sub(1)
        .is_some_and(|k| t.is_any_word(k, &["for", "a", "lasting", "lasts", "last", "runs", "run", "takes", "about"]));
    if !led || minutes == 0 || minutes > 24 * 60 * 14 {
        return None;
    }
    Some((Duration::minutes(minutes as i64), unit_at))
}
