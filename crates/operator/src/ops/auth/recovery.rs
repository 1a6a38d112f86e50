//! Contract password recovery by a code e-mailed to the contract's mailbox (AUTH-1, INBOX-2).

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::wire::{AccountKind, RecoveryConfirm, RecoveryRequest, RecoverySent};
use mymts_proto::{ErrorCode, Login, SUPPORT_NUMBER, otp};
use rusqlite::{OptionalExtension, params};

use super::login::shape_of;
use super::tokens::revoke_session;
use super::{CODE_MAX_WRONG, RECOVERY_TTL_MS, RESEND_MS};
use crate::audit::{self, Actor};
use crate::db::accounts::{self, Account};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::ops::mail::{Letter, deliver_mail};
use crate::secrets::{new_id, new_token, same, token_digest};
use crate::state::AppState;

fn recovery_code(state: &AppState, nonce: &str) -> String {
    state
        .key
        .derive_code("recovery", nonce, otp::ALPHABET, otp::CODE_LEN)
}

/// Recovery requests per contract in an hour (the SMS code's rule, AUTH-4).
pub const RECOVERY_HOURLY_LIMIT: i64 = 5;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// What a contract field looks like: refusals depend on the shape alone, never on whether the
/// contract exists (SEC-3).
fn contract_shape(contract: &Login) -> ApiResult<()> {
    match shape_of(contract.as_str()) {
        AccountKind::Home | AccountKind::Satellite => Ok(()),
        AccountKind::Mobile => Err(ApiError::new(
            ErrorCode::InvalidInput,
            "Mobile numbers get an SMS password instead.",
        )
        .field("contract")),
        AccountKind::Banking => Err(ApiError::new(
            ErrorCode::CallSupport,
            "Only Home Internet and TV and Satellite TV contracts (10 digits) are recovered by e-mail; Internet banking passwords cannot be recovered online.",
        )
        .hint(format!("Call support at {SUPPORT_NUMBER}."))),
    }
}

/// The contract account, if there is one of a recoverable kind.
fn contract_of(tx: &rusqlite::Transaction<'_>, contract: &str) -> ApiResult<Option<Account>> {
    Ok(accounts::by_login(tx, contract)?
        .filter(|a| matches!(a.kind, AccountKind::Home | AccountKind::Satellite)))
}

/// The domains of the seed's recovery addresses, which stand-in masks are drawn from.
const STAND_IN_DOMAINS: &[&str] = &["mail.example"];

