//! Start-up: configuration, logging, database, migrations, sessions, router, serving.

use crate::app::{App, shell};
use crate::checkin::lane::DoorLane;
use crate::events::http as events_http;
use crate::orders::service::Payments;
use crate::orders::{cancel_event, refunds};
use crate::platform::config::Config;
use crate::platform::session_store::PgSessionStore;
use crate::platform::state::AppState;
use crate::server::mail::AllMail;
use crate::server::workers::supervise;
use crate::server::{health, page_cache, security};
use crate::tools::{bench, bench_checkin, bench_dashboard, seed};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::{Router, body::Body, http::Request, routing::get};
use leptos::config::{LeptosOptions, get_configuration};
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::Level;

const USAGE: &str = "usage: eventos [serve|seed|migrate|bench|assistant]
  serve    run the web server (default); with SEED_DEMO=true seeds an empty database
  seed     create or refresh the demo organizer and organization, then exit
  migrate  apply database migrations, then exit
  bench    checkout load test against a running server:
           bench --url http://127.0.0.1:3000 [--buyers 3500] [--capacity 3000] [--concurrency 64]
           door scans against a running server with the demo data:
           bench checkin --url http://127.0.0.1:3000 [--tickets 10000] [--devices 4] [--concurrency 64]
           the dashboard at an organization's size, with the demo data:
           bench dashboard --url http://127.0.0.1:3000
  assistant  the built-in assistant's reading of messages, without a database:
           assistant eval < lines of {\"prompt\": \"...\", \"now\": \"2026-11-22T10:00:00-05:00\"}";

/// Entry point of the `eventos` binary.
pub async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if command == "assistant" {
        let args: Vec<String> = std::env::args().skip(2).collect();
        return crate::tools::assistant_eval::run(&args);
    }
    if !matches!(command.as_str(), "serve" | "seed" | "migrate" | "bench") {
        eprintln!("{USAGE}");
        return if matches!(command.as_str(), "-h" | "--help" | "help") {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_json);
    match run(&command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: &str, config: Config) -> Result<(), String> {
    let pool = connect(&config).await?;
    migrate(&pool).await?;
    match command {
        "migrate" => Ok(()),
        "bench" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            if args.first().is_some_and(|a| a == "dashboard") {
                let options = bench_dashboard::DashboardOptions::from_args(&args[1..])?;
                return bench_dashboard::run(&pool, options).await;
            }
            if args.first().is_some_and(|a| a == "checkin") {
                let options = bench_checkin::CheckinOptions::from_args(&args[1..])?;
                return bench_checkin::run(&pool, options).await;
            }
            let options = bench::BenchOptions::from_args(&args)?;
            bench::run(&pool, options).await
        }
        "seed" => {
            let login = seed::seed(&pool).await.map_err(|e| format!("seeding failed: {e}"))?;
            println!("Demo organizer ready: {} / {}", login.email, login.password);
            Ok(())
        }
        _ => serve(pool, config).await,
    }
}

fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,tower_sessions_core=warn"));
    // Colours only for a person at a terminal: a log file or collector gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    if json { builder.json().init() } else { builder.init() }
}

/// No statement runs longer than this: one stuck query cannot hold a connection forever.
const STATEMENT_TIMEOUT: &str = "30s";
/// How long messages being sent may take to finish when the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// No request is served longer than this (the client gets 408).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A pooled connection idle for longer than this is pinged before it is handed out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

async fn connect(config: &Config) -> Result<PgPool, String> {
    let options = PgConnectOptions::from_str(&config.database_url)
        .map_err(|e| format!("DATABASE_URL is not a PostgreSQL URL: {e}"))?;
    let options = with_statement_timeout(without_tls_on_loopback(options, &config.database_url));
    PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // By default sqlx pings every connection before handing it out: a round trip per
        // query, a fifth of the server's work on a door scan in a profile. A connection that was in use a
        // moment ago is alive; one idle for a while is pinged, and a dead one is replaced.
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    sqlx::Connection::ping(connection).await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot connect to PostgreSQL at DATABASE_URL: {e}"))
}

/// No TLS to a database on this machine, unless `sslmode` (or `PGSSLMODE`) asks for it:
/// encrypting loopback traffic protects nothing, and on a door scan its cost showed in both
/// PostgreSQL (libcrypto) and the server (rustls).
fn without_tls_on_loopback(options: PgConnectOptions, url: &str) -> PgConnectOptions {
    let asked = url.to_ascii_lowercase().contains("sslmode=") || std::env::var_os("PGSSLMODE").is_some();
    let host = options.get_host();
    let loopback = host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback && !asked { options.ssl_mode(PgSslMode::Disable) } else { options }
}

