//! Queries of `notifications`: always one person's own, and only from organizations they
//! are still an owner or admin of (someone removed or made door staff no longer reads sales).

use crate::notifications::NotificationKind;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pub struct NotificationRow {
    pub id: i64,
    pub kind: NotificationKind,
    pub event_id: Option<Uuid>,
    pub event_name: Option<String>,
    pub order_id: Option<Uuid>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

pub async fn newest(db: impl PgExecutor<'_>, user_id: Uuid, limit: i64) -> Result<Vec<NotificationRow>, sqlx::Error> {
    sqlx::query_as!(
        NotificationRow,
        r#"SELECT n.id, n.kind AS "kind: NotificationKind", n.event_id, e.name AS "event_name?", n.order_id,
                  n.detail, n.created_at, n.read_at IS NOT NULL AS "read!"
             FROM notifications n LEFT JOIN events e ON e.id = n.event_id
            WHERE n.user_id = $1 AND n.organization_id IN (SELECT m.organization_id FROM organization_members m
                                                             WHERE m.user_id = $1 AND m.role IN ('owner', 'admin'))
            ORDER BY n.created_at DESC, n.id DESC
            LIMIT $2"#,
        user_id,
        limit,
    )
    .fetch_all(db)
    .await
}

pub async fn unread_count(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "unread!" FROM notifications n
            WHERE n.user_id = $1 AND n.read_at IS NULL
              AND n.organization_id IN (SELECT m.organization_id FROM organization_members m
                                         WHERE m.user_id = $1 AND m.role IN ('owner', 'admin'))"#,
        user_id
    )
    .fetch_one(db)
    .await
}

/// Marks one of the person's notifications read; `false` when they have no such one.
pub async fn mark_read(db: impl PgExecutor<'_>, user_id: Uuid, id: i64) -> Result<bool, sqlx::Error> {
    let marked = sqlx::query!(
        "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(marked.rows_affected() == 1)
}

pub async fn mark_all_read(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<u64, sqlx::Error> {
    let marked =
        sqlx::query!("UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL", user_id)
            .execute(db)
            .await?;
    Ok(marked.rows_affected())
}
