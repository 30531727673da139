//! Account operations as plain async functions: the server functions call them, and so
//! will anything else that acts for a user (the assistant, the seed, tests).

use crate::accounts::{CurrentUser, LinkPurpose, NewPassword, Profile, db, limits, password};
use crate::mail::MailKind;
use crate::mail::db as mail_db;
use crate::organizations;
use crate::platform::error::{AppError, FieldErrors, is_violation};
use crate::platform::secrets::{random_token, token_hash};
use crate::platform::session_store::end_sessions_of_user;
use crate::platform::text::{Email, Name};
use chrono::Utc;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUp {
    pub user_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub email: Email,
}

/// Signs up through the site. Whatever the address, the answer is the same "check your
/// inbox", so the form tells nobody which addresses have accounts: a new account gets a link
/// that confirms its address (nobody logs in before that); an address with an unconfirmed
/// account gets a fresh link; a confirmed one's owner hears that someone tried.
#[tracing::instrument(skip_all)]
pub async fn register(pool: &PgPool, form: SignUpForm) -> Result<(), AppError> {
    let (user_id, email) = match create_account(pool, form, false).await? {
        Ok(signed_up) => (signed_up.user_id, signed_up.email),
        Err(AddressTaken(email)) => {
            let Some(existing) = db::credentials_by_email(pool, &email).await? else { return Err(AppError::Internal) };
            if existing.confirmed {
                let mut tx = pool.begin().await?;
                mail_db::enqueue(&mut tx, None, MailKind::SignupAttempt, email.as_str(), serde_json::json!({})).await?;
                tx.commit().await?;
                tracing::info!("sign-up attempted with an address that has an account; its owner was told");
                return Ok(());
            }
            (existing.id, email)
        }
    };
    let token = random_token(32);
    let mut tx = pool.begin().await?;
    let expires_at = Utc::now() + CONFIRM_LINK_LIFETIME;
    db::insert_link(&mut tx, user_id, LinkPurpose::EmailConfirmation, &token_hash(&token), expires_at).await?;
    mail_db::enqueue(&mut tx, None, MailKind::ConfirmEmail, email.as_str(), serde_json::json!({ "token": token }))
        .await?;
    tx.commit().await?;
    tracing::info!(%user_id, "address confirmation link sent");
    Ok(())
}

/// How long the link that confirms a new account's address works.
pub const CONFIRM_LINK_LIFETIME: chrono::Duration = chrono::Duration::hours(24);

/// Confirms an address through its link, once. Returns the user, whom the caller logs in.
#[tracing::instrument(skip_all)]
pub async fn confirm_email(pool: &PgPool, token: &str) -> Result<Uuid, AppError> {
    let mut tx = pool.begin().await?;
    let Some(user_id) = db::use_link(&mut tx, LinkPurpose::EmailConfirmation, &token_hash(token.trim())).await? else {
        return Err(AppError::field(
            "form",
            "This link has expired or was already used. Log in, or sign up again to get a new link.",
        ));
    };
    db::confirm_email(&mut *tx, user_id).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "address confirmed");
    Ok(user_id)
}

/// Creates an account whose address the caller vouches for (the demo seed, tools, tests),
/// confirmed at once. An address that has an account is a field error here; the site's
/// sign-up goes through `register`.
pub async fn sign_up(pool: &PgPool, form: SignUpForm) -> Result<SignedUp, AppError> {
    create_account(pool, form, true)
        .await?
        .map_err(|_| AppError::field("email", "An account with this email already exists. Log in instead."))
}

struct AddressTaken(Email);

#[tracing::instrument(skip_all)]
async fn create_account(
    pool: &PgPool,
    form: SignUpForm,
    confirmed: bool,
) -> Result<Result<SignedUp, AddressTaken>, AppError> {
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
    let user_id = match db::insert_user(&mut tx, &email, &password_hash, &full_name, confirmed).await {
        Ok(user_id) => user_id,
        Err(error) if is_violation(&error, "users_email_key") => return Ok(Err(AddressTaken(email))),
        Err(error) => return Err(error.into()),
    };
    let organization_id = match organization_name {
        Some(name) => Some(organizations::db::create_with_owner(&mut tx, &name, user_id).await?),
        None => None,
    };
    tx.commit().await?;
    tracing::info!(%user_id, ?organization_id, "account created");
    Ok(Ok(SignedUp { user_id, organization_id, email }))
}

