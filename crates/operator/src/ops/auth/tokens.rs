//! Sessions and their tokens (AUTH-6, AUTH-8): an opaque access token that lapses after 20 idle
//! minutes, and a refresh token that rotates on every use. A replay of a stale refresh token
//! revokes the whole family, except the one just replaced, within a grace window, which gets the
//! same new pair again: a client that crashed between rotation and saving stays signed in.

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::ErrorCode;
use mymts_proto::wire::{DeviceInfo, LoginMethod, RefreshRequest, TokenPair};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{REFRESH_GRACE_MS, REFRESH_TTL_MS};
use crate::audit::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::{ACCESS_IDLE_MS, AuthedAny, method_str};
use crate::secrets::{ServerKey, new_id, new_token, token_digest};
use crate::state::AppState;

fn idle_timeout_s() -> u64 {
    u64::try_from(ACCESS_IDLE_MS / 1000).unwrap_or(1200)
}

fn new_pair() -> TokenPair {
    TokenPair {
        access_token: new_token(),
        refresh_token: new_token(),
        access_idle_timeout_s: idle_timeout_s(),
    }
}

/// Device names come from clients: keep them short and printable.
pub fn clean_device(device: Option<&DeviceInfo>, channel: &str) -> DeviceInfo {
    let clean = |s: &str, max: usize| -> String {
        let t: String = s.chars().filter(|c| !c.is_control()).take(max).collect();
        let t = t.trim().to_string();
        if t.is_empty() { "unknown".into() } else { t }
    };
    match device {
        Some(d) => DeviceInfo {
            name: clean(&d.name, 80),
            platform: clean(&d.platform, 40),
        },
        None => DeviceInfo {
            name: format!("{channel} client"),
            platform: "unknown".into(),
        },
    }
}

/// Opens a session (one refresh-token family) for an account; returns its tokens and id.
pub fn open_session(
    tx: &Transaction<'_>,
    now_ms: i64,
    account_id: i64,
    method: LoginMethod,
    device: &DeviceInfo,
) -> ApiResult<(TokenPair, String)> {
    let sid = new_id();
    tx.execute(
        "INSERT INTO sessions (id, account_id, method, device_name, device_platform, created_ms, last_seen_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![sid, account_id, method_str(method), device.name, device.platform, now_ms],
    )?;
    let pair = new_pair();
    store_pair(tx, &sid, &pair, now_ms)?;
    Ok((pair, sid))
}

fn store_pair(tx: &Transaction<'_>, sid: &str, pair: &TokenPair, now_ms: i64) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO access_tokens (hash, session_id, last_used_ms) VALUES (?1, ?2, ?3)",
        params![token_digest(&pair.access_token), sid, now_ms],
    )?;
    tx.execute(
        "INSERT INTO refresh_tokens (hash, session_id, created_ms) VALUES (?1, ?2, ?3)",
        params![token_digest(&pair.refresh_token), sid, now_ms],
    )?;
    Ok(())
}

/// Ends a session: its tokens stop working at once. The token rows stay (as digests) so a client
/// presenting one learns that its session was ended and why, not just "unknown token".
pub fn revoke_session(
    tx: &Transaction<'_>,
    sid: &str,
    now_ms: i64,
    reason: &str,
) -> ApiResult<bool> {
    let n = tx.execute(
        "UPDATE sessions SET revoked_ms = ?1, revoked_reason = ?2 WHERE id = ?3 AND revoked_ms IS NULL",
        params![now_ms, reason, sid],
    )?;
    tx.execute(
        "UPDATE refresh_tokens SET successor = NULL WHERE session_id = ?1",
        params![sid],
    )?;
    Ok(n > 0)
}

struct RefreshRow {
    session_id: String,
    created_ms: i64,
    replaced_ms: Option<i64>,
    successor: Option<Vec<u8>>,
    revoked: bool,
    account_id: i64,
    login: String,
    device: String,
}

