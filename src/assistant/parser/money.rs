//! Ticket prices and the tiers they belong to: "$299", "CAD 75", "450 dollars", "free",
//! "general admission $299, VIP $599", "$25 general and $10 for students",
//! "Early Bird 149, Regular 249, Group (5 pack) 999".

use super::tokens::Kind;
use super::{Field, Scan, Use, words};

/// A price found in the message, before its tier is named.
#[derive(Debug, Clone)]
pub struct Price {
    pub cents: i64,
    /// ISO code when the message said which ("US$", "EUR", "CAD"); None for a bare `$`.
    pub currency: Option<&'static str>,
    /// The amount's first and last token (with its currency marks and "per person").
    pub start: usize,
    pub end: usize,
}

/// A tier as the message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierReading {
    pub name: String,
    pub price_cents: i64,
}

/// Whether any dollar amount was written without saying whose dollars.
#[derive(Debug, Clone, Default)]
pub struct Prices {
    pub found: Vec<Price>,
    pub bare_dollars: bool,
}

const FOOD: &[&str] = &[
    "parking",
    "lunch",
    "food",
    "coffee",
    "drinks",
    "drink",
    "snacks",
    "breakfast",
    "dinner",
    "wifi",
    "wi-fi",
    "swag",
    "pizza",
    "beer",
    "shuttle",
    "merch",
    "refreshments",
    "childcare",
    "coat",
    "parking.",
    "appetizers",
    "wine",
    "t-shirt",
    "tshirts",
    "shirts",
    "food.",
    "bar",
    "tea",
    "water",
    "consultation",
    "consultations",
    "trial",
];

fn currency_word(word: &str) -> Option<Option<&'static str>> {
    Some(match word {
        "dollars" | "dollar" | "bucks" => None,
        "cad" | "cdn" => Some("CAD"),
        "usd" => Some("USD"),
        "eur" | "euros" | "euro" => Some("EUR"),
        "gbp" | "pounds" | "pound" | "quid" => Some("GBP"),
        _ => return None,
    })
}

/// Finds every amount of money and every "free", marking them.
pub fn read_prices(scan: &mut Scan) -> Prices {
    let mut prices = Prices::default();
    let mut i = 0;
    while i < scan.t.len() {
        if !scan.free(i) {
            i += 1;
            continue;
        }
        if let Some(end) = free_at(scan, i) {
            scan.mark(i, end, Use::Price);
            prices.found.push(Price { cents: 0, currency: None, start: i, end });
            i = end + 1;
            continue;
        }
        let Some((mut price, bare)) = amount_at(scan, i) else {
            i += 1;
            continue;
        };
        // "$50-$75", "$50 to 75", "between $50 and $75": a range is no price.
        let link = price.end + 1;
        let ranged = (scan.t.is_dash(link) || scan.t.is_word(link, "to"))
            && (amount_at(scan, link + 1).is_some() || scan.t.number(link + 1).is_some())
            || scan.t.is_word(i.wrapping_sub(1), "between") && scan.t.is_word(link, "and");
        let vague = i > 0
            && (scan.t.is_any_word(i - 1, &["around", "about", "roughly", "approximately", "approx", "circa"])
                || scan.t.is_mark(i - 1, '~'))
            || scan.t.is_word(link, "ish")
            || scan.t.is_word(link, "or") && scan.t.is_word(link + 1, "so");
        if ranged || vague {
            let to = if ranged { amount_at(scan, link + 1).map_or(link + 1, |(p, _)| p.end) } else { link };
            let from = if vague && i > 0 && !scan.t.is_word(link, "ish") { i - 1 } else { i };
            let written = scan.t.raw(from, to.min(scan.t.len() - 1)).to_string();
            scan.ask(Field::Tickets, format!("You wrote “{written}” — what exactly does a ticket cost?"));
            scan.mark(from, to.min(scan.t.len() - 1), Use::Price);
            i = to + 1;
            continue;
        }
        price.end = extras_after(scan, price.end);
        prices.bare_dollars |= bare;
        scan.mark(price.start, price.end, Use::Price);
        i = price.end + 1;
        prices.found.push(price);
    }
    prices
}

/// "free", "free entry", "free of charge", "no charge", "no cost", "complimentary".
fn free_at(scan: &Scan, i: usize) -> Option<usize> {
    let t = &scan.t;
    let free_word = t.is_word(i, "free") || t.is_word(i, "complimentary");
    if free_word {
        if t.is_any_word(i + 1, FOOD) || t.is_any_word(i.wrapping_sub(1), &["feel", "gluten", "tax", "nut", "dairy"]) {
            return None;
        }
        if t.is_dash(i.wrapping_sub(1)) {
            return None;
        }
        if t.is_word(i + 1, "of") && t.is_word(i + 2, "charge") {
            return Some(i + 2);
        }
        if t.is_any_word(i + 1, &["entry", "admission", "entrance", "event", "tickets", "ticket", "registration"]) {
            return Some(i + 1);
        }
        if t.is_word(i + 1, "to") && t.is_any_word(i + 2, &["attend", "join", "enter"]) {
            return Some(i + 2);
        }
        return Some(i);
    }
    if t.is_word(i, "no") && t.is_any_word(i + 1, &["charge", "cost", "fee", "cover"]) {
        return Some(if t.is_word(i + 2, "charge") { i + 2 } else { i + 1 });
    }
    None
}

