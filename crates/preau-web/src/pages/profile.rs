//! My profile: language, password, sessions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use preau_core::password::{PasswordError, check_new_password};
use preau_store::Audit;
use serde::Deserialize;

use super::roles_label;
use crate::auth;
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
    email: String,
    email_error: Option<String>,
}

/// The page as it stands, with `email` stored (for refusals, which have it at hand).
fn page_now(viewer: &Viewer, tr: Tr, email: &str) -> ProfilePage {
    ProfilePage {
        c: Chrome::new(tr, "profile", tr.t("profile-title"), Some(viewer)),
        name: viewer.person.display_name(),
        login: viewer.person.login.clone(),
        roles: roles_label(&tr, viewer.person.roles),
        locale: viewer.person.locale.clone().unwrap_or_else(|| "auto".into()),
        csrf: viewer.csrf.clone(),
        notice: None,
        password_error: None,
        email: email.to_owned(),
        email_error: None,
    }
}

/// What a profile page shows besides the account: a notice, and a form's error.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    password_error: Option<String>,
    email_error: Option<String>,
    /// As typed, after a refused change; else the one stored.
    email: Option<String>,
}

async fn profile_page(state: &SharedState, viewer: &Viewer, tr: Tr, shown: Shown) -> AppResult<ProfilePage> {
    let email = match shown.email {
        Some(typed) => typed,
        None => state.store.email_of(&viewer.person.id).await?.unwrap_or_default(),
    };
    Ok(ProfilePage { notice: shown.notice, password_error: shown.password_error, email_error: shown.email_error, ..page_now(viewer, tr, &email) })
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    done: Option<String>,
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, axum::extract::Query(q): axum::extract::Query<ProfileQuery>) -> AppResult {
    let tr = viewer.tr;
    let notice = match q.done.as_deref() {
        Some("language") => Some(tr.t("profile-language-saved")),
        Some("password") => Some(tr.t("profile-password-changed")),
        Some("email") => Some(tr.t("profile-email-saved")),
        _ => None,
    };
    render(StatusCode::OK, &profile_page(&state, &viewer, tr, Shown { notice, ..Default::default() }).await?)
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// `POST /profile/email`: one's own address (lower case), or none; refused with the form again
/// when it is not one.
pub async fn set_email(State(state): State<SharedState>, viewer: Viewer, Form(f): Form<EmailForm>) -> AppResult {
    let tr = viewer.tr;
    let typed = f.email.trim().to_lowercase();
    if !typed.is_empty() && !super::meetings::valid_email(&typed) {
        let shown: String = f.email.chars().take(320).collect();
        let page = profile_page(&state, &viewer, tr, Shown { email_error: Some(tr.t("profile-email-error")), email: Some(shown), ..Default::default() }).await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let email = (!typed.is_empty()).then_some(typed.as_str());
    let audit = Audit { at: state.clock.now(), actor: Some(&viewer.person.id), action: "email.change", detail: "" };
    state.store.set_email(&viewer.person.id, email, &audit).await?;
    Ok(Redirect::to("/profile?done=email").into_response())
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

pub async fn change_password(
    State(state): State<SharedState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    ext: axum::http::Extensions,
    Form(f): Form<PasswordForm>,
) -> AppResult {
    let tr = viewer.tr;
    let email = state.store.email_of(&viewer.person.id).await?.unwrap_or_default();
    let refuse = |status: StatusCode, msg: String| {
        let page = ProfilePage { password_error: Some(msg), ..page_now(&viewer, tr, &email) };
        render(status, &page)
    };
    let ip = crate::client_ip::client_ip(&state, &headers, &ext).map(|c| c.ip);
    let now = state.clock.now();
    // Guessing the current password from a stolen session is throttled like a login.
    let attempt = match state.throttle.begin(&state, &viewer.person.login, ip.unwrap_or([0, 0, 0, 0].into()), now) {
        Ok(a) => a,
        Err(wait_ms) => {
            let minutes = (wait_ms + 59_999) / 60_000;
            return refuse(StatusCode::TOO_MANY_REQUESTS, tr.tn("login-throttled", "minutes", minutes));
        }
    };
    let hash = state.store.password_hash(&viewer.person.id).await?.unwrap_or_default();
    let current = f.current.clone();
    let right = f.current.chars().count() <= preau_core::password::MAX_CHARS
        && tokio::task::spawn_blocking(move || auth::verify_password(&current, &hash)).await?;
    if !right {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t("password-current-wrong"));
    }
    state.throttle.succeeded(&state, attempt, now);
    if f.new != f.confirm {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t("password-mismatch"));
    }
    if let Err(e) = check_new_password(&f.new, &viewer.person.login) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, password_error_text(&tr, e));
    }
    let new = f.new.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&new)).await?;
    // Every session ends, this one included; a fresh one opens for this browser, all at once.
    let (session, token) = auth::new_session_parts(&state, &headers, ip);
    let audit = Audit { at: now, actor: Some(&viewer.person.id), action: "password.change", detail: "" };
    state.store.set_password_hash(&viewer.person.id, &hash, Some(&session.as_new(&viewer.person.id)), &audit).await?;
    let mut response: Response = Redirect::to("/profile?done=password").into_response();
    let cookie = auth::session_cookie(&state, &token);
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
