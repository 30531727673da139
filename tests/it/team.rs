//! The team against a real PostgreSQL: invitations (single use, seven days, for the invited
//! address only), door staff of one event, and the last owner who can never leave.

use crate::checkin::door;
use crate::shop::{count, organizer};
use eventos::checkin::access::door_scope;
use eventos::notifications::NotificationKind;
use eventos::organizations::Role;
use eventos::organizations::access::{OrganizationScope, scope_for};
use eventos::platform::error::AppError;
use eventos::team::service::{self, InviteForm};
use sqlx::PgPool;
use uuid::Uuid;

/// Invites `email` and returns the token from the e-mail queued for them.
async fn invite(pool: &PgPool, scope: &OrganizationScope, email: &str, role: &str, event: Option<Uuid>) -> String {
    let form = InviteForm { email: email.into(), role: role.into(), event_id: event.map(|e| e.to_string()) };
    service::invite(pool, scope, form).await.unwrap();
    sqlx::query_scalar(
        "SELECT payload->>'token' FROM outbox WHERE kind = 'invitation' AND recipient = lower($1) ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn person(pool: &PgPool, email: &str) -> Uuid {
    let form = eventos::accounts::service::SignUpForm {
        full_name: "Sam Staff".into(),
        email: email.into(),
        password: "a-long-enough-password".into(),
        organization_name: None,
        organizer: false,
    };
    eventos::accounts::service::sign_up(pool, form).await.unwrap().user_id
}

#[sqlx::test]
async fn an_invitation_is_accepted_once_by_the_invited_address_and_gives_its_role(pool: PgPool) {
    let owner = organizer(&pool, "olivia@example.com").await;
    let token = invite(&pool, &owner, "Sam@Example.com", "staff", None).await;
    let sam = person(&pool, "sam@example.com").await;
    let someone_else = person(&pool, "eve@example.com").await;

    let by_someone_else = service::accept(&pool, &token, someone_else).await;
    let next = service::accept(&pool, &token, sam).await.unwrap();
    let again = service::accept(&pool, &token, sam).await;

    assert!(
        matches!(by_someone_else, Err(AppError::Conflict(ref m)) if m.contains("sam@example.com")),
        "{by_someone_else:?}"
    );
    assert_eq!(next, "/checkin");
    assert!(matches!(again, Err(AppError::Conflict(ref m)) if m.contains("already used")), "{again:?}");
    let scope = scope_for(&pool, sam, Some(owner.organization_id), Role::Staff).await.unwrap();
    assert_eq!(scope.role, Role::Staff);
    assert_eq!(
        scope_for(&pool, someone_else, Some(owner.organization_id), Role::Staff).await,
        Err(AppError::Forbidden)
    );
    // The owner hears of it once, under the name Sam signed up with.
    let told = eventos::notifications::db::newest(&pool, owner.user_id, 10).await.unwrap();
    let joined: Vec<_> = told.iter().filter(|n| n.kind == NotificationKind::InvitationAccepted).collect();
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].detail, "Sam Staff");
    assert!(eventos::notifications::db::newest(&pool, sam, 10).await.unwrap().is_empty(), "Sam is not told of Sam");
}

#[sqlx::test]
async fn an_invitation_expires_after_seven_days_and_a_new_one_replaces_the_old_link(pool: PgPool) {
    let owner = organizer(&pool, "olivia@example.com").await;
    let first = invite(&pool, &owner, "sam@example.com", "admin", None).await;
    let second = invite(&pool, &owner, "sam@example.com", "admin", None).await;
    let sam = person(&pool, "sam@example.com").await;
    let lifetime = count(&pool, "SELECT round(extract(epoch FROM expires_at - created_at) / 3600)::bigint FROM invitations WHERE revoked_at IS NULL").await;

    let replaced = service::accept(&pool, &first, sam).await;
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 second'").execute(&pool).await.unwrap();
    let expired = service::accept(&pool, &second, sam).await;

    assert_eq!(lifetime, 7 * 24, "hours an invitation works");
    assert!(matches!(replaced, Err(AppError::Conflict(ref m)) if m.contains("withdrawn")), "{replaced:?}");
    assert!(matches!(expired, Err(AppError::Conflict(ref m)) if m.contains("expired")), "{expired:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM organization_members").await, 1, "nobody joined");
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'invitation'").await, 2);
}

