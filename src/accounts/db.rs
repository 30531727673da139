//! SQL for users. Small named queries; callers own the transaction.

use crate::accounts::Profile;
use crate::platform::text::{Email, Name};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug)]
pub struct Credentials {
    pub id: Uuid,
    pub password_hash: String,
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
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash, full_name) VALUES ($1, $2, $3) RETURNING id",
        email.as_str(),
        password_hash,
        full_name.as_str(),
    )
    .fetch_one(conn)
    .await
}

pub async fn credentials_by_email(db: impl PgExecutor<'_>, email: &Email) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(Credentials, "SELECT id, password_hash FROM users WHERE email = $1", email.as_str())
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
