use crate::checkin::api::list_door_events;
use crate::components::guard::AccessProblem;
use crate::pages::checkin::door::DoorApp;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/checkin`: the events whose door the caller may work, soonest first.
#[component]
pub fn DoorEventsPage() -> impl IntoView {
    let events = Resource::new(|| (), |_| list_door_events());
    view! {
        <Title text="Check-in" />
        <DoorApp />
        <header class="page-header"><h1>"Check-in"</h1></header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(events) if events.is_empty() => view! {
                        <p class="empty-state">"No events to check people in at. Published events of your organization, and events you were invited to work the door of, appear here."</p>
                    }.into_any(),
                    Ok(events) => view! {
                        <ul class="card-list">
                            {events.into_iter().map(|e| view! {
                                <li class="card">
                                    <h2><a href=format!("/checkin/{}", e.event_id)>{e.name}</a></h2>
                                    <p class="muted">{e.when}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
