//! Races: many buyers at once over a pool of `RACE_CONNECTIONS` on a multi-threaded runtime,
//! each test proving the database saw the concurrency. They open more connections than the
//! other tests, so `scripts/test` runs them on their own, one at a time (`races::`).

use crate::common::FakeStripe;
use crate::door_lane;
use crate::shop::{
    assert_counters_match_rows, card_app, card_order, count, event_with, finished, live_tickets, on_a_wide_pool,
    order_form, organizer, race, winners,
};
use eventos::checkin::ScanOutcome;
use eventos::checkin::service as checkin_service;
use eventos::orders::checkout::CheckoutForm;
use eventos::orders::promos::{self, PromoForm};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
async fn two_hundred_concurrent_buyers_get_exactly_the_fifty_tickets_of_a_tier(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 500, &[("General", "0", 50)]).await;

    let forms = (0..200).map(|i| order_form(&slug, tiers[0], 1, &format!("buyer{i}@example.com"))).collect();
    let outcomes = race(&pool, forms).await;

    assert_eq!(winners(&outcomes), 50);
    assert_eq!(live_tickets(&pool).await, 50);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 50, "losers write nothing");
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn the_event_wide_cap_holds_across_tiers_under_concurrency(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 30, &[("A", "0", 25), ("B", "0", 25)]).await;

    let forms = (0..200).map(|i| order_form(&slug, tiers[i % 2], 1 + i % 2, &format!("b{i}@example.com"))).collect();
    winners(&race(&pool, forms).await);

    let sold = live_tickets(&pool).await;
    assert!(sold <= 30, "oversold: {sold} of 30");
    assert!(sold >= 29, "the event should sell out (a 2-ticket order may not fit the last seat): {sold}");
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_promo_code_limit_holds_under_concurrency_and_discounts_correctly(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 500, &[("General", "40", 200)]).await;
    let event_id: Uuid = sqlx::query_scalar("SELECT id FROM events").fetch_one(&pool).await.unwrap();
    let promo = PromoForm {
        code: "early-bird".into(),
        discount_kind: "percent".into(),
        amount: "25".into(),
        max_uses: Some("5".into()),
        ..Default::default()
    };
    promos::create_promo(&pool, &scope, event_id, promo).await.unwrap();

    let forms = (0..120)
        .map(|i| CheckoutForm {
            promo_code: Some("EARLY-BIRD".into()),
            ..order_form(&slug, tiers[0], 2, &format!("p{i}@example.com"))
        })
        .collect();
    let outcomes = race(&pool, forms).await;
    let mut refused = 0;
    for outcome in outcomes {
        if let Err(error) = outcome {
            assert_eq!(
                error.field_message("promo_code").as_deref().map(|m| m.contains("used up")),
                Some(true),
                "{error:?}"
            );
            refused += 1;
        }
    }

    assert_eq!(refused, 115);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE promo_code_id IS NOT NULL").await, 5);
    assert_eq!(count(&pool, "SELECT used::bigint FROM promo_codes").await, 5);
    // 2 × $40 less 25% = $60.00, split over the two tickets.
    assert_eq!(count(&pool, "SELECT DISTINCT total_cents FROM orders").await, 6_000);
    assert_eq!(count(&pool, "SELECT sum(price_cents)::bigint FROM tickets").await, 5 * 6_000);
}

#[sqlx::test]
async fn two_hundred_buyers_racing_for_a_seat_freed_by_an_expired_hold_leave_one_winner(pool: PgPool) {
    let stripe = FakeStripe::start().await;
    let (app, _) = card_app(&pool, &stripe).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("Last seat", "50", 1)]).await;
    card_order(&app, &slug, tiers[0], "holder@example.com").await;
    sqlx::query("UPDATE orders SET expires_at = now() - interval '1 minute'").execute(&pool).await.unwrap();

    let forms = (0..200).map(|i| order_form(&slug, tiers[0], 1, &format!("r{i}@example.com"))).collect();

    assert_eq!(winners(&race(&pool, forms).await), 1);
    assert_eq!(live_tickets(&pool).await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'expired'").await, 1);
    assert_counters_match_rows(&pool).await;
}

