//! Carrying out an assistant's tool calls inside the message's transaction, through the
//! same domain functions and guards as the dashboard. A call that fails refuses the whole
//! message: the caller rolls the transaction back, so a message changes all or nothing.
//!
//! The assistant only creates and edits drafts. On an event that is published (or has
//! sales, for prices and capacities) a change becomes a proposal: a pending action that
//! runs when the organizer confirms it.

mod tier_calls;
pub use tier_calls::tier_diff;

use crate::assistant::db;
use crate::assistant::draft::{Draft, price_label};
use crate::assistant::tasks;
use crate::assistant::tools::{EventFields, TierArgs, ToolCall, VenueArgs};
use crate::events::service::{self as events, EventForm};
use crate::events::{Currency, EventEditor, EventStatus, EventType};
use crate::insights::service as insights;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::AppError;
use crate::venues::db as venues_db;
use crate::venues::service::{self as venues, VenueForm};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::json;
use sqlx::PgConnection;
use tier_calls::{add_tier, deactivate_tier, update_tier};
use uuid::Uuid;

/// A public or irreversible change waiting for the organizer's click.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub kind: &'static str,
    pub event_id: Uuid,
    pub arguments: serde_json::Value,
    pub diff: Vec<(String, String, String)>,
    pub summary: String,
}

/// One message's work: the conversation's event, what was changed, and what to say.
#[derive(Debug, Clone)]
pub struct Turn {
    pub scope: OrganizationScope,
    pub conversation_id: Uuid,
    pub event_id: Option<Uuid>,
    pub draft: Draft,
    /// What changed, in words, for the message and its `ai_actions`.
    pub changes: Vec<String>,
    pub actions: Vec<(String, serde_json::Value)>,
    /// Answers of reading tools (sales, the event list) and what a tool needs to ask.
    pub notes: Vec<String>,
    pub proposals: Vec<Proposal>,
}

impl Turn {
    pub fn new(scope: OrganizationScope, conversation_id: Uuid, event_id: Option<Uuid>, draft: Draft) -> Self {
        Turn {
            scope,
            conversation_id,
            event_id,
            draft,
            changes: Vec::new(),
            actions: Vec::new(),
            notes: Vec::new(),
            proposals: Vec::new(),
        }
    }

    fn changed(&mut self, action: &str, details: serde_json::Value, words: String) {
        self.actions.push((action.to_string(), details));
        self.changes.push(words);
    }
}

/// Why a call changed nothing, in words for the conversation. Internal errors are logged
/// and never shown.
pub fn refusal(error: AppError) -> String {
    match error {
        AppError::Validation(errors) => errors.0.into_values().collect::<Vec<_>>().join(" "),
        AppError::NotFound => "That is not one of your organization's events.".into(),
        AppError::Forbidden | AppError::Unauthorized => "You are not allowed to do that here.".into(),
        AppError::Conflict(message) | AppError::SoldOut(message) => message,
        other => {
            tracing::error!(error = ?other, "an assistant tool failed");
            "Something went wrong on our side, so nothing was changed. Please try again.".into()
        }
    }
}

