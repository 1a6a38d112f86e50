//! Linked numbers (ACC-7): linking another account by its password (counted, SEC-2 and SEC-3),
//! switching to it in one tap, and removing links either way with the sessions they opened
//! (SEC-6).

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::wire::{DeviceInfo, LinkRequest, LinkedAccount, LoginMethod, LoginResponse};
use mymts_proto::{ApiErrorBody, ErrorCode, Login};
use rusqlite::{OptionalExtension, Transaction, params};

use super::load_account;
use crate::audit::{self, Actor};
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path};
use crate::http::session::Authed;
use crate::ops::auth::login;
use crate::ops::auth::tokens::{end_linked_sessions, open_session};
use crate::state::AppState;

/// Which end of a link the caller stands at: the links it made, or the links others made to it.
#[derive(Clone, Copy)]
enum Side {
    Made,
    ToMe,
}

impl Side {
    /// The column of `links` that holds the caller, and the one that holds the other account.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Self::Made => ("owner_id", "linked_id"),
            Self::ToMe => ("linked_id", "owner_id"),
        }
    }
}

/// The accounts at the other end of the caller's links on `side`, oldest link first.
fn links_of(tx: &Transaction<'_>, account_id: i64, side: Side) -> ApiResult<Vec<LinkedAccount>> {
    let (me, other) = side.columns();
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT a.login, a.kind, a.name, l.linked_ms FROM links l JOIN accounts a ON a.id = l.{other}
         WHERE l.{me} = ?1 ORDER BY l.linked_ms, a.login"
    ))?;
    let rows = stmt.query_map(params![account_id], |r| {
        Ok(LinkedAccount {
            account: accounts::reference_at(r, 0)?,
            linked_ms: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// `DELETE` of a link on `side`, by the login typed for the account at its other end.
async fn remove(
    state: &AppState,
    authed: Authed,
    login: &str,
    side: Side,
) -> ApiResult<StatusCode> {
    let login = Login::parse(login)?.to_string();
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| unlink(tx, now, &authed, &login, side))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the link between the caller and `login` on `side`, and the sessions it opened into
/// the linked account (SEC-6).
fn unlink(
    tx: &Transaction<'_>,
    now: i64,
    authed: &Authed,
    login: &str,
    side: Side,
) -> ApiResult<()> {
    let (me, other) = side.columns();
    let found: Option<i64> = tx
        .query_row(
            &format!(
                "SELECT l.{other} FROM links l JOIN accounts a ON a.id = l.{other}
                 WHERE l.{me} = ?1 AND a.login = ?2"
            ),
            params![authed.account_id, login],
            |r| r.get(0),
        )
        .optional()?;
    let Some(found) = found else {
        return Err(match side {
            Side::Made => not_linked(),
            Side::ToMe => not_linking(),
        });
    };
    let (owner, linked, action) = match side {
        Side::Made => (authed.account_id, found, "link_removed"),
        Side::ToMe => (found, authed.account_id, "incoming_link_removed"),
    };
    tx.execute(
        "DELETE FROM links WHERE owner_id = ?1 AND linked_id = ?2",
        params![owner, linked],
    )?;
    end_linked_sessions(tx, owner, linked, now)?;
    audit::record(tx, now, &authed.actor(), action, login)
}

#[utoipa::path(get, path = "/v1/links", tag = "account",
    responses((status = 200, body = [LinkedAccount]),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub(super) async fn list_links(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<Vec<LinkedAccount>>> {
    let links = state
        .db
        .tx(move |tx| links_of(tx, authed.account_id, Side::Made))
        .await?;
    Ok(axum::Json(links))
}

/// Links another subscriber's account, proven by that subscriber's password (ACC-7). The guess
/// is counted on that account's password counter before it is judged (SEC-2), and a login
/// nobody has is refused exactly like a real one (SEC-3).
#[utoipa::path(post, path = "/v1/links", tag = "account", request_body = LinkRequest,
    responses((status = 200, body = LinkedAccount),
              (status = 400, body = ApiErrorBody, description = "invalid_input (e.g. your own account)"),
              (status = 401, body = ApiErrorBody, description = "wrong_credentials"),
              (status = 403, body = ApiErrorBody, description = "password_locked"),
              (status = 409, body = ApiErrorBody, description = "already_linked")))]
pub(super) async fn add_link(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<LinkRequest>,
) -> ApiResult<axum::Json<LinkedAccount>> {
    let login = req.login.to_string();
    if login == authed.login {
        return Err(ApiError::invalid(
            "login",
            "You cannot link your own account.",
        ));
    }
    crate::ops::auth::limit("password", &req.password, 128)?;
    let _gate = state
        .guess_gates
        .enter(
            crate::ops::auth::guesses::password_gate(&login),
            login::PASSWORD_PLACES,
        )
        .await;
    let owner = authed.account_id;
    let st = state.clone();
    let now = state.now_ms();
    let aimed = state
        .db
        .tx(move |tx| {
            let linked: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM links l JOIN accounts a ON a.id = l.linked_id
                                WHERE l.owner_id = ?1 AND a.login = ?2)",
                params![owner, login],
                |r| r.get(0),
            )?;
            if linked {
                return Ok(Err(already_linked()));
            }
            login::aim(tx, &st.key, now, &login)
        })
        .await??;
    let ok = state.hasher.verify(req.password, aimed.hash()).await?;
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| finish_link(tx, now, &authed, aimed, ok))
        .await?;
    out.map(axum::Json)
}

fn already_linked() -> ApiError {
    ApiError::new(ErrorCode::AlreadyLinked, "This account is already linked.")
}

/// Judges the guess and links on a right one; a refusal is returned as `Ok(Err)` so that the
/// transaction keeps its count.
fn finish_link(
    tx: &Transaction<'_>,
    now: i64,
    authed: &Authed,
    aimed: login::Aim,
    password_ok: bool,
) -> ApiResult<ApiResult<LinkedAccount>> {
    let target = match login::verdict(tx, now, aimed, password_ok)? {
        Ok(target) => target,
        Err((err, _, locked)) => {
            audit::record(
                tx,
                now,
                &authed.actor(),
                "link_failed",
                if locked {
                    "wrong credentials; locked"
                } else {
                    "wrong credentials"
                },
            )?;
            return Ok(Err(err));
        }
    };
    let added = tx.execute(
        "INSERT OR IGNORE INTO links (owner_id, linked_id, linked_ms) VALUES (?1, ?2, ?3)",
        params![authed.account_id, target.id, now],
    )?;
    if added == 0 {
        return Ok(Err(already_linked()));
    }
    audit::record(tx, now, &authed.actor(), "link_added", &target.login)?;
    Ok(Ok(LinkedAccount {
        account: target.reference(),
        linked_ms: now,
    }))
}

/// Who has linked this account (SEC-6), oldest link first.
#[utoipa::path(get, path = "/v1/links/incoming", tag = "account",
    responses((status = 200, body = [LinkedAccount]),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub(super) async fn list_incoming_links(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<Vec<LinkedAccount>>> {
    let links = state
        .db
        .tx(move |tx| links_of(tx, authed.account_id, Side::ToMe))
        .await?;
    Ok(axum::Json(links))
}

/// Removes the link `login` made to this account, and the sessions it opened (SEC-6).
#[utoipa::path(delete, path = "/v1/links/incoming/{login}", tag = "account",
    params(("login" = String, Path, description = "the login of the account that linked this one")),
    responses((status = 204, description = "removed"),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_linked")))]
pub(super) async fn remove_incoming_link(
    State(state): State<AppState>,
    authed: Authed,
    Path(login): Path<String>,
) -> ApiResult<StatusCode> {
    remove(&state, authed, &login, Side::ToMe).await
}

#[utoipa::path(delete, path = "/v1/links/{login}", tag = "account",
    params(("login" = String, Path, description = "the linked account's login")),
    responses((status = 204, description = "removed"),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_linked")))]
pub(super) async fn remove_link(
    State(state): State<AppState>,
    authed: Authed,
    Path(login): Path<String>,
) -> ApiResult<StatusCode> {
    remove(&state, authed, &login, Side::Made).await
}

fn not_linked() -> ApiError {
    ApiError::new(ErrorCode::NotLinked, "This account is not linked to yours.")
}

fn not_linking() -> ApiError {
    ApiError::new(ErrorCode::NotLinked, "This account has not linked yours.")
}

/// Switches to a linked account in one tap: a new session of that account (ACC-7).
#[utoipa::path(post, path = "/v1/links/{login}/session", tag = "account",
    params(("login" = String, Path, description = "the linked account's login")),
    responses((status = 200, body = LoginResponse),
              (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody, description = "not_linked")))]
pub(super) async fn link_session(
    State(state): State<AppState>,
    authed: Authed,
    Path(login): Path<String>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let login = Login::parse(&login)?.to_string();
    let now = state.now_ms();
    let out = state
        .db
        .tx(move |tx| switch_to_linked(tx, now, &authed, &login))
        .await?;
    Ok(axum::Json(out))
}

fn switch_to_linked(
    tx: &Transaction<'_>,
    now: i64,
    authed: &Authed,
    login: &str,
) -> ApiResult<LoginResponse> {
    let (id, agreement): (i64, i64) = tx
        .query_row(
            "SELECT a.id, a.agreement_version FROM links l JOIN accounts a ON a.id = l.linked_id
             WHERE l.owner_id = ?1 AND a.login = ?2",
            params![authed.account_id, login],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(not_linked)?;
    let target = load_account(tx, id)?;
    let device = DeviceInfo {
        name: authed.device.clone(),
        platform: "linked".into(),
    };
    let (tokens, session_id) = open_session(tx, now, id, LoginMethod::Linked, &device)?;
    tx.execute(
        "UPDATE sessions SET linked_by = ?1 WHERE id = ?2",
        params![authed.account_id, session_id],
    )?;
    audit::record(tx, now, &authed.actor(), "link_switched", login)?;
    let linked_actor = Actor {
        account_id: Some(id),
        login: Some(target.login.to_string()),
        channel: authed.channel.to_string(),
        device: authed.device.clone(),
    };
    audit::record(
        tx,
        now,
        &linked_actor,
        "login",
        &format!("method=linked from {}", authed.login),
    )?;
    let agreement = u32::try_from(agreement).unwrap_or(0);
    Ok(LoginResponse {
        tokens,
        account: target.reference(),
        session_id,
        method: LoginMethod::Linked,
        agreement_required: agreement < crate::agreement::AGREEMENT_VERSION,
        agreement_version: crate::agreement::AGREEMENT_VERSION,
        offer_permanent_password: false,
        permanent_password_set: false,
    })
}
