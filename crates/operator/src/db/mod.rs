//! SQLite through rusqlite: WAL, migrations, and one place that runs blocking work.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(include_str!("../../migrations/001_init.sql"))])
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migrations: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

/// The operator's database: one connection, serialised. SQLite has one writer anyway, and every
/// request's work is short, so a pool would only add lock contention.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let mut conn = Connection::open(path)?;
        Self::configure(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub fn open_in_memory() -> Result<Self, DbError> {
        let mut conn = Connection::open_in_memory()?;
        Self::configure(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn configure(conn: &mut Connection) -> Result<(), DbError> {
        // WAL + NORMAL: consistent after any crash (kill -9); only power loss can drop a commit.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(conn)?;
        Ok(())
    }

    /// Runs `f` in one IMMEDIATE transaction on a blocking thread; commits when it returns Ok.
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| ApiError::internal("database lock poisoned"))?;
            let tx = guard.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| ApiError::internal(format!("database task: {e}")))?
    }

    /// Synchronous access for start-up work (seeding, migrations checks).
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> Result<T, ApiError> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| ApiError::internal("database lock poisoned"))?;
        Ok(f(&mut guard))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
