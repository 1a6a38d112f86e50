//! Simulated phones and the SMS centre (INBOX-1).

use mymts_proto::wire::Faults;
use rusqlite::Transaction;
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiResult;
use crate::secrets::ServerKey;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// Queues an SMS in the SMS centre. The caller wakes the delivery loop after its transaction
/// commits (`state.delivery_wake.notify_one()`).
pub fn queue_sms(
    tx: &Transaction<'_>,
    key: &ServerKey,
    faults: &Faults,
    now_ms: i64,
    to: &str,
    from: &str,
    text: &str,
) -> ApiResult<i64> {
    let _ = (tx, key, faults, now_ms, to, from, text);
    Ok(0)
}

/// Delivers queued SMS when they are due and the phone can take them.
pub async fn delivery_loop(state: AppState, cancel: CancellationToken) {
    let _ = state;
    cancel.cancelled().await;
}
