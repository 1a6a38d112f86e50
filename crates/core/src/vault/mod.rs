//! The token vault: refresh tokens of remembered accounts in the OS keyring (AUTH-6), through
//! keyring-core's `Entry` API and the platform's store crate.
//!
//! Entries are bound to the operator's published identity *and* the origin the app reaches it at
//! (SEC-5): the token of `login` at the operator `id` on `https://host:port` is the user
//! `id@https://host:port/login`, and `id@https://host:port#accounts` lists the accounts
//! remembered there. The identity alone is a public string an impostor can repeat; the origin is
//! what TLS (or loopback) vouches for, so a token only ever goes back where it came from.
//!
//! When no secret store is reachable every call fails with `keyring_unavailable` and the app
//! works on without "remember me": there is deliberately no fallback to a file or a mock store.

use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry, Error as KError};

use crate::domain::Account;
use crate::error::{CoreError, CoreResult};

/// Default keyring service name; tests pass a unique one so they never collide.
pub const DEFAULT_SERVICE: &str = "mymts";

/// The origin of an operator embedded in this process.
pub const EMBEDDED: &str = "embedded";

#[derive(Clone)]
pub struct Vault {
    service: String,
    /// `scheme://host[:port]` of the operator this vault's entries belong to.
    origin: String,
    store: Arc<Mutex<Option<Arc<CredentialStore>>>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("service", &self.service)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// The vault of the operator at `operator_url` (its origin binds every entry, SEC-5).
    pub fn new(service: impl Into<String>, operator_url: &str) -> CoreResult<Self> {
        Ok(Self {
            service: service.into(),
            origin: crate::client::origin(operator_url)?,
            store: Arc::new(Mutex::new(None)),
        })
    }

