//! The simulated mobile operator: self-care API, SMS centre, phones, mailboxes, on-net gateway and
//! QA API, as a library the app embeds and a binary QA labs run (`mymts-operator`).
//!
//! What lives where:
//! - [`doors`]: the three doors (public API, world door, on-net gateway): each mounts the routers
//!   of its features with the layers every request passes.
//! - [`http`]: what doors and handlers share of HTTP: extractors, the session extractor
//!   (`http/session.rs`), the request limits and the world door's guard.
//! - [`ops`]: the handlers, one room a feature: `auth/` (captcha, SMS passwords and the 111
//!   command, logins, social sign-in, tokens and sessions, recovery, password checks and the
//!   guess counters), `account/` (overview, tariffs, services, money, block, recovery e-mail,
//!   links, top-up, usage), `calls`, `mail/` (addresses, delivery, rows, routes), `phones` (the
//!   simulated phones), `sms_centre` (queueing and delivering SMS), `onnet`, `qa`, `meta`.
//! - [`db`]: the SQLite connection and migrations; [`db::accounts`] is the one `Account` type
//!   and every query on the `accounts` table.
//! - [`state`]: what every handler reaches ([`AppState`]), with the 111 command's hook that
//!   `start` registers, so the phones reach auth without importing it.
//! - [`seed`] the demo world; [`storage`] the files on disk; [`audit`], [`passwords`],
//!   [`secrets`], [`clock`] the keyed audit chain, argon2id, ids and tokens, time; [`gates`] the
//!   in-process gates before the guess counters; [`agreement`] the agreement version in force;
//!   `crash` the named crash points (`failpoints` feature); `testing` helpers for tests (the
//!   `testing` feature).
//!
//! Imports run one way (no module imports one that imports it back): `doors` → `ops` → `http`,
//! `state`, `db`, …; inside `ops`, `account` → `auth` → `mail`,
//! `sms_centre`, and `phones` → `sms_centre`.

pub mod agreement;
pub mod audit;
pub mod clock;
mod crash;
pub mod db;
pub mod doors;
pub mod error;
pub mod gates;
pub mod http;
pub mod ops;
pub mod passwords;
pub mod secrets;
pub mod seed;
pub mod state;
pub mod storage;
#[doc(hidden)]
#[cfg(feature = "testing")]
pub mod testing;

use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use agreement::AGREEMENT_VERSION;
#[cfg(feature = "failpoints")]
pub use crash::crash_points_from_env;
pub use error::{ApiError, ApiResult};
pub use state::AppState;

#[derive(Debug, Clone)]
pub struct Config {
    /// The database file; `None` keeps everything in memory (tests). The server key lives beside
    /// it as `<db>.key`.
    pub db_path: Option<PathBuf>,
    pub listen: SocketAddr,
    /// The on-net gateway's address; `None` runs without one.
    pub gateway_listen: Option<SocketAddr>,
    /// The simulated world's door (SEC-1): phones, mailboxes and, with `qa`, the QA API listen
    /// here and nowhere else.
    pub world_listen: SocketAddr,
    /// When set, every request to the world door must carry `Authorization: Bearer <token>`.
    pub world_token: Option<String>,
    /// Routes the QA API (QA-1) on the world door. Without it those paths do not exist.
    pub qa: bool,
}

impl Config {
    /// Loopback on random ports, in memory, QA on, a fresh random world token: what tests want.
    pub fn ephemeral() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            db_path: None,
            listen: any,
            gateway_listen: Some(any),
            world_listen: any,
            world_token: Some(secrets::new_token()),
            qa: true,
        }
    }

    /// The operator an app or the CLI starts inside itself when none is configured: loopback on
    /// random ports, QA on, a world token made fresh at each start and held only in the process
    /// (SEC-1), its world in `data_dir/operator.db` so it persists across runs.
    pub fn embedded(data_dir: &std::path::Path) -> Self {
        Self {
            db_path: Some(data_dir.join("operator.db")),
            ..Self::ephemeral()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the operator database: {0}")]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Files(#[from] storage::FilesError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the demo data: {0}")]
    Seed(String),
}

impl StartError {
    /// The database or its key file is damaged, or they do not belong together: nothing was
    /// changed, and a person must decide what to keep (the binary exits with code 3).
    pub fn is_damage(&self) -> bool {
        matches!(self, Self::Files(e) if e.is_damage())
    }
}

/// A started operator. Dropping it does not stop it; call [`Running::stop`].
pub struct Running {
    pub api_url: String,
    pub gateway_url: Option<String>,
    /// The simulated world's door (SEC-1).
    pub world_url: String,
    /// The token the world door asks for, when it asks for one.
    pub world_token: Option<String>,
    pub state: AppState,
    cancel: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and stops the SMS centre.
    pub async fn stop(self) {
        self.cancel.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
    }

    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// Opens (and on first start seeds) the database, binds both listeners and starts serving.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let (db, key) = match &config.db_path {
        Some(path) => storage::open(path)?,
        None => (db::Db::open_in_memory()?, secrets::ServerKey::random()),
    };
    // SEC-7: the audit chain's MAC, keyed from the key file; a world with the old unkeyed chain
    // is moved to the keyed one.
    db.with_conn(|c| {
        audit::install(c, key.derive_key("audit-chain"))?;
        audit::upgrade(c)
    })
    .map_err(|e| StartError::Seed(format!("{e:?}")))?
    .map_err(db::DbError::from)?;
    let offset = seed::load_clock_offset(&db).map_err(|e| StartError::Seed(format!("{e:?}")))?;
    let state = AppState::new(
        db,
        clock::Clock::with_offset(offset),
        key,
        config.qa,
        ops::auth::command_hook,
    );
    seed::seed_if_empty(&state).map_err(|e| StartError::Seed(format!("{e:?}")))?;

    let cancel = CancellationToken::new();
    let mut tasks = Vec::new();

    let api = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let api_addr = api.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;
    let api_url = format!("http://{api_addr}");

    let gateway_url = match config.gateway_listen {
        Some(addr) => {
            let gw = TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Listen { addr, source })?;
            let gw_addr = gw
                .local_addr()
                .map_err(|source| StartError::Listen { addr, source })?;
            let url = format!("http://{gw_addr}");
            if let Ok(mut g) = state.gateway_url.write() {
                *g = Some(url.clone());
            }
            tasks.push(serve(gw, doors::gateway_app(state.clone()), cancel.clone()));
            Some(url)
        }
        None => None,
    };
    let world = TcpListener::bind(config.world_listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.world_listen,
            source,
        })?;
    let world_addr = world.local_addr().map_err(|source| StartError::Listen {
        addr: config.world_listen,
        source,
    })?;
    let world_url = format!("http://{world_addr}");
    let door = http::world::WorldDoor::new(world_addr, config.world_token.as_deref());
    tasks.push(serve(
        world,
        doors::world_app(state.clone(), door),
        cancel.clone(),
    ));
    tasks.push(serve(api, doors::public_app(state.clone()), cancel.clone()));
    tasks.push(tokio::spawn(ops::sms_centre::delivery_loop(
        state.clone(),
        cancel.clone(),
    )));
    tracing::info!(%api_url, gateway = ?gateway_url, %world_url, qa = config.qa, "operator listening");
    Ok(Running {
        api_url,
        gateway_url,
        world_url,
        world_token: config.world_token,
        state,
        cancel,
        tasks,
    })
}

fn serve(
    listener: TcpListener,
    app: axum::Router,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move { cancel.cancelled().await };
        // Peers are recorded for per-client bounds (captchas).
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "listener stopped");
        }
    })
}
