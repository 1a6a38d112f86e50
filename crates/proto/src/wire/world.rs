//! The simulated world (SEC-1: its own door): phones, SMS, mailboxes and their letters.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PhoneNumber;

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
