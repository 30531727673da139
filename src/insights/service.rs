//! The organizer's overview, put together from the queries in `db`.

use crate::events::money::format_money;
use crate::events::time::timezone_or_default;
use crate::insights::{
    ACTIVITY_SHOWN, ATTENDEES_PER_PAGE, ATTENTION_LIMIT, ActivityEntry, AttendeePage, AttendeeRow, AttendeeSort,
    Attention, AttentionKind, Bar, DEADLINE_WARNING_HOURS, DRAFT_WARNING_DAYS, EventInsights, EventRevenue, Overview,
    RevenueFigure, SALES_CLOSING_HOURS, TierSales, WINDOW_DAYS, activity, change, csv, db,
};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::AppError;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

/// How many events the revenue chart shows.
const EVENTS_CHARTED: i64 = 12;

/// Midnight starting `day` in `tz` (the earliest instant of the day, across clock changes).
fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight).earliest().map(|at| at.with_timezone(&Utc)).unwrap_or_else(|| midnight.and_utc())
}

/// `WINDOW_DAYS` bars ending `today`, with the days nothing sold at zero.
pub fn daily_bars(sold: &[(NaiveDate, i64)], today: NaiveDate) -> Vec<Bar> {
    (0..WINDOW_DAYS)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            let value = sold.iter().find(|(d, _)| *d == day).map_or(0, |(_, n)| *n);
            Bar { label: day.format("%b %-d").to_string(), value, shown: value.to_string() }
        })
        .collect()
}

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %b %-d, %H:%M").to_string()
}

/// What needs the organizer now, most pressing kind first.
async fn attention(pool: &PgPool, scope: &OrganizationScope, tz: Tz) -> Result<Vec<Attention>, AppError> {
    let now = Utc::now();
    let org = scope.organization_id;
    let mut items = Vec::new();
    for row in db::flagged_orders(pool, org, ATTENTION_LIMIT).await? {
        items.push(Attention {
            kind: AttentionKind::FlaggedOrder,
            text: format!("Order {} for {}: {}", row.order_number, row.event_name, row.attention),
            link: format!("/dashboard/orders/{}", row.order_id),
        });
    }
    let deadline = now + Duration::hours(DEADLINE_WARNING_HOURS);
    for row in db::offline_deadlines(pool, org, deadline, ATTENTION_LIMIT).await? {
        let due = if row.expires_at <= now { "was due" } else { "is due" };
        items.push(Attention {
            kind: AttentionKind::OfflineDeadline,
            text: format!(
                "{} has not paid order {} for {}; payment {due} {}",
                row.buyer_name,
                row.order_number,
                row.event_name,
                when(row.expires_at, tz)
            ),
            link: format!("/dashboard/orders/{}", row.order_id),
        });
    }
    let soon = now + Duration::days(DRAFT_WARNING_DAYS);
    for row in db::drafts_starting(pool, org, soon, ATTENTION_LIMIT).await? {
        items.push(Attention {
            kind: AttentionKind::DraftStartingSoon,
            text: format!("{} starts {} and is still a draft", row.name, when(row.at, tz)),
            link: format!("/dashboard/events/{}", row.event_id),
        });
    }
    let closing = now + Duration::hours(SALES_CLOSING_HOURS);
    for row in db::sales_closing(pool, org, closing, ATTENTION_LIMIT).await? {
        items.push(Attention {
            kind: AttentionKind::SalesClosing,
            text: format!("Sales of {} end {}", row.name, when(row.at, tz)),
            link: format!("/dashboard/events/{}", row.event_id),
        });
    }
    Ok(items)
}

