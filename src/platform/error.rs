//! The one error type every server function returns.
//!
//! It travels to the browser, so it carries only what a user may see. Anything
//! internal is logged where it happens and reaches the user as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Messages keyed by form field name, shown next to the field they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the first problem found for a field; later ones for the same field are
    /// dropped so the user sees one clear message at a time.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, so validation can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() { Ok(()) } else { Err(AppError::Validation(self)) }
    }

    /// Keeps the value of a parse, or records its error under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("We could not find what you were looking for.")]
    NotFound,
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    /// The request clashes with the state of things ("this order is already closed").
    #[error("{0}")]
    Conflict(String),
    /// Tickets of a tier or an event are gone. The message says what ran out and what is
    /// left. (A used-up promo code is a message on its field instead.)
    #[error("{0}")]
    SoldOut(String),
    /// A lock wait ran out or a deadlock was broken under load; the same request may well
    /// succeed a moment later.
    #[error("Tickets are selling fast right now. Please try again in a moment.")]
    Busy,
    /// Too many requests or failures from one address or for one account; answered 429 with
    /// `Retry-After`.
    #[error("Too many attempts. Please try again in {}.", minutes_words(retry_after_secs))]
    RateLimited { retry_after_secs: i64 },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport and (de)serialization problems raised by the server-function layer.
    #[error("We could not reach the server. Please check your connection and try again.")]
    Transport(String),
}

impl AppError {
    /// A validation error about a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }

    /// The message for a form field, if this error is about that field.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors.get(field).map(str::to_owned),
            _ => None,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::SoldOut(_) | AppError::Busy => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// Logs an unexpected failure and hides it from the user.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        AppError::Internal
    }
}

/// "1 minute", "15 minutes": a wait in whole minutes, rounded up.
fn minutes_words(seconds: &i64) -> String {
    let minutes = (seconds.max(&1) + 59) / 60;
    if minutes == 1 { "1 minute".into() } else { format!("{minutes} minutes") }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Called for a request the server-function layer could not read (missing or malformed
    /// arguments) before any of our code ran: the caller's mistake, answered 400 like every
    /// other `Transport` error. In the browser, for an answer it could not read.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = AppError::Transport(value.to_string());
        #[cfg(feature = "ssr")]
        {
            tracing::warn!(reason = %value, "unreadable server function call");
            crate::platform::reply::set_status(&error);
        }
        error
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            _ => AppError::internal("database error", error),
        }
    }
}

/// `meaning` when `error` is a violation of the named constraint (a unique key taken, a
/// CHECK refused), so the caller can say what went wrong in the user's terms; any other
/// database error stays one.
#[cfg(feature = "ssr")]
pub fn on_constraint(error: sqlx::Error, constraint: &str, meaning: AppError) -> AppError {
    if is_violation(&error, constraint) { meaning } else { error.into() }
}

/// Whether `error` is a violation of the named constraint.
#[cfg(feature = "ssr")]
pub fn is_violation(error: &sqlx::Error, constraint: &str) -> bool {
    error.as_database_error().and_then(|e| e.constraint()) == Some(constraint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message_for_a_field() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Enter your email address.");
        errors.add("email", "That email is taken.");
        assert_eq!(errors.get("email"), Some("Enter your email address."));
    }

    #[test]
    fn a_rate_limit_says_how_many_minutes_to_wait() {
        assert_eq!(
            AppError::RateLimited { retry_after_secs: 30 }.to_string(),
            "Too many attempts. Please try again in 1 minute."
        );
        assert_eq!(
            AppError::RateLimited { retry_after_secs: 601 }.to_string(),
            "Too many attempts. Please try again in 11 minutes."
        );
    }

    #[test]
    fn an_empty_set_of_field_errors_is_ok() {
        assert_eq!(FieldErrors::new().into_result(), Ok(()));
        let mut errors = FieldErrors::new();
        errors.add("name", "Required");
        assert!(matches!(errors.into_result(), Err(AppError::Validation(_))));
    }
}
