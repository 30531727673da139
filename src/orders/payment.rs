//! What payment providers report about orders: a payment, a payment for an order whose hold
//! ran out, a checkout abandoned, and refunds and disputes made on the provider's side.

use crate::events::format_price;
use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::orders::db;
use crate::orders::db::LockedOrder;
use crate::orders::db::refunds as refunds_db;
use crate::orders::inventory::{self, count_per_tier};
use crate::orders::manage::close_locked_order;
use crate::orders::refunds::RefundOrigin;
use crate::orders::service::{LIVE_TICKETS, busy_or, cancel_unpaid_in, enqueue_ticket_mail};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use crate::platform::error::AppError;
use sqlx::{Acquire, PgConnection, PgPool};
use uuid::Uuid;

/// What a confirmed payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The order is paid and its tickets are valid.
    Paid,
    /// Nothing changed: this payment was recorded before.
    AlreadyRecorded,
    /// The hold had ended and the tickets are gone; the order is paid and flagged for the organizer.
    PaidWithoutCapacity,
    /// The order had been cancelled; the money is recorded and flagged for a refund, and
    /// the cancelled tickets stay cancelled.
    PaidAfterCancellation,
    /// The provider reports another amount or currency than the order's: not confirmed,
    /// flagged for the organizer.
    AmountMismatch,
    /// The order's event was cancelled: the payment is refunded in full (the refund to ask
    /// the provider for after commit).
    RefundedEventCancelled(Option<Uuid>),
    /// No order has this reference.
    UnknownOrder,
}

pub const PAID_AFTER_CANCELLATION: &str =
    "Paid after the order was cancelled; its tickets stay cancelled. Refund this order.";

pub const PAID_AFTER_EVENT_CANCELLED: &str =
    "Paid after the event was cancelled; the payment is refunded in full and its tickets stay cancelled.";

pub const LATE_PAYMENT_SOLD_OUT: &str = "Paid after the hold ended, and the tickets were sold to others in the meantime. Refund this order or raise capacity.";

/// Records that `reference` was paid. Idempotent: a second call changes nothing. A payment
/// for an order whose hold expired takes its tickets back if there is room; if not, the
/// order is kept as paid and flagged, never silently refunded. A payment for a cancelled
/// order never brings its tickets back (nor counts its promo code again): it is recorded and
/// flagged for a refund.
/// What a provider reports it was paid: its payment's id, and the amount and currency when
/// it says them (checked against the order).
#[derive(Debug, Clone, Copy, Default)]
pub struct Reported<'a> {
    pub payment_intent: Option<&'a str>,
    pub amount_cents: Option<i64>,
    pub currency: Option<&'a str>,
}

#[tracing::instrument(skip_all, fields(provider = %provider))]
pub async fn confirm_payment(
    pool: &PgPool,
    provider: PaymentMethod,
    reference: &str,
    reported: Reported<'_>,
) -> Result<PaymentOutcome, AppError> {
    let mut tx = pool.begin().await?;
    let outcome = confirm_payment_in(&mut tx, provider, reference, reported).await?;
    tx.commit().await.map_err(busy_or)?;
    Ok(outcome)
}

