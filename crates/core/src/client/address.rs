//! Addresses: the operator's (checked for SEC-5), the simulated world's door, and the path
//! segments the client puts into them.

use crate::error::{CoreError, CoreResult};

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

/// Percent-encodes one path segment (phone numbers keep their `+`, addresses their `@`).
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
        assert!(operator_url("ftp://x").is_err());
        assert!(operator_url("http://127.0.0.1:1/").is_ok());
    }
}
