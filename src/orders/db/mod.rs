//! SQL for orders, their items, attendees, tickets and promo codes (split by what uses it:
//! `checkout` writes orders, `promos` keeps promo codes, this file reads and changes orders). Organizer queries filter
//! by the organization id from the caller's scope; buyer queries by the order's secret token
//! or the logged-in user's id.

use crate::events::EventStatus;
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

pub mod cancellations;
mod checkout;
mod promos;
pub mod refunds;

pub use checkout::*;
pub use promos::*;

#[derive(Debug, Clone)]
pub struct OrderRow {
    pub id: Uuid,
    pub order_number: String,
    pub access_token: String,
    pub event_id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_phone: Option<String>,
    pub currency: String,
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub promo_code_id: Option<Uuid>,
    pub promo_code: Option<String>,
    pub status: OrderStatus,
    pub payment_provider: PaymentMethod,
    pub payment_reference: Option<String>,
    pub payment_intent: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub attention: Option<String>,
    pub created_at: DateTime<Utc>,
    pub event_name: String,
    pub event_slug: String,
    pub event_description: String,
    pub event_status: EventStatus,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub timezone: String,
    pub venue: Option<String>,
    pub ticket_count: i64,
}

/// A query for orders with their event, venue and promo code: one column list, the
/// condition after it.
macro_rules! select_orders {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            OrderRow,
            r#"SELECT o.id, o.order_number, o.access_token, o.event_id, o.organization_id, o.user_id,
                      o.buyer_name, o.buyer_email, o.buyer_phone, o.currency, o.subtotal_cents, o.discount_cents,
                      o.total_cents, o.refunded_cents, o.promo_code_id, p.code AS "promo_code?",
                      o.status AS "status: OrderStatus", o.payment_provider AS "payment_provider: PaymentMethod",
                      o.payment_reference, o.payment_intent, o.expires_at, o.paid_at, o.attention, o.created_at,
                      e.name AS event_name, e.slug AS event_slug, e.description AS event_description,
                      e.status AS "event_status: EventStatus", e.start_at, e.end_at, s.timezone,
                      CASE WHEN v.id IS NULL THEN NULL ELSE v.name || ', ' || v.address || ', ' || v.city END
                          AS venue,
                      (SELECT count(*) FROM tickets k WHERE k.order_id = o.id) AS "ticket_count!"
                 FROM orders o
                 JOIN events e ON e.id = o.event_id
                 JOIN event_settings s ON s.event_id = e.id
                 LEFT JOIN venues v ON v.id = e.venue_id
                 LEFT JOIN promo_codes p ON p.id = o.promo_code_id "# + $condition,
            $($arg),*
        )
    };
}

pub async fn order_by_token(db: impl PgExecutor<'_>, token: &str) -> Result<Option<OrderRow>, sqlx::Error> {
    select_orders!("WHERE o.access_token = $1", token).fetch_optional(db).await
}

pub async fn order_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<OrderRow>, sqlx::Error> {
    select_orders!("WHERE o.id = $1", id).fetch_optional(db).await
}

