//! `eventos bench`: a checkout load test against a running server.
//!
//! It creates a fresh organizer and one event whose single tier is the hot spot, then lets
//! many simulated buyers place orders over HTTP at once, exactly as the browser does
//! (`POST /api/place_order`). It prints throughput, latency and the oversell count, which
//! it reads back from the database and which must be zero.

use crate::accounts::service::{self as accounts, SignUpForm};
use crate::events::EventStatus;
use crate::events::service::{self as events, EventForm};
use crate::events::tiers::{self, TierForm};
use crate::organizations::Role;
use crate::organizations::access::scope_for;
use crate::platform::error::AppError;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

pub struct BenchOptions {
    pub url: String,
    pub buyers: usize,
    pub capacity: i32,
    pub concurrency: usize,
}

impl BenchOptions {
    /// Reads `--url`, `--buyers`, `--capacity` and `--concurrency` from the arguments after `bench`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let mut options =
            BenchOptions { url: "http://127.0.0.1:3000".into(), buyers: 3_500, capacity: 3_000, concurrency: 64 };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.parse::<usize>().map_err(|_| format!("{flag} expects a whole number, got {value}"));
            match flag.as_str() {
                "--url" => options.url = value.trim_end_matches('/').to_owned(),
                "--buyers" => options.buyers = number()?,
                "--capacity" => options.capacity = number()?.clamp(1, 1_000_000) as i32,
                "--concurrency" => options.concurrency = number()?.max(1),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

#[derive(Default)]
struct Tally {
    ok: Vec<Duration>,
    sold_out: usize,
    failed: usize,
    first_failure: Option<String>,
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Creates the hot event and returns its slug and tier id.
async fn hot_event(pool: &PgPool, capacity: i32) -> Result<(String, uuid::Uuid, uuid::Uuid), String> {
    let stamp = chrono::Utc::now().timestamp_millis();
    let signed_up = accounts::sign_up(
        pool,
        SignUpForm {
            full_name: "Bench Organizer".into(),
            email: format!("bench-{stamp}@example.com"),
            password: "bench-password-long".into(),
            organization_name: Some(format!("Bench {stamp}")),
            organizer: true,
        },
    )
    .await
    .map_err(|e| format!("cannot create the bench organizer: {e}"))?;
    let scope = scope_for(pool, signed_up.user_id, None, Role::Owner).await.map_err(|e| e.to_string())?;
    let form = EventForm {
        name: format!("Load test {stamp}"),
        event_type: "conference".into(),
        description: "A hot on-sale moment.".into(),
        start_local: "2031-01-15T09:00".into(),
        end_local: "2031-01-15T17:00".into(),
        capacity: capacity.to_string(),
        visibility: "unlisted".into(),
        allow_registrations: true,
        offline_payments: true,
        ..Default::default()
    };
    let event_id = events::create_event(pool, &scope, form).await.map_err(|e| e.to_string())?;
    let tier = TierForm {
        name: "General admission".into(),
        price: "25".into(),
        capacity: capacity.to_string(),
        max_per_order: Some("1".into()),
        ..Default::default()
    };
    let tier_id = tiers::add_tier(pool, &scope, event_id, tier).await.map_err(|e| e.to_string())?;
    events::change_status(pool, &scope, event_id, EventStatus::Published).await.map_err(|e| e.to_string())?;
    let slug: String = sqlx::query_scalar!("SELECT slug FROM events WHERE id = $1", event_id)
        .fetch_one(pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok((slug, event_id, tier_id))
}

pub async fn run(pool: &PgPool, options: BenchOptions) -> Result<(), String> {
    let (slug, event_id, tier_id) = hot_event(pool, options.capacity).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let endpoint = format!("{}/api/place_order", options.url);
    let tickets = format!("{tier_id}:1");
    println!(
        "bench: {} buyers, {} concurrent, one tier of {} seats, against {}",
        options.buyers, options.concurrency, options.capacity, options.url
    );

    let gate = Arc::new(Semaphore::new(options.concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(options.buyers);
    for buyer in 0..options.buyers {
        let permit = gate.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let (client, endpoint) = (client.clone(), endpoint.clone());
        // Each buyer comes from their own address, as through a load balancer the server
        // trusts (scripts/bench starts it with TRUSTED_PROXIES=127.0.0.1), so the per-address
        // order limit sees many buyers, not one.
        let address = format!("198.18.{}.{}", (buyer / 250) % 250, buyer % 250 + 1);
        let form = vec![
            ("slug", slug.clone()),
            ("tickets", tickets.clone()),
            ("buyer_name", format!("Buyer {buyer}")),
            ("buyer_email", format!("buyer{buyer}@example.com")),
            ("first_is_buyer", "on".to_owned()),
            ("payment_method", "offline".to_owned()),
        ];
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let reply = client
                .post(&endpoint)
                .header("accept", "application/json")
                .header("x-forwarded-for", address)
                .form(&form)
                .send()
                .await;
            drop(permit);
            let elapsed = sent.elapsed();
            match reply {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    (status, elapsed, body)
                }
                Err(error) => (0, elapsed, error.to_string()),
            }
        }));
    }
    let mut tally = Tally::default();
    let mut last_success = Duration::ZERO;
    for task in tasks {
        let (status, elapsed, body) = task.await.map_err(|e| e.to_string())?;
        match status {
            200 => {
                tally.ok.push(elapsed);
                last_success = started.elapsed();
            }
            409 if matches!(serde_json::from_str(&body), Ok(AppError::SoldOut(_))) => tally.sold_out += 1,
            _ => {
                tally.failed += 1;
                tally.first_failure.get_or_insert(format!("HTTP {status}: {body}"));
            }
        }
    }
    let wall = started.elapsed();

    let counted = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM tickets WHERE tier_id = $1 AND status IN ('reserved', 'active', 'used'))
                      AS "tickets_sold!",
                  (SELECT taken FROM ticket_tiers WHERE id = $1) AS "tier_taken!",
                  (SELECT count(*) FROM orders WHERE event_id = $2) AS "orders!""#,
        tier_id,
        event_id,
    )
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())?;
    let (tickets_sold, tier_taken, orders) = (counted.tickets_sold, counted.tier_taken, counted.orders);
    let oversold = (tickets_sold - i64::from(options.capacity)).max(0);

    let mut latencies = tally.ok.clone();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let selling = last_success.as_secs_f64().max(0.001);
    println!("orders placed:        {} (database: {orders} orders, {tickets_sold} tickets)", tally.ok.len());
    println!("sold-out answers:     {}", tally.sold_out);
    println!("other failures:       {}", tally.failed);
    if let Some(failure) = &tally.first_failure {
        println!("first failure:        {}", failure.chars().take(300).collect::<String>());
    }
    println!("wall time:            {:.2} s", wall.as_secs_f64());
    println!(
        "orders per second:    {:.0} (successful orders until the tier sold out)",
        tally.ok.len() as f64 / selling
    );
    println!(
        "requests per second:  {:.0} (all answers, sold-out included)",
        options.buyers as f64 / wall.as_secs_f64()
    );
    println!(
        "latency of orders:    p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 1.0))
    );
    println!("counter vs tickets:   {tier_taken} taken, {tickets_sold} tickets");
    println!("oversold:             {oversold}");
    if oversold > 0 || i64::from(tier_taken) != tickets_sold || orders != tally.ok.len() as i64 {
        return Err("capacity was violated or the counters drifted".into());
    }
    if tally.failed > 0 {
        return Err(format!("{} requests failed", tally.failed));
    }
    Ok(())
}
