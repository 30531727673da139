//! Check-in lists as the organizer manages them, and the scan log they read, against a real
//! PostgreSQL.

use crate::checkin::{attempt, door, tickets};
use crate::shop::{count, organizer};
use chrono::Utc;
use eventos::checkin::manage::{self, ListForm};
use eventos::checkin::offline::QueuedScan;
use eventos::checkin::{ScanFilter, ScanOutcome, copy, service};
use eventos::platform::error::AppError;
use sqlx::PgPool;
use uuid::Uuid;

fn vip_entrance(tier: Uuid) -> ListForm {
    ListForm { name: "VIP entrance".into(), tier_ids: vec![tier], ..ListForm::default() }
}

#[sqlx::test]
async fn a_list_for_some_tiers_admits_those_and_turns_the_others_away(pool: PgPool) {
    let door = door(&pool).await;
    let (general, vip) = (door.tiers[0], door.tiers[1]);
    let list = manage::save_list(&pool, &door.organizer, door.scope.event_id, None, &vip_entrance(vip)).await.unwrap();
    let guest = tickets(&pool, &door.slug, general, 1, "g@example.com").await.remove(0);

    let refused = service::scan(&pool, door.scope.user_id, door.scope.event_id, attempt(list, &guest)).await.unwrap();

    assert_eq!(refused.outcome, ScanOutcome::WrongList);
    assert!(refused.detail.starts_with("General is not taken at VIP entrance"), "{}", refused.detail);
    let board = manage::board(&pool, &door.organizer, door.scope.event_id, &ScanFilter::default()).await.unwrap();
    let listed = board.lists.iter().find(|l| l.id == list).unwrap();
    assert_eq!((listed.takes.as_str(), listed.tier_ids.clone(), listed.used), ("VIP", vec![vip], true));
    assert_eq!(board.lists[0].name, "Main entrance", "the main list comes first");
    assert_eq!((board.lists[0].checked_in, board.lists[0].expected), (0, 1));
}

#[sqlx::test]
async fn a_list_with_hours_turns_people_away_outside_them(pool: PgPool) {
    let door = door(&pool).await;
    let later = ListForm {
        name: "Afterparty".into(),
        opens_at: "2099-01-01T20:00".into(),
        closes_at: "2099-01-01T23:00".into(),
        ..ListForm::default()
    };
    let list = manage::save_list(&pool, &door.organizer, door.scope.event_id, None, &later).await.unwrap();
    let guest = tickets(&pool, &door.slug, door.tiers[0], 1, "g@example.com").await.remove(0);

    let early = service::scan(&pool, door.scope.user_id, door.scope.event_id, attempt(list, &guest)).await.unwrap();

    assert_eq!(early.outcome, ScanOutcome::OutsideWindow);
    assert!(early.detail.starts_with("Afterparty opens at 20:00"), "{}", early.detail);
}

#[sqlx::test]
async fn a_bad_list_gets_a_message_per_field_and_writes_nothing(pool: PgPool) {
    let door = door(&pool).await;
    let stranger = organizer(&pool, "mallory@example.com").await;
    let bad = ListForm {
        name: "  ".into(),
        tier_ids: vec![Uuid::new_v4()],
        opens_at: "2099-01-01T20:00".into(),
        closes_at: "2099-01-01T19:00".into(),
    };

    let refused = manage::save_list(&pool, &door.organizer, door.scope.event_id, None, &bad).await;
    let main_with_tiers = manage::save_list(
        &pool,
        &door.organizer,
        door.scope.event_id,
        Some(door.default_list),
        &vip_entrance(door.tiers[1]),
    )
    .await;
    let not_theirs = manage::save_list(&pool, &stranger, door.scope.event_id, None, &vip_entrance(door.tiers[1])).await;

    let Err(AppError::Validation(errors)) = refused else { panic!("expected field errors, got {refused:?}") };
    for field in ["name", "tiers", "closes_at"] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    assert!(matches!(main_with_tiers, Err(AppError::Validation(_))), "{main_with_tiers:?}");
    assert!(matches!(not_theirs, Err(AppError::NotFound)), "{not_theirs:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_lists").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_list_tiers").await, 0);
}

#[sqlx::test]
async fn only_an_unused_extra_list_can_be_deleted(pool: PgPool) {
    let door = door(&pool).await;
    let event = door.scope.event_id;
    let unused = manage::save_list(&pool, &door.organizer, event, None, &vip_entrance(door.tiers[1])).await.unwrap();
    let used = manage::save_list(&pool, &door.organizer, event, None, &vip_entrance(door.tiers[1])).await.unwrap();
    let guest = tickets(&pool, &door.slug, door.tiers[0], 1, "g@example.com").await.remove(0);
    service::scan(&pool, door.scope.user_id, event, attempt(used, &guest)).await.unwrap();

    let main = manage::delete_list(&pool, &door.organizer, event, door.default_list).await;
    let with_scans = manage::delete_list(&pool, &door.organizer, event, used).await;
    manage::delete_list(&pool, &door.organizer, event, unused).await.unwrap();

    assert!(matches!(main, Err(AppError::Conflict(_))), "{main:?}");
    assert!(matches!(with_scans, Err(AppError::Conflict(_))), "{with_scans:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_lists").await, 2);
}

#[sqlx::test]
async fn the_organizer_sees_offline_conflicts_in_the_scan_log_and_can_filter_for_them(pool: PgPool) {
    let door = door(&pool).await;
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "g@example.com").await.remove(0);
    service::scan(&pool, door.scope.user_id, door.scope.event_id, attempt(door.default_list, &secret)).await.unwrap();
    let late_phone = QueuedScan {
        list_id: door.default_list,
        ticket_id: None,
        code: Some(secret.clone()),
        nonce: Uuid::new_v4(),
        client_time: Utc::now(),
        shown: ScanOutcome::Admitted,
        collect: false,
        device: "Door 4".into(),
    };
    copy::upload(&pool, &door.scope, vec![late_phone]).await.unwrap();

    let all = manage::board(&pool, &door.organizer, door.scope.event_id, &ScanFilter::default()).await.unwrap();
    let only = ScanFilter { conflicts_only: true, ..ScanFilter::default() };
    let conflicts = manage::board(&pool, &door.organizer, door.scope.event_id, &only).await.unwrap();

    assert_eq!((all.scans.len(), all.conflicts), (2, 1));
    assert_eq!(conflicts.scans.len(), 1);
    let conflict = &conflicts.scans[0];
    assert!(conflict.conflict && conflict.offline);
    assert_eq!((conflict.outcome, conflict.device.as_str()), (ScanOutcome::AlreadyAdmitted, "Door 4"));
    assert_eq!(conflict.attendee, "Guest 0");
    assert!(conflict.scanned_at.is_some(), "an offline scan shows when the phone made it");
    assert_eq!(all.staff.len(), 1);
    let by_outcome = ScanFilter { outcome: Some(ScanOutcome::Admitted), ..ScanFilter::default() };
    let admitted = manage::board(&pool, &door.organizer, door.scope.event_id, &by_outcome).await.unwrap();
    assert_eq!(admitted.scans.len(), 1);
}
