//! The application state shared by every request.

use crate::config::Config;
use crate::error::AppError;
use crate::mail::transport::Mailer;
use crate::orders::service::Payments;
use crate::payments::stripe::Stripe;
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
    pub payments: Payments,
}

impl AppState {
    /// Builds the mailer and payment providers the configuration asks for.
    pub fn new(leptos_options: LeptosOptions, pool: PgPool, config: Config) -> Result<Self, String> {
        let mailer = Mailer::from_config(&config)?;
        let payments = Payments {
            stripe: config.stripe.clone().map(Stripe::new),
            hold: config.order_hold,
            public_url: config.public_url.clone(),
        };
        Ok(AppState { leptos_options, pool, config: Arc::new(config), mailer, payments })
    }

    /// The state as provided to server functions and pages by the router.
    pub fn from_context() -> Result<Self, AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| AppError::internal("application state missing from context", "not provided"))
    }
}
