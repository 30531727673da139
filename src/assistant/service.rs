//! Conversations with the assistant: one message is read, planned and applied in one
//! transaction (all of its tool calls or none), and its reply records what it changed.
//! Pending actions run only from the organizer's click, at most once, within 15 minutes.

use crate::assistant::apply::{self, Turn};
use crate::assistant::db::{self, NewAction, NewMessage, NewPending};
use crate::assistant::draft::Draft;
use crate::assistant::stream::{Progress, ReplyEvent};
use crate::assistant::tools::ToolCall;
use crate::assistant::{ChatMessageView, ConversationSummary, ConversationView, PendingActionView, builtin};
use crate::assistant::{crosscheck, model};
use crate::events::service as events;
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::config::AiConfig;
use crate::platform::error::AppError;
use crate::platform::rate_limit::{self, Limit};
use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use uuid::Uuid;

/// Messages one person may send the assistant per minute.
pub const MESSAGE_LIMIT: Limit = Limit { name: "assistant_message", max: 20, window: Duration::from_secs(60) };
/// The longest message the assistant reads.
pub const MAX_MESSAGE: usize = 4_000;
/// Which assistant answers.
pub const BUILTIN: &str = "builtin";

/// Starts a conversation, about an existing event of the organization when `event_id` is given.
pub async fn start(pool: &PgPool, scope: &OrganizationScope, event_id: Option<Uuid>) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    rate_limit::hit(pool, MESSAGE_LIMIT, &scope.user_id.to_string()).await?;
    let id = Uuid::new_v4();
    let mut tx = scope.begin(pool).await?;
    let title = match event_id {
        Some(event_id) => events::event_editor_in(&mut tx, scope, event_id).await?.name,
        None => "New event".to_string(),
    };
    let title: String = title.chars().take(120).collect();
    db::insert_conversation(&mut *tx, id, scope.organization_id, scope.user_id, &title, event_id).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn conversations(pool: &PgPool, scope: &OrganizationScope) -> Result<Vec<ConversationSummary>, AppError> {
    scope.require(Role::Admin)?;
    let rows = db::conversations(pool, scope.organization_id, scope.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| ConversationSummary {
            id: row.id,
            title: row.title,
            updated: row.updated_at.with_timezone(&chrono_tz::America::Toronto).format("%b %-d, %H:%M").to_string(),
        })
        .collect())
}

/// The conversation as the page shows it.
pub async fn view(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<ConversationView, AppError> {
    scope.require(Role::Admin)?;
    let row = db::conversation(pool, scope.organization_id, scope.user_id, id).await?.ok_or(AppError::NotFound)?;
    let mut conn = pool.acquire().await?;
    let draft = load_draft(&mut conn, scope, id, row.event_id).await?;
    let messages = db::messages(&mut *conn, id)
        .await?
        .into_iter()
        .map(|m| ChatMessageView {
            id: m.id,
            role: m.role,
            content: m.content,
            changes: serde_json::from_value(m.changes).unwrap_or_default(),
        })
        .collect();
    let pending = db::pending_of(&mut *conn, id)
        .await?
        .into_iter()
        .map(|p| PendingActionView {
            id: p.id,
            kind: p.kind,
            summary: p.summary,
            diff: serde_json::from_value(p.after).unwrap_or_default(),
            status: if p.status == "pending" && p.expired { "expired".into() } else { p.status },
            outcome: p.outcome,
        })
        .collect();
    Ok(ConversationView {
        id,
        title: row.title,
        messages,
        pending,
        preview: draft.preview(row.event_id),
        assistant: "the built-in assistant".into(),
    })
}

/// What the conversation knows of its event: the wizard's data, read again from the event
/// when there is one (so edits made elsewhere are seen).
async fn load_draft(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
    conversation_id: Uuid,
    event_id: Option<Uuid>,
) -> Result<Draft, AppError> {
    let saved: Draft = serde_json::from_value(db::wizard_data(&mut *conn, conversation_id).await?).unwrap_or_default();
    let Some(event_id) = event_id else { return Ok(saved) };
    match events::event_editor_in(conn, scope, event_id).await {
        Ok(event) => {
            let venue = match event.venue_id {
                Some(venue_id) => {
                    crate::venues::db::venue(&mut *conn, scope.organization_id, venue_id).await?.map(|v| v.name)
                }
                None => None,
            };
            Ok(saved.refreshed_from(&event, venue))
        }
        Err(AppError::NotFound) => Ok(saved),
        Err(other) => Err(other),
    }
}

/// Reads the organizer's message, plans it with the built-in assistant and applies it.
/// Which assistant answers: the built-in one, or a configured model (with the built-in one
/// answering while the model cannot be reached).
#[derive(Clone)]
pub enum Assistant {
    Builtin,
    Model { http: reqwest::Client, config: AiConfig },
}

impl Assistant {
    pub fn from_state(state: &crate::platform::state::AppState) -> Self {
        match &state.config.ai {
            Some(config) => Assistant::Model { http: state.http.clone(), config: config.clone() },
            None => Assistant::Builtin,
        }
    }
}

/// Who answered and what it cost, for the record.
#[derive(Debug, Clone, Copy)]
pub struct Answerer<'a> {
    pub provider: &'a str,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

const BUILT_IN: Answerer<'static> = Answerer { provider: BUILTIN, prompt_tokens: 0, completion_tokens: 0 };

/// Reads the organizer's message with the built-in assistant and applies it.
pub async fn send(
    pool: &PgPool,
    scope: &OrganizationScope,
    id: Uuid,
    text: &str,
) -> Result<ConversationView, AppError> {
    send_with(pool, &Assistant::Builtin, scope, id, text).await
}

/// Reads the organizer's message with `assistant` and applies what it asks for.
pub async fn send_with(
    pool: &PgPool,
    assistant: &Assistant,
    scope: &OrganizationScope,
    id: Uuid,
    text: &str,
) -> Result<ConversationView, AppError> {
    let accepted = accept(pool, scope, id, text).await?;
    answer(pool, assistant, scope, &accepted, &Progress::default()).await?;
    view(pool, scope, id).await
}

/// A message checked, counted against the sender's limit and saved, waiting for its answer.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub conversation_id: Uuid,
    title: String,
    event_id: Option<Uuid>,
    text: String,
}

