//! Placing an order. One transaction writes the order, its lines, attendees, tickets and
//! e-mails first and takes the capacity counters last, so the hot rows stay locked only for
//! the final statements and the commit. If a counter has no room, expired holds of the
//! event are released in their own transaction and the order is tried once more.

use crate::orders::db::{self, NewOrder, NewTickets, SaleEvent, SaleTier};
use crate::orders::pricing::{check_selection, find_promo, priced_lines, sellable_event};
use crate::orders::service::{Payments, busy_or, cancel_unpaid, enqueue_ticket_mail, offline_deadline};
use crate::orders::{OrderStatus, PaymentMethod, PricedLine, TicketStatus, apply_discount, codes, parse_selection};
use crate::orders::{inventory, limits};
use crate::payments::stripe::CheckoutRequest;
use crate::platform::error::{AppError, FieldErrors};
use crate::platform::text::{Email, Name, optional_text, parse_phone};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The checkout form as submitted.
#[derive(Debug, Clone, Default)]
pub struct CheckoutForm {
    pub slug: String,
    pub selection: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_phone: Option<String>,
    pub promo_code: Option<String>,
    pub payment_method: Option<String>,
    pub attendee_names: Vec<String>,
    pub attendee_emails: Vec<String>,
    /// The first ticket is for the buyer: their name and e-mail fill its attendee block.
    pub first_is_buyer: bool,
}

/// A placed order and where the buyer goes next.
#[derive(Debug, Clone)]
pub struct Placed {
    pub order_id: Uuid,
    pub order_number: String,
    pub access_token: String,
    /// The payment page to send the buyer to, for card payments.
    pub payment_url: Option<String>,
}

struct ValidBuyer {
    name: Name,
    email: Email,
    phone: Option<String>,
    attendees: Vec<(String, String)>,
}

fn validate_buyer(form: &CheckoutForm, ticket_count: usize) -> Result<ValidBuyer, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("buyer_name", Name::parse(&form.buyer_name, "your name"));
    let email = errors.check("buyer_email", Email::parse(&form.buyer_email));
    let phone = errors.check("buyer_phone", parse_phone(form.buyer_phone.as_deref())).flatten();
    let mut attendees = Vec::with_capacity(ticket_count);
    for index in 0..ticket_count {
        let typed_name = form.attendee_names.get(index).map(String::as_str).unwrap_or("");
        let typed_email = form.attendee_emails.get(index).map(String::as_str).unwrap_or("");
        let use_buyer = index == 0 && form.first_is_buyer;
        let attendee_name = if use_buyer && typed_name.trim().is_empty() {
            name.as_ref().map(|n| n.as_str().to_owned())
        } else {
            errors
                .check(&format!("attendee_names[{index}]"), Name::parse(typed_name, "the attendee's name"))
                .map(|n| n.as_str().to_owned())
        };
        // An attendee without an e-mail of their own is reached through the buyer.
        let attendee_email = match optional_text(Some(typed_email)) {
            Some(typed) if !use_buyer => {
                errors.check(&format!("attendee_emails[{index}]"), Email::parse(typed)).map(|e| e.as_str().to_owned())
            }
            _ => email.as_ref().map(|e| e.as_str().to_owned()),
        };
        if let (Some(n), Some(e)) = (attendee_name, attendee_email) {
            attendees.push((n, e));
        }
    }
    if form.attendee_names.len() > ticket_count {
        errors.add("tickets", "There are more attendees than tickets. Please start again from the event page.");
    }
    errors.into_result()?;
    match (name, email) {
        (Some(name), Some(email)) if attendees.len() == ticket_count => {
            Ok(ValidBuyer { name, email, phone, attendees })
        }
        _ => Err(AppError::Internal),
    }
}

/// Everything an order writes, prepared before the transaction so retries reuse it.
struct Draft {
    order_id: Uuid,
    order_number: String,
    access_token: String,
    method: PaymentMethod,
    lines: Vec<PricedLine>,
    tier_names: Vec<String>,
    subtotal: i64,
    discount: i64,
    promo_id: Option<Uuid>,
    tickets: NewTickets,
    expires_at: Option<DateTime<Utc>>,
}

