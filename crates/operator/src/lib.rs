//! The simulated mobile operator: self-care API, SMS centre, phones, mailboxes, on-net gateway and
//! QA API, as a library the app embeds and a binary QA labs run (`mymts-operator`).
//!
//! What lives where: [`http`] the three doors (public API, world door, on-net gateway) and the
//! session extractor; [`ops`] the handlers by feature (`auth/`, account, calls, mail, phones,
//! onnet, qa, meta); [`db`] the SQLite pool and migrations; [`state`] what every handler reaches;
//! [`seed`] the demo world; [`audit`], [`passwords`], [`secrets`], [`clock`] the keyed audit
//! chain, argon2id, ids and tokens, time; `testing` helpers for tests (the `testing` feature).

/// A named crash point: nothing at all unless the crate is built with the `failpoints` feature;
/// then the `fail` crate drives it from `FAILPOINTS` (see [`crash_points_from_env`]) or from
/// `fail::cfg` in a test. The names are listed in docs/testing.md.
macro_rules! crash_point {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name);
    };
}
pub(crate) use crash_point;

pub mod audit;
pub mod clock;
pub mod db;
pub mod error;
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

pub use error::{ApiError, ApiResult};
pub use state::AppState;

/// The System Use Agreement's current version (AUTH-10). Raising it asks everyone again.
pub const AGREEMENT_VERSION: u32 = 1;

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

/// Reads the fail points to arm from `FAILPOINTS` (e.g. `rotation.committed=panic`) and makes a
/// fail point's panic a crash of the whole process, at that instruction, as `kill -9` would
/// leave it: no destructor, no flush, no rollback. For binaries built with `failpoints` only.
#[cfg(feature = "failpoints")]
pub fn crash_points_from_env() -> fail::FailScenario<'static> {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failpoint ") {
            eprintln!("{message}: crashing here");
            std::process::abort();
        }
        default(info);
    }));
    fail::FailScenario::setup()
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
    let state = AppState::new(db, clock::Clock::with_offset(offset), key, config.qa);
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
            tasks.push(serve(gw, http::gateway_app(state.clone()), cancel.clone()));
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
        http::world_app(state.clone(), door),
        cancel.clone(),
    ));
    tasks.push(serve(api, http::public_app(state.clone()), cancel.clone()));
    tasks.push(tokio::spawn(ops::phones::delivery_loop(
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
