use crate::components::guard::AccessProblem;
use crate::events::api::get_public_event;
use crate::events::{EventStatus, PublicEvent, format_amount};
use crate::pages::public::not_found::NotFound;
use crate::platform::error::AppError;
use crate::venues::amenity_label;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// `/events/{slug}`: everything an attendee needs to decide and come.
#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let event = Resource::new(move || params.read().get("slug").unwrap_or_default(), get_public_event);
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading the event…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(event) => view! { <EventDetails event /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// schema.org `Event` as JSON-LD; `<` is escaped so the text can never close the script tag.
fn json_ld(event: &PublicEvent) -> String {
    let status = match event.status {
        EventStatus::Cancelled => "https://schema.org/EventCancelled",
        _ => "https://schema.org/EventScheduled",
    };
    let location = event.venue.as_ref().map(|v| {
        serde_json::json!({
            "@type": "Place",
            "name": v.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": v.address,
                "addressLocality": v.city,
                "addressRegion": v.province,
                "postalCode": v.postal_code,
                "addressCountry": v.country,
            }
        })
    });
    let offers: Vec<_> = event
        .tiers
        .iter()
        .map(|t| {
            serde_json::json!({
                "@type": "Offer",
                "name": t.name,
                "price": format_amount(t.price_cents, &event.currency),
                "priceCurrency": event.currency,
                "availability": if t.on_sale { "https://schema.org/InStock" } else { "https://schema.org/SoldOut" },
            })
        })
        .collect();
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.name,
        "description": event.description,
        "startDate": event.start_iso,
        "endDate": event.end_iso,
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": location,
        "image": event.cover_url,
        "organizer": { "@type": "Organization", "name": event.organizer_name },
        "offers": offers,
    });
    value.to_string().replace('<', "\\u003c")
}

#[component]
fn EventDetails(event: PublicEvent) -> impl IntoView {
    let summary: String = event.description.chars().take(160).collect();
    let ld = json_ld(&event);
    let map_url = event.map_url();
    let calendar = format!("/events/{}/calendar.ics", event.slug);
    let paragraphs: Vec<String> =
        event.description.split("\n\n").map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    let cancelled = event.status == EventStatus::Cancelled;
    let buyable =
        matches!(event.status, EventStatus::Published | EventStatus::Live) && event.tiers.iter().any(|t| t.on_sale);
    let checkout = format!("/events/{}/checkout", event.slug);
    view! {
        <Title text=event.name.clone() />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:title" content=event.name.clone() />
        <Meta property="og:description" content=summary />
        {event.cover_url.clone().map(|url| view! { <Meta property="og:image" content=url /> })}
        <script type="application/ld+json" inner_html=ld></script>
        <article class="event-page">
            {event.cover_url.clone().map(|src| view! { <img class="cover" src=src alt=format!("Cover image of {}", event.name) /> })}
            <header>
                <p class="eyebrow">{event.event_type.label()} " · by " {event.organizer_name.clone()}</p>
                <h1>{event.name.clone()}</h1>
                {cancelled.then(|| view! { <p class="warning">"This event has been cancelled."</p> })}
                <p class="when"><time datetime=event.start_iso.clone()>{event.when.clone()}</time></p>
                <p class="muted small">"Times are in " {event.timezone.clone()} "."</p>
                <p><a class="button button-secondary" href=calendar download="event.ics" rel="nofollow">"Add to calendar"</a></p>
            </header>
            <div class="event-columns">
                <section class="description" aria-label="About this event">
                    {paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
                </section>
                <aside>
                    <section class="card" aria-labelledby="tickets-heading">
                        <h2 id="tickets-heading">"Tickets"</h2>
                        {if event.tiers.is_empty() {
                            view! { <p class="muted">"Tickets are not on sale yet."</p> }.into_any()
                        } else {
                            view! {
                                <form method="get" action=checkout class="ticket-picker">
                                <ul class="tier-offers">
                                    {event.tiers.iter().map(|t| view! {
                                        <li class="tier-offer" class:unavailable=!t.on_sale>
                                            <div class="tier-head">
                                                <strong>{t.name.clone()}</strong>
                                                <span class="price">{t.price.clone()}</span>
                                            </div>
                                            {(!t.description.is_empty()).then(|| view! { <p class="muted small">{t.description.clone()}</p> })}
                                            <p class="availability">{t.availability.clone()}</p>
                                            {(t.on_sale && buyable).then(|| {
                                                let id = format!("qty-{}", t.id);
                                                let for_id = id.clone();
                                                let most = i64::from(t.max_per_order).min(t.available).max(0);
                                                let least = i64::from(t.min_per_order);
                                                view! {
                                                    <label class="quantity" for=for_id>
                                                        "Quantity"
                                                        <select id=id name=format!("qty_{}", t.id)>
                                                            <option value="0">"0"</option>
                                                            {(least..=most).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                                                        </select>
                                                    </label>
                                                }
                                            })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                                {buyable.then(|| view! { <button type="submit" class="button button-large">"Get tickets"</button> })}
                                </form>
                            }.into_any()
                        }}
                    </section>
                    {event.venue.clone().map(|v| view! {
                        <section class="card" aria-labelledby="venue-heading">
                            <h2 id="venue-heading">"Venue"</h2>
                            <p><strong>{v.name.clone()}</strong></p>
                            <address>
                                {v.address.clone()}<br />
                                {format!("{}, {} {}", v.city, v.province, v.postal_code.clone().unwrap_or_default())}<br />
                                {v.country.clone()}
                            </address>
                            {map_url.clone().map(|url| view! { <p><a href=url rel="noopener" target="_blank">"Open in a map"</a></p> })}
                            {(!v.amenities.is_empty()).then(|| view! {
                                <ul class="amenities">
                                    {v.amenities.iter().map(|a| view! { <li>{amenity_label(a).to_owned()}</li> }).collect_view()}
                                </ul>
                            })}
                        </section>
                    })}
                </aside>
            </div>
        </article>
    }
}
