//! Account operations as plain async functions: the server functions call them, and so
//! will anything else that acts for a user (the assistant, the seed, tests).

use crate::accounts::{CurrentUser, NewPassword, Profile, db, password};
use crate::organizations;
use crate::platform::error::{AppError, FieldErrors, on_constraint};
use crate::platform::text::{Email, Name};
use sqlx::PgPool;
use uuid::Uuid;

/// A sign-up form as typed by the user.
#[derive(Debug, Clone, Default)]
pub struct SignUpForm {
    pub full_name: String,
    pub email: String,
    pub password: String,
    /// Set when the person signs up to organize events; they then get an organization.
    pub organization_name: Option<String>,
    pub organizer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedUp {
    pub user_id: Uuid,
    pub organization_id: Option<Uuid>,
}

/// Creates the account (and, for organizers, their organization with them as owner) in one
/// transaction: either everything is written or nothing is.
#[tracing::instrument(skip_all)]
pub async fn sign_up(pool: &PgPool, form: SignUpForm) -> Result<SignedUp, AppError> {
    let mut errors = FieldErrors::new();
    let full_name = errors.check("full_name", Name::parse(&form.full_name, "your full name"));
    let email = errors.check("email", Email::parse(&form.email));
    let password = errors.check("password", NewPassword::parse(&form.password));
    let organization_name = if form.organizer {
        errors.check(
            "organization_name",
            Name::parse(form.organization_name.as_deref().unwrap_or_default(), "your organization's name"),
        )
    } else {
        None
    };
    errors.into_result()?;
    let (Some(full_name), Some(email), Some(password)) = (full_name, email, password) else {
        return Err(AppError::Internal);
    };

    let password_hash = password::hash(password.expose().to_owned()).await?;

    let mut tx = pool.begin().await?;
    let user_id = db::insert_user(&mut tx, &email, &password_hash, &full_name).await.map_err(|e| {
        on_constraint(
            e,
            "users_email_key",
            AppError::field("email", "An account with this email already exists. Log in instead."),
        )
    })?;
    let organization_id = match organization_name {
        Some(name) => Some(organizations::db::create_with_owner(&mut tx, &name, user_id).await?),
        None => None,
    };
    tx.commit().await?;
    tracing::info!(%user_id, ?organization_id, "account created");
    Ok(SignedUp { user_id, organization_id })
}

/// The user whose e-mail and password match; one message for every kind of mismatch so
/// the answer never reveals whether an e-mail has an account.
#[tracing::instrument(skip_all)]
pub async fn authenticate(pool: &PgPool, email: &str, password: &str) -> Result<Uuid, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    if password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    errors.into_result()?;
    let Some(email) = email else { return Err(AppError::Internal) };

    let credentials = db::credentials_by_email(pool, &email).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let matches = password::verify(password.to_owned(), stored).await?;
    match credentials {
        Some(credentials) if matches => Ok(credentials.id),
        _ => Err(AppError::field("form", "That email and password do not match an account.")),
    }
}

/// The signed-in user with the organization their dashboard works on.
pub async fn current_user(pool: &PgPool, user_id: Uuid) -> Result<Option<CurrentUser>, AppError> {
    let Some(user) = db::user_by_id(pool, user_id).await? else { return Ok(None) };
    let organization = organizations::db::primary_membership(pool, user_id).await?;
    Ok(Some(CurrentUser { id: user.id, email: user.email, full_name: user.full_name, organization }))
}

pub async fn profile(pool: &PgPool, user_id: Uuid) -> Result<Profile, AppError> {
    db::user_by_id(pool, user_id).await?.map(Profile::from).ok_or(AppError::NotFound)
}

/// The profile form as typed by the user.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub full_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
}

#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn update_profile(pool: &PgPool, user_id: Uuid, form: ProfileForm) -> Result<Profile, AppError> {
    let mut errors = FieldErrors::new();
    let full_name = errors.check("full_name", Name::parse(&form.full_name, "your full name"));
    let company = errors.check("company", crate::accounts::parse_company(form.company.as_deref()));
    let phone = errors.check("phone", crate::platform::text::parse_phone(form.phone.as_deref()));
    let avatar_url = errors.check("avatar_url", crate::accounts::parse_avatar_url(form.avatar_url.as_deref()));
    errors.into_result()?;
    let (Some(full_name), Some(company), Some(phone), Some(avatar_url)) = (full_name, company, phone, avatar_url)
    else {
        return Err(AppError::Internal);
    };
    if !db::update_profile(pool, user_id, &full_name, company.as_deref(), phone.as_deref(), avatar_url.as_deref())
        .await?
    {
        return Err(AppError::NotFound);
    }
    profile(pool, user_id).await
}
