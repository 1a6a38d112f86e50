//! The QA harness: one journey = the real app binary, a fresh data dir and keyring service, and an
//! operator in QA mode on loopback in this process (so a test can read captcha answers, move the
//! clock, inject SMS and read the database, with the operator's own types).
//!
//! `scripts/e2e` provides the world around it: Xvfb, a session D-Bus with an unlocked
//! gnome-keyring, a notification daemon watched by `dbus-monitor`, and tauri-driver on
//! `127.0.0.1:4444` (override with `MYMTS_WEBDRIVER`). The app binary comes from `MYMTS_APP`
//! (default `target/debug/mymts-app`).

use fantoccini::{Client, ClientBuilder, Locator};
use mymts_operator::{Config, Running};
use serde_json::{Value, json};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub mod a11y;
pub mod calls;
pub mod steps;

/// How long any one UI wait may take before the journey fails.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn app_binary() -> PathBuf {
    std::env::var_os("MYMTS_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/mymts-app"))
}

fn webdriver_url() -> String {
    std::env::var("MYMTS_WEBDRIVER").unwrap_or_else(|_| "http://127.0.0.1:4444".into())
}

/// Where failure evidence goes: `target/e2e-evidence/<journey>/`.
pub fn evidence_dir(journey: &str) -> PathBuf {
    workspace_root().join("target/e2e-evidence").join(journey)
}

pub struct Journey {
    pub name: String,
    pub op: Running,
    pub data_dir: PathBuf,
    pub keyring_service: String,
    pub app: Option<Client>,
    pub http: reqwest::Client,
    /// The simulated phone whose SIM is in the app's device (`--device-sim`, AUTH-7), for the
    /// next [`Journey::launch`].
    pub device_sim: Option<String>,
    /// The journey's own world door and token, kept for a restart on the same addresses.
    world_addr: std::net::SocketAddr,
    world_token: Option<String>,
}

