//! Password hashing with argon2id, off the async runtime because each hash costs tens of milliseconds.

use crate::platform::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::internal("password hashing task failed", e))?
    .map_err(|e| AppError::internal("password hashing failed", e))
}

/// Checks `password` against a stored hash. With no stored hash (unknown e-mail) it still
/// does the same work, so response time does not reveal which e-mails have accounts.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let dummy;
        let stored = match stored.as_deref() {
            Some(stored) => stored,
            None => {
                dummy = Argon2::default()
                    .hash_password(b"no account has this password", &SaltString::generate(&mut OsRng))
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                &dummy
            }
        };
        let matches = PasswordHash::new(stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        matches && !stored.is_empty()
    })
    .await
    .map_err(|e| AppError::internal("password verification task failed", e))
}
