//! What payment providers report about orders: a payment, a payment for an order whose hold
//! ran out, a checkout abandoned.

use crate::orders::db;
use crate::orders::inventory::{self, count_per_tier};
use crate::orders::service::{busy_or, cancel_unpaid, enqueue_ticket_mail};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use crate::platform::error::AppError;
use sqlx::PgPool;
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
    /// No order has this reference.
    UnknownOrder,
}

pub const PAID_AFTER_CANCELLATION: &str =
    "Paid after the order was cancelled; its tickets stay cancelled. Refund this order.";

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
    let payment_intent = reported.payment_intent;
    let mut tx = pool.begin().await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let Some(locked) = db::lock_order_by_reference(&mut tx, provider, reference).await.map_err(busy_or)? else {
        return Ok(PaymentOutcome::UnknownOrder);
    };
    let wrong_amount = reported.amount_cents.is_some_and(|amount| amount != locked.total_cents);
    let wrong_currency = reported.currency.is_some_and(|currency| !currency.eq_ignore_ascii_case(&locked.currency));
    if (wrong_amount || wrong_currency) && locked.status != OrderStatus::Paid {
        let amount = |cents: i64| format!("{}.{:02}", cents / 100, (cents % 100).abs());
        let paid = reported.amount_cents.map(amount).unwrap_or_else(|| "?".into());
        let note = format!(
            "The payment provider reported {paid} {} for this order of {} {}. It was not confirmed; check the payment and refund or mark it paid.",
            reported.currency.unwrap_or("?").to_uppercase(),
            amount(locked.total_cents),
            locked.currency,
        );
        db::flag_payment(&mut tx, locked.id, payment_intent, &note).await?;
        tx.commit().await.map_err(busy_or)?;
        tracing::error!(order_id = %locked.id, "payment amount or currency differs from the order; flagged");
        return Ok(PaymentOutcome::AmountMismatch);
    }
    let (order_id, event_id, promo) = (locked.id, locked.event_id, locked.promo_code_id);
    let outcome = match locked.status {
        OrderStatus::Paid | OrderStatus::Refunded => return Ok(PaymentOutcome::AlreadyRecorded),
        OrderStatus::Pending => {
            db::mark_paid(&mut tx, order_id, payment_intent, None).await?;
            inventory::cancel_tickets_of(&mut tx, &[order_id], &[TicketStatus::Reserved], TicketStatus::Active).await?;
            PaymentOutcome::Paid
        }
        OrderStatus::Cancelled => {
            db::mark_paid(&mut tx, order_id, payment_intent, Some(PAID_AFTER_CANCELLATION)).await?;
            tx.commit().await.map_err(busy_or)?;
            tracing::warn!(%order_id, "payment for a cancelled order; flagged for a refund");
            return Ok(PaymentOutcome::PaidAfterCancellation);
        }
        OrderStatus::Expired => {
            let per_tier = count_per_tier(db::ticket_tiers_of(&mut tx, order_id, TicketStatus::Cancelled).await?);
            let mut room = true;
            for (tier_id, quantity) in &per_tier {
                room = room && inventory::take_from_tier(&mut tx, *tier_id, *quantity).await.map_err(busy_or)?;
            }
            let total: i32 = per_tier.values().sum();
            room = room && inventory::take_from_event(&mut tx, event_id, total).await.map_err(busy_or)?;
            if room {
                db::mark_paid(&mut tx, order_id, payment_intent, None).await?;
                inventory::cancel_tickets_of(&mut tx, &[order_id], &[TicketStatus::Cancelled], TicketStatus::Active)
                    .await?;
                if let Some(promo) = promo {
                    // The discount was granted when the order was placed; count it again if the limit allows.
                    inventory::use_promo(&mut tx, promo).await?;
                }
                PaymentOutcome::Paid
            } else {
                // Undo the partial takes by starting over without them.
                tx.rollback().await?;
                let mut tx = pool.begin().await?;
                db::lock_order_by_reference(&mut tx, provider, reference).await?;
                db::mark_paid(&mut tx, order_id, payment_intent, Some(LATE_PAYMENT_SOLD_OUT)).await?;
                tx.commit().await?;
                tracing::warn!(%order_id, "late payment found no capacity; flagged for the organizer");
                return Ok(PaymentOutcome::PaidWithoutCapacity);
            }
        }
    };
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::Internal)?;
    let emails: Vec<String> =
        db::tickets_of(&mut *tx, &[order_id]).await?.into_iter().map(|t| t.attendee_email).collect();
    enqueue_ticket_mail(&mut tx, order.organization_id, order_id, &order.buyer_email, &emails).await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, provider = provider.as_str(), "payment confirmed");
    Ok(outcome)
}

/// Records a provider's reference on an order that has none yet.
#[tracing::instrument(skip_all, fields(provider = %provider, %order_id))]
pub async fn adopt_payment_reference(
    pool: &PgPool,
    provider: PaymentMethod,
    order_id: Uuid,
    reference: &str,
) -> Result<(), AppError> {
    db::adopt_payment_reference(pool, order_id, provider, reference).await?;
    Ok(())
}

/// Ends the hold of an order whose payment session the provider closed unpaid.
#[tracing::instrument(skip_all, fields(provider = %provider))]
pub async fn payment_abandoned(pool: &PgPool, provider: PaymentMethod, reference: &str) -> Result<(), AppError> {
    match db::order_id_by_reference(pool, provider, reference).await? {
        Some(order_id) => cancel_unpaid(pool, order_id).await,
        None => Ok(()),
    }
}