/// Checks and saves the organizer's message. A refused message writes nothing.
pub async fn accept(pool: &PgPool, scope: &OrganizationScope, id: Uuid, text: &str) -> Result<Accepted, AppError> {
    scope.require(Role::Admin)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("message", "Write a message first."));
    }
    if text.chars().count() > MAX_MESSAGE {
        return Err(AppError::field("message", format!("Keep a message under {MAX_MESSAGE} characters.")));
    }
    let row = db::conversation(pool, scope.organization_id, scope.user_id, id).await?.ok_or(AppError::NotFound)?;
    rate_limit::hit(pool, MESSAGE_LIMIT, &scope.user_id.to_string()).await?;
    let message = NewMessage {
        conversation_id: id,
        role: "user",
        content: text,
        tool_calls: None,
        changes: &[],
        provider: None,
        prompt_tokens: None,
        completion_tokens: None,
    };
    db::insert_message(pool, &message).await?;
    Ok(Accepted { conversation_id: id, title: row.title, event_id: row.event_id, text: text.to_owned() })
}

/// Answers an accepted message: plans it with `assistant` and applies the plan, telling
/// `progress` what happens as it happens.
pub async fn answer(
    pool: &PgPool,
    assistant: &Assistant,
    scope: &OrganizationScope,
    accepted: &Accepted,
    progress: &Progress,
) -> Result<(), AppError> {
    let Accepted { conversation_id: id, title, event_id, text } = accepted;
    let (id, text) = (*id, text.as_str());
    progress.say(ReplyEvent::Typing);
    if let Assistant::Model { http, config } = assistant {
        // The model is asked with no transaction open: it may take seconds.
        let (draft, history) = {
            let mut conn = pool.acquire().await?;
            let draft = load_draft(&mut conn, scope, id, *event_id).await?;
            (draft, db::messages(&mut *conn, id).await?)
        };
        let now = Utc::now().with_timezone(&draft.tz());
        let today = now.date_naive();
        let mut messages = vec![serde_json::json!({
            "role": "system",
            "content": model::system_prompt(
                &now.format("%A %Y-%m-%d %H:%M (UTC%:z)").to_string(),
                &serde_json::to_value(&draft).unwrap_or_default(),
            ),
        })];
        // The last twenty messages (this one included) carry the conversation.
        let skip = history.len().saturating_sub(20);
        messages.extend(history.iter().skip(skip).map(|m| serde_json::json!({ "role": m.role, "content": m.content })));
        match model::ask(http, config, messages, progress).await {
            Ok(reply) => {
                return answer_from_model(pool, scope, id, title, text, today, reply, &config.model).await;
            }
            Err(model::Unavailable(reason)) => {
                progress.say(ReplyEvent::Restart);
                tracing::warn!(conversation_id = %id, %reason, "the model could not answer; the built-in assistant answers");
            }
        }
    }
    let mut tx = scope.begin(pool).await?;
    let event_id = db::lock_conversation(&mut tx, id).await?;
    let draft = load_draft(&mut tx, scope, id, event_id).await?;
    let today = Utc::now().with_timezone(&draft.tz()).date_naive();
    let plan = builtin::plan(text, &draft, event_id.is_some(), today);
    let mut draft = draft;
    draft.asked = plan.asked.clone();
    let turn = Turn::new(*scope, id, event_id, draft);
    let reply = apply_message(pool, tx, turn, &plan.calls, &plan.questions, title, BUILT_IN).await?;
    progress.say(ReplyEvent::Text { text: reply });
    Ok(())
}

