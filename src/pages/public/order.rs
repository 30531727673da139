use crate::components::form::{Field, FormAlert, action_error, field_error};
use crate::components::guard::AccessProblem;
use crate::components::order::OrderCard;
use crate::orders::api::{ResendTickets, get_order};
use crate::orders::{OrderStatus, PaymentMethod};
use crate::pages::public::not_found::NotFound;
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/orders/{token}`: the confirmation, reachable only through its secret link.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let order = Resource::new(move || params.read().get("token").unwrap_or_default(), get_order);
    view! {
        <Title text="Your order" />
        // The link is the key to the order: keep it out of search engines and referrers.
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="no-referrer" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => {
                        // Back from Stripe before its webhook arrived: look again shortly.
                        let waiting = order.status == OrderStatus::Pending
                            && order.payment_method == PaymentMethod::Stripe
                            && query.read_untracked().get("paid").is_some();
                        view! {
                            {waiting.then(|| view! { <Meta http_equiv="refresh" content="4" /> })}
                            <header class="page-header">
                                <h1>{if order.status == OrderStatus::Paid { "Thank you!" } else { "Your order" }}</h1>
                                <p class="muted">"We emailed the details to " {order.buyer_email.clone()} ". Keep this page's link: it shows your tickets."</p>
                            </header>
                            <OrderCard order />
                        }
                        .into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/orders/lookup`: guests who lost the e-mail get it again.
#[component]
pub fn OrderLookupPage() -> impl IntoView {
    let resend = ServerAction::<ResendTickets>::new();
    let error = action_error(resend);
    let done = move || resend.value().get().and_then(Result::ok);
    view! {
        <Title text="Find my tickets" />
        <section class="card narrow">
            <h1>"Find my tickets"</h1>
            <p class="muted">"Enter your order number and the email you ordered with, and we will send your tickets again."</p>
            <ActionForm action=resend attr:novalidate=true>
                <FormAlert error />
                <Field label="Order number" name="order_number" required=true hint="It looks like ORD-20261122-7KQ2M9XD." error=field_error(error, "order_number") />
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <button type="submit" class="button">"Send my tickets"</button>
            </ActionForm>
            <div role="status" aria-live="polite">
                {move || done().map(|message| view! { <p class="notice notice-success">{message}</p> })}
            </div>
        </section>
    }
}
