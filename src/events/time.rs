//! Event times: stored in UTC, typed and shown in the event's own time zone.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub const DEFAULT_TIMEZONE: &str = "America/Toronto";

pub fn parse_timezone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| "Choose a time zone from the list, like America/Toronto.".into())
}

/// The time zone of an event, falling back to Toronto for a value that no longer parses.
pub fn timezone_or_default(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::America::Toronto)
}

/// Reads a `datetime-local` value (`2027-03-04T09:00`) as a time in `tz`.
pub fn local_to_utc(input: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Enter a date and time.".into());
    }
    let naive = NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%d %H:%M"))
        .map_err(|_| "Enter a date and time like 2027-03-04 09:00.".to_string())?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // The hour repeated when clocks fall back: take the first one.
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err("That time does not exist in this time zone (clocks spring forward).".into()),
    }
}

/// The value a `datetime-local` input needs for `at`, in `tz`.
pub fn utc_to_local_input(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// "Thu, Mar 4, 2027 · 9:00 AM – 5:00 PM EST", or both dates when the event spans days.
pub fn format_range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (start, end) = (start.with_timezone(&tz), end.with_timezone(&tz));
    if start.date_naive() == end.date_naive() {
        format!(
            "{} · {} – {} {}",
            start.format("%a, %b %-d, %Y"),
            start.format("%-I:%M %p"),
            end.format("%-I:%M %p"),
            end.format("%Z")
        )
    } else {
        format!(
            "{} – {} {}",
            start.format("%a, %b %-d, %Y, %-I:%M %p"),
            end.format("%a, %b %-d, %Y, %-I:%M %p"),
            end.format("%Z")
        )
    }
}

/// "Mar 1" (with the year when it is not the current one).
pub fn format_day(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    if local.format("%Y").to_string() == Utc::now().with_timezone(&tz).format("%Y").to_string() {
        local.format("%b %-d").to_string()
    } else {
        local.format("%b %-d, %Y").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_the_events_time_zone() {
        let tz = parse_timezone("America/Toronto").unwrap();
        let utc = local_to_utc("2027-03-04T09:00", tz).unwrap();
        assert_eq!(utc.to_rfc3339(), "2027-03-04T14:00:00+00:00");
        assert_eq!(utc_to_local_input(utc, tz), "2027-03-04T09:00");
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_is_refused() {
        let tz = parse_timezone("America/Toronto").unwrap();
        assert!(local_to_utc("2027-03-14T02:30", tz).unwrap_err().contains("does not exist"));
    }

    #[test]
    fn unknown_time_zones_and_malformed_times_are_refused() {
        assert!(parse_timezone("Mars/Olympus").is_err());
        let tz = parse_timezone("America/Toronto").unwrap();
        assert!(local_to_utc("next tuesday", tz).is_err());
        assert!(local_to_utc("", tz).is_err());
    }

    #[test]
    fn a_same_day_range_shows_the_date_once() {
        let tz = parse_timezone("America/Toronto").unwrap();
        let start = local_to_utc("2027-03-04T09:00", tz).unwrap();
        let end = local_to_utc("2027-03-04T17:30", tz).unwrap();
        assert_eq!(format_range(start, end, tz), "Thu, Mar 4, 2027 · 9:00 AM – 5:30 PM EST");
    }
}
