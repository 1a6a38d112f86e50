//! mymts-core: the brain of the mymts app, with no Tauri in it. The shell (src-tauri) and the
//! CLI call [`Core`]; the core calls the operator over HTTP.
//!
//! What lives where, from the bottom up:
//! - nouns, no I/O: [`domain`] (accounts, sessions, cached views, judged SMS, how a login or a
//!   mailbox address is read), [`error`] (`CoreError` and its codes), [`events`] (what the core
//!   announces, naming only nouns of [`domain`]), [`clock`];
//! - the things the core holds: [`client`] (the typed operator API, one method per endpoint, by
//!   door), [`cache`] (SQLite), [`vault`] (refresh tokens in the OS keyring), [`lock`] (one
//!   process per data dir);
//! - [`session`]: the signed-in sessions and the session-bound client (`AuthedClient`) every
//!   operation calls the operator through, with single-flight refresh, session ends and the
//!   inactivity clock;
//! - the verbs in [`ops`], one module per feature (auth, account, calls, links, activity,
//!   payments, boot, world, qa, inbox, troubleshoot, clockcheck), each an `impl Core` block.
//!   The shell and the CLI call only these: the parts above are the core's own (`client()`,
//!   `cache()`, `vault()` exist for the core's tests, behind the `inspect` feature).
//!
//! This file holds `Core` itself (one `Arc` of everything) and `CoreConfig`.

/// A named crash point (the `fail` crate), compiled in only with the `failpoints` feature that
/// the crash tests and `scripts/torture` enable. Its `return` action aborts the process at once,
/// as a kill -9 would (no destructor, no flush); `panic`, `sleep` and `pause` work as `fail`
/// defines them. The names are listed in docs/reliability.md.
#[macro_export]
#[doc(hidden)]
macro_rules! fail_point {
    ($name:literal) => {{
        #[cfg(feature = "failpoints")]
        if fail::eval($name, |_| ()).is_some() {
            std::process::abort();
        }
    }};
}

pub mod cache;
pub mod client;
pub mod clock;
pub mod domain;
pub mod error;
pub mod events;
pub mod lock;
pub mod ops;
pub mod session;
pub mod vault;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use mymts_proto::PhoneNumber;
use mymts_proto::wire::DeviceInfo;
use tokio::sync::broadcast;

pub use cache::Cache;
pub use client::{ApiClient, WorldDoor};
pub use clock::{Clock, ManualClock, SystemClock};
pub use domain::{Account, Cached, CallFilter, InboxMessage, Session, Verdict};
pub use error::{CoreError, CoreErrorCode, CoreResult, LocalErrorCode};
pub use events::{CoreEvent, EndReason};
pub use vault::Vault;

/// 20 minutes without activity end a session (AUTH-8).
pub const INACTIVITY_MS: i64 = 20 * 60 * 1000;

/// How a [`Core`] is set up.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// The operator's public API (`http://127.0.0.1:8700`).
    pub operator_url: String,
    /// The simulated world's door and token (SEC-1): phones, mailboxes, the QA API.
    pub world: Option<WorldDoor>,
    /// The simulated phone whose SIM is in this device (AUTH-7): it opens the data session the
    /// on-net gateway vouches for.
    pub device_sim: Option<PhoneNumber>,
    /// Where the cache lives; `None` keeps it in memory.
    pub data_dir: Option<PathBuf>,
    /// The keyring service name entries are filed under.
    pub keyring_service: String,
    pub device: DeviceInfo,
    pub clock: Arc<dyn Clock>,
    /// The operator runs inside this process on a port of the moment (the CLI's and the app's
    /// embedded one): its keyring entries are bound to its identity and "embedded" instead of
    /// an address that changes at every start (SEC-5).
    pub embedded_operator: bool,
    /// The core keeps live watchers itself (the app, INBOX-2, INBOX-3): the active account's
    /// phone and recovery mailbox, followed as accounts change, and the number an SMS code is
    /// requested for, watched before the request leaves. A one-shot caller (the CLI) leaves it
    /// off.
    pub follow_inbox: bool,
}

