//! Checkout and order operations as plain async functions, for the server functions, the
//! payment webhook and, later, the assistant.
//!
//! Placing an order is one transaction: the order, its lines, attendees, tickets and e-mails
//! are written first, and the capacity counters are taken last, so the hot rows stay locked
//! only for the final statements and the commit. If a counter has no room, expired holds of
//! the event are released in their own transaction and the order is tried once more.

use crate::accounts::{Email, Name, optional_text, parse_phone};
use crate::error::{AppError, FieldErrors};
use crate::events::db as events_db;
use crate::events::time::{format_range, timezone_or_default};
use crate::events::{EventStatus, format_price, service::may_view};
use crate::mail::MailKind;
use crate::mail::outbox;
use crate::orders::db::{self, NewOrder, NewTickets, OrderRow, PromoRow, SaleEvent, SaleTier, TicketRow};
use crate::orders::inventory::{self, count_per_tier};
use crate::orders::{
    AdminTicket, BuyerPrefill, CheckoutQuote, Discount, DiscountKind, EventOrders, OrderDetail, OrderRowView,
    OrderStatus, OrderView, PaymentMethod, PricedLine, QuoteLine, Selection, TicketStatus, TicketView, apply_discount,
    codes, format_selection, parse_selection, qr,
};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::payments::stripe::{CheckoutRequest, Stripe};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use uuid::Uuid;

/// What checkout needs besides the database.
#[derive(Clone)]
pub struct Payments {
    pub stripe: Option<Stripe>,
    /// How long an unpaid card order holds its tickets.
    pub hold: Duration,
    /// Where buyers come back to after paying.
    pub public_url: String,
}

impl Payments {
    pub fn methods_for(&self, total_cents: i64) -> Vec<PaymentMethod> {
        if total_cents == 0 {
            return vec![PaymentMethod::Free];
        }
        let mut methods = Vec::new();
        if self.stripe.is_some() {
            methods.push(PaymentMethod::Stripe);
        }
        methods.push(PaymentMethod::Offline);
        methods
    }
}

const BUSY: &str = "Tickets are selling fast right now. Please try again in a moment.";

/// Lock waits that ran out, and deadlocks, become a "try again", never a hang or a 500.
fn busy_or(error: sqlx::Error) -> AppError {
    match error.as_database_error().and_then(|e| e.code()).as_deref() {
        Some("55P03" | "40P01") => {
            tracing::warn!(%error, "checkout gave up waiting for a lock");
            AppError::Conflict(BUSY.into())
        }
        _ => error.into(),
    }
}

fn normalize_code(input: &str) -> String {
    input.trim().to_uppercase()
}

// ----- Reading the event and pricing a selection -----

/// An event that can sell tickets to this viewer right now, or why not.
async fn sellable_event(pool: &PgPool, slug: &str, viewer: Option<Uuid>) -> Result<SaleEvent, AppError> {
    let event = db::sale_event(pool, slug.trim()).await?.ok_or(AppError::NotFound)?;
    if !may_view(pool, event.organization_id, &event.status, &event.visibility, viewer).await? {
        return Err(AppError::NotFound);
    }
    let status = EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft);
    if !matches!(status, EventStatus::Published | EventStatus::Live) {
        return Err(AppError::Conflict(match status {
            EventStatus::Cancelled => "This event was cancelled, so tickets are no longer sold.".into(),
            EventStatus::Completed => "This event is over.".into(),
            _ => "Tickets for this event are not on sale yet.".into(),
        }));
    }
    if event.end_at <= Utc::now() {
        return Err(AppError::Conflict("This event is over.".into()));
    }
    if !event.allow_registrations {
        return Err(AppError::Conflict("The organizer has closed registration for this event.".into()));
    }
    Ok(event)
}

/// Checks each chosen tier against the event and its rules; the messages go to the
/// `tickets` field of the form.
fn check_selection(selection: &[Selection], tiers: &[SaleTier], now: DateTime<Utc>) -> Result<(), AppError> {
    for choice in selection {
        let Some(tier) = tiers.iter().find(|t| t.id == choice.tier_id) else {
            return Err(AppError::field("tickets", "One of the chosen ticket types is not part of this event."));
        };
        let name = &tier.name;
        if !tier.is_active {
            return Err(AppError::field("tickets", format!("“{name}” tickets are not on sale.")));
        }
        if tier.sales_start_at.is_some_and(|s| s > now) {
            return Err(AppError::field("tickets", format!("Sales of “{name}” tickets have not started yet.")));
        }
        if tier.sales_end_at.is_some_and(|e| e <= now) {
            return Err(AppError::field("tickets", format!("Sales of “{name}” tickets have ended.")));
        }
        if choice.quantity < tier.min_per_order {
            return Err(AppError::field(
                "tickets",
                format!("Buy at least {} “{name}” tickets per order.", tier.min_per_order),
            ));
        }
        if choice.quantity > tier.max_per_order {
            return Err(AppError::field(
                "tickets",
                format!("Buy at most {} “{name}” tickets per order.", tier.max_per_order),
            ));
        }
    }
    Ok(())
}

