//! The accounts the app has seen (CACHE-1): kind, name, whether this device remembers them,
//! when last used; wiping one account's rows (Exit, AUTH-8).

use mymts_proto::Login;
use mymts_proto::wire::AccountKind;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Cache, TABLES};
use crate::domain::Account;
use crate::error::CoreResult;

impl Cache {
    pub fn upsert_account(&self, a: &Account, remembered: bool, now_ms: i64) -> CoreResult<()> {
        self.conn()?.execute(
            "INSERT INTO accounts (account, kind, name, remembered, last_used_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account) DO UPDATE SET kind = ?2, name = ?3, remembered = ?4, last_used_ms = ?5",
            params![a.login, a.kind.as_str(), a.name, remembered, now_ms],
        )?;
        Ok(())
    }

    pub fn touch_account(&self, login: &str, now_ms: i64) -> CoreResult<()> {
        self.conn()?.execute(
            "UPDATE accounts SET last_used_ms = ?2 WHERE account = ?1",
            params![login, now_ms],
        )?;
        Ok(())
    }

    pub fn set_remembered(&self, login: &str, remembered: bool) -> CoreResult<()> {
        self.conn()?.execute(
            "UPDATE accounts SET remembered = ?2 WHERE account = ?1",
            params![login, remembered],
        )?;
        Ok(())
    }

    pub fn account(&self, login: &str) -> CoreResult<Option<(Account, bool)>> {
        let c = self.conn()?;
        let row = c
            .query_row(
                "SELECT account, kind, name, remembered FROM accounts WHERE account = ?1",
                params![login],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                },
            )
            .optional()?;
        // A row the rules refuse (a kind or login no version wrote) is as good as none.
        Ok(row.and_then(|(login, kind, name, rem)| {
            let login = Login::parse(&login).ok()?;
            AccountKind::parse(&kind).map(|kind| (Account { login, kind, name }, rem))
        }))
    }

    /// Accounts with "remember this device" on, most recently used first.
    pub fn remembered_accounts(&self) -> CoreResult<Vec<Account>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT account, kind, name FROM accounts WHERE remembered = 1 ORDER BY last_used_ms DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (login, kind, name) = row?;
            if let (Some(kind), Ok(login)) = (AccountKind::parse(&kind), Login::parse(&login)) {
                out.push(Account { login, kind, name });
            }
        }
        Ok(out)
    }

    /// Deletes everything cached for `login` (AUTH-8 Exit), in one transaction.
    pub fn wipe_account(&self, login: &str) -> CoreResult<()> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for table in TABLES {
            tx.execute(
                &format!("DELETE FROM {table} WHERE account = ?1"),
                params![login],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Rows of every table that belong to `login` (tests of the wipe).
    pub fn rows_of(&self, login: &str) -> CoreResult<i64> {
        let c = self.conn()?;
        let mut n = 0;
        for table in TABLES {
            let k: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE account = ?1"),
                params![login],
                |r| r.get(0),
            )?;
            n += k;
        }
        Ok(n)
    }
}
