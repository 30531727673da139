//! What the organizer dashboard stands on: daily sales rollups kept by the transactions that
//! change sales (exact on known fixtures, on the event's local day across midnight and a
//! daylight-saving change), milestone and attention notifications sent once, the audit
//! trail naming who changed what, and page views counted in batches.

use crate::common::{app_with, get, send, sign_up};
use crate::shop::{
    assert_rollups_match_recount, count, event_with, offline, order_form, organizer, sold_in_rollup, summit_form,
};
use axum::body::Body;
use axum::http::{Request, header};
use eventos::events::service::{self as events, EventForm};
use eventos::events::tiers::{self, TierForm};
use eventos::insights::service;
use eventos::notifications::db as inbox;
use eventos::orders::{checkout, manage};
use eventos::organizations::Role;
use eventos::organizations::access::OrganizationScope;
use eventos::organizations::access::scope_for;
use eventos::platform::error::AppError;
use eventos::platform::page_views::{PageViews, Visit};
use sqlx::PgPool;
use uuid::Uuid;

/// A paid order of `quantity` tickets of `tier`: placed to be paid at the door, then marked
/// paid by the organizer.
async fn paid_order(pool: &PgPool, scope: &OrganizationScope, slug: &str, tier: Uuid, quantity: usize) -> Uuid {
    let placed = checkout::place_order(pool, &offline(), order_form(slug, tier, quantity, "bea@example.com"), None)
        .await
        .unwrap();
    manage::mark_offline_paid(pool, scope, placed.order_id).await.unwrap();
    placed.order_id
}

/// Moves an order's payment to `at` (RFC 3339), as if it had been paid then.
async fn paid_at(pool: &PgPool, order_id: Uuid, at: &str) {
    sqlx::query("UPDATE orders SET paid_at = $2::timestamptz WHERE id = $1")
        .bind(order_id)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
}

async fn event_of(pool: &PgPool, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(slug).fetch_one(pool).await.unwrap()
}

/// `(day, tickets, cents)` of the tier rollup for an event, by day.
async fn tier_days(pool: &PgPool, event_id: Uuid) -> Vec<(String, i32, i64)> {
    sqlx::query_as(
        "SELECT day::text, sum(tickets)::int, sum(ticket_cents)::bigint FROM tier_sales_daily
          WHERE event_id = $1 GROUP BY day HAVING sum(tickets) <> 0 ORDER BY day",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// `(day, orders, gross, refunded)` of the order rollup for an event, by day.
async fn order_days(pool: &PgPool, event_id: Uuid) -> Vec<(String, i32, i64, i64)> {
    sqlx::query_as(
        "SELECT day::text, orders, gross_cents, refunded_cents FROM order_sales_daily
          WHERE event_id = $1 AND orders <> 0 ORDER BY day",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_sale_counts_on_the_events_local_day_not_the_servers(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "25", 50), ("VIP", "100", 10)]).await;
    let event_id = event_of(&pool, &slug).await;
    let late_evening = paid_order(&pool, &scope, &slug, tiers[0], 2).await;
    let next_morning = paid_order(&pool, &scope, &slug, tiers[1], 1).await;
    // 22:30 in Toronto on the 22nd is already the 23rd in UTC.
    paid_at(&pool, late_evening, "2026-11-23T03:30:00Z").await;
    paid_at(&pool, next_morning, "2026-11-23T14:00:00Z").await;

    assert_eq!(
        tier_days(&pool, event_id).await,
        vec![("2026-11-22".to_owned(), 2, 5000), ("2026-11-23".to_owned(), 1, 10000)]
    );
    assert_eq!(
        order_days(&pool, event_id).await,
        vec![("2026-11-22".to_owned(), 1, 5000, 0), ("2026-11-23".to_owned(), 1, 10000, 0)]
    );
    assert_rollups_match_recount(&pool).await;
}

#[sqlx::test]
async fn days_follow_the_clock_change_and_move_when_the_time_zone_does(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "10", 50)]).await;
    let event_id = event_of(&pool, &slug).await;
    // Toronto leaves daylight time at 06:00 UTC on 1 November 2026: midnight is 04:00 UTC
    // before the change and 05:00 UTC after it.
    for at in ["2026-11-01T03:59:00Z", "2026-11-01T04:00:00Z", "2026-11-02T04:30:00Z", "2026-11-02T05:00:00Z"] {
        let order = paid_order(&pool, &scope, &slug, tiers[0], 1).await;
        paid_at(&pool, order, at).await;
    }
    assert_eq!(
        tier_days(&pool, event_id).await,
        vec![
            ("2026-10-31".to_owned(), 1, 1000),
            ("2026-11-01".to_owned(), 2, 2000),
            ("2026-11-02".to_owned(), 1, 1000)
        ]
    );

    // The organizer moves the event to London: its sales move to London's days.
    let form = EventForm { timezone: Some("Europe/London".into()), ..summit_form(100) };
    events::update_event(&pool, &scope, event_id, form).await.unwrap();
    assert_eq!(
        tier_days(&pool, event_id).await,
        vec![("2026-11-01".to_owned(), 2, 2000), ("2026-11-02".to_owned(), 2, 2000)]
    );
    assert_rollups_match_recount(&pool).await;
}

