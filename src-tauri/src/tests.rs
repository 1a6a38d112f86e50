//! Shell tests: the generated bindings are up to date, the command list agrees with the
//! permissions, and the commands' wiring through Tauri's mock runtime (typed errors included).

use std::path::PathBuf;

use mymts_core::{Core, CoreConfig};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
use tokio::sync::watch;

use crate::boot::{self, Boot};
use crate::settings::Settings;
use crate::state::{Shell, ShellParts};
use crate::{info, ipc, operator};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> String {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("bindings.ts");
    ipc::export_to(&path).expect("export bindings");
    std::fs::read_to_string(&path).expect("read bindings")
}

/// Fails when `ui/src/bindings.ts` is stale. Update it with
/// `MYMTS_UPDATE_BINDINGS=1 cargo test -p mymts-app bindings` and commit the file.
#[test]
fn bindings_are_up_to_date() {
    let fresh = generated();
    let committed_path = manifest_dir().join("../ui/src/bindings.ts");
    if std::env::var("MYMTS_UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        std::fs::write(&committed_path, &fresh).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.ts is out of date: run `MYMTS_UPDATE_BINDINGS=1 cargo test -p mymts-app bindings` and commit it"
    );
}

fn command_list() -> Vec<String> {
    ipc::COMMANDS.iter().map(|c| c.to_string()).collect()
}

/// Every command of the one registration (`src/command_list.rs`) is in the bindings and granted
/// to the main window by the capability build.rs writes; nothing else is granted.
#[test]
fn commands_permissions_and_bindings_agree() {
    let list = command_list();
    let bindings = generated();
    let cap: Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("capabilities/main.json")).expect("cap"),
    )
    .expect("capability json");
    let perms: Vec<&str> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in &list {
        assert!(
            bindings.contains(&format!("\"{c}\"")),
            "{c} is registered but not in the bindings"
        );
        let p = format!("allow-{}", c.replace('_', "-"));
        assert!(
            perms.contains(&p.as_str()),
            "{p} missing from capabilities/main.json"
        );
    }
    let app_perms = perms.iter().filter(|p| p.starts_with("allow-")).count();
    assert_eq!(
        app_perms,
        list.len(),
        "a capability grants a command that is not listed"
    );
    assert_eq!(
        bindings
            .lines()
            .filter(|l| l.contains("__TAURI_INVOKE(\"") || l.contains("__TAURI_INVOKE<"))
            .count(),
        list.len(),
        "the bindings hold a command that is not registered"
    );
    assert!(
        perms
            .iter()
            .all(|p| !p.starts_with("shell:") && !p.starts_with("fs:"))
    );
}

struct Rig {
    _dir: tempfile::TempDir,
    _op: mymts_operator::Running,
    app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    settings_path: PathBuf,
}

fn rig() -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let op =
        tauri::async_runtime::block_on(mymts_operator::start(mymts_operator::Config::ephemeral()))
            .expect("operator");
    let core = Core::new(
        CoreConfig::new(op.api_url.clone())
            .world(Some(mymts_core::WorldDoor {
                url: op.world_url.clone(),
                token: op.world_token.clone(),
            }))
            .data_dir(dir.path())
            .keyring_service("mymts-app-test"),
    )
    .expect("core");
    let (_tx, rx) = watch::channel(Some(Ok(core)));
    let info = info::app_info(true, Some(op.api_url.clone()));
    let settings_path = dir.path().join("config/settings.json");
    let shell = Shell::new(
        ShellParts {
            info: info.clone(),
            boot: {
                let (v, h) = boot::read_view(dir.path());
                Boot::new(v, h, Settings::default(), info)
            },
            settings: Settings::default(),
            settings_path: settings_path.clone(),
            export_dir: dir.path().to_path_buf(),
            started_ms: 0,
        },
        rx,
    );
    let specta = ipc::builder::<MockRuntime>();
    let app = mock_builder()
        .invoke_handler(specta.invoke_handler())
        .manage(shell)
        .build(tauri::generate_context!())
        .expect("mock app");
    specta.mount_events(&app);
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    // Keep the watch sender alive with the app.
    std::mem::forget(_tx);
    Rig {
        _dir: dir,
        _op: op,
        app,
        webview,
        settings_path,
    }
}

fn invoke(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
}

