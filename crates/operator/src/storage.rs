//! The operator's two files: its world database and the server key that seals what is secret in
//! it (`<db>.key` beside `<db>`, see `secrets`), as the first start makes them and every start
//! finds them (CACHE-3, the operator's part).
//!
//! The first start writes each file whole or not at all: the key goes to `<key>.new` (mode 0600),
//! is fsynced, renamed over and the folder fsynced; the database is built, migrated and seeded as
//! `<db>.new` with a rollback journal and `synchronous=FULL`, closed, fsynced, renamed, the folder
//! fsynced, and only then opened in WAL mode. So a crash at any instruction (the `first_start.*`
//! crash points) leaves either no file or a whole one, and the next start goes on from there:
//!
//! | key file | database | at start |
//! | --- | --- | --- |
//! | whole | whole | opened |
//! | none | none | first start: key, then database |
//! | whole | none | the database is made with that key |
//! | none, or damaged | none (or empty) | nothing was sealed with it yet: a new key, then the database |
//! | none | holds data | refused (exit code 3): a new key would make its sealed data garbage |
//! | damaged | holds data | refused (exit code 3) |
//! | any | damaged | refused (exit code 3) |
//!
//! A refusal changes no file: it names the file, says what is wrong and what to do. Leftover
//! `.new` files of a crashed first start are removed. One operator runs over one database at a
//! time (the app and the CLI lock their data folder).

use rusqlite::Connection;
use rusqlite::ffi::ErrorCode;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::clock::Clock;
use crate::db::{self, Db, DbError};
use crate::secrets::{KEY_LEN, ServerKey};
use crate::seed;

/// Why the operator's files could not be opened or made.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error(
        "the key file {key} is missing, but the database {db} holds data sealed with it: a new key \
         would leave that data unreadable. Put the key file back, or move the database away to \
         start a new world"
    )]
    KeyMissing { key: PathBuf, db: PathBuf },
    #[error(
        "the key file {path} is damaged ({len} bytes, a key has {KEY_LEN}), and the database \
         {db} cannot be read without it. Restore the key file, or move both away to start a new \
         world"
    )]
    KeyDamaged {
        path: PathBuf,
        db: PathBuf,
        len: u64,
    },
    #[error(
        "the operator database {path} is damaged ({detail}). Restore it, or move it and its key \
         file away to start a new world"
    )]
    DbDamaged { path: PathBuf, detail: String },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the operator database {path}: {source}")]
    Db { path: PathBuf, source: DbError },
    #[error("cannot create the demo data in {path}: {detail}")]
    Seed { path: PathBuf, detail: String },
}

impl FilesError {
    /// The files are damaged or do not belong together: a person must decide what to keep.
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            Self::KeyMissing { .. } | Self::KeyDamaged { .. } | Self::DbDamaged { .. }
        )
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FilesError + '_ {
    move |source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the server key of the database at `db` lives.
pub fn key_path(db: &Path) -> PathBuf {
    db.with_extension("key")
}

/// Opens the database at `db_path` and its key, making them on the first start (see the module
/// doc for every case).
pub fn open(db_path: &Path) -> Result<(Db, ServerKey), FilesError> {
    let dir = folder_of(db_path);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let key_path = key_path(db_path);
    for leftover in [temp_beside(&key_path), temp_beside(db_path)] {
        remove_db_files(&leftover)?;
    }
    let has_data = holds_data(db_path)?;
    let key = match read_key(&key_path)? {
        KeyFile::Whole(key) => key,
        KeyFile::Missing if has_data => {
            return Err(FilesError::KeyMissing {
                key: key_path,
                db: db_path.to_path_buf(),
            });
        }
        KeyFile::Damaged(len) if has_data => {
            return Err(FilesError::KeyDamaged {
                path: key_path,
                db: db_path.to_path_buf(),
                len,
            });
        }
        KeyFile::Missing | KeyFile::Damaged(_) => create_key(&key_path)?,
    };
    if !has_data {
        create_db(db_path, &key)?;
    }
    let db = Db::open(db_path).map_err(|source| damage_or(db_path, source))?;
    Ok((db, key))
}

enum KeyFile {
    Whole(ServerKey),
    Missing,
    Damaged(u64),
}

