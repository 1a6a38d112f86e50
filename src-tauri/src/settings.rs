//! The app's settings (ACC-8): JSON in the app config dir. No secrets ever go here.

use std::path::Path;

use mymts_core::CoreError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ru,
    En,
    #[default]
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    #[default]
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Settings {
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub theme: Theme,
    /// A standalone operator to use instead of the embedded one (applies on the next start).
    #[serde(default)]
    pub operator_url: Option<String>,
    /// "Remember this device" preselected on the login screen.
    #[serde(default = "yes")]
    pub remember: bool,
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::System,
            theme: Theme::System,
            operator_url: None,
            remember: true,
        }
    }
}

impl Settings {
    /// Reads the file; a missing or unreadable one gives the defaults (logged, never fatal).
    pub fn load(path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "settings file unreadable; using defaults");
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    /// Checks and tidies what the UI sent.
    pub fn validated(mut self) -> Result<Self, CoreError> {
        self.operator_url = match self.operator_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) if (u.starts_with("http://") || u.starts_with("https://")) && u.len() < 512 => {
                Some(u.trim_end_matches('/').to_string())
            }
            Some(_) => {
                return Err(CoreError::InvalidInput(
                    "The operator address must start with http:// or https://.".into(),
                ));
            }
        };
        Ok(self)
    }

    /// Writes the file atomically (temp file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), CoreError> {
        let io = |e: std::io::Error| CoreError::Io(e.to_string());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| CoreError::Io(e.to_string()))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}
