//! argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1), run off the async workers with at
//! most one hash per core in flight: each hash holds 19 MiB and a core for ~30 ms.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::error::ApiError;

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

fn argon2() -> Argon2<'static> {
    // Params::new only fails for out-of-range values; these are the crate's documented defaults.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes synchronously; for seeding and tests, where there is no runtime to protect.
pub fn hash_blocking(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

pub fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash nobody's password matches, verified when an account is unknown so that the answer
/// takes as long as for a real account.
static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

impl Hasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(ApiError::internal)?
    }

    /// Verifies against `phc`, or against a dummy hash when there is none.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || match phc {
            Some(phc) => verify_blocking(&password, &phc),
            None => {
                let dummy =
                    DUMMY.get_or_init(|| hash_blocking("dummy-password").unwrap_or_default());
                verify_blocking(&password, dummy);
                false
            }
        })
        .await
        .map_err(ApiError::internal)
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}
