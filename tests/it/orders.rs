//! Checkout, capacity under concurrency, holds, payments and refunds, against a real PostgreSQL.

use crate::common::{FakeStripe, STRIPE_WEBHOOK_SECRET, send_webhook, session_completed};
use crate::shop::{
    assert_counters_match_rows, card_app, card_order, count, event_with, is_sold_out, live_tickets, offline,
    order_form, organizer,
};
use eventos::events::EventStatus;
use eventos::events::service as events;
use eventos::orders::checkout::{self, CheckoutForm};
use eventos::orders::manage;
use eventos::orders::promos::{self, PromoForm};
use eventos::orders::service::{self, Payments};
use eventos::orders::{OrderStatus, TicketStatus};
use eventos::platform::error::AppError;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

#[sqlx::test]
async fn bad_checkout_input_gets_a_clear_error_and_writes_nothing(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "25", 50), ("Later", "25", 50)]).await;
    let (other_slug, other_tiers) = event_with(&pool, &scope, 100, &[("Other", "25", 50)]).await;
    let other_event: Uuid =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(&other_slug).fetch_one(&pool).await.unwrap();
    promos::create_promo(
        &pool,
        &scope,
        other_event,
        PromoForm {
            code: "OTHER10".into(),
            discount_kind: "percent".into(),
            amount: "10".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // An inactive tier, and one whose sales ended.
    sqlx::query("UPDATE ticket_tiers SET is_active = false WHERE id = $1").bind(tiers[1]).execute(&pool).await.unwrap();
    let general = tiers[0];
    let expectations: Vec<(CheckoutForm, &str)> = vec![
        (
            CheckoutForm { selection: format!("{general}:-2"), ..order_form(&slug, general, 1, "b@example.com") },
            "negative",
        ),
        (
            CheckoutForm { selection: format!("{general}:100000"), ..order_form(&slug, general, 1, "b@example.com") },
            "at most",
        ),
        (order_form(&slug, general, 11, "b@example.com"), "at most 10"),
        (order_form(&slug, other_tiers[0], 1, "b@example.com"), "not part of this event"),
        (order_form(&slug, tiers[1], 1, "b@example.com"), "not on sale"),
        (order_form(&slug, general, 1, "not-an-email"), "email"),
        (
            CheckoutForm { promo_code: Some("OTHER10".into()), ..order_form(&slug, general, 1, "b@example.com") },
            "do not know",
        ),
        (CheckoutForm { attendee_names: vec![], ..order_form(&slug, general, 2, "b@example.com") }, "name"),
        (
            CheckoutForm { payment_method: Some("bitcoin".into()), ..order_form(&slug, general, 1, "b@example.com") },
            "ways to pay",
        ),
    ];
    for (form, expected) in expectations {
        let error = checkout::place_order(&pool, &offline(), form, None).await.unwrap_err();
        let text = match &error {
            AppError::Validation(fields) => fields.0.values().cloned().collect::<Vec<_>>().join(" "),
            other => other.to_string(),
        };
        assert!(text.to_lowercase().contains(expected), "expected {expected:?} in {text:?}");
    }
    sqlx::query("UPDATE ticket_tiers SET is_active = true, sales_end_at = now() - interval '1 hour', sales_start_at = now() - interval '2 hours' WHERE id = $1")
        .bind(tiers[1])
        .execute(&pool)
        .await
        .unwrap();
    let closed = checkout::place_order(&pool, &offline(), order_form(&slug, tiers[1], 1, "b@example.com"), None).await;
    assert!(closed.unwrap_err().field_message("tickets").unwrap().contains("ended"));

    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_free_order_completes_at_once_with_numbered_tickets_secrets_and_mail(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("Community", "0", 50)]).await;
    let form = CheckoutForm {
        attendee_names: vec!["Ada Lovelace".into(), "Grace Hopper".into()],
        attendee_emails: vec!["".into(), "grace@example.com".into()],
        ..order_form(&slug, tiers[0], 2, "ada@example.com")
    };

    let placed = checkout::place_order(&pool, &offline(), form, None).await.unwrap();

    let order = service::order_by_token(&pool, &placed.access_token).await.unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert!(placed.order_number.starts_with("ORD-") && order.order_number == placed.order_number);
    assert_eq!(order.tickets.len(), 2);
    for ticket in &order.tickets {
        assert_eq!(ticket.status, TicketStatus::Active);
        assert!(ticket.ticket_number.starts_with("TKT-"));
        assert!(ticket.qr_svg.as_deref().is_some_and(|svg| svg.contains("<svg")));
    }
    let secrets: Vec<String> = sqlx::query_scalar("SELECT qr_secret FROM tickets").fetch_all(&pool).await.unwrap();
    assert!(secrets.iter().all(|s| s.len() >= 27) && secrets[0] != secrets[1]);
    let mail: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, recipient FROM outbox ORDER BY kind").fetch_all(&pool).await.unwrap();
    assert_eq!(
        mail,
        vec![
            ("attendee_ticket".into(), "grace@example.com".into()),
            ("order_confirmation".into(), "ada@example.com".into())
        ]
    );
}

