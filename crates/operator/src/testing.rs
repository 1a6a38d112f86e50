//! Helpers for tests of this crate and of its clients: not part of the API, compiled only with
//! the `testing` feature (which only dev-dependencies turn on).

use rusqlite::params;

use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_id, new_token, token_digest};
use crate::state::AppState;

/// Opens a session for `login` directly in the database (agreement accepted) and returns its
/// access token, for tests of endpoints that are not about logging in.
pub async fn session_for(state: &AppState, login: &str) -> ApiResult<String> {
    let login = login.to_string();
    let now = state.now_ms();
    let token = new_token();
    let digest = token_digest(&token);
    state
        .db
        .tx(move |tx| {
            let account_id = accounts::by_login(tx, &login)?
                .ok_or_else(|| ApiError::not_found(format!("no account {login}")))?
                .id;
            accounts::accept_agreement(tx, account_id, crate::agreement::AGREEMENT_VERSION)?;
            let sid = new_id();
            tx.execute(
                "INSERT INTO sessions (id, account_id, method, device_name, device_platform, created_ms, last_seen_ms)
                 VALUES (?1, ?2, 'password', 'test', 'test', ?3, ?3)",
                params![sid, account_id, now],
            )?;
            tx.execute(
                "INSERT INTO access_tokens (hash, session_id, last_used_ms) VALUES (?1, ?2, ?3)",
                params![digest, sid, now],
            )?;
            Ok(())
        })
        .await?;
    Ok(token)
}
