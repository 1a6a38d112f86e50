//! Test support: a real operator on loopback and a small JSON client.
#![allow(dead_code)]

pub mod client;
pub mod process;

// Each test binary uses a part of this support module (as with `dead_code` above).
#[allow(unused_imports)]
pub use client::{answer, client, client_from, peers, world_client};

use mymts_operator::{Config, Running, start};
use rusqlite::params;
use serde_json::{Value, json};

pub struct Op {
    pub run: Running,
    pub http: reqwest::Client,
}

pub async fn op() -> Op {
    op_with(Config::ephemeral()).await
}

pub async fn op_with(config: Config) -> Op {
    let run = start(config).await.expect("operator starts");
    Op {
        run,
        http: client(),
    }
}

impl Op {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.run.api_url)
    }

    /// A request to the world door (SEC-1), with its token.
    pub fn world(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self
            .http
            .request(method, format!("{}{path}", self.run.world_url));
        match &self.run.world_token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub fn gw(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.run.gateway_url.as_deref().expect("gateway")
        )
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        answer(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut r = self.http.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> (u16, Value) {
        let mut r = self.http.post(self.url(path)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    /// `body` with a solved captcha added (`captcha_id`, `captcha_answer`), as the app sends an
    /// SMS-password or recovery request.
    pub async fn with_captcha(&self, mut body: Value) -> Value {
        let (id, answer) = self.captcha().await;
        body["captcha_id"] = json!(id);
        body["captcha_answer"] = json!(answer);
        body
    }

    pub async fn captcha(&self) -> (String, String) {
        let (s, v) = self.post("/v1/captcha", json!({}), None).await;
        assert_eq!(s, 200, "{v}");
        let id = v["id"].as_str().expect("id").to_string();
        let answer =
            mymts_operator::ops::auth::captcha::answer_of(&self.run.state, &id).expect("answer");
        (id, answer)
    }

    pub async fn request_code(&self, phone: &str) -> (u16, Value) {
        let (id, answer) = self.captcha().await;
        self.post(
            "/v1/auth/sms-password",
            json!({"phone": phone, "captcha_id": id, "captcha_answer": answer}),
            None,
        )
        .await
    }

    /// Texts of every SMS the SMS centre holds for `to` from `from`, oldest first (any status).
    pub async fn sms_texts(&self, to: &str, from: &str) -> Vec<String> {
        let (to, from) = (to.to_string(), from.to_string());
        let st = self.run.state.clone();
        self.run
            .state
            .db
            .tx(move |tx| {
                let mut stmt = tx.prepare(
                    "SELECT body FROM sms WHERE recipient = ?1 AND sender = ?2 ORDER BY id",
                )?;
                let bodies: Vec<Vec<u8>> = stmt
                    .query_map(params![to, from], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                bodies.iter().map(|b| st.key.open_string(b)).collect()
            })
            .await
            .expect("sms rows")
    }

    pub async fn last_code(&self, to: &str, from: &str) -> String {
        let texts = self.sms_texts(to, from).await;
        let last = texts.last().expect("an SMS arrived");
        mymts_proto::otp::extract_code(last).expect("a code in the SMS")
    }

    pub async fn login_password(&self, login: &str, password: &str) -> (u16, Value) {
        self.post(
            "/v1/auth/login",
            json!({"method": "password", "login": login, "password": password, "device": {"name": "test", "platform": "linux"}}),
            None,
        )
        .await
    }

    pub async fn login_code(&self, phone: &str, code: &str) -> (u16, Value) {
        self.post(
            "/v1/auth/login",
            json!({"method": "sms_code", "phone": phone, "code": code}),
            None,
        )
        .await
    }

    /// An SMS-code login carrying the challenge of the request that sent the code (SEC-2).
    pub async fn login_code_with(&self, phone: &str, code: &str, challenge: &str) -> (u16, Value) {
        self.post(
            "/v1/auth/login",
            json!({"method": "sms_code", "phone": phone, "code": code, "challenge": challenge}),
            None,
        )
        .await
    }

    /// Logs in by password and accepts the agreement; returns the access token.
    pub async fn signed_in(&self, login: &str, password: &str) -> String {
        let (s, v) = self.login_password(login, password).await;
        assert_eq!(s, 200, "{v}");
        let token = v["tokens"]["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        let (s, v) = self
            .post(
                "/v1/agreement",
                json!({"version": mymts_operator::AGREEMENT_VERSION}),
                Some(&token),
            )
            .await;
        assert_eq!(s, 204, "{v}");
        token
    }

    pub fn advance(&self, ms: i64) {
        self.run.state.clock.advance(ms);
    }

    pub async fn sql_i64(&self, sql: &'static str, arg: &str) -> i64 {
        let arg = arg.to_string();
        self.run
            .state
            .db
            .tx(move |tx| Ok(tx.query_row(sql, params![arg], |r| r.get(0))?))
            .await
            .expect("query")
    }

    pub async fn exec(&self, sql: &'static str, arg: &str) {
        let arg = arg.to_string();
        self.run
            .state
            .db
            .tx(move |tx| Ok(tx.execute(sql, params![arg])?))
            .await
            .expect("exec");
    }
}

pub fn code_of(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("<no code>")
}
