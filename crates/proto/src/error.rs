//! One error body for every failure the operator reports, with codes that never change meaning.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Stable machine-readable error codes. Clients match on these, never on `message`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    /// The request body, query or path could not be read.
    BadRequest,
    /// A field is present but its value is not acceptable (see `field`).
    InvalidInput,
    InvalidPhone,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    /// No or an expired/unknown access token.
    Unauthorized,
    /// The access token expired after 20 minutes without activity (AUTH-8).
    SessionInactive,
    /// The session was revoked (exit, "sign out other devices", a replayed refresh token).
    SessionRevoked,
    InvalidRefreshToken,
    WrongCredentials,
    /// Password login is locked after three wrong passwords (AUTH-3).
    PasswordLocked,
    UnknownAccount,
    CaptchaWrong,
    CaptchaExpired,
    /// The SMS password is wrong; `attempts_left` says how many tries the code has left.
    CodeWrong,
    /// No valid SMS password: expired, used, burnt by 5 wrong entries, or never requested.
    CodeExpired,
    /// Too many SMS password requests; `retry_after_s` says when to try again.
    RateLimited,
    /// This kind of account has no SMS password (contracts, internet banking).
    SmsLoginUnavailable,
    /// Internet banking cannot get a temporary password online: call support.
    CallSupport,
    /// The on-net gateway does not vouch: the phone is not on the operator's data network.
    NotOnNet,
    /// An identity header arrived on the public listener (AUTH-7).
    IdentityHeaderRefused,
    WeakPassword,
    /// A sensitive change needs fresh proof (SEC-4): the current password, or, for an account
    /// with none, a session an SMS password opened in the last 10 minutes. `field` names the
    /// password field.
    FreshProofRequired,
    AgreementRequired,
    SocialNotLinked,
    SocialWrongCredentials,
    /// Balance ≤ 0 or short of the fee (ACC-4).
    InsufficientFunds,
    AlreadyConnected,
    NotConnected,
    AlreadyLinked,
    NotLinked,
    CardDeclined,
    PaymentStepRequired,
    DisposableEmail,
    NoRecoveryEmail,
    MailboxFull,
    NumberBlocked,
    Conflict,
    /// A fault injected through the QA API.
    InjectedFault,
    Internal,
}

impl ErrorCode {
    /// The HTTP status the operator answers with for this code.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest
            | InvalidInput
            | InvalidPhone
            | WeakPassword
            | DisposableEmail
            | IdentityHeaderRefused => 400,
            Unauthorized
            | SessionInactive
            | SessionRevoked
            | InvalidRefreshToken
            | WrongCredentials
            | CaptchaWrong
            | CaptchaExpired
            | CodeWrong
            | CodeExpired
            | SocialWrongCredentials => 401,
            InsufficientFunds | CardDeclined | PaymentStepRequired => 402,
            PasswordLocked | SmsLoginUnavailable | CallSupport | NotOnNet | AgreementRequired
            | FreshProofRequired | SocialNotLinked | NumberBlocked | NoRecoveryEmail => 403,
            NotFound | UnknownAccount | NotLinked | NotConnected => 404,
            MethodNotAllowed => 405,
            AlreadyConnected | AlreadyLinked | Conflict | MailboxFull => 409,
            PayloadTooLarge => 413,
            RateLimited => 429,
            Internal => 500,
            InjectedFault => 503,
        }
    }

    /// The snake_case name, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every code, for tests and documentation.
    pub fn all() -> impl Iterator<Item = ErrorCode> {
        <ErrorCode as strum::IntoEnumIterator>::iter()
    }
}

/// The body of every error response: `{code, message, ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{code:?}: {message}")]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    /// A sentence for people, in English. Clients translate by `code`.
    pub message: String,
    /// Password or code attempts left before a lock or burn (AUTH-3, AUTH-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// Seconds until the request may be repeated (AUTH-4 resend limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    /// The input field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What the user can do next (e.g. how to link a social account, the support number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ApiErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            attempts_left: None,
            retry_after_s: None,
            field: None,
            hint: None,
        }
    }
    pub fn attempts_left(mut self, n: u32) -> Self {
        self.attempts_left = Some(n);
        self
    }
    pub fn retry_after(mut self, s: u64) -> Self {
        self.retry_after_s = Some(s);
        self
    }
    pub fn field(mut self, f: impl Into<String>) -> Self {
        self.field = Some(f.into());
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_a_name() {
        for c in ErrorCode::all() {
            let s = serde_json::to_string(&c).expect("serialize");
            let back: ErrorCode = serde_json::from_str(&s).expect("deserialize");
            assert_eq!(c, back);
            assert_eq!(format!("\"{}\"", c.as_str()), s);
            assert!((400..600).contains(&c.http_status()));
        }
    }
}
