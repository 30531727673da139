//! SQL for organizations and memberships.

use crate::accounts::{Name, OrganizationAccess};
use crate::organizations::{OrganizationOverview, Role, Slug};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

/// Creates an organization with `owner` as its first member.
pub async fn create_with_owner(conn: &mut PgConnection, name: &Name, owner: Uuid) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name.as_str())
        .bind(Slug::for_name(name.as_str(), id).as_str())
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
    sqlx::query("INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(organization_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn role_of(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2")
            .bind(organization_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(role.as_deref().and_then(Role::parse))
}

#[derive(FromRow)]
struct MembershipRow {
    organization_id: Uuid,
    organization_name: String,
    role: String,
}

/// The organization a user's dashboard opens on: their oldest membership.
pub async fn primary_membership(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<OrganizationAccess>, sqlx::Error> {
    let row: Option<MembershipRow> = sqlx::query_as(
        "SELECT m.organization_id, o.name AS organization_name, m.role
           FROM organization_members m
           JOIN organizations o ON o.id = m.organization_id
          WHERE m.user_id = $1
          ORDER BY m.created_at, m.organization_id
          LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|r| {
        Role::parse(&r.role).map(|role| OrganizationAccess {
            organization_id: r.organization_id,
            organization_name: r.organization_name,
            role,
        })
    }))
}

#[derive(FromRow)]
struct OverviewRow {
    id: Uuid,
    name: String,
    slug: String,
    currency: String,
    timezone: String,
    member_count: i64,
}

pub async fn overview(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    role: Role,
) -> Result<Option<OrganizationOverview>, sqlx::Error> {
    let row: Option<OverviewRow> = sqlx::query_as(
        "SELECT o.id, o.name, o.slug, o.currency, o.timezone,
                (SELECT count(*) FROM organization_members m WHERE m.organization_id = o.id) AS member_count
           FROM organizations o
          WHERE o.id = $1",
    )
    .bind(organization_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| OrganizationOverview {
        id: r.id,
        name: r.name,
        slug: r.slug,
        currency: r.currency,
        timezone: r.timezone,
        role,
        member_count: r.member_count,
    }))
}
