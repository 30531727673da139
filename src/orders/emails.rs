//! The e-mails orders owe (confirmations, attendee tickets, cancellations, released
//! reservations), rendered from the order as it is when the outbox worker sends them.
//!
//! The buyer's messages link to the order; an attendee's message links only to their own
//! ticket(s). Names buyers typed, and event and venue names (anyone can run an event), are
//! shown as plain text that cannot become a link; buyers' names never go into a subject.

use crate::events::calendar::{CalendarEntry, calendar};
use crate::events::time::{format_range, timezone_or_default};
use crate::events::{EventStatus, format_price};
use crate::mail::MailKind;
use crate::mail::compose::{self, Draft, escape, unlinkable};
use crate::mail::db::OutboxRow;
use crate::mail::outbox::{Render, RenderFuture, Rendered, payload_id};
use crate::orders::db::{self as orders_db, OrderRow, TicketRow};
use crate::orders::service::{due_words, is_unpaid_reservation};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus, qr, unpaid_note};
use crate::platform::mailer::Mailer;
use sqlx::PgPool;

/// The renderer of every kind of message about orders.
pub struct OrderMail;

impl Render for OrderMail {
    fn render<'a>(&'a self, pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a> {
        Box::pin(render(pool, mailer, row))
    }
}

fn subject(kind: MailKind, order: &OrderRow) -> String {
    // Anyone can run an event, so its name is text a stranger typed, like a buyer's name.
    let (event, number) = (&unlinkable(&order.event_name), &order.order_number);
    match kind {
        MailKind::OrderConfirmation if is_unpaid_reservation(order) => {
            format!("Your reservation for {event} ({number})")
        }
        MailKind::OrderConfirmation if order.status == OrderStatus::Pending => {
            format!("Your order for {event} is awaiting payment ({number})")
        }
        MailKind::AttendeeTicket => format!("Your ticket for {event}"),
        MailKind::OrderCancelled => format!("Order {number} for {event} was cancelled"),
        MailKind::TicketCancelled => format!("A ticket for {event} was cancelled"),
        MailKind::OrderExpired => format!("Your reservation for {event} was released ({number})"),
        MailKind::EventCancelled => format!("Cancelled: {event}"),
        _ => format!("Your tickets for {event} ({number})"),
    }
}

fn intro(kind: MailKind, order: &OrderRow, due: Option<&str>) -> String {
    let buyer = unlinkable(&order.buyer_name);
    match kind {
        MailKind::OrderConfirmation if is_unpaid_reservation(order) => format!(
            "Thank you, {buyer}. Your tickets are reserved but not paid: pay {} at the door or by invoice, or the reservation is released.",
            due.map(|d| format!("by {d}")).unwrap_or_else(|| "before the event".into())
        ),
        MailKind::OrderConfirmation if order.status == OrderStatus::Paid => {
            format!("Thank you, {buyer}. Your order is confirmed.")
        }
        MailKind::OrderConfirmation => {
            format!("Your order is {}; the link below shows where it stands.", order.status.label().to_lowercase())
        }
        MailKind::AttendeeTicket => format!("{buyer} got you a ticket. Show its QR code at the door."),
        MailKind::OrderCancelled => {
            "Your order was cancelled. Its tickets no longer admit anyone; any refund goes back to how you paid."
                .to_owned()
        }
        MailKind::TicketCancelled => "This ticket was cancelled and no longer admits anyone.".to_owned(),
        MailKind::OrderExpired => {
            "Your reservation was not paid by its deadline, so its tickets were released and no longer admit anyone."
                .to_owned()
        }
        MailKind::EventCancelled => {
            "The organizer has cancelled this event. Your tickets no longer admit anyone.".to_owned()
        }
        MailKind::PasswordReset
        | MailKind::SignupAttempt
        | MailKind::ConfirmEmail
        | MailKind::Invitation
        | MailKind::Announcement => String::new(),
    }
}

/// What happens to the buyer's money when the event is cancelled.
fn money_back(order: &OrderRow) -> String {
    let refunded = format_price(order.refunded_cents, &order.currency);
    match (order.status, order.payment_provider) {
        (OrderStatus::Refunded, PaymentMethod::Stripe) => {
            format!("{refunded} is being refunded to your card; banks take 5 to 10 days to show it.")
        }
        (OrderStatus::Refunded, _) => format!("The organizer will give back the {refunded} you paid."),
        _ => "You have nothing to pay.".to_owned(),
    }
}

