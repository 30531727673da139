//! Fixtures for selling tickets: an organizer, a published event with tiers, orders placed
//! the way checkout places them, a card-enabled app against the Stripe stand-in, and the
//! invariant every test of money or capacity ends with.

use crate::common::{FakeStripe, app_with};
use eventos::accounts::service::{self as accounts, SignUpForm};
use eventos::events::EventStatus;
use eventos::events::service::{self as events, EventForm};
use eventos::events::tiers::{self, TierForm};
use eventos::orders::checkout::{self, CheckoutForm};
use eventos::orders::service::Payments;
use eventos::organizations::Role;
use eventos::organizations::access::{OrganizationScope, scope_for};
use eventos::platform::error::AppError;
use eventos::platform::state::AppState;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

pub(crate) async fn organizer(pool: &PgPool, email: &str) -> OrganizationScope {
    let form = SignUpForm {
        full_name: "Olivia Organizer".into(),
        email: email.into(),
        password: "a-long-enough-password".into(),
        organization_name: Some(format!("Org of {email}")),
        organizer: true,
    };
    let signed_up = accounts::sign_up(pool, form).await.unwrap();
    scope_for(pool, signed_up.user_id, None, Role::Owner).await.unwrap()
}

pub(crate) fn offline() -> Payments {
    Payments { stripe: None, hold: Duration::from_secs(900), public_url: "http://test".into() }
}

/// The form of the event `event_with` creates.
pub(crate) fn summit_form(capacity: i32) -> EventForm {
    EventForm {
        name: "Toronto Tech Summit".into(),
        event_type: "conference".into(),
        description: "Talks.".into(),
        start_local: "2031-03-04T09:00".into(),
        end_local: "2031-03-04T17:00".into(),
        capacity: capacity.to_string(),
        visibility: "public".into(),
        allow_registrations: true,
        offline_payments: true,
        ..Default::default()
    }
}

/// A published event with the given capacity and tiers `(name, price, capacity)`.
pub(crate) async fn event_with(
    pool: &PgPool,
    scope: &OrganizationScope,
    capacity: i32,
    tiers: &[(&str, &str, i32)],
) -> (String, Vec<Uuid>) {
    let event_id = events::create_event(pool, scope, summit_form(capacity)).await.unwrap();
    let mut ids = Vec::new();
    for (name, price, capacity) in tiers {
        let tier = TierForm {
            name: name.to_string(),
            price: price.to_string(),
            capacity: capacity.to_string(),
            ..Default::default()
        };
        ids.push(tiers::add_tier(pool, scope, event_id, tier).await.unwrap());
    }
    events::change_status(pool, scope, event_id, EventStatus::Published).await.unwrap();
    let slug =
        sqlx::query_scalar("SELECT slug FROM events WHERE id = $1").bind(event_id).fetch_one(pool).await.unwrap();
    (slug, ids)
}

pub(crate) fn order_form(slug: &str, tier: Uuid, quantity: usize, buyer: &str) -> CheckoutForm {
    CheckoutForm {
        slug: slug.into(),
        selection: format!("{tier}:{quantity}"),
        buyer_name: "Bea Buyer".into(),
        buyer_email: buyer.into(),
        attendee_names: (0..quantity).map(|i| format!("Guest {i}")).collect(),
        payment_method: Some("offline".into()),
        ..Default::default()
    }
}

/// What each spawned task returned, in the order they were spawned.
pub(crate) async fn finished<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("the task ran to its end"));
    }
    results
}

pub(crate) async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

pub(crate) async fn live_tickets(pool: &PgPool) -> i64 {
    count(pool, "SELECT count(*) FROM tickets WHERE status IN ('reserved', 'active', 'used')").await
}

/// Every counter equals the tickets it counts, and never exceeds its capacity.
pub(crate) async fn assert_counters_match_rows(pool: &PgPool) {
    let drift = count(
        pool,
        "SELECT count(*) FROM ticket_tiers t
          WHERE t.taken <> (SELECT count(*) FROM tickets k WHERE k.tier_id = t.id AND k.status IN ('reserved', 'active', 'used'))
             OR t.taken > t.capacity",
    )
    .await;
    assert_eq!(drift, 0, "a tier counter drifted from its tickets");
    let drift = count(
        pool,
        "SELECT count(*) FROM event_inventory i
          WHERE i.taken <> (SELECT count(*) FROM tickets k WHERE k.event_id = i.event_id AND k.status IN ('reserved', 'active', 'used'))
             OR i.taken > i.capacity",
    )
    .await;
    assert_eq!(drift, 0, "an event counter drifted from its tickets");
    assert_rollups_match_recount(pool).await;
}