#[test]
fn app_info_boot_settings_and_typed_errors_cross_ipc() {
    let r = rig();
    let _ = &r.app;

    let info = invoke(&r.webview, "app_info", json!({})).expect("app_info");
    assert_eq!(info["embedded"], true);
    assert_eq!(info["qa"], true);
    assert!(
        info["operator_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:"))
    );

    // The boot data the window is started with (`window.__MYMTS_BOOT__`).
    let b = serde_json::to_value(&r.app.state::<Shell>().boot).expect("boot json");
    assert!(
        b["account"].is_null(),
        "a fresh install has no account: {b}"
    );
    assert_eq!(b["settings"]["language"], "system");
    assert_eq!(b["app"]["embedded"], true);

    // AUTH-3 through IPC: the typed error with attempts left.
    let e = invoke(
        &r.webview,
        "login_password",
        json!({"login": "+7 916 123-45-67", "password": "wrong-password", "remember": false}),
    )
    .expect_err("a wrong password is refused");
    assert_eq!(e["code"], "wrong_credentials", "{e}");
    assert_eq!(e["attempts_left"], 2, "{e}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));

    // AUTH-2: a mistyped number is a clear local error, not a crash.
    let e = invoke(
        &r.webview,
        "login_sms_code",
        json!({"phone": "+7 916 12", "code": "1234", "remember": false}),
    )
    .expect_err("bad phone");
    assert_eq!(e["code"], "invalid_input", "{e}");

    // Not signed in: account commands say so.
    let e = invoke(&r.webview, "home", json!({"refresh": true})).expect_err("no session");
    assert_eq!(e["code"], "not_signed_in", "{e}");

    // A good login, then the home view through IPC.
    let ok = invoke(
        &r.webview,
        "login_password",
        json!({"login": "9161234568", "password": "Boris2026pass", "remember": false}),
    )
    .expect("login");
    assert_eq!(ok["session"]["account"]["login"], "+79161234568");
    assert_eq!(ok["session"]["agreement_required"], true);
    invoke(&r.webview, "accept_agreement", json!({})).expect("AUTH-10 accept");
    let home = invoke(&r.webview, "home", json!({"refresh": true})).expect("home");
    assert_eq!(home["stale"], false);
    assert_eq!(home["value"]["balance_kop"], 0);

    // Issue 10: the field the operator names crosses IPC with the code.
    let e = invoke(
        &r.webview,
        "change_tariff",
        json!({"tariffId": "no-such-tariff"}),
    )
    .expect_err("an unknown tariff is refused");
    assert_eq!(e["code"], "not_found", "{e}");
    assert_eq!(e["field"], "tariff_id", "{e}");

    // Settings round trip, persisted as JSON.
    let s = json!({"language": "en", "theme": "dark", "operator_url": "http://127.0.0.1:8700/", "remember": false, "biometric_unlock": false});
    let saved = invoke(&r.webview, "settings_set", json!({"settings": s})).expect("settings_set");
    assert_eq!(saved["operator_url"], "http://127.0.0.1:8700");
    let got = serde_json::to_value(r.app.state::<Shell>().settings()).expect("settings json");
    assert_eq!(got, saved);
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(&r.settings_path).expect("file")).expect("json");
    assert_eq!(on_disk, saved);
    let bad = json!({"language": "en", "theme": "dark", "operator_url": "ftp://x", "remember": true, "biometric_unlock": false});
    let e = invoke(&r.webview, "settings_set", json!({"settings": bad})).expect_err("bad url");
    assert_eq!(e["code"], "invalid_input");

    // Password meter without a network.
    let st = invoke(
        &r.webview,
        "password_strength",
        json!({"password": "password"}),
    )
    .expect("meter");
    assert_eq!(st["ok"], false);
}

#[test]
fn auth2_the_ui_reads_a_typed_number_by_the_one_rule_over_ipc() {
    let r = rig();
    let _ = &r.app;
    for typed in ["8 (916) 123-45-67", "+7 916 123-45-67", "9161234567"] {
        let n = invoke(&r.webview, "read_phone", json!({ "text": typed })).expect("a number");
        assert_eq!(n, "+79161234567", "{typed}");
    }
    for typed in ["12", "+1 916 123 45 67", "anna.petrova"] {
        let e = invoke(&r.webview, "read_phone", json!({ "text": typed })).expect_err("refused");
        assert_eq!(e["code"], "invalid_input", "{typed}: {e}");
    }
}

#[test]
fn boot_script_carries_no_secret_and_reads_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let info = info::app_info(true, None);
    let b = {
        let (v, h) = boot::read_view(dir.path());
        Boot::new(v, h, Settings::default(), info)
    };
    let s = b.script();
    assert!(s.starts_with("window.__MYMTS_BOOT__ = {"));
    assert!(!s.contains("token") && !s.contains("password\""));
    assert_eq!(operator::choose(None, None), operator::Choice::Embedded);
}

