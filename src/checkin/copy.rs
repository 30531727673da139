//! The server's side of the door without the network: the copy a phone keeps (whole, or the
//! changes since its cursor) and the scans it queued, judged again on upload.

use crate::checkin::access::DoorScope;
use crate::checkin::db::{Admission, ListRow};
use crate::checkin::offline::{CopiedTicket, CopyChanges, MAX_UPLOAD, QueuedScan, UploadedScan, secret_hash};
use crate::checkin::service::{self, Attempt, Target};
use crate::checkin::statement::DoorTicket;
use crate::checkin::verdict::{Judgement, admitted_detail, judge};
use crate::checkin::{ScanOutcome, TicketCode};
use crate::events::format_price;
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use crate::platform::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

/// How far back a phone's clock is believed for a scan it made offline.
pub const OFFLINE_HOURS: i64 = 24;

/// The oldest transaction still running: every change not yet seen by a read made now
/// carries a transaction id at or above it (see migration `door_offline`).
async fn cursor(db: impl PgExecutor<'_>) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS "cursor!""#).fetch_one(db).await
}

struct CopyList {
    id: Uuid,
    name: String,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    /// The list itself (its tiers or hours) changed since the cursor.
    changed: bool,
}

async fn copy_list(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    list_id: Uuid,
    since: Option<&str>,
) -> Result<Option<CopyList>, sqlx::Error> {
    sqlx::query_as!(
        CopyList,
        r#"SELECT id, name, opens_at, closes_at,
                  ($3::text IS NULL OR door_xid >= $3::text::xid8) AS "changed!"
             FROM checkin_lists WHERE id = $2 AND event_id = $1"#,
        event_id,
        list_id,
        since,
    )
    .fetch_optional(db)
    .await
}

/// A ticket of the event as a phone's copy needs it, with its admission on the list.
struct CopyRow {
    id: Uuid,
    qr_secret: String,
    ticket_number: String,
    organization_id: Uuid,
    event_name: String,
    tier_id: Uuid,
    tier_name: String,
    status: TicketStatus,
    order_id: Uuid,
    order_number: String,
    order_status: OrderStatus,
    payment_provider: PaymentMethod,
    total_cents: i64,
    currency: String,
    attendee_name: String,
    in_list: bool,
    admitted_at: Option<DateTime<Utc>>,
    staff_name: String,
    device: String,
}

/// The event's tickets for a list; with `since`, only those that changed (or whose
/// admission on the list changed) in transactions at or after it.
async fn copy_rows(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    list_id: Uuid,
    since: Option<&str>,
) -> Result<Vec<CopyRow>, sqlx::Error> {
    sqlx::query_as!(
        CopyRow,
        r#"SELECT k.id, k.qr_secret, k.ticket_number, e.organization_id, e.name AS event_name, k.tier_id,
                  i.tier_name, k.status AS "status: TicketStatus", k.order_id, o.order_number,
                  o.status AS "order_status: OrderStatus", o.payment_provider AS "payment_provider: PaymentMethod",
                  o.total_cents - o.refunded_cents AS "total_cents!", o.currency, a.full_name AS attendee_name,
                  (l.all_tiers OR EXISTS (SELECT 1 FROM checkin_list_tiers lt
                                           WHERE lt.list_id = l.id AND lt.tier_id = k.tier_id)) AS "in_list!",
                  c.admitted_at AS "admitted_at?", coalesce(u.full_name, '') AS "staff_name!",
                  coalesce(c.device, '') AS "device!"
             FROM tickets k
             JOIN events e ON e.id = k.event_id
             JOIN orders o ON o.id = k.order_id
             JOIN attendees a ON a.id = k.attendee_id
             JOIN order_items i ON i.order_id = k.order_id AND i.tier_id = k.tier_id
             JOIN checkin_lists l ON l.id = $2 AND l.event_id = k.event_id
             LEFT JOIN checkins c ON c.list_id = l.id AND c.ticket_id = k.id AND c.undone_at IS NULL
             LEFT JOIN users u ON u.id = c.admitted_by
            WHERE k.event_id = $1
              AND ($3::text IS NULL
                   OR k.door_xid >= $3::text::xid8
                   OR k.id IN (SELECT ticket_id FROM checkins WHERE list_id = $2 AND door_xid >= $3::text::xid8))"#,
        event_id,
        list_id,
        since,
    )
    .fetch_all(db)
    .await
}

/// A cursor as a phone sent it back: a transaction id, or nothing usable.
fn parse_cursor(raw: Option<&str>) -> Option<u64> {
    raw.and_then(|c| c.trim().parse::<u64>().ok())
}

/// The copy of a list a phone keeps: everything, or what changed since `since`.
#[tracing::instrument(skip_all, fields(event_id = %scope.event_id, %list_id))]
pub async fn door_copy(
    pool: &PgPool,
    scope: &DoorScope,
    list_id: Uuid,
    since: Option<&str>,
) -> Result<CopyChanges, AppError> {
    // Read before the rows: a change the rows miss is at or above it, and comes next time.
    let cursor = cursor(pool).await?;
    // A cursor from the future (a restored database) would never see a change: start over.
    let since = parse_cursor(since).filter(|since| parse_cursor(Some(&cursor)).is_some_and(|now| *since <= now));
    let since = since.map(|since| since.to_string());
    let list = copy_list(pool, scope.event_id, list_id, since.as_deref()).await?.ok_or(AppError::NotFound)?;
    let since = since.filter(|_| !list.changed);
    let rows = copy_rows(pool, scope.event_id, list_id, since.as_deref()).await?;
    let judged_list = ListRow { id: list.id, name: list.name.clone(), opens_at: None, closes_at: None };
    let now = Utc::now();
    let tickets = rows.into_iter().map(|row| copied(scope, &judged_list, row, now)).collect();
    Ok(CopyChanges {
        list_id: list.id,
        list_name: list.name,
        opens_at: list.opens_at,
        closes_at: list.closes_at,
        cursor,
        complete: since.is_none(),
        tickets,
    })
}

