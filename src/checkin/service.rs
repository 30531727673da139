//! The door's operations: a scan (or a tap in search) judged and recorded in one
//! transaction, undo, the live counter, search, and the events a user may work.

use crate::checkin::access::DoorScope;
use crate::checkin::db::{self, DoorTicket, ListRow, NewScan};
use crate::checkin::verdict::{self, Facts, Judgement};
use crate::checkin::{
    AttendeeHit, DoorCounts, DoorEvent, DoorEventSummary, DoorList, ScanOutcome, TicketCode, TierCount,
    UNDO_WINDOW_SECS, Verdict, clean_device_label,
};
use crate::events::time::{format_range, timezone_or_default};
use crate::orders::manage::settle_offline;
use crate::orders::{OrderStatus, TicketStatus};
use crate::platform::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
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
}

async fn lock_ticket(
    conn: &mut PgConnection,
    scope: &DoorScope,
    list_id: Uuid,
    target: &Target,
) -> Result<Option<DoorTicket>, sqlx::Error> {
    match target {
        Target::Code(TicketCode::Secret(secret)) => db::lock_ticket_by_secret(conn, list_id, secret).await,
        Target::Code(TicketCode::Number(number)) => db::lock_ticket_by_number(conn, list_id, number).await,
        Target::Ticket(id) => db::lock_ticket_of_event(conn, list_id, scope.event_id, *id).await,
    }
}

/// Judges and records one attempt. The ticket is locked and admitted through the unique
/// index in the same transaction as the scan row, so two phones scanning one ticket get
/// one "Welcome" and one "Already checked in", and a retried nonce gets its first answer.
#[tracing::instrument(skip_all, fields(event_id = %scope.event_id, list_id = %attempt.list_id, nonce = %attempt.nonce))]
pub async fn scan(pool: &PgPool, scope: &DoorScope, attempt: Attempt) -> Result<Verdict, AppError> {
    let device = clean_device_label(&attempt.device);
    let mut tx = pool.begin().await?;
    let list = db::list(&mut *tx, scope.event_id, attempt.list_id).await?.ok_or(AppError::NotFound)?;
    let ticket = lock_ticket(&mut tx, scope, list.id, &attempt.target).await?;
    let judgement = verdict::judge(ticket.as_ref(), scope.event_id, &list, Utc::now());
    let (outcome, checkin_id, reason) = match (judgement, ticket.as_ref()) {
        (Judgement::Collect, Some(ticket)) if attempt.collect => {
            settle_offline(&mut tx, scope.organization_id, ticket.order_id).await?;
            let (outcome, checkin_id) = admit(&mut tx, &list, ticket, scope, &device).await?;
            let paid = crate::events::format_price(ticket.total_cents, &ticket.currency);
            (outcome, checkin_id, format!("{paid} collected at the door for order {}", ticket.order_number))
        }
        (Judgement::Collect, _) => (ScanOutcome::Unpaid, None, String::new()),
        (Judgement::Admit, Some(ticket)) => {
            let (outcome, checkin_id) = admit(&mut tx, &list, ticket, scope, &device).await?;
            (outcome, checkin_id, String::new())
        }
        (Judgement::Admit, None) => (ScanOutcome::Unknown, None, String::new()),
        (Judgement::Refuse(outcome), _) => (outcome, None, String::new()),
    };
    let admission = match (outcome, ticket.as_ref()) {
        (ScanOutcome::AlreadyAdmitted, Some(ticket)) => db::admission(&mut *tx, list.id, ticket.id).await?,
        _ => None,
    };
    let facts = Facts {
        outcome,
        ticket: ticket.as_ref(),
        organization_id: scope.organization_id,
        list: &list,
        admission: admission.as_ref(),
        checkin_id,
        timezone: &scope.timezone,
    };
    let answer = verdict::verdict(&facts);
    let recorded = db::record_scan(
        &mut *tx,
        &NewScan {
            event_id: scope.event_id,
            list_id: list.id,
            ticket_id: answer.ticket_id,
            staff_user_id: scope.user_id,
            device: &device,
            outcome,
            reason: if reason.is_empty() { &answer.detail } else { &reason },
            client_nonce: attempt.nonce,
            client_time: attempt.client_time,
            offline: false,
            conflict: false,
        },
    )
    .await?;
    if !recorded {
        tx.rollback().await?;
        return replay(pool, scope, attempt.nonce).await;
    }
    tx.commit().await?;
    if outcome == ScanOutcome::Admitted {
        tracing::info!(ticket_id = ?answer.ticket_id, "admitted");
    }
    Ok(answer)
}