/// How long a password reset link works.
pub const RESET_LINK_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// E-mails a single-use reset link to the address if it has an account; the answer is the
/// same either way.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(pool: &PgPool, email: &str) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    let Some(credentials) = db::credentials_by_email(pool, &email).await? else { return Ok(()) };
    let token = random_token(32);
    let mut tx = pool.begin().await?;
    let expires_at = Utc::now() + RESET_LINK_LIFETIME;
    db::insert_link(&mut tx, credentials.id, LinkPurpose::PasswordReset, &token_hash(&token), expires_at).await?;
    let payload = serde_json::json!({ "token": token });
    mail_db::enqueue(&mut tx, None, MailKind::PasswordReset, email.as_str(), payload).await?;
    tx.commit().await?;
    tracing::info!(user_id = %credentials.id, "password reset link sent");
    Ok(())
}

/// Sets a new password through a reset link, which works once, and ends every session the
/// user had. Returns the user, whom the caller logs in.
#[tracing::instrument(skip_all)]
pub async fn reset_password(pool: &PgPool, token: &str, new_password: &str) -> Result<Uuid, AppError> {
    let password = NewPassword::parse(new_password).map_err(|m| AppError::field("password", m))?;
    let unusable =
        || AppError::field("form", "This reset link has expired or was already used. Ask for a new one below.");
    let hash = token_hash(token.trim());
    // The link is checked before the costly hash, so a made-up token costs one lookup.
    if !db::link_is_usable(pool, LinkPurpose::PasswordReset, &hash).await? {
        return Err(unusable());
    }
    let password_hash = password::hash(password.expose().to_owned()).await?;
    let mut tx = pool.begin().await?;
    let Some(user_id) = db::use_link(&mut tx, LinkPurpose::PasswordReset, &hash).await? else { return Err(unusable()) };
    db::set_password_hash(&mut *tx, user_id, &password_hash).await?;
    // The link reached the address, which confirms it as well.
    db::confirm_email(&mut *tx, user_id).await?;
    tx.commit().await?;
    let ended = end_sessions_of_user(pool, user_id, None).await?;
    limits::LOGIN_PER_ACCOUNT.clear(pool, &user_email(pool, user_id).await?).await?;
    tracing::info!(%user_id, sessions_ended = ended, "password reset");
    Ok(user_id)
}

/// Changes the logged-in user's password after checking the current one, and ends their
/// other sessions (`keep_session` stays logged in).
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn change_password(
    pool: &PgPool,
    user_id: Uuid,
    current: &str,
    new_password: &str,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if current.is_empty() {
        errors.add("current_password", "Enter your current password.");
    }
    let password = errors.check("new_password", NewPassword::parse(new_password));
    errors.into_result()?;
    let Some(password) = password else { return Err(AppError::Internal) };
    let email = user_email(pool, user_id).await?;
    limits::LOGIN_PER_ACCOUNT.attempt(pool, &email).await?;
    let stored = db::password_hash_of(pool, user_id).await?.ok_or(AppError::NotFound)?;
    if !password::verify(current.to_owned(), Some(stored)).await? {
        return Err(AppError::field("current_password", "That is not your current password."));
    }
    limits::LOGIN_PER_ACCOUNT.clear(pool, &email).await?;
    let password_hash = password::hash(password.expose().to_owned()).await?;
    db::set_password_hash(pool, user_id, &password_hash).await?;
    let ended = end_sessions_of_user(pool, user_id, keep_session).await?;
    tracing::info!(sessions_ended = ended, "password changed");
    Ok(())
}

async fn user_email(pool: &PgPool, user_id: Uuid) -> Result<String, AppError> {
    Ok(db::user_by_id(pool, user_id).await?.ok_or(AppError::NotFound)?.email)
}

/// The user whose e-mail and password match; one message for every kind of mismatch so
/// the answer never reveals whether an e-mail has an account. Wrong passwords are counted
/// per account and per `client` address and earn a growing block (`limits`); a correct one
/// clears the account's count.
#[tracing::instrument(skip_all)]
pub async fn authenticate(pool: &PgPool, email: &str, password: &str, client: &str) -> Result<Uuid, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    if password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    errors.into_result()?;
    let Some(email) = email else { return Err(AppError::Internal) };
    limits::LOGIN_PER_ADDRESS.check(pool, client).await?;
    // Counted before the password is checked, so guesses sent in parallel cannot all be
    // judged before the first failure is written.
    limits::LOGIN_PER_ACCOUNT.attempt(pool, email.as_str()).await?;

    let credentials = db::credentials_by_email(pool, &email).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let matches = password::verify(password.to_owned(), stored).await?;
    match credentials {
        Some(credentials) if matches && !credentials.confirmed => Err(AppError::field(
            "form",
            "Confirm your e-mail address first, with the link we sent when you signed up. No e-mail? Sign up again for a new link.",
        )),
        Some(credentials) if matches => {
            limits::LOGIN_PER_ACCOUNT.clear(pool, email.as_str()).await?;
            Ok(credentials.id)
        }
        _ => {
            limits::LOGIN_PER_ADDRESS.fail(pool, client).await?;
            Err(AppError::field("form", "That email and password do not match an account."))
        }
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
