//! Architecture invariant: every route declares a permission and goes through the policy.

use axum::http::{Method, StatusCode};
use preau_web::routes::{Checked, Permission};

use crate::harness::TestApp;

/// A syntactically valid id that names nothing.
const SOME_ID: &str = "01kb0000000000000000000000";

#[tokio::test]
async fn every_route_declares_a_permission_and_enforces_it() {
    let app = TestApp::new().await;
    let table = preau_web::routes::table(app.state.clone());
    assert!(table.len() >= 20, "the table lists the routes");
    for route in &table {
        let path = route.path.replace("{id}", SOME_ID).replace("{file}", "nothing.css");
        let mut anonymous = app.client();
        let r = match route.method {
            Method::GET => anonymous.get(&path).await,
            Method::POST => anonymous.post(&path, &[("x", "y")]).await,
            ref m => panic!("unexpected method {m}"),
        };
        assert!(
            r.extensions.get::<Checked>().is_some(),
            "{} {}: the response did not go through the permission check",
            route.method,
            route.path
        );
        match route.permission {
            Permission::Signed(_) => {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{} {} must send strangers to login", route.method, route.path);
                assert!(r.location().starts_with("/login"), "{} {}", route.method, route.path);
            }
            Permission::Public if route.method == Method::POST => {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{} {}: a public form without CSRF token", route.method, route.path);
            }
            Permission::Anyone | Permission::Public | Permission::Metrics => {
                assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{} {}", route.method, route.path);
            }
        }
    }
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_answered_with_pages() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.get("/nothing/here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.page(), "error-404");
    assert!(r.text.contains("Page introuvable"));
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert!(r.text.contains(id), "the error page shows the request id");
    let r = c.send(axum::http::Request::delete("/login").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.page(), "error-405");
}

/// Tidy check: routes are only added through the permission-checking table in routes.rs.
#[test]
fn no_route_is_added_outside_the_route_table() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.file_name().unwrap() == "routes.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for needle in [".route(", "Router::new(", ".nest(", ".merge(", ".route_service("] {
                assert!(!text.contains(needle), "{} adds routes with {needle}: go through routes.rs", path.display());
            }
        }
    }
}
