//! Lists the app's own commands so each needs an explicit `allow-<command>` permission
//! (FIELD-NOTES: otherwise every window may call every command).

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
}
