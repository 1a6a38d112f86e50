//! Everything a request handler can reach: the database, the clock, the hasher, the server key,
//! live channels for new SMS and mail, and the QA knobs.

use mymts_proto::PhoneNumber;
use mymts_proto::wire::{Faults, Mail, Sms};
use rusqlite::Transaction;
use std::collections::HashMap;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{Notify, broadcast};

use crate::clock::Clock;
use crate::db::Db;
use crate::error::ApiResult;
use crate::gates::Gates;
use crate::passwords::Hasher;
use crate::secrets::ServerKey;

/// Recipient of the sentinel the SMS centre broadcasts on shutdown on `sms_tx` and `mail_tx`, so
/// live SMS and mail streams end and graceful shutdown does not wait on them forever. No phone or
/// mailbox can have this name.
pub const SHUTDOWN_SENTINEL: &str = "\u{0}shutdown";

/// An open data session (AUTH-7): the SIM it vouches for and when it ends.
#[derive(Debug, Clone)]
pub struct DataSessionEntry {
    pub number: PhoneNumber,
    pub expires_ms: i64,
}

/// What the 111 command does inside the transaction that takes the SMS: `(tx, key, faults, now)`.
pub type CommandReply =
    Box<dyn FnOnce(&Transaction<'_>, &ServerKey, &Faults, i64) -> ApiResult<()> + Send>;

/// The hook through which the simulated phones hand an SMS to 111 to the command's handler
/// (AUTH-5): it reads the SMS `(state, from, text)` before any transaction (hashing a password
/// never holds the database) and answers what to do inside it. Registered at start
/// (`ops::auth::command_hook`), so the phones know nothing of auth.
pub type CommandHook =
    fn(
        &AppState,
        &str,
        &str,
    ) -> Pin<Box<dyn Future<Output = ApiResult<CommandReply>> + Send + 'static>>;

/// A captcha's answer lives only in memory: a restart voids pending captchas, which costs a
/// subscriber one retry and keeps answers out of the database.
#[derive(Debug, Clone)]
pub struct CaptchaEntry {
    pub answer: String,
    pub expires_ms: i64,
    /// Who asked for it: an IPv4 address, or an IPv6 /64 (one subscriber's network).
    pub client: Option<std::net::IpAddr>,
}

/// At most this many live captchas in all, so a flood cannot grow memory. When full, the client
/// holding the most gives up its oldest: a flood from a few addresses evicts its own captchas,
/// never a subscriber's one.
pub const CAPTCHA_CAP: usize = 10_000;
/// At most this many live captchas per client; asking for more drops that client's oldest.
pub const CAPTCHA_PER_CLIENT: usize = 20;

pub struct Inner {
    pub db: Db,
    pub clock: Clock,
    pub hasher: Hasher,
    pub key: ServerKey,
    pub captchas: Mutex<HashMap<String, CaptchaEntry>>,
    /// Guesses waiting their turn at a counter (SEC-2).
    pub guess_gates: Gates,
    /// New SMS delivered to a phone: `(recipient, message)`.
    pub sms_tx: broadcast::Sender<(String, Sms)>,
    /// New mail delivered to a mailbox: `(address, letter)`.
    pub mail_tx: broadcast::Sender<(String, Mail)>,
    pub faults: RwLock<Faults>,
    pub qa: bool,
    /// Base URL of the on-net gateway, once it listens.
    pub gateway_url: RwLock<Option<String>>,
    /// Open data sessions (AUTH-7): SHA-256 of the session secret → the SIM's number and when
    /// it ends. One per phone: opening another ends the previous one.
    pub data_sessions: Mutex<HashMap<[u8; 32], DataSessionEntry>>,
    /// Wakes the SMS centre's delivery loop when something is queued or a phone changes state.
    pub delivery_wake: Notify,
    /// The 111 command's handler (AUTH-5).
    pub command_hook: CommandHook,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, clock: Clock, key: ServerKey, qa: bool, command_hook: CommandHook) -> Self {
        let (sms_tx, _) = broadcast::channel(1024);
        let (mail_tx, _) = broadcast::channel(256);
        Self(Arc::new(Inner {
            db,
            clock,
            hasher: Hasher::new(),
            key,
            captchas: Mutex::new(HashMap::new()),
            guess_gates: Default::default(),
            sms_tx,
            mail_tx,
            faults: RwLock::new(Faults::default()),
            qa,
            gateway_url: RwLock::new(None),
            data_sessions: Mutex::new(HashMap::new()),
            delivery_wake: Notify::new(),
            command_hook,
        }))
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn faults(&self) -> Faults {
        self.faults.read().map(|f| f.clone()).unwrap_or_default()
    }

    pub fn gateway_url(&self) -> Option<String> {
        self.gateway_url.read().ok().and_then(|g| g.clone())
    }
}