fn find_refresh(tx: &Transaction<'_>, digest: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(tx
        .query_row(
            "SELECT r.session_id, r.created_ms, r.replaced_ms, r.successor, s.revoked_ms IS NOT NULL,
                    a.id, a.login, s.device_name
             FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
             JOIN accounts a ON a.id = s.account_id WHERE r.hash = ?1",
            params![digest],
            |r| {
                Ok(RefreshRow {
                    session_id: r.get(0)?,
                    created_ms: r.get(1)?,
                    replaced_ms: r.get(2)?,
                    successor: r.get(3)?,
                    revoked: r.get(4)?,
                    account_id: r.get(5)?,
                    login: r.get(6)?,
                    device: r.get(7)?,
                })
            },
        )
        .optional()?)
}

fn invalid_refresh() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRefreshToken,
        "The saved sign-in is no longer valid. Sign in again.",
    )
}

/// The rotation itself, in one transaction, so two racing refreshes of one token cannot both win.
/// A replay is answered as `Ok(Err(..))` so that the revocation it causes is committed.
pub fn rotate(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now_ms: i64,
    presented: &str,
) -> ApiResult<ApiResult<TokenPair>> {
    let digest = token_digest(presented);
    let row = find_refresh(tx, &digest)?.ok_or_else(invalid_refresh)?;
    if row.revoked {
        return Err(ApiError::new(
            ErrorCode::SessionRevoked,
            "This session was ended. Sign in again.",
        ));
    }
    if let Some(replaced) = row.replaced_ms {
        // The token was already used. Within the grace window, and only while its successor is
        // still the live one, answer with that same pair; anything else is a replay.
        let successor_pair = row
            .successor
            .as_deref()
            .and_then(|s| key.open(s).ok())
            .and_then(|b| serde_json::from_slice::<TokenPair>(&b).ok());
        if let Some(pair) = successor_pair.filter(|_| now_ms - replaced <= REFRESH_GRACE_MS) {
            let successor_live: bool = tx
                .query_row(
                    "SELECT replaced_ms IS NULL FROM refresh_tokens WHERE hash = ?1",
                    params![token_digest(&pair.refresh_token)],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(false);
            if successor_live {
                return Ok(Ok(pair));
            }
        }
        revoke_session(tx, &row.session_id, now_ms, "refresh token replayed")?;
        let actor = Actor {
            account_id: Some(row.account_id),
            login: Some(row.login),
            channel: "api".into(),
            device: row.device,
        };
        audit::record(
            tx,
            now_ms,
            &actor,
            "session_revoked",
            "a used refresh token was presented again",
        )?;
        return Ok(Err(ApiError::new(
            ErrorCode::SessionRevoked,
            "This sign-in was used twice, so the session was ended for safety. Sign in again.",
        )));
    }
    if now_ms - row.created_ms > REFRESH_TTL_MS {
        return Err(invalid_refresh());
    }
    let pair = new_pair();
    let sealed = key.seal(&serde_json::to_vec(&pair).map_err(ApiError::internal)?);
    tx.execute(
        "UPDATE refresh_tokens SET replaced_ms = ?1, successor = ?2 WHERE hash = ?3",
        params![now_ms, sealed, digest],
    )?;
    // Older replaced tokens no longer need their sealed successor: only the newest gets grace.
    tx.execute(
        "UPDATE refresh_tokens SET successor = NULL WHERE session_id = ?1 AND hash != ?2 AND successor IS NOT NULL",
        params![row.session_id, digest],
    )?;
    tx.execute(
        "DELETE FROM access_tokens WHERE session_id = ?1",
        params![row.session_id],
    )?;
    store_pair(tx, &row.session_id, &pair, now_ms)?;
    tx.execute(
        "UPDATE sessions SET last_seen_ms = ?1 WHERE id = ?2",
        params![now_ms, row.session_id],
    )?;
    Ok(Ok(pair))
}

/// Exchanges a refresh token for a new pair (AUTH-6).
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<axum::Json<TokenPair>> {
    super::limit("refresh_token", &req.refresh_token, 256)?;
    let now = state.now_ms();
    let st = state.clone();
    let token = req.refresh_token;
    state
        .db
        .tx(move |tx| rotate(tx, &st.key, now, &token))
        .await?
        .map(axum::Json)
}

/// Ends the caller's session (AUTH-8 "Exit").
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = mymts_proto::ApiErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn logout(
    State(state): State<AppState>,
    AuthedAny(who): AuthedAny,
) -> ApiResult<StatusCode> {
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            revoke_session(tx, &who.session_id, now, "exit")?;
            audit::record(tx, now, &who.actor(), "logout", "")
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
