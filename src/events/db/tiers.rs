//! SQL of ticket tiers.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct TierRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub capacity: i32,
    pub sales_start_at: Option<DateTime<Utc>>,
    pub sales_end_at: Option<DateTime<Utc>>,
    pub min_per_order: i32,
    pub max_per_order: i32,
    pub is_active: bool,
    pub sort_order: i32,
    pub sold: i64,
    pub available: i64,
}

pub async fn tiers(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<TierRow>, sqlx::Error> {
    sqlx::query_as!(
        TierRow,
        r#"SELECT t.id, t.event_id, t.name, t.description, t.price_cents, t.capacity, t.sales_start_at,
                  t.sales_end_at, t.min_per_order, t.max_per_order, t.is_active, t.sort_order,
                  t.taken::bigint AS "sold!", greatest(t.capacity - t.taken, 0)::bigint AS "available!"
             FROM ticket_tiers t
            WHERE t.event_id = $1
            ORDER BY t.sort_order, t.created_at, t.id"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

/// A tier's columns as written by create and update.
pub struct TierFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub price_cents: i64,
    pub capacity: i32,
    pub sales_start_at: Option<DateTime<Utc>>,
    pub sales_end_at: Option<DateTime<Utc>>,
    pub min_per_order: i32,
    pub max_per_order: i32,
}

pub async fn insert_tier(
    conn: &mut PgConnection,
    event_id: Uuid,
    f: &TierFields<'_>,
    is_active: bool,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO ticket_tiers (event_id, name, description, price_cents, capacity, sales_start_at, sales_end_at,
                                   min_per_order, max_per_order, is_active, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 (SELECT coalesce(max(sort_order) + 1, 0) FROM ticket_tiers WHERE event_id = $1))
         RETURNING id",
        event_id,
        f.name,
        f.description,
        f.price_cents,
        f.capacity,
        f.sales_start_at,
        f.sales_end_at,
        f.min_per_order,
        f.max_per_order,
        is_active,
    )
    .fetch_one(conn)
    .await
}

/// A tier locked for a change: its event, and how many of its tickets are sold or held
/// (its capacity counter, exact under the lock).
pub struct LockedTier {
    pub event_id: Uuid,
    pub taken: i64,
}

/// Locks a tier of an event of the organization. Read the event's settings after it
/// (`event_pricing`): a row joined here may be older than a currency change the lock
/// waited for.
pub async fn lock_tier(
    conn: &mut PgConnection,
    organization_id: Uuid,
    tier_id: Uuid,
) -> Result<Option<LockedTier>, sqlx::Error> {
    sqlx::query_as!(
        LockedTier,
        r#"SELECT t.event_id, t.taken::bigint AS "taken!"
             FROM ticket_tiers t
             JOIN events e ON e.id = t.event_id
            WHERE e.organization_id = $1 AND t.id = $2
              FOR NO KEY UPDATE OF t"#,
        organization_id,
        tier_id,
    )
    .fetch_optional(conn)
    .await
}

pub async fn update_tier(conn: &mut PgConnection, tier_id: Uuid, f: &TierFields<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ticket_tiers SET name = $2, description = $3, price_cents = $4, capacity = $5, sales_start_at = $6,
                sales_end_at = $7, min_per_order = $8, max_per_order = $9
          WHERE id = $1",
        tier_id,
        f.name,
        f.description,
        f.price_cents,
        f.capacity,
        f.sales_start_at,
        f.sales_end_at,
        f.min_per_order,
        f.max_per_order,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_tier_active(conn: &mut PgConnection, tier_id: Uuid, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE ticket_tiers SET is_active = $2 WHERE id = $1", tier_id, active).execute(conn).await?;
    Ok(())
}

pub async fn delete_tier(conn: &mut PgConnection, tier_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM ticket_tiers WHERE id = $1", tier_id).execute(conn).await?;
    Ok(())
}

/// The ids of an event's tiers in their display order.
pub async fn tier_ids_in_order(conn: &mut PgConnection, event_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM ticket_tiers WHERE event_id = $1 ORDER BY sort_order, created_at, id", event_id)
        .fetch_all(conn)
        .await
}

/// Rewrites the order of an event's tiers to follow `ordered` (ids of that event only).
pub async fn reorder_tiers(conn: &mut PgConnection, event_id: Uuid, ordered: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ticket_tiers t SET sort_order = o.position
           FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, position)
          WHERE t.id = o.id AND t.event_id = $1",
        event_id,
        ordered,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether any order has tickets of the tier.
pub async fn tier_has_orders(conn: &mut PgConnection, tier_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM order_items WHERE tier_id = $1) AS "exists!""#, tier_id)
        .fetch_one(conn)
        .await
}

/// The first tier (in display order) whose price, in minor units of a currency with
/// `from_scale` of them per unit, has no exact equivalent with `to_scale`: its name and price.
pub async fn tier_price_not_rescalable(
    conn: &mut PgConnection,
    event_id: Uuid,
    from_scale: i64,
    to_scale: i64,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT name, price_cents FROM ticket_tiers
          WHERE event_id = $1 AND price_cents * $2 % $3 <> 0
          ORDER BY sort_order, created_at, id
          LIMIT 1",
        event_id,
        to_scale,
        from_scale,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.name, r.price_cents)))
}

/// Rewrites an event's tier prices from minor units with `from_scale` per unit to `to_scale`
/// per unit (25.00 CAD, 2500 cents, becomes 25 JPY), keeping the amounts organizers typed.
pub async fn rescale_tier_prices(
    conn: &mut PgConnection,
    event_id: Uuid,
    from_scale: i64,
    to_scale: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ticket_tiers SET price_cents = price_cents * $2 / $3 WHERE event_id = $1",
        event_id,
        to_scale,
        from_scale,
    )
    .execute(conn)
    .await?;
    Ok(())
}
