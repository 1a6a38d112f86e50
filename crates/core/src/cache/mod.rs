//! The local cache (CACHE-1…3): one SQLite file per installation, WAL + synchronous=NORMAL,
//! every table keyed by account. Only what the operator showed the user is kept — never a
//! password, token, code or SMS body.
//!
//! Here: opening, migrating and healing the file (CACHE-3); by what they hold, `accounts` (the
//! accounts seen and remembered), `views` (each screen's last answer) and `calls` (the call
//! detail, filtered and totalled from its indexes).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use serde::Serialize;

use crate::error::{CoreError, CoreResult};

mod accounts;
mod calls;
mod views;

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        r#"
CREATE TABLE accounts (
  account       TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,
  name          TEXT NOT NULL,
  remembered    INTEGER NOT NULL DEFAULT 0,
  last_used_ms  INTEGER NOT NULL
);
CREATE TABLE views (
  account     TEXT NOT NULL,
  view        TEXT NOT NULL,
  json        TEXT NOT NULL,
  fetched_ms  INTEGER NOT NULL,
  PRIMARY KEY (account, view)
) WITHOUT ROWID;
CREATE TABLE calls (
  account     TEXT NOT NULL,
  id          INTEGER NOT NULL,
  at_ms       INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  direction   TEXT NOT NULL,
  party       TEXT NOT NULL,
  duration_s  INTEGER NOT NULL,
  volume_kb   INTEGER NOT NULL,
  cost_kop    INTEGER NOT NULL,
  PRIMARY KEY (account, id)
) WITHOUT ROWID;
CREATE INDEX calls_by_time ON calls (account, at_ms);
CREATE INDEX calls_by_kind_time ON calls (account, kind, at_ms);
CREATE INDEX calls_by_party ON calls (account, party, at_ms, kind, duration_s, volume_kb, cost_kop);
CREATE TABLE calls_sync (
  account     TEXT PRIMARY KEY,
  fetched_ms  INTEGER NOT NULL,
  rows        INTEGER NOT NULL
);
CREATE TABLE settings (
  account  TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (account, key)
) WITHOUT ROWID;
"#,
    ),
    // Call detail clustered by time: the list's pages, deep offsets, searches and month totals
    // walk the table in its own order instead of seeking a row per index entry, and totals by
    // kind come from one covering index (docs/perf.md, cache_reads).
    M::up(
        r#"
CREATE TABLE calls_v2 (
  account     TEXT NOT NULL,
  at_ms       INTEGER NOT NULL,
  id          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  direction   TEXT NOT NULL,
  party       TEXT NOT NULL,
  duration_s  INTEGER NOT NULL,
  volume_kb   INTEGER NOT NULL,
  cost_kop    INTEGER NOT NULL,
  PRIMARY KEY (account, at_ms, id)
) WITHOUT ROWID;
INSERT INTO calls_v2 (account, at_ms, id, kind, direction, party, duration_s, volume_kb, cost_kop)
  SELECT account, at_ms, id, kind, direction, party, duration_s, volume_kb, cost_kop FROM calls;
DROP TABLE calls;
ALTER TABLE calls_v2 RENAME TO calls;
CREATE INDEX calls_by_kind_time ON calls (account, kind, at_ms, duration_s, volume_kb, cost_kop);
CREATE INDEX calls_by_party ON calls (account, party);
"#,
    ),
    // The `settings` table of the first schema was never written or read: the app's settings
    // live in the shell's settings.json. Dropped; an older cache keeps everything else.
    M::up("DROP TABLE settings;"),
];

/// Every table, each keyed by the account's login in its `account` column.
const TABLES: [&str; 4] = ["views", "calls", "calls_sync", "accounts"];

/// The cache's file name inside a data dir.
pub const FILE: &str = "cache.db";