/// Every connection of the application cuts off statements after `STATEMENT_TIMEOUT`.
pub fn with_statement_timeout(options: PgConnectOptions) -> PgConnectOptions {
    options.options([("statement_timeout", STATEMENT_TIMEOUT)])
}

/// Applies the schema migrations.
pub async fn migrate(pool: &PgPool) -> Result<(), String> {
    sqlx::migrate!().run(pool).await.map_err(|e| format!("database migration failed: {e}"))
}

async fn serve(pool: PgPool, config: Config) -> Result<(), String> {
    let leptos_options = get_configuration(config.leptos_config.to_str())
        .map_err(|e| format!("cannot read Leptos options from {}: {e}", config.leptos_config.display()))?
        .leptos_options;
    let address = leptos_options.site_addr;

    let demo = if config.seed_demo {
        seed::seed_if_empty(&pool).await.map_err(|e| format!("seeding demo data failed: {e}"))?;
        crate::accounts::db::credentials_by_email(&pool, &crate::platform::text::Email::parse(seed::DEMO_EMAIL)?)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
    } else {
        false
    };

    let sessions = PgSessionStore::new(pool.clone(), config.session_lifetime);
    let purge_pool = pool.clone();
    let deletion = supervise("purge", move || purge_every_hour(purge_pool.clone(), sessions.clone()));

    let state = AppState::new(leptos_options, pool.clone(), config)?;
    let (stop_workers, stopped) = tokio::sync::watch::channel(false);
    let (mail_pool, mailer, mail_stopped) = (pool.clone(), state.mailer.clone(), stopped.clone());
    let mail_worker = supervise("mail", move || {
        let renderer = std::sync::Arc::new(AllMail);
        crate::mail::outbox::run_worker(mail_pool.clone(), mailer.clone(), renderer, mail_stopped.clone())
    });
    let payments = Payments::from_state(&state);
    let (refund_pool, refund_payments, refunds_stopped) = (pool.clone(), payments.clone(), stopped.clone());
    let refund_worker = supervise("refunds", move || {
        refunds::run_worker(refund_pool.clone(), refund_payments.clone(), refunds_stopped.clone())
    });
    let (cancel_pool, cancel_stopped) = (pool.clone(), stopped.clone());
    let cancel_runner = supervise("event cancellations", move || {
        cancel_event::run_worker(cancel_pool.clone(), payments.clone(), cancel_stopped.clone())
    });
    let (views, views_pool, views_stopped) = (state.page_views.clone(), pool.clone(), stopped.clone());
    let view_writer =
        supervise("page views", move || views.clone().run_writer(views_pool.clone(), views_stopped.clone()));
    let sweeper = supervise("hold sweeper", move || sweep_expired_holds(pool.clone()));
    // The door's lane connects now, not at the first scan after a start (which waited 40 ms).
    let door = DoorLane::new(state.pool.clone(), state.config.session_lifetime);
    door.open();
    let router = router(state, door);
    let listener =
        tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
    tracing::info!("EventOS listening on http://{address}");
    println!("EventOS is running at http://{address}");
    if demo {
        println!("Demo organizer login: {} / {}", seed::DEMO_EMAIL, seed::DEMO_PASSWORD);
        println!("Demo door staff login: {} / {} (opens /checkin)", seed::DEMO_STAFF_EMAIL, seed::DEMO_PASSWORD);
    }
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // No new requests now. Messages and refunds being sent get a bounded moment to finish;
    // what is left stays queued in the database for the next start.
    deletion.abort();
    sweeper.abort();
    let _ = stop_workers.send(true);
    let workers = async { tokio::join!(mail_worker, refund_worker, cancel_runner, view_writer) };
    if tokio::time::timeout(SHUTDOWN_GRACE, workers).await.is_err() {
        tracing::warn!("background work did not finish in time; what is left stays queued for the next start");
    }
    served.map_err(|e| format!("server error: {e}"))
}

/// Deletes expired sessions and aged rate-limit rows every hour. Nothing depends on it: an
/// expired session is refused on load, and an old rate-limit window restarts on use.
async fn purge_every_hour(pool: PgPool, sessions: PgSessionStore) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(error) = sessions.delete_expired().await {
            tracing::error!(%error, "deleting expired sessions failed");
        }
        if let Err(error) = crate::platform::rate_limit::purge(&pool).await {
            tracing::error!(%error, "purging rate limits failed");
        }
    }
}

