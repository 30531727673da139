//! The built-in assistant: turns an organizer's message into tool calls with the parser,
//! against what the conversation already knows. It is used when no model is configured and
//! when the model cannot be reached. Deterministic: the same message on the same draft
//! always gives the same calls and the same questions.

use crate::assistant::draft::Draft;
use crate::assistant::parser::{self, Field, Reading};
use crate::assistant::tools::{CancelArgs, Empty, EventFields, TierArgs, TierChange, TierRef, ToolCall, VenueArgs};
use chrono::{NaiveDate, NaiveTime};

/// What the built-in assistant makes of one message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub calls: Vec<ToolCall>,
    /// Questions to ask, in one batch.
    pub questions: Vec<String>,
    /// The fields those questions are about.
    pub asked: Vec<Field>,
}

/// Plans the calls for `text`, written on the organizer's `today`, given the draft so far.
pub fn plan(text: &str, draft: &Draft, has_event: bool, today: NaiveDate) -> Plan {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let mut plan = Plan::default();

    if draft.awaiting_venue_address
        && looks_like_address(text)
        && let Some(venue) = &draft.venue
    {
        plan.calls.push(ToolCall::FindOrCreateVenue(VenueArgs {
            name: venue.clone(),
            address: Some(text.trim().trim_end_matches('.').to_string()),
            city: None,
        }));
        return plan;
    }
    if let Some(call) = command(text, &lower, &words, draft) {
        plan.calls.push(call);
        return plan;
    }

    let reading = parser::read(text, today);
    let first = !has_event && draft == &Draft::default();
    let mut fields = EventFields::default();
    if let Some(name) = reading.name.clone().or_else(|| renamed_event(text)) {
        fields.name = Some(name);
    }
    fields.event_type =
        reading.event_type.filter(|_| first || has("make") || has("change")).map(|k| k.as_str().to_string());
    set_times(&mut fields, &reading, draft);
    if let Some(zone) = reading.timezone {
        fields.timezone = Some(zone.to_string());
    }
    if !reading.doubts_about(Field::Capacity) {
        fields.capacity = reading.capacity.map(i64::from);
    }
    if !reading.doubts_about(Field::Currency) {
        fields.currency = reading.currency.map(str::to_string);
    }
    answer_to_question(&mut fields, text, &reading, draft);
    if fields != EventFields::default() {
        plan.calls.push(if first { ToolCall::CreateEventDraft(fields) } else { ToolCall::UpdateEvent(fields) });
    }
    if let Some(venue) = &reading.venue {
        plan.calls.push(ToolCall::FindOrCreateVenue(VenueArgs { name: venue.clone(), address: None, city: None }));
    }
    if !reading.doubts_about(Field::Currency) {
        for tier in &reading.tiers {
            plan.calls.push(tier_call(tier, draft));
        }
    }

    let questions = if first { reading.questions() } else { follow_up_questions(&reading, draft, &plan) };
    plan.asked = questions.iter().map(|q| q.field).collect();
    plan.questions = questions.into_iter().filter_map(|q| q.text).collect();
    plan
}

/// A bare answer to the last question: "500" for "How many people can attend?", "Data
/// Basics" for "What should the event be called?". Only when the message says nothing else.
fn answer_to_question(fields: &mut EventFields, text: &str, reading: &Reading, draft: &Draft) {
    let answer = text.trim().trim_end_matches(['.', '!']).trim();
    let said_nothing_else = reading.days.is_none()
        && reading.times == parser::Times::default()
        && reading.capacity.is_none()
        && reading.tiers.is_empty()
        && reading.venue.is_none()
        && reading.doubts.is_empty();
    if !said_nothing_else || answer.is_empty() {
        return;
    }
    if draft.asked.contains(&Field::Capacity)
        && let Ok(capacity) = answer.replace(',', "").parse::<i64>()
    {
        fields.capacity = Some(capacity);
        return;
    }
    let short = answer.split_whitespace().count() <= 10 && answer.chars().count() <= 120;
    if draft.asked.contains(&Field::Name) && fields.name.is_none() && short && answer.chars().any(char::is_alphabetic) {
        fields.name = Some(answer.trim_matches(['"', '“', '”', '\'']).to_string());
    }
}

