//! The door without the network, against a real PostgreSQL: the copy a phone keeps (hashes,
//! never secrets; only what changed on refresh) and the scans it queued, judged again on
//! upload, conflicts recorded.

use crate::checkin::{Door, attempt, door, order_of, tickets};
use crate::shop::{count, offline};
use chrono::{Duration, Utc};
use eventos::checkin::ScanOutcome;
use eventos::checkin::copy;
use eventos::checkin::offline::{CopiedTicket, CopyChanges, QueuedScan, secret_hash};
use eventos::checkin::service;
use eventos::orders::manage;
use sqlx::PgPool;
use uuid::Uuid;

async fn ticket_id(pool: &PgPool, secret: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM tickets WHERE qr_secret = $1").bind(secret).fetch_one(pool).await.unwrap()
}

/// Whether the ticket and its admissions were last written by transactions older than
/// `cursor` (an admission leaves its ticket's row as it was, and reaches phones by its own).
async fn written_before(pool: &PgPool, id: Uuid, cursor: &str) -> bool {
    sqlx::query_scalar(
        "SELECT greatest(k.door_xid, (SELECT max(c.door_xid) FROM checkins c WHERE c.ticket_id = k.id))
                < $2::text::xid8
           FROM tickets k WHERE k.id = $1",
    )
    .bind(id)
    .bind(cursor)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn copy_of(pool: &PgPool, door: &Door, since: Option<&str>) -> CopyChanges {
    copy::door_copy(pool, &door.scope, door.default_list, since).await.unwrap()
}

fn by_id(changes: &CopyChanges, id: Uuid) -> &CopiedTicket {
    changes.tickets.iter().find(|t| t.id == id).expect("the ticket is in the copy")
}

/// A scan a phone judged offline and showed as `shown`.
fn queued(door: &Door, ticket_id: Option<Uuid>, code: Option<&str>, shown: ScanOutcome) -> QueuedScan {
    QueuedScan {
        list_id: door.default_list,
        ticket_id,
        code: code.map(str::to_owned),
        nonce: Uuid::new_v4(),
        client_time: Utc::now() - Duration::minutes(5),
        shown,
        collect: false,
        device: "Door 3".into(),
    }
}

async fn scan_online(pool: &PgPool, door: &Door, secret: &str) -> ScanOutcome {
    service::scan(pool, door.scope.user_id, door.scope.event_id, attempt(door.default_list, secret))
        .await
        .unwrap()
        .outcome
}

#[sqlx::test]
async fn a_phones_copy_holds_hashes_not_secrets_and_a_refresh_brings_only_what_changed(pool: PgPool) {
    let door = door(&pool).await;
    let admitted = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let cancelled = tickets(&pool, &door.slug, door.tiers[0], 1, "b@example.com").await.remove(0);
    let untouched = tickets(&pool, &door.slug, door.tiers[0], 1, "c@example.com").await.remove(0);
    let unpaid = tickets(&pool, &door.slug, door.tiers[1], 1, "d@example.com").await.remove(0);

    let full = copy_of(&pool, &door, None).await;

    assert!(full.complete);
    assert_eq!(full.tickets.len(), 4);
    let text = serde_json::to_string(&full).unwrap();
    for secret in [&admitted, &cancelled, &untouched, &unpaid] {
        assert!(!text.contains(secret.as_str()), "the copy never holds a ticket secret");
    }
    let valid = by_id(&full, ticket_id(&pool, &admitted).await);
    assert_eq!((valid.hash.as_str(), valid.standing), (secret_hash(&admitted).as_str(), ScanOutcome::Admitted));
    assert_eq!(valid.who, "Guest 0 — General");
    let owing = by_id(&full, ticket_id(&pool, &unpaid).await);
    assert_eq!((owing.standing, owing.due.as_deref()), (ScanOutcome::Unpaid, Some("$95.00")));

    assert_eq!(scan_online(&pool, &door, &admitted).await, ScanOutcome::Admitted);
    manage::cancel_order(&pool, &offline(), &door.organizer, order_of(&pool, &cancelled).await).await.unwrap();
    let changes = copy_of(&pool, &door, Some(&full.cursor)).await;

    assert!(!changes.complete);
    let changed: Vec<Uuid> = changes.tickets.iter().map(|t| t.id).collect();
    assert!(
        changed.contains(&ticket_id(&pool, &admitted).await) && changed.contains(&ticket_id(&pool, &cancelled).await)
    );
    for untouched in [&untouched, &unpaid] {
        // Other tests' transactions still running when the cursor was taken hold it back;
        // a ticket last written before the cursor is never sent again.
        let id = ticket_id(&pool, untouched).await;
        assert!(!changed.contains(&id) || !written_before(&pool, id, &full.cursor).await, "{untouched} did not change");
    }
    let now_in = by_id(&changes, ticket_id(&pool, &admitted).await);
    assert!(now_in.admitted.as_deref().is_some_and(|a| a.contains("by Olivia Organizer (Door 1)")), "{now_in:?}");
    assert_eq!(by_id(&changes, ticket_id(&pool, &cancelled).await).standing, ScanOutcome::Cancelled);
    let nothing_new = copy_of(&pool, &door, Some(&changes.cursor)).await;
    for ticket in &nothing_new.tickets {
        assert!(!written_before(&pool, ticket.id, &changes.cursor).await, "nothing changed since: {ticket:?}");
    }
    let garbage = copy_of(&pool, &door, Some("1; DROP TABLE tickets")).await;
    assert!(garbage.complete && garbage.tickets.len() == 4, "an unreadable cursor gets the whole copy");
}

#[sqlx::test]
async fn an_undone_admission_and_an_edited_list_reach_the_copy(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let admitted = service::scan(&pool, door.scope.user_id, door.scope.event_id, attempt(door.default_list, &secret))
        .await
        .unwrap();
    let before = copy_of(&pool, &door, None).await;
    service::undo(&pool, &door.scope, admitted.checkin_id.unwrap(), Uuid::new_v4(), "").await.unwrap();

    let after_undo = copy_of(&pool, &door, Some(&before.cursor)).await;
    assert_eq!(after_undo.tickets.len(), 1);
    assert_eq!(after_undo.tickets[0].admitted, None, "the undone admission is gone from the copy");

    sqlx::query("UPDATE checkin_lists SET name = 'Front door' WHERE id = $1")
        .bind(door.default_list)
        .execute(&pool)
        .await
        .unwrap();
    let after_edit = copy_of(&pool, &door, Some(&after_undo.cursor)).await;
    assert!(after_edit.complete, "a changed list sends the whole copy again");
    assert_eq!((after_edit.list_name.as_str(), after_edit.tickets.len()), ("Front door", 1));
}

#[sqlx::test]
async fn two_offline_phones_admitting_one_ticket_leave_one_admission_and_a_conflict_for_the_organizer(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let id = ticket_id(&pool, &secret).await;
    let first_phone = vec![queued(&door, Some(id), None, ScanOutcome::Admitted)];
    let second_phone = vec![queued(&door, None, Some(&format!("EOS1:{secret}")), ScanOutcome::Admitted)];

    let first = copy::upload(&pool, &door.scope, first_phone).await.unwrap();
    let second = copy::upload(&pool, &door.scope, second_phone.clone()).await.unwrap();
    let resent = copy::upload(&pool, &door.scope, second_phone).await.unwrap();

    assert_eq!((first[0].outcome, first[0].conflict), (ScanOutcome::Admitted, false));
    assert_eq!((second[0].outcome, second[0].conflict), (ScanOutcome::AlreadyAdmitted, true));
    assert_eq!(resent, second, "a batch sent twice is answered as the first time");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM checkins WHERE admitted_at < now() - interval '4 minutes'").await,
        1,
        "an admission made offline is dated when the phone made it"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans WHERE offline").await, 2);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM checkin_scans WHERE conflict AND outcome = 'already_admitted'").await,
        1
    );
}

