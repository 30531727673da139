//! Event and tier server functions. Organizer functions start with the guard;
//! public ones decide visibility in the service.

use crate::events::{DashboardOverview, EventEditor, EventPage, EventSummary, PublicEvent};
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    events::public,
    events::service::{self, EventForm},
    events::tiers::{self, TierForm},
    events::{EventFilters, EventStatus},
    organizations::{Role, access::require_organizer},
    platform::page_views::{PageViews, Visit},
    platform::reply::{parse_id, reply},
    platform::{session::AuthSession, state::AppState},
};
use leptos::prelude::*;
use uuid::Uuid;

/// Reads an id from a form field; anything else is "not found", never a server error.
#[server(prefix = "/api", endpoint = "list_organization_events")]
pub async fn list_organization_events() -> Result<Vec<EventSummary>, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::organization_events(&state.pool, &scope).await
    })
    .await
}

/// The organization at a glance; its events only for admins and owners.
#[server(prefix = "/api", endpoint = "get_dashboard_home")]
pub async fn get_dashboard_home() -> Result<DashboardOverview, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Staff).await?;
        let organization = crate::organizations::db::overview(&state.pool, scope.organization_id, scope.role)
            .await?
            .ok_or(AppError::NotFound)?;
        let events = match scope.role.allows(Role::Admin) {
            true => Some(service::organization_events(&state.pool, &scope).await?),
            false => None,
        };
        Ok(DashboardOverview { organization, events })
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_event_editor")]
pub async fn get_event_editor(event_id: String) -> Result<EventEditor, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::event_editor(&state.pool, &scope, parse_id(&event_id)?).await
    })
    .await
}

/// Creates (no `event_id`) or updates an event, then opens its editor.
#[server(prefix = "/api", endpoint = "save_event")]
pub async fn save_event(
    event_id: Option<String>,
    name: String,
    event_type: String,
    description: Option<String>,
    venue_id: Option<String>,
    start_local: String,
    end_local: String,
    timezone: Option<String>,
    capacity: String,
    visibility: String,
    currency: Option<String>,
    allow_registrations: Option<String>,
    offline_payments: Option<String>,
    offline_payment_days: Option<String>,
) -> Result<Uuid, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let form = EventForm {
            name,
            event_type,
            description: description.unwrap_or_default(),
            venue_id,
            start_local,
            end_local,
            timezone,
            capacity,
            visibility,
            currency,
            allow_registrations: allow_registrations.is_some(),
            offline_payments: offline_payments.is_some(),
            offline_payment_days,
        };
        let id = match event_id.as_deref().filter(|id| !id.trim().is_empty()) {
            Some(id) => {
                let id = parse_id(id)?;
                service::update_event(&state.pool, &scope, id, form).await?;
                id
            }
            None => service::create_event(&state.pool, &scope, form).await?,
        };
        leptos_axum::redirect(&format!("/dashboard/events/{id}/edit"));
        Ok(id)
    })
    .await
}

#[server(prefix = "/api", endpoint = "change_event_status")]
pub async fn change_event_status(event_id: String, status: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let id = parse_id(&event_id)?;
        let status = EventStatus::parse(&status).ok_or_else(|| AppError::Conflict("Unknown status.".into()))?;
        service::change_status(&state.pool, &scope, id, status).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "duplicate_event")]
pub async fn duplicate_event(event_id: String) -> Result<Uuid, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let copy = service::duplicate_event(&state.pool, &scope, parse_id(&event_id)?).await?;
        leptos_axum::redirect(&format!("/dashboard/events/{copy}/edit"));
        Ok(copy)
    })
    .await
}

/// Adds a tier (no `tier_id`) to an event, or updates one.
#[server(prefix = "/api", endpoint = "save_tier")]
pub async fn save_tier(
    event_id: String,
    tier_id: Option<String>,
    name: String,
    description: Option<String>,
    price: String,
    capacity: String,
    sales_start_local: Option<String>,
    sales_end_local: Option<String>,
    min_per_order: Option<String>,
    max_per_order: Option<String>,
) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let form = TierForm {
            name,
            description,
            price,
            capacity,
            sales_start_local,
            sales_end_local,
            min_per_order,
            max_per_order,
        };
        match tier_id.as_deref().filter(|id| !id.trim().is_empty()) {
            Some(tier_id) => tiers::update_tier(&state.pool, &scope, parse_id(tier_id)?, form).await?,
            None => {
                tiers::add_tier(&state.pool, &scope, parse_id(&event_id)?, form).await?;
            }
        }
        Ok(())
    })
    .await
}

/// One-click tier actions from the editor: activate, deactivate, delete, up, down.
#[server(prefix = "/api", endpoint = "tier_action")]
pub async fn tier_action(tier_id: String, action: String) -> Result<(), AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let id = parse_id(&tier_id)?;
        match action.as_str() {
            "activate" => tiers::set_tier_active(&state.pool, &scope, id, true).await,
            "deactivate" => tiers::set_tier_active(&state.pool, &scope, id, false).await,
            "delete" => tiers::delete_tier(&state.pool, &scope, id).await,
            "up" => tiers::move_tier(&state.pool, &scope, id, -1).await,
            "down" => tiers::move_tier(&state.pool, &scope, id, 1).await,
            _ => Err(AppError::Conflict("Unknown tier action.".into())),
        }
    })
    .await
}

/// One page of the public listing. The filters are separate arguments (not one struct) so
/// that an empty filter set still encodes as a valid request.
#[server(prefix = "/api", endpoint = "list_public_events")]
pub async fn list_public_events(
    q: Option<String>,
    event_type: Option<String>,
    city: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<EventPage, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let filters = EventFilters { q, event_type, city, from, to, page };
        let key = format!("listing:{filters:?}");
        state.recent.get_or_load(key, public::FRESH_FOR, || public::public_events(&state.pool, &filters)).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_public_event")]
pub async fn get_public_event(slug: String) -> Result<PublicEvent, AppError> {
    reply(async {
        let state = AppState::from_context()?;
        let viewer = AuthSession::of_request().await?.user_id().await?;
        let event = if viewer.is_some() {
            // Members may see their organization's drafts: never from or into the cache.
            public::public_event(&state.pool, &slug, viewer).await?
        } else {
            let key = format!("event:{}", slug.trim());
            state.recent.get_or_load(key, public::FRESH_FOR, || public::public_event(&state.pool, &slug, None)).await?
        };
        state.page_views.record(event.id, Visit::EventPage, PageViews::user_agent_of_request().as_deref());
        Ok(event)
    })
    .await
}
