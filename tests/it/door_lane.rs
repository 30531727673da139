//! Online camera scans judged together as one set (`checkin::lane`): the same verdicts and
//! records as one at a time, a retry answered as the first try, and a set that fails judged
//! scan by scan. `#[sqlx::test]` runs on one thread, so scans spawned together reach the
//! lane before its worker wakes, and form one set.

use crate::checkin::{Door, add_event_staff, attempt, door, order_of, tickets, vip_entrance};
use crate::common::{app, call};
use crate::shop::{count, event_with, finished, offline, organizer};
use eventos::checkin::db::{self, NewScan};
use eventos::checkin::lane::DoorLane;
use eventos::checkin::service::{self, Attempt};
use eventos::checkin::{ScanOutcome, Verdict};
use eventos::orders::manage;
use eventos::platform::error::AppError;
use eventos::platform::session::{AuthSession, USER_ID};
use eventos::platform::session_store::PgSessionStore;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;
use uuid::Uuid;

/// How long after log-in a session ends, as the server's default.
const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// One server's lane.
pub(crate) fn lane(pool: &PgPool) -> DoorLane {
    DoorLane::new(pool.clone(), SESSION_LIFETIME)
}

/// `user_id` logged in: the session as the next request brings it, its id from the cookie
/// and nothing read yet.
pub(crate) async fn logged_in(pool: &PgPool, user_id: Uuid) -> AuthSession {
    let store = Arc::new(PgSessionStore::new(pool.clone(), SESSION_LIFETIME));
    let login = Session::new(None, store.clone(), None);
    login.insert(USER_ID, user_id).await.unwrap();
    login.save().await.unwrap();
    AuthSession::new(Session::new(login.id(), store, None))
}

/// Sends every attempt to the lane at the same instant, each by its user logged in;
/// verdicts in order.
async fn together(
    pool: &PgPool,
    lane: &DoorLane,
    door: &Door,
    attempts: Vec<(Uuid, Attempt)>,
) -> Vec<Result<Verdict, AppError>> {
    let mut logged = Vec::new();
    for (user_id, attempt) in attempts {
        logged.push((logged_in(pool, user_id).await, attempt));
    }
    together_as(pool, lane, door, logged).await
}

/// As `together`, each attempt with the session it is sent with.
async fn together_as(
    pool: &PgPool,
    lane: &DoorLane,
    door: &Door,
    attempts: Vec<(AuthSession, Attempt)>,
) -> Vec<Result<Verdict, AppError>> {
    let scans: Vec<_> = attempts
        .into_iter()
        .map(|(session, attempt)| {
            let (pool, lane, event_id) = (pool.clone(), lane.clone(), door.scope.event_id);
            tokio::spawn(async move { service::scan_in_lane(&lane, &pool, &session, event_id, attempt).await })
        })
        .collect();
    finished(scans).await
}

fn outcome(verdict: &Result<Verdict, AppError>) -> Result<ScanOutcome, AppError> {
    verdict.as_ref().map(|v| v.outcome).map_err(Clone::clone)
}

