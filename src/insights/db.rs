//! Queries behind the organizer's overview. Sales and revenue come from the daily rollups
//! (`tier_sales_daily`, `order_sales_daily`), so their cost follows the number of events and
//! days, never the number of tickets sold.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Tickets sold per day of the organization's events, on `from..=to`.
pub async fn tickets_per_day(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT day, sum(tickets)::bigint AS "tickets!" FROM tier_sales_daily
            WHERE organization_id = $1 AND day BETWEEN $2 AND $3
            GROUP BY day ORDER BY day"#,
        organization_id,
        from,
        to,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.day, row.tickets)).collect())
}

/// Net revenue per currency: `(currency, since start, before start back to from)`.
pub struct CurrencyRevenue {
    pub currency: String,
    pub recent: i64,
    pub previous: i64,
}

/// Revenue net of refunds per currency on `start..=to` and on `from..start`.
pub async fn revenue_by_currency(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    from: NaiveDate,
    start: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CurrencyRevenue>, sqlx::Error> {
    sqlx::query_as!(
        CurrencyRevenue,
        r#"SELECT currency,
                  coalesce(sum(gross_cents - refunded_cents) FILTER (WHERE day >= $3), 0)::bigint AS "recent!",
                  coalesce(sum(gross_cents - refunded_cents) FILTER (WHERE day < $3), 0)::bigint AS "previous!"
             FROM order_sales_daily
            WHERE organization_id = $1 AND day BETWEEN $2 AND $4
            GROUP BY currency ORDER BY currency"#,
        organization_id,
        from,
        start,
        to,
    )
    .fetch_all(db)
    .await
}

pub struct EventRevenueRow {
    pub event_id: Uuid,
    pub name: String,
    pub currency: String,
    pub cents: i64,
}

/// Each event's revenue so far, net of refunds, largest first.
pub async fn revenue_by_event(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    limit: i64,
) -> Result<Vec<EventRevenueRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRevenueRow,
        r#"SELECT r.event_id, e.name, r.currency, r.cents AS "cents!"
             FROM (SELECT event_id, currency, sum(gross_cents - refunded_cents)::bigint AS cents
                     FROM order_sales_daily WHERE organization_id = $1
                    GROUP BY event_id, currency) r
             JOIN events e ON e.id = r.event_id
            WHERE r.cents <> 0
            ORDER BY r.cents DESC, e.name
            LIMIT $2"#,
        organization_id,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Tickets sold on `start..=to` and on `from..start`.
pub async fn tickets_in_windows(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    from: NaiveDate,
    start: NaiveDate,
    to: NaiveDate,
) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(tickets) FILTER (WHERE day >= $3), 0)::bigint AS "recent!",
                  coalesce(sum(tickets) FILTER (WHERE day < $3), 0)::bigint AS "previous!"
             FROM tier_sales_daily
            WHERE organization_id = $1 AND day BETWEEN $2 AND $4"#,
        organization_id,
        from,
        start,
        to,
    )
    .fetch_one(db)
    .await?;
    Ok((row.recent, row.previous))
}

pub async fn upcoming_events(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "upcoming!" FROM events
            WHERE organization_id = $1 AND end_at > now() AND status <> 'cancelled'"#,
        organization_id
    )
    .fetch_one(db)
    .await
}

/// Checked in and expected (paid tickets) across the events running between `from` and `to`.
pub async fn checkin_between(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "events!",
                  coalesce(sum((SELECT count(DISTINCT c.ticket_id) FROM checkins c
                                 WHERE c.event_id = e.id AND c.undone_at IS NULL)), 0)::bigint AS "checked_in!",
                  coalesce(sum(i.sold), 0)::bigint AS "expected!"
             FROM events e JOIN event_inventory i ON i.event_id = e.id
            WHERE e.organization_id = $1 AND e.status <> 'cancelled' AND e.start_at < $3 AND e.end_at > $2"#,
        organization_id,
        from,
        to,
    )
    .fetch_one(db)
    .await?;
    Ok((row.events > 0).then_some((row.checked_in, row.expected)))
}

pub struct DeadlineRow {
    pub order_id: Uuid,
    pub order_number: String,
    pub buyer_name: String,
    pub event_name: String,
    pub expires_at: DateTime<Utc>,
}

