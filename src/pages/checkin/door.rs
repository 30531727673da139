//! `/checkin/{event}`: the door, made for a phone held in one hand. A code field that
//! takes typed, pasted and keyboard-wedge scans (Enter submits), a verdict that fills the
//! screen, a search tab, and a counter the phones agree on.

use crate::checkin::api::{admit_ticket, get_door_counts, get_door_event, scan_ticket, search_door, undo_checkin};
use crate::checkin::{AttendeeHit, DoorCounts, DoorEvent, ScanOutcome, Tone, Verdict};
use crate::components::guard::AccessProblem;
use crate::pages::checkin::camera::Camera;
use crate::pages::checkin::feedback::{announce, save_device_label, saved_device_label};
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// How often the counter asks the server; the phones agree within this.
const COUNTER_EVERY_MS: u64 = 2000;

#[component]
pub fn DoorPage() -> impl IntoView {
    let params = use_params_map();
    let event = Resource::new(move || params.read().get("event").unwrap_or_default(), get_door_event);
    view! {
        <Title text="Check-in" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Opening the door…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(event) => view! { <Door event /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One attempt as sent, kept so "Try again" resends it with the same nonce.
#[derive(Debug, Clone, PartialEq)]
enum Attempt {
    Code { code: String, nonce: Uuid, time: String },
    Ticket { ticket_id: Uuid, nonce: Uuid, collect: bool },
    Undo { checkin_id: Uuid, nonce: Uuid },
}

/// What the verdict area shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Verdict(Verdict),
    /// The request failed; the attempt may be sent again unchanged.
    Failed {
        message: String,
        retry: Option<Attempt>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Scan,
    Search,
}

/// Everything the door's parts share.
#[derive(Clone, Copy)]
struct DoorState {
    event_id: StoredValue<String>,
    list_id: RwSignal<String>,
    device: RwSignal<String>,
    shown: RwSignal<Option<Shown>>,
    busy: RwSignal<bool>,
    counts: RwSignal<Option<DoorCounts>>,
    code_input: NodeRef<leptos::html::Input>,
}

impl DoorState {
    fn send(self, attempt: Attempt) {
        self.busy.set(true);
        let (event_id, list_id, device) =
            (self.event_id.get_value(), self.list_id.get_untracked(), self.device.get_untracked());
        spawn_local(async move {
            let device = Some(device);
            let result = match attempt.clone() {
                Attempt::Code { code, nonce, time } => {
                    scan_ticket(event_id, list_id, code, nonce.to_string(), device, Some(time), None).await
                }
                Attempt::Ticket { ticket_id, nonce, collect } => {
                    admit_ticket(event_id, list_id, ticket_id.to_string(), nonce.to_string(), device, Some(collect))
                        .await
                }
                Attempt::Undo { checkin_id, nonce } => {
                    undo_checkin(event_id, checkin_id.to_string(), nonce.to_string(), device).await
                }
            };
            self.busy.set(false);
            self.show(result, attempt);
            self.refresh_counts();
            if let Some(input) = self.code_input.get_untracked() {
                let _ = input.focus();
            }
        });
    }

    fn show(self, result: Result<Verdict, AppError>, attempt: Attempt) {
        let shown = match result {
            Ok(verdict) => {
                announce(verdict.outcome.tone());
                Shown::Verdict(verdict)
            }
            Err(error) => {
                announce(Tone::Stop);
                let message = error.field_message("code").unwrap_or_else(|| error.to_string());
                let retry =
                    matches!(error, AppError::Transport(_) | AppError::Internal | AppError::Busy).then_some(attempt);
                Shown::Failed { message, retry }
            }
        };
        self.shown.set(Some(shown));
    }

    fn refresh_counts(self) {
        let (event_id, list_id) = (self.event_id.get_value(), self.list_id.get_untracked());
        spawn_local(async move {
            match get_door_counts(event_id, list_id).await {
                Ok(counts) => self.counts.set(Some(counts)),
                Err(error) => leptos::logging::warn!("the door counter could not be read: {error}"),
            }
        });
    }
}

#[component]
fn Door(event: DoorEvent) -> impl IntoView {
    let state = DoorState {
        event_id: StoredValue::new(event.event_id.to_string()),
        list_id: RwSignal::new(event.lists.first().map(|l| l.id.to_string()).unwrap_or_default()),
        device: RwSignal::new(String::new()),
        shown: RwSignal::new(None),
        busy: RwSignal::new(false),
        counts: RwSignal::new(None),
        code_input: NodeRef::new(),
    };
    let tab = RwSignal::new(Tab::Scan);
    Effect::new(move |_| {
        state.device.set(saved_device_label());
        state.refresh_counts();
        let every = std::time::Duration::from_millis(COUNTER_EVERY_MS);
        if let Ok(handle) = set_interval_with_handle(move || state.refresh_counts(), every) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |previous: Option<String>| {
        let list = state.list_id.get();
        if previous.is_some_and(|p| p != list) {
            state.shown.set(None);
            state.refresh_counts();
        }
        list
    });
    let lists = event.lists.clone();
    view! {
        <div class="door">
            <header class="door-header">
                <h1>{event.name.clone()}</h1>
                <p class="muted small">{event.when.clone()}</p>
                <div class="door-settings">
                    <label>
                        <span class="visually-hidden">"Entrance"</span>
                        <select prop:value=move || state.list_id.get() on:change=move |e| state.list_id.set(event_target_value(&e))>
                            {lists.into_iter().map(|l| view! {
                                <option value=l.id.to_string()>{format!("{} · {}", l.name, l.takes)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span class="visually-hidden">"This device"</span>
                        <input
                            type="text"
                            placeholder="Device name, e.g. Door 2"
                            maxlength="60"
                            prop:value=move || state.device.get()
                            on:change=move |e| {
                                let label = event_target_value(&e);
                                save_device_label(&label);
                                state.device.set(label);
                            }
                        />
                    </label>
                </div>
                <Counter counts=state.counts />
            </header>
            <VerdictPanel state />
            <div class="door-tabs" role="tablist">
                <button role="tab" type="button" aria-selected=move || (tab.get() == Tab::Scan).to_string() on:click=move |_| tab.set(Tab::Scan)>"Scan"</button>
                <button role="tab" type="button" aria-selected=move || (tab.get() == Tab::Search).to_string() on:click=move |_| tab.set(Tab::Search)>"Search"</button>
            </div>
            <div hidden=move || tab.get() != Tab::Scan>
                <Camera on_code=Callback::new(move |code: String| {
                    let time = chrono::Utc::now().to_rfc3339();
                    state.send(Attempt::Code { code, nonce: Uuid::new_v4(), time });
                }) />
                <CodeForm state />
            </div>
            <div hidden=move || tab.get() != Tab::Search><SearchTab state /></div>
            <noscript><p class="notice">"The door needs JavaScript to scan and admit tickets."</p></noscript>
        </div>
    }
}

#[component]
fn Counter(counts: RwSignal<Option<DoorCounts>>) -> impl IntoView {
    view! {
        <div class="door-counter" aria-live="polite">
            {move || counts.get().map(|c| view! {
                <p class="door-count"><strong data-testid="checked-in">{c.checked_in}</strong> " / " <span data-testid="expected">{c.expected}</span> " checked in"</p>
                <ul class="door-tiers">
                    {c.tiers.into_iter().map(|t| view! { <li>{t.tier} ": " {t.checked_in} " / " {t.expected}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn VerdictPanel(state: DoorState) -> impl IntoView {
    move || {
        state.shown.get().map(|shown| match shown {
            Shown::Verdict(verdict) => {
                let tone = match verdict.outcome.tone() {
                    Tone::Go => "verdict verdict-go",
                    Tone::Collect => "verdict verdict-collect",
                    Tone::Stop => "verdict verdict-stop",
                };
                let undo = verdict.checkin_id.filter(|_| verdict.outcome == ScanOutcome::Admitted);
                let collect = verdict.ticket_id.filter(|_| verdict.outcome == ScanOutcome::Unpaid);
                view! {
                    <section class=tone role="status" aria-live="assertive" data-outcome=verdict.outcome.as_str()>
                        <p class="verdict-headline">{verdict.headline}</p>
                        <p class="verdict-detail">{verdict.detail}</p>
                        <div class="verdict-actions">
                            {collect.map(|ticket_id| view! {
                                <button type="button" class="button" disabled=move || state.busy.get()
                                    on:click=move |_| state.send(Attempt::Ticket { ticket_id, nonce: Uuid::new_v4(), collect: true })>
                                    {format!("Paid now ({})", verdict.amount_due.clone().unwrap_or_default())}
                                </button>
                            })}
                            {undo.map(|checkin_id| view! {
                                <button type="button" class="button button-secondary" disabled=move || state.busy.get()
                                    on:click=move |_| state.send(Attempt::Undo { checkin_id, nonce: Uuid::new_v4() })>
                                    "Undo"
                                </button>
                            })}
                        </div>
                    </section>
                }
                .into_any()
            }
            Shown::Failed { message, retry } => view! {
                <section class="verdict verdict-stop" role="alert">
                    <p class="verdict-headline">"Not checked"</p>
                    <p class="verdict-detail">{message}</p>
                    {retry.map(|attempt| view! {
                        <button type="button" class="button" on:click=move |_| state.send(attempt.clone())>"Try again"</button>
                    })}
                </section>
            }
            .into_any(),
        })
    }
}

#[component]
fn CodeForm(state: DoorState) -> impl IntoView {
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(input) = state.code_input.get_untracked() else { return };
        let code = input.value();
        if code.trim().is_empty() {
            return;
        }
        input.set_value("");
        let time = chrono::Utc::now().to_rfc3339();
        state.send(Attempt::Code { code, nonce: Uuid::new_v4(), time });
    };
    view! {
        <form class="door-code" on:submit=submit>
            <label for="door-code">"Ticket code"</label>
            <div class="door-code-row">
                <input id="door-code" node_ref=state.code_input type="text" autocomplete="off" autocapitalize="off"
                    spellcheck="false" enterkeyhint="go" autofocus placeholder="Scan, type or paste a code" />
                <button type="submit" class="button" disabled=move || state.busy.get()>"Check"</button>
            </div>
        </form>
    }
}

#[component]
fn SearchTab(state: DoorState) -> impl IntoView {
    let hits = RwSignal::new(Vec::<AttendeeHit>::new());
    let asked = RwSignal::new(0u64);
    let search = move |query: String| {
        let ticket = asked.get_untracked() + 1;
        asked.set(ticket);
        let (event_id, list_id) = (state.event_id.get_value(), state.list_id.get_untracked());
        spawn_local(async move {
            let found = search_door(event_id, list_id, query).await;
            // Only the answer to the latest keystroke is shown.
            if asked.get_untracked() == ticket {
                match found {
                    Ok(found) => hits.set(found),
                    Err(error) => leptos::logging::warn!("door search failed: {error}"),
                }
            }
        });
    };
    view! {
        <div class="door-search" role="search">
            <label for="door-search">"Name, e-mail, order or ticket number"</label>
            <input id="door-search" type="search" autocomplete="off" on:input=move |e| search(event_target_value(&e)) />
            <ul class="door-hits">
                {move || hits.get().into_iter().map(|hit| {
                    let ticket_id = hit.ticket_id;
                    view! {
                        <li class="door-hit">
                            <div>
                                <strong>{hit.attendee_name}</strong> " · " {hit.tier}
                                <div class="muted small">{hit.email} " · " {hit.ticket_number} " · " {hit.order_number}</div>
                                <div class="small">{hit.state}</div>
                            </div>
                            <button type="button" class="button" disabled=move || state.busy.get() || hit.admitted
                                on:click=move |_| state.send(Attempt::Ticket { ticket_id, nonce: Uuid::new_v4(), collect: false })>
                                "Admit"
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
