//! SQL for events, their settings and ticket tiers. Organizer queries always filter by the
//! organization id from the caller's `OrganizationScope`.

use crate::events::{EventStatus, EventType, Visibility};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

mod tiers;

pub use tiers::*;

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organizer_id: Uuid,
    pub venue_id: Option<Uuid>,
    pub name: String,
    pub slug: String,
    pub event_type: EventType,
    pub description: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub capacity: i32,
    pub status: EventStatus,
    pub visibility: Visibility,
    pub cover_image_path: Option<String>,
    pub currency: String,
    pub timezone: String,
    pub allow_registrations: bool,
    pub offline_payments: bool,
    pub offline_payment_days: i32,
    pub theme: serde_json::Value,
    pub organization_name: String,
    /// Tickets sold or held: the capacity counter checkout keeps, so reading it costs the
    /// same however many tickets exist.
    pub sold: i64,
    pub available: i64,
}

/// A query for events with their settings, organization and sales: one column list, the
/// condition after it.
macro_rules! select_events {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            EventRow,
            r#"SELECT e.id, e.organization_id, e.organizer_id, e.venue_id, e.name, e.slug,
                      e.event_type AS "event_type: EventType", e.description, e.start_at, e.end_at, e.capacity,
                      e.status AS "status: EventStatus", e.visibility AS "visibility: Visibility",
                      e.cover_image_path, s.currency, s.timezone, s.allow_registrations, s.offline_payments,
                      s.offline_payment_days, s.theme,
                      o.name AS organization_name, i.taken::bigint AS "sold!",
                      least(greatest(i.capacity - i.taken, 0),
                            (SELECT coalesce(sum(greatest(t.capacity - t.taken, 0)), 0) FROM ticket_tiers t
                              WHERE t.event_id = e.id AND t.is_active))::bigint AS "available!"
                 FROM events e
                 JOIN event_settings s ON s.event_id = e.id
                 JOIN organizations o ON o.id = e.organization_id
                 JOIN event_inventory i ON i.event_id = e.id "# + $condition,
            $($arg),*
        )
    };
}

/// An event's columns as written by create and update.
pub struct EventFields<'a> {
    pub venue_id: Option<Uuid>,
    pub name: &'a str,
    pub event_type: EventType,
    pub description: &'a str,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub capacity: i32,
    pub visibility: Visibility,
    pub currency: &'a str,
    pub timezone: &'a str,
    pub allow_registrations: bool,
    pub offline_payments: bool,
    pub offline_payment_days: i32,
}

