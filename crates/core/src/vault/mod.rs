//! The token vault: refresh tokens of remembered accounts in the OS keyring (AUTH-6), through
//! keyring-core's `Entry` API and the platform's store crate.
//!
//! When no secret store is reachable every call fails with `keyring_unavailable` and the app
//! works on without "remember me": there is deliberately no fallback to a file or a mock store.

use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry, Error as KError};

use crate::error::{CoreError, CoreResult};

/// Default keyring service name; tests pass a unique one so they never collide.
pub const DEFAULT_SERVICE: &str = "mymts";

#[derive(Clone)]
pub struct Vault {
    service: String,
    store: Arc<Mutex<Option<Arc<CredentialStore>>>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Vault {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            store: Arc::new(Mutex::new(None)),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Connects to the platform store on first use, and again after a failure (the user may
    /// unlock or start the keyring while the app runs).
    fn store(&self) -> CoreResult<Arc<CredentialStore>> {
        let mut guard = self
            .store
            .lock()
            .map_err(|_| CoreError::KeyringUnavailable("vault lock poisoned".into()))?;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = platform_store()?;
        *guard = Some(s.clone());
        Ok(s)
    }

    fn forget_store(&self) {
        if let Ok(mut g) = self.store.lock() {
            *g = None;
        }
    }

    fn entry(&self, login: &str) -> CoreResult<Entry> {
        let store = self.store()?;
        Entry::new_in_store(&store, &self.service, login).map_err(|e| self.fail(e))
    }

    fn fail(&self, e: KError) -> CoreError {
        self.forget_store();
        keyring_error(e)
    }

    /// Saves (replaces) the refresh token of `login`.
    pub fn save_blocking(&self, login: &str, refresh_token: &str) -> CoreResult<()> {
        self.entry(login)?
            .set_password(refresh_token)
            .map_err(|e| self.fail(e))
    }

    /// The remembered refresh token of `login`, if any.
    pub fn load_blocking(&self, login: &str) -> CoreResult<Option<String>> {
        match self.entry(login)?.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Deletes the entry of `login`; deleting a missing entry is fine.
    pub fn delete_blocking(&self, login: &str) -> CoreResult<()> {
        match self.entry(login)?.delete_credential() {
            Ok(()) | Err(KError::NoEntry) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    // The stores' calls block (D-Bus round trips of 65–250 ms), so async callers hop to the
    // blocking pool.

    pub async fn save(&self, login: &str, refresh_token: &str) -> CoreResult<()> {
        let (v, l, t) = (self.clone(), login.to_string(), refresh_token.to_string());
        blocking(move || v.save_blocking(&l, &t)).await
    }

    pub async fn load(&self, login: &str) -> CoreResult<Option<String>> {
        let (v, l) = (self.clone(), login.to_string());
        blocking(move || v.load_blocking(&l)).await
    }

    pub async fn delete(&self, login: &str) -> CoreResult<()> {
        let (v, l) = (self.clone(), login.to_string());
        blocking(move || v.delete_blocking(&l)).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| CoreError::KeyringUnavailable("the keyring call did not finish".into()))?
}

/// Maps keyring errors to `keyring_unavailable` without ever formatting a secret: the variants
/// that carry bytes (`BadEncoding`, `BadDataFormat`) are described, not printed.
fn keyring_error(e: KError) -> CoreError {
    let msg = match e {
        KError::PlatformFailure(p) | KError::NoStorageAccess(p) => p.to_string(),
        KError::NoDefaultStore => "no credential store for this platform".to_string(),
        KError::BadEncoding(_) | KError::BadDataFormat(..) => {
            "the stored token is not readable".to_string()
        }
        KError::NoEntry => "no entry".to_string(),
        KError::TooLong(what, n) => format!("{what} is longer than {n}"),
        KError::Invalid(what, why) => format!("{what}: {why}"),
        KError::Ambiguous(_) => "several entries match".to_string(),
        KError::NotSupportedByStore(s) | KError::BadStoreFormat(s) => s,
        _ => "unknown keyring failure".to_string(),
    };
    CoreError::KeyringUnavailable(msg)
}

/// The store of this platform. A store installed as keyring-core's default (an embedder's own
/// choice) wins.
fn platform_store() -> CoreResult<Arc<CredentialStore>> {
    if let Some(s) = keyring_core::get_default_store() {
        return Ok(s);
    }
    native_store()
}

#[cfg(all(target_os = "linux", not(target_os = "android")))]
fn native_store() -> CoreResult<Arc<CredentialStore>> {
    let s: Arc<CredentialStore> =
        zbus_secret_service_keyring_store::Store::new().map_err(keyring_error)?;
    Ok(s)
}

#[cfg(target_os = "macos")]
fn native_store() -> CoreResult<Arc<CredentialStore>> {
    let s: Arc<CredentialStore> =
        apple_native_keyring_store::keychain::Store::new().map_err(keyring_error)?;
    Ok(s)
}

#[cfg(target_os = "ios")]
fn native_store() -> CoreResult<Arc<CredentialStore>> {
    let s: Arc<CredentialStore> =
        apple_native_keyring_store::protected::Store::new().map_err(keyring_error)?;
    Ok(s)
}

/// SharedPreferences sealed by the Android Keystore. The store reads the NDK context, which
/// Tauri's Android runtime initialises before the app's code runs (the store's README).
#[cfg(target_os = "android")]
fn native_store() -> CoreResult<Arc<CredentialStore>> {
    let s: Arc<CredentialStore> =
        android_native_keyring_store::Store::new().map_err(keyring_error)?;
    Ok(s)
}

#[cfg(target_os = "windows")]
fn native_store() -> CoreResult<Arc<CredentialStore>> {
    let s: Arc<CredentialStore> =
        windows_native_keyring_store::Store::new().map_err(keyring_error)?;
    Ok(s)
}

#[cfg(not(any(
    all(target_os = "linux", not(target_os = "android")),
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
)))]
fn native_store() -> CoreResult<Arc<CredentialStore>> {
    Err(CoreError::KeyringUnavailable(
        "no credential store has been set up on this platform".into(),
    ))
}
