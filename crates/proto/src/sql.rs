//! Numbers and logins as SQL values (feature `sql`): written as their text, and read back only as
//! exactly what the rule writes (a number by its shape), so a row this code did not write is a
//! damaged database, never an identity, and no row is silently rewritten into another key.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::{Login, PhoneNumber};

impl ToSql for PhoneNumber {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

/// A stored value that is not what the rule writes.
#[derive(Debug, thiserror::Error)]
#[error("the stored value {0:?} is not a number or login as this app writes them")]
pub struct NotCanonical(String);

fn refuse(s: &str) -> FromSqlError {
    // The value itself may be a login: only its length goes into the error.
    FromSqlError::Other(Box::new(NotCanonical(format!(
        "{} characters",
        s.chars().count()
    ))))
}

impl FromSql for PhoneNumber {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        Self::from_canonical(s).ok_or_else(|| refuse(s))
    }
}

impl ToSql for Login {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Login {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        Self::from_canonical(s).ok_or_else(|| refuse(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_and_a_login_go_in_as_text_and_come_back_through_the_rule() {
        let db = rusqlite::Connection::open_in_memory().expect("db");
        db.execute_batch("CREATE TABLE t (v TEXT)").expect("table");
        let p = PhoneNumber::parse("8 916 123 45 67").expect("phone");
        let l = Login::parse("bank-ivanov").expect("login");
        db.execute("INSERT INTO t VALUES (?1), (?2)", rusqlite::params![p, l])
            .expect("insert");
        let text: Vec<String> = db
            .prepare("SELECT v FROM t ORDER BY rowid")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("read");
        assert_eq!(text, ["+79161234567", "bank-ivanov"]);
        let back: PhoneNumber = db
            .query_row("SELECT v FROM t WHERE rowid = 1", [], |r| r.get(0))
            .expect("phone back");
        assert_eq!(back, p);
        // Not what the rule writes: damage, and a number the rule would rewrite (never read as
        // another key).
        db.execute(
            "INSERT INTO t VALUES ('not a number'), ('89161234567'), (' 7700123456')",
            [],
        )
        .expect("damage");
        assert!(
            db.query_row::<PhoneNumber, _, _>("SELECT v FROM t WHERE rowid = 3", [], |r| r.get(0))
                .is_err()
        );
        for row in 3..=5 {
            assert!(
                db.query_row::<Login, _, _>("SELECT v FROM t WHERE rowid = ?1", [row], |r| r
                    .get(0))
                    .is_err(),
                "row {row}"
            );
        }
        let bank: Login = db
            .query_row("SELECT v FROM t WHERE rowid = 2", [], |r| r.get(0))
            .expect("bank back");
        assert_eq!(bank, l);
    }
}
