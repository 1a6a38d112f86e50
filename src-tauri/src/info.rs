//! Facts about this run of the app: its version, where the operator is, what the device offers.
//! Known before the window exists; the first frame and `app_info` show them.

use serde::{Deserialize, Serialize};

use crate::settings::Settings;

/// Facts about this run of the app (shown on the login screen).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    /// The operator runs inside the app (loopback, QA on, demo data).
    pub embedded: bool,
    /// Known once the operator is up (at once for a standalone one).
    pub operator_url: Option<String>,
    pub gateway_url: Option<String>,
    /// The QA API is on (embedded operator).
    pub qa: bool,
    pub platform: String,
    /// A fingerprint or face check is available (AUTH-14): the setting is offered.
    pub biometric: bool,
}

impl AppInfo {
    /// The user asked for a fingerprint or face check before autologin and the device has one
    /// (AUTH-14).
    pub fn unlock_wanted(&self, settings: &Settings) -> bool {
        self.biometric && settings.biometric_unlock
    }
}

/// The facts known at start: this build, and the operator's address when it is not embedded.
pub fn app_info(embedded: bool, operator_url: Option<String>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        embedded,
        operator_url,
        gateway_url: None,
        qa: embedded,
        platform: std::env::consts::OS.to_string(),
        biometric: false,
    }
}
