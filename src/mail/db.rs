//! SQL of the outbox: queueing messages in the caller's transaction, claiming due ones for
//! the worker, recording the outcome, and reading them back for the sent mail page.

use crate::mail::{MailKind, MailStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Queues a message in the caller's transaction. `organization_id` is the organization whose
/// sent mail page shows it (`None` for a person's own account messages).
pub async fn enqueue(
    conn: &mut PgConnection,
    organization_id: Option<Uuid>,
    kind: MailKind,
    recipient: &str,
    payload: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO outbox (organization_id, kind, recipient, payload) VALUES ($1, $2, $3, $4)",
        organization_id,
        kind.as_str(),
        recipient,
        payload,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Several messages about the same thing in one statement.
pub async fn enqueue_all(
    conn: &mut PgConnection,
    organization_id: Uuid,
    messages: &[(MailKind, String)],
    payload: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let kinds: Vec<String> = messages.iter().map(|(kind, _)| kind.as_str().to_owned()).collect();
    let recipients: Vec<String> = messages.iter().map(|(_, to)| to.clone()).collect();
    sqlx::query!(
        "INSERT INTO outbox (organization_id, kind, recipient, payload)
         SELECT $1, m.kind, m.recipient, $4 FROM unnest($2::text[], $3::text[]) AS m(kind, recipient)",
        organization_id,
        &kinds,
        &recipients,
        payload,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A message waiting to be sent.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: Uuid,
    pub kind: MailKind,
    pub recipient: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` due messages that no other worker holds, for `lease_secs`: they are
/// not due again until then, so a worker that dies mid-send leaves them to be retried after
/// the lease, and no one else sends them meanwhile. A claim counts as an attempt, so a
/// message that crashes every worker that takes it is eventually given up (see `give_up_stuck`).
pub async fn claim_due(db: impl PgExecutor<'_>, limit: i64, lease_secs: f64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    sqlx::query_as!(
        OutboxRow,
        r#"UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2), attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox
                          WHERE status = 'pending' AND next_attempt_at <= now()
                          ORDER BY next_attempt_at
                          LIMIT $1
                            FOR UPDATE SKIP LOCKED)
        RETURNING id, kind AS "kind: MailKind", recipient, payload, attempts, created_at"#,
        limit,
        lease_secs,
    )
    .fetch_all(db)
    .await
}

/// Fails the due messages whose every attempt ended without an outcome (the worker died
/// while sending them), so they stop being retried.
pub async fn give_up_stuck(db: impl PgExecutor<'_>, max_attempts: i32) -> Result<u64, sqlx::Error> {
    let failed = sqlx::query!(
        "UPDATE outbox SET status = 'failed', last_error = coalesce(last_error, 'the sender stopped while sending it')
          WHERE status = 'pending' AND next_attempt_at <= now() AND attempts >= $1",
        max_attempts,
    )
    .execute(db)
    .await?;
    Ok(failed.rows_affected())
}

/// What the sent mail page keeps of a delivered message.
pub struct Delivered<'a> {
    pub subject: &'a str,
    pub body_text: &'a str,
    pub attachments: serde_json::Value,
    pub transport: &'a str,
}

pub async fn mark_sent(db: impl PgExecutor<'_>, id: Uuid, d: &Delivered<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL,
                subject = $2, body_text = $3, attachments = $4, transport = $5, payload = payload - 'token'
          WHERE id = $1 AND status = 'pending'",
        id,
        d.subject,
        d.body_text,
        d.attachments,
        d.transport,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried after `retry_in_secs`, or failed for good.
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    id: Uuid,
    attempts: i32,
    error: &str,
    give_up: bool,
    retry_in_secs: f64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET attempts = $2, last_error = $3,
                status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
                next_attempt_at = now() + make_interval(secs => $5)
          WHERE id = $1 AND status = 'pending'",
        id,
        attempts,
        error,
        give_up,
        retry_in_secs,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A message as the sent mail page shows it.
#[derive(Debug, Clone)]
pub struct MailRow {
    pub id: Uuid,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: Option<String>,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub transport: Option<String>,
    pub created_at: DateTime<Utc>,
    pub body_text: Option<String>,
    pub attachments: serde_json::Value,
}

/// A query for messages: one column list, the condition after it.
macro_rules! select_mail {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            MailRow,
            r#"SELECT id, kind AS "kind: MailKind", recipient, subject, status AS "status: MailStatus", attempts,
                      last_error, transport, created_at, body_text, attachments
                 FROM outbox "# + $condition,
            $($arg),*
        )
    };
}

/// The organization's latest messages, newest first.
pub async fn sent_mail(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    limit: i64,
) -> Result<Vec<MailRow>, sqlx::Error> {
    select_mail!("WHERE organization_id = $1 ORDER BY created_at DESC, id LIMIT $2", organization_id, limit)
        .fetch_all(db)
        .await
}

pub async fn mail_of_organization(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<MailRow>, sqlx::Error> {
    select_mail!("WHERE organization_id = $1 AND id = $2", organization_id, id).fetch_optional(db).await
}
