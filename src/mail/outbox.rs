//! The transactional outbox. Changes that owe someone an e-mail insert a row in their own
//! transaction, so the message exists exactly when the change does. The worker claims due
//! rows with `FOR UPDATE SKIP LOCKED` (several workers or app instances never take the same
//! row), sends, and marks them sent in the same transaction; a crash before that commit
//! leaves the row pending and it is sent on the next pass with the same Message-ID.

use crate::mail::MailKind;
use crate::mail::render;
use crate::mail::transport::Mailer;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use std::time::Duration;
use uuid::Uuid;

/// After this many failed attempts a message is marked failed and logged as an error.
pub const MAX_ATTEMPTS: i32 = 8;
const BATCH: i64 = 50;
/// The worker gathers messages for this long before each batch: mail goes out a moment
/// later, in fewer and larger batches, and a ticket rush keeps the CPU for buyers.
const SETTLE: Duration = Duration::from_millis(250);

pub async fn enqueue(
    conn: &mut PgConnection,
    organization_id: Uuid,
    kind: MailKind,
    recipient: &str,
    payload: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO outbox (organization_id, kind, recipient, payload) VALUES ($1, $2, $3, $4)")
        .bind(organization_id)
        .bind(kind.as_str())
        .bind(recipient)
        .bind(payload)
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
    let kinds: Vec<&str> = messages.iter().map(|(kind, _)| kind.as_str()).collect();
    let recipients: Vec<&str> = messages.iter().map(|(_, to)| to.as_str()).collect();
    sqlx::query(
        "INSERT INTO outbox (organization_id, kind, recipient, payload)
         SELECT $1, m.kind, m.recipient, $4 FROM unnest($2::text[], $3::text[]) AS m(kind, recipient)",
    )
    .bind(organization_id)
    .bind(&kinds)
    .bind(&recipients)
    .bind(payload)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at 1 hour.
pub fn backoff(attempts: i32) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// Sends one batch of due messages; returns how many were handled (sent or failed).
pub async fn send_due(pool: &PgPool, mailer: &Mailer) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let due: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, kind, recipient, payload, attempts, created_at FROM outbox
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT $1
            FOR UPDATE SKIP LOCKED",
    )
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    for row in &due {
        let outcome = match render::render(pool, mailer, row).await {
            Ok(rendered) => mailer.deliver(row.id, &rendered.message).await.map(|()| rendered),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(rendered) => {
                sqlx::query(
                    "UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
                            subject = $2, body_text = $3, attachments = $4, transport = $5
                      WHERE id = $1",
                )
                .bind(row.id)
                .bind(&rendered.subject)
                .bind(&rendered.body_text)
                .bind(serde_json::json!(rendered.attachments))
                .bind(mailer.transport_name())
                .execute(&mut *tx)
                .await?;
                tracing::info!(outbox_id = %row.id, kind = %row.kind, transport = mailer.transport_name(), "e-mail sent");
            }
            Err(error) => {
                let attempts = row.attempts + 1;
                let give_up = attempts >= MAX_ATTEMPTS;
                sqlx::query(
                    "UPDATE outbox SET attempts = $2, last_error = $3,
                            status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
                            next_attempt_at = now() + make_interval(secs => $5)
                      WHERE id = $1",
                )
                .bind(row.id)
                .bind(attempts)
                .bind(&error)
                .bind(give_up)
                .bind(backoff(attempts) as f64)
                .execute(&mut *tx)
                .await?;
                if give_up {
                    tracing::error!(outbox_id = %row.id, %error, attempts, "e-mail failed for good");
                } else {
                    tracing::warn!(outbox_id = %row.id, %error, attempts, "e-mail failed; will retry");
                }
            }
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Sends until nothing is due (tests and the worker use it).
pub async fn send_all_due(pool: &PgPool, mailer: &Mailer) -> Result<usize, sqlx::Error> {
    let mut total = 0;
    loop {
        let handled = send_due(pool, mailer).await?;
        total += handled;
        if handled < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Drains the outbox for as long as the server runs: shortly after it is woken, else every
/// few seconds; a backlog is worked through batch by batch with a pause in between.
pub fn spawn_worker(pool: PgPool, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match send_due(&pool, &mailer).await {
                Ok(handled) if handled == BATCH as usize => {
                    tokio::time::sleep(SETTLE).await;
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "e-mail worker could not read the outbox"),
            }
            tokio::select! {
                () = mailer.woken() => tokio::time::sleep(SETTLE).await,
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_and_stop_growing_at_an_hour() {
        assert_eq!(backoff(0), 30);
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(3), 240);
        assert_eq!(backoff(20), 3600);
    }
}
