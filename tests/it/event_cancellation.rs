//! Cancelling an event: the summary before, every order closed once after (refunds at
//! Stripe, seats and promo uses back, buyer and attendees e-mailed), resumable, never twice.

use crate::common::{FakeStripe, STRIPE_WEBHOOK_SECRET, send_webhook, session_completed};
use crate::shop::{
    assert_counters_match_rows, card_app, card_checkout, count, event_with, live_tickets, order_form, organizer,
    session_of,
};
use eventos::events::EventStatus;
use eventos::events::service as events;
use eventos::mail::outbox;
use eventos::orders::checkout::{self, CheckoutForm};
use eventos::orders::promos::{self, PromoForm};
use eventos::orders::service::Payments;
use eventos::orders::{cancel_event, refunds};
use eventos::organizations::access::OrganizationScope;
use eventos::platform::error::AppError;
use eventos::platform::state::AppState;
use eventos::server::mail::AllMail;
use sqlx::PgPool;
use uuid::Uuid;

struct Sold {
    app: axum::Router,
    state: AppState,
    scope: OrganizationScope,
    event_id: Uuid,
    slug: String,
    tier: Uuid,
}

/// An event with two paid card orders ($50 each), an unpaid pay-at-the-door order for two
/// people with a promo code, and a free order; 4 orders, $100.00 paid.
async fn sold_event(pool: &PgPool, stripe: &FakeStripe) -> Sold {
    let (app, state) = card_app(pool, stripe).await;
    let scope = organizer(pool, "o@example.com").await;
    let (slug, tiers) = event_with(pool, &scope, 100, &[("General", "50", 50), ("Community", "0", 50)]).await;
    let event_id: Uuid = sqlx::query_scalar("SELECT id FROM events").fetch_one(pool).await.unwrap();
    let promo =
        PromoForm { code: "TEAM".into(), discount_kind: "percent".into(), amount: "10".into(), ..Default::default() };
    promos::create_promo(pool, &scope, event_id, promo).await.unwrap();
    let payments = Payments::from_state(&state);
    for buyer in ["card1@example.com", "card2@example.com"] {
        let session = session_of(pool, card_checkout(pool, &state, &slug, tiers[0], buyer).await).await;
        let paid =
            send_webhook(&app, &session_completed(&format!("evt_{buyer}"), &session), STRIPE_WEBHOOK_SECRET, now())
                .await;
        assert_eq!(paid.status.as_u16(), 200, "{}", paid.body);
    }
    let door = CheckoutForm {
        promo_code: Some("TEAM".into()),
        attendee_emails: vec!["guest0@example.com".into(), "door@example.com".into()],
        ..order_form(&slug, tiers[0], 2, "door@example.com")
    };
    checkout::place_order(pool, &payments, door, None).await.unwrap();
    checkout::place_order(pool, &payments, order_form(&slug, tiers[1], 1, "free@example.com"), None).await.unwrap();
    sqlx::query("DELETE FROM outbox").execute(pool).await.unwrap();
    Sold { app, state, scope, event_id, slug, tier: tiers[0] }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[sqlx::test]
async fn cancelling_an_event_shows_what_it_will_do_then_closes_every_order_once(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let sold = sold_event(&pool, &stripe).await;
    let payments = Payments::from_state(&sold.state);

    let impact = cancel_event::cancellation_impact(&pool, &sold.scope, sold.event_id).await.unwrap();
    // Buyers of 4 orders, and guest0 (door@ bought for themself too): 5 messages.
    assert_eq!((impact.orders, impact.refund_cents, impact.emails), (4, 10_000, 5));
    assert_eq!(impact.refund, "$100.00");

    cancel_event::cancel_event(&pool, &sold.scope, sold.event_id).await.unwrap();
    let late = order_form(&sold.slug, sold.tier, 1, "late@example.com");
    assert!(checkout::place_order(&pool, &payments, late, None).await.is_err(), "nothing more can be bought");
    assert_eq!(cancel_event::run_pass(&pool, &payments).await.unwrap(), 4);
    assert_eq!(cancel_event::run_pass(&pool, &payments).await.unwrap(), 0, "a second pass finds nothing to do");

    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status IN ('pending', 'paid')").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'refunded'").await, 2);
    assert_eq!(live_tickets(&pool).await, 0);
    assert_eq!(count(&pool, "SELECT used::bigint FROM promo_codes").await, 0, "the unpaid order's promo use is back");
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'succeeded'").await, 2);
    assert_eq!(stripe.calls_to("/v1/refunds").len(), 2);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'event_cancelled'").await, impact.emails);
    assert_counters_match_rows(&pool).await;

    // The runner called it done once nothing was open.
    let progress = cancel_event::cancellation_progress(&pool, &sold.scope, sold.event_id).await.unwrap().unwrap();
    assert!(progress.finished);
    assert_eq!((progress.orders_total, progress.orders_closed, progress.refunds_pending), (4, 4, 0));
    assert_eq!(progress.refunded_at_stripe.as_deref(), Some("$100.00"));

    outbox::send_all_due(&pool, &sold.state.mailer, &AllMail).await.unwrap();
    let body = |to: &str| {
        let pool = pool.clone();
        let to = to.to_owned();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT body_text FROM outbox WHERE kind = 'event_cancelled' AND recipient = $1",
            )
            .bind(to)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert!(body("card1@example.com").await.contains("$50.00 is being refunded to your card"));
    assert!(body("door@example.com").await.contains("You have nothing to pay"));
    let guest = body("guest0@example.com").await;
    assert!(
        guest.contains("no longer admit") && !guest.contains("/orders/"),
        "an attendee sees only their ticket: {guest}"
    );
}

