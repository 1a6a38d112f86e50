//! What every command can reach: the core (once the operator is up), the app's facts and
//! settings, the inbox watchers, and a channel to the UI-event forwarder.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mymts_core::ops::auth::Resumed;
use mymts_core::{Core, CoreError};
use tokio::sync::watch;

use crate::boot::Boot;
use crate::info::AppInfo;
use crate::settings::Settings;
use crate::unlock::Unlocker;

pub struct Shell {
    core: watch::Receiver<Option<Result<Core, CoreError>>>,
    pub info: Mutex<AppInfo>,
    /// What the first frame got; never changes (the boot command adds the current facts).
    pub boot: Boot,
    pub settings: Mutex<Settings>,
    pub settings_path: PathBuf,
    /// Where CSV exports go: the user's downloads, else the data dir.
    pub export_dir: PathBuf,
    pub startup_marker: bool,
    ready_printed: AtomicBool,
    /// Signalled at the UI's first frame: the embedded operator starts after it (2 cores).
    pub first_frame: tokio::sync::Notify,
    /// The platform's fingerprint or face check, set at start-up (AUTH-14).
    pub unlocker: std::sync::OnceLock<Unlocker>,
    pub started_ms: i64,
}

/// How long a command waits for the embedded operator to come up.
const CORE_WAIT: Duration = Duration::from_secs(30);

pub struct ShellParts {
    pub info: AppInfo,
    pub boot: Boot,
    pub settings: Settings,
    pub settings_path: PathBuf,
    pub export_dir: PathBuf,
    pub started_ms: i64,
}

impl Shell {
    pub fn new(parts: ShellParts, core: watch::Receiver<Option<Result<Core, CoreError>>>) -> Self {
        Self {
            core,
            info: Mutex::new(parts.info),
            boot: parts.boot,
            settings: Mutex::new(parts.settings),
            settings_path: parts.settings_path,
            export_dir: parts.export_dir,
            startup_marker: std::env::var("MYMTS_STARTUP_MARKER").is_ok_and(|v| v == "1"),
            ready_printed: AtomicBool::new(false),
            first_frame: tokio::sync::Notify::new(),
            unlocker: std::sync::OnceLock::new(),
            started_ms: parts.started_ms,
        }
    }

    /// The core, waiting (a while) for the embedded operator to start.
    pub async fn core(&self) -> Result<Core, CoreError> {
        let mut rx = self.core.clone();
        let ready = tokio::time::timeout(CORE_WAIT, rx.wait_for(Option::is_some)).await;
        match ready {
            Ok(Ok(v)) => match v.as_ref() {
                Some(r) => r.clone(),
                None => Err(starting()),
            },
            _ => Err(starting()),
        }
    }

    /// Resumes a remembered device through the core's one path (AUTH-6, CACHE-2); the core runs
    /// one autologin at a time, so the start-up one and the UI's share the outcome. Behind the
    /// fingerprint or face check when the user asked for it (AUTH-14).
    pub async fn resume(&self, core: &Core) -> Result<Resumed, CoreError> {
        if let Some(unlock) = self.unlocker.get()
            && self.locked()
        {
            return core.resume_unlocked(|| unlock()).await;
        }
        core.resume().await
    }

    /// Autologin waits for a fingerprint or face check (AUTH-14).
    pub fn locked(&self) -> bool {
        let settings = self.settings();
        self.unlocker.get().is_some() && self.info.lock().is_ok_and(|i| i.unlock_wanted(&settings))
    }

    /// The core if it is up, without waiting.
    pub fn core_now(&self) -> Option<Core> {
        self.core
            .borrow()
            .as_ref()
            .and_then(|r| r.as_ref().ok().cloned())
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Prints `READY <epoch ms>` once, when asked to (start-up measurements).
    pub fn ui_ready(&self, screen: &str) {
        let now = mymts_core::clock::system_now_ms();
        self.first_frame.notify_one();
        if self.ready_printed.swap(true, Ordering::SeqCst) {
            return;
        }
        tracing::info!(
            screen,
            since_start_ms = now - self.started_ms,
            "first frame"
        );
        if self.startup_marker {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "READY {now}");
            let _ = out.flush();
        }
    }
}

fn starting() -> CoreError {
    CoreError::Unreachable("the operator is still starting".into())
}
