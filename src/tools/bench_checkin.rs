//! `eventos bench checkin`: door scans against a running server.
//!
//! It gives the demo organization an event with `--tickets` paid tickets (placed through
//! checkout, ten to an order), logs in `--devices` phones over HTTP, and sends every ticket
//! to the door twice, from two phones at nearly the same instant, exactly as the door page
//! does (`POST /api/scan_ticket`). It prints throughput, latency and the double admissions
//! it saw, which must be zero.

use crate::checkin::{ScanOutcome, Verdict};
use crate::events::EventStatus;
use crate::events::service::{self as events, EventForm};
use crate::events::tiers::{self, TierForm};
use crate::orders::checkout::{self, CheckoutForm};
use crate::orders::service::Payments;
use crate::organizations::Role;
use crate::organizations::access::scope_for;
use crate::tools::bench::percentile;
use crate::tools::seed::{DEMO_EMAIL, DEMO_PASSWORD};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use uuid::Uuid;

pub struct CheckinOptions {
    pub url: String,
    pub tickets: usize,
    pub devices: usize,
    pub concurrency: usize,
}

impl CheckinOptions {
    /// Reads `--url`, `--tickets`, `--devices` and `--concurrency` from the arguments after
    /// `bench checkin`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let mut options =
            CheckinOptions { url: "http://127.0.0.1:3000".into(), tickets: 10_000, devices: 4, concurrency: 64 };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.parse::<usize>().map_err(|_| format!("{flag} expects a whole number, got {value}"));
            match flag.as_str() {
                "--url" => options.url = value.trim_end_matches('/').to_owned(),
                "--tickets" => options.tickets = number()?.clamp(10, 200_000),
                "--devices" => options.devices = number()?.clamp(2, 50),
                "--concurrency" => options.concurrency = number()?.max(1),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

/// The demo organization's door event with `tickets` paid tickets: its id, its default
/// list and the tickets' QR secrets.
async fn door_event(pool: &PgPool, tickets: usize) -> Result<(Uuid, Uuid, Vec<String>), String> {
    let user_id: Uuid = sqlx::query_scalar!("SELECT id FROM users WHERE email = $1", DEMO_EMAIL)
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo organizer is missing: start the server with SEED_DEMO=true")?;
    let scope = scope_for(pool, user_id, None, Role::Owner).await.map_err(|e| e.to_string())?;
    let stamp = chrono::Utc::now().timestamp_millis();
    let capacity = tickets.to_string();
    let form = EventForm {
        name: format!("Door load test {stamp}"),
        event_type: "conference".into(),
        description: "A full house arriving at once.".into(),
        start_local: "2031-01-15T09:00".into(),
        end_local: "2031-01-15T17:00".into(),
        capacity: capacity.clone(),
        visibility: "unlisted".into(),
        allow_registrations: true,
        ..Default::default()
    };
    let event_id = events::create_event(pool, &scope, form).await.map_err(|e| e.to_string())?;
    let tier = TierForm { name: "General".into(), price: "0".into(), capacity, ..Default::default() };
    let tier_id = tiers::add_tier(pool, &scope, event_id, tier).await.map_err(|e| e.to_string())?;
    events::change_status(pool, &scope, event_id, EventStatus::Published).await.map_err(|e| e.to_string())?;
    let slug: String = sqlx::query_scalar!("SELECT slug FROM events WHERE id = $1", event_id)
        .fetch_one(pool)
        .await
        .map_err(|e| e.to_string())?;
    let payments = Payments::without_cards();
    for order in 0..tickets.div_ceil(10) {
        let quantity = 10.min(tickets - order * 10);
        let form = CheckoutForm {
            slug: slug.clone(),
            selection: format!("{tier_id}:{quantity}"),
            buyer_name: format!("Buyer {order}"),
            buyer_email: format!("door-buyer{order}@example.com"),
            attendee_names: (0..quantity).map(|i| format!("Guest {order}-{i}")).collect(),
            ..Default::default()
        };
        checkout::place_order(pool, &payments, form, None).await.map_err(|e| format!("placing tickets: {e}"))?;
    }
    // The buyers are made up: their confirmations would keep the mail worker busy rendering
    // 20,000 e-mails while the door is measured.
    sqlx::query!(
        "DELETE FROM outbox WHERE status = 'pending' AND (payload->>'order_id')::uuid IN (SELECT id FROM orders WHERE event_id = $1)",
        event_id,
    )
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    // A real event's tickets sell over weeks, and autovacuum has analyzed them long before
    // the doors open; these were inserted a moment ago, and a planner that believes the
    // tables empty would judge the door's lookups on that.
    sqlx::raw_sql("ANALYZE").execute(pool).await.map_err(|e| e.to_string())?;
    let list_id: Uuid =
        sqlx::query_scalar!("SELECT id FROM checkin_lists WHERE event_id = $1 AND is_default", event_id)
            .fetch_one(pool)
            .await
            .map_err(|e| e.to_string())?;
    let secrets =
        sqlx::query_scalar!("SELECT qr_secret FROM tickets WHERE event_id = $1 ORDER BY ticket_number", event_id)
            .fetch_all(pool)
            .await
            .map_err(|e| e.to_string())?;
    Ok((event_id, list_id, secrets))
}

/// The demo organizer's session cookie, logged in from the `device`-th made-up address.
pub(crate) async fn log_in(client: &reqwest::Client, url: &str, device: usize) -> Result<String, String> {
    let response = client
        .post(format!("{url}/api/log_in"))
        .header("accept", "application/json")
        .header("x-forwarded-for", format!("198.19.0.{}", device + 1))
        .form(&[("email", DEMO_EMAIL), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .map_err(|e| format!("logging in: {e}"))?;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("eventos_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    cookie.ok_or_else(|| format!("logging in answered {} without a session", response.status()))
}

pub async fn run(pool: &PgPool, options: CheckinOptions) -> Result<(), String> {
    println!("bench checkin: preparing {} tickets", options.tickets);
    let (event_id, list_id, secrets) = door_event(pool, options.tickets).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut cookies = Vec::with_capacity(options.devices);
    for device in 0..options.devices {
        cookies.push(log_in(&client, &options.url, device).await?);
    }
    println!(
        "bench checkin: {} tickets each scanned twice by two of {} phones, {} scans in flight, against {}",
        secrets.len(),
        options.devices,
        options.concurrency,
        options.url
    );

    let endpoint = Arc::new(format!("{}/api/scan_ticket", options.url));
    let gate = Arc::new(Semaphore::new(options.concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(secrets.len() * 2);
    for (index, secret) in secrets.iter().enumerate() {
        // The same ticket from two phones, one right after the other.
        for device in [index % options.devices, (index + 1) % options.devices] {
            let permit = gate.clone().acquire_owned().await.map_err(|e| e.to_string())?;
            let (client, endpoint, cookie) = (client.clone(), endpoint.clone(), cookies[device].clone());
            let form = [
                ("event_id", event_id.to_string()),
                ("list_id", list_id.to_string()),
                ("code", format!("EOS1:{secret}")),
                ("nonce", Uuid::new_v4().to_string()),
                ("device", format!("Door {}", device + 1)),
            ];
            tasks.push(tokio::spawn(async move {
                let sent = Instant::now();
                let reply = client
                    .post(endpoint.as_str())
                    .header("accept", "application/json")
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await;
                let answer = match reply {
                    Ok(response) if response.status().is_success() => {
                        response.json::<Verdict>().await.map_err(|e| e.to_string())
                    }
                    Ok(response) => {
                        Err(format!("HTTP {}: {}", response.status(), response.text().await.unwrap_or_default()))
                    }
                    Err(error) => Err(error.to_string()),
                };
                drop(permit);
                (index, sent.elapsed(), answer)
            }));
        }
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut admitted_per_ticket: HashMap<usize, usize> = HashMap::new();
    let (mut failed, mut first_failure) = (0usize, None);
    for task in tasks {
        let (index, elapsed, answer) = task.await.map_err(|e| e.to_string())?;
        latencies.push(elapsed);
        match answer {
            Ok(verdict) if verdict.outcome == ScanOutcome::Admitted => {
                *admitted_per_ticket.entry(index).or_default() += 1
            }
            Ok(verdict) if verdict.outcome == ScanOutcome::AlreadyAdmitted => {}
            Ok(verdict) => {
                failed += 1;
                first_failure.get_or_insert(format!("unexpected verdict {:?}", verdict.outcome));
            }
            Err(error) => {
                failed += 1;
                first_failure.get_or_insert(error);
            }
        }
    }
    let wall = started.elapsed();
    latencies.sort();

    let double_in_answers: usize = admitted_per_ticket.values().map(|n| n.saturating_sub(1)).sum();
    let counted = sqlx::query!(
        r#"SELECT count(*) AS "admissions!", count(DISTINCT ticket_id) AS "tickets!"
             FROM checkins WHERE list_id = $1 AND undone_at IS NULL"#,
        list_id,
    )
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())?;
    let double_in_database = (counted.admissions - counted.tickets) as usize;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("scans:              {} ({} failed)", latencies.len(), failed);
    if let Some(failure) = &first_failure {
        println!("first failure:      {}", failure.chars().take(300).collect::<String>());
    }
    println!("tickets admitted:   {} of {}", admitted_per_ticket.len(), secrets.len());
    println!("admissions stored:  {}", counted.admissions);
    println!("wall time:          {:.2} s", wall.as_secs_f64());
    println!("p50 latency: {:.1} ms", ms(percentile(&latencies, 0.50)));
    println!("scans per second: {:.0}", latencies.len() as f64 / wall.as_secs_f64());
    println!("p99 latency: {:.1} ms", ms(percentile(&latencies, 0.99)));
    println!("double admissions: {}", double_in_answers + double_in_database);
    if double_in_answers + double_in_database > 0 {
        return Err("a ticket was admitted twice".into());
    }
    if failed > 0 || admitted_per_ticket.len() != secrets.len() {
        return Err(format!(
            "{failed} scans failed; {} tickets were never admitted",
            secrets.len() - admitted_per_ticket.len()
        ));
    }
    Ok(())
}
