//! The account: overview, balance, tariffs, services, call detail, block, recovery e-mail,
//! linked numbers, top-up.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::AccountRef;

use crate::Login;

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
