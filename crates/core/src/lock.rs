//! One process per data dir (AUTH-6, issue 12): two copies on one cache, keyring entries and
//! embedded operator would each rotate the other's refresh tokens away. An advisory lock on
//! `<data dir>/mymts.lock` (the OS's `flock`/`LockFileEx` through `std::fs::File::try_lock`),
//! released by the OS when the process ends, however it ends — a kill -9 leaves no stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{CoreError, CoreResult};

/// The lock file's name inside a data dir. It holds nothing; only its lock matters.
pub const FILE: &str = "mymts.lock";

/// Held while the process uses the data dir; dropping it (or exiting) releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock, waiting up to `wait` for another process to finish with the data dir.
    /// Refuses in words after that.
    pub async fn acquire(dir: &Path, wait: Duration) -> CoreResult<Self> {
        let path = dir.join(FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| CoreError::Io(format!("{}: {e}", path.display())))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file, path }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(CoreError::Busy(format!(
                        "another mymts is using the data dir {} (waited {} s); try again when it has finished, or give another --data-dir",
                        dir.display(),
                        wait.as_secs()
                    )));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(CoreError::Io(format!("locking {}: {e}", path.display())));
                }
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