fn sidecar(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

/// Idle read connections kept for the next read; more are opened while reads overlap.
const IDLE_READERS: usize = 2;

/// The cache's connections: one that writes (and answers everything but the call detail), and
/// read-only ones for the call detail, so a filter reads the last committed copy from WAL while a
/// sync's replace holds the writer for most of a second (issue 14).
#[derive(Clone)]
pub struct Cache {
    conn: Arc<Mutex<Connection>>,
    readers: Arc<Readers>,
}

struct Readers {
    /// The file; `None` for an in-memory cache, whose reads go to the writer's connection.
    path: Option<PathBuf>,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

/// A cache file that could not be used and was set aside (CACHE-3). Carries no secret: the
/// cache never held one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Healed {
    /// Where the damaged file now is (`cache.db.damaged-<time>`).
    pub damaged_path: String,
    /// What was wrong with it, in SQLite's words.
    pub reason: String,
}

/// Why a cache file could not be opened: damage (set it aside and build a new one) or anything
/// else (a busy or unwritable file is not damage, and is not touched).
enum OpenError {
    Damaged(String),
    Other(CoreError),
}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::NotADatabase | C::DatabaseCorrupt) => Self::Damaged(e.to_string()),
            _ => Self::Other(CoreError::cache(e)),
        }
    }
}

impl From<rusqlite_migration::Error> for OpenError {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => err.into(),
            // A schema this build cannot read (from a newer build, or rewritten by something
            // else): a cache is rebuilt from the operator, so it counts as damage.
            other => Self::Damaged(other.to_string()),
        }
    }
}

impl Cache {
    /// Opens (creating and migrating) the cache file.
    pub fn open(path: &Path) -> CoreResult<Self> {
        Self::try_open(path, false).map_err(|e| match e {
            OpenError::Damaged(m) => CoreError::Cache(m),
            OpenError::Other(e) => e,
        })
    }

