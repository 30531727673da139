//! Rate limits kept in PostgreSQL, so every app instance shares them, and purged as they age.
//!
//! Two kinds: a fixed-window count of requests (`hit`: "20 look-ups per address per 15
//! minutes"), and a throttle on failures that blocks for longer after each one past a free
//! allowance (`Throttle`: wrong passwords). Keys are `"<limit name>:<subject>"`.

use crate::platform::error::AppError;
use crate::platform::secrets::token_hash;
use sqlx::PgPool;
use std::time::Duration;

/// At most `max` requests per `window` for one subject (an address, an e-mail).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: Duration,
}

/// The stored key of a limit and its subject: trimmed and lower-cased, and hashed when long
/// (a subject comes from a request; it must not make keys of any size).
fn key(name: &str, subject: &str) -> String {
    let subject = subject.trim().to_lowercase();
    if subject.len() > 100 { format!("{name}:#{}", token_hash(&subject)) } else { format!("{name}:{subject}") }
}

/// Counts a request of `subject` against `limit`; `RateLimited` (with the seconds until the
/// window ends) once more than `max` fall in one window.
pub async fn hit(pool: &PgPool, limit: Limit, subject: &str) -> Result<(), AppError> {
    hit_n(pool, limit, subject, 1).await
}

/// Counts `n` units (tickets, recipients) of `subject` against `limit` at once.
pub async fn hit_n(pool: &PgPool, limit: Limit, subject: &str, n: i32) -> Result<(), AppError> {
    let key = key(limit.name, subject);
    let counted = sqlx::query!(
        r#"INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, now(), $3)
           ON CONFLICT (key) DO UPDATE SET
               hits = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2) THEN $3
                           ELSE rate_limits.hits + $3 END,
               window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2) THEN now()
                                   ELSE rate_limits.window_start END
           RETURNING hits,
                     ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::bigint
                         AS "seconds_left!""#,
        key,
        limit.window.as_secs_f64(),
        n,
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

/// Attempts that may fail (passwords) of one subject: the first `free` in a window are
/// judged; each one after that is refused and blocks the subject for twice as long as the
/// one before, from `first_block` up to `longest_block`. A success clears the count.
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
        key(self.name, subject)
    }

    /// How long the `attempts`-th attempt in a window blocks the subject.
    pub fn block_after(&self, attempts: i32) -> Duration {
        if attempts <= self.free {
            return Duration::ZERO;
        }
        let doublings = (attempts - self.free - 1).clamp(0, 20) as u32;
        self.first_block.saturating_mul(1 << doublings).min(self.longest_block)
    }

    /// Counts an attempt before it is judged, so attempts sent in parallel cannot all slip
    /// through before the first failure is written: `RateLimited` while the subject is
    /// blocked, or when this attempt is past the free ones (it then starts a block). The
    /// caller clears the count when the attempt succeeds.
    pub async fn attempt(&self, pool: &PgPool, subject: &str) -> Result<(), AppError> {
        let key = self.key(subject);
        let blocked = sqlx::query_scalar!(
            r#"SELECT ceil(extract(epoch FROM blocked_until - now()))::bigint AS "seconds_left!"
                 FROM throttles WHERE key = $1 AND blocked_until > now()"#,
            key,
        )
        .fetch_optional(pool)
        .await?;
        if let Some(seconds) = blocked {
            return Err(AppError::RateLimited { retry_after_secs: seconds.max(1) });
        }
        let attempts = sqlx::query_scalar!(
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
        let block = self.block_after(attempts);
        if block.is_zero() {
            return Ok(());
        }
        sqlx::query!(
            "UPDATE throttles SET blocked_until = now() + make_interval(secs => $2) WHERE key = $1",
            key,
            block.as_secs_f64(),
        )
        .execute(pool)
        .await?;
        tracing::warn!(%key, attempts, blocked_secs = block.as_secs(), "throttled after repeated failures");
        Err(AppError::RateLimited { retry_after_secs: block.as_secs().max(1) as i64 })
    }

    /// `RateLimited` while the subject is blocked (for counts that record only failures).
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

    /// Records a failure judged after the fact, blocking the subject once it has earned it.
    pub async fn fail(&self, pool: &PgPool, subject: &str) -> Result<(), AppError> {
        match self.attempt(pool, subject).await {
            Err(AppError::RateLimited { .. }) | Ok(()) => Ok(()),
            Err(other) => Err(other),
        }
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

    #[test]
    fn keys_ignore_case_and_space_and_stay_short() {
        assert_eq!(key("login", " Ada@Example.com "), "login:ada@example.com");
        assert!(key("login", &"x".repeat(5000)).len() < 80);
    }
}
