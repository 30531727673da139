//! The application state shared by every request.

use crate::platform::cache::RecentAnswers;
use crate::platform::config::Config;
use crate::platform::error::AppError;
use crate::platform::mailer::Mailer;
use crate::platform::page_views::PageViews;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    /// One HTTP client for every outside API (Stripe), so connections are reused.
    pub http: reqwest::Client,
    /// Public answers many visitors ask for at once, kept for a moment.
    pub recent: RecentAnswers,
    /// Event page views and checkout openings counted in memory, written in batches.
    pub page_views: PageViews,
}

impl AppState {
    /// Builds the mailer and the HTTP client the configuration asks for.
    pub fn new(leptos_options: LeptosOptions, pool: PgPool, config: Config) -> Result<Self, String> {
        let mailer = Mailer::from_config(&config)?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(AppState {
            leptos_options,
            pool,
            config: Arc::new(config),
            mailer,
            http,
            recent: RecentAnswers::default(),
            page_views: PageViews::default(),
        })
    }

    /// The state as provided to server functions and pages by the router.
    pub fn from_context() -> Result<Self, AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| AppError::internal("application state missing from context", "not provided"))
    }
}
