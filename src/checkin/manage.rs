//! The organizer's side of the door: check-in lists (which tiers, which hours), how full
//! each is, and the scan log with the conflicts offline phones made.

use crate::checkin::{DoorBoard, ListProgress, ScanFilter, ScanLogEntry, ScanOutcome, TierChoice};
use crate::events::time::{local_to_utc, timezone_or_default, utc_to_local_input};
use crate::organizations::access::OrganizationScope;
use crate::platform::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

/// Most scans the log shows at once, newest first.
const LOG_LIMIT: i64 = 200;
/// Longest list name (the database allows the same).
const MAX_LIST_NAME: usize = 80;

struct EventRow {
    name: String,
    timezone: String,
}

/// The event, if it belongs to the scope's organization.
async fn own_event(db: impl PgExecutor<'_>, scope: &OrganizationScope, event_id: Uuid) -> Result<EventRow, AppError> {
    sqlx::query_as!(
        EventRow,
        r#"SELECT e.name, coalesce(s.timezone, 'America/Toronto') AS "timezone!"
             FROM events e LEFT JOIN event_settings s ON s.event_id = e.id
            WHERE e.id = $1 AND e.organization_id = $2"#,
        event_id,
        scope.organization_id,
    )
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)
}

/// A list with how full it is.
pub struct ListFigures {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub tier_ids: Vec<Uuid>,
    pub tiers: String,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub checked_in: i64,
    pub expected: i64,
    pub used: bool,
}

impl ListFigures {
    /// "All tiers", or the names of the tiers the list takes.
    pub fn takes(&self) -> String {
        if self.tier_ids.is_empty() { "All tiers".to_owned() } else { self.tiers.clone() }
    }
}

