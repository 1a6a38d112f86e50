//! The mymts shell: a thin Tauri 2 layer over `mymts-core`. Commands live in [`commands`] (one
//! module per feature), the start-up path in [`boot`], the embedded operator in [`operator`],
//! core events to typed UI events in [`events`], native notifications in [`notify`].

pub mod boot;
pub mod commands;
pub mod events;
pub mod ipc;
pub mod notify;
pub mod operator;
pub mod settings;
pub mod state;

pub use state::Shell;

/// Runs the app (desktop `main`, and the mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let started_ms = mymts_core::clock::system_now_ms();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYMTS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let specta = ipc::builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            boot::setup(app, started_ms)?;
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
