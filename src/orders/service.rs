//! What every order operation shares (the payment providers, "try again" for lock waits,
//! ticket e-mails, releasing an unpaid order) and what buyers see of their orders. The rest
//! of the domain's operations live beside it: `pricing` (the checkout summary), `checkout`
//! (placing an order), `payment` (what providers report), `manage` (the organizer's side)
//! and `promos`.

use crate::events::format_price;
use crate::events::time::{format_range, timezone_or_default};
use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::orders::db::{self, OrderRow, SaleEvent, TicketRow};
use crate::orders::inventory;
use crate::orders::{OrderStatus, OrderView, PaymentMethod, TicketPage, TicketStatus, TicketView, qr, unpaid_note};
use crate::payments::stripe::Stripe;
use crate::platform::error::{AppError, FieldErrors};
use crate::platform::state::AppState;
use crate::platform::text::Email;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
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
    /// The payment providers and hold time the configuration asks for.
    pub fn from_state(state: &AppState) -> Self {
        Payments {
            stripe: state.config.stripe.clone().map(|config| Stripe::new(state.http.clone(), config)),
            hold: state.config.order_hold,
            public_url: state.config.public_url.clone(),
        }
    }

    /// Checkout without card payments (free tickets, pay at the door or by invoice), for the
    /// commands that place orders themselves: the demo data and the load tests.
    pub fn without_cards() -> Self {
        Payments { stripe: None, hold: Duration::from_secs(900), public_url: String::new() }
    }

    /// The ways a selection costing `total_cents` can be paid for `event` now. Paying at
    /// the door or by invoice is offered only where the organizer allows it and while its
    /// deadline is still ahead.
    pub fn methods_for(&self, total_cents: i64, event: &SaleEvent, now: DateTime<Utc>) -> Vec<PaymentMethod> {
        if total_cents == 0 {
            return vec![PaymentMethod::Free];
        }
        let mut methods = Vec::new();
        if self.stripe.is_some() {
            methods.push(PaymentMethod::Stripe);
        }
        if offline_deadline(event, now).is_some() {
            methods.push(PaymentMethod::Offline);
        }
        methods
    }
}

/// When an unpaid offline order placed `now` for `event` must be paid: the event's number
/// of days later, but never after the event starts. `None` when the organizer does not
/// take offline payments or the event has started.
pub fn offline_deadline(event: &SaleEvent, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !event.offline_payments {
        return None;
    }
    let deadline = (now + chrono::Duration::days(i64::from(event.offline_payment_days))).min(event.start_at);
    (deadline > now).then_some(deadline)
}

/// The tickets that still count against capacity.
pub(crate) const LIVE_TICKETS: [TicketStatus; 3] = [TicketStatus::Reserved, TicketStatus::Active, TicketStatus::Used];

/// Lock waits that ran out, and deadlocks, become a "try again", never a hang or a 500.
pub(crate) fn busy_or(error: sqlx::Error) -> AppError {
    match error.as_database_error().and_then(|e| e.code()).as_deref() {
        Some("55P03" | "40P01") => {
            tracing::warn!(%error, "checkout gave up waiting for a lock");
            AppError::Busy
        }
        _ => error.into(),
    }
}

pub(crate) fn normalize_code(input: &str) -> String {
    input.trim().to_uppercase()
}

/// The attendees' addresses other than the buyer's, each once (ignoring case): who gets an
/// e-mail of their own about an order besides its buyer.
pub(crate) fn other_addresses<'a>(buyer: &str, attendees: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut others: Vec<String> = Vec::new();
    for email in attendees {
        if !email.eq_ignore_ascii_case(buyer) && !others.iter().any(|o| o.eq_ignore_ascii_case(email)) {
            others.push(email.to_owned());
        }
    }
    others
}

/// The confirmation for the buyer, and each attendee with an address of their own gets theirs.
pub(crate) async fn enqueue_ticket_mail(
    conn: &mut sqlx::PgConnection,
    organization_id: Uuid,
    order_id: Uuid,
    buyer_email: &str,
    attendee_emails: &[String],
) -> Result<(), AppError> {
    let mut messages = vec![(MailKind::OrderConfirmation, buyer_email.to_owned())];
    let others = other_addresses(buyer_email, attendee_emails.iter().map(String::as_str));
    messages.extend(others.into_iter().map(|email| (MailKind::AttendeeTicket, email)));
    mail_db::enqueue_all(conn, organization_id, &messages, serde_json::json!({ "order_id": order_id })).await?;
    Ok(())
}

/// Cancels a pending order nobody will pay, giving everything back.
#[tracing::instrument(skip_all, fields(%order_id))]
pub(crate) async fn cancel_unpaid(pool: &PgPool, order_id: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    cancel_unpaid_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(())
}

