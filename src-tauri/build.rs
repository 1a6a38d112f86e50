//! Lists the app's own commands so each needs an explicit `allow-<command>` permission
//! (FIELD-NOTES: otherwise every window may call every command), and, when the Tauri CLI builds for
//! Android, adds `android/manifest-additions.xml` to the generated project's manifest.

fn main() {
    println!("cargo:rerun-if-changed=commands.list");
    let list = std::fs::read_to_string("commands.list").unwrap_or_default();
    let commands: &'static [&'static str] = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| &*Box::leak(l.to_string().into_boxed_str()))
        .collect::<Vec<_>>()
        .leak();
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build step failed: {e:#}");
    }
    android_manifest();
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
