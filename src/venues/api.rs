//! Venue server functions, for organizers; each starts with the guard.

use crate::platform::error::AppError;
use crate::venues::VenueView;
#[cfg(feature = "ssr")]
use crate::{
    organizations::{Role, access::require_organizer},
    platform::reply::{parse_id, reply},
    venues::service::{self, VenueForm},
};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "list_venues")]
pub async fn list_venues(
    min_capacity: Option<String>,
    amenities: Option<Vec<String>>,
) -> Result<Vec<VenueView>, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let min_capacity = min_capacity.as_deref().and_then(|c| c.trim().parse::<i32>().ok()).filter(|c| *c > 0);
        service::venues(&state.pool, &scope, min_capacity, &amenities.unwrap_or_default()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_venue")]
pub async fn get_venue(venue_id: String) -> Result<VenueView, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        service::venue(&state.pool, &scope, parse_id(&venue_id)?).await
    })
    .await
}

/// Creates (no `venue_id`) or updates a venue, then returns to the venue list.
#[server(prefix = "/api", endpoint = "save_venue")]
pub async fn save_venue(
    venue_id: Option<String>,
    name: String,
    address: String,
    city: Option<String>,
    province: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    capacity: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    amenities: Option<Vec<String>>,
) -> Result<Uuid, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Admin).await?;
        let form = VenueForm {
            name,
            address,
            city,
            province,
            postal_code,
            country,
            capacity,
            contact_name,
            contact_email,
            contact_phone,
            amenities: amenities.unwrap_or_default(),
        };
        let id = match venue_id.as_deref().filter(|id| !id.trim().is_empty()) {
            Some(id) => {
                let id = parse_id(id)?;
                service::update_venue(&state.pool, &scope, id, form).await?;
                id
            }
            None => service::create_venue(&state.pool, &scope, form).await?,
        };
        leptos_axum::redirect("/dashboard/venues");
        Ok(id)
    })
    .await
}
