//! Password hashing: Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), the `argon2`
//! crate's defaults, in PHC strings that carry their parameters and salt.
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory, so it runs on the blocking
//! pool, at most [`CONCURRENT_HASHES`] at a time: a burst of sign-ins queues instead of
//! starving the request threads or the memory budget.

use std::sync::{Arc, LazyLock};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::domain::Password;

/// Hashes computed at once; about one per core.
pub const CONCURRENT_HASHES: usize = 2;

static HASHING: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(CONCURRENT_HASHES)));

/// A hash of a password nobody has, verified against when an address has no account (or no
/// password), so that "no such user" costs what "wrong password" costs.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no account has this password; it only makes time equal")
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The PHC string to store for `password`.
pub async fn hash(password: &Password) -> Result<String, HashError> {
    let password = password.expose().to_owned();
    run_limited(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|error| HashError(error.to_string()))
    })
    .await?
}

/// Whether `password` matches `stored`. Without a stored hash the dummy is verified instead,
/// and the answer is `false` after the same work.
pub async fn verify(password: &str, stored: Option<&str>) -> Result<bool, HashError> {
    let password = password.to_owned();
    let (stored, real) = match stored {
        Some(stored) => (stored.to_owned(), true),
        None => (DUMMY_HASH.clone(), false),
    };
    run_limited(move || {
        let Ok(hash) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok();
        matches && real
    })
    .await
}

async fn run_limited<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|error| HashError(error.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| HashError(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password_and_unknown_accounts_never_match() {
        let password = Password::parse("correct horse battery staple").unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify(password.expose(), Some(&stored)).await.unwrap());
        assert!(
            !verify("correct horse battery stapler", Some(&stored))
                .await
                .unwrap()
        );
        assert!(!verify(password.expose(), None).await.unwrap());
        assert!(!verify(password.expose(), Some("not a hash")).await.unwrap());
    }
}
