//! Request and response bodies of the operator's HTTP API.
//!
//! Times are epoch milliseconds (`*_ms`) by the operator's clock; money is kopecks (`*_kop`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Login, PhoneNumber};

// ---------------------------------------------------------------------------------------------
// Operator, time
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// The account
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PackageUse {
    pub used: i64,
    pub total: i64,
}

/// What is left of the month's package (ACC-1). Data is in megabytes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Packages {
    /// `YYYY-MM`.
    pub period: String,
    pub minutes: PackageUse,
    pub sms: PackageUse,
    pub data_mb: PackageUse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum UsageKind {
    Minutes,
    Sms,
    Data,
}

/// A usage notice the operator sent by SMS (ACC-11).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UsageNotice {
    pub kind: UsageKind,
    /// 80 or 100.
    pub percent: u8,
    pub at_ms: i64,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TariffRef {
    pub id: String,
    pub name: String,
    pub monthly_fee_kop: i64,
}

/// `GET /v1/account`: everything the home screen shows, in one call (ACC-1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountOverview {
    pub account: AccountRef,
    pub balance_kop: i64,
    pub currency: String,
    pub tariff: Option<TariffRef>,
    pub packages: Option<Packages>,
    pub blocked: bool,
    pub recovery_email: Option<String>,
    pub notices: Vec<UsageNotice>,
    pub as_of_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Balance {
    pub balance_kop: i64,
    pub currency: String,
    pub as_of_ms: i64,
}

/// A tariff (ACC-2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tariff {
    pub id: String,
    pub name: String,
    pub description: String,
    pub monthly_fee_kop: i64,
    /// Charged at once when switching to this tariff.
    pub change_fee_kop: i64,
    pub minutes: i64,
    pub sms: i64,
    pub data_mb: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TariffList {
    pub current_id: Option<String>,
    pub tariffs: Vec<Tariff>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChangeTariff {
    pub tariff_id: String,
}

/// The outcome of a paid or free action: what it cost and the balance after.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Charged {
    pub charged_kop: i64,
    pub balance_kop: i64,
}

/// A service (ACC-3). Prices depend on the subscriber's tariff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Service {
    pub id: String,
    pub name: String,
    pub description: String,
    pub connect_fee_kop: i64,
    pub monthly_fee_kop: i64,
    pub connected: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServiceList {
    pub services: Vec<Service>,
    /// Sum of the monthly fees of the connected services.
    pub monthly_total_kop: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Call,
    Sms,
    Data,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Sms => "sms",
            Self::Data => "data",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "call" => Self::Call,
            "sms" => Self::Sms,
            "data" => Self::Data,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outgoing,
    Incoming,
}

impl Direction {
    /// As the wire, the databases and the CSV files spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outgoing => "outgoing",
            Self::Incoming => "incoming",
        }
    }
}

/// One call-detail record (ACC-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallRecord {
    pub id: i64,
    pub at_ms: i64,
    pub kind: RecordKind,
    pub direction: Direction,
    /// The other party (a number), or the access point for data.
    pub party: String,
    /// Seconds, for calls.
    pub duration_s: i64,
    /// Kilobytes, for data.
    pub volume_kb: i64,
    pub cost_kop: i64,
}

/// What call detail to show (ACC-5): a period, a kind, and digits of the other party's number.
/// The app filters its cache by it, and the operator its records (`/v1/calls/order` takes it as
/// the body; the two `GET`s as [`CallQuery`]). A field left out is no bound (serde reads a
/// missing `Option` as `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallFilter {
    /// Inclusive lower bound, epoch ms.
    pub from_ms: Option<i64>,
    /// Exclusive upper bound, epoch ms.
    pub to_ms: Option<i64>,
    pub kind: Option<RecordKind>,
    /// Digits of the other party's number.
    pub search: Option<String>,
}

