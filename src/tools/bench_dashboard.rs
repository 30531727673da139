//! `eventos bench dashboard`: the organizer dashboard at a real organization's size.
//!
//! It gives the demo organization 200 more events (three tiers each, through the events
//! domain), then a year of their sales in bulk (`scripts/bench.d/dashboard-seed.sql`:
//! 60,000 paid orders, 100,000 tickets, 1,000,000 page views). It times every query behind
//! the overview and an event's pages, and the pages themselves over HTTP as the logged-in
//! organizer, and prints each one's p95; the queries come last, `query <name>: p95 N ms`.

use crate::checkin::{ScanFilter, ScanOutcome, manage};
use crate::events::EventStatus;
use crate::events::service::{self as events, EventForm};
use crate::events::tiers::{self, TierForm};
use crate::insights::db;
use crate::organizations::Role;
use crate::organizations::access::{OrganizationScope, scope_for};
use crate::tools::bench::percentile;
use crate::tools::bench_checkin::log_in;
use crate::tools::seed::DEMO_EMAIL;
use chrono::{Duration as Days, TimeZone, Utc};
use sqlx::PgPool;
use std::future::Future;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Events the benchmark adds to the demo organization.
const EVENTS: usize = 200;
/// Timed runs of each query or page (after two to warm up).
const RUNS: usize = 40;
const SEED: &str = include_str!("../../scripts/bench.d/dashboard-seed.sql");

pub struct DashboardOptions {
    pub url: String,
}

