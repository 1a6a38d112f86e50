//! SMS passwords from 3339 (AUTH-4) and the `25 <password>` command to 111 (AUTH-5).
//!
//! The code itself is never stored: it is derived from a random nonce with the server key, so a
//! request while a code is still valid re-sends the very same code.
//!
//! Each request gets a **challenge** (an opaque random id, kept as its SHA-256) with five tries
//! at the code of its own (SEC-2): a stranger who asks for a code for somebody's number gets a
//! challenge of their own and spends only its tries, never the owner's. A resend that carries
//! the challenge it holds goes on with it while the code is valid. Every SMS with a code (the
//! 111 reply's too) also carries a **delivery tag**: a challenge with tries of its own that only
//! whoever reads the SMS on the phone holds, so the owner keeps a way in whatever a stranger
//! spends. A guess with no live challenge of the code (a code typed by hand after the app
//! restarted) spends the code's *shared* tries; burning those leaves the code good for a
//! challenge.

use std::future::Future;
use std::pin::Pin;

use axum::extract::State;
use mymts_proto::wire::{Faults, SmsPasswordRequest, SmsPasswordSent};
use mymts_proto::{COMMAND_NUMBER, ErrorCode, OTP_SENDER, otp};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{CODE_MAX_WRONG, CODE_TTL_MS, HOURLY_LIMIT, RESEND_MS};
use crate::audit::{self, Actor};
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::Channel;
use crate::ops::sms_centre::queue_sms;
use crate::secrets::{ServerKey, new_id, new_token, same, token_digest};
use crate::state::{AppState, CommandReply};

const HOUR_MS: i64 = 60 * 60 * 1000;

/// The live code of a number, if any: issued, not used, not expired. Wrong guesses do not end
/// it; they burn the challenge (or the shared tries) they were made with.
pub(super) struct LiveCode {
    pub nonce: String,
    pub purpose: String,
    pub pending_password_hash: Option<String>,
    pub expires_ms: i64,
}

pub(super) fn live_code(
    tx: &Transaction<'_>,
    phone: &str,
    now_ms: i64,
) -> ApiResult<Option<LiveCode>> {
    Ok(tx
        .query_row(
            "SELECT nonce, purpose, pending_password_hash, expires_ms FROM sms_codes
             WHERE phone = ?1 AND spent = 0 AND expires_ms > ?2",
            params![phone, now_ms],
            |r| {
                Ok(LiveCode {
                    nonce: r.get(0)?,
                    purpose: r.get(1)?,
                    pending_password_hash: r.get(2)?,
                    expires_ms: r.get(3)?,
                })
            },
        )
        .optional()?)
}

pub(super) fn code_of(key: &ServerKey, nonce: &str) -> String {
    key.derive_code("sms", nonce, otp::ALPHABET, otp::CODE_LEN)
}

/// What the database keeps of a challenge id: its SHA-256, hex.
pub(super) fn challenge_digest(challenge: &str) -> String {
    token_digest(challenge)
}

/// The number's code stops being live (expired, or replaced by the 111 command): it is kept an
/// hour as an old code, so typing it is answered "used or expired" (issue 13, item 13).
fn retire_code(tx: &Transaction<'_>, phone: &str, now_ms: i64) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM sms_old_codes WHERE until_ms <= ?1",
        params![now_ms],
    )?;
    tx.execute(
        "INSERT INTO sms_old_codes (phone, nonce, until_ms)
         SELECT phone, nonce, ?2 FROM sms_codes WHERE phone = ?1",
        params![phone, now_ms + HOUR_MS],
    )?;
    Ok(())
}

