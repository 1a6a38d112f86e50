//! How long the operator takes to start (docs/perf.md): in memory (what tests and the benches
//! use), the first start over a file (key, seeded database, each written whole), and a start
//! over an existing file (what the app's embedded operator does every launch). Seeding is 100,000
//! call-detail rows and 13 argon2id hashes. `cargo bench -p mymts-operator --bench start`.

use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

async fn timed(config: mymts_operator::Config) -> Option<Duration> {
    let t = Instant::now();
    let run = mymts_operator::start(config).await.ok()?;
    let took = t.elapsed();
    run.stop().await;
    Some(took)
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    match (
        samples.first(),
        samples.get(samples.len() / 2),
        samples.last(),
    ) {
        (Some(min), Some(median), Some(max)) => println!(
            "{what}: median {:.0} ms, min {:.0} ms, max {:.0} ms ({} rounds)",
            ms(*median),
            ms(*min),
            ms(*max),
            samples.len()
        ),
        _ => println!("{what}: no samples"),
    }
}

#[tokio::main]
async fn main() {
    let (mut memory, mut first, mut again) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let Ok(dir) = tempfile::tempdir() else {
            eprintln!("no temporary folder");
            return;
        };
        let file = mymts_operator::Config::embedded(dir.path());
        let (Some(m), Some(f), Some(a)) = (
            timed(mymts_operator::Config::ephemeral()).await,
            timed(file.clone()).await,
            timed(file).await,
        ) else {
            eprintln!("the operator did not start");
            return;
        };
        memory.push(m);
        first.push(f);
        again.push(a);
    }
    report("in memory, seeded", memory);
    report("first start over a file (key, seeded database)", first);
    report("start over an existing file", again);
}
