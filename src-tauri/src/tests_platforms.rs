//! What a phone or Windows build needs beyond the code, read from the files the platforms' tools
//! read (issue 15): the capability reaches the phones, the iOS usage string for Face ID (AUTH-14),
//! the Android permissions for notifications (INBOX-3) and the fingerprint check (AUTH-14), and the
//! icons every bundle takes. `scripts/check-platforms` compiles the code for those targets; this
//! holds the configuration it cannot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Every capability file, with the platforms it applies to (Tauri: none named = all).
fn capabilities() -> Vec<(String, Value)> {
    let dir = manifest_dir().join("capabilities");
    let mut caps: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("src-tauri/capabilities")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.display().to_string(), json(&p)))
        .collect();
    caps.sort_by(|a, b| a.0.cmp(&b.0));
    caps
}

fn applies_to(cap: &Value, platform: &str) -> bool {
    match cap.get("platforms") {
        None => true,
        Some(p) => strings(p).contains(&platform),
    }
}

/// The permissions the main window holds on `platform`, over every capability file.
fn main_window_permissions(platform: &str) -> BTreeSet<String> {
    capabilities()
        .iter()
        .filter(|(_, c)| applies_to(c, platform) && strings(&c["windows"]).contains(&"main"))
        .flat_map(|(_, c)| strings(&c["permissions"]).into_iter().map(str::to_string))
        .collect()
}

/// On Android and iOS the main window holds what it holds on Linux (the same UI calls the same
/// commands), including the notification plugin's check its injected script makes at every page
/// load; and the biometric check and the notification prompt stay Rust's alone.
#[test]
fn auth14_inbox3_phones_get_the_main_windows_capability() {
    let linux = main_window_permissions("linux");
    assert!(
        linux.contains("allow-home") && linux.contains("core:event:allow-listen"),
        "the main capability is not found: {linux:?}"
    );
    for platform in ["android", "iOS", "windows", "macOS"] {
        let granted = main_window_permissions(platform);
        assert_eq!(
            granted, linux,
            "the main window's permissions on {platform} differ from Linux's"
        );
        assert!(
            granted.contains("notification:allow-is-permission-granted"),
            "on {platform} the notification plugin's load-time check would be refused"
        );
        for p in &granted {
            assert!(
                !p.starts_with("biometric:")
                    && !p.starts_with("notification:allow-request-permission")
                    && !p.starts_with("notification:allow-notify")
                    && !p.starts_with("notification:default"),
                "{p}: the page must not start the fingerprint check or raise notifications itself \
                 (unlock.rs and notify.rs do, from Rust)"
            );
        }
    }
}

/// iOS ends an app that asks for Face ID without saying why (tauri-plugin-biometric's setup).
/// The Tauri CLI merges `Info.ios.plist` beside the configuration into the Xcode project's.
#[test]
fn auth14_the_ios_face_id_usage_string_is_there() {
    let path = manifest_dir().join("Info.ios.plist");
    let plist =
        plist::Value::from_file(&path).expect("src-tauri/Info.ios.plist is a property list");
    let dict = plist.as_dictionary().expect("a dictionary at the top");
    let why = dict
        .get("NSFaceIDUsageDescription")
        .and_then(plist::Value::as_string)
        .unwrap_or_default();
    assert!(
        why.trim().len() >= 10,
        "NSFaceIDUsageDescription is missing or empty in {}",
        path.display()
    );
}

/// The `android:name` of every `<uses-permission>` in the Android manifest additions.
fn android_permissions(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    // The additions are the inside of <manifest>: wrap them as build.rs places them.
    let doc = format!(
        r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android">{xml}</manifest>"#
    );
    let mut reader = quick_xml::Reader::from_str(&doc);
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e) | Event::Start(e)) if e.name().as_ref() == "uses-permission" => {
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == "android:name" {
                        found.push(a.value.into_owned());
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("android/manifest-additions.xml is not well-formed XML: {e}"),
        }
    }
    found
}

/// Android 13+ shows no notification without POST_NOTIFICATIONS (INBOX-3); the fingerprint check
/// needs USE_BIOMETRIC (AUTH-14). build.rs adds these to the generated project's manifest.
#[test]
fn inbox3_auth14_the_android_manifest_asks_for_notifications_and_biometrics() {
    let path = manifest_dir().join("android/manifest-additions.xml");
    let xml = std::fs::read_to_string(&path).expect("src-tauri/android/manifest-additions.xml");
    let found = android_permissions(&xml);
    for wanted in [
        "android.permission.POST_NOTIFICATIONS",
        "android.permission.USE_BIOMETRIC",
    ] {
        assert!(
            found.iter().any(|p| p == wanted),
            "{wanted} is not in {} (found {found:?})",
            path.display()
        );
    }
    let build_rs = std::fs::read_to_string(manifest_dir().join("build.rs")).expect("build.rs");
    assert!(
        build_rs.contains("android/manifest-additions.xml")
            && build_rs.contains("update_android_manifest"),
        "build.rs no longer puts the additions into the Android manifest"
    );
}

/// Every bundle's icons are in the tree, made from one source, and listed in the configuration:
/// the .ico (tauri-build puts it in the Windows resource; without it the Windows build fails),
/// the .icns (macOS), and the Android and iOS sets `tauri icon` writes.
#[test]
fn every_platforms_icons_are_listed_and_present() {
    let conf_path = manifest_dir().join("tauri.conf.json");
    let conf = json(&conf_path);
    let listed = strings(&conf["bundle"]["icon"]);
    for ext in [".png", ".ico", ".icns"] {
        assert!(
            listed.iter().any(|i| i.ends_with(ext)),
            "bundle.icon lists no {ext}: {listed:?}"
        );
    }
    for icon in &listed {
        let path = manifest_dir().join(icon);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{icon}: {e}"));
        let magic: &[u8] = match Path::new(icon).extension().and_then(|e| e.to_str()) {
            Some("png") => b"\x89PNG",
            Some("ico") => b"\0\0\x01\0",
            Some("icns") => b"icns",
            other => panic!("{icon}: unexpected icon type {other:?}"),
        };
        assert!(bytes.starts_with(magic), "{icon} is not a {magic:?} file");
    }
    let icons = manifest_dir().join("../icons");
    assert!(
        icons.join("app-icon.png").is_file(),
        "the one source, icons/app-icon.png, is missing"
    );
    for set in [
        "android/mipmap-xxxhdpi/ic_launcher.png",
        "android/mipmap-mdpi/ic_launcher.png",
        "ios/AppIcon-60x60@3x.png",
        "ios/AppIcon-512@2x.png",
    ] {
        assert!(
            icons.join(set).is_file(),
            "icons/{set} is missing: run scripts/make-icons.py"
        );
    }
}
