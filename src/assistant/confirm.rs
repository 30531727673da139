//! Confirmation cards: a pending action runs only from the organizer's click, at most
//! once, within 15 minutes, through the same domain functions as the dashboard; one that
//! cannot be made says why on its card and in the chat.

use crate::assistant::ConversationView;
use crate::assistant::apply::{self, refusal};
use crate::assistant::db::{self, NewAction, NewMessage};
use crate::assistant::draft::Draft;
use crate::assistant::service::{BUILTIN, MESSAGE_LIMIT, view};
use crate::assistant::tools::EventFields;
use crate::events::service::{self as events, EventForm};
use crate::events::tiers::{self, TierForm};
use crate::events::{Currency, EventStatus};
use crate::orders::cancel_event;
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::AppError;
use crate::platform::rate_limit;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Runs a pending action the organizer confirmed: once, only while pending and not expired.
pub async fn confirm(pool: &PgPool, scope: &OrganizationScope, pending_id: Uuid) -> Result<ConversationView, AppError> {
    scope.require(Role::Admin)?;
    rate_limit::hit(pool, MESSAGE_LIMIT, &scope.user_id.to_string()).await?;
    let mut tx = scope.begin(pool).await?;
    let pending =
        db::lock_pending(&mut tx, scope.organization_id, scope.user_id, pending_id).await?.ok_or(AppError::NotFound)?;
    if pending.status != "pending" {
        return Err(AppError::Conflict(format!("This change was already {}.", pending.status)));
    }
    if pending.expired {
        db::decide_pending(&mut *tx, pending_id, "expired", scope.user_id, "Expired before it was confirmed.").await?;
        tx.commit().await?;
        return Err(AppError::Conflict("This change expired; ask the assistant again.".into()));
    }
    if pending.kind == "cancel" {
        // Cancelling runs its own transaction (orders, refunds): decide first, so a second
        // click finds it confirmed, and record a failure if cancelling fails.
        db::decide_pending(&mut *tx, pending_id, "confirmed", scope.user_id, "Cancelled the event.").await?;
        tx.commit().await?;
        if let Err(error) = cancel_event::cancel_event(pool, scope, pending.event_id).await {
            return failed(pool, scope, &pending, error).await;
        }
        record_confirmed(&mut *pool.acquire().await?, scope, &pending, "cancel_event").await?;
        return view(pool, scope, pending.conversation_id).await;
    }
    let outcome = match run(&mut tx, scope, &pending).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tx.rollback().await?;
            return failed(pool, scope, &pending, error).await;
        }
    };
    db::decide_pending(&mut *tx, pending_id, "confirmed", scope.user_id, &outcome).await?;
    record_confirmed(&mut tx, scope, &pending, &pending.kind).await?;
    tx.commit().await?;
    view(pool, scope, pending.conversation_id).await
}

/// A confirmed change that could not be made: the card says why, and so does the chat.
async fn failed(
    pool: &PgPool,
    scope: &OrganizationScope,
    pending: &db::PendingRow,
    error: AppError,
) -> Result<ConversationView, AppError> {
    let reason = refusal(error);
    tracing::info!(pending_action = %pending.id, %reason, "a confirmed change could not be made");
    let mut tx = pool.begin().await?;
    db::pending_failed(&mut *tx, pending.id, scope.user_id, &reason).await?;
    let words = format!("I could not do that: {reason} Nothing was changed.");
    let message = NewMessage {
        conversation_id: pending.conversation_id,
        role: "assistant",
        content: &words,
        tool_calls: None,
        changes: &[],
        provider: Some(BUILTIN),
        prompt_tokens: None,
        completion_tokens: None,
    };
    db::insert_message(&mut *tx, &message).await?;
    tx.commit().await?;
    view(pool, scope, pending.conversation_id).await
}

async fn record_confirmed(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
    pending: &db::PendingRow,
    action: &str,
) -> Result<(), AppError> {
    let details = serde_json::json!({ "pending_action": pending.id, "arguments": pending.arguments });
    let action = NewAction {
        organization_id: scope.organization_id,
        conversation_id: pending.conversation_id,
        event_id: Some(pending.event_id),
        performed_by: scope.user_id,
        action,
        details: &details,
    };
    db::insert_action(&mut *conn, &action).await?;
    let words = format!("Confirmed: {}", pending.summary);
    let message = NewMessage {
        conversation_id: pending.conversation_id,
        role: "assistant",
        content: &words,
        tool_calls: None,
        changes: std::slice::from_ref(&words),
        provider: Some(BUILTIN),
        prompt_tokens: None,
        completion_tokens: None,
    };
    db::insert_message(&mut *conn, &message).await?;
    Ok(())
}