fn priced_lines(selection: &[Selection], tiers: &[SaleTier]) -> Vec<PricedLine> {
    selection
        .iter()
        .filter_map(|s| {
            tiers.iter().find(|t| t.id == s.tier_id).map(|t| PricedLine {
                tier_id: t.id,
                unit_price_cents: t.price_cents,
                quantity: s.quantity,
                discount_cents: 0,
            })
        })
        .collect()
}

/// Whether a promo code can discount this selection now; the message says why not.
fn check_promo(promo: &PromoRow, selection: &[Selection], now: DateTime<Utc>) -> Result<Discount, String> {
    if !promo.is_active || promo.valid_until.is_some_and(|u| u <= now) {
        return Err("This promo code has expired.".into());
    }
    if promo.valid_from.is_some_and(|f| f > now) {
        return Err("This promo code is not valid yet.".into());
    }
    if promo.max_uses.is_some_and(|max| promo.used >= max) {
        return Err("This promo code has been used up.".into());
    }
    if let Some(tier) = promo.tier_id
        && !selection.iter().any(|s| s.tier_id == tier)
    {
        return Err(format!(
            "This promo code applies to “{}” tickets only.",
            promo.tier_name.as_deref().unwrap_or("other")
        ));
    }
    let kind = DiscountKind::parse(&promo.discount_kind).ok_or("This promo code cannot be used.")?;
    Ok(Discount { kind, value: promo.discount_value, tier_id: promo.tier_id })
}

async fn find_promo(
    pool: &PgPool,
    event_id: Uuid,
    code: &str,
    selection: &[Selection],
    now: DateTime<Utc>,
) -> Result<(PromoRow, Discount), String> {
    let code = normalize_code(code);
    let promo = match db::promo_by_code(pool, event_id, &code).await {
        Ok(Some(promo)) => promo,
        Ok(None) => return Err("We do not know this promo code for this event.".into()),
        Err(error) => {
            tracing::error!(%error, "cannot read promo code");
            return Err("We could not check this promo code. Please try again.".into());
        }
    };
    let discount = check_promo(&promo, selection, now)?;
    Ok((promo, discount))
}

fn venue_line(venue: Option<&events_db::VenueRow>) -> Option<String> {
    venue.map(|v| format!("{}, {}, {}", v.name, v.address, v.city))
}

/// The checkout summary for a selection, with the promo code applied when it is valid.
pub async fn quote(
    pool: &PgPool,
    payments: &Payments,
    slug: &str,
    selection: &str,
    promo_code: Option<&str>,
    viewer: Option<Uuid>,
) -> Result<CheckoutQuote, AppError> {
    let selection = parse_selection(selection).map_err(|m| AppError::field("tickets", m))?;
    let event = sellable_event(pool, slug, viewer).await?;
    let tiers = db::sale_tiers(pool, event.id).await?;
    let now = Utc::now();
    check_selection(&selection, &tiers, now)?;
    let mut lines = priced_lines(&selection, &tiers);
    let subtotal: i64 = lines.iter().map(PricedLine::gross_cents).sum();
    let (discount, promo_problem, promo_code) = match optional_text(promo_code) {
        None => (0, None, None),
        Some(code) => match find_promo(pool, event.id, code, &selection, now).await {
            Ok((promo, discount)) => (apply_discount(&mut lines, &discount), None, Some(promo.code)),
            Err(problem) => (0, Some(problem), Some(normalize_code(code))),
        },
    };
    let total = subtotal - discount;
    let venue = match event.venue_id {
        Some(id) => events_db::venue_by_id(pool, id).await?,
        None => None,
    };
    let buyer = match viewer {
        Some(user_id) => crate::accounts::db::user_by_id(pool, user_id)
            .await?
            .map(|u| BuyerPrefill { name: u.full_name, email: u.email, phone: u.phone.unwrap_or_default() })
            .unwrap_or_default(),
        None => BuyerPrefill::default(),
    };
    let tz = timezone_or_default(&event.timezone);
    Ok(CheckoutQuote {
        event_slug: event.slug.clone(),
        event_name: event.name.clone(),
        when: format_range(event.start_at, event.end_at, tz),
        venue: venue_line(venue.as_ref()),
        currency: event.currency.clone(),
        selection: format_selection(&selection),
        lines: lines
            .iter()
            .map(|l| QuoteLine {
                tier_id: l.tier_id,
                tier_name: tiers.iter().find(|t| t.id == l.tier_id).map(|t| t.name.clone()).unwrap_or_default(),
                quantity: l.quantity,
                unit_price: format_price(l.unit_price_cents, &event.currency),
                line_total: format_price(l.gross_cents(), &event.currency),
            })
            .collect(),
        ticket_count: selection.iter().map(|s| s.quantity).sum(),
        subtotal: format_price(subtotal, &event.currency),
        discount: (discount > 0).then(|| format!("−{}", format_price(discount, &event.currency))),
        total: format_price(total, &event.currency),
        total_cents: total,
        promo_code,
        promo_problem,
        payment_methods: payments.methods_for(total),
        hold_minutes: (payments.hold.as_secs() / 60) as i64,
        buyer,
    })
}

