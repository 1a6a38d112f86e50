//! [`AuthedClient`]: the operator's API as one signed-in session calls it. Each method is one
//! endpoint of [`ApiClient`] with the session's access token put in: before the call the
//! inactivity clock is checked (AUTH-8), an `unauthorized` answer refreshes once (single-flight,
//! see [`super::refresh`]) and tries again, and an answer that ends the session
//! (`session_inactive`, `session_revoked`) ends it here too. No silent re-login.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use mymts_proto::ErrorCode;
use mymts_proto::wire::*;

use super::Slot;
use super::end::end_reason_for;
use crate::client::ApiClient;
use crate::error::{CoreError, CoreResult};
use crate::events::EndReason;
use crate::{Core, INACTIVITY_MS};

/// One session's client: borrowed from the [`Core`], bound to the session that was active when
/// it was made (a switch of account meanwhile does not redirect it).
pub(crate) struct AuthedClient<'a> {
    core: &'a Core,
    slot: Arc<Slot>,
    /// The calls are the user's own doing and count as activity; the keep-alive's do not.
    user: bool,
}

impl Core {
    /// The active session's client, for the user's own requests.
    pub(crate) fn authed(&self) -> CoreResult<AuthedClient<'_>> {
        Ok(AuthedClient {
            core: self,
            slot: self.active_slot()?,
            user: true,
        })
    }
}

impl<'a> AuthedClient<'a> {
    /// A session's client for what the app does on its own (the keep-alive): its calls do not
    /// count as the user's activity.
    pub(super) fn background(core: &'a Core, slot: Arc<Slot>) -> Self {
        Self {
            core,
            slot,
            user: false,
        }
    }

    /// The session's slot.
    pub(crate) fn slot(&self) -> &Arc<Slot> {
        &self.slot
    }

    /// The session's login.
    pub(crate) fn login(&self) -> &str {
        self.slot.login()
    }

