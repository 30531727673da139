//! SQL for the team: members, door staff of one event, and invitations.

use crate::organizations::Role;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Serialises changes to one organization's team, so "is this the last owner?" is answered
/// with nobody changing the answer meanwhile.
pub async fn lock_organization(conn: &mut PgConnection, organization_id: Uuid) -> Result<bool, sqlx::Error> {
    let locked = sqlx::query_scalar!("SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE", organization_id)
        .fetch_optional(conn)
        .await?;
    Ok(locked.is_some())
}

pub async fn organization_name(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM organizations WHERE id = $1", organization_id).fetch_one(db).await
}

pub struct MemberRow {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

pub async fn members(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as!(
        MemberRow,
        r#"SELECT u.id AS user_id, u.full_name AS name, u.email, m.role AS "role: Role"
             FROM organization_members m JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = $1
            ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.full_name, u.email"#,
        organization_id,
    )
    .fetch_all(db)
    .await
}

pub struct DoorStaffRow {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub event_id: Uuid,
    pub event_name: String,
}

pub async fn door_staff(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<Vec<DoorStaffRow>, sqlx::Error> {
    sqlx::query_as!(
        DoorStaffRow,
        r#"SELECT u.id AS user_id, u.full_name AS name, u.email, e.id AS event_id, e.name AS event_name
             FROM event_staff s JOIN users u ON u.id = s.user_id JOIN events e ON e.id = s.event_id
            WHERE e.organization_id = $1
            ORDER BY e.start_at, u.full_name"#,
        organization_id,
    )
    .fetch_all(db)
    .await
}

pub struct OpenInvitationRow {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub event_name: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Invitations nobody accepted or withdrew yet, expired ones included (they can be sent again).
pub async fn open_invitations(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
) -> Result<Vec<OpenInvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        OpenInvitationRow,
        r#"SELECT i.id, i.email, i.role AS "role: Role", e.name AS "event_name?", i.expires_at
             FROM invitations i LEFT JOIN events e ON e.id = i.event_id
            WHERE i.organization_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
            ORDER BY i.created_at DESC
            LIMIT 200"#,
        organization_id,
    )
    .fetch_all(db)
    .await
}

pub struct EventChoiceRow {
    pub id: Uuid,
    pub name: String,
}

/// Events whose door someone may still be invited to work.
pub async fn event_choices(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<Vec<EventChoiceRow>, sqlx::Error> {
    sqlx::query_as!(
        EventChoiceRow,
        "SELECT id, name FROM events
          WHERE organization_id = $1 AND status <> 'cancelled' AND end_at > now()
          ORDER BY start_at LIMIT 100",
        organization_id,
    )
    .fetch_all(db)
    .await
}

pub async fn event_of_organization(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    event_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let found =
        sqlx::query_scalar!("SELECT id FROM events WHERE id = $1 AND organization_id = $2", event_id, organization_id,)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Whether the address already belongs to a member (or, with `event_id`, to the door
/// staff of that event).
pub async fn already_on_team(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    email: &str,
    event_id: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users u
                           WHERE u.email = lower($2)
                             AND (EXISTS (SELECT 1 FROM organization_members m
                                           WHERE m.organization_id = $1 AND m.user_id = u.id)
                                  OR EXISTS (SELECT 1 FROM event_staff s
                                              WHERE s.event_id = $3 AND s.user_id = u.id))) AS "found!""#,
        organization_id,
        email,
        event_id,
    )
    .fetch_one(db)
    .await
}

/// Withdraws earlier open invitations of the same address to the same place.
pub async fn revoke_open(
    conn: &mut PgConnection,
    organization_id: Uuid,
    email: &str,
    event_id: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE invitations SET revoked_at = now()
          WHERE organization_id = $1 AND lower(email) = lower($2) AND event_id IS NOT DISTINCT FROM $3
            AND accepted_at IS NULL AND revoked_at IS NULL",
        organization_id,
        email,
        event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewInvitation<'a> {
    pub organization_id: Uuid,
    pub event_id: Option<Uuid>,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: Uuid,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_invitation(conn: &mut PgConnection, new: &NewInvitation<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO invitations (organization_id, event_id, email, role, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        new.organization_id,
        new.event_id,
        new.email,
        new.role.as_str(),
        new.token_hash,
        new.invited_by,
        new.expires_at,
    )
    .fetch_one(conn)
    .await
}

pub async fn revoke(db: impl PgExecutor<'_>, organization_id: Uuid, invitation_id: Uuid) -> Result<bool, sqlx::Error> {
    let revoked = sqlx::query!(
        "UPDATE invitations SET revoked_at = now()
          WHERE id = $1 AND organization_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
        invitation_id,
        organization_id,
    )
    .execute(db)
    .await?;
    Ok(revoked.rows_affected() == 1)
}

pub struct InvitationRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub event_id: Option<Uuid>,
    pub event_name: Option<String>,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

macro_rules! invitation_where {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            InvitationRow,
            r#"SELECT i.id, i.organization_id, o.name AS organization_name, i.event_id, e.name AS "event_name?",
                      i.email, i.role AS "role: Role", coalesce(u.full_name, o.name) AS "invited_by!",
                      i.expires_at, i.accepted_at, i.revoked_at
                 FROM invitations i
                 JOIN organizations o ON o.id = i.organization_id
                 LEFT JOIN events e ON e.id = i.event_id
                 LEFT JOIN users u ON u.id = i.invited_by "# + $condition,
            $($arg),*
        )
    };
}

pub async fn invitation(db: impl PgExecutor<'_>, token_hash: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    invitation_where!("WHERE i.token_hash = $1", token_hash).fetch_optional(db).await
}

pub async fn invitation_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<InvitationRow>, sqlx::Error> {
    invitation_where!("WHERE i.id = $1", id).fetch_optional(db).await
}

pub async fn lock_invitation(conn: &mut PgConnection, token_hash: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    invitation_where!("WHERE i.token_hash = $1 FOR UPDATE OF i", token_hash).fetch_optional(conn).await
}

pub async fn mark_accepted(conn: &mut PgConnection, invitation_id: Uuid, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1", invitation_id, user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes the user a member; one who already is keeps the role they have.
pub async fn join(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT organization_members_pkey DO NOTHING",
        organization_id,
        user_id,
        role.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_door_staff(
    conn: &mut PgConnection,
    event_id: Uuid,
    user_id: Uuid,
    added_by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO event_staff (event_id, user_id, added_by) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT event_staff_pkey DO NOTHING",
        event_id,
        user_id,
        added_by,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn owner_count(db: impl PgExecutor<'_>, organization_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM organization_members WHERE organization_id = $1 AND role = 'owner'"#,
        organization_id,
    )
    .fetch_one(db)
    .await
}

pub async fn set_role(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query!(
        "UPDATE organization_members SET role = $3 WHERE organization_id = $1 AND user_id = $2",
        organization_id,
        user_id,
        role.as_str(),
    )
    .execute(db)
    .await?;
    Ok(changed.rows_affected() == 1)
}

pub async fn remove_member(db: impl PgExecutor<'_>, organization_id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query!(
        "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2",
        organization_id,
        user_id,
    )
    .execute(db)
    .await?;
    Ok(removed.rows_affected() == 1)
}

pub async fn remove_door_staff(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    event_id: Uuid,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query!(
        "DELETE FROM event_staff s USING events e
          WHERE s.event_id = $2 AND s.user_id = $3 AND e.id = s.event_id AND e.organization_id = $1",
        organization_id,
        event_id,
        user_id,
    )
    .execute(db)
    .await?;
    Ok(removed.rows_affected() == 1)
}

/// The account with this address, if there is one.
pub async fn user_by_email(db: impl PgExecutor<'_>, email: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM users WHERE email = lower($1)", email).fetch_optional(db).await
}

pub async fn email_of(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT email FROM users WHERE id = $1", user_id).fetch_optional(db).await
}
