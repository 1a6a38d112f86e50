//! The app's log: stderr, and `<data dir>/logs/mymts-app.log` once the data dir is known, so a QA
//! run keeps each app's log beside its data. Secrets never reach it (the core logs codes only).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::fmt::MakeWriter;

static FILE: OnceLock<Arc<Mutex<std::fs::File>>> = OnceLock::new();

#[derive(Clone)]
struct Tee;

struct TeeWriter;

impl Write for TeeWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(f) = FILE.get()
            && let Ok(mut f) = f.lock()
        {
            let _ = f.write_all(buf);
        }
        // All of it, so a short write to stderr cannot make the caller resend (and the file
        // get the rest twice).
        std::io::stderr().write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for Tee {
    type Writer = TeeWriter;
    fn make_writer(&'a self) -> Self::Writer {
        TeeWriter
    }
}

pub fn init() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYMTS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(Tee)
        .try_init();
}

/// From now on the log also goes to `<data>/logs/mymts-app.log`.
pub fn to_file(data: &std::path::Path) {
    let dir = data.join("logs");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    if let Ok(f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("mymts-app.log"))
    {
        let _ = FILE.set(Arc::new(Mutex::new(f)));
    }
}