/// Unpaid pay-at-the-door orders whose deadline is before `before`, soonest first.
pub async fn offline_deadlines(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DeadlineRow>, sqlx::Error> {
    sqlx::query_as!(
        DeadlineRow,
        r#"SELECT o.id AS order_id, o.order_number, o.buyer_name, e.name AS event_name,
                  o.expires_at AS "expires_at!"
             FROM orders o JOIN events e ON e.id = o.event_id
            WHERE o.organization_id = $1 AND o.status = 'pending' AND o.payment_provider = 'offline'
              AND o.expires_at < $2
            ORDER BY o.expires_at
            LIMIT $3"#,
        organization_id,
        before,
        limit,
    )
    .fetch_all(db)
    .await
}

pub struct FlaggedRow {
    pub order_id: Uuid,
    pub order_number: String,
    pub event_name: String,
    pub attention: String,
}

/// Orders flagged for the organizer (late payments beyond capacity, disputes, amounts that
/// differ), most recently changed first.
pub async fn flagged_orders(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    limit: i64,
) -> Result<Vec<FlaggedRow>, sqlx::Error> {
    sqlx::query_as!(
        FlaggedRow,
        r#"SELECT o.id AS order_id, o.order_number, e.name AS event_name, o.attention AS "attention!"
             FROM orders o JOIN events e ON e.id = o.event_id
            WHERE o.organization_id = $1 AND o.attention IS NOT NULL
            ORDER BY o.updated_at DESC
            LIMIT $2"#,
        organization_id,
        limit,
    )
    .fetch_all(db)
    .await
}

pub struct SoonRow {
    pub event_id: Uuid,
    pub name: String,
    pub at: DateTime<Utc>,
}

/// Drafts that start before `before`.
pub async fn drafts_starting(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<SoonRow>, sqlx::Error> {
    sqlx::query_as!(
        SoonRow,
        r#"SELECT id AS event_id, name, start_at AS at FROM events
            WHERE organization_id = $1 AND status = 'draft' AND start_at > now() AND start_at < $2
            ORDER BY start_at
            LIMIT $3"#,
        organization_id,
        before,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Tiers of published events whose sales end before `before` with seats left: the tier's
/// name joined to its event's.
pub async fn sales_closing(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<SoonRow>, sqlx::Error> {
    sqlx::query_as!(
        SoonRow,
        r#"SELECT e.id AS event_id, e.name || ' — ' || t.name AS "name!", t.sales_end_at AS "at!"
             FROM ticket_tiers t JOIN events e ON e.id = t.event_id
            WHERE e.organization_id = $1 AND e.status IN ('published', 'live') AND t.is_active
              AND t.taken < t.capacity AND t.sales_end_at > now() AND t.sales_end_at < $2
            ORDER BY t.sales_end_at
            LIMIT $3"#,
        organization_id,
        before,
        limit,
    )
    .fetch_all(db)
    .await
}

pub struct EventHead {
    pub name: String,
    pub status: crate::events::EventStatus,
    pub timezone: String,
    pub currency: String,
}

/// The organization's event: its name, status, time zone and currency.
pub async fn event_head(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    event_id: Uuid,
) -> Result<Option<EventHead>, sqlx::Error> {
    sqlx::query_as!(
        EventHead,
        r#"SELECT e.name, e.status AS "status: crate::events::EventStatus", s.timezone, s.currency
             FROM events e JOIN event_settings s ON s.event_id = e.id
            WHERE e.organization_id = $1 AND e.id = $2"#,
        organization_id,
        event_id,
    )
    .fetch_optional(db)
    .await
}

pub struct TierRow {
    pub name: String,
    pub capacity: i32,
    pub taken: i32,
    pub sold: i64,
    pub cents: i64,
    pub orders_placed: i64,
    pub orders_paid: i64,
    pub checked_in: i64,
}

/// Each tier of the event with its sales (from the rollup) and its funnel's lower steps.
pub async fn tier_sales(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<TierRow>, sqlx::Error> {
    sqlx::query_as!(
        TierRow,
        r#"SELECT t.name, t.capacity, t.taken,
                  coalesce((SELECT sum(d.tickets) FROM tier_sales_daily d
                             WHERE d.event_id = t.event_id AND d.tier_id = t.id), 0)::bigint AS "sold!",
                  coalesce((SELECT sum(d.ticket_cents) FROM tier_sales_daily d
                             WHERE d.event_id = t.event_id AND d.tier_id = t.id), 0)::bigint AS "cents!",
                  (SELECT count(*) FROM order_items i WHERE i.tier_id = t.id) AS "orders_placed!",
                  (SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id
                    WHERE i.tier_id = t.id AND o.paid_at IS NOT NULL) AS "orders_paid!",
                  (SELECT count(DISTINCT c.ticket_id) FROM checkins c
                    WHERE c.event_id = t.event_id AND c.tier_id = t.id AND c.undone_at IS NULL) AS "checked_in!"
             FROM ticket_tiers t
            WHERE t.event_id = $1
            ORDER BY t.sort_order, t.created_at"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

pub struct OrderTotals {
    pub orders: i64,
    pub gross: i64,
    pub refunded: i64,
}

/// Paid orders of the event, what they came to and what went back.
pub async fn order_totals(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<OrderTotals, sqlx::Error> {
    sqlx::query_as!(
        OrderTotals,
        r#"SELECT coalesce(sum(orders), 0)::bigint AS "orders!", coalesce(sum(gross_cents), 0)::bigint AS "gross!",
                  coalesce(sum(refunded_cents), 0)::bigint AS "refunded!"
             FROM order_sales_daily WHERE event_id = $1"#,
        event_id,
    )
    .fetch_one(db)
    .await
}

/// Tickets sold per local day of the event on `from..=to`.
pub async fn event_tickets_per_day(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT day, sum(tickets)::bigint AS "tickets!" FROM tier_sales_daily
            WHERE event_id = $1 AND day BETWEEN $2 AND $3
            GROUP BY day ORDER BY day"#,
        event_id,
        from,
        to,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.day, row.tickets)).collect())
}

pub async fn promo_uses(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> Result<Vec<crate::insights::PromoUse>, sqlx::Error> {
    sqlx::query_as!(
        crate::insights::PromoUse,
        r#"SELECT code, used, max_uses, is_active AS active FROM promo_codes WHERE event_id = $1 ORDER BY code"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

/// Event page views and checkout openings, all time.
pub async fn views(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(views), 0)::bigint AS "views!", coalesce(sum(checkouts), 0)::bigint AS "checkouts!"
             FROM page_views WHERE event_id = $1"#,
        event_id,
    )
    .fetch_one(db)
    .await?;
    Ok((row.views, row.checkouts))
}

pub struct AuditRow {
    pub created_at: DateTime<Utc>,
    pub actor: Option<String>,
    pub subject: String,
    pub label: String,
    pub action: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// The event's audit trail, newest first.
pub async fn activity(db: impl PgExecutor<'_>, event_id: Uuid, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as!(
        AuditRow,
        r#"SELECT a.created_at, u.full_name AS "actor?", a.subject,
                  coalesce(staff.full_name, a.label) AS "label!", a.action, a.before, a.after
             FROM audit_logs a LEFT JOIN users u ON u.id = a.actor_id
             -- Door staff are stored by user id: named here as they are now.
             LEFT JOIN users staff ON staff.id = CASE WHEN a.subject = 'event_staff' THEN a.subject_id::uuid END
            WHERE a.event_id = $1
            ORDER BY a.id DESC
            LIMIT $2"#,
        event_id,
        limit,
    )
    .fetch_all(db)
    .await
}

pub struct AttendeeExport {
    pub full_name: String,
    pub email: String,
    pub tier: String,
    pub ticket_number: String,
    pub order_number: String,
    pub ticket_status: String,
    pub order_status: String,
    pub checked_in: bool,
}

/// Every ticket of the event with its holder, for the attendee export.
pub async fn attendees_for_export(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<AttendeeExport>, sqlx::Error> {
    sqlx::query_as!(
        AttendeeExport,
        r#"SELECT a.full_name, a.email, t.name AS tier, k.ticket_number, o.order_number, k.status AS ticket_status,
                  o.status AS order_status,
                  EXISTS (SELECT 1 FROM checkins c WHERE c.ticket_id = k.id AND c.undone_at IS NULL) AS "checked_in!"
             FROM tickets k
             JOIN attendees a ON a.id = k.attendee_id
             JOIN orders o ON o.id = k.order_id
             JOIN ticket_tiers t ON t.id = k.tier_id
            WHERE k.event_id = $1
            ORDER BY a.full_name, k.ticket_number"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

pub struct OrderExport {
    pub order_number: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub status: String,
    pub payment_provider: String,
    pub currency: String,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// Every order of the event, for the order export.
pub async fn orders_for_export(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<OrderExport>, sqlx::Error> {
    sqlx::query_as!(
        OrderExport,
        r#"SELECT order_number, buyer_name, buyer_email, status, payment_provider, currency, total_cents,
                  refunded_cents, created_at, paid_at
             FROM orders WHERE event_id = $1 ORDER BY created_at, order_number"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

pub struct AttendeeListRow {
    pub full_name: String,
    pub email: String,
    pub tier: String,
    pub ticket_number: String,
    pub order_id: Uuid,
    pub order_number: String,
    pub ticket_status: String,
    pub order_status: String,
    pub checked_in: bool,
}

/// Tickets of the event that were issued (valid now, or paid before they were cancelled or
/// refunded; never a checkout's hold or a reservation that lapsed unpaid) whose holder, e-mail, ticket or order number
/// contains `pattern` (an ILIKE pattern; `%` for all), in `sort` order.
pub async fn attendee_page(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    pattern: &str,
    sort: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<AttendeeListRow>, sqlx::Error> {
    sqlx::query_as!(
        AttendeeListRow,
        r#"WITH listed AS (
             SELECT a.full_name, a.email, t.name AS tier, k.ticket_number, o.id AS order_id, o.order_number,
                    k.status AS ticket_status, o.status AS order_status,
                    EXISTS (SELECT 1 FROM checkins c WHERE c.ticket_id = k.id AND c.undone_at IS NULL) AS checked_in
               FROM tickets k
               JOIN attendees a ON a.id = k.attendee_id
               JOIN orders o ON o.id = k.order_id
               JOIN ticket_tiers t ON t.id = k.tier_id
              WHERE k.event_id = $1 AND (k.status IN ('active', 'used') OR o.paid_at IS NOT NULL)
                AND (a.full_name ILIKE $2 OR a.email ILIKE $2 OR k.ticket_number ILIKE $2 OR o.order_number ILIKE $2))
           SELECT full_name AS "full_name!", email AS "email!", tier AS "tier!", ticket_number AS "ticket_number!",
                  order_id AS "order_id!", order_number AS "order_number!", ticket_status AS "ticket_status!",
                  order_status AS "order_status!", checked_in AS "checked_in!"
             FROM listed
            ORDER BY CASE WHEN $3 = 'email' THEN lower(email) END,
                     CASE WHEN $3 = 'tier' THEN lower(tier) END,
                     CASE WHEN $3 = 'order' THEN order_number END,
                     CASE WHEN $3 = 'paid' THEN order_status = 'paid' END DESC,
                     CASE WHEN $3 = 'checked_in' THEN checked_in END DESC,
                     lower(full_name), ticket_number
            LIMIT $4 OFFSET $5"#,
        event_id,
        pattern,
        sort,
        limit,
        offset,
    )
    .fetch_all(db)
    .await
}

/// How many tickets `attendee_page` would list in all.
pub async fn attendee_count(db: impl PgExecutor<'_>, event_id: Uuid, pattern: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!"
             FROM tickets k
             JOIN attendees a ON a.id = k.attendee_id
             JOIN orders o ON o.id = k.order_id
            WHERE k.event_id = $1 AND (k.status IN ('active', 'used') OR o.paid_at IS NOT NULL)
              AND (a.full_name ILIKE $2 OR a.email ILIKE $2 OR k.ticket_number ILIKE $2 OR o.order_number ILIKE $2)"#,
        event_id,
        pattern,
    )
    .fetch_one(db)
    .await
}
