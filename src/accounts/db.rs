//! SQL for users. Small named queries; callers own the transaction.

use crate::accounts::{LinkPurpose, Profile};
use crate::platform::text::{Email, Name};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug)]
pub struct Credentials {
    pub id: Uuid,
    pub password_hash: String,
    /// `false` until the address is confirmed through the link sent at sign-up.
    pub confirmed: bool,
}

#[derive(Debug)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
}

impl From<UserRow> for Profile {
    fn from(row: UserRow) -> Self {
        Profile {
            email: row.email,
            full_name: row.full_name,
            company: row.company,
            phone: row.phone,
            avatar_url: row.avatar_url,
        }
    }
}

pub async fn insert_user(
    conn: &mut PgConnection,
    email: &Email,
    password_hash: &str,
    full_name: &Name,
    confirmed: bool,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash, full_name, email_confirmed_at)
         VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END) RETURNING id",
        email.as_str(),
        password_hash,
        full_name.as_str(),
        confirmed,
    )
    .fetch_one(conn)
    .await
}

pub async fn credentials_by_email(db: impl PgExecutor<'_>, email: &Email) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(
        Credentials,
        r#"SELECT id, password_hash, email_confirmed_at IS NOT NULL AS "confirmed!" FROM users WHERE email = $1"#,
        email.as_str()
    )
    .fetch_optional(db)
    .await
}

pub async fn user_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(UserRow, "SELECT id, email, full_name, company, phone, avatar_url FROM users WHERE id = $1", id)
        .fetch_optional(db)
        .await
}

pub async fn update_profile(
    db: impl PgExecutor<'_>,
    id: Uuid,
    full_name: &Name,
    company: Option<&str>,
    phone: Option<&str>,
    avatar_url: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE users SET full_name = $2, company = $3, phone = $4, avatar_url = $5 WHERE id = $1",
        id,
        full_name.as_str(),
        company,
        phone,
        avatar_url,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn set_password_hash(db: impl PgExecutor<'_>, id: Uuid, password_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET password_hash = $2 WHERE id = $1", id, password_hash).execute(db).await?;
    Ok(())
}

pub async fn count_users(db: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#).fetch_one(db).await
}

/// Stores a single-use link's hash for `user_id`, good until `expires_at`.
pub async fn insert_link(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: LinkPurpose,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO account_links (user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4)",
        user_id,
        purpose.as_str(),
        token_hash,
        expires_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a link could be used now (unused, unexpired, for this purpose).
pub async fn link_is_usable(
    db: impl PgExecutor<'_>,
    purpose: LinkPurpose,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM account_links
                           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now())
               AS "usable!""#,
        token_hash,
        purpose.as_str(),
    )
    .fetch_one(db)
    .await
}

/// Uses a link: marks it used if it is unused and unexpired, in one statement, so two uses
/// at once cannot both succeed, and retires the user's other unused links of the same
/// purpose with it. Returns whose link it was.
pub async fn use_link(
    conn: &mut PgConnection,
    purpose: LinkPurpose,
    token_hash: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let user_id = sqlx::query_scalar!(
        "UPDATE account_links SET used_at = now()
          WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id",
        token_hash,
        purpose.as_str(),
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(user_id) = user_id {
        sqlx::query!(
            "UPDATE account_links SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
            user_id,
            purpose.as_str(),
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(user_id)
}

/// A user's stored password hash.
pub async fn password_hash_of(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id).fetch_optional(db).await
}

/// Marks a user's address as confirmed (by the sign-up link, or by a password reset, which
/// proves the same).
pub async fn confirm_email(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1", user_id)
        .execute(db)
        .await?;
    Ok(())
}
