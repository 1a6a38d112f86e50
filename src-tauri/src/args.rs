//! Launch options, for QA harnesses and power users: which operator, which data dir, which keyring
//! service. Every one is optional; with none the app behaves as a subscriber's install does.
//!
//! `mymts-app [--operator URL] [--world URL] [--world-token T] [--device-sim NUMBER]
//! [--data-dir DIR] [--keyring-service NAME]` (also `MYMTS_OPERATOR_URL`, `MYMTS_WORLD_URL`,
//! `MYMTS_WORLD_TOKEN`, `MYMTS_DEVICE_SIM`, `MYMTS_DATA_DIR`, `MYMTS_KEYRING_SERVICE`).

use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Parser)]
#[command(name = "mymts-app", about = "My MTS self-care app")]
pub struct Launch {
    /// A standalone operator's API URL (default: the embedded operator, or the saved setting).
    #[arg(long, env = "MYMTS_OPERATOR_URL")]
    pub operator: Option<String>,
    /// A standalone operator's simulated world door (SEC-1): phones, mailboxes, QA API.
    #[arg(long, env = "MYMTS_WORLD_URL")]
    pub world: Option<String>,
    /// The world door's token (never saved in the settings). Random URL-safe base64, so it may
    /// start with `-`: it is always a value.
    #[arg(
        long,
        env = "MYMTS_WORLD_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub world_token: Option<String>,
    /// The simulated phone whose SIM is in this device (AUTH-7 on-net sign-in).
    #[arg(long, env = "MYMTS_DEVICE_SIM")]
    pub device_sim: Option<String>,
    /// Where the cache, settings, logs and the embedded operator's database live.
    #[arg(long, env = "MYMTS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The OS keyring service the remembered sign-in is filed under (one per test run).
    #[arg(long, env = "MYMTS_KEYRING_SERVICE")]
    pub keyring_service: Option<String>,
}

impl Launch {
    /// Reads the process arguments. Unknown arguments (platforms add their own) are ignored
    /// rather than stopping the app.
    pub fn from_process() -> Self {
        Self::try_parse().unwrap_or_else(|e| {
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) {
                let _ = e.print();
                std::process::exit(0);
            }
            tracing::warn!("ignoring launch arguments it cannot read: {e}");
            Self::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A world token is random URL-safe base64, so one in 64 starts with `-`. Read as a flag,
    /// it made the app drop every launch argument and start its embedded operator instead of
    /// the one it was given (seen as j25 failing now and then: the WebDriver journey drove an
    /// app talking to another operator).
    #[test]
    fn a_world_token_starting_with_a_dash_is_a_value() {
        let l = Launch::try_parse_from([
            "mymts-app",
            "--operator",
            "http://127.0.0.1:9",
            "--world-token",
            "-zQ3v9xZ2mPwQ",
            "--data-dir",
            "/tmp/x",
        ])
        .expect("parses");
        assert_eq!(l.world_token.as_deref(), Some("-zQ3v9xZ2mPwQ"));
        assert_eq!(l.operator.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(l.data_dir, Some(PathBuf::from("/tmp/x")));
    }

    #[test]
    fn reads_the_harness_flags() {
        let l = Launch::try_parse_from([
            "mymts-app",
            "--operator",
            "http://127.0.0.1:9",
            "--data-dir",
            "/tmp/x",
            "--keyring-service",
            "svc",
            "--world",
            "http://127.0.0.1:10",
            "--world-token",
            "t",
            "--device-sim",
            "+79161234567",
        ])
        .expect("parses");
        assert_eq!(l.world.as_deref(), Some("http://127.0.0.1:10"));
        assert_eq!(l.world_token.as_deref(), Some("t"));
        assert_eq!(l.device_sim.as_deref(), Some("+79161234567"));
        assert_eq!(l.operator.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(l.data_dir, Some(PathBuf::from("/tmp/x")));
        assert_eq!(l.keyring_service.as_deref(), Some("svc"));
    }
}
