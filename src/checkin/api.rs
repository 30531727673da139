//! Door server functions. Each starts with the door guard: members of the event's
//! organization and the event's own door staff, nobody else.

use crate::checkin::offline::{CopyChanges, QueuedScan, UploadedScan};
use crate::checkin::{AttendeeHit, DoorBoard, DoorCounts, DoorEvent, DoorEventSummary, Verdict};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    checkin::access::require_door,
    checkin::copy,
    checkin::lane::DoorLane,
    checkin::manage,
    checkin::service::{self, Attempt, Target},
    checkin::{ScanFilter, ScanOutcome, TicketCode},
    organizations::Role,
    organizations::access::require_organizer,
    platform::error::AppError as Error,
    platform::reply::{parse_id, reply},
    platform::session::{AuthSession, require_user},
    platform::state::AppState,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// A nonce the phone chose for one attempt.
#[cfg(feature = "ssr")]
fn parse_nonce(raw: &str) -> Result<uuid::Uuid, Error> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| Error::field("nonce", "This scan has no valid id; reload the page."))
}

/// When the phone saw the code (RFC 3339); missing or unreadable is no time at all.
#[cfg(feature = "ssr")]
fn parse_client_time(raw: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
    raw.and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok()).map(|t| t.to_utc())
}

#[server(prefix = "/api", endpoint = "list_door_events")]
pub async fn list_door_events() -> Result<Vec<DoorEventSummary>, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        service::door_events(&state.pool, user_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_door_event")]
pub async fn get_door_event(event_id: String) -> Result<DoorEvent, AppError> {
    reply(async {
        let (state, scope) = require_door(parse_id(&event_id)?).await?;
        service::door_event(&state.pool, &scope).await
    })
    .await
}

/// Judges a scanned or typed code on a list and records the attempt.
#[server(prefix = "/api", endpoint = "scan_ticket")]
pub async fn scan_ticket(
    event_id: String,
    list_id: String,
    code: String,
    nonce: String,
    device: Option<String>,
    client_time: Option<String>,
    collect: Option<bool>,
) -> Result<Verdict, AppError> {
    reply(async {
        // Who is scanning is read with the scan (`scan_in_lane`), not before it; without a
        // session cookie there is nobody to read.
        let (state, session) = (AppState::from_context()?, AuthSession::of_request().await?);
        if session.id().is_none() {
            return Err(Error::Unauthorized);
        }
        let code = TicketCode::parse(&code).map_err(|m| Error::field("code", m))?;
        let attempt = Attempt {
            list_id: parse_id(&list_id)?,
            target: Target::Code(code),
            nonce: parse_nonce(&nonce)?,
            device: device.unwrap_or_default(),
            client_time: parse_client_time(client_time.as_deref()),
            collect: collect.unwrap_or(false),
            offline: None,
        };
        // The scan checks the caller's access to the door in the statement that reads the ticket.
        let lane = use_context::<DoorLane>()
            .ok_or_else(|| Error::internal("the door's lane missing from context", "not provided"))?;
        service::scan_in_lane(&lane, &state.pool, &session, parse_id(&event_id)?, attempt).await
    })
    .await
}

/// Admits a ticket picked in the search tab, as a scan of it would.
#[server(prefix = "/api", endpoint = "admit_ticket")]
pub async fn admit_ticket(
    event_id: String,
    list_id: String,
    ticket_id: String,
    nonce: String,
    device: Option<String>,
    collect: Option<bool>,
) -> Result<Verdict, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        let attempt = Attempt {
            list_id: parse_id(&list_id)?,
            target: Target::Ticket(parse_id(&ticket_id)?),
            nonce: parse_nonce(&nonce)?,
            device: device.unwrap_or_default(),
            client_time: None,
            collect: collect.unwrap_or(false),
            offline: None,
        };
        service::scan(&state.pool, user_id, parse_id(&event_id)?, attempt).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "undo_checkin")]
