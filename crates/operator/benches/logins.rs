//! Logins per second against what argon2id allows on this machine (docs/perf.md, issue 14).
//!
//! `cargo bench -p mymts-operator --bench logins`. The server is the operator binary
//! (`target/release/mymts-operator`, built by cargo for this bench) in its own process, on free
//! loopback ports over a fresh database in a temporary directory. This process is the load
//! generator: one thread per client, each with a blocking keep-alive HTTP/1.1 connection and no
//! more parsing than the status line and `Content-Length`, so the client costs the two shared
//! cores as little as a client can. The logins are spread over every seeded account with a
//! password, as real load is many subscribers.
//!
//! Each round measures, for 2 s each and one after the other: argon2id verifies with one thread
//! per core keeping its memory (`passwords::verify_in`, the ceiling) while the server is idle,
//! then full password logins over HTTP (aim, verify, verdict, session, three token rows, an audit
//! row). The ratio is taken within each round and its median over the rounds is the result.
//!
//! The last lines are machine-readable (`^RESULT`, read by scripts/bench). `LOGINS_ROUNDS=n`
//! runs another number of rounds (at least 1); `LOGINS_SECONDS=s` another phase length.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The operator binary cargo built for this bench (same package, same profile).
const OPERATOR: &str = env!("CARGO_BIN_EXE_mymts-operator");

/// Logins before the counted window of the HTTP phase: connections open, the server's hasher
/// keeps its working memory, and the window then sees the steady state only.
const WARM_UP: Duration = Duration::from_millis(500);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// argon2id verifies per second with one thread per core, each keeping its working memory as
/// the server does under load: the ceiling.
fn ceiling_per_s(cores: usize, phase: Duration) -> f64 {
    let hash = mymts_operator::passwords::hash_blocking("Anna2026pass").unwrap_or_default();
    let ready = std::sync::Barrier::new(cores);
    let rates: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let (hash, ready) = (hash.as_str(), &ready);
                s.spawn(move || {
                    let mut memory = mymts_operator::passwords::Memory::default();
                    // Uncounted, like the HTTP phase's warm-up: the memory is in place.
                    mymts_operator::passwords::verify_in(&mut memory, "Anna2026pass", hash);
                    ready.wait();
                    let start = Instant::now();
                    let deadline = start + phase;
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        mymts_operator::passwords::verify_in(&mut memory, "Anna2026pass", hash);
                        n += 1;
                    }
                    // Every verify counted is complete, the last one past the deadline: all
                    // of them over all the time they took.
                    n as f64 / start.elapsed().as_secs_f64()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(0.0))
            .collect()
    });
    rates.iter().sum()
}

/// CPU seconds (user + system, all threads) a process has used so far, from `/proc/<pid>/stat`;
/// `None` off Linux.
fn cpu_s(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name's closing parenthesis: utime and stime are the 12th and 13th.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let (user, system): (f64, f64) = (fields.next()?.parse().ok()?, fields.next()?.parse().ok()?);
    // The kernel reports USER_HZ ticks, 100 a second on every Linux this runs on.
    Some((user + system) / 100.0)
}

/// CPU seconds used by the bench process and the server together.
fn cpu_both(server: u32) -> Option<f64> {
    Some(cpu_s("self")? + cpu_s(&server.to_string())?)
}