fn read_key(path: &Path) -> Result<KeyFile, FilesError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(ServerKey::from_bytes(&bytes).map_or_else(
            || KeyFile::Damaged(u64::try_from(bytes.len()).unwrap_or(u64::MAX)),
            KeyFile::Whole,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KeyFile::Missing),
        Err(e) => Err(io(path)(e)),
    }
}

/// A database file that exists and is not empty (in the main file or its WAL) may hold data
/// sealed with the key.
fn holds_data(db: &Path) -> Result<bool, FilesError> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    for p in [db.to_path_buf(), PathBuf::from(wal)] {
        match std::fs::metadata(&p) {
            Ok(m) if m.len() > 0 => return Ok(true),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&p)(e)),
        }
    }
    Ok(false)
}

fn create_key(path: &Path) -> Result<ServerKey, FilesError> {
    let mut bytes = [0u8; KEY_LEN];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let tmp = temp_beside(path);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(io(&tmp))?;
    f.write_all(&bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    crate::crash::crash_point!("first_start.key_temp_written");
    put_in_place(&tmp, path)?;
    crate::crash::crash_point!("first_start.key_written");
    tracing::info!(key = %path.display(), "new server key");
    ServerKey::from_bytes(&bytes).ok_or_else(|| FilesError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other("a new key of the wrong length"),
    })
}

/// Builds the seeded world beside `path` and puts it in place whole.
fn create_db(path: &Path, key: &ServerKey) -> Result<(), FilesError> {
    let tmp = temp_beside(path);
    let sqlite = |source: rusqlite::Error| FilesError::Db {
        path: tmp.clone(),
        source: DbError::Sqlite(source),
    };
    let mut conn = Connection::open(&tmp).map_err(sqlite)?;
    // A rollback journal while it is built: the file alone is the database once it is closed.
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sqlite)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sqlite)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(sqlite)?;
    db::migrations()
        .to_latest(&mut conn)
        .map_err(|source| FilesError::Db {
            path: tmp.clone(),
            source: DbError::Migration(source),
        })?;
    crate::crash::crash_point!("first_start.db_migrated");
    seed::seed_world(&mut conn, Clock::default().now_ms(), key).map_err(|e| FilesError::Seed {
        path: tmp.clone(),
        detail: e.0.message.clone(),
    })?;
    crate::crash::crash_point!("first_start.db_seeded");
    conn.close().map_err(|(_, e)| sqlite(e))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io(&tmp))?;
    put_in_place(&tmp, path)?;
    crate::crash::crash_point!("first_start.db_in_place");
    tracing::info!(db = %path.display(), "new world");
    Ok(())
}

/// A database that SQLite finds is not one, or is corrupt, is damaged; other errors stay as they
/// are (a locked file, a full disk, a newer schema).
fn damage_or(path: &Path, source: DbError) -> FilesError {
    let sqlite = match &source {
        DbError::Sqlite(e)
        | DbError::Migration(rusqlite_migration::Error::RusqliteError { err: e, .. }) => {
            e.sqlite_error_code()
        }
        DbError::Migration(_) => None,
    };
    if matches!(
        sqlite,
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    ) {
        FilesError::DbDamaged {
            path: path.to_path_buf(),
            detail: source.to_string(),
        }
    } else {
        FilesError::Db {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `<path>.new`: where a file is made before it is put in place.
fn temp_beside(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

/// Removes `path` and the journal files SQLite may have left beside it.
fn remove_db_files(path: &Path) -> Result<(), FilesError> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut s = path.as_os_str().to_owned();
        s.push(suffix);
        let p = PathBuf::from(s);
        match std::fs::remove_file(&p) {
            Ok(()) => {
                tracing::info!(file = %p.display(), "removed what a crashed first start left")
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&p)(e)),
        }
    }
    Ok(())
}

/// Renames a whole, fsynced file over `path` and fsyncs the folder, so the new name survives a
/// power cut too.
fn put_in_place(tmp: &Path, path: &Path) -> Result<(), FilesError> {
    std::fs::rename(tmp, path).map_err(io(path))?;
    #[cfg(unix)]
    {
        let dir = folder_of(path);
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&dir))?;
    }
    Ok(())
}