/// Orders that are not field values: publish, cancel, tasks, a description, sales, the
/// event list, renaming or removing a tier.
fn command(text: &str, lower: &str, words: &[&str], draft: &Draft) -> Option<ToolCall> {
    let has = |w: &str| words.contains(&w);
    let phrase = |p: &str| lower.contains(p);
    if has("publish") || phrase("go live") || phrase("make it live") || phrase("put it on sale") {
        return Some(ToolCall::ProposePublish(Empty {}));
    }
    let cancelling = ["cancel the event", "cancel it", "cancel this", "cancel the whole", "call off", "call it off"];
    if cancelling.iter().any(|p| phrase(p)) && !has("tier") {
        return Some(ToolCall::ProposeCancel(CancelArgs::default()));
    }
    if has("tasks") || has("task") || has("checklist") || has("todo") || phrase("to-do") {
        return Some(ToolCall::GeneratePlanningTasks(Empty {}));
    }
    if has("description") || has("describe") || has("blurb") {
        return Some(ToolCall::DraftDescription(Empty {}));
    }
    if has("sales") || phrase("how many tickets") || phrase("how is it selling") || phrase("how's it selling") {
        return Some(ToolCall::SummariseSales(Empty {}));
    }
    if phrase("my events") || phrase("list events") || phrase("what events") || phrase("which events") {
        return Some(ToolCall::ListEvents(Empty {}));
    }
    if let Some((from, to)) = rename(text, lower, draft) {
        return Some(ToolCall::UpdateTier(TierChange {
            tier: from,
            new_name: Some(to),
            price_cents: None,
            capacity: None,
        }));
    }
    let removing = ["remove", "delete", "drop", "deactivate"].iter().any(|w| has(w)) || phrase("get rid of");
    if removing && let Some(tier) = draft.tiers.iter().find(|t| lower.contains(&t.name.to_lowercase())) {
        return Some(ToolCall::DeactivateTier(TierRef { tier: tier.name.clone() }));
    }
    None
}

/// "rename VIP to Premium": a tier of the draft and its new name (as typed).
fn rename(text: &str, lower: &str, draft: &Draft) -> Option<(String, String)> {
    let at = lower.find("rename ")? + "rename ".len();
    let rest = &lower[at..];
    let tier = draft.tiers.iter().find(|t| {
        let name = t.name.to_lowercase();
        rest.starts_with(&name) || rest.starts_with(&format!("the {name}"))
    })?;
    let to = at + rest.find(" to ")? + " to ".len();
    // ASCII lowercases byte for byte: the new name comes as typed. Other text is read from
    // its lowercase form, where the offsets were found.
    let typed = if text.is_ascii() { &text[to..] } else { &lower[to..] };
    let name = typed.trim().trim_end_matches(['.', '!']).trim_matches(['"', '“', '”']).to_string();
    (!name.is_empty()).then(|| (tier.name.clone(), name))
}

/// "rename it to …", "rename the event to …", "call it …" (the parser reads "call it").
fn renamed_event(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    // Offsets found in the lowercase text hold in the original only when it is ASCII.
    let source = if text.is_ascii() { text } else { lower.as_str() };
    for lead in ["rename it to ", "rename the event to ", "change the name to ", "rename this to "] {
        if let Some(at) = lower.find(lead) {
            let name = source[at + lead.len()..].trim().trim_matches(['"', '“', '”', '.', '!']).trim();
            if !name.is_empty() {
                return Some(name.to_string());
            }
        }
    }
    None
}

/// A tier from the message: a price change for a tier the draft has, or a new tier.
fn tier_call(tier: &parser::TierReading, draft: &Draft) -> ToolCall {
    let existing = draft.tiers.iter().find(|t| t.name.eq_ignore_ascii_case(&tier.name));
    // "make tickets $50" with one tier: that tier's price.
    let only = (draft.tiers.len() == 1 && tier.name == "General Admission").then(|| &draft.tiers[0]);
    match existing.or(only) {
        Some(known) => ToolCall::UpdateTier(TierChange {
            tier: known.name.clone(),
            new_name: None,
            price_cents: Some(tier.price_cents),
            capacity: None,
        }),
        None => ToolCall::AddTier(TierArgs { name: tier.name.clone(), price_cents: tier.price_cents, capacity: None }),
    }
}