// ----- Placing an order -----

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
    let methods = payments.methods_for(total);
    let method = match optional_text(form.payment_method.as_deref()).map(PaymentMethod::parse) {
        _ if total == 0 => PaymentMethod::Free,
        Some(Some(method)) if methods.contains(&method) => method,
        Some(_) => return Err(AppError::field("payment_method", "Choose one of the offered ways to pay.")),
        None if methods.len() == 1 => methods[0],
        None => return Err(AppError::field("payment_method", "Choose how you want to pay.")),
    };

    // Attendees in the order of the lines, each with a number, a secret and a price.
    let mut tickets = NewTickets {
        attendee_ids: Vec::new(),
        names: Vec::new(),
        emails: Vec::new(),
        tier_ids: Vec::new(),
        numbers: Vec::new(),
        secrets: Vec::new(),
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
        expires_at: (method == PaymentMethod::Stripe)
            .then(|| now + chrono::Duration::from_std(payments.hold).unwrap_or(chrono::Duration::minutes(15))),
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
            status: status.as_str(),
            payment_provider: draft.method.as_str(),
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
    db::insert_tickets(&mut tx, draft.order_id, event.id, ticket_status.as_str(), &draft.tickets)
        .await
        .map_err(busy_or)?;
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

/// The confirmation for the buyer, and each attendee with an address of their own gets theirs.
async fn enqueue_ticket_mail(
    conn: &mut sqlx::PgConnection,
    organization_id: Uuid,
    order_id: Uuid,
    buyer_email: &str,
    attendee_emails: &[String],
) -> Result<(), AppError> {
    let others: BTreeSet<&String> = attendee_emails.iter().filter(|e| !e.eq_ignore_ascii_case(buyer_email)).collect();
    let mut messages = vec![(MailKind::OrderConfirmation, buyer_email.to_owned())];
    messages.extend(others.into_iter().map(|email| (MailKind::AttendeeTicket, email.clone())));
    outbox::enqueue_all(conn, organization_id, &messages, serde_json::json!({ "order_id": order_id })).await?;
    Ok(())
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
                0 => AppError::Conflict(format!("Sorry, “{name}” tickets are sold out.")),
                n => AppError::Conflict(format!(
                    "Sorry, only {n} “{name}” {} left; you asked for {wanted}.",
                    if n == 1 { "ticket is" } else { "tickets are" }
                )),
            }
        }
        Shortage::Event => match left(inventory::event_left(pool, event.id).await) {
            0 => AppError::Conflict("Sorry, this event is sold out.".into()),
            n => AppError::Conflict(format!(
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

/// Cancels a pending order nobody will pay, giving everything back.
async fn cancel_unpaid(pool: &PgPool, order_id: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::NotFound)?;
    let Some((status, _, _, _, event_id, promo)) = db::lock_order(&mut tx, order.organization_id, order_id).await?
    else {
        return Err(AppError::NotFound);
    };
    if status != "pending" {
        return Ok(());
    }
    db::set_status(&mut tx, order_id, OrderStatus::Cancelled.as_str()).await?;
    let per_tier = inventory::cancel_tickets_of(&mut tx, &[order_id], &["reserved", "active"], "cancelled").await?;
    inventory::give_back(&mut tx, event_id, &per_tier).await?;
    if let Some(promo) = promo {
        inventory::release_promo_use(&mut tx, promo).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ----- Payments confirmed by a provider -----

/// What a confirmed payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The order is paid and its tickets are valid.
    Paid,
    /// Nothing changed: this payment was recorded before.
    AlreadyRecorded,
    /// The hold had ended and the tickets are gone; the order is paid and flagged for the organizer.
    PaidWithoutCapacity,
    /// No order has this reference.
    UnknownOrder,
}

pub const LATE_PAYMENT_SOLD_OUT: &str = "Paid after the hold ended, and the tickets were sold to others in the meantime. Refund this order or raise capacity.";

/// Records that `reference` was paid. Idempotent: a second call changes nothing. A payment
/// for an order whose hold expired (or that was cancelled unpaid) takes its tickets back if
/// there is room; if not, the order is kept as paid and flagged, never silently refunded.
pub async fn confirm_payment(
    pool: &PgPool,
    provider: PaymentMethod,
    reference: &str,
    payment_intent: Option<&str>,
) -> Result<PaymentOutcome, AppError> {
    let mut tx = pool.begin().await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let Some((order_id, status, _total, event_id, promo)) =
        db::lock_order_by_reference(&mut tx, provider.as_str(), reference).await.map_err(busy_or)?
    else {
        return Ok(PaymentOutcome::UnknownOrder);
    };
    let status = OrderStatus::parse(&status).ok_or(AppError::Internal)?;
    let outcome = match status {
        OrderStatus::Paid | OrderStatus::Refunded => return Ok(PaymentOutcome::AlreadyRecorded),
        OrderStatus::Pending => {
            db::mark_paid(&mut tx, order_id, payment_intent, None).await?;
            inventory::cancel_tickets_of(&mut tx, &[order_id], &["reserved"], "active").await?;
            PaymentOutcome::Paid
        }
        OrderStatus::Expired | OrderStatus::Cancelled => {
            let per_tier = count_per_tier(db::ticket_tiers_of(&mut tx, order_id, "cancelled").await?);
            let mut room = true;
            for (tier_id, quantity) in &per_tier {
                room = room && inventory::take_from_tier(&mut tx, *tier_id, *quantity).await.map_err(busy_or)?;
            }
            let total: i32 = per_tier.values().sum();
            room = room && inventory::take_from_event(&mut tx, event_id, total).await.map_err(busy_or)?;
            if room {
                db::mark_paid(&mut tx, order_id, payment_intent, None).await?;
                inventory::cancel_tickets_of(&mut tx, &[order_id], &["cancelled"], "active").await?;
                if let Some(promo) = promo {
                    // The discount was granted when the order was placed; count it again if the limit allows.
                    inventory::use_promo(&mut tx, promo).await?;
                }
                PaymentOutcome::Paid
            } else {
                // Undo the partial takes by starting over without them.
                tx.rollback().await?;
                let mut tx = pool.begin().await?;
                db::lock_order_by_reference(&mut tx, provider.as_str(), reference).await?;
                db::mark_paid(&mut tx, order_id, payment_intent, Some(LATE_PAYMENT_SOLD_OUT)).await?;
                tx.commit().await?;
                tracing::warn!(%order_id, "late payment found no capacity; flagged for the organizer");
                return Ok(PaymentOutcome::PaidWithoutCapacity);
            }
        }
    };
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::Internal)?;
    let emails: Vec<String> =
        db::tickets_of(&mut *tx, &[order_id]).await?.into_iter().map(|t| t.attendee_email).collect();
    enqueue_ticket_mail(&mut tx, order.organization_id, order_id, &order.buyer_email, &emails).await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, provider = provider.as_str(), "payment confirmed");
    Ok(outcome)
}

/// Records a provider's reference on an order that has none yet.
pub async fn adopt_payment_reference(
    pool: &PgPool,
    provider: PaymentMethod,
    order_id: Uuid,
    reference: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE orders SET payment_reference = $3
          WHERE id = $1 AND payment_provider = $2 AND payment_reference IS NULL",
    )
    .bind(order_id)
    .bind(provider.as_str())
    .bind(reference)
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends the hold of an order whose payment session the provider closed unpaid.
pub async fn payment_abandoned(pool: &PgPool, provider: PaymentMethod, reference: &str) -> Result<(), AppError> {
    let order_id: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM orders WHERE payment_provider = $1 AND payment_reference = $2")
            .bind(provider.as_str())
            .bind(reference)
            .fetch_optional(pool)
            .await?;
    match order_id {
        Some(order_id) => cancel_unpaid(pool, order_id).await,
        None => Ok(()),
    }
}

// ----- What buyers see -----

fn ticket_view(ticket: &TicketRow, currency: &str) -> TicketView {
    let status = TicketStatus::parse(&ticket.status).unwrap_or(TicketStatus::Cancelled);
    TicketView {
        id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        tier_name: ticket.tier_name.clone(),
        attendee_name: ticket.attendee_name.clone(),
        attendee_email: ticket.attendee_email.clone(),
        status,
        price: format_price(ticket.price_cents, currency),
        qr_svg: (status == TicketStatus::Active).then(|| qr::svg(&ticket.qr_secret)).flatten(),
    }
}

fn order_view(order: &OrderRow, tickets: &[TicketRow]) -> OrderView {
    let tz = timezone_or_default(&order.timezone);
    let status = OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Cancelled);
    OrderView {
        order_number: order.order_number.clone(),
        status,
        payment_method: PaymentMethod::parse(&order.payment_provider).unwrap_or(PaymentMethod::Offline),
        buyer_name: order.buyer_name.clone(),
        buyer_email: order.buyer_email.clone(),
        event_name: order.event_name.clone(),
        event_slug: order.event_slug.clone(),
        when: format_range(order.start_at, order.end_at, tz),
        venue: order.venue.clone(),
        subtotal: format_price(order.subtotal_cents, &order.currency),
        discount: (order.discount_cents > 0)
            .then(|| format!("−{}", format_price(order.discount_cents, &order.currency))),
        total: format_price(order.total_cents, &order.currency),
        refunded: (order.refunded_cents > 0).then(|| format_price(order.refunded_cents, &order.currency)),
        placed: order.created_at.with_timezone(&tz).format("%b %-d, %Y at %-I:%M %p").to_string(),
        hold_ends: order
            .expires_at
            .filter(|_| status == OrderStatus::Pending)
            .map(|at| at.with_timezone(&tz).format("%-I:%M %p").to_string()),
        tickets: tickets.iter().filter(|t| t.order_id == order.id).map(|t| ticket_view(t, &order.currency)).collect(),
    }
}

