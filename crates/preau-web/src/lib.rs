//! Préau's web front: axum routes, server-rendered pages, sessions, CSRF, security headers,
//! health and metrics.
//!
//! Architecture invariant: handlers never build SQL; they call [`preau_store::Store`].
//! Architecture invariant: every route is added through [`routes::Routes`], which requires a
//! [`routes::Permission`]; a response from a route that did not go through the permission check
//! is replaced by a 500 (see `routes::require_marker`).

pub mod address_throttle;
pub mod assets;
pub mod auth;
pub mod clock;
pub mod i18n;
pub mod client_ip;
mod errors;
pub mod live;
pub mod mail;
pub mod recordings;
pub mod signal;
mod metrics;
mod middleware;
pub(crate) mod pages;
pub mod routes;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use ipnet::IpNet;
use preau_core::throttle::Limit;
use preau_store::Store;

pub use client_ip::parse_forwarded_for;
pub use live::{LiveRooms, NoLiveRooms};
pub use pages::meeting_live::keep_report;

/// What the web front needs to know, resolved by the binary from `preau.toml` and `PREAU_*`.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The URL people type, e.g. `https://preau.college-aubrac.fr`. Https makes cookies Secure
    /// and turns HSTS on.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// A session ends after this long without a request…
    pub session_idle_ms: i64,
    /// …and in any case this long after login.
    pub session_lifetime_ms: i64,
    /// Request bodies above this size are refused with 413…
    pub max_body_bytes: usize,
    /// …but for forms that carry files (homework, work handed in, feedback).
    pub max_upload_bytes: usize,
    /// Most bytes an establishment's class resources may take.
    pub resources_quota_bytes: i64,
    /// Who may read `/metrics` without a token.
    pub metrics_allow: Vec<IpNet>,
    /// A bearer token that also opens `/metrics`.
    pub metrics_token: Option<String>,
    /// Failed logins allowed per account, and per client address.
    pub login_per_account: Limit,
    pub login_per_ip: Limit,
    /// Most people in one virtual classroom; beyond, the room page says it is full. A room's
    /// hosts are admitted past it: a class must not be locked out of its own teacher.
    pub room_capacity: usize,
    /// Set only by `preau serve --bench-token-file`: load bots holding it may open
    /// `/bench/rooms/{id}/ws` without an account. `None` (always, outside benchmarks): that
    /// address answers 404.
    pub bench_token: Option<String>,
    /// The SMTP server for e-mail (guests' invitations); `None`: no e-mail is sent.
    pub mail: Option<mail::MailConfig>,
    /// Where recordings are kept, for how long, and whether new ones may be made; `None`
    /// (tests, the default): no recordings at all.
    pub recordings: Option<recordings::RecordingsConfig>,
}

impl WebConfig {
    /// Sensible defaults for a server reached at `public_url`.
    pub fn new(public_url: impl Into<String>) -> Self {
        WebConfig {
            public_url: public_url.into(),
            trusted_proxies: vec![],
            session_idle_ms: 2 * 3600 * 1000,
            session_lifetime_ms: 12 * 3600 * 1000,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            resources_quota_bytes: 5 * 1024 * 1024 * 1024,
            metrics_allow: vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()],
            metrics_token: None,
            login_per_account: Limit { burst: 5, refill_ms: 60_000 },
            login_per_ip: Limit { burst: 100, refill_ms: 1_000 },
            room_capacity: 60,
            bench_token: None,
            mail: None,
            recordings: None,
        }
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Shared by every request.
pub struct AppState {
    pub store: Store,
    pub config: WebConfig,
    pub clock: clock::Clock,
    /// Who is in which room right now, as the media layer knows it.
    pub live: Arc<dyn LiveRooms + Send + Sync>,
    /// The rooms in session and their sockets (the same registry as `live` when media runs).
    pub signal: Arc<signal::Live>,
    throttle: auth::LoginThrottle,
    /// Wrong conference PINs per client address.
    pin_throttle: address_throttle::AddressThrottle,
    /// Guests' passes per client address (each one a knock at a meeting's door).
    pass_throttle: address_throttle::AddressThrottle,
    metrics: metrics::Metrics,
    /// Establishment names for the page header; they change rarely and are asked on every page.
    establishment_names: std::sync::RwLock<std::collections::HashMap<preau_core::EstablishmentId, String>>,
    /// Wakes the mail sender when a change has written to the outbox.
    pub mail_wakeup: tokio::sync::Notify,
    /// Signing keys by purpose, read from the store (made there at first use).
    server_keys: std::sync::RwLock<std::collections::HashMap<&'static str, [u8; 32]>>,
    /// Forms with files being received at once (each may hold `max_upload_bytes` in memory).
    uploads: Arc<tokio::sync::Semaphore>,
}

/// Forms with files received at once; the others wait their turn.
const UPLOADS_AT_ONCE: usize = 8;

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(store: Store, config: WebConfig, clock: clock::Clock) -> SharedState {
        Self::with_live_rooms(store, config, clock, Arc::new(NoLiveRooms))
    }

