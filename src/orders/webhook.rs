//! `POST /webhooks/stripe`: the only way a card payment is confirmed.

use crate::orders::PaymentMethod;
use crate::orders::payment::{self, PaymentOutcome};
use crate::orders::service::Payments;
use crate::payments::db as payments_db;
use crate::payments::stripe::WebhookEvent;
use crate::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

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

async fn handle(state: &AppState, event: &WebhookEvent) -> Result<&'static str, String> {
    let pool = &state.pool;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let first_time = payments_db::record_payment_event(&mut tx, "stripe", &event.id, &event.kind)
        .await
        .map_err(|e| e.to_string())?;
    if !first_time {
        return Ok("already handled");
    }
    let session = &event.data.object;
    let result = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded"
            if session.payment_status.as_deref() == Some("paid") =>
        {
            // The webhook can beat the order's own record of its session id by a moment.
            if let Some(order_id) = session.client_reference_id.as_deref().and_then(|id| uuid::Uuid::parse_str(id).ok())
            {
                payment::adopt_payment_reference(pool, PaymentMethod::Stripe, order_id, &session.id)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let reported = payment::Reported {
                payment_intent: session.payment_intent.as_deref(),
                amount_cents: session.amount_total,
                currency: session.currency.as_deref(),
            };
            match payment::confirm_payment(pool, PaymentMethod::Stripe, &session.id, reported).await {
                // Not recorded as handled, so Stripe delivers it again later.
                Ok(PaymentOutcome::UnknownOrder) => return Err(format!("no order has session {}", session.id)),
                other => other.map(|_| "recorded"),
            }
        }
        "checkout.session.expired" | "checkout.session.async_payment_failed" => {
            payment::payment_abandoned(pool, PaymentMethod::Stripe, &session.id).await.map(|()| "released")
        }
        _ => Ok("ignored"),
    };
    let message = result.map_err(|e| e.to_string())?;
    // Recorded only once the event was acted on, so a failure above is retried by Stripe.
    tx.commit().await.map_err(|e| e.to_string())?;
    state.mailer.wake();
    Ok(message)
}