/// The order behind a secret URL. A wrong or tampered token is simply not found.
pub async fn order_by_token(pool: &PgPool, token: &str) -> Result<OrderView, AppError> {
    let token = token.trim();
    if token.len() < 32 || token.len() > 64 || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::NotFound);
    }
    let order = db::order_by_token(pool, token).await?.ok_or(AppError::NotFound)?;
    let tickets = db::tickets_of(pool, &[order.id]).await?;
    Ok(order_view(&order, &tickets))
}

/// Every order of a logged-in user, with their tickets.
pub async fn orders_of_user(pool: &PgPool, user_id: Uuid) -> Result<Vec<OrderView>, AppError> {
    let orders = db::orders_of_user(pool, user_id).await?;
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let tickets = db::tickets_of(pool, &ids).await?;
    Ok(orders.iter().map(|o| order_view(o, &tickets)).collect())
}

/// Re-sends an order's e-mail to its buyer when the number and address match. The answer
/// is the same either way, so the form cannot be used to discover orders.
pub async fn resend_order_mail(pool: &PgPool, order_number: &str, email: &str) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let number = order_number.trim().to_uppercase();
    if !number.starts_with("ORD-") || number.len() != 21 {
        errors.add("order_number", "Enter the order number from your e-mail, like ORD-20261122-7KQ2M9XD.");
    }
    let email = errors.check("email", Email::parse(email));
    errors.into_result()?;
    let Some(email) = email else { return Err(AppError::Internal) };
    if let Some(order) = db::order_by_number_and_email(pool, &number, email.as_str()).await? {
        let mut tx = pool.begin().await?;
        outbox::enqueue(
            &mut tx,
            order.organization_id,
            MailKind::OrderConfirmation,
            &order.buyer_email,
            serde_json::json!({ "order_id": order.id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(order_id = %order.id, "order e-mail re-sent on request");
    }
    Ok(())
}

// ----- Organizer side -----

fn require_role(scope: &OrganizationScope, role: Role) -> Result<(), AppError> {
    if scope.role.allows(role) { Ok(()) } else { Err(AppError::Forbidden) }
}

fn placed(order: &OrderRow) -> String {
    let tz = timezone_or_default(&order.timezone);
    order.created_at.with_timezone(&tz).format("%b %-d, %-I:%M %p").to_string()
}

/// An event's orders, searched by order number, buyer or attendee, and filtered by status.
pub async fn event_orders(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    search: Option<&str>,
    status: Option<&str>,
) -> Result<EventOrders, AppError> {
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let search = optional_text(search).map(|s| s.chars().take(100).collect::<String>());
    let status = optional_text(status).and_then(OrderStatus::parse).map(OrderStatus::as_str);
    let rows = db::event_orders(pool, scope.organization_id, event_id, search.as_deref(), status).await?;
    Ok(EventOrders {
        event_id,
        event_name: event.name,
        sold: event.sold,
        capacity: event.capacity,
        orders: rows
            .iter()
            .map(|o| OrderRowView {
                id: o.id,
                order_number: o.order_number.clone(),
                buyer_name: o.buyer_name.clone(),
                buyer_email: o.buyer_email.clone(),
                status: OrderStatus::parse(&o.status).unwrap_or(OrderStatus::Cancelled),
                payment_method: PaymentMethod::parse(&o.payment_provider).unwrap_or(PaymentMethod::Offline),
                tickets: o.ticket_count,
                total: format_price(o.total_cents, &o.currency),
                placed: placed(o),
                attention: o.attention.clone(),
            })
            .collect(),
    })
}

pub async fn order_detail(pool: &PgPool, scope: &OrganizationScope, order_id: Uuid) -> Result<OrderDetail, AppError> {
    let order = db::organization_order(pool, scope.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    let tickets = db::tickets_of(pool, &[order.id]).await?;
    let tz = timezone_or_default(&order.timezone);
    Ok(OrderDetail {
        id: order.id,
        event_id: order.event_id,
        event_name: order.event_name.clone(),
        order_number: order.order_number.clone(),
        status: OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Cancelled),
        payment_method: PaymentMethod::parse(&order.payment_provider).unwrap_or(PaymentMethod::Offline),
        payment_reference: order.payment_reference.clone(),
        buyer_name: order.buyer_name.clone(),
        buyer_email: order.buyer_email.clone(),
        buyer_phone: order.buyer_phone.clone(),
        promo_code: order.promo_code.clone(),
        subtotal: format_price(order.subtotal_cents, &order.currency),
        discount: (order.discount_cents > 0)
            .then(|| format!("−{}", format_price(order.discount_cents, &order.currency))),
        total: format_price(order.total_cents, &order.currency),
        total_cents: order.total_cents,
        refunded: (order.refunded_cents > 0).then(|| format_price(order.refunded_cents, &order.currency)),
        placed: placed(&order),
        paid: order.paid_at.map(|at| at.with_timezone(&tz).format("%b %-d, %-I:%M %p").to_string()),
        attention: order.attention.clone(),
        tickets: tickets
            .iter()
            .map(|t| AdminTicket {
                id: t.id,
                ticket_number: t.ticket_number.clone(),
                tier_name: t.tier_name.clone(),
                attendee_name: t.attendee_name.clone(),
                attendee_email: t.attendee_email.clone(),
                status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Cancelled),
                price: format_price(t.price_cents, &order.currency),
                price_cents: t.price_cents,
                checked_in: t.checked_in_at.is_some(),
            })
            .collect(),
    })
}

/// Records that an offline order was paid (at the door or by invoice).
pub async fn mark_offline_paid(pool: &PgPool, scope: &OrganizationScope, order_id: Uuid) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    let (status, provider, ..) =
        db::lock_order(&mut tx, scope.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    if provider != PaymentMethod::Offline.as_str() {
        return Err(AppError::Conflict("Only orders paid at the door or by invoice can be marked paid here.".into()));
    }
    if status != OrderStatus::Pending.as_str() {
        return Err(AppError::Conflict("This order is not awaiting payment.".into()));
    }
    db::mark_paid(&mut tx, order_id, None, None).await?;
    tx.commit().await?;
    tracing::info!(%order_id, by = %scope.user_id, "offline order marked paid");
    Ok(())
}

/// Cancels a whole order, or refunds it if money was paid: its tickets stop admitting,
/// capacity is freed at once, card payments are refunded at Stripe, and the buyer is told.
pub async fn cancel_order(
    pool: &PgPool,
    payments: &Payments,
    scope: &OrganizationScope,
    order_id: Uuid,
) -> Result<OrderStatus, AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let (status, provider, total, refunded, event_id, promo) =
        db::lock_order(&mut tx, scope.organization_id, order_id).await.map_err(busy_or)?.ok_or(AppError::NotFound)?;
    let status = OrderStatus::parse(&status).ok_or(AppError::Internal)?;
    let paid_money = status == OrderStatus::Paid && total > refunded;
    let outcome = match status {
        OrderStatus::Pending => OrderStatus::Cancelled,
        OrderStatus::Paid if paid_money => OrderStatus::Refunded,
        OrderStatus::Paid => OrderStatus::Cancelled,
        _ => return Err(AppError::Conflict("This order is already closed.".into())),
    };
    if paid_money {
        refund_at_provider(pool, payments, order_id, &provider, total - refunded, "order").await?;
        db::add_refund(&mut tx, order_id, total - refunded).await?;
    }
    let ticket_status = if outcome == OrderStatus::Refunded { "refunded" } else { "cancelled" };
    let per_tier =
        inventory::cancel_tickets_of(&mut tx, &[order_id], &["reserved", "active", "used"], ticket_status).await?;
    inventory::give_back(&mut tx, event_id, &per_tier).await?;
    if let Some(promo) = promo.filter(|_| status == OrderStatus::Pending) {
        inventory::release_promo_use(&mut tx, promo).await?;
    }
    db::set_status(&mut tx, order_id, outcome.as_str()).await?;
    db::clear_attention(&mut tx, order_id).await?;
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::Internal)?;
    outbox::enqueue(
        &mut tx,
        scope.organization_id,
        MailKind::OrderCancelled,
        &order.buyer_email,
        serde_json::json!({ "order_id": order_id }),
    )
    .await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, by = %scope.user_id, outcome = outcome.as_str(), "order closed by organizer");
    Ok(outcome)
}

