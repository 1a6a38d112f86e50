//! `POST /v1/auth/login`: every way in (AUTH-1, AUTH-3, AUTH-4, AUTH-5, AUTH-7, AUTH-12).

use axum::extract::State;
use mymts_proto::wire::{
    AccountKind, AccountRef, DeviceInfo, LoginMethod, LoginRequest, LoginResponse, TokenPair,
};
use mymts_proto::{COMMAND_NUMBER, ErrorCode, PhoneNumber, SUPPORT_NUMBER, otp};
use rusqlite::{OptionalExtension, Transaction, params};

use super::sms::{code_of, live_code};
use super::tokens::{clean_device, open_session};
use super::{CODE_MAX_WRONG, PASSWORD_MAX_FAILURES};
use crate::audit::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Json;
use crate::http::session::Channel;
use crate::ops::phones::queue_sms;
use crate::secrets::same;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub kind: AccountKind,
    pub login: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub pw_failures: i64,
    pub pw_locked: bool,
    pub agreement_version: i64,
}

pub(crate) fn account_by_login(tx: &Transaction<'_>, login: &str) -> ApiResult<Option<AccountRow>> {
    Ok(tx
        .query_row(
            "SELECT id, kind, login, name, password_hash, pw_failures, pw_locked, agreement_version
             FROM accounts WHERE login = ?1",
            params![login],
            |r| {
                Ok(AccountRow {
                    id: r.get(0)?,
                    kind: AccountKind::parse(&r.get::<_, String>(1)?)
                        .unwrap_or(AccountKind::Mobile),
                    login: r.get(2)?,
                    name: r.get(3)?,
                    password_hash: r.get(4)?,
                    pw_failures: r.get(5)?,
                    pw_locked: r.get::<_, i64>(6)? != 0,
                    agreement_version: r.get(7)?,
                })
            },
        )
        .optional()?)
}

/// A login field is a phone number in any AUTH-2 form, or a contract / banking login as is.
pub(crate) fn normalise_login(login: &str) -> ApiResult<String> {
    let t = login.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(
            "login",
            "Enter your number or contract number.",
        ));
    }
    // `+…` or brackets can only be a phone number, so a typo there gets the phone message.
    if t.starts_with('+') || t.contains('(') {
        return Ok(PhoneNumber::parse(t)?.as_str().to_string());
    }
    // Contract numbers (77…, 78…) and banking logins are not mobile numbers and stay as typed.
    Ok(PhoneNumber::parse(t).map_or_else(|_| t.to_string(), |p| p.as_str().to_string()))
}

