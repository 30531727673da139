//! `/dashboard/events/{id}/attendees`: everyone holding a ticket, searchable, sortable and
//! paginated. The search, order and page live in the address, so a view can be shared and
//! the page works without JavaScript.

use crate::components::guard::AccessProblem;
use crate::events::encode_query;
use crate::insights::api::get_attendees;
use crate::insights::{AttendeePage, AttendeeSort};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EventAttendeesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let attendees = Resource::new(
        move || {
            let q = query.read();
            (
                params.read().get("id").unwrap_or_default(),
                q.get("q").unwrap_or_default(),
                q.get("sort").unwrap_or_default(),
                q.get("page").unwrap_or_default(),
            )
        },
        |(id, q, sort, page)| get_attendees(id, q, sort, page),
    );
    view! {
        <Title text="Attendees" />
        <Transition fallback=|| view! { <p aria-busy="true">"Loading attendees…"</p> }>
            {move || Suspend::new(async move {
                match attendees.await {
                    Ok(page) => view! { <Attendees page /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The address of this table with another search, order or page.
fn address(event_id: &str, query: &str, sort: AttendeeSort, page: i64) -> String {
    let mut parts = vec![format!("sort={}", sort.as_str())];
    if !query.is_empty() {
        parts.push(format!("q={}", encode_query(query)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    format!("/dashboard/events/{event_id}/attendees?{}", parts.join("&"))
}

#[component]
fn Attendees(page: AttendeePage) -> impl IntoView {
    let AttendeePage { event_id, event_name, query, sort, page, pages, total, rows } = page;
    let id = event_id.to_string();
    let header = {
        let (id, query) = (id.clone(), query.clone());
        move |column: AttendeeSort| {
            let current = column == sort;
            view! {
                <th scope="col" aria-sort=if current { "ascending" } else { "none" }>
                    <a href=address(&id, &query, column, 1)>{column.label()}{current.then_some(" ▲")}</a>
                </th>
            }
        }
    };
    let found = if query.is_empty() {
        format!("{total} {}", if total == 1 { "ticket holder" } else { "ticket holders" })
    } else {
        format!("{total} found for “{query}”")
    };
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/dashboard/events/{id}")>{event_name}</a></p>
            <h1>"Attendees"</h1>
            <p>
                <a href=format!("/dashboard/events/{id}/attendees.csv") rel="external" download>"Download all (CSV)"</a>
                " · "
                <a href=format!("/dashboard/events/{id}/email")>"E-mail attendees"</a>
            </p>
        </header>
        <form method="get" class="inline-form" role="search">
            <label for="attendee-search">"Search"</label>
            <input id="attendee-search" name="q" type="search" value=query.clone() placeholder="Name, e-mail, ticket or order number" data-testid="attendee-search" />
            <input type="hidden" name="sort" value=sort.as_str() />
            <button type="submit" class="button button-secondary">"Search"</button>
        </form>
        <p class="muted" role="status" data-testid="attendee-count">{found}</p>
        <div class="table-wrap">
            <table class="data-table" data-testid="attendee-table">
                <thead>
                    <tr>
                        {header(AttendeeSort::Name)}
                        {header(AttendeeSort::Email)}
                        {header(AttendeeSort::Tier)}
                        {header(AttendeeSort::Order)}
                        {header(AttendeeSort::Paid)}
                        {header(AttendeeSort::CheckedIn)}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td>{row.name}<div class="muted small">{row.ticket_number}</div></td>
                            <td>{row.email}</td>
                            <td>{row.tier}</td>
                            <td><a href=format!("/dashboard/orders/{}", row.order_id)>{row.order_number}</a></td>
                            <td>{row.payment}</td>
                            <td>{if row.checked_in { "Yes" } else { "No" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="Pages">
            {(page > 1).then(|| view! { <a href=address(&id, &query, sort, page - 1) rel="prev">"← Previous"</a> })}
            <span>{format!(" Page {page} of {pages} ")}</span>
            {(page < pages).then(|| view! { <a href=address(&id, &query, sort, page + 1) rel="next">"Next →"</a> })}
        </nav>
    }
}
