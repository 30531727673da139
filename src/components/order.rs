//! An order with its tickets and QR codes, as the buyer sees it on the confirmation page
//! and under "My tickets".

use crate::orders::{OrderStatus, OrderView, PaymentMethod, TicketStatus, TicketView};
use leptos::prelude::*;

/// What the buyer should know first about an order's state.
fn status_note(order: &OrderView) -> (&'static str, String) {
    match (order.status, order.payment_method) {
        (OrderStatus::Paid, _) => ("success", "You're going! Show a ticket's QR code at the door.".into()),
        (OrderStatus::Pending, PaymentMethod::Offline) => (
            "info",
            match &order.payment_due {
                Some(due) => format!(
                    "Your tickets are reserved but not paid. Pay by {due} (at the door or by invoice), or the reservation is released."
                ),
                None => "Your tickets are reserved but not paid. Pay at the door or by invoice.".into(),
            },
        ),
        (OrderStatus::Pending, _) => (
            "info",
            match &order.hold_ends {
                Some(at) => format!("We are waiting for your payment. Your tickets are held until {at}."),
                None => "We are waiting for your payment.".into(),
            },
        ),
        (OrderStatus::Expired, _) => {
            ("warning", "This order expired before it was paid, so its tickets were released.".into())
        }
        (OrderStatus::Cancelled, _) => ("warning", "This order was cancelled.".into()),
        (OrderStatus::Refunded, _) => ("warning", "This order was refunded.".into()),
    }
}

#[component]
pub fn OrderCard(order: OrderView) -> impl IntoView {
    let (tone, note) = status_note(&order);
    let calendar = format!("/events/{}/calendar.ics", order.event_slug);
    let event_link = format!("/events/{}", order.event_slug);
    view! {
        <article class="order card" aria-labelledby=format!("order-{}", order.order_number)>
            <header class="order-head">
                <p class="eyebrow">"Order " <span class="order-number">{order.order_number.clone()}</span> " · " {order.placed.clone()}</p>
                <h2 id=format!("order-{}", order.order_number)><a href=event_link>{order.event_name.clone()}</a></h2>
                <p class="when">{order.when.clone()}</p>
                {order.venue.clone().map(|v| view! { <p class="muted">{v}</p> })}
                <p class=format!("notice notice-{tone}") role="status">{note}</p>
                <p><a class="button button-secondary" href=calendar download="event.ics" rel="nofollow">"Add to calendar"</a></p>
            </header>
            <dl class="totals">
                <dt>"Subtotal"</dt><dd>{order.subtotal.clone()}</dd>
                {order.discount.clone().map(|d| view! { <dt>"Discount"</dt><dd>{d}</dd> })}
                <dt>"Total"</dt><dd class="total">{order.total.clone()}</dd>
                {order.refunded.clone().map(|r| view! { <dt>"Refunded"</dt><dd>{r}</dd> })}
                <dt>"Paid by"</dt><dd>{order.payment_method.label()}</dd>
            </dl>
            <ul class="tickets">
                {order.tickets.into_iter().map(|ticket| view! { <TicketCard ticket /> }).collect_view()}
            </ul>
        </article>
    }
}

#[component]
pub fn TicketCard(ticket: TicketView) -> impl IntoView {
    let label = format!("QR code for ticket {}", ticket.ticket_number);
    let valid = ticket.status == TicketStatus::Active;
    view! {
        <li class="ticket" class:void=!valid>
            {match ticket.qr_svg.clone() {
                Some(svg) => view! { <div class="qr" role="img" aria-label=label inner_html=svg></div> }.into_any(),
                None => view! { <div class="qr qr-missing"><span>{ticket.status.label()}</span></div> }.into_any(),
            }}
            <div class="ticket-body">
                <p class="ticket-tier">{ticket.tier_name.clone()}</p>
                <p class="ticket-attendee">{ticket.attendee_name.clone()}</p>
                <p class="muted small">{ticket.ticket_number.clone()} " · " {ticket.price.clone()}</p>
                {(!valid).then(|| view! { <p class="badge">{ticket.status.label()}</p> })}
                {ticket.unpaid.clone().map(|note| view! { <p class="badge badge-unpaid">{note}</p> })}
            </div>
        </li>
    }
}