#[sqlx::test]
async fn what_a_phone_refused_offline_admits_nobody_and_letting_in_a_cancelled_ticket_is_a_conflict(pool: PgPool) {
    let door = door(&pool).await;
    let turned_away = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let cancelled = tickets(&pool, &door.slug, door.tiers[0], 1, "b@example.com").await.remove(0);
    let unpaid = tickets(&pool, &door.slug, door.tiers[1], 1, "c@example.com").await.remove(0);
    manage::cancel_order(&pool, &offline(), &door.organizer, order_of(&pool, &cancelled).await).await.unwrap();
    let collected = QueuedScan {
        collect: true,
        ..queued(&door, Some(ticket_id(&pool, &unpaid).await), None, ScanOutcome::Admitted)
    };
    let batch = vec![
        queued(&door, Some(ticket_id(&pool, &turned_away).await), None, ScanOutcome::AlreadyAdmitted),
        queued(&door, Some(ticket_id(&pool, &cancelled).await), None, ScanOutcome::Admitted),
        collected,
    ];

    let answers = copy::upload(&pool, &door.scope, batch).await.unwrap();

    let seen: Vec<(ScanOutcome, bool)> = answers.iter().map(|a| (a.outcome, a.conflict)).collect();
    assert_eq!(
        seen,
        vec![(ScanOutcome::AlreadyAdmitted, false), (ScanOutcome::Cancelled, true), (ScanOutcome::Admitted, false),]
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1, "only the collected ticket is in");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM orders WHERE status = 'paid' AND payment_provider = 'offline'").await,
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans WHERE offline").await, 3);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans WHERE conflict").await, 1);
}

#[sqlx::test]
async fn an_upload_of_more_than_two_hundred_scans_is_refused_whole_and_writes_nothing(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let id = ticket_id(&pool, &secret).await;
    let flood: Vec<QueuedScan> = (0..201).map(|_| queued(&door, Some(id), None, ScanOutcome::Admitted)).collect();

    let refused = copy::upload(&pool, &door.scope, flood).await;

    assert!(refused.is_err());
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 0);
}

