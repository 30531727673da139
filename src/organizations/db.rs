//! SQL for organizations and memberships.

use crate::organizations::{OrganizationAccess, OrganizationOverview, Role, Slug};
use crate::platform::text::Name;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Creates an organization with `owner` as its first member.
pub async fn create_with_owner(conn: &mut PgConnection, name: &Name, owner: Uuid) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    let slug = Slug::for_name(name.as_str(), id);
    sqlx::query!("INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)", id, name.as_str(), slug.as_str())
        .execute(&mut *conn)
        .await?;
    add_member(conn, id, owner, Role::Owner).await?;
    Ok(id)
}

pub async fn add_member(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)",
        organization_id,
        user_id,
        role.as_str(),
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn role_of(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Role>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT role AS "role: Role" FROM organization_members WHERE organization_id = $1 AND user_id = $2"#,
        organization_id,
        user_id,
    )
    .fetch_optional(db)
    .await
}

/// The organization a user's dashboard opens on: their oldest membership.
pub async fn primary_membership(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<OrganizationAccess>, sqlx::Error> {
    sqlx::query_as!(
        OrganizationAccess,
        r#"SELECT m.organization_id, o.name AS organization_name, m.role AS "role: Role"
             FROM organization_members m
             JOIN organizations o ON o.id = m.organization_id
            WHERE m.user_id = $1
            ORDER BY m.created_at, m.organization_id
            LIMIT 1"#,
        user_id,
    )
    .fetch_optional(db)
    .await
}

pub async fn overview(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    role: Role,
) -> Result<Option<OrganizationOverview>, sqlx::Error> {
    sqlx::query_as!(
        OrganizationOverview,
        r#"SELECT o.id, o.name, o.slug, o.currency, o.timezone, $2::text AS "role!: Role",
                  (SELECT count(*) FROM organization_members m WHERE m.organization_id = o.id) AS "member_count!"
             FROM organizations o
            WHERE o.id = $1"#,
        organization_id,
        role.as_str(),
    )
    .fetch_optional(db)
    .await
}