/// Carries out one call. `Err` holds the refusal shown to the organizer.
pub async fn apply(tx: &mut PgConnection, turn: &mut Turn, call: &ToolCall) -> Result<(), String> {
    call.check()?;
    match call {
        ToolCall::CreateEventDraft(_) if turn.event_id.is_some() => {
            Err("This conversation already has its event; start a new conversation for another one.".into())
        }
        ToolCall::CreateEventDraft(fields) => {
            turn.event_id = None;
            turn.draft = Draft::default();
            update_event(tx, turn, fields).await
        }
        ToolCall::UpdateEvent(fields) => update_event(tx, turn, fields).await,
        ToolCall::FindOrCreateVenue(venue) => find_or_create_venue(tx, turn, venue).await,
        ToolCall::AddTier(tier) => add_tier(tx, turn, tier).await,
        ToolCall::UpdateTier(change) => update_tier(tx, turn, change).await,
        ToolCall::DeactivateTier(tier) => deactivate_tier(tx, turn, &tier.tier).await,
        ToolCall::GeneratePlanningTasks(_) => {
            let event = current_event(tx, turn).await?;
            let existing = db::task_count(&mut *tx, event.id).await.map_err(|e| refusal(e.into()))?;
            if existing > 0 {
                return Err(format!("“{}” already has {existing} planning tasks on its board.", event.name));
            }
            let added = tasks::generate(tx, &turn.scope, &event).await.map_err(refusal)?;
            turn.changed(
                "generate_planning_tasks",
                json!({ "tasks": added }),
                format!("Added {added} planning tasks to the event's board"),
            );
            Ok(())
        }
        ToolCall::DraftDescription(_) => draft_description(tx, turn).await,
        ToolCall::SummariseSales(_) => {
            let event_id =
                turn.event_id.ok_or("Which event? Open the conversation from the event, or create one first.")?;
            let sales = insights::event_insights_in(tx, &turn.scope, event_id).await.map_err(refusal)?;
            let sold: i64 = sales.tiers.iter().map(|t| t.sold).sum();
            let per_tier: Vec<String> = sales.tiers.iter().map(|t| format!("{} {}", t.name, t.sold)).collect();
            turn.notes.push(format!(
                "{}: {sold} tickets sold ({}), {} paid orders, revenue {} net of refunds, average order {}.",
                sales.name,
                if per_tier.is_empty() { "no tiers yet".to_string() } else { per_tier.join(", ") },
                sales.orders,
                sales.revenue,
                sales.average_order
            ));
            Ok(())
        }
        ToolCall::ListEvents(_) => {
            let list = events::organization_events_in(tx, &turn.scope).await.map_err(refusal)?;
            if list.is_empty() {
                turn.notes.push("Your organization has no events yet.".into());
            } else {
                let lines: Vec<String> =
                    list.iter().take(12).map(|e| format!("{} — {}, {}", e.name, e.status.label(), e.when)).collect();
                turn.notes.push(format!("Your events: {}.", lines.join("; ")));
            }
            Ok(())
        }
        ToolCall::ProposePublish(_) => propose_publish(tx, turn).await,
        ToolCall::ProposeCancel(args) => {
            let event = current_event(tx, turn).await?;
            if matches!(event.status, EventStatus::Cancelled | EventStatus::Completed) {
                return Err(format!(
                    "“{}” is {} and cannot be cancelled.",
                    event.name,
                    event.status.label().to_lowercase()
                ));
            }
            turn.proposals.push(Proposal {
                kind: "cancel",
                event_id: event.id,
                arguments: json!({ "reason": args.reason }),
                diff: vec![("Status".into(), event.status.label().into(), "Cancelled".into())],
                summary: format!(
                    "Cancel “{}”: it comes off sale, every order is cancelled and paid orders are refunded.",
                    event.name
                ),
            });
            Ok(())
        }
    }
}

/// The conversation's event as it is inside this transaction.
async fn current_event(tx: &mut PgConnection, turn: &Turn) -> Result<EventEditor, String> {
    let id = turn.event_id.ok_or("There is no event yet: tell me its name, day, hours and capacity first.")?;
    // Locked: a publish from the dashboard cannot land between the draft check and the edit.
    events::event_for_change_in(tx, &turn.scope, id).await.map_err(refusal)
}

