//! The overview on the dashboard's landing page: what needs the organizer first, then how
//! sales are going.

use crate::components::chart::{Bar, BarChart, count_label};
use crate::insights::api::get_overview;
use crate::insights::{Attention, EventRevenue, Overview, RevenueFigure, WINDOW_DAYS};
use leptos::prelude::*;

/// Whole units of money for an axis ("1,200"): the bars' own labels carry the cents.
fn whole_units(cents: i64) -> String {
    let units = cents / 100;
    let digits = units.abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if units < 0 { format!("-{grouped}") } else { grouped }
}

#[component]
pub fn OverviewPanel() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">"Adding up your sales…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <OverviewSections overview /> }.into_any(),
                    Err(problem) => view! { <p class="form-error" role="alert">{problem.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewSections(overview: Overview) -> impl IntoView {
    let Overview {
        attention,
        upcoming_events,
        tickets,
        tickets_previous,
        tickets_change,
        revenue,
        checkin_today,
        daily_tickets,
        revenue_by_event,
        timezone,
        ..
    } = overview;
    view! {
        <NeedsAttention items=attention />
        <dl class="stat-grid" aria-label="The last 30 days">
            <div class="stat"><dt>"Upcoming events"</dt><dd>{upcoming_events}</dd></div>
            <div class="stat">
                <dt>{format!("Tickets sold, last {WINDOW_DAYS} days")}</dt>
                <dd>{tickets}</dd>
                <dd class="stat-change">{format!("{tickets_change} vs {tickets_previous} before")}</dd>
            </div>
            <RevenueCards revenue />
            <div class="stat">
                <dt>"Checked in today"</dt>
                {match checkin_today {
                    Some((checked, expected)) => view! {
                        <dd>{format!("{checked} / {expected}")}</dd>
                        <dd class="stat-change">{rate(checked, expected)}</dd>
                    }.into_any(),
                    None => view! { <dd class="muted">"No event today"</dd> }.into_any(),
                }}
            </div>
        </dl>
        <div class="chart-row">
            <BarChart
                title=format!("Tickets sold per day, last {WINDOW_DAYS} days ({timezone})")
                x_label="Day"
                y_label="Tickets"
                bars=daily_tickets
                y_format=count_label
            />
            <RevenueChart events=revenue_by_event />
        </div>
    }
}

fn rate(checked: i64, expected: i64) -> String {
    if expected == 0 { "nobody expected".to_owned() } else { format!("{} % of tickets", checked * 100 / expected) }
}

#[component]
fn RevenueCards(revenue: Vec<RevenueFigure>) -> impl IntoView {
    if revenue.is_empty() {
        return view! {
            <div class="stat"><dt>{format!("Revenue, last {WINDOW_DAYS} days")}</dt><dd>"—"</dd></div>
        }
        .into_any();
    }
    revenue
        .into_iter()
        .map(|figure| {
            view! {
                <div class="stat">
                    <dt>{format!("Revenue ({}), last {WINDOW_DAYS} days", figure.currency)}</dt>
                    <dd>{figure.amount}</dd>
                    <dd class="stat-change">{format!("{} vs {} before", figure.change, figure.previous)}</dd>
                </div>
            }
        })
        .collect_view()
        .into_any()
}

/// Net revenue per event, in the currency most of it is in (one axis cannot mix currencies).
#[component]
fn RevenueChart(events: Vec<EventRevenue>) -> impl IntoView {
    let Some(currency) = events.first().map(|event| event.currency.clone()) else {
        return view! { <p class="muted chart-empty">"Revenue by event appears here after the first sale."</p> }
            .into_any();
    };
    let bars = events
        .iter()
        .filter(|event| event.currency == currency)
        .map(|event| Bar { label: event.name.clone(), value: event.cents, shown: event.amount.clone() })
        .collect::<Vec<_>>();
    view! {
        <BarChart
            title=format!("Revenue by event ({currency}, net of refunds)")
            x_label="Event"
            y_label=currency.clone()
            bars
            y_format=whole_units
        />
    }
    .into_any()
}

#[component]
fn NeedsAttention(items: Vec<Attention>) -> impl IntoView {
    view! {
        <section class="attention" aria-labelledby="attention-heading">
            <h2 id="attention-heading">"Needs attention"</h2>
            {if items.is_empty() {
                view! { <p class="muted">"Nothing needs you right now."</p> }.into_any()
            } else {
                view! {
                    <ul class="attention-list">
                        {items.into_iter().map(|item| view! {
                            <li>
                                <span class="badge badge-warning">{item.kind.label()}</span>
                                " "
                                <a href=item.link>{item.text}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_money_is_whole_units_grouped_by_thousands() {
        assert_eq!(whole_units(0), "0");
        assert_eq!(whole_units(99_999), "999");
        assert_eq!(whole_units(120_000), "1,200");
        assert_eq!(whole_units(123_456_789), "1,234,567");
        assert_eq!(whole_units(-250_000), "-2,500");
    }
}
