//! A typed client for the operator's HTTP API (docs/api.md). Every failure becomes a
//! [`CoreError`]: refusals keep the operator's code, transport failures are `unreachable`.
//!
//! One [`ApiClient`] for the three doors, its endpoints by door and feature: [`address`] (the
//! operator's address, the world door, path segments), `auth` (meta, the ways in, tokens,
//! sessions, activity), `account` (views, call detail, block, links, top-up), `world` (phones,
//! mailboxes, streams, QA). Operations never build a path: each endpoint is a method here. The
//! signed-in session's calls go through `crate::session::AuthedClient`, which adds the token.

mod account;
pub mod address;
mod auth;
mod reach;
mod world;

pub(crate) use address::seg;
pub use address::{WorldDoor, operator_url, origin};
pub use reach::Reach;

use std::time::Duration;

use mymts_proto::ApiErrorBody;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{CoreError, CoreResult};

const TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    world: Option<WorldDoor>,
    /// Told the outcome of every request (ACC-1, CACHE-2).
    reach: Reach,
}

impl ApiClient {
    /// A client of the public API at `base_url` (`http://127.0.0.1:8700`).
    pub fn new(base_url: &str) -> CoreResult<Self> {
        Self::build(base_url, None)
    }

    /// A client whose requests travel through the on-net gateway inside the SIM's data session
    /// (AUTH-7): the gateway maps the session to the number and vouches for it; the app never
    /// names a number.
    pub fn via_gateway(gateway_url: &str, data_session: &str) -> CoreResult<Self> {
        Self::build(gateway_url, Some(data_session))
    }

    fn build(base_url: &str, data_session: Option<&str>) -> CoreResult<Self> {
        let base = operator_url(base_url)?.unwrap_or_default();
        if base.is_empty() {
            return Err(CoreError::InvalidInput(
                "Enter the operator's address.".into(),
            ));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(s) = data_session {
            let mut v = reqwest::header::HeaderValue::from_str(s)
                .map_err(|_| CoreError::Protocol("an unreadable data session".into()))?;
            v.set_sensitive(true);
            headers.insert(mymts_proto::DATA_SESSION_HEADER, v);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .default_headers(headers)
            .user_agent(concat!("mymts-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CoreError::Unreachable(e.to_string()))?;
        Ok(Self {
            http,
            base,
            world: None,
            reach: Reach::default(),
        })
    }

    /// The same client, reaching the simulated world through `door`.
    pub fn with_world(mut self, door: Option<WorldDoor>) -> Self {
        self.world = door;
        self
    }

    /// Whether the operator answers, as this client's requests found it.
    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn req(&self, method: Method, path: &str, access: Option<&str>) -> RequestBuilder {
        let r = self.http.request(method, self.url(path));
        match access {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn send_raw(&self, r: RequestBuilder) -> CoreResult<reqwest::Response> {
        let out = self.answer(r).await;
        self.reach.observe(&out);
        out
    }

    /// The operator's answer to `r`: a success, its typed refusal, or why there was none.
    async fn answer(&self, r: RequestBuilder) -> CoreResult<reqwest::Response> {
        let resp = r.send().await.map_err(transport)?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let bytes = resp.bytes().await.map_err(transport)?;
        match serde_json::from_slice::<ApiErrorBody>(&bytes) {
            Ok(body) => Err(CoreError::Api(body)),
            Err(_) if status.is_server_error() || status == StatusCode::BAD_GATEWAY => Err(
                CoreError::Unreachable(format!("the operator answered HTTP {}", status.as_u16())),
            ),
            Err(_) => Err(CoreError::Protocol(format!(
                "HTTP {} without an error body",
                status.as_u16()
            ))),
        }
    }

    async fn send<T: DeserializeOwned>(&self, r: RequestBuilder) -> CoreResult<T> {
        let resp = self.send_raw(r).await?;
        let bytes = resp.bytes().await.map_err(transport)?;
        serde_json::from_slice(&bytes).map_err(|e| CoreError::Protocol(e.to_string()))
    }

    async fn send_empty(&self, r: RequestBuilder) -> CoreResult<()> {
        self.send_raw(r).await.map(|_| ())
    }

    /// Sends `r` and reads its answer; an empty success body reads as `null`, so `T` may be `()`
    /// for 204 answers.
    async fn send_nullable<T: DeserializeOwned>(&self, r: RequestBuilder) -> CoreResult<T> {
        let bytes = self.send_raw(r).await?.bytes().await.map_err(transport)?;
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| CoreError::Protocol(e.to_string()))
    }

    /// A request to the public door: `body` as JSON when given, the answer as
    /// [`ApiClient::send_nullable`] reads it.
    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        access: Option<&str>,
        body: Option<&B>,
    ) -> CoreResult<T> {
        let mut r = self.req(method, path, access);
        if let Some(b) = body {
            r = r.json(b);
        }
        self.send_nullable(r).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, access: Option<&str>) -> CoreResult<T> {
        self.send(self.req(Method::GET, path, access)).await
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        access: Option<&str>,
        body: &B,
    ) -> CoreResult<T> {
        self.send(self.req(Method::POST, path, access).json(body))
            .await
    }
}

fn transport(e: reqwest::Error) -> CoreError {
    // reqwest's message names the URL, never a body: no secret can leak through it.
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection refused or no route"
    } else {
        "the connection failed"
    };
    CoreError::Unreachable(what.to_string())
}