    /// The state of a server with its media layer: rooms in session are counted by the
    /// signalling registry, which hands media to the SFU.
    pub fn with_media(store: Store, config: WebConfig, clock: clock::Clock, signal: Arc<signal::Live>) -> SharedState {
        let live: Arc<dyn LiveRooms + Send + Sync> = signal.clone();
        Self::build(store, config, clock, live, signal)
    }

    /// The state with the media layer's view of rooms in session.
    pub fn with_live_rooms(
        store: Store,
        config: WebConfig,
        clock: clock::Clock,
        live: Arc<dyn LiveRooms + Send + Sync>,
    ) -> SharedState {
        let signal = Arc::new(signal::Live::new(None, signal::IceConfig::default()));
        Self::build(store, config, clock, live, signal)
    }

    fn build(
        store: Store,
        config: WebConfig,
        clock: clock::Clock,
        live: Arc<dyn LiveRooms + Send + Sync>,
        signal: Arc<signal::Live>,
    ) -> SharedState {
        Arc::new(AppState {
            store,
            config,
            clock,
            live,
            signal,
            throttle: Default::default(),
            pin_throttle: pages::conference::pin_throttle(),
            pass_throttle: pages::meeting_live::pass_throttle(),
            metrics: metrics::Metrics::get(),
            establishment_names: Default::default(),
            server_keys: Default::default(),
            mail_wakeup: tokio::sync::Notify::new(),
            uploads: Arc::new(tokio::sync::Semaphore::new(UPLOADS_AT_ONCE)),
        })
    }

    /// The server's key for `purpose`, made at random and stored the first time it is needed.
    async fn server_key(&self, purpose: &'static str) -> Result<[u8; 32], preau_store::StoreError> {
        if let Some(key) = self.server_keys.read().unwrap().get(purpose) {
            return Ok(*key);
        }
        let key = self.store.server_key(purpose, clock::random_bytes::<32>(), self.clock.now()).await?;
        self.server_keys.write().unwrap().insert(purpose, key);
        Ok(key)
    }

    async fn establishment_name(&self, id: &preau_core::EstablishmentId) -> Result<String, preau_store::StoreError> {
        if let Some(name) = self.establishment_names.read().unwrap().get(id) {
            return Ok(name.clone());
        }
        let name = self.store.establishment(id).await?.map(|e| e.name).unwrap_or_default();
        self.establishment_names.write().unwrap().insert(id.clone(), name.clone());
        Ok(name)
    }
}

/// The whole application, ready to serve.
pub fn app(state: SharedState) -> axum::Router {
    routes::build(state).0
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: SharedState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(auth::sweep_sessions(state.clone()));
    let recordings = state.config.recordings.is_some().then(|| tokio::spawn(recordings::run(state.clone())));
    let mailer = state.config.mail.is_some().then(|| tokio::spawn(mail::run(state.clone())));
    let state_for_reports = state.clone();
    let (reports, mut ended) = tokio::sync::mpsc::unbounded_channel();
    state.signal.report_to(reports);
    let keeper = {
        let state = state.clone();
        tokio::spawn(async move {
            // A recording's file is finished in a task of its own: a recorder that is behind
            // holds up no report and no other recording.
            let mut finishing = tokio::task::JoinSet::new();
            while let Some(report) = ended.recv().await {
                match report {
                    signal::Report::Session(session) => pages::meeting_live::keep_report(&state, &session).await,
                    signal::Report::RecordingStarted { id, booking, by, at } => recordings::started(&state, &id, &booking, &by, at).await,
                    signal::Report::RecordingEnded { id, recording } => {
                        finishing.spawn(recordings::finish(state.clone(), id, recording));
                    }
                }
            }
            while finishing.join_next().await.is_some() {}
        })
    };
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sweeper.abort();
    // Sessions still in progress end with the server: their reports are kept before it stops.
    state_for_reports.signal.end_all();
    if tokio::time::timeout(std::time::Duration::from_secs(10), keeper).await.is_err() {
        tracing::warn!("some meeting reports or recordings could not be kept before stopping");
    }
    if let Some(m) = mailer {
        m.abort();
    }
    if let Some(r) = recordings {
        r.abort();
    }
    result
}
