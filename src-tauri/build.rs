//! Makes each of the app's own commands need an explicit `allow-<command>` permission
//! (FIELD-NOTES: otherwise every window may call every command) and writes
//! `capabilities/main.json`, which grants the main window exactly those, both from the one
//! registration in `src/command_list.rs` (the list `src/ipc.rs` registers). When the Tauri CLI
//! builds for Android, adds `android/manifest-additions.xml` to the generated project's manifest.

include!("src/command_list.rs");

macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}
const COMMANDS: &[&str] = app_commands!(command_names);

/// What the main window may do besides calling the app's own commands.
const BASE_PERMISSIONS: &[&str] = &[
    "core:event:allow-listen",
    "core:event:allow-unlisten",
    "notification:allow-is-permission-granted",
];

const DESCRIPTION: &str = "Written by build.rs from src/command_list.rs: edit those, not this file. The main window: the app's own commands, typed events (listen/unlisten), and the notification permission check the plugin's injected script makes at load (is_permission_granted). Nothing else: no shell, no fs; notifications are sent, and their permission asked, from Rust, and so is the fingerprint or face check (AUTH-14), so no biometric permission either. The same on every platform: phones run the same window and the same UI, so there is no separate mobile capability; Android and iOS are named so that a phone build cannot lose the window's commands unnoticed (tests_platforms.rs).";

fn main() {
    println!("cargo:rerun-if-changed=src/command_list.rs");
    capability();
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build step failed: {e:#}");
    }
    android_manifest();
}

/// Writes `capabilities/main.json` (committed; written only when it would change, so the build
/// does not run again for nothing).
fn capability() {
    let quote = |s: &str| format!("{s:?}");
    let permissions: Vec<String> = BASE_PERMISSIONS
        .iter()
        .map(|p| p.to_string())
        .chain(
            COMMANDS
                .iter()
                .map(|c| format!("allow-{}", c.replace('_', "-"))),
        )
        .map(|p| format!("    {}", quote(&p)))
        .collect();
    let platforms = ["linux", "macOS", "windows", "android", "iOS"]
        .map(|p| format!("    {}", quote(p)))
        .join(",\n");
    let json = format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"main\",\n  \"description\": {},\n  \"windows\": [\n    \"main\"\n  ],\n  \"platforms\": [\n{}\n  ],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        quote(DESCRIPTION),
        platforms,
        permissions.join(",\n")
    );
    let path = "capabilities/main.json";
    if std::fs::read_to_string(path).ok().as_deref() != Some(json.as_str())
        && let Err(e) = std::fs::write(path, &json)
    {
        panic!("{path}: {e}");
    }
}

/// The permissions the app's Android build asks for (INBOX-3, AUTH-14), inside `<manifest>` of
/// `gen/android/app/src/main/AndroidManifest.xml`. Does nothing unless the Tauri CLI names the
/// Android project (`TAURI_ANDROID_PROJECT_PATH`), as the plugins' build scripts do.
fn android_manifest() {
    println!("cargo:rerun-if-changed=android/manifest-additions.xml");
    println!("cargo:rerun-if-env-changed=TAURI_ANDROID_PROJECT_PATH");
    if std::env::var_os("TAURI_ANDROID_PROJECT_PATH").is_none() {
        return;
    }
    let additions = match std::fs::read_to_string("android/manifest-additions.xml") {
        Ok(a) => a,
        Err(e) => panic!("android/manifest-additions.xml: {e}"),
    };
    if let Err(e) =
        tauri_utils::build::update_android_manifest("MYMTS APP PERMISSIONS", "manifest", additions)
    {
        panic!("could not add the app's permissions to the Android manifest: {e:#}");
    }
}
