use crate::components::form::{Field, FormAlert, action_error, field_error};
use crate::components::guard::AccessProblem;
use crate::orders::api::{PlaceOrder, get_checkout};
use crate::orders::{CheckoutQuote, PaymentMethod};
use crate::pages::public::not_found::NotFound;
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// Reads the chosen tickets from the URL: `tickets=tier:n,…` (carried by the checkout) or
/// the `qty_{tier}` fields of the event page's form.
fn selection_from_query(query: &leptos_router::params::ParamsMap) -> String {
    if let Some(tickets) = query.get("tickets").filter(|t| !t.trim().is_empty()) {
        return tickets;
    }
    query
        .latest_values()
        .filter_map(|(key, value)| key.strip_prefix("qty_").map(|tier| format!("{tier}:{}", value.trim())))
        .collect::<Vec<_>>()
        .join(",")
}

/// `/events/{slug}/checkout`: who is coming, how to pay, and the total.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (params.read().get("slug").unwrap_or_default(), selection_from_query(&q), q.get("promo"))
    };
    let quote = Resource::new(key, |(slug, tickets, promo)| get_checkout(slug, tickets, promo));
    // Made here, under the routes, so a failed plain form post can hand back its error.
    let place = ServerAction::<PlaceOrder>::new();
    view! {
        <Title text="Checkout" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Preparing your order…"</p> }>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(quote) => view! { <Checkout quote place /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(AppError::Validation(fields)) => {
                        let message = fields.get("tickets").unwrap_or("Please choose your tickets again.").to_owned();
                        let back = format!("/events/{}", params.read_untracked().get("slug").unwrap_or_default());
                        view! { <ChoiceProblem message back /> }.into_any()
                    }
                    Err(AppError::Conflict(message)) => {
                        let back = format!("/events/{}", params.read_untracked().get("slug").unwrap_or_default());
                        view! { <ChoiceProblem message back /> }.into_any()
                    }
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ChoiceProblem(message: String, back: String) -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Let's try that again"</h1>
            <p class="field-error" role="alert">{message}</p>
            <p><a class="button" href=back>"Back to the event"</a></p>
        </section>
    }
}

