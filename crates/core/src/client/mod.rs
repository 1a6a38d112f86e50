//! A typed client for the operator's HTTP API (docs/api.md). Every failure becomes a
//! [`CoreError`]: refusals keep the operator's code, transport failures are `unreachable`.

use std::time::Duration;

use mymts_proto::ApiErrorBody;
use mymts_proto::wire::*;
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
}

/// The simulated world's door (SEC-1): its address and the token it asks for. Phones,
/// mailboxes and the QA API answer there and nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct WorldDoor {
    pub url: String,
    pub token: Option<String>,
}

impl WorldDoor {
    /// `url` tidied like an operator address; an empty token means none.
    pub fn new(url: &str, token: Option<&str>) -> CoreResult<Self> {
        let url = operator_url(url)?.ok_or_else(|| {
            CoreError::InvalidInput("Enter the simulated world's address.".into())
        })?;
        Ok(Self {
            url,
            token: token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        })
    }
}

impl std::fmt::Debug for WorldDoor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never in a log line.
        f.debug_struct("WorldDoor")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// Percent-encodes one path segment (phone numbers keep their `+`, addresses their `@`).
/// An operator address as typed or configured, tidied: trimmed, without a trailing `/`; `None`
/// when empty; refused unless it is https, or plain http to this computer (SEC-5: a refresh
/// token never crosses a network in the clear).
pub fn operator_url(input: &str) -> CoreResult<Option<String>> {
    let url = input.trim().trim_end_matches('/');
    if url.is_empty() {
        return Ok(None);
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| {
        CoreError::InvalidInput(format!(
            "{url:?} is not an operator address (https://host)."
        ))
    })?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(CoreError::InvalidInput(format!(
                "The operator address {url} uses plain http:// but is not on this computer: \
                 tokens would cross the network unencrypted. Use https:// (plain http:// is \
                 only for an operator on 127.0.0.1, [::1] or localhost)."
            )));
        }
        _ => {
            return Err(CoreError::InvalidInput(
                "The operator address must start with https:// (or http:// for this computer)."
                    .into(),
            ));
        }
    }
    Ok(Some(url.to_string()))
}

