//! The organizer's side of orders: an event's orders, one order in full, marking an offline
//! order paid, and cancelling or refunding an order or a single ticket.

use crate::events::db as events_db;
use crate::events::format_price;
use crate::events::time::{self, timezone_or_default};
use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::orders::db::{self, LockedOrder, OrderRow};
use crate::orders::inventory;
use crate::orders::refunds::{self, RefundOrigin};
use crate::orders::service::{LIVE_TICKETS, Payments, busy_or, due_words, is_unpaid_reservation};
use crate::orders::{AdminTicket, EventOrders, OrderDetail, OrderRowView, OrderStatus, PaymentMethod, TicketStatus};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::payments::stripe::SessionClosed;
use crate::platform::error::AppError;
use crate::platform::text::optional_text;
use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;
use uuid::Uuid;

fn placed(order: &OrderRow) -> String {
    let tz = timezone_or_default(&order.timezone);
    order.created_at.with_timezone(&tz).format("%b %-d, %-I:%M %p").to_string()
}

/// An event's orders, searched by order number, buyer or attendee, and filtered by status.
pub async fn event_orders(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    search: Option<&str>,
    status: Option<&str>,
) -> Result<EventOrders, AppError> {
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let search = optional_text(search).map(|s| s.chars().take(100).collect::<String>());
    let status = optional_text(status).and_then(OrderStatus::parse);
    let rows = db::event_orders(pool, scope.organization_id, event_id, search.as_deref(), status).await?;
    Ok(EventOrders {
        event_id,
        event_name: event.name,
        sold: event.sold,
        capacity: event.capacity,
        orders: rows
            .iter()
            .map(|o| OrderRowView {
                id: o.id,
                order_number: o.order_number.clone(),
                buyer_name: o.buyer_name.clone(),
                buyer_email: o.buyer_email.clone(),
                status: o.status,
                payment_method: o.payment_provider,
                tickets: o.ticket_count,
                total: format_price(o.total_cents, &o.currency),
                placed: placed(o),
                attention: o.attention.clone(),
            })
            .collect(),
    })
}

pub async fn order_detail(pool: &PgPool, scope: &OrganizationScope, order_id: Uuid) -> Result<OrderDetail, AppError> {
    let order = db::organization_order(pool, scope.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    let tickets = db::tickets_of(pool, &[order.id]).await?;
    let refunds = db::refunds::refunds_of(pool, order.id).await?;
    let tz = timezone_or_default(&order.timezone);
    Ok(OrderDetail {
        id: order.id,
        event_id: order.event_id,
        event_name: order.event_name.clone(),
        order_number: order.order_number.clone(),
        status: order.status,
        payment_method: order.payment_provider,
        payment_reference: order.payment_reference.clone(),
        buyer_name: order.buyer_name.clone(),
        buyer_email: order.buyer_email.clone(),
        buyer_phone: order.buyer_phone.clone(),
        promo_code: order.promo_code.clone(),
        subtotal: format_price(order.subtotal_cents, &order.currency),
        discount: (order.discount_cents > 0)
            .then(|| format!("−{}", format_price(order.discount_cents, &order.currency))),
        total: format_price(order.total_cents, &order.currency),
        total_cents: order.total_cents,
        refunded: (order.refunded_cents > 0).then(|| format_price(order.refunded_cents, &order.currency)),
        refunds: refunds.iter().map(|r| refund_line(r, &order.currency)).collect(),
        placed: placed(&order),
        paid: order.paid_at.map(|at| at.with_timezone(&tz).format("%b %-d, %-I:%M %p").to_string()),
        attention: order.attention.clone(),
        payment_due: order.expires_at.filter(|_| is_unpaid_reservation(&order)).map(|at| due_words(at, tz)),
        payment_due_local: order
            .expires_at
            .filter(|_| is_unpaid_reservation(&order))
            .map(|at| time::utc_to_local_input(at, tz)),
        tickets: tickets
            .iter()
            .map(|t| AdminTicket {
                id: t.id,
                ticket_number: t.ticket_number.clone(),
                tier_name: t.tier_name.clone(),
                attendee_name: t.attendee_name.clone(),
                attendee_email: t.attendee_email.clone(),
                status: t.status,
                price: format_price(t.price_cents, &order.currency),
                price_cents: t.price_cents,
                checked_in: t.checked_in_at.is_some(),
            })
            .collect(),
    })
}

/// "$50.00 to the card: waiting for Stripe (Stripe could not be reached …)".
fn refund_line(refund: &db::refunds::RefundRow, currency: &str) -> String {
    let amount = format_price(refund.amount_cents, currency);
    let error = refund.last_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
    match (refund.origin.as_str(), refund.status.as_str()) {
        ("provider", _) => format!("{amount} refunded in the Stripe dashboard"),
        (_, "succeeded") => format!("{amount} refunded to the card"),
        (_, "failed") => format!("{amount} to the card: Stripe did not refund it{error}"),
        _ => format!("{amount} to the card: waiting for Stripe{error}"),
    }
}

/// Records that an offline order was paid (at the door or by invoice).
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %order_id))]
pub async fn mark_offline_paid(pool: &PgPool, scope: &OrganizationScope, order_id: Uuid) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    settle_offline(&mut tx, scope.organization_id, order_id).await?;
    tx.commit().await?;
    tracing::info!(%order_id, by = %scope.user_id, "offline order marked paid");
    Ok(())
}