#[sqlx::test]
async fn a_tampered_order_link_finds_nothing(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("Community", "0", 50)]).await;
    let placed =
        checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 1, "a@example.com"), None).await.unwrap();
    let mut tampered = placed.access_token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });

    assert_eq!(service::order_by_token(&pool, &tampered).await, Err(AppError::NotFound));
    assert_eq!(service::order_by_token(&pool, "short").await, Err(AppError::NotFound));
    assert_eq!(service::order_by_token(&pool, &format!("{}'--", placed.access_token)).await, Err(AppError::NotFound));
}

#[sqlx::test]
async fn cancelling_an_order_frees_its_capacity_at_once(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("Tiny", "10", 2)]).await;
    let first =
        checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 2, "a@example.com"), None).await.unwrap();
    let refused = checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 1, "b@example.com"), None).await;
    assert!(is_sold_out(&refused.unwrap_err()));

    let outcome = manage::cancel_order(&pool, &offline(), &scope, first.order_id).await.unwrap();

    assert_eq!(outcome, OrderStatus::Cancelled, "an unpaid order is cancelled, not refunded");
    checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 2, "b@example.com"), None).await.unwrap();
    assert_counters_match_rows(&pool).await;
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'order_cancelled'").await, 1);
}

#[sqlx::test]
async fn an_offline_order_is_marked_paid_and_a_single_ticket_refund_frees_one_seat(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "30", 3)]).await;
    let placed =
        checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 3, "a@example.com"), None).await.unwrap();

    manage::mark_offline_paid(&pool, &scope, placed.order_id).await.unwrap();
    let detail = manage::order_detail(&pool, &scope, placed.order_id).await.unwrap();
    assert_eq!(detail.status, OrderStatus::Paid);
    manage::cancel_ticket(&pool, &offline(), &scope, placed.order_id, detail.tickets[0].id).await.unwrap();

    let detail = manage::order_detail(&pool, &scope, placed.order_id).await.unwrap();
    assert_eq!(detail.tickets.iter().filter(|t| t.status == TicketStatus::Refunded).count(), 1);
    assert_eq!(detail.refunded.as_deref(), Some("$30.00"));
    assert_eq!(detail.status, OrderStatus::Paid, "the rest of the order stands");
    checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 1, "b@example.com"), None).await.unwrap();
    assert_counters_match_rows(&pool).await;
    let again = manage::mark_offline_paid(&pool, &scope, placed.order_id).await;
    assert!(matches!(again, Err(AppError::Conflict(_))));
}

#[sqlx::test]
async fn another_organization_cannot_see_or_touch_an_order(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let intruder = organizer(&pool, "x@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "30", 3)]).await;
    let placed =
        checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 1, "a@example.com"), None).await.unwrap();

    assert_eq!(manage::order_detail(&pool, &intruder, placed.order_id).await, Err(AppError::NotFound));
    assert_eq!(manage::mark_offline_paid(&pool, &intruder, placed.order_id).await, Err(AppError::NotFound));
    assert_eq!(manage::cancel_order(&pool, &offline(), &intruder, placed.order_id).await, Err(AppError::NotFound));
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'pending'").await, 1);
}

