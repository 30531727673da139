//! `/dashboard/events/{id}/checkin`: an event's door for its organizer. The check-in lists
//! (which tiers, which hours) with how full each is, and the scan log, where conflicts made
//! by phones working offline are shown.

use crate::checkin::api::{DeleteCheckinList, SaveCheckinList, get_door_board};
use crate::checkin::{DoorBoard, ListProgress, ScanLogEntry, ScanOutcome, TierChoice};
use crate::components::form::{Field, FormAlert, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

/// The page asks again this often, so an admission shows within 5 seconds while it is open.
const REFRESH_EVERY_MS: u64 = 3000;

#[component]
pub fn EventCheckinPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let changes = RwSignal::new(0u32);
    let save = ServerAction::<SaveCheckinList>::new();
    let delete = ServerAction::<DeleteCheckinList>::new();
    bump_on_success(save, changes);
    bump_on_success(delete, changes);
    let key = move || {
        let q = query.read();
        (
            params.read().get("id").unwrap_or_default(),
            q.get("outcome"),
            q.get("staff"),
            q.get("conflicts"),
            changes.get(),
        )
    };
    let board = Resource::new(key, |(id, outcome, staff, conflicts, _)| get_door_board(id, outcome, staff, conflicts));
    Effect::new(move |_| {
        let every = std::time::Duration::from_millis(REFRESH_EVERY_MS);
        let tick = move || {
            // Not while a list is being added or edited: drawing the lists again would reset
            // what the organizer has typed and ticked.
            let editing = document().query_selector("section[aria-labelledby=lists-heading] details[open]");
            if !matches!(editing, Ok(Some(_))) {
                changes.update(|n| *n += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, every) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Title text="Check-in" />
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the door…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <Board board save delete /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Board(
    board: DoorBoard,
    save: ServerAction<SaveCheckinList>,
    delete: ServerAction<DeleteCheckinList>,
) -> impl IntoView {
    let event_id = board.event_id.to_string();
    let conflicts = board.conflicts;
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/dashboard/events/{event_id}")>{board.event_name.clone()}</a></p>
            <h1>"Check-in"</h1>
            <p><a class="button" href=format!("/checkin/{event_id}")>"Open the door"</a></p>
        </header>
        {(conflicts > 0).then(|| view! {
            <p class="notice notice-warning" role="alert">
                {if conflicts == 1 { "1 conflict".to_owned() } else { format!("{conflicts} conflicts") }}
                ": phones working offline let in tickets that were already in or no longer valid. "
                <a href=format!("/dashboard/events/{event_id}/checkin?conflicts=on")>"Show them"</a>
            </p>
        })}
        <Lists board=board.clone() save delete />
        <ScanLog board />
    }
}

#[component]
fn Lists(
    board: DoorBoard,
    save: ServerAction<SaveCheckinList>,
    delete: ServerAction<DeleteCheckinList>,
) -> impl IntoView {
    let event_id = board.event_id.to_string();
    let delete_error = action_error(delete);
    view! {
        <section class="card" aria-labelledby="lists-heading">
            <h2 id="lists-heading">"Entrances"</h2>
            <p class="muted">"Each list admits a ticket once. Limit a list to some tiers (a VIP entrance) or to some hours."</p>
            <FormAlert error=delete_error />
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">"List"</th><th scope="col">"Takes"</th><th scope="col">"Hours"</th>
                        <th scope="col">"Checked in"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {board.lists.iter().map(|list| view! {
                            <ListRow list=list.clone() event_id=event_id.clone() tiers=board.tiers.clone() save delete />
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <details>
                <summary>"Add a list"</summary>
                <ListForm event_id=event_id.clone() list=None tiers=board.tiers.clone() save />
            </details>
        </section>
    }
}

fn hours(list: &ListProgress) -> String {
    match (list.opens_at.as_str(), list.closes_at.as_str()) {
        ("", "") => "Any time".to_owned(),
        (opens, "") => format!("From {}", opens.replace('T', " ")),
        ("", closes) => format!("Until {}", closes.replace('T', " ")),
        (opens, closes) => format!("{} – {}", opens.replace('T', " "), closes.replace('T', " ")),
    }
}

#[component]
fn ListRow(
    list: ListProgress,
    event_id: String,
    tiers: Vec<TierChoice>,
    save: ServerAction<SaveCheckinList>,
    delete: ServerAction<DeleteCheckinList>,
) -> impl IntoView {
    let percent = if list.expected > 0 { list.checked_in * 100 / list.expected } else { 0 };
    let deletable = !list.is_default && !list.used;
    let (list_id, name) = (list.id.to_string(), list.name.clone());
    view! {
        <tr>
            <th scope="row">{list.name.clone()}</th>
            <td>{list.takes.clone()}</td>
            <td>{hours(&list)}</td>
            <td>
                <span data-testid="list-checked-in">{list.checked_in}</span> " / " {list.expected}
                <progress max="100" value=percent.to_string() aria-label=format!("{} checked in", name)>{format!("{percent}%")}</progress>
            </td>
            <td>
                <details>
                    <summary>"Edit"</summary>
                    <ListForm event_id=event_id.clone() list=Some(list.clone()) tiers save />
                </details>
                {deletable.then(|| view! {
                    <ActionForm action=delete>
                        <input type="hidden" name="event_id" value=event_id.clone() />
                        <input type="hidden" name="list_id" value=list_id.clone() />
                        <button type="submit" class="button button-secondary button-small">"Delete"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// Creates a list (`list: None`) or edits one. The tiers ticked travel as one
/// comma-separated field.
#[component]
fn ListForm(
    event_id: String,
    list: Option<ListProgress>,
    tiers: Vec<TierChoice>,
    save: ServerAction<SaveCheckinList>,
) -> impl IntoView {
    let error = action_error(save);
    let chosen = RwSignal::new(list.as_ref().map(|l| l.tier_ids.clone()).unwrap_or_default());
    let prefix = list.as_ref().map_or("new-list".to_owned(), |l| format!("list-{}", l.id));
    let takes_all = list.as_ref().is_some_and(|l| l.is_default);
    let chosen_field = move || chosen.get().iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
    let toggle = move |id: Uuid, on: bool| {
        chosen.update(|c| {
            c.retain(|t| *t != id);
            if on {
                c.push(id);
            }
        })
    };
    view! {
        <ActionForm action=save attr:novalidate=true>
            <FormAlert error />
            <input type="hidden" name="event_id" value=event_id />
            <input type="hidden" name="list_id" value=list.as_ref().map(|l| l.id.to_string()).unwrap_or_default() />
            <input type="hidden" name="tiers" prop:value=chosen_field />
            <Field label="Name" name="name" id_prefix=prefix.clone() required=true value=list.as_ref().map(|l| l.name.clone()).unwrap_or_default() hint="Like VIP entrance or Door 2." error=field_error(error, "name") />
            {(!takes_all).then(|| view! {
                <fieldset class="field">
                    <legend>"Tiers (none ticked: every tier)"</legend>
                    {tiers.iter().map(|t| {
                        let id = t.id;
                        let checked = chosen.get_untracked().contains(&id);
                        view! {
                            <label class="checkbox">
                                <input type="checkbox" checked=checked on:change=move |e| toggle(id, event_target_checked(&e)) />
                                {t.name.clone()}
                            </label>
                        }
                    }).collect_view()}
                    {move || field_error(error, "tiers").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
            })}
            <div class="grid-2">
                <Field label="Opens" name="opens_at" id_prefix=prefix.clone() kind="datetime-local" value=list.as_ref().map(|l| l.opens_at.clone()).unwrap_or_default() hint="Empty: open whenever the door is." error=field_error(error, "opens_at") />
                <Field label="Closes" name="closes_at" id_prefix=prefix kind="datetime-local" value=list.as_ref().map(|l| l.closes_at.clone()).unwrap_or_default() error=field_error(error, "closes_at") />
            </div>
            <button type="submit" class="button">{if list.is_some() { "Save list" } else { "Add list" }}</button>
        </ActionForm>
    }
}

#[component]
fn ScanLog(board: DoorBoard) -> impl IntoView {
    let query = use_query_map();
    let (outcome, staff, conflicts) = {
        let q = query.read_untracked();
        (q.get("outcome").unwrap_or_default(), q.get("staff").unwrap_or_default(), q.get("conflicts").is_some())
    };
    let action = format!("/dashboard/events/{}/checkin", board.event_id);
    view! {
        <section class="card" aria-labelledby="log-heading">
            <h2 id="log-heading">"Scan log"</h2>
            <form method="get" action=action class="filters" role="search" aria-label="Filter scans">
                <div class="field">
                    <label for="log-outcome">"Outcome"</label>
                    <select id="log-outcome" name="outcome">
                        <option value="">"Any outcome"</option>
                        {ScanOutcome::ALL.iter().map(|o| view! {
                            <option value=o.as_str() selected=outcome == o.as_str()>{o.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="log-staff">"Staff"</label>
                    <select id="log-staff" name="staff">
                        <option value="">"Anyone"</option>
                        {board.staff.iter().map(|s| {
                            let id = s.id.to_string();
                            view! { <option value=id.clone() selected=staff == id>{s.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <label class="checkbox"><input type="checkbox" name="conflicts" checked=conflicts />"Conflicts only"</label>
                <button type="submit" class="button button-secondary">"Filter"</button>
            </form>
            {if board.scans.is_empty() {
                view! { <p class="muted">"No scans yet."</p> }.into_any()
            } else {
                view! { <ScanTable scans=board.scans /> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn ScanTable(scans: Vec<ScanLogEntry>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Time"</th><th scope="col">"Outcome"</th><th scope="col">"Ticket"</th>
                    <th scope="col">"List"</th><th scope="col">"Staff"</th><th scope="col">"Details"</th>
                </tr></thead>
                <tbody>
                    {scans.into_iter().map(|s| {
                        let marks = match (s.offline, s.conflict) {
                            (_, true) => "Conflict",
                            (true, false) => "Offline",
                            _ => "",
                        };
                        view! {
                            <tr class:scan-conflict=s.conflict data-outcome=s.outcome.as_str()>
                                <td>{s.at}{s.scanned_at.map(|at| view! { <div class="muted small">"scanned " {at}</div> })}</td>
                                <td>{s.outcome.label()} {(!marks.is_empty()).then(|| view! { <span class="badge badge-warning">{marks}</span> })}</td>
                                <td>{s.attendee}<div class="muted small">{s.ticket_number}</div></td>
                                <td>{s.list}</td>
                                <td>{s.staff}{(!s.device.is_empty()).then(|| view! { <div class="muted small">{s.device}</div> })}</td>
                                <td class="small">{s.reason}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
