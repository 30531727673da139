//! Where sessions live: the `sessions` table. The cookie holds only the session id; the row
//! holds the session's data, the user it is logged in as (so all of a user's sessions can be
//! found and ended at once) and when it expires. Besides the idle expiry the session layer
//! keeps, a session ends `lifetime` after it was created (at log-in, which makes a new id).

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
    lifetime: std::time::Duration,
}

impl PgSessionStore {
    pub fn new(pool: PgPool, lifetime: std::time::Duration) -> Self {
        PgSessionStore { pool, lifetime }
    }
}

/// Ends every session of `user_id` except `keep` (the caller's own, when it stays).
pub async fn end_sessions_of_user(pool: &PgPool, user_id: Uuid, keep: Option<&str>) -> Result<u64, sqlx::Error> {
    let ended =
        sqlx::query!("DELETE FROM sessions WHERE user_id = $1 AND ($2::text IS NULL OR id <> $2)", user_id, keep,)
            .execute(pool)
            .await?;
    Ok(ended.rows_affected())
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn to_chrono(time: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(time.unix_timestamp(), time.nanosecond()).unwrap_or_else(Utc::now)
}

fn to_time(time: DateTime<Utc>) -> OffsetDateTime {
    let nanos =
        time.timestamp_nanos_opt().map(i128::from).unwrap_or_else(|| i128::from(time.timestamp()) * 1_000_000_000);
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or_else(|_| OffsetDateTime::now_utc())
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

    /// Updates a session that exists. A session deleted meanwhile (logged out, or ended by a
    /// password change elsewhere) stays deleted: a request still in flight cannot bring it
    /// back. New sessions go through `create`.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query!(
            "UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id = $1",
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
        let row = sqlx::query!(
            "SELECT data, expires_at FROM sessions
              WHERE id = $1 AND expires_at > now() AND created_at > now() - make_interval(secs => $2)",
            id.to_string(),
            self.lifetime.as_secs_f64(),
        )
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
        let deleted = sqlx::query!(
            "DELETE FROM sessions WHERE expires_at <= now() OR created_at <= now() - make_interval(secs => $1)",
            self.lifetime.as_secs_f64(),
        )
        .execute(&self.pool)
        .await?;
        Ok(deleted.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_times_survive_the_trip_between_time_libraries() {
        let expiry = OffsetDateTime::from_unix_timestamp_nanos(1_800_000_000_123_456_789).unwrap();
        assert_eq!(to_time(to_chrono(expiry)), expiry);
    }
}