fn locked_error(kind: AccountKind) -> ApiError {
    let hint = match kind {
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

struct Opened {
    account: AccountRow,
    method: LoginMethod,
    permanent_password_set: bool,
}

fn respond(
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
        login: Some(a.login.clone()),
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
    let has_password: bool = tx.query_row(
        "SELECT password_hash IS NOT NULL FROM accounts WHERE id = ?1",
        params![a.id],
        |r| r.get(0),
    )?;
    Ok(LoginResponse {
        tokens,
        account: AccountRef {
            login: a.login.clone(),
            kind: a.kind,
            name: a.name.clone(),
        },
        session_id,
        method: opened.method,
        agreement_required: a.agreement_version < i64::from(crate::AGREEMENT_VERSION),
        agreement_version: crate::AGREEMENT_VERSION,
        offer_permanent_password: opened.method == LoginMethod::SmsCode && !has_password,
        permanent_password_set: opened.permanent_password_set,
    })
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
            super::limit("login", &login, 64)?;
            super::limit("password", &password, 128)?;
            let device = clean_device(device.as_ref(), channel.name());
            password_login(
                &state,
                channel.name(),
                &normalise_login(&login)?,
                password,
                device,
            )
            .await?
        }
        LoginRequest::SmsCode {
            phone,
            code,
            device,
        } => {
            super::limit("code", &code, 16)?;
            let phone = PhoneNumber::parse(&phone)?;
            let device = clean_device(device.as_ref(), channel.name());
            let now = state.now_ms();
            let st = state.clone();
            let ch = channel.name();
            let resp = state
                .db
                .tx(move |tx| code_login(tx, &st, now, phone.as_str(), code.trim(), &device, ch))
                .await;
            // A success may have queued reply 2 of the 111 command.
            crate::ops::phones::wake(&state);
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
                    let account = account_by_login(tx, &number)?.ok_or_else(|| {
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
            social_login(&state, channel.name(), provider, username, password, device).await?
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
    let l = login.to_string();
    let account = state.db.tx(move |tx| account_by_login(tx, &l)).await?;
    let Some(account) = account else {
        // Same work as a real account, so timing does not tell which logins exist.
        state.hasher.verify(password, None).await?;
        return Err(ApiError::new(
            ErrorCode::WrongCredentials,
            "Wrong login or password.",
        ));
    };
    if account.pw_locked {
        return Err(locked_error(account.kind));
    }
    let Some(hash) = account.password_hash.clone() else {
        state.hasher.verify(password, None).await?;
        return Err(ApiError::new(
            ErrorCode::WrongCredentials,
            "This number has no permanent password yet.",
        )
        .hint("Sign in with an SMS password, or send 25 <password> to 111 to set one."));
    };
    let ok = state.hasher.verify(password, Some(hash)).await?;
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            // Re-read inside the transaction: parallel wrong guesses must all count.
            let account = account_by_login(tx, &account.login)?.ok_or_else(|| {
                ApiError::new(ErrorCode::WrongCredentials, "Wrong login or password.")
            })?;
            if account.pw_locked {
                return Err(locked_error(account.kind));
            }
            let actor = Actor {
                account_id: Some(account.id),
                login: Some(account.login.clone()),
                channel: channel.to_string(),
                device: device.name.clone(),
            };
            if !ok {
                let failures = account.pw_failures + 1;
                let locked = failures >= PASSWORD_MAX_FAILURES;
                tx.execute(
                    "UPDATE accounts SET pw_failures = ?1, pw_locked = ?2 WHERE id = ?3",
                    params![failures, locked, account.id],
                )?;
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
                // Failures are answered as Ok(Err) so the transaction keeps the counted failure.
                if locked {
                    return Ok(Err(locked_error(account.kind)));
                }
                let left = u32::try_from(PASSWORD_MAX_FAILURES - failures).unwrap_or(0);
                let mut err =
                    ApiError::new(ErrorCode::WrongCredentials, "Wrong login or password.")
                        .attempts_left(left);
                if account.kind == AccountKind::Banking {
                    err = err.hint(format!(
                        "Internet banking has no temporary password online: call {SUPPORT_NUMBER}."
                    ));
                }
                return Ok(Err(err));
            }
            tx.execute(
                "UPDATE accounts SET pw_failures = 0 WHERE id = ?1",
                params![account.id],
            )?;
            let opened = Opened {
                account,
                method: LoginMethod::Password,
                permanent_password_set: false,
            };
            respond(tx, now, opened, &device, channel).map(Ok)
        })
        .await?
}

fn code_login(
    tx: &Transaction<'_>,
    state: &AppState,
    now_ms: i64,
    phone: &str,
    code: &str,
    device: &DeviceInfo,
    channel: &str,
) -> ApiResult<ApiResult<LoginResponse>> {
    let expired = || {
        ApiError::new(
            ErrorCode::CodeExpired,
            "This code is no longer valid. Ask for a new SMS password.",
        )
        .field("code")
    };
    let live = live_code(tx, phone, now_ms)?.ok_or_else(expired)?;
    let account = account_by_login(tx, phone)?.ok_or_else(expired)?;
    let actor = Actor {
        account_id: Some(account.id),
        login: Some(account.login.clone()),
        channel: channel.to_string(),
        device: device.name.clone(),
    };
    if !same(&code_of(&state.key, &live.nonce), code) {
        let wrong = live.wrong + 1;
        tx.execute(
            "UPDATE sms_codes SET wrong = ?1, spent = ?2 WHERE phone = ?3",
            params![wrong, wrong >= CODE_MAX_WRONG, phone],
        )?;
        audit::record(tx, now_ms, &actor, "login_failed", "wrong SMS password")?;
        // Failures are answered as Ok(Err) so the transaction keeps the counted failure.
        if wrong >= CODE_MAX_WRONG {
            return Ok(Err(ApiError::new(
                ErrorCode::CodeExpired,
                "Five wrong entries: this code no longer works. Ask for a new SMS password.",
            )
            .attempts_left(0)
            .field("code")));
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
        "UPDATE sms_codes SET spent = 1 WHERE phone = ?1",
        params![phone],
    )?;
    // A fresh SMS password proves the phone: it unlocks password login (AUTH-3).
    tx.execute(
        "UPDATE accounts SET pw_failures = 0, pw_locked = 0 WHERE id = ?1",
        params![account.id],
    )?;
    let mut permanent_password_set = false;
    if live.purpose == "set_password"
        && let Some(hash) = &live.pending_password_hash
    {
        tx.execute(
            "UPDATE accounts SET password_hash = ?1 WHERE id = ?2",
            params![hash, account.id],
        )?;
        permanent_password_set = true;
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

async fn social_login(
    state: &AppState,
    channel: &'static str,
    provider: String,
    username: String,
    password: String,
    device: DeviceInfo,
) -> ApiResult<LoginResponse> {
    let (p, u) = (provider.clone(), username.trim().to_string());
    let row: Option<(String, Option<i64>)> = state
        .db
        .tx(move |tx| {
            Ok(tx
                .query_row(
                    "SELECT password_hash, account_id FROM social_accounts WHERE provider = ?1 AND username = ?2",
                    params![p, u],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await?;
    let wrong = || {
        ApiError::new(
            ErrorCode::SocialWrongCredentials,
            "The social network did not accept that login or password.",
        )
    };
    let Some((hash, account_id)) = row else {
        state.hasher.verify(password, None).await?;
        return Err(wrong());
    };
    if !state.hasher.verify(password, Some(hash)).await? {
        return Err(wrong());
    }
    let Some(account_id) = account_id else {
        return Err(ApiError::new(
            ErrorCode::SocialNotLinked,
            "This social account is not linked to an MTS number.",
        )
        .hint("Sign in with your number once, then link the social account in Settings → Social accounts."));
    };
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let login: String = tx.query_row(
                "SELECT login FROM accounts WHERE id = ?1",
                params![account_id],
                |r| r.get(0),
            )?;
            let account = account_by_login(tx, &login)?.ok_or_else(wrong)?;
            let opened = Opened {
                account,
                method: LoginMethod::Social,
                permanent_password_set: false,
            };
            respond(tx, now, opened, &device, channel)
        })
        .await
}
