//! Middleware around every route: security headers, request id, logs and metrics, error pages.

use std::time::Instant;

use tracing::Instrument;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::{AppError, ErrorKind};
use crate::routes::Checked;
use crate::view::{Chrome, Rendered, Viewer, anonymous_lang, render};
use crate::{SharedState, clock};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; \
     connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self'";

/// The same hardening headers on every response, whatever produced it.
pub async fn security_headers(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    set(header::X_FRAME_OPTIONS, "DENY");
    // Pages hold personal data and may be opened on a shared family computer: not cached.
    set(header::CACHE_CONTROL, "no-store");
    if state.config.is_https() {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    response
}

/// The id of a request, shown on error pages and written in every log line about it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Gives the request an id, logs it and records its latency per route.
pub async fn observe(State(state): State<SharedState>, mut req: Request, next: Next) -> Response {
    let id = hex(&clock::random_bytes::<8>());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let shown_method = if method.as_str().len() <= 10 { method.as_str() } else { "other" };
    // A calendar feed's address is its secret: it stays out of the logs.
    let shown_path: String = if path.starts_with("/calendar/") { "/calendar/[secret]".into() } else { path.chars().take(300).collect() };
    let span = tracing::info_span!("request", id = %id, method = shown_method, path = %shown_path);
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let route = response.extensions().get::<Checked>().map(|c| c.path).unwrap_or("unmatched");
    let status = response.status();
    state.metrics.record_request(route, &method, status.as_u16(), elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(status = status.as_u16(), route, ms = elapsed.as_secs_f64() * 1000.0, "served");
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    response
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    code: u16,
    heading: String,
    message: String,
    request_id: String,
}

/// Renders a page for every error status that is not already a page: a clear message in the
/// visitor's language, the request id for the IT team, and no data.
pub async fn error_pages(State(_state): State<SharedState>, req: Request, next: Next) -> Response {
    let lang = anonymous_lang(req.headers());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.extensions().get::<Rendered>().is_some() {
        return response;
    }
    let viewer = response.extensions().get::<Viewer>().cloned();
    let kind = response.extensions().get::<ErrorKind>().map(|k| k.0.clone());
    let tr = viewer.as_ref().map(|v| v.tr).unwrap_or(crate::i18n::Tr::new(lang));
    let (page, key) = match (status, &kind) {
        (_, Some(AppError::Csrf)) => ("error-403", "error-csrf"),
        (StatusCode::FORBIDDEN, _) => ("error-403", "error-403"),
        (StatusCode::NOT_FOUND, _) => ("error-404", "error-404"),
        (StatusCode::PAYLOAD_TOO_LARGE, _) => ("error-413", "error-413"),
        (StatusCode::METHOD_NOT_ALLOWED, _) => ("error-405", "error-405"),
        (StatusCode::TOO_MANY_REQUESTS, _) => ("error-429", "error-429"),
        (s, _) if s.is_client_error() => ("error-400", "error-400"),
        _ => ("error-500", "error-500"),
    };
    let message = match &kind {
        Some(AppError::BadRequest(id)) => tr.t(id),
        _ => tr.t(&format!("{key}-text")),
    };
    let heading = tr.t(&format!("{key}-title"));
    let chrome = Chrome::new(tr, page, heading.clone(), viewer.as_ref());
    let body = ErrorPage { c: chrome, code: status.as_u16(), heading, message, request_id };
    let (mut parts, _) = response.into_parts();
    match render(status, &body) {
        Ok(page) => {
            let (page_parts, body) = page.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(header::CONTENT_TYPE, page_parts.headers[header::CONTENT_TYPE].clone());
            Response::from_parts(parts, body)
        }
        Err(e) => {
            tracing::error!(error = ?e, "the error page itself failed");
            status.into_response()
        }
    }
}
