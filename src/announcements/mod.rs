//! Messages to an event's attendees: all of them or one tier's ticket holders, each
//! address once, through the outbox. The organizer sees who it goes to (and how many)
//! before sending; a send whose audience changed since that preview is refused, and an
//! event takes at most a few a day.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod emails;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest subject, in characters.
pub const MAX_SUBJECT: usize = 150;
/// The longest message, in characters.
pub const MAX_BODY: usize = 5_000;

/// What the compose page needs: the event, its tiers (to narrow the audience) and what was
/// sent before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComposeData {
    pub event_id: Uuid,
    pub event_name: String,
    pub tiers: Vec<(Uuid, String)>,
    pub sent: Vec<SentAnnouncement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentAnnouncement {
    pub when: String,
    pub audience: String,
    pub subject: String,
    pub recipients: i32,
    pub sent_by: String,
}

/// The message as attendees will read it, and how many will.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnouncementPreview {
    /// The id the message is sent under: a second send of the same preview is refused.
    pub id: Uuid,
    pub event_id: Uuid,
    pub tier_id: Option<Uuid>,
    /// The message as written (trimmed), sent as it was previewed.
    pub body: String,
    pub audience: String,
    pub recipients: i64,
    pub subject: String,
    pub text: String,
}

/// A message on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentResult {
    pub id: Uuid,
    pub recipients: i64,
}