// ----- Card payments through the Stripe stand-in -----

#[sqlx::test]
async fn a_card_order_is_held_until_the_signed_webhook_confirms_it_once(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;

    let reply = card_order(&app, &slug, tiers[0], "carla@example.com").await;

    assert!(reply.body.contains("https://checkout.stripe.test/pay/cs_test_1"), "{} {}", reply.status, reply.body);
    let sent = stripe.calls_to("/v1/checkout/sessions");
    assert!(sent[0].contains("unit_amount%5D=5000") && sent[0].contains("currency%5D=cad"), "{}", sent[0]);
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets WHERE status = 'reserved'").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0, "no tickets are mailed before payment");

    let now = chrono::Utc::now().timestamp();
    let payload = session_completed("evt_1", "cs_test_1");
    let forged = send_webhook(&app, &payload, "whsec_wrong", now).await;
    let stale = send_webhook(&app, &payload, STRIPE_WEBHOOK_SECRET, now - 3600).await;
    assert_eq!((forged.status.as_u16(), stale.status.as_u16()), (400, 400));
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'paid'").await, 0);

    let first = send_webhook(&app, &payload, STRIPE_WEBHOOK_SECRET, now).await;
    let replay = send_webhook(&app, &payload, STRIPE_WEBHOOK_SECRET, now).await;

    assert_eq!((first.status.as_u16(), first.body.as_str()), (200, "recorded"));
    assert_eq!((replay.status.as_u16(), replay.body.as_str()), (200, "already handled"));
    assert_eq!(
        count(&pool, "SELECT count(*) FROM orders WHERE status = 'paid' AND payment_intent = 'pi_cs_test_1'").await,
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets WHERE status = 'active'").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'order_confirmation'").await, 1, "mailed once");
    // A different event id for the same payment changes nothing either.
    let duplicate = send_webhook(&app, &session_completed("evt_2", "cs_test_1"), STRIPE_WEBHOOK_SECRET, now).await;
    assert_eq!(duplicate.status.as_u16(), 200);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 1);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn an_expired_hold_frees_its_seat_for_the_next_buyer_without_a_sweeper(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("Last seat", "50", 1)]).await;
    card_order(&app, &slug, tiers[0], "first@example.com").await;
    let blocked = card_order(&app, &slug, tiers[0], "second@example.com").await;
    assert_eq!(blocked.status.as_u16(), 409, "{}", blocked.body);
    assert!(matches!(serde_json::from_str(&blocked.body), Ok(AppError::SoldOut(_))), "{}", blocked.body);

    // The first buyer's hold runs out.
    sqlx::query("UPDATE orders SET expires_at = now() - interval '1 minute'").execute(&pool).await.unwrap();
    let second = card_order(&app, &slug, tiers[0], "second@example.com").await;

    assert!(second.body.contains("cs_test_2"), "{} {}", second.status, second.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'expired'").await, 1);
    assert_eq!(live_tickets(&pool).await, 1);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_late_payment_gets_its_seat_back_if_free_and_is_flagged_if_not(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, state) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("Pair", "50", 1)]).await;
    let now = chrono::Utc::now().timestamp();

    // Expired, seat still free: the payment wins the seat back.
    card_order(&app, &slug, tiers[0], "late@example.com").await;
    sqlx::query("UPDATE orders SET expires_at = now() - interval '1 minute'").execute(&pool).await.unwrap();
    eventos::orders::inventory::release_all_expired_holds(&pool).await.unwrap();
    let paid = send_webhook(&app, &session_completed("evt_a", "cs_test_1"), STRIPE_WEBHOOK_SECRET, now).await;
    assert_eq!(paid.status.as_u16(), 200);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'paid' AND attention IS NULL").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets WHERE status = 'active'").await, 1);

    // Refund it, let someone else take the seat, then a second late payment finds none.
    let first: Uuid = sqlx::query_scalar("SELECT id FROM orders").fetch_one(&pool).await.unwrap();
    assert_eq!(
        manage::cancel_order(&pool, &Payments::from_state(&state), &scope, first).await.unwrap(),
        OrderStatus::Refunded
    );
    assert_eq!(stripe.calls_to("/v1/refunds").len(), 1, "the card payment was refunded at Stripe");
    card_order(&app, &slug, tiers[0], "slow@example.com").await;
    sqlx::query("UPDATE orders SET expires_at = now() - interval '1 minute' WHERE status = 'pending'")
        .execute(&pool)
        .await
        .unwrap();
    eventos::orders::inventory::release_all_expired_holds(&pool).await.unwrap();
    card_order(&app, &slug, tiers[0], "quick@example.com").await;
    let slow: String =
        sqlx::query_scalar("SELECT payment_reference FROM orders WHERE buyer_email = 'slow@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let late = send_webhook(&app, &session_completed("evt_b", &slow), STRIPE_WEBHOOK_SECRET, now).await;

    assert_eq!(late.status.as_u16(), 200);
    let flagged: (String, Option<String>) =
        sqlx::query_as("SELECT status, attention FROM orders WHERE payment_reference = $1")
            .bind(&slow)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(flagged.0, "paid");
    assert!(flagged.1.is_some_and(|a| a.contains("Refund")), "the organizer is told");
    assert_eq!(live_tickets(&pool).await, 1, "never more than the one seat");
    assert_eq!(stripe.calls_to("/v1/refunds").len(), 1, "no silent refund");
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn when_stripe_is_down_the_order_is_released_and_the_buyer_told(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    *stripe.fail_with.lock().unwrap() = Some(503);
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 1)]).await;

    let reply = card_order(&app, &slug, tiers[0], "c@example.com").await;

    assert_eq!(reply.status.as_u16(), 409);
    assert!(reply.body.contains("Card payments are unavailable"));
    assert_eq!(live_tickets(&pool).await, 0);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_webhook_that_arrives_before_the_session_id_is_stored_is_retried_and_then_confirms(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    card_order(&app, &slug, tiers[0], "early@example.com").await;
    let order_id: Uuid = sqlx::query_scalar("SELECT id FROM orders").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE orders SET payment_reference = NULL").execute(&pool).await.unwrap();
    let now = chrono::Utc::now().timestamp();

    // Without the order id Stripe is told to try again, and the event is not marked handled.
    let unknown = send_webhook(&app, &session_completed("evt_x", "cs_test_1"), STRIPE_WEBHOOK_SECRET, now).await;
    assert_eq!(unknown.status.as_u16(), 500);
    assert_eq!(count(&pool, "SELECT count(*) FROM payment_events").await, 0);

    // Stripe's event carries the order id as client_reference_id.
    let payload = format!(
        r#"{{"id":"evt_x","type":"checkout.session.completed","data":{{"object":{{"id":"cs_test_1","payment_status":"paid","payment_intent":"pi_1","client_reference_id":"{order_id}"}}}}}}"#
    );
    let retried = send_webhook(&app, &payload, STRIPE_WEBHOOK_SECRET, now).await;

    assert_eq!((retried.status.as_u16(), retried.body.as_str()), (200, "recorded"));
    assert_eq!(
        count(&pool, "SELECT count(*) FROM orders WHERE status = 'paid' AND payment_reference = 'cs_test_1'").await,
        1
    );
}

