//! Checkout, order and promo code server functions. Buyer functions work without an
//! account; organizer functions start with the guard.

use crate::orders::{
    CancellationImpact, CancellationProgress, CheckoutQuote, EventOrders, OrderDetail, OrderView, PromoView, TicketPage,
};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    orders::checkout::{self, CheckoutForm},
    orders::promos::{self, PromoForm},
    orders::service::{self, Payments},
    orders::{cancel_event, limits, manage, pricing},
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
    platform::{
        client,
        page_views::{PageViews, Visit},
        rate_limit,
        session::{AuthSession, require_user},
        state::AppState,
        text::email_subject,
    },
};
use leptos::prelude::*;
use std::collections::BTreeMap;
#[cfg(feature = "ssr")]
use uuid::Uuid;

/// Turns `field[i]` values into a list where position `i` holds the value of `field[i]`
/// (blank where a position is missing), so a skipped field never shifts the others.
#[cfg(feature = "ssr")]
fn by_position(fields: Option<BTreeMap<String, String>>) -> Vec<String> {
    let indexed: Vec<(usize, String)> =
        fields.unwrap_or_default().into_iter().filter_map(|(k, v)| k.trim().parse().ok().map(|i| (i, v))).collect();
    let len = indexed
        .iter()
        .map(|(i, _)| i.saturating_add(1))
        .max()
        .unwrap_or(0)
        .min(crate::orders::MAX_TICKETS_PER_ORDER as usize);
    let mut list = vec![String::new(); len];
    for (i, v) in indexed {
        if i < len {
            list[i] = v;
        }
    }
    list
}

/// Counts an order's tickets and the attendee addresses it would e-mail against the limits
/// of the client address, the buyer's e-mail and each recipient, before anything is written.
#[cfg(feature = "ssr")]
async fn limit_order(
    state: &AppState,
    tickets: &str,
    buyer_email: &str,
    attendee_emails: &[String],
) -> Result<(), AppError> {
    let client = client::subject_of_request(&state.config.trusted_proxies);
    let ticket_count = crate::orders::parse_selection(tickets).map(|s| s.iter().map(|l| l.quantity).sum()).unwrap_or(1);
    rate_limit::hit_n(&state.pool, limits::TICKETS_PER_ADDRESS, &client, ticket_count).await?;
    let buyer = email_subject(buyer_email);
    rate_limit::hit_n(&state.pool, limits::TICKETS_PER_EMAIL, &buyer, ticket_count).await?;
    let recipients: std::collections::BTreeSet<String> = attendee_emails
        .iter()
        .filter(|e| !e.trim().is_empty())
        .map(|e| email_subject(e))
        .filter(|e| *e != buyer)
        .collect();
    if !recipients.is_empty() {
        rate_limit::hit_n(&state.pool, limits::RECIPIENTS_PER_ADDRESS, &client, recipients.len() as i32).await?;
        for recipient in &recipients {
            rate_limit::hit(&state.pool, limits::MAIL_PER_RECIPIENT, recipient).await?;
        }
    }
    Ok(())
}

#[cfg(feature = "ssr")]
async fn viewer() -> Result<(AppState, Option<Uuid>), AppError> {
    let state = AppState::from_context()?;
    let user_id = AuthSession::of_request().await?.user_id().await?;
    Ok((state, user_id))
}

/// The checkout summary for `tickets` (`tier:quantity,…`), with a promo code applied.
#[server(prefix = "/api", endpoint = "get_checkout")]
pub async fn get_checkout(slug: String, tickets: String, promo: Option<String>) -> Result<CheckoutQuote, AppError> {
    reply(async {
        let (state, user_id) = viewer().await?;
        if promo.as_deref().is_some_and(|code| !code.trim().is_empty()) {
            let client = client::subject_of_request(&state.config.trusted_proxies);
            rate_limit::hit(&state.pool, limits::PROMO_TRIES_PER_ADDRESS, &client).await?;
        }
        let quote =
            pricing::quote(&state.pool, &Payments::from_state(&state), &slug, &tickets, promo.as_deref(), user_id)
                .await?;
        // The page asks once when it opens; asking again with a promo code is the same visit.
        if promo.as_deref().is_none_or(|code| code.trim().is_empty()) {
            let agent = PageViews::user_agent_of_request();
            state.page_views.record(quote.event_id, Visit::CheckoutOpened, agent.as_deref());
        }
        Ok(quote)
    })
    .await
}

/// Places the order and sends the buyer on: to Stripe for card payments, else to the
/// order's confirmation page. Returns that address.
#[server(prefix = "/api", endpoint = "place_order")]
#[allow(clippy::too_many_arguments)]
pub async fn place_order(
    slug: String,
    tickets: String,
    buyer_name: String,
    buyer_email: String,
    buyer_phone: Option<String>,
    promo_code: Option<String>,
    payment_method: Option<String>,
    attendee_names: Option<BTreeMap<String, String>>,
    attendee_emails: Option<BTreeMap<String, String>>,
    first_is_buyer: Option<String>,
) -> Result<String, AppError> {
    reply(async {
        let (state, user_id) = viewer().await?;
        let attendee_names = by_position(attendee_names);
        let attendee_emails = by_position(attendee_emails);
        limit_order(&state, &tickets, &buyer_email, &attendee_emails).await?;
        let form = CheckoutForm {
            slug,
            selection: tickets,
            buyer_name,
            buyer_email,
            buyer_phone,
            promo_code,
            payment_method,
            attendee_names,
            attendee_emails,
            first_is_buyer: first_is_buyer.is_some(),
        };
        let placed = checkout::place_order(&state.pool, &Payments::from_state(&state), form, user_id).await?;
        state.mailer.wake();
        let next = placed.payment_url.unwrap_or_else(|| format!("/orders/{}", placed.access_token));
        leptos_axum::redirect(&next);
        Ok(next)
    })
    .await
}

