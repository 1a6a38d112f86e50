//! Start-up. Before the webview loads, the cached home view of the last active account is read
//! from SQLite (no keyring, no network) and injected as `window.__MYMTS_BOOT__`, so the UI paints
//! the account in its first frame. Then, in the background: the operator (embedded unless one is
//! configured), the core, autologin from the keyring, and a refresh (`dataRefreshed`).

use std::path::{Path, PathBuf};

use mymts_core::cache::Healed;
use mymts_core::ops::shell::{BootView, boot_view};
use mymts_core::{Account, Cache, Cached, Core, CoreConfig, CoreError};
use mymts_proto::wire::AccountOverview;
use serde::{Deserialize, Serialize};
use tauri::{App, AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tokio::sync::{mpsc, watch};

use crate::events::{self, DataRefreshed};
use crate::operator::{self, Choice};
use crate::settings::Settings;
use crate::state::{AppInfo, Shell, ShellParts};

/// What the first frame needs; also `commands.boot()`. Never a secret.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Boot {
    /// The last active remembered account.
    pub account: Option<Account>,
    /// Its cached home view (stale).
    pub home: Option<Cached<AccountOverview>>,
    /// Remembered accounts, most recent first.
    pub accounts: Vec<Account>,
    /// A fingerprint or face check comes before autologin (AUTH-14): `home` is withheld until
    /// it passes, and the UI offers "Unlock".
    pub locked: bool,
    /// The cache file was damaged and has been set aside and rebuilt at this start (CACHE-3):
    /// the UI says so, once.
    pub cache_healed: Option<Healed>,
    pub settings: Settings,
    pub app: AppInfo,
}

impl Boot {
    pub fn new(
        view: BootView,
        cache_healed: Option<Healed>,
        settings: Settings,
        app: AppInfo,
    ) -> Self {
        let locked = crate::unlock::wanted(&app, &settings) && view.account.is_some();
        Self {
            account: view.account,
            // Whoever holds the phone sees no balance before the check.
            home: if locked { None } else { view.home },
            accounts: view.accounts,
            locked,
            cache_healed,
            settings,
            app,
        }
    }

    /// The initialization script that hands the boot data to the page.
    pub fn script(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| "null".into());
        format!("window.__MYMTS_BOOT__ = {json};")
    }
}

/// Reads the boot view from the cache in `data_dir`; any trouble means an empty one. A file that
/// is no database (or a corrupt one) is set aside and a new cache made here, before the first
/// frame (CACHE-3); the thorough `quick_check` runs later, off the first frame's path, when the
/// core opens the cache.
pub fn read_view(data_dir: &Path) -> (BootView, Option<Healed>) {
    let path = data_dir.join(mymts_core::cache::FILE);
    if !path.exists() {
        return (BootView::default(), None);
    }
    let now = mymts_core::clock::system_now_ms();
    match Cache::open_healing(&path, now, false)
        .and_then(|(c, healed)| Ok((boot_view(&c)?, healed)))
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(code = e.code(), "cached views unreadable at start");
            (BootView::default(), None)
        }
    }
}

pub fn app_info(embedded: bool, operator_url: Option<String>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        embedded,
        operator_url,
        gateway_url: None,
        qa: embedded,
        platform: std::env::consts::OS.to_string(),
        biometric: false,
    }
}

/// What the core is set up with besides the operator's address.
struct Wiring {
    keyring_service: Option<String>,
    /// A standalone operator's world door (SEC-1); the embedded one's is known once it runs.
    world: Option<mymts_core::WorldDoor>,
    /// The simulated phone whose SIM is in this device (AUTH-7).
    device_sim: Option<String>,
}

/// The world door of a standalone operator (SEC-1), when one is configured.
fn standalone_world(
    launch: &crate::args::Launch,
    settings: &Settings,
) -> Option<mymts_core::WorldDoor> {
    let url = launch
        .world
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| settings.world_url.clone())?;
    match mymts_core::WorldDoor::new(&url, launch.world_token.as_deref()) {
        Ok(d) => Some(d),
        Err(e) => {
            tracing::warn!(code = e.code(), "the world address is not usable");
            None
        }
    }
}

struct Dirs {
    data: PathBuf,
    config: PathBuf,
    export: PathBuf,
}

fn dirs<R: Runtime>(
    app: &AppHandle<R>,
    launch: &crate::args::Launch,
) -> Result<Dirs, Box<dyn std::error::Error>> {
    let p = app.path();
    // A data dir given at launch holds everything (a QA run must not touch the user's config).
    let (data, config) = match &launch.data_dir {
        Some(dir) => (dir.clone(), dir.clone()),
        None => {
            let data = p.app_data_dir()?;
            let config = p.app_config_dir().unwrap_or_else(|_| data.clone());
            (data, config)
        }
    };
    let export = p.download_dir().unwrap_or_else(|_| data.clone());
    std::fs::create_dir_all(&data)?;
    Ok(Dirs {
        data,
        config,
        export,
    })
}

