//! Login, sessions, CSRF, throttling, language.

use axum::http::StatusCode;
use preau_core::Role;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn login_sets_a_hardened_session_cookie_and_logout_ends_it() {
    let app = TestApp::new().await;
    let pupil = app.person(Role::Pupil, 0);
    let mut c = app.client();
    let r = c.login(&pupil.login, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/dashboard");
    let set = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect::<Vec<_>>();
    let session = set.iter().find(|c| c.starts_with("preau_session=")).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    let token = c.cookie("preau_session").unwrap().to_owned();
    assert_eq!(token.len(), 43, "256-bit token");

    let dash = c.get("/dashboard").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert_eq!(dash.page(), "dashboard-pupil");

    let out = c.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login?out=1");
    let login = c.get("/login?out=1").await;
    assert!(login.text.contains("Vous êtes déconnecté(e)."));
    // The old token is dead even if replayed.
    c.set_cookie("preau_session", &token);
    let r = c.get("/dashboard").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cookies_are_secure_and_hsts_is_sent_behind_https() {
    let app = TestApp::with_config(|c| c.public_url = "https://preau.example.org".into()).await;
    let mut c = app.client();
    let page = c.get("/login").await;
    assert!(page.headers["strict-transport-security"].to_str().unwrap().contains("max-age="));
    let r = c.login(&app.person(Role::Teacher, 0).login, PASSWORD).await;
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn wrong_passwords_unknown_logins_and_disabled_accounts_are_refused() {
    let app = TestApp::new().await;
    let pupil = app.person(Role::Pupil, 1);
    let mut c = app.client();
    for (login, password) in [(pupil.login.as_str(), "wrong password"), ("nobody.here", PASSWORD)] {
        let r = c.login(login, password).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text.contains("id=\"login-error\""));
        assert!(r.text.contains("Identifiant ou mot de passe incorrect."));
        assert!(c.cookie("preau_session").is_none());
    }
    // Logins are case-insensitive and trimmed.
    let r = c.login(&format!("  {}  ", pupil.login.to_uppercase()), PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Disabling ends live sessions and forbids new ones.
    app.state.store.set_disabled(&pupil.id, true, &crate::harness::AUDIT).await.unwrap();
    assert_eq!(c.get("/dashboard").await.status, StatusCode::SEE_OTHER);
    let mut other = app.client();
    let r = other.login(&pupil.login, PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("Ce compte est désactivé"));
}

#[tokio::test]
async fn login_is_throttled_per_account_with_retry_after() {
    let app = TestApp::new().await;
    let victim = app.person(Role::Teacher, 1);
    let mut c = app.client();
    let burst = app.state.config.login_per_account.burst;
    for _ in 0..burst {
        assert_eq!(c.login(&victim.login, "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    let r = c.login(&victim.login, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 60, "Retry-After {retry}");
    assert!(r.text.contains("Trop de tentatives de connexion"));
    // Another account from another address is not affected.
    let mut elsewhere = app.client();
    elsewhere.peer = "192.0.2.7:4000".parse().unwrap();
    assert_eq!(elsewhere.login(&app.person(Role::Teacher, 2).login, PASSWORD).await.status, StatusCode::SEE_OTHER);
    // After the wait, the right password works.
    app.state.clock.advance(retry * 1000);
    assert_eq!(c.login(&victim.login, PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn login_is_throttled_per_address_and_forwarded_for_only_from_trusted_proxies() {
    let app = TestApp::with_config(|c| {
        c.login_per_ip = preau_core::throttle::Limit { burst: 3, refill_ms: 60_000 };
        c.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    // A guesser behind the proxy, trying different accounts.
    let mut guesser = app.client();
    guesser.peer = "10.0.0.2:5000".parse().unwrap();
    guesser.headers.insert("x-forwarded-for", "198.51.100.9".parse().unwrap());
    for n in 0..3 {
        assert_eq!(guesser.login(&app.person(Role::Parent, n).login, "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(guesser.login(&app.person(Role::Parent, 3).login, PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another pupil behind the same proxy is a different client.
    let mut neighbour = app.client();
    neighbour.peer = "10.0.0.2:5001".parse().unwrap();
    neighbour.headers.insert("x-forwarded-for", "198.51.100.10".parse().unwrap());
    assert_eq!(neighbour.login(&app.person(Role::Parent, 4).login, PASSWORD).await.status, StatusCode::SEE_OTHER);
    // An untrusted peer cannot escape its own limit by forging the header.
    let mut forger = app.client();
    forger.peer = "203.0.113.5:5000".parse().unwrap();
    for n in 0..3 {
        forger.headers.insert("x-forwarded-for", format!("192.0.2.{n}").parse().unwrap());
        assert_eq!(forger.login(&app.person(Role::Parent, 5 + n).login, "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    forger.headers.insert("x-forwarded-for", "192.0.2.99".parse().unwrap());
    assert_eq!(forger.login(&app.person(Role::Parent, 9).login, PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_or_from_another_origin_are_refused() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let pupil = app.person(Role::Pupil, 0);
    // Login without the token.
    let r = c.post("/login", &[("login", &pupil.login), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.page(), "error-403");
    assert!(c.cookie("preau_session").is_none());

    let mut c = app.signed_in(pupil).await;
    let r = c.post("/logout", &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("Formulaire expiré"));
    assert_eq!(c.get("/dashboard").await.status, StatusCode::OK, "still signed in");
    // The right token from a page of another site.
    let csrf = c.get("/profile").await.hidden("csrf");
    c.headers.insert("origin", "https://evil.example".parse().unwrap());
    let r = c.post("/profile/language", &[("lang", "en"), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    c.headers.insert("origin", "http://127.0.0.1:8080".parse().unwrap());
    let r = c.post("/profile/language", &[("lang", "en"), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_absolute_lifetime() {
    let app = TestApp::new().await;
    let idle = app.state.config.session_idle_ms;
    let lifetime = app.state.config.session_lifetime_ms;
    let mut c = app.signed_in(app.person(Role::Staff, 0)).await;
    // Active use keeps the session past the idle timeout…
    let mut elapsed = 0;
    while elapsed + idle / 2 < lifetime {
        app.state.clock.advance(idle / 2);
        elapsed += idle / 2;
        assert_eq!(c.get("/dashboard").await.status, StatusCode::OK, "after {elapsed} ms of use");
    }
    // …but not past its lifetime.
    app.state.clock.advance(lifetime - elapsed + 1);
    assert_eq!(c.get("/dashboard").await.status, StatusCode::SEE_OTHER);

    let mut d = app.signed_in(app.person(Role::Staff, 0)).await;
    app.state.clock.advance(idle + 1);
    let r = d.get("/profile").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Fprofile");
}

#[tokio::test]
async fn my_sessions_lists_and_revokes_sessions() {
    let app = TestApp::new().await;
    let teacher = app.person(Role::Teacher, 3);
    let mut laptop = app.signed_in(teacher).await;
    let mut phone = app.client();
    phone.headers.insert("user-agent", "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile".parse().unwrap());
    phone.login(&teacher.login, PASSWORD).await;
    let page = laptop.get("/profile/sessions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Chrome sur Android"), "{}", page.text);
    assert_eq!(page.text.matches("/revoke\"").count(), 2);
    let sessions = app.state.store.sessions_of(&teacher.id, app.state.clock.now(), 3_600_000).await.unwrap();
    let phone_session = sessions.iter().find(|s| s.user_agent.contains("Android")).unwrap();
    let r = laptop.submit("/profile/sessions", &format!("/profile/sessions/{}/revoke", phone_session.id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/dashboard").await.status, StatusCode::SEE_OTHER, "the phone is signed out");
    assert_eq!(laptop.get("/dashboard").await.status, StatusCode::OK);
    // Someone else's session id is not mine to revoke.
    let other = app.signed_in(app.person(Role::Teacher, 4)).await;
    let _ = other;
    let theirs = app.state.store.sessions_of(&app.person(Role::Teacher, 4).id, app.state.clock.now(), 3_600_000).await.unwrap();
    let r = laptop.submit("/profile/sessions", &format!("/profile/sessions/{}/revoke", theirs[0].id), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changing_my_password_checks_the_rules_and_closes_other_sessions() {
    let app = TestApp::new().await;
    let parent = app.person(Role::Parent, 0);
    let mut me = app.signed_in(parent).await;
    let mut other = app.signed_in(parent).await;
    let r = me.submit("/profile", "/profile/password", &[("current", PASSWORD), ("new", "court"), ("confirm", "court")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("au moins 8 caractères"));
    let r = me.submit("/profile", "/profile/password", &[("current", "faux"), ("new", "abcdefgh"), ("confirm", "abcdefgh")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let phrase = "une longue phrase de passe sans chiffres ni majuscules";
    let r = me.submit("/profile", "/profile/password", &[("current", PASSWORD), ("new", phrase), ("confirm", phrase)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(me.get("/dashboard").await.status, StatusCode::OK, "this browser stays signed in");
    assert_eq!(other.get("/dashboard").await.status, StatusCode::SEE_OTHER, "other sessions are closed");
    let mut fresh = app.client();
    assert_eq!(fresh.login(&parent.login, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(fresh.login(&parent.login, phrase).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn language_follows_the_browser_then_the_personal_preference() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.headers.insert("accept-language", "en-GB,en;q=0.9,fr;q=0.5".parse().unwrap());
    let page = c.get("/login").await;
    assert!(page.text.contains("<html lang=\"en\">"));
    assert!(page.text.contains("Username"));
    let r = c.login(&app.person(Role::Pupil, 2).login, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(c.get("/dashboard").await.text.contains("Homework"));
    let r = c.submit("/profile", "/profile/language", &[("lang", "fr")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let dash = c.get("/dashboard").await;
    assert!(dash.text.contains("<html lang=\"fr\">") && dash.text.contains("Travail à faire"));
    let r = c.submit("/profile", "/profile/language", &[("lang", "klingon")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The anonymous language switch on the login page.
    let mut anon = app.client();
    assert!(anon.get("/login?lang=en").await.text.contains("Username"));
    assert!(anon.get("/login").await.text.contains("Username"), "remembered in a cookie");
}

#[tokio::test]
async fn after_login_only_plain_local_paths_are_followed() {
    let app = TestApp::new().await;
    let pupil = app.person(Role::Pupil, 3);
    for next in ["/\t/evil.example", "//evil.example", "/\n/x", "https://evil.example", "/x\r\nSet-Cookie: a=b"] {
        let mut c = app.client();
        let r = c.submit("/login", "/login", &[("login", &pupil.login), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.location(), "/dashboard", "{next:?}");
    }
    let mut c = app.client();
    let r = c.submit("/login", "/login", &[("login", &pupil.login), ("password", PASSWORD), ("next", "/profile/sessions")]).await;
    assert_eq!(r.location(), "/profile/sessions");
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_account_limit() {
    let app = TestApp::new().await;
    let victim = app.person(Role::Teacher, 5).login.clone();
    let burst = app.state.config.login_per_account.burst as usize;
    // Every guesser has its own CSRF cookie and token, then all submit at once.
    let mut guessers = vec![];
    for _ in 0..20 {
        let mut c = app.client();
        let csrf = c.get("/login").await.hidden("csrf");
        guessers.push((c, csrf));
    }
    let tasks: Vec<_> = guessers
        .into_iter()
        .map(|(mut c, csrf)| {
            let victim = victim.clone();
            tokio::spawn(async move { c.post("/login", &[("login", &victim), ("password", "guess"), ("csrf", &csrf)]).await.status })
        })
        .collect();
    let mut refused = 0;
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(checked, burst, "only {burst} passwords checked, {refused} refused");
}

#[tokio::test]
async fn absurd_logins_and_passwords_are_refused_before_any_work() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let huge = "a".repeat(200_000);
    let r = c.login(&huge, PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.len() < 20_000, "the page does not echo the input");
    let r = c.login(&app.person(Role::Pupil, 0).login, &"x".repeat(5_000)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_the_current_password_from_a_session_is_throttled() {
    let app = TestApp::new().await;
    let parent = app.person(Role::Parent, 7);
    let mut c = app.signed_in(parent).await;
    let burst = app.state.config.login_per_account.burst;
    for _ in 0..burst {
        let r = c.submit("/profile", "/profile/password", &[("current", "guess"), ("new", "abcdefghij"), ("confirm", "abcdefghij")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = c.submit("/profile", "/profile/password", &[("current", PASSWORD), ("new", "abcdefghij"), ("confirm", "abcdefghij")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text.contains("Trop de tentatives"));
}

#[tokio::test]
async fn behind_a_proxy_that_rewrites_the_host_forms_still_work() {
    let app = TestApp::with_config(|c| c.public_url = "https://preau.example.org".into()).await;
    let mut c = app.client();
    c.headers.insert("origin", "https://preau.example.org".parse().unwrap());
    // The proxy sent Host: 127.0.0.1:8080 (the harness default), the browser the public origin.
    let r = c.login(&app.person(Role::Staff, 0).login, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    c.headers.insert("origin", "https://preau.example.org.evil.example".parse().unwrap());
    let r = c.submit("/profile", "/profile/language", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
