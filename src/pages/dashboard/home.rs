use crate::components::guard::AccessProblem;
use crate::organizations::api::get_organization_overview;
use leptos::prelude::*;
use leptos_meta::Title;

/// The organizer's landing page: their organization at a glance.
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
                            <dl class="stat-grid">
                                <div class="stat"><dt>"Team members"</dt><dd>{org.member_count}</dd></div>
                                <div class="stat"><dt>"Currency"</dt><dd>{org.currency.clone()}</dd></div>
                                <div class="stat"><dt>"Time zone"</dt><dd>{org.timezone.clone()}</dd></div>
                            </dl>
                            <section class="empty-state" aria-labelledby="events-heading">
                                <h2 id="events-heading">"Events"</h2>
                                <p>"You have no events yet."</p>
                            </section>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
