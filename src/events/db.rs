//! SQL for venues, events, settings and tiers. Organizer queries always filter by the
//! organization id from the caller's `OrganizationScope`.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor, Row};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct VenueRow {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: Option<String>,
    pub country: String,
    pub capacity: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub amenities: sqlx::types::Json<serde_json::Map<String, serde_json::Value>>,
}

/// A venue's columns as written by create and update.
pub struct VenueFields<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub province: &'a str,
    pub postal_code: Option<&'a str>,
    pub country: &'a str,
    pub capacity: Option<i32>,
    pub contact_name: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub amenities: serde_json::Value,
}

/// A query being built, to which field sets append their values in column order.
type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

impl VenueFields<'_> {
    /// Binds name through amenities, after whatever the query bound first.
    fn bind_to<'q>(&'q self, query: PgQuery<'q>) -> PgQuery<'q> {
        query
            .bind(self.name)
            .bind(self.address)
            .bind(self.city)
            .bind(self.province)
            .bind(self.postal_code)
            .bind(self.country)
            .bind(self.capacity)
            .bind(self.contact_name)
            .bind(self.contact_email)
            .bind(self.contact_phone)
            .bind(&self.amenities)
    }
}

const VENUE_COLUMNS: &str = "id, name, address, city, province, postal_code, country, capacity, \
                             contact_name, contact_email, contact_phone, amenities";

pub async fn insert_venue(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    v: &VenueFields<'_>,
) -> Result<Uuid, sqlx::Error> {
    let query = sqlx::query(
        "INSERT INTO venues (organization_id, name, address, city, province, postal_code, country, capacity,
                             contact_name, contact_email, contact_phone, amenities)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(organization_id);
    v.bind_to(query).fetch_one(db).await?.try_get("id")
}

pub async fn update_venue(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
    v: &VenueFields<'_>,
) -> Result<bool, sqlx::Error> {
    let query = sqlx::query(
        "UPDATE venues SET name = $3, address = $4, city = $5, province = $6, postal_code = $7, country = $8,
                capacity = $9, contact_name = $10, contact_email = $11, contact_phone = $12, amenities = $13
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(id);
    let result = v.bind_to(query).execute(db).await?;
    Ok(result.rows_affected() == 1)
}

/// The organization's venues with at least `min_capacity` seats and every amenity in `amenities`.
pub async fn venues(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    min_capacity: Option<i32>,
    amenities: &serde_json::Value,
) -> Result<Vec<VenueRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {VENUE_COLUMNS} FROM venues
          WHERE organization_id = $1
            AND ($2::int IS NULL OR capacity >= $2)
            AND amenities @> $3
          ORDER BY name, id"
    ))
    .bind(organization_id)
    .bind(min_capacity)
    .bind(amenities)
    .fetch_all(db)
    .await
}

pub async fn venue(db: impl PgExecutor<'_>, organization_id: Uuid, id: Uuid) -> Result<Option<VenueRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {VENUE_COLUMNS} FROM venues WHERE organization_id = $1 AND id = $2"))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A venue by id, whoever owns it (for public event pages).
pub async fn venue_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<VenueRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {VENUE_COLUMNS} FROM venues WHERE id = $1")).bind(id).fetch_optional(db).await
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organizer_id: Uuid,
    pub venue_id: Option<Uuid>,
    pub name: String,
    pub slug: String,
    pub event_type: String,
    pub description: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub capacity: i32,
    pub status: String,
    pub visibility: String,
    pub cover_image_path: Option<String>,
    pub currency: String,
    pub timezone: String,
    pub allow_registrations: bool,
    pub theme: serde_json::Value,
    pub organization_name: String,
    pub sold: i64,
    pub available: i64,
}

const EVENT_SELECT: &str = "SELECT e.id, e.organization_id, e.organizer_id, e.venue_id, e.name, e.slug, e.event_type,
        e.description, e.start_at, e.end_at, e.capacity, e.status, e.visibility, e.cover_image_path,
        s.currency, s.timezone, s.allow_registrations, s.theme, o.name AS organization_name,
        st.sold, st.available
   FROM events e
   JOIN event_settings s ON s.event_id = e.id
   JOIN organizations o ON o.id = e.organization_id
   JOIN event_stats st ON st.event_id = e.id";

/// An event's columns as written by create and update.
pub struct EventFields<'a> {
    pub venue_id: Option<Uuid>,
    pub name: &'a str,
    pub event_type: &'a str,
    pub description: &'a str,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub capacity: i32,
    pub visibility: &'a str,
    pub currency: &'a str,
    pub timezone: &'a str,
    pub allow_registrations: bool,
}

