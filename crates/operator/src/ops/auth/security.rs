//! What a signed-in subscriber controls about their own security: the use agreement (AUTH-10),
//! password change (AUTH-9), sessions and activity (AUTH-11), and social links (AUTH-12).

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::ErrorCode;
use mymts_proto::wire::{
    AcceptAgreement, ActivityEntry, ActivityPage, Agreement, ChangePassword, LoginMethod,
    PasswordChanged, Revoked, SessionInfo, SocialLink, SocialLinkRequest,
};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;

use super::guesses::{self, Counter, Verdict};
use super::login::{locked_error, shape_of};
use super::tokens::revoke_session;
use crate::audit;
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path, Query};
use crate::http::session::{Authed, AuthedAny, parse_method};
use crate::state::AppState;

const AGREEMENT_TEXT: &str = "1. The self-care app shows your balance, tariff, services and call detail, and lets you \
change them. Paid actions are charged to your balance at once.\n\
2. Keep your password and one-time codes secret. The operator never asks for them by phone or SMS.\n\
3. The operator records every action in your account (time, channel, device) and shows it to you as Activity.\n\
4. Call detail is personal data; ordering it by e-mail sends it to the recovery address you set.\n\
5. Support: 0890 from an MTS number.";

/// The System Use Agreement in force.
#[utoipa::path(get, path = "/v1/agreement", tag = "auth", responses((status = 200, body = Agreement)))]
pub(super) async fn get_agreement() -> axum::Json<Agreement> {
    axum::Json(Agreement {
        version: crate::agreement::AGREEMENT_VERSION,
        title: "System Use Agreement".into(),
        text: AGREEMENT_TEXT.into(),
    })
}

