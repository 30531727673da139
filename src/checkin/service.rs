//! The door's operations: a scan (or a tap in search) judged and recorded in one
//! transaction, undo, the live counter, search, and the events a user may work.

use crate::checkin::access::DoorScope;
use crate::checkin::batch::{SetAnswer, SetScan};
use crate::checkin::db::{self, ListRow, NewScan};
use crate::checkin::lane::{DoorLane, LaneAnswer};
use crate::checkin::statement::{self, DoorRead, DoorScan, DoorTicket, Pick};
use crate::checkin::verdict::{self, Facts, Judgement};
use crate::checkin::{
    AttendeeHit, DoorCounts, DoorEvent, DoorEventSummary, DoorList, MIN_SEARCH, ScanOutcome, TicketCode, TierCount,
    UNDO_WINDOW_SECS, Verdict, clean_device_label,
};
use crate::events::time::{format_range, timezone_or_default};
use crate::orders::manage::settle_offline;
use crate::orders::{OrderStatus, TicketStatus};
use crate::platform::error::{AppError, is_violation};
use crate::platform::session::AuthSession;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// What the phone scanned or tapped.
#[derive(Debug, Clone)]
pub enum Target {
    Code(TicketCode),
    /// A ticket of this event chosen in the search tab.
    Ticket(Uuid),
}

/// One attempt at the door, as the phone sends it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub list_id: Uuid,
    pub target: Target,
    /// Chosen by the phone for this attempt; a retry sends the same one.
    pub nonce: Uuid,
    pub device: String,
    pub client_time: Option<DateTime<Utc>>,
    /// The staff member took the money for an unpaid order: mark it paid, then admit.
    pub collect: bool,
    /// What a phone without the network showed for this attempt, uploaded later; `None`
    /// for a scan judged here.
    pub offline: Option<ScanOutcome>,
}

/// The ticket an attempt names.
fn pick(target: &Target) -> Pick<'_> {
    match target {
        Target::Code(TicketCode::Secret(secret)) => Pick::Secret(secret),
        Target::Code(TicketCode::Number(number)) => Pick::Number(number),
        Target::Ticket(id) => Pick::Ticket(*id),
    }
}

/// The door's scope for a read, when the caller may work it. An event that does not exist
/// and one the user may not work answer the same.
fn scope_of(read: &DoorRead, user_id: Uuid, event_id: Uuid) -> Result<DoorScope, AppError> {
    if !(read.access.member || read.access.event_staff) {
        return Err(AppError::Forbidden);
    }
    Ok(DoorScope {
        user_id,
        organization_id: read.access.organization_id,
        event_id,
        timezone: read.access.timezone.clone(),
    })
}

/// How often a scan is judged again when its ticket changed between the read and the write.
const REJUDGE: usize = 3;

/// Judges and records one attempt by `user_id` at the door of `event_id`.
///
/// Most scans are one statement (`statement::scan_and_admit`): it reads the caller's
/// access, the list and the ticket, and when the ticket may enter it locks it, checks it
/// again, lets it through the unique index (so two phones scanning one ticket get one
/// "Welcome" and one "Already checked in") and records the scan. Otherwise the read is
/// judged here and the refusal recorded. A nonce recorded before gets its first answer again.
pub async fn scan(pool: &PgPool, user_id: Uuid, event_id: Uuid, attempt: Attempt) -> Result<Verdict, AppError> {
    scan_via(None, pool, user_id, event_id, attempt).await
}

/// As `scan`, for the caller logged in with `session`. A camera scan made online first
/// joins the lane, to be judged together with the scans that arrive with it (`lane`), and
/// the session is read in that same statement. Anything else, and any scan the lane hands
/// back, is judged alone as `scan` judges it.
pub async fn scan_in_lane(
    lane: &DoorLane,
    pool: &PgPool,
    session: &AuthSession,
    event_id: Uuid,
    attempt: Attempt,
) -> Result<Verdict, AppError> {
    let session_id = session.id().ok_or(AppError::Unauthorized)?;
    let answer = match (&attempt.target, attempt.offline) {
        (Target::Code(TicketCode::Secret(secret)), None) => {
            let scan = SetScan {
                event_id,
                list_id: attempt.list_id,
                session_id,
                secret: secret.clone(),
                device: clean_device_label(&attempt.device),
                nonce: attempt.nonce,
                client_time: attempt.client_time,
            };
            lane.scan(scan).await
        }
        _ => LaneAnswer::Alone,
    };
    let judged = match answer {
        LaneAnswer::Set(answer) => match *answer {
            SetAnswer::LoggedOut => return Err(AppError::Unauthorized),
            SetAnswer::Scanned { staff_user_id, scan } => Some((staff_user_id, FromSet::Scanned(scan))),
            SetAnswer::Replayed { staff_user_id, scan } => Some((staff_user_id, FromSet::Replayed(scan))),
            SetAnswer::NoEvent => None,
        },
        LaneAnswer::Alone => None,
    };
    match judged {
        Some((user_id, first)) => scan_via(Some(first), pool, user_id, event_id, attempt).await,
        // Alone, as `scan` judges it, once the session store says who is scanning.
        None => {
            let user_id = session.user_id().await?.ok_or(AppError::Unauthorized)?;
            scan_via(None, pool, user_id, event_id, attempt).await
        }
    }
}