/// The draft with `fields` written over it; a field that cannot be read is refused.
pub fn merged(draft: &Draft, fields: &EventFields) -> Result<Draft, String> {
    let mut next = draft.clone();
    if let Some(name) = &fields.name {
        next.name = Some(name.trim().to_string());
    }
    if let Some(kind) = &fields.event_type {
        next.event_type = Some(EventType::parse(&kind.to_lowercase()).ok_or_else(|| {
            format!("“{kind}” is not a kind of event EventOS knows (conference, seminar, workshop, networking, other).")
        })?);
    }
    let local = |v: &str| {
        NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
            .map_err(|_| format!("“{v}” is not a date and time like 2027-03-12T09:00."))
    };
    let day =
        |v: &str| NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| format!("“{v}” is not a date like 2027-03-12."));
    let hour = |v: &str| NaiveTime::parse_from_str(v, "%H:%M").map_err(|_| format!("“{v}” is not a time like 09:00."));
    if let Some(date) = &fields.date {
        let date = day(date)?;
        // A new first day moves the whole event: its length in days stays.
        let span = match (next.day, next.last_day) {
            (Some(first), Some(last)) => last - first,
            _ => chrono::Duration::zero(),
        };
        next.day = Some(date);
        next.last_day = (span > chrono::Duration::zero()).then(|| date + span);
    }
    if let Some(end_date) = &fields.end_date {
        next.last_day = Some(day(end_date)?);
    }
    if let Some(start_time) = &fields.start_time {
        next.start_time = Some(hour(start_time)?);
    }
    if let Some(end_time) = &fields.end_time {
        next.end_time = Some(hour(end_time)?);
    }
    if let Some(start) = &fields.start_local {
        let start = local(start)?;
        next.day = Some(start.date());
        next.start_time = Some(start.time());
    }
    if let Some(end) = &fields.end_local {
        let end = local(end)?;
        next.last_day = (Some(end.date()) != next.day).then_some(end.date());
        next.end_time = Some(end.time());
    }
    if let (Some(start), Some(end)) = (next.start(), next.end())
        && end <= start
    {
        return Err("The event must end after it starts.".into());
    }
    if let Some(zone) = &fields.timezone {
        zone.parse::<chrono_tz::Tz>().map_err(|_| format!("“{zone}” is not a time zone like America/Toronto."))?;
        next.timezone = Some(zone.clone());
    }
    if let Some(capacity) = fields.capacity {
        next.capacity = Some(i32::try_from(capacity).map_err(|_| "That capacity is too large.".to_string())?);
    }
    if let Some(code) = &fields.currency {
        next.currency = Some(
            Currency::parse(code).map_err(|_| format!("EventOS does not take payments in “{code}”."))?.code().into(),
        );
    }
    Ok(next)
}

/// What changed between two drafts, in words.
fn describe(before: &Draft, after: &Draft) -> Vec<String> {
    let mut lines = Vec::new();
    if before.name != after.name
        && let Some(name) = &after.name
    {
        lines.push(format!("Named the event “{name}”"));
    }
    if before.event_type != after.event_type
        && let Some(kind) = after.event_type
    {
        lines.push(format!("Set the kind to {}", kind.label().to_lowercase()));
    }
    if (before.when() != after.when() || before.timezone != after.timezone)
        && let Some(when) = after.when()
    {
        lines.push(format!("Set the time to {when}"));
    }
    if before.capacity != after.capacity
        && let Some(capacity) = after.capacity
    {
        lines.push(match before.capacity {
            Some(was) => format!("Changed capacity from {was} to {capacity}"),
            None => format!("Set capacity to {capacity}"),
        });
    }
    if before.currency != after.currency
        && let Some(code) = &after.currency
    {
        lines.push(format!("Priced in {code}"));
    }
    lines
}