/// `(tickets, cents)` an event's tier rollup holds over all its days.
pub(crate) async fn sold_in_rollup(pool: &PgPool, event_id: Uuid) -> (i64, i64) {
    sqlx::query_as("SELECT sum(tickets)::bigint, sum(ticket_cents)::bigint FROM tier_sales_daily WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The dashboard's daily sales rollups equal a recount from the raw rows, with each paid
/// order's day taken afresh in its event's time zone.
pub(crate) async fn assert_rollups_match_recount(pool: &PgPool) {
    let drift = count(
        pool,
        "WITH recount AS (
             SELECT k.event_id, k.tier_id, (o.paid_at AT TIME ZONE coalesce(s.timezone, 'America/Toronto'))::date AS day,
                    count(*)::bigint AS tickets, sum(k.price_cents)::bigint AS cents
               FROM tickets k JOIN orders o ON o.id = k.order_id
               LEFT JOIN event_settings s ON s.event_id = k.event_id
              WHERE k.status IN ('active', 'used') AND o.paid_at IS NOT NULL
              GROUP BY 1, 2, 3
         ), kept AS (
             SELECT event_id, tier_id, day, tickets::bigint, ticket_cents AS cents FROM tier_sales_daily
              WHERE tickets <> 0 OR ticket_cents <> 0
         )
         SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT * FROM kept)
                               UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM recount)) AS differ",
    )
    .await;
    assert_eq!(drift, 0, "the tier sales rollup drifted from its tickets");
    let drift = count(
        pool,
        "WITH recount AS (
             SELECT o.event_id, (o.paid_at AT TIME ZONE coalesce(s.timezone, 'America/Toronto'))::date AS day,
                    o.currency, count(*)::bigint AS orders, sum(o.total_cents)::bigint AS gross,
                    sum(o.refunded_cents)::bigint AS refunded
               FROM orders o LEFT JOIN event_settings s ON s.event_id = o.event_id
              WHERE o.paid_at IS NOT NULL
              GROUP BY 1, 2, 3
         ), kept AS (
             SELECT event_id, day, currency, orders::bigint, gross_cents AS gross, refunded_cents AS refunded
               FROM order_sales_daily WHERE orders <> 0 OR gross_cents <> 0 OR refunded_cents <> 0
         )
         SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT * FROM kept)
                               UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM recount)) AS differ",
    )
    .await;
    assert_eq!(drift, 0, "the order sales rollup drifted from its orders");
    let drift = count(
        pool,
        "SELECT count(*) FROM event_inventory i
          WHERE i.sold <> (SELECT count(*) FROM tickets k JOIN orders o ON o.id = k.order_id
                            WHERE k.event_id = i.event_id AND k.status IN ('active', 'used') AND o.paid_at IS NOT NULL)",
    )
    .await;
    assert_eq!(drift, 0, "an event's sold counter drifted from its paid tickets");
}

/// Places every order at once, each on its own task, over a pool of `RACE_CONNECTIONS`
/// on a multi-threaded runtime, and returns the outcomes in order. Fails unless at least
/// half of those connections were busy in the database at one moment.
pub(crate) async fn race(pool: &PgPool, forms: Vec<CheckoutForm>) -> Vec<Result<checkout::Placed, AppError>> {
    let (outcomes, peak) = on_a_wide_pool(pool, move |wide| async move {
        let buyers: Vec<_> = forms
            .into_iter()
            .map(|form| {
                let wide = wide.clone();
                tokio::spawn(async move { checkout::place_order(&wide, &offline(), form, None).await })
            })
            .collect();
        let mut outcomes = Vec::with_capacity(buyers.len());
        for buyer in buyers {
            outcomes.push(buyer.await.unwrap());
        }
        outcomes
    })
    .await;
    assert!(peak >= i64::from(RACE_CONNECTIONS / 2), "only {peak} transactions ran at once");
    outcomes
}

