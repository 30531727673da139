//! Accounts and organizations against a real PostgreSQL: one fresh database per test.

use eventos::accounts::service::{self, ProfileForm, SignUpForm};
use eventos::organizations::access::scope_for;
use eventos::organizations::{Role, db as organizations_db};
use eventos::platform::error::AppError;
use eventos::tools::seed;
use sqlx::PgPool;

fn organizer(email: &str, organization: &str) -> SignUpForm {
    SignUpForm {
        full_name: "Olivia Organizer".into(),
        email: email.into(),
        password: "a-long-enough-password".into(),
        organization_name: Some(organization.into()),
        organizer: true,
    }
}

fn attendee(email: &str) -> SignUpForm {
    SignUpForm { organizer: false, organization_name: None, ..organizer(email, "") }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn signing_up_as_an_organizer_creates_the_user_the_organization_and_an_owner_membership(pool: PgPool) {
    let signed_up = service::sign_up(&pool, organizer("Olivia@Example.com", "Harbourfront Summits")).await.unwrap();

    let organization_id = signed_up.organization_id.expect("an organization was created");
    let user = service::current_user(&pool, signed_up.user_id).await.unwrap().unwrap();
    assert_eq!(user.email, "olivia@example.com");
    let access = user.organization.expect("the user belongs to the organization");
    assert_eq!(access.organization_id, organization_id);
    assert_eq!(access.organization_name, "Harbourfront Summits");
    assert_eq!(access.role, Role::Owner);
    let slug: String = sqlx::query_scalar("SELECT slug FROM organizations WHERE id = $1")
        .bind(organization_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(slug, format!("harbourfront-summits-{}", &organization_id.simple().to_string()[..8]));
}

#[sqlx::test]
async fn signing_up_as_an_attendee_creates_no_organization(pool: PgPool) {
    let signed_up = service::sign_up(&pool, attendee("ada@example.com")).await.unwrap();

    assert_eq!(signed_up.organization_id, None);
    assert_eq!(count(&pool, "organizations").await, 0);
    let user = service::current_user(&pool, signed_up.user_id).await.unwrap().unwrap();
    assert!(!user.is_organizer());
}

#[sqlx::test]
async fn a_duplicate_email_in_any_letter_case_is_refused_and_writes_nothing(pool: PgPool) {
    service::sign_up(&pool, organizer("olivia@example.com", "First Org")).await.unwrap();

    let error = service::sign_up(&pool, organizer("  OLIVIA@example.COM ", "Second Org")).await.unwrap_err();

    assert_eq!(
        error.field_message("email").as_deref(),
        Some("An account with this email already exists. Log in instead.")
    );
    assert_eq!(count(&pool, "users").await, 1);
    assert_eq!(count(&pool, "organizations").await, 1, "the second organization was rolled back");
}

#[sqlx::test]
async fn an_invalid_sign_up_names_every_bad_field_and_writes_nothing(pool: PgPool) {
    let form = SignUpForm {
        full_name: "   ".into(),
        email: "not-an-email".into(),
        password: "short".into(),
        organization_name: Some("".into()),
        organizer: true,
    };

    let error = service::sign_up(&pool, form).await.unwrap_err();

    for field in ["full_name", "email", "password", "organization_name"] {
        assert!(error.field_message(field).is_some(), "no message for {field}: {error:?}");
    }
    assert_eq!(count(&pool, "users").await, 0);
}

#[sqlx::test]
async fn authentication_accepts_the_right_password_and_refuses_others_with_one_message(pool: PgPool) {
    let signed_up = service::sign_up(&pool, attendee("ada@example.com")).await.unwrap();

    assert_eq!(
        service::authenticate(&pool, "ADA@example.com", "a-long-enough-password", "192.0.2.1").await.unwrap(),
        signed_up.user_id
    );
    let wrong_password =
        service::authenticate(&pool, "ada@example.com", "a-wrong-password", "192.0.2.1").await.unwrap_err();
    let unknown_email =
        service::authenticate(&pool, "nobody@example.com", "a-long-enough-password", "192.0.2.1").await.unwrap_err();
    assert_eq!(wrong_password, unknown_email, "the answer must not reveal which emails have accounts");
    assert!(wrong_password.field_message("form").is_some());
    let blank = service::authenticate(&pool, "", "", "192.0.2.1").await.unwrap_err();
    assert!(blank.field_message("email").is_some() && blank.field_message("password").is_some());
}

#[sqlx::test]
async fn passwords_are_stored_as_argon2id_hashes(pool: PgPool) {
    service::sign_up(&pool, attendee("ada@example.com")).await.unwrap();

    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(&pool).await.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("a-long-enough-password"));
}

#[sqlx::test]
async fn the_access_guard_refuses_attendees_and_members_of_other_organizations(pool: PgPool) {
    let first = service::sign_up(&pool, organizer("one@example.com", "First Org")).await.unwrap();
    let second = service::sign_up(&pool, organizer("two@example.com", "Second Org")).await.unwrap();
    let visitor = service::sign_up(&pool, attendee("ada@example.com")).await.unwrap();
    let first_org = first.organization_id.unwrap();

    let own = scope_for(&pool, first.user_id, Some(first_org), Role::Owner).await.unwrap();
    assert_eq!((own.organization_id, own.role), (first_org, Role::Owner));
    assert_eq!(scope_for(&pool, second.user_id, Some(first_org), Role::Staff).await, Err(AppError::Forbidden));
    assert_eq!(scope_for(&pool, visitor.user_id, None, Role::Staff).await, Err(AppError::Forbidden));
    assert_eq!(scope_for(&pool, visitor.user_id, Some(first_org), Role::Staff).await, Err(AppError::Forbidden));
}

#[sqlx::test]
async fn staff_members_cannot_do_what_needs_an_admin(pool: PgPool) {
    let owner = service::sign_up(&pool, organizer("owner@example.com", "Door Org")).await.unwrap();
    let staff = service::sign_up(&pool, attendee("door@example.com")).await.unwrap();
    let organization_id = owner.organization_id.unwrap();
    organizations_db::add_member(&pool, organization_id, staff.user_id, Role::Staff).await.unwrap();

    assert!(scope_for(&pool, staff.user_id, Some(organization_id), Role::Staff).await.is_ok());
    assert_eq!(scope_for(&pool, staff.user_id, Some(organization_id), Role::Admin).await, Err(AppError::Forbidden));
    assert_eq!(scope_for(&pool, staff.user_id, None, Role::Admin).await, Err(AppError::Forbidden));
}

#[sqlx::test]
async fn the_database_refuses_an_unknown_role(pool: PgPool) {
    let owner = service::sign_up(&pool, organizer("owner@example.com", "Org")).await.unwrap();
    let other = service::sign_up(&pool, attendee("x@example.com")).await.unwrap();

    let result =
        sqlx::query("INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, 'superuser')")
            .bind(owner.organization_id.unwrap())
            .bind(other.user_id)
            .execute(&pool)
            .await;

    let error = result.unwrap_err();
    assert_eq!(error.as_database_error().and_then(|e| e.constraint()), Some("organization_members_role_known"));
}

#[sqlx::test]
async fn a_profile_update_is_validated_and_then_saved(pool: PgPool) {
    let user = service::sign_up(&pool, attendee("ada@example.com")).await.unwrap();
    let bad = ProfileForm {
        full_name: "".into(),
        company: None,
        phone: Some("call me".into()),
        avatar_url: Some("javascript:alert(1)".into()),
    };

    let error = service::update_profile(&pool, user.user_id, bad).await.unwrap_err();
    assert!(error.field_message("full_name").is_some());
    assert!(error.field_message("phone").is_some());
    assert!(error.field_message("avatar_url").is_some());
    assert_eq!(service::profile(&pool, user.user_id).await.unwrap().full_name, "Olivia Organizer");

    let good = ProfileForm {
        full_name: " Ada Lovelace ".into(),
        company: Some("Analytical Engines".into()),
        phone: Some("416-555-0123".into()),
        avatar_url: Some("  ".into()),
    };
    let saved = service::update_profile(&pool, user.user_id, good).await.unwrap();
    assert_eq!(saved.full_name, "Ada Lovelace");
    assert_eq!(saved.company.as_deref(), Some("Analytical Engines"));
    assert_eq!(saved.phone.as_deref(), Some("416-555-0123"));
    assert_eq!(saved.avatar_url, None);
}

#[sqlx::test]
async fn updated_at_moves_when_a_row_changes(pool: PgPool) {
    let user = service::sign_up(&pool, attendee("ada@example.com")).await.unwrap();
    let before: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM users").fetch_one(&pool).await.unwrap();

    let form = ProfileForm { full_name: "Ada L".into(), ..Default::default() };
    service::update_profile(&pool, user.user_id, form).await.unwrap();

    let after: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM users").fetch_one(&pool).await.unwrap();
    assert!(after > before);
}

#[sqlx::test]
async fn seeding_twice_leaves_one_demo_organizer_with_one_organization(pool: PgPool) {
    let first = seed::seed_if_empty(&pool).await.unwrap().expect("an empty database is seeded");
    let again = seed::seed(&pool).await.unwrap();

    assert_eq!(first.organization_id, again.organization_id);
    assert_eq!(count(&pool, "users").await, 2, "the organizer and the door staff");
    assert_eq!(count(&pool, "organizations").await, 1);
    assert_eq!(seed::seed_if_empty(&pool).await.unwrap(), None, "a database with users is left alone");
    let user_id = service::authenticate(&pool, seed::DEMO_EMAIL, seed::DEMO_PASSWORD, "192.0.2.1").await.unwrap();
    assert!(service::current_user(&pool, user_id).await.unwrap().unwrap().is_organizer());
    service::authenticate(&pool, seed::DEMO_STAFF_EMAIL, seed::DEMO_PASSWORD, "192.0.2.1").await.unwrap();
    let door = "(SELECT id FROM events WHERE name = 'Toronto Product Meetup')";
    let in_already: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM checkins WHERE event_id = {door}"))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(in_already, 12, "the door demo has people in already");
    let unpaid: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM orders WHERE status = 'pending' AND payment_provider = 'offline' AND event_id = {door}"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unpaid, 1, "one order is to be paid at the door");
}
