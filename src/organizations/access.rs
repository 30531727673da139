//! The guard every server function touching organizer data calls first.
//!
//! It fails closed: no session, no membership, a role too low or any error on the way
//! means no access.

use crate::organizations::{Role, db};
use crate::platform::audit::acting;
use crate::platform::error::AppError;
use crate::platform::session::require_user;
use crate::platform::state::AppState;
use sqlx::PgPool;
use uuid::Uuid;

/// Proof that `user_id` may act in `organization_id` with `role`. Queries for organizer
/// data take their organization id from here, never from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrganizationScope {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub role: Role,
}

impl OrganizationScope {
    /// `Forbidden` unless the caller's role here is at least `minimum`.
    pub fn require(&self, minimum: Role) -> Result<(), AppError> {
        if self.role.allows(minimum) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// A transaction whose changes the audit trail puts down to this user.
    pub async fn begin(&self, pool: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        let mut tx = pool.begin().await?;
        acting(&mut tx, self.user_id).await?;
        Ok(tx)
    }
}

/// The caller's current organization, if their role there is at least `minimum`.
pub async fn require_organizer(minimum: Role) -> Result<(AppState, OrganizationScope), AppError> {
    let (state, user_id) = require_user().await?;
    let scope = scope_for(&state.pool, user_id, None, minimum).await?;
    Ok((state, scope))
}

/// Access to a named organization, if the caller is a member with at least `minimum`.
pub async fn require_member(organization_id: Uuid, minimum: Role) -> Result<(AppState, OrganizationScope), AppError> {
    let (state, user_id) = require_user().await?;
    let scope = scope_for(&state.pool, user_id, Some(organization_id), minimum).await?;
    Ok((state, scope))
}

/// The decision itself, separate from the request so it can be tested directly.
/// `organization_id: None` means the user's primary organization.
pub async fn scope_for(
    pool: &PgPool,
    user_id: Uuid,
    organization_id: Option<Uuid>,
    minimum: Role,
) -> Result<OrganizationScope, AppError> {
    let (organization_id, role) = match organization_id {
        Some(id) => (id, db::role_of(pool, id, user_id).await?),
        None => match db::primary_membership(pool, user_id).await? {
            Some(access) => (access.organization_id, Some(access.role)),
            None => return Err(AppError::Forbidden),
        },
    };
    match role {
        Some(role) if role.allows(minimum) => Ok(OrganizationScope { user_id, organization_id, role }),
        _ => Err(AppError::Forbidden),
    }
}
