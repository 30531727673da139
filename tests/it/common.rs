//! Helpers for tests that drive the whole application over HTTP, in process.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use eventos::checkin::lane::DoorLane;
use eventos::platform::config::Config;
use eventos::platform::state::AppState;
use eventos::server::startup::{default_leptos_options, migrate, router};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// The application on a test database (sessions table included).
pub async fn app(pool: PgPool) -> Router {
    migrate(&pool).await.expect("migrations apply");
    let config = Config::from_lookup(|name| (name == "DATABASE_URL").then(|| "postgres://tests/unused".to_owned()))
        .expect("test configuration");
    let door = DoorLane::new(pool.clone(), config.session_lifetime);
    router(AppState::new(default_leptos_options(), pool, config).expect("test state"), door)
}

/// The application with extra configuration (SMTP, Stripe, mailbox folder, hold time).
pub async fn app_with(pool: PgPool, settings: &[(&str, &str)]) -> (Router, AppState) {
    migrate(&pool).await.expect("migrations apply");
    let settings: Vec<(String, String)> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let config = Config::from_lookup(|name| {
        if name == "DATABASE_URL" {
            return Some("postgres://tests/unused".to_owned());
        }
        settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .expect("test configuration");
    let door = DoorLane::new(pool.clone(), config.session_lifetime);
    let state = AppState::new(default_leptos_options(), pool, config).expect("test state");
    (router(state.clone(), door), state)
}

pub struct Reply {
    pub status: StatusCode,
    /// `name=value` of the session cookie the server set, if it set one.
    pub session_cookie: Option<String>,
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    /// A response header as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Calls a server function the way the browser's WASM does (form-encoded, not an HTML form post).
pub async fn call(app: &Router, function: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
    let body = serde_urlencoded::to_string(form).expect("form encodes");
    let mut request = Request::post(format!("/api/{function}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::from(body)).expect("request builds")).await
}

/// Calls a server function that takes JSON (`input = Json`).
pub async fn call_json(app: &Router, function: &str, body: &serde_json::Value, cookie: Option<&str>) -> Reply {
    let mut request = Request::post(format!("/api/{function}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::from(body.to_string())).expect("request builds")).await
}

/// Calls a server function from the network address `peer`, with extra request headers
/// (`X-Forwarded-For`, `Origin`, …).
pub async fn call_from(
    app: &Router,
    function: &str,
    form: &[(&str, &str)],
    peer: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let body = serde_urlencoded::to_string(form).expect("form encodes");
    let mut request = Request::post(format!("/api/{function}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::from(body)).expect("request builds");
    let peer: std::net::SocketAddr = format!("{peer}:40000").parse().expect("peer address");
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    send(app, request).await
}

pub async fn get(app: &Router, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).expect("request builds")).await
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("router answers");
    let status = response.status();
    let session_cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("eventos_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned());
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 * 1024 * 1024).await.expect("body reads");
    Reply { status, session_cookie, location, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// Signs up through the API and returns the session cookie.
/// Signs up through the API, follows the confirmation link from the outbox, and returns the
/// session cookie that confirming sets.
pub async fn sign_up(app: &Router, pool: &PgPool, email: &str, organization: Option<&str>) -> String {
    let mut form = vec![("full_name", "Test Person"), ("email", email), ("password", "a-long-enough-password")];
    if let Some(organization) = organization {
        form.push(("organizer", "on"));
        form.push(("organization_name", organization));
    }
    let reply = call(app, "sign_up", &form, None).await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "sign-up failed: {} {}",
        reply.status,
        reply.body
    );
    assert_eq!(reply.session_cookie, None, "nobody is logged in before confirming");
    confirm(app, pool, email).await.session_cookie.expect("confirming sets a session cookie")
}

/// Follows the newest confirmation link sent to `email`.
pub async fn confirm(app: &Router, pool: &PgPool, email: &str) -> Reply {
    let token: String = sqlx::query_scalar(
        "SELECT payload->>'token' FROM outbox WHERE kind = 'confirm_email' AND recipient = lower($1)
          ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .expect("a confirmation link was sent");
    let reply = call(app, "confirm_email", &[("token", &token)], None).await;
    assert!(reply.status.is_success() || reply.status.is_redirection(), "confirming failed: {}", reply.body);
    // As if delivered: tests that count the outbox count what their own actions queued.
    sqlx::query("DELETE FROM outbox WHERE kind = 'confirm_email' AND recipient = lower($1)")
        .bind(email)
        .execute(pool)
        .await
        .expect("the confirmation leaves the outbox");
    reply
}

/// A stand-in for Stripe's API on a local port: it speaks the request and response shapes
/// EventOS uses and records what it was asked.
pub struct FakeStripe {
    pub base_url: String,
    pub requests: Arc<Mutex<Vec<(String, String)>>>,
    /// When set, every API call fails with this status.
    pub fail_with: Arc<Mutex<Option<u16>>>,
    /// Checkout Sessions the buyer has paid: Stripe no longer lets them be expired.
    pub paid_sessions: Arc<Mutex<Vec<String>>>,
}

pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_test_secret";

impl FakeStripe {
    pub async fn start() -> Self {
        use axum::routing::post;
        let requests: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let fail_with: Arc<Mutex<Option<u16>>> = Arc::default();
        let paid_sessions: Arc<Mutex<Vec<String>>> = Arc::default();
        let (seen, failing, paid) = (requests.clone(), fail_with.clone(), paid_sessions.clone());
        let handler = move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
            let (seen, failing, paid) = (seen.clone(), failing.clone(), paid.clone());
            async move {
                let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
                let count = {
                    let mut seen = seen.lock().unwrap();
                    seen.push((uri.path().to_owned(), format!("{body}&idempotency_key={key}")));
                    seen.len()
                };
                if let Some(status) = *failing.lock().unwrap() {
                    let status = StatusCode::from_u16(status).unwrap();
                    return (status, r#"{"error":{"message":"Simulated outage"}}"#.to_owned());
                }
                let reply = if uri.path() == "/v1/checkout/sessions" {
                    format!(r#"{{"id":"cs_test_{count}","url":"https://checkout.stripe.test/pay/cs_test_{count}"}}"#)
                } else if let Some(session) = uri.path().strip_prefix("/v1/checkout/sessions/") {
                    let session = session.trim_end_matches("/expire");
                    if paid.lock().unwrap().iter().any(|s| s == session) {
                        return (StatusCode::BAD_REQUEST, r#"{"error":{"message":"Session is not open"}}"#.to_owned());
                    }
                    format!(r#"{{"id":"{session}","status":"expired"}}"#)
                } else {
                    format!(r#"{{"id":"re_test_{count}","status":"succeeded"}}"#)
                };
                (StatusCode::OK, reply)
            }
        };
        let paid = paid_sessions.clone();
        let session_status = move |axum::extract::Path(id): axum::extract::Path<String>| {
            let paid = paid.clone();
            async move {
                let status = if paid.lock().unwrap().contains(&id) { "complete" } else { "expired" };
                format!(r#"{{"id":"{id}","status":"{status}"}}"#)
            }
        };
        let app = Router::new()
            .route("/v1/checkout/sessions", post(handler.clone()))
            .route("/v1/checkout/sessions/{id}/expire", post(handler.clone()))
            .route("/v1/checkout/sessions/{id}", axum::routing::get(session_status))
            .route("/v1/refunds", post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeStripe { base_url, requests, fail_with, paid_sessions }
    }

    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STRIPE_SECRET_KEY", "sk_test_fake".to_owned()),
            ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET.to_owned()),
            ("STRIPE_API_BASE", self.base_url.clone()),
        ]
    }

    pub fn calls_to(&self, path: &str) -> Vec<String> {
        self.requests.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, b)| b.clone()).collect()
    }
}

/// Posts a webhook the way Stripe does, signed with `secret` at `timestamp`.
pub async fn send_webhook(app: &Router, payload: &str, secret: &str, timestamp: i64) -> Reply {
    let signature = eventos::payments::stripe::sign(secret, payload.as_bytes(), timestamp);
    let request = Request::post("/webhooks/stripe")
        .header(header::CONTENT_TYPE, "application/json")
        .header("stripe-signature", signature)
        .body(Body::from(payload.to_owned()))
        .unwrap();
    send(app, request).await
}

/// A `checkout.session.completed` event for a session.
pub fn session_completed(event_id: &str, session_id: &str) -> String {
    format!(
        r#"{{"id":"{event_id}","type":"checkout.session.completed","data":{{"object":{{"id":"{session_id}","payment_status":"paid","payment_intent":"pi_{session_id}","amount_total":5000}}}}}}"#
    )
}

/// A minimal SMTP server for tests: it accepts every message and keeps what it received.
pub struct SmtpSink {
    pub url: String,
    pub messages: Arc<Mutex<Vec<ReceivedMail>>>,
    /// Notified when the sink stalls (see `stalling_after`).
    pub stalled: Arc<tokio::sync::Notify>,
}

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub recipients: Vec<String>,
    pub data: String,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::stalling_after(usize::MAX).await
    }

    /// A sink that keeps the `n`-th message but never answers it: the sender has sent it
    /// and waits for the answer forever, like a process killed right after a send.
    pub async fn stalling_after(n: usize) -> Self {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let messages: Arc<Mutex<Vec<ReceivedMail>>> = Arc::default();
        let stalled = Arc::new(tokio::sync::Notify::new());
        let store = messages.clone();
        let stall = stalled.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                let (store, stall) = (store.clone(), stall.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read);
                    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
                    let (mut from, mut recipients) = (String::new(), Vec::new());
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let command = line.trim_end().to_owned();
                        let upper = command.to_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250-sink.test\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = command[10..].trim().to_owned();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            recipients.push(command[8..].trim().trim_matches(['<', '>']).to_owned());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = write.write_all(b"354 End with <CRLF>.<CRLF>\r\n").await;
                            let mut data = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            let received = {
                                let mut store = store.lock().unwrap();
                                store.push(ReceivedMail {
                                    from: from.clone(),
                                    recipients: std::mem::take(&mut recipients),
                                    data,
                                });
                                store.len()
                            };
                            if received == n {
                                stall.notify_one();
                                std::future::pending::<()>().await;
                            }
                            b"250 Queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 Bye\r\n").await;
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        SmtpSink { url, messages, stalled }
    }
}
