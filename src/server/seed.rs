//! Demo data: a ready-to-use organizer login and organization, so a fresh install has
//! something to look at. Safe to run again: it updates what exists instead of duplicating.

use crate::accounts::{Email, Name, password};
use crate::error::AppError;
use crate::organizations;
use sqlx::PgPool;
use uuid::Uuid;

pub const DEMO_EMAIL: &str = "demo@eventos.dev";
pub const DEMO_PASSWORD: &str = "eventos-demo";
const DEMO_NAME: &str = "Dana Organizer";
const DEMO_ORGANIZATION: &str = "Northern Lights Events";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub organization_id: Uuid,
}

/// Seeds only when the database has no users yet (a fresh install).
pub async fn seed_if_empty(pool: &PgPool) -> Result<Option<DemoLogin>, AppError> {
    if crate::accounts::db::count_users(pool).await? > 0 {
        return Ok(None);
    }
    seed(pool).await.map(Some)
}

/// Creates or refreshes the demo organizer (resetting its password) and its organization.
pub async fn seed(pool: &PgPool) -> Result<DemoLogin, AppError> {
    let email = Email::parse(DEMO_EMAIL).map_err(|e| AppError::internal("demo email", e))?;
    let name = Name::parse(DEMO_NAME, "a name").map_err(|e| AppError::internal("demo name", e))?;
    let organization =
        Name::parse(DEMO_ORGANIZATION, "a name").map_err(|e| AppError::internal("demo organization", e))?;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;

    let mut tx = pool.begin().await?;
    let user_id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, full_name, company, phone)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE SET password_hash = EXCLUDED.password_hash
         RETURNING id",
    )
    .bind(email.as_str())
    .bind(&hash)
    .bind(name.as_str())
    .bind(DEMO_ORGANIZATION)
    .bind("416-555-0142")
    .fetch_one(&mut *tx)
    .await?;
    let organization_id = match organizations::db::primary_membership(&mut *tx, user_id).await? {
        Some(access) => access.organization_id,
        None => organizations::db::create_with_owner(&mut tx, &organization, user_id).await?,
    };
    tx.commit().await?;
    tracing::info!(%user_id, %organization_id, "demo data ready");
    Ok(DemoLogin { email: DEMO_EMAIL, password: DEMO_PASSWORD, organization_id })
}
