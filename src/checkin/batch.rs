//! Many online camera scans judged and written in one statement.
//!
//! At a busy door most of PostgreSQL's work per scan was the statement, not the rows:
//! starting and finishing a plan of ten joins and four writing CTEs, and a commit (perf:
//! executor start and finish about a third of its time). Scans that arrive together are
//! therefore taken as one set: the same reads and conditions as `statement::scan_and_admit`,
//! for every scan at once, and one commit.
//!
//! Inside a set, the same guarantees as one scan at a time:
//! - a ticket enters a list once: the first scan of it in the set is the only one offered
//!   to the unique index, later ones are "already checked in" and name that first scan;
//! - a ticket locked by another transaction (another set, a single scan, a cancellation) is
//!   skipped rather than waited for: its scan comes back not attempted, and the service
//!   admits it alone, waiting for the lock and checking the ticket again (`db::admit_and_record`).
//!   So no set waits on a ticket, and none takes part in a deadlock over tickets;
//! - a nonce recorded before is not written again: its row says `replayed`, and the caller
//!   answers it as the first time. A nonce twice in one set never reaches here (the lane
//!   keeps the second back).
//!
//! Only writing admissions and "already checked in" happens here. Any other verdict (unknown
//! code, unpaid, wrong list ...) is read here and judged and recorded by the service, exactly
//! as after a single scan.

use crate::checkin::statement::{DoorScan, DoorScanRow};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// One online scan of a QR secret, as the set statement takes it.
#[derive(Debug, Clone)]
pub struct SetScan {
    pub event_id: Uuid,
    pub list_id: Uuid,
    /// The id of the scanner's login session, as the cookie gave it: the statement reads who
    /// that is, so a scan costs no query of its own before the set.
    pub session_id: String,
    pub secret: String,
    pub device: String,
    pub nonce: Uuid,
    pub client_time: Option<DateTime<Utc>>,
}

/// What the set statement found and did for one scan.
pub enum SetAnswer {
    /// No such event: nothing was read, not even the session.
    NoEvent,
    /// The session is not (or no longer) logged in: nothing was written.
    LoggedOut,
    /// As `statement::scan_and_admit` would answer for `staff_user_id`, the session's user.
    Scanned { staff_user_id: Uuid, scan: DoorScan },
    /// The nonce was recorded before: answer as the first time, with this read of the ticket.
    Replayed { staff_user_id: Uuid, scan: DoorScan },
}

