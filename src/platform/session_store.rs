//! Where sessions live: the `sessions` table. The cookie holds only the session id; the row
//! holds the session's data, the user it is logged in as (so all of a user's sessions can be
//! found and ended at once) and when it expires.

use crate::platform::session::USER_ID;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        PgSessionStore { pool }
    }
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn to_chrono(time: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(time.unix_timestamp(), time.nanosecond()).unwrap_or_else(Utc::now)
}

fn to_time(time: DateTime<Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(time.timestamp()).unwrap_or_else(|_| OffsetDateTime::now_utc())
}

fn user_of(record: &Record) -> Option<Uuid> {
    record.data.get(USER_ID).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// Writes the record unless its id is taken; `false` when it is.
async fn insert_new(pool: &PgPool, record: &Record) -> Result<bool, session_store::Error> {
    let data = serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let inserted = sqlx::query!(
        "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        record.id.to_string(),
        user_of(record),
        data,
        to_chrono(record.expiry_date),
    )
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(inserted.rows_affected() == 1)
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !insert_new(&self.pool, record).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query!(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, data = EXCLUDED.data,
                                            expires_at = EXCLUDED.expires_at",
            record.id.to_string(),
            user_of(record),
            data,
            to_chrono(record.expiry_date),
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row =
            sqlx::query!("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > now()", id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_value(row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date: to_time(row.expires_at) }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE id = $1", id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl PgSessionStore {
    /// Deletes sessions past their expiry; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()").execute(&self.pool).await?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_times_survive_the_trip_between_time_libraries() {
        let expiry = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(to_time(to_chrono(expiry)), expiry);
    }
}
