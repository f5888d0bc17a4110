//! Signing in and out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::password::MAX_CHARS;
use preau_core::school::valid_login;
use serde::Deserialize;

use crate::auth::{self, LANG_COOKIE, SESSION_COOKIE};
use crate::errors::AppResult;
use crate::i18n::{Lang, Tr};
use crate::view::{Chrome, Ctx, Viewer, render};
use crate::{SharedState, client_ip};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    csrf: String,
    login: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    out: Option<String>,
    lang: Option<String>,
}

/// Only a plain path on this site is a place to go back to after login. Browsers drop tabs and
/// newlines from URLs, so any control or space character is refused outright.
pub(crate) fn safe_next(next: &str) -> &str {
    let plain = next.bytes().all(|b| b > 0x20 && b != 0x7f && b != b'\\');
    let ok = plain && next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/login");
    if ok { next } else { "/dashboard" }
}

fn login_page(tr: Tr, csrf: String, login: String, next: &str, error: Option<String>, notice: Option<String>) -> LoginPage {
    LoginPage {
        c: Chrome::new(tr, "login", tr.t("login-title"), None),
        csrf,
        login,
        next: safe_next(next).to_owned(),
        error,
        notice,
    }
}

pub async fn form(State(state): State<SharedState>, ctx: Ctx, headers: HeaderMap, Query(q): Query<LoginQuery>) -> AppResult {
    if ctx.viewer.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let mut set_cookies = vec![];
    let mut tr = ctx.tr;
    if let Some(lang) = q.lang.as_deref().and_then(Lang::parse) {
        tr = Tr::new(lang);
        set_cookies.push(auth::cookie(&state, LANG_COOKIE, lang.code(), Some(365 * 86400)));
    }
    let (csrf, cookie) = auth::pre_session_csrf(&state, &headers);
    set_cookies.extend(cookie);
    let notice = q.out.is_some().then(|| tr.t("logout-done"));
    let page = login_page(tr, csrf, String::new(), q.next.as_deref().unwrap_or(""), None, notice);
    let mut response = render(StatusCode::OK, &page)?;
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(State(state): State<SharedState>, ctx: Ctx, headers: HeaderMap, ext: axum::http::Extensions, Form(f): Form<LoginForm>) -> AppResult {
    let tr = ctx.tr;
    let login = f.login.trim().to_lowercase();
    let ip = client_ip::client_ip(&state, &headers, &ext).map(|c| c.ip);
    let now = state.clock.now();
    let again = |status: StatusCode, error: String| -> AppResult {
        let shown: String = login.chars().take(64).collect();
        let page = login_page(tr, f.csrf.clone(), shown, &f.next, Some(error), None);
        render(status, &page)
    };
    // Something that cannot be a login or a password is refused before it costs anything:
    // no hashing, no throttle entry, no log line of arbitrary size.
    if !valid_login(&login) || f.password.chars().count() > MAX_CHARS {
        return again(StatusCode::UNAUTHORIZED, tr.t("login-failed"));
    }
    let attempt = match state.throttle.begin(&state, &login, ip.unwrap_or([0, 0, 0, 0].into()), now) {
        Ok(a) => a,
        Err(wait_ms) => {
            let minutes = (wait_ms + 59_999) / 60_000;
            tracing::warn!(ip = ?ip, login, "login throttled");
            let mut response = again(StatusCode::TOO_MANY_REQUESTS, tr.tn("login-throttled", "minutes", minutes))?;
            let seconds = (wait_ms + 999) / 1000;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return Ok(response);
        }
    };

    let found = state.store.person_by_login(&login).await?;
    let (person, hash) = match found {
        Some((p, Some(h))) => (Some(p), h),
        // Unknown login or no password: spend the same time refusing.
        Some((_, None)) | None => (None, auth::dummy_hash().to_owned()),
    };
    let password = f.password.clone();
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await?;
    let person = match person {
        Some(p) if verified => p,
        _ => {
            tracing::info!(ip = ?ip, login, "login failed");
            return again(StatusCode::UNAUTHORIZED, tr.t("login-failed"));
        }
    };
    state.throttle.succeeded(&state, attempt, now);
    if person.disabled {
        return again(StatusCode::FORBIDDEN, tr.t("login-disabled"));
    }
    let cookie = auth::open_session(&state, &person.id, &headers, ip).await?;
    tracing::info!(ip = ?ip, person = %person.id, "signed in");
    let mut response = Redirect::to(safe_next(&f.next)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookie is ASCII"));
    Ok(response)
}

pub async fn logout(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    state.store.delete_session(&viewer.session_id).await?;
    let mut response = Redirect::to("/login?out=1").into_response();
    let gone = auth::cookie(&state, SESSION_COOKIE, "", Some(0));
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&gone).expect("cookie is ASCII"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/people/x"), "/people/x");
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\r\nSet-Cookie: a=b",
            "/ /evil.example",
            "dashboard",
            "/login?next=x",
        ] {
            assert_eq!(safe_next(bad), "/dashboard", "{bad}");
        }
    }
}
