//! Issue 14, item 4: 100,000 call-detail records, from the tap to the first page on screen, and
//! filters while a sync runs. Real parts only: the simulated operator on loopback (seeded
//! DMITRY has `BIG_CDR_ROWS` records), a real `Core`, a real SQLite cache file in a fresh data dir.
//!
//! `cargo bench -p mymts-core --bench cdr_sync`. Prints one `RESULT case=… n=… p50=… p90=… p99=…
//! max=…` line per case (ms), which `scripts/bench` greps, and human-readable lines beside them.
//!
//! - `cdr_sync`: `Core::sync_calls` from an empty cache (what the call-detail screen's first
//!   open runs: every page from the operator, then the replace in the cache), one per round.
//! - `cdr_first_page`: the screen's first read after it: the last 30 days, 200 records and the
//!   totals (`Core::cached_calls`).
//! - `cdr_filter_during_sync`: with the cache already full, a sync runs again (the screen's
//!   background refresh) while another thread reads, in a loop, a calendar month, the calls of
//!   the last 30 days and a number search, each a first page and its totals, as the screen asks.
//!
//! Environment: `CDR_ROUNDS` (timed sync rounds, default 10), `CDR_FILTER_SYNCS` (syncs to read
//! during, default 5).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mymts_core::domain::CallFilter;
use mymts_core::{Core, CoreConfig};
use mymts_operator::seed::{BIG_CDR_ROWS, DEMO, DMITRY};
use mymts_proto::wire::RecordKind;

const DAY_MS: i64 = 86_400_000;
/// The screen's page size (`ui/src/screens/CallDetail.svelte`, `PAGE`).
const PAGE: u32 = 200;

