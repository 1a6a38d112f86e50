//! Cache reads over 100,000 call-detail rows (CACHE-3, ACC-5), in a real SQLite file in WAL mode,
//! beside a second account's 100,000 rows so the account partition is part of every query.
//! `cargo bench -p mymts-core --bench cache_reads`; results in docs/perf.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mymts_core::cache::Cache;
use mymts_core::domain::CallFilter;
use mymts_proto::wire::{CallRecord, Direction, RecordKind};

const ROWS: i64 = 100_000;
const ME: &str = "+79161234571";
const NEIGHBOUR: &str = "+79161234572";
const START_MS: i64 = 1_700_000_000_000;
// About one record every 26 minutes: 100,000 rows span the six months the operator keeps.
const STEP_MS: i64 = 26 * 60_000;

/// Call detail shaped like the operator's: mostly calls and data sessions, a few thousand parties.
fn record(i: i64) -> CallRecord {
    let kind = match i % 10 {
        0..=4 => RecordKind::Call,
        5..=6 => RecordKind::Sms,
        _ => RecordKind::Data,
    };
    CallRecord {
        id: i,
        at_ms: START_MS + i * STEP_MS,
        kind,
        direction: if i % 3 == 0 {
            Direction::Incoming
        } else {
            Direction::Outgoing
        },
        party: format!("+7916{:07}", (i * 7919) % 4_000),
        duration_s: if kind == RecordKind::Call { i % 900 } else { 0 },
        volume_kb: if kind == RecordKind::Data {
            i % 50_000
        } else {
            0
        },
        cost_kop: i % 500,
    }
}

fn filled_cache(dir: &std::path::Path) -> Cache {
    let cache = Cache::open(&dir.join("cache.db")).expect("open the cache file");
    let rows: Vec<CallRecord> = (0..ROWS).map(record).collect();
    cache.replace_calls(ME, &rows, 1).expect("write 100k rows");
    cache
        .replace_calls(NEIGHBOUR, &rows, 1)
        .expect("write the neighbour's rows");
    cache
}

fn month(m: i64) -> CallFilter {
    CallFilter {
        from_ms: Some(START_MS + m * 30 * 86_400_000),
        to_ms: Some(START_MS + (m + 1) * 30 * 86_400_000),
        ..CallFilter::default()
    }
}

fn cache_reads(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = filled_cache(dir.path());
    let all = CallFilter::default();
    let calls_in_a_month = CallFilter {
        kind: Some(RecordKind::Call),
        ..month(2)
    };
    let number = CallFilter {
        search: Some("0001234".into()),
        ..CallFilter::default()
    };

    let mut g = c.benchmark_group("cache_100k");
    g.bench_function("first_page_100", |b| {
        b.iter(|| black_box(cache.query_calls(ME, &all, 100, 0).expect("page")))
    });
    g.bench_function("page_100_at_offset_50000", |b| {
        b.iter(|| black_box(cache.query_calls(ME, &all, 100, 50_000).expect("page")))
    });
    g.bench_function("filter_kind_and_month_page_100", |b| {
        b.iter(|| {
            black_box(
                cache
                    .query_calls(ME, &calls_in_a_month, 100, 0)
                    .expect("page"),
            )
        })
    });
    g.bench_function("search_number_page_100", |b| {
        b.iter(|| black_box(cache.query_calls(ME, &number, 100, 0).expect("page")))
    });
    g.bench_function("totals_all", |b| {
        b.iter(|| black_box(cache.call_totals(ME, &all).expect("totals")))
    });
    g.bench_function("totals_kind_and_month", |b| {
        b.iter(|| black_box(cache.call_totals(ME, &calls_in_a_month).expect("totals")))
    });
    g.bench_function("totals_search_number", |b| {
        b.iter(|| black_box(cache.call_totals(ME, &number).expect("totals")))
    });
    // The monthly spending chart: six month totals, as the call-detail screen draws it.
    g.bench_function("chart_six_month_totals", |b| {
        b.iter(|| {
            for m in 0..6 {
                black_box(cache.call_totals(ME, &month(m)).expect("totals"));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("cache_100k_write");
    g.sample_size(10);
    let rows: Vec<CallRecord> = (0..ROWS).map(record).collect();
    g.bench_function("replace_100k_rows", |b| {
        b.iter(|| cache.replace_calls(ME, &rows, 2).expect("replace"))
    });
    g.finish();
}

criterion_group!(benches, cache_reads);
criterion_main!(benches);
