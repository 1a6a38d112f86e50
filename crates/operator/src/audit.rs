//! The hash-chained audit log (AUTH-11): each row's hash covers the previous row's hash, so
//! changing, deleting or reordering any row breaks the chain from there on.

use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Who did an action and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub login: Option<String>,
    pub channel: String,
    pub device: String,
}

impl Actor {
    pub fn anonymous(channel: &str) -> Self {
        Self {
            channel: channel.to_string(),
            ..Self::default()
        }
    }
}

/// `fields` are login, action, channel, device, detail.
fn row_hash(prev: &str, id: i64, at_ms: i64, fields: [&str; 5]) -> String {
    let [login, action, channel, device, detail] = fields;
    let mut h = Sha256::new();
    for part in [
        prev,
        &id.to_string(),
        &at_ms.to_string(),
        login,
        action,
        channel,
        device,
        detail,
    ] {
        // Length-prefix each field so that moving text between fields changes the hash.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

pub fn record(
    tx: &Transaction<'_>,
    now_ms: i64,
    actor: &Actor,
    action: &str,
    detail: &str,
) -> Result<(), ApiError> {
    let prev: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (prev_id, prev_hash) = prev.unwrap_or((0, "0".repeat(64)));
    let id = prev_id + 1;
    let hash = row_hash(
        &prev_hash,
        id,
        now_ms,
        [
            actor.login.as_deref().unwrap_or(""),
            action,
            &actor.channel,
            &actor.device,
            detail,
        ],
    );
    tx.execute(
        "INSERT INTO audit (id, at_ms, account_id, login, action, channel, device, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            now_ms,
            actor.account_id,
            actor.login,
            action,
            actor.channel,
            actor.device,
            detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

/// Walks the whole chain; returns (rows, first bad id).
pub fn verify(tx: &Transaction<'_>) -> Result<(i64, Option<i64>), ApiError> {
    let mut stmt = tx.prepare(
        "SELECT id, at_ms, login, action, channel, device, detail, prev_hash, hash FROM audit ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = "0".repeat(64);
    let mut expected_id = 1i64;
    let mut count = 0i64;
    while let Some(r) = rows.next()? {
        count += 1;
        let id: i64 = r.get(0)?;
        let login: Option<String> = r.get(2)?;
        let (action, channel, device, detail): (String, String, String, String) =
            (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let prev_hash: String = r.get(7)?;
        let hash: String = r.get(8)?;
        let recomputed = row_hash(
            &prev_hash,
            id,
            r.get(1)?,
            [
                login.as_deref().unwrap_or(""),
                &action,
                &channel,
                &device,
                &detail,
            ],
        );
        if id != expected_id || prev_hash != expected_prev || recomputed != hash {
            return Ok((count, Some(id)));
        }
        expected_prev = hash;
        expected_id += 1;
    }
    Ok((count, None))
}
