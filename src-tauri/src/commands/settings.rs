//! App facts, start-up hand-off, settings, the clock check.

use mymts_core::CoreError;
use mymts_core::ops::clockcheck::ClockCheck;
use tauri::State;

use crate::Shell;
use crate::info::AppInfo;
use crate::settings::Settings;

#[tauri::command]
#[specta::specta]
pub fn app_info(shell: State<'_, Shell>) -> Result<AppInfo, CoreError> {
    shell
        .info
        .lock()
        .map(|i| i.clone())
        .map_err(|_| CoreError::Cache("app state unavailable".into()))
}

/// The UI's first frame shows `screen` ("home" or "login").
#[tauri::command]
#[specta::specta]
pub fn ui_ready(shell: State<'_, Shell>, screen: String) -> Result<(), CoreError> {
    shell.ui_ready(&screen);
    Ok(())
}

/// Saves the settings (JSON in the app config dir); `operator_url` applies on the next start.
#[tauri::command]
#[specta::specta]
pub fn settings_set(shell: State<'_, Shell>, settings: Settings) -> Result<Settings, CoreError> {
    let s = settings.validated()?;
    s.save(&shell.settings_path)?;
    if let Ok(mut g) = shell.settings.lock() {
        *g = s.clone();
    }
    Ok(s)
}

/// Settings → "Remember this device" off, once the user confirmed (issue 13, item 7): the core
/// forgets the accounts remembered at this operator (keyring entries and cache flags, so the
/// next start shows the login screen) and the login checkbox's default becomes off. The
/// sessions running now stay signed in until they end. Returns the saved settings.
#[tauri::command]
#[specta::specta]
pub async fn forget_device(shell: State<'_, Shell>) -> Result<Settings, CoreError> {
    let core = shell.core().await?;
    let forgotten = core.forget_device().await?;
    tracing::info!(accounts = forgotten.len(), "remember this device: off");
    let mut s = shell.settings();
    s.remember = false;
    s.save(&shell.settings_path)?;
    if let Ok(mut g) = shell.settings.lock() {
        *g = s.clone();
    }
    Ok(s)
}

#[tauri::command]
#[specta::specta]
pub async fn clock_check(shell: State<'_, Shell>) -> Result<ClockCheck, CoreError> {
    let core = shell.core().await?;
    core.clock_check().await
}
