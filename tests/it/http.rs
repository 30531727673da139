//! The application over HTTP, in process: sessions, guards on server functions, pages.

use crate::common::{app, call, call_json, get, sign_up};
use axum::http::StatusCode;
use sqlx::PgPool;

#[sqlx::test]
async fn healthz_reports_a_reachable_database(pool: PgPool) {
    let app = app(pool.clone()).await;

    let reply = get(&app, "/healthz", None).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains(r#""database":"reachable""#), "{}", reply.body);
}

#[sqlx::test]
async fn healthz_reports_an_unreachable_database_as_unavailable(pool: PgPool) {
    let app = app(pool.clone()).await;
    pool.close().await;

    let reply = get(&app, "/healthz", None).await;

    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test]
async fn logging_in_issues_a_new_session_id_and_the_old_one_stops_working(pool: PgPool) {
    let app = app(pool.clone()).await;
    let first = sign_up(&app, &pool, "ada@example.com", None).await;

    let form = [("email", "ada@example.com"), ("password", "a-long-enough-password")];
    let login = call(&app, "log_in", &form, Some(&first)).await;

    assert!(login.status.is_success() || login.status.is_redirection(), "{} {}", login.status, login.body);
    let second = login.session_cookie.expect("login sets a cookie");
    assert_ne!(first, second, "the session id must change at login");
    let old = call(&app, "get_current_user", &[], Some(&first)).await;
    assert_eq!(old.body, "null", "the pre-login session id must be dead");
    let current = call(&app, "get_current_user", &[], Some(&second)).await;
    assert!(current.body.contains("ada@example.com"), "{}", current.body);
}

#[sqlx::test]
async fn logging_out_ends_the_session_on_the_server(pool: PgPool) {
    let app = app(pool.clone()).await;
    let cookie = sign_up(&app, &pool, "ada@example.com", None).await;
    let sessions_before: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&pool).await.unwrap();

    let logout = call(&app, "log_out", &[], Some(&cookie)).await;

    assert!(logout.status.is_success() || logout.status.is_redirection());
    let sessions_after: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(sessions_after, sessions_before - 1, "the session row is deleted");
    let replayed = call(&app, "get_current_user", &[], Some(&cookie)).await;
    assert_eq!(replayed.body, "null", "a replayed cookie must not log anyone in");
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_and_same_site(pool: PgPool) {
    let app = app(pool.clone()).await;
    let form = [("full_name", "Ada"), ("email", "ada@example.com"), ("password", "a-long-enough-password")];

    call(&app, "sign_up", &form, None).await;
    let token: String = sqlx::query_scalar("SELECT payload->>'token' FROM outbox WHERE kind = 'confirm_email'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let confirm = format!("token={token}");
    let request = axum::http::Request::post("/api/confirm_email")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(confirm))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();

    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[sqlx::test]
async fn a_wrong_password_is_a_422_with_a_message_and_no_session(pool: PgPool) {
    let app = app(pool.clone()).await;
    sign_up(&app, &pool, "ada@example.com", None).await;

    let reply = call(&app, "log_in", &[("email", "ada@example.com"), ("password", "wrong-password")], None).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("do not match an account"), "{}", reply.body);
    assert_eq!(reply.session_cookie, None);
}

#[sqlx::test]
async fn the_organization_api_is_unauthorized_to_visitors_and_forbidden_to_attendees(pool: PgPool) {
    let app = app(pool.clone()).await;
    let attendee = sign_up(&app, &pool, "ada@example.com", None).await;
    let organizer = sign_up(&app, &pool, "olivia@example.com", Some("Harbourfront Summits")).await;

    assert_eq!(call(&app, "get_organization_overview", &[], None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&app, "get_organization_overview", &[], Some(&attendee)).await.status, StatusCode::FORBIDDEN);
    let own = call(&app, "get_organization_overview", &[], Some(&organizer)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Harbourfront Summits"), "{}", own.body);
}

#[sqlx::test]
async fn a_forged_session_cookie_is_treated_as_a_visitor(pool: PgPool) {
    let app = app(pool.clone()).await;

    let reply = call(&app, "get_organization_overview", &[], Some("eventos_session=AAAAAAAAAAAAAAAAAAAAAA")).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn pages_render_on_the_server_with_the_navigation_of_the_visitor(pool: PgPool) {
    let app = app(pool.clone()).await;
    let organizer = sign_up(&app, &pool, "olivia@example.com", Some("Harbourfront Summits")).await;

    let anonymous = get(&app, "/login", None).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(anonymous.body.contains("<h1>Log in</h1>"), "{}", anonymous.body);
    assert!(anonymous.body.contains(r#"href="/signup""#));

    let dashboard = get(&app, "/dashboard", Some(&organizer)).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Harbourfront Summits"));
    assert!(dashboard.body.contains("Log out"));
}

#[sqlx::test]
async fn the_dashboard_sends_visitors_to_the_login_page(pool: PgPool) {
    let app = app(pool.clone()).await;

    let reply = get(&app, "/dashboard", None).await;

    assert!(reply.status.is_redirection(), "{}", reply.status);
    assert_eq!(reply.location.as_deref(), Some("/login?next=/dashboard"));
}

#[sqlx::test]
async fn an_unknown_address_is_a_404_page(pool: PgPool) {
    let app = app(pool.clone()).await;

    let reply = get(&app, "/no/such/page", None).await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("Page not found"));
}

#[sqlx::test]
async fn a_plain_html_form_post_with_bad_input_goes_back_to_the_form_with_the_error(pool: PgPool) {
    let app = app(pool.clone()).await;
    let request = axum::http::Request::post("/api/log_in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://localhost/login")
        .body(axum::body::Body::from("email=nobody%40example.com&password=x"))
        .unwrap();

    let response = tower::ServiceExt::oneshot(app.clone(), request).await.unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers().get("location").unwrap().to_str().unwrap().to_owned();
    assert!(location.starts_with("http://localhost/login?"), "{location}");
    let page = get(&app, location.trim_start_matches("http://localhost"), None).await;
    assert!(page.body.contains("That email and password do not match an account."), "{}", page.body);
}

/// Every organizer server function, with arguments that would otherwise be valid enough
/// to reach the guard.
const ORGANIZER_FUNCTIONS: &[(&str, &[(&str, &str)])] = &[
    ("get_organization_overview", &[]),
    ("get_dashboard_home", &[]),
    ("get_overview", &[]),
    ("get_event_insights", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    ("list_conversations", &[]),
    ("get_announcements", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "get_attendees",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("query", ""), ("sort", "name"), ("page", "1")],
    ),
    (
        "preview_announcement",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("tier_id", ""), ("subject", "Hi"), ("body", "Hello")],
    ),
    (
        "send_announcement",
        &[
            ("id", "00000000-0000-0000-0000-000000000001"),
            ("event_id", "00000000-0000-0000-0000-000000000000"),
            ("tier_id", ""),
            ("subject", "Hi"),
            ("body", "Hello"),
            ("expected", "1"),
        ],
    ),
    ("get_task_board", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "update_task",
        &[
            ("task_id", "00000000-0000-0000-0000-000000000000"),
            ("title", "Book the room"),
            ("status", "completed"),
            ("assignee_id", ""),
        ],
    ),
    ("start_conversation", &[]),
    ("get_conversation", &[("id", "00000000-0000-0000-0000-000000000000")]),
    ("send_assistant_message", &[("id", "00000000-0000-0000-0000-000000000000"), ("message", "make it 600 people")]),
    ("stream_assistant_reply", &[("id", "00000000-0000-0000-0000-000000000000"), ("message", "make it 600 people")]),
    ("confirm_assistant_action", &[("id", "00000000-0000-0000-0000-000000000000")]),
    ("dismiss_assistant_action", &[("id", "00000000-0000-0000-0000-000000000000")]),
    (
        "edit_assistant_draft",
        &[
            ("id", "00000000-0000-0000-0000-000000000000"),
            ("name", "Renamed"),
            ("start_local", ""),
            ("end_local", ""),
            ("capacity", ""),
        ],
    ),
    ("add_assistant_tier", &[("id", "00000000-0000-0000-0000-000000000000"), ("name", "VIP"), ("price", "49")]),
    ("list_organization_events", &[]),
    ("get_event_editor", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "save_event",
        &[
            ("name", "X"),
            ("event_type", "conference"),
            ("start_local", "2031-01-01T09:00"),
            ("end_local", "2031-01-01T10:00"),
            ("capacity", "10"),
            ("visibility", "public"),
        ],
    ),
    ("change_event_status", &[("event_id", "00000000-0000-0000-0000-000000000000"), ("status", "published")]),
    ("duplicate_event", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "save_tier",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("name", "A"), ("price", "1"), ("capacity", "1")],
    ),
    ("tier_action", &[("tier_id", "00000000-0000-0000-0000-000000000000"), ("action", "delete")]),
    ("list_venues", &[]),
    ("get_venue", &[("venue_id", "00000000-0000-0000-0000-000000000000")]),
    ("save_venue", &[("name", "Hall"), ("address", "1 Main St")]),
    ("list_event_orders", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    ("get_order_detail", &[("order_id", "00000000-0000-0000-0000-000000000000")]),
    ("mark_order_paid", &[("order_id", "00000000-0000-0000-0000-000000000000")]),
    ("cancel_order", &[("order_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "cancel_ticket",
        &[("order_id", "00000000-0000-0000-0000-000000000000"), ("ticket_id", "00000000-0000-0000-0000-000000000000")],
    ),
    ("event_cancellation_impact", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    ("cancel_event", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    ("event_cancellation_progress", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    ("list_promo_codes", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "create_promo_code",
        &[
            ("event_id", "00000000-0000-0000-0000-000000000000"),
            ("code", "SAVE10"),
            ("discount_kind", "percent"),
            ("amount", "10"),
        ],
    ),
    ("set_promo_code_active", &[("promo_id", "00000000-0000-0000-0000-000000000000"), ("active", "false")]),
    ("list_sent_mail", &[]),
    ("get_sent_mail", &[("mail_id", "00000000-0000-0000-0000-000000000000")]),
    ("get_team", &[]),
    ("invite_member", &[("email", "sam@example.com"), ("role", "staff")]),
    ("revoke_invitation", &[("invitation_id", "00000000-0000-0000-0000-000000000000")]),
    ("change_member_role", &[("user_id", "00000000-0000-0000-0000-000000000000"), ("role", "admin")]),
    ("remove_member", &[("user_id", "00000000-0000-0000-0000-000000000000")]),
    ("get_door_board", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    ("save_checkin_list", &[("event_id", "00000000-0000-0000-0000-000000000000"), ("name", "VIP entrance")]),
    (
        "delete_checkin_list",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("list_id", "00000000-0000-0000-0000-000000000000")],
    ),
    (
        "remove_door_staff",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("user_id", "00000000-0000-0000-0000-000000000000")],
    ),
];

/// The door's functions, for an event that does not exist: refused before anything is looked up.
const DOOR_FUNCTIONS: &[(&str, &[(&str, &str)])] = &[
    ("get_door_event", &[("event_id", "00000000-0000-0000-0000-000000000000")]),
    (
        "scan_ticket",
        &[
            ("event_id", "00000000-0000-0000-0000-000000000000"),
            ("list_id", "00000000-0000-0000-0000-000000000000"),
            ("code", "EOS1:AAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("nonce", "00000000-0000-0000-0000-000000000001"),
        ],
    ),
    (
        "admit_ticket",
        &[
            ("event_id", "00000000-0000-0000-0000-000000000000"),
            ("list_id", "00000000-0000-0000-0000-000000000000"),
            ("ticket_id", "00000000-0000-0000-0000-000000000000"),
            ("nonce", "00000000-0000-0000-0000-000000000001"),
        ],
    ),
    (
        "undo_checkin",
        &[
            ("event_id", "00000000-0000-0000-0000-000000000000"),
            ("checkin_id", "00000000-0000-0000-0000-000000000000"),
            ("nonce", "00000000-0000-0000-0000-000000000001"),
        ],
    ),
    (
        "get_door_counts",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("list_id", "00000000-0000-0000-0000-000000000000")],
    ),
    (
        "search_door",
        &[
            ("event_id", "00000000-0000-0000-0000-000000000000"),
            ("list_id", "00000000-0000-0000-0000-000000000000"),
            ("q", "ada"),
        ],
    ),
    (
        "get_door_copy",
        &[("event_id", "00000000-0000-0000-0000-000000000000"), ("list_id", "00000000-0000-0000-0000-000000000000")],
    ),
];

/// An upload of one scan judged offline, for an event that does not exist.
fn offline_upload() -> serde_json::Value {
    serde_json::json!({
        "event_id": "00000000-0000-0000-0000-000000000000",
        "scans": [{
            "list_id": "00000000-0000-0000-0000-000000000000",
            "ticket_id": null,
            "code": "EOS1:AAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "nonce": "00000000-0000-0000-0000-000000000002",
            "client_time": "2026-11-23T18:00:00Z",
            "shown": "admitted",
            "collect": false,
            "device": "Door 1"
        }]
    })
}

#[sqlx::test]
async fn every_organizer_function_refuses_visitors_and_attendees_and_writes_nothing(pool: PgPool) {
    let app = app(pool.clone()).await;
    let attendee = sign_up(&app, &pool, "ada@example.com", None).await;

    for (function, form) in ORGANIZER_FUNCTIONS.iter().chain(DOOR_FUNCTIONS) {
        let visitor = call(&app, function, form, None).await;
        assert_eq!(visitor.status, StatusCode::UNAUTHORIZED, "{function} for a visitor: {}", visitor.body);
        let member_of_nothing = call(&app, function, form, Some(&attendee)).await;
        assert_eq!(
            member_of_nothing.status,
            StatusCode::FORBIDDEN,
            "{function} for an attendee: {}",
            member_of_nothing.body
        );
    }
    let visitor = call_json(&app, "upload_door_scans", &offline_upload(), None).await;
    assert_eq!(visitor.status, StatusCode::UNAUTHORIZED, "offline upload for a visitor: {}", visitor.body);
    let member_of_nothing = call_json(&app, "upload_door_scans", &offline_upload(), Some(&attendee)).await;
    assert_eq!(
        member_of_nothing.status,
        StatusCode::FORBIDDEN,
        "offline upload for an attendee: {}",
        member_of_nothing.body
    );
    let tables = [
        "events",
        "venues",
        "ticket_tiers",
        "organizations",
        "orders",
        "promo_codes",
        "outbox",
        "refunds",
        "announcements",
    ];
    let door_and_dashboard =
        ["event_cancellations", "invitations", "checkin_scans", "checkins", "audit_logs", "notifications"];
    for table in tables.into_iter().chain(door_and_dashboard) {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        assert_eq!(rows, 0, "{table} must stay empty");
    }
}

#[sqlx::test]
async fn account_functions_refuse_visitors(pool: PgPool) {
    let app = app(pool.clone()).await;

    assert_eq!(call(&app, "get_profile", &[], None).await.status, StatusCode::UNAUTHORIZED);
    let update = call(&app, "update_profile", &[("full_name", "Mallory")], None).await;
    assert_eq!(update.status, StatusCode::UNAUTHORIZED);
    for function in ["get_inbox", "count_unread_notifications", "mark_notifications_read"] {
        assert_eq!(call(&app, function, &[], None).await.status, StatusCode::UNAUTHORIZED, "{function}");
    }
}

#[sqlx::test]
async fn a_server_function_call_with_missing_arguments_is_a_400_not_a_500(pool: PgPool) {
    let app = app(pool.clone()).await;

    let reply = call(&app, "log_in", &[("email", "ada@example.com")], None).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("Transport"), "{}", reply.body);
}

#[sqlx::test]
async fn staff_reach_the_door_of_their_organization_and_nothing_of_sales_money_or_settings(pool: PgPool) {
    let app = app(pool.clone()).await;
    let owner = crate::shop::organizer(&pool, "olivia@example.com").await;
    let (slug, _) = crate::shop::event_with(&pool, &owner, 10, &[("General", "0", 5)]).await;
    let event_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(&slug).fetch_one(&pool).await.unwrap();
    let staff = sign_up(&app, &pool, "sam@example.com", None).await;
    sqlx::query(
        "INSERT INTO organization_members (organization_id, user_id, role)
         SELECT $1, id, 'staff' FROM users WHERE email = 'sam@example.com'",
    )
    .bind(owner.organization_id)
    .execute(&pool)
    .await
    .unwrap();

    for (function, form) in
        ORGANIZER_FUNCTIONS.iter().filter(|(f, _)| !["get_organization_overview", "get_dashboard_home"].contains(f))
    {
        let reply = call(&app, function, form, Some(&staff)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{function} for staff: {}", reply.body);
    }
    let home = call(&app, "get_dashboard_home", &[], Some(&staff)).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains(r#""events":null"#), "staff see no events list: {}", home.body);
    let door = call(&app, "get_door_event", &[("event_id", &event_id.to_string())], Some(&staff)).await;
    let events = call(&app, "list_door_events", &[], Some(&staff)).await;

    assert_eq!(door.status, StatusCode::OK, "{}", door.body);
    assert!(door.body.contains("Main entrance"), "{}", door.body);
    assert!(events.body.contains(&event_id.to_string()), "{}", events.body);
}
