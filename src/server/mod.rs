//! Everything that exists only in the server binary: start-up, the router and its layers,
//! application state, health checks and demo data.

pub mod bench;
pub mod health;
pub mod rate_limit;
pub mod seed;
pub mod startup;
pub mod state;

use crate::error::AppError;
use http::header::ACCEPT;
use leptos::prelude::use_context;

/// Gives a server function's error its HTTP status (422 for bad input, 403, …) instead of
/// the default 500. Plain HTML form posts are left alone: the server-function layer answers
/// them with a redirect back to the form, and the status must stay a redirect.
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        let plain_form_post = use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
            .unwrap_or(false);
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>().filter(|_| !plain_form_post) {
            response.set_status(error.status());
        }
    }
    result
}