/// Judges `scans` (nonces all different) in one statement; the answers come in the same
/// order. A session counts as logged in as `PgSessionStore::load` would find it, with
/// `session_lifetime`. After an error the scans may or may not have been written (a
/// connection lost after the commit): judged again alone, a written one finds its nonce
/// and is replayed.
pub async fn scan_set(
    db: impl PgExecutor<'_>,
    scans: &[SetScan],
    session_lifetime: std::time::Duration,
) -> Result<Vec<SetAnswer>, sqlx::Error> {
    let column = |f: fn(&SetScan) -> Uuid| scans.iter().map(f).collect::<Vec<_>>();
    let (events, lists, nonces) = (column(|s| s.event_id), column(|s| s.list_id), column(|s| s.nonce));
    let sessions: Vec<String> = scans.iter().map(|s| s.session_id.clone()).collect();
    let secrets: Vec<String> = scans.iter().map(|s| s.secret.clone()).collect();
    let devices: Vec<String> = scans.iter().map(|s| s.device.clone()).collect();
    let times: Vec<Option<DateTime<Utc>>> = scans.iter().map(|s| s.client_time).collect();
    let rows = sqlx::query_as!(
        DoorScanRow,
        r#"WITH n AS (
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[],
                                    $7::timestamptz[])
                      WITH ORDINALITY AS n(event_id, list_id, session_id, secret, device, nonce, client_time, i)
           ), r AS (
               SELECT n.i, n.event_id, ss.user_id, n.device, n.nonce, n.client_time,
                      e.organization_id, coalesce(s.timezone, 'America/Toronto') AS timezone,
                      EXISTS (SELECT 1 FROM organization_members m
                               WHERE m.organization_id = e.organization_id AND m.user_id = ss.user_id) AS member,
                      EXISTS (SELECT 1 FROM event_staff x WHERE x.event_id = e.id AND x.user_id = ss.user_id) AS event_staff,
                      l.id AS list_id, l.name AS list_name, l.opens_at, l.closes_at,
                      k.id AS ticket_id, k.event_id AS ticket_event_id, te.organization_id AS ticket_organization_id,
                      te.name AS ticket_event_name, k.tier_id, i.tier_name, k.status, k.order_id, o.order_number,
                      o.status AS order_status, o.payment_provider, o.total_cents - o.refunded_cents AS total_cents,
                      o.currency, a.full_name AS attendee_name,
                      (l.all_tiers OR EXISTS (SELECT 1 FROM checkin_list_tiers lt
                                               WHERE lt.list_id = l.id AND lt.tier_id = k.tier_id)) AS in_list,
                      EXISTS (SELECT 1 FROM checkin_scans c WHERE c.client_nonce = n.nonce) AS replayed
                 FROM n
                 JOIN events e ON e.id = n.event_id
                 -- The scanner, if the session is a live login (as `PgSessionStore::load` reads it).
                 LEFT JOIN sessions ss ON ss.id = n.session_id AND ss.expires_at > now()
                                      AND ss.created_at > now() - make_interval(secs => $8)
                 LEFT JOIN event_settings s ON s.event_id = e.id
                 LEFT JOIN checkin_lists l ON l.id = n.list_id AND l.event_id = e.id
                 LEFT JOIN tickets k ON k.qr_secret = n.secret
                 LEFT JOIN orders o ON o.id = k.order_id
                 LEFT JOIN attendees a ON a.id = k.attendee_id
                 LEFT JOIN order_items i ON i.order_id = k.order_id AND i.tier_id = k.tier_id
                 LEFT JOIN events te ON te.id = k.event_id
           ), want AS (
               -- The judge's "admit", and nothing more (see `statement`), for a nonce not seen before.
               SELECT * FROM r
                WHERE NOT r.replayed AND (r.member OR r.event_staff) AND r.list_id IS NOT NULL
                  AND r.ticket_event_id = r.event_id AND r.in_list
                  AND r.status IN ('active', 'used') AND r.order_status = 'paid'
                  AND (r.opens_at IS NULL OR r.opens_at <= now()) AND (r.closes_at IS NULL OR now() < r.closes_at)
           ), ok AS (
               -- Checked again under the lock: a cancellation or refund committed since the read wins.
               SELECT k.id, k.tier_id FROM tickets k JOIN orders o ON o.id = k.order_id
                WHERE k.id IN (SELECT ticket_id FROM want) AND k.status IN ('active', 'used') AND o.status = 'paid'
                  FOR UPDATE OF k SKIP LOCKED
           ), first AS (
               SELECT DISTINCT ON (w.list_id, w.ticket_id) w.i, w.event_id, w.list_id, w.ticket_id, ok.tier_id,
                      w.user_id, w.device
                 FROM want w JOIN ok ON ok.id = w.ticket_id
                ORDER BY w.list_id, w.ticket_id, w.i
           ), admitted AS (
               INSERT INTO checkins (list_id, event_id, ticket_id, tier_id, admitted_by, device, admitted_at)
               SELECT list_id, event_id, ticket_id, tier_id, user_id, device, now() FROM first
               ON CONFLICT (list_id, ticket_id) WHERE undone_at IS NULL DO NOTHING
               RETURNING id, list_id, ticket_id
           ), used AS (
               UPDATE tickets SET status = 'used', checked_in_at = coalesce(checked_in_at, now())
                WHERE id IN (SELECT ticket_id FROM admitted) AND status = 'active'
           ), outcome AS (
               SELECT w.i, w.event_id, w.list_id, w.ticket_id, w.user_id, w.device, w.nonce, w.client_time,
                      CASE WHEN f.i = w.i THEN a.id END AS checkin_id,
                      -- Let in by the first scan of this set: that is who answers "already".
                      CASE WHEN f.i <> w.i AND a.id IS NOT NULL THEN f.user_id END AS first_user,
                      CASE WHEN f.i <> w.i AND a.id IS NOT NULL THEN f.device END AS first_device
                 FROM want w
                 JOIN first f ON f.list_id = w.list_id AND f.ticket_id = w.ticket_id
                 LEFT JOIN admitted a ON a.list_id = w.list_id AND a.ticket_id = w.ticket_id
           ), scan AS (
               INSERT INTO checkin_scans (event_id, list_id, ticket_id, staff_user_id, device, outcome, reason,
                                          client_nonce, client_time, offline, conflict)
               SELECT event_id, list_id, ticket_id, user_id, device,
                      CASE WHEN checkin_id IS NOT NULL THEN 'admitted' ELSE 'already_admitted' END,
                      '', nonce, client_time, false, false
                 FROM outcome
           )
           -- The columns of `statement`'s answer, into the same row type (checked for both).
           SELECT r.i AS "i!", r.replayed AS "replayed!", r.user_id AS "staff_user_id?",
                  r.organization_id AS "organization_id!", r.timezone AS "timezone!", r.member AS "member!",
                  r.event_staff AS "event_staff!", r.list_id AS "list_id?", r.list_name AS "list_name?",
                  r.opens_at AS "opens_at?", r.closes_at AS "closes_at?", r.ticket_id AS "ticket_id?",
                  r.ticket_event_id AS "ticket_event_id?", r.ticket_organization_id AS "ticket_organization_id?",
                  r.ticket_event_name AS "ticket_event_name?", r.tier_id AS "tier_id?", r.tier_name AS "tier_name?",
                  r.status AS "status?: TicketStatus", r.order_id AS "order_id?", r.order_number AS "order_number?",
                  r.order_status AS "order_status?: OrderStatus",
                  r.payment_provider AS "payment_provider?: PaymentMethod", r.total_cents AS "total_cents?",
                  r.currency AS "currency?", r.attendee_name AS "attendee_name?", r.in_list AS "in_list?",
                  o.i IS NOT NULL AS "attempted!", o.checkin_id AS "checkin_id?",
                  coalesce(earlier.admitted_at, CASE WHEN o.first_user IS NOT NULL THEN now() END) AS "earlier_at?",
                  coalesce(u.full_name, fu.full_name, '') AS "earlier_staff!",
                  coalesce(earlier.device, o.first_device) AS "earlier_device?"
             FROM r
             LEFT JOIN outcome o ON o.i = r.i
             -- Who let the ticket in before, if that had committed when the statement began.
             -- (Not when this set let it in: an admission seen then was undone since.)
             LEFT JOIN checkins earlier ON earlier.list_id = o.list_id AND earlier.ticket_id = o.ticket_id
                                       AND earlier.undone_at IS NULL AND o.checkin_id IS NULL
                                       AND o.first_user IS NULL
             LEFT JOIN users u ON u.id = earlier.admitted_by
             LEFT JOIN users fu ON fu.id = o.first_user"#,
        &events,
        &lists,
        &sessions,
        &secrets,
        &devices,
        &nonces,
        &times as &[Option<DateTime<Utc>>],
        session_lifetime.as_secs_f64(),
    )
    .fetch_all(db)
    .await?;
    // A scan without a row named an event that does not exist.
    let mut answers: Vec<SetAnswer> = scans.iter().map(|_| SetAnswer::NoEvent).collect();
    for row in rows {
        let Some(slot) = usize::try_from(row.i).ok().and_then(|i| i.checked_sub(1)).and_then(|i| answers.get_mut(i))
        else {
            continue;
        };
        *slot = match (row.staff_user_id, row.replayed) {
            (None, _) => SetAnswer::LoggedOut,
            (Some(staff_user_id), true) => SetAnswer::Replayed { staff_user_id, scan: row.split() },
            (Some(staff_user_id), false) => SetAnswer::Scanned { staff_user_id, scan: row.split() },
        };
    }
    Ok(answers)
}
