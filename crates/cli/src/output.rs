//! What a command produced and how it is printed: one JSON object (`--json`) or text, and the
//! exit codes QA scripts depend on.

use std::process::ExitCode;

use mymts_core::{Cached, CoreError, clock::rfc3339};
use serde_json::{Value, json};

/// What a command produced.
pub(crate) enum Outcome {
    Ok(Value),
    /// Cached data shown because the operator could not be reached.
    Stale(Value),
    Err(CoreError),
}

impl From<CoreError> for Outcome {
    fn from(e: CoreError) -> Self {
        Outcome::Err(e)
    }
}

pub(crate) fn exit_code(e: &CoreError) -> u8 {
    match e {
        CoreError::Api(_) | CoreError::NotSignedIn | CoreError::SessionInactive => 3,
        CoreError::Unreachable(_) => 4,
        CoreError::InvalidInput(_) => 2,
        CoreError::KeyringUnavailable(_)
        | CoreError::Cache(_)
        | CoreError::Io(_)
        | CoreError::Protocol(_)
        | CoreError::UnlockRefused(_)
        | CoreError::Busy(_)
        | CoreError::OperatorDamaged(_) => 5,
    }
}

/// Writes a line to stdout. A closed pipe (`mymts … | head`) ends the output, not in a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

pub(crate) fn fail_setup(json: bool, e: &anyhow::Error) -> ExitCode {
    let err = CoreError::Io(format!("{e:#}"));
    print(json, Outcome::Err(err))
}

pub(crate) fn print(json: bool, o: Outcome) -> ExitCode {
    let (value, code, is_err) = match o {
        Outcome::Ok(v) => (v, 0, false),
        Outcome::Stale(v) => (v, 4, false),
        Outcome::Err(e) => {
            let c = exit_code(&e);
            (serde_json::to_value(&e).unwrap_or(Value::Null), c, true)
        }
    };
    if json {
        out!("{value}");
    } else if is_err {
        let msg = value["message"].as_str().unwrap_or("failed");
        let c = value["code"].as_str().unwrap_or("");
        eprintln!("error: {msg} [{c}]");
        if let Some(n) = value.get("attempts_left") {
            eprintln!("attempts left: {n}");
        }
        if let Some(h) = value["hint"].as_str() {
            eprintln!("hint: {h}");
        }
    } else {
        print_text(&value);
    }
    ExitCode::from(code)
}

pub(crate) fn print_text(v: &Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Array(items) => {
                        out!("{k}:");
                        for i in items {
                            out!("  {}", compact(i));
                        }
                    }
                    other => out!("{k}: {}", compact(other)),
                }
            }
        }
        other => out!("{}", compact(other)),
    }
}

pub(crate) fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", compact(v)))
            .collect::<Vec<_>>()
            .join("  "),
        other => other.to_string(),
    }
}

pub(crate) fn ms_of(c: &Cached<Value>) -> (String, bool) {
    (rfc3339(c.fetched_ms), c.stale)
}

pub(crate) fn view_outcome(c: Cached<Value>) -> Outcome {
    let (updated, stale) = ms_of(&c);
    let mut v = c.value;
    if let Value::Object(m) = &mut v {
        m.insert("fetched_at".into(), json!(updated));
        m.insert("stale".into(), json!(stale));
    }
    if stale {
        Outcome::Stale(v)
    } else {
        Outcome::Ok(v)
    }
}