/// The origin (`scheme://host[:port]`, default ports left out) of an operator address: what the
/// keyring entries are bound to (SEC-5).
pub fn origin(address: &str) -> CoreResult<String> {
    let url = operator_url(address)?
        .ok_or_else(|| CoreError::InvalidInput("Enter the operator's address.".into()))?;
    let parsed = reqwest::Url::parse(&url)
        .map_err(|_| CoreError::InvalidInput(format!("{url:?} is not an operator address.")))?;
    let origin = parsed.origin();
    if !origin.is_tuple() {
        return Err(CoreError::InvalidInput(format!(
            "{url:?} is not an operator address."
        )));
    }
    Ok(origin.ascii_serialization())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~+@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
        })
    }

    /// The same client, reaching the simulated world through `door`.
    pub fn with_world(mut self, door: Option<WorldDoor>) -> Self {
        self.world = door;
        self
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

    /// Any request: `body` as JSON when given; an empty success body reads as `null`, so `T` may
    /// be `()` for 204 answers. For endpoints that have no method of their own here.
    pub(crate) async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
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
        let bytes = self.send_raw(r).await?.bytes().await.map_err(transport)?;
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| CoreError::Protocol(e.to_string()))
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

    // --- meta ----------------------------------------------------------------------------

    pub async fn info(&self) -> CoreResult<OperatorInfo> {
        self.get("/v1/info", None).await
    }

    pub async fn time(&self) -> CoreResult<TimeInfo> {
        self.get("/v1/time", None).await
    }

    // --- auth ----------------------------------------------------------------------------

    pub async fn captcha(&self) -> CoreResult<Captcha> {
        self.send(self.req(Method::POST, "/v1/captcha", None)).await
    }

    pub async fn sms_password(&self, req: &SmsPasswordRequest) -> CoreResult<SmsPasswordSent> {
        self.post("/v1/auth/sms-password", None, req).await
    }

    pub async fn login(&self, req: &LoginRequest) -> CoreResult<LoginResponse> {
        self.post("/v1/auth/login", None, req).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> CoreResult<TokenPair> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_string(),
        };
        self.post("/v1/auth/refresh", None, &body).await
    }

    pub async fn logout(&self, access: &str) -> CoreResult<()> {
        self.send_empty(self.req(Method::POST, "/v1/auth/logout", Some(access)))
            .await
    }

    /// The user is active on screens the app shows from its cache (AUTH-8): the cheapest
    /// activity that keeps the server session from its idle end.
    pub async fn keepalive(&self, access: &str) -> CoreResult<()> {
        self.send_empty(self.req(Method::POST, "/v1/session/keepalive", Some(access)))
            .await
    }

    pub async fn recovery(&self, contract: &str) -> CoreResult<RecoverySent> {
        let body = RecoveryRequest {
            contract: contract.to_string(),
            challenge: None,
        };
        self.post("/v1/auth/recovery", None, &body).await
    }

    pub async fn recovery_confirm(&self, req: &RecoveryConfirm) -> CoreResult<()> {
        self.send_empty(
            self.req(Method::POST, "/v1/auth/recovery/confirm", None)
                .json(req),
        )
        .await
    }

    pub async fn agreement(&self) -> CoreResult<Agreement> {
        self.get("/v1/agreement", None).await
    }

    pub async fn accept_agreement(&self, access: &str, version: u32) -> CoreResult<()> {
        self.send_empty(
            self.req(Method::POST, "/v1/agreement", Some(access))
                .json(&AcceptAgreement { version }),
        )
        .await
    }

    pub async fn change_password(
        &self,
        access: &str,
        req: &ChangePassword,
    ) -> CoreResult<PasswordChanged> {
        self.post("/v1/password", Some(access), req).await
    }

    pub async fn sessions(&self, access: &str) -> CoreResult<Vec<SessionInfo>> {
        self.get("/v1/sessions", Some(access)).await
    }

    pub async fn revoke_others(&self, access: &str) -> CoreResult<Revoked> {
        self.send(self.req(Method::POST, "/v1/sessions/revoke-others", Some(access)))
            .await
    }

    pub async fn social_links(&self, access: &str) -> CoreResult<Vec<SocialLink>> {
        self.get("/v1/social", Some(access)).await
    }

    pub async fn link_social(
        &self,
        access: &str,
        req: &SocialLinkRequest,
    ) -> CoreResult<SocialLink> {
        self.post("/v1/social", Some(access), req).await
    }

    // --- account -------------------------------------------------------------------------

    pub async fn account(&self, access: &str) -> CoreResult<AccountOverview> {
        self.get("/v1/account", Some(access)).await
    }

    pub async fn balance(&self, access: &str) -> CoreResult<Balance> {
        self.get("/v1/balance", Some(access)).await
    }

    pub async fn tariffs(&self, access: &str) -> CoreResult<TariffList> {
        self.get("/v1/tariffs", Some(access)).await
    }

    pub async fn change_tariff(&self, access: &str, tariff_id: &str) -> CoreResult<Charged> {
        let body = ChangeTariff {
            tariff_id: tariff_id.to_string(),
        };
        self.post("/v1/tariff", Some(access), &body).await
    }

    pub async fn services(&self, access: &str) -> CoreResult<ServiceList> {
        self.get("/v1/services", Some(access)).await
    }

    pub async fn connect_service(&self, access: &str, id: &str) -> CoreResult<Charged> {
        let path = format!("/v1/services/{}", seg(id));
        self.send(self.req(Method::POST, &path, Some(access))).await
    }

    pub async fn disconnect_service(&self, access: &str, id: &str) -> CoreResult<Charged> {
        let path = format!("/v1/services/{}", seg(id));
        self.send(self.req(Method::DELETE, &path, Some(access)))
            .await
    }

    pub async fn calls(&self, access: &str, q: &CallQuery) -> CoreResult<CallPage> {
        self.send(self.req(Method::GET, "/v1/calls", Some(access)).query(q))
            .await
    }

    pub async fn call_totals(&self, access: &str, q: &CallQuery) -> CoreResult<CallTotals> {
        self.send(
            self.req(Method::GET, "/v1/calls/totals", Some(access))
                .query(q),
        )
        .await
    }

    pub async fn links(&self, access: &str) -> CoreResult<Vec<LinkedAccount>> {
        self.get("/v1/links", Some(access)).await
    }

    pub async fn add_link(&self, access: &str, req: &LinkRequest) -> CoreResult<LinkedAccount> {
        self.post("/v1/links", Some(access), req).await
    }

    pub async fn linked_session(&self, access: &str, login: &str) -> CoreResult<LoginResponse> {
        let path = format!("/v1/links/{}/session", seg(login));
        self.send(self.req(Method::POST, &path, Some(access))).await
    }

    // --- the simulated world (SEC-1: its own door, its own token) ---------------------------

    /// The simulated world's door, when this client knows it.
    pub fn world(&self) -> Option<&WorldDoor> {
        self.world.as_ref()
    }

    /// A request to the world door, with its token.
    fn world_req(&self, method: Method, path: &str) -> CoreResult<RequestBuilder> {
        let Some(w) = &self.world else {
            return Err(CoreError::InvalidInput(
                "The simulated world's address is not set (MYMTS_WORLD_URL and MYMTS_WORLD_TOKEN, or --world and --world-token).".into(),
            ));
        };
        let r = self.http.request(method, format!("{}{path}", w.url));
        Ok(match &w.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        })
    }

    /// Any request to the world door: like [`ApiClient::call`].
    pub(crate) async fn world_call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> CoreResult<T> {
        let mut r = self.world_req(method, path)?;
        if let Some(b) = body {
            r = r.json(b);
        }
        let bytes = self.send_raw(r).await?.bytes().await.map_err(transport)?;
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| CoreError::Protocol(e.to_string()))
    }

    async fn wget<T: DeserializeOwned>(&self, path: &str) -> CoreResult<T> {
        self.send(self.world_req(Method::GET, path)?).await
    }

    pub async fn phone(&self, number: &str) -> CoreResult<PhoneState> {
        self.wget(&format!("/sim/phones/{}", seg(number))).await
    }

    pub async fn patch_phone(&self, number: &str, p: &PhoneStatePatch) -> CoreResult<PhoneState> {
        let path = format!("/sim/phones/{}", seg(number));
        self.send(self.world_req(Method::PATCH, &path)?.json(p))
            .await
    }

    pub async fn messages(&self, number: &str, after_id: Option<i64>) -> CoreResult<Vec<Sms>> {
        let path = format!("/sim/phones/{}/messages", seg(number));
        let mut r = self.world_req(Method::GET, &path)?;
        if let Some(a) = after_id {
            r = r.query(&[("after_id", a)]);
        }
        self.send(r).await
    }

    pub async fn send_sms(&self, number: &str, to: &str, text: &str) -> CoreResult<()> {
        let path = format!("/sim/phones/{}/send", seg(number));
        let body = ComposeSms {
            to: to.to_string(),
            text: text.to_string(),
        };
        self.send_empty(self.world_req(Method::POST, &path)?.json(&body))
            .await
    }

    pub async fn delivery(&self, number: &str) -> CoreResult<DeliveryReport> {
        self.wget(&format!("/sim/phones/{}/delivery", seg(number)))
            .await
    }

    pub async fn mailbox(&self, address: &str) -> CoreResult<MailboxState> {
        self.wget(&format!("/sim/mailboxes/{}", seg(address))).await
    }

    pub async fn mail(&self, address: &str, folder: MailFolder) -> CoreResult<Vec<Mail>> {
        let path = format!("/sim/mailboxes/{}/messages", seg(address));
        let f = match folder {
            MailFolder::Inbox => "inbox",
            MailFolder::Spam => "spam",
        };
        self.send(self.world_req(Method::GET, &path)?.query(&[("folder", f)]))
            .await
    }

    /// Deletes a letter, freeing its space (INBOX-2).
    pub async fn delete_mail(&self, address: &str, id: i64) -> CoreResult<()> {
        let path = format!("/sim/mailboxes/{}/messages/{id}", seg(address));
        self.send_empty(self.world_req(Method::DELETE, &path)?)
            .await
    }

    /// Replaces a mailbox's filters (INBOX-2); the answer is the mailbox as it now is.
    pub async fn put_mail_filters(
        &self,
        address: &str,
        filters: &[MailFilter],
    ) -> CoreResult<MailboxState> {
        let path = format!("/sim/mailboxes/{}/filters", seg(address));
        self.send(self.world_req(Method::PUT, &path)?.json(filters))
            .await
    }

    /// The phone's SIM attaches to operator data (AUTH-7): a data session for the gateway.
    pub async fn open_data_session(&self, number: &str) -> CoreResult<DataSession> {
        let path = format!("/sim/phones/{}/data-session", seg(number));
        self.send(self.world_req(Method::POST, &path)?).await
    }

    /// The request for a phone's live SMS stream (server-sent events), sent by `http`.
    pub fn sms_stream(&self, http: &reqwest::Client, number: &str) -> CoreResult<RequestBuilder> {
        self.world_stream(http, &format!("/sim/phones/{}/stream", seg(number)))
    }

    /// The request for a mailbox's live mail stream (server-sent events), sent by `http`.
    pub fn mail_stream(&self, http: &reqwest::Client, address: &str) -> CoreResult<RequestBuilder> {
        self.world_stream(http, &format!("/sim/mailboxes/{}/stream", seg(address)))
    }

    fn world_stream(&self, http: &reqwest::Client, path: &str) -> CoreResult<RequestBuilder> {
        // Built on the caller's client: a stream must not end at this client's timeout.
        let w = self.world.as_ref().ok_or_else(|| {
            CoreError::InvalidInput("The simulated world's address is not set.".into())
        })?;
        let r = http.get(format!("{}{path}", w.url));
        Ok(match &w.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        })
    }

    // --- QA (on the world door) ----------------------------------------------------------

    pub async fn qa_accounts(&self) -> CoreResult<DemoAccounts> {
        self.wget("/qa/accounts").await
    }

    pub async fn qa_captcha_answer(&self, id: &str) -> CoreResult<CaptchaAnswer> {
        self.wget(&format!("/qa/captcha/{}", seg(id))).await
    }

    pub async fn qa_patch_phone(
        &self,
        number: &str,
        p: &PhoneStatePatch,
    ) -> CoreResult<PhoneState> {
        let path = format!("/qa/phones/{}", seg(number));
        self.send(self.world_req(Method::PATCH, &path)?.json(p))
            .await
    }

    pub async fn qa_sms(&self, req: &InjectSms) -> CoreResult<()> {
        self.send_empty(self.world_req(Method::POST, "/qa/sms")?.json(req))
            .await
    }

    pub async fn qa_clock(&self) -> CoreResult<ClockState> {
        self.wget("/qa/clock").await
    }

    pub async fn qa_clock_advance(&self, seconds: i64) -> CoreResult<ClockState> {
        self.send(
            self.world_req(Method::POST, "/qa/clock/advance")?
                .json(&AdvanceClock { seconds }),
        )
        .await
    }

    pub async fn qa_faults(&self, f: &Faults) -> CoreResult<Faults> {
        self.send(self.world_req(Method::PUT, "/qa/faults")?.json(f))
            .await
    }

    pub async fn qa_reset(&self) -> CoreResult<()> {
        self.send_empty(self.world_req(Method::POST, "/qa/reset")?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(seg("+79161234567"), "+79161234567");
        assert_eq!(seg("a.b@mail.example"), "a.b@mail.example");
        assert_eq!(seg("x/../y z"), "x%2F..%2Fy%20z");
    }

    #[test]
    fn refuses_non_http_base() {
        assert!(ApiClient::new("ftp://x").is_err());
        assert!(ApiClient::new("http://127.0.0.1:1/").is_ok());
    }
}
