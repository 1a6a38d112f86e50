//! Logins per second against what argon2id allows on this machine (docs/perf.md).
//!
//! `cargo bench -p mymts-operator --bench logins`. Prints the raw argon2id verify rate with one
//! thread per core (allocating per verify, and keeping the memory: the ceiling), then the rate of
//! full password logins over HTTP on loopback (hash, session, audit row), and their ratio to the
//! ceiling. The bar is ≥ 90 %.

use std::time::{Duration, Instant};

const SECONDS: u64 = 2;
const ROUNDS: usize = 9;

/// argon2id verifies per second with one thread per core; with `reuse`, each thread keeps its
/// working memory as the server does under load (the ceiling), else it allocates per verify.
fn raw_verifies_per_s(cores: usize, reuse: bool) -> f64 {
    let hash = mymts_operator::passwords::hash_blocking("Anna2026pass").unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let hash = hash.clone();
                s.spawn(move || {
                    let mut n = 0u64;
                    let mut memory = mymts_operator::passwords::Memory::default();
                    while Instant::now() < deadline {
                        if reuse {
                            mymts_operator::passwords::verify_in(
                                &mut memory,
                                "Anna2026pass",
                                &hash,
                            );
                        } else {
                            mymts_operator::passwords::verify_blocking("Anna2026pass", &hash);
                        }
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

async fn http_logins_per_s(api_url: &str, clients: usize) -> f64 {
    let http = reqwest::Client::new();
    let url = format!("{api_url}/v1/auth/login");
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
    total as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let clients = cores * 4;
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        eprintln!("no runtime");
        return;
    };
    let Ok(run) = rt.block_on(mymts_operator::start(mymts_operator::Config::ephemeral())) else {
        eprintln!("operator did not start");
        return;
    };
    println!(
        "cores: {cores}; argon2id m=19 MiB, t=2, p=1; {ROUNDS} rounds of {SECONDS} s per phase"
    );
    // The phases alternate, and each round's ratio is taken within the round, so a shared
    // machine slowing down for a while moves both sides of a ratio, not one.
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let fresh = raw_verifies_per_s(cores, false);
        let ceiling = raw_verifies_per_s(cores, true);
        let http = rt.block_on(http_logins_per_s(&run.api_url, clients));
        let ratio = 100.0 * http / ceiling.max(f64::MIN_POSITIVE);
        println!(
            "round {round}: verifies/s allocating {fresh:.1}, keeping memory (ceiling) {ceiling:.1}; \
             logins/s over HTTP ({clients} clients) {http:.1}; ratio {ratio:.1} %"
        );
        ratios.push(ratio);
    }
    println!("ratio: median {:.1} %", median(ratios));
    rt.block_on(run.stop());
}
