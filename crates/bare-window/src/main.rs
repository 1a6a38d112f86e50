//! A bare Tauri window, the baseline of `scripts/bench` (start-up): the page reports its first frame
//! (two nested `requestAnimationFrame` after `DOMContentLoaded`, as FIELD-NOTES measured it) and
//! this prints `READY <epoch ms>`, the line the app prints with `MYMTS_STARTUP_MARKER=1`.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// The page's first frame; `marks` are its navigation timings (ms since `origin`).
#[tauri::command]
fn ready(marks: Option<String>) {
    let ms = now_ms();
    eprintln!("MARKS now={ms} {}", marks.unwrap_or_default());
    let mut out = std::io::stdout().lock();
    // Nothing to do if stdout is gone: the benchmark reads it or nobody does.
    let _ = writeln!(out, "READY {ms}");
    let _ = out.flush();
}

fn main() {
    eprintln!("MARKS started={}", now_ms());
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("the bare window stopped with an error: {e}");
        std::process::exit(1);
    }
}
