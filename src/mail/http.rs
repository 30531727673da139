//! `GET /dashboard/mail/{id}/message.eml`: a message as delivered to the mailbox folder, for
//! opening in a mail client. A plain axum handler, because it answers with a file.

use crate::mail::service;
use crate::organizations::Role;
use crate::organizations::access::scope_for;
use crate::platform::reply::parse_id;
use crate::platform::session::AuthSession;
use crate::platform::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

pub async fn eml_file(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "No such message").into_response();
    let Ok(Some(user_id)) = AuthSession::new(session).user_id().await else {
        return (StatusCode::UNAUTHORIZED, "Please log in").into_response();
    };
    let Ok(scope) = scope_for(&state.pool, user_id, None, Role::Admin).await else {
        return (StatusCode::FORBIDDEN, "Not allowed").into_response();
    };
    let Ok(id) = parse_id(&id) else { return not_found() };
    if service::message(&state.pool, &scope, id).await.is_err() {
        return not_found();
    }
    let Some(dir) = state.mailer.mailbox_dir() else { return not_found() };
    match tokio::fs::read(dir.join(format!("{id}.eml"))).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "message/rfc822".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}.eml\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found(),
    }
}
