//! The dashboard's figures, exact: the rollups after a mixed day at the box office (sales of
//! two tiers, an unpaid order cancelled, a whole order and a single ticket refunded, a
//! payment dated days earlier, people admitted at the door) equal a recount from the raw
//! rows, and the overview's windows, revenue and "needs attention" on known fixtures.

use crate::shop::{
    assert_rollups_match_recount, event_with, offline, order_form, organizer, sold_in_rollup, summit_form,
};
use chrono::{Duration, Utc};
use eventos::checkin::TicketCode;
use eventos::checkin::service::{self as door, Attempt, Target};
use eventos::events::service as events;
use eventos::insights::{AttentionKind, service as insights};
use eventos::orders::{checkout, manage};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
async fn after_sales_refunds_cancellations_and_check_ins_every_rollup_equals_a_recount(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 200, &[("General", "25", 100), ("VIP", "100", 20)]).await;
    let event_id: Uuid =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(&slug).fetch_one(&pool).await.unwrap();
    let payments = offline();

    // Five orders of two tickets, paid: General, VIP, General, General, VIP.
    let mut paid = Vec::new();
    for (n, tier) in [tiers[0], tiers[1], tiers[0], tiers[0], tiers[1]].into_iter().enumerate() {
        let form = order_form(&slug, tier, 2, &format!("buyer{n}@example.com"));
        let placed = checkout::place_order(&pool, &payments, form, None).await.unwrap();
        manage::mark_offline_paid(&pool, &scope, placed.order_id).await.unwrap();
        paid.push(placed.order_id);
    }
    // An unpaid order, cancelled: never a sale.
    let unpaid = checkout::place_order(&pool, &payments, order_form(&slug, tiers[0], 1, "late@example.com"), None)
        .await
        .unwrap();
    manage::cancel_order(&pool, &payments, &scope, unpaid.order_id).await.unwrap();
    // The first VIP order refunded whole; one ticket of the second General order.
    manage::cancel_order(&pool, &payments, &scope, paid[1]).await.unwrap();
    let tickets_of = |order: Uuid| {
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM tickets WHERE order_id = $1 ORDER BY id")
            .bind(order)
            .fetch_all(&pool)
    };
    let refunded_ticket = tickets_of(paid[2]).await.unwrap()[0];
    manage::cancel_ticket(&pool, &payments, &scope, paid[2], refunded_ticket).await.unwrap();
    // The third General order was paid three days earlier than recorded.
    sqlx::query("UPDATE orders SET paid_at = paid_at - interval '3 days' WHERE id = $1")
        .bind(paid[3])
        .execute(&pool)
        .await
        .unwrap();
    // Both guests of the first order, and one of the last VIP order, come in.
    let list_id: Uuid = sqlx::query_scalar("SELECT id FROM checkin_lists WHERE event_id = $1 AND is_default")
        .bind(event_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut guests = tickets_of(paid[0]).await.unwrap();
    guests.push(tickets_of(paid[4]).await.unwrap()[0]);
    for ticket in guests {
        let attempt = Attempt {
            list_id,
            target: Target::Ticket(ticket),
            nonce: Uuid::new_v4(),
            device: "Door 1".into(),
            client_time: None,
            collect: false,
            offline: None,
        };
        let verdict = door::scan(&pool, scope.user_id, event_id, attempt).await.unwrap();
        assert_eq!(verdict.outcome, eventos::checkin::ScanOutcome::Admitted);
    }
    // A code nobody sold changes nothing.
    let stranger = Attempt {
        list_id,
        target: Target::Code(TicketCode::Secret("not-a-ticket-secret-at-all".into())),
        nonce: Uuid::new_v4(),
        device: "Door 1".into(),
        client_time: None,
        collect: false,
        offline: None,
    };
    door::scan(&pool, scope.user_id, event_id, stranger).await.unwrap();

    assert_rollups_match_recount(&pool).await;
    // 10 tickets sold, 2 refunded with their order and 1 alone: 7 left, 5 × $25 + 2 × $100.
    let (tickets, cents) = sold_in_rollup(&pool, event_id).await;
    assert_eq!((tickets, cents), (7, 32_500));
    let (orders, gross, refunded, days): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT sum(orders)::bigint, sum(gross_cents)::bigint, sum(refunded_cents)::bigint,
                count(DISTINCT day) FILTER (WHERE orders <> 0)
           FROM order_sales_daily WHERE event_id = $1",
    )
    .bind(event_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((orders, gross, refunded, days), (5, 55_000, 22_500, 2), "the unpaid order is no sale");
    let sold: i32 = sqlx::query_scalar("SELECT sold FROM event_inventory WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sold, 7, "a check-in changes no sales figure");
}

/// Sets an order's payment `days` back from now.
async fn paid_days_ago(pool: &PgPool, order_id: Uuid, days: i32) {
    sqlx::query("UPDATE orders SET paid_at = now() - make_interval(days => $2) WHERE id = $1")
        .bind(order_id)
        .bind(days)
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test]
async fn the_overview_compares_the_last_30_days_with_the_30_before_and_lists_what_needs_the_organizer(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "25", 100)]).await;
    let payments = offline();
    let mut orders = Vec::new();
    for (n, quantity) in [2, 1, 4].into_iter().enumerate() {
        let form = order_form(&slug, tiers[0], quantity, &format!("buyer{n}@example.com"));
        let placed = checkout::place_order(&pool, &payments, form, None).await.unwrap();
        manage::mark_offline_paid(&pool, &scope, placed.order_id).await.unwrap();
        orders.push(placed.order_id);
    }
    paid_days_ago(&pool, orders[0], 3).await; // this window
    paid_days_ago(&pool, orders[1], 40).await; // the window before
    paid_days_ago(&pool, orders[2], 70).await; // neither
    // An invoice due within the day, and a draft that starts in three days.
    let unpaid = checkout::place_order(&pool, &payments, order_form(&slug, tiers[0], 1, "late@example.com"), None)
        .await
        .unwrap();
    let due = (Utc::now() + Duration::hours(20)).with_timezone(&chrono_tz::America::Toronto);
    manage::extend_payment_deadline(&pool, &scope, unpaid.order_id, &due.format("%Y-%m-%dT%H:%M").to_string())
        .await
        .unwrap();
    let soon = (Utc::now() + Duration::days(3)).with_timezone(&chrono_tz::America::Toronto).format("%Y-%m-%d");
    let draft = events::EventForm {
        name: "Board Offsite".into(),
        start_local: format!("{soon}T09:00"),
        end_local: format!("{soon}T17:00"),
        ..summit_form(40)
    };
    events::create_event(&pool, &scope, draft).await.unwrap();

    let overview = insights::overview(&pool, &scope).await.unwrap();

    assert_eq!((overview.tickets, overview.tickets_previous), (2, 1));
    assert_eq!(overview.tickets_change, "+100 %");
    let cad = overview.revenue.iter().find(|r| r.currency == "CAD").expect("revenue in CAD");
    assert_eq!((cad.amount.as_str(), cad.previous.as_str(), cad.change.as_str()), ("$50.00", "$25.00", "+100 %"));
    assert_eq!(overview.daily_tickets.len(), 30);
    assert_eq!(overview.daily_tickets.iter().map(|d| d.value).sum::<i64>(), 2);
    assert_eq!(overview.daily_tickets[26].value, 2, "three days ago is the fourth bar from the end");
    assert_eq!(overview.upcoming_events, 2);
    assert_eq!(overview.checkin_today, None, "no event happens today");
    let kinds: Vec<AttentionKind> = overview.attention.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AttentionKind::OfflineDeadline, AttentionKind::DraftStartingSoon]);
    assert!(overview.attention[1].text.starts_with("Board Offsite starts"), "{}", overview.attention[1].text);
    // All 7 paid tickets count towards the event's revenue, whatever the window.
    assert_eq!(overview.revenue_by_event.len(), 1);
    assert_eq!(overview.revenue_by_event[0].cents, 17_500);
}
