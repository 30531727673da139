//! `GET /dashboard/events/{id}/attendees.csv` and `…/orders.csv`: downloads for admins and
//! owners. Plain axum handlers, because they answer with a file.

use crate::insights::service;
use crate::organizations::Role;
use crate::organizations::access::scope_for;
use crate::platform::error::AppError;
use crate::platform::reply::parse_id;
use crate::platform::session::AuthSession;
use crate::platform::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

#[derive(Clone, Copy)]
enum Export {
    Attendees,
    Orders,
}

async fn export(state: AppState, session: Session, id: String, what: Export) -> Response {
    let Ok(Some(user_id)) = AuthSession::new(session).user_id().await else {
        return (StatusCode::UNAUTHORIZED, "Please log in").into_response();
    };
    let Ok(scope) = scope_for(&state.pool, user_id, None, Role::Admin).await else {
        return (StatusCode::FORBIDDEN, "Not allowed").into_response();
    };
    let Ok(event_id) = parse_id(&id) else { return (StatusCode::NOT_FOUND, "No such event").into_response() };
    let file = match what {
        Export::Attendees => service::attendees_csv(&state.pool, &scope, event_id).await,
        Export::Orders => service::orders_csv(&state.pool, &scope, event_id).await,
    };
    match file {
        Ok((name, body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response(),
        Err(AppError::NotFound) | Err(AppError::Forbidden) => (StatusCode::NOT_FOUND, "No such event").into_response(),
        Err(error) => {
            tracing::error!(%error, "an export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side").into_response()
        }
    }
}

pub async fn attendees_csv(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    export(state, session, id, Export::Attendees).await
}

pub async fn orders_csv(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    export(state, session, id, Export::Orders).await
}
