//! The abuse paths: unpaid reservations, throttling, client addresses, mail that cannot be
//! turned against others, password resets, sessions, headers and what the public may read.

use crate::common::{app, app_with, call, call_from, get, sign_up};
use crate::shop::{count, offline, order_form, organizer};
use axum::http::StatusCode;
use eventos::accounts::service as accounts;
use eventos::events::EventStatus;
use eventos::events::service::{self as events, EventForm};
use eventos::events::tiers::{self, TierForm};
use eventos::mail::outbox;
use eventos::orders::checkout;
use eventos::orders::manage;
use eventos::orders::service as orders;
use eventos::organizations::access::OrganizationScope;
use eventos::platform::error::AppError;
use eventos::server::mail::AllMail;
use sqlx::PgPool;
use uuid::Uuid;

/// A published event whose organizer does (`offline`) or does not take pay-at-the-door.
async fn event(pool: &PgPool, scope: &OrganizationScope, offline: bool, price: &str, seats: i32) -> (String, Uuid) {
    let form = EventForm {
        name: "Founders Night".into(),
        event_type: "networking".into(),
        start_local: "2031-05-06T18:00".into(),
        end_local: "2031-05-06T21:00".into(),
        capacity: "500".into(),
        visibility: "public".into(),
        allow_registrations: true,
        offline_payments: offline,
        ..Default::default()
    };
    let event_id = events::create_event(pool, scope, form).await.unwrap();
    let tier = TierForm {
        name: "Founder Circle".into(),
        price: price.into(),
        capacity: seats.to_string(),
        ..Default::default()
    };
    let tier_id = tiers::add_tier(pool, scope, event_id, tier).await.unwrap();
    events::change_status(pool, scope, event_id, EventStatus::Published).await.unwrap();
    let slug =
        sqlx::query_scalar("SELECT slug FROM events WHERE id = $1").bind(event_id).fetch_one(pool).await.unwrap();
    (slug, tier_id)
}

fn order_fields<'a>(slug: &'a str, tickets: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", slug),
        ("tickets", tickets),
        ("buyer_name", "Hoarder"),
        ("buyer_email", email),
        ("payment_method", "offline"),
        ("first_is_buyer", "on"),
    ]
}

#[sqlx::test]
async fn pay_at_the_door_is_refused_unless_the_organizer_takes_it(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, false, "95", 20).await;

    let refused = checkout::place_order(&pool, &offline(), order_form(&slug, tier, 1, "a@example.com"), None).await;

    assert_eq!(
        refused.unwrap_err().field_message("payment_method").as_deref(),
        Some("Choose one of the offered ways to pay.")
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 0);
}

#[sqlx::test]
async fn an_anonymous_hoard_from_one_address_is_throttled_before_it_sells_out_a_tier(pool: PgPool) {
    let app = app(pool.clone()).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, true, "95", 20).await;
    let tickets = format!("{tier}:1");

    let mut statuses = Vec::new();
    for i in 0..25 {
        let email = format!("hoard{i}@example.com");
        statuses.push(call_from(&app, "place_order", &order_fields(&slug, &tickets, &email), "203.0.113.7", &[]).await);
    }

    let placed = statuses.iter().filter(|r| r.status.is_success()).count();
    assert_eq!(placed, 20, "twenty tickets per address per ten minutes");
    let limited = statuses.iter().find(|r| r.status == StatusCode::TOO_MANY_REQUESTS).expect("the rest are limited");
    assert!(limited.header("retry-after").is_some_and(|s| s.parse::<i64>().unwrap() > 0));
    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 20);
}

#[sqlx::test]
async fn one_buyer_address_can_order_only_twenty_tickets_an_hour_whatever_its_tag(pool: PgPool) {
    let app = app(pool.clone()).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, true, "0", 50).await;
    let tickets = format!("{tier}:1");
    for i in 0..20 {
        let peer = format!("198.51.100.{}", i + 1);
        let email = format!("same+{i}@example.com");
        let reply = call_from(&app, "place_order", &order_fields(&slug, &tickets, &email), &peer, &[]).await;
        assert!(reply.status.is_success(), "{}", reply.body);
    }
    let next =
        call_from(&app, "place_order", &order_fields(&slug, &tickets, "SAME@example.com"), "198.51.100.99", &[]).await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn one_buyer_may_hold_only_twenty_unpaid_tickets_for_an_event(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, true, "95", 100).await;
    for _ in 0..2 {
        checkout::place_order(&pool, &offline(), order_form(&slug, tier, 10, "holder@example.com"), None)
            .await
            .unwrap();
    }
    let more = checkout::place_order(&pool, &offline(), order_form(&slug, tier, 1, "HOLDER@example.com"), None).await;
    assert!(more.unwrap_err().field_message("payment_method").unwrap().contains("already hold 20 unpaid tickets"));
}