    /// Opens the cache file like [`Cache::open`], healing it (CACHE-3): a file that is not a
    /// database, is corrupt, or (with `check`) fails `PRAGMA quick_check` is renamed aside to
    /// `cache.db.damaged-<time>` (with its WAL), and a new empty cache is made in its place. A
    /// file that is merely busy or unwritable is left alone and the error returned.
    pub fn open_healing(
        path: &Path,
        now_ms: i64,
        check: bool,
    ) -> CoreResult<(Self, Option<Healed>)> {
        let reason = match Self::try_open(path, check) {
            Ok(c) => return Ok((c, None)),
            Err(OpenError::Other(e)) => return Err(e),
            Err(OpenError::Damaged(reason)) => reason,
        };
        let stamp = jiff::Timestamp::from_millisecond(now_ms)
            .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_else(|_| now_ms.to_string());
        let mut aside = path.with_file_name(format!("{FILE}.damaged-{stamp}"));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = path.with_file_name(format!("{FILE}.damaged-{stamp}-{n}"));
        }
        let io = |e: std::io::Error| CoreError::Io(format!("setting the damaged cache aside: {e}"));
        std::fs::rename(path, &aside).map_err(io)?;
        for (suffix, keep) in [("-wal", true), ("-shm", false), ("-journal", true)] {
            let side = sidecar(path, suffix);
            if side.exists() {
                if keep {
                    std::fs::rename(&side, sidecar(&aside, suffix)).map_err(io)?;
                } else {
                    std::fs::remove_file(&side).map_err(io)?;
                }
            }
        }
        tracing::warn!(%reason, aside = %aside.display(), "the cache was damaged: set aside, a new one is built");
        let cache = Self::open(path)?;
        Ok((
            cache,
            Some(Healed {
                damaged_path: aside.display().to_string(),
                reason,
            }),
        ))
    }

    fn try_open(path: &Path, check: bool) -> Result<Self, OpenError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| OpenError::Other(CoreError::Io(e.to_string())))?;
        }
        let conn = Connection::open(path)?;
        let cache = Self::init_raw(conn, Some(path))?;
        if check {
            let r: String = cache.conn().map_err(OpenError::Other)?.query_row(
                "PRAGMA quick_check",
                [],
                |r| r.get(0),
            )?;
            if r != "ok" {
                return Err(OpenError::Damaged(format!("quick_check: {r}")));
            }
        }
        Ok(cache)
    }

    pub fn open_in_memory() -> CoreResult<Self> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(conn: Connection, file: Option<&Path>) -> CoreResult<Self> {
        Self::init_raw(conn, file).map_err(|e| match e {
            OpenError::Damaged(m) => CoreError::Cache(m),
            OpenError::Other(e) => e,
        })
    }

    fn init_raw(mut conn: Connection, file: Option<&Path>) -> Result<Self, OpenError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if file.is_some() {
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(OpenError::Other(CoreError::Cache(format!(
                    "journal mode {mode}, not WAL"
                ))));
            }
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Readers {
                path: file.map(Path::to_path_buf),
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Runs `f` on a read-only connection of its own, inside one read transaction: everything
    /// `f` reads comes from one committed state, and it never waits for the writer (WAL).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> CoreResult<T>) -> CoreResult<T> {
        let Some(path) = &self.readers.path else {
            let c = self.conn()?;
            return Self::in_read_tx(&c, f);
        };
        let idle = self
            .readers
            .idle
            .lock()
            .map_err(|_| CoreError::Cache("cache lock poisoned".into()))?
            .pop();
        let c = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                c
            }
        };
        let out = Self::in_read_tx(&c, f);
        if c.is_autocommit()
            && let Ok(mut idle) = self.readers.idle.lock()
            && idle.len() < IDLE_READERS
        {
            idle.push(c);
        }
        out
    }

    fn in_read_tx<T>(
        c: &Connection,
        f: impl FnOnce(&Connection) -> CoreResult<T>,
    ) -> CoreResult<T> {
        c.execute_batch("BEGIN DEFERRED")?;
        let out = f(c);
        // A read transaction has nothing to keep: ending it can only release the snapshot.
        c.execute_batch("COMMIT")?;
        out
    }

    fn conn(&self) -> CoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| CoreError::Cache("cache lock poisoned".into()))
    }

    /// `PRAGMA quick_check` — for the crash tests and a start-up self-check.
    pub fn check(&self) -> CoreResult<()> {
        let c = self.conn()?;
        let r: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if r == "ok" {
            Ok(())
        } else {
            Err(CoreError::Cache(r))
        }
    }

    /// Every text column of every table, for tests that prove no secret is stored.
    pub fn all_text(&self) -> CoreResult<String> {
        let c = self.conn()?;
        let mut out = String::new();
        for (table, cols) in [
            ("accounts", "account || ' ' || kind || ' ' || name"),
            ("views", "account || ' ' || view || ' ' || json"),
        ] {
            let mut st = c.prepare(&format!("SELECT {cols} FROM {table}"))?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            for r in rows {
                out.push_str(&r?);
                out.push('\n');
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use mymts_proto::wire::{CallRecord, Direction, RecordKind};
    use rusqlite::params_from_iter;

    use super::calls::{page_sql, totals_sql};
    use super::*;
    use crate::domain::CallFilter;

    fn rec(i: i64) -> CallRecord {
        let kind = match i % 3 {
            0 => RecordKind::Call,
            1 => RecordKind::Sms,
            _ => RecordKind::Data,
        };
        CallRecord {
            id: i,
            at_ms: 1_700_000_000_000 + i * 60_000,
            kind,
            direction: if i % 2 == 0 {
                Direction::Outgoing
            } else {
                Direction::Incoming
            },
            party: format!("+7916{:07}", i % 5000),
            duration_s: if kind == RecordKind::Call { 60 } else { 0 },
            volume_kb: if kind == RecordKind::Data { 1024 } else { 0 },
            cost_kop: 150,
        }
    }

    /// CACHE-3: a cache that still opens but whose pages are damaged (one page of the call
    /// detail overwritten) is found by `PRAGMA quick_check` at start and set aside like one
    /// that does not open at all.
    #[test]
    fn cache3_a_cache_that_opens_but_fails_quick_check_is_set_aside() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(FILE);
        {
            let cache = Cache::open(&path).expect("open");
            let rows: Vec<CallRecord> = (0..5_000).map(rec).collect();
            cache
                .replace_calls("+79161234571", &rows, 1)
                .expect("replace");
        }
        assert!(!sidecar(&path, "-wal").exists(), "checkpointed on close");
        let mut bytes = std::fs::read(&path).expect("read");
        let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
        let pages = bytes.len() / page;
        assert!(pages > 10, "{pages} pages");
        // A page in the middle of the call detail: not the schema, which opening reads.
        let at = (pages / 2) * page;
        bytes[at..at + page].fill(0x55);
        std::fs::write(&path, &bytes).expect("damage one page");

        let plain = Cache::open(&path).expect("it still opens");
        drop(plain);
        let (cache, healed) = Cache::open_healing(&path, 1_700_000_000_000, true).expect("healed");
        let healed = healed.expect("the damage was found");
        assert!(healed.reason.contains("quick_check"), "{healed:?}");
        assert_eq!(
            std::fs::read(&healed.damaged_path).expect("set aside"),
            bytes
        );
        cache.check().expect("the new cache is sound");
        let (_, again) = Cache::open_healing(&path, 1_700_000_000_000, true).expect("open");
        assert!(again.is_none(), "a sound cache is kept");
    }

    #[test]
    fn cache3_hundred_thousand_rows_filter_search_totals_from_indexes() {
        let dir = tempfile::tempdir().expect("tmp");
        let cache = Cache::open(&dir.path().join("cache.db")).expect("open");
        let rows: Vec<CallRecord> = (0..100_000).map(rec).collect();
        cache
            .replace_calls("+79161234571", &rows, 1)
            .expect("replace");

        let all = cache
            .call_totals("+79161234571", &CallFilter::default())
            .expect("totals");
        assert_eq!(all.all.count, 100_000);
        assert_eq!(all.call.count + all.sms.count + all.data.count, 100_000);
        let f = CallFilter {
            from_ms: Some(1_700_000_000_000 + 10_000 * 60_000),
            to_ms: Some(1_700_000_000_000 + 20_000 * 60_000),
            kind: Some(RecordKind::Call),
            search: None,
        };
        let page = cache.query_calls("+79161234571", &f, 100, 0).expect("q");
        assert_eq!(page.len(), 100);
        assert!(page.iter().all(|r| r.kind == RecordKind::Call));
        assert!(page.windows(2).all(|w| w[0].at_ms >= w[1].at_ms));
        let ft = cache.call_totals("+79161234571", &f).expect("t");
        assert_eq!(ft.all.count, ft.call.count);
        assert_eq!(ft.call.count, 3333);
        let s = CallFilter {
            search: Some("0001234".into()),
            ..CallFilter::default()
        };
        let found = cache.query_calls("+79161234571", &s, 1000, 0).expect("s");
        assert_eq!(found.len(), 20);
        assert!(found.iter().all(|r| r.party.contains("0001234")));
        // Another account sees nothing of it.
        assert_eq!(
            cache
                .call_totals("+79161234567", &CallFilter::default())
                .expect("t")
                .all
                .count,
            0
        );
        cache.wipe_account("+79161234571").expect("wipe");
        assert_eq!(cache.rows_of("+79161234571").expect("rows"), 0);
    }

    /// Issue 14: while a sync's replace holds the writer (old rows deleted, new ones written, not
    /// committed), the call-detail screen reads the last committed copy on a connection of its
    /// own: the old page and totals, without waiting for the writer.
    #[test]
    fn cache3_a_filter_during_a_replace_reads_the_old_copy_without_waiting() {
        let dir = tempfile::tempdir().expect("tmp");
        let cache = Cache::open(&dir.path().join(FILE)).expect("open");
        let me = "+79161234571";
        let old: Vec<CallRecord> = (0..3_000).map(rec).collect();
        cache.replace_calls(me, &old, 1).expect("first sync");

        let mut w = cache.conn().expect("writer");
        let tx = w
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .expect("write tx");
        tx.execute("DELETE FROM calls WHERE account = ?1", [me])
            .expect("delete");
        tx.execute(
            "INSERT INTO calls VALUES (?1, 1, 999999, 'sms', 'incoming', '+79990000000', 0, 0, 1)",
            [me],
        )
        .expect("a new row");
        tx.execute("UPDATE calls_sync SET fetched_ms = 2, rows = 1", [])
            .expect("sync row");

        let (send, recv) = std::sync::mpsc::channel();
        let reader = cache.clone();
        std::thread::spawn(move || {
            let f = CallFilter {
                kind: Some(RecordKind::Call),
                ..CallFilter::default()
            };
            send.send(reader.calls_view(me, &f, 10, 0)).ok();
        });
        // Not a speed bar: a read queued behind the writer never answers while it is held.
        let view = recv
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the read waited for the writer")
            .expect("read")
            .expect("synced");
        let (fetched_ms, page, totals) = view;
        assert_eq!(fetched_ms, 1, "the committed sync");
        assert_eq!(totals.all.count, 1_000, "the old copy's calls");
        assert_eq!(page.len(), 10);
        assert!(
            page.iter()
                .all(|r| r.kind == RecordKind::Call && r.id < 3_000)
        );
        assert_eq!(page[0].id, 2_997, "the newest call first");

        tx.commit().expect("commit");
        drop(w);
        let (fetched_ms, page, totals) = cache
            .calls_view(me, &CallFilter::default(), 10, 0)
            .expect("read")
            .expect("synced");
        assert_eq!(
            (fetched_ms, totals.all.count),
            (2, 1),
            "the new copy once committed"
        );
        assert_eq!(page[0].id, 999_999);
    }

    /// A search's page and totals, read in one pass, are what the page and totals queries answer
    /// apart: at the start, at an offset, past the end, with a kind and a period, matching all.
    #[test]
    fn cache3_a_search_read_in_one_pass_answers_as_page_and_totals_apart() {
        let cache = Cache::open_in_memory().expect("cache");
        let me = "+79161234571";
        let rows: Vec<CallRecord> = (0..20_000).map(rec).collect();
        cache.replace_calls(me, &rows, 1).expect("replace");
        cache
            .replace_calls("+79161234572", &rows[..500], 1)
            .expect("a neighbour");
        let search = |s: &str| CallFilter {
            search: Some(s.into()),
            ..CallFilter::default()
        };
        let cases = [
            (search("0001"), 100, 0),
            (search("+7 916 000-12"), 7, 3),
            (search("0001"), 100, 19_000),
            (search("7916"), 200, 50),
            (
                CallFilter {
                    kind: Some(RecordKind::Data),
                    from_ms: Some(1_700_000_000_000 + 2_000 * 60_000),
                    to_ms: Some(1_700_000_000_000 + 9_000 * 60_000),
                    search: Some("00012".into()),
                },
                10,
                2,
            ),
        ];
        for (f, limit, offset) in cases {
            let (_, page, totals) = cache
                .calls_view(me, &f, limit, offset)
                .expect("view")
                .expect("synced");
            assert_eq!(
                page,
                cache.query_calls(me, &f, limit, offset).expect("page"),
                "{f:?} {limit} {offset}"
            );
            assert_eq!(totals, cache.call_totals(me, &f).expect("totals"), "{f:?}");
        }
    }

    /// SQLite's plan for one of the cache's own statements, one line per step.
    fn plan(cache: &Cache, sql: &str, f: &CallFilter) -> String {
        let (_, mut args) = Cache::where_clause("+79161234571", f);
        if sql.contains("LIMIT") {
            args.push(rusqlite::types::Value::Integer(100));
            args.push(rusqlite::types::Value::Integer(0));
        }
        let c = cache.conn().expect("conn");
        let mut st = c
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let rows = st
            .query_map(params_from_iter(args), |r| r.get::<_, String>(3))
            .expect("plan");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn cache3_filters_periods_and_totals_are_answered_from_indexes_without_sorting() {
        let cache = Cache::open_in_memory().expect("cache");
        let period = CallFilter {
            from_ms: Some(1),
            to_ms: Some(2),
            ..CallFilter::default()
        };
        let kind_period = CallFilter {
            kind: Some(RecordKind::Call),
            ..period.clone()
        };
        let search = CallFilter {
            search: Some("1234".into()),
            ..CallFilter::default()
        };
        let w = |f: &CallFilter| Cache::where_clause("+79161234571", f).0;
        for f in [&CallFilter::default(), &period, &kind_period, &search] {
            let p = plan(&cache, &page_sql(&w(f)), f);
            assert!(!p.contains("TEMP B-TREE"), "a page is read in order: {p}");
            assert!(
                p.contains("USING PRIMARY KEY") || p.contains("USING INDEX"),
                "a page comes from an index: {p}"
            );
        }
        for f in [&period, &kind_period] {
            let p = plan(&cache, &page_sql(&w(f)), f);
            assert!(p.contains("at_ms>?") && p.contains("at_ms<?"), "{p}");
        }
        let p = plan(&cache, &totals_sql(&w(&search), true), &search);
        assert!(
            !p.contains("calls_by_kind_time"),
            "a search's totals read the table once: {p}"
        );
        for f in [&CallFilter::default(), &kind_period] {
            let p = plan(&cache, &totals_sql(&w(f), false), f);
            assert!(
                p.contains("COVERING INDEX calls_by_kind_time"),
                "totals never touch the table: {p}"
            );
            assert!(!p.contains("TEMP B-TREE"), "totals need no sort: {p}");
        }
    }

    #[test]
    fn cache3_call_detail_of_an_older_cache_survives_the_migration() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("old.db");
        {
            let mut c = Connection::open(&path).expect("open");
            Migrations::from_slice(&MIGRATIONS[..1])
                .to_latest(&mut c)
                .expect("first schema");
            c.execute(
                "INSERT INTO calls VALUES ('+79161234571', 7, 1000, 'call', 'outgoing', '+79160001234', 60, 0, 150)",
                [],
            )
            .expect("row");
        }
        let cache = Cache::open(&path).expect("migrate");
        let rows = cache
            .query_calls("+79161234571", &CallFilter::default(), 10, 0)
            .expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].id, rows[0].at_ms, rows[0].cost_kop),
            (7, 1000, 150)
        );
        cache.check().expect("intact");
    }

    /// CACHE-1: a cache of the schema before the unused `settings` table was dropped (with a row
    /// in it) opens: the table is gone, the account, its views and its call detail are kept.
    #[test]
    fn cache1_an_older_cache_with_the_settings_table_opens_and_keeps_its_views() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(FILE);
        {
            let mut c = Connection::open(&path).expect("open");
            Migrations::from_slice(&MIGRATIONS[..2])
                .to_latest(&mut c)
                .expect("the schema with `settings`");
            c.execute_batch(
                "INSERT INTO settings VALUES ('', 'theme', 'dark');
                 INSERT INTO accounts VALUES ('+79161234571', 'mobile', 'Anna', 1, 5);
                 INSERT INTO views VALUES ('+79161234571', 'overview', '42', 5);
                 INSERT INTO calls VALUES ('+79161234571', 1000, 7, 'call', 'outgoing', '+79160001234', 60, 0, 150);",
            )
            .expect("rows");
        }
        let cache = Cache::open(&path).expect("an older cache opens");
        let tables: i64 = cache
            .conn()
            .expect("conn")
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
                [],
                |r| r.get(0),
            )
            .expect("schema");
        assert_eq!(tables, 0, "the settings table is dropped");
        assert_eq!(
            cache.view::<i64>("+79161234571", "overview").expect("view"),
            Some((42, 5))
        );
        assert_eq!(cache.remembered_accounts().expect("accounts").len(), 1);
        assert_eq!(cache.rows_of("+79161234571").expect("rows"), 3);
        cache.check().expect("intact");
    }

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS)
            .validate()
            .expect("migrations");
    }

    #[test]
    fn cache1_views_round_trip_per_account_and_wal() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("c.db");
        let cache = Cache::open(&path).expect("open");
        cache.put_view("a", "balance", &42_i64, 5).expect("put");
        cache.put_view("b", "balance", &7_i64, 6).expect("put");
        assert_eq!(cache.view::<i64>("a", "balance").expect("v"), Some((42, 5)));
        drop(cache);
        let cache = Cache::open(&path).expect("reopen");
        assert_eq!(cache.view::<i64>("b", "balance").expect("v"), Some((7, 6)));
        let mode: String = cache
            .conn()
            .expect("c")
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        cache.check().expect("ok");
    }
}