#[sqlx::test]
async fn a_buyer_stuck_behind_a_locked_tier_is_asked_to_try_again_instead_of_hanging(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "0", 10)]).await;
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM ticket_tiers WHERE id = $1 FOR UPDATE")
        .bind(tiers[0])
        .execute(&mut *blocker)
        .await
        .unwrap();

    let started = std::time::Instant::now();
    let result = checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 1, "b@example.com"), None).await;

    assert!(started.elapsed() < Duration::from_secs(10), "it must not hang");
    match result {
        Err(AppError::Busy) => {}
        other => panic!("expected a try-again conflict, got {other:?}"),
    }
    blocker.rollback().await.unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 0);
}

fn constraint(error: &sqlx::Error) -> Option<&str> {
    error.as_database_error().and_then(|e| e.constraint())
}

#[sqlx::test]
async fn the_database_itself_refuses_lines_for_another_events_tier_and_deleting_sold_events(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "0", 10)]).await;
    let (_, other_tiers) = event_with(&pool, &scope, 100, &[("Other", "0", 10)]).await;
    let placed =
        checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 1, "a@example.com"), None).await.unwrap();

    let foreign_line = sqlx::query(
        "INSERT INTO order_items (order_id, tier_id, tier_name, unit_price_cents, quantity) VALUES ($1, $2, 'x', 0, 1)",
    )
    .bind(placed.order_id)
    .bind(other_tiers[0])
    .execute(&pool)
    .await
    .unwrap_err();
    assert_eq!(constraint(&foreign_line), Some("order_items_tier_of_event"));

    let event_id: Uuid = sqlx::query_scalar("SELECT event_id FROM orders").fetch_one(&pool).await.unwrap();
    let delete = sqlx::query("DELETE FROM events WHERE id = $1").bind(event_id).execute(&pool).await.unwrap_err();
    assert_eq!(constraint(&delete), Some("events_without_orders"));
    let wrong_org =
        sqlx::query("UPDATE orders SET organization_id = gen_random_uuid()").execute(&pool).await.unwrap_err();
    assert_eq!(constraint(&wrong_org), Some("orders_event_of_organization"));
    let names: Vec<String> = sqlx::query_scalar("SELECT conname::text FROM pg_constraint WHERE contype = 't'")
        .fetch_all(&pool)
        .await
        .unwrap();
    for name in [
        "order_items_tier_of_event",
        "orders_event_of_organization",
        "events_without_orders",
        "ticket_tiers_without_orders",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} is a real constraint");
    }
}

