//! SQLite through rusqlite: WAL, migrations, and one place that runs blocking work.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::ApiError;

pub mod accounts;

pub(crate) fn migrations() -> Migrations<'static> {
    // Append-only: a world kept in a file (--db, the app's embedded operator) migrates forward.
    Migrations::new(vec![
        M::up(include_str!("../../migrations/001_init.sql")),
        M::up(include_str!("../../migrations/002_ids_never_reused.sql")),
        M::up(include_str!(
            "../../migrations/003_rotation_by_successor_use.sql"
        )),
        M::up(include_str!("../../migrations/004_guesses_counted.sql")),
        M::up(include_str!("../../migrations/005_audit_keyed_once.sql")),
        M::up(include_str!("../../migrations/006_guess_challenges.sql")),
        M::up(include_str!("../../migrations/007_counters_kept.sql")),
    ])
}

/// The first schema version without the sealed copy of a live token pair on replaced refresh
/// tokens (AUTH-6). A file migrated past it is vacuumed once, so no free page keeps one.
const NO_SEALED_PAIRS: usize = 3;

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
        let before = usize::from(migrations().current_version(conn)?);
        migrations().to_latest(conn)?;
        if (1..NO_SEALED_PAIRS).contains(&before) {
            // The dropped column's bytes may still sit in free pages and in the WAL: rebuild
            // the file and empty the WAL, so the database keeps digests of tokens and nothing
            // more (AUTH-6). Once per file; a crash here leaves a consistent database.
            conn.execute_batch("VACUUM")?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            tracing::info!("sealed token pairs of the old rotation scheme wiped");
        }
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
            // A panic in another request's work poisons the lock, but its transaction was
            // rolled back as it unwound: the connection is sound, so serve on.
            let mut guard = conn.lock().unwrap_or_else(PoisonError::into_inner);
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
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(f(&mut guard))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    #[test]
    fn a_world_from_the_first_schema_keeps_its_messages_and_then_never_reuses_an_id() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("world.db");
        {
            let mut c = Connection::open(&path).expect("open");
            Migrations::new(vec![M::up(include_str!("../../migrations/001_init.sql"))])
                .to_latest(&mut c)
                .expect("first schema");
            c.execute_batch(
                "INSERT INTO sms (id, recipient, sender, body, created_ms, deliver_after)
                   VALUES (1, '+79161234567', '3339', x'00', 0, 0),
                          (2, '+79161234567', '3339', x'00', 0, 0);",
            )
            .expect("messages");
        }
        let db = Db::open(&path).expect("migrated");
        let ids = db
            .with_conn(|c| {
                c.execute_batch(
                    "DELETE FROM sms WHERE id = 2;
                     INSERT INTO sms (recipient, sender, body, created_ms, deliver_after)
                       VALUES ('+79161234567', '111', x'00', 0, 0);",
                )?;
                let mut st = c.prepare("SELECT id FROM sms ORDER BY id")?;
                let ids = st
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok::<_, rusqlite::Error>(ids)
            })
            .expect("conn")
            .expect("ids");
        assert_eq!(
            ids,
            vec![1, 3],
            "the old messages kept; the deleted id not handed out again"
        );
    }

    #[test]
    fn auth6_a_world_from_the_grace_scheme_keeps_no_sealed_pair_and_links_successors() {
        // The grace scheme kept the live pair, sealed, on the replaced row. After the migration
        // no byte of it is left in the database file or its WAL, and each replaced token names
        // its successor by digest, so a client that crashed before the upgrade still signs in.
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("world.db");
        let sealed = b"SEALED-LIVE-PAIR-".repeat(64);
        {
            let mut c = Connection::open(&path).expect("open");
            c.pragma_update(None, "journal_mode", "WAL").expect("wal");
            Migrations::new(vec![
                M::up(include_str!("../../migrations/001_init.sql")),
                M::up(include_str!("../../migrations/002_ids_never_reused.sql")),
            ])
            .to_latest(&mut c)
            .expect("the grace scheme");
            c.execute_batch(
                "INSERT INTO accounts (id, kind, login, name, created_ms)
                   VALUES (1, 'mobile', '+79161234567', 'Anna', 0);
                 INSERT INTO sessions (id, account_id, method, device_name, device_platform,
                                       created_ms, last_seen_ms)
                   VALUES ('s1', 1, 'password', 'test', 'test', 0, 0);
                 INSERT INTO refresh_tokens (hash, session_id, created_ms, replaced_ms)
                   VALUES ('r0', 's1', 0, 100);
                 INSERT INTO refresh_tokens (hash, session_id, created_ms) VALUES ('r1', 's1', 100);",
            )
            .expect("rows");
            c.execute(
                "UPDATE refresh_tokens SET successor = ?1 WHERE hash = 'r0'",
                rusqlite::params![sealed],
            )
            .expect("sealed pair");
        }
        let db = Db::open(&path).expect("migrated");
        let linked: Option<String> = db
            .with_conn(|c| {
                c.query_row(
                    "SELECT successor_hash FROM refresh_tokens WHERE hash = 'r0'",
                    [],
                    |r| r.get(0),
                )
            })
            .expect("conn")
            .expect("row");
        assert_eq!(linked.as_deref(), Some("r1"));
        for name in ["world.db", "world.db-wal"] {
            let bytes = std::fs::read(dir.path().join(name)).unwrap_or_default();
            assert!(
                !bytes.windows(17).any(|w| w == b"SEALED-LIVE-PAIR-"),
                "{name} still holds a sealed pair"
            );
        }
    }
}