/// Accepts the agreement of the given version; it must be the current one.
#[utoipa::path(post, path = "/v1/agreement", tag = "auth", request_body = AcceptAgreement,
    responses((status = 204), (status = 400, body = mymts_proto::ApiErrorBody), (status = 401, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn accept_agreement(
    State(state): State<AppState>,
    AuthedAny(who): AuthedAny,
    Json(req): Json<AcceptAgreement>,
) -> ApiResult<StatusCode> {
    if req.version != crate::agreement::AGREEMENT_VERSION {
        return Err(ApiError::invalid(
            "version",
            format!(
                "The agreement in force is version {}. Read it again and accept.",
                crate::agreement::AGREEMENT_VERSION
            ),
        ));
    }
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            accounts::accept_agreement(tx, who.account_id, req.version)?;
            audit::record(
                tx,
                now,
                &who.actor(),
                "agreement_accepted",
                &format!("version {}", req.version),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How recent an SMS-password sign-in must be to prove the phone for a sensitive change (SEC-4).
pub const FRESH_SMS_MS: i64 = 10 * 60 * 1000;

/// SEC-4: a sensitive change needs the current password, counted on the account's password
/// counter like any other guess (SEC-2), or a session that an SMS password opened at most
/// [`FRESH_SMS_MS`] ago. `field` names the password field in the refusal.
pub(crate) async fn fresh_proof(
    state: &AppState,
    who: &Authed,
    password: Option<String>,
    field: &'static str,
) -> ApiResult<()> {
    let (id, sid) = (who.account_id, who.session_id.clone());
    let (hash, created): (Option<String>, i64) = state
        .db
        .tx(move |tx| accounts::password_and_session_start(tx, id, &sid))
        .await?;
    let shape = shape_of(&who.login);
    match (password, hash) {
        (Some(password), Some(hash)) => {
            let _gate = state
                .guess_gates
                .enter(
                    guesses::password_gate(&who.login),
                    super::login::PASSWORD_PLACES,
                )
                .await;
            let counter = Counter::Account(id);
            let c = counter.clone();
            let now = state.now_ms();
            state
                .db
                .tx(move |tx| {
                    Ok(if guesses::take(tx, now, &c)? {
                        Ok(())
                    } else {
                        Err(locked_error(shape))
                    })
                })
                .await??;
            let ok = state.hasher.verify(password, Some(hash)).await?;
            let now = state.now_ms();
            let actor = who.actor();
            state
                .db
                .tx(move |tx| {
                    let verdict = guesses::judge(tx, now, &counter, ok)?;
                    if verdict != Verdict::Right {
                        let locked = verdict == Verdict::Locked;
                        audit::record(
                            tx,
                            now,
                            &actor,
                            "password_check_failed",
                            if locked {
                                "wrong current password; locked"
                            } else {
                                "wrong current password"
                            },
                        )?;
                    }
                    // Refusals are answered as Ok(Err) so the transaction keeps the count.
                    Ok(match verdict {
                        Verdict::Right => Ok(()),
                        Verdict::Wrong { left } => Err(ApiError::new(
                            ErrorCode::WrongCredentials,
                            "The current password is wrong.",
                        )
                        .attempts_left(left)
                        .field(field)),
                        Verdict::Locked => Err(locked_error(shape).field(field)),
                    })
                })
                .await?
        }
        (_, hash) => {
            if who.method == LoginMethod::SmsCode && state.now_ms() - created <= FRESH_SMS_MS {
                return Ok(());
            }
            Err(ApiError::new(
                ErrorCode::FreshProofRequired,
                if hash.is_some() {
                    "Enter your current password: this change needs proof that it is you."
                } else {
                    "Sign in again with an SMS password first: this change needs proof that the phone is yours."
                },
            )
            .field(field))
        }
    }
}

/// Changes the password (AUTH-9); optionally signs out every other session and ends the links
/// others made to this account (SEC-6). Proof per SEC-4.
#[utoipa::path(post, path = "/v1/password", tag = "auth", request_body = ChangePassword,
    responses((status = 200, body = PasswordChanged), (status = 400, body = mymts_proto::ApiErrorBody),
              (status = 401, body = mymts_proto::ApiErrorBody), (status = 403, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn change_password(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<ChangePassword>,
) -> ApiResult<axum::Json<PasswordChanged>> {
    super::limit("new_password", &req.new_password, 128)?;
    if let Some(old) = &req.old_password {
        super::limit("old_password", old, 128)?;
    }
    // What needs no secret is refused first, so that no answer depends on whether the current
    // password was right unless that guess was counted (SEC-2).
    mymts_proto::password::check_new_password(&req.new_password, &who.login)
        .map_err(|e| ApiError::new(ErrorCode::WeakPassword, e.to_string()).field("new_password"))?;
    if req.old_password.as_deref() == Some(req.new_password.as_str()) {
        return Err(ApiError::new(
            ErrorCode::WeakPassword,
            "The new password must differ from the current one.",
        )
        .field("new_password"));
    }
    fresh_proof(&state, &who, req.old_password.clone(), "old_password").await?;
    let hash = state.hasher.hash(req.new_password).await?;
    let now = state.now_ms();
    let revoked = state
        .db
        .tx(move |tx| {
            accounts::set_password(tx, who.account_id, &hash)?;
            let mut revoked = 0u32;
            let mut links = 0usize;
            if req.sign_out_others {
                revoked = revoke_others(tx, who.account_id, &who.session_id, now)?;
                links = super::tokens::end_links_to(tx, who.account_id, now)?;
            }
            audit::record(
                tx,
                now,
                &who.actor(),
                "password_changed",
                &format!("other sessions ended: {revoked}; links to this account ended: {links}"),
            )?;
            Ok(revoked)
        })
        .await?;
    Ok(axum::Json(PasswordChanged {
        other_sessions_revoked: revoked,
    }))
}

fn revoke_others(
    tx: &rusqlite::Transaction<'_>,
    account_id: i64,
    keep: &str,
    now: i64,
) -> ApiResult<u32> {
    let ids: Vec<String> = tx
        .prepare(
            "SELECT id FROM sessions WHERE account_id = ?1 AND id != ?2 AND revoked_ms IS NULL",
        )?
        .query_map(params![account_id, keep], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut n = 0u32;
    for sid in ids {
        if revoke_session(tx, &sid, now, "signed out from another device")? {
            n += 1;
        }
    }
    Ok(n)
}

/// The account's open sessions (AUTH-11).
#[utoipa::path(get, path = "/v1/sessions", tag = "auth",
    responses((status = 200, body = [SessionInfo]), (status = 401, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn list_sessions(
    State(state): State<AppState>,
    AuthedAny(who): AuthedAny,
) -> ApiResult<axum::Json<Vec<SessionInfo>>> {
    let list = state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT id, method, device_name, device_platform, created_ms, last_seen_ms FROM sessions
                 WHERE account_id = ?1 AND revoked_ms IS NULL ORDER BY last_seen_ms DESC LIMIT 100",
            )?;
            let rows = stmt
                .query_map(params![who.account_id], |r| {
                    let id: String = r.get(0)?;
                    Ok(SessionInfo {
                        current: id == who.session_id,
                        id,
                        method: parse_method(&r.get::<_, String>(1)?),
                        device: mymts_proto::wire::DeviceInfo {
                            name: r.get(2)?,
                            platform: r.get(3)?,
                        },
                        created_ms: r.get(4)?,
                        last_seen_ms: r.get(5)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    Ok(axum::Json(list))
}

/// Ends one session of the account.
#[utoipa::path(delete, path = "/v1/sessions/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 200, body = Revoked), (status = 404, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn revoke_session_route(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Revoked>> {
    super::limit("id", &id, 64)?;
    let now = state.now_ms();
    let n = state
        .db
        .tx(move |tx| {
            let owner: Option<i64> = tx
                .query_row(
                    "SELECT account_id FROM sessions WHERE id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()?;
            if owner != Some(who.account_id) {
                return Err(ApiError::not_found("No such session."));
            }
            let done = revoke_session(tx, &id, now, "ended from Activity")?;
            audit::record(tx, now, &who.actor(), "session_ended", "")?;
            Ok(u32::from(done))
        })
        .await?;
    Ok(axum::Json(Revoked { revoked: n }))
}

/// Ends every session of the account but this one (AUTH-11).
#[utoipa::path(post, path = "/v1/sessions/revoke-others", tag = "auth",
    responses((status = 200, body = Revoked), (status = 401, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn revoke_other_sessions(
    State(state): State<AppState>,
    who: Authed,
) -> ApiResult<axum::Json<Revoked>> {
    let now = state.now_ms();
    let n = state
        .db
        .tx(move |tx| {
            let n = revoke_others(tx, who.account_id, &who.session_id, now)?;
            audit::record(
                tx,
                now,
                &who.actor(),
                "sessions_ended",
                &format!("{n} other sessions"),
            )?;
            Ok(n)
        })
        .await?;
    Ok(axum::Json(Revoked { revoked: n }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ActivityQuery {
    /// Entries older than this id.
    before: Option<i64>,
    /// 1–200, default 50.
    limit: Option<u32>,
}

/// The account's actions as the operator recorded them (AUTH-11), newest first.
#[utoipa::path(get, path = "/v1/activity", tag = "auth", params(ActivityQuery),
    responses((status = 200, body = ActivityPage), (status = 400, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn activity(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<ActivityQuery>,
) -> ApiResult<axum::Json<ActivityPage>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "'limit' is 1 to 200."));
    }
    let before = q.before.unwrap_or(i64::MAX);
    let entries = state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT id, at_ms, action, channel, device, detail FROM audit
                 WHERE account_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(params![who.account_id, before, limit], |r| {
                    Ok(ActivityEntry {
                        id: r.get(0)?,
                        at_ms: r.get(1)?,
                        action: r.get(2)?,
                        channel: r.get(3)?,
                        device: r.get(4)?,
                        detail: r.get(5)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(axum::Json(ActivityPage {
        entries,
        next_before,
    }))
}

/// Social accounts linked to this number (AUTH-12).
#[utoipa::path(get, path = "/v1/social", tag = "auth", responses((status = 200, body = [SocialLink])))]
pub(super) async fn list_social(
    State(state): State<AppState>,
    who: Authed,
) -> ApiResult<axum::Json<Vec<SocialLink>>> {
    let links = state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT provider, username, linked_ms FROM social_accounts WHERE account_id = ?1 ORDER BY provider, username",
            )?;
            let rows = stmt
                .query_map(params![who.account_id], |r| {
                    Ok(SocialLink {
                        provider: r.get(0)?,
                        username: r.get(1)?,
                        linked_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    Ok(axum::Json(links))
}

/// Links a social account after checking its credentials (AUTH-12).
#[utoipa::path(post, path = "/v1/social", tag = "auth", request_body = SocialLinkRequest,
    responses((status = 200, body = SocialLink), (status = 401, body = mymts_proto::ApiErrorBody),
              (status = 403, body = mymts_proto::ApiErrorBody), (status = 409, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn link_social(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<SocialLinkRequest>,
) -> ApiResult<axum::Json<SocialLink>> {
    super::limit("provider", &req.provider, 32)?;
    super::limit("username", &req.username, 64)?;
    super::limit("password", &req.password, 128)?;
    let linked_to =
        super::social::social_guess(&state, &req.provider, req.username.trim(), req.password)
            .await??;
    if linked_to.is_some_and(|id| id != who.account_id) {
        return Err(ApiError::new(
            ErrorCode::AlreadyLinked,
            "This social account is linked to another number.",
        ));
    }
    let now = state.now_ms();
    let (provider, username) = (req.provider, req.username.trim().to_string());
    state
        .db
        .tx(move |tx| {
            tx.execute(
                "UPDATE social_accounts SET account_id = ?1, linked_ms = ?2 WHERE provider = ?3 AND username = ?4",
                params![who.account_id, now, provider, username],
            )?;
            audit::record(tx, now, &who.actor(), "social_linked", &format!("{provider}:{username}"))?;
            Ok(axum::Json(SocialLink {
                provider,
                username,
                linked_ms: now,
            }))
        })
        .await
}

/// Unlinks a social account from this number.
#[utoipa::path(delete, path = "/v1/social/{provider}/{username}", tag = "auth",
    params(("provider" = String, Path), ("username" = String, Path)),
    responses((status = 204), (status = 404, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn unlink_social(
    State(state): State<AppState>,
    who: Authed,
    Path((provider, username)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let n = tx.execute(
                "UPDATE social_accounts SET account_id = NULL, linked_ms = NULL
                 WHERE provider = ?1 AND username = ?2 AND account_id = ?3",
                params![provider, username, who.account_id],
            )?;
            if n == 0 {
                return Err(ApiError::new(
                    ErrorCode::NotLinked,
                    "This social account is not linked to your number.",
                ));
            }
            audit::record(
                tx,
                now,
                &who.actor(),
                "social_unlinked",
                &format!("{provider}:{username}"),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