/// The lane's first judgement of a scan.
enum FromSet {
    Scanned(DoorScan),
    /// Its nonce was recorded before.
    Replayed(DoorScan),
}

#[tracing::instrument(skip_all, fields(%event_id, list_id = %attempt.list_id, nonce = %attempt.nonce))]
async fn scan_via(
    mut first: Option<FromSet>,
    pool: &PgPool,
    user_id: Uuid,
    event_id: Uuid,
    attempt: Attempt,
) -> Result<Verdict, AppError> {
    let device = clean_device_label(&attempt.device);
    // A phone that turned someone away offline let nobody in: its answer is what happened.
    let refused_offline = attempt.offline.filter(|shown| *shown != ScanOutcome::Admitted);
    for _ in 0..REJUDGE {
        let mut scan = NewScan {
            event_id,
            list_id: attempt.list_id,
            ticket_id: None,
            staff_user_id: user_id,
            device: &device,
            outcome: ScanOutcome::Unknown,
            reason: "",
            client_nonce: attempt.nonce,
            client_time: attempt.client_time,
            offline: attempt.offline.is_some(),
            conflict: false,
        };
        let found = match first.take() {
            Some(FromSet::Scanned(found)) => found,
            Some(FromSet::Replayed(found)) => {
                let scope = scope_of(&found.read, user_id, event_id)?;
                return replay(pool, &scope, attempt.nonce).await;
            }
            None => {
                match statement::scan_and_admit(pool, &scan, pick(&attempt.target), refused_offline.is_none()).await {
                    Ok(found) => found.ok_or(AppError::Forbidden)?,
                    Err(error) if is_violation(&error, db::NONCE_TAKEN) => {
                        let read =
                            statement::read(pool, event_id, user_id, attempt.list_id, pick(&attempt.target)).await?;
                        let scope = scope_of(&read.ok_or(AppError::Forbidden)?, user_id, event_id)?;
                        return replay(pool, &scope, attempt.nonce).await;
                    }
                    Err(error) => return Err(error.into()),
                }
            }
        };
        let scope = scope_of(&found.read, user_id, event_id)?;
        let list = found.read.list.ok_or(AppError::NotFound)?;
        let ticket = found.read.ticket;
        scan.ticket_id = ticket.as_ref().filter(|t| t.organization_id == scope.organization_id).map(|t| t.id);
        if let Some(admitted) = found.admitted {
            return answer_admitted(pool, &scope, &list, ticket, admitted).await;
        }
        // A scan made offline is judged at the phone's time (the upload bounds it).
        let judged_at = attempt.client_time.filter(|_| attempt.offline.is_some()).unwrap_or_else(Utc::now);
        let judgement = verdict::judge(ticket.as_ref(), event_id, &list, judged_at);
        let written = match (judgement, ticket.as_ref()) {
            // The statement's clock and this one disagreed at the edge of the list's hours.
            (Judgement::Admit, Some(ticket)) if refused_offline.is_none() => {
                db::admit_and_record(pool, &scan, ticket.id).await
            }
            (Judgement::Collect, Some(ticket)) if attempt.collect && refused_offline.is_none() => {
                collect(pool, &scope, &scan, ticket).await
            }
            (judgement, _) => {
                scan.outcome = match (refused_offline, judgement) {
                    (Some(shown), _) => shown,
                    (None, Judgement::Refuse(outcome)) => outcome,
                    (None, Judgement::Collect) => ScanOutcome::Unpaid,
                    (None, Judgement::Admit) => ScanOutcome::Unknown,
                };
                // The phone let in, offline, someone the server refuses.
                scan.conflict = attempt.offline == Some(ScanOutcome::Admitted);
                let answer = words(&scope, &list, ticket.as_ref(), scan.outcome, None, None);
                scan.reason = &answer.detail;
                match db::record_scan(pool, &scan).await {
                    Ok(()) => return Ok(answer),
                    Err(error) if is_violation(&error, db::NONCE_TAKEN) => {
                        return replay(pool, &scope, attempt.nonce).await;
                    }
                    Err(error) => return Err(error.into()),
                }
            }
        };
        let admitted = match written {
            Ok(admitted) => admitted,
            Err(error) if is_violation(&error, db::NONCE_TAKEN) => return replay(pool, &scope, attempt.nonce).await,
            Err(error) => return Err(error.into()),
        };
        if !admitted.still_valid {
            // Cancelled, refunded or otherwise changed since the read: judge it again.
            continue;
        }
        return answer_admitted(pool, &scope, &list, ticket, admitted).await;
    }
    tracing::warn!("a ticket kept changing while it was scanned");
    Err(AppError::Busy)
}

