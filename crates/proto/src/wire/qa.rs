//! The lab's QA API (QA-1): captcha answers, faults, injected SMS and usage, the clock, the
//! demo accounts, the audit.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account::UsageKind;
use super::auth::AccountKind;

use crate::{Login, PhoneNumber};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaptchaAnswer {
    pub answer: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Faults {
    /// Added to every SMS delivery.
    #[serde(default)]
    pub sms_delay_ms: u64,
    /// 0.0–1.0: share of SMS lost.
    #[serde(default)]
    pub sms_drop_rate: f64,
    /// 0.0–1.0: share of API requests answered 503 `injected_fault`.
    #[serde(default)]
    pub error_rate: f64,
    /// Added to every API request.
    #[serde(default)]
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InjectSms {
    pub from: String,
    pub to: PhoneNumber,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordUsage {
    pub number: PhoneNumber,
    pub kind: UsageKind,
    /// Minutes, SMS, or megabytes.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AdvanceClock {
    pub seconds: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockState {
    pub now_ms: i64,
    pub offset_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemoAccount {
    pub kind: AccountKind,
    pub login: Login,
    pub password: String,
    pub name: String,
    pub balance_kop: i64,
    pub blocked: bool,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemoAccounts {
    pub accounts: Vec<DemoAccount>,
    /// Simulated social network accounts: `(provider, username, password, linked login)`.
    pub social: Vec<DemoSocial>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemoSocial {
    pub provider: String,
    pub username: String,
    pub password: String,
    pub linked_login: Option<String>,
}

/// One row of the hash-chained audit log, as the QA API returns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub login: Option<String>,
    pub action: String,
    pub channel: String,
    pub device: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditCheck {
    pub rows: i64,
    pub ok: bool,
    /// The first row whose hash does not match, when one does not.
    pub first_bad_id: Option<i64>,
}
