//! Days named relative to the organizer's today: "the first Monday of February", "next
//! Friday", "tomorrow", and the vague ones ("next week", "early March") that become
//! questions.

use super::Scan;
use super::dates::{
    Days, Mention, day_at, day_first_at, iso_at, long_date, month_at, month_first_at, month_name, numeric_at,
    numeric_by_weekday, weekday_label, weekday_name, year_after,
};
use chrono::{Datelike, Duration, NaiveDate};

/// "the first Monday of February", "the last Friday of March".
pub(super) fn nth_weekday_at(scan: &Scan, i: usize) -> Option<Mention> {
    let t = &scan.t;
    let nth: i64 = match t.word(i)? {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        "last" => -1,
        _ => return None,
    };
    let day = weekday_name(t.word(i + 1)?)?;
    if !(t.is_word(i + 2, "of") || t.is_word(i + 2, "in")) {
        return None;
    }
    let (month, month_end) = month_at(scan, i + 3)?;
    let (year, end) = year_after(scan, month_end);
    let today = scan.today;
    let years: Vec<i32> = match year {
        Some(y) => vec![y],
        None => vec![today.year(), today.year() + 1],
    };
    for y in years {
        let first = NaiveDate::from_ymd_opt(y, month, 1)?;
        let found = if nth > 0 {
            let offset = (day.num_days_from_monday() + 7 - first.weekday().num_days_from_monday()) % 7;
            first + Duration::days(offset as i64 + 7 * (nth - 1))
        } else {
            let next_month = if month == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(y, month + 1, 1)?
            };
            let last = next_month - Duration::days(1);
            let back = (last.weekday().num_days_from_monday() + 7 - day.num_days_from_monday()) % 7;
            last - Duration::days(back as i64)
        };
        if found.month() == month && found >= today {
            return Some(Mention::Days { days: Days { first: found, last: found }, end });
        }
    }
    Some(Mention::Doubt { question: "Which day is it? Give me the date.".into(), end })
}