/// "Welcome" for the admission a write made, or "Already checked in" with who and when.
async fn answer_admitted(
    pool: &PgPool,
    scope: &DoorScope,
    list: &ListRow,
    ticket: Option<DoorTicket>,
    admitted: db::Admitted,
) -> Result<Verdict, AppError> {
    let Some(ticket) = ticket else { return Err(AppError::Internal) };
    match admitted.checkin_id {
        Some(checkin_id) => {
            tracing::info!(ticket_id = %ticket.id, "admitted");
            Ok(words(scope, list, Some(&ticket), ScanOutcome::Admitted, None, Some(checkin_id)))
        }
        None => {
            let admission = match admitted.earlier {
                Some(earlier) => Some(earlier),
                None => db::admission(pool, list.id, ticket.id).await?,
            };
            Ok(words(scope, list, Some(&ticket), ScanOutcome::AlreadyAdmitted, admission.as_ref(), None))
        }
    }
}

/// Marks an unpaid pay-at-the-door order paid and admits the ticket, in one transaction.
async fn collect(
    pool: &PgPool,
    scope: &DoorScope,
    scan: &NewScan<'_>,
    ticket: &DoorTicket,
) -> Result<db::Admitted, sqlx::Error> {
    let reason = format!(
        "{} collected at the door for order {}",
        crate::events::format_price(ticket.total_cents, &ticket.currency),
        ticket.order_number
    );
    let mut tx = pool.begin().await?;
    if let Err(error) = settle_offline(&mut tx, scope.organization_id, ticket.order_id).await {
        tracing::info!(%error, "the order could not be settled at the door");
        return Ok(db::Admitted { still_valid: false, checkin_id: None, earlier: None });
    }
    let scan = NewScan { reason: &reason, ..*scan };
    let admitted = db::admit_and_record(&mut *tx, &scan, ticket.id).await?;
    if admitted.still_valid {
        tx.commit().await?;
    }
    Ok(admitted)
}

/// The verdict in words for the door's scope.
fn words(
    scope: &DoorScope,
    list: &ListRow,
    ticket: Option<&DoorTicket>,
    outcome: ScanOutcome,
    admission: Option<&db::Admission>,
    checkin_id: Option<Uuid>,
) -> Verdict {
    verdict::verdict(&Facts {
        outcome,
        ticket,
        organization_id: scope.organization_id,
        list,
        admission,
        checkin_id,
        timezone: &scope.timezone,
    })
}

/// The answer a nonce got the first time, told again.
async fn replay(pool: &PgPool, scope: &DoorScope, nonce: Uuid) -> Result<Verdict, AppError> {
    let recorded = db::scan_by_nonce(pool, nonce).await?.ok_or(AppError::Internal)?;
    if recorded.event_id != scope.event_id {
        return Err(AppError::Conflict("That scan was already sent for another event.".into()));
    }
    let (list, ticket) = list_and_ticket(pool, scope, recorded.list_id, recorded.ticket_id).await?;
    let (admission, checkin_id) = match (recorded.outcome, recorded.ticket_id) {
        (ScanOutcome::AlreadyAdmitted, Some(id)) => (db::admission(pool, list.id, id).await?, None),
        (ScanOutcome::Admitted, Some(id)) => (None, db::standing_checkin(pool, list.id, id).await?),
        _ => (None, None),
    };
    Ok(words(scope, &list, ticket.as_ref(), recorded.outcome, admission.as_ref(), checkin_id))
}

/// A list of the scope's event, and one of its tickets if named.
async fn list_and_ticket(
    pool: &PgPool,
    scope: &DoorScope,
    list_id: Uuid,
    ticket_id: Option<Uuid>,
) -> Result<(ListRow, Option<DoorTicket>), AppError> {
    let read = match ticket_id {
        Some(id) => statement::read(pool, scope.event_id, scope.user_id, list_id, Pick::Ticket(id)).await?,
        None => None,
    };
    match read {
        Some(DoorRead { list: Some(list), ticket, .. }) => Ok((list, ticket)),
        _ => Ok((db::list(pool, scope.event_id, list_id).await?.ok_or(AppError::NotFound)?, None)),
    }
}