#[sqlx::test]
async fn a_held_card_order_keeps_its_event_from_going_back_to_draft(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    let event_id: Uuid = sqlx::query_scalar("SELECT id FROM events").fetch_one(&pool).await.unwrap();
    assert!(card_order(&app, &slug, tiers[0], "held@example.com").await.status.is_success());

    let refused = events::change_status(&pool, &scope, event_id, EventStatus::Draft).await;

    assert!(matches!(refused, Err(AppError::Conflict(m)) if m.contains("sold or held")));
}

#[sqlx::test]
async fn a_single_ticket_of_an_unpaid_card_order_cannot_be_cancelled(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, state) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    card_order(&app, &slug, tiers[0], "c@example.com").await;
    let (order_id, ticket_id): (Uuid, Uuid) =
        sqlx::query_as("SELECT order_id, id FROM tickets").fetch_one(&pool).await.unwrap();

    let refused = manage::cancel_ticket(&pool, &Payments::from_state(&state), &scope, order_id, ticket_id).await;

    assert!(matches!(refused, Err(AppError::Conflict(m)) if m.contains("Cancel the whole order")));
    assert_eq!(live_tickets(&pool).await, 1);
}

#[sqlx::test]
async fn cancelling_the_last_ticket_of_an_unpaid_order_gives_its_promo_use_back(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    let event_id: Uuid = sqlx::query_scalar("SELECT id FROM events").fetch_one(&pool).await.unwrap();
    let promo = PromoForm {
        code: "ONCE".into(),
        discount_kind: "percent".into(),
        amount: "10".into(),
        max_uses: Some("1".into()),
        ..Default::default()
    };
    promos::create_promo(&pool, &scope, event_id, promo).await.unwrap();
    let mut form = order_form(&slug, tiers[0], 1, "p@example.com");
    form.promo_code = Some("ONCE".into());
    let placed = checkout::place_order(&pool, &offline(), form, None).await.unwrap();
    let ticket_id: Uuid = sqlx::query_scalar("SELECT id FROM tickets").fetch_one(&pool).await.unwrap();

    manage::cancel_ticket(&pool, &offline(), &scope, placed.order_id, ticket_id).await.unwrap();

    assert_eq!(count(&pool, "SELECT used::bigint FROM promo_codes").await, 0, "the use comes back");
    let mut again = order_form(&slug, tiers[0], 1, "q@example.com");
    again.promo_code = Some("ONCE".into());
    checkout::place_order(&pool, &offline(), again, None).await.unwrap();
}

