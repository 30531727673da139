//! Public event pages, the calendar file and cover uploads, over HTTP in process.

use crate::common::{app, get, sign_up};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use eventos::events::EventStatus;
use eventos::events::service::{self, EventForm};
use eventos::events::tiers::{self, TierForm};
use eventos::organizations::Role;
use eventos::organizations::access::{OrganizationScope, scope_for};
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

async fn scope_of(pool: &PgPool, email: &str) -> OrganizationScope {
    let user_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await.unwrap();
    scope_for(pool, user_id, None, Role::Owner).await.unwrap()
}

async fn published(
    pool: &PgPool,
    scope: &OrganizationScope,
    name: &str,
    description: &str,
    visibility: &str,
) -> (Uuid, String) {
    let form = EventForm {
        name: name.into(),
        event_type: "seminar".into(),
        description: description.into(),
        start_local: "2031-06-10T18:00".into(),
        end_local: "2031-06-10T21:00".into(),
        capacity: "50".into(),
        visibility: visibility.into(),
        allow_registrations: true,
        offline_payments: true,
        ..Default::default()
    };
    let id = service::create_event(pool, scope, form).await.unwrap();
    let tier = TierForm { name: "General".into(), price: "15".into(), capacity: "50".into(), ..Default::default() };
    tiers::add_tier(pool, scope, id, tier).await.unwrap();
    service::change_status(pool, scope, id, EventStatus::Published).await.unwrap();
    let slug = sqlx::query_scalar("SELECT slug FROM events WHERE id = $1").bind(id).fetch_one(pool).await.unwrap();
    (id, slug)
}

