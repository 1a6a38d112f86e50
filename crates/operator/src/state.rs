//! Everything a request handler can reach: the database, the clock, the hasher, the server key,
//! live channels for new SMS and mail, and the QA knobs.

use mymts_proto::wire::{Faults, Mail, Sms};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{Notify, broadcast};

use crate::clock::Clock;
use crate::db::Db;
use crate::passwords::Hasher;
use crate::secrets::ServerKey;

/// A captcha's answer lives only in memory: a restart voids pending captchas, which costs a
/// subscriber one retry and keeps answers out of the database.
#[derive(Debug, Clone)]
pub struct CaptchaEntry {
    pub answer: String,
    pub expires_ms: i64,
}

/// At most this many live captchas; the oldest are dropped first, so a flood cannot grow memory.
pub const CAPTCHA_CAP: usize = 10_000;

pub struct Inner {
    pub db: Db,
    pub clock: Clock,
    pub hasher: Hasher,
    pub key: ServerKey,
    pub captchas: Mutex<HashMap<String, CaptchaEntry>>,
    /// New SMS delivered to a phone: `(recipient, message)`.
    pub sms_tx: broadcast::Sender<(String, Sms)>,
    /// New mail delivered to a mailbox: `(address, letter)`.
    pub mail_tx: broadcast::Sender<(String, Mail)>,
    pub faults: RwLock<Faults>,
    pub qa: bool,
    /// Base URL of the on-net gateway, once it listens.
    pub gateway_url: RwLock<Option<String>>,
    /// Wakes the SMS centre's delivery loop when something is queued or a phone changes state.
    pub delivery_wake: Notify,
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
    pub fn new(db: Db, clock: Clock, key: ServerKey, qa: bool) -> Self {
        let (sms_tx, _) = broadcast::channel(1024);
        let (mail_tx, _) = broadcast::channel(256);
        Self(Arc::new(Inner {
            db,
            clock,
            hasher: Hasher::new(),
            key,
            captchas: Mutex::new(HashMap::new()),
            sms_tx,
            mail_tx,
            faults: RwLock::new(Faults::default()),
            qa,
            gateway_url: RwLock::new(None),
            delivery_wake: Notify::new(),
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
