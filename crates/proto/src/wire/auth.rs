//! The operator itself and the ways in: identity and time, captcha, SMS passwords, logins,
//! tokens, recovery, the agreement, passwords, sessions, activity, social links.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Login, PhoneNumber};

/// `GET /v1/info`: what this operator is and where its on-net gateway listens.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OperatorInfo {
    pub name: String,
    /// A stable identity, made with the operator's database and key (SEC-5): clients bind the
    /// refresh tokens they keep to it, so a token never goes to another operator.
    pub operator_id: String,
    pub version: String,
    /// Base URL of the on-net gateway (AUTH-7), as seen from this host.
    pub gateway_url: Option<String>,
    pub agreement_version: u32,
    pub now_ms: i64,
}

/// `GET /v1/time` (AUTH-13).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimeInfo {
    pub now_ms: i64,
}

// ---------------------------------------------------------------------------------------------
// Accounts and login
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Mobile,
    /// Home Internet and TV (contract).
    Home,
    /// Satellite TV (contract).
    Satellite,
    /// Internet banking: password only, no online recovery.
    Banking,
}

impl AccountKind {
    pub fn is_contract(self) -> bool {
        matches!(self, Self::Home | Self::Satellite)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Home => "home",
            Self::Satellite => "satellite",
            Self::Banking => "banking",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "mobile" => Self::Mobile,
            "home" => Self::Home,
            "satellite" => Self::Satellite,
            "banking" => Self::Banking,
            _ => return None,
        })
    }
}

/// `POST /v1/captcha`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Captcha {
    pub id: String,
    /// The PNG image, base64 (standard alphabet, padded).
    pub image_png_base64: String,
    pub expires_in_s: u64,
}

/// `POST /v1/auth/sms-password` (AUTH-4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SmsPasswordRequest {
    /// Any form AUTH-2 accepts on the wire; read into the one form while the body is read.
    pub phone: PhoneNumber,
    pub captcha_id: String,
    pub captcha_answer: String,
    /// The challenge an earlier request of this app returned, if it holds one: a resend while
    /// the code is valid then goes on with the same challenge and its tries (SEC-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SmsPasswordSent {
    /// Seconds before another request is accepted.
    pub resend_after_s: u64,
    /// Seconds the code stays valid.
    pub expires_in_s: u64,
    /// True when this request re-sent a code that was still valid.
    pub resent_same_code: bool,
    /// Requests left this hour for this number.
    pub requests_left_this_hour: u32,
    /// Opaque: the login with the code carries it. The tries at the code are counted per
    /// challenge, so a stranger guessing at the number spends only their own (SEC-2).
    pub challenge: String,
}

/// The device a session was opened from (shown in Activity, AUTH-11).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeviceInfo {
    pub name: String,
    pub platform: String,
}

/// `POST /v1/auth/login`: every way in, one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum LoginRequest {
    /// Permanent password; `login` is a phone number (any AUTH-2 form) or a contract number.
    Password {
        login: Login,
        password: String,
        #[serde(default)]
        device: Option<DeviceInfo>,
    },
    /// SMS one-time password (AUTH-4, AUTH-5).
    SmsCode {
        phone: PhoneNumber,
        code: String,
        /// The challenge of the request that sent the code (`SmsPasswordSent::challenge`). A
        /// code no request of this app sent (the 111 command's reply) is entered without one,
        /// on the code's shared tries (SEC-2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        challenge: Option<String>,
        #[serde(default)]
        device: Option<DeviceInfo>,
    },
    /// On-net identification: only accepted through the operator gateway (AUTH-7).
    OnNet {
        #[serde(default)]
        device: Option<DeviceInfo>,
    },
    /// A linked account of the simulated social network (AUTH-12).
    Social {
        provider: String,
        username: String,
        password: String,
        #[serde(default)]
        device: Option<DeviceInfo>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    Password,
    SmsCode,
    OnNet,
    Social,
    /// A session opened by switching to a linked account (ACC-7).
    Linked,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// The access token lapses after this many seconds without activity (AUTH-8).
    pub access_idle_timeout_s: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountRef {
    pub login: Login,
    pub kind: AccountKind,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoginResponse {
    pub tokens: TokenPair,
    pub account: AccountRef,
    pub session_id: String,
    pub method: LoginMethod,
    /// The System Use Agreement must be accepted before the account API answers (AUTH-10).
    pub agreement_required: bool,
    pub agreement_version: u32,
    /// Logged in by SMS password with no permanent password set: offer to set one (AUTH-4).
    pub offer_permanent_password: bool,
    /// A `25 <password>` request was completed by this login (AUTH-5).
    pub permanent_password_set: bool,
}

/// `POST /v1/auth/refresh` (AUTH-6).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /v1/auth/recovery`: e-mail a recovery code to a contract's address (AUTH-1, INBOX-2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecoveryRequest {
    pub contract: Login,
    /// A solved captcha, as for an SMS password (`POST /v1/captcha`): recovery codes follow the
    /// SMS code's rules (issue 11).
    pub captcha_id: String,
    pub captcha_answer: String,
    /// The challenge an earlier request returned, if any: a resend keeps it (SEC-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecoverySent {
    /// The address, masked (`a***@mail.example`).
    pub masked_email: String,
    pub expires_in_s: u64,
    /// Opaque: the confirmation carries it; the tries at the code are counted per challenge
    /// (SEC-2), for every contract alike (SEC-3).
    pub challenge: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecoveryConfirm {
    pub contract: Login,
    /// The challenge `POST /v1/auth/recovery` returned (`RecoverySent::challenge`).
    pub challenge: String,
    pub code: String,
    pub new_password: String,
}

/// `GET /v1/agreement` (AUTH-10).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Agreement {
    pub version: u32,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AcceptAgreement {
    pub version: u32,
}

/// `POST /v1/password` (AUTH-9). `old_password` may be left out only in a session opened by SMS
/// password, which already proved the subscriber holds the phone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChangePassword {
    #[serde(default)]
    pub old_password: Option<String>,
    pub new_password: String,
    #[serde(default)]
    pub sign_out_others: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PasswordChanged {
    pub other_sessions_revoked: u32,
}

/// `GET /v1/sessions` (AUTH-11).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SessionInfo {
    pub id: String,
    pub method: LoginMethod,
    pub device: DeviceInfo,
    pub created_ms: i64,
    pub last_seen_ms: i64,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Revoked {
    pub revoked: u32,
}

/// One row of the operator's audit log as the subscriber sees it (AUTH-11).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityEntry {
    pub id: i64,
    pub at_ms: i64,
    /// A stable action name: `login`, `login_failed`, `sms_password_requested`, `tariff_changed`…
    pub action: String,
    pub channel: String,
    pub device: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    /// Pass as `before` to get older entries.
    pub next_before: Option<i64>,
}

/// Social network links (AUTH-12).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SocialLinkRequest {
    pub provider: String,
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SocialLink {
    pub provider: String,
    pub username: String,
    pub linked_ms: i64,
}
