//! `mymts-operator`: the simulated operator as a standalone server for QA labs.

use anyhow::Context;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    version,
    about = "The simulated mobile operator for mymts (self-care API, SMS centre, phones, mailboxes, QA API)"
)]
struct Args {
    /// Address of the public self-care API.
    #[arg(long, default_value = "127.0.0.1:8700")]
    listen: SocketAddr,
    /// Address of the on-net gateway (AUTH-7).
    #[arg(long, default_value = "127.0.0.1:8701")]
    gateway_listen: SocketAddr,
    /// Address of the simulated world's door (SEC-1): phones, mailboxes and, with --qa, the QA
    /// API. Keep it on loopback or a private network.
    #[arg(long, default_value = "127.0.0.1:8702")]
    world_listen: SocketAddr,
    /// Every request to the world door must carry `Authorization: Bearer <token>` (also from
    /// the environment, which keeps it out of the process list).
    #[arg(long, env = "MYMTS_WORLD_TOKEN", hide_env_values = true)]
    world_token: Option<String>,
    /// The database file (created and filled with the demo data on first start).
    #[arg(long)]
    db: PathBuf,
    /// Turn on the QA API (/qa/..., on the world door). Without it those endpoints do not exist.
    #[arg(long)]
    qa: bool,
    /// Print a door's OpenAPI document and exit: `public` (the default) or `world` (with --qa,
    /// including the QA API).
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "public")]
    print_openapi: Option<Door>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Door {
    Public,
    World,
}

/// Exit code when the database or its key file is damaged, or they do not belong together; the
/// message on stderr names the file and what to do. Anything else that stops a start exits 1.
const EXIT_DAMAGED: u8 = 3;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    #[cfg(feature = "failpoints")]
    let _crash_points = mymts_operator::crash_points_from_env();
    let args = Args::parse();
    if let Some(door) = args.print_openapi {
        let doc = match door {
            Door::Public => mymts_operator::doors::openapi(),
            Door::World => mymts_operator::doors::world_openapi(args.qa),
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    let world_token = args.world_token.clone().filter(|t| !t.trim().is_empty());
    if world_token.is_none() && !args.world_listen.ip().is_loopback() {
        tracing::warn!(
            world = %args.world_listen,
            "the world door listens beyond loopback without a token: anyone who reaches it owns every phone and mailbox"
        );
    }
    let running = match mymts_operator::start(mymts_operator::Config {
        db_path: Some(args.db.clone()),
        listen: args.listen,
        gateway_listen: Some(args.gateway_listen),
        world_listen: args.world_listen,
        world_token,
        qa: args.qa,
    })
    .await
    {
        Ok(running) => running,
        Err(e) if e.is_damage() => {
            eprintln!("mymts-operator: not started: {e}.");
            return Ok(ExitCode::from(EXIT_DAMAGED));
        }
        Err(e) => {
            return Err(e)
                .with_context(|| format!("starting the operator over {}", args.db.display()));
        }
    };
    // The first line of stdout is machine-readable, so scripts can wait for it.
    println!(
        "mymts-operator api={} gateway={} world={} qa={}",
        running.api_url,
        running.gateway_url.as_deref().unwrap_or("-"),
        running.world_url,
        args.qa
    );
    shutdown_signal().await;
    tracing::info!("stopping");
    running.stop().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