/// `confirm_payment` in the caller's transaction (the webhook records the event in it).
pub async fn confirm_payment_in(
    tx: &mut PgConnection,
    provider: PaymentMethod,
    reference: &str,
    reported: Reported<'_>,
) -> Result<PaymentOutcome, AppError> {
    let payment_intent = reported.payment_intent;
    inventory::bound_lock_waits(tx).await?;
    let Some(locked) = db::lock_order_by_reference(tx, provider, reference).await.map_err(busy_or)? else {
        return Ok(PaymentOutcome::UnknownOrder);
    };
    let wrong_amount = reported.amount_cents.is_some_and(|amount| amount != locked.total_cents);
    let wrong_currency = reported.currency.is_some_and(|currency| !currency.eq_ignore_ascii_case(&locked.currency));
    if (wrong_amount || wrong_currency) && locked.status != OrderStatus::Paid {
        let paid = match (reported.amount_cents, reported.currency) {
            (Some(cents), Some(currency)) => format_price(cents, &currency.to_uppercase()),
            (Some(cents), None) => format!("{cents} (minor units)"),
            (None, _) => "an unknown amount".into(),
        };
        let note = format!(
            "The payment provider reported {paid} for this order of {}. It was not confirmed; check the payment and refund or mark it paid.",
            format_price(locked.total_cents, &locked.currency),
        );
        db::flag_payment(tx, locked.id, payment_intent, &note).await?;
        tracing::error!(order_id = %locked.id, "payment amount or currency differs from the order; flagged");
        return Ok(PaymentOutcome::AmountMismatch);
    }
    let (order_id, event_id, promo) = (locked.id, locked.event_id, locked.promo_code_id);
    if locked.status != OrderStatus::Paid
        && locked.status != OrderStatus::Refunded
        && db::event_is_cancelled(&mut *tx, event_id).await?
    {
        return paid_for_cancelled_event(tx, &locked, payment_intent).await;
    }
    let outcome = match locked.status {
        OrderStatus::Paid | OrderStatus::Refunded => return Ok(PaymentOutcome::AlreadyRecorded),
        OrderStatus::Pending => {
            db::mark_paid(tx, order_id, payment_intent, None).await?;
            inventory::cancel_tickets_of(tx, &[order_id], &[TicketStatus::Reserved], TicketStatus::Active).await?;
            PaymentOutcome::Paid
        }
        OrderStatus::Cancelled => {
            db::mark_paid(tx, order_id, payment_intent, Some(PAID_AFTER_CANCELLATION)).await?;
            tracing::warn!(%order_id, "payment for a cancelled order; flagged for a refund");
            return Ok(PaymentOutcome::PaidAfterCancellation);
        }
        OrderStatus::Expired => {
            // Taken in a savepoint, so a tier that is full undoes the takes before it.
            let mut attempt = tx.begin().await?;
            let per_tier = count_per_tier(db::ticket_tiers_of(&mut attempt, order_id, TicketStatus::Cancelled).await?);
            let mut room = true;
            for (tier_id, quantity) in &per_tier {
                room = room && inventory::take_from_tier(&mut attempt, *tier_id, *quantity).await.map_err(busy_or)?;
            }
            let total: i32 = per_tier.values().sum();
            room = room && inventory::take_from_event(&mut attempt, event_id, total).await.map_err(busy_or)?;
            if !room {
                attempt.rollback().await?;
                db::mark_paid(tx, order_id, payment_intent, Some(LATE_PAYMENT_SOLD_OUT)).await?;
                tracing::warn!(%order_id, "late payment found no capacity; flagged for the organizer");
                return Ok(PaymentOutcome::PaidWithoutCapacity);
            }
            attempt.commit().await?;
            db::mark_paid(tx, order_id, payment_intent, None).await?;
            inventory::cancel_tickets_of(tx, &[order_id], &[TicketStatus::Cancelled], TicketStatus::Active).await?;
            if let Some(promo) = promo {
                // The discount was granted when the order was placed; count it again if the limit allows.
                inventory::use_promo(tx, promo).await?;
            }
            PaymentOutcome::Paid
        }
    };
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::Internal)?;
    let emails: Vec<String> =
        db::tickets_of(&mut *tx, &[order_id]).await?.into_iter().map(|t| t.attendee_email).collect();
    enqueue_ticket_mail(tx, order.organization_id, order_id, &order.buyer_email, &emails).await?;
    tracing::info!(%order_id, provider = provider.as_str(), "payment confirmed");
    Ok(outcome)
}

/// A payment that arrives for an order of a cancelled event (its hold had ended, or the
/// runner has not reached it yet) is recorded and refunded in full at once: no seat is
/// taken and no ticket comes back.
async fn paid_for_cancelled_event(
    tx: &mut PgConnection,
    locked: &LockedOrder,
    payment_intent: Option<&str>,
) -> Result<PaymentOutcome, AppError> {
    db::mark_paid(tx, locked.id, payment_intent, None).await?;
    if let Some(promo) = locked.promo_code_id.filter(|_| locked.status == OrderStatus::Pending) {
        inventory::release_promo_use(tx, promo).await?;
    }
    let paid = LockedOrder { status: OrderStatus::Paid, ..locked.clone() };
    let closed = close_locked_order(tx, &paid, RefundOrigin::EventCancelled).await?;
    db::flag_payment(tx, locked.id, None, PAID_AFTER_EVENT_CANCELLED).await?;
    tracing::warn!(order_id = %locked.id, "payment for an order of a cancelled event; refunded in full");
    Ok(PaymentOutcome::RefundedEventCancelled(closed.and_then(|(_, refund)| refund)))
}

/// Records a provider's reference on an order that has none yet.
#[tracing::instrument(skip_all, fields(provider = %provider, %order_id))]
pub async fn adopt_payment_reference(
    conn: &mut PgConnection,
    provider: PaymentMethod,
    order_id: Uuid,
    reference: &str,
) -> Result<(), AppError> {
    db::adopt_payment_reference(conn, order_id, provider, reference).await?;
    Ok(())
}

