//! The AI event assistant: organizers create and manage events by chatting. Every reply
//! comes with what it changed; anything public or irreversible waits, as a pending action,
//! for the organizer's click. Two assistants sit behind one seam (`tools::ToolCall`): the
//! built-in one (`builtin`, reading messages with `parser`) and, later, a configured model.
//!
//! This file holds what the browser sees: conversations, messages, the draft's preview and
//! the confirmation cards.

pub mod api;
#[cfg(feature = "ssr")]
pub mod apply;
#[cfg(feature = "ssr")]
pub mod builtin;
#[cfg(feature = "ssr")]
pub mod confirm;
#[cfg(feature = "ssr")]
pub mod crosscheck;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod draft;
#[cfg(feature = "ssr")]
pub mod model;
#[cfg(feature = "ssr")]
pub mod parser;
#[cfg(feature = "ssr")]
pub mod service;
pub mod stream;
#[cfg(feature = "ssr")]
pub mod tasks;
#[cfg(feature = "ssr")]
pub mod tools;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum!(
    /// How far the conversation's event has come.
    Stage {
        Basics => "basics", "Basics";
        Venue => "venue", "Venue";
        Tickets => "tickets", "Tickets";
        Review => "review", "Review";
        Published => "published", "Published";
    }
);

/// One conversation in the list beside the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub title: String,
    /// "Dec 4, 10:12".
    pub updated: String,
}

/// A message as shown in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessageView {
    pub id: i64,
    /// "user" or "assistant".
    pub role: String,
    pub content: String,
    /// What the message changed, in words ("Added tier VIP — $599.00 CAD").
    pub changes: Vec<String>,
}

/// A change waiting for the organizer's click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingActionView {
    pub id: Uuid,
    pub kind: String,
    pub summary: String,
    /// (what, before, after).
    pub diff: Vec<(String, String, String)>,
    /// "pending", "confirmed", "dismissed", "expired" or "failed".
    pub status: String,
    pub outcome: Option<String>,
}

/// A tier in the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewTier {
    pub name: String,
    pub price: String,
    pub active: bool,
}

/// The event the conversation is building, as the preview beside the chat shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DraftPreview {
    pub event_id: Option<Uuid>,
    pub status: Option<String>,
    pub stage: Option<Stage>,
    pub completed: Vec<Stage>,
    pub name: Option<String>,
    pub event_type: Option<String>,
    /// "Fri 12 Mar 2027, 09:00–17:00 EST (UTC−5)".
    pub when: Option<String>,
    /// The `datetime-local` values, for editing by hand.
    pub start_local: Option<String>,
    pub end_local: Option<String>,
    pub timezone: String,
    pub timezone_is_default: bool,
    pub venue: Option<String>,
    pub capacity: Option<i32>,
    pub currency: String,
    pub currency_is_default: bool,
    pub tiers: Vec<PreviewTier>,
    pub description: Option<String>,
}

/// Everything the assistant page shows for one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: Uuid,
    pub title: String,
    pub messages: Vec<ChatMessageView>,
    pub pending: Vec<PendingActionView>,
    pub preview: DraftPreview,
    /// Which assistant answers: "built-in" or the configured model's name.
    pub assistant: String,
}

text_enum!(
    /// Where a planning task is on the board.
    TaskStatus {
        Pending => "pending", "To do";
        InProgress => "in_progress", "In progress";
        Completed => "completed", "Done";
    }
);

/// A planning task on the event's board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: Uuid,
    pub title: String,
    /// "Venue", "Marketing", "Operations", "Catering", "Tech", "After the event".
    pub category: String,
    pub priority: String,
    pub status: TaskStatus,
    /// "Mar 5, 2027".
    pub due: String,
    pub assignee_id: Option<Uuid>,
    pub assignee: Option<String>,
}

/// An event's planning board and the people tasks can be given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBoard {
    pub event_id: Uuid,
    pub event_name: String,
    pub tasks: Vec<TaskView>,
    /// (user id, name) of the organization's members.
    pub members: Vec<(Uuid, String)>,
}

/// The words for a task's category as stored.
pub fn category_label(category: &str) -> &'static str {
    match category {
        "venue" => "Venue",
        "marketing" => "Marketing",
        "operations" => "Operations",
        "catering" => "Catering",
        "tech" => "Tech",
        _ => "After the event",
    }
}