/// Marks an unpaid pay-at-the-door or invoice order paid, inside the caller's transaction
/// (the door admits the ticket in the same one). The caller has checked who may do it.
pub async fn settle_offline(tx: &mut PgConnection, organization_id: Uuid, order_id: Uuid) -> Result<(), AppError> {
    let locked = db::lock_order(tx, organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    if locked.payment_provider != PaymentMethod::Offline {
        return Err(AppError::Conflict("Only orders paid at the door or by invoice can be marked paid here.".into()));
    }
    if locked.status != OrderStatus::Pending {
        return Err(AppError::Conflict("This order is not awaiting payment.".into()));
    }
    db::mark_paid(tx, order_id, None, None).await?;
    Ok(())
}

/// Gives an unpaid reservation more time to pay: a new deadline, in the event's time zone,
/// after now and no later than the event's end (the organizer may choose to collect at
/// the door).
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %order_id))]
pub async fn extend_payment_deadline(
    pool: &PgPool,
    scope: &OrganizationScope,
    order_id: Uuid,
    pay_by_local: &str,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let order = db::organization_order(pool, scope.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    if !is_unpaid_reservation(&order) {
        return Err(AppError::Conflict("Only unpaid reservations have a payment deadline.".into()));
    }
    let tz = timezone_or_default(&order.timezone);
    let pay_by = time::local_to_utc(pay_by_local, tz).map_err(|m| AppError::field("pay_by", m))?;
    if pay_by <= Utc::now() {
        return Err(AppError::field("pay_by", "Choose a time in the future."));
    }
    if pay_by > order.end_at {
        return Err(AppError::field("pay_by", "The deadline cannot be after the event ends."));
    }
    let mut tx = scope.begin(pool).await?;
    // Locked and checked again: the order may have expired or been paid meanwhile.
    let locked = db::lock_order(&mut tx, scope.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    if locked.status != OrderStatus::Pending {
        return Err(AppError::Conflict("This order is no longer awaiting payment.".into()));
    }
    db::set_expiry(&mut tx, order_id, pay_by).await?;
    tx.commit().await?;
    tracing::info!(%order_id, by = %scope.user_id, %pay_by, "payment deadline extended");
    Ok(())
}

/// Cancels a whole order, or refunds it if money was paid: its tickets stop admitting,
/// capacity is freed at once, card payments are refunded at Stripe, and the buyer is told.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %order_id))]
pub async fn cancel_order(
    pool: &PgPool,
    payments: &Payments,
    scope: &OrganizationScope,
    order_id: Uuid,
) -> Result<OrderStatus, AppError> {
    scope.require(Role::Admin)?;
    close_card_checkout(pool, payments, scope, order_id).await?;
    let mut tx = scope.begin(pool).await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let locked =
        db::lock_order(&mut tx, scope.organization_id, order_id).await.map_err(busy_or)?.ok_or(AppError::NotFound)?;
    if locked.status == OrderStatus::Paid && locked.total_cents > locked.refunded_cents {
        refunds::check_refundable(payments, locked.payment_provider)?;
    }
    let (outcome, refund) = close_locked_order(&mut tx, &locked, RefundOrigin::Order)
        .await?
        .ok_or_else(|| AppError::Conflict("This order is already closed.".into()))?;
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::Internal)?;
    mail_db::enqueue(
        &mut tx,
        Some(scope.organization_id),
        MailKind::OrderCancelled,
        &order.buyer_email,
        serde_json::json!({ "order_id": order_id }),
    )
    .await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, by = %scope.user_id, outcome = outcome.as_str(), "order closed by organizer");
    refunds::send_now(pool, payments, refund).await;
    Ok(outcome)
}

/// Closes a locked open order in the caller's transaction: refunded if money was paid
/// (the refund owed is returned, to ask Stripe for after commit), else cancelled; its
/// tickets stop admitting, their seats are free at once, and an unpaid order's promo use is
/// given back. `None` when the order was already closed.
pub(crate) async fn close_locked_order(
    tx: &mut PgConnection,
    locked: &LockedOrder,
    origin: RefundOrigin,
) -> Result<Option<(OrderStatus, Option<Uuid>)>, AppError> {
    let (order_id, status, total, refunded) = (locked.id, locked.status, locked.total_cents, locked.refunded_cents);
    let paid_money = status == OrderStatus::Paid && total > refunded;
    let outcome = match status {
        OrderStatus::Pending => OrderStatus::Cancelled,
        OrderStatus::Paid if paid_money => OrderStatus::Refunded,
        OrderStatus::Paid => OrderStatus::Cancelled,
        _ => return Ok(None),
    };
    let refund = if paid_money {
        refunds::owe(tx, order_id, locked.payment_provider, total - refunded, origin).await?
    } else {
        None
    };
    let ticket_status = if outcome == OrderStatus::Refunded { TicketStatus::Refunded } else { TicketStatus::Cancelled };
    let per_tier = inventory::cancel_tickets_of(tx, &[order_id], &LIVE_TICKETS, ticket_status).await?;
    inventory::give_back(tx, locked.event_id, &per_tier).await?;
    if let Some(promo) = locked.promo_code_id.filter(|_| status == OrderStatus::Pending) {
        inventory::release_promo_use(tx, promo).await?;
    }
    db::set_status(tx, order_id, outcome).await?;
    db::clear_attention(tx, order_id).await?;
    Ok(Some((outcome, refund)))
}

