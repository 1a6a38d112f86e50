//! `mymts`: the app's core on the command line, for QA scripts and people without a window.
//! Its flags, JSON shapes and exit codes are a contract QA scripts depend on: keep them stable.
//!
//! Rooms: `args` (the flags and commands), `commands` (each command through the core), `qa`
//! (the lab's QA API), `output` (JSON or text, exit codes); this file sets up the data dir, the
//! operator and the core.

mod args;
mod commands;
mod output;
mod qa;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use mymts_core::{Core, CoreConfig, CoreError, WorldDoor};
use mymts_proto::PhoneNumber;

use args::Cli;
use output::{Outcome, fail_setup, print};

fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(feature = "failpoints")]
    let _crash_points = mymts_operator::crash_points_from_env();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYMTS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let json = cli.json;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail_setup(json, &anyhow::Error::from(e)),
    };
    match rt.block_on(run(cli)) {
        Ok(outcome) => print(json, outcome),
        Err(e) => fail_setup(json, &e),
    }
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("ru", "mymts", "mymts")
        .map(|d| d.data_dir().to_path_buf())
        .context("no home directory to keep the data dir in; pass --data-dir")
}

async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // Read before anything starts: a mistyped SIM is the user's input, answered as such.
    let device_sim = match cli
        .device_sim
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(PhoneNumber::parse)
        .transpose()
    {
        Ok(sim) => sim,
        Err(e) => return Ok(Outcome::Err(e.into())),
    };
    let data_dir = match cli.data_dir.clone() {
        Some(d) => d,
        None => default_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data dir {}", data_dir.display()))?;
    // One mymts per data dir: two would rotate each other's refresh tokens away and run two
    // embedded operators on one database. The OS drops the lock when this process ends.
    let _lock = match mymts_core::lock::DataDirLock::acquire(
        &data_dir,
        std::time::Duration::from_millis(cli.lock_wait_ms),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return Ok(Outcome::Err(e)),
    };

    let (url, world, embedded) = match cli.operator.clone().filter(|s| !s.trim().is_empty()) {
        Some(u) => {
            let world = match cli.world.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(w) => match WorldDoor::new(w, cli.world_token.as_deref()) {
                    Ok(d) => Some(d),
                    Err(e) => return Ok(Outcome::Err(e)),
                },
                None => None,
            };
            (u, world, None)
        }
        None => {
            let running =
                match mymts_operator::start(mymts_operator::Config::embedded(&data_dir)).await {
                    Ok(r) => r,
                    // Damaged files are the user's to decide about: said as such (CACHE-3).
                    Err(e) if e.is_damage() => {
                        return Ok(Outcome::Err(CoreError::OperatorDamaged(e.to_string())));
                    }
                    Err(e) => return Err(e).context("cannot start the embedded operator"),
                };
            let world = WorldDoor::new(&running.world_url, running.world_token.as_deref())
                .context("the embedded operator's world door")?;
            (running.api_url.clone(), Some(world), Some(running))
        }
    };
    let config = CoreConfig::new(url)
        .embedded_operator(embedded.is_some())
        .world(world)
        .device_sim(device_sim)
        .data_dir(&data_dir)
        .keyring_service(cli.keyring_service.clone())
        .device("mymts-cli", std::env::consts::OS);
    let outcome = match Core::new(config) {
        Ok(core) => {
            if let Some(h) = core.cache_healed(true) {
                // Said once, on stderr (stdout's JSON shape is a contract): CACHE-3.
                eprintln!(
                    "warning: the local cache was damaged ({}); it was set aside as {} and is rebuilt from the operator. Your login is kept.",
                    h.reason, h.damaged_path
                );
            }
            commands::command(&core, &data_dir, cli.cmd).await
        }
        Err(e) => Outcome::Err(e),
    };
    if let Some(r) = embedded {
        r.stop().await;
    }
    Ok(outcome)
}