async fn render(pool: &PgPool, mailer: &Mailer, row: &OutboxRow) -> Result<Rendered, String> {
    let kind = row.kind;
    let order_id = payload_id(row, "order_id")?;
    let order = orders_db::order_by_id(pool, order_id)
        .await
        .map_err(|e| format!("cannot read order: {e}"))?
        .ok_or("the order no longer exists")?;
    let mut tickets =
        orders_db::tickets_of(pool, &[order_id]).await.map_err(|e| format!("cannot read tickets: {e}"))?;
    match kind {
        MailKind::AttendeeTicket => tickets.retain(|t| t.attendee_email.eq_ignore_ascii_case(&row.recipient)),
        // The buyer hears about the whole order; an attendee only about their own tickets.
        MailKind::EventCancelled if !order.buyer_email.eq_ignore_ascii_case(&row.recipient) => {
            tickets.retain(|t| t.attendee_email.eq_ignore_ascii_case(&row.recipient))
        }
        MailKind::EventCancelled => {}
        MailKind::TicketCancelled => {
            let ticket_id = payload_id(row, "ticket_id")?;
            tickets.retain(|t| t.id == ticket_id);
        }
        MailKind::OrderConfirmation | MailKind::OrderCancelled | MailKind::OrderExpired => {}
        MailKind::PasswordReset
        | MailKind::SignupAttempt
        | MailKind::ConfirmEmail
        | MailKind::Invitation
        | MailKind::Announcement => {
            return Err(format!("{kind} is not about an order"));
        }
    }
    let tz = timezone_or_default(&order.timezone);
    let when = format_range(order.start_at, order.end_at, tz);
    let unpaid = is_unpaid_reservation(&order);
    let due = order.expires_at.filter(|_| unpaid).map(|at| due_words(at, tz));
    let for_attendee = kind == MailKind::AttendeeTicket
        || kind == MailKind::EventCancelled && !order.buyer_email.eq_ignore_ascii_case(&row.recipient);
    let mut intro = intro(kind, &order, due.as_deref());
    if kind == MailKind::EventCancelled && !for_attendee {
        intro = format!("{intro} {}", money_back(&order));
    }
    let admits = |t: &TicketRow| {
        matches!(kind, MailKind::OrderConfirmation | MailKind::AttendeeTicket) && t.status == TicketStatus::Active
    };

    let event_name = unlinkable(&order.event_name);
    let venue = order.venue.as_deref().map(unlinkable);
    let mut text = format!("{intro}\n\n{event_name}\n{when}\n");
    let mut html = format!(
        "<p>{}</p><h2>{}</h2><p>{}<br>{}</p>",
        escape(&intro),
        escape(&event_name),
        escape(&when),
        escape(venue.as_deref().unwrap_or(""))
    );
    if let Some(venue) = &venue {
        text.push_str(&format!("{venue}\n"));
    }
    if !for_attendee {
        let order_url = format!("{}/orders/{}", mailer.public_url, order.access_token);
        text.push_str(&format!("\nOrder {}\n", order.order_number));
        html.push_str(&format!("<p>Order <strong>{}</strong>", escape(&order.order_number)));
        if kind == MailKind::OrderConfirmation {
            let total = format_price(order.total_cents, &order.currency);
            text.push_str(&format!("Total: {total}{}\n", if unpaid { " (unpaid)" } else { "" }));
            html.push_str(&format!(" · Total {}{}", escape(&total), if unpaid { " (unpaid)" } else { "" }));
        }
        text.push_str(&format!("View your order and tickets: {order_url}\n\n"));
        html.push_str(&format!("</p><p><a href=\"{}\">View your order and tickets</a></p>", escape(&order_url)));
    }

    let mut images = Vec::new();
    let mut attachments = Vec::new();
    for ticket in &tickets {
        let attendee = unlinkable(&ticket.attendee_name);
        let unpaid_line = (unpaid && ticket.status == TicketStatus::Active && ticket.price_cents > 0)
            .then(|| unpaid_note(&format_price(ticket.price_cents, &order.currency)));
        text.push_str(&format!("Ticket {} · {} · {attendee}\n", ticket.ticket_number, ticket.tier_name));
        html.push_str(&format!(
            "<div style=\"margin:16px 0\"><p><strong>{}</strong> · {}<br>{}</p>",
            escape(&ticket.tier_name),
            escape(&attendee),
            escape(&ticket.ticket_number)
        ));
        if let Some(line) = &unpaid_line {
            text.push_str(&format!("{line}\n"));
            html.push_str(&format!("<p><strong>{}</strong></p>", escape(line)));
        }
        if for_attendee {
            let ticket_url = format!("{}/tickets/{}", mailer.public_url, ticket.access_token);
            text.push_str(&format!("Your ticket: {ticket_url}\n"));
            html.push_str(&format!("<p><a href=\"{}\">Open your ticket</a></p>", escape(&ticket_url)));
        }
        if admits(ticket) {
            let png = qr::png(&ticket.qr_secret, 6).ok_or("cannot draw a QR code")?;
            let cid = format!("qr-{}", ticket.ticket_number);
            html.push_str(&format!(
                "<img src=\"cid:{cid}\" alt=\"QR code for {}\" width=\"240\" height=\"240\">",
                escape(&ticket.ticket_number)
            ));
            attachments.push(format!("{}.png", ticket.ticket_number));
            images.push((cid, png));
        }
        html.push_str("</div>");
    }
    text.push_str("\nEventOS\n");

    let mut files = Vec::new();
    // A cancelled event's entry carries STATUS:CANCELLED, so calendars drop it.
    if matches!(kind, MailKind::OrderConfirmation | MailKind::AttendeeTicket | MailKind::EventCancelled) {
        let name = format!("{}.ics", order.event_slug);
        attachments.push(name.clone());
        files.push((name, "text/calendar; charset=utf-8", calendar_file(mailer, &order).into_bytes()));
    }
    let subject = subject(kind, &order);
    let draft = Draft { subject: subject.clone(), text: text.clone(), html, images, files };
    let message = compose::build(mailer, row, draft)?;
    Ok(Rendered { message, subject, body_text: text, attachments })
}

/// The event's calendar entry, from the order's own row (no statistics to compute).
fn calendar_file(mailer: &Mailer, order: &OrderRow) -> String {
    let entry = CalendarEntry {
        id: order.event_id,
        slug: &order.event_slug,
        name: &order.event_name,
        description: &order.event_description,
        start_iso: order.start_at.to_rfc3339(),
        end_iso: order.end_at.to_rfc3339(),
        location: order.venue.clone().unwrap_or_default(),
        cancelled: order.event_status == EventStatus::Cancelled,
    };
    calendar(&entry, &mailer.public_url)
}
