//! Plain HTTP endpoints of the events domain that are not server functions: the cover
//! upload (a multipart form that works without JavaScript) and the calendar download.

use crate::events::calendar::{CalendarEntry, calendar};
use crate::events::{public, service};
use crate::organizations::Role;
use crate::organizations::access::scope_for;
use crate::platform::error::AppError;
use crate::platform::session::AuthSession;
use crate::platform::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;
use uuid::Uuid;

pub const MAX_COVER_BYTES: usize = 5 * 1024 * 1024;

/// The image kinds we accept, recognised by their first bytes rather than by what the browser claims.
fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("jpg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("webp"),
        _ => None,
    }
}

fn content_type(extension: &str) -> &'static str {
    match extension {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        _ => "image/webp",
    }
}

/// `POST /dashboard/events/{id}/cover`: stores the image and returns to the editor, with
/// `?cover_error=…` when it was refused.
pub async fn upload_cover(
    State(state): State<AppState>,
    session: Session,
    Path(event_id): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let Ok(event_id) = Uuid::parse_str(&event_id) else { return StatusCode::NOT_FOUND.into_response() };
    let back = |problem: Option<&str>| {
        let query = problem.map(|p| format!("?cover_error={p}")).unwrap_or_default();
        Redirect::to(&format!("/dashboard/events/{event_id}/edit{query}")).into_response()
    };
    let user_id = match AuthSession::new(session).user_id().await {
        Ok(Some(user_id)) => user_id,
        Ok(None) => return Redirect::to(&format!("/login?next=/dashboard/events/{event_id}/edit")).into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let scope = match scope_for(&state.pool, user_id, None, Role::Admin).await {
        Ok(scope) => scope,
        Err(AppError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let bytes = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("cover") => match field.bytes().await {
                Ok(bytes) => break bytes,
                Err(_) => return back(Some("size")),
            },
            Ok(Some(_)) => continue,
            Ok(None) => return back(Some("missing")),
            Err(_) => return back(Some("size")),
        }
    };
    if bytes.is_empty() {
        return back(Some("missing"));
    }
    if bytes.len() > MAX_COVER_BYTES {
        return back(Some("size"));
    }
    let Some(extension) = image_extension(&bytes) else { return back(Some("type")) };
    match service::set_cover(
        &state.pool,
        &scope,
        &state.config.upload_dir,
        event_id,
        &bytes,
        extension,
        content_type(extension),
    )
    .await
    {
        Ok(()) => back(None),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => back(Some("failed")),
    }
}

/// `GET /events/{slug}/calendar.ics`
pub async fn calendar_file(State(state): State<AppState>, session: Session, Path(slug): Path<String>) -> Response {
    let viewer = AuthSession::new(session).user_id().await.ok().flatten();
    match public::public_event(&state.pool, &slug, viewer).await {
        Ok(event) => {
            let filename = format!("{}.ics", event.slug);
            (
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
                ],
                calendar(&CalendarEntry::of(&event), &state.config.public_url),
            )
                .into_response()
        }
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "No such event").into_response(),
        Err(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(image_extension(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(image_extension(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(image_extension(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_extension(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_extension(b"GIF89a"), None);
    }
}
