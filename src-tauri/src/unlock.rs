//! AUTH-14: the platform's fingerprint or face check before autologin, through
//! tauri-plugin-biometric (Android and iOS; Touch ID on macOS). Where the platform has none the
//! plugin says so, and the setting is not offered.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_biometric::{AuthOptions, Biometric};

use crate::settings::Language;

/// Whether the device can check a fingerprint or face now. `false` without the plugin (the mock
/// runtime in tests) or without enrolled biometrics.
pub fn available<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<Biometric<R>>()
        .is_some_and(|b| b.status().is_ok_and(|s| s.is_available))
}

/// The check as the shell keeps it: runtime-free, so the commands stay plain.
pub type Unlocker =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// The check for `app`, in the language `language` reads from the settings when it runs.
pub fn unlocker<R: Runtime>(
    app: AppHandle<R>,
    language: fn(&AppHandle<R>) -> Language,
) -> Unlocker {
    Arc::new(move || {
        let app = app.clone();
        Box::pin(async move {
            let language = language(&app);
            check(app, language).await
        })
    })
}

/// What the system prompt says the check is for.
pub fn reason(language: Language) -> &'static str {
    match language.resolved() {
        Language::Ru => "Войти в Мой МТС",
        Language::En | Language::System => "Sign in to My MTS",
    }
}

/// Runs the system prompt; `Err` says why it did not pass (cancelled, no match, locked out).
pub async fn check<R: Runtime>(app: AppHandle<R>, language: Language) -> Result<(), String> {
    // The plugin call blocks until the user answers the system prompt.
    tauri::async_runtime::spawn_blocking(move || {
        let Some(b) = app.try_state::<Biometric<R>>() else {
            return Err("no fingerprint or face check on this device".to_string());
        };
        b.authenticate(
            reason(language).to_string(),
            AuthOptions {
                // The device PIN is the platform's own fallback for a finger that does not read.
                allow_device_credential: true,
                ..AuthOptions::default()
            },
        )
        .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}
