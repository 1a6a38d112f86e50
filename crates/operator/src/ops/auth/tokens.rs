//! Sessions and their tokens (AUTH-6, AUTH-8). A session is one sign-in of one device: one
//! family of refresh tokens and, at any time, at most one access token. The database keeps
//! SHA-256 digests of tokens only, never a token, sealed or not.
//!
//! ## Refresh tokens: rotation by successor use (AUTH-6)
//!
//! Each refresh token is *live* (issued, never presented), *replaced* (presented; its
//! `successor_hash` names the token issued for it last) or *voided* (it was an unused successor,
//! and its predecessor was presented again). Presenting token `T`, in one IMMEDIATE transaction:
//!
//! | `T` | outcome |
//! | --- | --- |
//! | unknown | `invalid_refresh_token` |
//! | its session revoked | `session_revoked` |
//! | voided | a second copy is in use: the family is revoked, `session_revoked` |
//! | live, issued > 30 days ago | `invalid_refresh_token` |
//! | live | `T` becomes replaced; a new pair; the session's access token goes |
//! | replaced, its successor used (replaced or voided) | reuse: the family is revoked, `session_revoked` |
//! | replaced, its successor unused but issued > 30 days ago | `invalid_refresh_token` |
//! | replaced, its successor unused | the successor and its access token are voided; a fresh pair |
//!
//! So a client that lost the answer of a rotation, or crashed before saving it, signs in with the
//! old token however much later (within the 30 days), while a thief's copy and the owner's
//! cannot both go on: the second of them to present its token revokes the family. "Used" means
//! *presented*: using a pair's access token does not make its refresh token used. A refresh also
//! counts as activity and opens an idle-ended session again.
//!
//! ## Sessions: idle end and logout (AUTH-8)
//!
//! Every signed-in request, `POST /v1/session/keepalive` included, moves the session's
//! `last_seen_ms`. A session with none for 20 minutes by the operator's clock is idle-ended
//! (`idle_ended_ms`): its access token answers `session_inactive` for good, while its refresh
//! family stays valid, so a remembered device signs in again with one refresh. A logout with any
//! access token of the session, a lapsed one included, revokes the session and its family.

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::ErrorCode;
use mymts_proto::wire::{DeviceInfo, LoginMethod, LoginResponse, RefreshRequest, TokenPair};
use rusqlite::{OptionalExtension, Transaction, params};

use super::REFRESH_TTL_MS;
use crate::audit::{self, Actor};
use crate::db::accounts::{self, Account};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::{ACCESS_IDLE_MS, AuthedAny, SessionOfToken, method_str};
use crate::secrets::{new_id, new_token, token_digest};
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
    Ok(n > 0)
}

struct RefreshRow {
    session_id: String,
    created_ms: i64,
    replaced: bool,
    voided: bool,
    successor_hash: Option<String>,
    revoked: bool,
    account_id: i64,
    login: String,
    device: String,
}