impl CoreConfig {
    pub fn new(operator_url: impl Into<String>) -> Self {
        Self {
            operator_url: operator_url.into(),
            world: None,
            device_sim: None,
            data_dir: None,
            keyring_service: vault::DEFAULT_SERVICE.to_string(),
            device: DeviceInfo {
                name: "mymts".into(),
                platform: std::env::consts::OS.into(),
            },
            clock: Arc::new(SystemClock),
            embedded_operator: false,
            follow_inbox: false,
        }
    }

    /// See [`CoreConfig::follow_inbox`].
    pub fn follow_inbox(mut self, yes: bool) -> Self {
        self.follow_inbox = yes;
        self
    }

    /// See [`CoreConfig::embedded_operator`].
    pub fn embedded_operator(mut self, yes: bool) -> Self {
        self.embedded_operator = yes;
        self
    }

    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Where the simulated world answers, and its token (SEC-1).
    pub fn world(mut self, door: Option<WorldDoor>) -> Self {
        self.world = door;
        self
    }

    /// The simulated phone whose SIM is in this device (AUTH-7).
    pub fn device_sim(mut self, number: Option<PhoneNumber>) -> Self {
        self.device_sim = number;
        self
    }

    pub fn keyring_service(mut self, s: impl Into<String>) -> Self {
        self.keyring_service = s.into();
        self
    }

    pub fn clock(mut self, c: Arc<dyn Clock>) -> Self {
        self.clock = c;
        self
    }

    pub fn device(mut self, name: impl Into<String>, platform: impl Into<String>) -> Self {
        self.device = DeviceInfo {
            name: name.into(),
            platform: platform.into(),
        };
        self
    }
}

/// The app's core. Cheap to clone; every clone is the same app.
#[derive(Clone)]
pub struct Core {
    pub(crate) inner: Arc<Inner>,
}

/// A hold on a [`Core`] that does not keep it alive: for the tasks the core itself keeps (its
/// inbox watchers), which end when it is gone.
#[derive(Clone)]
pub(crate) struct WeakCore(std::sync::Weak<Inner>);

impl WeakCore {
    pub(crate) fn upgrade(&self) -> Option<Core> {
        self.0.upgrade().map(|inner| Core { inner })
    }
}

pub(crate) struct Inner {
    pub(crate) client: ApiClient,
    pub(crate) vault: Vault,
    pub(crate) cache: Cache,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) events: broadcast::Sender<CoreEvent>,
    pub(crate) sessions: Mutex<session::Sessions>,
    pub(crate) device: DeviceInfo,
    pub(crate) device_sim: Option<PhoneNumber>,
    pub(crate) refresh_requests: AtomicU64,
    /// The operator's published identity (SEC-5), once asked; keyring entries are bound to it.
    pub(crate) operator_id: Mutex<Option<String>>,
    /// The cache file this core found damaged and set aside at start (CACHE-3), until the
    /// shell has told the user.
    pub(crate) healed: Mutex<Option<cache::Healed>>,
    /// Autologins run one at a time: two racing would present one refresh token twice, and the
    /// operator would take the replay for theft and revoke the device (AUTH-6).
    pub(crate) autologin_lock: tokio::sync::Mutex<()>,
    /// See [`CoreConfig::follow_inbox`].
    pub(crate) follow_inbox: bool,
    /// The live watchers this core keeps (with `follow_inbox`).
    pub(crate) watches: tokio::sync::Mutex<ops::inbox::InboxWatches>,
}

