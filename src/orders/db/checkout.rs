//! SQL of the checkout: the event and tiers as a sale reads them, and the rows an order writes.

use crate::events::{EventStatus, Visibility};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// An event as checkout needs it: no statistics, so the hot path reads one row.
#[derive(Debug, Clone)]
pub struct SaleEvent {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub venue_id: Option<Uuid>,
    pub name: String,
    pub slug: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub status: EventStatus,
    pub visibility: Visibility,
    pub currency: String,
    pub timezone: String,
    pub allow_registrations: bool,
    pub offline_payments: bool,
    pub offline_payment_days: i32,
}

pub async fn sale_event(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<SaleEvent>, sqlx::Error> {
    sqlx::query_as!(
        SaleEvent,
        r#"SELECT e.id, e.organization_id, e.venue_id, e.name, e.slug, e.start_at, e.end_at,
                  e.status AS "status: EventStatus", e.visibility AS "visibility: Visibility",
                  s.currency, s.timezone, s.allow_registrations, s.offline_payments, s.offline_payment_days
             FROM events e JOIN event_settings s ON s.event_id = e.id
            WHERE e.slug = $1"#,
        slug,
    )
    .fetch_optional(db)
    .await
}

/// A tier as checkout needs it, with what its counter says is left.
#[derive(Debug, Clone)]
pub struct SaleTier {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
    pub sales_start_at: Option<DateTime<Utc>>,
    pub sales_end_at: Option<DateTime<Utc>>,
    pub min_per_order: i32,
    pub max_per_order: i32,
    pub is_active: bool,
}

pub async fn sale_tiers(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<SaleTier>, sqlx::Error> {
    sqlx::query_as!(
        SaleTier,
        "SELECT id, name, price_cents, sales_start_at, sales_end_at, min_per_order, max_per_order, is_active
           FROM ticket_tiers WHERE event_id = $1 ORDER BY sort_order, created_at, id",
        event_id,
    )
    .fetch_all(db)
    .await
}

/// A new order, as written in the checkout transaction.
pub struct NewOrder<'a> {
    pub id: Uuid,
    pub order_number: &'a str,
    pub access_token: &'a str,
    pub event_id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub buyer_name: &'a str,
    pub buyer_email: &'a str,
    pub buyer_phone: Option<&'a str>,
    pub currency: &'a str,
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub promo_code_id: Option<Uuid>,
    pub status: OrderStatus,
    pub payment_provider: PaymentMethod,
    pub expires_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
}

pub async fn insert_order(conn: &mut PgConnection, o: &NewOrder<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO orders (id, order_number, access_token, event_id, organization_id, user_id, buyer_name,
                             buyer_email, buyer_phone, currency, subtotal_cents, discount_cents, total_cents,
                             promo_code_id, status, payment_provider, expires_at, paid_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11::bigint - $12::bigint, $13, $14, $15, $16, $17)",
        o.id,
        o.order_number,
        o.access_token,
        o.event_id,
        o.organization_id,
        o.user_id,
        o.buyer_name,
        o.buyer_email,
        o.buyer_phone,
        o.currency,
        o.subtotal_cents,
        o.discount_cents,
        o.promo_code_id,
        o.status.as_str(),
        o.payment_provider.as_str(),
        o.expires_at,
        o.paid_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The order's lines, one per tier, written in one statement.
pub async fn insert_items(
    conn: &mut PgConnection,
    order_id: Uuid,
    tiers: &[Uuid],
    names: &[String],
    prices: &[i64],
    quantities: &[i32],
    discounts: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO order_items (order_id, tier_id, tier_name, unit_price_cents, quantity, discount_cents)
         SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::bigint[])",
        order_id,
        tiers,
        names,
        prices,
        quantities,
        discounts,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Attendees and their tickets, one of each per seat, written in one statement (the
/// tickets' references to their attendees are checked when the statement ends).
pub struct NewTickets {
    pub attendee_ids: Vec<Uuid>,
    pub names: Vec<String>,
    pub emails: Vec<String>,
    pub tier_ids: Vec<Uuid>,
    pub numbers: Vec<String>,
    pub secrets: Vec<String>,
    pub prices: Vec<i64>,
    /// Each ticket's own link, for its attendee.
    pub access_tokens: Vec<String>,
}

pub async fn insert_tickets(
    conn: &mut PgConnection,
    order_id: Uuid,
    event_id: Uuid,
    status: TicketStatus,
    t: &NewTickets,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH people AS (
             INSERT INTO attendees (id, order_id, event_id, full_name, email, position)
             SELECT a.id, $1, $2, a.name, a.email, a.position
               FROM unnest($4::uuid[], $5::text[], $6::text[]) WITH ORDINALITY AS a(id, name, email, position))
         INSERT INTO tickets (order_id, event_id, status, attendee_id, tier_id, ticket_number, qr_secret, price_cents,
                              access_token)
         SELECT $1, $2, $3, * FROM unnest($4::uuid[], $7::uuid[], $8::text[], $9::text[], $10::bigint[], $11::text[])",
        order_id,
        event_id,
        status.as_str(),
        &t.attendee_ids,
        &t.names,
        &t.emails,
        &t.tier_ids,
        &t.numbers,
        &t.secrets,
        &t.prices,
        &t.access_tokens,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Live unpaid tickets (pay at the door or by invoice) a buyer e-mail holds for an event.
pub async fn unpaid_tickets_of_buyer(db: impl PgExecutor<'_>, event_id: Uuid, email: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM tickets k JOIN orders o ON o.id = k.order_id
            WHERE o.event_id = $1 AND lower(o.buyer_email) = lower($2) AND o.status = 'pending'
              AND o.payment_provider = 'offline' AND k.status = 'active'"#,
        event_id,
        email,
    )
    .fetch_one(db)
    .await
}
