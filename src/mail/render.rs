//! Turning an outbox row into a message, from the order as it is when the mail is sent.

use crate::events::format_price;
use crate::events::time::{format_range, timezone_or_default};
use crate::mail::MailKind;
use crate::mail::outbox::OutboxRow;
use crate::mail::transport::Mailer;
use crate::orders::db::{self as orders_db, OrderRow, TicketRow};
use crate::orders::{TicketStatus, qr};
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use sqlx::PgPool;
use uuid::Uuid;

pub struct Rendered {
    pub message: Message,
    pub subject: String,
    pub body_text: String,
    pub attachments: Vec<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn payload_id(row: &OutboxRow, key: &str) -> Result<Uuid, String> {
    row.payload
        .get(key)
        .and_then(|v| v.as_str())
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| format!("outbox row has no {key}"))
}

pub async fn render(pool: &PgPool, mailer: &Mailer, row: &OutboxRow) -> Result<Rendered, String> {
    let kind = MailKind::parse(&row.kind).ok_or_else(|| format!("unknown mail kind {}", row.kind))?;
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
        MailKind::OrderConfirmation if order.status == "pending" && order.payment_provider == "offline" => {
            format!("Your reservation for {} ({})", order.event_name, order.order_number)
        }
        MailKind::OrderConfirmation if order.status == "pending" => {
            format!("Your order for {} is awaiting payment ({})", order.event_name, order.order_number)
        }
        MailKind::OrderConfirmation => format!("Your tickets for {} ({})", order.event_name, order.order_number),
        MailKind::AttendeeTicket => format!("Your ticket for {}", order.event_name),
        MailKind::OrderCancelled => format!("Order {} for {} was cancelled", order.order_number, order.event_name),
        MailKind::TicketCancelled => format!("A ticket for {} was cancelled", order.event_name),
    };
    let intro = match kind {
        MailKind::OrderConfirmation if order.status == "pending" && order.payment_provider == "offline" => format!(
            "Thank you, {}. Your tickets are reserved; please pay at the door or when you receive the invoice.",
            order.buyer_name
        ),
        MailKind::OrderConfirmation if order.status == "paid" => {
            format!("Thank you, {}. Your order is confirmed.", order.buyer_name)
        }
        MailKind::OrderConfirmation => format!(
            "Your order is {}; the link below shows where it stands.",
            crate::orders::OrderStatus::parse(&order.status).map(|s| s.label().to_lowercase()).unwrap_or_default()
        ),
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
        matches!(kind, MailKind::OrderConfirmation | MailKind::AttendeeTicket)
            && TicketStatus::parse(&t.status) == Some(TicketStatus::Active)
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
        let ics = calendar(mailer, &order);
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
fn calendar(mailer: &Mailer, order: &OrderRow) -> String {
    let entry = crate::events::http::CalendarEntry {
        id: order.event_id,
        slug: &order.event_slug,
        name: &order.event_name,
        description: &order.event_description,
        start_iso: order.start_at.to_rfc3339(),
        end_iso: order.end_at.to_rfc3339(),
        location: order.venue.clone().unwrap_or_default(),
        cancelled: order.event_status == "cancelled",
    };
    crate::events::http::calendar(&entry, &mailer.public_url)
}
