//! The signed-in sessions: one slot per account (its tokens, its clocks), the active one, and
//! the session-bound client every operation calls the operator through.
//!
//! [`authed`] is that client ([`AuthedClient`]): the slot's access token on every call, one
//! refresh on `unauthorized`, the session ended on `session_inactive` / `session_revoked`.
//! [`refresh`] renews tokens single-flight per session: the slot's token mutex is held across
//! the request, and a generation counter tells late callers that someone already refreshed for
//! them. [`end`] ends sessions: Exit, revocation, inactivity (AUTH-8), and keeps active ones
//! alive.

pub mod authed;
pub mod end;
pub mod refresh;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use mymts_proto::Login;
use mymts_proto::wire::AccountKind;

pub(crate) use authed::AuthedClient;
pub use end::KEEPALIVE_MS;

use crate::Core;
use crate::domain::Session;
use crate::error::{CoreError, CoreResult};
use crate::events::CoreEvent;

/// The refresh token, held by whoever is refreshing (the single flight).
pub(crate) struct Tokens {
    pub(crate) refresh: String,
    /// The token the keyring still holds when writing a newer one to it failed (AUTH-6). The
    /// next renewal presents this one, not `refresh`: its successor then is never used, so it
    /// gets a fresh pair and still signs in at the next start. Cleared by the next write that
    /// succeeds.
    pub(crate) kept_by_keyring: Option<String>,
}

impl Tokens {
    pub(crate) fn new(refresh: String) -> Self {
        Self {
            refresh,
            kept_by_keyring: None,
        }
    }

    /// What the next renewal presents.
    pub(crate) fn to_present(&self) -> &str {
        self.kept_by_keyring.as_deref().unwrap_or(&self.refresh)
    }
}

pub(crate) struct Slot {
    pub(crate) session: Session,
    pub(crate) tokens: tokio::sync::Mutex<Tokens>,
    /// The current access token and its generation, readable without waiting for a refresh in
    /// flight: a caller notes the generation it saw, and after the flight sees it moved.
    access: std::sync::Mutex<Option<String>>,
    generation: AtomicU64,
    last_activity_ms: AtomicI64,
    /// When this app last reached the operator with the session's access token (any request
    /// counts there as activity, AUTH-8); the keep-alive compares it with `last_activity_ms`.
    server_seen_ms: AtomicI64,
    /// The identity of the operator that issued the session (SEC-5), when known: its refresh
    /// token is kept under it and is never sent to an operator with another one.
    pub(crate) operator: Option<String>,
    /// Set once the agreement is accepted in this session, so switching back does not ask again.
    pub(crate) agreement_accepted: AtomicBool,
    /// Set when the user had this device forgotten while the session runs (Settings →
    /// "Remember this device" off): the session goes on until it ends, but its rotations no
    /// longer reach the keyring and an idle end is a real end.
    pub(crate) forgotten: AtomicBool,
}

impl Slot {
    /// The session as callers see it now.
    fn view(&self) -> Session {
        let mut s = self.session.clone();
        if self.agreement_accepted.load(Ordering::Relaxed) {
            s.agreement_required = false;
        }
        s.remembered = self.remembered();
        s
    }

    /// Remembered on this device now: at sign-in, and not forgotten since.
    pub(crate) fn remembered(&self) -> bool {
        self.session.remembered && !self.forgotten.load(Ordering::SeqCst)
    }

    fn access(&self) -> Option<String> {
        self.access.lock().ok().and_then(|a| a.clone())
    }

    fn login(&self) -> &str {
        &self.session.account.login
    }
}

/// Every signed-in account's slot, by login, and the active one.
#[derive(Default)]
pub(crate) struct Sessions {
    map: HashMap<Login, Arc<Slot>>,
    active: Option<Login>,
}

impl Core {
    /// Puts a new session in its slot and makes it the active one.
    pub(crate) fn install(
        &self,
        session: Session,
        access: Option<String>,
        tokens: Tokens,
        operator: Option<String>,
    ) {
        let login = session.account.login.clone();
        let kind = session.account.kind.as_str().to_string();
        let slot = Arc::new(Slot {
            session,
            tokens: tokio::sync::Mutex::new(tokens),
            access: std::sync::Mutex::new(access),
            generation: AtomicU64::new(0),
            last_activity_ms: AtomicI64::new(self.now_ms()),
            server_seen_ms: AtomicI64::new(self.now_ms()),
            operator,
            agreement_accepted: AtomicBool::new(false),
            forgotten: AtomicBool::new(false),
        });
        if let Ok(mut s) = self.inner.sessions.lock() {
            s.map.insert(login.clone(), slot);
            s.active = Some(login.clone());
        }
        self.emit(CoreEvent::SessionStarted {
            login: login.clone(),
            kind,
        });
        self.emit(CoreEvent::ActiveAccountChanged { login });
    }

    pub(crate) fn session_of(&self, login: &Login) -> Option<Arc<Slot>> {
        self.inner.sessions.lock().ok()?.map.get(login).cloned()
    }

    pub(crate) fn active_slot(&self) -> CoreResult<Arc<Slot>> {
        let s = self
            .inner
            .sessions
            .lock()
            .map_err(|_| CoreError::NotSignedIn)?;
        s.active
            .as_ref()
            .and_then(|l| s.map.get(l))
            .cloned()
            .ok_or(CoreError::NotSignedIn)
    }

    /// Every slot, for the sweeps over all sessions (inactivity, keep-alive, forgetting).
    pub(crate) fn slots(&self) -> Vec<Arc<Slot>> {
        self.inner
            .sessions
            .lock()
            .map(|s| s.map.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The operator a slot's token is kept under: its own, else the one this core knows.
    pub(crate) fn slot_operator(&self, slot: &Slot) -> Option<String> {
        slot.operator
            .clone()
            .or_else(|| self.inner.operator_id.lock().ok().and_then(|g| g.clone()))
    }

    /// The active session, if signed in.
    pub fn current(&self) -> Option<Session> {
        self.active_slot().ok().map(|s| s.view())
    }

    /// Every signed-in account (linked numbers, contracts), the active one flagged by
    /// [`Core::current`].
    pub fn sessions(&self) -> Vec<Session> {
        self.inner
            .sessions
            .lock()
            .map(|s| s.map.values().map(|v| v.view()).collect())
            .unwrap_or_default()
    }

    /// Switches the active account (ACC-7) to one that is signed in.
    pub fn switch_to(&self, login: &Login) -> CoreResult<Session> {
        let session = {
            let mut s = self
                .inner
                .sessions
                .lock()
                .map_err(|_| CoreError::NotSignedIn)?;
            let Some(slot) = s.map.get(login).cloned() else {
                return Err(CoreError::NotSignedIn);
            };
            s.active = Some(login.clone());
            slot.view()
        };
        let _ = self.inner.cache.touch_account(login, self.now_ms());
        self.emit(CoreEvent::ActiveAccountChanged {
            login: login.clone(),
        });
        Ok(session)
    }

    /// Counts user activity for the inactivity clock (AUTH-8). Every core call made on the
    /// user's behalf does this; the shell calls it on input too.
    pub fn touch(&self) {
        if let Ok(slot) = self.active_slot() {
            slot.last_activity_ms.store(self.now_ms(), Ordering::SeqCst);
        }
    }

    /// The kind of the active account, when signed in.
    pub fn active_kind(&self) -> Option<AccountKind> {
        self.current().map(|s| s.account.kind)
    }

    /// The active login, when signed in.
    pub fn active_login(&self) -> CoreResult<Login> {
        Ok(self.active_slot()?.session.account.login.clone())
    }
}
