//! The door against a real PostgreSQL: who may work it, what each kind of ticket gets,
//! retries, undo, the counter and search. The many-phones race is in `races`.

use crate::shop::{count, event_with, offline, order_form, organizer};
use eventos::checkin::access::{DoorScope, door_scope};
use eventos::checkin::db;
use eventos::checkin::service::{self, Attempt, Target};
use eventos::checkin::{ScanOutcome, TicketCode, Verdict};
use eventos::orders::checkout;
use eventos::orders::manage;
use eventos::organizations::access::OrganizationScope;
use eventos::platform::error::AppError;
use sqlx::PgPool;
use uuid::Uuid;

/// An organizer's event with a paid-free tier and a pay-at-the-door tier, and the door
/// scope of its owner.
pub(crate) struct Door {
    pub organizer: OrganizationScope,
    pub scope: DoorScope,
    pub slug: String,
    pub tiers: Vec<Uuid>,
    pub default_list: Uuid,
}

pub(crate) async fn door(pool: &PgPool) -> Door {
    let organizer = organizer(pool, "olivia@example.com").await;
    let (slug, tiers) = event_with(pool, &organizer, 500, &[("General", "0", 200), ("VIP", "95", 50)]).await;
    let event_id: Uuid =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(&slug).fetch_one(pool).await.unwrap();
    let scope = door_scope(pool, organizer.user_id, event_id).await.unwrap();
    let default_list: Uuid = sqlx::query_scalar("SELECT id FROM checkin_lists WHERE event_id = $1 AND is_default")
        .bind(event_id)
        .fetch_one(pool)
        .await
        .unwrap();
    Door { organizer, scope, slug, tiers, default_list }
}

/// Places an order of `quantity` tickets of `tier` and returns their QR secrets.
pub(crate) async fn tickets(pool: &PgPool, slug: &str, tier: Uuid, quantity: usize, buyer: &str) -> Vec<String> {
    let placed = checkout::place_order(pool, &offline(), order_form(slug, tier, quantity, buyer), None).await.unwrap();
    sqlx::query_scalar("SELECT qr_secret FROM tickets WHERE order_id = $1 ORDER BY ticket_number")
        .bind(placed.order_id)
        .fetch_all(pool)
        .await
        .unwrap()
}

pub(crate) fn attempt(list_id: Uuid, code: &str) -> Attempt {
    Attempt {
        list_id,
        target: Target::Code(TicketCode::parse(code).unwrap()),
        nonce: Uuid::new_v4(),
        device: "Door 1".into(),
        client_time: None,
        collect: false,
        offline: None,
    }
}

/// The order a ticket (by its QR secret) belongs to.
pub(crate) async fn order_of(pool: &PgPool, secret: &str) -> Uuid {
    sqlx::query_scalar("SELECT order_id FROM tickets WHERE qr_secret = $1").bind(secret).fetch_one(pool).await.unwrap()
}

/// Makes `user_id` door staff of `event_id` only.
pub(crate) async fn add_event_staff(pool: &PgPool, event_id: Uuid, user_id: Uuid) {
    sqlx::query("INSERT INTO event_staff (event_id, user_id) VALUES ($1, $2)")
        .bind(event_id)
        .bind(user_id)
        .execute(pool)
        .await
        .unwrap();
}

/// A "VIP entrance" list of the door's event that takes only its second tier.
pub(crate) async fn vip_entrance(pool: &PgPool, door: &Door) -> Uuid {
    let list: Uuid = sqlx::query_scalar(
        "INSERT INTO checkin_lists (event_id, name, all_tiers) VALUES ($1, 'VIP entrance', false) RETURNING id",
    )
    .bind(door.scope.event_id)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO checkin_list_tiers (list_id, tier_id) VALUES ($1, $2)")
        .bind(list)
        .bind(door.tiers[1])
        .execute(pool)
        .await
        .unwrap();
    list
}

async fn scan(pool: &PgPool, door: &Door, code: &str) -> Verdict {
    service::scan(pool, door.scope.user_id, door.scope.event_id, attempt(door.default_list, code)).await.unwrap()
}

#[sqlx::test]
async fn a_valid_ticket_is_welcomed_by_name_and_tier_then_already_checked_in_with_when_and_who(pool: PgPool) {
    let door = door(&pool).await;
    let secrets = tickets(&pool, &door.slug, door.tiers[0], 1, "bea@example.com").await;

    let first = scan(&pool, &door, &format!("EOS1:{}", secrets[0])).await;
    let second = scan(&pool, &door, &secrets[0]).await;

    assert_eq!(first.outcome, ScanOutcome::Admitted);
    assert_eq!(first.headline, "Welcome, Guest 0 — General");
    assert!(first.checkin_id.is_some());
    assert_eq!(second.outcome, ScanOutcome::AlreadyAdmitted);
    assert!(second.detail.starts_with("at "), "{}", second.detail);
    assert!(second.detail.contains("by Olivia Organizer (Door 1)"), "{}", second.detail);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 2);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tickets WHERE status = 'used' AND checked_in_at IS NOT NULL").await,
        1
    );
}

