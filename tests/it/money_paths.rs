//! Orders changed outside EventOS (refunds and disputes at Stripe), refunds that Stripe cannot
//! take right away, and webhooks that never wait on a second connection.

use crate::common::{FakeStripe, STRIPE_WEBHOOK_SECRET, send_webhook, session_completed};
use crate::shop::{
    assert_counters_match_rows, card_app, card_checkout, count, event_with, live_tickets, order_form, organizer,
    session_of,
};
use eventos::orders::checkout;
use eventos::orders::service::Payments;
use eventos::orders::{OrderStatus, manage, refunds};
use eventos::organizations::access::OrganizationScope;
use eventos::platform::state::AppState;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A shop selling $50 card tickets, and one order paid through the signed webhook; returns
/// its payment intent (`pi_` + session, as the stand-in webhook reports it).
async fn paid_card_order(
    pool: &PgPool,
    stripe: &FakeStripe,
) -> (axum::Router, AppState, OrganizationScope, Uuid, String) {
    let (app, state) = card_app(pool, stripe).await;
    let scope = organizer(pool, "o@example.com").await;
    let (slug, tiers) = event_with(pool, &scope, 100, &[("General", "50", 10)]).await;
    let order_id = card_checkout(pool, &state, &slug, tiers[0], "carla@example.com").await;
    let session = session_of(pool, order_id).await;
    let paid = webhook(&app, &session_completed("evt_paid", &session)).await;
    assert_eq!(paid, 200);
    (app, state, scope, order_id, format!("pi_{session}"))
}

async fn webhook(app: &axum::Router, payload: &str) -> u16 {
    send_webhook(app, payload, STRIPE_WEBHOOK_SECRET, chrono::Utc::now().timestamp()).await.status.as_u16()
}

fn charge_refunded(event_id: &str, intent: &str, refunded: i64) -> String {
    format!(
        r#"{{"id":"{event_id}","type":"charge.refunded","data":{{"object":{{"id":"ch_1","payment_intent":"{intent}","amount":5000,"amount_refunded":{refunded},"currency":"cad"}}}}}}"#
    )
}

fn dispute(event_id: &str, kind: &str, intent: &str, status: &str) -> String {
    format!(
        r#"{{"id":"{event_id}","type":"{kind}","data":{{"object":{{"id":"dp_1","charge":"ch_1","payment_intent":"{intent}","amount":5000,"currency":"cad","reason":"product_not_received","status":"{status}"}}}}}}"#
    )
}

async fn order_state(pool: &PgPool, order_id: Uuid) -> (String, i64, Option<String>) {
    sqlx::query_as("SELECT status, refunded_cents, attention FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_full_refund_made_at_stripe_voids_the_tickets_and_frees_the_seats_once(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _, _, order_id, intent) = paid_card_order(&pool, &stripe).await;
    assert_eq!(live_tickets(&pool).await, 1);

    assert_eq!(webhook(&app, &charge_refunded("evt_r1", &intent, 5000)).await, 200);
    // Redelivered, and reported again under another event id: nothing changes twice.
    assert_eq!(webhook(&app, &charge_refunded("evt_r1", &intent, 5000)).await, 200);
    assert_eq!(webhook(&app, &charge_refunded("evt_r2", &intent, 5000)).await, 200);

    assert_eq!(order_state(&pool, order_id).await, ("refunded".into(), 5000, None));
    assert_eq!(live_tickets(&pool).await, 0, "its ticket no longer admits");
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE origin = 'provider'").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'order_cancelled'").await, 1);
    assert!(stripe.calls_to("/v1/refunds").is_empty(), "Stripe already refunded it");
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_partial_refund_at_stripe_is_recorded_as_an_amount_and_the_ticket_stays_valid(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _, _, order_id, intent) = paid_card_order(&pool, &stripe).await;

    assert_eq!(webhook(&app, &charge_refunded("evt_r1", &intent, 2000)).await, 200);

    assert_eq!(order_state(&pool, order_id).await, ("paid".into(), 2000, None));
    assert_eq!(live_tickets(&pool).await, 1);

    // The rest refunded later: Stripe reports the running total.
    assert_eq!(webhook(&app, &charge_refunded("evt_r2", &intent, 5000)).await, 200);
    assert_eq!(order_state(&pool, order_id).await, ("refunded".into(), 5000, None));
    assert_eq!(count(&pool, "SELECT sum(amount_cents)::bigint FROM refunds").await, 5000);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_refund_eventos_asked_for_is_not_counted_again_when_stripe_reports_it(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, state, scope, order_id, intent) = paid_card_order(&pool, &stripe).await;

    let outcome = manage::cancel_order(&pool, &Payments::from_state(&state), &scope, order_id).await.unwrap();
    assert_eq!(outcome, OrderStatus::Refunded);
    assert_eq!(webhook(&app, &charge_refunded("evt_r1", &intent, 5000)).await, 200);

    assert_eq!(order_state(&pool, order_id).await, ("refunded".into(), 5000, None));
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'succeeded'").await, 1);
    assert_eq!(stripe.calls_to("/v1/refunds").len(), 1);
}

