use crate::components::guard::AccessProblem;
use crate::events::api::list_organization_events;
use crate::organizations::api::get_organization_overview;
use crate::organizations::{OrganizationOverview, Role};
use crate::pages::dashboard::events::EventTable;
use leptos::prelude::*;
use leptos_meta::Title;

/// The organizer's landing page: their organization at a glance. Door staff see only the
/// way to the door: sales, money and settings are not theirs.
#[component]
pub fn DashboardHome() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_organization_overview());
    view! {
        <Title text="Dashboard" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your dashboard…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                    Ok(org) => view! {
                        <section class="dashboard">
                            <header class="page-header">
                                <p class="eyebrow">"Dashboard"</p>
                                <h1>{org.name.clone()}</h1>
                                <p class="muted">"You are " <strong>{org.role.label()}</strong> " of this organization."</p>
                            </header>
                            {if org.role.allows(Role::Admin) {
                                view! { <OrganizerHome org /> }.into_any()
                            } else {
                                view! {
                                    <p><a class="button" href="/checkin">"Check people in"</a></p>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrganizerHome(org: OrganizationOverview) -> impl IntoView {
    let events = Resource::new(|| (), |_| list_organization_events());
    view! {
        <dl class="stat-grid">
            <div class="stat"><dt>"Team members"</dt><dd>{org.member_count}</dd></div>
            <div class="stat"><dt>"Currency"</dt><dd>{org.currency.clone()}</dd></div>
            <div class="stat"><dt>"Time zone"</dt><dd>{org.timezone.clone()}</dd></div>
        </dl>
        <section aria-labelledby="events-heading">
            <header class="with-actions">
                <h2 id="events-heading">"Events"</h2>
                <p class="actions">
                    <a class="button button-secondary" href="/checkin">"Check-in"</a>
                    <a class="button button-secondary" href="/dashboard/team">"Team"</a>
                    <a class="button button-secondary" href="/dashboard/mail">"Sent mail"</a>
                    <a class="button button-secondary" href="/dashboard/venues">"Venues"</a>
                    <a class="button" href="/dashboard/events/new">"New event"</a>
                </p>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(events) => view! { <EventTable events /> }.into_any(),
                        Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
