//! SEC-3's timing: a refusal for an unknown login takes as long as one for a known login (the
//! unknown one verifies a dummy argon2 hash). In a test binary of its own, so that no other test's
//! hashing runs beside it: `cargo test` runs test binaries one after another. Without the dummy hash
//! an unknown login answers in well under a millisecond against a known one's tens of
//! milliseconds, a ratio near 0.01; the band below is wide enough for a loaded machine's noise.

mod common;

use common::op;
use mymts_operator::seed;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec3_unknown_and_known_logins_take_the_same_time() {
    let op = op().await;
    // Warm the hasher's dummy hash and the connection.
    op.login_password("+79160000100", "Warmup2026x").await;
    op.login_password(seed::DMITRY, "Warmup2026x").await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..24 {
        // Each try starts from a clean counter, so neither side is ever locked.
        op.exec(
            "UPDATE accounts SET pw_failures = 0, pw_locked = 0 WHERE login = ?1",
            seed::DMITRY,
        )
        .await;
        let stranger = format!("+7916000{:04}", 200 + i);
        for (login, into) in [
            (seed::DMITRY, &mut known),
            (stranger.as_str(), &mut unknown),
        ] {
            let t = Instant::now();
            let (s, _) = op.login_password(login, "Guess1x2026").await;
            into.push(t.elapsed());
            assert_eq!(s, 401);
        }
    }
    let (k, u) = (median(known), median(unknown));
    let ratio = u.as_secs_f64() / k.as_secs_f64();
    assert!(
        (0.5..=2.0).contains(&ratio),
        "unknown {u:?} against known {k:?}: ratio {ratio:.2}"
    );
    op.run.stop().await;
}
