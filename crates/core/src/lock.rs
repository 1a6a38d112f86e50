//! One process per data dir (AUTH-6, issue 12): two copies on one cache, keyring entries and
//! embedded operator would each rotate the other's refresh tokens away. An advisory lock on
//! `<data dir>/mymts.lock` (the OS's `flock`/`LockFileEx` through `std::fs::File::try_lock`),
//! released by the OS when the process ends, however it ends — a kill -9 leaves no stale lock.
//!
//! Both take it: the CLI for each command (waiting up to `--lock-wait-ms`, 10 s by default),
//! and the app for as long as it runs (its single-instance plugin already keeps a second app
//! window off the data dir; this lock keeps the app and the CLI apart). The app tries once
//! before its first frame without waiting; when the CLI holds the lock it paints no cached
//! account, waits up to [`APP_WAIT`] off the first frame's path, and then either starts as
//! usual or refuses every command with `busy` (the login screen says why).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{CoreError, CoreResult};

/// The lock file's name inside a data dir. It holds nothing; only its lock matters.
pub const FILE: &str = "mymts.lock";

/// How long the app waits for a CLI command to finish with the data dir before it refuses.
/// A CLI command takes a second or two; its own wait for the lock is 10 s.
pub const APP_WAIT: Duration = Duration::from_secs(15);

/// Held while the process uses the data dir; dropping it (or exiting) releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    fn open(dir: &Path) -> CoreResult<(File, PathBuf)> {
        let path = dir.join(FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| CoreError::Io(format!("{}: {e}", path.display())))?;
        Ok((file, path))
    }

    /// Takes the lock if it is free now, without waiting: `Ok(None)` while another process
    /// holds it (the app's start-up, which must not hold up its first frame).
    pub fn try_acquire(dir: &Path) -> CoreResult<Option<Self>> {
        let (file, path) = Self::open(dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => {
                Err(CoreError::Io(format!("locking {}: {e}", path.display())))
            }
        }
    }

    /// Takes the lock, waiting up to `wait` for another process to finish with the data dir.
    /// Refuses in words after that.
    pub async fn acquire(dir: &Path, wait: Duration) -> CoreResult<Self> {
        let (file, path) = Self::open(dir)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Another process holds `dir`'s lock (flock(1), the same `flock(2)` lock the CLI takes)
    /// for `secs` seconds or until it is killed (`--no-fork`: no child is left holding it).
    fn holder(dir: &Path, secs: u32) -> std::process::Child {
        let child = std::process::Command::new("flock")
            .args(["--exclusive", "--no-fork"])
            .arg(dir.join(FILE))
            .args(["sleep", &secs.to_string()])
            .spawn()
            .expect("flock(1) from util-linux");
        // Until flock(1) has it, the lock is free.
        for _ in 0..200 {
            match DataDirLock::try_acquire(dir).expect("lock file") {
                None => return child,
                Some(l) => drop(l),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("flock(1) never took the lock");
    }

    #[tokio::test]
    async fn auth6_the_app_takes_a_free_data_dir_at_once_and_holds_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let held = DataDirLock::try_acquire(dir.path())
            .expect("lock file")
            .expect("free: taken at once");
        assert!(
            DataDirLock::try_acquire(dir.path())
                .expect("lock file")
                .is_none(),
            "a second taker finds it held"
        );
        let e = DataDirLock::acquire(dir.path(), Duration::from_millis(100))
            .await
            .expect_err("held by the app: a CLI is refused");
        assert_eq!(e.code(), "busy");
        drop(held);
        assert!(
            DataDirLock::try_acquire(dir.path())
                .expect("lock file")
                .is_some(),
            "released with the holder"
        );
    }

    #[tokio::test]
    async fn auth6_the_app_waits_for_another_process_then_refuses_busy_in_words() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut other = holder(dir.path(), 30);
        assert!(
            DataDirLock::try_acquire(dir.path())
                .expect("lock file")
                .is_none(),
            "the first frame's try finds it held"
        );
        let started = Instant::now();
        let e = DataDirLock::acquire(dir.path(), Duration::from_millis(400))
            .await
            .expect_err("refused after the wait");
        assert!(started.elapsed() >= Duration::from_millis(400), "it waited");
        assert_eq!(e.code(), "busy");
        assert!(
            e.to_string()
                .contains("another mymts is using the data dir"),
            "{e}"
        );
        let _ = other.kill();
        let _ = other.wait();
        // Killed (as a kill -9 would), the other process leaves no stale lock.
        DataDirLock::acquire(dir.path(), Duration::from_secs(5))
            .await
            .expect("free once the other process is gone");
    }

    #[tokio::test]
    async fn auth6_the_app_gets_the_data_dir_when_the_other_process_finishes_within_the_wait() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut other = holder(dir.path(), 1);
        let started = Instant::now();
        let held = DataDirLock::acquire(dir.path(), APP_WAIT)
            .await
            .expect("taken once the other process finished");
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "it did wait"
        );
        assert!(held.path().ends_with(FILE));
        let _ = other.wait();
    }
}
