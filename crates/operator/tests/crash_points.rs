//! Crashes at the operator's named fail points (built with `--features failpoints`): the binary
//! is started with `FAILPOINTS=<point>=panic`, which crashes it at that instruction (SIGABRT, no
//! destructor, no rollback: what kill -9 leaves), then started again over the same files.
//! CACHE-3: the first start can crash anywhere and the next start works. AUTH-6: a crash around
//! a rotation never costs the client its sign-in.

mod common;

use common::process::{self, Proc};
use mymts_operator::seed::{ANNA, DEMO};
use serde_json::{Value, json};
use std::path::Path;

const DAY_S: i64 = 24 * 60 * 60;

/// Every point of the first start, in the order it passes them.
const FIRST_START: &[&str] = &[
    "first_start.key_temp_written",
    "first_start.key_written",
    "first_start.db_migrated",
    "first_start.db_seeded",
    "first_start.db_in_place",
];

fn password() -> &'static str {
    DEMO.iter()
        .find(|d| d.login == ANNA)
        .expect("anna")
        .password
}

async fn post(p: &Proc, path: &str, body: Value) -> reqwest::Result<(u16, Value)> {
    let req = if path.starts_with("/qa/") {
        p.world(reqwest::Method::POST, path)
    } else {
        common::client().post(p.url(path))
    };
    let r = req.json(&body).send().await?;
    let status = r.status().as_u16();
    let v = r.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, v))
}

async fn login(p: &Proc) -> (String, String) {
    let (s, v) = post(
        p,
        "/v1/auth/login",
        json!({"method": "password", "login": ANNA, "password": password()}),
    )
    .await
    .expect("login");
    assert_eq!(s, 200, "{v}");
    let t = |k: &str| v["tokens"][k].as_str().expect("token").to_string();
    (t("access_token"), t("refresh_token"))
}

/// What a signed-in request with `access` gets (the sessions list: no agreement needed).
async fn signed_in(p: &Proc, access: &str) -> u16 {
    common::client()
        .get(p.url("/v1/sessions"))
        .bearer_auth(access)
        .send()
        .await
        .expect("balance")
        .status()
        .as_u16()
}

fn crash_at(db: &Path, point: &str) -> process::Exited {
    match process::start(db, Some(&format!("{point}=panic"))) {
        Ok(p) => {
            p.kill();
            panic!("{point}: the operator started without passing the point");
        }
        Err(e) => {
            assert!(e.crashed(), "{point}: {e:?}");
            e
        }
    }
}

#[tokio::test]
async fn cache3_a_crash_at_any_first_start_point_leaves_files_the_next_start_uses() {
    for point in FIRST_START {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("operator.db");
        crash_at(&db, point);
        let p = match process::start(&db, None) {
            Ok(p) => p,
            Err(e) => panic!("after a crash at {point} the operator does not start: {e:?}"),
        };
        let (access, _) = login(&p).await;
        assert_eq!(signed_in(&p, &access).await, 200, "{point}");
        p.kill();
        // And once more: what the second start made is whole too.
        let p = process::started(&db);
        let (access, _) = login(&p).await;
        assert_eq!(signed_in(&p, &access).await, 200, "{point}");
        p.kill();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.retain(|n| {
            ![
                "operator.db",
                "operator.db-wal",
                "operator.db-shm",
                "operator.key",
            ]
            .contains(&n.as_str())
        });
        assert!(names.is_empty(), "{point}: left behind {names:?}");
    }
}

#[tokio::test]
async fn auth6_a_crash_after_the_rotation_committed_keeps_the_old_token_valid_weeks_later() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("operator.db");
    process::started(&db).kill();
    let p = process::start(&db, Some("rotation.committed=panic")).expect("starts");
    let (_, r0) = login(&p).await;
    // The operator commits the rotation and dies before answering: the client never sees it.
    let lost = post(&p, "/v1/auth/refresh", json!({"refresh_token": r0})).await;
    assert!(lost.is_err(), "no answer: {lost:?}");
    assert!(p.ended().crashed());

    let p = process::started(&db);
    let (s, v) = post(&p, "/qa/clock/advance", json!({"seconds": 14 * DAY_S}))
        .await
        .expect("clock");
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(&p, "/v1/auth/refresh", json!({"refresh_token": r0}))
        .await
        .expect("refresh");
    assert_eq!(s, 200, "two weeks later the old token still signs in: {v}");
    let access = v["access_token"].as_str().expect("access");
    assert_eq!(signed_in(&p, access).await, 200);
    p.kill();
}

#[tokio::test]
async fn auth6_a_crash_inside_the_rotation_transaction_leaves_the_token_as_it_was() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("operator.db");
    process::started(&db).kill();
    let p = process::start(&db, Some("rotation.before_commit=panic")).expect("starts");
    let (_, r0) = login(&p).await;
    let lost = post(&p, "/v1/auth/refresh", json!({"refresh_token": r0})).await;
    assert!(lost.is_err(), "no answer: {lost:?}");
    assert!(p.ended().crashed());

    let p = process::started(&db);
    let (s, v) = post(&p, "/v1/auth/refresh", json!({"refresh_token": r0}))
        .await
        .expect("refresh");
    assert_eq!(s, 200, "{v}");
    let r1 = v["refresh_token"].as_str().expect("refresh").to_string();
    let (s, v) = post(&p, "/v1/auth/refresh", json!({"refresh_token": r1}))
        .await
        .expect("refresh");
    assert_eq!(s, 200, "the rotation after the crash is a normal one: {v}");
    p.kill();
}

#[tokio::test]
async fn auth6_a_rotation_that_fails_midway_in_process_changes_nothing_and_the_operator_goes_on() {
    let scenario = fail::FailScenario::setup();
    let op = common::op().await;
    let (_, v) = op.login_password(ANNA, password()).await;
    let r0 = v["tokens"]["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();
    fail::cfg("rotation.before_commit", "1*panic").expect("arm");
    let (s, v) = op
        .post("/v1/auth/refresh", json!({"refresh_token": r0}), None)
        .await;
    assert_eq!((s, common::code_of(&v)), (500, "internal"), "{v}");
    let (s, v) = op
        .post("/v1/auth/refresh", json!({"refresh_token": r0}), None)
        .await;
    assert_eq!(
        s, 200,
        "the token is as it was, and the database still serves: {v}"
    );
    scenario.teardown();
}
