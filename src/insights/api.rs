//! Insight server functions: for an organization's admins and owners (door staff see none
//! of its sales or money).

use crate::insights::{EventInsights, Overview};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    insights::service,
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
};
use leptos::prelude::*;

/// The organizer's overview: what needs them, sales, revenue and today's check-in.
#[server(prefix = "/api", endpoint = "get_overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::overview(&state.pool, &scope).await
    })
    .await
}

/// How one event is doing: sales per tier, revenue, promo codes, the funnel and activity.
#[server(prefix = "/api", endpoint = "get_event_insights")]
pub async fn get_event_insights(event_id: String) -> Result<EventInsights, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::event_insights(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

/// One page of an event's attendees: `query` searches names, e-mails, ticket and order
/// numbers; `sort` is one of `AttendeeSort`'s words; `page` counts from 1.
#[server(prefix = "/api", endpoint = "get_attendees")]
pub async fn get_attendees(
    event_id: String,
    query: String,
    sort: String,
    page: String,
) -> Result<crate::insights::AttendeePage, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let sort = crate::insights::AttendeeSort::parse(sort.trim()).unwrap_or(crate::insights::AttendeeSort::Name);
        let page = page.trim().parse::<i64>().unwrap_or(1);
        service::attendees(&state.pool, &scope, parse_id(&event_id)?, &query, sort, page).await
    })
    .await
}
