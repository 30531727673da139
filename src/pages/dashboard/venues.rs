use crate::components::form::{Field, FormAlert, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use crate::venues::api::{SaveVenue, get_venue, list_venues};
use crate::venues::{AMENITIES, VenueView, amenity_label};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/dashboard/venues`: the organization's venues, a filter by size and amenities, and a form for a new one.
#[component]
pub fn VenuesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("min_capacity"), q.get_all("amenities").unwrap_or_default())
    };
    let saved = RwSignal::new(0u32);
    let venues =
        Resource::new(move || (filter(), saved.get()), |((min, amenities), _)| list_venues(min, Some(amenities)));
    view! {
        <Title text="Venues" />
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard">"Dashboard"</a></p>
            <h1>"Venues"</h1>
        </header>
        <VenueFilter action="/dashboard/venues" min_capacity=Signal::derive(move || filter().0) amenities=Signal::derive(move || filter().1) />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading venues…"</p> }>
            {move || Suspend::new(async move {
                match venues.await {
                    Ok(venues) if venues.is_empty() => view! { <p class="empty-state">"No venues match."</p> }.into_any(),
                    Ok(venues) => view! { <VenueTable venues /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card">
            <h2>"Add a venue"</h2>
            <VenueForm venue=None saved />
        </section>
    }
}

/// Narrows a venue list to those with enough seats and the wanted amenities. A plain GET
/// form, so the choice lives in the URL and works before the page is interactive.
#[component]
pub fn VenueFilter(
    action: &'static str,
    min_capacity: Signal<Option<String>>,
    amenities: Signal<Vec<String>>,
) -> impl IntoView {
    view! {
        <form method="get" action=action class="filters card" aria-label="Filter venues">
            <div class="field">
                <label for="min_capacity">"At least this many seats"</label>
                <input id="min_capacity" name="min_capacity" type="number" min="1" value=move || min_capacity.get() />
            </div>
            <fieldset>
                <legend>"Must have"</legend>
                {AMENITIES
                    .iter()
                    .map(|(key, label)| {
                        let id = format!("filter-{key}");
                        let for_id = id.clone();
                        let checked = move || amenities.get().iter().any(|a| a == key);
                        view! {
                            <label class="inline-check" for=for_id>
                                <input id=id type="checkbox" name="amenities" value=*key checked=checked />
                                {*label}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit" class="button button-secondary">"Filter venues"</button>
        </form>
    }
}

#[component]
fn VenueTable(venues: Vec<VenueView>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr><th scope="col">"Venue"</th><th scope="col">"City"</th><th scope="col">"Seats"</th><th scope="col">"Amenities"</th></tr>
                </thead>
                <tbody>
                    {venues
                        .into_iter()
                        .map(|v| view! {
                            <tr>
                                <td><a href=format!("/dashboard/venues/{}", v.id)>{v.name}</a><div class="muted small">{v.address}</div></td>
                                <td>{v.city}</td>
                                <td>{v.capacity.map(|c| c.to_string()).unwrap_or_else(|| "—".into())}</td>
                                <td>{v.amenities.iter().map(|a| amenity_label(a).to_owned()).collect::<Vec<_>>().join(", ")}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/dashboard/venues/{id}`: edit one venue.
#[component]
pub fn EditVenuePage() -> impl IntoView {
    let params = use_params_map();
    let venue = Resource::new(move || params.read().get("id").unwrap_or_default(), get_venue);
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading the venue…"</p> }>
            {move || Suspend::new(async move {
                match venue.await {
                    Ok(venue) => view! {
                        <Title text=venue.name.clone() />
                        <header class="page-header">
                            <p class="eyebrow"><a href="/dashboard/venues">"Venues"</a></p>
                            <h1>{venue.name.clone()}</h1>
                        </header>
                        <section class="card"><VenueForm venue=Some(venue) saved=RwSignal::new(0) /></section>
                    }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn VenueForm(venue: Option<VenueView>, saved: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveVenue>::new();
    bump_on_success(save, saved);
    let error = action_error(save);
    let v = venue.clone();
    let text = move |f: fn(&VenueView) -> Option<String>| v.as_ref().and_then(f).unwrap_or_default();
    let has = venue.as_ref().map(|v| v.amenities.clone()).unwrap_or_default();
    view! {
        <ActionForm action=save attr:novalidate=true>
            <FormAlert error />
            <input type="hidden" name="venue_id" value=venue.as_ref().map(|v| v.id.to_string()).unwrap_or_default() />
            <Field label="Venue name" name="name" required=true value=text(|v| Some(v.name.clone())) error=field_error(error, "name") />
            <Field label="Street address" name="address" autocomplete="street-address" required=true value=text(|v| Some(v.address.clone())) error=field_error(error, "address") />
            <div class="grid-2">
                <Field label="City" name="city" value=venue.as_ref().map(|v| v.city.clone()).unwrap_or_else(|| "Toronto".into()) error=field_error(error, "city") />
                <Field label="Province" name="province" value=venue.as_ref().map(|v| v.province.clone()).unwrap_or_else(|| "ON".into()) error=field_error(error, "province") />
                <Field label="Postal code" name="postal_code" autocomplete="postal-code" value=text(|v| v.postal_code.clone()) error=field_error(error, "postal_code") />
                <Field label="Country" name="country" value=venue.as_ref().map(|v| v.country.clone()).unwrap_or_else(|| "Canada".into()) error=field_error(error, "country") />
                <Field label="Seats" name="capacity" kind="number" value=text(|v| v.capacity.map(|c| c.to_string())) error=field_error(error, "capacity") />
                <Field label="Contact name" name="contact_name" value=text(|v| v.contact_name.clone()) error=field_error(error, "contact_name") />
                <Field label="Contact email" name="contact_email" kind="email" value=text(|v| v.contact_email.clone()) error=field_error(error, "contact_email") />
                <Field label="Contact phone" name="contact_phone" kind="tel" value=text(|v| v.contact_phone.clone()) error=field_error(error, "contact_phone") />
            </div>
            <fieldset>
                <legend>"Amenities"</legend>
                {AMENITIES
                    .iter()
                    .map(|(key, label)| {
                        let id = format!("amenity-{key}");
                        let for_id = id.clone();
                        let checked = has.iter().any(|a| a == key);
                        view! {
                            <label class="inline-check" for=for_id>
                                <input id=id type="checkbox" name="amenities[]" value=*key checked=checked />
                                {*label}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {move || field_error(error, "amenities").get().map(|m| view! { <p class="field-error">{m}</p> })}
            <button type="submit" class="button">{if venue.is_some() { "Save venue" } else { "Add venue" }}</button>
        </ActionForm>
    }
}