/// Whether `code` is one the number had before its live code (used, expired or replaced).
pub(super) fn is_old_code(
    tx: &Transaction<'_>,
    key: &ServerKey,
    phone: &str,
    now_ms: i64,
    code: &str,
) -> ApiResult<bool> {
    let nonces: Vec<String> = tx
        .prepare(
            "SELECT nonce FROM sms_old_codes WHERE phone = ?1 AND until_ms > ?2
             UNION ALL
             SELECT nonce FROM sms_codes WHERE phone = ?1 AND (spent != 0 OR expires_ms <= ?2)",
        )?
        .query_map(params![phone, now_ms], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(nonces.iter().any(|n| same(&code_of(key, n), code)))
}

/// The challenge this request goes on with: the one it holds when that is a challenge of the
/// live code with tries left (a resend from the app that asked first), else a new one with
/// tries of its own.
fn challenge_for(
    tx: &Transaction<'_>,
    phone: &str,
    nonce: &str,
    held: Option<&str>,
    now_ms: i64,
) -> ApiResult<String> {
    if let Some(held) = held {
        // A burnt challenge is not handed back: the resend would show a code that can no
        // longer be entered with it.
        let live: bool = tx.query_row(
            "SELECT COUNT(*) > 0 FROM sms_challenges
             WHERE digest = ?1 AND phone = ?2 AND nonce = ?3 AND wrong < ?4",
            params![challenge_digest(held), phone, nonce, CODE_MAX_WRONG],
            |r| r.get(0),
        )?;
        if live {
            return Ok(held.to_string());
        }
    }
    let challenge = new_token();
    tx.execute(
        "INSERT INTO sms_challenges (digest, phone, nonce, wrong, issued_ms) VALUES (?1, ?2, ?3, 0, ?4)",
        params![challenge_digest(&challenge), phone, nonce, now_ms],
    )?;
    Ok(challenge)
}

/// A challenge of the code that rides in the SMS itself (its delivery tag), with tries of its
/// own: only whoever reads the SMS on the phone holds it. So a stranger who spends a number's
/// requests of the hour (each with a solved captcha) and burns the shared tries still cannot lock
/// the owner out of the SMS path: every SMS those requests sent reaches the owner's phone with a
/// tag the stranger never sees (SEC-2, issue 11).
fn delivery_tag(tx: &Transaction<'_>, phone: &str, nonce: &str, now_ms: i64) -> ApiResult<String> {
    let tag = new_id();
    tx.execute(
        "INSERT INTO sms_challenges (digest, phone, nonce, wrong, issued_ms) VALUES (?1, ?2, ?3, 0, ?4)",
        params![challenge_digest(&tag), phone, nonce, now_ms],
    )?;
    Ok(tag)
}

fn secs(ms: i64) -> u64 {
    u64::try_from((ms + 999) / 1000).unwrap_or(0)
}

/// Requests this hour and the time of the last one.
fn request_window(
    tx: &Transaction<'_>,
    phone: &str,
    now_ms: i64,
) -> ApiResult<(u32, Option<i64>, Option<i64>)> {
    let (count, oldest, last): (i64, Option<i64>, Option<i64>) = tx.query_row(
        "SELECT COUNT(*), MIN(at_ms), MAX(at_ms) FROM sms_requests WHERE phone = ?1 AND at_ms > ?2",
        params![phone, now_ms - HOUR_MS],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((u32::try_from(count).unwrap_or(u32::MAX), oldest, last))
}

/// Sends (or re-sends) an SMS password (AUTH-4).
#[utoipa::path(post, path = "/v1/auth/sms-password", tag = "auth", request_body = SmsPasswordRequest,
    responses((status = 200, body = SmsPasswordSent), (status = 400, body = mymts_proto::ApiErrorBody),
              (status = 401, body = mymts_proto::ApiErrorBody), (status = 429, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn request_sms_password(
    State(state): State<AppState>,
    channel: Channel,
    Json(req): Json<SmsPasswordRequest>,
) -> ApiResult<axum::Json<SmsPasswordSent>> {
    super::limit("captcha_id", &req.captcha_id, 64)?;
    super::limit("captcha_answer", &req.captcha_answer, 16)?;
    if let Some(c) = &req.challenge {
        super::limit("challenge", c, 64)?;
    }
    let phone = req.phone;
    super::captcha::check(&state, &req.captcha_id, &req.captcha_answer)?;
    let now = state.now_ms();
    let st = state.clone();
    let sent = state
        .db
        .tx(move |tx| {
            send_code(
                tx,
                &st.key,
                &st.faults(),
                now,
                phone.as_str(),
                channel.name(),
                req.challenge.as_deref(),
            )
        })
        .await?;
    crate::ops::sms_centre::wake(&state);
    Ok(axum::Json(sent))
}

fn send_code(
    tx: &Transaction<'_>,
    key: &ServerKey,
    faults: &Faults,
    now_ms: i64,
    phone: &str,
    channel: &str,
    held: Option<&str>,
) -> ApiResult<SmsPasswordSent> {
    // A number that is no subscriber's goes the same way, limits, code and challenge included,
    // and gets the same answer: only nothing is texted (SEC-3: asking tells nobody who is a
    // subscriber). "Not registered" is the troubleshooter's finding, from the subscriber's own
    // phone through the world door (INBOX-4).
    let account = accounts::mobile(tx, phone)?;
    let (count, oldest, last) = request_window(tx, phone, now_ms)?;
    if let Some(last) = last.filter(|l| now_ms - l < RESEND_MS) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "A code was just sent. You can ask again in a moment.",
        )
        .retry_after(secs(last + RESEND_MS - now_ms)));
    }
    if count >= HOURLY_LIMIT {
        let wait = oldest.map_or(HOUR_MS, |o| o + HOUR_MS - now_ms);
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "Five codes were sent to this number in the last hour. Wait, or send 25 <password> to 111.",
        )
        .retry_after(secs(wait)));
    }
    let (nonce, expires_ms, resent) = match live_code(tx, phone, now_ms)? {
        Some(live) => (live.nonce, live.expires_ms, true),
        None => {
            retire_code(tx, phone, now_ms)?;
            tx.execute(
                "DELETE FROM sms_challenges WHERE phone = ?1",
                params![phone],
            )?;
            let nonce = new_id();
            let expires = now_ms + CODE_TTL_MS;
            tx.execute(
                "INSERT OR REPLACE INTO sms_codes (phone, nonce, purpose, pending_password_hash, issued_ms, expires_ms, wrong, spent)
                 VALUES (?1, ?2, 'login', NULL, ?3, ?4, 0, 0)",
                params![phone, nonce, now_ms, expires],
            )?;
            (nonce, expires, false)
        }
    };
    let challenge = challenge_for(tx, phone, &nonce, held, now_ms)?;
    let tag = delivery_tag(tx, phone, &nonce, now_ms)?;
    tx.execute(
        "INSERT INTO sms_requests (phone, at_ms) VALUES (?1, ?2)",
        params![phone, now_ms],
    )?;
    if let Some(account) = account {
        queue_sms(
            tx,
            key,
            faults,
            now_ms,
            phone,
            OTP_SENDER,
            &otp::login_sms_text(&code_of(key, &nonce), &tag),
        )?;
        let actor = Actor {
            account_id: Some(account.id),
            login: Some(phone.to_string()),
            channel: channel.to_string(),
            device: String::new(),
        };
        audit::record(
            tx,
            now_ms,
            &actor,
            "sms_password_requested",
            if resent {
                "the valid code was sent again"
            } else {
                "a new code was sent"
            },
        )?;
    }
    Ok(SmsPasswordSent {
        resend_after_s: secs(RESEND_MS),
        expires_in_s: secs(expires_ms - now_ms),
        resent_same_code: resent,
        requests_left_this_hour: HOURLY_LIMIT.saturating_sub(count + 1),
        challenge,
    })
}