#[sqlx::test]
async fn a_retried_scan_with_the_same_nonce_gets_its_first_answer_and_admits_once(pool: PgPool) {
    let door = door(&pool).await;
    let secrets = tickets(&pool, &door.slug, door.tiers[0], 1, "bea@example.com").await;
    let first_try = attempt(door.default_list, &secrets[0]);

    let first = service::scan(&pool, door.scope.user_id, door.scope.event_id, first_try.clone()).await.unwrap();
    let retry = service::scan(&pool, door.scope.user_id, door.scope.event_id, first_try).await.unwrap();

    assert_eq!(first.outcome, ScanOutcome::Admitted);
    assert_eq!(retry.outcome, ScanOutcome::Admitted, "the retry is told what the first attempt got");
    assert_eq!(retry.checkin_id, first.checkin_id);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 1, "a retry is not a second scan");
}

#[sqlx::test]
async fn every_kind_of_ticket_that_may_not_enter_is_refused_and_recorded(pool: PgPool) {
    let door = door(&pool).await;
    let cancelled = tickets(&pool, &door.slug, door.tiers[0], 1, "c@example.com").await;
    manage::cancel_order(&pool, &offline(), &door.organizer, order_of(&pool, &cancelled[0]).await).await.unwrap();
    let refunded = tickets(&pool, &door.slug, door.tiers[1], 1, "r@example.com").await;
    let refunded_order = order_of(&pool, &refunded[0]).await;
    manage::mark_offline_paid(&pool, &door.organizer, refunded_order).await.unwrap();
    manage::cancel_order(&pool, &offline(), &door.organizer, refunded_order).await.unwrap();
    let vip_only = vip_entrance(&pool, &door).await;
    let general = tickets(&pool, &door.slug, door.tiers[0], 1, "g@example.com").await;
    let (other_slug, other_tiers) = event_with(&pool, &door.organizer, 100, &[("Other", "0", 10)]).await;
    let elsewhere = tickets(&pool, &other_slug, other_tiers[0], 1, "e@example.com").await;

    let outcomes = [
        (scan(&pool, &door, &cancelled[0]).await, ScanOutcome::Cancelled),
        (scan(&pool, &door, &refunded[0]).await, ScanOutcome::Refunded),
        (
            service::scan(&pool, door.scope.user_id, door.scope.event_id, attempt(vip_only, &general[0]))
                .await
                .unwrap(),
            ScanOutcome::WrongList,
        ),
        (scan(&pool, &door, &elsewhere[0]).await, ScanOutcome::WrongEvent),
        (scan(&pool, &door, "EOS1:AAAAAAAAAAAAAAAAAAAAAAAAAAA").await, ScanOutcome::Unknown),
    ];

    for (verdict, expected) in &outcomes {
        assert_eq!(verdict.outcome, *expected, "{verdict:?}");
        assert_eq!(verdict.checkin_id, None);
    }
    assert!(outcomes[3].0.detail.contains("Toronto Tech Summit"), "{:?}", outcomes[3].0);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 0, "nobody was let in");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 5, "every refusal is recorded");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM checkin_scans WHERE outcome = 'unknown' AND ticket_id IS NULL").await,
        1
    );
}