/// Cancels one ticket (refunding what it cost, if paid); the rest of the order stays.
pub async fn cancel_ticket(
    pool: &PgPool,
    payments: &Payments,
    scope: &OrganizationScope,
    order_id: Uuid,
    ticket_id: Uuid,
) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    inventory::bound_lock_waits(&mut tx).await?;
    let (status, provider, total, refunded, event_id, _) =
        db::lock_order(&mut tx, scope.organization_id, order_id).await.map_err(busy_or)?.ok_or(AppError::NotFound)?;
    let status = OrderStatus::parse(&status).ok_or(AppError::Internal)?;
    if !matches!(status, OrderStatus::Pending | OrderStatus::Paid) {
        return Err(AppError::Conflict("This order is already closed.".into()));
    }
    let to = if status == OrderStatus::Paid { "refunded" } else { "cancelled" };
    let (tier_id, price) = db::set_ticket_status(&mut tx, order_id, ticket_id, &["reserved", "active", "used"], to)
        .await?
        .ok_or_else(|| AppError::Conflict("This ticket is already cancelled.".into()))?;
    let refund = if status == OrderStatus::Paid { price.min(total - refunded) } else { 0 };
    if refund > 0 {
        refund_at_provider(pool, payments, order_id, &provider, refund, &format!("ticket-{ticket_id}")).await?;
        db::add_refund(&mut tx, order_id, refund).await?;
    }
    inventory::give_back(&mut tx, event_id, &BTreeMap::from([(tier_id, 1)])).await?;
    if db::live_tickets(&mut tx, order_id).await? == 0 {
        let closed = if status == OrderStatus::Paid { OrderStatus::Refunded } else { OrderStatus::Cancelled };
        db::set_status(&mut tx, order_id, closed.as_str()).await?;
    }
    let attendee: String =
        sqlx::query_scalar("SELECT a.email FROM tickets k JOIN attendees a ON a.id = k.attendee_id WHERE k.id = $1")
            .bind(ticket_id)
            .fetch_one(&mut *tx)
            .await?;
    outbox::enqueue(
        &mut tx,
        scope.organization_id,
        MailKind::TicketCancelled,
        &attendee,
        serde_json::json!({ "order_id": order_id, "ticket_id": ticket_id }),
    )
    .await?;
    tx.commit().await.map_err(busy_or)?;
    tracing::info!(%order_id, %ticket_id, by = %scope.user_id, "ticket cancelled by organizer");
    Ok(())
}

