//! What the first frame needs. Before the webview loads, the cached home view of the last active
//! account is read from SQLite (no keyring, no network) and handed to the page as
//! `window.__MYMTS_BOOT__`, so the UI paints the account in its first frame. Never a secret.

use std::path::Path;

use mymts_core::cache::Healed;
use mymts_core::ops::boot::{BootView, boot_view};
use mymts_core::{Account, Cache, Cached};
use mymts_proto::wire::AccountOverview;
use serde::{Deserialize, Serialize};

use crate::info::AppInfo;
use crate::settings::Settings;

/// What the first frame needs; also `commands.boot()`. Never a secret.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Boot {
    /// The last active remembered account.
    pub account: Option<Account>,
    /// Its cached home view (stale).
    pub home: Option<Cached<AccountOverview>>,
    /// Remembered accounts, most recent first.
    pub accounts: Vec<Account>,
    /// A fingerprint or face check comes before autologin (AUTH-14): `home` is withheld until
    /// it passes, and the UI offers "Unlock".
    pub locked: bool,
    /// The cache file was damaged and has been set aside and rebuilt at this start (CACHE-3):
    /// the UI says so, once.
    pub cache_healed: Option<Healed>,
    pub settings: Settings,
    pub app: AppInfo,
}

impl Boot {
    pub fn new(
        view: BootView,
        cache_healed: Option<Healed>,
        settings: Settings,
        app: AppInfo,
    ) -> Self {
        let locked = app.unlock_wanted(&settings) && view.account.is_some();
        Self {
            account: view.account,
            // Whoever holds the phone sees no balance before the check.
            home: if locked { None } else { view.home },
            accounts: view.accounts,
            locked,
            cache_healed,
            settings,
            app,
        }
    }

    /// The initialization script that hands the boot data to the page.
    pub fn script(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| "null".into());
        format!("window.__MYMTS_BOOT__ = {json};")
    }
}

/// Reads the boot view from the cache in `data_dir`; any trouble means an empty one. A file that
/// is no database (or a corrupt one) is set aside and a new cache made here, before the first
/// frame (CACHE-3); the thorough `quick_check` runs later, off the first frame's path, when the
/// core opens the cache.
pub fn read_view(data_dir: &Path) -> (BootView, Option<Healed>) {
    let path = data_dir.join(mymts_core::cache::FILE);
    if !path.exists() {
        return (BootView::default(), None);
    }
    let now = mymts_core::clock::system_now_ms();
    match Cache::open_healing(&path, now, false)
        .and_then(|(c, healed)| Ok((boot_view(&c)?, healed)))
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(code = e.code(), "cached views unreadable at start");
            (BootView::default(), None)
        }
    }
}
