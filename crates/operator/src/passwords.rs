//! argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1), run off the async workers with at
//! most one hash per core in flight: each hash holds 19 MiB and a core for ~30 ms.

use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Semaphore;

use crate::error::ApiError;

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    cores: usize,
    /// Working memory kept between verifies while the hasher is saturated (see `verify`).
    spare: Arc<Mutex<Vec<Memory>>>,
}

/// A stored hash asking for more than this is refused rather than honoured: the operator's own
/// hashes use 19 MiB, and a corrupted row must not make a login allocate gigabytes.
const MAX_BLOCKS: usize = 64 * 1024;

/// argon2's working memory for one hash (19 MiB at our parameters), reusable across hashes.
///
/// Allocating it per login costs a busy server about a tenth of its CPU: glibc hands 19 MiB back
/// to the kernel, which must fault in and zero it again the next time, and argon2 zeroes it once
/// more. argon2 overwrites every block it reads, so reuse needs no clearing in between.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, n: usize) -> &mut [Block] {
        if self.0.len() < n {
            self.0.resize(n, Block::default());
        }
        &mut self.0[..n]
    }
}

/// Verifies `password` against a PHC string using `memory`: the same answer as argon2's own
/// `verify_password` (algorithm, version and parameters from the string, constant-time compare).
pub fn verify_in(memory: &mut Memory, password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let Some(out) = out.get_mut(..expected.len()) else {
        return false;
    };
    let blocks = memory.blocks(params.block_count());
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, out, blocks)
        .is_ok()
        && Output::new(out).is_ok_and(|computed| computed == expected)
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

/// Verifies with fresh working memory; for one-off checks. The server uses `Hasher::verify`.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    verify_in(&mut Memory::default(), password, phc)
}

/// A hash nobody's password matches, verified when an account is unknown so that the answer
/// takes as long as for a real account.
static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy() -> &'static str {
    DUMMY.get_or_init(|| hash_blocking("dummy-password").unwrap_or_default())
}

impl Hasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // Built now, not at the first unknown login, which would otherwise do two hashes and
        // take longer than a known one (SEC-3).
        dummy();
        Self {
            permits: Arc::new(Semaphore::new(cores)),
            cores,
            spare: Arc::default(),
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
        let permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let mut memory = self.take_spare();
        let (memory, ok) = tokio::task::spawn_blocking(move || {
            let ok = match phc {
                Some(phc) => verify_in(&mut memory, &password, &phc),
                None => {
                    verify_in(&mut memory, &password, dummy());
                    false
                }
            };
            (memory, ok)
        })
        .await
        .map_err(ApiError::internal)?;
        // Under load (every other permit taken) the next verify reuses this memory; a lone login
        // gives its 19 MiB back, so an idle operator, embedded in the app, holds none. (With one
        // core "every other permit" says nothing about load, so nothing is kept there.)
        // The permit goes back under the lock, so the last verify of a burst always sees the
        // others' permits back and clears what they kept.
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        if self.cores > 1 && self.permits.available_permits() == 0 {
            spare.push(memory);
        } else {
            spare.clear();
        }
        drop(permit);
        drop(spare);
        Ok(ok)
    }

    fn take_spare(&self) -> Memory {
        self.spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// How many working memories are kept for reuse (tests).
    pub fn spare_memories(&self) -> usize {
        self.spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier as _;

    /// SEC-3: the first unknown login must not pay for building the dummy hash (two hashes
    /// where a known login does one), so a server's hasher has it ready when it is made.
    #[test]
    fn sec3_the_dummy_hash_is_ready_before_the_first_unknown_login() {
        let _hasher = Hasher::new();
        let dummy = DUMMY.get().expect("dummy hash built by Hasher::new");
        assert!(PasswordHash::new(dummy).is_ok(), "dummy is a real hash");
    }

    fn reference(password: &str, phc: &str) -> bool {
        PasswordHash::new(phc).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    }

    fn phc(algorithm: Algorithm, version: Version, m: u32, t: u32, out: usize) -> String {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let params = Params::new(m, t, 1, Some(out)).unwrap_or_default();
        Argon2::new(algorithm, version, params)
            .hash_password(b"Anna2026pass", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn reused_memory_answers_as_argon2_itself_for_every_variant() {
        let mut memory = Memory::default();
        let hashes = [
            hash_blocking("Anna2026pass").unwrap_or_default(),
            phc(Algorithm::Argon2id, Version::V0x13, 8, 1, 16),
            phc(Algorithm::Argon2i, Version::V0x10, 64, 3, 64),
            phc(Algorithm::Argon2d, Version::V0x13, 4096, 1, 32),
            hash_blocking("Anna2026pass").unwrap_or_default(),
        ];
        // Big, small, big again: leftovers of one hash must not change the next.
        for h in &hashes {
            for guess in ["Anna2026pass", "Anna2026pasS", "", "Anna2026pass\0"] {
                assert_eq!(
                    verify_in(&mut memory, guess, h),
                    reference(guess, h),
                    "{guess:?} against {h}"
                );
            }
            assert!(verify_in(&mut memory, "Anna2026pass", h), "{h}");
        }
    }

    #[test]
    fn malformed_and_hostile_hashes_are_refused() {
        let good = phc(Algorithm::Argon2id, Version::V0x13, 8, 1, 32);
        let huge = good.replacen("m=8,", "m=4194304,", 1);
        assert_ne!(huge, good);
        let mut memory = Memory::default();
        for bad in [
            String::new(),
            "not a hash".to_string(),
            "$argon2id$v=19$m=8,t=1,p=1$$".to_string(),
            good.replacen("argon2id", "scrypt", 1),
            good.replacen("v=19", "v=7", 1),
            good.replacen("t=1", "t=0", 1),
            good.rsplit_once('$')
                .map(|(head, _)| head.to_string())
                .unwrap_or_default(),
            format!("{good}{}", "A".repeat(10_000)),
            huge,
        ] {
            assert!(!verify_in(&mut memory, "Anna2026pass", &bad), "{bad:.80}");
        }
        // Refusing a huge one did not allocate for it.
        assert!(memory.0.len() <= 8);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_is_kept_only_while_every_core_is_busy() {
        let hasher = Hasher::new();
        let hash = hash_blocking("Anna2026pass").unwrap_or_default();
        assert!(
            hasher
                .verify("Anna2026pass".into(), Some(hash.clone()))
                .await
                .unwrap_or(false)
        );
        assert!(
            !hasher
                .verify("wrong".into(), Some(hash.clone()))
                .await
                .unwrap_or(true)
        );
        assert!(
            !hasher
                .verify("Anna2026pass".into(), None)
                .await
                .unwrap_or(true)
        );
        assert_eq!(hasher.spare_memories(), 0, "a lone login keeps no memory");
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut set = tokio::task::JoinSet::new();
        for i in 0..(cores * 4) {
            let (hasher, hash) = (hasher.clone(), hash.clone());
            set.spawn(async move {
                let guess = if i % 2 == 0 { "Anna2026pass" } else { "wrong" };
                (i, hasher.verify(guess.into(), Some(hash)).await.ok())
            });
        }
        while let Some(Ok((i, ok))) = set.join_next().await {
            assert_eq!(ok, Some(i % 2 == 0), "verify {i}");
            assert!(hasher.spare_memories() <= cores);
        }
        assert_eq!(
            hasher.spare_memories(),
            0,
            "given back once the load is over"
        );
    }
}
