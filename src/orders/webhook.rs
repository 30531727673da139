//! `POST /webhooks/stripe`: the only way a card payment is confirmed.

use crate::orders::PaymentMethod;
use crate::orders::payment::{self, PaymentOutcome, ProviderRefund};
use crate::orders::refunds;
use crate::orders::service::Payments;
use crate::payments::db as payments_db;
use crate::payments::stripe::WebhookEvent;
use crate::platform::error::AppError;
use crate::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;
use uuid::Uuid;

/// Answers 400 to anything unsigned or mis-signed, 200 once an event is handled (or was
/// handled before), and 500 when the database failed, so Stripe retries later.
pub async fn stripe_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(stripe) = Payments::from_state(&state).stripe else {
        return (StatusCode::NOT_FOUND, "card payments are not configured").into_response();
    };
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let event = match stripe.verify_webhook(&body, signature, chrono::Utc::now().timestamp()) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "refused a Stripe webhook");
            return (StatusCode::BAD_REQUEST, "invalid signature").into_response();
        }
    };
    match handle(&state, &event).await {
        Ok(message) => (StatusCode::OK, message).into_response(),
        Err(error) => {
            tracing::error!(%error, event_id = %event.id, "Stripe webhook failed; Stripe will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
    }
}

/// Records the event and acts on it in one transaction, so an event is marked handled
/// exactly when its effect is stored. Everything in between runs on that one connection:
/// a webhook never waits for a second one while holding the first.
async fn handle(state: &AppState, event: &WebhookEvent) -> Result<&'static str, String> {
    let mut tx = state.pool.begin().await.map_err(|e| e.to_string())?;
    let first_time = payments_db::record_payment_event(&mut tx, "stripe", &event.id, &event.kind)
        .await
        .map_err(|e| e.to_string())?;
    if !first_time {
        return Ok("already handled");
    }
    let (message, refund) = act(&mut tx, event).await.map_err(|e| e.to_string())?;
    // Recorded only once the event was acted on, so a failure above is retried by Stripe.
    tx.commit().await.map_err(|e| e.to_string())?;
    state.mailer.wake();
    if refund.is_some() {
        refunds::send_now(&state.pool, &Payments::from_state(state), refund).await;
    }
    Ok(message)
}

/// What an event did, and a refund it owes (asked of Stripe after commit).
type Acted = (&'static str, Option<Uuid>);

async fn act(tx: &mut PgConnection, event: &WebhookEvent) -> Result<Acted, String> {
    let object = &event.data.object;
    let stripe = PaymentMethod::Stripe;
    let error = |e: AppError| e.to_string();
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded"
            if object.payment_status.as_deref() == Some("paid") =>
        {
            // The webhook can beat the order's own record of its session id by a moment.
            if let Some(order_id) = object.client_reference_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()) {
                payment::adopt_payment_reference(tx, stripe, order_id, &object.id).await.map_err(error)?;
            }
            let reported = payment::Reported {
                payment_intent: object.payment_intent.as_deref(),
                amount_cents: object.amount_total,
                currency: object.currency.as_deref(),
            };
            match payment::confirm_payment_in(tx, stripe, &object.id, reported).await.map_err(error)? {
                // Not recorded as handled, so Stripe delivers it again later.
                PaymentOutcome::UnknownOrder => Err(format!("no order has session {}", object.id)),
                PaymentOutcome::RefundedEventCancelled(refund) => Ok(("refunded: the event is cancelled", refund)),
                _ => Ok(("recorded", None)),
            }
        }
        "checkout.session.expired" | "checkout.session.async_payment_failed" => {
            payment::payment_abandoned(tx, stripe, &object.id).await.map_err(error)?;
            Ok(("released", None))
        }
        "charge.refunded" => {
            let (Some(intent), Some(refunded)) = (object.payment_intent.as_deref(), object.amount_refunded) else {
                return Ok(("ignored", None));
            };
            let message = match payment::refunded_at_provider(tx, stripe, intent, refunded).await.map_err(error)? {
                ProviderRefund::UnknownPayment => "not an EventOS payment",
                _ => "recorded",
            };
            Ok((message, None))
        }
        "charge.dispute.created" | "charge.dispute.closed" => {
            let Some(intent) = object.payment_intent.as_deref() else { return Ok(("ignored", None)) };
            let dispute = payment::Dispute {
                amount_cents: object.amount,
                reason: object.reason.as_deref(),
                closed_as: (event.kind == "charge.dispute.closed")
                    .then_some(object.status.as_deref().unwrap_or("closed")),
            };
            let known = payment::payment_disputed(tx, stripe, intent, dispute).await.map_err(error)?;
            Ok((if known { "recorded" } else { "not an EventOS payment" }, None))
        }
        _ => Ok(("ignored", None)),
    }
}