#[sqlx::test]
async fn an_interrupted_event_cancellation_carries_on_without_refunding_or_mailing_twice(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let sold = sold_event(&pool, &stripe).await;
    let payments = Payments::from_state(&sold.state);
    cancel_event::cancel_event(&pool, &sold.scope, sold.event_id).await.unwrap();

    // Stripe is down while the orders close: the refunds are owed, not lost.
    *stripe.fail_with.lock().unwrap() = Some(503);
    // Two runners at once (another app instance, or a restart over a live one).
    let (a, b) = tokio::join!(cancel_event::run_pass(&pool, &payments), cancel_event::run_pass(&pool, &payments));
    assert_eq!(a.unwrap() + b.unwrap(), 4, "each order is closed by one runner");
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'pending'").await, 2);

    // Stripe is back; two refund workers race for the due refunds.
    *stripe.fail_with.lock().unwrap() = None;
    sqlx::query("UPDATE refunds SET next_attempt_at = now()").execute(&pool).await.unwrap();
    let (a, b) = tokio::join!(refunds::send_due(&pool, &payments), refunds::send_due(&pool, &payments));
    assert_eq!(a.unwrap() + b.unwrap(), 2);

    assert_eq!(count(&pool, "SELECT count(*) FROM refunds").await, 2, "one refund per paid order");
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'succeeded'").await, 2);
    let mut keys: Vec<String> = stripe
        .calls_to("/v1/refunds")
        .iter()
        .filter_map(|call| call.rsplit("idempotency_key=").next().map(str::to_owned))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 2, "two refunds, each under its own key whatever the retries");
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'event_cancelled'").await, 5);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn an_event_is_cancelled_only_through_its_cancellation_and_only_once(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let sold = sold_event(&pool, &stripe).await;

    let plain = events::change_status(&pool, &sold.scope, sold.event_id, EventStatus::Cancelled).await;
    assert!(matches!(plain, Err(AppError::Conflict(_))), "{plain:?}");
    cancel_event::cancel_event(&pool, &sold.scope, sold.event_id).await.unwrap();
    let again = cancel_event::cancel_event(&pool, &sold.scope, sold.event_id).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM event_cancellations").await, 1);
}

#[sqlx::test]
async fn a_payment_arriving_after_its_event_was_cancelled_is_refunded_and_brings_no_ticket_back(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let sold = sold_event(&pool, &stripe).await;
    let payments = Payments::from_state(&sold.state);
    let slow = card_checkout(&pool, &sold.state, &sold.slug, sold.tier, "slow@example.com").await;
    let session = session_of(&pool, slow).await;
    // Its hold ends before the event is cancelled, so the runner has nothing to close for it.
    sqlx::query("UPDATE orders SET expires_at = now() - interval '1 minute' WHERE id = $1")
        .bind(slow)
        .execute(&pool)
        .await
        .unwrap();
    eventos::orders::inventory::release_all_expired_holds(&pool).await.unwrap();
    cancel_event::cancel_event(&pool, &sold.scope, sold.event_id).await.unwrap();
    cancel_event::run_pass(&pool, &payments).await.unwrap();
    let refunds_before = stripe.calls_to("/v1/refunds").len();

    let late = send_webhook(&sold.app, &session_completed("evt_late", &session), STRIPE_WEBHOOK_SECRET, now()).await;

    assert_eq!(late.status.as_u16(), 200, "{}", late.body);
    let (status, attention): (String, Option<String>) =
        sqlx::query_as("SELECT status, attention FROM orders WHERE id = $1").bind(slow).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "refunded");
    assert!(attention.is_some_and(|a| a.contains("event was cancelled")));
    assert_eq!(stripe.calls_to("/v1/refunds").len(), refunds_before + 1, "refunded at once");
    assert_eq!(live_tickets(&pool).await, 0);
    assert_counters_match_rows(&pool).await;
}
