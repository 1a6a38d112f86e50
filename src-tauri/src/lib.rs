//! The mymts shell: a thin Tauri 2 layer over `mymts-core`. Commands live in [`commands`] (one
//! module per feature), the start-up path in [`boot`], the embedded operator in [`operator`],
//! core events to typed UI events in [`events`], native notifications in [`notify`].

pub mod args;
pub mod boot;
pub mod commands;
pub mod events;
pub mod ipc;
pub mod logs;
pub mod notify;
pub mod operator;
pub mod render;
pub mod settings;
pub mod state;
pub mod unlock;

pub use state::Shell;

/// Runs the app (desktop `main`, and the mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let started_ms = mymts_core::clock::system_now_ms();
    render::prefer_cpu_compositing();
    logs::init();
    let launch = args::Launch::from_process();
    let specta = ipc::builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_biometric::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            boot::setup(app, started_ms, launch)?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
