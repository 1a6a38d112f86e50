//! Native notifications (INBOX-3): a genuine code raises one (title = sender, body with the
//! code). A courtesy only: the in-app inbox is the truth, and on Linux `show()` reports nothing
//! back (FIELD-NOTES). The code never reaches a log.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::{NotificationExt, PermissionState};

pub fn code_arrived<R: Runtime>(app: &AppHandle<R>, sender: &str, code: &str) {
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
    let shown = n
        .builder()
        .title(sender)
        .body(format!("Code: {code}"))
        .show();
    match shown {
        Ok(()) => tracing::info!(sender, "notified of a code"),
        Err(e) => tracing::warn!(error = %e, "notification failed; the code is in the app"),
    }
}
