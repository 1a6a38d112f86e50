//! The hash-chained audit log (AUTH-11, SEC-7): each row's MAC covers the previous row's, the
//! row's account and every field, keyed with a key derived from the server key (the key file),
//! so whoever can write the database but not read the key file cannot rewrite a row, move it to
//! another account's Activity, or recompute the chain. The newest row's id and MAC are kept in
//! `meta` under a MAC of their own, so cutting rows off the end is detected too.
//!
//! The MAC is an SQL function (`audit_mac`) registered on the operator's one connection by
//! [`install`]: every `record` in every room stays a plain call inside its transaction, and the
//! key lives in the process only.

use hmac::{Hmac, Mac};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Registers `audit_mac(purpose, ...)` on `conn`: a hex HMAC-SHA256 with `key` over its
/// arguments, each typed and length-prefixed so that no two argument lists collide.
pub fn install(conn: &Connection, key: [u8; 32]) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "audit_mac",
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            for i in 0..ctx.len() {
                match ctx.get_raw(i) {
                    ValueRef::Null => mac.update(&[0]),
                    ValueRef::Integer(n) => {
                        mac.update(&[1]);
                        mac.update(&n.to_be_bytes());
                    }
                    ValueRef::Real(f) => {
                        mac.update(&[2]);
                        mac.update(&f.to_be_bytes());
                    }
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        mac.update(&[3]);
                        mac.update(&(t.len() as u64).to_be_bytes());
                        mac.update(t);
                    }
                }
            }
            Ok(hex::encode(mac.finalize().into_bytes()))
        },
    )
}

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

/// One row as it is chained.
struct Row {
    id: i64,
    at_ms: i64,
    account_id: Option<i64>,
    login: Option<String>,
    action: String,
    channel: String,
    device: String,
    detail: String,
}

impl Row {
    /// The keyed MAC of this row after `prev` (SEC-7).
    fn mac(&self, conn: &Connection, prev: &str) -> rusqlite::Result<String> {
        conn.query_row(
            "SELECT audit_mac('row', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                prev,
                self.id,
                self.at_ms,
                self.account_id,
                self.login,
                self.action,
                self.channel,
                self.device,
                self.detail
            ],
            |r| r.get(0),
        )
    }

    /// The unkeyed hash of the first scheme, for upgrading a world that has it.
    fn plain_hash(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        for part in [
            prev,
            &self.id.to_string(),
            &self.at_ms.to_string(),
            self.login.as_deref().unwrap_or(""),
            &self.action,
            &self.channel,
            &self.device,
            &self.detail,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// The MAC kept for the newest row, so that a cut-off tail shows.
fn head_value(conn: &Connection, id: i64, hash: &str) -> rusqlite::Result<String> {
    let mac: String =
        conn.query_row("SELECT audit_mac('head', ?1, ?2)", params![id, hash], |r| {
            r.get(0)
        })?;
    Ok(format!("{id}:{mac}"))
}

fn set_head(conn: &Connection, id: i64, hash: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![head_value(conn, id, hash)?],
    )?;
    Ok(())
}

/// The kept head, `id:mac`, if any.
fn kept_head(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
        r.get(0)
    })
    .optional()
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
    let (prev_id, prev_hash) = prev.unwrap_or((0, GENESIS.to_string()));
    // The newest row must be the one the kept head names: if rows were cut off the end (or the
    // head is gone), the new row is written but the head is left as it is, so the break stays
    // visible instead of being sealed over (SEC-7).
    let head_holds = kept_head(tx)?.is_some_and(|head| {
        head_value(tx, prev_id, &prev_hash).is_ok_and(|expected| expected == head)
    });
    let row = Row {
        id: prev_id + 1,
        at_ms: now_ms,
        account_id: actor.account_id,
        login: actor.login.clone(),
        action: action.to_string(),
        channel: actor.channel.clone(),
        device: actor.device.clone(),
        detail: detail.to_string(),
    };
    let hash = row.mac(tx, &prev_hash)?;
    tx.execute(
        "INSERT INTO audit (id, at_ms, account_id, login, action, channel, device, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            row.id,
            row.at_ms,
            row.account_id,
            row.login,
            row.action,
            row.channel,
            row.device,
            row.detail,
            prev_hash,
            hash
        ],
    )?;
    if head_holds {
        set_head(tx, row.id, &hash)?;
    } else {
        tracing::warn!(
            row = row.id,
            "audit head does not match the newest row: left as it is (SEC-7)"
        );
    }
    Ok(())
}

