//! SQL of event cancellations: what cancelling would do, the record of it, the orders still
//! to close, and how far it has come.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// What cancelling an event would do now.
#[derive(Debug, Clone)]
pub struct ImpactRow {
    pub orders: i64,
    pub refund_cents: i64,
    pub emails: i64,
}

/// Open orders, the money paid on them that is not yet refunded, and the messages owed:
/// each order's buyer and every attendee of a valid ticket with another address.
pub async fn impact(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<ImpactRow, sqlx::Error> {
    sqlx::query_as!(
        ImpactRow,
        r#"WITH open AS (
               SELECT id, status, total_cents - refunded_cents AS owed, lower(buyer_email) AS buyer
                 FROM orders WHERE event_id = $1 AND status IN ('pending', 'paid')),
           recipients AS (
               SELECT id AS order_id, buyer AS email FROM open
               UNION
               SELECT o.id, lower(a.email)
                 FROM open o
                 JOIN tickets t ON t.order_id = o.id AND t.status IN ('reserved', 'active', 'used')
                 JOIN attendees a ON a.id = t.attendee_id)
           SELECT (SELECT count(*) FROM open) AS "orders!",
                  (SELECT coalesce(sum(owed), 0) FROM open WHERE status = 'paid')::bigint AS "refund_cents!",
                  (SELECT count(*) FROM recipients) AS "emails!""#,
        event_id,
    )
    .fetch_one(db)
    .await
}

/// Ends sales on the event's counter row, which every checkout updates: it waits for those
/// in flight to commit, and every later one finds the event closed.
pub async fn stop_sales(conn: &mut PgConnection, event_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE event_inventory SET on_sale = false WHERE event_id = $1", event_id).execute(conn).await?;
    Ok(())
}

pub async fn insert(
    conn: &mut PgConnection,
    event_id: Uuid,
    requested_by: Uuid,
    impact: &ImpactRow,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO event_cancellations (event_id, requested_by, orders_total, refund_total_cents)
         VALUES ($1, $2, $3, $4)",
        event_id,
        requested_by,
        impact.orders as i32,
        impact.refund_cents,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Events whose cancellation is still closing orders.
pub async fn running(db: impl PgExecutor<'_>) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT event_id FROM event_cancellations WHERE finished_at IS NULL ORDER BY started_at")
        .fetch_all(db)
        .await
}

/// An open order of a cancelled event, and where the runner's page of them continues.
#[derive(Debug, Clone)]
pub struct OpenOrder {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// The open orders of a cancelled event after `after` (oldest first), so orders that must
/// wait never hide the ones behind them.
pub async fn open_orders(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<OpenOrder>, sqlx::Error> {
    let (after_at, after_id) = after.unzip();
    sqlx::query_as!(
        OpenOrder,
        "SELECT id, organization_id, created_at FROM orders
          WHERE event_id = $1 AND status IN ('pending', 'paid')
            AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3))
          ORDER BY created_at, id LIMIT $4",
        event_id,
        after_at,
        after_id,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Marks a cancellation done once no order of its event is open.
pub async fn finish_if_done(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE event_cancellations SET finished_at = now()
          WHERE event_id = $1 AND finished_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM orders WHERE event_id = $1 AND status IN ('pending', 'paid'))",
        event_id,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How far a cancellation has come.
#[derive(Debug, Clone)]
pub struct ProgressRow {
    pub orders_total: i32,
    pub orders_open: i64,
    pub refund_total_cents: i64,
    pub refunds_pending: i64,
    pub refunds_failed: i64,
    pub refunded_cents: i64,
    pub finished: bool,
    pub currency: String,
}

pub async fn progress(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Option<ProgressRow>, sqlx::Error> {
    sqlx::query_as!(
        ProgressRow,
        r#"SELECT c.orders_total, c.refund_total_cents, c.finished_at IS NOT NULL AS "finished!", s.currency,
                  (SELECT count(*) FROM orders o WHERE o.event_id = c.event_id
                      AND o.status IN ('pending', 'paid')) AS "orders_open!",
                  (SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id
                    WHERE o.event_id = c.event_id AND r.status = 'pending') AS "refunds_pending!",
                  (SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id
                    WHERE o.event_id = c.event_id AND r.status = 'failed') AS "refunds_failed!",
                  (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                    WHERE o.event_id = c.event_id AND r.status = 'succeeded'
                      AND r.origin = 'event_cancelled')::bigint AS "refunded_cents!"
             FROM event_cancellations c
             JOIN event_settings s ON s.event_id = c.event_id
            WHERE c.event_id = $1"#,
        event_id,
    )
    .fetch_optional(db)
    .await
}