/// The `setup` hook: boot data, the window, and the background start.
pub fn setup(
    app: &mut App,
    started_ms: i64,
    launch: crate::args::Launch,
) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    let d = dirs(&handle, &launch)?;
    crate::logs::to_file(&d.data);
    let settings_path = d.config.join("settings.json");
    let settings = Settings::load(&settings_path);
    let choice = operator::choose(launch.operator.clone(), settings.operator_url.as_deref());
    let mut info = match &choice {
        Choice::Standalone(url) => app_info(false, Some(url.clone())),
        Choice::Embedded => app_info(true, None),
    };
    info.biometric = crate::unlock::available(&handle);
    let unlocker = crate::unlock::unlocker(handle.clone());
    // A standalone operator's world door: the launch flag or env, else the saved address; its
    // token only from the launch (a secret never goes to the settings file).
    let world = standalone_world(&launch, &settings);
    let device_sim = launch
        .device_sim
        .clone()
        .or_else(|| settings.device_sim.clone());
    let (view, healed) = read_view(&d.data);
    let boot = Boot::new(view, healed, settings.clone(), info.clone());
    let script = boot.script();

    let (core_tx, core_rx) = watch::channel(None);
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    app.manage(Shell::new(
        ShellParts {
            info,
            boot,
            settings,
            settings_path,
            export_dir: d.export,
            started_ms,
        },
        core_rx,
        ev_tx,
    ));
    let _ = app.state::<Shell>().unlocker.set(unlocker);

    let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .initialization_script(&script);
    // A phone-sized window on the desktop; on a phone the one window is the screen.
    #[cfg(desktop)]
    let window = window
        .title("My MTS")
        .inner_size(420.0, 780.0)
        .min_inner_size(360.0, 560.0);
    window.build()?;

    let data_dir = d.data;
    tauri::async_runtime::spawn(async move {
        start_background(
            handle,
            choice,
            data_dir,
            Wiring {
                keyring_service: launch.keyring_service,
                world,
                device_sim,
            },
            core_tx,
            ev_rx,
        )
        .await;
    });
    Ok(())
}

/// The first frame needs the CPU more than the operator does: wait for it (at most 1.5 s).
async fn start_after_first_frame<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
) -> Result<operator::Embedded, mymts_operator::StartError> {
    let shell = app.state::<Shell>();
    let _ = tokio::time::timeout(
        std::time::Duration::from_millis(1500),
        shell.first_frame.notified(),
    )
    .await;
    operator::start_embedded(data_dir).await
}

async fn start_background<R: Runtime>(
    app: AppHandle<R>,
    choice: Choice,
    data_dir: PathBuf,
    wiring: Wiring,
    core_tx: watch::Sender<Option<Result<Core, CoreError>>>,
    ev_rx: mpsc::UnboundedReceiver<crate::state::ShellEvent>,
) {
    let embedded = matches!(choice, Choice::Embedded);
    let (url, world) = match choice {
        Choice::Standalone(url) => (url, wiring.world),
        Choice::Embedded => match start_after_first_frame(&app, &data_dir).await {
            Ok(op) => {
                let shell = app.state::<Shell>();
                if let Ok(mut i) = shell.info.lock() {
                    i.operator_url = Some(op.api_url.clone());
                    i.gateway_url = op.gateway_url.clone();
                }
                let url = op.api_url.clone();
                let world = Some(op.world.clone());
                // The operator lives as long as the app.
                app.manage(op);
                (url, world)
            }
            Err(e) => {
                tracing::error!(error = %e, "the embedded operator did not start");
                let _ = core_tx.send(Some(Err(CoreError::Unreachable(format!(
                    "the embedded operator did not start: {e}"
                )))));
                return;
            }
        },
    };
    let mut config = CoreConfig::new(url)
        .embedded_operator(embedded)
        .world(world)
        .device_sim(wiring.device_sim)
        .data_dir(&data_dir)
        .device("mymts app", std::env::consts::OS);
    if let Some(service) = wiring.keyring_service {
        config = config.keyring_service(service);
    }
    let core = match Core::new(config) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(code = e.code(), "the core did not start");
            let _ = core_tx.send(Some(Err(e)));
            return;
        }
    };
    if let Ok(info) = core.client().info().await {
        // A standalone operator names its own gateway (AUTH-7); the embedded one was set above.
        let shell = app.state::<Shell>();
        if let Ok(mut i) = shell.info.lock()
            && i.gateway_url.is_none()
        {
            i.gateway_url = info.gateway_url;
        }
    }
    let rx = core.subscribe();
    tauri::async_runtime::spawn(events::forward(app.clone(), core.clone(), rx, ev_rx));
    if let Some(healed) = core.cache_healed(true) {
        // Damage only `quick_check` found (the first frame's open could not see it).
        events::emit(&app, events::CacheHealed { healed });
    }
    core.spawn_inactivity_watch(std::time::Duration::from_secs(15));
    let _ = core_tx.send(Some(Ok(core.clone())));

    // Autologin from the keyring, then fresh data for the first frame's account.
    let shell = app.state::<Shell>();
    if shell.locked() {
        // The UI asks (one system prompt, on screen, with "Unlock" to ask again).
        tracing::info!("autologin waits for the fingerprint or face check");
        return;
    }
    let session = shell.autologin(&core).await;
    match session {
        Ok(Some(s)) => {
            let login = s.account.login.clone();
            if let Ok(data) = shell.observe(core.home(true).await) {
                let e = DataRefreshed {
                    login,
                    view: "home".into(),
                    data,
                };
                events::emit(&app, e);
            }
            events::follow_active_account(shell.inner(), &core).await;
        }
        Ok(None) => tracing::info!("no remembered account; login screen"),
        Err(e) => tracing::info!(code = e.code(), "autologin did not sign in"),
    }
}
