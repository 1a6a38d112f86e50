//! Blocking a lost or stolen number, and unblocking it (ACC-6). SMS to a blocked number are held.

use axum::extract::State;
use mymts_proto::ApiErrorBody;
use mymts_proto::wire::{AccountKind, BlockRequest, BlockState};

use crate::audit;
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::Authed;
use crate::state::AppState;

/// Blocks a lost or stolen number.
#[utoipa::path(post, path = "/v1/block", tag = "account", request_body = BlockRequest,
    responses((status = 200, body = BlockState),
              (status = 400, body = ApiErrorBody, description = "not a mobile account, reason too long")))]
pub(super) async fn block(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<BlockRequest>,
) -> ApiResult<axum::Json<BlockState>> {
    let reason = req.reason.unwrap_or_default();
    let reason = reason.trim();
    if reason.chars().count() > 200 {
        return Err(ApiError::invalid(
            "reason",
            "The reason is at most 200 characters.",
        ));
    }
    let detail = if reason.is_empty() {
        "no reason given".to_string()
    } else {
        format!("reason: {reason}")
    };
    set_blocked(&state, authed, true, detail).await
}

/// Unblocks the number.
#[utoipa::path(post, path = "/v1/unblock", tag = "account",
    responses((status = 200, body = BlockState),
              (status = 400, body = ApiErrorBody, description = "not a mobile account")))]
pub(super) async fn unblock(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<BlockState>> {
    set_blocked(&state, authed, false, String::new()).await
}

/// Idempotent: blocking a blocked number answers the same and writes no second audit row.
async fn set_blocked(
    state: &AppState,
    authed: Authed,
    blocked: bool,
    detail: String,
) -> ApiResult<axum::Json<BlockState>> {
    if authed.kind != AccountKind::Mobile {
        return Err(ApiError::invalid(
            "account",
            "Only a mobile number can be blocked.",
        ));
    }
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            if accounts::set_blocked(tx, authed.account_id, blocked)? {
                let action = if blocked {
                    "number_blocked"
                } else {
                    "number_unblocked"
                };
                audit::record(tx, now, &authed.actor(), action, &detail)?;
            }
            Ok(())
        })
        .await?;
    // SMS held while the number was blocked go out now, not at the next poll.
    crate::ops::sms_centre::wake(state);
    Ok(axum::Json(BlockState { blocked }))
}
