//! The demo organization's past, so every chart and table of the dashboard has something
//! true to show on a first run: orders paid over the last weeks (by invoice, marked paid by
//! the organizer; a few still unpaid, one refunded, some with a promo code), page views by
//! the hour, and a breakfast last month whose guests were checked in at the door.
//!
//! Every order goes through checkout and the organizer's own operations; only the clocks
//! are set back afterwards, and the sales rollups follow from their triggers. Deterministic
//! but for generated ids and codes.

use crate::checkin::service::{Attempt, Target};
use crate::orders::checkout::{self, CheckoutForm};
use crate::orders::manage;
use crate::orders::promos::{self, PromoForm};
use crate::orders::service::Payments;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// What one demo event sold before today.
pub(super) struct Sales {
    /// Paid orders, spread over `over_days` days before sales ended.
    pub orders: usize,
    pub over_days: i64,
    /// Orders placed in the last two days whose invoice is not paid yet.
    pub unpaid: usize,
    /// Paid orders the organizer refunded since.
    pub refunded: usize,
    /// A percentage promo code some buyers used.
    pub promo: Option<(&'static str, &'static str)>,
    /// Share of tickets checked in at the door, for an event that is over.
    pub checked_in_percent: usize,
}

pub(super) const NO_SALES: Sales =
    Sales { orders: 0, over_days: 0, unpaid: 0, refunded: 0, promo: None, checked_in_percent: 0 };

/// An event as the seed made it: its tiers in order (with their most tickets per order),
/// and when its sales stopped (now, for an event still on sale; a few days before an event
/// that is over).
pub(super) struct Seeded {
    pub event_id: Uuid,
    pub slug: String,
    pub tiers: Vec<(Uuid, i32)>,
    pub sales_end: DateTime<Utc>,
}

const FIRST_NAMES: [&str; 16] = [
    "Amara", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonah", "Kwame", "Leah", "Mateo",
    "Nadia", "Owen", "Priya",
];
const LAST_NAMES: [&str; 12] =
    ["Okafor", "Tremblay", "Gagnon", "Patel", "Nguyen", "Roy", "Singh", "Wong", "Lavoie", "Campbell", "Ali", "Chen"];

/// Small and fixed, so the same seed gives the same history.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Sells `sales` for `event` and sets each order's clock back to when it was placed.
/// Returns the tickets sold, for the door.
pub(super) async fn sell(
    pool: &PgPool,
    scope: &OrganizationScope,
    event: &Seeded,
    sales: &Sales,
    serial: u64,
) -> Result<Vec<Uuid>, AppError> {
    if sales.orders == 0 {
        return Ok(Vec::new());
    }
    let payments = Payments::without_cards();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ serial);
    let promo = match sales.promo {
        Some((code, percent)) => {
            let form = PromoForm {
                code: code.into(),
                discount_kind: "percent".into(),
                amount: percent.into(),
                ..Default::default()
            };
            promos::create_promo(pool, scope, event.event_id, form).await?;
            Some(code)
        }
        None => None,
    };
    let mut placed_at = Vec::new();
    let total = sales.orders + sales.unpaid;
    for n in 0..total {
        let unpaid = n >= sales.orders;
        // Sales pick up as the day comes closer: order n of a campaign falls at the square
        // of its share of the days, from the first day to the last.
        let share = 1.0 - (n.min(sales.orders) as f64 / sales.orders as f64);
        let days_before = if unpaid { 1 } else { (sales.over_days as f64 * share * share).round() as i64 };
        let at = event.sales_end - Duration::days(days_before) - Duration::minutes(60 + dice.below(600) as i64);
        // With three tiers or more the first (an early bird) sells first, then mostly the
        // second; with two, one buyer in four takes the dearer one.
        let tier = match event.tiers.len() {
            1 => 0,
            2 => usize::from(dice.below(4) == 0),
            _ if n * 3 < sales.orders => 0,
            _ => 1 + usize::from(dice.below(5) == 0),
        };
        let (tier, most) = event.tiers[tier];
        let quantity = 1 + dice.below(most.clamp(1, 3) as u64) as usize;
        let buyer = person(serial as usize * 97 + n * 5);
        let form = CheckoutForm {
            slug: event.slug.clone(),
            selection: format!("{tier}:{quantity}"),
            buyer_name: buyer.0.clone(),
            buyer_email: buyer.1.clone(),
            promo_code: promo.filter(|_| tier != event.tiers[0].0 && n % 4 == 1).map(str::to_owned),
            attendee_names: (0..quantity).map(|k| person(serial as usize * 97 + n * 5 + k).0).collect(),
            first_is_buyer: true,
            ..Default::default()
        };
        let order = checkout::place_order(pool, &payments, form, None).await?;
        if !unpaid && needs_payment(pool, order.order_id).await? {
            manage::mark_offline_paid(pool, scope, order.order_id).await?;
        }
        placed_at.push((order.order_id, at));
    }
    for (order_id, _) in placed_at.iter().skip(sales.orders / 2).step_by(7).take(sales.refunded) {
        manage::cancel_order(pool, &payments, scope, *order_id).await?;
    }
    let (orders, times): (Vec<Uuid>, Vec<DateTime<Utc>>) = placed_at.into_iter().unzip();
    set_order_clocks(pool, &orders, &times).await?;
    Ok(sqlx::query_scalar!(
        "SELECT k.id FROM tickets k JOIN orders o ON o.id = k.order_id
          WHERE k.order_id = ANY($1) AND k.status = 'active' AND o.status = 'paid' ORDER BY o.created_at, k.id",
        &orders
    )
    .fetch_all(pool)
    .await?)
}