/// Before an unpaid card order is cancelled, its Stripe checkout is closed, so the buyer can
/// no longer pay for an order that is gone. Called outside any transaction (it waits on
/// Stripe). If the buyer paid first, nothing is cancelled: the payment arrives by webhook
/// and the organizer refunds it.
pub(crate) async fn close_card_checkout(
    pool: &PgPool,
    payments: &Payments,
    scope: &OrganizationScope,
    order_id: Uuid,
) -> Result<(), AppError> {
    let order = db::organization_order(pool, scope.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    let (OrderStatus::Pending, PaymentMethod::Stripe, Some(session)) =
        (order.status, order.payment_provider, order.payment_reference.as_deref())
    else {
        return Ok(());
    };
    let stripe = payments.stripe.as_ref().ok_or_else(|| {
        AppError::Conflict("Card payments are not configured, so this card order cannot be cancelled here.".into())
    })?;
    match stripe.close_checkout_session(session).await {
        Ok(SessionClosed::Expired) => Ok(()),
        Ok(SessionClosed::Paid) => Err(AppError::Conflict(
            "The buyer has just paid this order at Stripe. Wait a moment for the payment to arrive, then refund it."
                .into(),
        )),
        Err(error) => {
            tracing::error!(%error, %order_id, "closing the Stripe checkout failed");
            Err(AppError::Conflict("Stripe could not be reached, so nothing was changed. Please try again.".into()))
        }
    }
}

/// Cancels one ticket (refunding what it cost, if paid); the rest of the order stays.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %order_id, %ticket_id))]
pub async fn cancel_ticket(
    pool: &PgPool,
    payments: &Payments,
    scope: &OrganizationScope,
    order_id: Uuid,
    ticket_id: Uuid,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let locked =
        db::lock_order(&mut tx, scope.organization_id, order_id).await.map_err(busy_or)?.ok_or(AppError::NotFound)?;
    let (status, total, refunded) = (locked.status, locked.total_cents, locked.refunded_cents);
    if !matches!(status, OrderStatus::Pending | OrderStatus::Paid) {
        return Err(AppError::Conflict("This order is already closed.".into()));
    }
    if status == OrderStatus::Pending && locked.payment_provider == PaymentMethod::Stripe {
        // Its checkout at Stripe is for the whole order: a ticket cannot leave it.
        return Err(AppError::Conflict(
            "This order is waiting for its card payment, so single tickets cannot be cancelled. Cancel the whole order instead."
                .into(),
        ));
    }
    let to = if status == OrderStatus::Paid { TicketStatus::Refunded } else { TicketStatus::Cancelled };
    let ticket = db::set_ticket_status(&mut tx, order_id, ticket_id, &LIVE_TICKETS, to)
        .await?
        .ok_or_else(|| AppError::Conflict("This ticket is already cancelled.".into()))?;
    let cents = if status == OrderStatus::Paid { ticket.price_cents.min(total - refunded) } else { 0 };
    if cents > 0 {
        refunds::check_refundable(payments, locked.payment_provider)?;
    }
    let refund = if cents > 0 {
        refunds::owe(&mut tx, order_id, locked.payment_provider, cents, RefundOrigin::Ticket).await?
    } else {
        None
    };
    inventory::give_back(&mut tx, locked.event_id, &BTreeMap::from([(ticket.tier_id, 1)])).await?;
    if db::live_tickets(&mut tx, order_id).await? == 0 {
        let closed = if status == OrderStatus::Paid { OrderStatus::Refunded } else { OrderStatus::Cancelled };
        db::set_status(&mut tx, order_id, closed).await?;
        // An unpaid order that ends gives its promo code's use back, as cancelling it whole does.
        if let Some(promo) = locked.promo_code_id.filter(|_| status == OrderStatus::Pending) {
            inventory::release_promo_use(&mut tx, promo).await?;
        }
    }
    let attendee = db::attendee_email_of_ticket(&mut tx, ticket_id).await?;
    mail_db::enqueue(
        &mut tx,
        Some(scope.organization_id),
        MailKind::TicketCancelled,
        &attendee,
        serde_json::json!({ "order_id": order_id, "ticket_id": ticket_id }),
    )
    .await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, %ticket_id, by = %scope.user_id, "ticket cancelled by organizer");
    refunds::send_now(pool, payments, refund).await;
    Ok(())
}