#[sqlx::test]
async fn scans_that_arrive_together_get_one_welcome_per_ticket_and_each_its_own_refusal(pool: PgPool) {
    let door = door(&pool).await;
    let lane = lane(&pool);
    let guests = tickets(&pool, &door.slug, door.tiers[0], 3, "bea@example.com").await;
    let cancelled = tickets(&pool, &door.slug, door.tiers[0], 1, "cy@example.com").await.remove(0);
    manage::cancel_order(&pool, &offline(), &door.organizer, order_of(&pool, &cancelled).await).await.unwrap();
    let stranger = organizer(&pool, "mallory@example.com").await;
    let me = door.scope.user_id;
    let list = door.default_list;

    let mut attempts: Vec<(Uuid, Attempt)> = Vec::new();
    for guest in &guests {
        attempts.push((me, attempt(list, guest)));
        attempts.push((me, attempt(list, guest)));
    }
    attempts.push((me, attempt(list, &cancelled)));
    attempts.push((me, attempt(list, "EOS1:NoSuchTicketSecretAnywhere1234")));
    attempts.push((stranger.user_id, attempt(list, &guests[0])));
    let verdicts = together(&pool, &lane, &door, attempts).await;

    for pair in verdicts[..6].chunks(2) {
        assert_eq!(outcome(&pair[0]), Ok(ScanOutcome::Admitted), "the first scan of a ticket lets it in");
        assert_eq!(outcome(&pair[1]), Ok(ScanOutcome::AlreadyAdmitted));
        let second = pair[1].as_ref().unwrap();
        assert!(second.detail.contains("by Olivia Organizer (Door 1)"), "{}", second.detail);
    }
    assert_eq!(outcome(&verdicts[6]), Ok(ScanOutcome::Cancelled));
    assert_eq!(outcome(&verdicts[7]), Ok(ScanOutcome::Unknown));
    assert_eq!(outcome(&verdicts[8]), Err(AppError::Forbidden), "staff of another organization");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 3);
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets WHERE status = 'used'").await, 3);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 8, "every attempt of the door's staff");
    // One statement wrote every admission and "already": one transaction, one clock reading.
    assert_eq!(
        count(
            &pool,
            "SELECT count(DISTINCT server_time) FROM checkin_scans WHERE outcome IN ('admitted', 'already_admitted')"
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn a_retry_in_the_same_set_and_one_after_it_get_the_first_answer_and_admit_once(pool: PgPool) {
    let door = door(&pool).await;
    let lane = lane(&pool);
    let secret = tickets(&pool, &door.slug, door.tiers[0], 1, "bea@example.com").await.remove(0);
    let first_try = attempt(door.default_list, &secret);
    let me = door.scope.user_id;

    let verdicts = together(&pool, &lane, &door, vec![(me, first_try.clone()), (me, first_try.clone())]).await;
    let later = together(&pool, &lane, &door, vec![(me, first_try)]).await;

    let first = verdicts[0].as_ref().unwrap();
    assert_eq!(first.outcome, ScanOutcome::Admitted);
    for retry in [&verdicts[1], &later[0]] {
        let retry = retry.as_ref().unwrap();
        assert_eq!(retry.outcome, ScanOutcome::Admitted, "a retry is told what the first try got");
        assert_eq!(retry.checkin_id, first.checkin_id);
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 1, "a retry is not a second scan");
}

#[sqlx::test]
async fn a_set_that_fails_writes_nothing_and_each_of_its_scans_is_judged_alone(pool: PgPool) {
    let door = door(&pool).await;
    let lane = lane(&pool);
    let guests = tickets(&pool, &door.slug, door.tiers[0], 2, "bea@example.com").await;
    let me = door.scope.user_id;
    let (taken, fresh) = (attempt(door.default_list, &guests[0]), attempt(door.default_list, &guests[1]));
    // Another server records the first scan's nonce in the same instant: the set waits on
    // that row and then runs into the unique key.
    let mut elsewhere = pool.begin().await.unwrap();
    let recorded = NewScan {
        event_id: door.scope.event_id,
        list_id: door.default_list,
        ticket_id: None,
        staff_user_id: me,
        device: "Door 9",
        outcome: ScanOutcome::Unknown,
        reason: "",
        client_nonce: taken.nonce,
        client_time: None,
        offline: false,
        conflict: false,
    };
    db::record_scan(&mut *elsewhere, &recorded).await.unwrap();
    let (set_pool, set_lane, set_door) = (pool.clone(), lane.clone(), door.scope.event_id);
    let session = logged_in(&pool, me).await;
    let scans = tokio::spawn(async move {
        let scan = |attempt| service::scan_in_lane(&set_lane, &set_pool, &session, set_door, attempt);
        tokio::join!(scan(taken), scan(fresh))
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    elsewhere.commit().await.unwrap();
    let (taken, fresh) = scans.await.unwrap();

    assert_eq!(taken.unwrap().outcome, ScanOutcome::Unknown, "answered as the nonce was first recorded");
    assert_eq!(fresh.unwrap().outcome, ScanOutcome::Admitted);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1, "only the fresh scan let anyone in");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 2);
}

#[sqlx::test]
async fn a_set_applies_every_rule_of_the_door_and_lets_in_event_only_door_staff(pool: PgPool) {
    let door = door(&pool).await;
    let lane = lane(&pool);
    let general = tickets(&pool, &door.slug, door.tiers[0], 2, "bea@example.com").await;
    // The VIP tier is paid at the door: its order is unpaid.
    let unpaid = tickets(&pool, &door.slug, door.tiers[1], 1, "una@example.com").await.remove(0);
    let (other_slug, other_tiers) = event_with(&pool, &door.organizer, 100, &[("Other", "0", 10)]).await;
    let elsewhere = tickets(&pool, &other_slug, other_tiers[0], 1, "el@example.com").await.remove(0);
    let vip_only = vip_entrance(&pool, &door).await;
    let closed: Uuid = sqlx::query_scalar(
        "INSERT INTO checkin_lists (event_id, name, all_tiers, closes_at)
         VALUES ($1, 'Early doors', true, now() - interval '1 hour') RETURNING id",
    )
    .bind(door.scope.event_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let volunteer = organizer(&pool, "vic@example.com").await;
    add_event_staff(&pool, door.scope.event_id, volunteer.user_id).await;
    let me = door.scope.user_id;
    let list = door.default_list;

    let verdicts = together(
        &pool,
        &lane,
        &door,
        vec![
            (me, attempt(vip_only, &general[0])),
            (me, attempt(closed, &general[0])),
            (me, attempt(list, &unpaid)),
            (me, attempt(list, &elsewhere)),
            (volunteer.user_id, attempt(list, &general[1])),
        ],
    )
    .await;

    let outcomes: Vec<_> = verdicts.iter().map(outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            Ok(ScanOutcome::WrongList),
            Ok(ScanOutcome::OutsideWindow),
            Ok(ScanOutcome::Unpaid),
            Ok(ScanOutcome::WrongEvent),
            Ok(ScanOutcome::Admitted),
        ]
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 5);
    // Each scan is credited to the user of the session it came with.
    let admitted_by: Uuid = sqlx::query_scalar("SELECT admitted_by FROM checkins").fetch_one(&pool).await.unwrap();
    assert_eq!(admitted_by, volunteer.user_id);
    let by_me = count(&pool, &format!("SELECT count(*) FROM checkin_scans WHERE staff_user_id = '{me}'")).await;
    assert_eq!(by_me, 4);
}

#[sqlx::test]
async fn a_ticket_locked_by_a_cancellation_holds_up_only_its_own_scan_which_it_then_refuses(pool: PgPool) {
    let door = door(&pool).await;
    let lane = lane(&pool);
    let guests = tickets(&pool, &door.slug, door.tiers[0], 2, "bea@example.com").await;
    let me = door.scope.user_id;
    // A cancellation of the first ticket is under way: its row is locked until it commits.
    let mut cancelling = pool.begin().await.unwrap();
    sqlx::query("UPDATE tickets SET status = 'cancelled' WHERE qr_secret = $1")
        .bind(&guests[0])
        .execute(&mut *cancelling)
        .await
        .unwrap();
    let session = Arc::new(logged_in(&pool, me).await);
    let scan = |secret: &str| {
        let (pool, lane, event_id, attempt) =
            (pool.clone(), lane.clone(), door.scope.event_id, attempt(door.default_list, secret));
        let session = session.clone();
        tokio::spawn(async move { service::scan_in_lane(&lane, &pool, &session, event_id, attempt).await })
    };
    let (held, free) = (scan(&guests[0]), scan(&guests[1]));

    let free = tokio::time::timeout(std::time::Duration::from_secs(5), free).await;
    assert_eq!(
        free.expect("the set did not wait for the locked ticket").unwrap().map(|v| v.outcome),
        Ok(ScanOutcome::Admitted)
    );
    cancelling.commit().await.unwrap();
    assert_eq!(held.await.unwrap().map(|v| v.outcome), Ok(ScanOutcome::Cancelled));
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1, "the cancelled ticket stayed out");
}

#[sqlx::test]
async fn a_scan_sent_with_a_session_logged_out_expired_or_past_its_lifetime_is_unauthorized_and_writes_nothing(
    pool: PgPool,
) {
    let door = door(&pool).await;
    let lane = lane(&pool);
    let guests = tickets(&pool, &door.slug, door.tiers[0], 2, "bea@example.com").await;
    let me = door.scope.user_id;
    let list = door.default_list;
    let session_where = |change: &'static str| {
        let pool = pool.clone();
        async move {
            let session = logged_in(&pool, me).await;
            sqlx::query(change).bind(session.id().unwrap()).execute(&pool).await.unwrap();
            session
        }
    };
    let logged_out = session_where("DELETE FROM sessions WHERE id = $1").await;
    let idle = session_where("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1").await;
    let too_old = session_where("UPDATE sessions SET created_at = now() - interval '31 days' WHERE id = $1").await;
    let number: String = sqlx::query_scalar("SELECT ticket_number FROM tickets WHERE qr_secret = $1")
        .bind(&guests[1])
        .fetch_one(&pool)
        .await
        .unwrap();
    let typed = session_where("DELETE FROM sessions WHERE id = $1").await;

    let verdicts = together_as(
        &pool,
        &lane,
        &door,
        vec![
            (logged_in(&pool, me).await, attempt(list, &guests[0])),
            (logged_out, attempt(list, &guests[1])),
            (idle, attempt(list, &guests[1])),
            (too_old, attempt(list, &guests[1])),
            // A typed number is judged alone, the session read by the session store.
            (typed, attempt(list, &number)),
        ],
    )
    .await;

    let outcomes: Vec<_> = verdicts.iter().map(outcome).collect();
    assert_eq!(outcomes[0], Ok(ScanOutcome::Admitted), "a live session's scan in the same set");
    assert!(outcomes[1..].iter().all(|o| *o == Err(AppError::Unauthorized)), "{outcomes:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 1, "no record of who nobody is");
}

#[sqlx::test]
async fn over_http_a_camera_scan_with_the_cookie_of_a_session_since_logged_out_is_unauthorized(pool: PgPool) {
    let app = app(pool.clone()).await;
    let door = door(&pool).await;
    let guests = tickets(&pool, &door.slug, door.tiers[0], 2, "bea@example.com").await;
    let login =
        call(&app, "log_in", &[("email", "olivia@example.com"), ("password", "a-long-enough-password")], None).await;
    let cookie = login.session_cookie.expect("logging in sets a cookie");
    let (event_id, list_id) = (door.scope.event_id.to_string(), door.default_list.to_string());
    let scan = |secret: &str| {
        let nonce = Uuid::new_v4().to_string();
        let form = [
            ("event_id", event_id.clone()),
            ("list_id", list_id.clone()),
            ("code", secret.to_owned()),
            ("nonce", nonce),
            ("device", "Door 1".to_owned()),
        ];
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(&app, "scan_ticket", &form, Some(&cookie)).await
        }
    };

    let welcome = scan(&guests[0]).await;
    assert_eq!(welcome.status, axum::http::StatusCode::OK, "{}", welcome.body);
    assert!(welcome.body.contains("\"admitted\""), "{}", welcome.body);
    call(&app, "log_out", &[], Some(&cookie)).await;
    let replayed = scan(&guests[1]).await;

    assert_eq!(replayed.status, axum::http::StatusCode::UNAUTHORIZED, "{}", replayed.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM checkin_scans").await, 1);
}