#[sqlx::test]
async fn a_dispute_flags_the_order_on_the_organizers_list_until_it_is_won(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _, scope, order_id, intent) = paid_card_order(&pool, &stripe).await;
    let event_id: Uuid = sqlx::query_scalar("SELECT id FROM events").fetch_one(&pool).await.unwrap();

    assert_eq!(webhook(&app, &dispute("evt_d1", "charge.dispute.created", &intent, "needs_response")).await, 200);

    let list = manage::event_orders(&pool, &scope, event_id, None, None).await.unwrap();
    let flagged = list.orders[0].attention.clone().expect("needs attention");
    assert!(flagged.contains("disputes") && flagged.contains("product not received"), "{flagged}");

    assert_eq!(webhook(&app, &dispute("evt_d2", "charge.dispute.closed", &intent, "won")).await, 200);
    assert_eq!(order_state(&pool, order_id).await.2, None, "a won dispute needs nothing more");

    assert_eq!(webhook(&app, &dispute("evt_d3", "charge.dispute.created", &intent, "needs_response")).await, 200);
    assert_eq!(webhook(&app, &dispute("evt_d4", "charge.dispute.closed", &intent, "lost")).await, 200);
    let lost = order_state(&pool, order_id).await.2.expect("still flagged");
    assert!(lost.contains("lost"), "{lost}");
}

#[sqlx::test]
async fn a_refund_stripe_cannot_take_now_is_kept_and_sent_later_with_the_same_key(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (_, state, scope, order_id, _) = paid_card_order(&pool, &stripe).await;
    let payments = Payments::from_state(&state);
    *stripe.fail_with.lock().unwrap() = Some(503);

    let outcome = manage::cancel_order(&pool, &payments, &scope, order_id).await.unwrap();

    // Decided and recorded: the ticket is void at once, the money is owed.
    assert_eq!(outcome, OrderStatus::Refunded);
    assert_eq!(live_tickets(&pool).await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'pending'").await, 1);
    let detail = manage::order_detail(&pool, &scope, order_id).await.unwrap();
    assert!(detail.refunds[0].starts_with("$50.00 to the card: waiting for Stripe"), "{:?}", detail.refunds);
    // Nothing is due before its back-off; then Stripe is back and the worker sends it.
    assert_eq!(refunds::send_due(&pool, &payments).await.unwrap(), 0);
    *stripe.fail_with.lock().unwrap() = None;
    sqlx::query("UPDATE refunds SET next_attempt_at = now()").execute(&pool).await.unwrap();
    assert_eq!(refunds::send_due(&pool, &payments).await.unwrap(), 1);

    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'succeeded'").await, 1);
    let detail = manage::order_detail(&pool, &scope, order_id).await.unwrap();
    assert_eq!(detail.refunds, vec!["$50.00 refunded to the card".to_owned()]);
    let calls = stripe.calls_to("/v1/refunds");
    assert_eq!(calls.len(), 2);
    let key = |call: &str| call.rsplit("idempotency_key=").next().unwrap().to_owned();
    assert_eq!(key(&calls[0]), key(&calls[1]), "the retry cannot refund twice");
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_refund_stripe_refuses_is_put_before_the_organizer(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (_, state, scope, order_id, _) = paid_card_order(&pool, &stripe).await;
    *stripe.fail_with.lock().unwrap() = Some(400);

    manage::cancel_order(&pool, &Payments::from_state(&state), &scope, order_id).await.unwrap();

    assert_eq!(count(&pool, "SELECT count(*) FROM refunds WHERE status = 'failed'").await, 1);
    let note = order_state(&pool, order_id).await.2.expect("needs attention");
    assert!(note.contains("Stripe did not refund $50.00"), "{note}");
}

#[sqlx::test]
async fn sixty_signed_webhooks_at_once_against_a_pool_of_twenty_all_succeed_within_five_seconds(pool: PgPool) {
    let narrow = sqlx::postgres::PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .unwrap();
    let stripe = FakeStripe::start().await;
    let (app, state) = card_app(&narrow, &stripe).await;
    let scope = organizer(&narrow, "o@example.com").await;
    let (slug, tiers) = event_with(&narrow, &scope, 100, &[("General", "50", 60)]).await;
    let mut sessions = Vec::new();
    for n in 0..60 {
        let order_id = card_checkout(&narrow, &state, &slug, tiers[0], &format!("b{n}@example.com")).await;
        sessions.push(session_of(&narrow, order_id).await);
    }

    let started = Instant::now();
    let deliveries: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(n, session)| {
            let (app, payload) = (app.clone(), session_completed(&format!("evt_{n}"), session));
            tokio::spawn(async move { webhook(&app, &payload).await })
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap(), 200);
    }
    let took = started.elapsed();

    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(count(&narrow, "SELECT count(*) FROM orders WHERE status = 'paid'").await, 60);
    assert_eq!(count(&narrow, "SELECT count(*) FROM payment_events").await, 60);
}

#[sqlx::test]
async fn a_stuck_statement_is_cut_off_after_thirty_seconds(pool: PgPool) {
    let options = eventos::server::startup::with_statement_timeout(pool.connect_options().as_ref().clone());
    let app_pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(options).await.unwrap();

    let timeout: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&app_pool).await.unwrap();

    assert_eq!(timeout, "30s");
}

