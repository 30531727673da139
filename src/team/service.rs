//! Team operations. Managing the team takes an admin; anything that makes, changes or
//! removes an owner takes an owner; and no change may leave an organization without one.

use crate::accounts::service::{self as accounts, SignUpForm};
use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::audit::acting;
use crate::platform::error::{AppError, FieldErrors};
use crate::platform::rate_limit::{self, Limit};
use crate::platform::secrets::{random_token, token_hash};
use crate::platform::text::{Email, optional_text};
use crate::team::db::{self, InvitationRow, NewInvitation};
use crate::team::{
    DoorStaffView, EventChoice, INVITABLE_ROLES, INVITATION_DAYS, InvitationPreview, InvitationState, InvitationView,
    MemberView, TeamView,
};
use chrono::{Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// Invitations one organization may send: each is an e-mail to an address someone typed.
pub const INVITES_PER_ORGANIZATION: Limit =
    Limit { name: "invites-org", max: 50, window: std::time::Duration::from_secs(60 * 60) };

pub async fn team(pool: &PgPool, scope: &OrganizationScope) -> Result<TeamView, AppError> {
    scope.require(Role::Admin)?;
    let organization_name = db::organization_name(pool, scope.organization_id).await?;
    let members = db::members(pool, scope.organization_id).await?;
    let door_staff = db::door_staff(pool, scope.organization_id).await?;
    let invitations = db::open_invitations(pool, scope.organization_id).await?;
    let events = db::event_choices(pool, scope.organization_id).await?;
    let now = Utc::now();
    Ok(TeamView {
        organization_name,
        my_role: scope.role,
        members: members
            .into_iter()
            .map(|m| MemberView {
                is_me: m.user_id == scope.user_id,
                user_id: m.user_id,
                name: m.name,
                email: m.email,
                role: m.role,
            })
            .collect(),
        door_staff: door_staff
            .into_iter()
            .map(|s| DoorStaffView {
                user_id: s.user_id,
                name: s.name,
                email: s.email,
                event_id: s.event_id,
                event_name: s.event_name,
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationView {
                id: i.id,
                email: i.email,
                role: i.role,
                event_name: i.event_name,
                state: if i.expires_at <= now {
                    "Expired".into()
                } else {
                    format!("Expires {}", i.expires_at.format("%b %-d"))
                },
            })
            .collect(),
        events: events.into_iter().map(|e| EventChoice { id: e.id, name: e.name }).collect(),
    })
}

/// An invitation as typed on the team page.
#[derive(Debug, Clone, Default)]
pub struct InviteForm {
    pub email: String,
    pub role: String,
    /// Limits the invitation to the door of this event.
    pub event_id: Option<String>,
}

/// Invites an address to the team, or to the door of one event, by e-mail. Inviting the
/// same address again replaces the earlier link.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id))]
pub async fn invite(pool: &PgPool, scope: &OrganizationScope, form: InviteForm) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let event_id = match optional_text(form.event_id.as_deref()) {
        Some(raw) => match Uuid::parse_str(raw) {
            Ok(id) if db::event_of_organization(pool, scope.organization_id, id).await? => Some(id),
            _ => {
                errors.add("event_id", "Choose one of your events.");
                None
            }
        },
        None => None,
    };
    let role = match (Role::parse(&form.role), event_id) {
        (_, Some(_)) => Some(Role::Staff),
        (Some(role), None) if INVITABLE_ROLES.contains(&role) => Some(role),
        _ => {
            errors.add("role", "Choose Admin or Staff.");
            None
        }
    };
    errors.into_result()?;
    let (Some(email), Some(role)) = (email, role) else { return Err(AppError::Internal) };
    if db::already_on_team(pool, scope.organization_id, email.as_str(), event_id).await? {
        return Err(AppError::field("email", "This person is already on the team."));
    }
    rate_limit::hit(pool, INVITES_PER_ORGANIZATION, &scope.organization_id.to_string()).await?;

    let token = random_token(32);
    let mut tx = scope.begin(pool).await?;
    db::revoke_open(&mut tx, scope.organization_id, email.as_str(), event_id).await?;
    let invitation_id = db::insert_invitation(
        &mut tx,
        &NewInvitation {
            organization_id: scope.organization_id,
            event_id,
            email: email.as_str(),
            role,
            token_hash: &token_hash(&token),
            invited_by: scope.user_id,
            expires_at: Utc::now() + Duration::days(INVITATION_DAYS),
        },
    )
    .await?;
    let payload = serde_json::json!({ "invitation_id": invitation_id, "token": token });
    mail_db::enqueue(&mut tx, Some(scope.organization_id), MailKind::Invitation, email.as_str(), payload).await?;
    tx.commit().await?;
    tracing::info!(%invitation_id, role = %role, ?event_id, by = %scope.user_id, "invitation sent");
    Ok(())
}

pub async fn revoke_invitation(pool: &PgPool, scope: &OrganizationScope, invitation_id: Uuid) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    if !db::revoke(&mut *tx, scope.organization_id, invitation_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(%invitation_id, by = %scope.user_id, "invitation withdrawn");
    Ok(())
}

/// Gives a member another role. Owners alone make or unmake owners, and the last owner
/// stays one.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %user_id))]
pub async fn change_role(pool: &PgPool, scope: &OrganizationScope, user_id: Uuid, role: &str) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let role = Role::parse(role).ok_or_else(|| AppError::field("role", "Choose Owner, Admin or Staff."))?;
    let mut tx = scope.begin(pool).await?;
    db::lock_organization(&mut tx, scope.organization_id).await?;
    let current =
        crate::organizations::db::role_of(&mut *tx, scope.organization_id, user_id).await?.ok_or(AppError::NotFound)?;
    if current == role {
        return Ok(());
    }
    if (current == Role::Owner || role == Role::Owner) && scope.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    if current == Role::Owner && db::owner_count(&mut *tx, scope.organization_id).await? <= 1 {
        return Err(AppError::Conflict("The last owner cannot be demoted. Make someone else an owner first.".into()));
    }
    db::set_role(&mut *tx, scope.organization_id, user_id, role).await?;
    tx.commit().await?;
    tracing::info!(from = %current, to = %role, by = %scope.user_id, "member role changed");
    Ok(())
}

