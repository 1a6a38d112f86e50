//! Contract password recovery by a code e-mailed to the contract's mailbox (AUTH-1, INBOX-2).

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::wire::{AccountKind, RecoveryConfirm, RecoveryRequest, RecoverySent};
use mymts_proto::{ErrorCode, SUPPORT_NUMBER, otp};
use rusqlite::{OptionalExtension, params};

use super::login::account_by_login;
use super::tokens::revoke_session;
use super::{CODE_MAX_WRONG, RECOVERY_TTL_MS, RESEND_MS};
use crate::audit::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::ops::mail::{Letter, deliver_mail};
use crate::secrets::{new_id, same};
use crate::state::AppState;

fn recovery_code(state: &AppState, nonce: &str) -> String {
    state
        .key
        .derive_code("recovery", nonce, otp::ALPHABET, otp::CODE_LEN)
}

fn contract_of(
    tx: &rusqlite::Transaction<'_>,
    contract: &str,
) -> ApiResult<super::login::AccountRow> {
    let account = account_by_login(tx, contract.trim())?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownAccount,
            "There is no contract with this number.",
        )
        .field("contract")
    })?;
    match account.kind {
        AccountKind::Home | AccountKind::Satellite => Ok(account),
        AccountKind::Banking => Err(ApiError::new(
            ErrorCode::CallSupport,
            "Internet banking passwords cannot be recovered online.",
        )
        .hint(format!("Call support at {SUPPORT_NUMBER}."))),
        AccountKind::Mobile => Err(ApiError::new(
            ErrorCode::InvalidInput,
            "Mobile numbers get an SMS password instead.",
        )
        .field("contract")),
    }
}