/// The parts of the times the message gives: "move it to March 14" sets the day and keeps
/// the hours, "start at 10am instead" the hour and keeps the day, "for 3 hours" the end.
fn set_times(fields: &mut EventFields, reading: &Reading, draft: &Draft) {
    if reading.doubts_about(Field::Date) {
        return;
    }
    let date = |d: NaiveDate| Some(d.format("%Y-%m-%d").to_string());
    let hour = |t: NaiveTime| Some(t.format("%H:%M").to_string());
    if let Some(days) = reading.days {
        fields.date = date(days.first);
        if days.last != days.first {
            fields.end_date = date(days.last);
        }
    }
    if reading.doubts_about(Field::Start) {
        return;
    }
    let times = reading.times;
    if let Some(start) = times.start {
        fields.start_time = hour(start);
    }
    if let Some(end) = times.end {
        fields.end_time = hour(end);
    }
    if let (Some(duration), Some(start)) = (times.duration, times.start.or(draft.start_time)) {
        let day = reading.days.map(|d| d.first).or(draft.day).unwrap_or_default();
        let end = day.and_time(start) + duration;
        fields.end_time = hour(end.time());
        if end.date() != day && reading.days.is_some() {
            fields.end_date = date(end.date());
        }
    }
}

/// After the first message: the doubts this message raised, and what the event still
/// needs once this message's changes are in.
fn follow_up_questions(reading: &Reading, draft: &Draft, plan: &Plan) -> Vec<parser::Question> {
    let mut questions = reading.doubts.clone();
    let mut after = draft.clone();
    for call in &plan.calls {
        match call {
            ToolCall::CreateEventDraft(f) | ToolCall::UpdateEvent(f) => {
                after.name = f.name.clone().or(after.name);
                after.day = f.date.as_deref().and_then(|d| d.parse().ok()).or(after.day);
                after.start_time = f
                    .start_time
                    .as_deref()
                    .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
                    .or(after.start_time);
                after.end_time =
                    f.end_time.as_deref().and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok()).or(after.end_time);
                after.capacity = f.capacity.map(|c| c as i32).or(after.capacity);
            }
            ToolCall::AddTier(_) => after.tiers.push(crate::assistant::draft::DraftTier {
                name: String::new(),
                price_cents: 0,
                active: true,
            }),
            _ => {}
        }
    }
    let mut ask = |field: Field, missing: bool, text: &str| {
        if missing && !questions.iter().any(|q| q.field == field) {
            questions.push(parser::Question { field, text: Some(text.into()) });
        }
    };
    ask(Field::Name, after.name.is_none(), "What should the event be called?");
    ask(Field::Date, after.day.is_none(), "Which day is it?");
    ask(Field::Start, after.start_time.is_none(), "What time does it start?");
    ask(Field::End, after.start_time.is_some() && after.end_time.is_none(), "What time does it end?");
    ask(Field::Capacity, after.capacity.is_none(), "How many people can attend?");
    ask(Field::Tickets, after.tiers.is_empty(), "What do tickets cost — or is it free?");
    questions.sort_by_key(|q| q.field);
    questions
}

