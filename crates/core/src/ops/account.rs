//! The account's views (ACC-1…5) through the cache (CACHE-1, CACHE-2): a read answers from
//! the operator and replaces the cached copy; when the operator cannot be reached it answers
//! the cached copy, marked stale. Actions are never queued: offline they fail.

use futures_util::Future;
use mymts_proto::wire::{
    AccountOverview, Balance, CallQuery, CallRecord, CallTotals, Charged, ServiceList, TariffList,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::domain::{Cached, CallFilter};
use crate::error::{CoreError, CoreResult};

pub const VIEW_BALANCE: &str = "balance";
pub const VIEW_OVERVIEW: &str = "overview";
pub const VIEW_TARIFFS: &str = "tariffs";
pub const VIEW_SERVICES: &str = "services";

/// A page of the call detail with the totals of everything the filter matches.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallsView {
    pub records: Vec<CallRecord>,
    pub totals: CallTotals,
}

impl Core {
    /// A cached view of `login`, marked stale: what the screen shows at once (CACHE-1).
    pub fn cached_view<T: DeserializeOwned>(
        &self,
        login: &str,
        view: &str,
    ) -> CoreResult<Option<Cached<T>>> {
        self.inner.cache.cached_view(login, view)
    }

    async fn fetch_view<T, F, Fut>(&self, view: &str, f: F) -> CoreResult<Cached<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Fn(String) -> Fut,
        Fut: Future<Output = CoreResult<T>>,
    {
        let login = self.active_login()?;
        match self.authed(f).await {
            Ok(v) => {
                let now = self.now_ms();
                self.inner.cache.put_view(&login, view, &v, now)?;
                Ok(Cached::fresh(v, now))
            }
            Err(CoreError::Unreachable(m)) => match self.cached_view(&login, view)? {
                Some(c) => Ok(c),
                None => Err(CoreError::Unreachable(m)),
            },
            Err(e) => Err(e),
        }
    }

    pub async fn balance(&self) -> CoreResult<Cached<Balance>> {
        let c = self.inner.client.clone();
        self.fetch_view(VIEW_BALANCE, move |a| {
            let c = c.clone();
            async move { c.balance(&a).await }
        })
        .await
    }

    pub async fn overview(&self) -> CoreResult<Cached<AccountOverview>> {
        let c = self.inner.client.clone();
        self.fetch_view(VIEW_OVERVIEW, move |a| {
            let c = c.clone();
            async move { c.account(&a).await }
        })
        .await
    }

    pub async fn tariffs(&self) -> CoreResult<Cached<TariffList>> {
        let c = self.inner.client.clone();
        self.fetch_view(VIEW_TARIFFS, move |a| {
            let c = c.clone();
            async move { c.tariffs(&a).await }
        })
        .await
    }

    pub async fn services(&self) -> CoreResult<Cached<ServiceList>> {
        let c = self.inner.client.clone();
        self.fetch_view(VIEW_SERVICES, move |a| {
            let c = c.clone();
            async move { c.services(&a).await }
        })
        .await
    }

    /// Changes the tariff (ACC-2). Refused offline; never queued.
    pub async fn change_tariff(&self, tariff_id: &str) -> CoreResult<Charged> {
        let (c, id) = (self.inner.client.clone(), tariff_id.to_string());
        self.authed(move |a| {
            let (c, id) = (c.clone(), id.clone());
            async move { c.change_tariff(&a, &id).await }
        })
        .await
    }

    pub async fn connect_service(&self, id: &str) -> CoreResult<Charged> {
        let (c, id) = (self.inner.client.clone(), id.to_string());
        self.authed(move |a| {
            let (c, id) = (c.clone(), id.clone());
            async move { c.connect_service(&a, &id).await }
        })
        .await
    }

    pub async fn disconnect_service(&self, id: &str) -> CoreResult<Charged> {
        let (c, id) = (self.inner.client.clone(), id.to_string());
        self.authed(move |a| {
            let (c, id) = (c.clone(), id.clone());
            async move { c.disconnect_service(&a, &id).await }
        })
        .await
    }

    /// Fetches the whole call detail and replaces the cached copy in one transaction.
    /// Returns the number of records.
    pub async fn sync_calls(&self) -> CoreResult<usize> {
        let login = self.active_login()?;
        let mut all: Vec<CallRecord> = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let q = CallQuery {
                cursor: cursor.clone(),
                limit: Some(5000),
                ..CallQuery::default()
            };
            let c = self.inner.client.clone();
            let page = self
                .authed(move |a| {
                    let (c, q) = (c.clone(), q.clone());
                    async move { c.calls(&a, &q).await }
                })
                .await?;
            all.extend(page.records);
            match page.next_cursor {
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                _ => break,
            }
        }
        let n = all.len();
        let cache = self.inner.cache.clone();
        let now = self.now_ms();
        tokio::task::spawn_blocking(move || cache.replace_calls(&login, &all, now))
            .await
            .map_err(|e| CoreError::Cache(e.to_string()))??;
        Ok(n)
    }

    /// The call detail from the cache: filter, search and totals from its indexes.
    pub fn cached_calls(
        &self,
        login: &str,
        filter: &CallFilter,
        limit: u32,
        offset: u32,
    ) -> CoreResult<Option<Cached<CallsView>>> {
        let Some((fetched_ms, _)) = self.inner.cache.calls_synced(login)? else {
            return Ok(None);
        };
        let records =
            self.inner
                .cache
                .query_calls(login, filter, limit.clamp(1, 100_000), offset)?;
        let totals = self.inner.cache.call_totals(login, filter)?;
        Ok(Some(Cached {
            value: CallsView { records, totals },
            fetched_ms,
            stale: true,
        }))
    }

    /// Syncs the call detail and answers `filter` from the fresh copy; offline, from the
    /// cached one (stale).
    pub async fn calls(
        &self,
        filter: &CallFilter,
        limit: u32,
        offset: u32,
    ) -> CoreResult<Cached<CallsView>> {
        let login = self.active_login()?;
        let synced = self.sync_calls().await;
        let view = self.cached_calls(&login, filter, limit, offset)?;
        match (synced, view) {
            (Ok(_), Some(mut v)) => {
                v.stale = false;
                Ok(v)
            }
            (Err(CoreError::Unreachable(_)), Some(v)) => Ok(v),
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(CoreError::Cache("the call detail was not stored".into())),
        }
    }
}
