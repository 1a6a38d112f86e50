//! Autologin (AUTH-6): every remembered account signed in from its keyring token at start,
//! behind the platform's unlock when asked (AUTH-14), else on-net with the device's SIM
//! (AUTH-7). Autologins run one at a time: two racing would present one refresh token twice.

use std::future::Future;
use std::sync::atomic::Ordering;

use mymts_proto::wire::LoginMethod;

use crate::Core;
use crate::domain::{Account, Session};
use crate::error::{CoreError, CoreResult};
use crate::events::CoreEvent;
use crate::session::end::end_reason_for;

/// Where a device stands after [`Core::resume`]: the one start-up path of the app and the CLI.
#[derive(Debug)]
pub enum Resumed {
    /// Signed in: from the keyring (AUTH-6), on operator data (AUTH-7), or before.
    SignedIn(Session),
    /// The operator cannot be reached (`error` says how): `account`, the most recently used
    /// remembered one, is shown from the cache until it can (CACHE-2). Its token is kept.
    Offline { account: Account, error: CoreError },
    /// Nobody to resume: the login screen.
    Nobody,
}

impl Core {
    /// Resumes a remembered device (AUTH-6, CACHE-2): [`Core::autologin`], and when the operator
    /// cannot be reached, the remembered account whose cached views stand in meanwhile.
    pub async fn resume(&self) -> CoreResult<Resumed> {
        let r = self.autologin().await;
        self.resumed(r)
    }

