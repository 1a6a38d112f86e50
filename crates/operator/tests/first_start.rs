//! CACHE-3, the operator's part: its key file and its world database as the binary finds them on
//! disk. A file that is damaged or missing gets a clear message and exit code 3, and is left as
//! it was; what a crashed first start can leave behind is cleaned up.

mod common;

use common::process::{self, Proc};
use mymts_operator::seed::{ANNA, DEMO};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The exit code the binary gives when its files are damaged or do not belong together.
const EXIT_DAMAGED: i32 = 3;

struct World {
    _dir: tempfile::TempDir,
    db: PathBuf,
    key: PathBuf,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("operator.db");
    let key = dir.path().join("operator.key");
    World { _dir: dir, db, key }
}

/// Every file of the folder with its bytes, to show a refused start changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

async fn can_log_in(p: &Proc) -> bool {
    let pw = DEMO
        .iter()
        .find(|d| d.login == ANNA)
        .expect("anna")
        .password;
    let r = common::client()
        .post(p.url("/v1/auth/login"))
        .json(&json!({"method": "password", "login": ANNA, "password": pw}))
        .send()
        .await
        .expect("login");
    r.status().as_u16() == 200
}

/// Starts once so both files exist, then stops it cleanly enough (kill -9 after the seed).
fn first_start(w: &World) {
    process::started(&w.db).kill();
    assert!(w.db.exists() && w.key.exists());
}

fn refused(w: &World) -> process::Exited {
    match process::start(&w.db, None) {
        Ok(p) => {
            p.kill();
            panic!("the operator started over files it should refuse");
        }
        Err(e) => {
            assert_eq!(e.status.code(), Some(EXIT_DAMAGED), "{e:?}");
            assert!(!e.stderr.contains("panicked"), "{}", e.stderr);
            e
        }
    }
}

#[tokio::test]
async fn cache3_a_damaged_key_file_beside_a_database_is_refused_and_kept() {
    let w = world();
    first_start(&w);
    std::fs::write(&w.key, b"short").expect("damage the key");
    let dir = w.db.parent().expect("dir").to_path_buf();
    let before = snapshot(&dir);
    let e = refused(&w);
    assert!(
        e.stderr.contains(&w.key.display().to_string()) && e.stderr.contains("damaged"),
        "names the file and what is wrong: {}",
        e.stderr
    );
    assert_eq!(snapshot(&dir), before, "nothing was changed or made anew");
}

#[tokio::test]
async fn cache3_a_missing_key_file_beside_a_database_is_refused_not_made_anew() {
    let w = world();
    first_start(&w);
    let key = std::fs::read(&w.key).expect("key");
    std::fs::remove_file(&w.key).expect("lose the key");
    let e = refused(&w);
    assert!(
        e.stderr.contains(&w.key.display().to_string()) && e.stderr.contains("missing"),
        "{}",
        e.stderr
    );
    assert!(
        !w.key.exists(),
        "no new key that would make the old data garbage"
    );
    // With its own key back, the world starts as it was.
    std::fs::write(&w.key, key).expect("restore");
    let p = process::started(&w.db);
    assert!(can_log_in(&p).await);
    p.kill();
}

#[tokio::test]
async fn cache3_a_damaged_database_is_refused_and_kept() {
    let w = world();
    first_start(&w);
    let dir = w.db.parent().expect("dir").to_path_buf();
    for side in ["operator.db-wal", "operator.db-shm"] {
        let _ = std::fs::remove_file(dir.join(side));
    }
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&w.db, &garbage).expect("damage the database");
    let before = snapshot(&dir);
    let e = refused(&w);
    assert!(
        e.stderr.contains(&w.db.display().to_string()) && e.stderr.contains("damaged"),
        "{}",
        e.stderr
    );
    assert_eq!(snapshot(&dir), before);
}

#[tokio::test]
async fn cache3_an_empty_key_file_without_a_database_is_made_anew() {
    // What an interrupted first start of an older version left: nothing was sealed with it yet.
    let w = world();
    std::fs::write(&w.key, b"").expect("empty key");
    let p = process::started(&w.db);
    assert!(can_log_in(&p).await);
    p.kill();
    assert_eq!(std::fs::metadata(&w.key).expect("key").len(), 32);
}

#[tokio::test]
async fn cache3_a_first_start_leaves_a_private_key_and_no_temporary_file() {
    let w = world();
    first_start(&w);
    let dir = w.db.parent().expect("dir");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| [
            "operator.db",
            "operator.db-wal",
            "operator.db-shm",
            "operator.key"
        ]
        .contains(&n.as_str())),
        "{names:?}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&w.key).expect("key").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