impl Journey {
    /// Starts the operator; the app is launched by [`Journey::launch`].
    pub async fn new(name: &str) -> Self {
        let suffix: u32 = rand::random();
        let data_dir = std::env::temp_dir().join(format!("mymts-e2e-{name}-{suffix:08x}"));
        let _ = std::fs::create_dir_all(&data_dir);
        // The operator's world is a file, so a journey can stop it and start it again (offline).
        let mut config = Config::ephemeral();
        config.db_path = Some(data_dir.join("operator-world.db"));
        let op = mymts_operator::start(config)
            .await
            .unwrap_or_else(|e| panic!("operator: {e}"));
        let http = reqwest::Client::new();
        a11y::reset_report(name);
        let world_addr = op
            .world_url
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|e| panic!("world address: {e}"));
        let world_token = op.world_token.clone();
        Self {
            world_addr,
            world_token,
            name: name.to_string(),
            keyring_service: format!("mymts-e2e-{name}-{suffix:08x}"),
            op,
            data_dir,
            app: None,
            http,
            device_sim: None,
        }
    }

    /// Launches the real app binary through tauri-driver, pointed at this journey's operator
    /// (its public API, and its world door with the token, like any client: SEC-1), data dir
    /// and keyring service.
    pub async fn launch(&mut self) {
        let args = self.default_args();
        self.launch_with(args).await;
    }

    /// Starts the app binary a second time, outside tauri-driver, with the arguments
    /// [`Journey::launch`] gives it (the same data dir), in this journey's display and session
    /// bus, and waits at most `within` for it to end. Answers its exit status, or `None` when it
    /// was still running (it is then killed).
    pub async fn second_start(&self, within: Duration) -> Option<std::process::ExitStatus> {
        let args: Vec<String> = self
            .default_args()
            .iter()
            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
            .collect();
        let mut child = std::process::Command::new(app_binary())
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("a second start of {}: {e}", app_binary().display()));
        let until = Instant::now() + within;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < until => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
            }
        }
    }

    /// The app's log on this journey's data dir, as written so far.
    pub fn app_log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("logs/mymts-app.log")).unwrap_or_default()
    }

    /// The arguments [`Journey::launch`] gives the app.
    fn default_args(&self) -> Vec<Value> {
        let mut args = vec![
            json!("--operator"),
            json!(self.op.api_url),
            json!("--world"),
            json!(self.op.world_url),
            json!("--data-dir"),
            json!(self.data_dir),
            json!("--keyring-service"),
            json!(self.keyring_service),
        ];
        if let Some(t) = &self.op.world_token {
            // `=`: a token may start with `-` and must never read as a flag.
            args.push(json!(format!("--world-token={t}")));
        }
        if let Some(sim) = &self.device_sim {
            args.extend([json!("--device-sim"), json!(sim)]);
        }
        args
    }

    /// Launches the real app binary through tauri-driver with exactly these arguments (no
    /// `--operator`: the app starts its own embedded operator on its data dir).
    pub async fn launch_with(&mut self, args: Vec<Value>) {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({
                "application": app_binary(),
                "args": args,
            }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&webdriver_url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "tauri-driver at {}: {e} (is scripts/e2e running it?)",
                    webdriver_url()
                )
            });
        self.app = Some(client);
        self.wait_started().await;
    }

    /// Waits until the app's start has settled (autologin done or refused, the operator's facts
    /// known): a user's first tap comes after the screen stops changing, and a click computed on
    /// a screen that is still moving lands on the wrong control.
    async fn wait_started(&self) {
        let until = Instant::now() + WAIT;
        loop {
            let started = self
                .app()
                .execute(
                    "return document.documentElement.dataset.started === '1';",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if started {
                return;
            }
            if Instant::now() > until {
                panic!("the app's start did not settle within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the operator: the app finds it unreachable (CACHE-2). Returns its address.
    pub async fn stop_operator(&mut self) -> std::net::SocketAddr {
        let addr: std::net::SocketAddr = self
            .op
            .api_url
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|e| panic!("operator address: {e}"));
        // A stand-in keeps `op` valid (for QA calls) while the real one is down.
        let placeholder = mymts_operator::start(Config::ephemeral())
            .await
            .unwrap_or_else(|e| panic!("operator: {e}"));
        let running = std::mem::replace(&mut self.op, placeholder);
        running.stop().await;
        addr
    }

    /// Starts the operator again on the same address over the same world (its world door on
    /// the same address too, with the same token, as the app was launched with them).
    pub async fn restart_operator(&mut self, addr: std::net::SocketAddr) {
        let mut config = Config::ephemeral();
        config.db_path = Some(self.data_dir.join("operator-world.db"));
        config.listen = addr;
        config.world_listen = self.world_addr;
        config.world_token = self.world_token.clone();
        let op = mymts_operator::start(config)
            .await
            .unwrap_or_else(|e| panic!("operator restart: {e}"));
        let old = std::mem::replace(&mut self.op, op);
        old.stop().await;
    }

    /// Quits the app (the window closes, the process ends).
    pub async fn quit(&mut self) {
        if let Some(c) = self.app.take() {
            let _ = c.close().await;
        }
        // Let the process exit and release the cache before a relaunch.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    pub fn app(&self) -> &Client {
        self.app
            .as_ref()
            .unwrap_or_else(|| panic!("the app is not running"))
    }

    fn css(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    /// Waits for an element by `data-testid` and returns it.
    pub async fn el(&self, id: &str) -> fantoccini::elements::Element {
        let css = Self::css(id);
        let until = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.app().find(Locator::Css(&css)).await
                && e.is_displayed().await.unwrap_or(false)
            {
                return e;
            }
            if Instant::now() > until {
                panic!("no visible [data-testid={id}] within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn present(&self, id: &str) -> bool {
        match self.app().find(Locator::Css(&Self::css(id))).await {
            Ok(e) => e.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    pub async fn click(&self, id: &str) {
        let e = self.el(id).await;
        match e.click().await {
            Ok(()) => return,
            // Only a click the page never received is tried again: any other failure may come
            // after the click landed (a slow answer), and a second one would toggle a button
            // back or spend a second guess.
            Err(fantoccini::error::CmdError::Standard(w))
                if matches!(
                    w.error,
                    fantoccini::error::ErrorStatus::ElementClickIntercepted
                        | fantoccini::error::ErrorStatus::ElementNotInteractable
                        | fantoccini::error::ErrorStatus::MoveTargetOutOfBounds
                ) => {}
            Err(err) => panic!("click {id}: {err:?}"),
        }
        // Under a fixed tab bar or below the fold: bring it to the middle, as a user scrolls.
        let arg = serde_json::to_value(&e).unwrap_or(Value::Null);
        let _ = self
            .app()
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        e.click()
            .await
            .unwrap_or_else(|err| panic!("click {id}: {err:?}"));
    }

    pub async fn fill(&self, id: &str, text: &str) {
        let e = self.el(id).await;
        // Emptying a field as a user does (select all, delete), so its input handlers run;
        // WebDriver's clear alone does not fire `input`.
        let keys = if text.is_empty() {
            "\u{E009}a\u{E000}\u{E003}"
        } else {
            let _ = e.clear().await;
            text
        };
        e.send_keys(keys)
            .await
            .unwrap_or_else(|err| panic!("type into {id}: {err}"));
    }

    /// Ticks or unticks a checkbox (or the checkbox inside a labelled control).
    pub async fn set_checked(&self, id: &str, on: bool) {
        let e = self.el(id).await;
        let input = match e.prop("type").await.ok().flatten().as_deref() {
            Some("checkbox") => e.clone(),
            _ => e
                .find(Locator::Css("input[type=checkbox]"))
                .await
                .unwrap_or_else(|_| e.clone()),
        };
        let checked = input.prop("checked").await.ok().flatten().as_deref() == Some("true");
        if checked != on {
            input
                .click()
                .await
                .unwrap_or_else(|err| panic!("toggle {id}: {err}"));
        }
    }

    /// Chooses an option of a `<select>` the way a user does (click the option); WebKitWebDriver
    /// cannot always click inside a native select, then the same change is made as its event.
    pub async fn select(&self, id: &str, value: &str) {
        let css = format!("{} option[value=\"{value}\"]", Self::css(id));
        self.el(id).await;
        if let Ok(opt) = self.app().find(Locator::Css(&css)).await
            && opt.click().await.is_ok()
        {
            return;
        }
        let script = "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
                      s.dispatchEvent(new Event('change', { bubbles: true }));";
        self.app()
            .execute(
                script,
                vec![
                    Value::String(Self::css(id)),
                    Value::String(value.to_string()),
                ],
            )
            .await
            .unwrap_or_else(|e| panic!("select {value} in {id}: {e}"));
    }

    pub async fn text(&self, id: &str) -> String {
        self.el(id).await.text().await.unwrap_or_default()
    }

    pub async fn value(&self, id: &str) -> String {
        self.el(id)
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Waits until the element's text contains `needle` (case-insensitive).
    pub async fn wait_text(&self, id: &str, needle: &str) -> String {
        let until = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.app().find(Locator::Css(&Self::css(id))).await {
                let t = e.text().await.unwrap_or_default();
                if t.to_lowercase().contains(&needle.to_lowercase()) {
                    return t;
                }
                if Instant::now() > until {
                    panic!("[data-testid={id}] says {t:?}, not {needle:?}");
                }
            } else if Instant::now() > until {
                panic!("no [data-testid={id}] within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element's whole text (trimmed) is exactly `expected`.
    pub async fn wait_text_is(&self, id: &str, expected: &str) {
        let until = Instant::now() + WAIT;
        loop {
            let t = match self.app().find(Locator::Css(&Self::css(id))).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if t.trim() == expected {
                return;
            }
            if Instant::now() > until {
                panic!("[data-testid={id}] says {t:?}, not exactly {expected:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to `within` for the outcome of a slow action: the text of `ok` when it shows, or
    /// the text of `err` (the sentence the user would read) when that shows instead.
    /// Waits until `[data-testid=id]` no longer shows `text` (gone, or saying something else):
    /// an action's earlier notice is not its outcome.
    pub async fn wait_not_text(&self, id: &str, text: &str) {
        let until = Instant::now() + WAIT;
        loop {
            let shown = match self.app().find(Locator::Css(&Self::css(id))).await {
                Ok(e) if e.is_displayed().await.unwrap_or(false) => {
                    e.text().await.unwrap_or_default()
                }
                _ => return,
            };
            if shown != text {
                return;
            }
            if Instant::now() > until {
                panic!("[data-testid={id}] still says {text:?} after {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn outcome(&self, ok: &str, err: &str, within: Duration) -> Result<String, String> {
        let until = Instant::now() + within;
        loop {
            for (id, good) in [(ok, true), (err, false)] {
                if let Ok(e) = self.app().find(Locator::Css(&Self::css(id))).await
                    && e.is_displayed().await.unwrap_or(false)
                {
                    let t = e.text().await.unwrap_or_default();
                    return if good { Ok(t) } else { Err(t) };
                }
            }
            if Instant::now() > until {
                panic!("neither [data-testid={ok}] nor [data-testid={err}] within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One integer from the operator's database: `sql` with `?1` bound to `param`.
    pub async fn db_i64(&self, sql: &'static str, param: &str) -> i64 {
        let param = param.to_string();
        self.op
            .state
            .db
            .tx(move |tx| Ok(tx.query_row(sql, [param], |r| r.get(0))?))
            .await
            .unwrap_or_else(|e| panic!("operator database: {e:?}"))
    }

    /// Moves the operator's clock (QA API).
    pub async fn advance_clock(&self, seconds: i64) {
        self.qa(
            reqwest::Method::POST,
            "/qa/clock/advance",
            Some(json!({ "seconds": seconds })),
        )
        .await;
    }

    /// Switches states of a simulated phone: `{"airplane": true}`, `{"on_net": false}`…
    pub async fn set_phone(&self, number: &str, patch: Value) {
        self.qa(
            reqwest::Method::PATCH,
            &format!("/qa/phones/{number}"),
            Some(patch),
        )
        .await;
    }

    /// A captcha's answer (QA API).
    pub async fn captcha_answer_of(&self, id: &str) -> String {
        let v = self
            .qa(reqwest::Method::GET, &format!("/qa/captcha/{id}"), None)
            .await;
        v["answer"].as_str().unwrap_or_default().to_string()
    }

    /// The refresh token the app keeps for `login` in this journey's keyring service, read from
    /// the same Secret Service the app uses (the entry of this journey's operator at its address,
    /// SEC-5).
    pub async fn keyring_token(&self, login: &str) -> Option<String> {
        let operator = mymts_core::ApiClient::new(&self.op.api_url)
            .unwrap_or_else(|e| panic!("client: {e}"))
            .info()
            .await
            .unwrap_or_else(|e| panic!("operator info: {e}"))
            .operator_id;
        mymts_core::Vault::new(&self.keyring_service, &self.op.api_url)
            .unwrap_or_else(|e| panic!("vault: {e}"))
            .load(&operator, login)
            .await
            .unwrap_or_else(|e| panic!("keyring: {e}"))
    }

    /// How many rows of the app's cache belong to `login`.
    pub fn cached_rows_of(&self, login: &str) -> i64 {
        let cache = mymts_core::Cache::open(&self.data_dir.join(mymts_core::cache::FILE))
            .unwrap_or_else(|e| panic!("the app's cache: {e}"));
        cache
            .rows_of(login)
            .unwrap_or_else(|e| panic!("the app's cache: {e}"))
    }

    /// The operator's demo password of a login.
    pub fn password(login: &str) -> &'static str {
        mymts_operator::seed::DEMO
            .iter()
            .find(|d| d.login == login)
            .map(|d| d.password)
            .unwrap_or_else(|| panic!("no demo account {login}"))
    }

    /// Calls the operator and returns `(status, body)`: the QA API and the simulated world
    /// through the world door with its token (SEC-1), anything else through the public API.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let world = path.starts_with("/qa/") || path.starts_with("/sim/");
        let base = if world {
            &self.op.world_url
        } else {
            &self.op.api_url
        };
        let mut req = self.http.request(method, format!("{base}{path}"));
        if world && let Some(t) = &self.op.world_token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("operator {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Like [`Journey::call`], but the call must succeed.
    pub async fn qa(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (s, v) = self.call(method, path, body).await;
        assert!((200..300).contains(&s), "{path}: {s} {v}");
        v
    }

    /// Saves a screenshot of the window as `<dir>/<name>.png`, where `dir` is
    /// `MYMTS_SCREENSHOTS_DIR` (default `target/screenshots`).
    pub async fn snap(&self, name: &str) {
        let dir = std::env::var_os("MYMTS_SCREENSHOTS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target/screenshots"));
        let _ = std::fs::create_dir_all(&dir);
        // Let transitions and lazy screens settle, as a person looking at it would.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = screenshot(self.app())
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        std::fs::write(dir.join(format!("{name}.png")), png)
            .unwrap_or_else(|e| panic!("write screenshot {name}: {e}"));
    }

    /// Saves a screenshot, the page source and the app's log for a failed journey.
    ///
    /// (See [`screenshot`] for why not `Client::screenshot`.)
    pub async fn save_evidence(&self) -> PathBuf {
        let dir = evidence_dir(&self.name);
        let _ = std::fs::create_dir_all(&dir);
        if let Some(c) = &self.app {
            if let Ok(png) = screenshot(c).await {
                let _ = std::fs::write(dir.join("screenshot.png"), png);
            }
            if let Ok(src) = c.source().await {
                let _ = std::fs::write(dir.join("page.html"), src);
            }
        }
        let log = self.data_dir.join("logs/mymts-app.log");
        let _ = std::fs::copy(&log, dir.join("app.log"));
        dir
    }

    /// What a failure report needs when the evidence folder is out of reach (a CI log): the
    /// text on screen and the app log's last lines.
    async fn failure_summary(&self) -> String {
        let mut out = String::new();
        if let Some(c) = &self.app
            && let Ok(v) = c
                .execute(
                    "return document.body ? document.body.innerText : '';",
                    vec![],
                )
                .await
        {
            let text: String = v.as_str().unwrap_or_default().chars().take(1500).collect();
            out.push_str(&format!("--- on screen ---\n{text}\n"));
        }
        let log =
            std::fs::read_to_string(self.data_dir.join("logs/mymts-app.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(25)..].join("\n");
        out.push_str(&format!("--- app log, last lines ---\n{tail}\n"));
        out
    }

    /// Runs a journey; on failure keeps the evidence, names its folder, and fails the test.
    /// Teardown (app and operator) happens either way.
    pub async fn run<F>(name: &str, body: F)
    where
        F: for<'a> FnOnce(
            &'a mut Journey,
        ) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
    {
        use futures_util::FutureExt;
        let mut j = Journey::new(name).await;
        let outcome = std::panic::AssertUnwindSafe(body(&mut j))
            .catch_unwind()
            .await;
        let evidence = match &outcome {
            Ok(()) => None,
            Err(_) => Some((j.save_evidence().await, j.failure_summary().await)),
        };
        j.quit().await;
        let data_dir = j.data_dir.clone();
        j.op.stop().await;
        if let (Err(panic), Some((dir, summary))) = (outcome, evidence) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            eprintln!(
                "journey {name} failed: {message}\n{summary}evidence (screenshot, page source, app log) in {}",
                dir.display()
            );
            std::panic::resume_unwind(panic);
        }
        let _ = std::fs::remove_dir_all(data_dir);
    }
}

/// Keeps one nearly transparent pixel in the bottom-left corner changing every frame.
const NUDGE_ON: &str = "if (!window.__mymtsNudge) {
  const d = document.createElement('div');
  d.style.cssText = 'position:fixed;left:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647';
  document.body.appendChild(d);
  let odd = false;
  window.__mymtsNudge = { d, t: setInterval(() => { odd = !odd; d.style.background = odd ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)'; }, 16) };
}";
const NUDGE_OFF: &str = "if (window.__mymtsNudge) {
  clearInterval(window.__mymtsNudge.t); window.__mymtsNudge.d.remove(); delete window.__mymtsNudge;
}";

/// A screenshot of the window. The app renders on the CPU (src-tauri/src/render.rs), and in that
/// mode WebKitGTK's WebDriver answers a screenshot only after the page's next paint: an idle page
/// (no caret, no animation) never paints, and the command would wait for ever. So the page keeps
/// one pixel changing (by 1/255) while the screenshot is taken.
/// If it still does not come, the journey fails in 30 s instead of hanging.
pub async fn screenshot(c: &Client) -> Result<Vec<u8>, String> {
    let _ = c.execute(NUDGE_ON, vec![]).await;
    let png = tokio::time::timeout(Duration::from_secs(30), c.screenshot()).await;
    let _ = c.execute(NUDGE_OFF, vec![]).await;
    match png {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("no screenshot within 30 s".into()),
    }
}
