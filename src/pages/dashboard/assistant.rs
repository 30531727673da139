//! `/dashboard/assistant`: the organizer's conversations with the assistant, and
//! `/dashboard/assistant/{id}`: one conversation beside a live preview of the event it
//! builds. Changes that are public or irreversible arrive as cards to confirm.

use crate::assistant::api::{
    AddAssistantTier, ConfirmAssistantAction, DismissAssistantAction, EditAssistantDraft, SendAssistantMessage,
    StartConversation, get_conversation, list_conversations, stream_assistant_reply,
};
use crate::assistant::stream::{Lines, ReplyEvent};
use crate::assistant::{ChatMessageView, ConversationView, DraftPreview, PendingActionView, Stage};
use crate::components::form::{FormAlert, action_error, bump_on_success};
use crate::components::guard::AccessProblem;
use crate::events::{Currency, EventType};
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/dashboard/assistant`: start a conversation or pick one up again.
#[component]
pub fn AssistantHome() -> impl IntoView {
    let start = ServerAction::<StartConversation>::new();
    let conversations = Resource::new(|| (), |_| list_conversations());
    view! {
        <Title text="Assistant" />
        <header class="page-header with-actions">
            <div>
                <p class="eyebrow"><a href="/dashboard">"Dashboard"</a></p>
                <h1>"Assistant"</h1>
                <p class="muted">"Describe your event in your own words; the assistant fills in a draft as you go. Nothing goes public until you confirm it."</p>
            </div>
            <ActionForm action=start attr:class="inline-form">
                <button type="submit" class="button" data-testid="new-conversation">"New conversation"</button>
            </ActionForm>
        </header>
        <FormAlert error=action_error(start) />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading conversations…"</p> }>
            {move || Suspend::new(async move {
                match conversations.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No conversations yet. Start one and write, for example: “Create a workshop called Data Basics on March 3, 1–4pm at MaRS for 30 people, $49.”"</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="conversation-list">
                            {list.into_iter().map(|c| view! {
                                <li><a href=format!("/dashboard/assistant/{}", c.id)>{c.title}</a> " " <span class="muted">{c.updated}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/dashboard/assistant/{id}`: the chat and the draft's preview.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let live = RwSignal::new(None::<LiveReply>);
    let send_error = RwSignal::new(None::<AppError>);
    let confirm = ServerAction::<ConfirmAssistantAction>::new();
    let dismiss = ServerAction::<DismissAssistantAction>::new();
    let edit = ServerAction::<EditAssistantDraft>::new();
    let add_tier = ServerAction::<AddAssistantTier>::new();
    bump_on_success(add_tier, version);
    bump_on_success(confirm, version);
    bump_on_success(dismiss, version);
    bump_on_success(edit, version);
    let conversation = Resource::new(move || (id(), version.get()), |(id, _)| get_conversation(id));
    // A finished reply stays on screen until the saved conversation that holds it arrives.
    Effect::new(move |_| {
        conversation.track();
        if live.with_untracked(|l| l.as_ref().is_some_and(|l| l.finished)) {
            live.set(None);
        }
    });
    let actions = Actions { live, send_error, version, confirm, dismiss, edit, add_tier };
    view! {
        <Title text="Assistant" />
        <Transition fallback=|| view! { <p aria-busy="true">"Opening the conversation…"</p> }>
            {move || Suspend::new(async move {
                match conversation.await {
                    Ok(view) => view! { <Conversation view actions /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A reply being produced: what the organizer sent and the words that arrived so far.
#[derive(Debug, Clone, Default)]
struct LiveReply {
    sent: String,
    words: String,
    finished: bool,
}

#[derive(Clone, Copy)]
struct Actions {
    live: RwSignal<Option<LiveReply>>,
    send_error: RwSignal<Option<AppError>>,
    version: RwSignal<u32>,
    confirm: ServerAction<ConfirmAssistantAction>,
    dismiss: ServerAction<DismissAssistantAction>,
    edit: ServerAction<EditAssistantDraft>,
    add_tier: ServerAction<AddAssistantTier>,
}

/// Time zones offered when editing by hand (the assistant reads any city it knows).
const TIMEZONES: &[&str] = &[
    "America/Toronto",
    "America/Vancouver",
    "America/Edmonton",
    "America/Winnipeg",
    "America/Regina",
    "America/Halifax",
    "America/St_Johns",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Paris",
    "UTC",
];

/// Sends `message` and follows its reply as it streams in; when the reply is saved the
/// conversation is read again.
async fn stream_reply(actions: Actions, id: String, message: String, input: NodeRef<leptos::html::Textarea>) {
    use futures::StreamExt;
    let Actions { live, send_error, version, .. } = actions;
    send_error.set(None);
    live.set(Some(LiveReply { sent: message.clone(), ..LiveReply::default() }));
    let stream = match stream_assistant_reply(id, message).await {
        // Accepted: the box is ready for the next message. A refused one keeps its text.
        Ok(stream) => {
            if let Some(input) = input.get_untracked() {
                input.set_value("");
            }
            stream
        }
        Err(error) => {
            live.set(None);
            send_error.set(Some(error));
            return;
        }
    };
    let mut stream = std::pin::pin!(stream.into_inner());
    let mut lines = Lines::default();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                send_error.set(Some(error));
                break;
            }
        };
        for event in lines.push(&chunk) {
            live.update(|l| {
                let Some(l) = l else { return };
                match event {
                    ReplyEvent::Typing => {}
                    ReplyEvent::Text { text } => l.words.push_str(&text),
                    ReplyEvent::Restart => l.words.clear(),
                    ReplyEvent::Done => l.finished = true,
                    ReplyEvent::Failed { message } => {
                        l.finished = true;
                        send_error.set(Some(AppError::field("message", message)));
                    }
                }
            });
        }
    }
    // However the stream ended, the saved conversation is the truth.
    live.update(|l| {
        if let Some(l) = l {
            l.finished = true;
        }
    });
    version.update(|v| *v += 1);
}

#[component]
fn Conversation(view: ConversationView, actions: Actions) -> impl IntoView {
    let ConversationView { id, title, messages, pending, preview, assistant } = view;
    let live = actions.live;
    let waiting = move || live.with(|l| l.as_ref().is_some_and(|l| !l.finished));
    let message = NodeRef::<leptos::html::Textarea>::new();
    let conversation_id = id.to_string();
    let send_path = <SendAssistantMessage as leptos::server_fn::ServerFn>::PATH;
    // Without JavaScript the form posts to the plain endpoint and the page reloads with the
    // answer; with it, the reply streams in.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = message.get() else { return };
        let text = input.value();
        if text.trim().is_empty() || waiting() {
            return;
        }
        leptos::task::spawn_local(stream_reply(actions, conversation_id.clone(), text, message));
    };
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard/assistant">"Assistant"</a></p>
            <h1>{title}</h1>
            <p class="muted">{format!("Answered by {assistant}.")}</p>
        </header>
        <div class="assistant-layout">
            <section class="assistant-chat" aria-labelledby="chat-heading">
                <h2 id="chat-heading" class="visually-hidden">"Conversation"</h2>
                <ol class="chat-log" aria-live="polite" data-testid="chat-log">
                    {messages.into_iter().map(|m| view! { <Message message=m /> }).collect_view()}
                    {move || live.get().map(|l| {
                        let typing = l.words.is_empty() && !l.finished;
                        view! {
                            <li class="chat-message from-user"><p>{l.sent}</p></li>
                            <li class="chat-message from-assistant" class:typing=typing aria-busy=(!l.finished).then_some("true") data-testid="live-reply">
                                {if typing { "The assistant is typing…".to_string() } else { l.words }}
                            </li>
                        }
                    })}
                </ol>
                {pending.into_iter().map(|card| view! { <ConfirmCard card actions /> }).collect_view()}
                <FormAlert error=actions.send_error.into() />
                <form method="post" action=send_path class="chat-composer" on:submit=on_submit>
                    <input type="hidden" name="id" value=id.to_string() />
                    <label for="chat-message" class="visually-hidden">"Message to the assistant"</label>
                    <textarea id="chat-message" name="message" rows="3" maxlength="4000" required node_ref=message
                        placeholder="Create a conference called Toronto AI Summit on March 12, 9am–5pm at MTCC for 500 people, general $299, VIP $599"
                        data-testid="chat-input"></textarea>
                    <button type="submit" class="button" disabled=waiting>"Send"</button>
                </form>
            </section>
            <Preview conversation_id=id.to_string() preview actions />
        </div>
    }
}

#[component]
fn Message(message: ChatMessageView) -> impl IntoView {
    let from_user = message.role == "user";
    view! {
        <li class="chat-message" class:from-user=from_user class:from-assistant=!from_user>
            <span class="visually-hidden">{if from_user { "You: " } else { "Assistant: " }}</span>
            <p>{message.content}</p>
            {(!message.changes.is_empty()).then(|| view! {
                <ul class="chat-changes" aria-label="What changed">
                    {message.changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                </ul>
            })}
        </li>
    }
}

#[component]
fn ConfirmCard(card: PendingActionView, actions: Actions) -> impl IntoView {
    let open = card.status == "pending";
    let status = match card.status.as_str() {
        "confirmed" => "Done",
        "dismissed" => "Dismissed",
        "expired" => "Expired — ask again",
        "failed" => "Failed",
        _ => "Waiting for you",
    };
    view! {
        <article class="confirm-card" class:open=open data-testid="confirm-card">
            <p class="confirm-status"><span class="badge">{status}</span></p>
            <p>{card.summary}</p>
            {(!card.diff.is_empty()).then(|| view! {
                <table class="diff">
                    <thead><tr><th scope="col">"What"</th><th scope="col">"Now"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        {card.diff.into_iter().map(|(what, before, after)| view! {
                            <tr><th scope="row">{what}</th><td>{before}</td><td>{after}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {card.outcome.map(|o| view! { <p class="muted">{o}</p> })}
            {open.then(|| view! {
                <div class="actions">
                    <ActionForm action=actions.confirm attr:class="inline-form">
                        <input type="hidden" name="id" value=card.id.to_string() />
                        <button type="submit" class="button">"Confirm"</button>
                    </ActionForm>
                    <ActionForm action=actions.dismiss attr:class="inline-form">
                        <input type="hidden" name="id" value=card.id.to_string() />
                        <button type="submit" class="button button-secondary">"Dismiss"</button>
                    </ActionForm>
                </div>
            })}
            <FormAlert error=action_error(actions.confirm) />
        </article>
    }
}

#[component]
fn Preview(conversation_id: String, preview: DraftPreview, actions: Actions) -> impl IntoView {
    let DraftPreview {
        event_id,
        status,
        stage,
        completed,
        name,
        event_type,
        when,
        start_local,
        end_local,
        timezone,
        timezone_is_default,
        venue,
        capacity,
        currency,
        currency_is_default,
        tiers,
        description,
    } = preview;
    let tier_form_id = conversation_id.clone();
    let unknown = || view! { <span class="muted">"Not yet"</span> }.into_any();
    let default_note = |is_default: bool| is_default.then(|| view! { " " <span class="badge">"default"</span> });
    view! {
        <aside class="assistant-preview" aria-labelledby="preview-heading" data-testid="draft-preview">
            <h2 id="preview-heading">"Draft"</h2>
            <ol class="stages" aria-label="Progress">
                {Stage::ALL.iter().map(|s| {
                    let done = completed.contains(s);
                    let current = stage == Some(*s);
                    view! {
                        <li class:done=done class:current=current aria-current=current.then_some("step")>
                            {s.label()} {done.then_some(" ✓")}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <dl class="preview-fields">
                <dt>"Name"</dt><dd data-testid="preview-name">{name.clone().map_or_else(unknown, |n| n.into_any())}</dd>
                <dt>"Kind"</dt><dd>{event_type.map_or_else(unknown, |t| t.into_any())}</dd>
                <dt>"When"</dt><dd data-testid="preview-when">{when.map_or_else(unknown, |w| w.into_any())}</dd>
                <dt>"Time zone"</dt><dd>{timezone} {default_note(timezone_is_default)}</dd>
                <dt>"Venue"</dt><dd>{venue.map_or_else(unknown, |v| v.into_any())}</dd>
                <dt>"Capacity"</dt><dd data-testid="preview-capacity">{capacity.map_or_else(unknown, |c| c.to_string().into_any())}</dd>
                <dt>"Currency"</dt><dd>{currency} {default_note(currency_is_default)}</dd>
                <dt>"Status"</dt><dd>{status.unwrap_or_else(|| "Not saved yet".into())}</dd>
            </dl>
            <h3>"Tickets"</h3>
            {if tiers.is_empty() {
                view! { <p class="muted">"No tiers yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="preview-tiers" data-testid="preview-tiers">
                        {tiers.into_iter().map(|t| view! {
                            <li class:inactive=!t.active>{t.name} " — " {t.price} {(!t.active).then_some(" (off sale)")}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {description.map(|d| view! { <h3>"Description"</h3><p class="preview-description">{d}</p> })}
            {event_id.map(|event_id| view! {
                <p class="actions">
                    <a href=format!("/dashboard/events/{event_id}/edit")>"Open the event"</a>
                    " · "
                    <a href=format!("/dashboard/events/{event_id}/tasks")>"Planning tasks"</a>
                </p>
            })}
            <details class="preview-edit">
                <summary>"Edit by hand"</summary>
                <ActionForm action=actions.edit>
                    <input type="hidden" name="id" value=conversation_id.clone() />
                    <label for="edit-name">"Name"</label>
                    <input id="edit-name" name="name" value=name.unwrap_or_default() maxlength="160" />
                    <label for="edit-start">"Starts"</label>
                    <input id="edit-start" name="start_local" type="datetime-local" value=start_local.unwrap_or_default() />
                    <label for="edit-end">"Ends"</label>
                    <input id="edit-end" name="end_local" type="datetime-local" value=end_local.unwrap_or_default() />
                    <label for="edit-capacity">"Capacity"</label>
                    <input id="edit-capacity" name="capacity" inputmode="numeric" value=capacity.map(|c| c.to_string()).unwrap_or_default() />
                    <label for="edit-kind">"Kind"</label>
                    <select id="edit-kind" name="event_type">
                        <option value="">"As it is"</option>
                        {EventType::ALL.iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                    </select>
                    <label for="edit-timezone">"Time zone"</label>
                    <select id="edit-timezone" name="timezone">
                        <option value="">"As it is"</option>
                        {TIMEZONES.iter().map(|z| view! { <option value=*z>{*z}</option> }).collect_view()}
                    </select>
                    <label for="edit-currency">"Currency"</label>
                    <select id="edit-currency" name="currency">
                        <option value="">"As it is"</option>
                        {Currency::ALL.iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="button button-secondary">"Save"</button>
                </ActionForm>
                <FormAlert error=action_error(actions.edit) />
                <ActionForm action=actions.add_tier>
                    <input type="hidden" name="id" value=tier_form_id />
                    <label for="add-tier-name">"New tier"</label>
                    <input id="add-tier-name" name="name" maxlength="160" required />
                    <label for="add-tier-price">"Price"</label>
                    <input id="add-tier-price" name="price" inputmode="decimal" required placeholder="49.00" />
                    <button type="submit" class="button button-secondary">"Add tier"</button>
                </ActionForm>
                <FormAlert error=action_error(actions.add_tier) />
            </details>
        </aside>
    }
}
