use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// Records usage on a number (QA-1) and sends the 80 %/100 % notices (ACC-11).
pub async fn record_usage(
    state: &AppState,
    req: mymts_proto::wire::RecordUsage,
) -> crate::error::ApiResult<mymts_proto::wire::Packages> {
    let _ = (state, req);
    Err(crate::error::ApiError::internal(
        "record_usage is not built yet",
    ))
}