pub async fn organization_order(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<OrderRow>, sqlx::Error> {
    select_orders!("WHERE o.organization_id = $1 AND o.id = $2", organization_id, id).fetch_optional(db).await
}

pub async fn orders_of_user(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<Vec<OrderRow>, sqlx::Error> {
    select_orders!("WHERE o.user_id = $1 ORDER BY e.start_at DESC, o.created_at DESC", user_id).fetch_all(db).await
}

pub async fn order_by_number_and_email(
    db: impl PgExecutor<'_>,
    number: &str,
    email: &str,
) -> Result<Option<OrderRow>, sqlx::Error> {
    select_orders!("WHERE o.order_number = $1 AND lower(o.buyer_email) = lower($2)", number, email)
        .fetch_optional(db)
        .await
}

/// An event's orders for the organizer, newest first, matching a search and a status.
pub async fn event_orders(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    event_id: Uuid,
    search: Option<&str>,
    status: Option<OrderStatus>,
) -> Result<Vec<OrderRow>, sqlx::Error> {
    select_orders!(
        "WHERE o.organization_id = $1 AND o.event_id = $2
           AND ($3::text IS NULL OR o.status = $3)
           AND ($4::text IS NULL
                OR o.order_number ILIKE '%' || $4 || '%'
                OR o.buyer_name ILIKE '%' || $4 || '%'
                OR o.buyer_email ILIKE '%' || $4 || '%'
                OR EXISTS (SELECT 1 FROM attendees a WHERE a.order_id = o.id
                            AND (a.full_name ILIKE '%' || $4 || '%' OR a.email ILIKE '%' || $4 || '%')))
         ORDER BY o.created_at DESC
         LIMIT 500",
        organization_id,
        event_id,
        status.map(OrderStatus::as_str),
        search,
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: Uuid,
    pub order_id: Uuid,
    pub tier_id: Uuid,
    pub ticket_number: String,
    pub qr_secret: String,
    pub status: TicketStatus,
    pub price_cents: i64,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub tier_name: String,
    pub attendee_name: String,
    pub attendee_email: String,
    pub access_token: String,
}

pub async fn tickets_of(db: impl PgExecutor<'_>, order_ids: &[Uuid]) -> Result<Vec<TicketRow>, sqlx::Error> {
    sqlx::query_as!(
        TicketRow,
        r#"SELECT k.id, k.order_id, k.tier_id, k.ticket_number, k.qr_secret, k.status AS "status: TicketStatus",
                  k.price_cents, k.checked_in_at, i.tier_name, a.full_name AS attendee_name,
                  a.email AS attendee_email, k.access_token
             FROM tickets k
             JOIN attendees a ON a.id = k.attendee_id
             JOIN order_items i ON i.order_id = k.order_id AND i.tier_id = k.tier_id
            WHERE k.order_id = ANY($1)
            ORDER BY k.order_id, a.position"#,
        order_ids,
    )
    .fetch_all(db)
    .await
}

/// An order locked for a change of status, with what the change needs to know.
#[derive(Debug, Clone)]
pub struct LockedOrder {
    pub id: Uuid,
    pub status: OrderStatus,
    pub payment_provider: PaymentMethod,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub event_id: Uuid,
    pub promo_code_id: Option<Uuid>,
    pub currency: String,
}

/// Locks an order for a change of status: one column list, the condition after it.
macro_rules! lock_order_where {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            LockedOrder,
            r#"SELECT id, status AS "status: OrderStatus", payment_provider AS "payment_provider: PaymentMethod",
                      total_cents, refunded_cents, event_id, promo_code_id, currency
                 FROM orders "# + $condition + " FOR NO KEY UPDATE",
            $($arg),*
        )
    };
}

/// Locks an order of the organization for a change of status.
pub async fn lock_order(
    conn: &mut PgConnection,
    organization_id: Uuid,
    order_id: Uuid,
) -> Result<Option<LockedOrder>, sqlx::Error> {
    lock_order_where!("WHERE organization_id = $1 AND id = $2", organization_id, order_id).fetch_optional(conn).await
}

/// Locks the order a payment provider's reference belongs to.
pub async fn lock_order_by_reference(
    conn: &mut PgConnection,
    provider: PaymentMethod,
    reference: &str,
) -> Result<Option<LockedOrder>, sqlx::Error> {
    lock_order_where!("WHERE payment_provider = $1 AND payment_reference = $2", provider.as_str(), reference)
        .fetch_optional(conn)
        .await
}

/// Whether an event was cancelled (read under the caller's lock on one of its orders).
pub async fn event_is_cancelled(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT status = 'cancelled' AS "cancelled!" FROM events WHERE id = $1"#, event_id)
        .fetch_one(db)
        .await
}

/// Locks the order a provider's payment (Stripe's PaymentIntent) paid for.
pub async fn lock_order_by_payment_intent(
    conn: &mut PgConnection,
    provider: PaymentMethod,
    payment_intent: &str,
) -> Result<Option<LockedOrder>, sqlx::Error> {
    lock_order_where!("WHERE payment_provider = $1 AND payment_intent = $2", provider.as_str(), payment_intent)
        .fetch_optional(conn)
        .await
}

pub async fn set_payment_reference(
    db: impl PgExecutor<'_>,
    order_id: Uuid,
    reference: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE orders SET payment_reference = $2 WHERE id = $1", order_id, reference).execute(db).await?;
    Ok(())
}

/// Gives an order its payment reference if it has none yet (a webhook that beat the
/// checkout's own write); `true` when this call set it.
pub async fn adopt_payment_reference(
    db: impl PgExecutor<'_>,
    order_id: Uuid,
    provider: PaymentMethod,
    reference: &str,
) -> Result<bool, sqlx::Error> {
    let adopted = sqlx::query!(
        "UPDATE orders SET payment_reference = $3
          WHERE id = $1 AND payment_provider = $2 AND payment_reference IS NULL",
        order_id,
        provider.as_str(),
        reference,
    )
    .execute(db)
    .await?;
    Ok(adopted.rows_affected() == 1)
}

/// The order a provider's payment reference belongs to.
pub async fn order_id_by_reference(
    db: impl PgExecutor<'_>,
    provider: PaymentMethod,
    reference: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM orders WHERE payment_provider = $1 AND payment_reference = $2",
        provider.as_str(),
        reference,
    )
    .fetch_optional(db)
    .await
}

