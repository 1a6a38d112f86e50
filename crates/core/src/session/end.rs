//! How sessions end (AUTH-8): the operator's refusals that end one, the end itself (tokens,
//! keyring entry, event), the 20 idle minutes, and the keep-alive that spares active users.

use mymts_proto::Login;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use mymts_proto::ErrorCode;

use super::{AuthedClient, Slot};
use crate::error::CoreError;
use crate::events::{CoreEvent, EndReason};
use crate::{Core, INACTIVITY_MS};

/// A keep-alive goes out when the user has been active on cached screens and the operator has
/// not seen the session for this long: well inside the 20 minutes of AUTH-8.
pub const KEEPALIVE_MS: i64 = 5 * 60 * 1000;

/// The operator's answers that mean the session is over, and why.
pub(crate) fn end_reason_for(e: &CoreError) -> Option<EndReason> {
    match e.api_code()? {
        ErrorCode::SessionInactive => Some(EndReason::Inactivity),
        ErrorCode::SessionRevoked | ErrorCode::InvalidRefreshToken => Some(EndReason::Revoked),
        _ => None,
    }
}

impl Core {
    /// Ends a session on this side: forgets its tokens, its keyring entry and (for Exit) its
    /// cached data. For inactivity and revocation the cache stays: it is still the user's.
    pub(crate) async fn end_session(&self, slot: &Arc<Slot>, reason: EndReason) {
        let login = slot.session.account.login.clone();
        let removed = self
            .inner
            .sessions
            .lock()
            .map(|mut s| {
                let was = s.map.get(&login).is_some_and(|v| Arc::ptr_eq(v, slot));
                if was {
                    s.map.remove(&login);
                    if s.active.as_deref() == Some(login.as_str()) {
                        s.active = s.map.keys().next().cloned();
                    }
                }
                was
            })
            .unwrap_or(false);
        if !removed {
            return;
        }
        // AUTH-8: an idle end on a remembered device keeps the device remembered (its refresh
        // token signs in again, the same session); elsewhere the idle session is revoked with
        // its lapsed access token, which the operator still takes for a logout. A revoked
        // session's token is worthless: forget it. Exit revoked it already.
        let forget = match reason {
            EndReason::Inactivity => {
                if !slot.remembered()
                    && let Some(a) = slot.access()
                {
                    let _ = self.inner.client.logout(&a).await;
                }
                false
            }
            EndReason::Revoked => slot.remembered(),
            EndReason::Exit => true,
        };
        if forget {
            crate::fail_point!("core::exit::before_keyring_delete");
            if let Some(op) = self.slot_operator(slot)
                && let Err(e) = self.inner.vault.delete(&op, &login).await
            {
                tracing::warn!(code = e.code(), "could not delete the keyring entry");
            }
            let _ = self.inner.cache.set_remembered(&login, false);
        }
        tracing::info!(%reason, "session ended");
        self.emit(CoreEvent::SessionEnded {
            login,
            reason,
            remembered: slot.remembered() && !forget,
        });
    }

    /// Ends the sessions idle for 20 minutes by the device clock, with the event
    /// "session ended: inactivity". Returns the logins it ended.
    pub async fn check_inactivity(&self) -> Vec<Login> {
        let now = self.now_ms();
        let idle: Vec<Arc<Slot>> = self
            .slots()
            .into_iter()
            .filter(|v| now - v.last_activity_ms.load(Ordering::SeqCst) >= INACTIVITY_MS)
            .collect();
        let mut ended = Vec::new();
        for slot in idle {
            self.end_session(&slot, EndReason::Inactivity).await;
            ended.push(slot.session.account.login.clone());
        }
        ended
    }

    /// Keeps the server sessions of active users alive (AUTH-8): for each session the user has
    /// touched since the operator last saw it, and that the operator has not seen for
    /// [`KEEPALIVE_MS`], one `POST /v1/session/keepalive`. Returns the logins it kept alive.
    pub async fn keep_alive(&self) -> Vec<Login> {
        let now = self.now_ms();
        let due: Vec<Arc<Slot>> = self
            .slots()
            .into_iter()
            .filter(|v| {
                let act = v.last_activity_ms.load(Ordering::SeqCst);
                let seen = v.server_seen_ms.load(Ordering::SeqCst);
                act > seen && now - seen >= KEEPALIVE_MS && now - act < INACTIVITY_MS
            })
            .collect();
        let mut kept = Vec::new();
        for slot in due {
            // Not the user's own doing: the keep-alive does not count as activity.
            match AuthedClient::background(self, slot.clone())
                .keepalive()
                .await
            {
                Ok(()) => kept.push(slot.session.account.login.clone()),
                Err(e) => tracing::info!(code = e.code(), "keep-alive did not go through"),
            }
        }
        kept
    }

    /// Runs [`Core::check_inactivity`] and [`Core::keep_alive`] every `period` until the core
    /// is dropped.
    pub fn spawn_inactivity_watch(
        &self,
        period: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                let core = Core { inner };
                core.check_inactivity().await;
                core.keep_alive().await;
            }
        })
    }
}
