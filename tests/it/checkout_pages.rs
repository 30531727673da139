//! Checkout, confirmation, "my tickets", lookup and e-mail over HTTP, in process.

use crate::common::{SmtpSink, app_with, call, get, send, sign_up};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use eventos::events::EventStatus;
use eventos::events::service::{self, EventForm};
use eventos::events::tiers::{self, TierForm};
use eventos::mail::outbox;
use eventos::orders::emails::OrderMail;
use eventos::organizations::Role;
use eventos::organizations::access::{OrganizationScope, scope_for};
use eventos::platform::state::AppState;
use sqlx::PgPool;
use uuid::Uuid;

async fn scope_of(pool: &PgPool, email: &str) -> OrganizationScope {
    let user_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await.unwrap();
    scope_for(pool, user_id, None, Role::Owner).await.unwrap()
}

/// A published event with a free tier and a $40 tier; returns its slug and tier ids.
async fn summit(pool: &PgPool, scope: &OrganizationScope) -> (String, Uuid, Uuid) {
    let form = EventForm {
        name: "Data Summit".into(),
        event_type: "conference".into(),
        description: "Talks.".into(),
        start_local: "2031-06-10T09:00".into(),
        end_local: "2031-06-10T17:00".into(),
        capacity: "100".into(),
        visibility: "public".into(),
        allow_registrations: true,
        offline_payments: true,
        ..Default::default()
    };
    let id = service::create_event(pool, scope, form).await.unwrap();
    let free = TierForm { name: "Community".into(), price: "0".into(), capacity: "50".into(), ..Default::default() };
    let paid =
        TierForm { name: "Professional".into(), price: "40".into(), capacity: "50".into(), ..Default::default() };
    let free = tiers::add_tier(pool, scope, id, free).await.unwrap();
    let paid = tiers::add_tier(pool, scope, id, paid).await.unwrap();
    service::change_status(pool, scope, id, EventStatus::Published).await.unwrap();
    let slug = sqlx::query_scalar("SELECT slug FROM events WHERE id = $1").bind(id).fetch_one(pool).await.unwrap();
    (slug, free, paid)
}

/// The app (with extra settings), an organizer "o@example.com" and the summit.
async fn shop(pool: &PgPool, settings: &[(&str, &str)]) -> (axum::Router, AppState, String, Uuid, Uuid) {
    let (app, state) = app_with(pool.clone(), settings).await;
    sign_up(&app, pool, "o@example.com", Some("Org")).await;
    let scope = scope_of(pool, "o@example.com").await;
    let (slug, free, paid) = summit(pool, &scope).await;
    (app, state, slug, free, paid)
}

/// Places an order for one free ticket the way the browser does.
async fn buy_one_free(app: &axum::Router, slug: &str, free: Uuid, buyer: &str, cookie: Option<&str>) -> StatusCode {
    let tickets = format!("{free}:1");
    let form = [
        ("slug", slug),
        ("tickets", &tickets),
        ("buyer_name", "Ada"),
        ("buyer_email", buyer),
        ("first_is_buyer", "on"),
    ];
    call(app, "place_order", &form, cookie).await.status
}

async fn log_in_owner(app: &axum::Router) -> String {
    let form = [("email", "o@example.com"), ("password", "a-long-enough-password")];
    call(app, "log_in", &form, None).await.session_cookie.expect("the organizer logs in")
}

fn mailbox() -> String {
    std::env::temp_dir().join(format!("eventos-mail-{}", Uuid::new_v4())).display().to_string()
}

