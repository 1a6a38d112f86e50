//! Start-up: the `setup` hook reads the boot data ([`crate::boot`]) and opens the window with it;
//! then, in the background: the operator (embedded unless one is configured), the core, autologin
//! from the keyring, and a refresh (`dataRefreshed`).

use std::path::{Path, PathBuf};

use mymts_core::ops::auth::Resumed;
use mymts_core::ops::boot::BootView;
use mymts_core::{Core, CoreConfig, CoreError};
use tauri::{App, AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tokio::sync::watch;

use crate::boot::{Boot, read_view};
use crate::events::{self, DataRefreshed};
use crate::info::app_info;
use crate::operator::{self, Choice};
use crate::settings::Settings;
use crate::state::{Shell, ShellParts};

/// What the core is set up with besides the operator's address.
struct Wiring {
    keyring_service: Option<String>,
    /// A standalone operator's world door (SEC-1); the embedded one's is known once it runs.
    world: Option<mymts_core::WorldDoor>,
    /// The simulated phone whose SIM is in this device (AUTH-7).
    device_sim: Option<mymts_proto::PhoneNumber>,
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
        // A build without the simulator has nothing embedded to name (issue 14).
        Choice::Embedded => app_info(cfg!(feature = "embedded-operator"), None),
    };
    info.biometric = crate::unlock::available(&handle);
    let unlocker = crate::unlock::unlocker(handle.clone(), |app| {
        app.state::<Shell>().settings().language
    });
    // A standalone operator's world door: the launch flag or env, else the saved address; its
    // token only from the launch (a secret never goes to the settings file).
    let world = standalone_world(&launch, &settings);
    // Read here, once: the launch flag as typed, else the settings as saved (checked when
    // saved). A flag that is no number is said in the log and the saved SIM used instead.
    let sim = |n: &Option<String>, from: &str| {
        let n = n.as_deref().filter(|n| !n.trim().is_empty())?;
        mymts_proto::PhoneNumber::parse(n)
            .inspect_err(
                |e| tracing::warn!(error = %e, from, "the device SIM is not a phone number"),
            )
            .ok()
    };
    let device_sim =
        sim(&launch.device_sim, "--device-sim").or_else(|| sim(&settings.device_sim, "settings"));
    // One mymts per data dir (issue 12): the app holds the CLI's lock for as long as it runs.
    // Tried once here without waiting; while a CLI command holds it, the cache is not read (it
    // may be healing or writing it) and the background start waits for it.
    let lock = match mymts_core::lock::DataDirLock::try_acquire(&d.data) {
        Ok(Some(held)) => {
            app.manage(held);
            DirLock::Held
        }
        Ok(None) => {
            tracing::info!("another mymts is using the data dir; waiting for it");
            DirLock::Wait
        }
        Err(e) => DirLock::Failed(e),
    };
    let (view, healed) = match lock {
        DirLock::Held => read_view(&d.data),
        _ => (BootView::default(), None),
    };
    let boot = Boot::new(view, healed, settings.clone(), info.clone());
    let script = boot.script();

    let (core_tx, core_rx) = watch::channel(None);
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
            lock,
            data_dir,
            Wiring {
                keyring_service: launch.keyring_service,
                world,
                device_sim,
            },
            core_tx,
        )
        .await;
    });
    Ok(())
}

/// The data dir's lock at start-up (issue 12).
enum DirLock {
    /// Taken before the first frame; managed by the app until it exits.
    Held,
    /// A CLI command holds it: wait up to [`mymts_core::lock::APP_WAIT`] before anything starts.
    Wait,
    /// The lock file could not be made or locked.
    Failed(CoreError),
}

/// Waits for the CLI to finish with the data dir; then the app holds the lock until it exits.
/// After [`mymts_core::lock::APP_WAIT`] it refuses: every command answers `busy`, and the
/// login screen says why.
async fn take_lock_late<R: Runtime>(
    app: &AppHandle<R>,
    lock: DirLock,
    data_dir: &Path,
) -> Result<(), CoreError> {
    match lock {
        DirLock::Held => Ok(()),
        DirLock::Failed(e) => Err(e),
        DirLock::Wait => {
            let held = mymts_core::lock::DataDirLock::acquire(data_dir, mymts_core::lock::APP_WAIT)
                .await?;
            tracing::info!("the data dir is free; starting");
            app.manage(held);
            Ok(())
        }
    }
}

/// The first frame needs the CPU more than the operator does: wait for it (at most 1.5 s).
#[cfg(feature = "embedded-operator")]
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
    lock: DirLock,
    data_dir: PathBuf,
    wiring: Wiring,
    core_tx: watch::Sender<Option<Result<Core, CoreError>>>,
) {
    if let Err(e) = take_lock_late(&app, lock, &data_dir).await {
        tracing::error!(code = e.code(), error = %e, "the app does not start on this data dir");
        let _ = core_tx.send(Some(Err(e)));
        return;
    }
    let embedded = matches!(choice, Choice::Embedded);
    let (url, world) = match choice {
        Choice::Standalone(url) => (url, wiring.world),
        #[cfg(not(feature = "embedded-operator"))]
        Choice::Embedded => {
            let e = operator::none_configured();
            tracing::error!(code = e.code(), "no operator to talk to");
            let _ = core_tx.send(Some(Err(e)));
            return;
        }
        #[cfg(feature = "embedded-operator")]
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
                let _ = core_tx.send(Some(Err(operator::start_failure(e))));
                return;
            }
        },
    };
    let mut config = CoreConfig::new(url)
        .embedded_operator(embedded)
        .follow_inbox(true)
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
    if let Ok(info) = core.operator_info().await {
        // A standalone operator names its own gateway (AUTH-7); the embedded one was set above.
        let shell = app.state::<Shell>();
        if let Ok(mut i) = shell.info.lock()
            && i.gateway_url.is_none()
        {
            i.gateway_url = info.gateway_url;
        }
    }
    let rx = core.subscribe();
    tauri::async_runtime::spawn(events::forward(app.clone(), rx));
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
    match shell.resume(&core).await {
        Ok(Resumed::SignedIn(s)) => {
            let login = s.account.login.clone();
            if let Ok(data) = core.home(true).await {
                let e = DataRefreshed {
                    login,
                    view: "home".into(),
                    data,
                };
                events::emit(&app, e);
            }
        }
        Ok(Resumed::Offline { error, .. }) => {
            tracing::info!(
                code = error.code(),
                "offline; the cached account stays on screen"
            );
        }
        Ok(Resumed::Nobody) => tracing::info!("no remembered account; login screen"),
        Err(e) => tracing::info!(code = e.code(), "autologin did not sign in"),
    }
}
