//! My profile: language, password, sessions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use preau_core::password::{PasswordError, check_new_password};
use preau_store::NewSession;
use serde::Deserialize;

use super::roles_label;
use crate::auth::{self, SESSION_COOKIE};
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::view::{Chrome, Viewer, render};
use crate::SharedState;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    name: String,
    login: String,
    roles: String,
    locale: String,
    csrf: String,
    notice: Option<String>,
    password_error: Option<String>,
}

fn profile_page(viewer: &Viewer, tr: Tr, notice: Option<String>, password_error: Option<String>) -> ProfilePage {
    ProfilePage {
        c: Chrome::new(tr, "profile", tr.t("profile-title"), Some(viewer)),
        name: viewer.person.display_name(),
        login: viewer.person.login.clone(),
        roles: roles_label(&tr, viewer.person.roles),
        locale: viewer.person.locale.clone().unwrap_or_else(|| "auto".into()),
        csrf: viewer.csrf.clone(),
        notice,
        password_error,
    }
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    done: Option<String>,
}

pub async fn show(viewer: Viewer, axum::extract::Query(q): axum::extract::Query<ProfileQuery>) -> AppResult {
    let tr = viewer.tr;
    let notice = match q.done.as_deref() {
        Some("language") => Some(tr.t("profile-language-saved")),
        Some("password") => Some(tr.t("profile-password-changed")),
        _ => None,
    };
    render(StatusCode::OK, &profile_page(&viewer, tr, notice, None))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
}

pub async fn set_language(State(state): State<SharedState>, viewer: Viewer, Form(f): Form<LanguageForm>) -> AppResult {
    let locale = match f.lang.as_str() {
        "auto" => None,
        "fr" | "en" => Lang::parse(&f.lang).map(Lang::code),
        _ => return Err(AppError::BadRequest("error-bad-language")),
    };
    state.store.set_locale(&viewer.person.id, locale).await?;
    Ok(Redirect::to("/profile?done=language").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub fn password_error_text(tr: &Tr, e: PasswordError) -> String {
    match e {
        PasswordError::TooShort => tr.t("password-too-short"),
        PasswordError::TooLong => tr.t("password-too-long"),
        PasswordError::SameAsLogin => tr.t("password-same-as-login"),
    }
}

pub async fn change_password(State(state): State<SharedState>, viewer: Viewer, Form(f): Form<PasswordForm>) -> AppResult {
    let tr = viewer.tr;
    let refuse = |msg: String| render(StatusCode::UNPROCESSABLE_ENTITY, &profile_page(&viewer, tr, None, Some(msg)));
    let hash = state.store.password_hash(&viewer.person.id).await?.unwrap_or_default();
    let current = f.current.clone();
    if !tokio::task::spawn_blocking(move || auth::verify_password(&current, &hash)).await? {
        return refuse(tr.t("password-current-wrong"));
    }
    if f.new != f.confirm {
        return refuse(tr.t("password-mismatch"));
    }
    if let Err(e) = check_new_password(&f.new, &viewer.person.login) {
        return refuse(password_error_text(&tr, e));
    }
    let new = f.new.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&new)).await?;
    // Changing the password ends every session, this one included; open a fresh one here.
    state.store.set_password_hash(&viewer.person.id, &hash).await?;
    let now = state.clock.now();
    let token = auth::new_token();
    let session_id = preau_core::PersonId::new(now, random_u128()).to_string();
    state
        .store
        .create_session(&NewSession {
            id: &session_id,
            token_hash: &auth::token_hash(&token),
            person_id: &viewer.person.id,
            now,
            expires_at: now + state.config.session_lifetime_ms,
            user_agent: "",
            ip: "",
        })
        .await?;
    state.store.audit(now, Some(&viewer.person.id), "password.change", Some(viewer.person.id.as_str()), "").await?;
    let mut response: Response = Redirect::to("/profile?done=password").into_response();
    let cookie = auth::cookie(&state, SESSION_COOKIE, &token, Some(state.config.session_lifetime_ms / 1000));
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookie is ASCII"));
    Ok(response)
}

pub(crate) struct SessionLine {
    pub(crate) id: String,
    pub(crate) device: String,
    pub(crate) ip: String,
    pub(crate) started: String,
    pub(crate) last: String,
    pub(crate) current: bool,
    pub(crate) revoke_label: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    c: Chrome,
    csrf: String,
    sessions: Vec<SessionLine>,
}

/// "Firefox sur Linux" from a user agent, roughly; the raw string is too long to read.
fn device(tr: &Tr, ua: &str) -> String {
    let browser = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
        .into_iter()
        .find(|(needle, _)| ua.contains(needle))
        .map(|(_, name)| name);
    let os = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"), ("Mac OS", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]
        .into_iter()
        .find(|(needle, _)| ua.contains(needle))
        .map(|(_, name)| name);
    match (browser, os) {
        (Some(b), Some(o)) => tr.t2("sessions-browser-on", "browser", b, "os", o),
        (Some(b), None) => b.to_owned(),
        _ => tr.t("sessions-unknown-device"),
    }
}

pub async fn sessions(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let tr = viewer.tr;
    let now = state.clock.now();
    let rows = state.store.sessions_of(&viewer.person.id, now, state.config.session_idle_ms).await?;
    let sessions = rows
        .into_iter()
        .map(|s| {
            let device = device(&tr, &s.user_agent);
            SessionLine {
                current: s.id == viewer.session_id,
                revoke_label: tr.t1("sessions-revoke-label", "device", &device),
                id: s.id,
                device,
                ip: s.ip,
                started: tr.datetime(s.created_at),
                last: tr.datetime(s.last_seen_at),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &SessionsPage { c: Chrome::new(tr, "sessions", tr.t("sessions-title"), Some(&viewer)), csrf: viewer.csrf.clone(), sessions },
    )
}

pub async fn revoke(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    if !state.store.revoke_session(&viewer.person.id, &id).await? {
        return Err(AppError::NotFound);
    }
    if id == viewer.session_id {
        return Ok(Redirect::to("/login?out=1").into_response());
    }
    Ok(Redirect::to("/profile/sessions").into_response())
}