/// Query of `GET /v1/calls` and `GET /v1/calls/totals`: a [`CallFilter`] and a page. The
/// filter's fields are spelled out flat because a query string cannot nest it (serde's
/// `flatten` through `serde_urlencoded` reads every number as a string and refuses it); build
/// one with [`CallQuery::page`] and read the filter back with [`CallQuery::filter`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, utoipa::IntoParams)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// Inclusive lower bound, epoch ms.
    #[serde(default)]
    pub from_ms: Option<i64>,
    /// Exclusive upper bound, epoch ms.
    #[serde(default)]
    pub to_ms: Option<i64>,
    #[serde(default)]
    pub kind: Option<RecordKind>,
    /// Digits of the other party's number.
    #[serde(default)]
    pub search: Option<String>,
    /// Opaque cursor from the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size, 1–5000 (default 100).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl CallQuery {
    /// The page after `cursor` (the first page with none) of what `filter` matches.
    pub fn page(filter: CallFilter, cursor: Option<String>, limit: Option<u32>) -> Self {
        let CallFilter {
            from_ms,
            to_ms,
            kind,
            search,
        } = filter;
        Self {
            from_ms,
            to_ms,
            kind,
            search,
            cursor,
            limit,
        }
    }

    pub fn filter(&self) -> CallFilter {
        CallFilter {
            from_ms: self.from_ms,
            to_ms: self.to_ms,
            kind: self.kind,
            search: self.search.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallPage {
    /// Newest first.
    pub records: Vec<CallRecord>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindTotals {
    pub count: i64,
    pub duration_s: i64,
    pub volume_kb: i64,
    pub cost_kop: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallTotals {
    pub all: KindTotals,
    pub call: KindTotals,
    pub sms: KindTotals,
    pub data: KindTotals,
}

/// Spending of one month by kind, for the chart (ACC-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthSpend {
    /// `YYYY-MM`.
    pub month: String,
    pub calls_kop: i64,
    pub sms_kop: i64,
    pub data_kop: i64,
    pub subscriptions_kop: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrintoutOrdered {
    pub email: String,
    pub records: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BlockRequest {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BlockState {
    pub blocked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecoveryEmail {
    pub email: String,
}

/// A new recovery e-mail (ACC-8) with its proof (SEC-4): the current password, or nothing from a
/// session an SMS password opened in the last 10 minutes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecoveryEmailChange {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
}

/// Linked numbers (ACC-7).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LinkRequest {
    pub login: Login,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LinkedAccount {
    pub account: AccountRef,
    pub linked_ms: i64,
}

/// Top-up by a simulated card (ACC-10). Test cards: `4242 4242 4242 4242` succeeds,
/// `4000 0000 0000 0002` is declined, `4000 0000 0000 3220` needs a second step (a code the
/// bank sends by SMS).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopUpRequest {
    pub amount_kop: i64,
    pub card_number: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TopUpStatus {
    Succeeded,
    ActionRequired,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopUpResult {
    pub payment_id: String,
    pub status: TopUpStatus,
    pub balance_kop: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopUpConfirm {
    pub code: String,
}

// ---------------------------------------------------------------------------------------------
// The simulated world: phones, mailboxes
// ---------------------------------------------------------------------------------------------

/// A simulated phone's switches (INBOX-1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhoneState {
    pub number: PhoneNumber,
    pub airplane: bool,
    pub spam_blocker: bool,
    pub on_net: bool,
}

/// `POST /sim/phones/{number}/data-session` (world door, AUTH-7): the phone's SIM attaches to
/// the operator's mobile data. `session` is what travels with the device's traffic to the on-net
/// gateway (header [`crate::DATA_SESSION_HEADER`]); the gateway maps it to the number and vouches
/// for it while the phone stays on operator data.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct DataSession {
    pub session: String,
    pub number: PhoneNumber,
    /// Base URL of the on-net gateway this session travels through.
    pub gateway_url: Option<String>,
    pub expires_ms: i64,
}

impl std::fmt::Debug for DataSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSession")
            .field("number", &self.number)
            .field("gateway_url", &self.gateway_url)
            .field("expires_ms", &self.expires_ms)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhoneStatePatch {
    #[serde(default)]
    pub airplane: Option<bool>,
    #[serde(default)]
    pub spam_blocker: Option<bool>,
    #[serde(default)]
    pub on_net: Option<bool>,
}

/// An SMS in a phone's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sms {
    pub id: i64,
    pub sender: String,
    pub text: String,
    pub received_ms: i64,
}

/// `POST /sim/phones/{number}/send`: the phone's compose box.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ComposeSms {
    pub to: String,
    pub text: String,
}

/// What the SMS centre knows about deliveries to a number: the facts the "Code not arriving?"
/// troubleshooter reasons from (INBOX-4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeliveryReport {
    pub number: PhoneNumber,
    /// A subscriber of this operator has this number.
    pub registered: bool,
    pub airplane: bool,
    pub spam_blocker: bool,
    /// Messages waiting in the SMS centre (airplane mode, delay).
    pub held: u32,
    /// Service messages the spam blocker dropped in the last hour.
    pub blocked_by_spam_filter: u32,
    /// Messages lost to an injected drop fault in the last hour.
    pub dropped: u32,
    pub last_code_request_ms: Option<i64>,
    /// Seconds before a new SMS password may be requested (0 = now).
    pub resend_after_s: u64,
    /// Seconds the last code stays valid (0 = none valid).
    pub code_valid_for_s: u64,
    pub requests_left_this_hour: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MailFolder {
    Inbox,
    Spam,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Mail {
    pub id: i64,
    pub folder: MailFolder,
    pub from: String,
    pub subject: String,
    pub body: String,
    pub attachment: Option<Attachment>,
    pub received_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FilterAction {
    /// Deliver to Spam.
    Spam,
    /// Delete without delivering.
    Delete,
}

/// A mailbox rule: mail whose sender contains `from_contains` gets `action` (INBOX-2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailFilter {
    pub from_contains: String,
    pub action: FilterAction,
}

impl MailFilter {
    /// The filter that decides a letter from `sender`: the first, in order, whose text is in the
    /// sender's address, case-insensitively. The operator files mail by it and the app's
    /// troubleshooter explains by it, so both must read filters alike.
    pub fn deciding<'a>(filters: &'a [MailFilter], sender: &str) -> Option<&'a MailFilter> {
        let sender = sender.to_lowercase();
        filters
            .iter()
            .find(|f| sender.contains(&f.from_contains.to_lowercase()))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailboxState {
    pub address: String,
    pub quota_bytes: i64,
    pub used_bytes: i64,
    pub filters: Vec<MailFilter>,
    /// Letters refused because the mailbox was full, in the last day.
    pub bounced: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MoveMail {
    pub folder: MailFolder,
}

// ---------------------------------------------------------------------------------------------
// QA API (QA-1)
// ---------------------------------------------------------------------------------------------

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
