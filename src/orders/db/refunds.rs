//! SQL of refunds: owed in the transaction that decides them, claimed by whoever asks the
//! provider, and recorded when it answers.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Records a refund owed to an order's buyer; the card refund is asked for after commit.
pub async fn insert_owed(
    conn: &mut PgConnection,
    order_id: Uuid,
    cents: i64,
    origin: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO refunds (order_id, amount_cents, origin) VALUES ($1, $2, $3) RETURNING id",
        order_id,
        cents,
        origin,
    )
    .fetch_one(conn)
    .await
}

/// Records a refund the provider already made (its dashboard, or another integration).
pub async fn insert_made_at_provider(
    conn: &mut PgConnection,
    order_id: Uuid,
    cents: i64,
    provider_refund_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO refunds (order_id, amount_cents, origin, status, provider_refund_id, finished_at)
         VALUES ($1, $2, 'provider', 'succeeded', $3, now())",
        order_id,
        cents,
        provider_refund_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A refund to ask the provider for.
#[derive(Debug, Clone)]
pub struct DueRefund {
    pub id: Uuid,
    pub order_id: Uuid,
    pub amount_cents: i64,
    pub attempts: i32,
    pub payment_intent: Option<String>,
    pub currency: String,
}

/// Claims due refunds (one, or up to `limit`) for `lease_secs`, so two askers never ask for
/// the same refund at once; a crash leaves it due again when the lease ends.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    only: Option<Uuid>,
    limit: i64,
    lease_secs: f64,
) -> Result<Vec<DueRefund>, sqlx::Error> {
    sqlx::query_as!(
        DueRefund,
        r#"WITH claimed AS (
               UPDATE refunds SET next_attempt_at = now() + make_interval(secs => $3)
                WHERE id IN (SELECT id FROM refunds
                              WHERE status = 'pending' AND next_attempt_at <= now()
                                AND ($1::uuid IS NULL OR id = $1)
                              ORDER BY next_attempt_at
                              LIMIT $2
                                FOR UPDATE SKIP LOCKED)
            RETURNING id, order_id, amount_cents, attempts)
           SELECT c.id AS "id!", c.order_id AS "order_id!", c.amount_cents AS "amount_cents!",
                  c.attempts AS "attempts!", o.payment_intent, s.currency
             FROM claimed c
             JOIN orders o ON o.id = c.order_id
             JOIN event_settings s ON s.event_id = o.event_id"#,
        only,
        limit,
        lease_secs,
    )
    .fetch_all(db)
    .await
}

pub async fn mark_succeeded(db: impl PgExecutor<'_>, id: Uuid, provider_refund_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refunds SET status = 'succeeded', provider_refund_id = $2, attempts = attempts + 1,
                last_error = NULL, finished_at = now()
          WHERE id = $1 AND status = 'pending'",
        id,
        provider_refund_id,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: asked again after `retry_in_secs`.
pub async fn mark_retry(db: impl PgExecutor<'_>, id: Uuid, error: &str, retry_in_secs: f64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refunds SET attempts = attempts + 1, last_error = $2,
                next_attempt_at = now() + make_interval(secs => $3)
          WHERE id = $1 AND status = 'pending'",
        id,
        error,
        retry_in_secs,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Gives up on a refund and tells the organizer on its order, in one transaction.
pub async fn mark_failed(conn: &mut PgConnection, id: Uuid, error: &str, note: &str) -> Result<(), sqlx::Error> {
    let order_id = sqlx::query_scalar!(
        "UPDATE refunds SET status = 'failed', attempts = attempts + 1, last_error = $2, finished_at = now()
          WHERE id = $1 AND status = 'pending'
        RETURNING order_id",
        id,
        error,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(order_id) = order_id {
        sqlx::query!("UPDATE orders SET attention = $2 WHERE id = $1", order_id, note).execute(conn).await?;
    }
    Ok(())
}

/// A refund as the order page shows it.
#[derive(Debug, Clone)]
pub struct RefundRow {
    pub amount_cents: i64,
    pub origin: String,
    pub status: String,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn refunds_of(db: impl PgExecutor<'_>, order_id: Uuid) -> Result<Vec<RefundRow>, sqlx::Error> {
    sqlx::query_as!(
        RefundRow,
        "SELECT amount_cents, origin, status, last_error, created_at FROM refunds
          WHERE order_id = $1 ORDER BY created_at, id",
        order_id,
    )
    .fetch_all(db)
    .await
}
