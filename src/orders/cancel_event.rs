//! Cancelling an event: the organizer sees what it will do, confirms, and the event is
//! cancelled at once (its page says so and nothing more can be bought); a background runner
//! then closes its orders one short transaction each — refunds owed, tickets void, seats and
//! promo uses released, buyer and attendees e-mailed through the outbox — and asks Stripe
//! for the refunds after each commit. Everything it needs is in the database, so after a
//! crash it carries on with the orders still open, and an order closes once, so no one is
//! refunded or e-mailed twice.

use crate::events::db as events_db;
use crate::events::{EventStatus, format_price};
use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::orders::db::{self, cancellations as cancellations_db};
use crate::orders::manage::close_locked_order;
use crate::orders::refunds::{self, RefundOrigin};
use crate::orders::service::{LIVE_TICKETS, Payments, busy_or, other_addresses};
use crate::orders::{CancellationImpact, CancellationProgress, OrderStatus, PaymentMethod, inventory};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::payments::stripe::SessionClosed;
use crate::platform::error::AppError;
use chrono::Utc;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// Orders the runner reads at a time.
const BATCH: i64 = 50;
/// How long checkout may take to open a new card order's Stripe checkout.
const SESSION_GRACE: chrono::Duration = chrono::Duration::minutes(2);

async fn event_currency(pool: &PgPool, scope: &OrganizationScope, event_id: Uuid) -> Result<String, AppError> {
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    Ok(event.currency)
}

/// What cancelling the event would do now: "42 orders, $3,980.00 refunded, 57 e-mails".
pub async fn cancellation_impact(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
) -> Result<CancellationImpact, AppError> {
    scope.require(Role::Admin)?;
    let currency = event_currency(pool, scope, event_id).await?;
    let impact = cancellations_db::impact(pool, event_id).await?;
    Ok(CancellationImpact {
        orders: impact.orders,
        refund: format_price(impact.refund_cents, &currency),
        refund_cents: impact.refund_cents,
        emails: impact.emails,
    })
}

/// Cancels the event now and leaves its orders to the runner (woken through `wake`).
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %event_id))]
pub async fn cancel_event(pool: &PgPool, scope: &OrganizationScope, event_id: Uuid) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let current =
        events_db::lock_event_status(&mut tx, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    current.check_transition(EventStatus::Cancelled, 0, 0).map_err(AppError::Conflict)?;
    let impact = cancellations_db::impact(&mut *tx, event_id).await?;
    events_db::set_status(&mut tx, event_id, EventStatus::Cancelled).await?;
    cancellations_db::stop_sales(&mut tx, event_id).await?;
    cancellations_db::insert(&mut tx, event_id, scope.user_id, &impact).await?;
    tx.commit().await?;
    tracing::info!(%event_id, by = %scope.user_id, orders = impact.orders, "event cancelled; closing its orders");
    Ok(())
}

/// How far the event's cancellation has come; `None` if it was never cancelled this way.
pub async fn cancellation_progress(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
) -> Result<Option<CancellationProgress>, AppError> {
    event_currency(pool, scope, event_id).await?;
    let Some(row) = cancellations_db::progress(pool, event_id).await? else { return Ok(None) };
    let orders_total = i64::from(row.orders_total).max(row.orders_open);
    Ok(Some(CancellationProgress {
        orders_total,
        orders_closed: orders_total - row.orders_open,
        refund_total: (row.refund_total_cents > 0).then(|| format_price(row.refund_total_cents, &row.currency)),
        refunded_at_stripe: (row.refunded_cents > 0).then(|| format_price(row.refunded_cents, &row.currency)),
        refunds_pending: row.refunds_pending,
        refunds_failed: row.refunds_failed,
        finished: row.finished,
    }))
}