#[sqlx::test]
async fn a_hundred_phones_scanning_one_ticket_at_the_same_instant_get_one_welcome(pool: PgPool) {
    let door = crate::checkin::door(&pool).await;
    let secret = crate::checkin::tickets(&pool, &door.slug, door.tiers[0], 1, "bea@example.com").await.remove(0);
    let (scope, list) = (door.scope.clone(), door.default_list);

    let (verdicts, peak) = on_a_wide_pool(&pool, move |wide| async move {
        let phones: Vec<_> = (0..100)
            .map(|_| {
                let (wide, scope, attempt) = (wide.clone(), scope.clone(), crate::checkin::attempt(list, &secret));
                tokio::spawn(async move {
                    checkin_service::scan(&wide, scope.user_id, scope.event_id, attempt).await.unwrap()
                })
            })
            .collect();
        finished(phones).await
    })
    .await;

    // A scan is two short statements, so fewer overlap than checkouts do; ten at once is a race.
    assert!(peak >= 10, "only {peak} scans ran at once");
    let welcomed = verdicts.iter().filter(|v| v.outcome == ScanOutcome::Admitted).count();
    let turned_away = verdicts.iter().filter(|v| v.outcome == ScanOutcome::AlreadyAdmitted).count();
    assert_eq!((welcomed, turned_away), (1, 99));
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 100);
}

#[sqlx::test]
async fn four_phones_on_two_servers_lanes_scanning_fifty_tickets_get_one_welcome_per_ticket(pool: PgPool) {
    let door = crate::checkin::door(&pool).await;
    let mut secrets = Vec::new();
    for buyer in 0..5 {
        let email = format!("buyer{buyer}@example.com");
        secrets.extend(crate::checkin::tickets(&pool, &door.slug, door.tiers[0], 10, &email).await);
    }
    let (scope, list) = (door.scope.clone(), door.default_list);

    let (verdicts, peak) = on_a_wide_pool(&pool, move |wide| async move {
        // Two servers, each with its own lane: their sets run side by side.
        let lanes = [door_lane::lane(&wide), door_lane::lane(&wide)];
        let mut sessions = Vec::new();
        for _ in 0..4 {
            sessions.push(std::sync::Arc::new(door_lane::logged_in(&wide, scope.user_id).await));
        }
        // Each ticket is scanned by four phones, two on each server.
        let phones: Vec<_> = (0..4)
            .flat_map(|phone| secrets.iter().map(move |secret| (phone, secret.clone())))
            .map(|(phone, secret)| {
                let (wide, lane, scope) = (wide.clone(), lanes[phone % 2].clone(), scope.clone());
                let session = sessions[phone].clone();
                tokio::spawn(async move {
                    let attempt = crate::checkin::attempt(list, &secret);
                    let verdict = checkin_service::scan_in_lane(&lane, &wide, &session, scope.event_id, attempt);
                    (secret, verdict.await.unwrap())
                })
            })
            .collect();
        finished(phones).await
    })
    .await;

    // Two statements at once is a race between the servers' sets.
    assert!(peak >= 2, "only {peak} statements ran at once");
    let mut welcomes = std::collections::HashMap::<String, usize>::new();
    for (secret, verdict) in &verdicts {
        match verdict.outcome {
            ScanOutcome::Admitted => *welcomes.entry(secret.clone()).or_default() += 1,
            ScanOutcome::AlreadyAdmitted => {}
            other => panic!("{other:?} for a valid ticket"),
        }
    }
    assert_eq!(welcomes.len(), 50);
    assert!(welcomes.values().all(|&n| n == 1), "a ticket welcomed twice: {welcomes:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 50);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 200);
}