#[sqlx::test]
async fn one_address_cannot_make_us_mail_many_strangers(pool: PgPool) {
    let app = app(pool.clone()).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, false, "0", 100).await;
    let tickets = format!("{tier}:3");
    let mut replies = Vec::new();
    for order in 0..12 {
        let mut form = vec![
            ("slug".to_owned(), slug.clone()),
            ("tickets".to_owned(), tickets.clone()),
            ("buyer_name".to_owned(), "Spammer".to_owned()),
            ("buyer_email".to_owned(), format!("spam{order}@example.com")),
        ];
        for attendee in 0..3 {
            form.push((format!("attendee_names[{attendee}]"), format!("Target {attendee}")));
            form.push((format!("attendee_emails[{attendee}]"), format!("target{order}-{attendee}@victim.example")));
        }
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        replies.push(call_from(&app, "place_order", &pairs, "203.0.113.50", &[]).await);
    }
    let strangers: i64 = count(&pool, "SELECT count(*) FROM outbox WHERE recipient LIKE '%@victim.example'").await;
    assert!(strangers <= 30, "at most 30 strangers per address per ten minutes, got {strangers}");
    assert!(replies.iter().any(|r| r.status == StatusCode::TOO_MANY_REQUESTS));
}

#[sqlx::test]
async fn an_unpaid_reservation_past_its_deadline_frees_its_seats_and_tells_the_buyer(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, true, "95", 1).await;
    let first =
        checkout::place_order(&pool, &offline(), order_form(&slug, tier, 1, "late@example.com"), None).await.unwrap();
    let deadline: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT expires_at FROM orders").fetch_one(&pool).await.unwrap();
    let days = (deadline - chrono::Utc::now()).num_hours();
    assert!((71..=72).contains(&days), "three days to pay, got {days} hours");
    let sold_out = checkout::place_order(&pool, &offline(), order_form(&slug, tier, 1, "b@example.com"), None).await;
    assert!(matches!(sold_out, Err(AppError::SoldOut(_))));

    sqlx::query("UPDATE orders SET expires_at = now() - interval '1 minute'").execute(&pool).await.unwrap();
    checkout::place_order(&pool, &offline(), order_form(&slug, tier, 1, "b@example.com"), None).await.unwrap();

    let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(first.order_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "expired");
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE kind = 'order_expired' AND recipient = 'late@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(told, 1);
}

#[sqlx::test]
async fn unpaid_tickets_say_so_and_the_organizer_can_extend_the_deadline(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, true, "95", 10).await;
    let placed =
        checkout::place_order(&pool, &offline(), order_form(&slug, tier, 1, "u@example.com"), None).await.unwrap();

    let order = orders::order_by_token(&pool, &placed.access_token).await.unwrap();
    assert_eq!(order.tickets[0].unpaid.as_deref(), Some("Unpaid — $95.00 due at the door"));
    assert!(order.payment_due.is_some());

    let too_late = manage::extend_payment_deadline(&pool, &scope, placed.order_id, "2031-05-07T09:00").await;
    assert!(too_late.unwrap_err().field_message("pay_by").is_some(), "not after the event ends");
    manage::extend_payment_deadline(&pool, &scope, placed.order_id, "2031-05-06T20:00").await.unwrap();
    let detail = manage::order_detail(&pool, &scope, placed.order_id).await.unwrap();
    assert_eq!(detail.payment_due_local.as_deref(), Some("2031-05-06T20:00"));

    manage::mark_offline_paid(&pool, &scope, placed.order_id).await.unwrap();
    let paid = orders::order_by_token(&pool, &placed.access_token).await.unwrap();
    assert_eq!(paid.tickets[0].unpaid, None);
    assert!(manage::extend_payment_deadline(&pool, &scope, placed.order_id, "2031-05-06T20:00").await.is_err());
}