/// The operator in its own process; killed when dropped, so a failed bench leaves none behind.
struct Server {
    child: Child,
    api: SocketAddr,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server() -> Result<Server, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let log = std::fs::File::create(dir.path().join("operator.log"))
        .map_err(|e| format!("log file: {e}"))?;
    let any = "127.0.0.1:0";
    let mut child = Command::new(OPERATOR)
        .args([
            "--listen",
            any,
            "--gateway-listen",
            any,
            "--world-listen",
            any,
        ])
        .arg("--db")
        .arg(dir.path().join("world.db"))
        .env_remove("MYMTS_WORLD_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("{OPERATOR}: {e}"))?;
    let stdout = child.stdout.take();
    // The first line of stdout says where it listens, once it does (src/main.rs).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        if let Some(out) = stdout {
            let mut out = BufReader::new(out);
            let _ = out.read_line(&mut line);
            let _ = tx.send(line);
            // Keep the pipe open (and drained) for the server's life.
            let _ = std::io::copy(&mut out, &mut std::io::sink());
        }
    });
    let mut server = Server {
        child,
        api: SocketAddr::from(([127, 0, 0, 1], 0)),
        dir,
    };
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .map_err(|_| "the operator did not say where it listens within 120 s".to_string())?;
    let api = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("api=http://"))
        .and_then(|a| a.trim_end_matches('/').parse().ok())
        .ok_or_else(|| {
            let log = std::fs::read_to_string(server.dir.path().join("operator.log"));
            format!(
                "unexpected first line {line:?}; log: {}",
                log.unwrap_or_default()
            )
        })?;
    server.api = api;
    Ok(server)
}

/// One keep-alive HTTP/1.1 connection, blocking, parsing no more than it must.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends a whole request and reads the whole response; returns its status.
    fn round_trip(&mut self, request: &[u8]) -> std::io::Result<u16> {
        self.stream.write_all(request)?;
        self.buf.clear();
        let mut chunk = [0u8; 4096];
        let (head_end, status, length) = loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end]).unwrap_or("");
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let length = head
                    .split("\r\n")
                    .filter_map(|h| h.split_once(':'))
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                    .ok_or_else(|| std::io::Error::other("no Content-Length"))?;
                break (end + 4, status, length);
            }
        };
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok(status)
    }
}

