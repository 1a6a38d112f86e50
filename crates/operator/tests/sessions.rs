//! Sessions and their tokens through real HTTP on loopback: rotation by successor use (AUTH-6)
//! and the server's idle end, keep-alive and logout (AUTH-8). The clock is the operator's own,
//! moved with `advance`.

mod common;

use common::{Op, code_of, op};
use mymts_operator::seed::{ANNA, DEMO};
use serde_json::{Value, json};

const MIN: i64 = 60 * 1000;
const DAY: i64 = 24 * 60 * MIN;

fn pw(login: &str) -> &'static str {
    DEMO.iter()
        .find(|d| d.login == login)
        .map(|d| d.password)
        .expect("demo account")
}

/// An access and a refresh token, as a client holds them.
#[derive(Debug, Clone, PartialEq)]
struct Pair {
    access: String,
    refresh: String,
}

impl Pair {
    fn of(v: &Value) -> Self {
        let at = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"));
        Self {
            access: at("access_token").to_string(),
            refresh: at("refresh_token").to_string(),
        }
    }
}

/// Logs `login` in by password, accepts the agreement, returns the pair.
async fn sign_in(op: &Op, login: &str) -> Pair {
    let (s, v) = op.login_password(login, pw(login)).await;
    assert_eq!(s, 200, "{v}");
    let pair = Pair::of(&v["tokens"]);
    let (s, v) = op
        .post(
            "/v1/agreement",
            json!({"version": mymts_operator::AGREEMENT_VERSION}),
            Some(&pair.access),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    pair
}

async fn refresh(op: &Op, token: &str) -> (u16, Value) {
    op.post("/v1/auth/refresh", json!({"refresh_token": token}), None)
        .await
}

/// Refreshes and expects a new pair.
async fn rotated(op: &Op, token: &str) -> Pair {
    let (s, v) = refresh(op, token).await;
    assert_eq!(s, 200, "a fresh pair for the refresh token: {v}");
    Pair::of(&v)
}

/// What an access token gets from an endpoint that needs a session: 200, or the error code.
async fn access(op: &Op, token: &str) -> String {
    let (s, v) = op.get("/v1/balance", Some(token)).await;
    if s == 200 {
        "ok".into()
    } else {
        code_of(&v).to_string()
    }
}

async fn keepalive(op: &Op, token: &str) -> (u16, Value) {
    op.post("/v1/session/keepalive", json!({}), Some(token))
        .await
}

/// Ids of the account's open sessions, as another device of the account sees them.
async fn open_sessions(op: &Op, viewer: &str) -> Vec<String> {
    let (s, v) = op.get("/v1/sessions", Some(viewer)).await;
    assert_eq!(s, 200, "{v}");
    v.as_array()
        .expect("list")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect()
}

async fn current_session(op: &Op, token: &str) -> String {
    let (s, v) = op.get("/v1/sessions", Some(token)).await;
    assert_eq!(s, 200, "{v}");
    v.as_array()
        .expect("list")
        .iter()
        .find(|s| s["current"] == true)
        .and_then(|s| s["id"].as_str())
        .expect("the current session is listed")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// AUTH-6: rotation by successor use
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn auth6_old_token_two_weeks_later_with_an_unused_successor_gets_a_fresh_pair() {
    let op = op().await;
    let p0 = sign_in(&op, ANNA).await;
    // The app rotates, then dies before the keyring holds p1; it comes back two weeks later.
    let p1 = rotated(&op, &p0.refresh).await;
    op.advance(14 * DAY);
    let p2 = rotated(&op, &p0.refresh).await;
    assert_ne!(p2, p1, "a fresh pair, not a copy of the unused one");
    assert_eq!(access(&op, &p2.access).await, "ok");
    assert_eq!(
        access(&op, &p1.access).await,
        "unauthorized",
        "the unused successor's access token is void"
    );
    // Again and again, as long as none of the pairs it got was used.
    let p3 = rotated(&op, &p0.refresh).await;
    assert_eq!(access(&op, &p2.access).await, "unauthorized");
    assert_eq!(access(&op, &p3.access).await, "ok");
    // The family goes on from the newest pair.
    let p4 = rotated(&op, &p3.refresh).await;
    assert_eq!(access(&op, &p4.access).await, "ok");
}

#[tokio::test]
async fn auth6_old_token_whose_successor_was_used_revokes_the_family() {
    let op = op().await;
    let p0 = sign_in(&op, ANNA).await;
    let p1 = rotated(&op, &p0.refresh).await;
    let p2 = rotated(&op, &p1.refresh).await;
    op.advance(14 * DAY);
    let (s, v) = refresh(&op, &p0.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
    let (s, v) = refresh(&op, &p2.refresh).await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "session_revoked"),
        "the newest refresh token goes with its family: {v}"
    );
    assert_eq!(access(&op, &p2.access).await, "session_revoked");
}

#[tokio::test]
async fn auth6_a_thief_and_the_owner_both_using_one_family_revoke_it() {
    let op = op().await;
    let viewer = sign_in(&op, ANNA).await;

    // The thief copies the stored token, the owner rotates it, then the thief uses the copy: the
    // thief gets a pair and the owner's unused one is voided, until the owner presents it.
    let owner = sign_in(&op, ANNA).await;
    let sid = current_session(&op, &owner.access).await;
    let stolen = owner.refresh.clone();
    let owner = rotated(&op, &owner.refresh).await;
    let thief = rotated(&op, &stolen).await;
    assert_eq!(access(&op, &owner.access).await, "unauthorized");
    let (s, v) = refresh(&op, &owner.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
    assert_eq!(access(&op, &thief.access).await, "session_revoked");
    let (s, v) = refresh(&op, &thief.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
    assert!(!open_sessions(&op, &viewer.access).await.contains(&sid));

    // The other order: the owner has used its successor before the thief comes.
    let owner = sign_in(&op, ANNA).await;
    let sid = current_session(&op, &owner.access).await;
    let stolen = owner.refresh.clone();
    let owner = rotated(&op, &owner.refresh).await;
    let owner = rotated(&op, &owner.refresh).await;
    let (s, v) = refresh(&op, &stolen).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
    assert_eq!(access(&op, &owner.access).await, "session_revoked");
    let (s, v) = refresh(&op, &owner.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
    assert!(!open_sessions(&op, &viewer.access).await.contains(&sid));

    // Each revocation is in the account's activity.
    let (s, v) = op.get("/v1/activity?limit=50", Some(&viewer.access)).await;
    assert_eq!(s, 200, "{v}");
    let revoked = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "session_revoked")
        .count();
    assert_eq!(revoked, 2, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auth6_twenty_parallel_presentations_of_one_token_leave_one_live_pair() {
    let op = op().await;
    let p0 = sign_in(&op, ANNA).await;
    // From two addresses: one peer may hold only 16 requests in flight (issue 11, floods).
    let peers = common::peers(2);
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (http, url, rt) = (
            peers[i % 2].clone(),
            op.url("/v1/auth/refresh"),
            p0.refresh.clone(),
        );
        racing.spawn(async move {
            let r = http
                .post(url)
                .json(&json!({"refresh_token": rt}))
                .send()
                .await
                .expect("refresh");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.expect("json"))
        });
    }
    let mut pairs = Vec::new();
    while let Some(r) = racing.join_next().await {
        let (status, v) = r.expect("task");
        assert_eq!(
            status, 200,
            "every presentation is answered with a pair: {v}"
        );
        pairs.push(Pair::of(&v));
    }
    let mut live = Vec::new();
    for p in &pairs {
        match access(&op, &p.access).await.as_str() {
            "ok" => live.push(p.clone()),
            "unauthorized" => {}
            other => panic!("an access token of the race answered {other}"),
        }
    }
    assert_eq!(live.len(), 1, "exactly one pair of the race is live");
    let winner = live.remove(0);
    // The family is intact: the winner rotates on.
    let next = rotated(&op, &winner.refresh).await;
    assert_eq!(access(&op, &next.access).await, "ok");
    // Any voided pair of the race presented later is a second copy: the family goes.
    let loser = pairs
        .iter()
        .find(|p| p.refresh != winner.refresh)
        .expect("a voided pair");
    let (s, v) = refresh(&op, &loser.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
    assert_eq!(access(&op, &next.access).await, "session_revoked");
}

#[tokio::test]
async fn auth6_a_refresh_token_lives_thirty_days_from_its_newest_pair() {
    let op = op().await;
    let p0 = sign_in(&op, ANNA).await;
    op.advance(29 * DAY);
    let p1 = rotated(&op, &p0.refresh).await;
    op.advance(29 * DAY);
    // p0's successor was issued 29 days ago and never used: p0 still signs in.
    let p2 = rotated(&op, &p0.refresh).await;
    op.advance(30 * DAY + MIN);
    let (s, v) = refresh(&op, &p2.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "invalid_refresh_token"), "{v}");
    let (s, v) = refresh(&op, &p0.refresh).await;
    assert_eq!((s, code_of(&v)), (401, "invalid_refresh_token"), "{v}");
    let _ = p1;
}

#[tokio::test]
async fn auth6_no_live_token_is_kept_even_sealed_on_a_replaced_row() {
    let op = op().await;
    let p0 = sign_in(&op, ANNA).await;
    let p1 = rotated(&op, &p0.refresh).await;
    let p2 = rotated(&op, &p0.refresh).await;
    // Every value of every table, opened with the server key where it is sealed: none holds a
    // token of the live pair (digests only).
    let st = op.run.state.clone();
    let found = op
        .run
        .state
        .db
        .tx(move |tx| {
            let tables: Vec<String> = tx
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut texts = Vec::new();
            for t in tables {
                let mut stmt = tx.prepare(&format!("SELECT * FROM \"{t}\""))?;
                let n = stmt.column_count();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    for i in 0..n {
                        match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(b) => {
                                texts.push(String::from_utf8_lossy(b).into_owned());
                            }
                            rusqlite::types::ValueRef::Blob(b) => {
                                texts.push(String::from_utf8_lossy(b).into_owned());
                                if let Ok(plain) = st.key.open(b) {
                                    texts.push(String::from_utf8_lossy(&plain).into_owned());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Ok(texts)
        })
        .await
        .expect("dump");
    for secret in [&p1.access, &p1.refresh, &p2.access, &p2.refresh] {
        assert!(
            !found.iter().any(|t| t.contains(secret.as_str())),
            "a token is kept in the database"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// AUTH-8: the server's idle end, keep-alive and logout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn auth8_logout_with_a_lapsed_access_token_revokes_the_session() {
    let op = op().await;
    let viewer = sign_in(&op, ANNA).await;
    let idle = sign_in(&op, ANNA).await;
    let sid = current_session(&op, &idle.access).await;
    op.advance(21 * MIN);
    // The viewer stays active; the other device idles out.
    let viewer = rotated(&op, &viewer.refresh).await;
    assert_eq!(access(&op, &idle.access).await, "session_inactive");
    let (s, v) = op
        .post("/v1/auth/logout", json!({}), Some(&idle.access))
        .await;
    assert_eq!(
        s, 204,
        "logout with the lapsed token still ends the session: {v}"
    );
    assert!(!open_sessions(&op, &viewer.access).await.contains(&sid));
    let (s, v) = refresh(&op, &idle.refresh).await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "session_revoked"),
        "its refresh token is revoked for good: {v}"
    );
    // A second logout with it changes nothing and says so plainly; a made-up token is refused.
    let (s, _) = op
        .post("/v1/auth/logout", json!({}), Some(&idle.access))
        .await;
    assert_eq!(s, 204);
    let (s, v) = op
        .post("/v1/auth/logout", json!({}), Some("made-up-token"))
        .await;
    assert_eq!((s, code_of(&v)), (401, "unauthorized"), "{v}");
}

#[tokio::test]
async fn auth8_keepalive_keeps_the_session_past_twenty_minutes_and_its_absence_ends_it() {
    let op = op().await;
    let p = sign_in(&op, ANNA).await;
    // The user filters cached call detail for an hour: the app says so every ten minutes.
    for _ in 0..6 {
        op.advance(10 * MIN);
        let (s, v) = keepalive(&op, &p.access).await;
        assert_eq!(s, 204, "{v}");
    }
    assert_eq!(
        access(&op, &p.access).await,
        "ok",
        "an hour later, still signed in"
    );
    // Then nothing for twenty minutes: the session ends, keep-alive cannot bring it back.
    op.advance(20 * MIN + 1000);
    let (s, v) = keepalive(&op, &p.access).await;
    assert_eq!((s, code_of(&v)), (401, "session_inactive"), "{v}");
    assert_eq!(access(&op, &p.access).await, "session_inactive");
    // Keep-alive takes nothing but a live session's token.
    let (s, v) = op.post("/v1/session/keepalive", json!({}), None).await;
    assert_eq!((s, code_of(&v)), (401, "unauthorized"), "{v}");
    let (s, v) = keepalive(&op, &"x".repeat(5000)).await;
    assert_eq!((s, code_of(&v)), (401, "unauthorized"), "{v}");
    let other = sign_in(&op, ANNA).await;
    op.post("/v1/auth/logout", json!({}), Some(&other.access))
        .await;
    let (s, v) = keepalive(&op, &other.access).await;
    assert_eq!((s, code_of(&v)), (401, "session_revoked"), "{v}");
}

#[tokio::test]
async fn auth8_idle_end_ends_the_sessions_access_and_a_remembered_device_signs_in_again() {
    let op = op().await;
    let p = sign_in(&op, ANNA).await;
    let sid = current_session(&op, &p.access).await;
    op.advance(20 * MIN + 1000);
    assert_eq!(access(&op, &p.access).await, "session_inactive");
    // Time never brings an idle-ended access back, even a clock set back by QA.
    op.advance(-10 * MIN);
    assert_eq!(access(&op, &p.access).await, "session_inactive");
    // The remembered device's refresh token signs in again: the same session, active again.
    let again = rotated(&op, &p.refresh).await;
    assert_eq!(access(&op, &again.access).await, "ok");
    assert_eq!(current_session(&op, &again.access).await, sid);
    assert_eq!(access(&op, &p.access).await, "unauthorized");
}
