//! Account server functions: the public HTTP API of this domain. Every argument is untrusted.

use crate::accounts::{CurrentUser as User, Profile as UserProfile};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    accounts::{limits, safe_next_path, service},
    platform::{
        client, rate_limit,
        reply::reply,
        session::{AuthSession, require_user},
        state::AppState,
        text::email_subject,
    },
};
use leptos::prelude::*;

/// Signs up: the answer is "check your inbox" for every address (see `service::register`).
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    full_name: String,
    email: String,
    password: String,
    organizer: Option<String>,
    organization_name: Option<String>,
) -> Result<(), AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let client = client::subject_of_request(&state.config.trusted_proxies);
        rate_limit::hit(&state.pool, limits::SIGN_UPS_PER_ADDRESS, &client).await?;
        let form =
            service::SignUpForm { full_name, email, password, organization_name, organizer: organizer.is_some() };
        service::register(&state.pool, form).await?;
        state.mailer.wake();
        leptos_axum::redirect("/signup?check=inbox");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "log_in")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let client = client::subject_of_request(&state.config.trusted_proxies);
        let user_id = service::authenticate(&state.pool, &email, &password, &client).await?;
        AuthSession::of_request().await?.log_in(user_id).await?;
        tracing::info!(%user_id, "logged in");
        let destination = match safe_next_path(next.as_deref()) {
            Some(path) => path,
            None => match service::current_user(&state.pool, user_id).await? {
                Some(user) if user.is_organizer() => "/dashboard".to_owned(),
                _ => "/".to_owned(),
            },
        };
        leptos_axum::redirect(&destination);
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    reply(async {
        AuthSession::of_request().await?.log_out().await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// The logged-in user, or `None` for visitors.
#[server(prefix = "/api", endpoint = "get_current_user")]
pub async fn get_current_user() -> Result<Option<User>, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        match AuthSession::of_request().await?.user_id().await? {
            Some(user_id) => service::current_user(&state.pool, user_id).await,
            None => Ok(None),
        }
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_profile")]
pub async fn get_profile() -> Result<UserProfile, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        service::profile(&state.pool, user_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "update_profile")]
pub async fn update_profile(
    full_name: String,
    company: Option<String>,
    phone: Option<String>,
    avatar_url: Option<String>,
) -> Result<UserProfile, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        let form = service::ProfileForm { full_name, company, phone, avatar_url };
        service::update_profile(&state.pool, user_id, form).await
    })
    .await
}

/// E-mails a password reset link if the address has an account; the answer is the same
/// either way. Limited per address and per network address.
#[server(prefix = "/api", endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<String, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let client = client::subject_of_request(&state.config.trusted_proxies);
        rate_limit::hit(&state.pool, limits::RESETS_PER_ADDRESS, &client).await?;
        rate_limit::hit(&state.pool, limits::RESETS_PER_EMAIL, &email_subject(&email)).await?;
        service::request_password_reset(&state.pool, &email).await?;
        state.mailer.wake();
        Ok("If an account uses that address, a link to choose a new password is on its way. It works for one hour."
            .to_owned())
    })
    .await
}

/// Confirms a new account's address through its link, logs the person in and opens the
/// dashboard (organizers) or the home page.
#[server(prefix = "/api", endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let client = client::subject_of_request(&state.config.trusted_proxies);
        rate_limit::hit(&state.pool, limits::RESETS_PER_ADDRESS, &client).await?;
        let user_id = service::confirm_email(&state.pool, &token).await?;
        AuthSession::of_request().await?.log_in(user_id).await?;
        leptos_axum::redirect(home_of(&state, user_id).await?);
        Ok(())
    })
    .await
}

/// Where a person goes after logging in: the dashboard for organizers, else the home page.
#[cfg(feature = "ssr")]
async fn home_of(state: &AppState, user_id: uuid::Uuid) -> Result<&'static str, AppError> {
    Ok(match service::current_user(&state.pool, user_id).await? {
        Some(user) if user.is_organizer() => "/dashboard",
        _ => "/",
    })
}

/// Sets a new password through a reset link, logs the person in here and out everywhere
/// else, and opens the home page.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let client = client::subject_of_request(&state.config.trusted_proxies);
        rate_limit::hit(&state.pool, limits::RESETS_PER_ADDRESS, &client).await?;
        let user_id = service::reset_password(&state.pool, &token, &password).await?;
        AuthSession::of_request().await?.log_in(user_id).await?;
        leptos_axum::redirect(home_of(&state, user_id).await?);
        Ok(())
    })
    .await
}

/// Changes the logged-in user's password; their other sessions end.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<String, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        let session = AuthSession::of_request().await?;
        let keep = session.id();
        service::change_password(&state.pool, user_id, &current_password, &new_password, keep.as_deref()).await?;
        Ok("Your password is changed. Any other devices you were logged in on are logged out.".to_owned())
    })
    .await
}
