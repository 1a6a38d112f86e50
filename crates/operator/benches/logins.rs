//! Logins per second against what argon2id allows on this machine (docs/perf.md).
//!
//! `cargo bench -p mymts-operator --bench logins`. Prints the raw argon2id verify rate with one
//! thread per core, then the rate of full password logins over HTTP on loopback (hash, session,
//! audit row), and their ratio. The bar is ≥ 90 %.

use std::time::{Duration, Instant};

const SECONDS: u64 = 4;

fn raw_verifies_per_s(cores: usize) -> f64 {
    let hash = mymts_operator::passwords::hash_blocking("Anna2026pass").unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let hash = hash.clone();
                s.spawn(move || {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        mymts_operator::passwords::verify_blocking("Anna2026pass", &hash);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    counts.iter().sum::<u64>() as f64 / start.elapsed().as_secs_f64()
}

async fn http_logins_per_s(clients: usize) -> f64 {
    let Ok(run) = mymts_operator::start(mymts_operator::Config::ephemeral()).await else {
        eprintln!("operator did not start");
        return 0.0;
    };
    let http = reqwest::Client::new();
    let url = format!("{}/v1/auth/login", run.api_url);
    let body = serde_json::json!({"method": "password", "login": mymts_operator::seed::ANNA, "password": "Anna2026pass"});
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        set.spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                match http.post(&url).json(&body).send().await {
                    Ok(r) if r.status().is_success() => n += 1,
                    Ok(r) => eprintln!("login answered {}", r.status()),
                    Err(e) => eprintln!("login failed: {e}"),
                }
            }
            n
        });
    }
    let mut total = 0u64;
    while let Some(n) = set.join_next().await {
        total += n.unwrap_or(0);
    }
    let rate = total as f64 / start.elapsed().as_secs_f64();
    run.stop().await;
    rate
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let raw = raw_verifies_per_s(cores);
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        eprintln!("no runtime");
        return;
    };
    let http = rt.block_on(http_logins_per_s(cores * 4));
    println!("cores: {cores}");
    println!("argon2id verifies/s (m=19 MiB, t=2, p=1, {cores} threads): {raw:.1}");
    println!(
        "password logins/s over HTTP ({} clients): {http:.1}",
        cores * 4
    );
    println!("ratio: {:.1} %", 100.0 * http / raw.max(f64::MIN_POSITIVE));
}
