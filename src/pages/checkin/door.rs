//! `/checkin/{event}`: the door, made for a phone held in one hand. A code field that
//! takes typed, pasted and keyboard-wedge scans (Enter submits), a verdict that fills the
//! screen, a search tab, and a counter the phones agree on.

use crate::checkin::api::{get_door_event, search_door};
use crate::checkin::{AttendeeHit, DoorCounts, DoorEvent, ScanOutcome, Tone};
use crate::components::guard::AccessProblem;
use crate::pages::checkin::camera::Camera;
use crate::pages::checkin::feedback::{save_device_label, saved_device_label};
use crate::pages::checkin::state::{Attempt, DoorState, Offline, Shown};
use crate::pages::checkin::store::register_service_worker;
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// How often the counter asks the server (the phones agree within this), waiting scans are
/// sent and the network is found to be back.
const TICK_EVERY_MS: u64 = 2000;

#[component]
pub fn DoorPage() -> impl IntoView {
    let params = use_params_map();
    let event = Resource::new(move || params.read().get("event").unwrap_or_default(), get_door_event);
    view! {
        <Title text="Check-in" />
        <DoorApp />
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Scan,
    Search,
}

#[component]
fn Door(event: DoorEvent) -> impl IntoView {
    let first_list = event.lists.first().map(|l| l.id).unwrap_or_default();
    let state = DoorState::new(event.user_id, event.event_id, first_list);
    let tab = RwSignal::new(Tab::Scan);
    Effect::new(move |_| {
        state.device.set(saved_device_label());
        state.restore();
        state.tick();
        let every = std::time::Duration::from_millis(TICK_EVERY_MS);
        if let Ok(handle) = set_interval_with_handle(move || state.tick(), every) {
            on_cleanup(move || handle.clear());
        }
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
                        <select prop:value=move || state.list_id.get().to_string() on:change=move |e| {
                            if let Ok(list) = event_target_value(&e).parse() { state.switch_list(list) }
                        }>
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
                <OfflineStatus offline=state.offline />
            </header>
            <VerdictPanel state />
            <div class="door-tabs" role="tablist">
                <button role="tab" type="button" aria-selected=move || (tab.get() == Tab::Scan).to_string() on:click=move |_| tab.set(Tab::Scan)>"Scan"</button>
                <button role="tab" type="button" aria-selected=move || (tab.get() == Tab::Search).to_string() on:click=move |_| tab.set(Tab::Search)>"Search"</button>
            </div>
            <div hidden=move || tab.get() != Tab::Scan>
                <Camera on_code=Callback::new(move |code: String| {
                    let time = chrono::Utc::now();
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

/// Whether the door works from the server or from the phone's copy, and what is waiting.
#[component]
fn OfflineStatus(offline: RwSignal<Offline>) -> impl IntoView {
    let line = move || {
        let o = offline.get();
        let scans = |n: usize| if n == 1 { "1 scan".to_owned() } else { format!("{n} scans") };
        match (o.online, o.waiting, o.copied) {
            (false, waiting, Some(_)) => format!("Offline — {} waiting", scans(waiting)),
            (false, _, None) => "Offline, and this phone has no copy of the tickets yet".to_owned(),
            (true, waiting, _) if waiting > 0 => format!("Sending {}…", scans(waiting)),
            (true, 0, copied) => {
                let synced = match (o.synced, o.conflicts) {
                    (0, _) => String::new(),
                    (n, 0) => format!("{} made offline synced · ", scans(n)),
                    (n, c) => format!("{} made offline synced, {c} in conflict (shown to the organizer) · ", scans(n)),
                };
                let refused = match o.refused {
                    0 => String::new(),
                    n => format!("{} the server could not take (the list or your access changed) · ", scans(n)),
                };
                let ready = copied
                    .map_or("Preparing the offline copy…".to_owned(), |n| format!("Ready offline: {n} tickets"));
                format!("{synced}{refused}{ready}")
            }
            (true, _, _) => String::new(),
        }
    };
    view! {
        <p class="door-offline" role="status" data-online=move || offline.get().online.to_string()>{line}</p>
    }
}

/// The door can be installed on the phone's home screen and opens without the network.
#[component]
pub fn DoorApp() -> impl IntoView {
    Effect::new(move |_| register_service_worker());
    view! {
        <Link rel="manifest" href="/door.webmanifest" />
        <Meta name="theme-color" content="#1d4ed8" />
    }
}

#[component]
fn VerdictPanel(state: DoorState) -> impl IntoView {
    move || {
        state.shown.get().map(|shown| match shown {
            Shown::Verdict { verdict, offline } => {
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
                        {offline.then(|| view! { <p class="verdict-offline">"Judged on this phone — offline"</p> })}
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
        let time = chrono::Utc::now();
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
        let (event_id, list_id) = (state.event_id.to_string(), state.list_id.get_untracked().to_string());
        if !state.is_online() {
            hits.set(state.search_here(&query));
            return;
        }
        spawn_local(async move {
            let found = search_door(event_id, list_id, query.clone()).await;
            // Only the answer to the latest keystroke is shown.
            if asked.get_untracked() == ticket {
                match found {
                    Ok(found) => hits.set(found),
                    Err(AppError::Transport(_)) => hits.set(state.search_here(&query)),
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
