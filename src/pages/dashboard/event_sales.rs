//! `/dashboard/events/{id}`: how one event is doing, refreshed every few seconds while the
//! page is open, with the status changes valid now.

use crate::checkin::api::get_door_board;
use crate::checkin::{DoorBoard, ScanLogEntry};
use crate::components::chart::{BarChart, count_label};
use crate::components::guard::AccessProblem;
use crate::insights::api::get_event_insights;
use crate::insights::{ActivityEntry, EventInsights, PromoUse, TierSales, WINDOW_DAYS};
use crate::pages::dashboard::checkin::ScanTable;
use crate::pages::dashboard::event_status::StatusControls;
use crate::pages::dashboard::events::StatusBadge;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Numbers on the page are at most this old (a sale or a scan shows within 5 seconds).
const REFRESH_EVERY_MS: u64 = 4_000;
/// Scans shown here; the check-in page has the whole log.
const LATEST_SCANS: usize = 5;

#[component]
pub fn EventSalesPage() -> impl IntoView {
    let params = use_params_map();
    let ticks = RwSignal::new(0u32);
    // Status changes made on this page: the header is drawn again for them only, never at a
    // refresh, so a refused change keeps its message and an open "Cancel event" stays open.
    let status_changes = RwSignal::new(0u32);
    let id = move || params.read().get("id").unwrap_or_default();
    let key = move || (id(), ticks.get(), status_changes.get());
    let insights = Resource::new(key, |(id, _, _)| get_event_insights(id));
    let door = Resource::new(key, |(id, _, _)| get_door_board(id, None, None, None));
    let head = Resource::new(move || (id(), status_changes.get()), |(id, _)| get_event_insights(id));
    Effect::new(move |_| {
        let every = std::time::Duration::from_millis(REFRESH_EVERY_MS);
        if let Ok(handle) = set_interval_with_handle(move || ticks.update(|n| *n += 1), every) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Title text="Sales" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                head.await.ok().map(|head| view! { <Header head changes=status_changes /> })
            })}
        </Transition>
        <Transition fallback=|| view! { <p aria-busy="true">"Adding up the sales…"</p> }>
            {move || Suspend::new(async move {
                match insights.await {
                    Ok(insights) => {
                        // Same access as the sales; a door that fails to load leaves its section out.
                        let door = door.await.ok();
                        view! { <Sales insights door /> }.into_any()
                    }
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The event's name, status and the status changes valid now, with links to its pages.
#[component]
fn Header(head: EventInsights, changes: RwSignal<u32>) -> impl IntoView {
    let EventInsights { event_id, name, status, .. } = head;
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard">"Dashboard"</a></p>
            <h1>{name}</h1>
            <p>
                <StatusBadge status />
                " "
                <a href=format!("/dashboard/events/{event_id}/edit")>"Edit event"</a>
                " · "
                <a href=format!("/dashboard/events/{event_id}/orders")>"Orders"</a>
                " · "
                <a href=format!("/dashboard/events/{event_id}/checkin")>"Check-in"</a>
                " · "
                <a href=format!("/dashboard/events/{event_id}/attendees")>"Attendees"</a>
                " · "
                <a href=format!("/dashboard/events/{event_id}/email")>"E-mail attendees"</a>
                " · "
                <a href=format!("/dashboard/events/{event_id}/attendees.csv") rel="external" download>"Attendees (CSV)"</a>
                " · "
                <a href=format!("/dashboard/events/{event_id}/orders.csv") rel="external" download>"Orders (CSV)"</a>
            </p>
        </header>
        <StatusControls event_id=event_id.to_string() status changes />
    }
}

#[component]
fn Sales(insights: EventInsights, door: Option<DoorBoard>) -> impl IntoView {
    let EventInsights {
        timezone,
        tiers,
        orders,
        revenue,
        refunded,
        average_order,
        promos,
        daily_tickets,
        page_views,
        checkouts_opened,
        activity,
        ..
    } = insights;
    let sold: i64 = tiers.iter().map(|tier| tier.sold).sum();
    view! {
        <dl class="stat-grid" aria-label="Sales so far" data-testid="sales-cards">
            <div class="stat"><dt>"Tickets sold"</dt><dd data-testid="tickets-sold">{sold}</dd></div>
            <div class="stat"><dt>"Revenue, net of refunds"</dt><dd>{revenue}</dd><dd class="stat-change">{format!("{refunded} refunded")}</dd></div>
            <div class="stat"><dt>"Paid orders"</dt><dd>{orders}</dd></div>
            <div class="stat"><dt>"Average order"</dt><dd>{average_order}</dd></div>
        </dl>
        <TierBars tiers=tiers.clone() />
        <BarChart
            title=format!("Tickets sold per day, last {WINDOW_DAYS} days ({timezone})")
            x_label="Day"
            y_label="Tickets"
            bars=daily_tickets
            y_format=count_label
        />
        <Funnel tiers page_views checkouts_opened />
        {door.map(|board| view! { <Door board /> })}
        <Promos promos />
        <Activity entries=activity />
    }
}

#[component]
fn TierBars(tiers: Vec<TierSales>) -> impl IntoView {
    view! {
        <section aria-labelledby="tiers-heading">
            <h2 id="tiers-heading">"Tiers"</h2>
            {if tiers.is_empty() {
                view! { <p class="muted">"This event has no tiers yet."</p> }.into_any()
            } else {
                tiers.into_iter().map(|tier| {
                    let capacity = i64::from(tier.capacity).max(1);
                    let sold = (tier.sold * 100 / capacity).min(100);
                    let held = (tier.held * 100 / capacity).min(100 - sold);
                    let summary = format!("{} sold, {} held of {} · {}", tier.sold, tier.held, tier.capacity, tier.revenue);
                    view! {
                        <div class="tier-progress">
                            <p><strong>{tier.name.clone()}</strong> " " <span class="muted">{summary}</span></p>
                            // Drawn in SVG: the content security policy refuses inline styles,
                            // and a shape's width is an attribute, not a style.
                            <svg class="progress" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label=format!("{}: {} sold and {} held of {}", tier.name, tier.sold, tier.held, tier.capacity)>
                                <rect class="progress-sold" x="0" y="0" height="1" width=sold.to_string() />
                                <rect class="progress-held" x=sold.to_string() y="0" height="1" width=held.to_string() />
                            </svg>
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// From the event page to the door, per tier: views and checkouts are the event's own (a
/// visitor sees every tier at once).
#[component]
fn Funnel(tiers: Vec<TierSales>, page_views: i64, checkouts_opened: i64) -> impl IntoView {
    view! {
        <section aria-labelledby="funnel-heading">
            <h2 id="funnel-heading">"From page view to the door"</h2>
            <p class="muted">{format!("{page_views} event page views · {checkouts_opened} checkouts opened (people's browsers only, no cookies)")}</p>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">"Tier"</th><th scope="col">"Orders placed"</th><th scope="col">"Paid"</th>
                        <th scope="col">"Tickets sold"</th><th scope="col">"Checked in"</th>
                    </tr></thead>
                    <tbody>
                        {tiers.into_iter().map(|tier| view! {
                            <tr>
                                <th scope="row">{tier.name}</th>
                                <td>{tier.orders_placed}</td>
                                <td>{tier.orders_paid}</td>
                                <td>{tier.sold}</td>
                                <td>{tier.checked_in}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The door at a glance: how far each entrance's list has come, and the latest scans. The
/// whole log, its filters and the lists' settings are on the check-in page.
#[component]
fn Door(board: DoorBoard) -> impl IntoView {
    let event_id = board.event_id;
    let latest: Vec<ScanLogEntry> = board.scans.into_iter().take(LATEST_SCANS).collect();
    view! {
        <section aria-labelledby="door-heading">
            <h2 id="door-heading">"Check-in"</h2>
            <ul class="plain-list">
                {board.lists.into_iter().map(|list| {
                    let percent = if list.expected > 0 { list.checked_in * 100 / list.expected } else { 0 };
                    view! {
                        <li>
                            <strong>{list.name.clone()}</strong> " "
                            <span data-testid="door-progress">{format!("{} / {}", list.checked_in, list.expected)}</span> " "
                            <progress max="100" value=percent.to_string() aria-label=format!("{} checked in", list.name)>{format!("{percent}%")}</progress>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {if latest.is_empty() {
                view! { <p class="muted">"No scans yet."</p> }.into_any()
            } else {
                view! { <ScanTable scans=latest /> }.into_any()
            }}
            <p><a href=format!("/dashboard/events/{event_id}/checkin")>"Every scan, with filters by outcome and staff, and the entrances"</a></p>
        </section>
    }
}

#[component]
fn Promos(promos: Vec<PromoUse>) -> impl IntoView {
    (!promos.is_empty()).then(|| {
        view! {
            <section aria-labelledby="promos-heading">
                <h2 id="promos-heading">"Promo codes"</h2>
                <ul class="plain-list">
                    {promos.into_iter().map(|promo| {
                        let limit = promo.max_uses.map_or_else(|| "no limit".to_owned(), |max| format!("of {max}"));
                        let state = if promo.active { "" } else { " · switched off" };
                        view! { <li><code>{promo.code}</code> {format!(" used {} times ({limit}){state}", promo.used)}</li> }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Activity(entries: Vec<ActivityEntry>) -> impl IntoView {
    view! {
        <section aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Activity"</h2>
            {if entries.is_empty() {
                view! { <p class="muted">"No changes recorded yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="activity-list">
                        {entries.into_iter().map(|entry| view! {
                            <li><span class="muted">{entry.when}</span> " " <strong>{entry.who}</strong> " " {entry.text}</li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
