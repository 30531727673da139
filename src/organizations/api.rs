//! Organization server functions.

use crate::organizations::OrganizationOverview as Overview;
use crate::platform::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    organizations::{Role, access::require_organizer, db},
    platform::reply::reply,
};
use leptos::prelude::*;

/// The caller's current organization, for the dashboard.
#[server(prefix = "/api", endpoint = "get_organization_overview")]
pub async fn get_organization_overview() -> Result<Overview, AppError> {
    reply(async {
        let (state, scope) = require_organizer(Role::Staff).await?;
        db::overview(&state.pool, scope.organization_id, scope.role).await?.ok_or(AppError::NotFound)
    })
    .await
}