#[component]
fn Checkout(quote: CheckoutQuote, place: ServerAction<PlaceOrder>) -> impl IntoView {
    let error = action_error(place);
    let tickets_error = field_error(error, "tickets");
    let free = quote.total_cents == 0;
    let methods = quote.payment_methods.clone();
    let choose_method = methods.len() > 1;
    let submit_label = if free {
        "Get my tickets"
    } else if methods == [PaymentMethod::Stripe] {
        "Continue to payment"
    } else {
        "Place order"
    };
    let promo_action = format!("/events/{}/checkout", quote.event_slug);
    let buyer = quote.buyer.clone();
    let attendee_blocks = (0..quote.ticket_count as usize)
        .map(|index| {
            let tier = ticket_tier(&quote, index);
            view! { <AttendeeBlock index tier error /> }
        })
        .collect_view();
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/events/{}", quote.event_slug)>{quote.event_name.clone()}</a></p>
            <h1>"Checkout"</h1>
            <p class="muted">{quote.when.clone()} {quote.venue.clone().map(|v| format!(" · {v}"))}</p>
        </header>
        <div class="checkout">
            <aside class="card summary" aria-labelledby="summary-heading">
                <h2 id="summary-heading">"Your order"</h2>
                <table class="lines">
                    <tbody>
                        {quote.lines.iter().map(|l| view! {
                            <tr>
                                <td>{l.quantity} " × " {l.tier_name.clone()} <div class="muted small">{l.unit_price.clone()} " each"</div></td>
                                <td class="amount">{l.line_total.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr><th scope="row">"Subtotal"</th><td class="amount">{quote.subtotal.clone()}</td></tr>
                        {quote.discount.clone().map(|d| view! {
                            <tr><th scope="row">"Discount (" {quote.promo_code.clone()} ")"</th><td class="amount">{d}</td></tr>
                        })}
                        <tr class="total"><th scope="row">"Total (" {quote.currency.clone()} ")"</th><td class="amount" data-testid="order-total">{quote.total.clone()}</td></tr>
                    </tfoot>
                </table>
                <form method="get" action=promo_action class="promo">
                    <input type="hidden" name="tickets" value=quote.selection.clone() />
                    <label for="promo">"Promo code"</label>
                    <div class="inline">
                        <input id="promo" name="promo" value=quote.promo_code.clone() autocomplete="off" aria-describedby="promo-note" />
                        <button type="submit" class="button button-secondary">"Apply"</button>
                    </div>
                    <p id="promo-note" class:field-error=quote.promo_problem.is_some() class:hint=quote.promo_problem.is_none()>
                        {quote.promo_problem.clone().unwrap_or_else(|| if quote.discount.is_some() { "Code applied.".into() } else { String::new() })}
                    </p>
                </form>
            </aside>
            <section class="card" aria-labelledby="details-heading">
                <h2 id="details-heading">"Your details"</h2>
                <ActionForm action=place attr:novalidate=true attr:class="checkout-form">
                    <FormAlert error />
                    {move || tickets_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    <input type="hidden" name="slug" value=quote.event_slug.clone() />
                    <input type="hidden" name="tickets" value=quote.selection.clone() />
                    <input type="hidden" name="promo_code" value=quote.promo_code.clone().filter(|_| quote.promo_problem.is_none()).unwrap_or_default() />
                    <Field label="Full name" name="buyer_name" autocomplete="name" required=true value=buyer.name error=field_error(error, "buyer_name") />
                    <div class="grid-2">
                        <Field label="Email" name="buyer_email" kind="email" autocomplete="email" required=true value=buyer.email hint="Your tickets are sent here." error=field_error(error, "buyer_email") />
                        <Field label="Phone" name="buyer_phone" kind="tel" autocomplete="tel" value=buyer.phone error=field_error(error, "buyer_phone") />
                    </div>
                    <h3>"Attendees"</h3>
                    {attendee_blocks}
                    {if choose_method {
                        view! {
                            <fieldset class="payment-methods">
                                <legend>"How would you like to pay?"</legend>
                                {methods.iter().enumerate().map(|(i, m)| {
                                    let id = format!("pay-{}", m.as_str());
                                    let for_id = id.clone();
                                    view! {
                                        <label class="inline-check" for=for_id>
                                            <input id=id type="radio" name="payment_method" value=m.as_str() checked=i == 0 />
                                            {m.label()}
                                        </label>
                                    }
                                }).collect_view()}
                                {move || field_error(error, "payment_method").get().map(|m| view! { <p class="field-error">{m}</p> })}
                            </fieldset>
                        }.into_any()
                    } else {
                        view! { <input type="hidden" name="payment_method" value=methods.first().map(|m| m.as_str()).unwrap_or("free") /> }.into_any()
                    }}
                    {(!free && methods.contains(&PaymentMethod::Stripe)).then(|| view! {
                        <p class="hint">"Card payments hold your tickets for " {quote.hold_minutes} " minutes while you pay."</p>
                    })}
                    <button type="submit" class="button button-large" disabled=move || place.pending().get()>
                        {move || if place.pending().get() { "Placing your order…" } else { submit_label }}
                    </button>
                </ActionForm>
            </section>
        </div>
    }
}

/// The tier of the `index`-th ticket, counting through the lines in order.
fn ticket_tier(quote: &CheckoutQuote, index: usize) -> String {
    let mut seen = 0;
    for line in &quote.lines {
        seen += line.quantity as usize;
        if index < seen {
            return line.tier_name.clone();
        }
    }
    String::new()
}

#[component]
fn AttendeeBlock(index: usize, tier: String, error: Signal<Option<AppError>>) -> impl IntoView {
    let name_field = format!("attendee_names[{index}]");
    let email_field = format!("attendee_emails[{index}]");
    let (name_key, email_key) = (name_field.clone(), email_field.clone());
    let name_error = Signal::derive(move || error.get().and_then(|e| e.field_message(&name_key)));
    let email_error = Signal::derive(move || error.get().and_then(|e| e.field_message(&email_key)));
    let (name_id, email_id) = (format!("attendee-{index}-name"), format!("attendee-{index}-email"));
    let (name_error_id, email_error_id) = (format!("{name_id}-error"), format!("{email_id}-error"));
    let first = index == 0;
    view! {
        <fieldset class="attendee">
            <legend>"Ticket " {index + 1} " · " {tier}</legend>
            {first.then(|| view! {
                <label class="inline-check" for="first-is-buyer">
                    <input id="first-is-buyer" type="checkbox" name="first_is_buyer" value="on" checked=true />
                    "This ticket is for me (use my details)"
                </label>
            })}
            <div class="grid-2">
                <div class="field" class:invalid=move || name_error.get().is_some()>
                    <label for=name_id.clone()>"Attendee name"</label>
                    <input id=name_id name=name_field autocomplete="off"
                        aria-invalid=move || name_error.get().is_some().then_some("true")
                        aria-describedby=name_error_id.clone() />
                    <p class="field-error" id=name_error_id>{move || name_error.get()}</p>
                </div>
                <div class="field" class:invalid=move || email_error.get().is_some()>
                    <label for=email_id.clone()>"Attendee email (optional)"</label>
                    <input id=email_id name=email_field type="email" autocomplete="off"
                        aria-invalid=move || email_error.get().is_some().then_some("true")
                        aria-describedby=email_error_id.clone() />
                    <p class="field-error" id=email_error_id>{move || email_error.get()}</p>
                </div>
            </div>
            {first.then(|| view! { <p class="hint">"Leave these empty when the ticket is yours."</p> })}
        </fieldset>
    }
}
