//! The e-mails orders owe (confirmations, attendee tickets, cancellations), rendered from the
//! order as it is when the outbox worker sends them.

use crate::events::calendar::{CalendarEntry, calendar};
use crate::events::time::{format_range, timezone_or_default};
use crate::events::{EventStatus, format_price};
use crate::mail::MailKind;
use crate::mail::db::OutboxRow;
use crate::mail::outbox::{Render, RenderFuture, Rendered, payload_id};
use crate::orders::db::{self as orders_db, OrderRow, TicketRow};
use crate::orders::{OrderStatus, PaymentMethod, TicketStatus, qr};
use crate::platform::mailer::Mailer;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use sqlx::PgPool;

/// The renderer of every kind of message about orders.
pub struct OrderMail;

impl Render for OrderMail {
    fn render<'a>(&'a self, pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a> {
        Box::pin(render(pool, mailer, row))
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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
        MailKind::TicketCancelled => {
            let ticket_id = payload_id(row, "ticket_id")?;
            tickets.retain(|t| t.id == ticket_id);
        }
        MailKind::OrderConfirmation | MailKind::OrderCancelled => {}
    }
    let tz = timezone_or_default(&order.timezone);
    let when = format_range(order.start_at, order.end_at, tz);
    let order_url = format!("{}/orders/{}", mailer.public_url, order.access_token);
    let subject = match kind {
        MailKind::OrderConfirmation
            if order.status == OrderStatus::Pending && order.payment_provider == PaymentMethod::Offline =>
        {
            format!("Your reservation for {} ({})", order.event_name, order.order_number)
        }
        MailKind::OrderConfirmation if order.status == OrderStatus::Pending => {
            format!("Your order for {} is awaiting payment ({})", order.event_name, order.order_number)
        }
        MailKind::OrderConfirmation => format!("Your tickets for {} ({})", order.event_name, order.order_number),
        MailKind::AttendeeTicket => format!("Your ticket for {}", order.event_name),
        MailKind::OrderCancelled => format!("Order {} for {} was cancelled", order.order_number, order.event_name),
        MailKind::TicketCancelled => format!("A ticket for {} was cancelled", order.event_name),
    };
    let intro = match kind {
        MailKind::OrderConfirmation
            if order.status == OrderStatus::Pending && order.payment_provider == PaymentMethod::Offline =>
        {
            format!(
                "Thank you, {}. Your tickets are reserved; please pay at the door or when you receive the invoice.",
                order.buyer_name
            )
        }
        MailKind::OrderConfirmation if order.status == OrderStatus::Paid => {
            format!("Thank you, {}. Your order is confirmed.", order.buyer_name)
        }
        MailKind::OrderConfirmation => {
            format!("Your order is {}; the link below shows where it stands.", order.status.label().to_lowercase())
        }
        MailKind::AttendeeTicket => {
            format!("{} got you a ticket. Show the QR code at the door.", order.buyer_name)
        }
        MailKind::OrderCancelled => {
            "Your order was cancelled. Its tickets no longer admit anyone; any refund goes back to how you paid."
                .to_owned()
        }
        MailKind::TicketCancelled => "This ticket was cancelled and no longer admits anyone.".to_owned(),
    };
    let admits = |t: &TicketRow| {
        matches!(kind, MailKind::OrderConfirmation | MailKind::AttendeeTicket) && t.status == TicketStatus::Active
    };

    let mut text = format!("{intro}\n\n{}\n{when}\n", order.event_name);
    if let Some(venue) = &order.venue {
        text.push_str(&format!("{venue}\n"));
    }
    text.push_str(&format!("\nOrder {}\n", order.order_number));
    if kind == MailKind::OrderConfirmation {
        text.push_str(&format!("Total: {}\n", format_price(order.total_cents, &order.currency)));
    }
    text.push_str(&format!("View your order and tickets: {order_url}\n\n"));
    let mut html = format!(
        "<p>{}</p><h2>{}</h2><p>{}<br>{}</p><p>Order <strong>{}</strong>",
        escape(&intro),
        escape(&order.event_name),
        escape(&when),
        escape(order.venue.as_deref().unwrap_or("")),
        escape(&order.order_number)
    );
    if kind == MailKind::OrderConfirmation {
        html.push_str(&format!(" · Total {}", escape(&format_price(order.total_cents, &order.currency))));
    }
    html.push_str(&format!("</p><p><a href=\"{}\">View your order and tickets</a></p>", escape(&order_url)));

    let mut images = Vec::new();
    let mut attachments = Vec::new();
    for ticket in &tickets {
        text.push_str(&format!("Ticket {} · {} · {}\n", ticket.ticket_number, ticket.tier_name, ticket.attendee_name));
        html.push_str(&format!(
            "<div style=\"margin:16px 0\"><p><strong>{}</strong> · {}<br>{}</p>",
            escape(&ticket.tier_name),
            escape(&ticket.attendee_name),
            escape(&ticket.ticket_number)
        ));
        if admits(ticket) {
            let png = qr::png(&ticket.qr_secret, 6).ok_or("cannot draw a QR code")?;
            let cid = format!("qr-{}", ticket.ticket_number);
            html.push_str(&format!(
                "<img src=\"cid:{cid}\" alt=\"QR code for {}\" width=\"240\" height=\"240\">",
                escape(&ticket.ticket_number)
            ));
            attachments.push(format!("{}.png", ticket.ticket_number));
            images.push(
                Attachment::new_inline(cid).body(png, ContentType::parse("image/png").map_err(|e| e.to_string())?),
            );
        }
        html.push_str("</div>");
    }
    text.push_str("\nEventOS\n");

    let mut related = MultiPart::related().multipart(MultiPart::alternative_plain_html(text.clone(), html));
    for image in images {
        related = related.singlepart(image);
    }
    let mut mixed = MultiPart::mixed().multipart(related);
    if matches!(kind, MailKind::OrderConfirmation | MailKind::AttendeeTicket) {
        let ics = calendar_file(mailer, &order);
        let name = format!("{}.ics", order.event_slug);
        attachments.push(name.clone());
        let part: SinglePart = Attachment::new(name)
            .body(ics, ContentType::parse("text/calendar; charset=utf-8").map_err(|e| e.to_string())?);
        mixed = mixed.singlepart(part);
    }
    let to = row.recipient.parse().map_err(|e| format!("bad recipient {}: {e}", row.recipient))?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject.clone())
        // Stable per outbox row, so a message re-sent after a crash is recognisably the same.
        .message_id(Some(format!("<{}@eventos>", row.id)))
        .multipart(mixed)
        .map_err(|e| format!("cannot build the message: {e}"))?;
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