#[sqlx::test]
async fn an_unpaid_pay_at_the_door_ticket_asks_for_money_and_paid_now_admits_it_and_settles_the_order(pool: PgPool) {
    let door = door(&pool).await;
    let secrets = tickets(&pool, &door.slug, door.tiers[1], 1, "u@example.com").await;

    let asked = scan(&pool, &door, &secrets[0]).await;
    let ticket_id = asked.ticket_id.unwrap();
    let paid = service::scan(
        &pool,
        door.scope.user_id,
        door.scope.event_id,
        Attempt { target: Target::Ticket(ticket_id), collect: true, ..attempt(door.default_list, &secrets[0]) },
    )
    .await
    .unwrap();

    assert_eq!(asked.outcome, ScanOutcome::Unpaid);
    assert_eq!(asked.headline, "Unpaid — collect $95.00");
    assert_eq!(paid.outcome, ScanOutcome::Admitted);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders WHERE status = 'paid' AND paid_at IS NOT NULL").await, 1);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM checkin_scans WHERE outcome = 'admitted' AND reason LIKE '$95.00 collected%'"
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn nobody_outside_the_organization_works_its_door_and_event_staff_only_their_event(pool: PgPool) {
    let door = door(&pool).await;
    let stranger = organizer(&pool, "mallory@example.com").await;
    let (_, _) = event_with(&pool, &door.organizer, 100, &[("Other", "0", 10)]).await;
    let other_event: Uuid = sqlx::query_scalar("SELECT id FROM events WHERE id <> $1")
        .bind(door.scope.event_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    add_event_staff(&pool, door.scope.event_id, stranger.user_id).await;

    assert_eq!(door_scope(&pool, stranger.user_id, other_event).await, Err(AppError::Forbidden));
    assert!(door_scope(&pool, stranger.user_id, door.scope.event_id).await.is_ok(), "invited to this door");
    assert_eq!(door_scope(&pool, door.organizer.user_id, Uuid::new_v4()).await, Err(AppError::Forbidden));
    let strangers_event = event_with(&pool, &stranger, 10, &[("X", "0", 5)]).await;
    let strangers_event_id: Uuid = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1")
        .bind(&strangers_event.0)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(door_scope(&pool, door.organizer.user_id, strangers_event_id).await, Err(AppError::Forbidden));
}

#[sqlx::test]
async fn an_admission_is_undone_only_by_its_maker_and_only_within_two_minutes(pool: PgPool) {
    let door = door(&pool).await;
    let secrets = tickets(&pool, &door.slug, door.tiers[0], 2, "bea@example.com").await;
    let admitted = scan(&pool, &door, &secrets[0]).await;
    let late = scan(&pool, &door, &secrets[1]).await;
    sqlx::query("UPDATE checkins SET admitted_at = now() - interval '3 minutes' WHERE id = $1")
        .bind(late.checkin_id.unwrap())
        .execute(&pool)
        .await
        .unwrap();
    let colleague = organizer(&pool, "sam@example.com").await;
    add_event_staff(&pool, door.scope.event_id, colleague.user_id).await;
    let colleague_scope = door_scope(&pool, colleague.user_id, door.scope.event_id).await.unwrap();

    let by_colleague = service::undo(&pool, &colleague_scope, admitted.checkin_id.unwrap(), Uuid::new_v4(), "").await;
    let too_late = service::undo(&pool, &door.scope, late.checkin_id.unwrap(), Uuid::new_v4(), "").await;
    let undone = service::undo(&pool, &door.scope, admitted.checkin_id.unwrap(), Uuid::new_v4(), "").await.unwrap();
    let again = scan(&pool, &door, &secrets[0]).await;

    assert!(matches!(by_colleague, Err(AppError::Conflict(_))), "{by_colleague:?}");
    assert!(matches!(too_late, Err(AppError::Conflict(_))), "{too_late:?}");
    assert_eq!(undone.outcome, ScanOutcome::Undone);
    assert_eq!(again.outcome, ScanOutcome::Admitted, "an undone ticket may enter again");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans WHERE outcome = 'undone'").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins WHERE undone_at IS NOT NULL").await, 1, "kept as history");
}

#[sqlx::test]
async fn the_counter_and_search_show_the_door_as_it_is(pool: PgPool) {
    let door = door(&pool).await;
    let general = tickets(&pool, &door.slug, door.tiers[0], 3, "bea@example.com").await;
    tickets(&pool, &door.slug, door.tiers[1], 2, "vip@example.com").await;
    scan(&pool, &door, &general[0]).await;
    scan(&pool, &door, &general[1]).await;

    let counts = service::counts(&pool, &door.scope, door.default_list).await.unwrap();
    let by_name = service::search(&pool, &door.scope, door.default_list, "guest").await.unwrap();
    let by_email = service::search(&pool, &door.scope, door.default_list, "VIP@EXAMPLE").await.unwrap();
    let wildcard = service::search(&pool, &door.scope, door.default_list, "%%").await.unwrap();

    assert_eq!((counts.checked_in, counts.expected), (2, 5));
    assert_eq!(
        counts.tiers.iter().map(|t| (t.tier.as_str(), t.checked_in, t.expected)).collect::<Vec<_>>(),
        [("General", 2, 3), ("VIP", 0, 2)]
    );
    assert_eq!(by_name.len(), 5);
    assert_eq!(by_name.iter().filter(|h| h.admitted).count(), 2);
    assert_eq!(by_email.len(), 2);
    assert!(by_email.iter().all(|h| h.state == "Unpaid"), "{by_email:?}");
    assert!(wildcard.is_empty(), "a % is a character, not a wildcard");
}

#[sqlx::test]
async fn the_admitting_write_lets_nobody_in_on_a_ticket_cancelled_after_it_was_read(pool: PgPool) {
    let door = door(&pool).await;
    tickets(&pool, &door.slug, door.tiers[0], 1, "c@example.com").await;
    let (ticket_id, order_id): (Uuid, Uuid) =
        sqlx::query_as("SELECT id, order_id FROM tickets").fetch_one(&pool).await.unwrap();
    // The door read the ticket as valid; then the organizer cancelled the order.
    manage::cancel_order(&pool, &offline(), &door.organizer, order_id).await.unwrap();
    let scan = db::NewScan {
        event_id: door.scope.event_id,
        list_id: door.default_list,
        ticket_id: Some(ticket_id),
        staff_user_id: door.scope.user_id,
        device: "Door 1",
        outcome: ScanOutcome::Admitted,
        reason: "",
        client_nonce: Uuid::new_v4(),
        client_time: None,
        offline: false,
        conflict: false,
    };

    let admitted = db::admit_and_record(&pool, &scan, ticket_id).await.unwrap();

    assert!(!admitted.still_valid);
    assert_eq!(admitted.checkin_id, None);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 0, "the scan is judged again, then recorded");
}