impl EventFields<'_> {
    /// Binds venue through visibility (the `events` columns), after whatever the query bound first.
    fn bind_to<'q>(&'q self, query: PgQuery<'q>) -> PgQuery<'q> {
        query
            .bind(self.venue_id)
            .bind(self.name)
            .bind(self.event_type)
            .bind(self.description)
            .bind(self.start_at)
            .bind(self.end_at)
            .bind(self.capacity)
            .bind(self.visibility)
    }
}

pub async fn insert_event(
    conn: &mut PgConnection,
    id: Uuid,
    organization_id: Uuid,
    organizer_id: Uuid,
    slug: &str,
    f: &EventFields<'_>,
) -> Result<(), sqlx::Error> {
    let query = sqlx::query(
        "INSERT INTO events (id, organization_id, organizer_id, slug, venue_id, name, event_type, description,
                             start_at, end_at, capacity, visibility)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(organizer_id)
    .bind(slug);
    f.bind_to(query).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO event_settings (event_id, currency, timezone, allow_registrations) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(f.currency)
    .bind(f.timezone)
    .bind(f.allow_registrations)
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
    let query = sqlx::query(
        "UPDATE events SET venue_id = $3, name = $4, event_type = $5, description = $6, start_at = $7, end_at = $8,
                capacity = $9, visibility = $10
          WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id)
    .bind(id);
    let updated = f.bind_to(query).execute(&mut *conn).await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE event_settings SET currency = $2, timezone = $3, allow_registrations = $4 WHERE event_id = $1")
        .bind(id)
        .bind(f.currency)
        .bind(f.timezone)
        .bind(f.allow_registrations)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

pub async fn event(db: impl PgExecutor<'_>, organization_id: Uuid, id: Uuid) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!("{EVENT_SELECT} WHERE e.organization_id = $1 AND e.id = $2"))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn event_by_slug(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!("{EVENT_SELECT} WHERE e.slug = $1")).bind(slug).fetch_optional(db).await
}

pub async fn organization_events(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(&format!("{EVENT_SELECT} WHERE e.organization_id = $1 ORDER BY e.start_at DESC, e.id"))
        .bind(organization_id)
        .fetch_all(db)
        .await
}

/// Locks an event row for a status change and returns its status.
pub async fn lock_event_status(
    conn: &mut PgConnection,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT status FROM events WHERE organization_id = $1 AND id = $2 FOR UPDATE")
        .bind(organization_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn set_status(conn: &mut PgConnection, id: Uuid, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE events SET status = $2,
                published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, now()) ELSE published_at END
          WHERE id = $1",
    )
    .bind(id)
    .bind(status)
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
    let result = sqlx::query("UPDATE events SET cover_image_path = $3 WHERE organization_id = $1 AND id = $2")
        .bind(organization_id)
        .bind(id)
        .bind(path)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Sold tickets and active tiers of an event, read inside the status-change transaction.
pub async fn sold_and_active_tiers(conn: &mut PgConnection, event_id: Uuid) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT sold FROM event_stats WHERE event_id = $1),
                (SELECT count(*) FROM ticket_tiers WHERE event_id = $1 AND is_active)",
    )
    .bind(event_id)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
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

const TIER_SELECT: &str = "SELECT t.id, t.event_id, t.name, t.description, t.price_cents, t.capacity, t.sales_start_at,
        t.sales_end_at, t.min_per_order, t.max_per_order, t.is_active, t.sort_order, s.sold, s.available
   FROM ticket_tiers t JOIN tier_stats s ON s.tier_id = t.id";

pub async fn tiers(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<TierRow>, sqlx::Error> {
    sqlx::query_as(&format!("{TIER_SELECT} WHERE t.event_id = $1 ORDER BY t.sort_order, t.created_at, t.id"))
        .bind(event_id)
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

impl TierFields<'_> {
    /// Binds name through max per order, after whatever the query bound first.
    fn bind_to<'q>(&'q self, query: PgQuery<'q>) -> PgQuery<'q> {
        query
            .bind(self.name)
            .bind(self.description)
            .bind(self.price_cents)
            .bind(self.capacity)
            .bind(self.sales_start_at)
            .bind(self.sales_end_at)
            .bind(self.min_per_order)
            .bind(self.max_per_order)
    }
}

pub async fn insert_tier(
    conn: &mut PgConnection,
    event_id: Uuid,
    f: &TierFields<'_>,
    is_active: bool,
) -> Result<Uuid, sqlx::Error> {
    let query = sqlx::query(
        "INSERT INTO ticket_tiers (event_id, name, description, price_cents, capacity, sales_start_at, sales_end_at,
                                   min_per_order, max_per_order, is_active, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 (SELECT coalesce(max(sort_order) + 1, 0) FROM ticket_tiers WHERE event_id = $1))
         RETURNING id",
    )
    .bind(event_id);
    f.bind_to(query).bind(is_active).fetch_one(conn).await?.try_get("id")
}