/// An amount with its currency marks: "$1,250", "US$75", "CAD 75", "75 CAD", "450 dollars",
/// "$75 CAD", "€40", "$1.2k". The flag says a `$` or "dollars" named no country.
fn amount_at(scan: &Scan, i: usize) -> Option<(Price, bool)> {
    let t = &scan.t;
    let mut currency: Option<&'static str> = None;
    let mut dollar = false;
    let mut at = i;
    // Prefixes: "US$", "C$", "CA$", "CAD", "USD", "$", "€", "£".
    match &t.get(i)?.kind {
        Kind::Word(w) if t.is_mark(i + 1, '$') && !t.get(i + 1)?.spaced => {
            currency = Some(match w.as_str() {
                "us" => "USD",
                "c" | "ca" | "cad" | "cdn" => "CAD",
                "a" | "au" => "AUD",
                "nz" => "NZD",
                "hk" => "HKD",
                "s" => "SGD",
                _ => return None,
            });
            at = i + 2;
        }
        Kind::Word(w) if matches!(w.as_str(), "cad" | "usd" | "eur" | "gbp") => {
            currency = currency_word(w).flatten();
            at = i + 1;
            if t.is_mark(at, '$') {
                at += 1;
            }
        }
        Kind::Mark('$') => {
            dollar = true;
            at = i + 1;
        }
        Kind::Mark('€') => {
            currency = Some("EUR");
            at = i + 1;
        }
        Kind::Mark('£') => {
            currency = Some("GBP");
            at = i + 1;
        }
        Kind::Number(_) => {}
        _ => return None,
    }
    let n = t.number(at)?.clone();
    if n.ordinal {
        return None;
    }
    let mut end = at;
    let mut hundredths = n.hundredths();
    if t.is_any_word(end + 1, &["k"]) && !t.get(end + 1)?.spaced {
        hundredths = hundredths.saturating_mul(1000);
        end += 1;
    }
    if t.is_any_word(end + 1, &["us", "canadian", "american"]) && t.is_any_word(end + 2, &["dollars", "dollar"]) {
        currency = Some(if t.is_word(end + 1, "canadian") { "CAD" } else { "USD" });
        end += 2;
    } else if t.is_mark(end + 1, '$') && !t.get(end + 1)?.spaced && at == i {
        // "60$", as written in Québec.
        dollar = true;
        end += 1;
    } else if let Some(code) = t.word(end + 1).and_then(currency_word) {
        match code {
            Some(code) => currency = Some(code),
            None if currency.is_none() => dollar = true,
            None => {}
        }
        end += 1;
    } else if at == i {
        // A bare number is no amount.
        return None;
    }
    if hundredths > 100_000_000 {
        return None;
    }
    let bare = dollar && currency.is_none();
    Some((Price { cents: hundredths as i64, currency, start: i, end }, bare))
}

/// Words after an amount that belong to it: "per person", "each", "a head", "+ HST", "plus tax".
fn extras_after(scan: &Scan, mut end: usize) -> usize {
    let t = &scan.t;
    loop {
        let next = end + 1;
        // "$120 per person including dinner": what the price covers.
        if t.is_any_word(next, &["including", "includes", "incl", "inclusive", "covers"]) {
            let mut k = next;
            while k + 1 < t.len() && t.word(k + 1).is_some() && k < next + 4 {
                k += 1;
            }
            end = k;
            continue;
        }
        if t.is_word(next, "per") && t.word(next + 1).is_some() {
            end = next + 1;
            continue;
        }
        if t.is_any_word(next, &["per", "a", "/"]) || t.is_mark(next, '/') {
            if t.is_any_word(next + 1, &["person", "ticket", "head", "attendee", "seat", "guest", "participant", "pp"])
            {
                end = next + 1;
                continue;
            }
            return end;
        }
        if t.is_any_word(next, &["each", "pp", "pp.", "apiece"]) {
            end = next;
            continue;
        }
        if (t.is_mark(next, '+') || t.is_word(next, "plus"))
            && t.is_any_word(next + 1, &["hst", "gst", "tax", "taxes", "fees", "fee", "vat", "pst", "qst"])
        {
            end = next + 1;
            continue;
        }
        return end;
    }
}

