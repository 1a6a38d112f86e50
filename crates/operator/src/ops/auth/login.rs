//! `POST /v1/auth/login`: every way in (AUTH-1, AUTH-3, AUTH-4, AUTH-5, AUTH-7, AUTH-12).

use axum::extract::State;
use mymts_proto::wire::{AccountKind, DeviceInfo, LoginMethod, LoginRequest, LoginResponse};
use mymts_proto::{COMMAND_NUMBER, ErrorCode, SUPPORT_NUMBER, otp};
use rusqlite::{Transaction, params};

use super::CODE_MAX_WRONG;
use super::guesses::{self, Counter, Verdict};
use super::sms::{challenge_digest, code_of, is_old_code, live_code};
use super::tokens::{Opened, clean_device, respond};
use crate::audit::{self, Actor};
use crate::db::accounts::{self, Account};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::Channel;
use crate::ops::sms_centre::queue_sms;
use crate::secrets::{ServerKey, same};
use crate::state::AppState;

/// What kind of account a login looks like: refusals are worded by the login's shape, never by
/// what the operator knows, so they read the same for a login nobody has (SEC-3).
pub(crate) fn shape_of(login: &str) -> AccountKind {
    if login.starts_with('+') {
        AccountKind::Mobile
    } else if login.len() == 10 && login.bytes().all(|b| b.is_ascii_digit()) {
        if login.starts_with("78") {
            AccountKind::Satellite
        } else {
            AccountKind::Home
        }
    } else {
        AccountKind::Banking
    }
}

pub(crate) fn locked_error(shape: AccountKind) -> ApiError {
    let hint = match shape {
        AccountKind::Mobile => {
            "Get an SMS password to sign in; it unlocks your permanent password."
        }
        AccountKind::Home | AccountKind::Satellite => {
            "Recover the password by e-mail to unlock it."
        }
        AccountKind::Banking => "Call support at 0890 to unlock it.",
    };
    ApiError::new(
        ErrorCode::PasswordLocked,
        "Password sign-in is locked after three wrong passwords.",
    )
    .attempts_left(0)
    .hint(hint)
}

/// A wrong password, worded by the login's shape (SEC-3).
pub(crate) fn wrong_error(shape: AccountKind, left: u32) -> ApiError {
    let err =
        ApiError::new(ErrorCode::WrongCredentials, "Wrong login or password.").attempts_left(left);
    match shape {
        AccountKind::Mobile => err.hint(
            "No permanent password yet, or forgot it? Sign in with an SMS password, or send 25 <password> to 111.",
        ),
        AccountKind::Home | AccountKind::Satellite => {
            err.hint("Forgot it? Recover the password by e-mail.")
        }
        AccountKind::Banking => err.hint(format!(
            "Internet banking has no temporary password online: call {SUPPORT_NUMBER}."
        )),
    }
}

/// Guesses at one login between taking a try and the verdict (AUTH-3's three tries).
pub(crate) const PASSWORD_PLACES: usize = 3;

/// A password guess at a login, its try already taken (SEC-2): see [`guesses`].
pub(crate) struct Aim {
    pub account: Option<Account>,
    pub counter: Counter,
    pub shape: AccountKind,
}

impl Aim {
    /// The hash to verify against; `None` verifies a dummy (no account, or no password yet).
    pub fn hash(&self) -> Option<String> {
        self.account.as_ref().and_then(|a| a.password_hash.clone())
    }
}

/// Finds `login` and takes one of its tries, whether or not anybody has it (SEC-2, SEC-3).
/// `Ok(Err(_))`: no try left, refused as locked.
pub(crate) fn aim(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now_ms: i64,
    login: &str,
) -> ApiResult<Result<Aim, ApiError>> {
    let account = accounts::by_login(tx, login)?;
    let counter = match &account {
        Some(a) => Counter::Account(a.id),
        None => Counter::nobody(key, login),
    };
    let shape = shape_of(login);
    if !guesses::take(tx, now_ms, &counter)? {
        return Ok(Err(locked_error(shape)));
    }
    Ok(Ok(Aim {
        account,
        counter,
        shape,
    }))
}

