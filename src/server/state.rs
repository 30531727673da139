//! The application state shared by every request.

use crate::config::Config;
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub config: Arc<Config>,
}

impl AppState {
    /// The state as provided to server functions and pages by the router.
    pub fn from_context() -> Result<Self, AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| AppError::internal("application state missing from context", "not provided"))
    }
}