impl DashboardOptions {
    /// Reads `--url` from the arguments after `bench dashboard`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let mut options = DashboardOptions { url: "http://127.0.0.1:3000".into() };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--url" => options.url = value.trim_end_matches('/').to_owned(),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

pub async fn run(pool: &PgPool, options: DashboardOptions) -> Result<(), String> {
    let scope = demo_scope(pool).await?;
    let started = Instant::now();
    let busiest = add_events(pool, &scope).await?;
    println!("created {EVENTS} events in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
    sqlx::query_scalar!(
        r#"SELECT set_config('bench.organization', $1, false) AS "set!""#,
        scope.organization_id.to_string()
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    sqlx::raw_sql(SEED).execute(&mut *conn).await.map_err(|e| format!("seeding the sales: {e}"))?;
    drop(conn);
    let (orders, tickets, views) = sizes(pool, scope.organization_id).await?;
    println!(
        "recorded {orders} orders, {tickets} tickets and {views} page views in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    pages(&options.url, busiest).await?;
    queries(pool, &scope, busiest).await
}

async fn demo_scope(pool: &PgPool) -> Result<OrganizationScope, String> {
    let user_id: Uuid = sqlx::query_scalar!("SELECT id FROM users WHERE email = $1", DEMO_EMAIL)
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo organizer is missing: start the server with SEED_DEMO=true")?;
    scope_for(pool, user_id, None, Role::Owner).await.map_err(|e| e.to_string())
}

/// Adds the benchmark's events, published, each with three tiers; returns the first one's id.
async fn add_events(pool: &PgPool, scope: &OrganizationScope) -> Result<Uuid, String> {
    let first_day = Utc::now().date_naive() + Days::days(14);
    let mut first = None;
    for n in 0..EVENTS {
        let day = first_day + Days::days(i64::try_from(n).unwrap_or(0));
        let form = EventForm {
            name: format!("Benchmark {n:03}"),
            event_type: "conference".into(),
            description: "An event of the dashboard benchmark.".into(),
            start_local: format!("{day}T09:00"),
            end_local: format!("{day}T17:00"),
            capacity: "1000".into(),
            visibility: "unlisted".into(),
            allow_registrations: true,
            offline_payments: true,
            ..Default::default()
        };
        let event_id = events::create_event(pool, scope, form).await.map_err(|e| format!("creating an event: {e}"))?;
        for (name, price) in [("General", "49"), ("VIP", "149"), ("Student", "19")] {
            let tier =
                TierForm { name: name.into(), price: price.into(), capacity: "400".into(), ..Default::default() };
            tiers::add_tier(pool, scope, event_id, tier).await.map_err(|e| format!("adding a tier: {e}"))?;
        }
        events::change_status(pool, scope, event_id, EventStatus::Published).await.map_err(|e| e.to_string())?;
        first.get_or_insert(event_id);
    }
    first.ok_or_else(|| "no event was created".into())
}

async fn sizes(pool: &PgPool, organization_id: Uuid) -> Result<(i64, i64, i64), String> {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM orders WHERE organization_id = $1) AS "orders!",
                  (SELECT count(*) FROM tickets k JOIN events e ON e.id = k.event_id
                    WHERE e.organization_id = $1) AS "tickets!",
                  (SELECT coalesce(sum(v.views), 0) FROM page_views v JOIN events e ON e.id = v.event_id
                    WHERE e.organization_id = $1)::bigint AS "views!""#,
        organization_id,
    )
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok((row.orders, row.tickets, row.views))
}

/// Runs `work` twice to warm up, then `RUNS` times; its p95.
async fn p95<F, Fut, T, E>(mut work: F) -> Result<Duration, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    for _ in 0..2 {
        work().await.map_err(|e| e.to_string())?;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        work().await.map_err(|e| e.to_string())?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(percentile(&times, 0.95))
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

/// The dashboard's pages as the organizer's browser asks for them (rendered on the server
/// with their data).
async fn pages(url: &str, event_id: Uuid) -> Result<(), String> {
    // A page that sends the visitor away (to log in) must count as a failure, not be followed.
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
    let cookie = log_in(&client, url, 0).await?;
    for path in [
        "/dashboard".to_owned(),
        format!("/dashboard/events/{event_id}"),
        format!("/dashboard/events/{event_id}/attendees"),
        format!("/dashboard/events/{event_id}/attendees?q=guest+12&sort=checked_in"),
    ] {
        let time = p95(|| {
            let request = client.get(format!("{url}{path}")).header("cookie", &cookie).header("accept", "text/html");
            async move {
                let response = request.send().await.map_err(|e| e.to_string())?;
                let status = response.status();
                let body = response.text().await.map_err(|e| e.to_string())?;
                if !status.is_success() {
                    return Err(format!("answered {status}"));
                }
                Ok::<_, String>(body.len())
            }
        })
        .await
        .map_err(|e| format!("{path}: {e}"))?;
        println!("page {path}: p95 {} ms", ms(time));
    }
    Ok(())
}

/// Every query behind the overview and an event's pages, with the arguments the pages give.
async fn queries(pool: &PgPool, scope: &OrganizationScope, event: Uuid) -> Result<(), String> {
    let org = scope.organization_id;
    let tz = chrono_tz::America::Toronto;
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let start = today - Days::days(crate::insights::WINDOW_DAYS - 1);
    let from = start - Days::days(crate::insights::WINDOW_DAYS);
    let midnight = tz
        .from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or(now, |at| at.with_timezone(&Utc));
    let mut lines = Vec::new();
    macro_rules! time {
        ($name:literal, $call:expr) => {
            lines.push(($name, p95(|| $call).await.map_err(|e| format!("{}: {e}", $name))?));
        };
    }
    time!("organization", crate::organizations::db::overview(pool, org, Role::Owner));
    time!("tickets_per_day", db::tickets_per_day(pool, org, start, today));
    time!("tickets_in_windows", db::tickets_in_windows(pool, org, from, start, today));
    time!("revenue_by_currency", db::revenue_by_currency(pool, org, from, start, today));
    time!("revenue_by_event", db::revenue_by_event(pool, org, 10));
    time!("upcoming_events", db::upcoming_events(pool, org));
    time!("checkin_today", db::checkin_between(pool, org, midnight, midnight + Days::days(1)));
    time!("flagged_orders", db::flagged_orders(pool, org, 10));
    time!("offline_deadlines", db::offline_deadlines(pool, org, now + Days::hours(48), 10));
    time!("drafts_starting", db::drafts_starting(pool, org, now + Days::days(7), 10));
    time!("sales_closing", db::sales_closing(pool, org, now + Days::hours(72), 10));
    time!("unread_notifications", crate::notifications::db::unread_count(pool, scope.user_id));
    time!("event_head", db::event_head(pool, org, event));
    time!("tier_sales", db::tier_sales(pool, event));
    time!("order_totals", db::order_totals(pool, event));
    time!("event_tickets_per_day", db::event_tickets_per_day(pool, event, start, today));
    time!("page_views", db::views(pool, event));
    time!("activity", db::activity(pool, event, 20));
    time!("promo_uses", db::promo_uses(pool, event));
    time!("attendee_count", db::attendee_count(pool, event, "%"));
    time!("attendee_page", db::attendee_page(pool, event, "%", "name", 50, 0));
    time!("attendee_last_page_by_check_in", db::attendee_page(pool, event, "%", "checked_in", 50, 450));
    time!("attendee_search", db::attendee_page(pool, event, "%guest 12%", "name", 50, 0));
    // The door on the event's page (each list's progress, the latest scans) and the scan log
    // filtered by outcome, as the check-in page asks for them.
    let admitted = ScanFilter { outcome: Some(ScanOutcome::Admitted), ..ScanFilter::default() };
    time!("door_board", async {
        manage::board(pool, scope, event, &ScanFilter::default()).await.map(|b| b.lists.len())
    });
    time!("door_board_admitted", async { manage::board(pool, scope, event, &admitted).await.map(|b| b.scans.len()) });
    let slowest = lines.iter().map(|(_, t)| *t).max().unwrap_or_default();
    println!("slowest query p95: {} ms", ms(slowest));
    for (name, time) in lines {
        println!("query {name}: p95 {} ms", ms(time));
    }
    Ok(())
}