#[sqlx::test]
async fn the_event_page_renders_user_text_safely_with_structured_data(pool: PgPool) {
    let app = app(pool.clone()).await;
    sign_up(&app, &pool, "o@example.com", Some("Org")).await;
    let scope = scope_of(&pool, "o@example.com").await;
    let (_, slug) =
        published(&pool, &scope, "Evening <b>Talk</b>", "Bring a friend </script><script>alert(1)</script>", "public")
            .await;

    let page = get(&app, &format!("/events/{slug}"), None).await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)</script>"), "user text must never become markup");
    assert!(page.body.contains("Evening &lt;b&gt;Talk&lt;/b&gt;"));
    assert!(page.body.contains(r#""@type":"Event""#));
    assert!(page.body.contains("\\u003c/script>"), "JSON-LD escapes < so it cannot close its script tag");
    assert!(page.body.contains(r#"property="og:title""#));
    assert!(page.body.contains("Wed, Jun 11, 2031") || page.body.contains("Tue, Jun 10, 2031"));
    assert!(page.body.contains("50 left"));
}

#[sqlx::test]
async fn a_private_event_page_is_a_404_for_visitors_and_visible_to_its_organization(pool: PgPool) {
    let app = app(pool.clone()).await;
    let organizer = sign_up(&app, &pool, "o@example.com", Some("Org")).await;
    let scope = scope_of(&pool, "o@example.com").await;
    let (_, slug) = published(&pool, &scope, "Board Meeting", "Members only.", "private").await;

    assert_eq!(get(&app, &format!("/events/{slug}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &format!("/events/{slug}/calendar.ics"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &format!("/events/{slug}"), Some(&organizer)).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn the_calendar_file_describes_the_event_in_utc(pool: PgPool) {
    let app = app(pool.clone()).await;
    sign_up(&app, &pool, "o@example.com", Some("Org")).await;
    let scope = scope_of(&pool, "o@example.com").await;
    let (id, slug) = published(&pool, &scope, "Evening Talk", "Doors open at 6, talk at 7.", "public").await;

    let ics = get(&app, &format!("/events/{slug}/calendar.ics"), None).await;

    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.body.contains(&format!("UID:{id}@eventos")));
    assert!(ics.body.contains("DTSTART:20310610T220000Z"), "18:00 in Toronto is 22:00 UTC in June");
    assert!(ics.body.contains("SUMMARY:Evening Talk"));
    assert!(ics.body.contains("Doors open at 6\\, talk at 7."));
}

fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "eventos-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"cover\"; filename=\"cover.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &axum::Router, event_id: Uuid, cookie: Option<&str>, file: &[u8]) -> (StatusCode, String) {
    let (content_type, body) = multipart(file);
    let mut request =
        Request::post(format!("/dashboard/events/{event_id}/cover")).header(header::CONTENT_TYPE, content_type);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
    let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (response.status(), location)
}

#[sqlx::test]
async fn a_cover_image_is_checked_by_content_stored_and_served(pool: PgPool) {
    let app = app(pool.clone()).await;
    let organizer = sign_up(&app, &pool, "o@example.com", Some("Org")).await;
    let outsider = sign_up(&app, &pool, "x@example.com", Some("Other Org")).await;
    let scope = scope_of(&pool, "o@example.com").await;
    let (id, _) = published(&pool, &scope, "Evening Talk", "Talk.", "public").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-a-tiny-test-image";

    let (status, location) = upload(&app, id, Some(&organizer), b"<svg onload=alert(1)>").await;
    assert!(status.is_redirection());
    assert!(location.ends_with("?cover_error=type"), "{location}");
    let (status, _) = upload(&app, id, Some(&outsider), png).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another organization's event");
    let (status, location) = upload(&app, id, None, png).await;
    assert!(status.is_redirection() && location.starts_with("/login"));
    let stored: Option<String> =
        sqlx::query_scalar("SELECT cover_image_path FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, None, "refused uploads write nothing");

    let (status, location) = upload(&app, id, Some(&organizer), png).await;
    assert!(status.is_redirection());
    assert_eq!(location, format!("/dashboard/events/{id}/edit"));
    let stored: String = sqlx::query_scalar("SELECT cover_image_path FROM events").fetch_one(&pool).await.unwrap();
    let served = get(&app, &format!("/media/{stored}"), None).await;
    assert_eq!(served.status, StatusCode::OK);
    let _ = std::fs::remove_file(std::path::Path::new(".data/uploads").join(stored));
}

/// The nonce the page's scripts carry, and the page with it blanked out.
fn nonce_and_rest(body: &str) -> (String, String) {
    let start = body.find("nonce=\"").expect("the page has a nonced script") + "nonce=\"".len();
    let nonce = body[start..].split('"').next().unwrap().to_owned();
    (nonce.clone(), body.replace(&nonce, "NONCE"))
}

#[sqlx::test]
async fn a_visitor_without_a_session_gets_the_page_rendered_this_second_with_a_nonce_of_their_own(pool: PgPool) {
    let app = app(pool.clone()).await;
    let cookie = sign_up(&app, &pool, "rush@example.com", Some("Rush Org")).await;
    let scope = scope_of(&pool, "rush@example.com").await;
    let (id, slug) = published(&pool, &scope, "Rush Hour Talk", "Busy.", "public").await;
    let path = format!("/events/{slug}");

    let first = get(&app, &path, None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("Rush Hour Talk"));
    sqlx::query("UPDATE events SET name = 'Renamed Talk' WHERE id = $1").bind(id).execute(&pool).await.unwrap();

    let second = get(&app, &path, None).await;
    let (first_nonce, first_rest) = nonce_and_rest(&first.body);
    let (second_nonce, second_rest) = nonce_and_rest(&second.body);
    assert_eq!(second_rest, first_rest, "the same rendering is served within the second");
    assert_ne!(second_nonce, first_nonce, "every visitor gets a nonce of their own");
    let policy = second.header("content-security-policy").expect("a policy");
    assert!(policy.contains(&format!("'nonce-{second_nonce}'")), "the policy names the page's nonce: {policy}");
    assert!(!second.body.contains(&first_nonce));
    assert_eq!(second.header("cache-control"), Some("no-store"), "browsers still do not keep it");

    let organizer = get(&app, &path, Some(&cookie)).await;
    assert!(organizer.body.contains("Renamed Talk"), "a visitor with a session gets a page of their own");

    tokio::time::sleep(eventos::server::page_cache::FRESH_FOR + std::time::Duration::from_millis(150)).await;
    let later = get(&app, &path, None).await;
    assert!(later.body.contains("Renamed Talk"), "after a second the page is rendered again");
}

#[sqlx::test]
async fn a_public_page_is_rendered_once_a_second_for_visitors_without_a_session(pool: PgPool) {
    use axum::routing::get as route_get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let (full_app, state) = crate::common::app_with(pool.clone(), &[]).await;
    let session = sign_up(&full_app, &pool, "regular@example.com", None).await;
    let renders = Arc::new(AtomicUsize::new(0));
    let counter = renders.clone();
    let page = move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_SECURITY_POLICY, "script-src 'self' 'nonce-AAAAAAAAAAAAAAAAAAAAAA'"),
                ],
                r#"<script nonce="AAAAAAAAAAAAAAAAAAAAAA"></script>"#,
            )
        }
    };
    let failing = renders.clone();
    let failed_page = move || {
        let failing = failing.clone();
        async move {
            failing.fetch_add(1, Ordering::SeqCst);
            (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/html")], "<p>Busy</p>")
        }
    };
    let app = axum::Router::new()
        .route("/events/{slug}", route_get(page))
        .route("/", route_get(failed_page))
        .layer(axum::middleware::from_fn_with_state(state.clone(), eventos::server::page_cache::serve))
        .layer(eventos::server::startup::session_layer(&state));
    let count = || renders.load(Ordering::SeqCst);

    for _ in 0..3 {
        let reply = get(&app, "/events/rush", None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(!reply.body.contains("AAAAAAAAAAAAAAAAAAAAAA"), "every visitor gets a new nonce");
    }
    assert_eq!(count(), 1, "three visitors, one render");

    get(&app, "/events/rush", Some(&session)).await;
    assert_eq!(count(), 2, "a visitor with a session gets a page of their own");
    // A cookie header with bytes beyond ASCII still carries the session the sessions layer reads.
    let mut request = Request::get("/events/rush").body(Body::empty()).unwrap();
    let cookies = format!("pref=caf\u{e9}; {session}");
    request.headers_mut().insert(header::COOKIE, header::HeaderValue::from_bytes(cookies.as_bytes()).unwrap());
    crate::common::send(&app, request).await;
    assert_eq!(count(), 3, "a session next to a non-ASCII cookie is still a session");
    get(&app, "/events/rush?utm_source=mail", None).await;
    get(&app, "/events/%72ush", None).await;
    assert_eq!(count(), 5, "a query string or an escaped path is rendered each time");

    get(&app, "/", None).await;
    get(&app, "/", None).await;
    assert_eq!(count(), 7, "a page that failed is never shared");

    tokio::time::sleep(eventos::server::page_cache::FRESH_FOR + std::time::Duration::from_millis(100)).await;
    get(&app, "/events/rush", None).await;
    assert_eq!(count(), 8, "after a second the page is rendered again");
}