    /// [`Core::resume`] behind the platform's fingerprint or face check (AUTH-14); see
    /// [`Core::autologin_unlocked`].
    pub async fn resume_unlocked<F, Fut>(&self, unlock: F) -> CoreResult<Resumed>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let r = self.autologin_unlocked(unlock).await;
        self.resumed(r)
    }

    fn resumed(&self, r: CoreResult<Option<Session>>) -> CoreResult<Resumed> {
        match r {
            Ok(Some(s)) => Ok(Resumed::SignedIn(s)),
            Ok(None) => Ok(Resumed::Nobody),
            Err(error @ CoreError::Unreachable(_)) => {
                // An unreadable cache does not hide why: the operator is out of reach.
                let remembered = self.inner.cache.remembered_accounts().ok();
                match remembered.and_then(|a| a.into_iter().next()) {
                    Some(account) => Ok(Resumed::Offline { account, error }),
                    None => Err(error),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Signs in every remembered account from its keyring token, the most recently used one
    /// active. `Ok(None)` when nothing is remembered. An unreachable operator or keyring is an
    /// error; a token the operator refuses forgets that account's entry.
    pub async fn autologin(&self) -> CoreResult<Option<Session>> {
        let _one_at_a_time = self.inner.autologin_lock.lock().await;
        match self.autologin_locked().await? {
            Some(s) => Ok(Some(s)),
            None => self.autologin_on_net().await,
        }
    }

    /// AUTH-7 at start: with nothing remembered and the device's SIM on operator data, the app
    /// signs in with no input (not remembered: the data session is the proof, each start). Off
    /// operator data, or with no device SIM, nothing happens and the login screen shows.
    async fn autologin_on_net(&self) -> CoreResult<Option<Session>> {
        if let Some(s) = self.current() {
            return Ok(Some(s));
        }
        if self.inner.device_sim.is_none() {
            return Ok(None);
        }
        match self.login_on_net(false).await {
            Ok(out) => Ok(Some(out.session)),
            Err(CoreError::Api(body)) => {
                tracing::info!(code = ?body.code, "no on-net sign-in at start");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Autologin behind the platform's fingerprint or face check (AUTH-14). `unlock` runs only
    /// when an account is remembered and none is signed in yet, and before any token is read: a
    /// refused check leaves every keyring entry as it was and signs nothing in
    /// ([`CoreError::UnlockRefused`]). Callers racing at start-up see one prompt, not two.
    pub async fn autologin_unlocked<F, Fut>(&self, unlock: F) -> CoreResult<Option<Session>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let _one_at_a_time = self.inner.autologin_lock.lock().await;
        // The keyring's index, not the cache, says who is remembered (the cache may have been
        // rebuilt, CACHE-3); reading it reads no token.
        let op = self.operator_id_fresh().await?;
        if self.inner.vault.index(&op).await?.is_empty() {
            return Ok(None);
        }
        if let Some(s) = self.current() {
            return Ok(Some(s));
        }
        unlock().await.map_err(CoreError::UnlockRefused)?;
        self.autologin_locked().await
    }

    /// The accounts remembered at the operator `op`, most recently used first. The keyring's
    /// index is the truth (SEC-5: per operator; CACHE-3: it outlives a rebuilt cache); the
    /// cache's `remembered` flags are made to follow it, since the first frame reads them.
    async fn remembered_at(&self, op: &str) -> CoreResult<Vec<Account>> {
        let index = self.inner.vault.index(op).await?;
        let cached = self.inner.cache.remembered_accounts()?;
        let mut out = Vec::new();
        for a in cached {
            if index.iter().any(|x| x.login == a.login) {
                out.push(a);
            } else {
                // Remembered elsewhere (another operator) or forgotten: not here.
                self.inner.cache.set_remembered(&a.login, false)?;
            }
        }
        for a in index.into_iter().rev() {
            if !out.iter().any(|x| x.login == a.login) {
                out.push(a);
            }
        }
        Ok(out)
    }

    async fn autologin_locked(&self) -> CoreResult<Option<Session>> {
        // Asked afresh at every autologin: the address may now lead to another operator.
        let op = self.operator_id_fresh().await?;
        let accounts = self.remembered_at(&op).await?;
        let mut first_err = None;
        let mut any = false;
        // Oldest first, so the most recently used ends up active.
        for account in accounts.into_iter().rev() {
            if self.session_of(&account.login).is_some() {
                any = true;
                continue;
            }
            match self.autologin_one(&op, &account).await {
                Ok(true) => any = true,
                Ok(false) => {}
                Err(e) => {
                    if first_err.is_none() {
                        first_err = Some(e);
                    }
                }
            }
        }
        if any {
            return Ok(self.current());
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    async fn autologin_one(&self, op: &str, account: &Account) -> CoreResult<bool> {
        let Some(token) = self.inner.vault.load(op, &account.login).await? else {
            // An index line without its token: a crash while remembering. Not remembered.
            let _ = self.inner.vault.delete(op, &account.login).await;
            self.inner.cache.set_remembered(&account.login, false)?;
            return Ok(false);
        };
        self.inner.refresh_requests.fetch_add(1, Ordering::SeqCst);
        let pair = match self.inner.client.refresh(&token).await {
            Ok(p) => p,
            // Only a definite refusal forgets the token; a network error or a 5xx keeps it, and
            // it still signs in later (AUTH-6).
            Err(e) if end_reason_for(&e).is_some() => {
                let _ = self.inner.vault.delete(op, &account.login).await;
                self.inner.cache.set_remembered(&account.login, false)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        crate::fail_point!("core::autologin::before_keyring_write");
        // Saved the moment it arrives. Should this write be lost (a crash, a keyring failure)
        // the old token still signs in: its successor was never used (AUTH-6), and this session
        // renews with the old one until a write succeeds (`Tokens::kept_by_keyring`).
        let mut tokens = crate::session::Tokens::new(pair.refresh_token.clone());
        if let Err(e) = self
            .inner
            .vault
            .rotate(op, &account.login, &pair.refresh_token)
            .await
        {
            tokens.kept_by_keyring = Some(token.clone());
            self.emit(CoreEvent::KeyringUnavailable {
                message: e.to_string(),
            });
        }
        crate::fail_point!("core::autologin::before_cache_write");
        // The account row may be gone with a rebuilt cache: put it back, remembered.
        self.inner
            .cache
            .upsert_account(account, true, self.now_ms())?;
        let session = Session {
            account: account.clone(),
            session_id: String::new(),
            method: LoginMethod::Password,
            remembered: true,
            agreement_required: false,
            offer_permanent_password: false,
            permanent_password_set: false,
        };
        self.install(
            session,
            Some(pair.access_token),
            tokens,
            Some(op.to_string()),
        );
        Ok(true)
    }
}
