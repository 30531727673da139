//! Password hashing with argon2id, off the async runtime because each hash costs tens of
//! milliseconds and about 19 MiB.
//!
//! At most `CONCURRENT_HASHES` run at once, process-wide: a burst of log-ins or sign-ups
//! waits its turn instead of growing memory without bound.

use crate::platform::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Hashes that may run at the same time (about 19 MiB each).
pub const CONCURRENT_HASHES: usize = 4;

// A process-wide bound on a process-wide resource (memory), like a thread pool; it holds
// no application state.
static HASHING: Semaphore = Semaphore::const_new(CONCURRENT_HASHES);

async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let permit = HASHING.acquire().await.map_err(|e| AppError::internal("password hashing is shut down", e))?;
    // The permit goes with the work: a request dropped mid-hash frees its slot only when the
    // hash is done, so dropped requests cannot stack up hashes.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| AppError::internal("password hashing task failed", e))
}

pub async fn hash(password: String) -> Result<String, AppError> {
    bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await?
    .map_err(|e| AppError::internal("password hashing failed", e))
}

/// A hash no password matches, made once per process, to check unknown e-mails against.
fn unmatchable_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no account has this password", &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Checks `password` against a stored hash. With no stored hash (unknown e-mail) it checks
/// against a hash that matches nothing: the same single hash of work, so response time
/// does not reveal which e-mails have accounts.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    bounded(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| unmatchable_hash().to_owned());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        matches && known
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_own_hash_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await.unwrap());
        assert!(!verify("wrong horse battery".into(), Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_matches() {
        assert!(!verify("no account has this password".into(), None).await.unwrap());
    }
}
