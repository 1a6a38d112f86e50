//! Cached views (CACHE-1): the last answer of each of an account's screens, as JSON, with
//! when it was fetched.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Cache;
use crate::domain::Cached;
use crate::error::{CoreError, CoreResult};

impl Cache {
    pub fn put_view<T: Serialize>(
        &self,
        account: &str,
        view: &str,
        value: &T,
        fetched_ms: i64,
    ) -> CoreResult<()> {
        let json = serde_json::to_string(value).map_err(CoreError::cache)?;
        self.conn()?.execute(
            "INSERT INTO views (account, view, json, fetched_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, view) DO UPDATE SET json = ?3, fetched_ms = ?4",
            params![account, view, json, fetched_ms],
        )?;
        Ok(())
    }

    /// The cached view and when it was fetched. A row that no longer parses (an older app
    /// version) reads as absent.
    pub fn view<T: DeserializeOwned>(
        &self,
        account: &str,
        view: &str,
    ) -> CoreResult<Option<(T, i64)>> {
        let row: Option<(String, i64)> = self
            .conn()?
            .query_row(
                "SELECT json, fetched_ms FROM views WHERE account = ?1 AND view = ?2",
                params![account, view],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(j, at)| serde_json::from_str(&j).ok().map(|v| (v, at))))
    }

    /// A view as the screen shows it at once, before any refresh: marked stale (CACHE-1).
    pub fn cached_view<T: DeserializeOwned>(
        &self,
        account: &str,
        view: &str,
    ) -> CoreResult<Option<Cached<T>>> {
        Ok(self
            .view::<T>(account, view)?
            .map(|(value, fetched_ms)| Cached {
                value,
                fetched_ms,
                stale: true,
            }))
    }
}