/// A buyer or guest: the `n`th name of the demo's list, and an e-mail made from it.
fn person(n: usize) -> (String, String) {
    let first = FIRST_NAMES[n % FIRST_NAMES.len()];
    let last = LAST_NAMES[(n / FIRST_NAMES.len() + n) % LAST_NAMES.len()];
    (format!("{first} {last}"), format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()))
}

async fn needs_payment(pool: &PgPool, order_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT status = 'pending' AS "pending!" FROM orders WHERE id = $1"#, order_id)
        .fetch_one(pool)
        .await
}

/// Dates each order (and its tickets, attendees and audit entries) when it was placed; an
/// invoice is paid a few hours after. Their e-mails went out then, not today.
async fn set_order_clocks(pool: &PgPool, orders: &[Uuid], times: &[DateTime<Utc>]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE orders o
            SET created_at = c.at,
                paid_at = CASE WHEN o.paid_at IS NULL THEN NULL
                               WHEN o.payment_provider = 'free' THEN c.at ELSE least(c.at + interval '3 hours', now()) END
           FROM unnest($1::uuid[], $2::timestamptz[]) AS c (id, at)
          WHERE o.id = c.id",
        orders,
        times,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE tickets k SET created_at = o.created_at FROM orders o WHERE o.id = k.order_id AND o.id = ANY($1)",
        orders
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE attendees a SET created_at = o.created_at FROM orders o WHERE o.id = a.order_id AND o.id = ANY($1)",
        orders
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE audit_logs l SET created_at = coalesce(o.paid_at, o.created_at)
           FROM orders o
          WHERE l.subject = 'order' AND l.subject_id = o.id::text AND o.id = ANY($1) AND l.after ->> 'status' = 'paid'",
        orders
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM outbox WHERE status = 'pending' AND payload ->> 'order_id' = ANY($1::uuid[]::text[])",
        orders
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The organization's newest activity entry: what the seed writes after it is dated by
/// `move_back` and `date_setup`.
pub(super) async fn last_audit_entry(pool: &PgPool, organization_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(max(id), 0) AS "id!" FROM audit_logs WHERE organization_id = $1"#,
        organization_id
    )
    .fetch_one(pool)
    .await
}

