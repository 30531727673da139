//! The parser against a corpus of messages written the way organizers write (corpus.jsonl:
//! each line a message, the organizer's time, and every field expected), and a few rules
//! spelled out as their own tests.

use super::*;
use chrono::NaiveDate;
use serde::Deserialize;

/// The corpus's default "now": Sunday 22 November 2026, 10:00 in Toronto.
const DEFAULT_NOW: &str = "2026-11-22T10:00:00-05:00";

#[derive(Deserialize)]
struct Case {
    prompt: String,
    now: Option<String>,
    expect: Expected,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Expected {
    name: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    start: Option<String>,
    end: Option<String>,
    timezone: String,
    capacity: Option<i32>,
    venue: Option<String>,
    currency: String,
    tiers: Vec<SummaryTier>,
    asks: Vec<Field>,
}

fn today_of(now: &str) -> NaiveDate {
    chrono::DateTime::parse_from_rfc3339(now).expect("corpus times are RFC 3339").date_naive()
}

fn reading_of(case: &Case) -> Expected {
    let reading = read(&case.prompt, today_of(case.now.as_deref().unwrap_or(DEFAULT_NOW)));
    let summary = reading.summary();
    let mut asks: Vec<Field> = reading.questions().iter().map(|q| q.field).collect();
    asks.dedup();
    Expected {
        name: summary.name,
        event_type: summary.event_type,
        start: summary.start,
        end: summary.end,
        timezone: summary.timezone,
        capacity: summary.capacity,
        venue: summary.venue,
        currency: summary.currency,
        tiers: summary.tiers,
        asks,
    }
}

/// Messages written to the conventions (corpus.jsonl), and messages written afterwards in
/// other styles: labelled forms, lists, several sentences (corpus_more.jsonl), requests in
/// any order with the name last (corpus_third.jsonl).
const CORPUS: &str = concat!(
    include_str!("corpus.jsonl"),
    "\n",
    include_str!("corpus_more.jsonl"),
    "\n",
    include_str!("corpus_third.jsonl")
);

#[test]
fn the_parser_reads_every_message_of_the_corpus_exactly() {
    let corpus = CORPUS;
    let mut failures = Vec::new();
    let mut count = 0;
    let mut questions = 0;
    for (n, line) in corpus.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let case: Case =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("corpus line {} is not a case: {e}", n + 1));
        count += 1;
        if !case.expect.asks.is_empty() {
            questions += 1;
        }
        let got = reading_of(&case);
        if got != case.expect {
            failures.push(format!("line {}: {}\n{}", n + 1, case.prompt, differences(&case.expect, &got)));
        }
    }
    assert!(count >= 150, "the corpus has {count} messages; it needs at least 150");
    assert!(questions >= 30, "the corpus has {questions} messages that ask; it needs at least 30");
    assert!(failures.is_empty(), "{} of {count} messages read wrongly:\n{}", failures.len(), failures.join("\n"));
}

/// The fields that differ, one line each.
fn differences(expected: &Expected, got: &Expected) -> String {
    let mut lines = Vec::new();
    let mut field = |name: &str, e: String, g: String| {
        if e != g {
            lines.push(format!("  {name}: expected {e}, got {g}"));
        }
    };
    field("name", format!("{:?}", expected.name), format!("{:?}", got.name));
    field("type", format!("{:?}", expected.event_type), format!("{:?}", got.event_type));
    field("start", format!("{:?}", expected.start), format!("{:?}", got.start));
    field("end", format!("{:?}", expected.end), format!("{:?}", got.end));
    field("timezone", expected.timezone.clone(), got.timezone.clone());
    field("capacity", format!("{:?}", expected.capacity), format!("{:?}", got.capacity));
    field("venue", format!("{:?}", expected.venue), format!("{:?}", got.venue));
    field("currency", expected.currency.clone(), got.currency.clone());
    field("tiers", format!("{:?}", expected.tiers), format!("{:?}", got.tiers));
    field("asks", format!("{:?}", expected.asks), format!("{:?}", got.asks));
    lines.join("\n")
}

fn sunday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

#[test]
fn the_issues_example_is_read_whole_with_nothing_to_ask() {
    let reading = read(
        "Create a conference called Toronto AI Summit on March 12, 2027, 9am–5pm at the Metro Toronto Convention \
         Centre for 500 people, general admission $299, VIP $599",
        sunday(),
    );
    let summary = reading.summary();
    assert_eq!(summary.name.as_deref(), Some("Toronto AI Summit"));
    assert_eq!(summary.start.as_deref(), Some("2027-03-12T09:00"));
    assert_eq!(summary.end.as_deref(), Some("2027-03-12T17:00"));
    assert_eq!(summary.venue.as_deref(), Some("Metro Toronto Convention Centre"));
    assert_eq!(summary.capacity, Some(500));
    assert_eq!(
        summary.tiers,
        vec![
            SummaryTier { name: "General Admission".into(), price_cents: 29900 },
            SummaryTier { name: "VIP".into(), price_cents: 59900 },
        ]
    );
    assert!(summary.questions.is_empty(), "{:?}", summary.questions);
}

#[test]
fn next_friday_said_on_a_thursday_is_asked_not_guessed() {
    let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let reading = read("Team mixer next Friday 6-9pm, 40 people, free", thursday);
    assert!(reading.doubts_about(Field::Date));
    assert_eq!(reading.start(), None);
    let question = reading.questions().into_iter().find(|q| q.field == Field::Date).unwrap();
    assert!(question.text.unwrap().contains("November 27"), "the question names both Fridays");
}

#[test]
fn an_hour_without_morning_or_evening_is_asked_unless_the_words_tell() {
    let at_eight = read("Workshop at 8 on March 3, 20 seats, $40", sunday());
    assert!(at_eight.doubts_about(Field::Start));
    let dinner = read("Dinner at 8 on March 3, 20 seats, $40", sunday());
    assert_eq!(dinner.start().map(|s| s.to_string()), Some("2027-03-03 20:00:00".into()));
}

#[test]
fn a_vague_capacity_is_asked_and_never_rounded() {
    let reading = read("Meetup on Jan 15 6-9pm for around 500 people, free", sunday());
    assert!(reading.doubts_about(Field::Capacity));
    assert_eq!(reading.summary().capacity, None);
}

#[test]
fn a_bare_dollar_in_an_american_city_asks_which_dollars() {
    let reading = read("Sales kickoff in Chicago on March 4, 9am-5pm, 200 people, $150", sunday());
    assert_eq!(reading.timezone_name(), "America/Chicago");
    assert!(reading.doubts_about(Field::Currency));
    let canadian = read("Sales kickoff in Calgary on March 4, 9am-5pm, 200 people, $150", sunday());
    assert!(!canadian.doubts_about(Field::Currency));
    assert_eq!(canadian.timezone_name(), "America/Edmonton");
}
