//! The call detail (ACC-5): synced whole into the cache, then filtered, searched and totalled
//! there (CACHE-2); monthly spend and printouts from the operator; CSV export from the cache.

use std::path::{Path, PathBuf};

use mymts_proto::wire::{CallQuery, CallRecord, CallTotals, MonthSpend, PrintoutOrdered};
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::domain::{Cached, CallFilter};
use crate::error::{CoreError, CoreResult};

/// A page of the call detail with the totals of everything the filter matches.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallsView {
    pub records: Vec<CallRecord>,
    pub totals: CallTotals,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_row(r: &CallRecord) -> String {
    format!(
        "{},{},{},{},{},{},{}.{:02}\n",
        crate::clock::rfc3339(r.at_ms),
        r.kind.as_str(),
        r.direction.as_str(),
        csv_field(&r.party),
        r.duration_s,
        r.volume_kb,
        r.cost_kop / 100,
        (r.cost_kop % 100).abs()
    )
}

impl Core {
    /// Fetches the whole call detail and replaces the cached copy in one transaction.
    /// Returns the number of records.
    pub async fn sync_calls(&self) -> CoreResult<usize> {
        // Every page from the session active now, stored under its login.
        let api = self.authed()?;
        let login = api.login().to_string();
        let mut all: Vec<CallRecord> = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let q = CallQuery::page(CallFilter::default(), cursor.clone(), Some(5000));
            let page = api.calls(&q).await?;
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
        let Some((fetched_ms, records, totals)) =
            self.inner
                .cache
                .calls_view(login, filter, limit.clamp(1, 100_000), offset)?
        else {
            return Ok(None);
        };
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

    /// Totals of what `filter` matches, from the cache.
    pub fn calls_totals(&self, filter: &CallFilter) -> CoreResult<CallTotals> {
        let login = self.active_login()?;
        self.inner.cache.call_totals(&login, filter)
    }

    pub async fn calls_monthly(&self) -> CoreResult<Vec<MonthSpend>> {
        self.authed()?.calls_monthly().await
    }

    pub async fn calls_order(&self, filter: &CallFilter) -> CoreResult<PrintoutOrdered> {
        self.authed()?.order_printout(filter).await
    }

    /// Writes what `filter` matches in the cached call detail as CSV into `dir`; returns the
    /// file's path. The reading and writing run on a blocking thread.
    pub async fn calls_export_csv(&self, filter: &CallFilter, dir: &Path) -> CoreResult<PathBuf> {
        let login = self.active_login()?;
        let safe: String = login
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let path = dir.join(format!("mymts-calls-{safe}-{}.csv", self.now_ms()));
        let (me, filter, dir) = (self.clone(), filter.clone(), dir.to_path_buf());
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::Io(e.to_string()))?;
            let rows = me.inner.cache.query_calls(&login, &filter, u32::MAX, 0)?;
            let mut out = String::from("time,kind,direction,party,duration_s,volume_kb,cost_rub\n");
            for r in &rows {
                out.push_str(&csv_row(r));
            }
            std::fs::write(&path, out).map_err(|e| CoreError::Io(e.to_string()))?;
            Ok(path)
        })
        .await
        .map_err(|e| CoreError::Io(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
