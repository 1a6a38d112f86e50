//! The start-up view (ACC-1 at once, CACHE-1): the last active remembered account and its
//! cached home, read from the cache alone (no keyring, no network, no [`crate::Core`]), so the
//! first frame can show it.

use mymts_proto::wire::AccountOverview;
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::domain::{Account, Cached};
use crate::error::CoreResult;
use crate::ops::account::VIEW_OVERVIEW;

/// What the first frame shows: the last active remembered account and its cached home view.
/// Read from SQLite only; carries no secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BootView {
    pub account: Option<Account>,
    pub home: Option<Cached<AccountOverview>>,
    /// Remembered accounts, most recently used first.
    pub accounts: Vec<Account>,
}

/// Reads the [`BootView`] from a cache (before any [`Core`] or operator exists).
pub fn boot_view(cache: &Cache) -> CoreResult<BootView> {
    let accounts = cache.remembered_accounts()?;
    let Some(account) = accounts.first().cloned() else {
        return Ok(BootView::default());
    };
    let home = cache.cached_view::<AccountOverview>(&account.login, VIEW_OVERVIEW)?;
    Ok(BootView {
        account: Some(account),
        home,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_view_of_empty_cache_is_empty() {
        let c = Cache::open_in_memory().expect("cache");
        let b = boot_view(&c).expect("boot");
        assert!(b.account.is_none() && b.home.is_none() && b.accounts.is_empty());
    }
}
