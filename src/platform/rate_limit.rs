//! Rate limits kept in PostgreSQL, so every app instance shares them, and purged as they age.
//!
//! Two kinds: a fixed-window count of requests (`hit`: "20 look-ups per address per 15
//! minutes"), and a throttle on failures that blocks for longer after each one past a free
//! allowance (`Throttle`: wrong passwords). Keys are `"<limit name>:<subject>"`.

use crate::platform::error::AppError;
use sqlx::PgPool;
use std::time::Duration;

/// At most `max` requests per `window` for one subject (an address, an e-mail).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: Duration,
}

/// Counts a request of `subject` against `limit`; `RateLimited` (with the seconds until the
/// window ends) once more than `max` fall in one window.
pub async fn hit(pool: &PgPool, limit: Limit, subject: &str) -> Result<(), AppError> {
    let key = format!("{}:{}", limit.name, subject.trim().to_lowercase());
    let counted = sqlx::query!(
        r#"INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, now(), 1)
           ON CONFLICT (key) DO UPDATE SET
               hits = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2) THEN 1
                           ELSE rate_limits.hits + 1 END,
               window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2) THEN now()
                                   ELSE rate_limits.window_start END
           RETURNING hits,
                     ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::bigint
                         AS "seconds_left!""#,
        key,
        limit.window.as_secs_f64(),
    )
    .fetch_one(pool)
    .await?;
    if counted.hits > limit.max {
        tracing::warn!(%key, hits = counted.hits, "rate limit reached");
        Err(AppError::RateLimited { retry_after_secs: counted.seconds_left.max(1) })
    } else {
        Ok(())
    }
}

/// Failures (wrong passwords) of one subject: the first `free` in a window cost nothing,
/// each one after that blocks the subject for twice as long as the one before, from
/// `first_block` up to `longest_block`.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub name: &'static str,
    pub free: i32,
    pub window: Duration,
    pub first_block: Duration,
    pub longest_block: Duration,
}

impl Throttle {
    fn key(&self, subject: &str) -> String {
        format!("{}:{}", self.name, subject.trim().to_lowercase())
    }

    /// How long the `failures`-th failure blocks the subject.
    pub fn block_after(&self, failures: i32) -> Duration {
        if failures <= self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free - 1).clamp(0, 20) as u32;
        self.first_block.saturating_mul(1 << doublings).min(self.longest_block)
    }

    /// `RateLimited` while the subject is blocked.
    pub async fn check(&self, pool: &PgPool, subject: &str) -> Result<(), AppError> {
        let seconds_left = sqlx::query_scalar!(
            r#"SELECT ceil(extract(epoch FROM blocked_until - now()))::bigint AS "seconds_left!"
                 FROM throttles WHERE key = $1 AND blocked_until > now()"#,
            self.key(subject),
        )
        .fetch_optional(pool)
        .await?;
        match seconds_left {
            Some(seconds) => Err(AppError::RateLimited { retry_after_secs: seconds.max(1) }),
            None => Ok(()),
        }
    }

    /// Records a failure and blocks the subject for as long as it has earned.
    pub async fn fail(&self, pool: &PgPool, subject: &str) -> Result<(), AppError> {
        let key = self.key(subject);
        let failures = sqlx::query_scalar!(
            "INSERT INTO throttles (key, window_start, failures) VALUES ($1, now(), 1)
             ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN throttles.window_start <= now() - make_interval(secs => $2) THEN 1
                                 ELSE throttles.failures + 1 END,
                 window_start = CASE WHEN throttles.window_start <= now() - make_interval(secs => $2) THEN now()
                                     ELSE throttles.window_start END
             RETURNING failures",
            key,
            self.window.as_secs_f64(),
        )
        .fetch_one(pool)
        .await?;
        let block = self.block_after(failures);
        if !block.is_zero() {
            sqlx::query!(
                "UPDATE throttles SET blocked_until = now() + make_interval(secs => $2) WHERE key = $1",
                key,
                block.as_secs_f64(),
            )
            .execute(pool)
            .await?;
            tracing::warn!(%key, failures, blocked_secs = block.as_secs(), "throttled after repeated failures");
        }
        Ok(())
    }

    /// Forgets the subject's failures (after a success).
    pub async fn clear(&self, pool: &PgPool, subject: &str) -> Result<(), AppError> {
        sqlx::query!("DELETE FROM throttles WHERE key = $1", self.key(subject)).execute(pool).await?;
        Ok(())
    }
}

/// Deletes counts whose window ended and throttles that block nobody any more; returns how
/// many rows went. Limits never depend on it: an old window restarts on the next hit.
pub async fn purge(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let limits = sqlx::query!("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
        .execute(pool)
        .await?
        .rows_affected();
    let throttles = sqlx::query!(
        "DELETE FROM throttles WHERE window_start < now() - interval '1 day'
            AND (blocked_until IS NULL OR blocked_until < now())"
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(limits + throttles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_start_after_the_free_failures_and_double_up_to_the_cap() {
        let throttle = Throttle {
            name: "t",
            free: 5,
            window: Duration::from_secs(900),
            first_block: Duration::from_secs(30),
            longest_block: Duration::from_secs(900),
        };
        assert_eq!(throttle.block_after(5), Duration::ZERO);
        assert_eq!(throttle.block_after(6), Duration::from_secs(30));
        assert_eq!(throttle.block_after(7), Duration::from_secs(60));
        assert_eq!(throttle.block_after(9), Duration::from_secs(240));
        assert_eq!(throttle.block_after(30), Duration::from_secs(900));
    }
}
