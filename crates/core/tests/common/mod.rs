//! A real operator on loopback, a fresh data dir and a unique keyring service per test.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use mymts_core::ops::auth::LoginOutcome;
use mymts_core::ops::inbox::Verdict;
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

/// Waits for a genuine SMS with a code that was not in `seen` and returns the code.
pub async fn wait_code(core: &Core, phone: &str, seen: usize) -> String {
    for _ in 0..100 {
        if let Ok(msgs) = core.inbox(phone).await {
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
    core.inbox(phone)
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
    core.request_sms_password(phone, &c.id, &answer)
        .await
        .expect("sms password sent");
    let code = wait_code(core, phone, seen).await;
    let out = core
        .login_sms_code(phone, &code, remember)
        .await
        .expect("sms login");
    if out.session.agreement_required {
        core.accept_agreement().await.expect("agreement");
    }
    (out, code)
}

pub async fn password_login(core: &Core, login: &str, remember: bool) -> LoginOutcome {
    let out = core
        .login_password(login, pw(login), remember)
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
