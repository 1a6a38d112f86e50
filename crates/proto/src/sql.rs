//! Numbers and logins as SQL values (feature `sql`): written as their text, and read back through
//! their rule, so a row the rule refuses is a damaged database, never an identity.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::{Login, PhoneNumber};

impl ToSql for PhoneNumber {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for PhoneNumber {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Self::parse(v.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl ToSql for Login {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Login {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Self::parse(v.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
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
        db.execute("INSERT INTO t VALUES ('not a number')", [])
            .expect("damage");
        assert!(
            db.query_row::<PhoneNumber, _, _>("SELECT v FROM t WHERE rowid = 3", [], |r| r.get(0))
                .is_err()
        );
        assert!(
            db.query_row::<Login, _, _>("SELECT v FROM t WHERE rowid = 3", [], |r| r.get(0))
                .is_err()
        );
    }
}
