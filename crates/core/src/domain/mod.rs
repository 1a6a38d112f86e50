//! The nouns: accounts, sessions, cached views and judged SMS. No I/O here.

use mymts_proto::Login;
use mymts_proto::wire::{AccountKind, AccountRef, LoginMethod};
use serde::{Deserialize, Serialize};

/// A view as the cache had it or as just fetched. `stale` is true when it came from the cache
/// because the operator could not be asked (or has not been yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Cached<T> {
    pub value: T,
    /// When it was fetched from the operator (device clock, epoch ms).
    pub fetched_ms: i64,
    pub stale: bool,
}

impl<T> Cached<T> {
    pub fn fresh(value: T, fetched_ms: i64) -> Self {
        Self {
            value,
            fetched_ms,
            stale: false,
        }
    }

    pub fn age_ms(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(self.fetched_ms).max(0)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Cached<U> {
        Cached {
            value: f(self.value),
            fetched_ms: self.fetched_ms,
            stale: self.stale,
        }
    }
}

/// An account the app knows: signed in now, or remembered from earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    pub login: Login,
    pub kind: AccountKind,
    pub name: String,
}

impl From<AccountRef> for Account {
    fn from(a: AccountRef) -> Self {
        Self {
            login: a.login,
            kind: a.kind,
            name: a.name,
        }
    }
}

/// A signed-in session as the shell may see it: never its tokens.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Session {
    pub account: Account,
    pub session_id: String,
    pub method: LoginMethod,
    pub remembered: bool,
    pub agreement_required: bool,
    pub offer_permanent_password: bool,
    pub permanent_password_set: bool,
}

/// The filter of the call-detail view (ACC-5): the wire's, so the cache and the operator read one
/// type.
pub use mymts_proto::wire::CallFilter;

/// A mailbox address as the operator keys it (trimmed, lower case), checked for its shape only: a
/// name, one '@', a domain with a dot, at most 254 characters. Whether the mailbox exists is the
/// operator's answer.
pub fn mailbox_address(input: &str) -> Result<String, crate::CoreError> {
    let a = input.trim().to_lowercase();
    let shaped = a.chars().count() <= 254
        && a.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
    if !shaped {
        return Err(crate::CoreError::InvalidInput(
            "Enter an e-mail address: a name, '@' and a domain.".into(),
        ));
    }
    Ok(a)
}

/// How an SMS was judged by its sender and words (INBOX-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// From a service sender (`3339`, `111`), or a service's own alphanumeric sender (the bank's
    /// `BANK`) for that service's codes.
    Genuine,
    /// An ordinary number writing like the operator: likely fraud, never used to fill anything.
    Fraud,
    Other,
}

/// An SMS as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InboxMessage {
    pub id: i64,
    pub sender: String,
    pub text: String,
    /// The one-time code; only ever set for genuine senders.
    pub code: Option<String>,
    pub verdict: Verdict,
    pub received_ms: i64,
    pub received_at: String,
}
