//! The `accounts` table: one typed row ([`Account`]) and every query that reads or writes it.
//!
//! Handlers never read or write an account themselves: they call these, inside the transaction
//! they hold. The password counter's statements (AUTH-3, SEC-2) are here too, word for word as
//! the guess rules in `ops/auth/guesses.rs` use them. A query of another table that joins
//! `accounts` stays with the feature that owns it (the session lookup, the link lists, the SMS
//! centre's held messages, the seed's monthly fees); [`kind_at`] and [`reference_at`] read the
//! account's columns there.

use mymts_proto::Login;
use mymts_proto::wire::{AccountKind, AccountRef};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::error::ApiResult;

/// A subscriber's account, as the `accounts` table holds it (password counter aside).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub kind: AccountKind,
    pub login: Login,
    pub name: String,
    pub password_hash: Option<String>,
    pub balance_kop: i64,
    pub tariff_id: Option<String>,
    pub blocked: bool,
    pub recovery_email: Option<String>,
    pub agreement_version: i64,
}

impl Account {
    /// How the account is named on the wire.
    pub fn reference(&self) -> AccountRef {
        AccountRef {
            login: self.login.clone(),
            kind: self.kind,
            name: self.name.clone(),
        }
    }

    pub fn is_mobile(&self) -> bool {
        self.kind == AccountKind::Mobile
    }
}

const COLUMNS: &str = "id, kind, login, name, password_hash, balance_kop, tariff_id, blocked,
                       recovery_email, agreement_version";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        kind: kind_at(r, 1)?,
        login: r.get(2)?,
        name: r.get(3)?,
        password_hash: r.get(4)?,
        balance_kop: r.get(5)?,
        tariff_id: r.get(6)?,
        blocked: r.get(7)?,
        recovery_email: r.get(8)?,
        agreement_version: r.get(9)?,
    })
}

/// The account kind in column `i` of a row (the schema allows only the four kinds).
pub fn kind_at(r: &Row<'_>, i: usize) -> rusqlite::Result<AccountKind> {
    Ok(AccountKind::parse(&r.get::<_, String>(i)?).unwrap_or(AccountKind::Mobile))
}

/// `(login, kind, name)` in columns `i`, `i + 1`, `i + 2` of a row, as the wire names an account.
pub fn reference_at(r: &Row<'_>, i: usize) -> rusqlite::Result<AccountRef> {
    Ok(AccountRef {
        login: r.get(i)?,
        kind: kind_at(r, i + 1)?,
        name: r.get(i + 2)?,
    })
}

pub fn by_id(tx: &Transaction<'_>, id: i64) -> ApiResult<Option<Account>> {
    Ok(tx
        .query_row(
            &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
            params![id],
            from_row,
        )
        .optional()?)
}

pub fn by_login(tx: &Transaction<'_>, login: &str) -> ApiResult<Option<Account>> {
    Ok(tx
        .query_row(
            &format!("SELECT {COLUMNS} FROM accounts WHERE login = ?1"),
            params![login],
            from_row,
        )
        .optional()?)
}

/// The mobile account of a number: `None` when nobody has it or it is not a mobile's login.
pub fn mobile(tx: &Transaction<'_>, number: &str) -> ApiResult<Option<Account>> {
    Ok(by_login(tx, number)?.filter(Account::is_mobile))
}

/// Whether the database holds no account at all (a world not yet seeded).
pub fn none_yet(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM accounts)", [], |r| {
        r.get(0)
    })
}

/// An account to create (the demo world).
pub struct NewAccount<'a> {
    pub kind: AccountKind,
    pub login: &'a str,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub balance_kop: i64,
    pub tariff_id: Option<&'a str>,
    pub blocked: bool,
    pub recovery_email: Option<&'a str>,
    pub created_ms: i64,
}