/// `cancel_unpaid` in the caller's transaction.
pub(crate) async fn cancel_unpaid_in(tx: &mut PgConnection, order_id: Uuid) -> Result<(), AppError> {
    let order = db::order_by_id(&mut *tx, order_id).await?.ok_or(AppError::NotFound)?;
    let locked = db::lock_order(tx, order.organization_id, order_id).await?.ok_or(AppError::NotFound)?;
    if locked.status != OrderStatus::Pending {
        return Ok(());
    }
    db::set_status(tx, order_id, OrderStatus::Cancelled).await?;
    let per_tier = inventory::cancel_tickets_of(
        tx,
        &[order_id],
        &[TicketStatus::Reserved, TicketStatus::Active],
        TicketStatus::Cancelled,
    )
    .await?;
    inventory::give_back(tx, locked.event_id, &per_tier).await?;
    if let Some(promo) = locked.promo_code_id {
        inventory::release_promo_use(tx, promo).await?;
    }
    Ok(())
}

fn ticket_view(ticket: &TicketRow, currency: &str, unpaid: bool) -> TicketView {
    let status = ticket.status;
    let price = format_price(ticket.price_cents, currency);
    TicketView {
        unpaid: (unpaid && status == TicketStatus::Active && ticket.price_cents > 0).then(|| unpaid_note(&price)),
        id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        tier_name: ticket.tier_name.clone(),
        attendee_name: ticket.attendee_name.clone(),
        attendee_email: ticket.attendee_email.clone(),
        status,
        price,
        qr_svg: (status == TicketStatus::Active).then(|| qr::svg(&ticket.qr_secret)).flatten(),
    }
}

/// An order reserved to be paid at the door or by invoice that is not paid yet.
pub fn is_unpaid_reservation(order: &OrderRow) -> bool {
    order.status == OrderStatus::Pending && order.payment_provider == PaymentMethod::Offline
}

/// A payment deadline in words, in the event's time zone.
pub fn due_words(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%b %-d, %Y at %-I:%M %p").to_string()
}

fn order_view(order: &OrderRow, tickets: &[TicketRow]) -> OrderView {
    let tz = timezone_or_default(&order.timezone);
    let status = order.status;
    let unpaid_reservation = is_unpaid_reservation(order);
    OrderView {
        order_number: order.order_number.clone(),
        status,
        payment_method: order.payment_provider,
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
            .filter(|_| status == OrderStatus::Pending && !unpaid_reservation)
            .map(|at| at.with_timezone(&tz).format("%-I:%M %p").to_string()),
        payment_due: order.expires_at.filter(|_| unpaid_reservation).map(|at| due_words(at, tz)),
        tickets: tickets
            .iter()
            .filter(|t| t.order_id == order.id)
            .map(|t| ticket_view(t, &order.currency, unpaid_reservation))
            .collect(),
    }
}

/// A secret link's token, if it could be one; anything else names nothing.
fn plausible_token(token: &str) -> Result<&str, AppError> {
    let token = token.trim();
    let plausible =
        (32..=64).contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plausible { Ok(token) } else { Err(AppError::NotFound) }
}

/// The order behind a secret URL. A wrong or tampered token is simply not found.
pub async fn order_by_token(pool: &PgPool, token: &str) -> Result<OrderView, AppError> {
    let token = plausible_token(token)?;
    let order = db::order_by_token(pool, token).await?.ok_or(AppError::NotFound)?;
    let tickets = db::tickets_of(pool, &[order.id]).await?;
    Ok(order_view(&order, &tickets))
}

/// One ticket behind its own secret link (the attendee's e-mail links here).
pub async fn ticket_by_token(pool: &PgPool, token: &str) -> Result<TicketPage, AppError> {
    let token = plausible_token(token)?;
    let (order_id, ticket_id) = db::ticket_by_token(pool, token).await?.ok_or(AppError::NotFound)?;
    let order = db::order_by_id(pool, order_id).await?.ok_or(AppError::NotFound)?;
    let ticket =
        db::tickets_of(pool, &[order_id]).await?.into_iter().find(|t| t.id == ticket_id).ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&order.timezone);
    Ok(TicketPage {
        event_name: order.event_name.clone(),
        event_slug: order.event_slug.clone(),
        when: format_range(order.start_at, order.end_at, tz),
        venue: order.venue.clone(),
        ticket: ticket_view(&ticket, &order.currency, is_unpaid_reservation(&order)),
    })
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
#[tracing::instrument(skip_all)]
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
        mail_db::enqueue(
            &mut tx,
            Some(order.organization_id),
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