/// Names every price's tier, and finds tier lists written without currency.
pub fn read_tiers(scan: &mut Scan, prices: &Prices) -> Vec<TierReading> {
    let mut tiers: Vec<(usize, TierReading)> = Vec::new();
    let mut unnamed = 0;
    for price in &prices.found {
        let name = name_before(scan, price.start).or_else(|| name_after(scan, price.end)).map(|(from, to, name)| {
            scan.mark(from, to, Use::Tier);
            name
        });
        let name = name.unwrap_or_else(|| {
            unnamed += 1;
            "General Admission".to_string()
        });
        tiers.push((price.start, TierReading { name, price_cents: price.cents }));
    }
    let mut unnamed_prices: Vec<i64> =
        tiers.iter().filter(|(_, t)| t.name == "General Admission").map(|(_, t)| t.price_cents).collect();
    unnamed_prices.dedup();
    if unnamed > 1 && unnamed_prices.len() > 1 {
        scan.ask(Field::Tickets, "Which ticket is each price for? Give each one a name.".into());
        tiers.retain(|(_, t)| t.name != "General Admission");
    }
    // "Pay what you can", "by donation": no fixed price to sell at.
    let donation = words::has_phrase(scan, &["pay", "what", "you", "can"])
        || words::has_phrase(scan, &["pwyc"])
        || words::has_phrase(scan, &["by", "donation"])
        || words::has_phrase(scan, &["suggested", "donation"]);
    if donation {
        scan.ask(
            Field::Tickets,
            "Is it free, or what is the ticket price? A donation cannot be sold as a ticket.".into(),
        );
        tiers.clear();
    }
    // "Free webinar … $0.00": one free tier, not two.
    let mut seen = Vec::new();
    tiers.retain(|(_, t)| {
        let key = (t.name.to_lowercase(), t.price_cents);
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    // "Early Bird 149, Regular 249, Group (5 pack) 999".
    let mut listed = Vec::new();
    for i in 0..scan.t.len() {
        let Some(n) = scan.t.number(i) else { continue };
        if !scan.free(i) || n.ordinal || n.int == 0 {
            continue;
        }
        // A listed price ends its item: "Regular 249, …"; "(5 pack)" is part of a name.
        let ends_item = scan.t.get(i + 1).is_none_or(|next| {
            matches!(next.kind, Kind::Mark(',' | ';' | '.' | '\n' | '!')) || next.is_any_word(&["and", "or", "each"])
        });
        if !ends_item {
            continue;
        }
        if let Some((from, to, name)) = name_before(scan, i) {
            let tier_like = (from..=to).any(|k| scan.t.is_any_word(k, words::TIER_WORDS));
            listed.push((i, from, to, tier_like, TierReading { name, price_cents: n.hundredths() as i64 }));
        }
    }
    let keyword = words::has_phrase(scan, &["tickets"])
        || words::has_phrase(scan, &["pricing"])
        || words::has_phrase(scan, &["prices"]);
    let accept = listed.iter().any(|l| l.3) && (listed.len() >= 2 || !tiers.is_empty() || keyword);
    if accept {
        for (i, from, to, _, tier) in listed {
            scan.mark(from, to, Use::Tier);
            scan.mark(i, i, Use::Price);
            tiers.push((from, tier));
        }
    }
    tiers.sort_by_key(|(at, _)| *at);
    tiers.into_iter().map(|(_, t)| t).collect()
}

/// Separators between a tier's name and its price: "VIP: $599", "VIP at $599", "VIP is $599".
const BETWEEN: &[&str] = &[
    "at", "for", "is", "are", "costs", "cost", "priced", "just", "only", "will", "be", "go", "goes", "now", "to",
    "instead",
];

/// Generic words that name no tier by themselves ("tickets are $50", "admission $20").
const GENERIC: &[&str] = &[
    "ticket",
    "tickets",
    "admission",
    "entry",
    "entrance",
    "registration",
    "fee",
    "fees",
    "cost",
    "price",
    "prices",
    "pricing",
    "everyone",
    "everybody",
    "all",
    "others",
    "else",
    "anyone",
    "rest",
    "attendees",
    "people",
    "tier",
    "tiers",
];

/// The tier name written before the token at `price`, read backwards to a stop.
fn name_before(scan: &Scan, price: usize) -> Option<(usize, usize, String)> {
    let t = &scan.t;
    let mut j = price.checked_sub(1)?;
    while (t.is_any_word(j, BETWEEN) || matches!(t.get(j)?.kind, Kind::Mark(':' | '-' | '–' | '=' | '@' | '(')))
        && scan.free(j)
    {
        j = j.checked_sub(1)?;
    }
    let mut last = j;
    let mut first = None;
    let mut word_count = 0;
    loop {
        if !scan.free(j) {
            break;
        }
        let token = t.get(j)?;
        match &token.kind {
            Kind::Mark(')') => {
                // A bracket belongs to the name ("Group (5 pack)"), unless it holds a date
                // or an hour ("Early bird (until Jan 15)").
                let open = (0..j).rev().take(8).find(|&k| t.is_mark(k, '('))?;
                if (open..j).all(|k| !matches!(scan.used(k), Some(Use::Date | Use::Time | Use::Price))) {
                    first = Some(open);
                } else if first.is_none() {
                    last = open.checked_sub(1)?;
                }
                j = open;
            }
            Kind::Mark('&' | '-' | '/' | '\'') if first.is_some() => first = Some(j),
            Kind::Word(w)
                if !words::NAME_STOPS.contains(&w.as_str()) && !words::PEOPLE.contains(&w.as_str())
                    || matches!(w.as_str(), "members" | "tickets" | "ticket" | "students" | "staff" | "kids")
                    || j > 0 && t.is_dash(j - 1) && !token.spaced =>
            {
                word_count += 1;
                first = Some(j);
            }
            _ => break,
        }
        if j == 0 || word_count > 4 {
            break;
        }
        j -= 1;
    }
    let first = first?;
    if word_count == 0 || word_count > 4 || first > last {
        return None;
    }
    let mut from = first;
    while from < last && matches!(t.get(from)?.kind, Kind::Mark(c) if c != '(') {
        from += 1;
    }
    // "for the sales team: $25" names who it is for, not a tier.
    if from >= 2 && t.is_any_word(from - 1, &["the", "our", "your", "my"]) && t.is_word(from - 2, "for") {
        return None;
    }
    tier_name(scan, from, last).map(|name| (from, last, name))
}

/// A tier named after its price: "$10 for students", "$25 general", "$299 early bird".
fn name_after(scan: &Scan, end: usize) -> Option<(usize, usize, String)> {
    let t = &scan.t;
    if t.is_word(end + 1, "at")
        && (t.is_word(end + 2, "door") || t.is_word(end + 2, "the") && t.is_word(end + 3, "door"))
    {
        let door = if t.is_word(end + 2, "door") { end + 2 } else { end + 3 };
        return Some((end + 1, door, "Door".into()));
    }
    let led = t.is_word(end + 1, "for");
    let mut from = if led { end + 2 } else { end + 1 };
    while led && t.is_any_word(from, &["a", "an", "the"]) {
        from += 1;
    }
    let mut to = None;
    let mut k = from;
    while k < t.len() && k < from + 4 && scan.free(k) {
        match t.word(k) {
            Some(w) if !words::NAME_STOPS.contains(&w) && w != "the" => to = Some(k),
            _ if t.is_dash(k) && to.is_some() => {}
            _ => break,
        }
        k += 1;
    }
    let to = to?;
    let tier_like = (from..=to).any(|k| t.is_any_word(k, words::TIER_WORDS));
    if !led && !tier_like {
        return None;
    }
    if (from..=to).any(|k| {
        words::is_people_word(scan, k)
            && !t.is_any_word(
                k,
                &[
                    "members",
                    "tickets",
                    "students",
                    "staff",
                    "kids",
                    "children",
                    "founders",
                    "volunteers",
                    "employees",
                    "teens",
                    "youth",
                ],
            )
    }) {
        return None;
    }
    tier_name(scan, from, to).map(|name| (from, to, name))
}

/// The tier's name as shown: each word capitalised, acronyms kept, "tickets" and "tier" dropped.
fn tier_name(scan: &Scan, from: usize, to: usize) -> Option<String> {
    let t = &scan.t;
    let mut to = to;
    while to > from && t.is_any_word(to, &["ticket", "tickets", "tier", "level", "option", "rate"]) {
        to -= 1;
    }
    let mut from = from;
    while from < to && t.is_any_word(from, &["the", "our"]) {
        from += 1;
    }
    let all_generic = (from..=to).all(|k| t.word(k).is_none_or(|w| GENERIC.contains(&w)) && t.number(k).is_none());
    if all_generic {
        return None;
    }
    let raw = t.raw(from, to);
    if raw.trim().eq_ignore_ascii_case("ga") {
        return Some("General Admission".into());
    }
    Some(capitalise_words(raw))
}

/// "early bird" → "Early Bird"; "VIP" stays; "(5 pack)" stays as typed.
pub fn capitalise_words(raw: &str) -> String {
    let mut depth = 0usize;
    raw.split_whitespace()
        .map(|word| {
            let bracketed = depth > 0 || word.starts_with('(');
            depth = (depth + word.matches('(').count()).saturating_sub(word.matches(')').count());
            let mut chars = word.chars();
            match chars.next() {
                Some(c) if c.is_alphabetic() && !bracketed => c.to_uppercase().chain(chars).collect(),
                _ => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
