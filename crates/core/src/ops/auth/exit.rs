//! Leaving: "Exit" (AUTH-8) ends the session everywhere and wipes its data here; Settings →
//! "Remember this device" off (AUTH-6) forgets every remembered account of this operator.

use mymts_proto::Login;
use std::sync::atomic::Ordering;

use crate::Core;
use crate::error::CoreResult;
use crate::events::EndReason;
use crate::session::end::end_reason_for;

impl Core {
    /// "Exit" (AUTH-8): revokes the session on the server, deletes the keyring entry and wipes
    /// the account's cache. The local part happens even when the operator cannot be reached;
    /// the error then says the server side did not.
    pub async fn logout(&self) -> CoreResult<()> {
        let api = self.authed()?;
        let slot = api.slot();
        let login = api.login().to_string();
        let server = api.logout().await;
        self.end_session(slot, EndReason::Exit).await;
        let vault = match self.slot_operator(slot) {
            Some(op) => self.inner.vault.delete(&op, &login).await,
            None => Ok(()),
        };
        self.inner.cache.wipe_account(&login)?;
        match server {
            Ok(()) => vault,
            Err(e) if end_reason_for(&e).is_some() => vault,
            Err(e) => Err(e),
        }
    }

    /// Settings → "Remember this device" off (AUTH-6; issue 13, item 7): this device forgets
    /// every account remembered at the current operator. Their keyring entries (tokens and
    /// the operator's index) are deleted and the cache's `remembered` flags cleared, so the
    /// next start shows the login screen. The sessions running now stay signed in until they
    /// end (Exit, quitting the app, or 20 idle minutes, which is now a real end): their later
    /// rotations no longer reach the keyring. Returns the logins forgotten.
    ///
    /// An operator that cannot be asked for its identity leaves everything as it was (its
    /// entries cannot be named): the error says so, and the user can try again.
    pub async fn forget_device(&self) -> CoreResult<Vec<Login>> {
        // No autologin reads or writes a token meanwhile.
        let _no_autologin = self.inner.autologin_lock.lock().await;
        let op = self.operator_id().await?;
        let slots = self.slots();
        // No rotation is in flight or starts until the entries are gone: each would write its
        // new token back into the keyring.
        let mut rotations = Vec::with_capacity(slots.len());
        for slot in &slots {
            rotations.push(slot.tokens.lock().await);
        }
        let mut logins: Vec<Login> = self
            .inner
            .vault
            .index(&op)
            .await?
            .into_iter()
            .map(|a| a.login)
            .collect();
        // A remembered session whose index line was lost, and flags the cache still holds.
        let remembered_here = slots
            .iter()
            .filter(|s| s.remembered() && s.operator.as_deref() == Some(op.as_str()))
            .map(|s| s.session.account.login.clone());
        let cached = self
            .inner
            .cache
            .remembered_accounts()?
            .into_iter()
            .map(|a| a.login);
        for login in remembered_here.chain(cached) {
            if !logins.contains(&login) {
                logins.push(login);
            }
        }
        for login in &logins {
            self.inner.vault.delete(&op, login).await?;
            if let Some(slot) = slots.iter().find(|s| &s.session.account.login == login) {
                slot.forgotten.store(true, Ordering::SeqCst);
            }
            self.inner.cache.set_remembered(login, false)?;
        }
        // The keyring keeps none of their tokens now: later renewals present their own.
        for t in rotations.iter_mut() {
            t.kept_by_keyring = None;
        }
        drop(rotations);
        tracing::info!(
            accounts = logins.len(),
            "this device forgot its remembered accounts"
        );
        Ok(logins)
    }
}
