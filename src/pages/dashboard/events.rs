use crate::components::guard::AccessProblem;
use crate::events::api::list_organization_events;
use crate::events::{EventStatus, EventSummary};
use leptos::prelude::*;
use leptos_meta::Title;

/// A coloured badge that also says the status in words.
#[component]
pub fn StatusBadge(status: EventStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str())>{status.label()}</span> }
}

/// The organizer's events as a table.
#[component]
pub fn EventTable(events: Vec<EventSummary>) -> impl IntoView {
    if events.is_empty() {
        return view! {
            <div class="empty-state">
                <p>"You have no events yet."</p>
                <p><a class="button" href="/dashboard/events/new">"Create your first event"</a></p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr><th scope="col">"Event"</th><th scope="col">"When"</th><th scope="col">"Status"</th><th scope="col">"Sold"</th></tr>
                </thead>
                <tbody>
                    {events
                        .into_iter()
                        .map(|e| {
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/dashboard/events/{}", e.id)>{e.name}</a>
                                        <div class="muted small">{e.event_type.label()} {e.venue_name.map(|v| format!(" · {v}"))}</div>
                                    </td>
                                    <td>{e.when}</td>
                                    <td><StatusBadge status=e.status /></td>
                                    <td>{e.sold} " / " {e.capacity}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let events = Resource::new(|| (), |_| list_organization_events());
    view! {
        <Title text="Events" />
        <header class="page-header with-actions">
            <div>
                <p class="eyebrow">"Dashboard"</p>
                <h1>"Events"</h1>
            </div>
            <a class="button" href="/dashboard/events/new">"New event"</a>
        </header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(events) => view! { <EventTable events /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
