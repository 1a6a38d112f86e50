//! Bounds every listener puts on its requests (issue 11, floods): a request that is not answered
//! within [`REQUEST_TIMEOUT`] is cut off, and at most [`MAX_IN_FLIGHT`] requests are served at
//! once; one more is refused at once (`rate_limited`, retry after a second) rather than queued,
//! so a flood cannot build a backlog that every subscriber waits behind. tower's own layers do
//! the work: `ConcurrencyLimit`, `Timeout` and `LoadShed`, with axum's `HandleErrorLayer`
//! turning their errors into the typed error body.
//!
//! One peer (an IPv4 address, or an IPv6 /64) may hold at most [`MAX_IN_FLIGHT_PER_PEER`] of a
//! listener's requests at once, and one IPv6 /48 (what one customer of a provider is routinely
//! given: 65,536 /64s) at most [`MAX_IN_FLIGHT_PER_NET`]; one more of its requests is refused at
//! once the same way, so a single client flooding a door leaves the rest of the slots to
//! everyone else. That also bounds what one client can queue at a guess counter's gate
//! (`ops::auth::guesses`).
//!
//! Streams (the SMS and mail streams) hold none of these: the bounds end with the response head.

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use mymts_proto::ErrorCode;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{BoxError, ServiceBuilder};

use crate::error::ApiError;

/// The longest a request may take to be answered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests served at once by one listener.
pub const MAX_IN_FLIGHT: usize = 256;

/// Requests one peer (an IPv4 address, or an IPv6 /64) may have in flight on one listener: a
/// sixteenth of [`MAX_IN_FLIGHT`] (a subscriber's app has a handful in flight; a household
/// behind one NAT a few dozen), so one client flooding a door leaves the rest to everyone else
/// (issue 11, floods). One more is refused at once, like the listener's own limit.
pub const MAX_IN_FLIGHT_PER_PEER: usize = MAX_IN_FLIGHT / 16;
/// Requests one IPv6 /48 may have in flight on one listener: a quarter of [`MAX_IN_FLIGHT`].
/// Without it, one customer of an IPv6 provider, who holds a /48, would be 65,536 peers.
pub const MAX_IN_FLIGHT_PER_NET: usize = MAX_IN_FLIGHT / 4;

/// `router` with the operator's bounds, as every listener serves it.
pub fn apply(router: Router) -> Router {
    apply_with(router, REQUEST_TIMEOUT, MAX_IN_FLIGHT)
}

/// `router` with a request timeout, a limit of requests in flight, a sixteenth of it per peer
/// and a quarter of it per IPv6 /48.
pub fn apply_with(router: Router, timeout: Duration, in_flight: usize) -> Router {
    let bounded = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|err: BoxError| async move {
            refusal(&err).into_response()
        }))
        .load_shed()
        .timeout(timeout)
        .concurrency_limit(in_flight)
        .service(router);
    let peers = Bounds {
        peer: Peers::new((in_flight / 16).max(1)),
        net: Peers::new((in_flight / 4).max(1)),
    };
    Router::new()
        .fallback_service(bounded)
        .layer(middleware::from_fn_with_state(peers, per_peer))
}

fn busy() -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        "The operator is busy right now. Try again in a second.",
    )
    .retry_after(1)
}

fn refusal(err: &BoxError) -> ApiError {
    if err.is::<tower::load_shed::error::Overloaded>() {
        busy()
    } else if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::internal("a request took longer than the operator's timeout")
    } else {
        ApiError::internal(err)
    }
}

/// The in-flight requests of each peer and of each IPv6 /48 of one listener.
#[derive(Clone)]
struct Bounds {
    peer: Peers,
    net: Peers,
}

/// The in-flight requests of each peer (or network) of one listener.
#[derive(Clone)]
pub struct Peers {
    bound: usize,
    map: Arc<Mutex<HashMap<IpAddr, Arc<Semaphore>>>>,
}

/// A peer's place, held until the response head is out; the last one out forgets the peer.
struct PeerPlace {
    peers: Peers,
    peer: IpAddr,
    semaphore: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Peers {
    pub fn new(bound: usize) -> Self {
        Self {
            bound,
            map: Arc::default(),
        }
    }

    fn enter(&self, peer: IpAddr) -> Option<PeerPlace> {
        let semaphore = self
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(peer)
            .or_insert_with(|| Arc::new(Semaphore::new(self.bound)))
            .clone();
        let permit = semaphore.clone().try_acquire_owned().ok();
        let place = PeerPlace {
            peers: self.clone(),
            peer,
            semaphore,
            permit,
        };
        place.permit.is_some().then_some(place)
    }

    /// Peers currently remembered (tests: they do not pile up).
    pub fn len(&self) -> usize {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for PeerPlace {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut map = self
            .peers
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Only the map and this place hold it: nobody else of this peer is in flight.
        if Arc::strong_count(&self.semaphore) == 2 {
            map.remove(&self.peer);
        }
    }
}

/// The client a request came from: an IPv4 address, or the /64 an IPv6 address belongs to.
/// `None` when the listener does not record peers.
pub fn client_of(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    let addr = extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()?
        .0
        .ip();
    Some(match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut seg = v6.segments();
                seg[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(seg))
            }
        },
    })
}