#[sqlx::test]
async fn refunds_and_cancellations_take_their_sales_back_out(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "40", 50)]).await;
    let event_id = event_of(&pool, &slug).await;
    let kept = paid_order(&pool, &scope, &slug, tiers[0], 3).await;
    let cancelled = paid_order(&pool, &scope, &slug, tiers[0], 2).await;
    let unpaid = checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 4, "u@example.com"), None)
        .await
        .unwrap()
        .order_id;
    let one_ticket: Uuid = sqlx::query_scalar("SELECT id FROM tickets WHERE order_id = $1 LIMIT 1")
        .bind(kept)
        .fetch_one(&pool)
        .await
        .unwrap();

    manage::cancel_ticket(&pool, &offline(), &scope, kept, one_ticket).await.unwrap();
    manage::cancel_order(&pool, &offline(), &scope, cancelled).await.unwrap();
    manage::cancel_order(&pool, &offline(), &scope, unpaid).await.unwrap();

    let (tickets, cents) = sold_in_rollup(&pool, event_id).await;
    assert_eq!((tickets, cents), (2, 8000), "two of the five paid tickets still count");
    let (orders, gross, refunded): (i64, i64, i64) = sqlx::query_as(
        "SELECT sum(orders)::bigint, sum(gross_cents)::bigint, sum(refunded_cents)::bigint
           FROM order_sales_daily WHERE event_id = $1",
    )
    .bind(event_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((orders, gross, refunded), (2, 20000, 12000), "paid orders stay paid; what went back is refunded");
    assert_eq!(count(&pool, "SELECT sold::bigint FROM event_inventory").await, 2);
    assert_rollups_match_recount(&pool).await;
}

#[sqlx::test]
async fn milestones_are_announced_once_to_each_owner_and_admin(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 4, &[("General", "10", 4)]).await;
    let first = paid_order(&pool, &scope, &slug, tiers[0], 1).await;
    let kinds = || async {
        sqlx::query_scalar::<_, String>("SELECT kind FROM notifications WHERE user_id = $1 ORDER BY id")
            .bind(scope.user_id)
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    assert_eq!(kinds().await, ["first_sale"]);

    paid_order(&pool, &scope, &slug, tiers[0], 1).await;
    assert_eq!(kinds().await, ["first_sale", "half_sold"]);
    // Refunded and sold again: the half-way mark is not announced twice.
    manage::cancel_order(&pool, &offline(), &scope, first).await.unwrap();
    paid_order(&pool, &scope, &slug, tiers[0], 1).await;
    assert_eq!(kinds().await, ["first_sale", "half_sold"]);
    paid_order(&pool, &scope, &slug, tiers[0], 2).await;
    assert_eq!(kinds().await, ["first_sale", "half_sold", "ninety_sold", "sold_out"]);

    assert_eq!(inbox::unread_count(&pool, scope.user_id).await.unwrap(), 4);
    let newest = inbox::newest(&pool, scope.user_id, 10).await.unwrap();
    assert!(inbox::mark_read(&pool, scope.user_id, newest[0].id).await.unwrap());
    assert_eq!(inbox::unread_count(&pool, scope.user_id).await.unwrap(), 3);
    let stranger = organizer(&pool, "s@example.com").await;
    assert!(!inbox::mark_read(&pool, stranger.user_id, newest[1].id).await.unwrap(), "only one's own");
    assert_eq!(inbox::mark_all_read(&pool, scope.user_id).await.unwrap(), 3);
    assert_eq!(inbox::unread_count(&pool, scope.user_id).await.unwrap(), 0);

    // Made door staff, the person no longer reads the organization's sales.
    sqlx::query("UPDATE organization_members SET role = 'staff' WHERE user_id = $1")
        .bind(scope.user_id)
        .execute(&pool)
        .await
        .unwrap();
    assert!(inbox::newest(&pool, scope.user_id, 10).await.unwrap().is_empty());
}

