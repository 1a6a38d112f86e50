use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// Handles an SMS a phone sent to 111 (AUTH-5): `25 <password>`. Queues the replies; the caller
/// wakes the delivery loop after commit.
pub fn on_command_sms(
    tx: &rusqlite::Transaction<'_>,
    key: &crate::secrets::ServerKey,
    faults: &mymts_proto::wire::Faults,
    now_ms: i64,
    from: &str,
    text: &str,
) -> crate::error::ApiResult<()> {
    let _ = (tx, key, faults, now_ms, from, text);
    Ok(())
}
