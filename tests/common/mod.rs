//! Helpers for tests that drive the whole application over HTTP, in process.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use eventos::config::Config;
use eventos::server::startup::{default_leptos_options, migrate, router};
use eventos::server::state::AppState;
use sqlx::PgPool;
use std::sync::Arc;
use tower::ServiceExt;

/// The application on a test database (sessions table included).
pub async fn app(pool: PgPool) -> Router {
    migrate(&pool).await.expect("migrations apply");
    let config = Config::from_lookup(|name| (name == "DATABASE_URL").then(|| "postgres://tests/unused".to_owned()))
        .expect("test configuration");
    router(AppState { leptos_options: default_leptos_options(), pool, config: Arc::new(config) })
}

pub struct Reply {
    pub status: StatusCode,
    /// `name=value` of the session cookie the server set, if it set one.
    pub session_cookie: Option<String>,
    pub location: Option<String>,
    pub body: String,
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

pub async fn get(app: &Router, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).expect("request builds")).await
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
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
    let bytes = axum::body::to_bytes(response.into_body(), 10 * 1024 * 1024).await.expect("body reads");
    Reply { status, session_cookie, location, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// Signs up through the API and returns the session cookie.
pub async fn sign_up(app: &Router, email: &str, organization: Option<&str>) -> String {
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
    reply.session_cookie.expect("sign-up sets a session cookie")
}
