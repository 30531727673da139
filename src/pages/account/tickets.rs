use crate::components::guard::AccessProblem;
use crate::components::order::OrderCard;
use crate::orders::api::my_orders;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/tickets`: every order of the logged-in user, with their tickets.
#[component]
pub fn MyTicketsPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| my_orders());
    view! {
        <Title text="My tickets" />
        <header class="page-header">
            <h1>"My tickets"</h1>
            <p class="muted">"Bought without logging in? " <a href="/orders/lookup">"Find your tickets by order number"</a> "."</p>
        </header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your tickets…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(orders) if orders.is_empty() => view! {
                        <p class="empty-state">"You have no tickets yet. " <a href="/">"Browse events"</a></p>
                    }.into_any(),
                    Ok(orders) => orders.into_iter().map(|order| view! { <OrderCard order /> }).collect_view().into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