impl Core {
    pub fn new(config: CoreConfig) -> CoreResult<Self> {
        let client = ApiClient::new(&config.operator_url)?.with_world(config.world.clone());
        // A damaged cache is set aside and rebuilt, never a dead end (CACHE-3).
        let (cache, healed) = match &config.data_dir {
            Some(dir) => Cache::open_healing(&dir.join(cache::FILE), config.clock.now_ms(), true)?,
            None => (Cache::open_in_memory()?, None),
        };
        let (events, _) = broadcast::channel(256);
        client.reach().attach(events.clone());
        let vault = if config.embedded_operator {
            Vault::embedded(config.keyring_service)
        } else {
            Vault::new(config.keyring_service, client.base_url())?
        };
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                vault,
                cache,
                clock: config.clock,
                events,
                sessions: Mutex::new(session::Sessions::default()),
                device: config.device,
                device_sim: config.device_sim,
                refresh_requests: AtomicU64::new(0),
                operator_id: Mutex::new(None),
                healed: Mutex::new(healed),
                autologin_lock: tokio::sync::Mutex::new(()),
                follow_inbox: config.follow_inbox,
                watches: tokio::sync::Mutex::new(ops::inbox::InboxWatches::default()),
            }),
        })
    }

    // The parts the core holds, for tests that look inside (the `inspect` feature, which only
    // the core's own tests turn on): every caller outside goes through the operations.

    #[cfg(feature = "inspect")]
    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    #[cfg(feature = "inspect")]
    pub fn cache(&self) -> &Cache {
        &self.inner.cache
    }

    #[cfg(feature = "inspect")]
    pub fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    /// The damaged cache this core set aside at start, if any (CACHE-3). `take` hands it over
    /// once, so the user is told once.
    pub fn cache_healed(&self, take: bool) -> Option<cache::Healed> {
        let mut g = self.inner.healed.lock().ok()?;
        if take { g.take() } else { g.clone() }
    }

    /// The operator's published identity (SEC-5): asked once, then remembered for this core.
    pub async fn operator_id(&self) -> CoreResult<String> {
        if let Some(id) = self.inner.operator_id.lock().ok().and_then(|g| g.clone()) {
            return Ok(id);
        }
        self.operator_id_fresh().await
    }

    /// Asks the operator for its identity now and remembers it. An operator that names none is
    /// refused: its tokens could not be told from another operator's.
    pub async fn operator_id_fresh(&self) -> CoreResult<String> {
        Ok(self.operator_info().await?.operator_id)
    }

    /// What the operator publishes about itself now: its identity (remembered, as
    /// [`Core::operator_id_fresh`] does) and its on-net gateway (AUTH-7).
    pub async fn operator_info(&self) -> CoreResult<mymts_proto::wire::OperatorInfo> {
        let mut info = self.inner.client.info().await?;
        let id = info.operator_id.trim().to_string();
        // No `/`, `#` or `@` and no spaces: the keyring names built from it stay unambiguous.
        if id.is_empty()
            || id.len() > 128
            || id.contains(['/', '#', '@'])
            || id.chars().any(char::is_whitespace)
        {
            return Err(CoreError::Protocol(
                "the operator does not publish a usable identity".into(),
            ));
        }
        if let Ok(mut g) = self.inner.operator_id.lock() {
            *g = Some(id.clone());
        }
        info.operator_id = id;
        Ok(info)
    }

    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// Events for the shell: session ends, new SMS, keyring trouble.
    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.inner.events.subscribe()
    }

    /// Whether the operator answered the last request or stream event (`None` before the
    /// first); its changes go out as [`CoreEvent::OperatorStatus`].
    pub fn operator_reachable(&self) -> Option<bool> {
        self.inner.client.reach().last()
    }

    /// Runs `work` on this core in the background, when there is a runtime to run it on (a
    /// follow-up the core answers its own events with: it never holds up the caller).
    pub(crate) fn in_background<F, Fut>(&self, work: F)
    where
        F: FnOnce(Core) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(work(self.clone()));
        }
    }

    pub(crate) fn downgrade(&self) -> WeakCore {
        WeakCore(Arc::downgrade(&self.inner))
    }

    pub(crate) fn emit(&self, e: CoreEvent) {
        tracing::debug!(event = %e, "core event");
        // Another account is active, or none: the watchers follow it (the core's own answer to
        // its own event, not a caller's).
        let follow = matches!(
            e,
            CoreEvent::ActiveAccountChanged { .. } | CoreEvent::SessionEnded { .. }
        );
        let _ = self.inner.events.send(e);
        if follow {
            self.follow_soon();
        }
    }
}