/// Moves an event that was seeded `days` ahead of its real date back there and returns its
/// new start; the move itself stays out of the activity log.
pub(super) async fn move_back(
    pool: &PgPool,
    event_id: Uuid,
    days: i64,
    audit_after: i64,
) -> Result<DateTime<Utc>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let start_at = sqlx::query_scalar!(
        // By local days, so the breakfast keeps its 07:30 across a daylight-saving change.
        "UPDATE events
            SET start_at = ((start_at AT TIME ZONE event_timezone(id)) - make_interval(days => $2))
                           AT TIME ZONE event_timezone(id),
                end_at = ((end_at AT TIME ZONE event_timezone(id)) - make_interval(days => $2))
                         AT TIME ZONE event_timezone(id)
          WHERE id = $1
          RETURNING start_at",
        event_id,
        days as i32,
    )
    .fetch_one(&mut *tx)
    .await?;
    // The move is the seed's doing, not an organizer's change to show in the activity log.
    sqlx::query!(
        "DELETE FROM audit_logs WHERE event_id = $1 AND id > $2 AND subject = 'event' AND before ? 'start_at'",
        event_id,
        audit_after,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(start_at)
}

/// Dates the event's setup (creation, tiers, publishing, promo codes) two days before its
/// sales `opened`.
pub(super) async fn date_setup(
    pool: &PgPool,
    event_id: Uuid,
    audit_after: i64,
    opened: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let opened = opened - Duration::days(2);
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE audit_logs SET created_at = $3 WHERE event_id = $1 AND id > $2 AND subject <> 'order'
            AND created_at > $3",
        event_id,
        audit_after,
        opened,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE events SET created_at = $2::timestamptz,
                published_at = CASE WHEN published_at IS NULL THEN NULL ELSE $2::timestamptz END
          WHERE id = $1",
        event_id,
        opened,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Checks in `percent` of `tickets` at the door through `staff_id`'s phone, then dates the
/// admissions in the half hour before `doors`.
pub(super) async fn check_in(
    pool: &PgPool,
    staff_id: Uuid,
    event_id: Uuid,
    tickets: &[Uuid],
    percent: usize,
    doors: DateTime<Utc>,
) -> Result<(), AppError> {
    let list_id = crate::checkin::manage::lists(pool, event_id)
        .await?
        .into_iter()
        .find(|l| l.is_default)
        .map(|l| l.id)
        .ok_or(AppError::Internal)?;
    let admitted = tickets.len() * percent / 100;
    for (n, ticket) in tickets.iter().take(admitted).enumerate() {
        let attempt = Attempt {
            list_id,
            target: Target::Ticket(*ticket),
            nonce: Uuid::new_v4(),
            device: if n % 3 == 0 { "Door 2".into() } else { "Door 1".into() },
            client_time: None,
            collect: false,
            offline: None,
        };
        crate::checkin::service::scan(pool, staff_id, event_id, attempt).await?;
    }
    let mut tx = pool.begin().await?;
    let opened = doors - Duration::minutes(30);
    sqlx::query!(
        "UPDATE checkins c SET admitted_at = $2::timestamptz + make_interval(secs => 20 * r.n)
           FROM (SELECT id, row_number() OVER (ORDER BY admitted_at, id) AS n FROM checkins WHERE event_id = $1) r
          WHERE c.id = r.id",
        event_id,
        opened,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE checkin_scans s SET server_time = c.admitted_at, client_time = c.admitted_at
           FROM checkins c WHERE c.event_id = $1 AND s.event_id = $1 AND s.ticket_id = c.ticket_id",
        event_id,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE tickets k SET checked_in_at = c.admitted_at FROM checkins c
          WHERE c.event_id = $1 AND k.id = c.ticket_id AND k.checked_in_at IS NOT NULL",
        event_id,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Views of an event's page by the hour, from `from` to `to`, during waking hours in
/// Toronto, with about one in nine opening the checkout.
pub(super) async fn page_views(
    pool: &PgPool,
    event_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO page_views AS p (event_id, hour, views, checkouts)
         SELECT $1, h.hour, v.views, v.views / 9
           FROM generate_series(date_trunc('hour', $2::timestamptz), date_trunc('hour', $3::timestamptz),
                                interval '1 hour') AS h (hour),
                LATERAL (SELECT (2 + (extract(epoch FROM h.hour)::bigint / 3600 * 7919 % 17))::int AS views) v
          WHERE extract(hour FROM h.hour AT TIME ZONE 'America/Toronto') BETWEEN 8 AND 22
         ON CONFLICT (event_id, hour)
         DO UPDATE SET views = p.views + EXCLUDED.views, checkouts = p.checkouts + EXCLUDED.checkouts",
        event_id,
        from,
        to,
    )
    .execute(pool)
    .await?;
    Ok(())
}