/// A refused guess: the answer, the account it was aimed at (if any) and whether it locked.
pub(crate) type Refused = (ApiError, Option<Account>, bool);

/// The verdict on an aimed guess: the account when right, else the refusal to answer with
/// (`Ok(Err(_))`, so the transaction keeps the count).
pub(crate) fn verdict(
    tx: &Transaction<'_>,
    now_ms: i64,
    aim: Aim,
    right: bool,
) -> ApiResult<Result<Account, Refused>> {
    let right = right && aim.account.is_some();
    match guesses::judge(tx, now_ms, &aim.counter, right)? {
        Verdict::Right => match aim.account {
            Some(a) => Ok(Ok(a)),
            None => Ok(Err((wrong_error(aim.shape, 0), None, false))),
        },
        Verdict::Wrong { left } => Ok(Err((wrong_error(aim.shape, left), aim.account, false))),
        Verdict::Locked => Ok(Err((locked_error(aim.shape), aim.account, true))),
    }
}

/// Logs in by any method; `on_net` only through the operator gateway.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = mymts_proto::ApiErrorBody),
              (status = 401, body = mymts_proto::ApiErrorBody), (status = 403, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn login(
    State(state): State<AppState>,
    channel: Channel,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let resp = match req {
        LoginRequest::Password {
            login,
            password,
            device,
        } => {
            super::limit("password", &password, 128)?;
            let device = clean_device(device.as_ref(), channel.name());
            password_login(&state, channel.name(), login.as_str(), password, device).await?
        }
        LoginRequest::SmsCode {
            phone,
            code,
            challenge,
            device,
        } => {
            super::limit("code", &code, 16)?;
            if let Some(c) = &challenge {
                super::limit("challenge", c, 64)?;
            }
            let device = clean_device(device.as_ref(), channel.name());
            let now = state.now_ms();
            let st = state.clone();
            let ch = channel.name();
            let resp = state
                .db
                .tx(move |tx| {
                    let guess = CodeGuess {
                        phone: phone.as_str(),
                        code: code.trim(),
                        challenge: challenge.as_deref(),
                    };
                    code_login(tx, &st, now, &guess, &device, ch)
                })
                .await;
            // A success may have queued reply 2 of the 111 command.
            crate::ops::sms_centre::wake(&state);
            resp??
        }
        LoginRequest::OnNet { device } => {
            let Channel::Gateway {
                vouched: Some(number),
            } = &channel
            else {
                return Err(ApiError::new(
                    ErrorCode::NotOnNet,
                    "Your number could not be recognised: this works only over MTS mobile data.",
                )
                .hint("Turn on mobile data (Wi-Fi off), or sign in with a password or an SMS password."));
            };
            let device = clean_device(device.as_ref(), channel.name());
            let number = number.as_str().to_string();
            let now = state.now_ms();
            state
                .db
                .tx(move |tx| {
                    let account = accounts::by_login(tx, &number)?.ok_or_else(|| {
                        ApiError::new(ErrorCode::UnknownAccount, "This SIM has no account.")
                    })?;
                    let opened = Opened {
                        account,
                        method: LoginMethod::OnNet,
                        permanent_password_set: false,
                    };
                    respond(tx, now, opened, &device, "gateway")
                })
                .await?
        }
        LoginRequest::Social {
            provider,
            username,
            password,
            device,
        } => {
            super::limit("provider", &provider, 32)?;
            super::limit("username", &username, 64)?;
            super::limit("password", &password, 128)?;
            let device = clean_device(device.as_ref(), channel.name());
            super::social::social_login(
                &state,
                channel.name(),
                provider,
                username,
                password,
                device,
            )
            .await?
        }
    };
    Ok(axum::Json(resp))
}

async fn password_login(
    state: &AppState,
    channel: &'static str,
    login: &str,
    password: String,
    device: DeviceInfo,
) -> ApiResult<LoginResponse> {
    let _gate = state
        .guess_gates
        .enter(guesses::password_gate(login), PASSWORD_PLACES)
        .await;
    let l = login.to_string();
    let st = state.clone();
    let now = state.now_ms();
    let aimed = state.db.tx(move |tx| aim(tx, &st.key, now, &l)).await??;
    // Verified outside any transaction, under the hasher's limit; a login nobody has (or one with
    // no password yet) verifies a dummy hash, so the answer takes as long (SEC-3).
    let ok = state.hasher.verify(password, aimed.hash()).await?;
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let (err, account, locked) = match verdict(tx, now, aimed, ok)? {
                Ok(account) => {
                    let opened = Opened {
                        account,
                        method: LoginMethod::Password,
                        permanent_password_set: false,
                    };
                    return respond(tx, now, opened, &device, channel).map(Ok);
                }
                Err(refused) => refused,
            };
            if let Some(account) = account {
                let actor = Actor {
                    account_id: Some(account.id),
                    login: Some(account.login.to_string()),
                    channel: channel.to_string(),
                    device: device.name.clone(),
                };
                audit::record(
                    tx,
                    now,
                    &actor,
                    "login_failed",
                    if locked {
                        "wrong password; locked"
                    } else {
                        "wrong password"
                    },
                )?;
            }
            // Failures are answered as Ok(Err) so the transaction keeps the counted failure.
            Ok(Err(err))
        })
        .await?
}