async fn admit(
    tx: &mut PgConnection,
    list: &ListRow,
    ticket: &DoorTicket,
    scope: &DoorScope,
    device: &str,
) -> Result<(ScanOutcome, Option<Uuid>), AppError> {
    Ok(match db::admit(tx, list.id, ticket, scope.user_id, device).await? {
        Some(id) => (ScanOutcome::Admitted, Some(id)),
        None => (ScanOutcome::AlreadyAdmitted, None),
    })
}

/// The answer a nonce got the first time, told again.
async fn replay(pool: &PgPool, scope: &DoorScope, nonce: Uuid) -> Result<Verdict, AppError> {
    let recorded = db::scan_by_nonce(pool, nonce).await?.ok_or(AppError::Internal)?;
    if recorded.event_id != scope.event_id {
        return Err(AppError::Conflict("That scan was already sent for another event.".into()));
    }
    let list = db::list(pool, scope.event_id, recorded.list_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = pool.begin().await?;
    let ticket = match recorded.ticket_id {
        Some(id) => db::lock_ticket_of_event(&mut tx, list.id, scope.event_id, id).await?,
        None => None,
    };
    tx.commit().await?;
    let (admission, checkin_id) = match (recorded.outcome, recorded.ticket_id) {
        (ScanOutcome::AlreadyAdmitted, Some(id)) => (db::admission(pool, list.id, id).await?, None),
        (ScanOutcome::Admitted, Some(id)) => (None, db::standing_checkin(pool, list.id, id).await?),
        _ => (None, None),
    };
    Ok(verdict::verdict(&Facts {
        outcome: recorded.outcome,
        ticket: ticket.as_ref(),
        organization_id: scope.organization_id,
        list: &list,
        admission: admission.as_ref(),
        checkin_id,
        timezone: &scope.timezone,
    }))
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
        return Err(AppError::Conflict(
            "Only your own admissions of the last two minutes can be undone.".into(),
        ));
    };
    let list = db::list(&mut *tx, scope.event_id, undone.list_id).await?.ok_or(AppError::NotFound)?;
    let ticket = db::lock_ticket_of_event(&mut tx, list.id, scope.event_id, undone.ticket_id).await?;
    let answer = verdict::verdict(&Facts {
        outcome: ScanOutcome::Undone,
        ticket: ticket.as_ref(),
        organization_id: scope.organization_id,
        list: &list,
        admission: None,
        checkin_id: None,
        timezone: &scope.timezone,
    });
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
    .await?;
    if !recorded {
        tx.rollback().await?;
        return replay(pool, scope, nonce).await;
    }
    tx.commit().await?;
    tracing::info!(ticket_id = %undone.ticket_id, "admission undone");
    Ok(answer)
}

/// The event and its lists, for the top of the door page.
pub async fn door_event(pool: &PgPool, scope: &DoorScope) -> Result<DoorEvent, AppError> {
    let event = db::door_event(pool, scope.event_id).await?.ok_or(AppError::NotFound)?;
    let lists = db::lists(pool, scope.event_id).await?;
    Ok(DoorEvent {
        event_id: event.id,
        name: event.name,
        when: format_range(event.start_at, event.end_at, timezone_or_default(&event.timezone)),
        lists: lists
            .into_iter()
            .map(|l| DoorList {
                id: l.id,
                name: l.name,
                takes: if l.all_tiers { "All tiers".into() } else { l.tiers },
            })
            .collect(),
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

/// Shortest search the door runs: one letter would list half the room.
pub const MIN_SEARCH: usize = 2;
const SEARCH_LIMIT: i64 = 25;

/// `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Tickets of the event by part of a name, e-mail, order or ticket number.
pub async fn search(pool: &PgPool, scope: &DoorScope, list_id: Uuid, query: &str) -> Result<Vec<AttendeeHit>, AppError> {
    let query: String = query.trim().chars().take(100).collect();
    if query.chars().count() < MIN_SEARCH {
        return Ok(Vec::new());
    }
    let rows = db::search(pool, scope.event_id, list_id, &contains_pattern(&query), SEARCH_LIMIT).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_takes_percent_underscore_and_backslash_literally() {
        assert_eq!(contains_pattern("jane"), "%jane%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
