//! Data sessions (AUTH-7): how the on-net gateway learns which SIM a request comes from. The
//! simulated phone attaches to operator data through the world door (its owner's device, not a
//! network client) and gets a session secret; the device's traffic carries it to the gateway,
//! which maps it to the number and vouches for it while the phone stays on operator data. A
//! number a client names itself is never vouched for.

use axum::extract::State;
use mymts_proto::wire::DataSession;
use mymts_proto::{ApiErrorBody, ErrorCode, PhoneNumber};
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::http::extract::Path;
use crate::ops::phones::{parse_number, require_phone};
use crate::secrets::new_token;
use crate::state::{AppState, DataSessionEntry};

/// A data session lasts this long by the operator's clock; the device opens another after.
pub const DATA_SESSION_MS: i64 = 30 * 60 * 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(open_data_session))
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The phone's SIM attaches to operator mobile data: a data session the on-net gateway
/// vouches for (AUTH-7). Only while the phone is on operator data.
#[utoipa::path(
    post, path = "/sim/phones/{number}/data-session", operation_id = "sim_phone_data_session", tag = "sim",
    params(("number" = String, Path, description = "The phone whose SIM attaches, in any AUTH-2 form")),
    responses(
        (status = 201, body = DataSession),
        (status = 400, description = "Not a phone number (invalid_phone)", body = ApiErrorBody),
        (status = 403, description = "The phone is not on operator data (not_on_net)", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn open_data_session(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<DataSession>)> {
    let number = parse_number(&number)?;
    let n = number.clone();
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let phone = require_phone(tx, &n)?;
            if !phone.on_net || phone.airplane {
                return Err(ApiError::new(
                    ErrorCode::NotOnNet,
                    "The phone is not on operator mobile data.",
                ));
            }
            Ok(())
        })
        .await?;
    let secret = new_token();
    let expires_ms = now + DATA_SESSION_MS;
    {
        let mut map = state
            .data_sessions
            .lock()
            .map_err(|_| ApiError::internal("data sessions lock poisoned"))?;
        map.retain(|_, e| e.number != number && e.expires_ms > now);
        map.insert(
            digest(&secret),
            DataSessionEntry {
                number: number.clone(),
                expires_ms,
            },
        );
    }
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(DataSession {
            session: secret,
            number: number.clone(),
            gateway_url: state.gateway_url(),
            expires_ms,
        }),
    ))
}

/// The number behind a data session, while it lasts; `None` for anything else.
pub fn number_of_session(state: &AppState, secret: &str) -> Option<PhoneNumber> {
    let now = state.now_ms();
    let map = state.data_sessions.lock().ok()?;
    map.get(&digest(secret))
        .filter(|e| e.expires_ms > now)
        .map(|e| e.number.clone())
}
