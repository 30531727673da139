//! How a server function answers: the HTTP status that matches its error, and ids read from
//! the request.

use crate::platform::error::AppError;
use http::header::ACCEPT;
use leptos::prelude::use_context;
use uuid::Uuid;

/// Runs a server function's body and gives its error the matching HTTP status (422 for bad
/// input, 403, …) instead of the default 500. Plain HTML form posts are left alone: the
/// server-function layer answers them with a redirect back to the form, and the status must
/// stay a redirect.
pub async fn reply<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        set_status(error);
    }
    result
}

/// Sets the status of the answer being built to the one `error` calls for, unless the
/// request is a plain HTML form post (which must stay a redirect back to the form).
pub fn set_status(error: &AppError) {
    let plain_form_post = use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false);
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>().filter(|_| !plain_form_post) {
        response.set_status(error.status());
        if let AppError::RateLimited { retry_after_secs } = error
            && let Ok(value) = http::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.insert_header(http::header::RETRY_AFTER, value);
        }
    }
}

/// An id from a request; anything that is not one names nothing we have.
pub fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}
