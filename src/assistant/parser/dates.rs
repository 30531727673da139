//! Which day (or days) an event is on: written dates in the common orders, ranges, and
//! days named relative to the organizer's today. A day that cannot be told for sure is a
//! question, never a guess.

use super::relative::{nth_weekday_at, relative_at, vague_at, weekday_at};
use super::{Field, Scan, Use};
use chrono::{Datelike, NaiveDate, Weekday};

/// The event's first and last day as the message gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

pub(super) enum Mention {
    Days { days: Days, end: usize },
    Doubt { question: String, end: usize },
}

impl Mention {
    fn end(&self) -> usize {
        match self {
            Mention::Days { end, .. } | Mention::Doubt { end, .. } => *end,
        }
    }
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("mon", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("tue", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("weds", Weekday::Wed),
    ("wed", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thu", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("fri", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sat", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("sun", Weekday::Sun),
];

/// Words that make a date something other than the event's day ("early bird until Feb 1").
const DEADLINE_WORDS: &[&str] = &["until", "till", "til", "by", "before", "deadline", "ends", "closes", "after"];

const RANGE_WORDS: &[&str] = &["to", "through", "thru", "until", "till", "til"];

pub fn month_name(word: &str) -> Option<u32> {
    MONTHS.iter().find(|(name, _)| *name == word).map(|&(_, m)| m)
}

pub fn weekday_name(word: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(name, _)| *name == word).map(|&(_, d)| d)
}

pub fn weekday_label(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// "Friday, March 12, 2027".
pub fn long_date(day: NaiveDate) -> String {
    day.format("%A, %B %-d, %Y").to_string()
}

/// Finds the event's days, marking the tokens read. A doubt becomes a question on `Field::Date`.
pub fn read(scan: &mut Scan) -> Option<Days> {
    let mut i = 0;
    let mut chosen: Option<Days> = None;
    let mut doubt: Option<String> = None;
    let mut decided = false;
    while i < scan.t.len() {
        if !scan.free(i) {
            i += 1;
            continue;
        }
        let Some(mention) = mention_at(scan, i) else {
            i += 1;
            continue;
        };
        let end = mention.end();
        let deadline = i > 0 && (i.saturating_sub(2)..i).any(|k| scan.t.is_any_word(k, DEADLINE_WORDS));
        scan.mark(i, end, Use::Date);
        if !decided && !deadline {
            decided = true;
            match mention {
                Mention::Days { days, .. } if context_doubt(scan, i, end).is_some() => {
                    doubt = context_doubt(scan, i, end);
                    let _ = days;
                }
                Mention::Days { days, .. } => chosen = Some(days),
                Mention::Doubt { question, .. } => doubt = Some(question),
            }
        } else if let (Some(days), Mention::Days { days: later, .. }) = (chosen, &mention)
            && later.last > days.last
            && (later.last - days.first).num_days() <= 31
            && linked(scan, i)
        {
            // "Mon Dec 7 – Wed Dec 9", "2027-04-22 to 2027-04-23", "Saturday Feb 27 at 10am to
            // Sunday Feb 28 at 4pm": a second day joined to the first ends the event.
            chosen = Some(Days { first: days.first, last: later.last });
        }
        i = end + 1;
    }
    if let Some(question) = doubt {
        scan.ask(Field::Date, question);
    }
    chosen
}

/// Whether a range word joins the mention at `i` to the one before it, past a few hour words.
fn linked(scan: &Scan, i: usize) -> bool {
    let mut k = i;
    for _ in 0..6 {
        let Some(prev) = k.checked_sub(1) else { return false };
        k = prev;
        if scan.t.is_dash(k) || scan.t.is_any_word(k, RANGE_WORDS) {
            return true;
        }
        if scan.used(k) == Some(Use::Date) {
            return false;
        }
    }
    false
}

/// Words around a date that leave the day open: "the week of March 8", "Jan 14 or 15",
/// "a Tuesday morning in January".
fn context_doubt(scan: &Scan, from: usize, to: usize) -> Option<String> {
    let t = &scan.t;
    let written = t.raw(from, to);
    if from >= 2 && t.is_word(from - 1, "of") && t.is_word(from - 2, "week") {
        return Some(format!("The week of {written} — which day, or which days?"));
    }
    if t.is_word(to + 1, "or")
        && (t.number(to + 2).is_some() || t.word(to + 2).is_some_and(|w| month_name(w).is_some()))
    {
        return Some(format!("{written} or the other day — which one is it?"));
    }
    let bare_weekday =
        weekday_name(t.word(to)?).is_some() || t.is_any_word(to, &["morning", "evening", "night", "afternoon"]);
    let month_after =
        (to + 1..to + 4).any(|k| t.is_any_word(k, &["in", "of"]) && t.word(k + 1).and_then(month_name).is_some());
    (bare_weekday && month_after).then(|| format!("Which {} is it? Give me the date.", t.raw(from, from)))
}

fn mention_at(scan: &Scan, i: usize) -> Option<Mention> {
    nth_weekday_at(scan, i)
        .or_else(|| iso_at(scan, i))
        .or_else(|| numeric_at(scan, i))
        .or_else(|| weekday_at(scan, i))
        .or_else(|| month_first_at(scan, i))
        .or_else(|| day_first_at(scan, i))
        .or_else(|| relative_at(scan, i))
        .or_else(|| vague_at(scan, i))
}

/// A day of the month, 1 to 31, that is not a clock time ("12:30", "9am").
pub(super) fn day_at(scan: &Scan, i: usize) -> Option<u32> {
    let n = scan.t.number(i)?;
    let day = n.small().filter(|d| (1..=31).contains(d) && n.digits <= 2)?;
    // "12:30" is an hour; "Dec 12: 7pm" is a day before a colon.
    let colon_clock =
        scan.t.is_mark(i + 1, ':') && scan.t.get(i + 2).is_some_and(|next| !next.spaced && next.number().is_some());
    let clock = colon_clock || scan.t.is_any_word(i + 1, &["am", "pm", "h", "o'clock"]);
    (!clock && scan.free(i)).then_some(day)
}

fn year_at(scan: &Scan, i: usize) -> Option<i32> {
    let n = scan.t.number(i)?;
    (n.digits == 4 && n.is_whole() && (1900..=2200).contains(&n.int)).then_some(n.int as i32)
}

pub(super) fn month_at(scan: &Scan, i: usize) -> Option<(u32, usize)> {
    let month = month_name(scan.t.word(i)?)?;
    // "Mar. 12": the abbreviation's full stop belongs to it.
    let end = if scan.t.is_mark(i + 1, '.') && scan.t.word(i).is_some_and(|w| w.len() <= 4) { i + 1 } else { i };
    Some((month, end))
}

/// An optional ", 2027" after index `after`: the year and the last index read.
pub(super) fn year_after(scan: &Scan, after: usize) -> (Option<i32>, usize) {
    if let Some(year) = year_at(scan, after + 1) {
        return (Some(year), after + 1);
    }
    if scan.t.is_mark(after + 1, ',')
        && let Some(year) = year_at(scan, after + 2)
    {
        return (Some(year), after + 2);
    }
    (None, after)
}

fn is_range_link(scan: &Scan, i: usize) -> bool {
    scan.t.is_dash(i) || scan.t.is_any_word(i, RANGE_WORDS)
}

/// "March 12", "Mar 12th, 2027", "May 20–21", "March 3 to March 5", "May 30 – June 1".
pub(super) fn month_first_at(scan: &Scan, i: usize) -> Option<Mention> {
    let (month, month_end) = month_at(scan, i)?;
    let day = day_at(scan, month_end + 1)?;
    let mut end = month_end + 1;
    let mut last = None;
    if is_range_link(scan, end + 1) || scan.t.is_any_word(end + 1, &["and"]) || scan.t.is_mark(end + 1, '&') {
        let and = !is_range_link(scan, end + 1);
        if let Some((month2, m2_end)) = month_at(scan, end + 2)
            && let Some(day2) = day_at(scan, m2_end + 1)
        {
            last = Some((month2, day2));
            end = m2_end + 1;
        } else if let Some(day2) = day_at(scan, end + 2)
            && (!and || day2 == day + 1)
            && day2 > day
        {
            last = Some((month, day2));
            end += 2;
        }
    }
    let (year, end) = year_after(scan, end);
    Some(resolve(scan, (month, day), last, year, end))
}

/// "12 March 2027", "the 12th of March", "20-21 May", "3 to 5 March".
pub(super) fn day_first_at(scan: &Scan, i: usize) -> Option<Mention> {
    let day = day_at(scan, i)?;
    let mut j = i + 1;
    let mut day2 = None;
    if is_range_link(scan, j)
        && let Some(d2) = day_at(scan, j + 1)
        && d2 > day
    {
        day2 = Some(d2);
        j += 2;
    }
    if scan.t.is_word(j, "of") {
        j += 1;
    }
    let (month, month_end) = month_at(scan, j)?;
    let (year, end) = year_after(scan, month_end);
    Some(resolve(scan, (month, day), day2.map(|d| (month, d)), year, end))
}

/// "2027-03-12" or "2027/03/12".
pub(super) fn iso_at(scan: &Scan, i: usize) -> Option<Mention> {
    let year = year_at(scan, i)?;
    let mark = match scan.t.get(i + 1)?.kind {
        super::tokens::Kind::Mark(c @ ('-' | '/')) => c,
        _ => return None,
    };
    let month = scan.t.number(i + 2)?.small()?;
    if !scan.t.is_mark(i + 3, mark) {
        return None;
    }
    let day = scan.t.number(i + 4)?.small()?;
    Some(resolve(scan, (month, day), None, Some(year), i + 4))
}

/// "25/03/2027", "03/25/2027"; "03/04/2027" could be either and is asked.
pub(super) fn numeric_at(scan: &Scan, i: usize) -> Option<Mention> {
    let a = scan.t.number(i).filter(|n| n.digits <= 2)?.small()?;
    if !scan.t.is_mark(i + 1, '/') {
        return None;
    }
    let b = scan.t.number(i + 2).filter(|n| n.digits <= 2)?.small()?;
    let (year, end) = if scan.t.is_mark(i + 3, '/') {
        let n = scan.t.number(i + 4)?;
        let year = match n.digits {
            4 => n.int as i32,
            2 => 2000 + n.int as i32,
            _ => return None,
        };
        (Some(year), i + 4)
    } else {
        (None, i + 2)
    };
    if a == 0 || b == 0 || a > 31 || b > 31 || (a > 12 && b > 12) {
        return None;
    }
    if a <= 12 && b <= 12 && a != b {
        let written = scan.t.raw(i, end);
        let day_month = named(b, a);
        let month_day = named(a, b);
        return Some(Mention::Doubt { question: format!("Is {written} {day_month} or {month_day}?"), end });
    }
    let (month, day) = if a > 12 { (b, a) } else { (a, b) };
    Some(resolve(scan, (month, day), None, year, end))
}

const MONTH_LABELS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Thursday 02/04/2027": of February 4 and April 2, the one that is a Thursday.
pub(super) fn numeric_by_weekday(scan: &Scan, i: usize, day: Weekday) -> Option<Mention> {
    let Some(Mention::Doubt { end, .. }) = numeric_at(scan, i) else { return None };
    let a = scan.t.number(i)?.small()?;
    let b = scan.t.number(i + 2)?.small()?;
    let year = (end == i + 4)
        .then(|| scan.t.number(i + 4).map(|n| if n.digits == 2 { 2000 + n.int as i32 } else { n.int as i32 }))
        .flatten();
    let fits = |(month, day_of_month): (u32, u32)| match resolve(scan, (month, day_of_month), None, year, end) {
        Mention::Days { days, end } if days.first.weekday() == day => Some(Mention::Days { days, end }),
        _ => None,
    };
    match (fits((a, b)), fits((b, a))) {
        (Some(one), None) | (None, Some(one)) => Some(one),
        _ => None,
    }
}

fn named(month: u32, day: u32) -> String {
    format!("{} {day}", MONTH_LABELS[(month.clamp(1, 12) - 1) as usize])
}

/// Builds the mention of a written date, finding the year when none is given: the next
/// such day on or after today. A day that does not exist or has passed is asked about.
fn resolve(scan: &Scan, first: (u32, u32), last: Option<(u32, u32)>, year: Option<i32>, end: usize) -> Mention {
    let today = scan.today;
    let doubt = |question: String| Mention::Doubt { question, end };
    let written = scan.t.raw(scan_start(scan, end, first), end).to_string();
    let first_day = match year {
        Some(y) => NaiveDate::from_ymd_opt(y, first.0, first.1),
        // The next such day: February 29 may be years away.
        None => (0..=4)
            .filter_map(|ahead| NaiveDate::from_ymd_opt(today.year() + ahead, first.0, first.1))
            .find(|d| *d >= today),
    };
    let Some(first_day) = first_day else {
        return doubt(format!("{written} is not a date — which day did you mean?"));
    };
    if first_day < today {
        return doubt(format!("{} has already passed — which date did you mean?", long_date(first_day)));
    }
    let last_day = match last {
        None => first_day,
        Some((m, d)) => {
            let same_year = NaiveDate::from_ymd_opt(first_day.year(), m, d);
            match same_year {
                Some(l) if l >= first_day => l,
                Some(_) => match NaiveDate::from_ymd_opt(first_day.year() + 1, m, d) {
                    Some(l) => l,
                    None => return doubt(format!("{written} is not a date — which days did you mean?")),
                },
                None => return doubt(format!("{written} is not a date — which days did you mean?")),
            }
        }
    };
    if (last_day - first_day).num_days() > 31 {
        return doubt(format!("{written} is more than a month long — which days did you mean?"));
    }
    Mention::Days { days: Days { first: first_day, last: last_day }, end }
}

/// The first token of the mention ending at `end` whose day is `first`, for quoting it back.
fn scan_start(scan: &Scan, end: usize, first: (u32, u32)) -> usize {
    (0..=end)
        .rev()
        .take(8)
        .filter(|&k| {
            scan.t.word(k).and_then(month_name) == Some(first.0)
                || scan.t.number(k).and_then(|n| n.small()) == Some(first.1)
                || year_at(scan, k).is_some()
        })
        .last()
        .unwrap_or(end)
}
