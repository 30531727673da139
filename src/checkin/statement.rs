//! The scan statement: one round trip to PostgreSQL that reads what a scan needs (the
//! caller's access to the event's door, the list, the ticket the code names) and, when
//! everything the judge asks of a ticket it may admit holds, admits it and records the scan.
//!
//! The conditions in SQL are the judge's conditions for "admit" (`verdict::judge`) and no
//! more: whatever else the ticket is, the statement writes nothing and the service judges the
//! read in Rust, as before. The ticket is locked and checked again before the admission, so a
//! cancellation or refund that committed since the read wins.

use crate::checkin::db::{Admission, Admitted, DoorAccess, ListRow, NewScan};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A ticket as the door judges it against one list.
pub struct DoorTicket {
    pub id: Uuid,
    pub event_id: Uuid,
    pub organization_id: Uuid,
    pub event_name: String,
    pub tier_id: Uuid,
    pub tier_name: String,
    pub status: TicketStatus,
    pub order_id: Uuid,
    pub order_number: String,
    pub order_status: OrderStatus,
    pub payment_provider: PaymentMethod,
    pub total_cents: i64,
    pub currency: String,
    pub attendee_name: String,
    /// Whether the list takes the ticket's tier.
    pub in_list: bool,
}

/// Everything one scan needs to know: whether the user may work this event's door, the
/// list, and the ticket the code names (if any).
pub struct DoorRead {
    pub access: DoorAccess,
    pub list: Option<ListRow>,
    pub ticket: Option<DoorTicket>,
}

/// What the statement read, and what it wrote when the ticket could be admitted.
pub struct DoorScan {
    pub read: DoorRead,
    /// `None`: the statement did not try to admit (the ticket may not enter as read, or
    /// admitting was not asked for), and wrote nothing.
    pub admitted: Option<Admitted>,
}

