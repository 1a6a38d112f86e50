//! A real operator on loopback, a fresh data dir and a unique keyring service per test.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use mymts_core::Verdict;
use mymts_core::ops::auth::LoginOutcome;
use mymts_core::{Clock, Core, CoreConfig};
use mymts_operator::{Config, Running};
use rand::Rng;

pub struct World {
    pub op: Running,
    pub dir: tempfile::TempDir,
    pub service: String,
}

pub async fn world() -> World {
    let op = mymts_operator::start(Config::ephemeral())
        .await
        .expect("operator starts");
    let service = format!("mymts-test-{:016x}", rand::rng().random::<u64>());
    World {
        op,
        dir: tempfile::tempdir().expect("tmp"),
        service,
    }
}

impl World {
    pub fn config(&self) -> CoreConfig {
        CoreConfig::new(self.op.api_url.clone())
            .world(Some(mymts_core::WorldDoor {
                url: self.op.world_url.clone(),
                token: self.op.world_token.clone(),
            }))
            .data_dir(self.dir.path())
            .keyring_service(self.service.clone())
            .device("core-test", "linux")
    }

    pub fn core(&self) -> Core {
        Core::new(self.config()).expect("core")
    }

    pub fn core_with_clock(&self, clock: Arc<dyn Clock>) -> Core {
        Core::new(self.config().clock(clock)).expect("core")
    }

    pub fn captcha_answer(&self, id: &str) -> String {
        mymts_operator::ops::auth::captcha::answer_of(&self.op.state, id).expect("answer")
    }

    /// A recovery request with a solved captcha, as the app sends it.
    pub async fn request_recovery(
        &self,
        core: &Core,
        contract: &mymts_proto::Login,
    ) -> mymts_core::CoreResult<mymts_proto::wire::RecoverySent> {
        let c = core.captcha().await?;
        core.request_recovery(contract, &c.id, &self.captcha_answer(&c.id))
            .await
    }

    pub fn advance_operator_clock(&self, ms: i64) {
        self.op.state.clock.advance(ms);
    }
}

pub fn pw(login: &str) -> &'static str {
    mymts_operator::seed::DEMO
        .iter()
        .find(|d| d.login == login)
        .map(|d| d.password)
        .expect("demo account")
}

/// A number the tests name as text, read by the rule (as the app's edges read what is typed).
pub fn phone(s: &str) -> mymts_proto::PhoneNumber {
    s.parse().expect("a phone number")
}

/// A login the tests name as text, read by the rule.
pub fn login(s: &str) -> mymts_proto::Login {
    s.parse().expect("a login")
}