#[sqlx::test]
async fn an_order_that_needs_the_organizer_is_announced(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 10, &[("General", "10", 10)]).await;
    let order = paid_order(&pool, &scope, &slug, tiers[0], 1).await;
    sqlx::query("UPDATE orders SET attention = 'The amount paid differs from the total.' WHERE id = $1")
        .bind(order)
        .execute(&pool)
        .await
        .unwrap();
    let flagged: Vec<(String, Option<Uuid>)> =
        sqlx::query_as("SELECT kind, order_id FROM notifications WHERE kind = 'order_flagged'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(flagged, [("order_flagged".to_owned(), Some(order))]);
}

#[sqlx::test]
async fn the_audit_trail_names_who_changed_a_price_and_what_it_was(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 10, &[("General", "25", 10)]).await;
    let event_id = event_of(&pool, &slug).await;
    let form = TierForm { name: "General".into(), price: "30".into(), capacity: "8".into(), ..Default::default() };
    tiers::update_tier(&pool, &scope, tiers[0], form).await.unwrap();

    let entry: (Option<Uuid>, String, String, serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT actor_id, subject, action, before, after FROM audit_logs
          WHERE event_id = $1 AND subject = 'tier' AND action = 'update'",
    )
    .bind(event_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(entry.0, Some(scope.user_id));
    assert_eq!((entry.1.as_str(), entry.2.as_str()), ("tier", "update"));
    assert_eq!(entry.3, serde_json::json!({"price_cents": 2500, "capacity": 10}));
    assert_eq!(entry.4, serde_json::json!({"price_cents": 3000, "capacity": 8}));

    // Publishing was recorded too, with the status before and after.
    let published: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_logs WHERE event_id = $1 AND subject = 'event' AND after ? 'status'
          ORDER BY id DESC LIMIT 1",
    )
    .bind(event_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(published["status"], "published");
    // A change nobody named (a payment provider's, an expiry) is put down to EventOS.
    sqlx::query("UPDATE ticket_tiers SET capacity = 9 WHERE id = $1").bind(tiers[0]).execute(&pool).await.unwrap();
    let actor: Option<Uuid> =
        sqlx::query_scalar("SELECT actor_id FROM audit_logs ORDER BY id DESC LIMIT 1").fetch_one(&pool).await.unwrap();
    assert_eq!(actor, None);
}

#[sqlx::test]
async fn page_views_are_counted_in_memory_and_written_in_one_batch(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, _) = event_with(&pool, &scope, 10, &[("General", "25", 10)]).await;
    let event_id = event_of(&pool, &slug).await;
    let browser = Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1");
    let views = PageViews::default();
    for _ in 0..5 {
        views.record(event_id, Visit::EventPage, browser);
    }
    views.record(event_id, Visit::CheckoutOpened, browser);
    views.record(event_id, Visit::EventPage, Some("Googlebot/2.1"));
    views.record(Uuid::new_v4(), Visit::EventPage, browser);
    assert_eq!(count(&pool, "SELECT count(*) FROM page_views").await, 0, "nothing written per view");

    assert_eq!(views.flush(&pool).await.unwrap(), 1, "the unknown event is skipped");
    views.record(event_id, Visit::EventPage, browser);
    views.flush(&pool).await.unwrap();
    let seen: (i32, i32) = sqlx::query_as("SELECT views, checkouts FROM page_views WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(seen, (6, 1));
}

