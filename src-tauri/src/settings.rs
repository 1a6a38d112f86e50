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

impl Language {
    /// The language to word things in: the chosen one, or for `System` the system's (Russian
    /// when its locale is, else English), as the UI picks it.
    pub fn resolved(self) -> Language {
        match self {
            Language::System => Self::of_locale(sys_locale::get_locale().as_deref()),
            chosen => chosen,
        }
    }

    fn of_locale(locale: Option<&str>) -> Language {
        if locale.is_some_and(|l| l.to_ascii_lowercase().starts_with("ru")) {
            Language::Ru
        } else {
            Language::En
        }
    }
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
    pub language: Language,
    pub theme: Theme,
    /// A standalone operator to use instead of the embedded one (applies on the next start).
    pub operator_url: Option<String>,
    /// That operator's simulated world door (SEC-1; its token comes from `MYMTS_WORLD_TOKEN`
    /// or `--world-token`, never from this file). Applies on the next start.
    pub world_url: Option<String>,
    /// The simulated phone whose SIM is in this device (AUTH-7). Applies on the next start.
    pub device_sim: Option<String>,
    /// "Remember this device" preselected on the login screen.
    pub remember: bool,
    /// Ask for a fingerprint or face before signing in a remembered account (AUTH-14).
    pub biometric_unlock: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::System,
            theme: Theme::System,
            operator_url: None,
            world_url: None,
            device_sim: None,
            remember: true,
            biometric_unlock: false,
        }
    }
}

impl Settings {
    /// Reads the file; missing keys take their defaults (files from older versions), and a
    /// missing or unreadable file gives the defaults (logged, never fatal).
    pub fn load(path: &Path) -> Self {
        let Ok(bytes) = std::fs::read(path) else {
            return Self::default();
        };
        let merged = serde_json::from_slice::<serde_json::Value>(&bytes).and_then(|saved| {
            let mut v = serde_json::to_value(Self::default())?;
            if let (Some(base), Some(saved)) = (v.as_object_mut(), saved.as_object()) {
                for (k, val) in saved {
                    base.insert(k.clone(), val.clone());
                }
            }
            serde_json::from_value(v)
        });
        merged.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "settings file unreadable; using defaults");
            Self::default()
        })
    }

    /// Checks and tidies what the UI sent.
    pub fn validated(mut self) -> Result<Self, CoreError> {
        self.operator_url = match self.operator_url.as_deref() {
            Some(u) if u.len() >= 512 => {
                return Err(CoreError::InvalidInput(
                    "The operator address is too long.".into(),
                ));
            }
            Some(u) => mymts_core::client::operator_url(u)?,
            None => None,
        };
        self.world_url = match self.world_url.as_deref() {
            Some(u) if u.len() >= 512 => {
                return Err(CoreError::InvalidInput(
                    "The world address is too long.".into(),
                ));
            }
            Some(u) => mymts_core::client::operator_url(u)?,
            None => None,
        };
        self.device_sim = match self.device_sim.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(
                mymts_proto::PhoneNumber::parse(n)
                    .map_err(|e| CoreError::InvalidInput(e.to_string()))?
                    .to_string(),
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_language_follows_the_locale_and_a_choice_wins() {
        assert_eq!(Language::of_locale(Some("ru-RU")), Language::Ru);
        assert_eq!(Language::of_locale(Some("RU")), Language::Ru);
        assert_eq!(Language::of_locale(Some("en-US")), Language::En);
        assert_eq!(Language::of_locale(Some("de-DE")), Language::En);
        assert_eq!(Language::of_locale(None), Language::En);
        assert_eq!(Language::Ru.resolved(), Language::Ru);
        assert_eq!(Language::En.resolved(), Language::En);
    }

    #[test]
    fn old_files_keep_their_values_and_gain_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("settings.json");
        std::fs::write(&p, r#"{"theme":"dark"}"#).expect("write");
        let s = Settings::load(&p);
        assert_eq!(s.theme, Theme::Dark);
        assert!(s.remember);
        assert!(!s.biometric_unlock, "an old file asks for no fingerprint");
        std::fs::write(&p, "not json").expect("write");
        assert_eq!(Settings::load(&p), Settings::default());
    }
}