enum Shortage {
    Tier(Uuid),
    Event,
    Promo,
}

/// Validates, prices and places an order; see the module comment for the transaction.
#[tracing::instrument(skip_all, fields(user_id = ?user_id, event = %form.slug))]
pub async fn place_order(
    pool: &PgPool,
    payments: &Payments,
    form: CheckoutForm,
    user_id: Option<Uuid>,
) -> Result<Placed, AppError> {
    let selection = parse_selection(&form.selection).map_err(|m| AppError::field("tickets", m))?;
    let ticket_count = selection.iter().map(|s| s.quantity).sum::<i32>() as usize;
    let buyer = validate_buyer(&form, ticket_count)?;
    let event = sellable_event(pool, &form.slug, user_id).await?;
    let tiers = db::sale_tiers(pool, event.id).await?;
    let now = Utc::now();
    check_selection(&selection, &tiers, now)?;

    let mut lines = priced_lines(&selection, &tiers);
    let subtotal: i64 = lines.iter().map(PricedLine::gross_cents).sum();
    let (discount, promo_id) = match optional_text(form.promo_code.as_deref()) {
        None => (0, None),
        Some(code) => {
            let (promo, discount) = find_promo(pool, event.id, code, &selection, now)
                .await
                .map_err(|m| AppError::field("promo_code", m))?;
            (apply_discount(&mut lines, &discount), Some(promo.id))
        }
    };
    let total = subtotal - discount;
    let methods = payments.methods_for(total, &event, now);
    let method = match optional_text(form.payment_method.as_deref()).map(PaymentMethod::parse) {
        _ if total == 0 => PaymentMethod::Free,
        Some(Some(method)) if methods.contains(&method) => method,
        Some(_) => return Err(AppError::field("payment_method", "Choose one of the offered ways to pay.")),
        None if methods.len() == 1 => methods[0],
        None => return Err(AppError::field("payment_method", "Choose how you want to pay.")),
    };

    if method == PaymentMethod::Offline {
        let held = db::unpaid_tickets_of_buyer(pool, event.id, buyer.email.as_str()).await?;
        if held + ticket_count as i64 > limits::UNPAID_TICKETS_PER_BUYER {
            return Err(AppError::field(
                "payment_method",
                format!(
                    "You already hold {held} unpaid tickets for this event. Pay for those first, or choose another way to pay."
                ),
            ));
        }
    }

    // Attendees in the order of the lines, each with a number, a secret and a price.
    let mut tickets = NewTickets {
        attendee_ids: Vec::new(),
        names: Vec::new(),
        emails: Vec::new(),
        tier_ids: Vec::new(),
        numbers: Vec::new(),
        secrets: Vec::new(),
        access_tokens: Vec::new(),
        prices: Vec::new(),
    };
    let mut attendees = buyer.attendees.iter();
    for line in &lines {
        for price in line.ticket_prices() {
            let (name, email) = attendees.next().ok_or(AppError::Internal)?;
            tickets.attendee_ids.push(Uuid::new_v4());
            tickets.names.push(name.clone());
            tickets.emails.push(email.clone());
            tickets.tier_ids.push(line.tier_id);
            tickets.numbers.push(codes::ticket_number(now));
            tickets.secrets.push(codes::qr_secret());
            tickets.access_tokens.push(codes::access_token());
            tickets.prices.push(price);
        }
    }
    let draft = Draft {
        order_id: Uuid::new_v4(),
        order_number: codes::order_number(now),
        access_token: codes::access_token(),
        method,
        tier_names: lines
            .iter()
            .map(|l| tiers.iter().find(|t| t.id == l.tier_id).map(|t| t.name.clone()).unwrap_or_default())
            .collect(),
        lines,
        subtotal,
        discount,
        promo_id,
        tickets,
        expires_at: match method {
            PaymentMethod::Stripe => {
                Some(now + chrono::Duration::from_std(payments.hold).unwrap_or(chrono::Duration::minutes(15)))
            }
            PaymentMethod::Offline => offline_deadline(&event, now),
            PaymentMethod::Free => None,
        },
    };

    let mut released = false;
    loop {
        match try_place(pool, &event, &buyer, user_id, &draft).await? {
            Ok(()) => break,
            Err(shortage) => {
                // Holds that ran out may be all that stands in the way: free them and try once more.
                if !released && !matches!(shortage, Shortage::Promo) {
                    released = true;
                    if inventory::release_expired_holds(pool, event.id).await? > 0 {
                        continue;
                    }
                }
                return Err(shortage_error(pool, &event, &tiers, &draft, shortage).await);
            }
        }
    }
    tracing::info!(order_id = %draft.order_id, event_id = %event.id, tickets = ticket_count,
                   method = draft.method.as_str(), "order placed");

    let payment_url = match draft.method {
        PaymentMethod::Stripe => Some(start_card_payment(pool, payments, &event, &buyer, &draft, total).await?),
        _ => None,
    };
    Ok(Placed {
        order_id: draft.order_id,
        order_number: draft.order_number,
        access_token: draft.access_token,
        payment_url,
    })
}

