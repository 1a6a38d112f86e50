//! The three doors' routers (SEC-1): the public API, the on-net gateway (AUTH-7) and
//! the simulated world (phones, mailboxes and, in QA mode, the QA API), with the layers every
//! request passes: body limit, identity-header refusal, injected faults, panic catching, and
//! typed 404/405 answers. Each `*_app` returns the whole Router of one listener, so layers that
//! belong to every listener (timeouts, concurrency) wrap each of them in [`crate::start`].

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use mymts_proto::{DATA_SESSION_HEADER, ErrorCode, IDENTITY_HEADERS, SIM_HEADER};
use rand::Rng;
use rusqlite::{OptionalExtension, params};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::http::session::Channel;
use crate::http::{limits, world};
use crate::ops;
use crate::state::AppState;

/// Bodies above this are refused with `payload_too_large` before any handler reads them.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mymts operator",
        description = "The simulated mobile operator: self-care API, SMS centre, phones, mailboxes, QA API. \
                       Every failure answers with the ApiErrorBody schema."
    ),
    components(schemas(mymts_proto::ApiErrorBody, mymts_proto::ErrorCode)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the `bearer` scheme the authenticated endpoints name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The simulated world's own document: what only the world door serves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mymts simulated world",
        description = "The simulated operator's world behind its own door (SEC-1): phones, SMS compose, \
                       mailboxes, phone states, data sessions and, in QA mode, the QA API. With a world \
                       token every request carries `Authorization: Bearer <token>`. \
                       Every failure answers with the ApiErrorBody schema."
    ),
    components(schemas(mymts_proto::ApiErrorBody, mymts_proto::ErrorCode)),
    modifiers(&WorldAuth)
)]
struct WorldDoc;

/// Declares the `world` bearer scheme and applies it to every world operation.
struct WorldAuth;

impl utoipa::Modify for WorldAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "world",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![SecurityRequirement::new(
            "world",
            Vec::<String>::new(),
        )]);
    }
}

/// The self-care API (`/v1/…`) with its OpenAPI description: all the public door and the
/// gateway serve.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ops::meta::router())
        .merge(ops::auth::router())
        .merge(ops::account::router())
        .merge(ops::calls::router())
}

/// The simulated world (`/sim/…`) and, when `qa`, the QA API (`/qa/…`): the world door alone.
pub fn world_routes(qa: bool) -> OpenApiRouter<AppState> {
    let mut r = OpenApiRouter::with_openapi(WorldDoc::openapi())
        .merge(ops::phones::router())
        .merge(ops::onnet::router())
        .merge(ops::mail::router());
    if qa {
        r = r.merge(ops::qa::router());
    }
    r
}

/// The public door's OpenAPI document (`/openapi.json` on the public listener).
pub fn openapi() -> utoipa::openapi::OpenApi {
    public_routes().split_for_parts().1
}

/// The world door's OpenAPI document (`/openapi.json` on the world listener).
pub fn world_openapi(qa: bool) -> utoipa::openapi::OpenApi {
    world_routes(qa).split_for_parts().1
}

fn finish(router: OpenApiRouter<AppState>, state: AppState) -> Router {
    let (router, doc) = router.split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json((*doc).clone()) }
            }),
        )
        .fallback(|| async { ApiError::not_found("No such endpoint.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "This endpoint does not take this method.",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a handler panicked").into_response()
        }))
        .with_state(state)
}

/// The public listener: the self-care API alone (SEC-1); identity headers are refused outright
/// (AUTH-7).
pub fn public_app(state: AppState) -> Router {
    limits::apply(finish(public_routes(), state).layer(middleware::from_fn(refuse_identity)))
}

/// The on-net gateway: the self-care API, vouching for the SIM a request comes from while that
/// phone is on the operator's data network; anything a client claims itself is still refused.
pub fn gateway_app(state: AppState) -> Router {
    limits::apply(
        finish(public_routes(), state.clone()).layer(middleware::from_fn_with_state(state, vouch)),
    )
}

/// The world listener (SEC-1): phones, mailboxes and the QA API, behind the world door's checks
/// (its own `Host` only, and the world token when there is one).
pub fn world_app(state: AppState, door: world::WorldDoor) -> Router {
    let qa = state.qa;
    limits::apply(
        finish(world_routes(qa), state).layer(middleware::from_fn_with_state(
            std::sync::Arc::new(door),
            world::guard,
        )),
    )
}

fn claims_identity(headers: &HeaderMap) -> bool {
    IDENTITY_HEADERS.iter().any(|h| headers.contains_key(*h))
}

async fn refuse_identity(mut req: Request, next: Next) -> Response<Body> {
    if claims_identity(req.headers())
        || req.headers().contains_key(SIM_HEADER)
        || req.headers().contains_key(DATA_SESSION_HEADER)
    {
        return ApiError::new(
            ErrorCode::IdentityHeaderRefused,
            "Identity headers are not accepted on the public endpoint.",
        )
        .into_response();
    }
    req.extensions_mut().insert(Channel::Api);
    next.run(req).await
}

/// The gateway vouches for the SIM behind a data session (AUTH-7) while its phone is on
/// operator data and not in airplane mode. A number the client names itself (`x-sim-msisdn` or any identity header) is
/// refused, never believed.
async fn vouch(State(state): State<AppState>, mut req: Request, next: Next) -> Response<Body> {
    if claims_identity(req.headers()) || req.headers().contains_key(SIM_HEADER) {
        return ApiError::new(
            ErrorCode::IdentityHeaderRefused,
            "The gateway learns the number from the data session, not from the client.",
        )
        .into_response();
    }
    let sim = req
        .headers()
        .get(DATA_SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| ops::onnet::number_of_session(&state, s));
    let vouched = match sim {
        Some(number) => {
            let n = number.as_str().to_string();
            let on_net = state
                .db
                .tx(move |tx| {
                    Ok(tx
                        .query_row(
                            // A phone in airplane mode has no radio: no data session
                            // reaches the gateway from it, whatever its data setting.
                            "SELECT on_net AND NOT airplane FROM phones WHERE number = ?1",
                            params![n],
                            |r| r.get::<_, i64>(0),
                        )
                        .optional()?
                        .unwrap_or(0)
                        != 0)
                })
                .await
                .unwrap_or(false);
            on_net.then_some(number)
        }
        None => None,
    };
    req.extensions_mut().insert(Channel::Gateway { vouched });
    next.run(req).await
}

/// QA faults (QA-1): added latency and a share of 503s, on the self-care API only, so the QA and
/// simulated-phone endpoints stay usable to undo them.
async fn faults(State(state): State<AppState>, req: Request, next: Next) -> Response<Body> {
    if req.uri().path().starts_with("/v1/") {
        let f = state.faults();
        if f.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(f.latency_ms.min(60_000))).await;
        }
        if f.error_rate > 0.0 && rand::rng().random_bool(f.error_rate.clamp(0.0, 1.0)) {
            return ApiError::new(
                ErrorCode::InjectedFault,
                "The operator is temporarily unavailable. Try again.",
            )
            .into_response();
        }
    }
    next.run(req).await
}
