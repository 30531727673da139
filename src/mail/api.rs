//! The organizer's "sent mail" page: what EventOS sent (or is still trying to send) for
//! their organization, readable even when no SMTP server is configured.

use crate::error::AppError;
use crate::mail::{SentMail, SentMailDetail};
#[cfg(feature = "ssr")]
use crate::{
    organizations::{Role, access::require_organizer},
    server::reply,
};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use uuid::Uuid;

#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
struct MailRow {
    id: Uuid,
    kind: String,
    recipient: String,
    subject: Option<String>,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    transport: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    body_text: Option<String>,
    attachments: serde_json::Value,
}

#[cfg(feature = "ssr")]
const MAIL_SELECT: &str = "SELECT id, kind, recipient, subject, status, attempts, last_error, transport, created_at,
        body_text, attachments FROM outbox";

#[cfg(feature = "ssr")]
fn summary(row: &MailRow) -> SentMail {
    SentMail {
        id: row.id,
        kind: crate::mail::MailKind::parse(&row.kind).map(|k| k.label().to_owned()).unwrap_or_else(|| row.kind.clone()),
        recipient: row.recipient.clone(),
        subject: row.subject.clone(),
        status: row.status.clone(),
        attempts: row.attempts,
        last_error: row.last_error.clone(),
        transport: row.transport.clone(),
        when: row.created_at.with_timezone(&chrono_tz::America::Toronto).format("%b %-d, %-I:%M:%S %p").to_string(),
    }
}

#[server(prefix = "/api", endpoint = "list_sent_mail")]
pub async fn list_sent_mail() -> Result<Vec<SentMail>, AppError> {
    reply(
        async {
            let (state, scope) = require_organizer(Role::Admin).await?;
            let rows: Vec<MailRow> = sqlx::query_as(&format!(
                "{MAIL_SELECT} WHERE organization_id = $1 ORDER BY created_at DESC, id LIMIT 200"
            ))
            .bind(scope.organization_id)
            .fetch_all(&state.pool)
            .await?;
            Ok(rows.iter().map(summary).collect())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn mail_row(pool: &sqlx::PgPool, organization_id: Uuid, id: Uuid) -> Result<MailRow, AppError> {
    sqlx::query_as(&format!("{MAIL_SELECT} WHERE organization_id = $1 AND id = $2"))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

#[server(prefix = "/api", endpoint = "get_sent_mail")]
pub async fn get_sent_mail(mail_id: String) -> Result<SentMailDetail, AppError> {
    reply(
        async {
            let (state, scope) = require_organizer(Role::Admin).await?;
            let id = Uuid::parse_str(mail_id.trim()).map_err(|_| AppError::NotFound)?;
            let row = mail_row(&state.pool, scope.organization_id, id).await?;
            Ok(SentMailDetail {
                summary: summary(&row),
                body_text: row.body_text.clone(),
                attachments: serde_json::from_value(row.attachments.clone()).unwrap_or_default(),
            })
        }
        .await,
    )
}

/// `GET /dashboard/mail/{id}/message.eml`: the message as delivered to the mailbox folder,
/// for opening in a mail client.
#[cfg(feature = "ssr")]
pub async fn eml_file(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    session: tower_sessions::Session,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let not_found = || (StatusCode::NOT_FOUND, "No such message").into_response();
    let Ok(Some(user_id)) = crate::accounts::session::AuthSession::new(session).user_id().await else {
        return (StatusCode::UNAUTHORIZED, "Please log in").into_response();
    };
    let Ok(scope) = crate::organizations::access::scope_for(&state.pool, user_id, None, Role::Admin).await else {
        return (StatusCode::FORBIDDEN, "Not allowed").into_response();
    };
    let Ok(id) = Uuid::parse_str(&id) else { return not_found() };
    if mail_row(&state.pool, scope.organization_id, id).await.is_err() {
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
