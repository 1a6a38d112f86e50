//! AUTH-6 (issue 12): the keyring missing, locked, or gone in the middle of a session. With no
//! Secret Service on the bus, or its collection locked, signing in works and "remember" is
//! refused in words. When the Secret Service goes away in the middle of a remembered session,
//! the rotated refresh tokens cannot be written, the session goes on, and the token the keyring
//! still holds must still sign in at the next start: its successor must never be used.
//!
//! Its own test binary with one test: it points the process at a private session bus with a
//! gnome-keyring of its own (no service activation, so nothing restarts the keyring behind the
//! test's back), and kills that keyring mid-session. The real Secret Service, really gone.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{password_login, token, world};
use mymts_operator::seed::ANNA;

/// A session bus with no service files: only what this test starts is on it.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

struct PrivateBus {
    daemon: Child,
    address: String,
}

impl PrivateBus {
    fn start(dir: &Path) -> Self {
        let config = dir.join("bus.conf");
        std::fs::write(&config, BUS_CONFIG).expect("bus config");
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (package dbus)");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the bus address");
        Self {
            daemon,
            address: line.trim().to_string(),
        }
    }

    /// gnome-keyring's Secret Service on this bus, its login collection unlocked; its files in
    /// `data` (the same folder on each start, so a restarted keyring holds what it held).
    fn keyring(&self, data: &Path) -> Child {
        self.keyring_with(data, true)
    }

    /// gnome-keyring on this bus; `unlock: false` starts it without the password, so the login
    /// collection it made before stays locked (and no prompter is on this bus to ask for it).
    fn keyring_with(&self, data: &Path, unlock: bool) -> Child {
        let mut args = vec!["--foreground", "--components=secrets"];
        if unlock {
            args.push("--unlock");
        }
        let mut k = Command::new("gnome-keyring-daemon")
            .args(&args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_DATA_HOME", data)
            .env("XDG_RUNTIME_DIR", data)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        let mut stdin = k.stdin.take().expect("stdin");
        if unlock {
            stdin.write_all(b"test-pass").expect("password");
        }
        drop(stdin);
        // On the bus once it answers for the Secret Service's name.
        for _ in 0..100 {
            let owned = Command::new("dbus-send")
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false);
            if owned {
                return k;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        stop(k);
        panic!("gnome-keyring did not take the Secret Service's name");
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn stop(mut keyring: Child) {
    let _ = keyring.kill();
    let _ = keyring.wait();
}

/// Signing in with "remember" where the keyring cannot take the token: the session works, the
/// refusal is said in words, and nothing is remembered.
async fn signs_in_and_refuses_remember(w: &common::World, why: &str) {
    let core = w.core();
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        core.login_password(&common::login(ANNA), common::pw(ANNA), true),
    )
    .await
    .unwrap_or_else(|_| panic!("{why}: the login waited on the keyring"))
    .unwrap_or_else(|e| panic!("{why}: the login failed: {e}"));
    let e = out
        .keyring_error
        .unwrap_or_else(|| panic!("{why}: remember was not refused"));
    assert_eq!(e.code(), "keyring_unavailable", "{why}: {e}");
    assert!(e.to_string().contains("cannot remember you"), "{why}: {e}");
    if out.session.agreement_required {
        core.accept_agreement().await.expect("agreement");
    }
    core.balance()
        .await
        .unwrap_or_else(|e| panic!("{why}: signed in all the same: {e}"));
}

#[tokio::test(flavor = "current_thread")]
async fn auth6_keyring_missing_locked_or_lost_mid_session_never_costs_a_login() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bus = PrivateBus::start(tmp.path());
    // Before any connection to a bus is made, in the only test of this binary.
    // SAFETY: set_var is unsound only while another thread reads the environment: this test's
    // runtime runs on this one thread and nothing else has started yet.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address)
    };
    let keyring_data = tmp.path().join("keyring");
    std::fs::create_dir_all(&keyring_data).expect("keyring dir");
    let w = world().await;

    // 1. No Secret Service on the bus at all.
    signs_in_and_refuses_remember(&w, "no Secret Service").await;
    let e = w
        .core()
        .autologin()
        .await
        .expect_err("nothing can be read at the next start");
    assert_eq!(e.code(), "keyring_unavailable", "{e}");

    // 2. The Secret Service is there, its collection locked: made once with the password, then
    // started again without it.
    stop(bus.keyring(&keyring_data));
    let locked = bus.keyring_with(&keyring_data, false);
    signs_in_and_refuses_remember(&w, "a locked collection").await;
    stop(locked);

    // 3. A remembered session, and the keyring goes away in the middle of it.
    let keyring = bus.keyring(&keyring_data);
    let core = w.core();
    password_login(&core, ANNA, true).await;
    let kept = token(&core, ANNA).await.expect("remembered");

    // The Secret Service goes away; the session goes on, renewing its tokens twice.
    stop(keyring);
    core.refresh().await.expect("renewed with the keyring gone");
    core.refresh().await.expect("renewed again");
    core.balance().await.expect("the session goes on");
    drop(core);

    // It comes back (what it held is still there), and the next start signs in with that token.
    let keyring = bus.keyring(&keyring_data);
    let next = w.core();
    assert_eq!(token(&next, ANNA).await, Some(kept), "the keyring's token");
    let s = next
        .autologin()
        .await
        .expect("autologin")
        .expect("the remembered login survived the failed writes");
    assert_eq!(s.account.login, ANNA);
    next.balance().await.expect("signed in");
    drop(next);
    stop(keyring);
}