/// One ticket judged as the server judges a scan, the list's hours and admissions aside
/// (the phone applies those).
fn copied(scope: &DoorScope, list: &ListRow, row: CopyRow, now: DateTime<Utc>) -> CopiedTicket {
    let ticket = DoorTicket {
        id: row.id,
        event_id: scope.event_id,
        organization_id: row.organization_id,
        event_name: row.event_name,
        tier_id: row.tier_id,
        tier_name: row.tier_name,
        status: row.status,
        order_id: row.order_id,
        order_number: row.order_number,
        order_status: row.order_status,
        payment_provider: row.payment_provider,
        total_cents: row.total_cents,
        currency: row.currency,
        attendee_name: row.attendee_name,
        in_list: row.in_list,
    };
    let standing = match judge(Some(&ticket), scope.event_id, list, now) {
        Judgement::Admit => ScanOutcome::Admitted,
        Judgement::Collect => ScanOutcome::Unpaid,
        Judgement::Refuse(outcome) => outcome,
    };
    let admitted = row.admitted_at.map(|admitted_at| {
        admitted_detail(&Admission { admitted_at, staff_name: row.staff_name, device: row.device }, &scope.timezone)
    });
    CopiedTicket {
        hash: secret_hash(&row.qr_secret),
        id: ticket.id,
        number: row.ticket_number,
        who: format!("{} — {}", ticket.attendee_name, ticket.tier_name),
        standing,
        due: (standing == ScanOutcome::Unpaid).then(|| format_price(ticket.total_cents, &ticket.currency)),
        admitted,
    }
}

/// What a phone may have shown for a scan it judged itself.
fn judged_on_a_phone(shown: ScanOutcome) -> bool {
    !matches!(shown, ScanOutcome::Undone)
}

/// Judges and records the scans a phone queued offline, in the order it made them. A scan
/// sent before (the same nonce) gets its first answer again. Each scan gets its own answer:
/// one the server cannot take is refused alone, so it never holds up the others.
#[tracing::instrument(skip_all, fields(event_id = %scope.event_id, count = scans.len()))]
pub async fn upload(pool: &PgPool, scope: &DoorScope, scans: Vec<QueuedScan>) -> Result<Vec<UploadedScan>, AppError> {
    if scans.len() > MAX_UPLOAD {
        return Err(AppError::field("scans", format!("Send at most {MAX_UPLOAD} scans at a time.")));
    }
    let mut answers = Vec::with_capacity(scans.len());
    for queued in scans {
        let nonce = queued.nonce;
        let answer = match upload_one(pool, scope, queued).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::warn!(%nonce, %error, "an offline scan was refused");
                let refused = match error {
                    AppError::Validation(errors) => errors.0.into_values().next().unwrap_or_default(),
                    other => other.to_string(),
                };
                UploadedScan { nonce, outcome: ScanOutcome::Unknown, conflict: false, refused: Some(refused) }
            }
        };
        answers.push(answer);
    }
    Ok(answers)
}

async fn upload_one(pool: &PgPool, scope: &DoorScope, queued: QueuedScan) -> Result<UploadedScan, AppError> {
    if !judged_on_a_phone(queued.shown) {
        return Err(AppError::field("scans", "A phone does not judge that by itself."));
    }
    let target = match (queued.ticket_id, queued.code.as_deref()) {
        (Some(id), _) => Target::Ticket(id),
        (None, Some(code)) => Target::Code(TicketCode::parse(code).map_err(|m| AppError::field("scans", m))?),
        (None, None) => return Err(AppError::field("scans", "A queued scan names no ticket.")),
    };
    let shown = queued.shown;
    let now = Utc::now();
    let attempt = Attempt {
        list_id: queued.list_id,
        target,
        nonce: queued.nonce,
        device: queued.device,
        // A phone's clock may be wrong: its time is believed within the last day.
        client_time: Some(queued.client_time.clamp(now - Duration::hours(OFFLINE_HOURS), now)),
        collect: queued.collect,
        offline: Some(shown),
    };
    let verdict = service::scan(pool, scope.user_id, scope.event_id, attempt).await?;
    let conflict = shown == ScanOutcome::Admitted && verdict.outcome != ScanOutcome::Admitted;
    if conflict {
        tracing::warn!(nonce = %queued.nonce, outcome = verdict.outcome.as_str(), "an offline admission conflicts");
    }
    Ok(UploadedScan { nonce: queued.nonce, outcome: verdict.outcome, conflict, refused: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_a_transaction_id_or_nothing() {
        assert_eq!(parse_cursor(Some(" 12345 ")), Some(12345));
        assert_eq!(parse_cursor(Some("12; DROP TABLE tickets")), None);
        assert_eq!(parse_cursor(Some("")), None);
        assert_eq!(parse_cursor(Some(&"9".repeat(20))), None, "beyond a transaction id");
        assert_eq!(parse_cursor(None), None);
    }
}