fn env_n(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(case: &str, what: &str, samples: &[f64]) {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let (p50, p90, p99) = (pct(&s, 50.0), pct(&s, 90.0), pct(&s, 99.0));
    let max = s.last().copied().unwrap_or(f64::NAN);
    let min = s.first().copied().unwrap_or(f64::NAN);
    println!(
        "{what}: {n} samples, min {min:.2} ms, median {p50:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms, max {max:.2} ms",
        n = s.len()
    );
    println!(
        "RESULT case={case} n={} p50={p50:.2} p90={p90:.2} p99={p99:.2} max={max:.2}",
        s.len()
    );
}

struct Bench {
    op: mymts_operator::Running,
    password: &'static str,
}

impl Bench {
    /// A signed-in core over a fresh data dir: an empty cache.
    async fn signed_in(&self, round: usize) -> (Core, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tmp");
        let config = CoreConfig::new(self.op.api_url.clone())
            .world(Some(mymts_core::WorldDoor {
                url: self.op.world_url.clone(),
                token: self.op.world_token.clone(),
            }))
            .data_dir(dir.path())
            .keyring_service(format!("mymts-bench-cdr-{}-{round}", std::process::id()))
            .device("cdr-bench", "linux");
        let core = Core::new(config).expect("core");
        let login = DMITRY.parse().expect("login");
        let out = core
            .login_password(&login, self.password, false)
            .await
            .expect("password login");
        if out.session.agreement_required {
            core.accept_agreement().await.expect("agreement");
        }
        (core, dir)
    }
}

/// The filters a user tries while the sync runs: a calendar month, a kind, a number search.
fn filters(now: i64, search: String) -> Vec<(&'static str, CallFilter)> {
    vec![
        (
            "month",
            CallFilter {
                from_ms: Some(now - 60 * DAY_MS),
                to_ms: Some(now - 30 * DAY_MS),
                kind: None,
                search: None,
            },
        ),
        (
            "kind",
            CallFilter {
                from_ms: Some(now - 30 * DAY_MS),
                to_ms: None,
                kind: Some(RecordKind::Call),
                search: None,
            },
        ),
        (
            "search",
            CallFilter {
                from_ms: None,
                to_ms: None,
                kind: None,
                search: Some(search),
            },
        ),
    ]
}

fn main() {
    let rounds = env_n("CDR_ROUNDS", 10).max(1);
    let filter_syncs = env_n("CDR_FILTER_SYNCS", 5).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let started = Instant::now();
        let op = mymts_operator::start(mymts_operator::Config::ephemeral())
            .await
            .expect("operator starts");
        println!(
            "operator started and seeded in {:.0} ms",
            ms(started.elapsed())
        );
        let password = DEMO
            .iter()
            .find(|d| d.login == DMITRY)
            .map(|d| d.password)
            .expect("DMITRY is seeded");
        let bench = Bench { op, password };

        // The tap to all rows in the cache, then the first page on screen; round 0 warms up.
        let mut sync = Vec::new();
        let mut first = Vec::new();
        for round in 0..=rounds {
            let (core, _dir) = bench.signed_in(round).await;
            let t = Instant::now();
            let n = core.sync_calls().await.expect("sync");
            let synced = t.elapsed();
            assert_eq!(n, BIG_CDR_ROWS, "every record synced");
            let login = core.active_login().expect("signed in").as_str().to_string();
            let screen = CallFilter {
                from_ms: Some(now_ms() - 30 * DAY_MS),
                ..CallFilter::default()
            };
            let t = Instant::now();
            let view = core
                .cached_calls(&login, &screen, PAGE, 0)
                .expect("read")
                .expect("synced");
            let paged = t.elapsed();
            assert!(!view.value.records.is_empty(), "a first page");
            println!(
                "round {round}{}: sync {:.1} ms, first page {:.2} ms ({} rows of {} in 30 days)",
                if round == 0 { " (warm-up)" } else { "" },
                ms(synced),
                ms(paged),
                view.value.records.len(),
                view.value.totals.all.count
            );
            if round > 0 {
                sync.push(ms(synced));
                first.push(ms(paged));
            }
            core.logout().await.ok();
        }

        // Filters while a sync runs over a full cache.
        let mut reads: Vec<f64> = Vec::new();
        let mut by_filter: Vec<(&'static str, Vec<f64>)> = Vec::new();
        for round in 0..filter_syncs {
            let (core, _dir) = bench.signed_in(1000 + round).await;
            core.sync_calls().await.expect("first sync");
            let login = core.active_login().expect("signed in").as_str().to_string();
            let now = now_ms();
            let newest = core
                .cached_calls(&login, &CallFilter::default(), 1, 0)
                .expect("read")
                .expect("synced");
            let party = newest.value.records.first().expect("a record").party.clone();
            // Four digits from the middle of a real party's number, as someone half-remembers it.
            let digits: String = party.chars().filter(char::is_ascii_digit).collect();
            let search = digits[digits.len().saturating_sub(7)..digits.len().saturating_sub(3)]
                .to_string();
            let fs = filters(now, search);

            let done = Arc::new(AtomicBool::new(false));
            let reader = {
                let (core, done, login) = (core.clone(), done.clone(), login.clone());
                std::thread::spawn(move || {
                    let mut out: Vec<(&'static str, f64)> = Vec::new();
                    let mut i = 0;
                    while !done.load(Ordering::Acquire) {
                        let (name, f) = &fs[i % fs.len()];
                        i += 1;
                        let t = Instant::now();
                        let v = core.cached_calls(&login, f, PAGE, 0).expect("filter");
                        let took = ms(t.elapsed());
                        // A read still under way when the sync ended counts too: it began during it.
                        assert!(v.is_some(), "the old copy stays readable during a sync");
                        out.push((name, took));
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    out
                })
            };
            let t = Instant::now();
            let n = core.sync_calls().await.expect("sync");
            let synced = t.elapsed();
            done.store(true, Ordering::Release);
            let got = reader.join().expect("reader");
            assert_eq!(n, BIG_CDR_ROWS);
            let worst = got.iter().map(|(_, t)| *t).fold(0.0, f64::max);
            println!(
                "filter round {round}: sync {:.1} ms, {} filter reads during it, slowest {worst:.2} ms",
                ms(synced),
                got.len()
            );
            for (name, t) in got {
                reads.push(t);
                match by_filter.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, v)) => v.push(t),
                    None => by_filter.push((name, vec![t])),
                }
            }
            core.logout().await.ok();
        }

        for (name, v) in &by_filter {
            let mut s = v.clone();
            s.sort_by(f64::total_cmp);
            println!(
                "  {name} filter during sync: {} reads, median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
                s.len(),
                pct(&s, 50.0),
                pct(&s, 90.0),
                s.last().copied().unwrap_or(f64::NAN)
            );
        }
        report(
            "cdr_sync",
            "sync_calls, 100,000 records into an empty cache",
            &sync,
        );
        report(
            "cdr_first_page",
            "first page (30 days, 200 rows + totals)",
            &first,
        );
        report(
            "cdr_filter_during_sync",
            "a filter (page + totals) while a sync runs",
            &reads,
        );
    });
}