/// Where a guess at an SMS code is counted (SEC-2): on the challenge of the request that sent it
/// to the guesser, or, for a guess with no live challenge of the code (the 111 reply's code,
/// which no request of the app sent), on the code's shared tries.
enum Budget {
    Challenge(String),
    Shared,
}

impl Budget {
    fn wrong(&self, tx: &Transaction<'_>, phone: &str) -> ApiResult<i64> {
        Ok(match self {
            Self::Challenge(d) => tx.query_row(
                "SELECT wrong FROM sms_challenges WHERE digest = ?1",
                params![d],
                |r| r.get(0),
            )?,
            Self::Shared => tx.query_row(
                "SELECT wrong FROM sms_codes WHERE phone = ?1",
                params![phone],
                |r| r.get(0),
            )?,
        })
    }

    fn set_wrong(&self, tx: &Transaction<'_>, phone: &str, wrong: i64) -> ApiResult<()> {
        match self {
            Self::Challenge(d) => tx.execute(
                "UPDATE sms_challenges SET wrong = ?1 WHERE digest = ?2",
                params![wrong, d],
            )?,
            Self::Shared => tx.execute(
                "UPDATE sms_codes SET wrong = ?1 WHERE phone = ?2",
                params![wrong, phone],
            )?,
        };
        Ok(())
    }
}

/// A code that is not (or no longer) the number's live one: used, expired, or replaced. The
/// same answer for all of them, with no tries in it (issue 13, item 13).
fn used_or_expired() -> ApiError {
    ApiError::new(
        ErrorCode::CodeExpired,
        "This code was already used or is no longer valid. Use the code from the newest SMS, or ask for a new SMS password.",
    )
    .field("code")
}

fn burnt() -> ApiError {
    ApiError::new(
        ErrorCode::CodeExpired,
        "Five wrong entries: this code no longer works here. Ask for the SMS password again.",
    )
    .attempts_left(0)
    .field("code")
}

/// A typed SMS code, with the challenge of the request that sent it when the app has one.
struct CodeGuess<'a> {
    phone: &'a str,
    code: &'a str,
    challenge: Option<&'a str>,
}