/// Applies a model's answer: refused whole when a call cannot be read, asked about when it
/// disagrees with the built-in parser's reading, applied like the built-in assistant's otherwise.
#[allow(clippy::too_many_arguments)]
async fn answer_from_model(
    pool: &PgPool,
    scope: &OrganizationScope,
    id: Uuid,
    title: &str,
    text: &str,
    today: chrono::NaiveDate,
    reply: model::ModelReply,
    provider: &str,
) -> Result<(), AppError> {
    let answerer =
        Answerer { provider, prompt_tokens: reply.prompt_tokens, completion_tokens: reply.completion_tokens };
    let raw = serde_json::to_value(&reply.raw_calls).unwrap_or_default();
    let refused: Vec<String> = reply.calls.iter().filter_map(|c| c.as_ref().err().cloned()).collect();
    let calls: Vec<ToolCall> = reply.calls.into_iter().filter_map(Result::ok).collect();
    let questions = if refused.is_empty() { crosscheck::disagreements(text, today, &calls) } else { Vec::new() };
    if !refused.is_empty() || !questions.is_empty() {
        let words = if refused.is_empty() {
            questions.join(" ")
        } else {
            tracing::info!(conversation_id = %id, refused = ?refused, "the model's calls were refused");
            format!("I could not do that: {} Nothing was changed.", refused.join(" "))
        };
        let message = NewMessage {
            conversation_id: id,
            role: "assistant",
            content: &words,
            tool_calls: Some(raw),
            changes: &[],
            provider: Some(provider),
            prompt_tokens: i32::try_from(answerer.prompt_tokens).ok(),
            completion_tokens: i32::try_from(answerer.completion_tokens).ok(),
        };
        db::insert_message(pool, &message).await?;
        db::touch_conversation(pool, id, answerer.prompt_tokens, answerer.completion_tokens).await?;
        return Ok(());
    }
    let mut tx = scope.begin(pool).await?;
    let event_id = db::lock_conversation(&mut tx, id).await?;
    let draft = load_draft(&mut tx, scope, id, event_id).await?;
    let turn = Turn::new(*scope, id, event_id, draft);
    let said: Vec<String> = Some(reply.text).filter(|t| !t.is_empty()).into_iter().collect();
    apply_message(pool, tx, turn, &calls, &said, title, answerer).await?;
    Ok(())
}

/// Applies one message's calls in `tx` (which holds the conversation's lock): all of them
/// and the reply, or, when one is refused, none of them and the refusal as the reply.
/// Returns the reply's words.
pub async fn apply_message(
    pool: &PgPool,
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    mut turn: Turn,
    calls: &[ToolCall],
    questions: &[String],
    title: &str,
    answerer: Answerer<'_>,
) -> Result<String, AppError> {
    let id = turn.conversation_id;
    let scope = turn.scope;
    let recorded = serde_json::to_value(calls).unwrap_or_default();
    for call in calls {
        if let Err(reason) = apply::apply(&mut tx, &mut turn, call).await {
            tx.rollback().await?;
            tracing::info!(conversation_id = %id, tool = call.name(), %reason, "assistant message refused");
            let reply = format!("I could not do that: {reason} Nothing was changed.");
            let message = NewMessage {
                conversation_id: id,
                role: "assistant",
                content: &reply,
                tool_calls: Some(recorded),
                changes: &[],
                provider: Some(answerer.provider),
                prompt_tokens: i32::try_from(answerer.prompt_tokens).ok(),
                completion_tokens: i32::try_from(answerer.completion_tokens).ok(),
            };
            db::insert_message(pool, &message).await?;
            db::touch_conversation(pool, id, answerer.prompt_tokens, answerer.completion_tokens).await?;
            return Ok(reply);
        }
    }
    record(&mut tx, &scope, &turn).await?;
    if title == "New event"
        && let Some(name) = &turn.draft.name
    {
        db::set_title(&mut *tx, id, &name.chars().take(120).collect::<String>()).await?;
    }
    let reply = reply(&turn, questions);
    let message = NewMessage {
        conversation_id: id,
        role: "assistant",
        content: &reply,
        tool_calls: Some(recorded),
        changes: &turn.changes,
        provider: Some(answerer.provider),
        prompt_tokens: i32::try_from(answerer.prompt_tokens).ok(),
        completion_tokens: i32::try_from(answerer.completion_tokens).ok(),
    };
    db::insert_message(&mut *tx, &message).await?;
    db::touch_conversation(&mut *tx, id, answerer.prompt_tokens, answerer.completion_tokens).await?;
    tx.commit().await?;
    Ok(reply)
}

