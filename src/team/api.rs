//! Team server functions: managing the team takes an admin (the service checks the finer
//! owner rules); the invitation link is open to whoever holds it.

use crate::platform::error::AppError;
use crate::team::{InvitationPreview, TeamView};
#[cfg(feature = "ssr")]
use crate::{
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
    platform::session::{AuthSession, require_user},
    platform::state::AppState,
    team::service::{self, InviteForm},
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_team")]
pub async fn get_team() -> Result<TeamView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::team(&state.pool, &scope).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "invite_member")]
pub async fn invite_member(email: String, role: String, event_id: Option<String>) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::invite(&state.pool, &scope, InviteForm { email, role, event_id }).await?;
        state.mailer.wake();
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(invitation_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::revoke_invitation(&state.pool, &scope, parse_id(&invitation_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "change_member_role")]
pub async fn change_member_role(user_id: String, role: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::change_role(&state.pool, &scope, parse_id(&user_id)?, &role).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "remove_member")]
pub async fn remove_member(user_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::remove_member(&state.pool, &scope, parse_id(&user_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "remove_door_staff")]
pub async fn remove_door_staff(event_id: String, user_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::remove_door_staff(&state.pool, &scope, parse_id(&event_id)?, parse_id(&user_id)?).await
    })
    .await
}

/// What an invitation link offers, for whoever opens it.
#[server(prefix = "/api", endpoint = "get_invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationPreview, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let signed_in = AuthSession::of_request().await?.user_id().await?;
        service::preview(&state.pool, &token, signed_in).await
    })
    .await
}

/// Accepts an invitation as the logged-in user, then opens where they work.
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        let next = service::accept(&state.pool, &token, user_id).await?;
        leptos_axum::redirect(&next);
        Ok(())
    })
    .await
}

/// Creates the invited person's account from the link, accepts, and logs them in.
#[server(prefix = "/api", endpoint = "accept_invitation_new_account")]
pub async fn accept_invitation_new_account(token: String, full_name: String, password: String) -> Result<(), AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let (user_id, next) = service::accept_with_new_account(&state.pool, &token, &full_name, &password).await?;
        AuthSession::of_request().await?.log_in(user_id).await?;
        leptos_axum::redirect(&next);
        Ok(())
    })
    .await
}