/// Waits for a genuine SMS with a code that was not in `seen` and returns the code.
pub async fn wait_code(core: &Core, phone: &str, seen: usize) -> String {
    for _ in 0..100 {
        if let Ok(msgs) = core.inbox(&self::phone(phone)).await {
            let codes: Vec<_> = msgs
                .iter()
                .filter(|m| m.verdict == Verdict::Genuine)
                .filter_map(|m| m.code.clone())
                .collect();
            if codes.len() > seen
                && let Some(c) = codes.last()
            {
                return c.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no SMS code arrived for {phone}");
}

pub async fn genuine_codes(core: &Core, phone: &str) -> usize {
    core.inbox(&self::phone(phone))
        .await
        .map(|m| m.iter().filter(|m| m.code.is_some()).count())
        .unwrap_or(0)
}

/// The whole AUTH-4 flow: captcha, SMS password request, code from the inbox, login.
pub async fn sms_login(
    w: &World,
    core: &Core,
    phone: &str,
    remember: bool,
) -> (LoginOutcome, String) {
    let seen = genuine_codes(core, phone).await;
    let c = core.captcha().await.expect("captcha");
    assert!(c.png.starts_with(b"\x89PNG"), "a PNG image");
    let answer = w.captcha_answer(&c.id);
    let sent = core
        .request_sms_password(&self::phone(phone), &c.id, &answer, None)
        .await
        .expect("sms password sent");
    let code = wait_code(core, phone, seen).await;
    let out = core
        .login_sms_code(&self::phone(phone), &code, Some(&sent.challenge), remember)
        .await
        .expect("sms login");
    if out.session.agreement_required {
        core.accept_agreement().await.expect("agreement");
    }
    (out, code)
}

pub async fn password_login(core: &Core, login: &str, remember: bool) -> LoginOutcome {
    let out = core
        .login_password(&self::login(login), pw(login), remember)
        .await
        .expect("password login");
    if out.session.agreement_required {
        core.accept_agreement().await.expect("agreement");
    }
    out
}

/// The refresh token the keyring holds for `login` at the core's operator (SEC-5 binding).
pub async fn token(core: &Core, login: &str) -> Option<String> {
    let op = core.operator_id().await.expect("operator id");
    core.vault().load(&op, login).await.expect("vault")
}

/// A relay on its own loopback port in front of a real operator: what an impostor at another
/// address does when it repeats the operator's answers (SEC-5), or a network that loses one
/// kind of request. It notes every request that passes (path, authorization, body).
pub struct Relay {
    pub url: String,
    upstream: Arc<std::sync::Mutex<String>>,
    fail_info: Arc<std::sync::atomic::AtomicBool>,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

#[derive(Clone)]
struct RelayState {
    upstream: Arc<std::sync::Mutex<String>>,
    fail_info: Arc<std::sync::atomic::AtomicBool>,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
    http: reqwest::Client,
}

pub async fn relay(upstream: &str) -> Relay {
    let st = RelayState {
        upstream: Arc::new(std::sync::Mutex::new(upstream.to_string())),
        fail_info: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        seen: Arc::new(std::sync::Mutex::new(Vec::new())),
        http: reqwest::Client::new(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("relay port");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .fallback(relay_one)
        .with_state(st.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Relay {
        url,
        upstream: st.upstream,
        fail_info: st.fail_info,
        seen: st.seen,
    }
}

impl Relay {
    /// From now on the relay forwards to `upstream` (the address now leads elsewhere).
    pub fn point_at(&self, upstream: &str) {
        *self.upstream.lock().expect("relay") = upstream.to_string();
    }

    /// `GET /v1/info` answered 503 (lost on the way) while `on`.
    pub fn fail_info(&self, on: bool) {
        self.fail_info
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether any request that passed carried `secret` (in its authorization or body).
    pub fn saw(&self, secret: &str) -> bool {
        self.seen
            .lock()
            .expect("relay")
            .iter()
            .any(|r| r.contains(secret))
    }

    /// The paths of the requests that passed.
    pub fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .expect("relay")
            .iter()
            .filter_map(|r| r.split(' ').next().map(str::to_string))
            .collect()
    }
}

async fn relay_one(
    axum::extract::State(st): axum::extract::State<RelayState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    st.seen
        .lock()
        .expect("relay")
        .push(format!("{path} {auth} {}", String::from_utf8_lossy(&body)));
    if path == "/v1/info" && st.fail_info.load(std::sync::atomic::Ordering::SeqCst) {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "lost on the way",
        )
            .into_response();
    }
    let upstream = st.upstream.lock().expect("relay").clone();
    let mut out = st
        .http
        .request(method, format!("{upstream}{path}"))
        .body(body.to_vec());
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            out = out.header(k, v);
        }
    }
    match out.send().await {
        Ok(r) => {
            let status = r.status();
            let ct = r.headers().get("content-type").cloned();
            let bytes = r.bytes().await.unwrap_or_default();
            let mut resp = (status, bytes).into_response();
            if let Some(ct) = ct {
                resp.headers_mut().insert("content-type", ct);
            }
            resp
        }
        Err(e) => (axum::http::StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}
