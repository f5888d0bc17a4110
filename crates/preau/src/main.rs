//! `preau`: the command that runs a school's Préau, seeds a demo school and administers
//! accounts. It only wires configuration, store and web together.

mod admin;
mod config;
mod demo;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::Config;
use preau_store::Store;

#[derive(Parser)]
#[command(
    name = "preau",
    version,
    about = "Préau: lessons, homework, school life and meetings, on the school's own server.",
    long_about = "Préau: lessons, homework, school life and meetings, on the school's own server.\n\n\
        Try it:            preau demo            (a demo school on a temporary database)\n\
        Run your school:   preau serve           (reads ./preau.toml and PREAU_* variables)\n\
        First accounts:    preau establishment add …, then preau user add --role admin …\n\n\
        Every setting can be given in preau.toml or as an environment variable: listen = \"…\" in the\n\
        file is PREAU_LISTEN=… in the environment. `preau check-config` shows the result."
)]
struct Cli {
    /// Configuration file (default: ./preau.toml when it exists).
    #[arg(long, global = true, env = "PREAU_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server with the configured data directory (./preau-data by default).
    Serve {
        /// Benchmarks only: let load bots holding the token in this file (32 characters or
        /// more) join in-memory rooms at /bench/rooms/{id}/ws without an account. Never on a
        /// school's server. (A file, not an argument: the command line is visible to every user.)
        #[arg(long, value_name = "FILE")]
        bench_token_file: Option<PathBuf>,
    },
    /// Run the server on a fresh demo school and print every demo account.
    ///
    /// Prints the URL, then one line per account: role<TAB>login<TAB>password.
    Demo {
        /// Port to listen on, on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Keep the demo's data here (must be empty or absent) instead of a temporary directory.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// Give every demo account this password (otherwise one is generated).
        #[arg(long, value_name = "PW")]
        demo_password: Option<String>,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage establishments.
    #[command(subcommand)]
    Establishment(admin::EstablishmentCommand),
    /// Check the configuration and print it as Préau understands it.
    CheckConfig,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("preau: {e}");
            return ExitCode::from(2);
        }
    };
    init_logs(&config.log);
    for key in Config::unknown_env_keys() {
        tracing::warn!(variable = %key, "this environment variable names no Préau setting: ignored");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("preau: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { bench_token_file } => serve(config, bench_token_file).await,
            Command::Demo { port, data_dir, demo_password } => demo::run(config, port, data_dir, demo_password).await,
            Command::User(cmd) => admin::user(&config, cmd).await,
            Command::Establishment(cmd) => admin::establishment(&config, cmd).await,
            Command::CheckConfig => check_config(&config).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("preau: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(filter))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.data_dir, config.db_max_connections).await.context("cannot open the database")
}

async fn serve(config: Config, bench_token_file: Option<PathBuf>) -> anyhow::Result<()> {
    let bench_token = match &bench_token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the bench token file {}", path.display()))?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    if let Some(t) = &bench_token {
        anyhow::ensure!(t.len() >= 32, "the bench token must be at least 32 characters long");
        tracing::warn!("benchmark mode: load bots with the bench token may join in-memory rooms without an account");
    }
    let store = open_store(&config).await?;
    if store.is_empty().await? {
        tracing::warn!(
            "no establishment yet: create one with `preau establishment add` and an administrator with `preau user add --role admin`"
        );
    }
    ensure_class_rooms(&store).await?;
    ensure_recordings_dir(&config)?;
    // Before anything can upload: files whose upload failed, or that nothing names any more.
    let swept = store.sweep_files(std::time::SystemTime::now() - std::time::Duration::from_secs(3600)).await?;
    if swept > 0 {
        tracing::info!(files = swept, "unused uploaded files removed");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (setting `listen`)", config.listen))?;
    let bound = listener.local_addr()?;
    let media = preau_media::driver::start(config.media(config.media_udp))
        .await
        .with_context(|| format!("cannot start the media server on UDP {} (setting `media_udp`)", config.media_udp))?;
    let signal = std::sync::Arc::new(preau_web::signal::Live::new(Some(media), config.ice()));
    let mut web = config.web(config.public_url(bound));
    web.bench_token = bench_token;
    let state = preau_web::AppState::with_media(store.clone(), web, Default::default(), signal);
    tracing::info!(address = %bound, data_dir = %config.data_dir.display(), "Préau is listening");
    preau_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Makes the recordings' directory when recording is on.
pub fn ensure_recordings_dir(config: &Config) -> anyhow::Result<()> {
    if config.recording {
        let dir = config.recordings_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the recordings' directory {} (setting `recording`)", dir.display()))?;
    }
    Ok(())
}

/// Gives every division and teaching group its permanent virtual classroom, if it lacks one
/// (divisions imported or created since the last start).
async fn ensure_class_rooms(store: &Store) -> anyhow::Result<()> {
    let now = preau_web::clock::Clock::default().now();
    let mut new_id = || preau_core::RoomId::new(now, preau_web::clock::random_u128());
    for e in store.establishments().await? {
        let created = store
            .ensure_class_rooms(&e.id, now, &mut new_id)
            .await
            .with_context(|| format!("cannot create the virtual classrooms of {}", e.name))?;
        if created > 0 {
            tracing::info!(establishment = %e.name, created, "virtual classrooms created");
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn check_config(config: &Config) -> anyhow::Result<()> {
    let text = toml::to_string(config).context("cannot print the configuration")?;
    println!("{text}");
    // The data directory must be usable too.
    let store = open_store(config).await?;
    store.close().await;
    eprintln!("configuration OK; data directory {} is usable", config.data_dir.display());
    Ok(())
}
