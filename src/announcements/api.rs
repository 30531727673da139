//! Server functions for messages to attendees: admins and owners only (door staff never).

use crate::announcements::{AnnouncementPreview, ComposeData, SentResult};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    announcements::service::{self, Compose},
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_announcements")]
pub async fn get_announcements(event_id: String) -> Result<ComposeData, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::compose_data(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

/// The audience's tier: empty for every attendee.
#[cfg(feature = "ssr")]
fn tier(tier_id: &str) -> Result<Option<uuid::Uuid>, AppError> {
    match tier_id.trim() {
        "" => Ok(None),
        id => uuid::Uuid::parse_str(id)
            .map(Some)
            .map_err(|_| AppError::field("tier_id", "Choose one of this event's tiers.")),
    }
}

#[server(prefix = "/api", endpoint = "preview_announcement")]
pub async fn preview_announcement(
    event_id: String,
    tier_id: String,
    subject: String,
    body: String,
) -> Result<AnnouncementPreview, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let message =
            Compose { event_id: parse_id(&event_id)?, tier_id: tier(&tier_id)?, subject: &subject, body: &body };
        service::preview(&state.pool, &scope, &message).await
    })
    .await
}

/// Sends the message previewed as `id`; `expected` is the number of recipients it showed.
#[server(prefix = "/api", endpoint = "send_announcement")]
pub async fn send_announcement(
    id: String,
    event_id: String,
    tier_id: String,
    subject: String,
    body: String,
    expected: String,
) -> Result<SentResult, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let expected = expected
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::field("expected", "Look at the preview before sending."))?;
        let message =
            Compose { event_id: parse_id(&event_id)?, tier_id: tier(&tier_id)?, subject: &subject, body: &body };
        service::send(&state.pool, &scope, parse_id(&id)?, &message, expected).await
    })
    .await
}