#[sqlx::test]
async fn a_guest_buys_a_free_and_a_paid_ticket_and_sees_both_qr_codes(pool: PgPool) {
    let dir = mailbox();
    let (app, state, slug, free, paid) = shop(&pool, &[("MAILBOX_DIR", &dir)]).await;
    let organizer = sign_up(&app, &pool, "o2@example.com", None).await;

    let checkout = get(&app, &format!("/events/{slug}/checkout?qty_{free}=1&qty_{paid}=1"), None).await;
    assert_eq!(checkout.status, StatusCode::OK);
    assert!(checkout.body.contains("$40.00") && checkout.body.contains("Attendee name"), "{}", checkout.body);

    let tickets = format!("{free}:1,{paid}:1");
    let reply = call(
        &app,
        "place_order",
        &[
            ("slug", &slug),
            ("tickets", &tickets),
            ("buyer_name", "Ada Lovelace"),
            ("buyer_email", "ada@example.com"),
            ("first_is_buyer", "on"),
            ("attendee_names[1]", "Grace Hopper"),
            ("attendee_emails[1]", "grace@example.com"),
            ("payment_method", "offline"),
        ],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let order_path: String = serde_json::from_str(&reply.body).unwrap();
    assert!(order_path.starts_with("/orders/"));

    let page = get(&app, &order_path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("<svg").count(), 2, "two QR codes");
    assert!(page.body.contains("Grace Hopper") && page.body.contains("ORD-"));
    assert!(page.body.contains("Pay at the door"), "the unpaid part is explained");

    // The outbox sends the buyer's confirmation and Grace's own ticket into the mailbox.
    assert_eq!(outbox::send_all_due(&pool, &state.mailer, &OrderMail).await.unwrap(), 2);
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
    assert_eq!(files.len(), 2);
    let confirmation = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        // Quoted-printable lines are folded with a trailing "="; unfold them to read links.
        .map(|f| std::fs::read_to_string(f.path()).unwrap().replace("=\r\n", ""))
        .find(|m| m.contains("To: ada@example.com"))
        .expect("the buyer's confirmation");
    assert!(confirmation.contains("Content-Type: image/png") && confirmation.contains("text/calendar"));
    assert!(confirmation.contains(&order_path), "the e-mail links to the order");

    // The organizer reads it on the sent mail page; other people cannot.
    let owner = log_in_owner(&app).await;
    let mail = get(&app, "/dashboard/mail", Some(&owner)).await;
    assert!(mail.body.contains("Your reservation for Data Summit"), "{}", mail.body);
    let stranger = call(&app, "list_sent_mail", &[], Some(&organizer)).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn a_plain_form_post_without_javascript_places_the_order_and_redirects(pool: PgPool) {
    let (app, _, slug, free, _) = shop(&pool, &[("MAILBOX_DIR", &mailbox())]).await;

    let body = format!(
        "slug={slug}&tickets={free}%3A2&buyer_name=Ada&buyer_email=ada%40example.com&first_is_buyer=on\
         &attendee_names%5B0%5D=&attendee_names%5B1%5D=Alan+Turing&attendee_emails%5B1%5D=&payment_method=free"
    );
    let request = Request::post("/api/place_order")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("http://localhost/events/{slug}/checkout"))
        .body(Body::from(body))
        .unwrap();
    let reply = send(&app, request).await;

    assert!(reply.status.is_redirection(), "{} {}", reply.status, reply.body);
    assert!(reply.location.as_deref().is_some_and(|l| l.starts_with("/orders/")), "{:?}", reply.location);
    let names: Vec<String> =
        sqlx::query_scalar("SELECT full_name FROM attendees ORDER BY full_name").fetch_all(&pool).await.unwrap();
    assert_eq!(names, vec!["Ada".to_owned(), "Alan Turing".to_owned()]);
}

#[sqlx::test]
async fn a_logged_in_buyer_is_prefilled_and_finds_the_order_under_my_tickets(pool: PgPool) {
    let (app, _, slug, free, _) = shop(&pool, &[("MAILBOX_DIR", &mailbox())]).await;
    let buyer = sign_up(&app, &pool, "bea@example.com", None).await;

    let checkout = get(&app, &format!("/events/{slug}/checkout?qty_{free}=1"), Some(&buyer)).await;
    assert!(checkout.body.contains("value=\"bea@example.com\""), "prefilled");
    assert_eq!(buy_one_free(&app, &slug, free, "bea@example.com", Some(&buyer)).await, StatusCode::OK);

    let mine = get(&app, "/account/tickets", Some(&buyer)).await;
    assert!(mine.body.contains("Data Summit") && mine.body.contains("<svg"), "{}", mine.body);
    let linked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE user_id IS NOT NULL").fetch_one(&pool).await.unwrap();
    assert_eq!(linked, 1);
    assert_eq!(call(&app, "my_orders", &[], None).await.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn a_guest_lookup_resends_only_matching_orders_and_is_rate_limited(pool: PgPool) {
    let (app, _, slug, free, _) = shop(&pool, &[("MAILBOX_DIR", &mailbox())]).await;
    assert_eq!(buy_one_free(&app, &slug, free, "ada@example.com", None).await, StatusCode::OK);
    let number: String = sqlx::query_scalar("SELECT order_number FROM orders").fetch_one(&pool).await.unwrap();
    let queued =
        || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox").fetch_one(&pool).await.unwrap() };
    assert_eq!(queued().await, 1);

    let wrong = call(&app, "resend_tickets", &[("order_number", &number), ("email", "eve@example.com")], None).await;
    let right =
        call(&app, "resend_tickets", &[("order_number", &number.to_lowercase()), ("email", "ADA@example.com")], None)
            .await;
    assert_eq!((wrong.status, right.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(wrong.body, right.body, "the answer does not reveal whether an order matched");
    assert_eq!(queued().await, 2, "only the matching request sent mail");
    let malformed = call(&app, "resend_tickets", &[("order_number", "12"), ("email", "x")], None).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);

    for _ in 0..2 {
        call(&app, "resend_tickets", &[("order_number", &number), ("email", "ada@example.com")], None).await;
    }
    let limited = call(&app, "resend_tickets", &[("order_number", &number), ("email", "ada@example.com")], None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
}

#[sqlx::test]
async fn with_smtp_configured_tickets_go_to_a_real_smtp_server_with_the_qr_attached(pool: PgPool) {
    let sink = SmtpSink::start().await;
    let (app, state, slug, free, _) =
        shop(&pool, &[("SMTP_URL", &sink.url), ("MAIL_FROM", "Tickets <tickets@eventos.test>")]).await;
    let tickets = format!("{free}:2");
    let form = [
        ("slug", slug.as_str()),
        ("tickets", &tickets),
        ("buyer_name", "Ada"),
        ("buyer_email", "ada@example.com"),
        ("first_is_buyer", "on"),
        ("attendee_names[1]", "Grace"),
        ("attendee_emails[1]", "grace@example.com"),
    ];
    assert_eq!(call(&app, "place_order", &form, None).await.status, StatusCode::OK);

    assert_eq!(outbox::send_all_due(&pool, &state.mailer, &OrderMail).await.unwrap(), 2);
    // Sending again sends nothing twice.
    assert_eq!(outbox::send_all_due(&pool, &state.mailer, &OrderMail).await.unwrap(), 0);

    let received = sink.messages.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    let to_ada = received.iter().find(|m| m.recipients == ["ada@example.com"]).expect("mail to the buyer");
    assert!(to_ada.from.contains("tickets@eventos.test"));
    assert!(to_ada.data.contains("Subject: Your tickets for Data Summit"), "{}", to_ada.data);
    assert_eq!(to_ada.data.matches("Content-Type: image/png").count(), 2, "both QR codes inline");
    assert!(to_ada.data.contains("Content-ID: <qr-TKT-"));
    let to_grace = received.iter().find(|m| m.recipients == ["grace@example.com"]).expect("Grace's own ticket");
    assert_eq!(to_grace.data.matches("Content-Type: image/png").count(), 1, "only her ticket");
    let sent: Vec<String> = sqlx::query_scalar("SELECT transport FROM outbox").fetch_all(&pool).await.unwrap();
    assert_eq!(sent, vec!["smtp".to_owned(), "smtp".to_owned()]);
}

#[sqlx::test]
async fn a_worker_killed_between_a_send_and_its_record_resends_at_most_that_message(pool: PgPool) {
    // The sink keeps the third message and never answers, like a worker killed right after
    // the send; the worker is then aborted, and a new one takes over after the lease.
    let sink = SmtpSink::stalling_after(3).await;
    let (app, state, slug, free, _) = shop(&pool, &[("SMTP_URL", &sink.url)]).await;
    for n in 0..6 {
        let buyer = format!("buyer{n}@example.com");
        assert_eq!(buy_one_free(&app, &slug, free, &buyer, None).await, StatusCode::OK);
    }
    let (pool2, mailer) = (pool.clone(), state.mailer.clone());
    let killed = tokio::spawn(async move { outbox::send_all_due(&pool2, &mailer, &OrderMail).await });
    tokio::time::timeout(std::time::Duration::from_secs(20), sink.stalled.notified()).await.expect("third send");
    killed.abort();
    assert_eq!(sink.messages.lock().unwrap().len(), 3);

    let restarted = SmtpSink::start().await;
    let (app2, state2) = app_with(pool.clone(), &[("SMTP_URL", &restarted.url)]).await;
    drop(app2);
    // Nothing claimed by the dead worker is sent before its lease ends…
    assert_eq!(outbox::send_all_due(&pool, &state2.mailer, &OrderMail).await.unwrap(), 0);
    // …and then all of it is.
    sqlx::query("UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'").execute(&pool).await.unwrap();
    outbox::send_all_due(&pool, &state2.mailer, &OrderMail).await.unwrap();

    let message_id = |m: &crate::common::ReceivedMail| {
        m.data.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:")).unwrap().to_owned()
    };
    let mut ids: Vec<String> = sink.messages.lock().unwrap().iter().map(message_id).collect();
    ids.extend(restarted.messages.lock().unwrap().iter().map(message_id));
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "every message arrived");
    assert!(total - ids.len() <= 1, "{} duplicates", total - ids.len());
    let unsent: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status <> 'sent'").fetch_one(&pool).await.unwrap();
    assert_eq!(unsent, 0);
}

#[sqlx::test]
async fn a_failing_smtp_server_is_retried_later_and_nothing_is_lost(pool: PgPool) {
    // Nothing listens on this port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("smtp://{}", listener.local_addr().unwrap());
    drop(listener);
    let (app, state, slug, free, _) = shop(&pool, &[("SMTP_URL", &dead)]).await;
    assert_eq!(buy_one_free(&app, &slug, free, "ada@example.com", None).await, StatusCode::OK);

    outbox::send_all_due(&pool, &state.mailer, &OrderMail).await.unwrap();

    let (status, attempts, error, later): (String, i32, Option<String>, bool) = sqlx::query_as(
        "SELECT status, attempts, last_error, next_attempt_at > now() + interval '20 seconds' FROM outbox",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts, later), ("pending", 1, true));
    assert!(error.is_some());
}

#[sqlx::test]
async fn the_organizer_sees_orders_and_marks_an_offline_order_paid(pool: PgPool) {
    let (app, _, slug, _, paid) = shop(&pool, &[("MAILBOX_DIR", &mailbox())]).await;
    let owner = log_in_owner(&app).await;
    let tickets = format!("{paid}:1");
    let form = [
        ("slug", slug.as_str()),
        ("tickets", &tickets),
        ("buyer_name", "Zed Buyer"),
        ("buyer_email", "zed@example.com"),
        ("first_is_buyer", "on"),
        ("payment_method", "offline"),
    ];
    call(&app, "place_order", &form, None).await;
    let event_id: Uuid = sqlx::query_scalar("SELECT event_id FROM orders").fetch_one(&pool).await.unwrap();
    let order_id: Uuid = sqlx::query_scalar("SELECT id FROM orders").fetch_one(&pool).await.unwrap();

    let list = get(&app, &format!("/dashboard/events/{event_id}/orders?q=zed&status=pending"), Some(&owner)).await;
    assert!(list.body.contains("Zed Buyer"), "{}", list.body);
    let none = get(&app, &format!("/dashboard/events/{event_id}/orders?q=nobody"), Some(&owner)).await;
    assert!(none.body.contains("No orders match"));

    let order = order_id.to_string();
    assert_eq!(call(&app, "mark_order_paid", &[("order_id", &order)], Some(&owner)).await.status, StatusCode::OK);
    let detail = get(&app, &format!("/dashboard/orders/{order_id}"), Some(&owner)).await;
    assert!(detail.body.contains("Paid") && detail.body.contains("Refund order"), "{}", detail.body);
}

#[sqlx::test]
async fn a_stopped_mail_worker_finishes_its_batch_and_takes_no_more(pool: PgPool) {
    let (app, state, slug, free, _) = shop(&pool, &[("MAILBOX_DIR", &mailbox())]).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker =
        tokio::spawn(outbox::run_worker(pool.clone(), state.mailer.clone(), std::sync::Arc::new(OrderMail), stopped));
    assert_eq!(buy_one_free(&app, &slug, free, "ada@example.com", None).await, StatusCode::OK);
    state.mailer.wake();
    for _ in 0..50 {
        let pending: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'pending'").fetch_one(&pool).await.unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(3), worker).await.expect("it stops promptly").unwrap();
    assert_eq!(buy_one_free(&app, &slug, free, "bob@example.com", None).await, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM outbox ORDER BY created_at").fetch_all(&pool).await.unwrap();
    assert_eq!(statuses, ["sent", "pending"], "the first was sent; after the stop nothing more");
}

#[sqlx::test]
async fn a_message_whose_sender_died_on_every_attempt_is_given_up_not_retried_forever(pool: PgPool) {
    let (app, state, slug, free, _) = shop(&pool, &[]).await;
    assert_eq!(buy_one_free(&app, &slug, free, "ada@example.com", None).await, StatusCode::OK);
    // Each claim counts an attempt; eight claims never came back with an outcome.
    sqlx::query("UPDATE outbox SET attempts = 8").execute(&pool).await.unwrap();

    assert_eq!(outbox::send_all_due(&pool, &state.mailer, &OrderMail).await.unwrap(), 0);

    let status: String = sqlx::query_scalar("SELECT status FROM outbox").fetch_one(&pool).await.unwrap();
    assert_eq!(status, "failed");
}