/// Which ticket a code names.
#[derive(Debug, Clone, Copy)]
pub enum Pick<'a> {
    Secret(&'a str),
    Number(&'a str),
    Ticket(Uuid),
}

/// One flat row of the statement (and of `batch`'s); the ticket's columns are all empty when
/// no ticket matched.
pub(crate) struct DoorScanRow {
    /// The scan's place in a set (from 1); 0 for a single scan.
    pub(crate) i: i64,
    /// The scan's nonce was recorded before (sets only: a single scan hits the unique key).
    pub(crate) replayed: bool,
    /// Who scanned: in a set, the user of the scan's session, empty when it is not logged in.
    pub(crate) staff_user_id: Option<Uuid>,
    pub(crate) organization_id: Uuid,
    pub(crate) timezone: String,
    pub(crate) member: bool,
    pub(crate) event_staff: bool,
    pub(crate) list_id: Option<Uuid>,
    pub(crate) list_name: Option<String>,
    pub(crate) opens_at: Option<DateTime<Utc>>,
    pub(crate) closes_at: Option<DateTime<Utc>>,
    pub(crate) ticket_id: Option<Uuid>,
    pub(crate) ticket_event_id: Option<Uuid>,
    pub(crate) ticket_organization_id: Option<Uuid>,
    pub(crate) ticket_event_name: Option<String>,
    pub(crate) tier_id: Option<Uuid>,
    pub(crate) tier_name: Option<String>,
    pub(crate) status: Option<TicketStatus>,
    pub(crate) order_id: Option<Uuid>,
    pub(crate) order_number: Option<String>,
    pub(crate) order_status: Option<OrderStatus>,
    pub(crate) payment_provider: Option<PaymentMethod>,
    pub(crate) total_cents: Option<i64>,
    pub(crate) currency: Option<String>,
    pub(crate) attendee_name: Option<String>,
    pub(crate) in_list: Option<bool>,
    pub(crate) attempted: bool,
    pub(crate) checkin_id: Option<Uuid>,
    pub(crate) earlier_at: Option<DateTime<Utc>>,
    pub(crate) earlier_staff: String,
    pub(crate) earlier_device: Option<String>,
}

impl DoorScanRow {
    pub(crate) fn split(self) -> DoorScan {
        let access = DoorAccess {
            organization_id: self.organization_id,
            timezone: self.timezone,
            member: self.member,
            event_staff: self.event_staff,
        };
        let list = match (self.list_id, self.list_name) {
            (Some(id), Some(name)) => Some(ListRow { id, name, opens_at: self.opens_at, closes_at: self.closes_at }),
            _ => None,
        };
        let ticket = (|| {
            Some(DoorTicket {
                id: self.ticket_id?,
                event_id: self.ticket_event_id?,
                organization_id: self.ticket_organization_id?,
                event_name: self.ticket_event_name?,
                tier_id: self.tier_id?,
                tier_name: self.tier_name?,
                status: self.status?,
                order_id: self.order_id?,
                order_number: self.order_number?,
                order_status: self.order_status?,
                payment_provider: self.payment_provider?,
                total_cents: self.total_cents?,
                currency: self.currency?,
                attendee_name: self.attendee_name?,
                in_list: self.in_list.unwrap_or(false),
            })
        })();
        let earlier = match (self.earlier_at, self.earlier_device) {
            (Some(admitted_at), Some(device)) => {
                Some(Admission { admitted_at, staff_name: self.earlier_staff, device })
            }
            _ => None,
        };
        let admitted = self.attempted.then_some(Admitted { still_valid: true, checkin_id: self.checkin_id, earlier });
        DoorScan { read: DoorRead { access, list, ticket }, admitted }
    }
}

/// The statement for the list `$3` of event `$1` by user `$2`; `$condition` picks the ticket
/// (`k`) with `$4`; `$10` says whether it may admit.
macro_rules! door_scan_where {
    ($condition:literal, $scan:expr, $pick:expr, $may_admit:expr) => {
        sqlx::query_as!(
            DoorScanRow,
            r#"WITH r AS (
                   SELECT e.organization_id, coalesce(s.timezone, 'America/Toronto') AS timezone,
                          EXISTS (SELECT 1 FROM organization_members m
                                   WHERE m.organization_id = e.organization_id AND m.user_id = $2) AS member,
                          EXISTS (SELECT 1 FROM event_staff x WHERE x.event_id = e.id AND x.user_id = $2) AS event_staff,
                          l.id AS list_id, l.name AS list_name, l.opens_at, l.closes_at,
                          k.id AS ticket_id, k.event_id AS ticket_event_id, te.organization_id AS ticket_organization_id,
                          te.name AS ticket_event_name, k.tier_id, i.tier_name, k.status, k.order_id, o.order_number,
                          o.status AS order_status, o.payment_provider, o.total_cents - o.refunded_cents AS total_cents,
                          o.currency, a.full_name AS attendee_name,
                          (l.all_tiers OR EXISTS (SELECT 1 FROM checkin_list_tiers lt
                                                   WHERE lt.list_id = l.id AND lt.tier_id = k.tier_id)) AS in_list
                     FROM events e
                     LEFT JOIN event_settings s ON s.event_id = e.id
                     LEFT JOIN checkin_lists l ON l.id = $3 AND l.event_id = e.id
                     LEFT JOIN tickets k ON "# + $condition + r#"
                     LEFT JOIN orders o ON o.id = k.order_id
                     LEFT JOIN attendees a ON a.id = k.attendee_id
                     LEFT JOIN order_items i ON i.order_id = k.order_id AND i.tier_id = k.tier_id
                     LEFT JOIN events te ON te.id = k.event_id
                    WHERE e.id = $1
               ), ok AS (
                   -- The judge's "admit", and nothing more: the door is the caller's, the list
                   -- takes the tier and is open, the ticket is valid and its order paid.
                   SELECT k.id, k.tier_id FROM tickets k JOIN orders o ON o.id = k.order_id
                    WHERE $10 AND k.event_id = $1 AND k.status IN ('active', 'used') AND o.status = 'paid'
                      AND k.id = (SELECT r.ticket_id FROM r
                                   WHERE (r.member OR r.event_staff) AND r.list_id IS NOT NULL
                                     AND r.ticket_event_id = $1 AND r.in_list
                                     AND r.status IN ('active', 'used') AND r.order_status = 'paid'
                                     -- A scan made offline is judged at the phone's time.
                                     AND (r.opens_at IS NULL OR r.opens_at <= CASE WHEN $8 THEN coalesce($7, now()) ELSE now() END)
                                     AND (r.closes_at IS NULL OR CASE WHEN $8 THEN coalesce($7, now()) ELSE now() END < r.closes_at))
                      FOR UPDATE OF k
               ), admitted AS (
                   INSERT INTO checkins (list_id, event_id, ticket_id, tier_id, admitted_by, device, admitted_at)
                   SELECT $3, $1, id, tier_id, $2, $5,
                          CASE WHEN $8 THEN least(coalesce($7, now()), now()) ELSE now() END
                     FROM ok
                   ON CONFLICT (list_id, ticket_id) WHERE undone_at IS NULL DO NOTHING
                   RETURNING id, ticket_id
               ), used AS (
                   UPDATE tickets SET status = 'used', checked_in_at = coalesce(checked_in_at, now())
                    WHERE id IN (SELECT ticket_id FROM admitted) AND status = 'active'
               ), scan AS (
                   INSERT INTO checkin_scans (event_id, list_id, ticket_id, staff_user_id, device, outcome, reason,
                                              client_nonce, client_time, offline, conflict)
                   SELECT $1, $3, ok.id, $2, $5,
                          CASE WHEN EXISTS (SELECT 1 FROM admitted) THEN 'admitted' ELSE 'already_admitted' END,
                          $9, $6, $7, $8, $8 AND NOT EXISTS (SELECT 1 FROM admitted)
                     FROM ok
               )
               SELECT 0::int8 AS "i!", false AS "replayed!", $2::uuid AS "staff_user_id?",
                      r.organization_id AS "organization_id!", r.timezone AS "timezone!", r.member AS "member!",
                      r.event_staff AS "event_staff!", r.list_id AS "list_id?", r.list_name AS "list_name?",
                      r.opens_at AS "opens_at?", r.closes_at AS "closes_at?", r.ticket_id AS "ticket_id?",
                      r.ticket_event_id AS "ticket_event_id?", r.ticket_organization_id AS "ticket_organization_id?",
                      r.ticket_event_name AS "ticket_event_name?", r.tier_id AS "tier_id?", r.tier_name AS "tier_name?",
                      r.status AS "status?: TicketStatus", r.order_id AS "order_id?", r.order_number AS "order_number?",
                      r.order_status AS "order_status?: OrderStatus",
                      r.payment_provider AS "payment_provider?: PaymentMethod", r.total_cents AS "total_cents?",
                      r.currency AS "currency?", r.attendee_name AS "attendee_name?", r.in_list AS "in_list?",
                      EXISTS (SELECT 1 FROM ok) AS "attempted!", (SELECT id FROM admitted) AS "checkin_id?",
                      earlier.admitted_at AS "earlier_at?", coalesce(u.full_name, '') AS "earlier_staff!",
                      earlier.device AS "earlier_device?"
                 FROM r
                 -- Who let the ticket in before, if that had committed when the statement began.
                 LEFT JOIN checkins earlier ON earlier.list_id = $3 AND earlier.ticket_id = (SELECT id FROM ok)
                                           AND earlier.undone_at IS NULL AND NOT EXISTS (SELECT 1 FROM admitted)
                 LEFT JOIN users u ON u.id = earlier.admitted_by"#,
            $scan.event_id,
            $scan.staff_user_id,
            $scan.list_id,
            $pick,
            $scan.device,
            $scan.client_nonce,
            $scan.client_time,
            $scan.offline,
            $scan.reason,
            $may_admit,
        )
    };
}