fn rows(conn: &Connection) -> rusqlite::Result<Vec<(Row, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT id, at_ms, account_id, login, action, channel, device, detail, prev_hash, hash
         FROM audit ORDER BY id",
    )?;
    stmt.query_map([], |r| {
        Ok((
            Row {
                id: r.get(0)?,
                at_ms: r.get(1)?,
                account_id: r.get(2)?,
                login: r.get(3)?,
                action: r.get(4)?,
                channel: r.get(5)?,
                device: r.get(6)?,
                detail: r.get(7)?,
            },
            r.get(8)?,
            r.get(9)?,
        ))
    })?
    .collect()
}

/// Walks the whole chain and the kept head; returns (rows, first bad id). A cut-off tail names
/// the first missing id.
pub fn verify(tx: &Transaction<'_>) -> Result<(i64, Option<i64>), ApiError> {
    let mut expected_prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    let mut count = 0i64;
    for (row, prev_hash, hash) in rows(tx)? {
        count += 1;
        if row.id != expected_id || prev_hash != expected_prev || row.mac(tx, &prev_hash)? != hash {
            return Ok((count, Some(row.id)));
        }
        expected_prev = hash;
        expected_id += 1;
    }
    // Every world has a head from its creation on (the genesis head `0:…` while it is empty):
    // a missing head is tampering, and so is an emptied log.
    let last = expected_id - 1;
    let intact = match kept_head(tx)? {
        None => false,
        Some(head) => head == head_value(tx, last, &expected_prev)?,
    };
    Ok((count, (!intact).then_some(expected_id)))
}

/// Moves a world whose chain has the first, unkeyed scheme to the keyed one: as far as the old
/// chain holds, each row is chained again with the key; from a row that did not match the old
/// scheme on, nothing is touched, so that row stays detected. Runs once, at the first start after
/// the migration that introduced it (`audit_upgrade` = `pending` in `meta`; a new world gets its
/// genesis head here); every later start leaves the chain alone, so an unkeyed chain written
/// into the file afterwards is never keyed and stays detected.
pub fn upgrade(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let pending: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'audit_upgrade'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if pending.as_deref() != Some("pending") {
        return Ok(());
    }
    tx.execute("DELETE FROM meta WHERE key = 'audit_upgrade'", [])?;
    let all = rows(&tx)?;
    let Some((first, first_prev, first_hash)) = all.first() else {
        if kept_head(&tx)?.is_none() {
            set_head(&tx, 0, GENESIS)?;
        }
        tx.commit()?;
        return Ok(());
    };
    if first.mac(&tx, first_prev)? == *first_hash || first.plain_hash(first_prev) != *first_hash {
        tx.commit()?;
        return Ok(());
    }
    let (mut old_prev, mut new_prev) = (GENESIS.to_string(), GENESIS.to_string());
    let mut last = None;
    for (row, prev_hash, hash) in &all {
        if *prev_hash != old_prev || row.plain_hash(prev_hash) != *hash {
            break;
        }
        let keyed = row.mac(&tx, &new_prev)?;
        tx.execute(
            "UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            params![new_prev, keyed, row.id],
        )?;
        old_prev = hash.clone();
        new_prev = keyed;
        last = Some(row.id);
    }
    if let Some(id) = last {
        set_head(&tx, id, &new_prev)?;
    }
    tx.commit()?;
    tracing::info!(rows = ?last, "audit chain keyed (SEC-7)");
    Ok(())
}