#[sqlx::test]
async fn the_event_page_counts_a_browsers_view_and_not_a_crawlers(pool: PgPool) {
    let (app, state) = app_with(pool.clone(), &[]).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, _) = event_with(&pool, &scope, 10, &[("General", "25", 10)]).await;
    let body = format!("slug={slug}");
    for agent in ["Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36", "Googlebot/2.1", "curl/8.5"] {
        let request = Request::post("/api/get_public_event")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, agent)
            .body(Body::from(body.clone()))
            .unwrap();
        let reply = send(&app, request).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    state.page_views.flush(&pool).await.unwrap();
    assert_eq!(count(&pool, "SELECT coalesce(sum(views), 0)::bigint FROM page_views").await, 1);
}

#[sqlx::test]
async fn the_event_page_adds_up_tiers_revenue_the_funnel_and_who_changed_what(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tiers) = event_with(&pool, &scope, 100, &[("General", "25", 50), ("VIP", "100", 10)]).await;
    let event_id = event_of(&pool, &slug).await;
    paid_order(&pool, &scope, &slug, tiers[0], 2).await;
    let vip = paid_order(&pool, &scope, &slug, tiers[1], 1).await;
    checkout::place_order(&pool, &offline(), order_form(&slug, tiers[0], 3, "later@example.com"), None).await.unwrap();
    manage::cancel_order(&pool, &offline(), &scope, vip).await.unwrap();
    let form = TierForm { name: "General".into(), price: "30".into(), capacity: "50".into(), ..Default::default() };
    tiers::update_tier(&pool, &scope, tiers[0], form).await.unwrap();

    let insights = service::event_insights(&pool, &scope, event_id).await.unwrap();
    let general = &insights.tiers[0];
    assert_eq!((general.name.as_str(), general.sold, general.held, general.capacity), ("General", 2, 3, 50));
    assert_eq!((general.orders_placed, general.orders_paid, general.checked_in), (2, 1, 0));
    assert_eq!(general.revenue, "$50.00");
    let vip_tier = &insights.tiers[1];
    assert_eq!((vip_tier.sold, vip_tier.held, vip_tier.orders_placed, vip_tier.orders_paid), (0, 0, 1, 1));
    assert_eq!(insights.orders, 2);
    assert_eq!((insights.revenue.as_str(), insights.refunded.as_str()), ("$50.00", "$100.00"));
    assert_eq!(insights.average_order, "$75.00");
    assert_eq!(insights.daily_tickets.iter().map(|bar| bar.value).sum::<i64>(), 2);
    let price_change = insights
        .activity
        .iter()
        .find(|entry| entry.text.contains("tier General"))
        .expect("the price change is in the activity");
    assert_eq!(price_change.who, "Olivia Organizer");
    assert_eq!(price_change.text, "changed tier General: price $25.00 → $30.00");
    assert!(insights.activity.iter().any(|entry| entry.text.starts_with("changed order ORD-")), "the refund is there");

    let stranger = organizer(&pool, "s@example.com").await;
    let refused = service::event_insights(&pool, &stranger, event_id).await;
    assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
}

#[sqlx::test]
async fn the_attendee_export_is_a_spreadsheet_safe_csv_for_its_organizer_only(pool: PgPool) {
    let (app, _) = app_with(pool.clone(), &[]).await;
    let cookie = sign_up(&app, &pool, "o@example.com", Some("Export Org")).await;
    let user_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'o@example.com'").fetch_one(&pool).await.unwrap();
    let scope = scope_for(&pool, user_id, None, Role::Owner).await.unwrap();
    let (slug, tiers) = event_with(&pool, &scope, 10, &[("General", "0", 10)]).await;
    let mut form = order_form(&slug, tiers[0], 2, "bea@example.com");
    form.attendee_names = vec!["=HYPERLINK(\"http://evil.example\")".into(), "Doe, Jane".into()];
    checkout::place_order(&pool, &offline(), form, None).await.unwrap();
    let event_id = event_of(&pool, &slug).await;
    let path = format!("/dashboard/events/{event_id}/attendees.csv");

    let export = get(&app, &path, Some(&cookie)).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        export.header("content-disposition"),
        Some("attachment; filename=\"toronto-tech-summit-attendees.csv\"")
    );
    assert!(export.body.starts_with("\u{feff}Name,Email,Tier,Ticket,Order"), "{}", export.body);
    assert!(
        export.body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\",bea@example.com,General"),
        "{}",
        export.body
    );
    assert!(export.body.contains("\"Doe, Jane\","), "{}", export.body);
    assert_eq!(export.body.matches("\r\n").count(), 3, "a header and two tickets");
    let orders = get(&app, &format!("/dashboard/events/{event_id}/orders.csv"), Some(&cookie)).await;
    assert_eq!(orders.status, 200);
    assert!(orders.body.contains(",Bea Buyer,bea@example.com,paid,free,CAD,0.00,0.00,"), "{}", orders.body);

    assert_eq!(get(&app, &path, None).await.status, 401);
    let stranger = sign_up(&app, &pool, "s@example.com", Some("Other Org")).await;
    assert_eq!(get(&app, &path, Some(&stranger)).await.status, 404, "another organization's event");
    let attendee = sign_up(&app, &pool, "a@example.com", None).await;
    assert_eq!(get(&app, &path, Some(&attendee)).await.status, 403);
}

