//! Cities and time-zone words: where the event is tells its time zone, and whether a bare
//! `$` means Canadian dollars.

use super::{Scan, Use, words};

/// A city organizers name, its IANA time zone, and whether it is in Canada.
struct City {
    words: &'static [&'static str],
    zone: &'static str,
    canadian: bool,
}

const fn city(words: &'static [&'static str], zone: &'static str, canadian: bool) -> City {
    City { words, zone, canadian }
}

const CITIES: &[City] = &[
    city(&["toronto"], "America/Toronto", true),
    city(&["ottawa"], "America/Toronto", true),
    city(&["montreal"], "America/Toronto", true),
    city(&["montréal"], "America/Toronto", true),
    city(&["quebec", "city"], "America/Toronto", true),
    city(&["waterloo"], "America/Toronto", true),
    city(&["kitchener"], "America/Toronto", true),
    city(&["mississauga"], "America/Toronto", true),
    city(&["hamilton"], "America/Toronto", true),
    city(&["markham"], "America/Toronto", true),
    city(&["vancouver"], "America/Vancouver", true),
    city(&["victoria"], "America/Vancouver", true),
    city(&["calgary"], "America/Edmonton", true),
    city(&["edmonton"], "America/Edmonton", true),
    city(&["winnipeg"], "America/Winnipeg", true),
    city(&["regina"], "America/Regina", true),
    city(&["saskatoon"], "America/Regina", true),
    city(&["halifax"], "America/Halifax", true),
    city(&["st", "john's"], "America/St_Johns", true),
    city(&["new", "york"], "America/New_York", false),
    city(&["nyc"], "America/New_York", false),
    city(&["boston"], "America/New_York", false),
    city(&["miami"], "America/New_York", false),
    city(&["washington"], "America/New_York", false),
    city(&["atlanta"], "America/New_York", false),
    city(&["chicago"], "America/Chicago", false),
    city(&["austin"], "America/Chicago", false),
    city(&["dallas"], "America/Chicago", false),
    city(&["houston"], "America/Chicago", false),
    city(&["denver"], "America/Denver", false),
    city(&["los", "angeles"], "America/Los_Angeles", false),
    city(&["san", "francisco"], "America/Los_Angeles", false),
    city(&["seattle"], "America/Los_Angeles", false),
    city(&["las", "vegas"], "America/Los_Angeles", false),
    city(&["london"], "Europe/London", false),
    city(&["paris"], "Europe/Paris", false),
    city(&["berlin"], "Europe/Berlin", false),
];

/// Whether the event is in the United States, for a bare `$`.
const AMERICAN: &[&str] = &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"];

/// Time-zone words: abbreviations count only in capitals ("ET", "PST").
const ZONES: &[(&str, &str)] = &[
    ("et", "America/Toronto"),
    ("est", "America/Toronto"),
    ("edt", "America/Toronto"),
    ("pt", "America/Vancouver"),
    ("pst", "America/Vancouver"),
    ("pdt", "America/Vancouver"),
    ("mt", "America/Edmonton"),
    ("mst", "America/Edmonton"),
    ("mdt", "America/Edmonton"),
    ("ct", "America/Winnipeg"),
    ("cst", "America/Winnipeg"),
    ("cdt", "America/Winnipeg"),
    ("ast", "America/Halifax"),
    ("adt", "America/Halifax"),
    ("nst", "America/St_Johns"),
    ("utc", "UTC"),
    ("gmt", "UTC"),
];

const ZONE_NAMES: &[(&str, &str)] = &[
    ("eastern", "America/Toronto"),
    ("pacific", "America/Vancouver"),
    ("mountain", "America/Edmonton"),
    ("central", "America/Winnipeg"),
    ("atlantic", "America/Halifax"),
    ("newfoundland", "America/St_Johns"),
];

/// Where the message puts the event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub zone: Option<&'static str>,
    /// The city is outside Canada (a bare `$` is then asked about).
    pub abroad: bool,
    pub american: bool,
}

/// Reads a time zone named outright, or else a city outside the event's name.
pub fn read(scan: &mut Scan) -> Place {
    let mut place = Place::default();
    for i in 0..scan.t.len() {
        let Some(word) = scan.t.word(i) else { continue };
        let upper = scan.t.raw_one(i).chars().all(|c| c.is_uppercase());
        if upper && let Some(&(_, zone)) = ZONES.iter().find(|(w, _)| *w == word) {
            scan.mark(i, i, Use::Zone);
            place.zone = Some(zone);
            return place;
        }
        // "Pacific time", or "10am Pacific" right after a clock time.
        let after_time = i > 0 && scan.used(i - 1) == Some(Use::Time);
        if (scan.t.is_any_word(i + 1, &["time"]) || after_time)
            && let Some(&(_, zone)) = ZONE_NAMES.iter().find(|(w, _)| *w == word)
        {
            scan.mark(i, i + 1, Use::Zone);
            place.zone = Some(zone);
            return place;
        }
    }
    for i in 0..scan.t.len() {
        let named = scan.t.capitalised(i) || scan.used(i) == Some(Use::Venue) || i > 0 && scan.t.is_word(i - 1, "in");
        if scan.used(i) == Some(Use::Name) || !named {
            continue;
        }
        if let Some(city) = CITIES.iter().find(|c| words::phrase_at(scan, i, c.words).is_some()) {
            place.zone = Some(city.zone);
            place.abroad = !city.canadian;
            place.american = AMERICAN.contains(&city.zone);
            return place;
        }
    }
    place
}

/// Whether a city starts at token `i` (a venue or name stops before "in Vancouver").
pub fn city_at(scan: &Scan, i: usize) -> bool {
    CITIES.iter().any(|c| words::phrase_at(scan, i, c.words).is_some())
}
