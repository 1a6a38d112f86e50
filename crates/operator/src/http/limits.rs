//! Bounds every listener puts on its requests (issue 11, floods): a request that is not answered
//! within [`REQUEST_TIMEOUT`] is cut off, and at most [`MAX_IN_FLIGHT`] requests are served at
//! once; one more is refused at once (`rate_limited`, retry after a second) rather than queued,
//! so a flood cannot build a backlog that every subscriber waits behind. tower's own layers do
//! the work: `ConcurrencyLimit`, `Timeout` and `LoadShed`, with axum's `HandleErrorLayer`
//! turning their errors into the typed error body.
//!
//! Streams (the SMS and mail streams) hold neither: both bounds end with the response head.

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::response::IntoResponse;
use mymts_proto::ErrorCode;
use std::time::Duration;
use tower::{BoxError, ServiceBuilder};

use crate::error::ApiError;

/// The longest a request may take to be answered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests served at once by one listener.
pub const MAX_IN_FLIGHT: usize = 256;

/// `router` with the operator's bounds, as every listener serves it.
pub fn apply(router: Router) -> Router {
    apply_with(router, REQUEST_TIMEOUT, MAX_IN_FLIGHT)
}

/// `router` with a request timeout and a limit of requests in flight.
pub fn apply_with(router: Router, timeout: Duration, in_flight: usize) -> Router {
    let bounded = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|err: BoxError| async move {
            refusal(&err).into_response()
        }))
        .load_shed()
        .timeout(timeout)
        .concurrency_limit(in_flight)
        .service(router);
    Router::new().fallback_service(bounded)
}

fn refusal(err: &BoxError) -> ApiError {
    if err.is::<tower::load_shed::error::Overloaded>() {
        ApiError::new(
            ErrorCode::RateLimited,
            "The operator is busy right now. Try again in a second.",
        )
        .retry_after(1)
    } else if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::internal("a request took longer than the operator's timeout")
    } else {
        ApiError::internal(err)
    }
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