/// Gives card payments back at Stripe before the order records it; offline refunds are
/// the organizer's to hand over and are only recorded.
async fn refund_at_provider(
    pool: &PgPool,
    payments: &Payments,
    order_id: Uuid,
    provider: &str,
    cents: i64,
    what: &str,
) -> Result<(), AppError> {
    if provider != PaymentMethod::Stripe.as_str() {
        return Ok(());
    }
    let stripe = payments.stripe.as_ref().ok_or_else(|| {
        AppError::Conflict("Card payments are not configured, so this card payment cannot be refunded here.".into())
    })?;
    let intent: Option<String> =
        sqlx::query_scalar("SELECT payment_intent FROM orders WHERE id = $1").bind(order_id).fetch_one(pool).await?;
    let intent = intent.ok_or_else(|| AppError::Conflict("Stripe has not reported this payment yet.".into()))?;
    stripe.refund(&intent, cents, &format!("refund-{order_id}-{what}")).await.map_err(|error| {
        tracing::error!(%error, %order_id, "Stripe refund failed");
        AppError::Conflict(
            "Stripe could not refund this payment right now; nothing was changed. Please try again.".into(),
        )
    })
}

// ----- Promo codes -----

/// A promo code form as typed.
#[derive(Debug, Clone, Default)]
pub struct PromoForm {
    pub code: String,
    pub discount_kind: String,
    pub amount: String,
    pub tier_id: Option<String>,
    pub max_uses: Option<String>,
    pub valid_from_local: Option<String>,
    pub valid_until_local: Option<String>,
}

