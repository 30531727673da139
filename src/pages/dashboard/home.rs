use crate::components::guard::AccessProblem;
use crate::events::api::list_organization_events;
use crate::organizations::Role;
use crate::organizations::api::get_organization_overview;
use crate::pages::dashboard::events::EventTable;
use leptos::prelude::*;
use leptos_meta::Title;

/// The organizer's landing page: their organization at a glance.
#[component]
pub fn DashboardHome() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_organization_overview());
    let events = Resource::new(|| (), |_| list_organization_events());
    view! {
        <Title text="Dashboard" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your dashboard…"</p> }>
            {move || Suspend::new(async move {
                match (overview.await, events.await) {
                    (Err(problem), _) | (_, Err(problem)) => view! { <AccessProblem error=problem /> }.into_any(),
                    (Ok(org), Ok(events)) => view! {
                        <section class="dashboard">
                            <header class="page-header">
                                <p class="eyebrow">"Dashboard"</p>
                                <h1>{org.name.clone()}</h1>
                                <p class="muted">"You are " <strong>{org.role.label()}</strong> " of this organization."</p>
                            </header>
                            <dl class="stat-grid">
                                <div class="stat"><dt>"Team members"</dt><dd>{org.member_count}</dd></div>
                                <div class="stat"><dt>"Currency"</dt><dd>{org.currency.clone()}</dd></div>
                                <div class="stat"><dt>"Time zone"</dt><dd>{org.timezone.clone()}</dd></div>
                            </dl>
                            <section aria-labelledby="events-heading">
                                <header class="with-actions">
                                    <h2 id="events-heading">"Events"</h2>
                                    <p class="actions">
                                        {org.role.allows(Role::Admin).then(|| view! {
                                            <a class="button button-secondary" href="/dashboard/mail">"Sent mail"</a>
                                        })}
                                        <a class="button button-secondary" href="/dashboard/venues">"Venues"</a>
                                        <a class="button" href="/dashboard/events/new">"New event"</a>
                                    </p>
                                </header>
                                <EventTable events />
                            </section>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