/// One attempt at the order transaction. `Ok(Err(_))` names what ran out.
async fn try_place(
    pool: &PgPool,
    event: &SaleEvent,
    buyer: &ValidBuyer,
    user_id: Option<Uuid>,
    draft: &Draft,
) -> Result<Result<(), Shortage>, AppError> {
    let mut tx = pool.begin().await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let (status, ticket_status, paid_at) = match draft.method {
        PaymentMethod::Free => (OrderStatus::Paid, TicketStatus::Active, Some(Utc::now())),
        // Pay-at-the-door tickets are issued now; the door sees the order is unpaid.
        PaymentMethod::Offline => (OrderStatus::Pending, TicketStatus::Active, None),
        PaymentMethod::Stripe => (OrderStatus::Pending, TicketStatus::Reserved, None),
    };
    db::insert_order(
        &mut tx,
        &NewOrder {
            id: draft.order_id,
            order_number: &draft.order_number,
            access_token: &draft.access_token,
            event_id: event.id,
            organization_id: event.organization_id,
            user_id,
            buyer_name: buyer.name.as_str(),
            buyer_email: buyer.email.as_str(),
            buyer_phone: buyer.phone.as_deref(),
            currency: &event.currency,
            subtotal_cents: draft.subtotal,
            discount_cents: draft.discount,
            promo_code_id: draft.promo_id,
            status,
            payment_provider: draft.method,
            expires_at: draft.expires_at,
            paid_at,
        },
    )
    .await
    .map_err(busy_or)?;
    let tier_ids: Vec<Uuid> = draft.lines.iter().map(|l| l.tier_id).collect();
    let prices: Vec<i64> = draft.lines.iter().map(|l| l.unit_price_cents).collect();
    let quantities: Vec<i32> = draft.lines.iter().map(|l| l.quantity).collect();
    let discounts: Vec<i64> = draft.lines.iter().map(|l| l.discount_cents).collect();
    db::insert_items(&mut tx, draft.order_id, &tier_ids, &draft.tier_names, &prices, &quantities, &discounts)
        .await
        .map_err(busy_or)?;
    db::insert_tickets(&mut tx, draft.order_id, event.id, ticket_status, &draft.tickets).await.map_err(busy_or)?;
    if draft.method != PaymentMethod::Stripe {
        enqueue_ticket_mail(
            &mut tx,
            event.organization_id,
            draft.order_id,
            buyer.email.as_str(),
            &draft.tickets.emails,
        )
        .await?;
    }

    // The counters come last: tiers in id order, then the event, then the promo code.
    let per_tier: BTreeMap<Uuid, i32> = draft.lines.iter().map(|l| (l.tier_id, l.quantity)).collect();
    for (tier_id, quantity) in &per_tier {
        if !inventory::take_from_tier(&mut tx, *tier_id, *quantity).await.map_err(busy_or)? {
            return Ok(Err(Shortage::Tier(*tier_id)));
        }
    }
    let total: i32 = per_tier.values().sum();
    if !inventory::take_from_event(&mut tx, event.id, total).await.map_err(busy_or)? {
        return Ok(Err(Shortage::Event));
    }
    if let Some(promo) = draft.promo_id
        && !inventory::use_promo(&mut tx, promo).await.map_err(busy_or)?
    {
        return Ok(Err(Shortage::Promo));
    }
    tx.commit().await.map_err(busy_or)?;
    Ok(Ok(()))
}