#[sqlx::test]
async fn thirty_wrong_passwords_are_answered_429_with_the_time_to_wait(pool: PgPool) {
    let app = app(pool.clone()).await;
    sign_up(&app, &pool, "ada@example.com", None).await;
    let wrong = [("email", "ada@example.com"), ("password", "not-the-password")];

    let mut replies = Vec::new();
    for _ in 0..30 {
        replies.push(call_from(&app, "log_in", &wrong, "203.0.113.9", &[]).await);
    }

    assert!(replies[..5].iter().all(|r| r.status == StatusCode::UNPROCESSABLE_ENTITY), "five free tries");
    let blocked = &replies[29];
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "the first block is 30 seconds, got {wait}");
    let error: AppError = serde_json::from_str(&blocked.body).unwrap();
    assert_eq!(error.to_string(), "Too many attempts. Please try again in 1 minute.");
    // Even the right password waits out the block.
    let right = call_from(
        &app,
        "log_in",
        &[("email", "ada@example.com"), ("password", "a-long-enough-password")],
        "203.0.113.9",
        &[],
    )
    .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn a_correct_password_clears_the_accounts_failures(pool: PgPool) {
    let scope_app = app(pool.clone()).await;
    sign_up(&scope_app, &pool, "bo@example.com", None).await;
    for _ in 0..4 {
        accounts::authenticate(&pool, "bo@example.com", "wrong-password", "192.0.2.5").await.unwrap_err();
    }
    accounts::authenticate(&pool, "bo@example.com", "a-long-enough-password", "192.0.2.5").await.unwrap();
    for _ in 0..5 {
        let error = accounts::authenticate(&pool, "bo@example.com", "wrong-password", "192.0.2.5").await.unwrap_err();
        assert!(!matches!(error, AppError::RateLimited { .. }), "the count started again");
    }
}

