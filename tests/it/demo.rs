//! The demo data a first run shows: an organization with weeks of sales behind it, whose
//! dashboard figures are as true as any other organization's.

use crate::shop::assert_rollups_match_recount;
use eventos::insights::service;
use eventos::organizations::access::scope_for;
use eventos::tools::seed;
use sqlx::PgPool;

async fn number(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn the_demo_organization_has_weeks_of_sales_a_refund_a_promo_and_a_past_event_checked_in(pool: PgPool) {
    let login = seed::seed(&pool).await.unwrap();

    let sale_days = number(&pool, "SELECT count(DISTINCT sale_day) FROM orders WHERE sale_day IS NOT NULL").await;
    assert!(sale_days >= 14, "sales spread over the weeks, not one day: {sale_days} days");
    let future = number(&pool, "SELECT count(*) FROM orders WHERE paid_at > now() OR created_at > now()").await;
    assert_eq!(future, 0, "nothing is dated in the future");
    let by_invoice =
        number(&pool, "SELECT count(*) FROM orders WHERE status = 'paid' AND payment_provider = 'offline'").await;
    assert!(by_invoice >= 100, "invoices marked paid by the organizer: {by_invoice}");
    let awaiting = number(
        &pool,
        "SELECT count(*) FROM orders o JOIN events e ON e.id = o.event_id
          WHERE o.status = 'pending' AND e.name <> 'Toronto Product Meetup'",
    )
    .await;
    assert_eq!(awaiting, 3, "a few invoices are still to be paid");
    assert_eq!(number(&pool, "SELECT count(*) FROM orders WHERE status = 'refunded'").await, 2);
    assert!(number(&pool, "SELECT coalesce(sum(used), 0) FROM promo_codes").await > 0, "a promo code was used");
    let (views, checkouts): (i64, i64) =
        sqlx::query_as("SELECT sum(views)::bigint, sum(checkouts)::bigint FROM page_views")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(views > checkouts && checkouts > 0, "{views} views, {checkouts} checkouts opened");

    // The breakfast last month: over, its guests admitted at its doors, none after.
    let (status, ago): (String, i32) = sqlx::query_as(
        "SELECT status, (now() AT TIME ZONE 'America/Toronto')::date - (start_at AT TIME ZONE 'America/Toronto')::date
           FROM events WHERE name = 'Product Leadership Breakfast'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), ago), ("completed", 30));
    let breakfast = "(SELECT id FROM events WHERE name = 'Product Leadership Breakfast')";
    let admitted = number(&pool, &format!("SELECT count(*) FROM checkins WHERE event_id = {breakfast}")).await;
    let sold =
        number(&pool, &format!("SELECT count(*) FROM tickets WHERE event_id = {breakfast} AND status = 'used'")).await;
    assert!(admitted > 20 && admitted == sold, "{admitted} admitted, {sold} tickets used");
    let late = number(
        &pool,
        &format!(
            "SELECT count(*) FROM checkins c JOIN events e ON e.id = c.event_id
              WHERE e.id = {breakfast} AND (c.admitted_at > e.end_at OR c.admitted_at < e.start_at - interval '1 hour')"
        ),
    )
    .await;
    assert_eq!(late, 0, "admissions are dated at the breakfast's doors");
    let stray =
        number(&pool, &format!("SELECT count(*) FROM audit_logs WHERE event_id = {breakfast} AND before ? 'start_at'"))
            .await;
    assert_eq!(stray, 0, "moving the breakfast to its date is not in its activity log");

    // The overview has something true to show on the first run.
    let owner: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(login.email).fetch_one(&pool).await.unwrap();
    let scope =
        scope_for(&pool, owner, Some(login.organization_id), eventos::organizations::Role::Admin).await.unwrap();
    let overview = service::overview(&pool, &scope).await.unwrap();
    assert!(overview.tickets > 50, "tickets sold in the last 30 days: {}", overview.tickets);
    assert!(overview.daily_tickets.iter().filter(|d| d.value > 0).count() >= 10);
    assert!(!overview.revenue_by_event.is_empty());
    assert_rollups_match_recount(&pool).await;
}
