//! SQL for the door: access, lists, tickets as the door judges them, admissions and scans.

use crate::checkin::ScanOutcome;
use crate::orders::{OrderStatus, TicketStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

pub struct DoorAccess {
    pub organization_id: Uuid,
    pub timezone: String,
    pub member: bool,
    pub event_staff: bool,
}

/// The event's organization and whether the user is a member of it or door staff of the
/// event; `None` when there is no such event.
pub async fn door_access(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    user_id: Uuid,
) -> Result<Option<DoorAccess>, sqlx::Error> {
    sqlx::query_as!(
        DoorAccess,
        r#"SELECT e.organization_id, coalesce(s.timezone, 'America/Toronto') AS "timezone!",
                  EXISTS (SELECT 1 FROM organization_members m
                           WHERE m.organization_id = e.organization_id AND m.user_id = $2) AS "member!",
                  EXISTS (SELECT 1 FROM event_staff x WHERE x.event_id = e.id AND x.user_id = $2) AS "event_staff!"
             FROM events e
             LEFT JOIN event_settings s ON s.event_id = e.id
            WHERE e.id = $1"#,
        event_id,
        user_id,
    )
    .fetch_optional(db)
    .await
}

pub struct ListRow {
    pub id: Uuid,
    pub name: String,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

pub async fn list(db: impl PgExecutor<'_>, event_id: Uuid, list_id: Uuid) -> Result<Option<ListRow>, sqlx::Error> {
    sqlx::query_as!(
        ListRow,
        "SELECT id, name, opens_at, closes_at FROM checkin_lists WHERE id = $2 AND event_id = $1",
        event_id,
        list_id,
    )
    .fetch_optional(db)
    .await
}

pub struct DoorEventRow {
    pub id: Uuid,
    pub name: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub timezone: String,
}

/// The events whose door the user may work that have not ended more than a day ago,
/// soonest first.
pub async fn door_events(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<Vec<DoorEventRow>, sqlx::Error> {
    sqlx::query_as!(
        DoorEventRow,
        r#"SELECT e.id, e.name, e.start_at, e.end_at, coalesce(s.timezone, 'America/Toronto') AS "timezone!"
             FROM events e
             LEFT JOIN event_settings s ON s.event_id = e.id
            WHERE e.status IN ('published', 'live', 'completed')
              AND e.end_at > now() - interval '1 day'
              AND (e.organization_id IN (SELECT organization_id FROM organization_members WHERE user_id = $1)
                   OR e.id IN (SELECT event_id FROM event_staff WHERE user_id = $1))
            ORDER BY e.start_at, e.id
            LIMIT 50"#,
        user_id,
    )
    .fetch_all(db)
    .await
}

pub async fn door_event(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Option<DoorEventRow>, sqlx::Error> {
    sqlx::query_as!(
        DoorEventRow,
        r#"SELECT e.id, e.name, e.start_at, e.end_at, coalesce(s.timezone, 'America/Toronto') AS "timezone!"
             FROM events e
             LEFT JOIN event_settings s ON s.event_id = e.id
            WHERE e.id = $1"#,
        event_id,
    )
    .fetch_optional(db)
    .await
}

/// What the admitting write found.
pub struct Admitted {
    /// The ticket was still valid and paid under the lock; `false` means it changed since it
    /// was read, and nothing was written.
    pub still_valid: bool,
    /// Set when this write let the ticket in; `None` when it was in already.
    pub checkin_id: Option<Uuid>,
    /// Who let it in before, when that admission had committed as the statement began (one
    /// committed in the same instant is not visible to it: `admission` finds it).
    pub earlier: Option<Admission>,
}

/// Admits a ticket read as valid and records the scan, in one statement. The ticket is
/// locked and checked again (a cancellation or refund that committed since the read wins),
/// the unique index lets one admission per list through however many phones scan at once,
/// and a nonce already recorded is a unique violation that undoes the whole statement.
pub async fn admit_and_record(
    db: impl PgExecutor<'_>,
    scan: &NewScan<'_>,
    ticket_id: Uuid,
) -> Result<Admitted, sqlx::Error> {
    let row = sqlx::query!(
        r#"WITH ok AS (
               SELECT k.id, k.tier_id FROM tickets k JOIN orders o ON o.id = k.order_id
                WHERE k.id = $3 AND k.event_id = $1 AND k.status IN ('active', 'used') AND o.status = 'paid'
                  FOR UPDATE OF k
           ), admitted AS (
               INSERT INTO checkins (list_id, event_id, ticket_id, tier_id, admitted_by, device, admitted_at)
               SELECT $2, $1, id, tier_id, $4, $5,
                      -- An admission made offline happened when the phone saw the code.
                      CASE WHEN $9 THEN least(coalesce($8, now()), now()) ELSE now() END
                 FROM ok
               ON CONFLICT (list_id, ticket_id) WHERE undone_at IS NULL DO NOTHING
               RETURNING id, ticket_id
           ), used AS (
               UPDATE tickets SET status = 'used', checked_in_at = coalesce(checked_in_at, now())
                WHERE id IN (SELECT ticket_id FROM admitted) AND status = 'active'
           ), scan AS (
               INSERT INTO checkin_scans (event_id, list_id, ticket_id, staff_user_id, device, outcome, reason,
                                          client_nonce, client_time, offline, conflict)
               SELECT $1, $2, $3, $4, $5,
                      CASE WHEN EXISTS (SELECT 1 FROM admitted) THEN 'admitted' ELSE 'already_admitted' END,
                      $6, $7, $8, $9,
                      -- A phone that admitted offline someone already in: two people on one ticket.
                      $9 AND NOT EXISTS (SELECT 1 FROM admitted)
                WHERE EXISTS (SELECT 1 FROM ok)
           )
           SELECT EXISTS (SELECT 1 FROM ok) AS "still_valid!", (SELECT id FROM admitted) AS "checkin_id?",
                  earlier.admitted_at AS "earlier_at?", coalesce(u.full_name, '') AS "earlier_staff!",
                  earlier.device AS "earlier_device?"
             FROM (SELECT 1) AS one
             LEFT JOIN checkins earlier ON earlier.list_id = $2 AND earlier.ticket_id = $3
                                       AND earlier.undone_at IS NULL AND NOT EXISTS (SELECT 1 FROM admitted)
             LEFT JOIN users u ON u.id = earlier.admitted_by"#,
        scan.event_id,
        scan.list_id,
        ticket_id,
        scan.staff_user_id,
        scan.device,
        scan.reason,
        scan.client_nonce,
        scan.client_time,
        scan.offline,
    )
    .fetch_one(db)
    .await?;
    let earlier = match (row.earlier_at, row.earlier_device) {
        (Some(admitted_at), Some(device)) => Some(Admission { admitted_at, staff_name: row.earlier_staff, device }),
        _ => None,
    };
    Ok(Admitted { still_valid: row.still_valid, checkin_id: row.checkin_id, earlier })
}

pub struct Admission {
    pub admitted_at: DateTime<Utc>,
    pub staff_name: String,
    pub device: String,
}

/// Who let a ticket in on a list, and when.
pub async fn admission(
    db: impl PgExecutor<'_>,
    list_id: Uuid,
    ticket_id: Uuid,
) -> Result<Option<Admission>, sqlx::Error> {
    sqlx::query_as!(
        Admission,
        r#"SELECT c.admitted_at, coalesce(u.full_name, '') AS "staff_name!", c.device
             FROM checkins c
             LEFT JOIN users u ON u.id = c.admitted_by
            WHERE c.list_id = $1 AND c.ticket_id = $2 AND c.undone_at IS NULL"#,
        list_id,
        ticket_id,
    )
    .fetch_optional(db)
    .await
}

#[derive(Clone, Copy)]
pub struct NewScan<'a> {
    pub event_id: Uuid,
    pub list_id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub staff_user_id: Uuid,
    pub device: &'a str,
    pub outcome: ScanOutcome,
    pub reason: &'a str,
    pub client_nonce: Uuid,
    pub client_time: Option<DateTime<Utc>>,
    pub offline: bool,
    pub conflict: bool,
}

/// The constraint a retried nonce runs into.
pub const NONCE_TAKEN: &str = "checkin_scans_client_nonce_key";

/// Records a scan. A nonce recorded before (a retry) is a violation of `NONCE_TAKEN`.
pub async fn record_scan(db: impl PgExecutor<'_>, scan: &NewScan<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO checkin_scans (event_id, list_id, ticket_id, staff_user_id, device, outcome, reason,
                                    client_nonce, client_time, offline, conflict)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        scan.event_id,
        scan.list_id,
        scan.ticket_id,
        scan.staff_user_id,
        scan.device,
        scan.outcome.as_str(),
        scan.reason,
        scan.client_nonce,
        scan.client_time,
        scan.offline,
        scan.conflict,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct RecordedScan {
    pub event_id: Uuid,
    pub list_id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub outcome: ScanOutcome,
    pub reason: String,
}

pub async fn scan_by_nonce(db: impl PgExecutor<'_>, nonce: Uuid) -> Result<Option<RecordedScan>, sqlx::Error> {
    sqlx::query_as!(
        RecordedScan,
        r#"SELECT event_id, list_id, ticket_id, outcome AS "outcome: ScanOutcome", reason
             FROM checkin_scans WHERE client_nonce = $1"#,
        nonce,
    )
    .fetch_optional(db)
    .await
}

/// The admission a scan made, while it still stands.
pub async fn standing_checkin(
    db: impl PgExecutor<'_>,
    list_id: Uuid,
    ticket_id: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM checkins WHERE list_id = $1 AND ticket_id = $2 AND undone_at IS NULL",
        list_id,
        ticket_id,
    )
    .fetch_optional(db)
    .await
}

pub struct UndoneCheckin {
    pub ticket_id: Uuid,
    pub list_id: Uuid,
}

/// Takes back an admission the same person made less than `window_secs` ago.
pub async fn undo(
    conn: &mut PgConnection,
    event_id: Uuid,
    checkin_id: Uuid,
    staff_user_id: Uuid,
    window_secs: i64,
) -> Result<Option<UndoneCheckin>, sqlx::Error> {
    // The ticket first, as every admitting statement locks it before it touches admissions:
    // in the other order an undo and a scan of the same ticket could wait on each other.
    sqlx::query!(
        "SELECT k.id FROM tickets k JOIN checkins c ON c.ticket_id = k.id
          WHERE c.id = $1 AND c.event_id = $2
            FOR UPDATE OF k",
        checkin_id,
        event_id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let undone = sqlx::query_as!(
        UndoneCheckin,
        "UPDATE checkins SET undone_at = now(), undone_by = $3
          WHERE id = $1 AND event_id = $2 AND admitted_by = $3 AND undone_at IS NULL
            AND admitted_at > now() - make_interval(secs => $4)
          RETURNING ticket_id, list_id",
        checkin_id,
        event_id,
        staff_user_id,
        window_secs as f64,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(undone) = &undone {
        // Valid again unless another list still has the ticket in.
        sqlx::query!(
            "UPDATE tickets SET status = 'active', checked_in_at = NULL
              WHERE id = $1 AND status = 'used'
                AND NOT EXISTS (SELECT 1 FROM checkins WHERE ticket_id = $1 AND undone_at IS NULL)",
            undone.ticket_id,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(undone)
}

pub struct TierCountRow {
    pub tier: String,
    pub expected: i64,
    pub checked_in: i64,
}

/// Per tier the list takes: tickets that may enter, and how many have.
pub async fn counts(db: impl PgExecutor<'_>, event_id: Uuid, list_id: Uuid) -> Result<Vec<TierCountRow>, sqlx::Error> {
    sqlx::query_as!(
        TierCountRow,
        r#"SELECT t.name AS tier,
                  (SELECT count(*) FROM tickets k WHERE k.tier_id = t.id AND k.status IN ('active', 'used')) AS "expected!",
                  (SELECT count(*) FROM checkins c
                    WHERE c.event_id = $1 AND c.list_id = l.id AND c.tier_id = t.id AND c.undone_at IS NULL) AS "checked_in!"
             FROM checkin_lists l
             JOIN ticket_tiers t ON t.event_id = l.event_id
            WHERE l.id = $2 AND l.event_id = $1
              AND (l.all_tiers OR t.id IN (SELECT tier_id FROM checkin_list_tiers WHERE list_id = l.id))
            ORDER BY t.sort_order, t.name"#,
        event_id,
        list_id,
    )
    .fetch_all(db)
    .await
}

pub struct SearchRow {
    pub ticket_id: Uuid,
    pub attendee_name: String,
    pub email: String,
    pub tier: String,
    pub ticket_number: String,
    pub order_number: String,
    pub status: TicketStatus,
    pub order_status: OrderStatus,
    pub admitted_at: Option<DateTime<Utc>>,
}

/// Tickets of the event whose attendee name or e-mail, buyer, order or ticket number
/// contains `pattern` (a LIKE pattern, escaped by the caller), names first.
pub async fn search(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    list_id: Uuid,
    pattern: &str,
    limit: i64,
) -> Result<Vec<SearchRow>, sqlx::Error> {
    sqlx::query_as!(
        SearchRow,
        r#"SELECT k.id AS ticket_id, a.full_name AS attendee_name, a.email, i.tier_name AS tier, k.ticket_number,
                  o.order_number, k.status AS "status: TicketStatus", o.status AS "order_status: OrderStatus",
                  c.admitted_at AS "admitted_at?"
             FROM tickets k
             JOIN attendees a ON a.id = k.attendee_id
             JOIN orders o ON o.id = k.order_id
             JOIN order_items i ON i.order_id = k.order_id AND i.tier_id = k.tier_id
             LEFT JOIN checkins c ON c.ticket_id = k.id AND c.list_id = $2 AND c.undone_at IS NULL
            WHERE k.event_id = $1 AND k.status <> 'reserved'
              AND (a.full_name ILIKE $3 OR a.email ILIKE $3 OR o.buyer_name ILIKE $3
                   OR o.order_number ILIKE $3 OR k.ticket_number ILIKE $3)
            ORDER BY a.full_name, k.ticket_number
            LIMIT $4"#,
        event_id,
        list_id,
        pattern,
        limit,
    )
    .fetch_all(db)
    .await
}