#[sqlx::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored_and_from_a_trusted_one_believed(pool: PgPool) {
    let untrusted = app(pool.clone()).await;
    for i in 0..10 {
        let email = format!("u{i}@example.com");
        let xff = format!("198.51.100.{i}");
        let reply = call_from(
            &untrusted,
            "sign_up",
            &[("full_name", "U"), ("email", &email), ("password", "a-long-enough-password")],
            "203.0.113.20",
            &[("x-forwarded-for", &xff)],
        )
        .await;
        assert!(!reply.status.is_client_error(), "{}", reply.body);
    }
    let spoofed = call_from(
        &untrusted,
        "sign_up",
        &[("full_name", "U"), ("email", "u10@example.com"), ("password", "a-long-enough-password")],
        "203.0.113.20",
        &[("x-forwarded-for", "198.51.100.200")],
    )
    .await;
    assert_eq!(spoofed.status, StatusCode::TOO_MANY_REQUESTS, "the header did not hide the peer");

    let (behind_proxy, _) = app_with(pool.clone(), &[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let through = call_from(
        &behind_proxy,
        "sign_up",
        &[("full_name", "V"), ("email", "v@example.com"), ("password", "a-long-enough-password")],
        "127.0.0.1",
        &[("x-forwarded-for", "198.51.100.201")],
    )
    .await;
    assert!(through.status.is_success() || through.status.is_redirection(), "{}", through.body);
}

#[sqlx::test]
async fn an_attendees_email_links_only_to_their_own_ticket(pool: PgPool) {
    let mailbox = tempdir();
    let (app, state) = app_with(pool.clone(), &[("MAILBOX_DIR", mailbox.to_str().unwrap())]).await;
    let scope = organizer(&pool, "o@example.com").await;
    let (slug, tier) = event(&pool, &scope, true, "95", 10).await;
    let mut form = order_form(&slug, tier, 2, "buyer@example.com");
    form.attendee_names = vec!["Ann Attendee".into(), "Ben www.evil.example".into()];
    form.attendee_emails = vec!["ann@example.com".into(), "ben@example.com".into()];
    let placed = checkout::place_order(&pool, &offline(), form, None).await.unwrap();
    outbox::send_all_due(&pool, &state.mailer, &AllMail).await.unwrap();

    let recipients: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM outbox ORDER BY recipient").fetch_all(&pool).await.unwrap();
    assert_eq!(recipients, ["ann@example.com", "ben@example.com", "buyer@example.com"], "tickets plus the buyer");
    let ann: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE recipient = 'ann@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!ann.contains(&placed.access_token), "the order's link is the buyer's");
    let ticket_link = ann.split("/tickets/").nth(1).expect("a ticket link").split_whitespace().next().unwrap();
    let page = get(&app, &format!("/tickets/{ticket_link}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ann Attendee") && !page.body.contains("Ben "), "only Ann's ticket");
    assert!(page.body.contains("Unpaid — $95.00 due at the door"));
    let ben: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE recipient = 'ben@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!ben.contains("www.evil.example"), "a typed name never spells a link");
    let _ = std::fs::remove_dir_all(mailbox);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("eventos-test-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[sqlx::test]
async fn a_reset_link_works_once_and_ends_every_other_session(pool: PgPool) {
    let app = app(pool.clone()).await;
    let old_session = sign_up(&app, &pool, "cy@example.com", None).await;
    let reply = call(&app, "forgot_password", &[("email", "cy@example.com")], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let unknown = call(&app, "forgot_password", &[("email", "nobody@example.com")], None).await;
    assert_eq!(unknown.body, reply.body, "the same answer either way");
    let token: String = sqlx::query_scalar("SELECT payload->>'token' FROM outbox WHERE kind = 'password_reset'")
        .fetch_one(&pool)
        .await
        .unwrap();

    let reset = call(&app, "reset_password", &[("token", &token), ("password", "a-brand-new-password")], None).await;
    assert!(reset.status.is_success() || reset.status.is_redirection(), "{}", reset.body);
    assert!(reset.session_cookie.is_some(), "logged in by the reset");
    let again = call(&app, "reset_password", &[("token", &token), ("password", "another-new-password")], None).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a link works once");

    let me = call(&app, "get_current_user", &[], Some(&old_session)).await;
    assert!(me.body.trim() == "null", "the old session ended: {}", me.body);
    accounts::authenticate(&pool, "cy@example.com", "a-brand-new-password", "192.0.2.1").await.unwrap();
}

#[sqlx::test]
async fn signing_up_answers_the_same_for_a_new_and_a_taken_address(pool: PgPool) {
    let app = app(pool.clone()).await;
    sign_up(&app, &pool, "dee@example.com", None).await;
    let form =
        |email: &'static str| [("full_name", "Someone"), ("email", email), ("password", "a-long-enough-password")];

    let taken = call(&app, "sign_up", &form("dee@example.com"), None).await;
    let fresh = call(&app, "sign_up", &form("new@example.com"), None).await;

    assert_eq!((taken.status, &taken.location, &taken.body), (fresh.status, &fresh.location, &fresh.body));
    assert_eq!(taken.location.as_deref(), Some("/signup?check=inbox"));
    assert_eq!((taken.session_cookie, fresh.session_cookie), (None, None), "nobody is logged in");
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, recipient FROM outbox ORDER BY recipient").fetch_all(&pool).await.unwrap();
    assert_eq!(
        mails,
        [
            ("signup_attempt".to_owned(), "dee@example.com".to_owned()),
            ("confirm_email".to_owned(), "new@example.com".to_owned())
        ]
    );
}

#[sqlx::test]
async fn an_unconfirmed_account_cannot_log_in_until_its_link_is_used_once(pool: PgPool) {
    let app = app(pool.clone()).await;
    let form = [("full_name", "Nia"), ("email", "nia@example.com"), ("password", "a-long-enough-password")];
    call(&app, "sign_up", &form, None).await;

    let early = accounts::authenticate(&pool, "nia@example.com", "a-long-enough-password", "192.0.2.3").await;
    assert!(early.unwrap_err().field_message("form").unwrap().contains("Confirm your e-mail address first"));
    // Signing up again sends a fresh link rather than telling the owner someone tried.
    call(&app, "sign_up", &form, None).await;
    let links: i64 = count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'confirm_email'").await;
    assert_eq!(links, 2);

    let tokens: Vec<String> =
        sqlx::query_scalar("SELECT payload->>'token' FROM outbox WHERE kind = 'confirm_email' ORDER BY created_at")
            .fetch_all(&pool)
            .await
            .unwrap();
    let confirmed = call(&app, "confirm_email", &[("token", &tokens[1])], None).await;
    assert!(confirmed.session_cookie.is_some(), "{}", confirmed.body);
    accounts::authenticate(&pool, "nia@example.com", "a-long-enough-password", "192.0.2.3").await.unwrap();
    for used_or_retired in &tokens {
        let again = call(&app, "confirm_email", &[("token", used_or_retired)], None).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a link works once, and the others retire");
    }
}

#[sqlx::test]
async fn changing_the_password_needs_the_current_one_and_logs_out_elsewhere(pool: PgPool) {
    let app = app(pool.clone()).await;
    let here = sign_up(&app, &pool, "eve@example.com", None).await;
    let elsewhere = call(&app, "log_in", &[("email", "eve@example.com"), ("password", "a-long-enough-password")], None)
        .await
        .session_cookie
        .unwrap();

    let wrong = call(
        &app,
        "change_password",
        &[("current_password", "not-it-at-all"), ("new_password", "a-changed-password")],
        Some(&here),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = call(
        &app,
        "change_password",
        &[("current_password", "a-long-enough-password"), ("new_password", "a-changed-password")],
        Some(&here),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

    assert!(call(&app, "get_current_user", &[], Some(&here)).await.body.contains("eve@example.com"));
    assert_eq!(call(&app, "get_current_user", &[], Some(&elsewhere)).await.body.trim(), "null");
}

#[sqlx::test]
async fn a_session_ends_thirty_days_after_log_in_however_active(pool: PgPool) {
    let app = app(pool.clone()).await;
    let cookie = sign_up(&app, &pool, "fay@example.com", None).await;
    assert!(call(&app, "get_current_user", &[], Some(&cookie)).await.body.contains("fay@example.com"));

    sqlx::query("UPDATE sessions SET created_at = now() - interval '31 days'").execute(&pool).await.unwrap();

    assert_eq!(call(&app, "get_current_user", &[], Some(&cookie)).await.body.trim(), "null");
}

#[sqlx::test]
async fn pages_and_server_functions_carry_the_security_headers(pool: PgPool) {
    let app = app(pool.clone()).await;
    let cookie = sign_up(&app, &pool, "gus@example.com", Some("Gus Events")).await;

    for reply in [get(&app, "/", None).await, get(&app, "/dashboard", Some(&cookie)).await] {
        assert_eq!(reply.status, StatusCode::OK);
        let policy = reply.header("content-security-policy").expect("a policy");
        assert!(policy.contains("script-src 'self' 'nonce-"), "{policy}");
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
        let nonce = policy.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
        assert!(reply.body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the nonce");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("referrer-policy"), Some("strict-origin-when-cross-origin"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.header("strict-transport-security"), None, "only over HTTPS");
    }
    let api = call(&app, "get_current_user", &[], Some(&cookie)).await;
    assert_eq!(api.header("cache-control"), Some("no-store"));
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));

    let order_page = get(&app, "/orders/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", None).await;
    assert_eq!(order_page.header("referrer-policy"), Some("no-referrer"));

    let (secure, _) = app_with(pool.clone(), &[("COOKIE_SECURE", "true")]).await;
    assert!(get(&secure, "/", None).await.header("strict-transport-security").is_some());
}

#[sqlx::test]
async fn a_write_from_another_site_is_refused(pool: PgPool) {
    let app = app(pool.clone()).await;
    sign_up(&app, &pool, "hal@example.com", None).await;
    let form = [("email", "hal@example.com"), ("password", "a-long-enough-password")];

    let cross = call_from(&app, "log_in", &form, "192.0.2.8", &[("origin", "https://evil.example")]).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let fetched = call_from(&app, "log_in", &form, "192.0.2.8", &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(fetched.status, StatusCode::FORBIDDEN);
    let opaque = call_from(&app, "log_in", &form, "192.0.2.8", &[("origin", "null")]).await;
    assert_eq!(opaque.status, StatusCode::FORBIDDEN, "an opaque origin from anywhere is refused");
    // A no-referrer page's own plain form post: Origin null, but the browser says same-origin.
    let no_referrer_page =
        call_from(&app, "log_in", &form, "192.0.2.8", &[("origin", "null"), ("sec-fetch-site", "same-origin")]).await;
    assert!(no_referrer_page.status.is_success() || no_referrer_page.status.is_redirection());
    let own = call_from(&app, "log_in", &form, "192.0.2.8", &[("origin", "http://127.0.0.1:3000")]).await;
    assert!(own.status.is_success() || own.status.is_redirection(), "{}", own.body);
}

#[sqlx::test]
async fn the_public_event_payload_has_no_venue_contact(pool: PgPool) {
    let app = app(pool.clone()).await;
    let scope = organizer(&pool, "o@example.com").await;
    let venue = eventos::venues::service::VenueForm {
        name: "The Hall".into(),
        address: "1 Front St".into(),
        contact_name: Some("Vera Venue".into()),
        contact_email: Some("vera@hall.example".into()),
        contact_phone: Some("416-555-0100".into()),
        ..Default::default()
    };
    let venue_id = eventos::venues::service::create_venue(&pool, &scope, venue).await.unwrap();
    let (slug, _) = event(&pool, &scope, false, "10", 10).await;
    sqlx::query("UPDATE events SET venue_id = $1").bind(venue_id).execute(&pool).await.unwrap();

    let json = call(&app, "get_public_event", &[("slug", &slug)], None).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert!(json.body.contains("The Hall"));
    for private in ["Vera Venue", "vera@hall.example", "416-555-0100", "contact_"] {
        assert!(!json.body.contains(private), "{private} leaked: {}", json.body);
    }
    let page = get(&app, &format!("/events/{slug}"), None).await;
    assert!(!page.body.contains("vera@hall.example"));
}

#[test]
fn request_logs_never_show_an_orders_secret_link() {
    assert_eq!(eventos::server::security::loggable_path("/orders/abc123def456"), "/orders/[redacted]");
}
