//! What the core tells the shell without being asked: a tokio broadcast of [`CoreEvent`]s the
//! shell turns into screens and native notifications.

use mymts_proto::{Login, PhoneNumber};
use serde::Serialize;

use mymts_proto::wire::{AccountOverview, Mail};

use crate::domain::{Cached, InboxMessage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// 20 minutes without activity, noticed by the app or refused by the operator (AUTH-8).
    Inactivity,
    /// The operator revoked the session (another device, a replayed token, a password change).
    Revoked,
    /// The user pressed Exit.
    Exit,
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Inactivity => "inactivity",
            Self::Revoked => "revoked",
            Self::Exit => "exit",
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CoreEvent {
    SessionStarted {
        login: Login,
        kind: String,
    },
    /// "session ended: inactivity" and friends.
    SessionEnded {
        login: Login,
        reason: EndReason,
        /// The device still remembers the account (an idle end, AUTH-8): one autologin signs
        /// it in again.
        remembered: bool,
    },
    /// Home was fetched afresh because the operator said the account changed (a usage notice
    /// or tariff news by SMS, ACC-11): the screen shows it at once.
    HomeRefreshed {
        login: Login,
        home: Cached<AccountOverview>,
    },
    ActiveAccountChanged {
        login: Login,
    },
    /// The keyring could not save or read the remembered token; signing in still works.
    KeyringUnavailable {
        message: String,
    },
    /// A new SMS on a watched phone, already judged (INBOX-3).
    Sms {
        number: PhoneNumber,
        message: InboxMessage,
    },
    /// A new letter in a watched mailbox, in Inbox or Spam (INBOX-2).
    Mail {
        address: String,
        mail: Mail,
    },
    /// The operator became reachable or unreachable (ACC-1, CACHE-2): told by every request the
    /// core makes and by the SMS stream, once per change. The offline banner follows it alone.
    OperatorStatus {
        reachable: bool,
        message: Option<String>,
    },
    /// The inbox stream connected or dropped (it reconnects by itself).
    InboxStream {
        number: PhoneNumber,
        connected: bool,
    },
}

impl std::fmt::Display for CoreEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SessionStarted { login, .. } => write!(f, "session started: {login}"),
            Self::SessionEnded { reason, .. } => write!(f, "session ended: {reason}"),
            Self::ActiveAccountChanged { login } => write!(f, "active account: {login}"),
            Self::HomeRefreshed { login, .. } => write!(f, "home refreshed: {login}"),
            Self::KeyringUnavailable { message } => write!(f, "keyring unavailable: {message}"),
            Self::Sms { message, .. } => write!(f, "sms from {}", message.sender),
            Self::Mail { mail, .. } => write!(f, "mail from {}", mail.from),
            Self::OperatorStatus { reachable, .. } => write!(f, "operator reachable: {reachable}"),
            Self::InboxStream { connected, .. } => write!(f, "inbox stream connected: {connected}"),
        }
    }
}