/// Reads what `scan` needs and, when `may_admit` and the ticket may enter, admits it and
/// records the scan, in one statement. `None` when there is no such event. A nonce recorded
/// before is a unique violation of `db::NONCE_TAKEN`, and the statement changes nothing.
pub async fn scan_and_admit(
    db: impl PgExecutor<'_>,
    scan: &NewScan<'_>,
    pick: Pick<'_>,
    may_admit: bool,
) -> Result<Option<DoorScan>, sqlx::Error> {
    let row = match pick {
        Pick::Secret(secret) => {
            door_scan_where!("k.qr_secret = $4", scan, secret, may_admit).fetch_optional(db).await?
        }
        Pick::Number(number) => {
            door_scan_where!("k.ticket_number = $4", scan, number, may_admit).fetch_optional(db).await?
        }
        Pick::Ticket(id) => {
            door_scan_where!("k.id = $4 AND k.event_id = e.id", scan, id, may_admit).fetch_optional(db).await?
        }
    };
    Ok(row.map(DoorScanRow::split))
}

/// Reads what a scan of `pick` on `list_id` by `user_id` would see, writing nothing.
pub async fn read(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    user_id: Uuid,
    list_id: Uuid,
    pick: Pick<'_>,
) -> Result<Option<DoorRead>, sqlx::Error> {
    let nothing = NewScan {
        event_id,
        list_id,
        ticket_id: None,
        staff_user_id: user_id,
        device: "",
        outcome: crate::checkin::ScanOutcome::Unknown,
        reason: "",
        client_nonce: Uuid::nil(),
        client_time: None,
        offline: false,
        conflict: false,
    };
    Ok(scan_and_admit(db, &nothing, pick, false).await?.map(|scan| scan.read))
}