/// The IPv6 /48 an IPv6 peer belongs to; `None` for IPv4 peers (an IPv4 address is one peer).
fn net_of(peer: IpAddr) -> Option<IpAddr> {
    match peer {
        IpAddr::V4(_) => None,
        IpAddr::V6(v6) => {
            let mut seg = v6.segments();
            seg[3..].fill(0);
            Some(IpAddr::V6(Ipv6Addr::from(seg)))
        }
    }
}

async fn per_peer(State(bounds): State<Bounds>, req: Request, next: Next) -> Response {
    let Some(peer) = client_of(req.extensions()) else {
        return next.run(req).await;
    };
    let net_place = match net_of(peer) {
        Some(net) => match bounds.net.enter(net) {
            Some(place) => Some(place),
            None => return busy().into_response(),
        },
        None => None,
    };
    let Some(place) = bounds.peer.enter(peer) else {
        return busy().into_response();
    };
    let resp = next.run(req).await;
    drop(place);
    drop(net_place);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    fn slow(ms: u64) -> Router {
        Router::new().route(
            "/slow",
            axum::routing::get(move || async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                "done"
            }),
        )
    }

    fn get() -> Request<Body> {
        Request::get("/slow")
            .body(Body::empty())
            .unwrap_or_default()
    }

    async fn code_of(resp: axum::response::Response) -> (StatusCode, String) {
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024)
            .await
            .unwrap_or_default();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        (status, v["code"].as_str().unwrap_or("").to_string())
    }

    fn get_from(addr: &str) -> Request<Body> {
        let mut req = get();
        let ip: IpAddr = addr.parse().expect("address");
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(SocketAddr::new(ip, 40_000)));
        req
    }

    /// Sends every request at once and counts the answers by status.
    async fn served_and_refused(app: &Router, from: &[String]) -> (usize, usize) {
        let mut set = tokio::task::JoinSet::new();
        for addr in from {
            let (app, req) = (app.clone(), get_from(addr));
            set.spawn(async move { code_of(app.oneshot(req).await.expect("infallible")).await });
        }
        let (mut served, mut refused) = (0, 0);
        while let Some(a) = set.join_next().await {
            match a.expect("task") {
                (StatusCode::OK, _) => served += 1,
                (StatusCode::TOO_MANY_REQUESTS, code) if code == "rate_limited" => refused += 1,
                other => panic!("unexpected answer {other:?}"),
            }
        }
        (served, refused)
    }

    #[tokio::test]
    async fn one_address_holds_a_sixteenth_and_one_ipv6_48_a_quarter_of_the_slots() {
        // 64 slots: 4 per peer, 16 per /48.
        let app = apply_with(slow(300), Duration::from_secs(5), 64);
        let one_v4: Vec<String> = (0..6).map(|_| "203.0.113.7".to_string()).collect();
        assert_eq!(served_and_refused(&app, &one_v4).await, (4, 2));
        // One /64 is one peer, whatever its last 64 bits.
        let one_64: Vec<String> = (1..=6).map(|i| format!("2001:db8:1:2::{i}")).collect();
        assert_eq!(served_and_refused(&app, &one_64).await, (4, 2));
        // Twenty /64s of one /48: each within its own bound, the /48 holds 16.
        let one_48: Vec<String> = (1..=20).map(|i| format!("2001:db8:1:{i:x}::1")).collect();
        assert_eq!(served_and_refused(&app, &one_48).await, (16, 4));
        // Twenty /64s of twenty /48s: all served.
        let many_48: Vec<String> = (1..=20).map(|i| format!("2001:db8:{i:x}::1")).collect();
        assert_eq!(served_and_refused(&app, &many_48).await, (20, 0));
    }

    #[tokio::test]
    async fn a_request_past_the_timeout_is_cut_off_with_a_typed_error() {
        let app = apply_with(slow(2_000), Duration::from_millis(50), 8);
        let started = std::time::Instant::now();
        let resp = app.oneshot(get()).await.expect("infallible");
        assert!(started.elapsed() < Duration::from_millis(1_000));
        assert_eq!(
            code_of(resp).await,
            (StatusCode::INTERNAL_SERVER_ERROR, "internal".into())
        );
    }

    #[tokio::test]
    async fn one_request_past_the_limit_is_refused_at_once_and_the_others_served() {
        let app = apply_with(slow(300), Duration::from_secs(5), 2);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let app = app.clone();
            set.spawn(async move { code_of(app.oneshot(get()).await.expect("infallible")).await });
        }
        let mut answers = Vec::new();
        while let Some(a) = set.join_next().await {
            answers.push(a.expect("task"));
        }
        answers.sort();
        assert_eq!(
            answers,
            vec![
                (StatusCode::OK, String::new()),
                (StatusCode::OK, String::new()),
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()),
            ]
        );
        // Once they are done, the listener serves again.
        let (status, _) = code_of(app.oneshot(get()).await.expect("infallible")).await;
        assert_eq!(status, StatusCode::OK);
    }
}