/// A `25 <password>` command to 111 (AUTH-5), read and, when good, hashed before any transaction:
/// argon2 runs under the hasher's limit and never while the database is held, so a flood of
/// commands cannot stall every other request (issue 11, floods).
enum Command {
    /// A good password, hashed.
    Set { hash: String },
    /// "Password change error" with this reason.
    Refused(String),
}

fn parse_command<'t>(from: &str, text: &'t str) -> Result<&'t str, String> {
    let password = text
        .trim()
        .strip_prefix("25")
        .filter(|r| r.starts_with(char::is_whitespace))
        .map(str::trim)
        .ok_or_else(|| "unknown command.".to_string())?;
    if password.is_empty() {
        return Err("no password after 25.".into());
    }
    mymts_proto::password::check_new_password(password, from).map_err(|e| e.to_string())?;
    Ok(password)
}

/// The 111 command's handler, as the app state holds it ([`crate::state::CommandHook`]): reads
/// and hashes the SMS now, and answers it inside the phone's transaction with [`on_command_sms`].
pub fn command_hook(
    state: &AppState,
    from: &str,
    text: &str,
) -> Pin<Box<dyn Future<Output = ApiResult<CommandReply>> + Send + 'static>> {
    let (state, from, text) = (state.clone(), from.to_string(), text.to_string());
    Box::pin(async move {
        let command = prepare_command(&state, &from, &text).await?;
        let reply: CommandReply = Box::new(move |tx, key, faults, now_ms| {
            on_command_sms(tx, key, faults, now_ms, &from, &command)
        });
        Ok(reply)
    })
}

