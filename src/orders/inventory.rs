//! The capacity counters: the one place tickets are taken from and given back to a tier and
//! its event.
//!
//! Every transaction that locks more than one of these rows does so in one global order, so
//! two of them can never wait on each other: order rows, then tier rows sorted by id, then the
//! event's inventory row, then the promo code row.
//!
//! Taking is a single conditional `UPDATE … WHERE taken + n <= capacity`. It locks the row
//! only when it succeeds, so a sold-out tier answers at once instead of queueing behind the
//! commits of the last buyers; the `CHECK (taken <= capacity)` on both tables backs it up.

use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::orders::{PaymentMethod, TicketStatus};
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How long a buyer waits for a hot row before being asked to try again.
pub const LOCK_TIMEOUT: &str = "3s";

/// Bounds how long this transaction waits for any lock.
pub async fn bound_lock_waits(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT set_config('lock_timeout', $1, true)", LOCK_TIMEOUT).fetch_one(conn).await?;
    Ok(())
}

/// Takes `quantity` tickets from a tier if they fit; `false` when they do not.
pub async fn take_from_tier(conn: &mut PgConnection, tier_id: Uuid, quantity: i32) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query_scalar!(
        "UPDATE ticket_tiers SET taken = taken + $2 WHERE id = $1 AND taken + $2 <= capacity RETURNING taken",
        tier_id,
        quantity,
    )
    .fetch_optional(conn)
    .await?;
    Ok(taken.is_some())
}

/// Takes `quantity` tickets from the event-wide capacity if they fit and the event is still
/// on sale (a cancelled event is not).
pub async fn take_from_event(conn: &mut PgConnection, event_id: Uuid, quantity: i32) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query_scalar!(
        "UPDATE event_inventory SET taken = taken + $2
          WHERE event_id = $1 AND on_sale AND taken + $2 <= capacity
      RETURNING taken",
        event_id,
        quantity,
    )
    .fetch_optional(conn)
    .await?;
    Ok(taken.is_some())
}

/// Gives tickets back to their tiers (in id order) and to the event.
pub async fn give_back(
    conn: &mut PgConnection,
    event_id: Uuid,
    per_tier: &BTreeMap<Uuid, i32>,
) -> Result<(), sqlx::Error> {
    let mut total = 0;
    for (tier_id, quantity) in per_tier {
        sqlx::query!("UPDATE ticket_tiers SET taken = taken - $2 WHERE id = $1", tier_id, quantity)
            .execute(&mut *conn)
            .await?;
        total += quantity;
    }
    if total > 0 {
        sqlx::query!("UPDATE event_inventory SET taken = taken - $2 WHERE event_id = $1", event_id, total)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What a tier's counter says is left, read without locking.
pub async fn tier_left(db: &PgPool, tier_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT (capacity - taken)::bigint AS "left!" FROM ticket_tiers WHERE id = $1"#, tier_id)
        .fetch_one(db)
        .await
}

/// What the event's counter says is left, read without locking.
pub async fn event_left(db: &PgPool, event_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT (capacity - taken)::bigint AS "left!" FROM event_inventory WHERE event_id = $1"#,
        event_id
    )
    .fetch_one(db)
    .await
}

/// Ends the holds of an event's pending orders whose time ran out and gives their tickets
/// back: unpaid card orders whose hold ended, and unpaid reservations (pay at the door or
/// by invoice) past their payment deadline, whose buyers are e-mailed. Runs in its own
/// transaction; orders another transaction is working on are skipped. Correctness never
/// waits for this: a buyer who finds a tier full calls it and tries again.
pub async fn release_expired_holds(pool: &PgPool, event_id: Uuid) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let expired = sqlx::query!(
        r#"WITH due AS (
             SELECT id FROM orders
              WHERE event_id = $1 AND status = 'pending' AND expires_at <= now()
              ORDER BY id
                FOR UPDATE SKIP LOCKED)
         UPDATE orders o SET status = 'expired', cancelled_at = now()
           FROM due WHERE o.id = due.id
         RETURNING o.id, o.promo_code_id, o.organization_id, o.buyer_email,
                   o.payment_provider AS "payment_provider: PaymentMethod""#,
        event_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = expired.iter().map(|order| order.id).collect();
    let per_tier =
        cancel_tickets_of(&mut tx, &ids, &[TicketStatus::Reserved, TicketStatus::Active], TicketStatus::Cancelled)
            .await?;
    give_back(&mut tx, event_id, &per_tier).await?;
    for order in expired.iter().filter(|order| order.payment_provider == PaymentMethod::Offline) {
        let payload = serde_json::json!({ "order_id": order.id });
        mail_db::enqueue(&mut tx, Some(order.organization_id), MailKind::OrderExpired, &order.buyer_email, payload)
            .await?;
    }
    for promo in expired.iter().filter_map(|order| order.promo_code_id) {
        release_promo_use(&mut tx, promo).await?;
    }
    tx.commit().await?;
    tracing::info!(%event_id, orders = ids.len(), "released expired holds");
    Ok(ids.len() as u64)
}

/// Releases the expired holds of every event; the background sweeper keeps the numbers
/// people see fresh with it.
pub async fn release_all_expired_holds(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let events = sqlx::query_scalar!(
        "SELECT DISTINCT event_id FROM orders WHERE status = 'pending' AND expires_at <= now() LIMIT 500",
    )
    .fetch_all(pool)
    .await?;
    let mut released = 0;
    for event_id in events {
        released += release_expired_holds(pool, event_id).await?;
    }
    Ok(released)
}

/// Moves the given orders' tickets that are in one of `from` to `to`; returns how many per tier.
pub async fn cancel_tickets_of(
    conn: &mut PgConnection,
    order_ids: &[Uuid],
    from: &[TicketStatus],
    to: TicketStatus,
) -> Result<BTreeMap<Uuid, i32>, sqlx::Error> {
    let from: Vec<String> = from.iter().map(|s| s.as_str().to_owned()).collect();
    let tiers = sqlx::query_scalar!(
        "UPDATE tickets SET status = $3 WHERE order_id = ANY($1) AND status = ANY($2) RETURNING tier_id",
        order_ids,
        &from,
        to.as_str(),
    )
    .fetch_all(conn)
    .await?;
    Ok(count_per_tier(tiers))
}

pub fn count_per_tier(tiers: impl IntoIterator<Item = Uuid>) -> BTreeMap<Uuid, i32> {
    let mut per_tier = BTreeMap::new();
    for tier in tiers {
        *per_tier.entry(tier).or_insert(0) += 1;
    }
    per_tier
}

/// Counts one use of a promo code if its limit allows; `false` when it is used up.
pub async fn use_promo(conn: &mut PgConnection, promo_id: Uuid) -> Result<bool, sqlx::Error> {
    let used = sqlx::query_scalar!(
        "UPDATE promo_codes SET used = used + 1
          WHERE id = $1 AND (max_uses IS NULL OR used < max_uses) RETURNING used",
        promo_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(used.is_some())
}

pub async fn release_promo_use(conn: &mut PgConnection, promo_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE promo_codes SET used = used - 1 WHERE id = $1 AND used > 0", promo_id).execute(conn).await?;
    Ok(())
}