/// The change a pending action names, through the same domain functions as the dashboard.
async fn run(tx: &mut PgConnection, scope: &OrganizationScope, pending: &db::PendingRow) -> Result<String, AppError> {
    let args = &pending.arguments;
    match pending.kind.as_str() {
        "publish" => {
            events::change_status_in(tx, scope, pending.event_id, EventStatus::Published).await?;
            Ok("Published.".into())
        }
        _ if ["tier_id", "add", "deactivate"].iter().any(|key| args.get(key).is_some()) => {
            // Locked before reading, so what is compared with the card is what gets changed.
            let event = events::event_for_change_in(tx, scope, pending.event_id).await?;
            let event = match args.get("tier_id").and_then(|v| v.as_str()).and_then(|v| Uuid::parse_str(v).ok()) {
                // Read again once the tier is locked too.
                Some(tier_id) => {
                    tiers::lock_tier_in(tx, scope, tier_id).await?;
                    events::event_editor_in(tx, scope, pending.event_id).await?
                }
                None => event,
            };
            let currency = Currency::from_code(&event.currency).unwrap_or(Currency::CAD);
            if let Some(tier_id) = args.get("deactivate").and_then(|v| v.as_str()).and_then(|v| Uuid::parse_str(v).ok())
            {
                tiers::set_tier_active_in(tx, scope, tier_id, false).await?;
                return Ok("Taken off sale.".into());
            }
            if let Some(add) = args.get("add") {
                let name = add.get("name").and_then(|v| v.as_str()).unwrap_or_default();
                let hundredths = add.get("price_cents").and_then(|v| v.as_i64()).unwrap_or_default();
                let price =
                    crate::assistant::draft::to_minor(hundredths, currency.code()).map_err(AppError::Conflict)?;
                let form = TierForm {
                    name: name.into(),
                    price: currency.amount(price),
                    capacity: event.capacity.to_string(),
                    ..TierForm::default()
                };
                tiers::add_tier_in(tx, scope, pending.event_id, form).await?;
                return Ok(format!("Tier {name} is on sale."));
            }
            let tier_id = args
                .get("tier_id")
                .and_then(|v| v.as_str())
                .and_then(|v| Uuid::parse_str(v).ok())
                .ok_or(AppError::NotFound)?;
            let tier = event.tiers.iter().find(|t| t.id == tier_id).ok_or(AppError::NotFound)?;
            let name = args.get("name").and_then(|v| v.as_str()).unwrap_or(&tier.name).to_string();
            // Minor units of the event's currency, as the proposal stored them.
            let price = args.get("price_cents").and_then(|v| v.as_i64()).unwrap_or(tier.price_cents);
            let capacity = args
                .get("capacity")
                .and_then(|v| v.as_i64())
                .and_then(|c| i32::try_from(c).ok())
                .unwrap_or(tier.capacity);
            still_as_shown(pending, &apply::tier_diff(tier, &name, price, capacity, &event.currency), &event.name)?;
            let form = TierForm {
                name,
                description: Some(tier.description.clone()),
                price: currency.amount(price),
                capacity: capacity.to_string(),
                sales_start_local: tier.sales_start_local.clone(),
                sales_end_local: tier.sales_end_local.clone(),
                min_per_order: Some(tier.min_per_order.to_string()),
                max_per_order: Some(tier.max_per_order.to_string()),
            };
            tiers::update_tier_in(tx, scope, tier_id, form).await?;
            Ok("Tier updated.".into())
        }
        "edit_event" | "change_capacity" => {
            let event = events::event_for_change_in(tx, scope, pending.event_id).await?;
            let mut draft = Draft::default().refreshed_from(&event, None);
            if let Some(venue_id) = args.get("venue_id").and_then(|v| v.as_str()).and_then(|v| Uuid::parse_str(v).ok())
            {
                draft.venue_id = Some(venue_id);
            } else {
                let fields: EventFields = serde_json::from_value(args.clone())
                    .map_err(|e| AppError::internal("a pending edit does not read", e))?;
                let before = draft.clone();
                draft = apply::merged(&draft, &fields).map_err(AppError::Conflict)?;
                still_as_shown(pending, &apply::field_diff(&before, &draft), &event.name)?;
            }
            let form: EventForm = draft.event_form().ok_or(AppError::NotFound)?;
            events::update_event_in(tx, scope, pending.event_id, apply::with_event_settings(form, &event)).await?;
            Ok("Event updated.".into())
        }
        other => Err(AppError::internal("a pending action of an unknown kind", other)),
    }
}

/// Refuses a card whose change would no longer be the one it shows: the event or tier was
/// changed elsewhere after the card was made, so "now" on the card is not now any more.
fn still_as_shown(
    pending: &db::PendingRow,
    diff: &[(String, String, String)],
    event_name: &str,
) -> Result<(), AppError> {
    let shown: Vec<(String, String, String)> = serde_json::from_value(pending.after.clone()).unwrap_or_default();
    if shown == diff {
        return Ok(());
    }
    tracing::info!(pending_action = %pending.id, ?shown, now = ?diff, "a card went stale before it was confirmed");
    Err(AppError::Conflict(format!(
        "“{event_name}” was changed since this card was made, so it no longer shows what confirming would do; \
         ask the assistant again."
    )))
}

/// Dismisses a pending action: it will never run.
pub async fn dismiss(pool: &PgPool, scope: &OrganizationScope, pending_id: Uuid) -> Result<ConversationView, AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let pending =
        db::lock_pending(&mut tx, scope.organization_id, scope.user_id, pending_id).await?.ok_or(AppError::NotFound)?;
    db::decide_pending(&mut *tx, pending_id, "dismissed", scope.user_id, "Dismissed.").await?;
    tx.commit().await?;
    view(pool, scope, pending.conversation_id).await
}