/// "Friday", "this Friday", "next Friday", "Fri, March 12" (checked against the date).
pub(super) fn weekday_at(scan: &Scan, i: usize) -> Option<Mention> {
    let (modifier, at) = match scan.t.word(i)? {
        m @ ("this" | "next" | "coming" | "upcoming") => (Some(m), i + 1),
        _ => (None, i),
    };
    let word = scan.t.word(at)?;
    let day = weekday_name(word)?;
    // Short forms ("sat", "sun", "wed") are weekdays only beside a date or a comma.
    let short = word.len() <= 4 && !matches!(word, "thur" | "thurs" | "tues" | "weds");
    let mut end = at;
    if scan.t.is_mark(end + 1, ',') || scan.t.is_mark(end + 1, '.') {
        end += 1;
    }
    if scan.t.is_word(end + 1, "the") && scan.t.number(end + 2).is_some() {
        end += 1;
    }
    if let Some(settled) = numeric_by_weekday(scan, end + 1, day) {
        return Some(settled);
    }
    let dated = iso_at(scan, end + 1)
        .or_else(|| numeric_at(scan, end + 1))
        .or_else(|| month_first_at(scan, end + 1))
        .or_else(|| day_first_at(scan, end + 1));
    if let Some(mention) = dated {
        return Some(match mention {
            Mention::Days { days, end } if days.first.weekday() != day => Mention::Doubt {
                question: format!(
                    "{} is a {}, not a {} — which day did you mean?",
                    long_date(days.first).split_once(", ").map_or(String::new(), |(_, d)| d.to_string()),
                    weekday_label(days.first.weekday()),
                    weekday_label(day)
                ),
                end,
            },
            other => other,
        });
    }
    if short && modifier.is_none() && !scan.t.is_any_word(i.wrapping_sub(1), &["on", "this", "next"]) {
        return None;
    }
    // "Friday Fizz", "Blue Monday Sessions": a weekday inside a name is no date.
    let in_name = |k: usize| {
        scan.t.capitalised(k)
            && scan.t.word(k).is_some_and(|w| {
                month_name(w).is_none()
                    && weekday_name(w).is_none()
                    && !matches!(w, "night" | "morning" | "evening" | "afternoon" | "noon" | "at" | "from" | "the")
            })
    };
    if modifier.is_none() && in_name(at + 1) {
        return None;
    }
    let today = scan.today;
    let ahead = (day.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    let coming = today + Duration::days(if ahead == 0 { 7 } else { ahead as i64 });
    let end = if scan.t.is_any_word(at + 1, &["night", "evening"]) { at + 1 } else { at };
    let days = |d: NaiveDate| Mention::Days { days: Days { first: d, last: d }, end };
    Some(match modifier {
        Some("this") if ahead == 0 => days(today),
        Some("next") if ahead == 1 => Mention::Doubt {
            question: format!(
                "By “next {}”, do you mean tomorrow ({}) or {}?",
                weekday_label(day),
                short_date(coming),
                short_date(coming + Duration::days(7))
            ),
            end,
        },
        None if ahead == 0 => Mention::Doubt {
            question: format!(
                "Today is {} — do you mean today or {}?",
                weekday_label(day),
                short_date(today + Duration::days(7))
            ),
            end,
        },
        _ => days(coming),
    })
}

fn short_date(day: NaiveDate) -> String {
    day.format("%A, %B %-d").to_string()
}

/// "today", "tonight", "tomorrow", "the day after tomorrow".
pub(super) fn relative_at(scan: &Scan, i: usize) -> Option<Mention> {
    let offset = match scan.t.word(i)? {
        "today" | "tonight" => 0,
        "tomorrow" | "tmrw" | "tmr" => {
            if scan.t.is_word(i.wrapping_sub(1), "after") && scan.t.is_word(i.wrapping_sub(2), "day") {
                return None;
            }
            1
        }
        "day" if scan.t.is_word(i + 1, "after") && scan.t.is_word(i + 2, "tomorrow") => {
            let d = scan.today + Duration::days(2);
            return Some(Mention::Days { days: Days { first: d, last: d }, end: i + 2 });
        }
        _ => return None,
    };
    let d = scan.today + Duration::days(offset);
    let end = if scan.t.is_any_word(i + 1, &["night", "evening", "morning", "afternoon"]) { i + 1 } else { i };
    Some(Mention::Days { days: Days { first: d, last: d }, end })
}

/// "next week", "sometime in March", "early April", "mid-May", "in the spring".
pub(super) fn vague_at(scan: &Scan, i: usize) -> Option<Mention> {
    let ask = |end: usize| Mention::Doubt { question: "Which day is it? Give me the date.".into(), end };
    let word = scan.t.word(i)?;
    match word {
        "next" | "this" | "later"
            if scan.t.is_any_word(
                i + 1,
                &["week", "month", "weekend", "year", "spring", "summer", "fall", "autumn", "winter"],
            ) =>
        {
            Some(ask(i + 1))
        }
        "later" if scan.t.is_word(i + 1, "this") && scan.t.is_any_word(i + 2, &["week", "month"]) => Some(ask(i + 2)),
        "early" | "mid" | "late" | "end" | "beginning" | "start" | "sometime" | "in" => {
            let mut j = i + 1;
            while scan.t.is_dash(j) || scan.t.is_any_word(j, &["of", "in", "the"]) {
                j += 1;
            }
            if scan.t.is_any_word(j, &["spring", "summer", "fall", "autumn", "winter"]) && word != "in"
                || scan.t.is_any_word(j, &["spring", "summer", "fall", "autumn", "winter"])
                    && scan.t.is_word(j - 1, "the")
            {
                return Some(ask(j));
            }
            let (_, month_end) = month_at(scan, j)?;
            // "May" and "March" are also verbs; as a month alone they are written with a capital.
            let verb_like = scan.t.is_any_word(j, &["may", "march"]) && !scan.t.capitalised(j);
            (!verb_like && day_at(scan, month_end + 1).is_none()).then(|| ask(month_end))
        }
        _ => None,
    }
}