    /// The vault of an operator embedded in this process (its port changes at every start; its
    /// identity comes with the data dir's database, and no other process can stand in for it).
    pub fn embedded(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            origin: EMBEDDED.to_string(),
            store: Arc::new(Mutex::new(None)),
        }
    }

    /// The origin (`scheme://host[:port]`, or `embedded`) the entries are bound to.
    pub fn origin(&self) -> &str {
        &self.origin
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

    fn entry(&self, user: &str) -> CoreResult<Entry> {
        let store = self.store()?;
        Entry::new_in_store(&store, &self.service, user).map_err(|e| self.fail(e))
    }

    fn fail(&self, e: KError) -> CoreError {
        self.forget_store();
        keyring_error(e)
    }

    fn set(&self, user: &str, secret: &str) -> CoreResult<()> {
        self.entry(user)?
            .set_password(secret)
            .map_err(|e| self.fail(e))
    }

    fn get(&self, user: &str) -> CoreResult<Option<String>> {
        match self.entry(user)?.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn remove(&self, user: &str) -> CoreResult<()> {
        match self.entry(user)?.delete_credential() {
            Ok(()) | Err(KError::NoEntry) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Saves (replaces) the refresh token of `login` at the operator `operator` (SEC-5), and
    /// lists the account in that operator's index first, so a crash between the two writes
    /// leaves an index line without a token (read as "not remembered"), never a token nobody
    /// can find.
    pub fn save_blocking(
        &self,
        operator: &str,
        account: &Account,
        refresh_token: &str,
    ) -> CoreResult<()> {
        let mut index = self.index_blocking(operator)?;
        if let Some(i) = index.iter().position(|a| a.login == account.login) {
            if index[i] != *account {
                index[i] = account.clone();
                self.set_index(operator, &index)?;
            }
        } else {
            index.push(account.clone());
            self.set_index(operator, &index)?;
        }
        self.set(
            &token_user(&self.origin, operator, &account.login),
            refresh_token,
        )
    }

    /// Replaces the token of an account already in the index (a rotation): one keyring write.
    pub fn rotate_blocking(
        &self,
        operator: &str,
        login: &str,
        refresh_token: &str,
    ) -> CoreResult<()> {
        self.set(&token_user(&self.origin, operator, login), refresh_token)
    }

    /// The remembered refresh token of `login` at `operator`, if any.
    pub fn load_blocking(&self, operator: &str, login: &str) -> CoreResult<Option<String>> {
        self.get(&token_user(&self.origin, operator, login))
    }

    /// Forgets `login` at `operator`: its token, then its line in the index. Deleting a
    /// missing entry is fine.
    pub fn delete_blocking(&self, operator: &str, login: &str) -> CoreResult<()> {
        self.remove(&token_user(&self.origin, operator, login))?;
        let mut index = self.index_blocking(operator)?;
        let before = index.len();
        index.retain(|a| a.login != login);
        if index.len() != before {
            self.set_index(operator, &index)?;
        }
        Ok(())
    }

    /// The accounts remembered at `operator`, in the order they were first remembered. The
    /// index lives in the keyring beside the tokens, so a cache that is lost or rebuilt
    /// (CACHE-3) does not lose a remembered login.
    pub fn index_blocking(&self, operator: &str) -> CoreResult<Vec<Account>> {
        match self.get(&index_user(&self.origin, operator))? {
            None => Ok(Vec::new()),
            Some(json) => Ok(
                serde_json::from_str::<Vec<Account>>(&json).unwrap_or_else(|_| {
                    tracing::warn!("the keyring's account index is unreadable; starting a new one");
                    Vec::new()
                }),
            ),
        }
    }

    fn set_index(&self, operator: &str, index: &[Account]) -> CoreResult<()> {
        if index.is_empty() {
            return self.remove(&index_user(&self.origin, operator));
        }
        let json = serde_json::to_string(index)
            .map_err(|e| CoreError::KeyringUnavailable(format!("account index: {e}")))?;
        self.set(&index_user(&self.origin, operator), &json)
    }

    // The stores' calls block (D-Bus round trips of 65–250 ms), so async callers hop to the
    // blocking pool.

    pub async fn save(
        &self,
        operator: &str,
        account: &Account,
        refresh_token: &str,
    ) -> CoreResult<()> {
        let (v, o, a, t) = (
            self.clone(),
            operator.to_string(),
            account.clone(),
            refresh_token.to_string(),
        );
        blocking(move || v.save_blocking(&o, &a, &t)).await
    }

    /// Writes a rotated refresh token. A failure whose write may still have landed (the reply
    /// lost, the Secret Service gone after storing) is read back: the token there is what counts,
    /// so the caller's "the keyring holds the old one" is never believed wrongly (AUTH-6).
    pub async fn rotate(&self, operator: &str, login: &str, refresh_token: &str) -> CoreResult<()> {
        let (v, o, l, t) = (
            self.clone(),
            operator.to_string(),
            login.to_string(),
            refresh_token.to_string(),
        );
        blocking(move || match v.rotate_blocking(&o, &l, &t) {
            Ok(()) => Ok(()),
            Err(e) => match v.load_blocking(&o, &l) {
                Ok(Some(held)) if held == t => Ok(()),
                _ => Err(e),
            },
        })
        .await
    }

    pub async fn load(&self, operator: &str, login: &str) -> CoreResult<Option<String>> {
        let (v, o, l) = (self.clone(), operator.to_string(), login.to_string());
        blocking(move || v.load_blocking(&o, &l)).await
    }

    pub async fn delete(&self, operator: &str, login: &str) -> CoreResult<()> {
        let (v, o, l) = (self.clone(), operator.to_string(), login.to_string());
        blocking(move || v.delete_blocking(&o, &l)).await
    }

    pub async fn index(&self, operator: &str) -> CoreResult<Vec<Account>> {
        let (v, o) = (self.clone(), operator.to_string());
        blocking(move || v.index_blocking(&o)).await
    }
}

/// The keyring user name of a token: bound to the operator's published identity, the origin it
/// was reached at and the login (SEC-5), so two operators, or one identity at two addresses,
/// never share an entry. The identity has no `@`, `/`, `#` or space and an origin no `/` after
/// its `//` nor `#`, so two different triples never make one name.
fn token_user(origin: &str, operator: &str, login: &str) -> String {
    format!("{operator}@{origin}/{login}")
}

/// The keyring user name of an operator's list of remembered accounts (no secret in it).
fn index_user(origin: &str, operator: &str) -> String {
    format!("{operator}@{origin}#accounts")
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