/// CACHE-3: a cache file of random bytes is set aside before the first frame, and the boot data
/// tells the UI so (it says it once); the next start finds a sound cache and says nothing.
#[test]
fn cache3_boot_sets_a_damaged_cache_aside_and_says_so_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join(mymts_core::cache::FILE), &junk).expect("damage");
    let (view, healed) = boot::read_view(dir.path());
    assert!(view.account.is_none());
    let healed = healed.expect("the damage is reported");
    assert_eq!(
        std::fs::read(&healed.damaged_path).expect("set aside"),
        junk
    );
    let b = Boot::new(
        view,
        Some(healed),
        Settings::default(),
        info::app_info(true, None),
    );
    assert!(b.script().contains("\"cache_healed\":{\"damaged_path\""));
    let (_, again) = boot::read_view(dir.path());
    assert!(again.is_none(), "a sound cache is not reported");
}

/// AUTH-14: with the fingerprint check on, the first frame shows no balance; a runtime without
/// the biometric plugin (here the mock one, like a desktop without a sensor) offers no check.
#[test]
fn auth14_a_locked_start_withholds_the_balance_and_no_sensor_means_no_lock() {
    let home: mymts_core::Cached<mymts_proto::wire::AccountOverview> =
        serde_json::from_value(json!({
            "value": {
                "account": {"login": "+79161234567", "kind": "mobile", "name": "Anna"},
                "balance_kop": 987654, "currency": "RUB",
                "tariff": {"id": "smart", "name": "Smart", "monthly_fee_kop": 55000},
                "packages": {"period": "2026-11",
                    "minutes": {"used": 1, "total": 2}, "sms": {"used": 1, "total": 2},
                    "data_mb": {"used": 1, "total": 2}},
                "blocked": false, "recovery_email": null, "notices": [], "as_of_ms": 0
            },
            "fetched_ms": 0, "stale": true
        }))
        .expect("a cached home view");
    let view = || mymts_core::ops::boot::BootView {
        account: Some(home.value.account.clone().into()),
        home: Some(home.clone()),
        accounts: vec![],
    };
    let on = Settings {
        biometric_unlock: true,
        ..Settings::default()
    };
    let mut info = info::app_info(true, None);
    info.biometric = true;
    let locked = Boot::new(view(), None, on.clone(), info.clone());
    assert!(locked.locked);
    assert!(locked.home.is_none(), "no balance before the check");
    assert!(!locked.script().contains("987654"));
    info.biometric = false;
    let open = Boot::new(view(), None, on, info);
    assert!(!open.locked, "a device without a sensor is never locked");
    assert!(
        open.script().contains("987654"),
        "the cached balance paints at once"
    );

    let r = rig();
    assert!(!crate::unlock::available(r.app.handle()));
    assert!(!tauri::Manager::state::<Shell>(&r.app).locked());
}

/// Every code an error can cross IPC with, the operator's and the core's own, enumerated from
/// the enums themselves, so a new code without a sentence in both languages fails here (UI item
/// 7; the UI's type check holds its own list to the generated union).
#[test]
fn every_error_code_has_a_sentence_in_both_languages() {
    let codes = mymts_proto::ErrorCode::all()
        .map(|c| c.as_str())
        .chain(mymts_core::LocalErrorCode::all().map(|c| c.as_str()));
    let codes: Vec<&str> = codes.collect();
    for lang in ["en", "ru"] {
        let path = manifest_dir().join(format!("../ui/src/lib/i18n/{lang}.ts"));
        let text = std::fs::read_to_string(&path).expect("dictionary");
        for code in &codes {
            let key = format!("'err.{code}'");
            assert!(text.contains(&key), "{key} missing from {lang}.ts");
        }
    }
}

/// Issue 10: the operator's test helpers (`mymts_operator::testing`, a session opened straight in
/// the database) sit behind its `testing` feature, which only dev-dependencies turn on; the app
/// as built must not compile them. Asks cargo how it resolves the app's own dependencies.
#[test]
fn the_app_does_not_compile_the_operators_test_helpers() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            "mymts-app",
            "-e",
            "normal,build,features",
            "-i",
            "mymts-operator",
        ])
        .current_dir(manifest_dir())
        .output()
        .expect("cargo tree");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && tree.contains("mymts-operator v"),
        "cargo tree did not answer: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !tree.contains("feature \"testing\""),
        "the app compiles the operator's test helpers:\n{tree}"
    );
}