async fn update_event(tx: &mut PgConnection, turn: &mut Turn, fields: &EventFields) -> Result<(), String> {
    let next = merged(&turn.draft, fields)?;
    let words = describe(&turn.draft, &next);
    let Some(event_id) = turn.event_id else {
        turn.draft = next;
        for line in &words {
            turn.changes.push(format!("{line} (draft)"));
        }
        return create_when_complete(tx, turn).await;
    };
    let event = current_event(tx, turn).await?;
    if event.status != EventStatus::Draft {
        let diff = field_diff(&turn.draft, &next);
        if diff.is_empty() {
            return Ok(());
        }
        let kind = if diff.iter().all(|(what, _, _)| what == "Capacity") { "change_capacity" } else { "edit_event" };
        turn.proposals.push(Proposal {
            kind,
            event_id,
            arguments: serde_json::to_value(fields).unwrap_or_default(),
            summary: format!(
                "Change “{}”, which is {}: {}.",
                event.name,
                event.status.label().to_lowercase(),
                words.join(", ")
            ),
            diff,
        });
        return Ok(());
    }
    let form = next.event_form().ok_or("The event lost a required field.")?;
    events::update_event_in(tx, &turn.scope, event_id, with_event_settings(form, &event)).await.map_err(refusal)?;
    turn.draft = next;
    for line in words {
        turn.changed("update_event", serde_json::to_value(fields).unwrap_or_default(), line);
    }
    Ok(())
}

/// Keeps what the assistant does not manage (visibility, payment options) as the event has them.
pub fn with_event_settings(mut form: EventForm, event: &EventEditor) -> EventForm {
    form.visibility = event.visibility.as_str().to_string();
    form.allow_registrations = event.allow_registrations;
    form.offline_payments = event.offline_payments;
    form.offline_payment_days = Some(event.offline_payment_days.to_string());
    form.description = event.description.clone();
    form
}

/// (what, before, after) for each field that differs.
pub fn field_diff(before: &Draft, after: &Draft) -> Vec<(String, String, String)> {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let mut diff = Vec::new();
    if before.name != after.name {
        diff.push(("Name".into(), show(&before.name), show(&after.name)));
    }
    if before.when() != after.when() {
        diff.push(("When".into(), show(&before.when()), show(&after.when())));
    }
    if before.capacity != after.capacity {
        let c = |c: Option<i32>| c.map_or("—".into(), |c| c.to_string());
        diff.push(("Capacity".into(), c(before.capacity), c(after.capacity)));
    }
    if before.event_type != after.event_type {
        let k = |k: Option<EventType>| k.map_or("—".into(), |k| k.label().to_string());
        diff.push(("Kind".into(), k(before.event_type), k(after.event_type)));
    }
    diff
}

/// Saves the draft as an event once it has a name, times and a capacity, with its tiers.
async fn create_when_complete(tx: &mut PgConnection, turn: &mut Turn) -> Result<(), String> {
    let Some(form) = turn.draft.event_form() else { return Ok(()) };
    let event_id = events::create_event_in(tx, &turn.scope, form).await.map_err(refusal)?;
    turn.event_id = Some(event_id);
    db::set_conversation_event(&mut *tx, turn.conversation_id, event_id).await.map_err(|e| refusal(e.into()))?;
    let name = turn.draft.name.clone().unwrap_or_default();
    turn.changed("create_event_draft", json!({ "event_id": event_id }), format!("Created the draft event “{name}”"));
    for tier in std::mem::take(&mut turn.draft.tiers) {
        add_tier(tx, turn, &TierArgs { name: tier.name, price_cents: tier.price_cents, capacity: None }).await?;
    }
    Ok(())
}

