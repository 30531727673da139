//! Money going back to buyers. Closing an order or ticket decides a refund in its own
//! transaction (the order's `refunded_cents` grows, a `refunds` row says what is owed);
//! card refunds are then asked of Stripe with no transaction open, keyed by that row's id so
//! a retry never refunds twice, and the answer is recorded in a second short statement. The
//! request that decided a refund asks at once; the refund worker asks again for any that a
//! crash or an outage left pending.

use crate::events::format_price;
use crate::mail::outbox::backoff;
use crate::orders::PaymentMethod;
use crate::orders::db::{self, refunds as refunds_db};
use crate::orders::service::Payments;
use crate::payments::stripe::StripeError;
use crate::platform::error::AppError;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// A refund still failing after this many tries is given up and put before the organizer.
pub const MAX_ATTEMPTS: i32 = 8;
/// Refunds claimed at once: one, so a claim's lease only has to outlast one Stripe call.
const BATCH: i64 = 1;
/// Far longer than a Stripe call can take (the HTTP client gives up after 20 s).
const LEASE_SECS: f64 = 120.0;

/// Why a refund is owed, as recorded on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundOrigin {
    Order,
    Ticket,
    EventCancelled,
}

impl RefundOrigin {
    fn as_str(self) -> &'static str {
        match self {
            RefundOrigin::Order => "order",
            RefundOrigin::Ticket => "ticket",
            RefundOrigin::EventCancelled => "event_cancelled",
        }
    }
}

/// Records, in the caller's transaction, that `cents` of an order go back to its buyer.
/// Returns the refund to ask Stripe for after commit, for card payments; other payments
/// are handed back by the organizer and only recorded.
pub async fn owe(
    conn: &mut PgConnection,
    order_id: Uuid,
    provider: PaymentMethod,
    cents: i64,
    origin: RefundOrigin,
) -> Result<Option<Uuid>, sqlx::Error> {
    db::add_refund(conn, order_id, cents).await?;
    if provider != PaymentMethod::Stripe {
        return Ok(None);
    }
    refunds_db::insert_owed(conn, order_id, cents, origin.as_str()).await.map(Some)
}

/// Card refunds need Stripe configured; refused before anything changes when it is not.
pub fn check_refundable(payments: &Payments, provider: PaymentMethod) -> Result<(), AppError> {
    if provider == PaymentMethod::Stripe && payments.stripe.is_none() {
        return Err(AppError::Conflict(
            "Card payments are not configured, so this card payment cannot be refunded here.".into(),
        ));
    }
    Ok(())
}

/// Asks Stripe for one refund now (right after the transaction that owed it committed).
/// A failure leaves it to the worker; nothing is lost.
pub async fn send_now(pool: &PgPool, payments: &Payments, refund_id: Option<Uuid>) {
    let Some(refund_id) = refund_id else { return };
    match refunds_db::claim_due(pool, Some(refund_id), 1, LEASE_SECS).await {
        Ok(due) => {
            for refund in due {
                send(pool, payments, refund).await;
            }
        }
        Err(error) => tracing::error!(%error, %refund_id, "could not claim a refund; the worker will send it"),
    }
}

/// Asks Stripe for one batch of due refunds; returns how many were tried.
pub async fn send_due(pool: &PgPool, payments: &Payments) -> Result<usize, sqlx::Error> {
    let due = refunds_db::claim_due(pool, None, BATCH, LEASE_SECS).await?;
    let count = due.len();
    for refund in due {
        send(pool, payments, refund).await;
    }
    Ok(count)
}

async fn send(pool: &PgPool, payments: &Payments, refund: refunds_db::DueRefund) {
    let (id, order_id) = (refund.id, refund.order_id);
    let amount = format_price(refund.amount_cents, &refund.currency);
    let answer = match (&payments.stripe, refund.payment_intent.as_deref()) {
        (None, _) => Err(StripeError::Refused { status: 400, message: "card payments are not configured".into() }),
        (Some(_), None) => Err(StripeError::Refused { status: 400, message: "no payment recorded".into() }),
        (Some(stripe), Some(intent)) => stripe.refund(intent, refund.amount_cents, &format!("refund-{id}")).await,
    };
    let recorded = match answer {
        Ok(provider_id) => {
            tracing::info!(refund_id = %id, %order_id, %amount, "refunded at Stripe");
            refunds_db::mark_succeeded(pool, id, &provider_id).await
        }
        Err(error) => {
            let attempts = refund.attempts + 1;
            // Stripe's "no" (already refunded, charge disputed…) will not change by asking again;
            // 409 is the same key still in flight elsewhere, 429 a rate limit: ask again later.
            let refused =
                matches!(error, StripeError::Refused { status, .. } if status < 500 && status != 409 && status != 429);
            if refused || attempts >= MAX_ATTEMPTS {
                tracing::error!(refund_id = %id, %order_id, %error, attempts, "refund failed for good");
                let note = format!(
                    "Stripe did not refund {amount}: {error}. Refund it in your Stripe dashboard, then mark it handled."
                );
                give_up(pool, id, &error.to_string(), &note).await
            } else {
                tracing::warn!(refund_id = %id, %order_id, %error, attempts, "refund failed; will retry");
                refunds_db::mark_retry(pool, id, &error.to_string(), backoff(attempts) as f64).await
            }
        }
    };
    if let Err(error) = recorded {
        // The refund stays pending and is asked for again with the same key after the lease.
        tracing::error!(refund_id = %id, %error, "could not record Stripe's answer to a refund");
    }
}

async fn give_up(pool: &PgPool, id: Uuid, error: &str, note: &str) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    refunds_db::mark_failed(&mut tx, id, error, note).await?;
    tx.commit().await
}

/// Sends due refunds until `stop` turns true: every few seconds, batch by batch.
pub async fn run_worker(pool: PgPool, payments: Payments, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            tracing::info!("refund worker stopped");
            return;
        }
        let pause = match send_due(&pool, &payments).await {
            Ok(tried) if tried == BATCH as usize => Duration::ZERO,
            Ok(_) => Duration::from_secs(5),
            Err(error) => {
                tracing::error!(%error, "refund worker could not read the refunds");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}