/// A plausible masked address for a contract with none (or no contract at all): stable per
/// contract, so asking twice shows the same one, as for a real contract (SEC-3).
fn stand_in_mask(state: &AppState, contract: &str) -> String {
    let tag = state.key.tag("recovery-mask", contract);
    // The tag is hex: its first byte picks any letter (a hex digit alone would give a–f only,
    // and a mask starting with g–z would then name a real contract), the second a domain.
    let byte = |i: usize| {
        tag.get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    let letter = char::from(b'a' + byte(0) % 26);
    let domain = STAND_IN_DOMAINS[usize::from(byte(1)) % STAND_IN_DOMAINS.len()];
    mymts_proto::mask_email(&format!("{letter}x@{domain}"))
}

/// The challenge a recovery request goes on with (SEC-2, SEC-3), and when it ends: the one it
/// holds when that is still a challenge of this contract with tries left, else a new one with
/// five tries of its own. Every challenge of a contract ends with its code (`code_expires`); a
/// contract with no code behind it (nobody's, or one with no recovery address) gets challenges
/// the same way, ending when a code would: 15 minutes after the first, never moved by a resend.
/// A new code ends the old challenges.
fn challenge_for(
    tx: &rusqlite::Transaction<'_>,
    contract_key: &str,
    nonce: Option<&str>,
    code_expires: Option<i64>,
    held: Option<&str>,
    now_ms: i64,
) -> ApiResult<(String, i64)> {
    tx.execute(
        "DELETE FROM recovery_challenges WHERE expires_ms <= ?1 OR (contract = ?2 AND nonce IS NOT ?3)",
        params![now_ms, contract_key, nonce],
    )?;
    let first: Option<i64> = tx.query_row(
        "SELECT MIN(expires_ms) FROM recovery_challenges WHERE contract = ?1",
        params![contract_key],
        |r| r.get(0),
    )?;
    let expires = code_expires.or(first).unwrap_or(now_ms + RECOVERY_TTL_MS);
    if let Some(held) = held {
        let live: bool = tx.query_row(
            "SELECT COUNT(*) > 0 FROM recovery_challenges
             WHERE digest = ?1 AND contract = ?2 AND wrong < ?3",
            params![token_digest(held), contract_key, CODE_MAX_WRONG],
            |r| r.get(0),
        )?;
        if live {
            return Ok((held.to_string(), expires));
        }
    }
    let challenge = new_token();
    tx.execute(
        "INSERT INTO recovery_challenges (digest, contract, nonce, wrong, expires_ms) VALUES (?1, ?2, ?3, 0, ?4)",
        params![token_digest(&challenge), contract_key, nonce, expires],
    )?;
    Ok((challenge, expires))
}

/// Five wrong codes with one challenge: its tries are spent (the code itself is not).
fn burnt() -> ApiError {
    ApiError::new(
        ErrorCode::CodeExpired,
        "Five wrong entries: this code no longer works here. Ask for the code again.",
    )
    .attempts_left(0)
    .field("code")
}

fn rate_limited(wait_ms: i64, message: &str) -> ApiError {
    ApiError::new(ErrorCode::RateLimited, message.to_string())
        .retry_after(u64::try_from((wait_ms + 999) / 1000).unwrap_or(60).max(1))
}

/// E-mails a recovery code to the contract's recovery address. Follows the SMS code's rules: a
/// request while the code is valid sends the same code again (its 15 minutes run from the first
/// letter: a code lives at most that long, however often it is asked for), at most once a
/// minute and five times an hour per contract, each request with a solved captcha. The answer
/// is the same whether the
/// contract exists, has a recovery address or a mailbox that bounces (SEC-3): the
/// troubleshooter looks at the mailbox itself (INBOX-4).
#[utoipa::path(post, path = "/v1/auth/recovery", tag = "auth", request_body = RecoveryRequest,
    responses((status = 200, body = RecoverySent), (status = 400, body = mymts_proto::ApiErrorBody),
              (status = 401, body = mymts_proto::ApiErrorBody), (status = 403, body = mymts_proto::ApiErrorBody),
              (status = 429, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn request_recovery(
    State(state): State<AppState>,
    Json(req): Json<RecoveryRequest>,
) -> ApiResult<axum::Json<RecoverySent>> {
    super::limit("captcha_id", &req.captcha_id, 64)?;
    super::limit("captcha_answer", &req.captcha_answer, 16)?;
    if let Some(c) = &req.challenge {
        super::limit("challenge", c, 64)?;
    }
    contract_shape(&req.contract)?;
    // Checked (and spent) for made-up contracts as for real ones: the same answer (SEC-3).
    super::captcha::check(&state, &req.captcha_id, &req.captcha_answer)?;
    let contract = req.contract.to_string();
    let held = req.challenge;
    let now = state.now_ms();
    let st = state.clone();
    let (sent, delivered) = state
        .db
        .tx(move |tx| {
            let key = st.key.tag("recovery", &contract);
            let (sent, delivered, code) = send_recovery(tx, &st, now, &contract, &key)?;
            let (nonce, code_expires) = code.unzip();
            let (challenge, expires) = challenge_for(
                tx,
                &key,
                nonce.as_deref(),
                code_expires,
                held.as_deref(),
                now,
            )?;
            let expires_in_s = u64::try_from((expires - now + 999) / 1000).unwrap_or(0);
            Ok((
                RecoverySent {
                    challenge,
                    expires_in_s,
                    ..sent
                },
                delivered,
            ))
        })
        .await?;
    if let Some((address, mail)) = delivered {
        crate::ops::mail::announce_mail(&state, &address, mail);
    }
    Ok(axum::Json(sent))
}

type Delivered = Option<(String, mymts_proto::wire::Mail)>;
/// The code behind a recovery answer: its nonce and when it ends.
type CodeBehind = Option<(String, i64)>;

/// The request's work in its transaction: the limits, then the letter. Returns what to answer
/// (its challenge still empty), the letter to announce and the nonce and end of the code
/// behind it.
fn send_recovery(
    tx: &rusqlite::Transaction<'_>,
    st: &AppState,
    now: i64,
    contract: &str,
    key: &str,
) -> ApiResult<(RecoverySent, Delivered, CodeBehind)> {
    let (count, oldest, last): (i64, Option<i64>, Option<i64>) = tx.query_row(
        "SELECT COUNT(*), MIN(at_ms), MAX(at_ms) FROM recovery_requests WHERE key = ?1 AND at_ms > ?2",
        params![key, now - HOUR_MS],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if let Some(last) = last.filter(|l| now - l < RESEND_MS) {
        return Err(rate_limited(
            last + RESEND_MS - now,
            "A code was just sent. Check the Inbox and Spam folders.",
        ));
    }
    if count >= RECOVERY_HOURLY_LIMIT {
        return Err(rate_limited(
            oldest.map_or(HOUR_MS, |o| o + HOUR_MS - now),
            "Five codes were sent for this contract in the last hour. Wait, or call 0890.",
        ));
    }
    tx.execute(
        "DELETE FROM recovery_requests WHERE key = ?1 AND at_ms <= ?2",
        params![key, now - HOUR_MS],
    )?;
    tx.execute(
        "INSERT INTO recovery_requests (key, at_ms) VALUES (?1, ?2)",
        params![key, now],
    )?;
    let sent = RecoverySent {
        masked_email: stand_in_mask(st, contract),
        expires_in_s: u64::try_from(RECOVERY_TTL_MS / 1000).unwrap_or(900),
        challenge: String::new(),
    };
    let Some(account) = contract_of(tx, contract)? else {
        return Ok((sent, None, None));
    };
    let email = accounts::recovery_email(tx, account.id)?;
    let actor = Actor {
        account_id: Some(account.id),
        login: Some(account.login.to_string()),
        channel: "api".into(),
        device: String::new(),
    };
    let Some(email) = email else {
        audit::record(tx, now, &actor, "recovery_refused", "no recovery e-mail")?;
        return Ok((sent, None, None));
    };
    // The live code again, as long as it still lives; or a new one.
    let live: Option<(String, i64)> = tx
        .query_row(
            "SELECT nonce, expires_ms FROM recovery_codes
             WHERE account_id = ?1 AND spent = 0 AND expires_ms > ?2",
            params![account.id, now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let resent = live.is_some();
    let (nonce, expires) = live.unwrap_or_else(|| (new_id(), now + RECOVERY_TTL_MS));
    tx.execute(
        "INSERT INTO recovery_codes (account_id, nonce, issued_ms, expires_ms, wrong, spent)
         VALUES (?1, ?2, ?3, ?4, 0, 0)
         ON CONFLICT (account_id) DO UPDATE SET nonce = excluded.nonce,
           issued_ms = excluded.issued_ms, expires_ms = excluded.expires_ms, wrong = 0, spent = 0
         WHERE nonce != excluded.nonce",
        params![account.id, nonce, now, expires],
    )?;
    let code = recovery_code(st, &nonce);
    // The letter's delivery tag (SEC-2): a challenge of this code with five tries of its own,
    // held only by whoever reads the letter. It counts once the letter is in the mailbox.
    let tag = new_token();
    let body = otp::recovery_letter_text(
        account.login.as_str(),
        &code,
        (expires - now + 59_999) / 60_000,
        &tag,
    );
    let letter = Letter {
        to: &email,
        from: mymts_proto::RECOVERY_MAIL_SENDER,
        subject: "Password recovery code",
        body: &body,
        attachment: None,
    };
    let sent = RecoverySent {
        masked_email: mymts_proto::mask_email(&email),
        ..sent
    };
    let delivered = match deliver_mail(tx, &st.key, now, &letter) {
        Ok(m) => m,
        Err(e) if e.code() == ErrorCode::MailboxFull => {
            audit::record(tx, now, &actor, "recovery_bounced", "the mailbox is full")?;
            return Ok((sent, None, Some((nonce, expires))));
        }
        Err(e) => return Err(e),
    };
    if delivered.is_some() {
        // In the mailbox (not deleted by one of its filters): its reader holds the tag.
        tx.execute(
            "INSERT INTO recovery_challenges (digest, contract, nonce, wrong, expires_ms) VALUES (?1, ?2, ?3, 0, ?4)",
            params![token_digest(&tag), key, nonce, expires],
        )?;
    }
    audit::record(
        tx,
        now,
        &actor,
        "recovery_requested",
        if resent {
            "the valid code was e-mailed again"
        } else {
            "a code was e-mailed"
        },
    )?;
    Ok((sent, delivered.map(|m| (email, m)), Some((nonce, expires))))
}

/// Sets a new contract password with the e-mailed code; unlocks and ends every session.
#[utoipa::path(post, path = "/v1/auth/recovery/confirm", tag = "auth", request_body = RecoveryConfirm,
    responses((status = 204), (status = 400, body = mymts_proto::ApiErrorBody), (status = 401, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn confirm_recovery(
    State(state): State<AppState>,
    Json(req): Json<RecoveryConfirm>,
) -> ApiResult<StatusCode> {
    super::limit("code", &req.code, 16)?;
    super::limit("challenge", &req.challenge, 64)?;
    super::limit("new_password", &req.new_password, 128)?;
    let contract = req.contract.to_string();
    mymts_proto::password::check_new_password(&req.new_password, &contract)
        .map_err(|e| ApiError::new(ErrorCode::WeakPassword, e.to_string()).field("new_password"))?;
    let hash = state.hasher.hash(req.new_password).await?;
    let now = state.now_ms();
    let st = state.clone();
    let code = req.code.trim().to_string();
    let challenge = req.challenge;
    state
        .db
        .tx(move |tx| {
            let expired = || {
                ApiError::new(
                    ErrorCode::CodeExpired,
                    "This code is no longer valid. Ask for a new one.",
                )
                .field("code")
            };
            // Everything below answers by the challenge alone until a guess is right, so a real
            // contract reads like one nobody has (SEC-3), and each guess is counted on the
            // challenge it carries, never on another's (SEC-2).
            let key = st.key.tag("recovery", &contract);
            let digest = token_digest(&challenge);
            let row: Option<(Option<String>, i64)> = tx
                .query_row(
                    "SELECT nonce, wrong FROM recovery_challenges
                     WHERE digest = ?1 AND contract = ?2 AND expires_ms > ?3",
                    params![digest, key, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((nonce, wrong)) = row else {
                return Ok(Err(expired()));
            };
            if wrong >= CODE_MAX_WRONG {
                return Ok(Err(burnt()));
            }
            let account = contract_of(tx, &contract)?;
            let right = match (&account, &nonce) {
                (Some(a), Some(n)) => {
                    let live: bool = tx.query_row(
                        "SELECT COUNT(*) > 0 FROM recovery_codes
                         WHERE account_id = ?1 AND nonce = ?2 AND spent = 0 AND expires_ms > ?3",
                        params![a.id, n, now],
                        |r| r.get(0),
                    )?;
                    live && same(&recovery_code(&st, n), &code)
                }
                _ => false,
            };
            let Some(account) = account.filter(|_| right) else {
                let wrong = wrong + 1;
                tx.execute(
                    "UPDATE recovery_challenges SET wrong = ?1 WHERE digest = ?2",
                    params![wrong, digest],
                )?;
                if wrong >= CODE_MAX_WRONG {
                    return Ok(Err(burnt()));
                }
                let left = u32::try_from(CODE_MAX_WRONG - wrong).unwrap_or(0);
                // Commit the counted failure, then answer with it.
                return Ok(Err(ApiError::new(ErrorCode::CodeWrong, "Wrong code.")
                    .attempts_left(left)
                    .field("code")));
            };
            tx.execute(
                "UPDATE recovery_codes SET spent = 1 WHERE account_id = ?1",
                params![account.id],
            )?;
            tx.execute(
                "DELETE FROM recovery_challenges WHERE contract = ?1",
                params![key],
            )?;
            accounts::set_password(tx, account.id, &hash)?;
            let sessions: Vec<String> = tx
                .prepare("SELECT id FROM sessions WHERE account_id = ?1 AND revoked_ms IS NULL")?
                .query_map(params![account.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for sid in sessions {
                revoke_session(tx, &sid, now, "password recovered")?;
            }
            // SEC-6: whoever linked the contract with the old password is unlinked.
            let links = super::tokens::end_links_to(tx, account.id, now)?;
            let actor = Actor {
                account_id: Some(account.id),
                login: Some(account.login.to_string()),
                channel: "api".into(),
                device: String::new(),
            };
            audit::record(
                tx,
                now,
                &actor,
                "password_changed",
                &format!("recovered by e-mail; links to this account ended: {links}"),
            )?;
            Ok(Ok(()))
        })
        .await??;
    Ok(StatusCode::NO_CONTENT)
}