/// Finds the venue among the organization's by name or initials; creates it when an
/// address comes with it; otherwise keeps the name and asks for the address.
async fn find_or_create_venue(tx: &mut PgConnection, turn: &mut Turn, venue: &VenueArgs) -> Result<(), String> {
    let known = venues_db::venues(&mut *tx, turn.scope.organization_id, None, &json!({}))
        .await
        .map_err(|e| refusal(e.into()))?;
    let found = known.iter().find(|v| same_venue(&v.name, &venue.name)).map(|v| (v.id, v.name.clone()));
    let (venue_id, name) = match (found, &venue.address) {
        (Some(found), _) => found,
        (None, Some(address)) => {
            let form = VenueForm {
                name: venue.name.clone(),
                address: address.clone(),
                city: venue.city.clone(),
                ..VenueForm::default()
            };
            let id = venues::create_venue_in(tx, &turn.scope, form).await.map_err(refusal)?;
            turn.changed("create_venue", json!(venue), format!("Added {} to your venues", venue.name));
            (id, venue.name.clone())
        }
        (None, None) => {
            turn.draft.venue = Some(venue.name.clone());
            turn.draft.awaiting_venue_address = true;
            turn.notes.push(format!("{} is not one of your venues yet — what is its street address?", venue.name));
            return Ok(());
        }
    };
    turn.draft.awaiting_venue_address = false;
    let before = turn.draft.venue_id;
    turn.draft.venue = Some(name.clone());
    turn.draft.venue_id = Some(venue_id);
    if before == Some(venue_id) {
        return Ok(());
    }
    match turn.event_id {
        None => turn.changes.push(format!("Venue: {name} (draft)")),
        Some(event_id) => {
            let event = current_event(tx, turn).await?;
            if event.status != EventStatus::Draft {
                turn.proposals.push(Proposal {
                    kind: "edit_event",
                    event_id,
                    arguments: json!({ "venue_id": venue_id }),
                    diff: vec![("Venue".into(), "—".into(), name.clone())],
                    summary: format!("Move “{}” to {name}.", event.name),
                });
                return Ok(());
            }
            let form = turn.draft.event_form().ok_or("The event lost a required field.")?;
            events::update_event_in(tx, &turn.scope, event_id, with_event_settings(form, &event))
                .await
                .map_err(refusal)?;
            turn.changed("set_venue", json!({ "venue_id": venue_id }), format!("Venue: {name}"));
        }
    }
    Ok(())
}

/// "MTCC" is the Metro Toronto Convention Centre; "the drake" is The Drake Hotel.
pub fn same_venue(known: &str, asked: &str) -> bool {
    let norm = |s: &str| s.to_lowercase().trim_start_matches("the ").trim().to_string();
    let (k, a) = (norm(known), norm(asked));
    if k == a || a.len() >= 4 && k.starts_with(&a) {
        return true;
    }
    let initials: String = known
        .split_whitespace()
        .filter(|w| !matches!(w.to_lowercase().as_str(), "the" | "of" | "and" | "&" | "at"))
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_lowercase();
    initials.len() >= 2 && initials == a.replace(['.', ' '], "")
}

async fn draft_description(tx: &mut PgConnection, turn: &mut Turn) -> Result<(), String> {
    let text = tasks::description(&turn.draft);
    match turn.event_id {
        None => {
            turn.draft.description = Some(text);
            turn.changes.push("Wrote a description (draft)".into());
        }
        Some(event_id) => {
            let event = current_event(tx, turn).await?;
            if event.status != EventStatus::Draft {
                return Err("The event is already public; edit its description on the event page.".into());
            }
            let mut form =
                with_event_settings(turn.draft.event_form().ok_or("The event lost a required field.")?, &event);
            form.description = text.clone();
            events::update_event_in(tx, &turn.scope, event_id, form).await.map_err(refusal)?;
            turn.draft.description = Some(text);
            turn.changed("draft_description", json!({}), "Wrote a description".into());
        }
    }
    Ok(())
}

async fn propose_publish(tx: &mut PgConnection, turn: &mut Turn) -> Result<(), String> {
    let event = current_event(tx, turn).await?;
    let active = event.tiers.iter().filter(|t| t.is_active).count() as i64;
    event.status.check_transition(EventStatus::Published, event.sold, active)?;
    let tiers: Vec<String> = event
        .tiers
        .iter()
        .filter(|t| t.is_active)
        .map(|t| format!("{} {}", t.name, price_label(t.price_cents, &event.currency)))
        .collect();
    turn.proposals.push(Proposal {
        kind: "publish",
        event_id: event.id,
        arguments: json!({}),
        diff: vec![("Status".into(), "Draft".into(), "Published".into())],
        summary: format!(
            "Publish “{}”: it is listed on the home page and tickets go on sale ({}).",
            event.name,
            tiers.join(", ")
        ),
    });
    Ok(())
}
