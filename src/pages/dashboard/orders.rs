use crate::components::form::{Field, FormAlert, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use crate::orders::api::{
    CancelOrder, CancelTicket, ExtendPaymentDeadline, MarkOrderPaid, get_order_detail, list_event_orders,
};
use crate::orders::{AdminTicket, EventOrders, OrderDetail, OrderStatus, PaymentMethod, TicketStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
fn OrderStatusBadge(status: OrderStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-order-{}", status.as_str())>{status.label()}</span> }
}

/// `/dashboard/events/{id}/orders`: an event's orders, searchable and filtered by status.
#[component]
pub fn EventOrdersPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (params.read().get("id").unwrap_or_default(), q.get("q"), q.get("status"))
    };
    let orders = Resource::new(key, |(id, q, status)| list_event_orders(id, q, status));
    view! {
        <Title text="Orders" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading orders…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(orders) => {
                        let (q, status) = { let q = query.read_untracked(); (q.get("q"), q.get("status")) };
                        view! { <OrdersView orders q status /> }.into_any()
                    }
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrdersView(orders: EventOrders, q: Option<String>, status: Option<String>) -> impl IntoView {
    let action = format!("/dashboard/events/{}/orders", orders.event_id);
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/dashboard/events/{}", orders.event_id)>{orders.event_name.clone()}</a></p>
            <h1>"Orders"</h1>
            <p class="muted">{orders.sold} " of " {orders.capacity} " tickets sold"</p>
        </header>
        <form method="get" action=action class="filters card" role="search" aria-label="Search orders">
            <div class="field">
                <label for="order-search">"Search"</label>
                <input id="order-search" name="q" type="search" value=q placeholder="Name, email or order number" />
            </div>
            <div class="field">
                <label for="order-status">"Status"</label>
                <select id="order-status" name="status">
                    <option value="">"Any status"</option>
                    {OrderStatus::ALL.iter().map(|s| {
                        let selected = status.as_deref() == Some(s.as_str());
                        view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">"Search"</button>
        </form>
        {if orders.orders.is_empty() {
            view! { <p class="empty-state">"No orders match."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table">
                        <thead>
                            <tr><th scope="col">"Order"</th><th scope="col">"Buyer"</th><th scope="col">"Status"</th><th scope="col">"Tickets"</th><th scope="col">"Total"</th><th scope="col">"Placed"</th></tr>
                        </thead>
                        <tbody>
                            {orders.orders.into_iter().map(|o| view! {
                                <tr>
                                    <td>
                                        <a href=format!("/dashboard/orders/{}", o.id)>{o.order_number}</a>
                                        {o.attention.map(|_| view! { <div class="badge badge-attention">"Needs attention"</div> })}
                                    </td>
                                    <td>{o.buyer_name}<div class="muted small">{o.buyer_email}</div></td>
                                    <td><OrderStatusBadge status=o.status /><div class="muted small">{o.payment_method.label()}</div></td>
                                    <td>{o.tickets}</td>
                                    <td>{o.total}</td>
                                    <td>{o.placed}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// `/dashboard/orders/{id}`: one order, with mark-paid, cancel and refund.
#[component]
pub fn OrderDetailPage() -> impl IntoView {
    let params = use_params_map();
    let changes = RwSignal::new(0u32);
    let mark_paid = ServerAction::<MarkOrderPaid>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let cancel_ticket = ServerAction::<CancelTicket>::new();
    let extend = ServerAction::<ExtendPaymentDeadline>::new();
    bump_on_success(extend, changes);
    bump_on_success(mark_paid, changes);
    bump_on_success(cancel, changes);
    bump_on_success(cancel_ticket, changes);
    let order = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), changes.get()),
        |(id, _)| get_order_detail(id),
    );
    view! {
        <Title text="Order" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading the order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => view! { <OrderDetailView order mark_paid cancel cancel_ticket extend /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderDetailView(
    order: OrderDetail,
    mark_paid: ServerAction<MarkOrderPaid>,
    cancel: ServerAction<CancelOrder>,
    cancel_ticket: ServerAction<CancelTicket>,
    extend: ServerAction<ExtendPaymentDeadline>,
) -> impl IntoView {
    let open = matches!(order.status, OrderStatus::Pending | OrderStatus::Paid);
    let refunds = order.status == OrderStatus::Paid && order.total_cents > 0;
    let can_mark_paid = order.status == OrderStatus::Pending && order.payment_method == PaymentMethod::Offline;
    let order_id = order.id.to_string();
    let errors = Signal::derive(move || {
        action_error(mark_paid)
            .get()
            .or_else(|| action_error(cancel).get())
            .or_else(|| action_error(cancel_ticket).get())
    });
    let extend_error = action_error(extend);
    let tickets = order.tickets.clone();
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/dashboard/events/{}/orders", order.event_id)>{order.event_name.clone()} " · Orders"</a></p>
            <h1>"Order " <span class="order-number">{order.order_number.clone()}</span></h1>
            <p><OrderStatusBadge status=order.status /> " " <span class="muted">{order.payment_method.label()}</span></p>
        </header>
        <FormAlert error=errors />
        {order.attention.clone().map(|a| view! { <p class="warning" role="alert">{a}</p> })}
        <div class="grid-2">
            <section class="card">
                <h2>"Buyer"</h2>
                <p>{order.buyer_name.clone()}</p>
                <p><a href=format!("mailto:{}", order.buyer_email)>{order.buyer_email.clone()}</a></p>
                {order.buyer_phone.clone().map(|p| view! { <p>{p}</p> })}
            </section>
            <section class="card">
                <h2>"Payment"</h2>
                <dl class="totals">
                    <dt>"Subtotal"</dt><dd>{order.subtotal.clone()}</dd>
                    {order.discount.clone().map(|d| view! { <dt>"Discount " {order.promo_code.clone()}</dt><dd>{d}</dd> })}
                    <dt>"Total"</dt><dd class="total">{order.total.clone()}</dd>
                    {order.refunded.clone().map(|r| view! { <dt>"Refunded"</dt><dd>{r}</dd> })}
                    {(!order.refunds.is_empty()).then(|| view! {
                        <dt>"Refunds"</dt>
                        <dd><ul class="plain">{order.refunds.iter().map(|line| view! { <li>{line.clone()}</li> }).collect_view()}</ul></dd>
                    })}
                    <dt>"Placed"</dt><dd>{order.placed.clone()}</dd>
                    {order.paid.clone().map(|p| view! { <dt>"Paid"</dt><dd>{p}</dd> })}
                    {order.payment_due.clone().map(|due| view! { <dt>"Pay by"</dt><dd class="payment-due">{due}</dd> })}
                    {order.payment_reference.clone().map(|r| view! { <dt>"Reference"</dt><dd class="small">{r}</dd> })}
                </dl>
            </section>
        </div>
        <div class="actions">
            {can_mark_paid.then(|| {
                let id = order_id.clone();
                view! {
                    <ActionForm action=mark_paid>
                        <input type="hidden" name="order_id" value=id />
                        <button type="submit" class="button">"Mark as paid"</button>
                    </ActionForm>
                }
            })}
            {order.payment_due_local.clone().map(|due| {
                let id = order_id.clone();
                view! {
                    <details class="extend-deadline">
                        <summary class="button button-secondary">"Extend deadline…"</summary>
                        <ActionForm action=extend>
                            <input type="hidden" name="order_id" value=id />
                            <Field label="Pay by" name="pay_by" kind="datetime-local" required=true value=due error=field_error(extend_error, "pay_by") />
                            <button type="submit" class="button">"Save deadline"</button>
                        </ActionForm>
                    </details>
                }
            })}
            {open.then(|| {
                let id = order_id.clone();
                let (label, confirm) = if refunds {
                    ("Refund order…", format!("Yes, refund {} and cancel every ticket", order.total))
                } else {
                    ("Cancel order…", "Yes, cancel every ticket".to_owned())
                };
                view! {
                    <details class="danger-zone">
                        <summary class="button button-danger">{label}</summary>
                        <p>"The tickets stop admitting anyone, their seats go back on sale at once, and the buyer is emailed."</p>
                        <ActionForm action=cancel>
                            <input type="hidden" name="order_id" value=id />
                            <button type="submit" class="button button-danger">{confirm}</button>
                        </ActionForm>
                    </details>
                }
            })}
        </div>
        <section class="card">
            <h2>"Tickets"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr><th scope="col">"Ticket"</th><th scope="col">"Attendee"</th><th scope="col">"Tier"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {tickets.into_iter().map(|t| view! { <TicketRow ticket=t order_id=order_id.clone() open refunds cancel_ticket /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn TicketRow(
    ticket: AdminTicket,
    order_id: String,
    open: bool,
    refunds: bool,
    cancel_ticket: ServerAction<CancelTicket>,
) -> impl IntoView {
    let live = matches!(ticket.status, TicketStatus::Active | TicketStatus::Reserved | TicketStatus::Used);
    let confirm = if refunds && ticket.price_cents > 0 {
        format!("Yes, refund {} for this ticket", ticket.price)
    } else {
        "Yes, cancel this ticket".to_owned()
    };
    view! {
        <tr>
            <td>{ticket.ticket_number.clone()}<div class="muted small">{ticket.price.clone()}</div></td>
            <td>{ticket.attendee_name.clone()}<div class="muted small">{ticket.attendee_email.clone()}</div></td>
            <td>{ticket.tier_name.clone()}</td>
            <td>{ticket.status.label()} {ticket.checked_in.then_some(" · checked in")}</td>
            <td>
                {(open && live).then(|| view! {
                    <details>
                        <summary>"Cancel ticket…"</summary>
                        <ActionForm action=cancel_ticket>
                            <input type="hidden" name="order_id" value=order_id.clone() />
                            <input type="hidden" name="ticket_id" value=ticket.id.to_string() />
                            <button type="submit" class="button button-danger button-small">{confirm.clone()}</button>
                        </ActionForm>
                    </details>
                })}
            </td>
        </tr>
    }
}
