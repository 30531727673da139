//! Who may work the door of an event: any member of its organization (staff and up), or
//! someone invited to check in at that one event. Fails closed like the organizer guard.

use crate::checkin::db;
use crate::platform::error::AppError;
use crate::platform::session::require_user;
use crate::platform::state::AppState;
use sqlx::PgPool;
use uuid::Uuid;

/// Proof that `user_id` may check people in at `event_id`. Every door query takes the
/// event from here, never from the request alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorScope {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    /// The event's time zone, for the times the door shows.
    pub timezone: String,
}

/// The caller's access to the door of `event_id`.
pub async fn require_door(event_id: Uuid) -> Result<(AppState, DoorScope), AppError> {
    let (state, user_id) = require_user().await?;
    let scope = door_scope(&state.pool, user_id, event_id).await?;
    Ok((state, scope))
}

/// The decision itself, separate from the request so it can be tested directly. An event
/// that does not exist and one the user may not see answer the same.
pub async fn door_scope(pool: &PgPool, user_id: Uuid, event_id: Uuid) -> Result<DoorScope, AppError> {
    match db::door_access(pool, event_id, user_id).await? {
        Some(access) if access.member || access.event_staff => {
            Ok(DoorScope { user_id, organization_id: access.organization_id, event_id, timezone: access.timezone })
        }
        _ => Err(AppError::Forbidden),
    }
}