    /// Runs `request` with the session's access token: refreshes once on `unauthorized`, ends
    /// the session on `session_inactive` / `session_revoked`.
    async fn send<T, F, Fut>(&self, request: F) -> CoreResult<T>
    where
        F: Fn(&'a ApiClient, String) -> Fut,
        Fut: Future<Output = CoreResult<T>>,
    {
        let (core, slot) = (self.core, &self.slot);
        let now = core.now_ms();
        if now - slot.last_activity_ms.load(Ordering::SeqCst) >= INACTIVITY_MS {
            core.end_session(slot, EndReason::Inactivity).await;
            return Err(CoreError::SessionInactive);
        }
        if self.user {
            slot.last_activity_ms.store(now, Ordering::SeqCst);
        }
        slot.server_seen_ms.store(now, Ordering::SeqCst);
        let generation = slot.generation.load(Ordering::SeqCst);
        let access = match slot.access() {
            Some(a) => a,
            None => core.refresh_slot(slot, generation).await?,
        };
        let client = &core.inner.client;
        match request(client, access).await {
            Err(e) if e.is(ErrorCode::Unauthorized) => {
                let access = core.refresh_slot(slot, generation).await?;
                let r = request(client, access).await;
                if let Err(e) = &r
                    && let Some(reason) = end_reason_for(e)
                {
                    core.end_session(slot, reason).await;
                }
                r
            }
            Err(e) => {
                if let Some(reason) = end_reason_for(&e) {
                    core.end_session(slot, reason).await;
                }
                Err(e)
            }
            ok => ok,
        }
    }

    // --- the session itself (AUTH-6…12) ------------------------------------------------------

    pub(crate) async fn logout(&self) -> CoreResult<()> {
        self.send(|c, a| async move { c.logout(&a).await }).await
    }

    pub(crate) async fn keepalive(&self) -> CoreResult<()> {
        self.send(|c, a| async move { c.keepalive(&a).await }).await
    }

    pub(crate) async fn accept_agreement(&self, version: u32) -> CoreResult<()> {
        self.send(|c, a| async move { c.accept_agreement(&a, version).await })
            .await
    }

    pub(crate) async fn change_password(
        &self,
        req: &ChangePassword,
    ) -> CoreResult<PasswordChanged> {
        self.send(|c, a| async move { c.change_password(&a, req).await })
            .await
    }

    pub(crate) async fn sessions(&self) -> CoreResult<Vec<SessionInfo>> {
        self.send(|c, a| async move { c.sessions(&a).await }).await
    }

    pub(crate) async fn revoke_others(&self) -> CoreResult<Revoked> {
        self.send(|c, a| async move { c.revoke_others(&a).await })
            .await
    }

    pub(crate) async fn activity(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> CoreResult<ActivityPage> {
        self.send(|c, a| async move { c.activity(&a, before, limit).await })
            .await
    }

    pub(crate) async fn social_links(&self) -> CoreResult<Vec<SocialLink>> {
        self.send(|c, a| async move { c.social_links(&a).await })
            .await
    }

    pub(crate) async fn link_social(&self, req: &SocialLinkRequest) -> CoreResult<SocialLink> {
        self.send(|c, a| async move { c.link_social(&a, req).await })
            .await
    }

    // --- the account's views and changes (ACC-1…4, ACC-6, ACC-8) ---------------------------

    pub(crate) async fn account(&self) -> CoreResult<AccountOverview> {
        self.send(|c, a| async move { c.account(&a).await }).await
    }

    pub(crate) async fn balance(&self) -> CoreResult<Balance> {
        self.send(|c, a| async move { c.balance(&a).await }).await
    }

    pub(crate) async fn tariffs(&self) -> CoreResult<TariffList> {
        self.send(|c, a| async move { c.tariffs(&a).await }).await
    }

    pub(crate) async fn services(&self) -> CoreResult<ServiceList> {
        self.send(|c, a| async move { c.services(&a).await }).await
    }

    pub(crate) async fn change_tariff(&self, tariff_id: &str) -> CoreResult<Charged> {
        self.send(|c, a| async move { c.change_tariff(&a, tariff_id).await })
            .await
    }

    pub(crate) async fn connect_service(&self, id: &str) -> CoreResult<Charged> {
        self.send(|c, a| async move { c.connect_service(&a, id).await })
            .await
    }

    pub(crate) async fn disconnect_service(&self, id: &str) -> CoreResult<Charged> {
        self.send(|c, a| async move { c.disconnect_service(&a, id).await })
            .await
    }

    pub(crate) async fn block(&self, req: &BlockRequest) -> CoreResult<BlockState> {
        self.send(|c, a| async move { c.block(&a, req).await })
            .await
    }

    pub(crate) async fn unblock(&self) -> CoreResult<BlockState> {
        self.send(|c, a| async move { c.unblock(&a).await }).await
    }

    pub(crate) async fn set_recovery_email(
        &self,
        req: &RecoveryEmailChange,
    ) -> CoreResult<RecoveryEmail> {
        self.send(|c, a| async move { c.set_recovery_email(&a, req).await })
            .await
    }

    // --- call detail (ACC-5) -----------------------------------------------------------------

    pub(crate) async fn calls(&self, q: &CallQuery) -> CoreResult<CallPage> {
        self.send(|c, a| async move { c.calls(&a, q).await }).await
    }

    pub(crate) async fn calls_monthly(&self) -> CoreResult<Vec<MonthSpend>> {
        self.send(|c, a| async move { c.calls_monthly(&a).await })
            .await
    }

    pub(crate) async fn order_printout(&self, req: &CallFilter) -> CoreResult<PrintoutOrdered> {
        self.send(|c, a| async move { c.order_printout(&a, req).await })
            .await
    }

    // --- linked numbers (ACC-7, SEC-6) -------------------------------------------------------

    pub(crate) async fn links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.send(|c, a| async move { c.links(&a).await }).await
    }

    pub(crate) async fn add_link(&self, req: &LinkRequest) -> CoreResult<LinkedAccount> {
        self.send(|c, a| async move { c.add_link(&a, req).await })
            .await
    }

    pub(crate) async fn remove_link(&self, login: &str) -> CoreResult<()> {
        self.send(|c, a| async move { c.remove_link(&a, login).await })
            .await
    }

    pub(crate) async fn linked_session(&self, login: &str) -> CoreResult<LoginResponse> {
        self.send(|c, a| async move { c.linked_session(&a, login).await })
            .await
    }

    pub(crate) async fn incoming_links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.send(|c, a| async move { c.incoming_links(&a).await })
            .await
    }

    pub(crate) async fn remove_incoming_link(&self, login: &str) -> CoreResult<()> {
        self.send(|c, a| async move { c.remove_incoming_link(&a, login).await })
            .await
    }

    // --- top-up (ACC-10) ---------------------------------------------------------------------

    pub(crate) async fn topup(&self, req: &TopUpRequest) -> CoreResult<TopUpResult> {
        self.send(|c, a| async move { c.topup(&a, req).await })
            .await
    }

    pub(crate) async fn topup_confirm(
        &self,
        payment_id: &str,
        req: &TopUpConfirm,
    ) -> CoreResult<TopUpResult> {
        self.send(|c, a| async move { c.topup_confirm(&a, payment_id, req).await })
            .await
    }
}
