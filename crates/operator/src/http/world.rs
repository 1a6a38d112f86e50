//! The world door's checks (SEC-1): a request reaches the simulated world only when its `Host`
//! names this listener's own address (so no web page can reach it through DNS rebinding) and,
//! when the operator has a world token, when it carries `Authorization: Bearer <token>`; with no
//! token, only when it carries no `Origin` (no web page on another site sent it).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use mymts_proto::ErrorCode;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// What the world door lets through: requests to its own address, with its token.
#[derive(Clone)]
pub struct WorldDoor {
    addr: SocketAddr,
    /// SHA-256 of the token: compared in constant time, and the token itself is not kept here.
    token_digest: Option<[u8; 32]>,
}

impl std::fmt::Debug for WorldDoor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldDoor")
            .field("addr", &self.addr)
            .field("token", &self.token_digest.map(|_| "<set>"))
            .finish()
    }
}

impl WorldDoor {
    /// The door of a listener bound to `addr`; `token` makes every request carry it.
    pub fn new(addr: SocketAddr, token: Option<&str>) -> Self {
        Self {
            addr,
            token_digest: token.map(digest),
        }
    }

    /// `Host` must name this listener: its IP and port, or `localhost` and the port when it is
    /// bound to loopback. A listener bound to every interface takes any IP literal with its port
    /// (a name would be how a rebinding page reaches it).
    pub fn host_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        if authority.port_u16() != Some(self.addr.port()) {
            return false;
        }
        let name = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let bound = self.addr.ip();
        match name.parse::<IpAddr>() {
            Ok(ip) => ip == bound || bound.is_unspecified(),
            Err(_) => {
                name.eq_ignore_ascii_case("localhost")
                    && (bound.is_loopback() || bound.is_unspecified())
            }
        }
    }

    /// A request a web page sent: browsers put an `Origin` on every cross-site request that can
    /// change something (a form's or a no-cors POST), and such a request needs no preflight. The
    /// token stops them (a page cannot add `Authorization` without a preflight this door never
    /// answers); a door with no token refuses any request with an `Origin` instead. The app,
    /// the CLI and QA tools send none.
    pub fn cross_site(&self, headers: &HeaderMap) -> bool {
        self.token_digest.is_none() && headers.contains_key(header::ORIGIN)
    }

    /// No token configured, or the request's bearer token is it (compared in constant time).
    pub fn token_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = self.token_digest else {
            return true;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim());
        match given {
            Some(t) => bool::from(digest(t).ct_eq(&expected)),
            None => false,
        }
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The middleware in front of every world route.
pub async fn guard(State(door): State<Arc<WorldDoor>>, req: Request, next: Next) -> Response<Body> {
    if !door.host_allowed(req.headers()) {
        return ApiError::new(
            ErrorCode::BadRequest,
            "This door answers only to its own address.",
        )
        .into_response();
    }
    if door.cross_site(req.headers()) {
        return ApiError::new(
            ErrorCode::BadRequest,
            "This door takes no requests from web pages (Origin).",
        )
        .into_response();
    }
    if !door.token_allowed(req.headers()) {
        return ApiError::new(
            ErrorCode::Unauthorized,
            "The simulated world needs its token (Authorization: Bearer …).",
        )
        .into_response();
    }
    next.run(req).await
}