/// An event's lists, the default first, each with its tiers and how full it is.
pub async fn lists(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<ListFigures>, sqlx::Error> {
    sqlx::query_as!(
        ListFigures,
        r#"SELECT l.id, l.name, l.is_default, l.opens_at, l.closes_at,
                  coalesce(array_agg(t.id ORDER BY t.sort_order, t.name) FILTER (WHERE t.id IS NOT NULL), '{}')
                      AS "tier_ids!",
                  coalesce(string_agg(t.name, ', ' ORDER BY t.sort_order, t.name), '') AS "tiers!",
                  (SELECT count(*) FROM checkins c WHERE c.list_id = l.id AND c.undone_at IS NULL) AS "checked_in!",
                  (SELECT count(*) FROM tickets k
                    WHERE k.event_id = l.event_id AND k.status IN ('active', 'used')
                      AND (l.all_tiers OR k.tier_id IN (SELECT tier_id FROM checkin_list_tiers WHERE list_id = l.id)))
                      AS "expected!",
                  EXISTS (SELECT 1 FROM checkin_scans s WHERE s.list_id = l.id) AS "used!"
             FROM checkin_lists l
             LEFT JOIN checkin_list_tiers lt ON lt.list_id = l.id
             LEFT JOIN ticket_tiers t ON t.id = lt.tier_id
            WHERE l.event_id = $1
            GROUP BY l.id
            ORDER BY l.is_default DESC, l.name"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

async fn tiers(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<TierChoice>, sqlx::Error> {
    sqlx::query_as!(
        TierChoice,
        "SELECT id, name FROM ticket_tiers WHERE event_id = $1 ORDER BY sort_order, name",
        event_id,
    )
    .fetch_all(db)
    .await
}

async fn scan_staff(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<TierChoice>, sqlx::Error> {
    sqlx::query_as!(
        TierChoice,
        r#"SELECT u.id, u.full_name AS name FROM users u
            WHERE u.id IN (SELECT DISTINCT staff_user_id FROM checkin_scans WHERE event_id = $1)
            ORDER BY u.full_name"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

struct LogRow {
    server_time: DateTime<Utc>,
    client_time: Option<DateTime<Utc>>,
    outcome: ScanOutcome,
    list: String,
    staff: String,
    device: String,
    attendee: String,
    ticket_number: String,
    reason: String,
    offline: bool,
    conflict: bool,
}

async fn log_rows(db: impl PgExecutor<'_>, event_id: Uuid, filter: &ScanFilter) -> Result<Vec<LogRow>, sqlx::Error> {
    sqlx::query_as!(
        LogRow,
        r#"SELECT s.server_time, s.client_time, s.outcome AS "outcome: ScanOutcome",
                  coalesce(l.name, '') AS "list!", coalesce(u.full_name, '') AS "staff!", s.device,
                  coalesce(a.full_name, '') AS "attendee!", coalesce(k.ticket_number, '') AS "ticket_number!",
                  s.reason, s.offline, s.conflict
             FROM checkin_scans s
             LEFT JOIN checkin_lists l ON l.id = s.list_id
             LEFT JOIN users u ON u.id = s.staff_user_id
             LEFT JOIN tickets k ON k.id = s.ticket_id
             LEFT JOIN attendees a ON a.id = k.attendee_id
            WHERE s.event_id = $1
              AND ($2::text IS NULL OR s.outcome = $2)
              AND ($3::uuid IS NULL OR s.staff_user_id = $3)
              AND (NOT $4 OR s.conflict)
            ORDER BY s.server_time DESC
            LIMIT $5"#,
        event_id,
        filter.outcome.map(|o| o.as_str()),
        filter.staff,
        filter.conflicts_only,
        LOG_LIMIT,
    )
    .fetch_all(db)
    .await
}

async fn conflict_count(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM checkin_scans WHERE event_id = $1 AND conflict"#, event_id)
        .fetch_one(db)
        .await
}

/// The event's door for its organizer.
pub async fn board(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    filter: &ScanFilter,
) -> Result<DoorBoard, AppError> {
    let event = own_event(pool, scope, event_id).await?;
    let tz = timezone_or_default(&event.timezone);
    let clock = |at: DateTime<Utc>| at.with_timezone(&tz).format("%H:%M:%S").to_string();
    let lists = lists(pool, event_id).await?;
    let scans = log_rows(pool, event_id, filter).await?;
    Ok(DoorBoard {
        event_id,
        event_name: event.name,
        tiers: tiers(pool, event_id).await?,
        lists: lists
            .into_iter()
            .map(|l| ListProgress {
                takes: l.takes(),
                id: l.id,
                name: l.name,
                is_default: l.is_default,
                tier_ids: l.tier_ids,
                opens_at: l.opens_at.map(|t| utc_to_local_input(t, tz)).unwrap_or_default(),
                closes_at: l.closes_at.map(|t| utc_to_local_input(t, tz)).unwrap_or_default(),
                checked_in: l.checked_in,
                expected: l.expected,
                used: l.used,
            })
            .collect(),
        scans: scans
            .into_iter()
            .map(|s| ScanLogEntry {
                at: clock(s.server_time),
                scanned_at: s.client_time.filter(|_| s.offline).map(clock),
                outcome: s.outcome,
                list: s.list,
                staff: s.staff,
                device: s.device,
                attendee: s.attendee,
                ticket_number: s.ticket_number,
                reason: s.reason,
                offline: s.offline,
                conflict: s.conflict,
            })
            .collect(),
        staff: scan_staff(pool, event_id).await?,
        conflicts: conflict_count(pool, event_id).await?,
    })
}

/// A list as the organizer typed it.
#[derive(Debug, Clone, Default)]
pub struct ListForm {
    pub name: String,
    /// Empty: every tier.
    pub tier_ids: Vec<Uuid>,
    /// `datetime-local` values in the event's time zone; empty: no limit.
    pub opens_at: String,
    pub closes_at: String,
}

struct CleanList {
    name: String,
    tier_ids: Vec<Uuid>,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
}

fn optional_time(input: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, String> {
    if input.trim().is_empty() { Ok(None) } else { local_to_utc(input, tz).map(Some) }
}

fn clean(form: &ListForm, event_tiers: &[TierChoice], tz: Tz) -> Result<CleanList, AppError> {
    let mut errors = FieldErrors::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Name the entrance, e.g. VIP entrance.");
    } else if name.chars().count() > MAX_LIST_NAME {
        errors.add("name", format!("Keep the name under {MAX_LIST_NAME} characters."));
    }
    if form.tier_ids.iter().any(|id| !event_tiers.iter().any(|t| t.id == *id)) {
        errors.add("tiers", "Choose tiers of this event.");
    }
    let opens_at = optional_time(&form.opens_at, tz).unwrap_or_else(|m| {
        errors.add("opens_at", m);
        None
    });
    let closes_at = optional_time(&form.closes_at, tz).unwrap_or_else(|m| {
        errors.add("closes_at", m);
        None
    });
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        errors.add("closes_at", "The entrance must close after it opens.");
    }
    errors.into_result()?;
    let mut tier_ids = form.tier_ids.clone();
    tier_ids.sort();
    tier_ids.dedup();
    Ok(CleanList { name, tier_ids, opens_at, closes_at })
}

/// Creates a list (`list_id: None`) or changes one. The default list takes every tier.
#[tracing::instrument(skip_all, fields(%event_id, ?list_id))]
pub async fn save_list(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    list_id: Option<Uuid>,
    form: &ListForm,
) -> Result<Uuid, AppError> {
    let mut tx = scope.begin(pool).await?;
    let event = own_event(&mut *tx, scope, event_id).await?;
    let event_tiers = tiers(&mut *tx, event_id).await?;
    let list = clean(form, &event_tiers, timezone_or_default(&event.timezone))?;
    let list_id = match list_id {
        Some(id) => {
            let is_default = sqlx::query_scalar!(
                "SELECT is_default FROM checkin_lists WHERE id = $1 AND event_id = $2 FOR UPDATE",
                id,
                event_id,
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
            if is_default && !list.tier_ids.is_empty() {
                return Err(AppError::field("tiers", "The main list takes every tier; add another list for some."));
            }
            // Touching the row (its `door_xid`) sends phones the whole list again.
            sqlx::query!(
                "UPDATE checkin_lists SET name = $2, all_tiers = $3, opens_at = $4, closes_at = $5 WHERE id = $1",
                id,
                list.name,
                list.tier_ids.is_empty(),
                list.opens_at,
                list.closes_at,
            )
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar!(
                "INSERT INTO checkin_lists (event_id, name, all_tiers, opens_at, closes_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                event_id,
                list.name,
                list.tier_ids.is_empty(),
                list.opens_at,
                list.closes_at,
            )
            .fetch_one(&mut *tx)
            .await?
        }
    };
    set_tiers(&mut tx, list_id, &list.tier_ids).await?;
    tx.commit().await?;
    tracing::info!(%list_id, "check-in list saved");
    Ok(list_id)
}

async fn set_tiers(conn: &mut PgConnection, list_id: Uuid, tier_ids: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM checkin_list_tiers WHERE list_id = $1", list_id).execute(&mut *conn).await?;
    sqlx::query!("INSERT INTO checkin_list_tiers (list_id, tier_id) SELECT $1, unnest($2::uuid[])", list_id, tier_ids,)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a list nobody has scanned on yet; the main list and used lists stay.
#[tracing::instrument(skip_all, fields(%event_id, %list_id))]
pub async fn delete_list(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    list_id: Uuid,
) -> Result<(), AppError> {
    let mut tx = scope.begin(pool).await?;
    own_event(&mut *tx, scope, event_id).await?;
    let list = sqlx::query!(
        r#"SELECT is_default, EXISTS (SELECT 1 FROM checkin_scans s WHERE s.list_id = l.id) AS "used!"
             FROM checkin_lists l WHERE id = $1 AND event_id = $2 FOR UPDATE"#,
        list_id,
        event_id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if list.is_default {
        return Err(AppError::Conflict("The main list cannot be deleted.".into()));
    }
    if list.used {
        return Err(AppError::Conflict("This list was used at the door; it is kept with its scans.".into()));
    }
    sqlx::query!("DELETE FROM checkin_lists WHERE id = $1", list_id).execute(&mut *tx).await?;
    tx.commit().await?;
    tracing::info!("check-in list deleted");
    Ok(())
}
