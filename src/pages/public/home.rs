use crate::components::guard::answer_failed;
use crate::events::api::list_public_events;
use crate::events::{EventFilters, EventPage, EventSummary, EventType};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// The front door: upcoming public events, with search and filters kept in the URL so a
/// result can be shared and works without JavaScript.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let text = |key: &str| q.get(key).filter(|v| !v.trim().is_empty());
        EventFilters {
            q: text("q"),
            event_type: text("type"),
            city: text("city"),
            from: text("from"),
            to: text("to"),
            page: q.get("page").and_then(|p| p.parse().ok()),
        }
    };
    let results =
        Resource::new(filters, |f: EventFilters| list_public_events(f.q, f.event_type, f.city, f.from, f.to, f.page));
    view! {
        <Title text="Upcoming events in Toronto" />
        <Meta name="description" content="Conferences, seminars, workshops and networking events in Toronto. Find an event and get your tickets." />
        <section class="hero compact">
            <h1>"Upcoming events"</h1>
            <p class="lead">"Conferences, seminars, workshops and networking evenings, with tickets in a minute."</p>
        </section>
        <SearchForm filters=Signal::derive(filters) />
        <Transition fallback=|| view! { <p aria-busy="true">"Finding events…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(page) => view! { <Results page filters=filters() /> }.into_any(),
                    Err(error) => {
                        answer_failed(&error);
                        view! { <p class="notice" role="alert">{error.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn SearchForm(filters: Signal<EventFilters>) -> impl IntoView {
    let current = move || filters.get();
    view! {
        <form method="get" action="/" class="filters card" role="search" aria-label="Search events">
            <div class="field grow">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" placeholder="Name or topic" value=move || current().q />
            </div>
            <div class="field">
                <label for="type">"Type"</label>
                <select id="type" name="type">
                    <option value="">"Any type"</option>
                    {EventType::ALL
                        .iter()
                        .map(|t| {
                            let selected = move || current().event_type.as_deref() == Some(t.as_str());
                            view! { <option value=t.as_str() selected=selected>{t.label()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="city">"City"</label>
                <input id="city" name="city" type="text" list="cities" value=move || current().city />
            </div>
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=move || current().from />
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=move || current().to />
            </div>
            <div class="field end">
                <button type="submit" class="button">"Search"</button>
            </div>
        </form>
    }
}

#[component]
fn Results(page: EventPage, filters: EventFilters) -> impl IntoView {
    let count = page.page_count();
    let current = page.page;
    let summary = match page.total {
        0 => "No upcoming events match.".to_owned(),
        1 => "1 upcoming event".to_owned(),
        n => format!("{n} upcoming events"),
    };
    view! {
        <datalist id="cities">{page.cities.into_iter().map(|c| view! { <option value=c></option> }).collect_view()}</datalist>
        <p class="result-count" role="status">{summary}</p>
        <ul class="event-grid">
            {page.events.into_iter().map(|event| view! { <li><EventCard event /></li> }).collect_view()}
        </ul>
        {(count > 1).then(|| view! {
            <nav class="pagination" aria-label="Pages">
                {(current > 1).then(|| view! { <a rel="prev" href=filters.url_for_page(current - 1)>"← Previous"</a> })}
                <span>"Page " {current} " of " {count}</span>
                {(current < count).then(|| view! { <a rel="next" href=filters.url_for_page(current + 1)>"Next →"</a> })}
            </nav>
        })}
    }
}

#[component]
fn EventCard(event: EventSummary) -> impl IntoView {
    let href = format!("/events/{}", event.slug);
    let sold_out = event.sold >= i64::from(event.capacity);
    view! {
        <article class="event-card">
            {event.cover_url.map(|src| view! { <img src=src alt="" loading="lazy" /> })}
            <div class="event-card-body">
                <p class="eyebrow">{event.event_type.label()}</p>
                <h2><a href=href>{event.name}</a></h2>
                <p>{event.when}</p>
                <p class="muted">{match (event.venue_name, event.city) {
                    (Some(venue), Some(city)) => format!("{venue}, {city}"),
                    _ => "Venue to be announced".to_owned(),
                }}</p>
                <p class="price">
                    {if sold_out { "Sold out".to_owned() } else { event.price_from.map(|p| format!("From {p}")).unwrap_or_default() }}
                </p>
            </div>
        </article>
    }
}