/// Checks, judges and counts an SMS code in one transaction (SEC-2). The count goes on the
/// challenge the guess carries when that is a live challenge of the code, else on the code's
/// shared tries, so a stranger never spends the tries of the owner's challenge. A code the
/// number had before (used, expired, replaced) is answered as such and spends nothing: only
/// whoever saw that SMS can type it, and it says nothing about the live code.
fn code_login(
    tx: &Transaction<'_>,
    state: &AppState,
    now_ms: i64,
    guess: &CodeGuess<'_>,
    device: &DeviceInfo,
    channel: &str,
) -> ApiResult<ApiResult<LoginResponse>> {
    let (phone, code) = (guess.phone, guess.code);
    let live = live_code(tx, phone, now_ms)?;
    let right = live
        .as_ref()
        .is_some_and(|l| same(&code_of(&state.key, &l.nonce), code));
    if !right && is_old_code(tx, &state.key, phone, now_ms, code)? {
        return Ok(Err(used_or_expired()));
    }
    let Some(live) = live else {
        return Ok(Err(used_or_expired()));
    };
    let Some(account) = accounts::by_login(tx, phone)? else {
        return Ok(Err(used_or_expired()));
    };
    let actor = Actor {
        account_id: Some(account.id),
        login: Some(account.login.to_string()),
        channel: channel.to_string(),
        device: device.name.clone(),
    };
    let budget = match guess.challenge.map(challenge_digest) {
        Some(d)
            if tx.query_row(
                "SELECT COUNT(*) > 0 FROM sms_challenges WHERE digest = ?1 AND phone = ?2 AND nonce = ?3",
                params![d, phone, live.nonce],
                |r| r.get::<_, bool>(0),
            )? =>
        {
            Budget::Challenge(d)
        }
        _ => Budget::Shared,
    };
    let wrong = budget.wrong(tx, phone)?;
    if wrong >= CODE_MAX_WRONG {
        // Burnt: not even the right code gets through these tries any more.
        return Ok(Err(burnt()));
    }
    if !right {
        let wrong = wrong + 1;
        budget.set_wrong(tx, phone, wrong)?;
        audit::record(tx, now_ms, &actor, "login_failed", "wrong SMS password")?;
        // Failures are answered as Ok(Err) so the transaction keeps the counted failure.
        if wrong >= CODE_MAX_WRONG {
            return Ok(Err(burnt()));
        }
        let left = u32::try_from(CODE_MAX_WRONG - wrong).unwrap_or(0);
        let well_formed = otp::is_well_formed(code);
        return Ok(Err(ApiError::new(
            ErrorCode::CodeWrong,
            if well_formed {
                "Wrong code."
            } else {
                "Wrong code: it has 6 letters and digits; capital and small letters differ."
            },
        )
        .attempts_left(left)
        .field("code")));
    }
    tx.execute(
        "DELETE FROM sms_challenges WHERE phone = ?1",
        params![phone],
    )?;
    tx.execute(
        "UPDATE sms_codes SET spent = 1 WHERE phone = ?1",
        params![phone],
    )?;
    // A fresh SMS password proves the phone: it unlocks password login (AUTH-3).
    accounts::clear_password_failures(tx, account.id)?;
    let mut permanent_password_set = false;
    if live.purpose == "set_password"
        && let Some(hash) = &live.pending_password_hash
    {
        accounts::set_password_hash(tx, account.id, hash)?;
        permanent_password_set = true;
        // SEC-6: a password set by the 111 command is the mobile's recovery: links made with
        // the old password end.
        super::tokens::end_links_to(tx, account.id, now_ms)?;
        queue_sms(
            tx,
            &state.key,
            &state.faults(),
            now_ms,
            phone,
            COMMAND_NUMBER,
            "Your new password is set. Use it to sign in to My MTS. If it was not you, call 0890.",
        )?;
        audit::record(
            tx,
            now_ms,
            &actor,
            "password_changed",
            "set by the 111 command",
        )?;
    }
    let opened = Opened {
        account,
        method: LoginMethod::SmsCode,
        permanent_password_set,
    };
    respond(tx, now_ms, opened, device, channel).map(Ok)
}