/// The order behind a secret link.
#[server(prefix = "/api", endpoint = "get_order")]
pub async fn get_order(token: String) -> Result<OrderView, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        service::order_by_token(&state.pool, &token).await
    })
    .await
}

/// One ticket behind its own secret link.
#[server(prefix = "/api", endpoint = "get_ticket")]
pub async fn get_ticket(token: String) -> Result<TicketPage, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        service::ticket_by_token(&state.pool, &token).await
    })
    .await
}

/// Every order of the logged-in user.
#[server(prefix = "/api", endpoint = "my_orders")]
pub async fn my_orders() -> Result<Vec<OrderView>, AppError> {
    reply(async {
        let (state, user_id) = require_user().await?;
        service::orders_of_user(&state.pool, user_id).await
    })
    .await
}

/// Re-sends an order's tickets to its buyer; limited per address and per network address.
#[server(prefix = "/api", endpoint = "resend_tickets")]
pub async fn resend_tickets(order_number: String, email: String) -> Result<String, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let client = client::subject_of_request(&state.config.trusted_proxies);
        rate_limit::hit(&state.pool, limits::RESEND_PER_ADDRESS, &client).await?;
        rate_limit::hit(&state.pool, limits::RESEND_PER_EMAIL, &email_subject(&email)).await?;
        service::resend_order_mail(&state.pool, &order_number, &email).await?;
        state.mailer.wake();
        Ok("If an order matches, its tickets are on their way to that address.".to_owned())
    })
    .await
}

// ----- Organizer -----

#[server(prefix = "/api", endpoint = "list_event_orders")]
pub async fn list_event_orders(
    event_id: String,
    q: Option<String>,
    status: Option<String>,
) -> Result<EventOrders, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        manage::event_orders(&state.pool, &scope, parse_id(&event_id)?, q.as_deref(), status.as_deref()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_order_detail")]
pub async fn get_order_detail(order_id: String) -> Result<OrderDetail, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        manage::order_detail(&state.pool, &scope, parse_id(&order_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "mark_order_paid")]
pub async fn mark_order_paid(order_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        manage::mark_offline_paid(&state.pool, &scope, parse_id(&order_id)?).await
    })
    .await
}

/// Gives an unpaid reservation until `pay_by` (the event's local time) to pay.
#[server(prefix = "/api", endpoint = "extend_payment_deadline")]
pub async fn extend_payment_deadline(order_id: String, pay_by: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        manage::extend_payment_deadline(&state.pool, &scope, parse_id(&order_id)?, &pay_by).await
    })
    .await
}

/// Cancels an unpaid order, or refunds a paid one.
#[server(prefix = "/api", endpoint = "cancel_order")]
pub async fn cancel_order(order_id: String) -> Result<String, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let outcome =
            manage::cancel_order(&state.pool, &Payments::from_state(&state), &scope, parse_id(&order_id)?).await?;
        state.mailer.wake();
        Ok(outcome.label().to_owned())
    })
    .await
}

/// What cancelling an event would do, for the organizer to confirm.
#[server(prefix = "/api", endpoint = "event_cancellation_impact")]
pub async fn event_cancellation_impact(event_id: String) -> Result<CancellationImpact, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        cancel_event::cancellation_impact(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

/// Cancels an event; its orders are closed in the background.
#[server(prefix = "/api", endpoint = "cancel_event")]
pub async fn cancel_event(event_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        cancel_event::cancel_event(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "event_cancellation_progress")]
pub async fn event_cancellation_progress(event_id: String) -> Result<Option<CancellationProgress>, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        cancel_event::cancellation_progress(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "cancel_ticket")]
pub async fn cancel_ticket(order_id: String, ticket_id: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        manage::cancel_ticket(
            &state.pool,
            &Payments::from_state(&state),
            &scope,
            parse_id(&order_id)?,
            parse_id(&ticket_id)?,
        )
        .await?;
        state.mailer.wake();
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "list_promo_codes")]
pub async fn list_promo_codes(event_id: String) -> Result<Vec<PromoView>, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        promos::promos(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "create_promo_code")]
#[allow(clippy::too_many_arguments)]
pub async fn create_promo_code(
    event_id: String,
    code: String,
    discount_kind: String,
    amount: String,
    tier_id: Option<String>,
    max_uses: Option<String>,
    valid_from_local: Option<String>,
    valid_until_local: Option<String>,
) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let form = PromoForm { code, discount_kind, amount, tier_id, max_uses, valid_from_local, valid_until_local };
        promos::create_promo(&state.pool, &scope, parse_id(&event_id)?, form).await.map(|_| ())
    })
    .await
}

#[server(prefix = "/api", endpoint = "set_promo_code_active")]
pub async fn set_promo_code_active(promo_id: String, active: bool) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        promos::set_promo_active(&state.pool, &scope, parse_id(&promo_id)?, active).await.map(|_| ())
    })
    .await
}
