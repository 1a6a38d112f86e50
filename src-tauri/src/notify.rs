//! Native notifications (INBOX-3): a genuine code raises one (title = sender, body with the
//! code). A courtesy only: the in-app inbox is the truth, and on Linux `show()` reports nothing
//! back (FIELD-NOTES). The code never reaches a log.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::{NotificationExt, PermissionState};

use crate::settings::Language;

/// The notification's body in the user's language.
pub fn body(language: Language, code: &str) -> String {
    match language.resolved() {
        Language::Ru => format!("Код: {code}"),
        Language::En | Language::System => format!("Code: {code}"),
    }
}

/// Blocks while a first-time permission prompt is on screen (Android 13+, iOS): call it off the
/// event forwarder.
pub fn code_arrived<R: Runtime>(app: &AppHandle<R>, sender: &str, code: &str, language: Language) {
    let n = app.notification();
    match n.permission_state() {
        Ok(PermissionState::Granted) => {}
        Ok(PermissionState::Denied) => {
            tracing::info!("notifications are denied; the code is in the app's inbox");
            return;
        }
        // Android 13+ and iOS ask at the first code.
        _ => match n.request_permission() {
            Ok(PermissionState::Granted) => {}
            _ => {
                tracing::info!("notification permission not granted");
                return;
            }
        },
    }
    let shown = n.builder().title(sender).body(body(language, code)).show();
    match shown {
        Ok(()) => tracing::info!(sender, "notified of a code"),
        Err(e) => tracing::warn!(error = %e, "notification failed; the code is in the app"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_in_the_users_language() {
        assert_eq!(body(Language::Ru, "482910"), "Код: 482910");
        assert_eq!(body(Language::En, "482910"), "Code: 482910");
    }
}
