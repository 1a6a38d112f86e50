//! The account's views (ACC-1…4) through the cache (CACHE-1, CACHE-2): a read answers from
//! the operator and replaces the cached copy; when the operator cannot be reached it answers
//! the cached copy, marked stale. Changes (tariff, services, block, the recovery e-mail) are
//! never queued: offline they fail.

use mymts_proto::PhoneNumber;
use mymts_proto::wire::{
    AccountKind, AccountOverview, Balance, BlockRequest, BlockState, Charged, RecoveryEmail,
    RecoveryEmailChange, ServiceList, TariffList,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Core;
use crate::domain::Cached;
use crate::error::{CoreError, CoreResult};
use crate::events::CoreEvent;

pub const VIEW_BALANCE: &str = "balance";
pub const VIEW_OVERVIEW: &str = "overview";
pub const VIEW_TARIFFS: &str = "tariffs";
pub const VIEW_SERVICES: &str = "services";

impl Core {
    /// A cached view of `login`, marked stale: what the screen shows at once (CACHE-1).
    pub fn cached_view<T: DeserializeOwned>(
        &self,
        login: &str,
        view: &str,
    ) -> CoreResult<Option<Cached<T>>> {
        self.inner.cache.cached_view(login, view)
    }

    /// Keeps what the operator answered for `login`'s `view` in the cache; offline, answers the
    /// cached copy instead.
    fn keep_view<T>(&self, login: &str, view: &str, fetched: CoreResult<T>) -> CoreResult<Cached<T>>
    where
        T: Serialize + DeserializeOwned,
    {
        match fetched {
            Ok(v) => {
                let now = self.now_ms();
                self.inner.cache.put_view(login, view, &v, now)?;
                Ok(Cached::fresh(v, now))
            }
            Err(CoreError::Unreachable(m)) => match self.cached_view(login, view)? {
                Some(c) => Ok(c),
                None => Err(CoreError::Unreachable(m)),
            },
            Err(e) => Err(e),
        }
    }

    /// The home view (ACC-1): the cached copy when `refresh` is false and there is one,
    /// otherwise fresh from the operator (falling back to the cache offline).
    pub async fn home(&self, refresh: bool) -> CoreResult<Cached<AccountOverview>> {
        if !refresh {
            let login = self.active_login()?;
            if let Some(c) = self.cached_view::<AccountOverview>(&login, VIEW_OVERVIEW)? {
                return Ok(c);
            }
        }
        self.overview().await
    }

    /// A genuine operator SMS with no code on the active mobile account's phone (a usage
    /// notice, tariff news) means the account changed: home is fetched afresh in the background
    /// and announced as [`CoreEvent::HomeRefreshed`] (ACC-11). The rule is the core's, so every
    /// screen that shows home follows it.
    pub(crate) fn refresh_home_after_notice(&self, number: &PhoneNumber) {
        let Some(s) = self.current() else { return };
        if s.account.kind != AccountKind::Mobile || s.account.login.phone().as_ref() != Some(number)
        {
            return;
        }
        self.in_background(|core| async move {
            match core.overview().await {
                Ok(home) => core.emit(CoreEvent::HomeRefreshed {
                    login: home.value.account.login.clone(),
                    home,
                }),
                Err(e) => tracing::debug!(code = e.code(), "no fresh home after a notice SMS"),
            }
        });
    }

    pub async fn balance(&self) -> CoreResult<Cached<Balance>> {
        let api = self.authed()?;
        self.keep_view(api.login(), VIEW_BALANCE, api.balance().await)
    }

    pub async fn overview(&self) -> CoreResult<Cached<AccountOverview>> {
        let api = self.authed()?;
        let fresh = api.account().await;
        // A fresh overview may name a recovery mailbox the watchers do not follow yet.
        let followed = fresh.is_ok();
        let kept = self.keep_view(api.login(), VIEW_OVERVIEW, fresh);
        if followed {
            self.follow_soon();
        }
        kept
    }

    pub async fn tariffs(&self) -> CoreResult<Cached<TariffList>> {
        let api = self.authed()?;
        self.keep_view(api.login(), VIEW_TARIFFS, api.tariffs().await)
    }

    pub async fn services(&self) -> CoreResult<Cached<ServiceList>> {
        let api = self.authed()?;
        self.keep_view(api.login(), VIEW_SERVICES, api.services().await)
    }

    /// Changes the tariff (ACC-2). Refused offline; never queued.
    pub async fn change_tariff(&self, tariff_id: &str) -> CoreResult<Charged> {
        self.authed()?.change_tariff(tariff_id).await
    }

    pub async fn connect_service(&self, id: &str) -> CoreResult<Charged> {
        self.authed()?.connect_service(id).await
    }

    pub async fn disconnect_service(&self, id: &str) -> CoreResult<Charged> {
        self.authed()?.disconnect_service(id).await
    }

    /// Blocks the number (ACC-6).
    pub async fn block_number(&self) -> CoreResult<BlockState> {
        self.authed()?.block(&BlockRequest { reason: None }).await
    }

    pub async fn unblock_number(&self) -> CoreResult<BlockState> {
        self.authed()?.unblock().await
    }

    /// Sets the recovery e-mail (ACC-8); `current_password` is the proof SEC-4 asks for (none
    /// is needed within 10 minutes of an SMS-password sign-in).
    pub async fn set_recovery_email(
        &self,
        email: &str,
        current_password: Option<&str>,
    ) -> CoreResult<RecoveryEmail> {
        let email = email.trim();
        if !email.contains('@') || email.len() > 254 {
            return Err(CoreError::InvalidInput(
                "Enter an e-mail address like name@example.com.".into(),
            ));
        }
        let body = RecoveryEmailChange {
            email: email.to_string(),
            current_password: current_password
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        };
        self.authed()?.set_recovery_email(&body).await
    }
}
