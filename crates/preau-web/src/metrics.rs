//! Prometheus metrics: request counts and latency per route, database pool, live sessions.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::header;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::{AppState, auth};

#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

const LATENCY: &str = "preau_http_request_duration_seconds";

impl Metrics {
    /// The process-wide recorder, installed on first use.
    pub fn get() -> Metrics {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        let handle = HANDLE.get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(LATENCY.into()),
                    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
                )
                .expect("non-empty buckets");
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (by an embedding program): then ours only renders.
            let _ = metrics::set_global_recorder(recorder);
            handle
        });
        Metrics { handle: handle.clone() }
    }

    pub fn record_request(&self, route: &'static str, method: &axum::http::Method, status: u16, seconds: f64) {
        // A fixed set of labels: invented methods must not create series without end.
        let method = match *method {
            axum::http::Method::GET => "GET",
            axum::http::Method::HEAD => "HEAD",
            axum::http::Method::POST => "POST",
            _ => "other",
        };
        metrics::counter!("preau_http_requests_total", "route" => route, "method" => method, "status" => status.to_string())
            .increment(1);
        metrics::histogram!(LATENCY, "route" => route, "method" => method).record(seconds);
    }

    pub async fn render(&self, state: &AppState) -> String {
        let (size, idle) = state.store.pool_stats();
        metrics::gauge!("preau_db_pool_connections").set(f64::from(size));
        metrics::gauge!("preau_db_pool_idle_connections").set(idle as f64);
        match state.store.count_live_sessions(state.clock.now(), state.config.session_idle_ms).await {
            Ok(n) => metrics::gauge!("preau_active_sessions").set(n as f64),
            Err(e) => tracing::warn!(error = %e, "could not count sessions"),
        }
        self.handle.render()
    }
}

/// `/metrics` answers the configured addresses, or a request with the bearer token. A request
/// relayed by a proxy we do not trust is refused: its peer address says nothing of its origin.
pub fn may_read(state: &AppState, req: &Request) -> bool {
    if let Some(token) = &state.config.metrics_token {
        let sent = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if sent.and_then(|s| s.strip_prefix("Bearer ")).is_some_and(|s| auth::same_secret(s, token)) {
            return true;
        }
    }
    let Some(client) = crate::client_ip::client_ip(state, req.headers(), req.extensions()) else { return false };
    if !client.trusted_chain && req.headers().contains_key("x-forwarded-for") {
        return false;
    }
    state.config.metrics_allow.iter().any(|net| net.contains(&client.ip))
}
