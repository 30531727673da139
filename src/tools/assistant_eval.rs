//! `eventos assistant eval`: the built-in assistant's reading of each message on standard
//! input, as one JSON line per message on standard output. Nothing is written anywhere:
//! no database, no configuration, no network.
//!
//! Each input line is `{"prompt": "...", "now": "2026-11-22T10:00:00-05:00"}`; `now` is the
//! organizer's current time with its UTC offset (the current time in Toronto without it).
//! A line that cannot be read gets `{"error": "..."}` in its place, so output lines stay
//! one for one with input lines, and the command exits with 1.

use crate::assistant::parser;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    prompt: String,
    now: Option<String>,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.first().map(String::as_str) != Some("eval") || args.len() > 1 {
        eprintln!("usage: eventos assistant eval < prompts.jsonl");
        return ExitCode::from(2);
    }
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                eprintln!("error: standard input could not be read: {error}");
                return ExitCode::FAILURE;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match evaluate(&line) {
            Ok(summary) => serde_json::to_string(&summary),
            Err(message) => {
                failed = true;
                eprintln!("line {}: {message}", n + 1);
                serde_json::to_string(&serde_json::json!({ "error": message }))
            }
        };
        let written =
            answer.map_err(|e| e.to_string()).and_then(|a| writeln!(stdout, "{a}").map_err(|e| e.to_string()));
        if let Err(error) = written {
            eprintln!("error: the answer could not be written: {error}");
            return ExitCode::FAILURE;
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn evaluate(line: &str) -> Result<parser::Summary, String> {
    let input: Input = serde_json::from_str(line)
        .map_err(|e| format!("expected {{\"prompt\": \"…\", \"now\": \"2026-11-22T10:00:00-05:00\"}}: {e}"))?;
    let today = organizer_today(input.now.as_deref())?;
    Ok(parser::read(&input.prompt, today).summary())
}

/// The organizer's local date: the date of `now` at its own offset, or today in Toronto.
fn organizer_today(now: Option<&str>) -> Result<NaiveDate, String> {
    match now {
        Some(now) => DateTime::parse_from_rfc3339(now.trim())
            .or_else(|_| DateTime::parse_from_str(now.trim(), "%Y-%m-%dT%H:%M%:z"))
            .map(|t| t.date_naive())
            .map_err(|_| {
                format!("\"now\" must be a time with its offset, like 2026-11-22T10:00:00-05:00; got {now:?}")
            }),
        None => Ok(Utc::now().with_timezone(&chrono_tz::America::Toronto).date_naive()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_read_at_the_organizers_own_date() {
        let summary =
            evaluate(r#"{"prompt": "Meetup tomorrow 6-9pm, 30 people, free", "now": "2026-11-22T23:30:00-05:00"}"#)
                .expect("a good line");
        assert_eq!(summary.start.as_deref(), Some("2026-11-23T18:00"));
        assert_eq!(summary.timezone, "America/Toronto");
    }

    #[test]
    fn a_bad_line_is_refused_with_a_message() {
        assert!(evaluate("not json").unwrap_err().contains("prompt"));
        assert!(evaluate(r#"{"prompt": "x", "now": "yesterday"}"#).unwrap_err().contains("offset"));
        assert!(evaluate(r#"{"prompt": "x", "when": "now"}"#).is_err());
    }
}
