//! The account features (ACC-*) over real HTTP on loopback, against a real (in-memory) SQLite.

use mymts_operator::seed;
use rusqlite::params;
use std::time::Instant;

async fn start() -> mymts_operator::Running {
    mymts_operator::start(mymts_operator::Config::ephemeral())
        .await
        .expect("operator starts")
}

/// Counts `(kind, rows)` of an account's call detail.
async fn cdr_counts(running: &mymts_operator::Running, login: &str) -> Vec<(String, i64)> {
    let login = login.to_string();
    running
        .state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT c.kind, COUNT(*) FROM calls c JOIN accounts a ON a.id = c.account_id
                 WHERE a.login = ?1 GROUP BY c.kind ORDER BY c.kind",
            )?;
            let rows = stmt.query_map(params![login], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
        .expect("counts")
}

#[tokio::test]
async fn seed_is_deterministic_and_has_100k_rows() {
    let t = Instant::now();
    let a = start().await;
    let started = t.elapsed();
    assert!(started.as_secs_f64() < 2.0, "start took {started:?}");
    let b = start().await;
    let counts = cdr_counts(&a, seed::DMITRY).await;
    assert_eq!(
        counts.iter().map(|(_, n)| n).sum::<i64>(),
        seed::BIG_CDR_ROWS as i64
    );
    assert_eq!(counts, cdr_counts(&b, seed::DMITRY).await);
    assert_eq!(
        cdr_counts(&a, seed::ANNA)
            .await
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>(),
        40
    );
    // A reset brings the same world back.
    let st = a.state.clone();
    tokio::task::spawn_blocking(move || seed::reset(&st))
        .await
        .expect("join")
        .expect("reset");
    assert_eq!(counts, cdr_counts(&a, seed::DMITRY).await);
    a.stop().await;
    b.stop().await;
}