#[sqlx::test]
async fn a_new_person_creates_their_account_from_the_link_and_joins(pool: PgPool) {
    let owner = organizer(&pool, "olivia@example.com").await;
    let token = invite(&pool, &owner, "new@example.com", "admin", None).await;

    let weak = service::accept_with_new_account(&pool, &token, "Nia New", "short").await;
    let (user_id, next) =
        service::accept_with_new_account(&pool, &token, "Nia New", "a-long-enough-password").await.unwrap();

    assert!(matches!(weak, Err(AppError::Validation(_))), "{weak:?}");
    assert_eq!(next, "/dashboard");
    assert_eq!(scope_for(&pool, user_id, None, Role::Admin).await.unwrap().organization_id, owner.organization_id);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM users WHERE email = 'new@example.com' AND email_confirmed_at IS NOT NULL")
            .await,
        1
    );
}

#[sqlx::test]
async fn door_staff_of_one_event_reach_its_door_and_nothing_else(pool: PgPool) {
    let door = door(&pool).await;
    let token = invite(&pool, &door.organizer, "sam@example.com", "admin", Some(door.scope.event_id)).await;
    let sam = person(&pool, "sam@example.com").await;

    let next = service::accept(&pool, &token, sam).await.unwrap();

    assert_eq!(next, format!("/checkin/{}", door.scope.event_id));
    assert!(door_scope(&pool, sam, door.scope.event_id).await.is_ok());
    let other = crate::shop::event_with(&pool, &door.organizer, 10, &[("X", "0", 5)]).await;
    let other_id: Uuid =
        sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(&other.0).fetch_one(&pool).await.unwrap();
    assert_eq!(door_scope(&pool, sam, other_id).await, Err(AppError::Forbidden));
    assert_eq!(
        scope_for(&pool, sam, Some(door.organizer.organization_id), Role::Staff).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM invitations WHERE role = 'staff'").await,
        1,
        "an invitation to one door is always staff, whatever role was asked"
    );
}

#[sqlx::test]
async fn the_last_owner_can_never_be_removed_or_demoted_and_admins_cannot_touch_owners(pool: PgPool) {
    let owner = organizer(&pool, "olivia@example.com").await;
    let admin_token = invite(&pool, &owner, "adam@example.com", "admin", None).await;
    let adam = person(&pool, "adam@example.com").await;
    service::accept(&pool, &admin_token, adam).await.unwrap();
    let admin = scope_for(&pool, adam, None, Role::Admin).await.unwrap();

    let demote_self = service::change_role(&pool, &owner, owner.user_id, "admin").await;
    let remove_self = service::remove_member(&pool, &owner, owner.user_id).await;
    let admin_demotes_owner = service::change_role(&pool, &admin, owner.user_id, "staff").await;
    let admin_removes_owner = service::remove_member(&pool, &admin, owner.user_id).await;
    let admin_promotes_self = service::change_role(&pool, &admin, adam, "owner").await;

    assert!(matches!(demote_self, Err(AppError::Conflict(ref m)) if m.contains("last owner")), "{demote_self:?}");
    assert!(matches!(remove_self, Err(AppError::Conflict(ref m)) if m.contains("last owner")), "{remove_self:?}");
    assert_eq!(admin_demotes_owner, Err(AppError::Forbidden));
    assert_eq!(admin_removes_owner, Err(AppError::Forbidden));
    assert_eq!(admin_promotes_self, Err(AppError::Forbidden));

    service::change_role(&pool, &owner, adam, "owner").await.unwrap();
    service::change_role(&pool, &owner, owner.user_id, "staff").await.unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM organization_members WHERE role = 'owner'").await, 1);
    let adam_now = scope_for(&pool, adam, None, Role::Owner).await.unwrap();
    let last = service::remove_member(&pool, &adam_now, adam).await;
    assert!(matches!(last, Err(AppError::Conflict(_))), "{last:?}");
}

#[sqlx::test]
async fn inviting_a_member_again_or_a_bad_address_is_refused_and_sends_nothing(pool: PgPool) {
    let owner = organizer(&pool, "olivia@example.com").await;

    let member = service::invite(
        &pool,
        &owner,
        InviteForm { email: "OLIVIA@example.com".into(), role: "staff".into(), event_id: None },
    )
    .await;
    let bad = service::invite(
        &pool,
        &owner,
        InviteForm { email: "not-an-address".into(), role: "owner".into(), event_id: None },
    )
    .await;
    let foreign_event = service::invite(
        &pool,
        &owner,
        InviteForm { email: "x@example.com".into(), role: "staff".into(), event_id: Some(Uuid::new_v4().to_string()) },
    )
    .await;

    assert_eq!(member.unwrap_err().field_message("email").as_deref(), Some("This person is already on the team."));
    let bad = bad.unwrap_err();
    assert!(bad.field_message("email").is_some() && bad.field_message("role").is_some(), "{bad:?}");
    assert!(foreign_event.unwrap_err().field_message("event_id").is_some());
    assert_eq!(count(&pool, "SELECT count(*) FROM invitations").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0);
}