/// Reads the command SMS `text` from `from` and hashes its password (outside any transaction).
async fn prepare_command(state: &AppState, from: &str, text: &str) -> ApiResult<Command> {
    Ok(match parse_command(from, text) {
        Ok(password) => Command::Set {
            hash: state.hasher.hash(password.to_string()).await?,
        },
        Err(reason) => Command::Refused(reason),
    })
}

/// The 111 command (AUTH-5): `25 <password>` asks to make `<password>` permanent. A good one gets
/// reply 1, a one-time password whose login makes it permanent; anything else gets "password
/// change error" with the reason. `command` is the SMS as [`prepare_command`] read it.
fn on_command_sms(
    tx: &Transaction<'_>,
    key: &ServerKey,
    faults: &Faults,
    now_ms: i64,
    from: &str,
    command: &Command,
) -> ApiResult<()> {
    let Some(account) = accounts::mobile(tx, from)? else {
        // Not a subscriber: the SMS centre has nobody to answer.
        return Ok(());
    };
    let actor = Actor {
        account_id: Some(account.id),
        login: Some(from.to_string()),
        channel: "sms".into(),
        device: "phone".into(),
    };
    let hash = match command {
        Command::Set { hash } => hash,
        Command::Refused(reason) => {
            queue_sms(
                tx,
                key,
                faults,
                now_ms,
                from,
                COMMAND_NUMBER,
                &format!(
                    "Password change error: {reason} Send 25 <password> to 111, for example 25 Kettle7Orbit."
                ),
            )?;
            return audit::record(tx, now_ms, &actor, "password_command_refused", reason);
        }
    };
    let nonce = new_id();
    // The code it replaces becomes an old code; the challenges of a live one go on with the new
    // code (the app that asked for an SMS password keeps its tries), the rest end.
    let replaced = live_code(tx, from, now_ms)?.map(|l| l.nonce);
    retire_code(tx, from, now_ms)?;
    tx.execute(
        "DELETE FROM sms_challenges WHERE phone = ?1 AND nonce IS NOT ?2",
        params![from, replaced],
    )?;
    tx.execute(
        "UPDATE sms_challenges SET nonce = ?1 WHERE phone = ?2",
        params![nonce, from],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO sms_codes (phone, nonce, purpose, pending_password_hash, issued_ms, expires_ms, wrong, spent)
         VALUES (?1, ?2, 'set_password', ?3, ?4, ?5, 0, 0)",
        params![from, nonce, hash, now_ms, now_ms + CODE_TTL_MS],
    )?;
    let tag = delivery_tag(tx, from, &nonce, now_ms)?;
    queue_sms(
        tx,
        key,
        faults,
        now_ms,
        from,
        COMMAND_NUMBER,
        &otp::password_command_reply_text(&code_of(key, &nonce), &tag),
    )?;
    audit::record(
        tx,
        now_ms,
        &actor,
        "password_command_accepted",
        "a one-time password was sent",
    )
}