pub async fn mark_paid(
    conn: &mut PgConnection,
    order_id: Uuid,
    payment_intent: Option<&str>,
    attention: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET status = 'paid', paid_at = now(), expires_at = NULL,
                payment_intent = coalesce($2, payment_intent), attention = $3
          WHERE id = $1",
        order_id,
        payment_intent,
        attention,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_status(conn: &mut PgConnection, order_id: Uuid, status: OrderStatus) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET status = $2,
                cancelled_at = CASE WHEN $2 IN ('cancelled', 'refunded', 'expired') THEN now() ELSE cancelled_at END
          WHERE id = $1",
        order_id,
        status.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_refund(conn: &mut PgConnection, order_id: Uuid, cents: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE orders SET refunded_cents = refunded_cents + $2 WHERE id = $1", order_id, cents)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear_attention(conn: &mut PgConnection, order_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE orders SET attention = NULL WHERE id = $1", order_id).execute(conn).await?;
    Ok(())
}

/// Clears the order's note only if it is the one that starts with `start`.
pub async fn clear_attention_if(conn: &mut PgConnection, order_id: Uuid, start: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE orders SET attention = NULL WHERE id = $1 AND starts_with(attention, $2)", order_id, start,)
        .execute(conn)
        .await?;
    Ok(())
}

/// A ticket whose status just changed: its tier and what it cost.
pub struct ChangedTicket {
    pub tier_id: Uuid,
    pub price_cents: i64,
}

/// Sets one ticket of an order to `to` if it is in one of `from`.
pub async fn set_ticket_status(
    conn: &mut PgConnection,
    order_id: Uuid,
    ticket_id: Uuid,
    from: &[TicketStatus],
    to: TicketStatus,
) -> Result<Option<ChangedTicket>, sqlx::Error> {
    let from: Vec<String> = from.iter().map(|s| s.as_str().to_owned()).collect();
    sqlx::query_as!(
        ChangedTicket,
        "UPDATE tickets SET status = $4 WHERE order_id = $1 AND id = $2 AND status = ANY($3)
         RETURNING tier_id, price_cents",
        order_id,
        ticket_id,
        &from,
        to.as_str(),
    )
    .fetch_optional(conn)
    .await
}

/// How many of an order's tickets are still valid or held.
pub async fn live_tickets(conn: &mut PgConnection, order_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM tickets WHERE order_id = $1 AND status IN ('reserved', 'active', 'used')"#,
        order_id,
    )
    .fetch_one(conn)
    .await
}

/// The tiers of an order's tickets in `status`, one entry per ticket.
pub async fn ticket_tiers_of(
    conn: &mut PgConnection,
    order_id: Uuid,
    status: TicketStatus,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT tier_id FROM tickets WHERE order_id = $1 AND status = $2", order_id, status.as_str())
        .fetch_all(conn)
        .await
}

/// The e-mail address of a ticket's attendee.
pub async fn attendee_email_of_ticket(conn: &mut PgConnection, ticket_id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT a.email FROM tickets k JOIN attendees a ON a.id = k.attendee_id WHERE k.id = $1",
        ticket_id
    )
    .fetch_one(conn)
    .await
}

/// The provider's id of an order's payment, once the provider has reported it.
pub async fn payment_intent_of(db: impl PgExecutor<'_>, order_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT payment_intent FROM orders WHERE id = $1", order_id).fetch_one(db).await
}

/// Sets when a pending order's hold or payment deadline ends.
pub async fn set_expiry(conn: &mut PgConnection, order_id: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE orders SET expires_at = $2 WHERE id = $1 AND status = 'pending'", order_id, at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The order and ticket a ticket's secret link names.
pub async fn ticket_by_token(db: impl PgExecutor<'_>, token: &str) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let found =
        sqlx::query!("SELECT order_id, id FROM tickets WHERE access_token = $1", token).fetch_optional(db).await?;
    Ok(found.map(|t| (t.order_id, t.id)))
}

/// Records a provider's payment that could not be accepted as it came, and why, for the
/// organizer ("Needs attention").
pub async fn flag_payment(
    conn: &mut PgConnection,
    order_id: Uuid,
    payment_intent: Option<&str>,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET attention = $3, payment_intent = coalesce($2, payment_intent) WHERE id = $1",
        order_id,
        payment_intent,
        note,
    )
    .execute(conn)
    .await?;
    Ok(())
}
