//! Opening a session: one refresh-token family with its first access and refresh tokens. Shared by
//! every way in (password, SMS code, on-net, social) and by switching to a linked account (ACC-7).

use mymts_proto::wire::{DeviceInfo, LoginMethod, TokenPair};
use rusqlite::{Transaction, params};

use crate::error::ApiResult;
use crate::http::session::{ACCESS_IDLE_MS, method_str};
use crate::secrets::{ServerKey, new_id, new_token, token_digest};

/// Device names and platforms are shown in Activity; a client cannot make them arbitrarily long.
const DEVICE_FIELD_MAX: usize = 80;

/// Opens a session for `account_id` and returns its tokens and the session id. Only the tokens'
/// digests are stored. `key` is not used yet; it is here so that a session can later carry sealed
/// data without changing every caller.
pub fn open_session(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now: i64,
    account_id: i64,
    method: LoginMethod,
    device: &DeviceInfo,
) -> ApiResult<(TokenPair, String)> {
    let _ = key;
    let session_id = new_id();
    tx.execute(
        "INSERT INTO sessions (id, account_id, method, device_name, device_platform, created_ms, last_seen_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            session_id,
            account_id,
            method_str(method),
            clip(&device.name, "unknown device"),
            clip(&device.platform, "unknown"),
            now
        ],
    )?;
    let access = new_token();
    let refresh = new_token();
    tx.execute(
        "INSERT INTO access_tokens (hash, session_id, last_used_ms) VALUES (?1, ?2, ?3)",
        params![token_digest(&access), session_id, now],
    )?;
    tx.execute(
        "INSERT INTO refresh_tokens (hash, session_id, created_ms) VALUES (?1, ?2, ?3)",
        params![token_digest(&refresh), session_id, now],
    )?;
    let tokens = TokenPair {
        access_token: access,
        refresh_token: refresh,
        access_idle_timeout_s: (ACCESS_IDLE_MS / 1000).unsigned_abs(),
    };
    Ok((tokens, session_id))
}

fn clip(s: &str, default: &str) -> String {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(DEVICE_FIELD_MAX)
        .collect();
    if s.is_empty() { default.to_string() } else { s }
}