fn find_refresh(tx: &Transaction<'_>, digest: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(tx
        .query_row(
            "SELECT r.session_id, r.created_ms, r.replaced_ms IS NOT NULL, r.voided_ms IS NOT NULL,
                    r.successor_hash, s.revoked_ms IS NOT NULL, a.id, a.login, s.device_name
             FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
             JOIN accounts a ON a.id = s.account_id WHERE r.hash = ?1",
            params![digest],
            |r| {
                Ok(RefreshRow {
                    session_id: r.get(0)?,
                    created_ms: r.get(1)?,
                    replaced: r.get(2)?,
                    voided: r.get(3)?,
                    successor_hash: r.get(4)?,
                    revoked: r.get(5)?,
                    account_id: r.get(6)?,
                    login: r.get(7)?,
                    device: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// When the successor of a replaced token was issued, if it is still unused (neither presented
/// nor voided); `None` when it was used or cannot be found.
fn unused_successor(tx: &Transaction<'_>, successor: Option<&str>) -> ApiResult<Option<i64>> {
    let Some(hash) = successor else {
        return Ok(None);
    };
    Ok(tx
        .query_row(
            "SELECT created_ms FROM refresh_tokens
             WHERE hash = ?1 AND replaced_ms IS NULL AND voided_ms IS NULL",
            params![hash],
            |r| r.get(0),
        )
        .optional()?)
}

fn invalid_refresh() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRefreshToken,
        "The saved sign-in is no longer valid. Sign in again.",
    )
}

/// A second copy of the family is in use: the whole session is revoked, and the account's
/// activity says so. Answered as `Ok(Err(..))` so the revocation is committed.
fn revoke_reused(
    tx: &Transaction<'_>,
    row: RefreshRow,
    now_ms: i64,
) -> ApiResult<ApiResult<TokenPair>> {
    revoke_session(tx, &row.session_id, now_ms, "refresh token reused")?;
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
        "a refresh token was used by two copies of the app",
    )?;
    tracing::warn!(session = %row.session_id, "refresh token reused: family revoked");
    Ok(Err(ApiError::new(
        ErrorCode::SessionRevoked,
        "This sign-in was used twice, so the session was ended for safety. Sign in again.",
    )))
}

/// The rotation itself (the state machine in the module doc), in the caller's IMMEDIATE
/// transaction, so concurrent presentations of one token are served one after the other.
pub fn rotate(
    tx: &Transaction<'_>,
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
    if row.voided {
        return revoke_reused(tx, row, now_ms);
    }
    // The family's newest pair: this token itself, or the unused successor it is replayed over.
    let newest_ms = if row.replaced {
        match unused_successor(tx, row.successor_hash.as_deref())? {
            Some(created_ms) => created_ms,
            None => return revoke_reused(tx, row, now_ms),
        }
    } else {
        row.created_ms
    };
    if now_ms - newest_ms > REFRESH_TTL_MS {
        return Err(invalid_refresh());
    }
    if let Some(unused) = row.successor_hash.as_deref().filter(|_| row.replaced) {
        tx.execute(
            "UPDATE refresh_tokens SET voided_ms = ?1 WHERE hash = ?2",
            params![now_ms, unused],
        )?;
        tracing::info!(session = %row.session_id, "replaced refresh token presented again: its unused successor is voided");
    }
    let pair = new_pair();
    tx.execute(
        "UPDATE refresh_tokens SET replaced_ms = COALESCE(replaced_ms, ?1), successor_hash = ?2
         WHERE hash = ?3",
        params![now_ms, token_digest(&pair.refresh_token), digest],
    )?;
    // One access token per session: the one of the pair being replaced or voided goes.
    tx.execute(
        "DELETE FROM access_tokens WHERE session_id = ?1",
        params![row.session_id],
    )?;
    store_pair(tx, &row.session_id, &pair, now_ms)?;
    tx.execute(
        "UPDATE sessions SET last_seen_ms = ?1, idle_ended_ms = NULL WHERE id = ?2",
        params![now_ms, row.session_id],
    )?;
    crate::crash::crash_point!("rotation.before_commit");
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
    let token = req.refresh_token;
    let pair = state.db.tx(move |tx| rotate(tx, now, &token)).await??;
    crate::crash::crash_point!("rotation.committed");
    Ok(axum::Json(pair))
}

/// Ends the session the token names (AUTH-8 "Exit", or the app's idle end): its refresh-token
/// family is revoked for good. A lapsed (idle-ended) token still names its session, and a
/// session already ended is answered the same, so an app can always finish its sign-out.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "The session is ended (or already was)"),
              (status = 401, description = "Not a token of any session (unauthorized)", body = mymts_proto::ApiErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn logout(
    State(state): State<AppState>,
    SessionOfToken { who, revoked }: SessionOfToken,
) -> ApiResult<StatusCode> {
    if revoked {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            if revoke_session(tx, &who.session_id, now, "exit")? {
                audit::record(tx, now, &who.actor(), "logout", "")?;
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Keeps the caller's session from its idle end while the user is active on screens the app
/// shows from its cache (AUTH-8). It is activity like any signed-in request, and nothing more.
#[utoipa::path(post, path = "/v1/session/keepalive", tag = "auth",
    responses((status = 204, description = "The session's 20 idle minutes start again"),
              (status = 401, description = "unauthorized, session_inactive or session_revoked", body = mymts_proto::ApiErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn keepalive(_signed_in: AuthedAny) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// A way in that succeeded: the account, how, and whether a permanent password was just set.
pub(super) struct Opened {
    pub account: Account,
    pub method: LoginMethod,
    pub permanent_password_set: bool,
}

/// Opens the session a login earned, records it, and answers with its tokens (AUTH-1, AUTH-10).
pub(super) fn respond(
    tx: &Transaction<'_>,
    now_ms: i64,
    opened: Opened,
    device: &DeviceInfo,
    channel: &str,
) -> ApiResult<LoginResponse> {
    let a = &opened.account;
    let (tokens, session_id): (TokenPair, String) =
        open_session(tx, now_ms, a.id, opened.method, device)?;
    let actor = Actor {
        account_id: Some(a.id),
        login: Some(a.login.to_string()),
        channel: channel.to_string(),
        device: device.name.clone(),
    };
    audit::record(
        tx,
        now_ms,
        &actor,
        "login",
        crate::http::session::method_str(opened.method),
    )?;
    let has_password = accounts::has_password(tx, a.id)?;
    Ok(LoginResponse {
        tokens,
        account: a.reference(),
        session_id,
        method: opened.method,
        agreement_required: a.agreement_version < i64::from(crate::agreement::AGREEMENT_VERSION),
        agreement_version: crate::agreement::AGREEMENT_VERSION,
        offer_permanent_password: opened.method == LoginMethod::SmsCode && !has_password,
        permanent_password_set: opened.permanent_password_set,
    })
}

/// Ends the sessions a link opened into the linked account (SEC-6).
pub(crate) fn end_linked_sessions(
    tx: &Transaction<'_>,
    owner_id: i64,
    linked_id: i64,
    now: i64,
) -> ApiResult<()> {
    let sids: Vec<String> = tx
        .prepare(
            "SELECT id FROM sessions WHERE account_id = ?1 AND linked_by = ?2 AND revoked_ms IS NULL",
        )?
        .query_map(params![linked_id, owner_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sid in sids {
        revoke_session(tx, &sid, now, "the link was removed")?;
    }
    Ok(())
}

/// SEC-6: ends every link others made to `account_id` and the sessions they opened with them,
/// when its owner changes the password signing out other devices, or recovers it. Returns how
/// many links ended.
pub(crate) fn end_links_to(tx: &Transaction<'_>, account_id: i64, now: i64) -> ApiResult<usize> {
    let owners: Vec<i64> = tx
        .prepare("SELECT owner_id FROM links WHERE linked_id = ?1")?
        .query_map(params![account_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for owner in &owners {
        end_linked_sessions(tx, *owner, account_id, now)?;
    }
    tx.execute(
        "DELETE FROM links WHERE linked_id = ?1",
        params![account_id],
    )?;
    Ok(owners.len())
}