#[sqlx::test]
async fn a_scan_the_server_cannot_take_is_refused_alone_and_the_rest_of_the_upload_goes_through(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let nameless = queued(&door, None, None, ScanOutcome::Admitted);
    let elsewhere = QueuedScan { list_id: Uuid::new_v4(), ..queued(&door, None, Some(&secret), ScanOutcome::Admitted) };
    let claimed_undo = queued(&door, None, Some(&secret), ScanOutcome::Undone);
    let good = queued(&door, Some(ticket_id(&pool, &secret).await), None, ScanOutcome::Admitted);

    let answers = copy::upload(&pool, &door.scope, vec![nameless, elsewhere, claimed_undo, good]).await.unwrap();

    let refused: Vec<bool> = answers.iter().map(|a| a.refused.is_some()).collect();
    assert_eq!(refused, vec![true, true, true, false], "{answers:?}");
    assert_eq!(answers[3].outcome, ScanOutcome::Admitted);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 1, "refused scans write nothing");
}

#[sqlx::test]
async fn an_offline_scan_is_judged_at_the_phones_time_within_a_day(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    // The list closed ten minutes ago; the phone let the guest in twenty minutes ago.
    sqlx::query("UPDATE checkin_lists SET closes_at = now() - interval '10 minutes' WHERE id = $1")
        .bind(door.default_list)
        .execute(&pool)
        .await
        .unwrap();
    let in_time = QueuedScan {
        client_time: Utc::now() - Duration::minutes(20),
        ..queued(&door, Some(ticket_id(&pool, &secret).await), None, ScanOutcome::Admitted)
    };
    let other = tickets(&pool, &door.slug, door.tiers[0], 1, "b@example.com").await.remove(0);
    let too_late = QueuedScan {
        client_time: Utc::now() - Duration::minutes(5),
        ..queued(&door, Some(ticket_id(&pool, &other).await), None, ScanOutcome::Admitted)
    };

    let answers = copy::upload(&pool, &door.scope, vec![in_time, too_late]).await.unwrap();

    assert_eq!((answers[0].outcome, answers[0].conflict), (ScanOutcome::Admitted, false));
    assert_eq!((answers[1].outcome, answers[1].conflict), (ScanOutcome::OutsideWindow, true));
    assert_eq!(
        count(&pool, "SELECT count(*) FROM checkins WHERE admitted_at BETWEEN now() - interval '21 minutes' AND now() - interval '19 minutes'").await,
        1
    );
}

#[sqlx::test]
async fn a_phone_clock_years_behind_is_believed_only_a_day_back(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let stale_clock = QueuedScan {
        client_time: Utc::now() - Duration::days(900),
        ..queued(&door, Some(ticket_id(&pool, &secret).await), None, ScanOutcome::Admitted)
    };

    copy::upload(&pool, &door.scope, vec![stale_clock]).await.unwrap();

    assert_eq!(count(&pool, "SELECT count(*) FROM checkins WHERE admitted_at > now() - interval '25 hours'").await, 1);
}

#[sqlx::test]
async fn a_renamed_attendee_reaches_the_copy(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let before = copy_of(&pool, &door, None).await;

    sqlx::query("UPDATE attendees SET full_name = 'Beatrice Renamed' WHERE id = (SELECT attendee_id FROM tickets WHERE qr_secret = $1)")
        .bind(&secret)
        .execute(&pool)
        .await
        .unwrap();
    let after = copy_of(&pool, &door, Some(&before.cursor)).await;

    assert_eq!(after.tickets.len(), 1);
    assert_eq!(after.tickets[0].who, "Beatrice Renamed — General");
}

/// The transaction that last changed what phones know of the ticket.
async fn change_mark(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT door_xid::text FROM tickets WHERE id = $1").bind(id).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn letting_a_ticket_in_and_undoing_it_leave_its_change_mark_and_cancelling_it_moves_the_mark(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "a@example.com").await.remove(0);
    let id = ticket_id(&pool, &secret).await;
    let mark = change_mark(&pool, id).await;

    let admitted = service::scan(&pool, door.scope.user_id, door.scope.event_id, attempt(door.default_list, &secret))
        .await
        .unwrap();
    let status: String =
        sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "used");
    // Phones learn of admissions from `checkins`; the ticket's row is rewritten in place.
    assert_eq!(change_mark(&pool, id).await, mark, "an admission leaves the ticket's mark");
    service::undo(&pool, &door.scope, admitted.checkin_id.unwrap(), Uuid::new_v4(), "").await.unwrap();
    assert_eq!(change_mark(&pool, id).await, mark, "so does undoing it");

    manage::cancel_order(&pool, &offline(), &door.organizer, order_of(&pool, &secret).await).await.unwrap();
    assert_ne!(change_mark(&pool, id).await, mark, "a cancellation is news to every phone");
}
