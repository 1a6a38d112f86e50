//! The `mymts` binary as QA scripts run it: JSON out, exit codes, no secret in any file, and
//! kill -9 at random moments never costs the login or the cache (CACHE-3, AUTH-6).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mymts_operator::seed::{ANNA, DEMO, DMITRY, HOME_CONTRACT};
use rand::Rng;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mymts");

fn pw(login: &str) -> &'static str {
    DEMO.iter()
        .find(|d| d.login == login)
        .map(|d| d.password)
        .expect("demo")
}

struct Env {
    operator: Option<String>,
    /// The standalone operator's world door and token, given as MYMTS_WORLD_URL and
    /// MYMTS_WORLD_TOKEN (SEC-1).
    world: Option<(String, Option<String>)>,
    dir: tempfile::TempDir,
    service: String,
}

impl Env {
    fn new(operator: Option<String>) -> Self {
        Self {
            operator,
            world: None,
            dir: tempfile::tempdir().expect("tmp"),
            service: format!("mymts-test-{:016x}", rand::rng().random::<u64>()),
        }
    }

    /// Pointed at a standalone operator: its public API and its world door with the token.
    fn of(op: &mymts_operator::Running) -> Self {
        Self {
            world: Some((op.world_url.clone(), op.world_token.clone())),
            ..Self::new(Some(op.api_url.clone()))
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--json")
            .arg("--data-dir")
            .arg(self.dir.path())
            .env("MYMTS_KEYRING_SERVICE", &self.service)
            .env_remove("MYMTS_OPERATOR_URL")
            .env_remove("MYMTS_WORLD_URL")
            .env_remove("MYMTS_WORLD_TOKEN")
            .env_remove("MYMTS_DEVICE_SIM")
            .args(args)
            .stdin(Stdio::null());
        if let Some((url, token)) = &self.world {
            c.env("MYMTS_WORLD_URL", url);
            if let Some(t) = token {
                c.env("MYMTS_WORLD_TOKEN", t);
            }
        }
        if let Some(op) = &self.operator {
            c.arg("--operator").arg(op);
        }
        c
    }

    fn run(&self, args: &[&str]) -> (i32, Value) {
        let out: Output = self.cmd(args).output().expect("run mymts");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "not JSON for {args:?}: {} / {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), v)
    }
}

async fn operator() -> mymts_operator::Running {
    mymts_operator::start(mymts_operator::Config::ephemeral())
        .await
        .expect("operator")
}

fn files_contain(dir: &Path, needle: &str) -> Option<String> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                return Some(p.display().to_string());
            }
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth6_sms_login_remember_leaves_no_secret_in_any_file() {
    let op = operator().await;
    let env = Env::of(&op);
    let (code, v) = env.run(&["captcha"]);
    assert_eq!(code, 0, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    assert!(Path::new(v["image_path"].as_str().expect("path")).exists());
    let (code, a) = env.run(&["qa", "captcha-answer", &id]);
    assert_eq!(code, 0, "{a}");
    let answer = a["answer"].as_str().expect("answer").to_string();
    let (code, v) = env.run(&[
        "sms-password",
        "--phone",
        "8 (916) 123-45-67",
        "--captcha-id",
        &id,
        "--captcha",
        &answer,
    ]);
    assert_eq!(code, 0, "{v}");
    assert!(v["resend_after_s"].is_u64() && v["expires_in_s"].is_u64());
    let challenge = v["challenge"].as_str().expect("a challenge").to_string();
    let mut sms_code = None;
    for _ in 0..50 {
        let (_, inbox) = env.run(&["inbox", "--phone", ANNA]);
        sms_code = inbox["messages"].as_array().and_then(|m| {
            m.iter()
                .rev()
                .find_map(|m| m["code"].as_str().map(str::to_string))
        });
        if sms_code.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let sms_code = sms_code.expect("a code from 3339");
    let (code, v) = env.run(&[
        "login",
        "--phone",
        "9161234567",
        "--code",
        &sms_code,
        "--challenge",
        &challenge,
        "--remember",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["login"], ANNA);
    let (code, v) = env.run(&["whoami"]);
    assert_eq!((code, v["login"].as_str()), (0, Some(ANNA)), "{v}");
    let (code, v) = env.run(&["balance"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stale"], false);
    let operator_id = mymts_core::ApiClient::new(&op.api_url)
        .expect("client")
        .info()
        .await
        .expect("info")
        .operator_id;
    let token = mymts_core::Vault::new(env.service.clone(), &op.api_url)
        .expect("vault")
        .load(&operator_id, ANNA)
        .await
        .expect("keyring")
        .expect("remembered");
    for secret in [sms_code.as_str(), token.as_str(), pw(ANNA)] {
        assert_eq!(
            files_contain(env.dir.path(), secret),
            None,
            "a secret is in a file"
        );
    }
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache2_cli_offline_prints_stale_with_exit_4() {
    let op = operator().await;
    let env = Env::of(&op);
    let (code, v) = env.run(&[
        "login",
        "--phone",
        ANNA,
        "--password",
        pw(ANNA),
        "--remember",
    ]);
    assert_eq!(code, 0, "{v}");
    let (code, v) = env.run(&["balance"]);
    assert_eq!(code, 0, "{v}");
    op.stop().await;
    let (code, v) = env.run(&["balance"]);
    assert_eq!(code, 4, "{v}");
    assert_eq!(v["stale"], true);
    assert!(v["balance"].is_number());
}

/// A SIM that is no number is the user's input, refused as such (exit 2, `invalid_input`) before
/// anything starts: no embedded operator, no database in the data dir (AUTH-7, issue 10).
#[test]
fn auth7_a_device_sim_that_is_no_number_is_refused_before_anything_starts() {
    let env = Env::new(None);
    let out = env
        .cmd(&["whoami"])
        .env("MYMTS_DEVICE_SIM", "12")
        .output()
        .expect("run mymts");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (out.status.code(), v["code"].as_str()),
        (Some(2), Some("invalid_input")),
        "{v}"
    );
    assert!(
        std::fs::read_dir(env.dir.path())
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "nothing written to the data dir"
    );
    // An empty one is no SIM at all.
    let out = env
        .cmd(&["whoami"])
        .env("MYMTS_DEVICE_SIM", "")
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["code"].as_str(), Some("not_signed_in"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth3_cli_refusal_exit_3_with_attempts_left() {
    let op = operator().await;
    let env = Env::of(&op);
    let (code, v) = env.run(&[
        "login",
        "--phone",
        "+7 916 123-45-67",
        "--password",
        "Wrong2026pass",
    ]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["code"], "wrong_credentials");
    assert_eq!(v["attempts_left"], 2);
    let (code, v) = env.run(&["login", "--phone", "+7 916 12", "--password", "x"]);
    assert_eq!(code, 2, "{v}");
    let (code, v) = env.run(&["whoami"]);
    assert_eq!(
        (code, v["code"].as_str()),
        (3, Some("not_signed_in")),
        "{v}"
    );
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_follows_mymts_operator_url_like_the_app() {
    let op = operator().await;
    let env = Env::new(None);
    let out = env
        .cmd(&["login", "--phone", ANNA, "--password", pw(ANNA)])
        .env("MYMTS_OPERATOR_URL", &op.api_url)
        .output()
        .expect("run mymts");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The standalone operator answered: no embedded one was started in the data dir.
    assert!(!env.dir.path().join("operator.db").exists());
    op.stop().await;
}

#[test]
fn cli_embedded_operator_keeps_state_across_runs() {
    let env = Env::new(None);
    let (code, v) = env.run(&[
        "login",
        "--contract",
        HOME_CONTRACT,
        "--password",
        pw(HOME_CONTRACT),
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["kind"], "home");
    assert!(env.dir.path().join("operator.db").exists());
    // Not remembered: the next run is signed out, by design.
    let (code, _) = env.run(&["whoami"]);
    assert_eq!(code, 3);
}

#[test]
fn auth6_keyring_unavailable_is_typed_and_login_still_works() {
    let env = Env::new(None);
    let out = env
        .cmd(&[
            "login",
            "--contract",
            HOME_CONTRACT,
            "--password",
            pw(HOME_CONTRACT),
            "--remember",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(5), "{v}");
    assert_eq!(v["code"], "keyring_unavailable");
    // Without "remember me" the same login works.
    let out = env
        .cmd(&[
            "login",
            "--contract",
            HOME_CONTRACT,
            "--password",
            pw(HOME_CONTRACT),
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache3_kill_9_during_login_refresh_and_cache_writes_keeps_login_and_cache() {
    let op = operator().await;
    let env = Env::of(&op);
    let (code, v) = env.run(&[
        "login",
        "--phone",
        DMITRY,
        "--password",
        pw(DMITRY),
        "--remember",
    ]);
    assert_eq!(code, 0, "{v}");
    let started = Instant::now();
    let mut kills = 0;
    let mut rng = rand::rng();
    // Keep going until enough kills have landed mid-run (a run that finishes first is no test).
    for i in 0..90 {
        if kills >= 20 || started.elapsed() > Duration::from_secs(80) {
            break;
        }
        let args: Vec<&str> = match i % 3 {
            0 => vec![
                "login",
                "--phone",
                DMITRY,
                "--password",
                pw(DMITRY),
                "--remember",
            ],
            1 => vec!["whoami"],
            _ => vec!["calls", "--limit", "5"],
        };
        let mut child = env
            .cmd(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(rng.random_range(1..120)));
        if child.try_wait().ok().flatten().is_none() {
            let _ = child.kill(); // SIGKILL
            kills += 1;
        }
        let _ = child.wait();
        let (code, v) = env.run(&["whoami"]);
        assert_eq!(code, 0, "after kill {i} ({args:?}): {v}");
        assert_eq!(v["login"], DMITRY);
        let cache = mymts_core::Cache::open(&env.dir.path().join(mymts_core::cache::FILE))
            .expect("cache opens");
        cache.check().expect("cache is consistent");
    }
    println!(
        "cache3 crash test: {kills} kill -9 in {:?}",
        started.elapsed()
    );
    assert!(kills >= 10, "only {kills} kills landed");
    op.stop().await;
}

/// A world token is random URL-safe base64, so one in 64 starts with `-`; read as a flag it
/// stopped the command with a usage error (the app dropped every argument over it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec1_a_world_token_starting_with_a_dash_is_read_as_the_token() {
    let op = operator().await;
    let env = Env::new(Some(op.api_url.clone()));
    let (code, v) = env.run(&[
        "--world",
        &op.world_url,
        "--world-token",
        "-zQ3v9xZ2mPwQ",
        "whoami",
    ]);
    assert_ne!(code, 2, "read as a flag: {v}");
    assert_eq!(v["code"], "not_signed_in", "{v}");
}