/// Ends the hold of an order whose payment session the provider closed unpaid.
#[tracing::instrument(skip_all, fields(provider = %provider))]
pub async fn payment_abandoned(
    conn: &mut PgConnection,
    provider: PaymentMethod,
    reference: &str,
) -> Result<(), AppError> {
    match db::order_id_by_reference(&mut *conn, provider, reference).await? {
        Some(order_id) => cancel_unpaid_in(conn, order_id).await,
        None => Ok(()),
    }
}

/// What a refund made at the provider did to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderRefund {
    /// Everything is refunded: the tickets are void and their seats free.
    Full,
    /// Part of the money went back; the order and its tickets stand.
    Partial,
    /// Nothing new: EventOS asked for this refund itself, or recorded it before.
    AlreadyRecorded,
    /// No order was paid with this payment.
    UnknownPayment,
}

/// Records a refund made at the provider (its dashboard): `refunded_total` is everything
/// refunded on the payment so far, so redelivered or reordered events change nothing twice.
/// Refunds EventOS asked for itself are already counted on the order.
#[tracing::instrument(skip_all, fields(provider = %provider))]
pub async fn refunded_at_provider(
    tx: &mut PgConnection,
    provider: PaymentMethod,
    payment_intent: &str,
    refunded_total: i64,
) -> Result<ProviderRefund, AppError> {
    inventory::bound_lock_waits(tx).await?;
    let Some(locked) = db::lock_order_by_payment_intent(tx, provider, payment_intent).await.map_err(busy_or)? else {
        return Ok(ProviderRefund::UnknownPayment);
    };
    let order_id = locked.id;
    let extra = (refunded_total - locked.refunded_cents).min(locked.total_cents - locked.refunded_cents);
    if extra <= 0 {
        return Ok(ProviderRefund::AlreadyRecorded);
    }
    refunds_db::insert_made_at_provider(tx, order_id, extra, None).await?;
    db::add_refund(tx, order_id, extra).await?;
    if locked.refunded_cents + extra < locked.total_cents {
        tracing::info!(%order_id, extra, "partial refund made at the provider recorded");
        return Ok(ProviderRefund::Partial);
    }
    if locked.status == OrderStatus::Paid {
        let per_tier = inventory::cancel_tickets_of(tx, &[order_id], &LIVE_TICKETS, TicketStatus::Refunded).await?;
        inventory::give_back(tx, locked.event_id, &per_tier).await?;
        db::set_status(tx, order_id, OrderStatus::Refunded).await?;
        // A note asking for this refund ("paid after cancellation") is answered.
        db::clear_attention(tx, order_id).await?;
        let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::Internal)?;
        let payload = serde_json::json!({ "order_id": order_id });
        mail_db::enqueue(tx, Some(order.organization_id), MailKind::OrderCancelled, &order.buyer_email, payload)
            .await?;
    }
    tracing::info!(%order_id, "full refund made at the provider; tickets void");
    Ok(ProviderRefund::Full)
}

/// Flags the order a disputed payment paid for ("Needs attention"), or updates the flag when
/// the dispute closes; `false` when no order was paid with it.
#[tracing::instrument(skip_all, fields(provider = %provider))]
pub async fn payment_disputed(
    tx: &mut PgConnection,
    provider: PaymentMethod,
    payment_intent: &str,
    dispute: Dispute<'_>,
) -> Result<bool, AppError> {
    let Some(locked) = db::lock_order_by_payment_intent(tx, provider, payment_intent).await.map_err(busy_or)? else {
        return Ok(false);
    };
    let amount = dispute.amount_cents.map(|cents| format_price(cents, &locked.currency));
    let amount = amount.unwrap_or_else(|| "the payment".into());
    let reason = dispute.reason.unwrap_or("no reason given").replace('_', " ");
    let note = match dispute.closed_as {
        None => Some(format!(
            "{DISPUTE_NOTE_START} {amount} ({reason}). Respond in your Stripe dashboard before its deadline."
        )),
        Some("won") => None,
        Some("lost") => Some(format!("The dispute over {amount} was lost; the money went back to the card holder.")),
        Some(other) => Some(format!("The dispute over {amount} closed ({}).", other.replace('_', " "))),
    };
    match &note {
        Some(note) => db::flag_payment(tx, locked.id, None, note).await?,
        None => db::clear_attention_if(tx, locked.id, DISPUTE_NOTE_START).await?,
    }
    tracing::warn!(order_id = %locked.id, closed_as = ?dispute.closed_as, "payment dispute recorded");
    Ok(true)
}

/// How a dispute's note starts, so a won dispute clears that note and no other.
const DISPUTE_NOTE_START: &str = "The card holder disputes";

/// A dispute as the provider reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dispute<'a> {
    pub amount_cents: Option<i64>,
    pub reason: Option<&'a str>,
    /// `None` while open; its final status (`won`, `lost`, …) once closed.
    pub closed_as: Option<&'a str>,
}
