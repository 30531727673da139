//! The typed session every server function goes through, and the `require_user` guard.

use crate::platform::error::AppError;
use crate::platform::state::AppState;
use tower_sessions::Session;
use uuid::Uuid;

/// The session key holding the logged-in user's id (also kept in its own column).
pub const USER_ID: &str = "user_id";

/// The caller's session. Data lives in PostgreSQL; the cookie holds only the session id.
pub struct AuthSession(Session);

impl AuthSession {
    /// Wraps a session taken by a plain axum handler (outside server functions).
    pub fn new(session: Session) -> Self {
        AuthSession(session)
    }

    /// The session of the request being served.
    pub async fn of_request() -> Result<Self, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map(AuthSession)
            .map_err(|e| AppError::internal("session layer missing from the request", e))
    }

    pub async fn user_id(&self) -> Result<Option<Uuid>, AppError> {
        self.0.get::<Uuid>(USER_ID).await.map_err(|e| AppError::internal("reading the session failed", e))
    }

    /// Marks the session as `user_id`'s under a fresh id, so an id planted before login
    /// (session fixation) is worthless after it.
    pub async fn log_in(&self, user_id: Uuid) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(|e| AppError::internal("rotating the session id failed", e))?;
        self.0.insert(USER_ID, user_id).await.map_err(|e| AppError::internal("writing the session failed", e))
    }

    /// The session's id as stored, once it has one.
    pub fn id(&self) -> Option<String> {
        self.0.id().map(|id| id.to_string())
    }

    /// Deletes the session from the store, so the old cookie is worthless even if replayed.
    pub async fn log_out(&self) -> Result<(), AppError> {
        self.0.flush().await.map_err(|e| AppError::internal("ending the session failed", e))
    }
}

/// The logged-in user's id, or `Unauthorized`.
pub async fn require_user() -> Result<(AppState, Uuid), AppError> {
    let state = AppState::from_context()?;
    let user_id = AuthSession::of_request().await?.user_id().await?.ok_or(AppError::Unauthorized)?;
    Ok((state, user_id))
}