/// The overview of the scope's organization, as of now in its time zone.
pub async fn overview(pool: &PgPool, scope: &OrganizationScope) -> Result<Overview, AppError> {
    scope.require(Role::Admin)?;
    let organization =
        crate::organizations::db::overview(pool, scope.organization_id, scope.role).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&organization.timezone);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let start = today - Duration::days(WINDOW_DAYS - 1);
    let from = start - Duration::days(WINDOW_DAYS);
    let org = scope.organization_id;

    let sold = db::tickets_per_day(pool, org, start, today).await?;
    let (tickets, tickets_previous) = db::tickets_in_windows(pool, org, from, start, today).await?;
    let revenue = db::revenue_by_currency(pool, org, from, start, today)
        .await?
        .into_iter()
        .map(|row| RevenueFigure {
            amount: format_money(row.recent, &row.currency),
            previous: format_money(row.previous, &row.currency),
            change: change(row.recent, row.previous),
            currency: row.currency,
        })
        .collect();
    let revenue_by_event = db::revenue_by_event(pool, org, EVENTS_CHARTED)
        .await?
        .into_iter()
        .map(|row| EventRevenue {
            amount: format_money(row.cents, &row.currency),
            event_id: row.event_id,
            name: row.name,
            currency: row.currency,
            cents: row.cents,
        })
        .collect();
    let tomorrow = today + Duration::days(1);
    let checkin_today = db::checkin_between(pool, org, start_of(today, tz), start_of(tomorrow, tz)).await?;
    Ok(Overview {
        organization_name: organization.name,
        timezone: organization.timezone,
        attention: attention(pool, scope, tz).await?,
        upcoming_events: db::upcoming_events(pool, org).await?,
        tickets,
        tickets_previous,
        tickets_change: change(tickets, tickets_previous),
        revenue,
        checkin_today,
        daily_tickets: daily_bars(&sold, today),
        revenue_by_event,
    })
}

/// How one event of the scope's organization is doing; `NotFound` for another's.
pub async fn event_insights(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: uuid::Uuid,
) -> Result<EventInsights, AppError> {
    event_insights_in(&mut *pool.acquire().await?, scope, event_id).await
}

/// `event_insights` on the caller's connection or transaction (seeing its own changes).
pub async fn event_insights_in(
    conn: &mut sqlx::PgConnection,
    scope: &OrganizationScope,
    event_id: uuid::Uuid,
) -> Result<EventInsights, AppError> {
    scope.require(Role::Admin)?;
    let head = db::event_head(&mut *conn, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&head.timezone);
    let money = |cents: i64| format_money(cents, &head.currency);
    let tiers = db::tier_sales(&mut *conn, event_id)
        .await?
        .into_iter()
        .map(|row| TierSales {
            held: (i64::from(row.taken) - row.sold).max(0),
            revenue: money(row.cents),
            name: row.name,
            capacity: row.capacity,
            sold: row.sold,
            orders_placed: row.orders_placed,
            orders_paid: row.orders_paid,
            checked_in: row.checked_in,
        })
        .collect();
    let totals = db::order_totals(&mut *conn, event_id).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let start = today - Duration::days(WINDOW_DAYS - 1);
    let sold = db::event_tickets_per_day(&mut *conn, event_id, start, today).await?;
    let (page_views, checkouts_opened) = db::views(&mut *conn, event_id).await?;
    let entries = db::activity(&mut *conn, event_id, ACTIVITY_SHOWN)
        .await?
        .into_iter()
        .map(|row| ActivityEntry {
            when: when(row.created_at, tz),
            who: row.actor.unwrap_or_else(|| "EventOS".to_owned()),
            text: activity::describe(&row.subject, &row.label, &row.action, &row.before, &row.after, &head.currency),
        })
        .collect();
    Ok(EventInsights {
        event_id,
        status: head.status,
        timezone: head.timezone.clone(),
        tiers,
        orders: totals.orders,
        revenue: money(totals.gross - totals.refunded),
        refunded: money(totals.refunded),
        average_order: money(if totals.orders > 0 { totals.gross / totals.orders } else { 0 }),
        promos: db::promo_uses(&mut *conn, event_id).await?,
        daily_tickets: daily_bars(&sold, today),
        page_views,
        checkouts_opened,
        activity: entries,
        name: head.name,
        currency: head.currency,
    })
}