pub async fn create_promo(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    form: PromoForm,
) -> Result<Uuid, AppError> {
    use crate::events::{parse_count, parse_price, time};
    require_role(scope, Role::Admin)?;
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&event.timezone);
    let tiers = events_db::tiers(pool, event_id).await?;
    let mut errors = FieldErrors::new();
    let code = normalize_code(&form.code);
    if !(3..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        errors.add("code", "Use 3 to 32 letters, digits, dashes or underscores, like EARLYBIRD.");
    }
    let kind = DiscountKind::parse(&form.discount_kind);
    let value = match kind {
        Some(DiscountKind::Percent) => {
            errors.check("amount", parse_count(&form.amount, "percentage", 1, 100).map(i64::from))
        }
        Some(DiscountKind::Fixed) => match parse_price(&form.amount) {
            Ok(0) => {
                errors.add("amount", "The amount off must be more than zero.");
                None
            }
            parsed => errors.check("amount", parsed),
        },
        None => {
            errors.add("discount_kind", "Choose percent off or amount off.");
            None
        }
    };
    let tier_id = match optional_text(form.tier_id.as_deref()) {
        None => None,
        Some(raw) => match Uuid::parse_str(raw).ok().filter(|id| tiers.iter().any(|t| t.id == *id)) {
            Some(id) => Some(id),
            None => {
                errors.add("tier_id", "Choose a ticket tier of this event.");
                None
            }
        },
    };
    let max_uses = match optional_text(form.max_uses.as_deref()) {
        None => None,
        Some(raw) => errors.check("max_uses", parse_count(raw, "usage limit", 1, 1_000_000)),
    };
    let valid_from = optional_text(form.valid_from_local.as_deref())
        .and_then(|s| errors.check("valid_from_local", time::local_to_utc(s, tz)));
    let valid_until = optional_text(form.valid_until_local.as_deref())
        .and_then(|s| errors.check("valid_until_local", time::local_to_utc(s, tz)));
    if let (Some(from), Some(until)) = (valid_from, valid_until)
        && until <= from
    {
        errors.add("valid_until_local", "The code must stop working after it starts.");
    }
    errors.into_result()?;
    let (Some(kind), Some(value)) = (kind, value) else { return Err(AppError::Internal) };
    let mut tx = pool.begin().await?;
    let fields = db::PromoFields {
        tier_id,
        code: &code,
        discount_kind: kind.as_str(),
        discount_value: value,
        max_uses,
        valid_from,
        valid_until,
    };
    let id = match db::insert_promo(&mut tx, event_id, &fields).await {
        Ok(id) => id,
        Err(e) if crate::error::violated_constraint(&e) == Some("promo_codes_event_code_key") => {
            return Err(AppError::field("code", "This event already has a promo code with that name."));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn promos(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
) -> Result<Vec<crate::orders::PromoView>, AppError> {
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&event.timezone);
    let day = |at: DateTime<Utc>| crate::events::time::format_day(at, tz);
    Ok(db::promos_of_event(pool, event_id)
        .await?
        .into_iter()
        .map(|p| crate::orders::PromoView {
            id: p.id,
            discount: match DiscountKind::parse(&p.discount_kind) {
                Some(DiscountKind::Percent) => format!("{}% off", p.discount_value),
                _ => format!("{} off", format_price(p.discount_value, &event.currency)),
            },
            code: p.code,
            tier_name: p.tier_name,
            used: p.used,
            max_uses: p.max_uses,
            window: match (p.valid_from, p.valid_until) {
                (None, None) => None,
                (Some(from), None) => Some(format!("from {}", day(from))),
                (None, Some(until)) => Some(format!("until {}", day(until))),
                (Some(from), Some(until)) => Some(format!("{} – {}", day(from), day(until))),
            },
            is_active: p.is_active,
        })
        .collect())
}

pub async fn set_promo_active(
    pool: &PgPool,
    scope: &OrganizationScope,
    promo_id: Uuid,
    active: bool,
) -> Result<Uuid, AppError> {
    require_role(scope, Role::Admin)?;
    db::set_promo_active(pool, scope.organization_id, promo_id, active).await?.ok_or(AppError::NotFound)
}