/// One pass over every running cancellation: closes each event's open orders, page by
/// page, and marks events with none left done. Returns how many orders it closed.
pub async fn run_pass(pool: &PgPool, payments: &Payments) -> Result<usize, sqlx::Error> {
    let mut closed = 0;
    for event_id in cancellations_db::running(pool).await? {
        let mut after = None;
        loop {
            let orders = cancellations_db::open_orders(pool, event_id, after, BATCH).await?;
            for order in &orders {
                match close_for_cancelled_event(pool, payments, order.organization_id, order.id).await {
                    Ok(true) => closed += 1,
                    Ok(false) => {}
                    Err(error) => {
                        tracing::error!(%error, %event_id, order_id = %order.id, "could not close an order; will retry")
                    }
                }
            }
            match orders.last() {
                Some(last) if orders.len() == BATCH as usize => after = Some((last.created_at, last.id)),
                _ => break,
            }
        }
        if cancellations_db::finish_if_done(pool, event_id).await? {
            tracing::info!(%event_id, "event cancellation finished");
        }
    }
    Ok(closed)
}

/// Closes one order of a cancelled event; `false` when it must wait (its buyer is paying at
/// Stripe right now: the payment arrives by webhook, and the next pass refunds it).
async fn close_for_cancelled_event(
    pool: &PgPool,
    payments: &Payments,
    organization_id: Uuid,
    order_id: Uuid,
) -> Result<bool, AppError> {
    let order = db::order_by_id(pool, order_id).await?.ok_or(AppError::NotFound)?;
    let card_pending = order.status == OrderStatus::Pending && order.payment_provider == PaymentMethod::Stripe;
    if card_pending && order.payment_reference.is_none() && order.created_at > Utc::now() - SESSION_GRACE {
        // Its checkout is being created right now: close it once it exists.
        return Ok(false);
    }
    if let (OrderStatus::Pending, PaymentMethod::Stripe, Some(session), Some(stripe)) =
        (order.status, order.payment_provider, order.payment_reference.as_deref(), payments.stripe.as_ref())
    {
        // Closed at Stripe before the order is, with no transaction open.
        match stripe.close_checkout_session(session).await {
            Ok(SessionClosed::Expired) => {}
            Ok(SessionClosed::Paid) => return Ok(false),
            Err(error) => {
                tracing::warn!(%error, %order_id, "could not close a Stripe checkout; will retry");
                return Ok(false);
            }
        }
    }
    let mut tx = pool.begin().await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let Some(locked) = db::lock_order(&mut tx, organization_id, order_id).await.map_err(busy_or)? else {
        return Ok(false);
    };
    let recipients = recipients(&mut tx, order_id, &order.buyer_email).await?;
    let Some((outcome, refund)) = close_locked_order(&mut tx, &locked, RefundOrigin::EventCancelled).await? else {
        return Ok(false);
    };
    let messages: Vec<(MailKind, String)> = recipients.into_iter().map(|to| (MailKind::EventCancelled, to)).collect();
    mail_db::enqueue_all(&mut tx, organization_id, &messages, serde_json::json!({ "order_id": order_id })).await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, outcome = outcome.as_str(), "order closed: its event was cancelled");
    refunds::send_now(pool, payments, refund).await;
    Ok(true)
}

/// The buyer, then each attendee of a valid ticket with another address, once each.
async fn recipients(conn: &mut sqlx::PgConnection, order_id: Uuid, buyer: &str) -> Result<Vec<String>, AppError> {
    let tickets = db::tickets_of(&mut *conn, &[order_id]).await?;
    let live = tickets.iter().filter(|t| LIVE_TICKETS.contains(&t.status)).map(|t| t.attendee_email.as_str());
    let mut to = vec![buyer.to_owned()];
    to.extend(other_addresses(buyer, live));
    Ok(to)
}

/// Runs passes until `stop` turns true: straight on while there is work, else every few
/// seconds.
pub async fn run_worker(pool: PgPool, payments: Payments, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            tracing::info!("event cancellation runner stopped");
            return;
        }
        let pause = match run_pass(&pool, &payments).await {
            Ok(closed) if closed > 0 => Duration::ZERO,
            Ok(_) => Duration::from_secs(3),
            Err(error) => {
                tracing::error!(%error, "event cancellation runner could not read its work");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}