#[sqlx::test]
async fn cancelling_an_unpaid_card_order_closes_its_stripe_checkout_first(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, state) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    card_order(&app, &slug, tiers[0], "first@example.com").await;
    card_order(&app, &slug, tiers[0], "second@example.com").await;
    let orders: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT id, payment_reference FROM orders ORDER BY created_at").fetch_all(&pool).await.unwrap();
    let payments = Payments::from_state(&state);

    assert_eq!(manage::cancel_order(&pool, &payments, &scope, orders[0].0).await.unwrap(), OrderStatus::Cancelled);
    assert_eq!(stripe.calls_to(&format!("/v1/checkout/sessions/{}/expire", orders[0].1)).len(), 1);

    // The second buyer paid at Stripe a moment before the organizer clicked.
    stripe.paid_sessions.lock().unwrap().push(orders[1].1.clone());
    let refused = manage::cancel_order(&pool, &payments, &scope, orders[1].0).await;
    assert!(matches!(refused, Err(AppError::Conflict(m)) if m.contains("just paid")));
    let status: String =
        sqlx::query_scalar("SELECT status FROM orders WHERE id = $1").bind(orders[1].0).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "pending", "nothing was cancelled; the payment will arrive by webhook");
}

#[sqlx::test]
async fn a_payment_for_a_cancelled_order_never_brings_its_tickets_back(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, state) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    card_order(&app, &slug, tiers[0], "late@example.com").await;
    let (order_id, session): (Uuid, String) =
        sqlx::query_as("SELECT id, payment_reference FROM orders").fetch_one(&pool).await.unwrap();
    manage::cancel_order(&pool, &Payments::from_state(&state), &scope, order_id).await.unwrap();

    // Stripe completes the checkout anyway (a payment already in flight when it closed).
    let reply = send_webhook(
        &app,
        &session_completed("evt_late", &session),
        STRIPE_WEBHOOK_SECRET,
        chrono::Utc::now().timestamp(),
    )
    .await;

    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(live_tickets(&pool).await, 0, "the cancelled tickets stay cancelled");
    let attention: Option<String> = sqlx::query_scalar("SELECT attention FROM orders").fetch_one(&pool).await.unwrap();
    assert!(attention.unwrap().contains("Refund this order"));
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_checkout_paid_with_another_amount_or_currency_is_flagged_not_confirmed(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "50", 10)]).await;
    card_order(&app, &slug, tiers[0], "m@example.com").await;
    let session: String = sqlx::query_scalar("SELECT payment_reference FROM orders").fetch_one(&pool).await.unwrap();
    let wrong = session_completed("evt_wrong", &session)
        .replace(r#""amount_total":5000"#, r#""amount_total":5000,"currency":"usd""#);

    let reply = send_webhook(&app, &wrong, STRIPE_WEBHOOK_SECRET, chrono::Utc::now().timestamp()).await;

    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    let (status, attention): (String, Option<String>) =
        sqlx::query_as("SELECT status, attention FROM orders").fetch_one(&pool).await.unwrap();
    assert_eq!(status, "pending", "not confirmed");
    let attention = attention.unwrap();
    let reported = eventos::events::format_price(5000, "USD");
    assert!(attention.contains(&reported) && attention.contains("$50.00"), "{attention}");
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets WHERE status = 'active'").await, 0);
}