/// Creates an account, agreement not yet accepted; returns its id.
pub fn insert(tx: &Transaction<'_>, a: &NewAccount<'_>) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO accounts (kind, login, name, password_hash, balance_kop, tariff_id, blocked,
                               recovery_email, agreement_version, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
        params![
            a.kind.as_str(),
            a.login,
            a.name,
            a.password_hash,
            a.balance_kop,
            a.tariff_id,
            a.blocked,
            a.recovery_email,
            a.created_ms
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

// ---- money (ACC-4, ACC-10) ----

pub fn balance(tx: &Transaction<'_>, id: i64) -> ApiResult<i64> {
    Ok(tx.query_row(
        "SELECT balance_kop FROM accounts WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )?)
}

pub fn debit(tx: &Transaction<'_>, id: i64, amount_kop: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET balance_kop = balance_kop - ?1 WHERE id = ?2",
        params![amount_kop, id],
    )?;
    Ok(())
}

/// Adds to the balance; returns the new balance.
pub fn credit(tx: &Transaction<'_>, id: i64, amount_kop: i64) -> ApiResult<i64> {
    Ok(tx.query_row(
        "UPDATE accounts SET balance_kop = balance_kop + ?1 WHERE id = ?2 RETURNING balance_kop",
        params![amount_kop, id],
        |r| r.get(0),
    )?)
}

// ---- what the subscriber changes ----

pub fn set_tariff(tx: &Transaction<'_>, id: i64, tariff_id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET tariff_id = ?1 WHERE id = ?2",
        params![tariff_id, id],
    )?;
    Ok(())
}

/// Blocks or unblocks the number; `false` when it already was so.
pub fn set_blocked(tx: &Transaction<'_>, id: i64, blocked: bool) -> ApiResult<bool> {
    Ok(tx.execute(
        "UPDATE accounts SET blocked = ?1 WHERE id = ?2 AND blocked != ?1",
        params![blocked, id],
    )? > 0)
}

pub fn recovery_email(tx: &Transaction<'_>, id: i64) -> ApiResult<Option<String>> {
    Ok(tx.query_row(
        "SELECT recovery_email FROM accounts WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )?)
}

pub fn set_recovery_email(tx: &Transaction<'_>, id: i64, email: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET recovery_email = ?1 WHERE id = ?2",
        params![email, id],
    )?;
    Ok(())
}

pub fn accept_agreement(tx: &Transaction<'_>, id: i64, version: u32) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET agreement_version = ?1 WHERE id = ?2",
        params![version, id],
    )?;
    Ok(())
}

// ---- the password and its counter (AUTH-3, SEC-2) ----

pub fn has_password(tx: &Transaction<'_>, id: i64) -> ApiResult<bool> {
    Ok(tx.query_row(
        "SELECT password_hash IS NOT NULL FROM accounts WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )?)
}

/// The account's password hash and when session `session_id` of it began (SEC-4).
pub fn password_and_session_start(
    tx: &Transaction<'_>,
    id: i64,
    session_id: &str,
) -> ApiResult<(Option<String>, i64)> {
    Ok(tx.query_row(
        "SELECT a.password_hash, s.created_ms FROM accounts a JOIN sessions s ON s.account_id = a.id
         WHERE a.id = ?1 AND s.id = ?2",
        params![id, session_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// A new password, which also clears the counter and its lock (a change or a recovery).
pub fn set_password(tx: &Transaction<'_>, id: i64, hash: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET password_hash = ?1, pw_failures = 0, pw_locked = 0 WHERE id = ?2",
        params![hash, id],
    )?;
    Ok(())
}

/// The password the 111 command asked for, made permanent by its one-time password's login
/// (which has cleared the counter already).
pub fn set_password_hash(tx: &Transaction<'_>, id: i64, hash: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET password_hash = ?1 WHERE id = ?2",
        params![hash, id],
    )?;
    Ok(())
}

/// Takes one try of the password counter; `false` when it is locked or has none left.
pub fn take_password_try(tx: &Transaction<'_>, id: i64, limit: i64) -> ApiResult<bool> {
    Ok(tx.execute(
        "UPDATE accounts SET pw_failures = pw_failures + 1
         WHERE id = ?1 AND pw_locked = 0 AND pw_failures < ?2",
        params![id, limit],
    )? == 1)
}

/// Clears the password counter and its lock.
pub fn clear_password_failures(tx: &Transaction<'_>, id: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET pw_failures = 0, pw_locked = 0 WHERE id = ?1",
        params![id],
    )?;
    Ok(())
}

pub fn password_failures(tx: &Transaction<'_>, id: i64) -> ApiResult<i64> {
    Ok(tx.query_row(
        "SELECT pw_failures FROM accounts WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )?)
}

pub fn lock_password(tx: &Transaction<'_>, id: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE accounts SET pw_locked = 1 WHERE id = ?1",
        params![id],
    )?;
    Ok(())
}
