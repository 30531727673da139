//! A reply as it is produced: the server sends one JSON event per line while the assistant
//! works (typing, pieces of text as the model writes them, done), and the page shows them
//! before the reply is saved. The saved conversation stays the truth: when the stream ends
//! the page reads it again.

use serde::{Deserialize, Serialize};

/// One step of a reply being produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReplyEvent {
    /// The message was accepted and the assistant is working on it.
    Typing,
    /// A piece of the reply's words, to be added to what came before.
    Text { text: String },
    /// What came before is void (the model is asked again, or the built-in assistant
    /// answers instead).
    Restart,
    /// The reply and its changes are saved.
    Done,
    /// The message could not be answered; nothing of it was applied.
    Failed { message: String },
}

impl ReplyEvent {
    /// The event as one line of ASCII: the browser decodes each chunk of the stream as it
    /// arrives, and a chunk may end anywhere, so no character may span two bytes.
    pub fn to_line(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| r#"{"event":"restart"}"#.into());
        let mut line = String::with_capacity(json.len() + 1);
        for c in json.chars() {
            if c.is_ascii() {
                line.push(c);
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    line.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        line.push('\n');
        line
    }
}

/// Reassembles events from the chunks of a stream, however the chunks were cut.
#[derive(Debug, Default)]
pub struct Lines {
    buffer: String,
}

impl Lines {
    /// Adds a chunk and returns the events it completed. A line that is not an event is skipped.
    pub fn push(&mut self, chunk: &str) -> Vec<ReplyEvent> {
        self.buffer.push_str(chunk);
        let mut events = Vec::new();
        while let Some(end) = self.buffer.find('\n') {
            let line: String = self.buffer.drain(..=end).collect();
            if let Ok(event) = serde_json::from_str(line.trim()) {
                events.push(event);
            }
        }
        events
    }
}

/// Where a reply's progress goes while it is produced: to the page that asked, or nowhere
/// (a plain form post, a test). A page that went away stops nothing: the reply is still
/// produced and saved.
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct Progress(Option<tokio::sync::mpsc::UnboundedSender<ReplyEvent>>);

#[cfg(feature = "ssr")]
impl Progress {
    pub fn to(sender: tokio::sync::mpsc::UnboundedSender<ReplyEvent>) -> Self {
        Progress(Some(sender))
    }

    pub fn say(&self, event: ReplyEvent) {
        if let Some(sender) = &self.0 {
            // A closed channel means the page left; the work goes on without it.
            let _ = sender.send(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_one_line_of_ascii_that_reads_back_the_same() {
        let event = ReplyEvent::Text { text: "Added tier VIP — $599.00 “CAD” 🎟\nnext".into() };
        let line = event.to_line();
        assert!(line.is_ascii(), "{line}");
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(Lines::default().push(&line), vec![event]);
    }

    #[test]
    fn events_cut_anywhere_across_chunks_are_reassembled_in_order() {
        let events = vec![
            ReplyEvent::Typing,
            ReplyEvent::Text { text: "Créé".into() },
            ReplyEvent::Restart,
            ReplyEvent::Failed { message: "Slow down".into() },
            ReplyEvent::Done,
        ];
        let wire: String = events.iter().map(ReplyEvent::to_line).collect();
        for cut in 1..wire.len() {
            let mut lines = Lines::default();
            let mut read = lines.push(&wire[..cut]);
            read.extend(lines.push(&wire[cut..]));
            assert_eq!(read, events, "cut at {cut}");
        }
    }

    #[test]
    fn a_line_that_is_not_an_event_is_skipped() {
        let mut lines = Lines::default();
        assert_eq!(lines.push("garbage\n{\"event\":\"done\"}\n"), vec![ReplyEvent::Done]);
    }
}
