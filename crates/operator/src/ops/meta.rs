//! What the operator is and what time it thinks it is (AUTH-13).

use axum::extract::State;
use mymts_proto::wire::{OperatorInfo, TimeInfo};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(info))
        .routes(routes!(time))
}

/// What this operator is, where its on-net gateway listens, and its clock.
#[utoipa::path(get, path = "/v1/info", tag = "meta", responses((status = 200, body = OperatorInfo)))]
async fn info(State(state): State<AppState>) -> axum::Json<OperatorInfo> {
    axum::Json(OperatorInfo {
        name: "MTS (simulated)".into(),
        operator_id: state.key.operator_id(),
        version: env!("CARGO_PKG_VERSION").into(),
        gateway_url: state.gateway_url(),
        agreement_version: crate::agreement::AGREEMENT_VERSION,
        now_ms: state.now_ms(),
    })
}

/// The operator's clock, for the device's clock check (AUTH-13).
#[utoipa::path(get, path = "/v1/time", tag = "meta", responses((status = 200, body = TimeInfo)))]
async fn time(State(state): State<AppState>) -> axum::Json<TimeInfo> {
    axum::Json(TimeInfo {
        now_ms: state.now_ms(),
    })
}
