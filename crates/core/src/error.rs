//! One error type for everything the core can fail at, with codes that never change meaning.
//!
//! Operator refusals keep the operator's [`ErrorCode`]; failures on this side get their own
//! [`LocalErrorCode`]; [`CoreErrorCode`] is either, and is the TypeScript union the UI matches on.
//! It serialises as `{code, message, attempts_left?, retry_after_s?, field?, hint?}` so the shell
//! can hand it over IPC as it is. No variant ever carries a password, token or code.

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
    /// The embedded operator's files in the data dir are damaged or do not belong together
    /// (CACHE-3): nothing was changed, and a person decides what to keep.
    #[error("The simulated operator's files in the data dir are damaged: {0}")]
    OperatorDamaged(String),
}

/// The codes of failures on this side of the operator. A local failure that means what an
/// operator code means (a bad input, an idle session) carries the operator's code instead.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr, strum::EnumIter,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LocalErrorCode {
    /// The operator could not be reached: cached data may still be shown.
    Unreachable,
    KeyringUnavailable,
    Cache,
    NotSignedIn,
    /// The operator's answer could not be understood.
    Protocol,
    Io,
    /// The fingerprint or face check did not pass (AUTH-14).
    UnlockRefused,
    /// Another process is using the data dir.
    Busy,
    /// The embedded operator's files in the data dir are damaged.
    OperatorDamaged,
}

impl LocalErrorCode {
    /// The snake_case name, as it crosses IPC.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every local code, for tests and documentation.
    pub fn all() -> impl Iterator<Item = LocalErrorCode> {
        <LocalErrorCode as strum::IntoEnumIterator>::iter()
    }
}

/// The code of any error of the core: the operator's [`ErrorCode`] or a [`LocalErrorCode`].
/// Serialises as the bare snake_case name (in TypeScript: `ErrorCode | LocalErrorCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum CoreErrorCode {
    Operator(ErrorCode),
    Local(LocalErrorCode),
}

impl CoreErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator(c) => c.as_str(),
            Self::Local(c) => c.as_str(),
        }
    }
}

impl CoreError {
    /// Stable snake_case code: the operator's for refusals, a local one otherwise.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The code as a type: what the UI matches on.
    pub fn error_code(&self) -> CoreErrorCode {
        use CoreErrorCode::{Local, Operator};
        match self {
            Self::Api(b) => Operator(b.code),
            Self::Unreachable(_) => Local(LocalErrorCode::Unreachable),
            Self::KeyringUnavailable(_) => Local(LocalErrorCode::KeyringUnavailable),
            Self::Cache(_) => Local(LocalErrorCode::Cache),
            Self::InvalidInput(_) => Operator(ErrorCode::InvalidInput),
            Self::NotSignedIn => Local(LocalErrorCode::NotSignedIn),
            Self::SessionInactive => Operator(ErrorCode::SessionInactive),
            Self::Protocol(_) => Local(LocalErrorCode::Protocol),
            Self::Io(_) => Local(LocalErrorCode::Io),
            Self::UnlockRefused(_) => Local(LocalErrorCode::UnlockRefused),
            Self::Busy(_) => Local(LocalErrorCode::Busy),
            Self::OperatorDamaged(_) => Local(LocalErrorCode::OperatorDamaged),
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

    /// The input field at fault, when the operator named one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Api(b) => b.field.as_deref(),
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

/// A login typed at an edge (the shell's commands, the CLI's arguments) that the rule refuses.
impl From<mymts_proto::LoginError> for CoreError {
    fn from(e: mymts_proto::LoginError) -> Self {
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
struct Shape<'a> {
    /// Stable snake_case code: the operator's, or one of this side.
    code: CoreErrorCode,
    /// One or two sentences for the user.
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts_left: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_s: Option<u64>,
    /// The input field at fault, as the operator names it (`phone`, `code`, `new_password`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

impl Serialize for CoreError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Shape {
            code: self.error_code(),
            message: self.to_string(),
            attempts_left: self.attempts_left(),
            retry_after_s: self.retry_after_s(),
            field: self.field(),
            hint: self.hint(),
        }
        .serialize(s)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for CoreError {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <Shape<'static> as specta::Type>::definition(types)
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

        let e = CoreError::Api(
            ApiErrorBody::new(ErrorCode::CodeWrong, "Wrong code.")
                .attempts_left(4)
                .field("code"),
        );
        let v = serde_json::to_value(&e).expect("json");
        assert_eq!(v["field"], "code", "the field crosses IPC: {v}");
        assert!(
            serde_json::to_value(CoreError::NotSignedIn)
                .expect("json")
                .get("field")
                .is_none()
        );
    }

    /// The codes the UI matches on are one set: a local code never shadows an operator code,
    /// and each serialises as the name `code()` gives.
    #[test]
    fn local_codes_are_apart_from_the_operators_and_serialise_by_name() {
        for l in LocalErrorCode::all() {
            assert!(
                ErrorCode::all().all(|c| c.as_str() != l.as_str()),
                "{} is an operator code too",
                l.as_str()
            );
            let json = serde_json::to_value(CoreErrorCode::Local(l)).expect("json");
            assert_eq!(json, l.as_str());
        }
        for c in ErrorCode::all() {
            let json = serde_json::to_value(CoreErrorCode::Operator(c)).expect("json");
            assert_eq!(json, c.as_str());
        }
        assert_eq!(CoreError::Busy("x".into()).code(), "busy");
        assert_eq!(
            CoreError::OperatorDamaged("x".into()).code(),
            "operator_damaged"
        );
        assert_eq!(CoreError::InvalidInput("x".into()).code(), "invalid_input");
    }
}