#[sqlx::test]
async fn every_organizer_and_payment_path_works_on_a_pool_of_one_connection(pool: PgPool) {
    // A path that held a transaction and asked the pool for a second connection would wait
    // for itself here until the acquire timeout.
    let stripe = FakeStripe::start().await;
    let (_, _, scope, paid_order, _) = paid_card_order(&pool, &stripe).await;
    let one = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .unwrap();
    let (app, state) = card_app(&one, &stripe).await;
    let payments = Payments::from_state(&state);
    let (event_id, tier_id): (Uuid, Uuid) =
        sqlx::query_as("SELECT event_id, id FROM ticket_tiers").fetch_one(&one).await.unwrap();
    let slug: String = sqlx::query_scalar("SELECT slug FROM events").fetch_one(&one).await.unwrap();

    let tier = eventos::events::tiers::TierForm {
        name: "General admission".into(),
        price: "50".into(),
        capacity: "20".into(),
        ..Default::default()
    };
    eventos::events::tiers::update_tier(&one, &scope, tier_id, tier).await.unwrap();
    let door = checkout::place_order(&one, &payments, order_form(&slug, tier_id, 2, "door@example.com"), None)
        .await
        .unwrap()
        .order_id;
    manage::mark_offline_paid(&one, &scope, door).await.unwrap();
    let ticket: Uuid = sqlx::query_scalar("SELECT id FROM tickets WHERE order_id = $1 LIMIT 1")
        .bind(door)
        .fetch_one(&one)
        .await
        .unwrap();
    manage::cancel_ticket(&one, &payments, &scope, door, ticket).await.unwrap();
    let card = card_checkout(&one, &state, &slug, tier_id, "late@example.com").await;
    let session = session_of(&one, card).await;
    assert_eq!(webhook(&app, &session_completed("evt_one", &session)).await, 200);
    assert_eq!(webhook(&app, &charge_refunded("evt_one_r", &format!("pi_{session}"), 1000)).await, 200);
    manage::cancel_order(&one, &payments, &scope, paid_order).await.unwrap();
    eventos::orders::cancel_event::cancel_event(&one, &scope, event_id).await.unwrap();
    eventos::orders::cancel_event::run_pass(&one, &payments).await.unwrap();
    refunds::send_due(&one, &payments).await.unwrap();
    eventos::mail::outbox::send_all_due(&one, &state.mailer, &eventos::server::mail::AllMail).await.unwrap();

    assert_eq!(count(&one, "SELECT count(*) FROM orders WHERE status IN ('pending', 'paid')").await, 0);
    assert_eq!(count(&one, "SELECT count(*) FROM outbox WHERE status <> 'sent'").await, 0);
    assert_counters_match_rows(&one).await;
}
