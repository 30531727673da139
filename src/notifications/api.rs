//! Notification server functions: each person sees and marks only their own.

use crate::notifications::Inbox;
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    events::time::{DEFAULT_TIMEZONE, timezone_or_default},
    notifications::{Notification, SHOWN, db, link, words},
    platform::reply::reply,
    platform::session::require_user,
};
use leptos::prelude::*;

/// The caller's newest notifications and how many are unread, dated in EventOS's default
/// time zone (America/Toronto).
#[server(prefix = "/api", endpoint = "get_inbox")]
pub async fn get_inbox() -> Result<Inbox, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        let tz = timezone_or_default(DEFAULT_TIMEZONE);
        let rows = db::newest(&state.pool, user_id, SHOWN).await?;
        let unread = db::unread_count(&state.pool, user_id).await?;
        let items = rows
            .into_iter()
            .map(|row| Notification {
                id: row.id,
                kind: row.kind,
                text: words(row.kind, row.event_name.as_deref(), &row.detail),
                link: link(row.kind, row.event_id, row.order_id),
                when: row.created_at.with_timezone(&tz).format("%b %-d, %H:%M").to_string(),
                read: row.read,
            })
            .collect();
        Ok(Inbox { unread, items })
    })
    .await
}

/// How many of the caller's notifications are unread (the header's badge).
#[server(prefix = "/api", endpoint = "count_unread_notifications")]
pub async fn count_unread_notifications() -> Result<i64, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        Ok(db::unread_count(&state.pool, user_id).await?)
    })
    .await
}

/// Marks one notification read (`id`), or all of them (`id` empty).
#[server(prefix = "/api", endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read(id: Option<String>) -> Result<(), AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        match id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
            None => {
                db::mark_all_read(&state.pool, user_id).await?;
            }
            Some(id) => {
                let id = id.parse::<i64>().map_err(|_| AppError::field("id", "That notification does not exist."))?;
                if !db::mark_read(&state.pool, user_id, id).await? {
                    return Err(AppError::NotFound);
                }
            }
        }
        Ok(())
    })
    .await
}