fn login_request(api: SocketAddr, login: &str, password: &str) -> Vec<u8> {
    let body =
        serde_json::json!({"method": "password", "login": login, "password": password}).to_string();
    format!(
        "POST /v1/auth/login HTTP/1.1\r\nHost: {api}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The seeded accounts with a password whose login the server accepts.
fn login_requests(api: SocketAddr) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut conn = Conn::open(api).map_err(|e| format!("connect {api}: {e}"))?;
    let mut ok = Vec::new();
    for d in mymts_operator::seed::DEMO
        .iter()
        .filter(|d| !d.password.is_empty())
    {
        let request = login_request(api, d.login, d.password);
        match conn.round_trip(&request) {
            Ok(200) => ok.push((d.login.to_string(), request)),
            Ok(status) => println!("  {} answers {status}: left out", d.login),
            Err(e) => return Err(format!("login {}: {e}", d.login)),
        }
    }
    if ok.is_empty() {
        return Err("no seeded account logs in".into());
    }
    Ok(ok)
}

/// Password logins per second over HTTP from `clients` connections, counted in a window of
/// `phase` after a warm-up: the steady state, as the ceiling's threads are always busy.
fn http_logins_per_s(
    api: SocketAddr,
    requests: &[(String, Vec<u8>)],
    clients: usize,
    phase: Duration,
) -> f64 {
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (from, to) = (start + WARM_UP, start + WARM_UP + phase);
    let done: Vec<Vec<Instant>> = std::thread::scope(|s| {
        let stop = &stop;
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                s.spawn(move || {
                    let mut times = Vec::with_capacity(1024);
                    let mut conn = match Conn::open(api) {
                        Ok(c) => c,
                        Err(e) => {
                            eprintln!("connect: {e}");
                            return times;
                        }
                    };
                    // Client i starts at the i-th account and goes round them all.
                    let mut next = i;
                    while !stop.load(Ordering::Relaxed) {
                        let (login, request) = &requests[next % requests.len()];
                        next += 1;
                        match conn.round_trip(request) {
                            Ok(200) => times.push(Instant::now()),
                            Ok(status) => eprintln!("login {login} answered {status}"),
                            Err(e) => {
                                eprintln!("login {login} failed: {e}");
                                match Conn::open(api) {
                                    Ok(c) => conn = c,
                                    Err(_) => return times,
                                }
                            }
                        }
                    }
                    times
                })
            })
            .collect();
        std::thread::sleep(to.saturating_duration_since(Instant::now()));
        stop.store(true, Ordering::Relaxed);
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let counted = done
        .iter()
        .flatten()
        .filter(|&&t| t >= from && t < to)
        .count();
    counted as f64 / phase.as_secs_f64()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank; with 9 rounds p50 is the 5th, p90 the 9th.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn result_line(case: &str, unit: &str, values: &[f64], p90: bool) -> String {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mut line = format!(
        "RESULT case={case} unit={unit} n={} p50={:.1}",
        v.len(),
        percentile(&v, 50.0)
    );
    if p90 {
        line += &format!(" p90={:.1}", percentile(&v, 90.0));
    }
    line += &format!(
        " min={:.1} max={:.1}",
        v.first().copied().unwrap_or(0.0),
        v.last().copied().unwrap_or(0.0)
    );
    line
}

fn main() -> std::process::ExitCode {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let clients = cores * 4;
    let rounds = env_number("LOGINS_ROUNDS", 9) as usize;
    let phase = Duration::from_secs(env_number("LOGINS_SECONDS", 2));
    let server = match start_server() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("operator did not start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let requests = match login_requests(server.api) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("operator does not answer logins: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!(
        "cores: {cores}; argon2id m=19 MiB, t=2, p=1; {rounds} rounds of {} s per phase; \
         operator pid {} at {}; {clients} clients over {} accounts",
        phase.as_secs(),
        server.child.id(),
        server.api,
        requests.len()
    );
    // The phases alternate, and each round's ratio is taken within the round, so a shared
    // machine slowing down for a while moves both sides of a ratio, not one.
    let (mut ceilings, mut https, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut cpu_ratios = Vec::new();
    let pid = server.child.id();
    for round in 1..=rounds {
        let (c0, t0) = (cpu_both(pid), Instant::now());
        let ceiling = ceiling_per_s(cores, phase);
        let (c1, t1) = (cpu_both(pid), Instant::now());
        let http = http_logins_per_s(server.api, &requests, clients, phase);
        let (c2, t2) = (cpu_both(pid), Instant::now());
        let ratio = 100.0 * http / ceiling.max(f64::MIN_POSITIVE);
        // How much of the two cores each phase got (both processes, whole phase): on a shared
        // machine other work takes some, and not always the same share in both phases.
        let share = |a: Option<f64>, b: Option<f64>, d: Duration| {
            a.zip(b)
                .map(|(a, b)| 100.0 * (b - a) / (d.as_secs_f64() * cores as f64))
        };
        let (cs, hs) = (share(c0, c1, t1 - t0), share(c1, c2, t2 - t1));
        let line = format!(
            "round {round}: verifies/s keeping memory (ceiling) {ceiling:.1}; \
             logins/s over HTTP ({clients} clients) {http:.1}; ratio {ratio:.1} %"
        );
        match cs.zip(hs) {
            Some((cs, hs)) => {
                // The ratio per CPU second: what the machine's other work took out.
                let per_cpu = ratio * cs / hs.max(f64::MIN_POSITIVE);
                println!(
                    "{line}; CPU share of the cores: ceiling {cs:.0} %, HTTP {hs:.0} % \
                     (server + clients); ratio per CPU second {per_cpu:.1} %"
                );
                cpu_ratios.push(per_cpu);
            }
            None => println!("{line}"),
        }
        ceilings.push(ceiling);
        https.push(http);
        ratios.push(ratio);
    }
    drop(server);
    println!(
        "{}",
        result_line("argon2_ceiling", "per_s", &ceilings, true)
    );
    println!("{}", result_line("http_logins", "per_s", &https, true));
    println!("{}", result_line("logins_ratio", "pct", &ratios, false));
    if !cpu_ratios.is_empty() {
        println!(
            "{}",
            result_line("logins_ratio_per_cpu_s", "pct", &cpu_ratios, false)
        );
    }
    std::process::ExitCode::SUCCESS
}