/// Locks a tier of an event of the organization and returns how many of its tickets are
/// sold or held (its capacity counter, exact under the lock).
pub async fn lock_tier(
    conn: &mut PgConnection,
    organization_id: Uuid,
    tier_id: Uuid,
) -> Result<Option<(Uuid, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.event_id, t.taken::bigint
           FROM ticket_tiers t JOIN events e ON e.id = t.event_id
          WHERE e.organization_id = $1 AND t.id = $2
            FOR UPDATE OF t",
    )
    .bind(organization_id)
    .bind(tier_id)
    .fetch_optional(conn)
    .await
}

pub async fn update_tier(conn: &mut PgConnection, tier_id: Uuid, f: &TierFields<'_>) -> Result<(), sqlx::Error> {
    let query = sqlx::query(
        "UPDATE ticket_tiers SET name = $2, description = $3, price_cents = $4, capacity = $5, sales_start_at = $6,
                sales_end_at = $7, min_per_order = $8, max_per_order = $9
          WHERE id = $1",
    )
    .bind(tier_id);
    f.bind_to(query).execute(conn).await?;
    Ok(())
}

pub async fn set_tier_active(conn: &mut PgConnection, tier_id: Uuid, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ticket_tiers SET is_active = $2 WHERE id = $1")
        .bind(tier_id)
        .bind(active)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_tier(conn: &mut PgConnection, tier_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ticket_tiers WHERE id = $1").bind(tier_id).execute(conn).await?;
    Ok(())
}

/// Rewrites the order of an event's tiers to follow `ordered` (ids of that event only).
pub async fn reorder_tiers(conn: &mut PgConnection, event_id: Uuid, ordered: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ticket_tiers t SET sort_order = o.position
           FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, position)
          WHERE t.id = o.id AND t.event_id = $1",
    )
    .bind(event_id)
    .bind(ordered)
    .execute(conn)
    .await?;
    Ok(())
}

/// Copies an event's settings and tiers onto a new draft.
pub async fn copy_settings_and_tiers(conn: &mut PgConnection, from: Uuid, to: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO event_settings (event_id, currency, timezone, allow_registrations, theme)
         SELECT $2, currency, timezone, allow_registrations, theme FROM event_settings WHERE event_id = $1",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_tiers (event_id, name, description, price_cents, capacity, sales_start_at, sales_end_at,
                                   min_per_order, max_per_order, is_active, sort_order)
         SELECT $2, name, description, price_cents, capacity, sales_start_at, sales_end_at,
                min_per_order, max_per_order, is_active, sort_order
           FROM ticket_tiers WHERE event_id = $1",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct ListingRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub event_type: String,
    pub status: String,
    pub visibility: String,
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
    pub event_type: Option<&'a str>,
    pub city: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// Upcoming public events (published or live, not yet ended), soonest first, with the total count.
pub async fn public_listing(db: impl PgExecutor<'_>, q: &ListingQuery<'_>) -> Result<Vec<ListingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.slug, e.name, e.event_type, e.status, e.visibility, e.start_at, e.end_at, s.timezone, s.currency,
                v.name AS venue_name, v.city, e.capacity, st.sold, e.cover_image_path,
                (SELECT min(price_cents) FROM ticket_tiers t WHERE t.event_id = e.id AND t.is_active) AS min_price_cents,
                count(*) OVER () AS total
           FROM events e
           JOIN event_settings s ON s.event_id = e.id
           JOIN event_stats st ON st.event_id = e.id
           LEFT JOIN venues v ON v.id = e.venue_id
          WHERE e.visibility = 'public' AND e.status IN ('published', 'live')
            AND e.end_at > now()
            AND ($1::text IS NULL OR e.search @@ websearch_to_tsquery('english', $1) OR e.name ILIKE '%' || $1 || '%')
            AND ($2::text IS NULL OR e.event_type = $2)
            AND ($3::text IS NULL OR lower(v.city) = lower($3))
            AND ($4::timestamptz IS NULL OR e.end_at >= $4)
            AND ($5::timestamptz IS NULL OR e.start_at < $5)
          ORDER BY e.start_at, e.id
          LIMIT $6 OFFSET $7",
    )
    .bind(q.text)
    .bind(q.event_type)
    .bind(q.city)
    .bind(q.from)
    .bind(q.to)
    .bind(q.limit)
    .bind(q.offset)
    .fetch_all(db)
    .await
}

/// Cities with upcoming public events, for the listing's city filter.
pub async fn public_cities(db: impl PgExecutor<'_>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT v.city FROM events e JOIN venues v ON v.id = e.venue_id
          WHERE e.visibility = 'public' AND e.status IN ('published', 'live') AND e.end_at > now()
          ORDER BY v.city",
    )
    .fetch_all(db)
    .await
}
