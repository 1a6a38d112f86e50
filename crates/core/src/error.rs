//! One error type for everything the core can fail at, with codes that never change meaning.
//!
//! Operator refusals keep the operator's [`ErrorCode`]; failures on this side get their own codes.
//! It serialises as `{code, message, attempts_left?, retry_after_s?, hint?}` so the shell can hand
//! it over IPC as it is. No variant ever carries a password, token or code.

use mymts_proto::{ApiErrorBody, ErrorCode, SUPPORT_NUMBER};
use serde::{Serialize, Serializer};

pub type CoreResult<T> = Result<T, CoreError>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// The operator refused; its code and message pass through.
    #[error("{}", .0.message)]
    Api(ApiErrorBody),
    #[error("The operator cannot be reached ({0}). Check the connection and try again.")]
    Unreachable(String),
    #[error(
        "The system keyring is not available ({0}). You can still sign in, but this device cannot remember you."
    )]
    KeyringUnavailable(String),
    #[error("The local cache failed: {0}")]
    Cache(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("Not signed in. Sign in first.")]
    NotSignedIn,
    #[error("The session ended after 20 minutes without activity. Sign in again.")]
    SessionInactive,
    #[error("The operator's answer could not be understood: {0}")]
    Protocol(String),
    #[error("A local file could not be written: {0}")]
    Io(String),
    /// Another process is using the data dir (one app per data dir).
    #[error("The data dir is busy: {0}")]
    Busy(String),
    /// The platform's fingerprint or face check did not pass (AUTH-14); nothing was signed in.
    #[error("The fingerprint or face check did not pass ({0}). Try again, or sign in another way.")]
    UnlockRefused(String),
}

impl CoreError {
    /// Stable snake_case code: the operator's for refusals, a local one otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Api(b) => b.code.as_str(),
            Self::Unreachable(_) => "unreachable",
            Self::KeyringUnavailable(_) => "keyring_unavailable",
            Self::Cache(_) => "cache",
            Self::InvalidInput(_) => "invalid_input",
            Self::NotSignedIn => "not_signed_in",
            Self::SessionInactive => "session_inactive",
            Self::Protocol(_) => "protocol",
            Self::Io(_) => "io",
            Self::UnlockRefused(_) => "unlock_refused",
            Self::Busy(_) => "busy",
        }
    }

    /// The operator's code, when the operator refused.
    pub fn api_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api(b) => Some(b.code),
            _ => None,
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.api_code() == Some(code)
    }

    pub fn attempts_left(&self) -> Option<u32> {
        match self {
            Self::Api(b) => b.attempts_left,
            _ => None,
        }
    }

    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            Self::Api(b) => b.retry_after_s,
            _ => None,
        }
    }

    /// What the user can do next.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Api(b) => b.hint.clone().or_else(|| match b.code {
                ErrorCode::CallSupport => Some(format!("Call support: {SUPPORT_NUMBER}.")),
                _ => None,
            }),
            Self::KeyringUnavailable(_) => Some(
                "Unlock or start the system keyring (Secret Service, Keychain, Credential Manager) to stay signed in."
                    .into(),
            ),
            Self::Unreachable(_) => Some("Cached data is shown where there is some.".into()),
            _ => None,
        }
    }

    pub(crate) fn cache(e: impl std::fmt::Display) -> Self {
        Self::Cache(e.to_string())
    }
}

impl From<mymts_proto::PhoneError> for CoreError {
    fn from(e: mymts_proto::PhoneError) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::cache(e)
    }
}

impl From<ApiErrorBody> for CoreError {
    fn from(b: ApiErrorBody) -> Self {
        Self::Api(b)
    }
}

/// The one shape every error crosses the IPC boundary in (and its TypeScript type).
#[derive(Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "CoreError")]
struct Shape {
    /// Stable snake_case code: the operator's `ErrorCode`, or `unreachable`,
    /// `keyring_unavailable`, `cache`, `invalid_input`, `not_signed_in`,
    /// `session_inactive`, `protocol`, `io`, `unlock_refused`, `busy`.
    code: String,
    /// One or two sentences for the user.
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts_left: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_s: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

impl Serialize for CoreError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Shape {
            code: self.code().to_string(),
            message: self.to_string(),
            attempts_left: self.attempts_left(),
            retry_after_s: self.retry_after_s(),
            hint: self.hint(),
        }
        .serialize(s)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for CoreError {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <Shape as specta::Type>::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_code_and_optional_fields() {
        let e = CoreError::Api(
            ApiErrorBody::new(ErrorCode::WrongCredentials, "Wrong password.").attempts_left(2),
        );
        let v = serde_json::to_value(&e).expect("json");
        assert_eq!(v["code"], "wrong_credentials");
        assert_eq!(v["message"], "Wrong password.");
        assert_eq!(v["attempts_left"], 2);
        assert!(v.get("retry_after_s").is_none());

        let v = serde_json::to_value(CoreError::KeyringUnavailable("no bus".into())).expect("json");
        assert_eq!(v["code"], "keyring_unavailable");
        assert!(v["hint"].is_string());
        assert_eq!(CoreError::NotSignedIn.code(), "not_signed_in");
        assert_eq!(CoreError::SessionInactive.code(), "session_inactive");
    }
}