/// E-mails a recovery code to the contract's recovery address.
#[utoipa::path(post, path = "/v1/auth/recovery", tag = "auth", request_body = RecoveryRequest,
    responses((status = 200, body = RecoverySent), (status = 403, body = mymts_proto::ApiErrorBody),
              (status = 404, body = mymts_proto::ApiErrorBody), (status = 409, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn request_recovery(
    State(state): State<AppState>,
    Json(req): Json<RecoveryRequest>,
) -> ApiResult<axum::Json<RecoverySent>> {
    super::limit("contract", &req.contract, 64)?;
    let now = state.now_ms();
    let st = state.clone();
    let (sent, delivered) = state
        .db
        .tx(move |tx| {
            let account = contract_of(tx, &req.contract)?;
            let email: String = tx
                .query_row("SELECT recovery_email FROM accounts WHERE id = ?1", params![account.id], |r| {
                    r.get::<_, Option<String>>(0)
                })?
                .ok_or_else(|| {
                    ApiError::new(ErrorCode::NoRecoveryEmail, "This contract has no recovery e-mail.")
                        .hint(format!("Call support at {SUPPORT_NUMBER}."))
                })?;
            let last: Option<i64> = tx
                .query_row("SELECT issued_ms FROM recovery_codes WHERE account_id = ?1", params![account.id], |r| r.get(0))
                .optional()?;
            if let Some(last) = last.filter(|l| now - l < RESEND_MS) {
                return Err(ApiError::new(ErrorCode::RateLimited, "A code was just sent. Check the Inbox and Spam folders.")
                    .retry_after(u64::try_from((last + RESEND_MS - now + 999) / 1000).unwrap_or(60)));
            }
            let nonce = new_id();
            tx.execute(
                "INSERT OR REPLACE INTO recovery_codes (account_id, nonce, issued_ms, expires_ms, wrong, spent)
                 VALUES (?1, ?2, ?3, ?4, 0, 0)",
                params![account.id, nonce, now, now + RECOVERY_TTL_MS],
            )?;
            let code = recovery_code(&st, &nonce);
            let body = format!(
                "Hello,\n\nthe code to set a new password for contract {} is: {code}\nIt is valid 15 minutes.\n\nIf you did not ask for it, ignore this letter.\nMTS",
                account.login
            );
            let letter = Letter {
                to: &email,
                from: mymts_proto::RECOVERY_MAIL_SENDER,
                subject: "Password recovery code",
                body: &body,
                attachment: None,
            };
            let actor = Actor {
                account_id: Some(account.id),
                login: Some(account.login.clone()),
                channel: "api".into(),
                device: String::new(),
            };
            let delivered = match deliver_mail(tx, &st.key, now, &letter) {
                Ok(m) => m,
                Err(e) if e.code() == ErrorCode::MailboxFull => {
                    audit::record(tx, now, &actor, "recovery_bounced", "the mailbox is full")?;
                    // The bounce is the honest answer, and the transaction must keep it.
                    return Ok((Err(ApiError::new(
                        ErrorCode::MailboxFull,
                        "The letter bounced: the recovery mailbox is full. Free some space and try again.",
                    )), None));
                }
                Err(e) => return Err(e),
            };
            audit::record(tx, now, &actor, "recovery_requested", "a code was e-mailed")?;
            Ok((
                Ok(RecoverySent {
                    masked_email: mymts_proto::mask_email(&email),
                    expires_in_s: u64::try_from(RECOVERY_TTL_MS / 1000).unwrap_or(900),
                }),
                delivered.map(|m| (email, m)),
            ))
        })
        .await?;
    if let Some((address, mail)) = delivered {
        crate::ops::mail::announce_mail(&state, &address, mail);
    }
    sent.map(axum::Json)
}

/// Sets a new contract password with the e-mailed code; unlocks and ends every session.
#[utoipa::path(post, path = "/v1/auth/recovery/confirm", tag = "auth", request_body = RecoveryConfirm,
    responses((status = 204), (status = 400, body = mymts_proto::ApiErrorBody), (status = 401, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn confirm_recovery(
    State(state): State<AppState>,
    Json(req): Json<RecoveryConfirm>,
) -> ApiResult<StatusCode> {
    super::limit("contract", &req.contract, 64)?;
    super::limit("code", &req.code, 16)?;
    super::limit("new_password", &req.new_password, 128)?;
    let contract = req.contract.trim().to_string();
    mymts_proto::password::check_new_password(&req.new_password, &contract)
        .map_err(|e| ApiError::new(ErrorCode::WeakPassword, e.to_string()).field("new_password"))?;
    let hash = state.hasher.hash(req.new_password).await?;
    let now = state.now_ms();
    let st = state.clone();
    let code = req.code.trim().to_string();
    state
        .db
        .tx(move |tx| {
            let account = contract_of(tx, &contract)?;
            let row: Option<(String, i64, i64, i64)> = tx
                .query_row(
                    "SELECT nonce, expires_ms, wrong, spent FROM recovery_codes WHERE account_id = ?1",
                    params![account.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let expired = || ApiError::new(ErrorCode::CodeExpired, "This code is no longer valid. Ask for a new one.").field("code");
            let (nonce, expires, wrong, spent) = row.ok_or_else(expired)?;
            if spent != 0 || expires <= now || wrong >= CODE_MAX_WRONG {
                return Ok(Err(expired()));
            }
            if !same(&recovery_code(&st, &nonce), &code) {
                let wrong = wrong + 1;
                tx.execute(
                    "UPDATE recovery_codes SET wrong = ?1, spent = ?2 WHERE account_id = ?3",
                    params![wrong, wrong >= CODE_MAX_WRONG, account.id],
                )?;
                let left = u32::try_from(CODE_MAX_WRONG - wrong).unwrap_or(0);
                // Commit the counted failure, then answer with it.
                return Ok(Err(ApiError::new(ErrorCode::CodeWrong, "Wrong code.").attempts_left(left).field("code")));
            }
            tx.execute("UPDATE recovery_codes SET spent = 1 WHERE account_id = ?1", params![account.id])?;
            tx.execute(
                "UPDATE accounts SET password_hash = ?1, pw_failures = 0, pw_locked = 0 WHERE id = ?2",
                params![hash, account.id],
            )?;
            let sessions: Vec<String> = tx
                .prepare("SELECT id FROM sessions WHERE account_id = ?1 AND revoked_ms IS NULL")?
                .query_map(params![account.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for sid in sessions {
                revoke_session(tx, &sid, now, "password recovered")?;
            }
            let actor = Actor {
                account_id: Some(account.id),
                login: Some(account.login),
                channel: "api".into(),
                device: String::new(),
            };
            audit::record(tx, now, &actor, "password_changed", "recovered by e-mail")?;
            Ok(Ok(()))
        })
        .await??;
    Ok(StatusCode::NO_CONTENT)
}