/// Writes what the turn did: its actions, its proposals and the wizard's state.
async fn record(tx: &mut PgConnection, scope: &OrganizationScope, turn: &Turn) -> Result<(), AppError> {
    for (action, details) in &turn.actions {
        let action = NewAction {
            organization_id: scope.organization_id,
            conversation_id: turn.conversation_id,
            event_id: turn.event_id,
            performed_by: scope.user_id,
            action,
            details,
        };
        db::insert_action(&mut *tx, &action).await?;
    }
    for proposal in &turn.proposals {
        let diff = serde_json::to_value(&proposal.diff).unwrap_or_default();
        db::insert_pending(
            &mut *tx,
            &NewPending {
                id: Uuid::new_v4(),
                organization_id: scope.organization_id,
                conversation_id: turn.conversation_id,
                event_id: proposal.event_id,
                requested_by: scope.user_id,
                kind: proposal.kind,
                arguments: &proposal.arguments,
                diff: &diff,
                summary: &proposal.summary,
            },
        )
        .await?;
    }
    let (stage, done) = turn.draft.stage(turn.event_id.is_some());
    let done: Vec<String> = done.iter().map(|s| s.as_str().to_string()).collect();
    let data = serde_json::to_value(&turn.draft).map_err(|e| AppError::internal("a draft does not serialise", e))?;
    db::save_wizard(&mut *tx, turn.conversation_id, stage.as_str(), &data, &done).await?;
    Ok(())
}

/// The assistant's words: what it did, what it found, what waits for a click, what it needs.
fn reply(turn: &Turn, questions: &[String]) -> String {
    let mut parts = Vec::new();
    if !turn.changes.is_empty() {
        parts.push(match (&turn.draft.name, turn.event_id) {
            (Some(name), Some(_)) => format!("Done — “{name}” is updated."),
            _ => "Noted.".to_string(),
        });
    }
    parts.extend(turn.notes.iter().cloned());
    for proposal in &turn.proposals {
        parts.push(format!("{} Confirm it on the card below (it expires in 15 minutes).", proposal.summary));
    }
    if !questions.is_empty() {
        parts.push(questions.join(" "));
    }
    if parts.is_empty() {
        parts.push(
            "I did not find anything to change in that. Tell me the event's name, day and hours, venue, capacity or \
             ticket prices — or say “publish” when it is ready."
                .into(),
        );
    }
    parts.join(" ")
}

/// An edit made by hand in the preview (a field, or a tier): the same path as the
/// assistant's own changes, so drafts are edited directly and public events get a card.
pub async fn edit(
    pool: &PgPool,
    scope: &OrganizationScope,
    id: Uuid,
    call: ToolCall,
) -> Result<ConversationView, AppError> {
    scope.require(Role::Admin)?;
    rate_limit::hit(pool, MESSAGE_LIMIT, &scope.user_id.to_string()).await?;
    if !matches!(call, ToolCall::UpdateEvent(_) | ToolCall::AddTier(_)) {
        return Err(AppError::field("draft", "Only the event's fields and tiers are edited here."));
    }
    call.check().map_err(|message| AppError::field("draft", message))?;
    db::conversation(pool, scope.organization_id, scope.user_id, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = scope.begin(pool).await?;
    let event_id = db::lock_conversation(&mut tx, id).await?;
    let draft = load_draft(&mut tx, scope, id, event_id).await?;
    let mut turn = Turn::new(*scope, id, event_id, draft);
    apply::apply(&mut tx, &mut turn, &call).await.map_err(|message| AppError::field("draft", message))?;
    // Edits by hand are the organizer's own (the audit trail has them), not the assistant's,
    // except the event and tiers the edit completed.
    turn.actions.retain(|(action, _)| matches!(action.as_str(), "create_event_draft" | "add_tier"));
    record(&mut tx, scope, &turn).await?;
    tx.commit().await?;
    view(pool, scope, id).await
}
