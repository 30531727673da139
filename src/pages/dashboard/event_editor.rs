use crate::assistant::api::StartConversation;
use crate::components::form::{Field, FormAlert, Select, TextArea, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use crate::events::api::{DuplicateEvent, SaveEvent, SaveTier, TierAction, get_event_editor};
use crate::events::{Currency, EventEditor, EventStatus, EventType, TierView, Visibility};
use crate::organizations::api::get_organization_overview;
use crate::pages::dashboard::event_cancel::CancellationProgressPanel;
use crate::pages::dashboard::event_status::StatusControls;
use crate::pages::dashboard::events::StatusBadge;
use crate::pages::dashboard::promos::PromoCodes;
use crate::pages::dashboard::venues::VenueFilter;
use crate::venues::VenueView;
use crate::venues::api::list_venues;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const TIMEZONES: &[&str] = &[
    "America/Toronto",
    "America/Vancouver",
    "America/Edmonton",
    "America/Winnipeg",
    "America/Halifax",
    "America/St_Johns",
    "America/New_York",
    "Europe/London",
    "UTC",
];

/// `/dashboard/events/new`: an empty event form.
#[component]
pub fn NewEventPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("min_capacity"), q.get_all("amenities").unwrap_or_default())
    };
    let venues = Resource::new(filter, |(min, amenities)| list_venues(min, Some(amenities)));
    let organization = Resource::new(|| (), |_| get_organization_overview());
    view! {
        <Title text="New event" />
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard/events">"Events"</a></p>
            <h1>"New event"</h1>
        </header>
        <VenueFilter action="/dashboard/events/new" min_capacity=Signal::derive(move || filter().0) amenities=Signal::derive(move || filter().1) />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (venues.await, organization.await) {
                    (Ok(venues), Ok(organization)) => {
                        view! { <EventForm event=None venues default_currency=organization.currency /> }.into_any()
                    }
                    (Err(problem), _) | (_, Err(problem)) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/dashboard/events/{id}/edit`: the event's details, status, tiers and cover image.
#[component]
pub fn EditEventPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let changes = RwSignal::new(0u32);
    let editor = Resource::new(move || (id(), changes.get()), |(id, _)| get_event_editor(id));
    let venues = Resource::new(|| (), |_| list_venues(None, None));
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading the event…"</p> }>
            {move || Suspend::new(async move {
                match (editor.await, venues.await) {
                    (Ok(event), Ok(venues)) => view! { <EventWorkspace event venues changes /> }.into_any(),
                    (Err(problem), _) | (_, Err(problem)) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EventWorkspace(event: EventEditor, venues: Vec<VenueView>, changes: RwSignal<u32>) -> impl IntoView {
    let currency = Currency::from_code(&event.currency).unwrap_or(Currency::CAD);
    let over_venue = event.venue_capacity.filter(|venue| event.capacity > *venue);
    let public_link = format!("/events/{}", event.slug);
    let query = use_query_map();
    let cover_problem = move || {
        query.read().get("cover_error").map(|code| match code.as_str() {
            "type" => "That file is not a JPEG, PNG or WebP image.",
            "size" => "That image is larger than 5 MB.",
            "missing" => "Choose an image file to upload.",
            _ => "The image could not be saved. Please try again.",
        })
    };
    view! {
        <Title text=event.name.clone() />
        <header class="page-header with-actions">
            <div>
                <p class="eyebrow"><a href="/dashboard/events">"Events"</a></p>
                <h1>{event.name.clone()}</h1>
                <p><StatusBadge status=event.status /> " " <span class="muted">{event.sold} " of " {event.capacity} " sold"</span></p>
            </div>
            <div class="actions">
                <a class="button" href=format!("/dashboard/events/{}", event.id)>"Dashboard"</a>
                <a class="button" href=format!("/dashboard/events/{}/orders", event.id)>"Orders"</a>
                <a class="button" href=format!("/dashboard/events/{}/checkin", event.id)>"Check-in"</a>
                <a class="button button-secondary" href=format!("/dashboard/events/{}/tasks", event.id)>"Planning tasks"</a>
                <AskAssistantButton event_id=event.id.to_string() />
                <a class="button button-secondary" href=public_link>"View public page"</a>
                <DuplicateButton event_id=event.id.to_string() />
            </div>
        </header>
        {over_venue.map(|venue| view! {
            <p class="warning" role="note">
                "The event's capacity (" {event.capacity} ") is larger than its venue's capacity (" {venue} ")."
            </p>
        })}
        <StatusControls event_id=event.id.to_string() status=event.status changes />
        {(event.status == EventStatus::Cancelled).then(|| view! { <CancellationProgressPanel event_id=event.id.to_string() /> })}
        <section class="card">
            <h2>"Ticket tiers"</h2>
            <TierList tiers=event.tiers.clone() currency changes />
            <details class="add-tier" open=event.tiers.is_empty()>
                <summary>"Add a tier"</summary>
                <TierForm event_id=event.id.to_string() tier=None currency changes />
            </details>
        </section>
        <PromoCodes event_id=event.id.to_string() tiers=event.tiers.clone() />
        <section class="card">
            <h2>"Cover image"</h2>
            {move || cover_problem().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
            {event.cover_url.clone().map(|url| view! { <img class="cover-preview" src=url alt="Current cover image" /> })}
            <form method="post" action=format!("/dashboard/events/{}/cover", event.id) enctype="multipart/form-data" class="upload">
                <label for="cover">"Upload a JPEG, PNG or WebP image (up to 5 MB)"</label>
                <input id="cover" type="file" name="cover" accept="image/jpeg,image/png,image/webp" required />
                <button type="submit" class="button button-secondary">"Upload cover"</button>
            </form>
        </section>
        <section class="card">
            <h2>"Details"</h2>
            <EventForm event=Some(event) venues />
        </section>
    }
}

#[component]
fn DuplicateButton(event_id: String) -> impl IntoView {
    let duplicate = ServerAction::<DuplicateEvent>::new();
    view! {
        <ActionForm action=duplicate attr:novalidate=true>
            <input type="hidden" name="event_id" value=event_id />
            <button type="submit" class="button button-secondary">"Duplicate"</button>
        </ActionForm>
    }
}

#[component]
fn TierList(tiers: Vec<TierView>, currency: Currency, changes: RwSignal<u32>) -> impl IntoView {
    let act = ServerAction::<TierAction>::new();
    bump_on_success(act, changes);
    let error = action_error(act);
    if tiers.is_empty() {
        return view! { <p class="muted">"No tiers yet. Add one to put tickets on sale."</p> }.into_any();
    }
    let count = tiers.len();
    view! {
        <FormAlert error />
        <ul class="tier-list">
            {tiers
                .into_iter()
                .enumerate()
                .map(|(index, tier)| {
                    let id = tier.id.to_string();
                    let button = move |action: &'static str, label: &'static str, text: &'static str| {
                        let id = id.clone();
                        view! {
                            <ActionForm action=act attr:novalidate=true>
                                <input type="hidden" name="tier_id" value=id />
                                <input type="hidden" name="action" value=action />
                                <button type="submit" class="link-button" aria-label=label>{text}</button>
                            </ActionForm>
                        }
                    };
                    let name = tier.name.clone();
                    let inactive = !tier.is_active;
                    view! {
                        <li class="tier" class:inactive=inactive>
                            <div class="tier-head">
                                <strong>{tier.name.clone()}</strong>
                                <span>{tier.price.clone()}</span>
                                <span class="muted">{tier.sold} " / " {tier.capacity} " sold · " {tier.availability.clone()}</span>
                            </div>
                            <div class="tier-actions">
                                {(index > 0).then(|| button("up", "Move up", "↑ Up"))}
                                {(index + 1 < count).then(|| button("down", "Move down", "↓ Down"))}
                                {if tier.is_active { button("deactivate", "Deactivate", "Deactivate") } else { button("activate", "Activate", "Activate") }}
                                {(tier.sold == 0).then(|| button("delete", "Delete", "Delete"))}
                            </div>
                            <details>
                                <summary>"Edit " {name}</summary>
                                <TierForm event_id=String::new() tier=Some(tier) currency changes />
                            </details>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn TierForm(event_id: String, tier: Option<TierView>, currency: Currency, changes: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveTier>::new();
    bump_on_success(save, changes);
    let error = action_error(save);
    let tier_id = tier.as_ref().map(|t| t.id.to_string()).unwrap_or_default();
    let t = tier.clone();
    let value = move |f: fn(&TierView) -> String| t.as_ref().map(f);
    let label = if tier.is_some() { "Save tier" } else { "Add tier" };
    let prefix = format!("tier-{}", if tier_id.is_empty() { "new" } else { tier_id.as_str() });
    view! {
        <ActionForm action=save attr:novalidate=true>
            <FormAlert error />
            <input type="hidden" name="event_id" value=event_id />
            <input type="hidden" name="tier_id" value=tier_id />
            <div class="grid-2">
                <Field id_prefix=prefix.clone() label="Tier name" name="name" required=true value=value(|t| t.name.clone()).unwrap_or_default() error=field_error(error, "name") />
                <Field id_prefix=prefix.clone() label=format!("Price ({})", currency.code()) name="price" hint="0 for a free tier" required=true value=tier.as_ref().map(|t| currency.amount(t.price_cents)).unwrap_or_default() error=field_error(error, "price") />
                <Field id_prefix=prefix.clone() label="Capacity" name="capacity" kind="number" required=true value=value(|t| t.capacity.to_string()).unwrap_or_default() error=field_error(error, "capacity") />
                <Field id_prefix=prefix.clone() label="Minimum per order" name="min_per_order" kind="number" value=value(|t| t.min_per_order.to_string()).unwrap_or_else(|| "1".into()) error=field_error(error, "min_per_order") />
                <Field id_prefix=prefix.clone() label="Maximum per order" name="max_per_order" kind="number" value=value(|t| t.max_per_order.to_string()).unwrap_or_else(|| "10".into()) error=field_error(error, "max_per_order") />
                <Field id_prefix=prefix.clone() label="Sales start" name="sales_start_local" kind="datetime-local" hint="Optional; in the event's time zone" value=tier.as_ref().and_then(|t| t.sales_start_local.clone()).unwrap_or_default() error=field_error(error, "sales_start_local") />
                <Field id_prefix=prefix.clone() label="Sales end" name="sales_end_local" kind="datetime-local" hint="Optional" value=tier.as_ref().and_then(|t| t.sales_end_local.clone()).unwrap_or_default() error=field_error(error, "sales_end_local") />
            </div>
            <TextArea id_prefix=prefix.clone() label="Tier description" name="description" rows=2 value=value(|t| t.description.clone()).unwrap_or_default() error=field_error(error, "description") />
            <button type="submit" class="button">{label}</button>
        </ActionForm>
    }
}

#[component]
fn EventForm(
    event: Option<EventEditor>,
    venues: Vec<VenueView>,
    /// The currency a new event starts in: its organization's.
    #[prop(optional)]
    default_currency: Option<String>,
) -> impl IntoView {
    let save = ServerAction::<SaveEvent>::new();
    let error = action_error(save);
    let e = event.clone();
    let types = EventType::ALL.iter().map(|t| (t.as_str().to_owned(), t.label().to_owned())).collect::<Vec<_>>();
    let visibilities =
        Visibility::ALL.iter().map(|v| (v.as_str().to_owned(), v.label().to_owned())).collect::<Vec<_>>();
    let mut venue_options = vec![(String::new(), "No venue yet".to_owned())];
    venue_options.extend(venues.iter().map(|v| {
        let capacity = v.capacity.map(|c| format!(" ({c} seats)")).unwrap_or_default();
        (v.id.to_string(), format!("{} — {}{capacity}", v.name, v.city))
    }));
    let timezones = TIMEZONES.iter().map(|z| (z.to_string(), z.to_string())).collect::<Vec<_>>();
    let currencies = Currency::ALL.iter().map(|c| (c.code().to_owned(), c.label())).collect::<Vec<_>>();
    let currency =
        e.as_ref().map(|e| e.currency.clone()).or(default_currency).unwrap_or_else(|| Currency::CAD.code().to_owned());
    let allow = e.as_ref().map(|e| e.allow_registrations).unwrap_or(true);
    let offline = e.as_ref().map(|e| e.offline_payments).unwrap_or(false);
    let offline_days = e.as_ref().map(|e| e.offline_payment_days).unwrap_or(3).to_string();
    view! {
        <ActionForm action=save attr:novalidate=true>
            <FormAlert error />
            <input type="hidden" name="event_id" value=e.as_ref().map(|e| e.id.to_string()).unwrap_or_default() />
            <Field label="Event name" name="name" required=true value=e.as_ref().map(|e| e.name.clone()).unwrap_or_default() error=field_error(error, "name") />
            <div class="grid-2">
                <Select label="Type" name="event_type" options=types selected=e.as_ref().map(|e| e.event_type.as_str().to_owned()).unwrap_or_else(|| "conference".into()) error=field_error(error, "event_type") />
                <Select label="Visibility" name="visibility" options=visibilities selected=e.as_ref().map(|e| e.visibility.as_str().to_owned()).unwrap_or_else(|| "public".into()) error=field_error(error, "visibility") />
                <Field label="Starts" name="start_local" kind="datetime-local" required=true value=e.as_ref().map(|e| e.start_local.clone()).unwrap_or_default() error=field_error(error, "start_local") />
                <Field label="Ends" name="end_local" kind="datetime-local" required=true value=e.as_ref().map(|e| e.end_local.clone()).unwrap_or_default() error=field_error(error, "end_local") />
                <Select label="Time zone" name="timezone" options=timezones selected=e.as_ref().map(|e| e.timezone.clone()).unwrap_or_else(|| "America/Toronto".into()) error=field_error(error, "timezone") />
                <Field label="Capacity" name="capacity" kind="number" required=true hint="Most tickets the whole event can sell" value=e.as_ref().map(|e| e.capacity.to_string()).unwrap_or_default() error=field_error(error, "capacity") />
                <Select label="Currency" name="currency" options=currencies selected=currency hint="Ticket prices are in this currency. It cannot change once tickets are sold." error=field_error(error, "currency") />
            </div>
            <Select label="Venue" name="venue_id" options=venue_options selected=e.as_ref().and_then(|e| e.venue_id).map(|v| v.to_string()).unwrap_or_default() error=field_error(error, "venue_id") />
            <p class="hint"><a href="/dashboard/venues">"Manage venues"</a></p>
            <TextArea label="Description" name="description" rows=8 hint="Plain text; blank lines start new paragraphs." value=e.as_ref().map(|e| e.description.clone()).unwrap_or_default() error=field_error(error, "description") />
            <div class="field checkbox">
                <input id="field-allow_registrations" type="checkbox" name="allow_registrations" value="on" checked=allow />
                <label for="field-allow_registrations">"Allow registrations"</label>
            </div>
            <fieldset class="offline-payments">
                <legend>"Pay at the door or by invoice"</legend>
                <div class="field checkbox">
                    <input id="field-offline_payments" type="checkbox" name="offline_payments" value="on" checked=offline />
                    <label for="field-offline_payments">"Let buyers reserve now and pay later"</label>
                </div>
                <Field label="Days to pay" name="offline_payment_days" kind="number" hint="Unpaid reservations are released after this many days, and at the latest when the event starts." value=offline_days error=field_error(error, "offline_payment_days") />
            </fieldset>
            <button type="submit" class="button">{if event.is_some() { "Save changes" } else { "Create event" }}</button>
        </ActionForm>
    }
}

/// "Ask the assistant": a conversation about this event.
#[component]
fn AskAssistantButton(event_id: String) -> impl IntoView {
    let ask = ServerAction::<StartConversation>::new();
    view! {
        <ActionForm action=ask attr:class="inline-form">
            <input type="hidden" name="event_id" value=event_id />
            <button type="submit" class="button button-secondary">"Ask the assistant"</button>
        </ActionForm>
    }
}