#[sqlx::test]
async fn the_attendee_table_searches_sorts_and_pages_and_is_closed_to_other_organizations(pool: PgPool) {
    use eventos::insights::AttendeeSort;
    let door = crate::checkin::door(&pool).await;
    let event_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(&door.slug).fetch_one(&pool).await.unwrap();
    let stranger = crate::shop::organizer(&pool, "mallory@example.com").await;
    // 60 General tickets (six orders of Guest 0 … Guest 9) and one VIP, whose holder's name
    // has a percent sign that a search must take literally.
    let payments = offline();
    let placed = |form| checkout::place_order(&pool, &payments, form, None);
    placed(crate::shop::order_form(&door.slug, door.tiers[0], 10, "ada@example.com")).await.unwrap();
    for _ in 0..5 {
        placed(crate::shop::order_form(&door.slug, door.tiers[0], 10, "bulk@example.com")).await.unwrap();
    }
    let mut vip = crate::shop::order_form(&door.slug, door.tiers[1], 1, "zoe@example.com");
    vip.attendee_names = vec!["Zoë 100% Zeal".into()];
    placed(vip).await.unwrap();
    // A reservation that lapsed unpaid held tickets once; its holder is no attendee.
    let lapsed = placed(crate::shop::order_form(&door.slug, door.tiers[1], 2, "gone@example.com")).await.unwrap();
    sqlx::query("UPDATE tickets SET status = 'cancelled' WHERE order_id = $1")
        .bind(lapsed.order_id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orders SET status = 'expired' WHERE id = $1")
        .bind(lapsed.order_id)
        .execute(&pool)
        .await
        .unwrap();
    let list = |query: &'static str, sort, page| {
        let pool = pool.clone();
        let scope = door.organizer;
        async move { service::attendees(&pool, &scope, event_id, query, sort, page).await }
    };

    let first = list("", AttendeeSort::Name, 1).await.unwrap();
    let second = list("", AttendeeSort::Name, 2).await.unwrap();
    let beyond = list("", AttendeeSort::Name, 99).await.unwrap();
    let by_tier = list("", AttendeeSort::Tier, 1).await.unwrap();
    let percent = list("100%", AttendeeSort::Name, 1).await.unwrap();
    let underscore = list("_", AttendeeSort::Name, 1).await.unwrap();
    let by_email = list("ZOE@EXAMPLE", AttendeeSort::Name, 1).await.unwrap();

    assert_eq!((first.total, first.pages, first.rows.len(), second.rows.len()), (61, 2, 50, 11));
    assert_eq!(first.rows[0].name, "Guest 0");
    assert_eq!(second.rows.last().unwrap().name, "Zoë 100% Zeal");
    assert_eq!(beyond.page, 2, "a page past the end shows the last one");
    assert_eq!(by_tier.rows[0].tier, "General");
    assert_eq!((percent.total, percent.rows[0].tier.as_str()), (1, "VIP"));
    assert_eq!(underscore.total, 0, "an underscore matches only itself");
    assert_eq!((by_email.total, by_email.rows[0].payment.as_str()), (1, "Unpaid"));
    assert!(matches!(
        service::attendees(&pool, &stranger, event_id, "", AttendeeSort::Name, 1).await,
        Err(eventos::platform::error::AppError::NotFound)
    ));
}
