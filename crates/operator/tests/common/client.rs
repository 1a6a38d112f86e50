//! The one HTTP client of the operator's tests: every test that talks to an operator builds its
//! client here, and reads an answer here.
//!
//! One peer may hold only 16 requests in flight (issue 11, floods), so a test that sends many in
//! parallel spreads them over several loopback addresses on purpose ([`peers`]), and a test about
//! that bound picks its addresses itself ([`client_from`]).

use std::net::IpAddr;

use serde_json::Value;

/// A client from 127.0.0.1.
pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A client whose connections come from 127.0.0.`last`.
pub fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, last]))
        .build()
        .expect("client")
}

/// `n` clients, from 127.0.0.1 to 127.0.0.`n`.
pub fn peers(n: u8) -> Vec<reqwest::Client> {
    (1..=n).map(client_from).collect()
}

/// A client of the world door (SEC-1): every request carries the operator's world token.
pub fn world_client(token: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(t) = token {
        let v = reqwest::header::HeaderValue::from_str(&format!("Bearer {t}")).expect("token");
        headers.insert(reqwest::header::AUTHORIZATION, v);
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// Sends `req` and reads the answer: its status and its body as JSON (`Null` when empty, the
/// text as a string when it is not JSON).
pub async fn answer(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, v)
}
