//! Headers, limits, static assets, health and metrics.

use axum::http::StatusCode;
use preau_core::Role;

use crate::harness::TestApp;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let mut c = app.signed_in(app.person(Role::Pupil, 0)).await;
    let css = preau_web::assets::url("preau.css");
    for path in ["/login", "/dashboard", "/nothing", "/healthz", css, "/admin/people"] {
        let r = c.get(path).await;
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        for directive in ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(r.headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(r.headers["cross-origin-opener-policy"], "same-origin", "{path}");
        assert!(r.headers.get("strict-transport-security").is_none(), "no HSTS over plain http");
    }
}

#[tokio::test]
async fn static_assets_are_hashed_cached_and_compressed() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let css = preau_web::assets::url("preau.css");
    assert!(css.starts_with("/static/preau.") && css.ends_with(".css") && css.len() > "/static/preau..css".len() + 8);
    c.headers.insert("accept-encoding", "br, gzip".parse().unwrap());
    let r = c.get(css).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.headers["content-encoding"], "br");
    c.headers.insert("accept-encoding", "gzip".parse().unwrap());
    assert_eq!(c.get("/login").await.headers["content-encoding"], "gzip");
    // A stale or invented name is not found.
    assert_eq!(c.get("/static/preau.css").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/static/..%2F..%2FCargo.toml").await.status, StatusCode::NOT_FOUND);
    // Pages refer to the hashed names only, never another origin.
    c.headers.remove("accept-encoding");
    let login = c.get("/login").await.text;
    assert!(login.contains(css));
    assert!(!login.contains("http://") && !login.contains("https://") && !login.contains("//cdn"));
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_clear_errors() {
    let app = TestApp::with_config(|c| c.max_body_bytes = 4096).await;
    let mut c = app.signed_in(app.person(Role::Admin, 0)).await;
    let before = app.count_people().await;
    let big = "x".repeat(10_000);
    let r = c.submit("/admin/people/new", "/admin/people/new", &[("first_name", &big), ("last_name", "B"), ("role", "pupil")]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.page(), "error-413");
    // A form missing its fields.
    let r = c.submit("/profile", "/profile/password", &[("current", "x")]).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert_eq!(r.page(), "error-400");
    assert!(r.text.contains("Requête invalide"));
    assert_eq!(app.count_people().await, before);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let mut local = app.client();
    assert_eq!(local.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(local.get("/readyz").await.status, StatusCode::OK);
    local.get("/login").await;
    let m = local.get("/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.text.contains("preau_http_requests_total{route=\"/login\""), "{}", m.text);
    assert!(m.text.contains("preau_http_request_duration_seconds_bucket"));
    assert!(m.text.contains("preau_active_sessions"));
    assert!(m.text.contains("preau_db_pool_connections"));

    let mut remote = app.client();
    remote.peer = "203.0.113.5:4000".parse().unwrap();
    assert_eq!(remote.get("/metrics").await.status, StatusCode::FORBIDDEN);
    // Relayed by an untrusted proxy on loopback: refused.
    local.headers.insert("x-forwarded-for", "203.0.113.5".parse().unwrap());
    assert_eq!(local.get("/metrics").await.status, StatusCode::FORBIDDEN);

    let token = "a-long-metrics-token-for-tests";
    let app = TestApp::with_config(|c| c.metrics_token = Some(token.into())).await;
    let mut remote = app.client();
    remote.peer = "203.0.113.5:4000".parse().unwrap();
    remote.headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    assert_eq!(remote.get("/metrics").await.status, StatusCode::OK);
    remote.headers.insert("authorization", "Bearer wrong-token-of-some-length".parse().unwrap());
    assert_eq!(remote.get("/metrics").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_forwarded_for_line_is_read_and_invented_methods_add_no_series() {
    let app = TestApp::with_config(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    // A proxy that appends its own line after the client's forged one.
    let mut c = app.client();
    let req = axum::http::Request::get("/metrics")
        .header("x-forwarded-for", "127.0.0.1")
        .header("x-forwarded-for", "203.0.113.9")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN, "the real client is the last hop");

    for n in 0..5 {
        let req = axum::http::Request::builder().method(format!("INVENTED{n}").as_str()).uri("/login").body(axum::body::Body::empty()).unwrap();
        c.send(req).await;
    }
    let m = app.client().get("/metrics").await.text;
    assert!(!m.contains("INVENTED"), "no series per invented method");
    assert!(m.contains("method=\"other\""));
}
