//! The operator binary as a child process: for tests that crash it at a fail point, kill it
//! with SIGKILL, start it again over the same files, or read its exit code and message.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mymts-operator");

/// A running operator process, its public API's base URL, its world door's and that door's
/// token.
pub struct Proc {
    pub child: Child,
    pub api: String,
    pub world: String,
    pub world_token: String,
}

impl Proc {
    /// kill -9: the process ends at whatever instruction it is on.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits (at most a minute) for the process to end by itself, as a fail point makes it.
    pub fn ended(mut self) -> Exited {
        let status = wait(&mut self.child);
        Exited {
            status,
            stderr: read_all(self.child.stderr.take()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// A request to the world door (`/sim/…`, `/qa/…`), with its token.
    pub fn world(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        super::client()
            .request(method, format!("{}{path}", self.world))
            .bearer_auth(&self.world_token)
    }
}

/// How a process that never got to listen ended.
#[derive(Debug)]
pub struct Exited {
    pub status: ExitStatus,
    pub stderr: String,
}

impl Exited {
    /// Ended by SIGABRT: a fail point fired and crashed it there.
    pub fn crashed(&self) -> bool {
        use std::os::unix::process::ExitStatusExt;
        self.status.signal() == Some(6)
    }
}

fn read_all(pipe: Option<impl Read>) -> String {
    let mut s = String::new();
    if let Some(mut p) = pipe {
        let _ = p.read_to_string(&mut s);
    }
    s
}

fn wait(child: &mut Child) -> ExitStatus {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("the operator neither listened nor ended within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `mymts-operator --db <db> --qa` on loopback ports, with `FAILPOINTS` when given, and
/// waits for its first stdout line. `Err` tells how it ended when it did not get to listen.
pub fn start(db: &Path, failpoints: Option<&str>) -> Result<Proc, Exited> {
    let world_token = format!("test-world-{:016x}", rand::random::<u64>());
    let mut cmd = Command::new(BIN);
    cmd.arg("--db")
        .arg(db)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--gateway-listen",
            "127.0.0.1:0",
            "--world-listen",
            "127.0.0.1:0",
            "--qa",
        ])
        .env("MYMTS_WORLD_TOKEN", &world_token)
        .env_remove("FAILPOINTS")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(f) = failpoints {
        cmd.env("FAILPOINTS", f);
    }
    let mut child = cmd.spawn().expect("spawn the operator binary");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    reader.read_line(&mut line).expect("read stdout");
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(str::to_string)
    };
    match (field("api="), field("world=")) {
        (Some(api), Some(world)) => Ok(Proc {
            api,
            world,
            world_token,
            child,
        }),
        _ => {
            let status = wait(&mut child);
            Err(Exited {
                status,
                stderr: read_all(child.stderr.take()),
            })
        }
    }
}

/// Starts and expects it to listen.
pub fn started(db: &Path) -> Proc {
    match start(db, None) {
        Ok(p) => p,
        Err(e) => panic!("the operator did not start: {e:?}"),
    }
}