/// Takes back an admission the caller made in the last two minutes, and records it.
#[tracing::instrument(skip_all, fields(event_id = %scope.event_id, %checkin_id))]
pub async fn undo(
    pool: &PgPool,
    scope: &DoorScope,
    checkin_id: Uuid,
    nonce: Uuid,
    device: &str,
) -> Result<Verdict, AppError> {
    let device = clean_device_label(device);
    let mut tx = pool.begin().await?;
    let Some(undone) = db::undo(&mut tx, scope.event_id, checkin_id, scope.user_id, UNDO_WINDOW_SECS).await? else {
        drop(tx);
        // A retry of an undo that went through is answered as the first one was.
        if db::scan_by_nonce(pool, nonce).await?.is_some() {
            return replay(pool, scope, nonce).await;
        }
        return Err(AppError::Conflict("Only your own admissions of the last two minutes can be undone.".into()));
    };
    let (list, ticket) = list_and_ticket(pool, scope, undone.list_id, Some(undone.ticket_id)).await?;
    let answer = words(scope, &list, ticket.as_ref(), ScanOutcome::Undone, None, None);
    let recorded = db::record_scan(
        &mut *tx,
        &NewScan {
            event_id: scope.event_id,
            list_id: list.id,
            ticket_id: Some(undone.ticket_id),
            staff_user_id: scope.user_id,
            device: &device,
            outcome: ScanOutcome::Undone,
            reason: &answer.detail,
            client_nonce: nonce,
            client_time: None,
            offline: false,
            conflict: false,
        },
    )
    .await;
    match recorded {
        Ok(()) => {}
        Err(error) if is_violation(&error, db::NONCE_TAKEN) => {
            tx.rollback().await?;
            return replay(pool, scope, nonce).await;
        }
        Err(error) => return Err(error.into()),
    }
    tx.commit().await?;
    tracing::info!(ticket_id = %undone.ticket_id, "admission undone");
    Ok(answer)
}

/// The event and its lists, for the top of the door page.
pub async fn door_event(pool: &PgPool, scope: &DoorScope) -> Result<DoorEvent, AppError> {
    let event = db::door_event(pool, scope.event_id).await?.ok_or(AppError::NotFound)?;
    let lists = crate::checkin::manage::lists(pool, scope.event_id).await?;
    Ok(DoorEvent {
        event_id: event.id,
        user_id: scope.user_id,
        name: event.name,
        when: format_range(event.start_at, event.end_at, timezone_or_default(&event.timezone)),
        lists: lists.into_iter().map(|l| DoorList { id: l.id, takes: l.takes(), name: l.name }).collect(),
    })
}

/// The events whose door the user may work.
pub async fn door_events(pool: &PgPool, user_id: Uuid) -> Result<Vec<DoorEventSummary>, AppError> {
    let rows = db::door_events(pool, user_id).await?;
    Ok(rows
        .into_iter()
        .map(|e| DoorEventSummary {
            event_id: e.id,
            name: e.name,
            when: format_range(e.start_at, e.end_at, timezone_or_default(&e.timezone)),
        })
        .collect())
}

/// Checked in against expected on a list, per tier.
pub async fn counts(pool: &PgPool, scope: &DoorScope, list_id: Uuid) -> Result<DoorCounts, AppError> {
    let rows = db::counts(pool, scope.event_id, list_id).await?;
    if rows.is_empty() && db::list(pool, scope.event_id, list_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(DoorCounts {
        checked_in: rows.iter().map(|r| r.checked_in).sum(),
        expected: rows.iter().map(|r| r.expected).sum(),
        tiers: rows
            .into_iter()
            .map(|r| TierCount { tier: r.tier, checked_in: r.checked_in, expected: r.expected })
            .collect(),
    })
}

const SEARCH_LIMIT: i64 = 25;

/// Tickets of the event by part of a name, e-mail, order or ticket number.
pub async fn search(
    pool: &PgPool,
    scope: &DoorScope,
    list_id: Uuid,
    query: &str,
) -> Result<Vec<AttendeeHit>, AppError> {
    let query: String = query.trim().chars().take(100).collect();
    if query.chars().count() < MIN_SEARCH {
        return Ok(Vec::new());
    }
    let rows =
        db::search(pool, scope.event_id, list_id, &crate::platform::text::contains_pattern(&query), SEARCH_LIMIT)
            .await?;
    let tz = timezone_or_default(&scope.timezone);
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = match (r.admitted_at, r.status, r.order_status) {
                (Some(at), _, _) => format!("Checked in {}", at.with_timezone(&tz).format("%H:%M")),
                (None, TicketStatus::Cancelled | TicketStatus::Refunded, _) => r.status.label().to_owned(),
                (None, _, OrderStatus::Pending) => "Unpaid".to_owned(),
                (None, _, _) => "Valid".to_owned(),
            };
            AttendeeHit {
                ticket_id: r.ticket_id,
                attendee_name: r.attendee_name,
                email: r.email,
                tier: r.tier,
                ticket_number: r.ticket_number,
                order_number: r.order_number,
                state,
                admitted: r.admitted_at.is_some(),
            }
        })
        .collect())
}