/// Counts the winners of a race, checking every loser was told the seats are gone.
pub(crate) fn winners(outcomes: &[Result<checkout::Placed, AppError>]) -> usize {
    for error in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(is_sold_out(error), "a loser must be told it is sold out, got {error:?}");
    }
    outcomes.iter().filter(|o| o.is_ok()).count()
}

pub(crate) fn is_sold_out(error: &AppError) -> bool {
    matches!(error, AppError::SoldOut(_))
}

pub(crate) async fn card_order(app: &axum::Router, slug: &str, tier: Uuid, buyer: &str) -> crate::common::Reply {
    let tickets = format!("{tier}:1");
    crate::common::call(
        app,
        "place_order",
        &[
            ("slug", slug),
            ("tickets", &tickets),
            ("buyer_name", "Carla Card"),
            ("buyer_email", buyer),
            ("payment_method", "stripe"),
            ("first_is_buyer", "on"),
        ],
        None,
    )
    .await
}

pub(crate) fn settings(stripe: &FakeStripe) -> Vec<(&'static str, String)> {
    let mut settings = stripe.settings();
    settings.push((
        "MAILBOX_DIR",
        std::env::temp_dir().join(format!("eventos-mail-{}", Uuid::new_v4())).display().to_string(),
    ));
    settings
}

pub(crate) async fn card_app(pool: &PgPool, stripe: &FakeStripe) -> (axum::Router, eventos::platform::state::AppState) {
    let owned = settings(stripe);
    let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app_with(pool.clone(), &pairs).await
}

/// Connections in a race's pool: far more than the test pool's five, so the database sees
/// real concurrency.
pub(crate) const RACE_CONNECTIONS: u32 = 64;

/// Races run one at a time: each opens `RACE_CONNECTIONS` connections, and PostgreSQL's
/// default allows 100 in all.
static ONE_RACE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `race` on a multi-threaded runtime with a pool of `RACE_CONNECTIONS` open connections
/// to the test's database, and returns its result with the most backends that were busy
/// (running a statement or inside a transaction) at one moment.
pub(crate) async fn on_a_wide_pool<F, Fut, T>(pool: &PgPool, race: F) -> (T, i64)
where
    F: FnOnce(PgPool) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let options = pool.connect_options().as_ref().clone();
    tokio::task::spawn_blocking(move || {
        let _turn = ONE_RACE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
        runtime.block_on(async move {
            let wide = sqlx::postgres::PgPoolOptions::new()
                .max_connections(RACE_CONNECTIONS)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(options.clone())
                .await
                .unwrap();
            // Open every connection before the race starts.
            let mut open = Vec::new();
            for _ in 0..RACE_CONNECTIONS {
                open.push(wide.acquire().await.unwrap());
            }
            drop(open);
            let watcher = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
            let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let watching = {
                let done = done.clone();
                tokio::spawn(async move {
                    let mut peak = 0_i64;
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let busy: i64 = sqlx::query_scalar(
                            "SELECT count(*) FROM pg_stat_activity
                              WHERE datname = current_database() AND pid <> pg_backend_pid()
                                AND state IN ('active', 'idle in transaction')",
                        )
                        .fetch_one(&watcher)
                        .await
                        .unwrap();
                        peak = peak.max(busy);
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    watcher.close().await;
                    peak
                })
            };
            let result = race(wide.clone()).await;
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            let peak = watching.await.unwrap();
            wide.close().await;
            (result, peak)
        })
    })
    .await
    .unwrap()
}

/// A card order placed through checkout, as the browser would (Stripe session `cs_test_n`).
pub(crate) async fn card_checkout(pool: &PgPool, state: &AppState, slug: &str, tier: Uuid, buyer: &str) -> Uuid {
    let form = CheckoutForm { payment_method: Some("stripe".into()), ..order_form(slug, tier, 1, buyer) };
    checkout::place_order(pool, &Payments::from_state(state), form, None).await.unwrap().order_id
}

pub(crate) async fn session_of(pool: &PgPool, order_id: Uuid) -> String {
    sqlx::query_scalar("SELECT payment_reference FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(pool)
        .await
        .unwrap()
}