async fn shortage_error(
    pool: &PgPool,
    event: &SaleEvent,
    tiers: &[SaleTier],
    draft: &Draft,
    shortage: Shortage,
) -> AppError {
    let left = |result: Result<i64, sqlx::Error>| result.unwrap_or(0).max(0);
    match shortage {
        Shortage::Promo => AppError::field("promo_code", "This promo code has just been used up."),
        Shortage::Tier(tier_id) => {
            let name = tiers.iter().find(|t| t.id == tier_id).map(|t| t.name.as_str()).unwrap_or("These");
            let wanted = draft.lines.iter().find(|l| l.tier_id == tier_id).map(|l| l.quantity).unwrap_or(0);
            match left(inventory::tier_left(pool, tier_id).await) {
                0 => AppError::SoldOut(format!("Sorry, “{name}” tickets are sold out.")),
                n => AppError::SoldOut(format!(
                    "Sorry, only {n} “{name}” {} left; you asked for {wanted}.",
                    if n == 1 { "ticket is" } else { "tickets are" }
                )),
            }
        }
        Shortage::Event => match left(inventory::event_left(pool, event.id).await) {
            0 => AppError::SoldOut("Sorry, this event is sold out.".into()),
            n => AppError::SoldOut(format!(
                "Sorry, only {n} {} left for this event.",
                if n == 1 { "ticket is" } else { "tickets are" }
            )),
        },
    }
}

/// Opens a Stripe Checkout Session for a just-placed order. If Stripe cannot be reached the
/// order is cancelled at once, giving its tickets back, and the buyer is told to try again.
async fn start_card_payment(
    pool: &PgPool,
    payments: &Payments,
    event: &SaleEvent,
    buyer: &ValidBuyer,
    draft: &Draft,
    total: i64,
) -> Result<String, AppError> {
    let stripe = payments.stripe.as_ref().ok_or(AppError::Internal)?;
    let order_url = format!("{}/orders/{}", payments.public_url, draft.access_token);
    // Stripe keeps a session open for at least 30 minutes; a payment after our hold ends is
    // handled as a late payment.
    let expires_at = (Utc::now() + chrono::Duration::minutes(31)).timestamp();
    let request = CheckoutRequest {
        order_id: draft.order_id.to_string(),
        order_number: &draft.order_number,
        description: format!("{} · {} ({} tickets)", event.name, draft.order_number, draft.tickets.numbers.len()),
        currency: &event.currency,
        amount_cents: total,
        buyer_email: buyer.email.as_str(),
        success_url: format!("{order_url}?paid=1"),
        cancel_url: order_url,
        expires_at,
    };
    match stripe.create_checkout_session(&request).await {
        Ok(session) => {
            db::set_payment_reference(pool, draft.order_id, &session.id).await?;
            Ok(session.url)
        }
        Err(error) => {
            tracing::error!(%error, order_id = %draft.order_id, "cannot start a Stripe payment");
            if let Err(error) = cancel_unpaid(pool, draft.order_id).await {
                tracing::error!(%error, order_id = %draft.order_id, "cannot release the unpaid order");
            }
            Err(AppError::Conflict(
                "Card payments are unavailable right now. Please try again, or choose to pay at the door.".into(),
            ))
        }
    }
}
