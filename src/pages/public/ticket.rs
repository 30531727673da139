use crate::components::guard::AccessProblem;
use crate::components::order::TicketCard;
use crate::orders::api::get_ticket;
use crate::pages::public::not_found::NotFound;
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// `/tickets/{token}`: one attendee's ticket, reachable only through its secret link.
#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let ticket = Resource::new(move || params.read().get("token").unwrap_or_default(), get_ticket);
    view! {
        <Title text="Your ticket" />
        // The link is the key to the ticket: keep it out of search engines and referrers.
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="no-referrer" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your ticket…"</p> }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Ok(page) => view! {
                        <header class="page-header">
                            <h1>"Your ticket"</h1>
                        </header>
                        <article class="order card">
                            <header class="order-head">
                                <h2><a href=format!("/events/{}", page.event_slug)>{page.event_name.clone()}</a></h2>
                                <p class="when">{page.when.clone()}</p>
                                {page.venue.clone().map(|v| view! { <p class="muted">{v}</p> })}
                                <p><a class="button button-secondary" href=format!("/events/{}/calendar.ics", page.event_slug) download="event.ics" rel="nofollow">"Add to calendar"</a></p>
                            </header>
                            <ul class="tickets"><TicketCard ticket=page.ticket /></ul>
                        </article>
                    }
                    .into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