pub async fn insert_event(
    conn: &mut PgConnection,
    id: Uuid,
    organization_id: Uuid,
    organizer_id: Uuid,
    slug: &str,
    f: &EventFields<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (id, organization_id, organizer_id, slug, venue_id, name, event_type, description,
                             start_at, end_at, capacity, visibility)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        id,
        organization_id,
        organizer_id,
        slug,
        f.venue_id,
        f.name,
        f.event_type.as_str(),
        f.description,
        f.start_at,
        f.end_at,
        f.capacity,
        f.visibility.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO event_settings (event_id, currency, timezone, allow_registrations, offline_payments,
                                     offline_payment_days)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        f.currency,
        f.timezone,
        f.allow_registrations,
        f.offline_payments,
        f.offline_payment_days,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn update_event(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
    f: &EventFields<'_>,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE events SET venue_id = $3, name = $4, event_type = $5, description = $6, start_at = $7, end_at = $8,
                capacity = $9, visibility = $10
          WHERE organization_id = $1 AND id = $2",
        organization_id,
        id,
        f.venue_id,
        f.name,
        f.event_type.as_str(),
        f.description,
        f.start_at,
        f.end_at,
        f.capacity,
        f.visibility.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE event_settings SET currency = $2, timezone = $3, allow_registrations = $4, offline_payments = $5,
                offline_payment_days = $6
          WHERE event_id = $1",
        id,
        f.currency,
        f.timezone,
        f.allow_registrations,
        f.offline_payments,
        f.offline_payment_days,
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

pub async fn event(db: impl PgExecutor<'_>, organization_id: Uuid, id: Uuid) -> Result<Option<EventRow>, sqlx::Error> {
    select_events!("WHERE e.organization_id = $1 AND e.id = $2", organization_id, id).fetch_optional(db).await
}

pub async fn event_by_slug(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<EventRow>, sqlx::Error> {
    select_events!("WHERE e.slug = $1", slug).fetch_optional(db).await
}

pub async fn organization_events(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    select_events!("WHERE e.organization_id = $1 ORDER BY e.start_at DESC, e.id", organization_id).fetch_all(db).await
}

/// The time zone and currency of an event of the organization, as its tiers need them.
pub struct EventPricing {
    pub timezone: String,
    pub currency: String,
}

/// Reads an event's time zone and currency and share-locks its settings, so the currency
/// cannot change before the caller's transaction has written prices in it.
pub async fn lock_event_pricing(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<EventPricing>, sqlx::Error> {
    sqlx::query_as!(
        EventPricing,
        "SELECT s.timezone, s.currency FROM events e JOIN event_settings s ON s.event_id = e.id
          WHERE e.organization_id = $1 AND e.id = $2
            FOR SHARE OF s",
        organization_id,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// An event's time zone and currency, read without a lock (see `lock_tier`).
pub async fn event_pricing(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<EventPricing>, sqlx::Error> {
    sqlx::query_as!(EventPricing, "SELECT timezone, currency FROM event_settings WHERE event_id = $1", id)
        .fetch_optional(db)
        .await
}

/// Locks an event's settings for a change of currency and returns the currency now stored.
pub async fn lock_event_currency(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT currency FROM event_settings WHERE event_id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await
}

/// Whether an event has sold or holds tickets, or has any order at all, after locking its
/// tiers (by id, the lock order of ARCHITECTURE.md): a sale whose counters are already
/// taken is then committed and seen.
pub async fn lock_tiers_and_has_sales(conn: &mut PgConnection, event_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM ticket_tiers WHERE event_id = $1 ORDER BY id FOR NO KEY UPDATE", event_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query_scalar!(
        r#"SELECT coalesce((SELECT taken FROM event_inventory WHERE event_id = $1), 0) > 0
                  OR EXISTS (SELECT 1 FROM orders WHERE event_id = $1) AS "sold!""#,
        event_id,
    )
    .fetch_one(conn)
    .await
}

/// Locks an event row for a status change and returns its status.
pub async fn lock_event_status(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<EventStatus>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT status AS "status: EventStatus" FROM events WHERE organization_id = $1 AND id = $2 FOR NO KEY UPDATE"#,
        organization_id,
        id,
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_status(conn: &mut PgConnection, id: Uuid, status: EventStatus) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE events SET status = $2,
                published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, now()) ELSE published_at END
          WHERE id = $1",
        id,
        status.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_cover(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
    path: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE events SET cover_image_path = $3 WHERE organization_id = $1 AND id = $2",
        organization_id,
        id,
        path,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Copies an event's own row onto a new draft with a new name and slug.
pub async fn copy_event(
    conn: &mut PgConnection,
    from: Uuid,
    to: Uuid,
    organizer_id: Uuid,
    name: &str,
    slug: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (id, organization_id, organizer_id, venue_id, name, slug, event_type, description,
                             start_at, end_at, capacity, visibility, cover_image_path)
         SELECT $2, organization_id, $3, venue_id, $4, $5, event_type, description, start_at, end_at, capacity,
                visibility, cover_image_path
           FROM events WHERE id = $1",
        from,
        to,
        organizer_id,
        name,
        slug,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an uploaded cover image of an event.
pub async fn insert_cover_media(
    conn: &mut PgConnection,
    event_id: Uuid,
    path: &str,
    content_type: &str,
    byte_size: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO event_media (event_id, kind, storage_path, content_type, byte_size, caption, display_order)
         VALUES ($1, 'image', $2, $3, $4, 'Cover image', 0)",
        event_id,
        path,
        content_type,
        byte_size,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Tickets sold or held (the event's capacity counter) and active tiers of an event, read
/// inside the status-change transaction.
pub async fn taken_and_active_tiers(conn: &mut PgConnection, event_id: Uuid) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT coalesce((SELECT taken FROM event_inventory WHERE event_id = $1), 0)::bigint AS "taken!",
                  (SELECT count(*) FROM ticket_tiers WHERE event_id = $1 AND is_active) AS "active_tiers!""#,
        event_id,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.taken, row.active_tiers))
}

/// Copies an event's settings and tiers onto a new draft.
pub async fn copy_settings_and_tiers(conn: &mut PgConnection, from: Uuid, to: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO event_settings (event_id, currency, timezone, allow_registrations, offline_payments,
                                     offline_payment_days, theme)
         SELECT $2, currency, timezone, allow_registrations, offline_payments, offline_payment_days, theme
           FROM event_settings WHERE event_id = $1",
        from,
        to,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO ticket_tiers (event_id, name, description, price_cents, capacity, sales_start_at, sales_end_at,
                                   min_per_order, max_per_order, is_active, sort_order)
         SELECT $2, name, description, price_cents, capacity, sales_start_at, sales_end_at,
                min_per_order, max_per_order, is_active, sort_order
           FROM ticket_tiers WHERE event_id = $1",
        from,
        to,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct ListingRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub event_type: EventType,
    pub status: EventStatus,
    pub visibility: Visibility,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub timezone: String,
    pub currency: String,
    pub venue_name: Option<String>,
    pub city: Option<String>,
    pub capacity: i32,
    pub sold: i64,
    pub cover_image_path: Option<String>,
    pub min_price_cents: Option<i64>,
    pub total: i64,
}

/// Filters of the public listing, already validated.
pub struct ListingQuery<'a> {
    pub text: Option<&'a str>,
    pub event_type: Option<EventType>,
    pub city: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// Upcoming public events (published or live, not yet ended), soonest first, with the total count.
pub async fn public_listing(db: impl PgExecutor<'_>, q: &ListingQuery<'_>) -> Result<Vec<ListingRow>, sqlx::Error> {
    sqlx::query_as!(
        ListingRow,
        r#"SELECT e.id, e.slug, e.name, e.event_type AS "event_type: EventType", e.status AS "status: EventStatus",
                  e.visibility AS "visibility: Visibility", e.start_at, e.end_at, s.timezone, s.currency,
                  v.name AS "venue_name?", v.city AS "city?", e.capacity, i.taken::bigint AS "sold!", e.cover_image_path,
                  (SELECT min(price_cents) FROM ticket_tiers t WHERE t.event_id = e.id AND t.is_active)
                      AS min_price_cents,
                  count(*) OVER () AS "total!"
             FROM events e
             JOIN event_settings s ON s.event_id = e.id
             JOIN event_inventory i ON i.event_id = e.id
             LEFT JOIN venues v ON v.id = e.venue_id
            WHERE e.visibility = 'public' AND e.status IN ('published', 'live')
              AND e.end_at > now()
              AND ($1::text IS NULL OR e.search @@ websearch_to_tsquery('english', $1) OR e.name ILIKE '%' || $1 || '%')
              AND ($2::text IS NULL OR e.event_type = $2)
              AND ($3::text IS NULL OR lower(v.city) = lower($3))
              AND ($4::timestamptz IS NULL OR e.end_at >= $4)
              AND ($5::timestamptz IS NULL OR e.start_at < $5)
            ORDER BY e.start_at, e.id
            LIMIT $6 OFFSET $7"#,
        q.text,
        q.event_type.map(EventType::as_str),
        q.city,
        q.from,
        q.to,
        q.limit,
        q.offset,
    )
    .fetch_all(db)
    .await
}

/// Cities with upcoming public events, for the listing's city filter.
pub async fn public_cities(db: impl PgExecutor<'_>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT DISTINCT v.city FROM events e JOIN venues v ON v.id = e.venue_id
          WHERE e.visibility = 'public' AND e.status IN ('published', 'live') AND e.end_at > now()
          ORDER BY v.city",
    )
    .fetch_all(db)
    .await
}

/// Puts the event's paid orders on the local days of `timezone`, the event's new one.
/// Triggers carry the new day to their tickets and move their sales between the daily
/// rollups, in this transaction. Returns how many orders moved.
pub async fn redate_sales(conn: &mut PgConnection, id: Uuid, timezone: &str) -> Result<u64, sqlx::Error> {
    let moved = sqlx::query!(
        "UPDATE orders SET sale_day = (paid_at AT TIME ZONE $2)::date
          WHERE event_id = $1 AND paid_at IS NOT NULL
            AND sale_day IS DISTINCT FROM (paid_at AT TIME ZONE $2)::date",
        id,
        timezone,
    )
    .execute(conn)
    .await?;
    Ok(moved.rows_affected())
}
