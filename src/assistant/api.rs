//! The assistant's server functions: for an organization's admins and owners (door staff
//! never reach it). Each conversation belongs to the person who started it.

use crate::assistant::{ConversationSummary, ConversationView, TaskBoard};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    assistant::{
        confirm, service, tasks,
        tools::{EventFields, TierArgs, ToolCall},
    },
    events::Currency,
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
};
use leptos::prelude::*;

/// Says which assistant answers: the configured model's name, or the built-in one.
#[cfg(feature = "ssr")]
fn answered_by(state: &crate::platform::state::AppState, mut view: ConversationView) -> ConversationView {
    if let Some(ai) = &state.config.ai {
        view.assistant = format!("{} (the built-in assistant while it cannot be reached)", ai.model);
    }
    view
}

/// The caller's conversations in their organization, newest first.
#[server(prefix = "/api", endpoint = "list_conversations")]
pub async fn list_conversations() -> Result<Vec<ConversationSummary>, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::conversations(&state.pool, &scope).await
    })
    .await
}

/// Starts a conversation (about one of the organization's events when `event_id` is given)
/// and returns its id.
#[server(prefix = "/api", endpoint = "start_conversation")]
pub async fn start_conversation(event_id: Option<String>) -> Result<String, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let event_id = match event_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => Some(parse_id(id)?),
            None => None,
        };
        let id = service::start(&state.pool, &scope, event_id).await?;
        leptos_axum::redirect(&format!("/dashboard/assistant/{id}"));
        Ok(id.to_string())
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_conversation")]
pub async fn get_conversation(id: String) -> Result<ConversationView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::view(&state.pool, &scope, parse_id(&id)?).await.map(|view| answered_by(&state, view))
    })
    .await
}

/// Sends a message; the answer is the conversation with the assistant's reply.
#[server(prefix = "/api", endpoint = "send_assistant_message")]
pub async fn send_assistant_message(id: String, message: String) -> Result<ConversationView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let assistant = service::Assistant::from_state(&state);
        service::send_with(&state.pool, &assistant, &scope, parse_id(&id)?, &message)
            .await
            .map(|view| answered_by(&state, view))
    })
    .await
}

/// Sends a message and streams the reply as it is produced: one `ReplyEvent` per line,
/// ending with `done` (or `failed`). A refused message (empty, too long, too many) is an
/// error before the stream starts and writes nothing. The reply is produced and saved even
/// when the page goes away mid-stream.
#[server(prefix = "/api", endpoint = "stream_assistant_reply", output = leptos::server_fn::codec::StreamingText)]
pub async fn stream_assistant_reply(
    id: String,
    message: String,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    use crate::assistant::stream::{Progress, ReplyEvent};
    use futures::StreamExt;
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let accepted = service::accept(&state.pool, &scope, parse_id(&id)?, &message).await?;
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
        let assistant = service::Assistant::from_state(&state);
        let pool = state.pool.clone();
        tokio::spawn(async move {
            let progress = Progress::to(sender);
            match service::answer(&pool, &assistant, &scope, &accepted, &progress).await {
                Ok(()) => progress.say(ReplyEvent::Done),
                Err(error) => {
                    tracing::error!(conversation_id = %accepted.conversation_id, %error, "an assistant reply failed");
                    progress.say(ReplyEvent::Failed { message: error.to_string() });
                }
            }
        });
        // Compressing would hold the pieces back until enough of them piled up.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response
                .insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store, no-transform"));
            response.insert_header(
                http::HeaderName::from_static("x-accel-buffering"),
                http::HeaderValue::from_static("no"),
            );
        }
        let lines = futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)).map(|event| Ok(event.to_line()));
        Ok(leptos::server_fn::codec::TextStream::new(lines))
    })
    .await
}

/// Runs a pending action: only the organizer's click does this, once.
#[server(prefix = "/api", endpoint = "confirm_assistant_action")]
pub async fn confirm_assistant_action(id: String) -> Result<ConversationView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        confirm::confirm(&state.pool, &scope, parse_id(&id)?).await.map(|view| answered_by(&state, view))
    })
    .await
}

#[server(prefix = "/api", endpoint = "dismiss_assistant_action")]
pub async fn dismiss_assistant_action(id: String) -> Result<ConversationView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        confirm::dismiss(&state.pool, &scope, parse_id(&id)?).await.map(|view| answered_by(&state, view))
    })
    .await
}

/// An edit made by hand in the preview. Blank fields are left as they are.
#[server(prefix = "/api", endpoint = "edit_assistant_draft")]
pub async fn edit_assistant_draft(
    id: String,
    name: String,
    start_local: String,
    end_local: String,
    capacity: String,
    event_type: Option<String>,
    timezone: Option<String>,
    currency: Option<String>,
) -> Result<ConversationView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let text = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let choice = |v: Option<String>| v.and_then(text);
        let capacity = match text(capacity) {
            Some(c) => Some(
                c.parse::<i64>().map_err(|_| AppError::field("capacity", "Enter the capacity as a whole number."))?,
            ),
            None => None,
        };
        let fields = EventFields {
            name: text(name),
            start_local: text(start_local),
            end_local: text(end_local),
            capacity,
            event_type: choice(event_type),
            timezone: choice(timezone),
            currency: choice(currency),
            ..EventFields::default()
        };
        service::edit(&state.pool, &scope, parse_id(&id)?, ToolCall::UpdateEvent(fields))
            .await
            .map(|view| answered_by(&state, view))
    })
    .await
}

/// A tier added by hand in the preview ("49", "49.50": the price in the draft's currency).
#[server(prefix = "/api", endpoint = "add_assistant_tier")]
pub async fn add_assistant_tier(id: String, name: String, price: String) -> Result<ConversationView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let price_cents = Currency::CAD.parse_price(&price).map_err(|message| AppError::field("price", message))?;
        let call = ToolCall::AddTier(TierArgs { name: name.trim().to_string(), price_cents, capacity: None });
        service::edit(&state.pool, &scope, parse_id(&id)?, call).await.map(|view| answered_by(&state, view))
    })
    .await
}

/// An event's planning board.
#[server(prefix = "/api", endpoint = "get_task_board")]
pub async fn get_task_board(event_id: String) -> Result<TaskBoard, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        tasks::task_board(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

/// Moves a task to another column, renames it or gives it to a member (blank: nobody).
#[server(prefix = "/api", endpoint = "update_task")]
pub async fn update_task(task_id: String, title: String, status: String, assignee_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let assignee = match assignee_id.trim() {
            "" => None,
            id => Some(parse_id(id).map_err(|_| AppError::field("assignee_id", "Choose someone from your team."))?),
        };
        tasks::update_task(&state.pool, &scope, parse_id(&task_id)?, &title, &status, assignee).await
    })
    .await
}