/// Takes someone off the team (members may remove themselves). Owners alone remove owners,
/// and never the last one.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %user_id))]
pub async fn remove_member(pool: &PgPool, scope: &OrganizationScope, user_id: Uuid) -> Result<(), AppError> {
    if user_id != scope.user_id {
        scope.require(Role::Admin)?;
    }
    let mut tx = scope.begin(pool).await?;
    db::lock_organization(&mut tx, scope.organization_id).await?;
    let current =
        crate::organizations::db::role_of(&mut *tx, scope.organization_id, user_id).await?.ok_or(AppError::NotFound)?;
    if current == Role::Owner {
        if scope.role != Role::Owner {
            return Err(AppError::Forbidden);
        }
        if db::owner_count(&mut *tx, scope.organization_id).await? <= 1 {
            return Err(AppError::Conflict(
                "The last owner cannot be removed. Make someone else an owner first.".into(),
            ));
        }
    }
    db::remove_member(&mut *tx, scope.organization_id, user_id).await?;
    tx.commit().await?;
    tracing::info!(role = %current, by = %scope.user_id, "member removed");
    Ok(())
}

pub async fn remove_door_staff(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    if !db::remove_door_staff(&mut *tx, scope.organization_id, event_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(%event_id, %user_id, by = %scope.user_id, "door staff removed");
    Ok(())
}

fn state_of(invitation: &InvitationRow) -> InvitationState {
    if invitation.accepted_at.is_some() {
        InvitationState::Used
    } else if invitation.revoked_at.is_some() {
        InvitationState::Revoked
    } else if invitation.expires_at <= Utc::now() {
        InvitationState::Expired
    } else {
        InvitationState::Open
    }
}

fn unusable(state: InvitationState) -> AppError {
    AppError::Conflict(
        match state {
            InvitationState::Used => "This invitation was already used. Log in to reach your team.",
            InvitationState::Expired => "This invitation has expired. Ask the organizer to send a new one.",
            InvitationState::Revoked | InvitationState::Open => {
                "This invitation was withdrawn. Ask the organizer to send a new one."
            }
        }
        .into(),
    )
}

/// What the invitation link shows: who invites whom to what, and whether it still works.
pub async fn preview(pool: &PgPool, token: &str, signed_in: Option<Uuid>) -> Result<InvitationPreview, AppError> {
    let invitation = db::invitation(pool, &token_hash(token.trim())).await?.ok_or(AppError::NotFound)?;
    let signed_in_as = match signed_in {
        Some(user_id) => db::email_of(pool, user_id).await?,
        None => None,
    };
    Ok(InvitationPreview {
        state: state_of(&invitation),
        has_account: db::user_by_email(pool, &invitation.email).await?.is_some(),
        organization_name: invitation.organization_name,
        role: invitation.role,
        event_name: invitation.event_name,
        email: invitation.email,
        invited_by: invitation.invited_by,
        signed_in_as,
    })
}

/// Accepts an invitation for the logged-in user, whose address must be the invited one.
/// Returns where they go next: the event's door, the door list, or the dashboard.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn accept(pool: &PgPool, token: &str, user_id: Uuid) -> Result<String, AppError> {
    let email = db::email_of(pool, user_id).await?.ok_or(AppError::Unauthorized)?;
    let mut tx = pool.begin().await?;
    acting(&mut tx, user_id).await?;
    let invitation = db::lock_invitation(&mut tx, &token_hash(token.trim())).await?.ok_or(AppError::NotFound)?;
    let state = state_of(&invitation);
    if state != InvitationState::Open {
        return Err(unusable(state));
    }
    if !invitation.email.eq_ignore_ascii_case(&email) {
        return Err(AppError::Conflict(format!(
            "This invitation is for {}. Log in with that address to accept it.",
            invitation.email
        )));
    }
    let next = match invitation.event_id {
        Some(event_id) => {
            db::add_door_staff(&mut tx, event_id, user_id, None).await?;
            format!("/checkin/{event_id}")
        }
        None => {
            db::join(&mut tx, invitation.organization_id, user_id, invitation.role).await?;
            if invitation.role == Role::Staff { "/checkin".to_owned() } else { "/dashboard".to_owned() }
        }
    };
    db::mark_accepted(&mut tx, invitation.id, user_id).await?;
    tx.commit().await?;
    tracing::info!(invitation_id = %invitation.id, organization_id = %invitation.organization_id, "invitation accepted");
    Ok(next)
}

/// Creates the invited person's account from the link (which reached their address, so it
/// is confirmed at once) and accepts the invitation. Returns the new user and where they go.
pub async fn accept_with_new_account(
    pool: &PgPool,
    token: &str,
    full_name: &str,
    password: &str,
) -> Result<(Uuid, String), AppError> {
    // Checked before the costly password hash, so a made-up token costs one lookup.
    let invitation = db::invitation(pool, &token_hash(token.trim())).await?.ok_or(AppError::NotFound)?;
    let state = state_of(&invitation);
    if state != InvitationState::Open {
        return Err(unusable(state));
    }
    if db::user_by_email(pool, &invitation.email).await?.is_some() {
        return Err(AppError::field("form", "This address already has an account. Log in to accept."));
    }
    let form = SignUpForm {
        full_name: full_name.to_owned(),
        email: invitation.email.clone(),
        password: password.to_owned(),
        organization_name: None,
        organizer: false,
    };
    let signed_up = accounts::sign_up(pool, form).await?;
    let next = accept(pool, token, signed_up.user_id).await?;
    Ok((signed_up.user_id, next))
}