pub async fn undo_checkin(
    event_id: String,
    checkin_id: String,
    nonce: String,
    device: Option<String>,
) -> Result<Verdict, AppError> {
    reply(async {
        let (state, scope) = require_door(parse_id(&event_id)?).await?;
        let nonce = parse_nonce(&nonce)?;
        service::undo(&state.pool, &scope, parse_id(&checkin_id)?, nonce, device.as_deref().unwrap_or_default()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_door_counts")]
pub async fn get_door_counts(event_id: String, list_id: String) -> Result<DoorCounts, AppError> {
    reply(async {
        let (state, scope) = require_door(parse_id(&event_id)?).await?;
        service::counts(&state.pool, &scope, parse_id(&list_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "search_door")]
pub async fn search_door(event_id: String, list_id: String, q: String) -> Result<Vec<AttendeeHit>, AppError> {
    reply(async {
        let (state, scope) = require_door(parse_id(&event_id)?).await?;
        service::search(&state.pool, &scope, parse_id(&list_id)?, &q).await
    })
    .await
}

/// The copy of a list a phone keeps to judge scans offline: everything, or what changed
/// since the cursor it was last given.
#[server(prefix = "/api", endpoint = "get_door_copy")]
pub async fn get_door_copy(event_id: String, list_id: String, since: Option<String>) -> Result<CopyChanges, AppError> {
    reply(async {
        let (state, scope) = require_door(parse_id(&event_id)?).await?;
        copy::door_copy(&state.pool, &scope, parse_id(&list_id)?, since.as_deref()).await
    })
    .await
}

/// Scans a phone judged without the network, judged again and recorded.
#[server(prefix = "/api", endpoint = "upload_door_scans", input = Json)]
pub async fn upload_door_scans(event_id: String, scans: Vec<QueuedScan>) -> Result<Vec<UploadedScan>, AppError> {
    reply(async {
        let (state, scope) = require_door(parse_id(&event_id)?).await?;
        copy::upload(&state.pool, &scope, scans).await
    })
    .await
}

/// An event's lists and scan log, for its organizer (admins and owners).
#[server(prefix = "/api", endpoint = "get_door_board")]
pub async fn get_door_board(
    event_id: String,
    outcome: Option<String>,
    staff: Option<String>,
    conflicts: Option<String>,
) -> Result<DoorBoard, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let filter = ScanFilter {
            outcome: outcome.as_deref().filter(|o| !o.is_empty()).and_then(ScanOutcome::parse),
            staff: staff.as_deref().filter(|s| !s.is_empty()).map(parse_id).transpose()?,
            conflicts_only: conflicts.is_some_and(|c| c == "on" || c == "true"),
        };
        manage::board(&state.pool, &scope, parse_id(&event_id)?, &filter).await
    })
    .await
}

/// Creates a check-in list, or changes one (`list_id`). `tiers`: the tier ids it takes,
/// comma-separated; none for every tier.
#[server(prefix = "/api", endpoint = "save_checkin_list")]
pub async fn save_checkin_list(
    event_id: String,
    list_id: Option<String>,
    name: String,
    tiers: Option<String>,
    opens_at: Option<String>,
    closes_at: Option<String>,
) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let tier_ids = tiers
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| uuid::Uuid::parse_str(t).map_err(|_| Error::field("tiers", "Choose tiers of this event.")))
            .collect::<Result<Vec<_>, _>>()?;
        let form = manage::ListForm {
            name,
            tier_ids,
            opens_at: opens_at.unwrap_or_default(),
            closes_at: closes_at.unwrap_or_default(),
        };
        let list_id = list_id.as_deref().filter(|l| !l.is_empty()).map(parse_id).transpose()?;
        manage::save_list(&state.pool, &scope, parse_id(&event_id)?, list_id, &form).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "delete_checkin_list")]
pub async fn delete_checkin_list(event_id: String, list_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        manage::delete_list(&state.pool, &scope, parse_id(&event_id)?, parse_id(&list_id)?).await
    })
    .await
}
