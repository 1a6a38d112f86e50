//! Never lose a remembered login (issue 12), through the `mymts` binary: one process per data
//! dir, keyring entries bound to their operator (SEC-5), a damaged cache healed (CACHE-3), and
//! no Secret Service on the bus. Real keyring: run inside `dbus-run-session` (scripts/test).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use mymts_operator::seed::{ANNA, DEMO};
use rand::{Rng, RngCore};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mymts");

fn pw(login: &str) -> &'static str {
    DEMO.iter()
        .find(|d| d.login == login)
        .map(|d| d.password)
        .expect("demo")
}

fn service() -> String {
    format!("mymts-test-{:016x}", rand::rng().random::<u64>())
}

/// A `mymts` on `dir` with its embedded operator, under keyring service `service`.
fn cmd(dir: &Path, service: &str, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--json")
        .arg("--data-dir")
        .arg(dir)
        .env("MYMTS_KEYRING_SERVICE", service)
        .env_remove("MYMTS_OPERATOR_URL")
        .args(args)
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command) -> (i32, Value, String) {
    let out = c.output().expect("run mymts");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn login_remember(dir: &Path, service: &str) {
    let (code, v, err) = run(cmd(
        dir,
        service,
        &[
            "login",
            "--phone",
            ANNA,
            "--password",
            pw(ANNA),
            "--remember",
        ],
    ));
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(v["remembered"], true, "{v}");
}

#[test]
fn auth6_two_clis_on_one_data_dir_take_turns_and_keep_the_login() {
    let dir = tempfile::tempdir().expect("tmp");
    let svc = service();
    login_remember(dir.path(), &svc);
    // Two at once, again and again: each autologin rotates the token. Without the data dir
    // lock the two present one token, and whichever saves last may keep a voided one.
    for round in 0..6 {
        let a = cmd(dir.path(), &svc, &["whoami"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn a");
        let b = cmd(dir.path(), &svc, &["balance"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn b");
        for (name, child) in [("whoami", a), ("balance", b)] {
            let out = child.wait_with_output().expect("wait");
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}, {name}: {} / {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let (code, v, _) = run(cmd(dir.path(), &svc, &["whoami"]));
    assert_eq!((code, v["login"].as_str()), (0, Some(ANNA)), "{v}");
}

#[tokio::test]
async fn auth6_a_second_cli_on_a_busy_data_dir_waits_then_refuses_in_words() {
    let dir = tempfile::tempdir().expect("tmp");
    let svc = service();
    let held = mymts_core::lock::DataDirLock::acquire(dir.path(), Duration::ZERO)
        .await
        .expect("the test holds the data dir");
    let mut c = cmd(dir.path(), &svc, &["whoami"]);
    c.env("MYMTS_LOCK_WAIT_MS", "300");
    let started = std::time::Instant::now();
    let (code, v, _) = run(c);
    assert!(started.elapsed() >= Duration::from_millis(300), "it waited");
    assert_eq!(code, 5, "{v}");
    assert_eq!(v["code"], "busy", "{v}");
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("another mymts is using the data dir")),
        "{v}"
    );
    drop(held);
    let (code, v, _) = run(cmd(dir.path(), &svc, &["whoami"]));
    assert_eq!(code, 3, "free again: not signed in, but running: {v}");
}

/// One lock for the app and the CLI (issue 12). While a real `mymts` holds the data dir (its
/// operator accepts the connection and never answers, so the command is mid-way), the app's
/// start-up finds it taken, waits and refuses with `busy`; once the CLI is gone the app takes
/// it. While the app holds it, a CLI waits, then refuses in words; released, the CLI runs.
#[tokio::test]
async fn auth6_the_app_and_the_cli_never_use_one_data_dir_at_once() {
    use mymts_core::lock::DataDirLock;
    let dir = tempfile::tempdir().expect("tmp");
    let svc = service();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let url = format!("http://{}", silent.local_addr().expect("addr"));
    let mut c = cmd(dir.path(), &svc, &["whoami", "--operator", &url]);
    let mut cli = c
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mymts");
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        // The app's own first try (no wait), until it finds the CLI holding the data dir.
        match DataDirLock::try_acquire(dir.path()).expect("lock file") {
            None => break,
            Some(free) => drop(free),
        }
        assert!(
            std::time::Instant::now() < until,
            "the CLI never took the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    let e = DataDirLock::acquire(dir.path(), Duration::from_millis(400))
        .await
        .expect_err("the app waits, then refuses while the CLI runs");
    assert!(started.elapsed() >= Duration::from_millis(400), "it waited");
    assert_eq!(e.code(), "busy", "{e}");
    assert_eq!(cli.try_wait().expect("wait"), None, "the CLI still runs");
    let _ = cli.kill();
    let _ = cli.wait();
    let app = DataDirLock::acquire(dir.path(), mymts_core::lock::APP_WAIT)
        .await
        .expect("the app takes the data dir once the CLI is gone");

    let mut c = cmd(dir.path(), &svc, &["whoami"]);
    c.env("MYMTS_LOCK_WAIT_MS", "300");
    let started = std::time::Instant::now();
    let (code, v, _) = run(c);
    assert!(started.elapsed() >= Duration::from_millis(300), "it waited");
    assert_eq!((code, v["code"].as_str()), (5, Some("busy")), "{v}");
    drop(app);
    let (code, v, _) = run(cmd(dir.path(), &svc, &["whoami"]));
    assert_eq!(code, 3, "free again: not signed in, but running: {v}");
}

#[test]
fn sec5_two_embedded_operators_sharing_one_keyring_service_each_keep_their_login() {
    // The app and the CLI each run their own embedded operator; here two CLIs with two data
    // dirs stand for them (the same keyring service, the same login at both operators).
    let (a, b) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let svc = service();
    login_remember(a.path(), &svc);
    login_remember(b.path(), &svc);
    for round in 0..2 {
        for dir in [a.path(), b.path()] {
            let (code, v, err) = run(cmd(dir, &svc, &["whoami"]));
            assert_eq!(
                (code, v["login"].as_str()),
                (0, Some(ANNA)),
                "round {round} at {}: {v} {err}",
                dir.display()
            );
        }
    }
}

#[test]
fn cache3_cli_sets_a_cache_of_random_bytes_aside_and_keeps_the_login() {
    let dir = tempfile::tempdir().expect("tmp");
    let svc = service();
    login_remember(dir.path(), &svc);
    let (code, v, _) = run(cmd(dir.path(), &svc, &["balance"]));
    assert_eq!(code, 0, "{v}");
    let mut junk = vec![0u8; 32 * 1024];
    rand::rng().fill_bytes(&mut junk);
    std::fs::write(dir.path().join("cache.db"), &junk).expect("damage");
    for side in ["cache.db-wal", "cache.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(side));
    }
    let (code, v, err) = run(cmd(dir.path(), &svc, &["balance"]));
    assert_eq!(code, 0, "the balance, from the operator: {v} {err}");
    assert!(v["balance_kop"].is_number(), "{v}");
    assert!(err.contains("the local cache was damaged"), "{err}");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("cache.db.damaged-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "set aside once");
    let (code, v, err) = run(cmd(dir.path(), &svc, &["whoami"]));
    assert_eq!(code, 0, "{v}");
    assert!(!err.contains("damaged"), "told once: {err}");
}

/// CACHE-3 (issue 12, item 3): the embedded operator's key file emptied. The CLI says the
/// operator's files are damaged and which file (code `operator_damaged`, exit 5), and changes
/// nothing: a person decides what to keep.
#[test]
fn cache3_cli_says_the_embedded_operators_files_are_damaged() {
    let dir = tempfile::tempdir().expect("tmp");
    let svc = service();
    login_remember(dir.path(), &svc);
    let key = dir.path().join("operator.key");
    assert!(
        key.exists(),
        "the embedded operator's key file is {}",
        key.display()
    );
    let db = std::fs::read(dir.path().join("operator.db")).expect("db");
    std::fs::write(&key, b"").expect("empty the key file");
    let (code, v, err) = run(cmd(dir.path(), &svc, &["whoami"]));
    assert_eq!(
        (code, v["code"].as_str()),
        (5, Some("operator_damaged")),
        "{v} {err}"
    );
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("damaged") && message.contains("operator.key"),
        "{message}"
    );
    assert_eq!(std::fs::read(&key).expect("key"), b"", "left as it was");
    assert_eq!(
        std::fs::read(dir.path().join("operator.db")).expect("db"),
        db
    );
}

/// A session bus with nothing on it: no Secret Service, and none to activate.
struct EmptyBus {
    child: std::process::Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl EmptyBus {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let socket = dir.path().join("bus");
        let conf = dir.path().join("bus.conf");
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .expect("bus config");
        let child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .arg("--nofork")
            .stdout(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        for _ in 0..100 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            address: format!("unix:path={}", socket.display()),
            _dir: dir,
        }
    }
}

impl Drop for EmptyBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn auth6_no_secret_service_on_the_bus_signs_in_and_refuses_remember_in_words() {
    let bus = EmptyBus::start();
    let dir = tempfile::tempdir().expect("tmp");
    let svc = service();
    let mut c = cmd(
        dir.path(),
        &svc,
        &[
            "login",
            "--phone",
            ANNA,
            "--password",
            pw(ANNA),
            "--remember",
        ],
    );
    c.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let (code, v, err) = run(c);
    assert_eq!(code, 5, "{v} {err}");
    assert_eq!(v["code"], "keyring_unavailable", "{v}");
    let msg = v["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("cannot remember you") && msg.contains("You can still sign in"),
        "{v}"
    );
    assert!(
        v["hint"].as_str().is_some_and(|h| h.contains("keyring")),
        "{v}"
    );
    // The same login without "remember" works, and so does the rest of the CLI.
    let mut c = cmd(
        dir.path(),
        &svc,
        &["login", "--phone", ANNA, "--password", pw(ANNA)],
    );
    c.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let (code, v, err) = run(c);
    assert_eq!(code, 0, "{v} {err}");
    // A later run cannot sign in from the keyring, and says why instead of failing blind.
    let mut c = cmd(dir.path(), &svc, &["whoami"]);
    c.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let (code, v, err) = run(c);
    assert_eq!(code, 5, "{v} {err}");
    assert_eq!(v["code"], "keyring_unavailable", "{v}");
    // And the public parts that need no session work as before.
    let mut c = cmd(dir.path(), &svc, &["clock-check"]);
    c.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let (code, v, err) = run(c);
    assert_eq!(code, 0, "{v} {err}");
}
