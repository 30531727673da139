//! Calendar files (RFC 5545) for events: the `.ics` download and the attachment of ticket
//! e-mails. Pure functions, so every caller gets the same entry.

use chrono::{DateTime, Utc};

/// Escapes text for an iCalendar property value.
fn ics_text(value: &str) -> String {
    value.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\r', "").replace('\n', "\\n")
}

/// Folds a content line at 75 octets, as RFC 5545 asks, without splitting a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn ics_time(iso: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(iso).ok().map(|t| t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string())
}

/// What a calendar entry says about an event.
pub struct CalendarEntry<'a> {
    pub id: uuid::Uuid,
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub start_iso: String,
    pub end_iso: String,
    pub location: String,
    pub cancelled: bool,
}

impl<'a> CalendarEntry<'a> {
    pub fn of(event: &'a crate::events::PublicEvent) -> Self {
        CalendarEntry {
            id: event.id,
            slug: &event.slug,
            name: &event.name,
            description: &event.description,
            start_iso: event.start_iso.clone(),
            end_iso: event.end_iso.clone(),
            location: event
                .venue
                .as_ref()
                .map(|v| format!("{}, {}, {}, {}", v.name, v.address, v.city, v.province))
                .unwrap_or_default(),
            cancelled: event.status == crate::events::EventStatus::Cancelled,
        }
    }
}

/// The calendar file of an event.
pub fn calendar(event: &CalendarEntry<'_>, site: &str) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//EventOS//Events//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@eventos", event.id),
        format!("DTSTAMP:{}", Utc::now().format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART:{}", ics_time(&event.start_iso).unwrap_or_default()),
        format!("DTEND:{}", ics_time(&event.end_iso).unwrap_or_default()),
        format!("SUMMARY:{}", ics_text(event.name)),
        format!("DESCRIPTION:{}", ics_text(event.description)),
        format!("LOCATION:{}", ics_text(&event.location)),
        format!("URL:{site}/events/{}", event.slug),
        format!("STATUS:{}", if event.cancelled { "CANCELLED" } else { "CONFIRMED" }),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_text_is_escaped_and_folded() {
        assert_eq!(ics_text("Hall A; Floor 2, Toronto\nBring ID"), "Hall A\\; Floor 2\\, Toronto\\nBring ID");
        let folded = fold(&"x".repeat(200));
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
    }
}
