//! Token refresh, single-flight per session: whoever holds the slot's token lock refreshes;
//! callers that saw an older generation get the token that flight produced. A remembered
//! session's rotated refresh token goes to the keyring (AUTH-6), bound to the operator that
//! issued it (SEC-5).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Slot;
use super::end::end_reason_for;
use crate::Core;
use crate::error::{CoreError, CoreResult};
use crate::events::CoreEvent;

impl Core {
    /// Number of refresh requests this core has sent (single-flight tests).
    pub fn refresh_requests(&self) -> u64 {
        self.inner.refresh_requests.load(Ordering::SeqCst)
    }

    /// Refreshes the active session now (the shell's "keep alive"; also used by tests).
    /// Concurrent calls share one request.
    pub async fn refresh(&self) -> CoreResult<()> {
        let slot = self.active_slot()?;
        let generation = slot.generation.load(Ordering::SeqCst);
        self.refresh_slot(&slot, generation).await.map(|_| ())
    }

    /// Single flight: whoever holds the token lock refreshes; callers that saw an older
    /// generation get the token it produced.
    pub(super) async fn refresh_slot(
        &self,
        slot: &Arc<Slot>,
        seen_generation: u64,
    ) -> CoreResult<String> {
        let mut t = slot.tokens.lock().await;
        if slot.generation.load(Ordering::SeqCst) != seen_generation
            && let Some(a) = slot.access()
        {
            return Ok(a);
        }
        // SEC-5: the token goes only to the operator that issued it, at the address it was
        // issued at (the core's client never changes address). An unknown issuer gets nothing:
        // the token stays here, unsent.
        let Some(op) = &slot.operator else {
            return Err(CoreError::Protocol(format!(
                "the operator at {} did not give its identity when you signed in, so the session is not renewed there (nothing was sent); sign in again",
                self.inner.client.base_url()
            )));
        };
        let now = self.operator_id_fresh().await?;
        if &now != op {
            return Err(CoreError::Protocol(format!(
                "the operator at {} is no longer the one that signed you in (its identity changed); the session was not sent there",
                self.inner.client.base_url()
            )));
        }
        self.inner.refresh_requests.fetch_add(1, Ordering::SeqCst);
        let pair = match self.inner.client.refresh(t.to_present()).await {
            Ok(p) => p,
            Err(e) => {
                if let Some(reason) = end_reason_for(&e) {
                    drop(t);
                    self.end_session(slot, reason).await;
                }
                return Err(e);
            }
        };
        crate::fail_point!("core::refresh::before_keyring_write");
        let login = slot.login();
        if slot.remembered() {
            match self
                .inner
                .vault
                .rotate(op, login, &pair.refresh_token)
                .await
            {
                Ok(()) => t.kept_by_keyring = None,
                Err(e) => {
                    // The keyring keeps the token just presented (or the one it kept before):
                    // present that one again next time, so it never gets a used successor and
                    // still signs in at the next start (AUTH-6).
                    if t.kept_by_keyring.is_none() {
                        t.kept_by_keyring = Some(std::mem::take(&mut t.refresh));
                    }
                    self.emit(CoreEvent::KeyringUnavailable {
                        message: e.to_string(),
                    });
                }
            }
        }
        t.refresh = pair.refresh_token;
        if let Ok(mut a) = slot.access.lock() {
            *a = Some(pair.access_token.clone());
        }
        slot.generation.fetch_add(1, Ordering::SeqCst);
        drop(t);
        Ok(pair.access_token)
    }
}
