//! A model's reading checked against the built-in parser's reading of the same sentence.
//! Where the parser is sure of a day, an hour, a capacity or a price and the model says
//! otherwise, or where the parser found the words ambiguous and the model filled them in
//! anyway, the organizer is asked; neither reading is applied.

use crate::assistant::parser::{self, Field, dates::long_date};
use crate::assistant::tools::ToolCall;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The questions to ask instead of applying the model's calls; empty when they agree.
pub fn disagreements(text: &str, today: NaiveDate, calls: &[ToolCall]) -> Vec<String> {
    let reading = parser::read(text, today);
    let doubt = |field: Field| reading.doubts.iter().find(|q| q.field == field).and_then(|q| q.text.clone());
    let mut questions = Vec::new();
    let mut ask = |question: String| {
        if !questions.contains(&question) {
            questions.push(question);
        }
    };
    for call in calls {
        match call {
            ToolCall::CreateEventDraft(f) | ToolCall::UpdateEvent(f) => {
                let local = |v: &Option<String>| {
                    v.as_deref().and_then(|v| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok())
                };
                let day = local(&f.start_local)
                    .map(|t| t.date())
                    .or_else(|| f.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()));
                let hour = |full: Option<NaiveDateTime>, part: &Option<String>| {
                    full.map(|t| t.time())
                        .or_else(|| part.as_deref().and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok()))
                };
                let start = hour(local(&f.start_local), &f.start_time);
                let end = hour(local(&f.end_local), &f.end_time);
                if let Some(day) = day {
                    match (doubt(Field::Date), reading.days) {
                        (Some(question), _) => ask(question),
                        (None, Some(days)) if days.first != day => ask(format!(
                            "Just to be sure: is it on {} or on {}?",
                            long_date(days.first),
                            long_date(day)
                        )),
                        _ => {}
                    }
                }
                for (field, model, parsed) in
                    [(Field::Start, start, reading.times.start), (Field::End, end, reading.times.end)]
                {
                    let Some(model) = model else { continue };
                    match (doubt(field), parsed) {
                        (Some(question), _) => ask(question),
                        (None, Some(parsed)) if parsed != model => ask(format!(
                            "Just to be sure: does it {} at {} or at {}?",
                            if field == Field::Start { "start" } else { "end" },
                            parsed.format("%H:%M"),
                            model.format("%H:%M")
                        )),
                        _ => {}
                    }
                }
                if let Some(capacity) = f.capacity {
                    match (doubt(Field::Capacity), reading.capacity) {
                        (Some(question), _) => ask(question),
                        (None, Some(parsed)) if i64::from(parsed) != capacity => {
                            ask(format!("Just to be sure: is the capacity {parsed} or {capacity}?"))
                        }
                        _ => {}
                    }
                }
            }
            ToolCall::AddTier(tier) => price_check(&reading, &tier.name, Some(tier.price_cents), &mut ask),
            ToolCall::UpdateTier(change) => price_check(&reading, &change.tier, change.price_cents, &mut ask),
            _ => {}
        }
    }
    questions
}

/// A price the model gives that the parser read differently (or read as ambiguous).
fn price_check(reading: &parser::Reading, tier: &str, price: Option<i64>, ask: &mut impl FnMut(String)) {
    let Some(price) = price else { return };
    if let Some(question) = reading.doubts.iter().find(|q| q.field == Field::Tickets).and_then(|q| q.text.clone()) {
        ask(question);
        return;
    }
    if reading.tiers.is_empty() {
        return;
    }
    let named = reading.tiers.iter().find(|t| t.name.eq_ignore_ascii_case(tier));
    let agrees = match named {
        Some(t) => t.price_cents == price,
        None => reading.tiers.iter().any(|t| t.price_cents == price),
    };
    if !agrees {
        let read: Vec<String> =
            reading.tiers.iter().map(|t| format!("{} {}", t.name, dollars(t.price_cents))).collect();
        ask(format!(
            "Just to be sure about the prices: I read {}, but also {tier} at {}. Which is right?",
            read.join(", "),
            dollars(price)
        ));
    }
}

fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::tools::{EventFields, TierArgs};

    fn sunday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn a_model_that_reads_another_day_than_the_parser_makes_the_organizer_choose() {
        let calls = [ToolCall::CreateEventDraft(EventFields {
            name: Some("Summit".into()),
            start_local: Some("2027-03-13T09:00".into()),
            ..EventFields::default()
        })];
        let questions = disagreements("Summit on March 12, 2027, 9am-5pm", sunday(), &calls);
        assert_eq!(questions, ["Just to be sure: is it on Friday, March 12, 2027 or on Saturday, March 13, 2027?"]);
    }

    #[test]
    fn a_model_that_agrees_with_the_parser_is_not_questioned() {
        let calls = [
            ToolCall::CreateEventDraft(EventFields {
                start_local: Some("2027-03-12T09:00".into()),
                end_local: Some("2027-03-12T17:00".into()),
                capacity: Some(500),
                ..EventFields::default()
            }),
            ToolCall::AddTier(TierArgs { name: "VIP".into(), price_cents: 59900, capacity: None }),
        ];
        let text = "Summit on March 12, 2027, 9am-5pm for 500 people, general admission $299, VIP $599";
        assert!(disagreements(text, sunday(), &calls).is_empty());
    }

    #[test]
    fn a_model_that_fills_in_what_the_parser_found_ambiguous_is_questioned() {
        let calls = [ToolCall::UpdateEvent(EventFields { start_time: Some("08:00".into()), ..EventFields::default() })];
        let questions = disagreements("workshop on March 3 at 8", sunday(), &calls);
        assert_eq!(questions.len(), 1, "{questions:?}");
        assert!(questions[0].contains("morning or in the evening"));
    }
}
