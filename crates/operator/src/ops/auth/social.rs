//! Signing in with a social network's account linked to a number (AUTH-12), its guesses counted
//! on that network account's counter whether or not it exists (SEC-2, SEC-3).

use mymts_proto::ErrorCode;
use mymts_proto::wire::{DeviceInfo, LoginMethod, LoginResponse};
use rusqlite::{OptionalExtension, params};

use super::guesses::{self, Counter, Verdict};
use super::tokens::{Opened, respond};
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A social network's refusal after too many wrong passwords (AUTH-12, SEC-2).
pub(crate) fn social_locked(retry_after_s: u64) -> ApiError {
    ApiError::new(
        ErrorCode::PasswordLocked,
        "The social network locked sign-in to this account for 15 minutes after five wrong passwords.",
    )
    .attempts_left(0)
    .retry_after(retry_after_s.max(1))
}

pub(crate) fn social_wrong(left: u32) -> ApiError {
    ApiError::new(
        ErrorCode::SocialWrongCredentials,
        "The social network did not accept that login or password.",
    )
    .attempts_left(left)
}

/// A guess at a social network's password, counted on that account's counter whether or not it
/// exists (SEC-2, SEC-3). Returns the linked account id (if any) when right; `Ok(Err(_))` is a
/// refusal whose count the transaction must keep.
pub(crate) async fn social_guess(
    state: &AppState,
    provider: &str,
    username: &str,
    password: String,
) -> ApiResult<Result<Option<i64>, ApiError>> {
    let counter = Counter::social(&state.key, provider, username);
    let _gate = state
        .guess_gates
        .enter(
            format!("social:{provider}\0{username}"),
            usize::try_from(counter.limit()).unwrap_or(1),
        )
        .await;
    let (p, u, c) = (provider.to_string(), username.to_string(), counter.clone());
    let now = state.now_ms();
    let row: Result<Option<(String, Option<i64>)>, ApiError> = state
        .db
        .tx(move |tx| {
            if !guesses::take(tx, now, &c)? {
                return Ok(Err(social_locked(guesses::locked_for_s(tx, now, &c)?)));
            }
            Ok(Ok(tx
                .query_row(
                    "SELECT password_hash, account_id FROM social_accounts WHERE provider = ?1 AND username = ?2",
                    params![p, u],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?))
        })
        .await?;
    let row = match row {
        Ok(row) => row,
        Err(locked) => return Ok(Err(locked)),
    };
    let ok = state
        .hasher
        .verify(password, row.as_ref().map(|(h, _)| h.clone()))
        .await?;
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let right = ok && row.is_some();
            Ok(match guesses::judge(tx, now, &counter, right)? {
                Verdict::Right => Ok(row.and_then(|(_, id)| id)),
                Verdict::Wrong { left } => Err(social_wrong(left)),
                Verdict::Locked => Err(social_locked(guesses::locked_for_s(tx, now, &counter)?)),
            })
        })
        .await
}

pub(super) async fn social_login(
    state: &AppState,
    channel: &'static str,
    provider: String,
    username: String,
    password: String,
    device: DeviceInfo,
) -> ApiResult<LoginResponse> {
    let account_id = social_guess(state, &provider, username.trim(), password).await??;
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
            let account = accounts::by_id(tx, account_id)?
                .ok_or_else(|| ApiError::internal("a linked social account without its account"))?;
            let opened = Opened {
                account,
                method: LoginMethod::Social,
                permanent_password_set: false,
            };
            respond(tx, now, opened, &device, channel)
        })
        .await
}
