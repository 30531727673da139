use crate::components::guard::AccessProblem;
use crate::events::api::get_dashboard_home;
use crate::events::{DashboardOverview, EventSummary};
use crate::organizations::OrganizationOverview;
use crate::pages::dashboard::events::EventTable;
use crate::pages::dashboard::overview::OverviewPanel;
use leptos::prelude::*;
use leptos_meta::Title;

/// The organizer's landing page: their organization at a glance. Door staff see only the
/// way to the door: sales, money and settings are not theirs.
#[component]
pub fn DashboardHome() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_dashboard_home());
    view! {
        <Title text="Dashboard" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your dashboard…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                    Ok(DashboardOverview { organization: org, events }) => view! {
                        <section class="dashboard">
                            <header class="page-header">
                                <p class="eyebrow">"Dashboard"</p>
                                <h1>{org.name.clone()}</h1>
                                <p class="muted">"You are " <strong>{org.role.label()}</strong> " of this organization."</p>
                            </header>
                            {match events {
                                Some(events) => view! { <OrganizerHome org events /> }.into_any(),
                                None => view! { <p><a class="button" href="/checkin">"Check people in"</a></p> }.into_any(),
                            }}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrganizerHome(org: OrganizationOverview, events: Vec<EventSummary>) -> impl IntoView {
    view! {
        <p class="muted">{format!("{} team members · {} · {}", org.member_count, org.currency, org.timezone)}</p>
        <OverviewPanel />
        <section aria-labelledby="events-heading">
            <header class="with-actions">
                <h2 id="events-heading">"Events"</h2>
                <p class="actions">
                    <a class="button button-secondary" href="/dashboard/assistant">"Assistant"</a>
                    <a class="button button-secondary" href="/checkin">"Check-in"</a>
                    <a class="button button-secondary" href="/dashboard/notifications">"Notifications"</a>
                    <a class="button button-secondary" href="/dashboard/team">"Team"</a>
                    <a class="button button-secondary" href="/dashboard/mail">"Sent mail"</a>
                    <a class="button button-secondary" href="/dashboard/venues">"Venues"</a>
                    <a class="button" href="/dashboard/events/new">"New event"</a>
                </p>
            </header>
            <EventTable events />
        </section>
    }
}
