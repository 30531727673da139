//! Fixed-window rate limits kept in PostgreSQL, so every app instance shares them.

use crate::platform::error::AppError;
use sqlx::PgPool;
use std::time::Duration;

/// Counts a hit on `key`; `RateLimited` once more than `limit` hits fall in one window.
pub async fn hit(pool: &PgPool, key: &str, limit: i32, window: Duration) -> Result<(), AppError> {
    let hits: i32 = sqlx::query_scalar!(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2) THEN 1
                         ELSE rate_limits.hits + 1 END,
             window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2) THEN now()
                                 ELSE rate_limits.window_start END
         RETURNING hits",
        key,
        window.as_secs_f64(),
    )
    .fetch_one(pool)
    .await?;
    if hits > limit {
        tracing::warn!(%key, hits, "rate limit reached");
        Err(AppError::RateLimited)
    } else {
        Ok(())
    }
}
