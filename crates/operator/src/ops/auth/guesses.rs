//! Every guess counted (SEC-2), and refused alike whoever it was aimed at (SEC-3).
//!
//! A guess is counted *before* it is judged: the transaction that checks the lock also takes one
//! of the tries left ([`take`]); the hash is then verified outside any transaction (argon2 holds
//! a core for ~30 ms, and the database has one writer), and a second transaction gives the
//! verdict ([`judge`]): a right guess gives its try back and clears the count, a wrong one keeps
//! it and locks at the limit. So parallel guesses each hold one of the tries left and no guess is
//! ever judged uncounted: 61 parallel wrong passwords get three verdicts, the rest a lock. A
//! crash between the two leaves the try counted (failing closed).
//!
//! | counter | counts | limit | what unlocks it |
//! | --- | --- | --- | --- |
//! | account password (`accounts.pw_failures`, AUTH-3) | password and contract login, linking the account (ACC-7), the current password of a password change or recovery-e-mail change (SEC-4) | 3 in a row | a right password before the lock; an SMS-password login (mobile), e-mail recovery (contracts), support (banking) |
//! | nobody's login (`guess_counters`) | the same, for a login no account has | 3 | nothing: it answers as a locked account does |
//! | social account (`guess_counters`) | social login and linking a social account (AUTH-12), known or unknown usernames | 5 | 15 minutes, then a right password |
//! | SMS code (`sms_challenges.wrong`, `sms_codes.wrong` for the shared tries) | the SMS password and the 111 command's code | 5 per challenge (and 5 shared) | a new code; password failures never touch it |
//! | recovery code (`recovery_challenges.wrong`) | the e-mailed code | 5 per challenge | a new code |

use rusqlite::{OptionalExtension, Transaction, params};

use super::PASSWORD_MAX_FAILURES;
use crate::db::accounts;
use crate::error::ApiResult;
use crate::secrets::ServerKey;

/// Wrong passwords that lock a (simulated) social network's account for a while (AUTH-12).
pub const SOCIAL_MAX_FAILURES: i64 = 5;
/// How long a social network's lock lasts.
pub const SOCIAL_LOCK_MS: i64 = 15 * 60 * 1000;
/// At most this many counters for logins nobody has and social usernames, so a flood of
/// made-up logins cannot grow the database without bound (see [`make_room`]).
pub const COUNTERS_CAP: i64 = 100_000;
const _: () = assert!(
    PASSWORD_MAX_FAILURES == 3,
    "make_room's SQL spells the limit out"
);

/// The gate of a password counter, by the login as stored (accounts and logins nobody has).
pub(crate) fn password_gate(login: &str) -> String {
    format!("login:{login}")
}

/// Where a guess is counted.
#[derive(Debug, Clone)]
pub(crate) enum Counter {
    /// AUTH-3's password counter of an account.
    Account(i64),
    /// A login no account has: counted and locked like an account, so a refusal says nothing
    /// about who is a subscriber (SEC-3).
    Nobody(String),
    /// A social network's account, whether it exists or not.
    Social(String),
}

impl Counter {
    pub fn nobody(key: &ServerKey, login: &str) -> Self {
        Self::Nobody(key.tag("login", login))
    }

    pub fn social(key: &ServerKey, provider: &str, username: &str) -> Self {
        Self::Social(key.tag("social", &format!("{provider}\0{username}")))
    }

    pub fn limit(&self) -> i64 {
        match self {
            Self::Account(_) | Self::Nobody(_) => PASSWORD_MAX_FAILURES,
            Self::Social(_) => SOCIAL_MAX_FAILURES,
        }
    }
}

/// The outcome of a counted guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Right,
    Wrong {
        left: u32,
    },
    /// This guess used the last try; the counter is locked now.
    Locked,
}