/// One page of an event's attendees: searched (a name, e-mail, ticket or order number, in
/// part, any case), sorted, 50 to a page.
pub async fn attendees(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: uuid::Uuid,
    query: &str,
    sort: AttendeeSort,
    page: i64,
) -> Result<AttendeePage, AppError> {
    scope.require(Role::Admin)?;
    let head = db::event_head(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let query: String = query.trim().chars().take(100).collect();
    let pattern = crate::platform::text::contains_pattern(&query);
    let total = db::attendee_count(pool, event_id, &pattern).await?;
    let pages = ((total + ATTENDEES_PER_PAGE - 1) / ATTENDEES_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows =
        db::attendee_page(pool, event_id, &pattern, sort.as_str(), ATTENDEES_PER_PAGE, (page - 1) * ATTENDEES_PER_PAGE)
            .await?
            .into_iter()
            .map(|row| AttendeeRow {
                payment: match (row.ticket_status.as_str(), row.order_status.as_str()) {
                    ("refunded", _) | (_, "refunded") => "Refunded",
                    ("cancelled", _) | (_, "cancelled" | "expired") => "Cancelled",
                    (_, "paid") => "Paid",
                    _ => "Unpaid",
                }
                .to_owned(),
                name: row.full_name,
                email: row.email,
                tier: row.tier,
                ticket_number: row.ticket_number,
                order_id: row.order_id,
                order_number: row.order_number,
                checked_in: row.checked_in,
            })
            .collect();
    Ok(AttendeePage { event_id, event_name: head.name, query, sort, page, pages, total, rows })
}

/// A file name from an event's name: letters, digits and hyphens.
fn file_name(event_name: &str, what: &str) -> String {
    let stem: String = event_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{}-{what}.csv", if stem.is_empty() { "event" } else { &stem })
}

/// The event's attendees as a CSV file: `(file name, contents)`.
pub async fn attendees_csv(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: uuid::Uuid,
) -> Result<(String, String), AppError> {
    scope.require(Role::Admin)?;
    let head = db::event_head(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let rows = db::attendees_for_export(pool, event_id).await?.into_iter().map(|a| {
        vec![
            a.full_name,
            a.email,
            a.tier,
            a.ticket_number,
            a.order_number,
            a.ticket_status,
            a.order_status,
            if a.checked_in { "yes".to_owned() } else { "no".to_owned() },
        ]
    });
    let header = ["Name", "Email", "Tier", "Ticket", "Order", "Ticket status", "Order status", "Checked in"];
    Ok((file_name(&head.name, "attendees"), csv::file(&header, rows)))
}

/// The event's orders as a CSV file, amounts as plain decimals: `(file name, contents)`.
pub async fn orders_csv(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: uuid::Uuid,
) -> Result<(String, String), AppError> {
    scope.require(Role::Admin)?;
    let head = db::event_head(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&head.timezone);
    let local = |at: DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let rows = db::orders_for_export(pool, event_id).await?.into_iter().map(|o| {
        vec![
            o.order_number,
            o.buyer_name,
            o.buyer_email,
            o.status,
            o.payment_provider,
            o.currency.clone(),
            crate::events::money::format_amount(o.total_cents, &o.currency),
            crate::events::money::format_amount(o.refunded_cents, &o.currency),
            local(o.created_at),
            o.paid_at.map(local).unwrap_or_default(),
        ]
    });
    let header = ["Order", "Buyer", "Email", "Status", "Payment", "Currency", "Total", "Refunded", "Placed", "Paid"];
    Ok((file_name(&head.name, "orders"), csv::file(&header, rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_chart_has_every_day_of_the_window_ending_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let sold = [(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), 7), (today, 2)];
        let bars = daily_bars(&sold, today);
        assert_eq!(bars.len(), WINDOW_DAYS as usize);
        assert_eq!(bars.first().unwrap().label, "Oct 25");
        assert_eq!(bars.last().unwrap(), &Bar { label: "Nov 23".into(), value: 2, shown: "2".into() });
        assert_eq!(bars.iter().map(|b| b.value).sum::<i64>(), 9);
    }

    #[test]
    fn export_files_are_named_after_the_event() {
        assert_eq!(file_name("Toronto AI Summit 2027!", "attendees"), "toronto-ai-summit-2027-attendees.csv");
        assert_eq!(file_name("Café", "orders"), "caf-orders.csv");
        assert_eq!(file_name("???", "orders"), "event-orders.csv");
    }

    #[test]
    fn a_day_starts_at_local_midnight_even_when_the_clocks_change() {
        let tz = timezone_or_default("America/Toronto");
        let fall_back = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(start_of(fall_back, tz).to_rfc3339(), "2026-11-01T04:00:00+00:00");
        assert_eq!(start_of(fall_back + Duration::days(1), tz).to_rfc3339(), "2026-11-02T05:00:00+00:00");
    }
}
