//! `preau demo`: the server on a fresh demo school.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use preau_store::Store;

use crate::config::Config;

pub async fn run(mut config: Config, port: u16, data_dir: Option<PathBuf>, password: Option<String>) -> anyhow::Result<()> {
    // A temporary directory lives as long as the demo and is removed after it.
    let _temp;
    config.data_dir = match data_dir {
        Some(dir) => dir,
        None => {
            let t = tempfile::Builder::new().prefix("preau-demo-").tempdir().context("cannot create a temporary directory")?;
            let path = t.path().to_path_buf();
            _temp = t;
            path
        }
    };
    let store = Store::open(&config.data_dir, config.db_max_connections).await.context("cannot open the database")?;
    if !store.is_empty().await? {
        bail!(
            "the data directory {} already holds a school; the demo needs an empty one (omit --data-dir for a temporary one)",
            config.data_dir.display()
        );
    }
    let password = match password {
        Some(p) => {
            preau_core::password::check_new_password(&p, "").context("--demo-password")?;
            p
        }
        None => preau_web::auth::generate_password(),
    };
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen} (--port)"))?;
    let bound = listener.local_addr()?;

    let now = preau_web::clock::Clock::default().now();
    let school = preau_core::demo::demo_school(now);
    // One password for every demo account: hash it once.
    let pw = password.clone();
    let hash = tokio::task::spawn_blocking(move || preau_web::auth::hash_password(&pw)).await?;
    store.insert_demo(&school, &hash, now).await.context("cannot write the demo school")?;

    let url = config.public_url.clone().unwrap_or_else(|| format!("http://{bound}/"));
    // The demo's SFU listens on loopback, on any free port unless media_udp names one.
    let udp = if config.media_udp == crate::config::Config::default().media_udp {
        std::net::SocketAddr::from(([127, 0, 0, 1], 0))
    } else {
        config.media_udp
    };
    crate::ensure_recordings_dir(&config)?;
    let media = preau_media::driver::start(config.media(udp)).await.with_context(|| format!("cannot start the media server on UDP {udp}"))?;
    let signal = std::sync::Arc::new(preau_web::signal::Live::new(Some(media), config.ice()));
    let state = preau_web::AppState::with_media(store.clone(), config.web(url.trim_end_matches('/').to_owned()), Default::default(), signal);
    // The listing is for whoever reads it; if they stop reading (`preau demo | head`), the demo
    // goes on serving.
    let listing = (|| -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}")?;
        for p in &school.people {
            let role = p.roles.primary().map(|r| r.as_str()).unwrap_or("guest");
            writeln!(out, "{role}\t{}\t{password}", p.login)?;
        }
        out.flush()
    })();
    if let Err(e) = listing {
        tracing::warn!(error = %e, "could not print the demo accounts");
    }
    tracing::info!(
        address = %bound,
        school = %school.establishment.name,
        accounts = school.people.len(),
        data_dir = %config.data_dir.display(),
        "demo ready"
    );
    preau_web::serve(listener, state, crate::shutdown_signal()).await?;
    store.close().await;
    Ok(())
}