/// How long a counter stays locked, when its lock ends by itself.
pub(crate) fn locked_for_s(tx: &Transaction<'_>, now_ms: i64, c: &Counter) -> ApiResult<u64> {
    let Counter::Social(key) = c else {
        return Ok(0);
    };
    let until: Option<i64> = tx
        .query_row(
            "SELECT locked_until_ms FROM guess_counters WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(until.map_or(0, |u| u64::try_from((u - now_ms + 999) / 1000).unwrap_or(0)))
}

/// Takes one try of the counter, before the guess is judged. `false`: none left (locked, or the
/// last ones are being judged right now).
pub(crate) fn take(tx: &Transaction<'_>, now_ms: i64, c: &Counter) -> ApiResult<bool> {
    match c {
        Counter::Account(id) => accounts::take_password_try(tx, *id, c.limit()),
        Counter::Nobody(key) | Counter::Social(key) => {
            let row: Option<(i64, Option<i64>)> = tx
                .query_row(
                    "SELECT failures, locked_until_ms FROM guess_counters WHERE key = ?1",
                    params![key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let failures = match row {
                // A cooling-off lock that has ended starts the count again.
                Some((_, Some(until))) if until <= now_ms => 0,
                Some((_, Some(_))) => return Ok(false),
                Some((f, None)) => f,
                None => {
                    if !make_room(tx, now_ms)? {
                        return Ok(false);
                    }
                    0
                }
            };
            if failures >= c.limit() {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO guess_counters (key, failures, locked_until_ms, updated_ms)
                 VALUES (?1, ?2, NULL, ?3)
                 ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                   locked_until_ms = NULL, updated_ms = excluded.updated_ms",
                params![key, failures + 1, now_ms],
            )?;
            Ok(true)
        }
    }
}

/// Judges a guess whose try was taken: a right one clears the count (the guess was one of the
/// tries the lock allows), a wrong one keeps it and locks at the limit.
pub(crate) fn judge(
    tx: &Transaction<'_>,
    now_ms: i64,
    c: &Counter,
    right: bool,
) -> ApiResult<Verdict> {
    match c {
        Counter::Account(id) => {
            if right {
                accounts::clear_password_failures(tx, *id)?;
                return Ok(Verdict::Right);
            }
            let failures = accounts::password_failures(tx, *id)?;
            if failures >= c.limit() {
                accounts::lock_password(tx, *id)?;
                return Ok(Verdict::Locked);
            }
            Ok(Verdict::Wrong {
                left: u32::try_from(c.limit() - failures).unwrap_or(0),
            })
        }
        Counter::Nobody(key) | Counter::Social(key) => {
            if right {
                tx.execute("DELETE FROM guess_counters WHERE key = ?1", params![key])?;
                return Ok(Verdict::Right);
            }
            let failures: i64 = tx
                .query_row(
                    "SELECT failures FROM guess_counters WHERE key = ?1",
                    params![key],
                    |r| r.get(0),
                )
                .optional()?
                // Pushed out by a flood meanwhile: it counted once.
                .unwrap_or(1);
            if failures >= c.limit() {
                let until = match c {
                    Counter::Social(_) => Some(now_ms + SOCIAL_LOCK_MS),
                    _ => None,
                };
                tx.execute(
                    "INSERT INTO guess_counters (key, failures, locked_until_ms, updated_ms)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (key) DO UPDATE SET locked_until_ms = excluded.locked_until_ms,
                       updated_ms = excluded.updated_ms",
                    params![key, failures, until, now_ms],
                )?;
                return Ok(Verdict::Locked);
            }
            Ok(Verdict::Wrong {
                left: u32::try_from(c.limit() - failures).unwrap_or(0),
            })
        }
    }
}

/// How long a counter must have been left alone before a flood of new counters may push it
/// out: a day. Within it, a stranger who spreads guesses at one social account over 15-minute
/// locks cannot reset its count by filling the table with made-up usernames.
pub const EVICTABLE_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// Makes room for one more counter while the table holds [`COUNTERS_CAP`] rows: pushes out one
/// row that holds nothing a guesser earned (a cooling-off lock that has ended, or the oldest
/// counter short of a lock and untouched for [`EVICTABLE_AFTER_MS`]), never more than one per
/// new counter. `false` when there is no such row: the new counter is refused like a locked
/// one (issue 11), so a flood of made-up logins or usernames (each a verified guess) can fill
/// the table but never lift a lock or reset a count; once full, only counters that exist go on.
fn make_room(tx: &Transaction<'_>, now_ms: i64) -> ApiResult<bool> {
    let n: i64 = tx.query_row("SELECT COUNT(*) FROM guess_counters", [], |r| r.get(0))?;
    if n < COUNTERS_CAP {
        return Ok(true);
    }
    // The literal 3 (PASSWORD_MAX_FAILURES) lets SQLite use the partial index of migration 007.
    let ended = tx.execute(
        "DELETE FROM guess_counters WHERE key IN
           (SELECT key FROM guess_counters WHERE locked_until_ms IS NOT NULL
              AND locked_until_ms <= ?1 ORDER BY locked_until_ms LIMIT 1)",
        params![now_ms],
    )?;
    if ended == 1 {
        return Ok(true);
    }
    let idle = tx.execute(
        "DELETE FROM guess_counters WHERE key IN
           (SELECT key FROM guess_counters WHERE locked_until_ms IS NULL AND failures < 3
              AND updated_ms <= ?1 ORDER BY updated_ms LIMIT 1)",
        params![now_ms - EVICTABLE_AFTER_MS],
    )?;
    Ok(idle == 1)
}

#[cfg(test)]
mod tests {
    use crate::db::Db;

    /// A full table is searched by the partial indexes of migration 007, not scanned: each fresh
    /// login nobody has pays for this once.
    #[tokio::test]
    async fn making_room_uses_the_partial_indexes() {
        let db = Db::open_in_memory().expect("db");
        let plans = db
            .tx(|tx| {
                let plan = |sql: &str| -> rusqlite::Result<String> {
                    let mut st = tx.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = st.query_map([], |r| r.get::<_, String>(3))?;
                    Ok(rows.collect::<Result<Vec<_>, _>>()?.join("; "))
                };
                Ok((
                    plan(
                        "SELECT key FROM guess_counters WHERE locked_until_ms IS NOT NULL
                         AND locked_until_ms <= 5 ORDER BY locked_until_ms LIMIT 1",
                    )?,
                    plan(
                        "SELECT key FROM guess_counters WHERE locked_until_ms IS NULL AND failures < 3
                         AND updated_ms <= 5 ORDER BY updated_ms LIMIT 1",
                    )?,
                ))
            })
            .await
            .expect("plans");
        assert!(plans.0.contains("guess_counters_cooling"), "{}", plans.0);
        assert!(plans.1.contains("guess_counters_idle"), "{}", plans.1);
    }
}
