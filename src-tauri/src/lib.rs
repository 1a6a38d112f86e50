//! The mymts shell: a thin Tauri 2 layer over `mymts-core`. Commands live in [`commands`] (one
//! module per feature) and are registered in [`ipc`]; what every command reaches is [`state`].
//! The start-up path is [`start`], the first frame's data [`boot`], the facts of this run
//! [`info`], the fingerprint or face check [`unlock`]; the embedded operator is in [`operator`],
//! core events to typed UI events in [`events`] (the core follows accounts and watches inboxes
//! itself; the shell only forwards), native notifications in [`notify`]. Imports run
//! one way: `start` → `state` → `boot` → `info`, and `events` → `state`.

pub mod args;
pub mod boot;
pub mod commands;
pub mod events;
pub mod info;
pub mod ipc;
pub mod logs;
pub mod notify;
pub mod operator;
// Desktop only: phone webviews have no such switch.
#[cfg(desktop)]
pub mod render;
pub mod settings;
pub mod start;
pub mod state;
pub mod unlock;

pub use state::Shell;

/// Runs the app (desktop `main`, and the mobile entry point: Android loads the `cdylib` and calls
/// it from the activity, iOS calls it from `main` of the Xcode project; both are compiled by
/// `scripts/check-platforms`).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let started_ms = mymts_core::clock::system_now_ms();
    #[cfg(desktop)]
    render::prefer_cpu_painting();
    logs::init();
    let launch = args::Launch::from_process();
    let specta = ipc::builder::<tauri::Wry>();
    let builder = tauri::Builder::default();
    // First among the plugins, so a second copy exits before it touches anything.
    #[cfg(desktop)]
    let builder = builder.plugin(single_instance(&launch));
    let result = builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_biometric::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            start::setup(app, started_ms, launch)?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}

/// One app per data dir (AUTH-6): a second start on the same data dir hands over to the first,
/// whose window comes forward, and exits. On Linux the lock is a D-Bus name, made per data dir
/// when `--data-dir` is given (QA runs side by side each use their own); elsewhere one app.
#[cfg(desktop)]
fn single_instance<R: tauri::Runtime>(launch: &args::Launch) -> tauri::plugin::TauriPlugin<R> {
    use tauri::Manager as _;
    let mut b = tauri_plugin_single_instance::Builder::new().callback(|app, _argv, _cwd| {
        tracing::info!("a second start on this data dir: bringing the window forward");
        if let Some(w) = app.get_webview_window("main") {
            let _ = w.unminimize();
            let _ = w.show();
            let _ = w.set_focus();
        }
    });
    if let Some(dir) = &launch.data_dir {
        b = b.dbus_id(instance_id(dir));
    }
    b.build()
}

/// The D-Bus name of the app on `dir`: the same for every start on that folder.
#[cfg(desktop)]
pub fn instance_id(dir: &std::path::Path) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    // SipHash with fixed keys: stable across processes of one build.
    let mut h = std::hash::DefaultHasher::new();
    dir.hash(&mut h);
    format!("ru.mymts.app.d{:016x}", h.finish())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_platforms;