/// "1087 Queen St W", "100 Front Street West, Toronto": a number and a word.
fn looks_like_address(text: &str) -> bool {
    let t = text.trim();
    t.len() <= 200 && t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.chars().any(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::draft::DraftTier;

    fn sunday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn created() -> Draft {
        Draft {
            name: Some("Toronto AI Summit".into()),
            day: NaiveDate::from_ymd_opt(2027, 3, 12),
            start_time: NaiveTime::from_hms_opt(9, 0, 0),
            end_time: NaiveTime::from_hms_opt(17, 0, 0),
            capacity: Some(500),
            tiers: vec![
                DraftTier { name: "General Admission".into(), price_cents: 29900, active: true },
                DraftTier { name: "VIP".into(), price_cents: 59900, active: true },
            ],
            ..Draft::default()
        }
    }

    #[test]
    fn a_first_message_creates_the_draft_with_its_venue_and_tiers() {
        let plan = plan(
            "Create a conference called Toronto AI Summit on March 12, 2027, 9am–5pm at the Metro Toronto \
             Convention Centre for 500 people, general admission $299, VIP $599",
            &Draft::default(),
            false,
            sunday(),
        );
        assert!(matches!(&plan.calls[0], ToolCall::CreateEventDraft(f) if f.capacity == Some(500)
            && f.date.as_deref() == Some("2027-03-12") && f.start_time.as_deref() == Some("09:00")
            && f.end_time.as_deref() == Some("17:00")));
        assert!(
            matches!(&plan.calls[1], ToolCall::FindOrCreateVenue(v) if v.name == "Metro Toronto Convention Centre")
        );
        assert_eq!(plan.calls.len(), 4);
        assert!(plan.questions.is_empty(), "{:?}", plan.questions);
    }

    #[test]
    fn edits_change_only_what_they_name() {
        let draft = created();
        let capacity = plan("make it 600 people", &draft, true, sunday());
        assert_eq!(
            capacity.calls,
            [ToolCall::UpdateEvent(EventFields { capacity: Some(600), ..EventFields::default() })]
        );
        let moved = plan("move it to March 14", &draft, true, sunday());
        assert_eq!(
            moved.calls,
            [ToolCall::UpdateEvent(EventFields { date: Some("2027-03-14".into()), ..EventFields::default() })]
        );
        let renamed = plan("rename VIP to Premium", &draft, true, sunday());
        assert!(
            matches!(&renamed.calls[0], ToolCall::UpdateTier(c) if c.tier == "VIP" && c.new_name.as_deref() == Some("Premium"))
        );
        let student = plan("add a student tier at $49", &draft, true, sunday());
        assert_eq!(
            student.calls,
            [ToolCall::AddTier(TierArgs { name: "Student".into(), price_cents: 4900, capacity: None })]
        );
        assert!(student.questions.is_empty(), "{:?}", student.questions);
    }

    #[test]
    fn a_bare_answer_fills_the_field_that_was_asked_about() {
        let asked = |fields: Vec<Field>| Draft { asked: fields, ..Draft::default() };
        let capacity = plan("1,200", &asked(vec![Field::Capacity]), false, sunday());
        assert_eq!(
            capacity.calls,
            [ToolCall::UpdateEvent(EventFields { capacity: Some(1200), ..EventFields::default() })]
        );
        let name = plan("Data Basics", &asked(vec![Field::Name, Field::Capacity]), false, sunday());
        assert_eq!(
            name.calls,
            [ToolCall::UpdateEvent(EventFields { name: Some("Data Basics".into()), ..EventFields::default() })]
        );
        let unasked = plan("Data Basics", &asked(vec![Field::Capacity]), false, sunday());
        assert!(unasked.calls.is_empty(), "a name nobody asked for is not taken from any words");
    }

    #[test]
    fn a_rename_in_any_script_is_read_without_breaking_a_character() {
        let draft = created();
        let renamed = plan("İzmir night: rename it to Ödül Gecesi", &draft, true, sunday());
        assert!(matches!(&renamed.calls[0], ToolCall::UpdateEvent(f) if f.name.as_deref() == Some("ödül gecesi")));
        let tier = plan("rename VİP to Premium", &draft, true, sunday());
        assert!(tier.calls.iter().all(|c| !matches!(c, ToolCall::UpdateTier(t) if t.new_name.is_some())));
    }

    #[test]
    fn a_question_about_cancelling_is_not_a_cancellation() {
        assert!(plan("Can attendees cancel their tickets?", &created(), true, sunday()).calls.is_empty());
        assert_eq!(
            plan("please cancel the event", &created(), true, sunday()).calls,
            [ToolCall::ProposeCancel(CancelArgs::default())]
        );
    }

    #[test]
    fn publishing_is_only_ever_proposed() {
        let plan = plan("Looks good, publish it", &created(), true, sunday());
        assert_eq!(plan.calls, [ToolCall::ProposePublish(Empty {})]);
    }
}