/// Releases expired holds every 30 seconds so the numbers people see stay fresh. Selling
/// never depends on it: a buyer who finds a tier full releases expired holds first.
async fn sweep_expired_holds(pool: PgPool) {
    let mut every = tokio::time::interval(Duration::from_secs(30));
    loop {
        every.tick().await;
        if let Err(error) = crate::orders::inventory::release_all_expired_holds(&pool).await {
            tracing::error!(%error, "releasing expired holds failed");
        }
    }
}

/// The whole application: pages, server functions, static files, health, sessions, tracing;
/// door scans go through `door`.
pub fn router(state: AppState, door: DoorLane) -> Router {
    let routes = generate_route_list(App);
    let sessions = session_layer(&state);
    let shell_options = state.leptos_options.clone();
    let page_state = state.clone();
    let fallback_state = state.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            "/dashboard/events/{id}/cover",
            post(events_http::upload_cover).layer(DefaultBodyLimit::max(events_http::MAX_COVER_BYTES + 64 * 1024)),
        )
        .route("/events/{slug}/calendar.ics", get(events_http::calendar_file))
        .route("/webhooks/stripe", post(crate::orders::webhook::stripe_webhook))
        .route("/dashboard/mail/{id}/message.eml", get(crate::mail::http::eml_file))
        .route("/dashboard/events/{id}/attendees.csv", get(crate::insights::http::attendees_csv))
        .route("/dashboard/events/{id}/orders.csv", get(crate::insights::http::orders_csv))
        .nest_service("/media", ServeDir::new(&state.config.upload_dir))
        .leptos_routes_with_context(
            &state,
            routes,
            // The router provides `AppState` to pages and server functions itself; this adds
            // the page's Content-Security-Policy with its nonce, and the door's lane (which
            // `platform`, below every domain, cannot hold).
            move || {
                security::policy_for_page(&page_state);
                leptos::prelude::provide_context(door.clone());
            },
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || security::policy_for_page(&fallback_state),
            shell,
        ))
        // Inside the sessions (whose reading of the cookie decides who may share a page) and
        // the guard (whose headers every answer gets, shared or not).
        .layer(axum::middleware::from_fn_with_state(state.clone(), page_cache::serve))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        // Pages and server-function answers are compressed on the fly; /pkg files arrive
        // precompressed (Content-Encoding set), which the layer leaves alone. An answer marked
        // `no-transform` is a stream whose pieces must leave as they are made, and an encoder
        // would hold them back.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(
            |_: http::StatusCode, _: http::Version, headers: &http::HeaderMap, _: &http::Extensions| {
                !headers
                    .get(http::header::CACHE_CONTROL)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("no-transform"))
            },
        )))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %security::loggable_path(request.uri().path()), request_id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Sessions in PostgreSQL behind an HTTP-only `eventos_session` cookie.
pub fn session_layer(state: &AppState) -> SessionManagerLayer<PgSessionStore> {
    SessionManagerLayer::new(PgSessionStore::new(state.pool.clone(), state.config.session_lifetime))
        .with_name("eventos_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::try_from(state.config.session_idle)
                .unwrap_or(tower_sessions::cookie::time::Duration::days(14)),
        ))
}

/// Leptos options for tests and tools that build the router without a `Leptos.toml`.
pub fn default_leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("eventos").site_root("target/site").site_pkg_dir("pkg").build()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> PgSslMode {
        without_tls_on_loopback(PgConnectOptions::from_str(url).unwrap(), url).get_ssl_mode()
    }

    #[test]
    fn a_database_on_this_machine_is_reached_without_tls() {
        assert!(matches!(mode("postgres://postgres@127.0.0.1:5432/eventos"), PgSslMode::Disable));
        assert!(matches!(mode("postgres://postgres@localhost/eventos"), PgSslMode::Disable));
        assert!(matches!(mode("postgres://postgres@[::1]:5432/eventos"), PgSslMode::Disable));
    }

    #[test]
    fn a_remote_database_or_an_explicit_sslmode_keeps_tls() {
        assert!(matches!(mode("postgres://app@db.example.com/eventos"), PgSslMode::Prefer));
        assert!(matches!(mode("postgres://postgres@127.0.0.1/eventos?sslmode=require"), PgSslMode::Require));
    }
}
