//! Administration of accounts: directory, creation, password reset, disabling.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use preau_core::demo::login_part;
use preau_core::password::check_new_password;
use preau_core::school::{Person, Role, RoleSet, valid_login};
use preau_core::{PersonId, Role as R};
use preau_core::policy::{Action, Target, may};
use preau_store::{Audit, NewPerson, StoreError};
use serde::Deserialize;

use super::profile::password_error_text;
use super::{parse_id, roles_label};
use crate::SharedState;
use crate::auth;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render, role_label};

const PAGE_SIZE: i64 = 25;

pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) login: String,
    pub(crate) roles: String,
    pub(crate) disabled: bool,
    pub(crate) is_self: bool,
    pub(crate) reset_label: String,
    pub(crate) toggle_label: String,
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct DirectoryPage {
    c: Chrome,
    csrf: String,
    q: String,
    summary: String,
    people: Vec<Row>,
    pager: Pager,
    back: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
    done: Option<String>,
}

fn directory_url(q: &str, page: i64) -> String {
    pager_url("/admin/people", q, page)
}

pub async fn directory(State(state): State<SharedState>, viewer: Viewer, Query(dq): Query<DirectoryQuery>) -> AppResult {
    let tr = viewer.tr;
    let q: String = dq.q.chars().take(100).collect();
    let page = dq.page.unwrap_or(1).clamp(1, 100_000);
    let found = state.store.search_people(&viewer.person.establishment_id, &q, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let people = found.people.iter().map(|p| row(&tr, p, &viewer)).collect();
    let notice = match dq.done.as_deref() {
        Some("created") => Some(tr.t("dir-created")),
        Some("disabled") => Some(tr.t("dir-disabled")),
        Some("enabled") => Some(tr.t("dir-enabled")),
        _ => None,
    };
    render(
        StatusCode::OK,
        &DirectoryPage {
            c: Chrome::new(tr, "admin-people", tr.t("dir-title"), Some(&viewer)),
            csrf: viewer.csrf.clone(),
            summary: tr.tn("dir-count", "count", found.total),
            pager: Pager::new(&tr, "/admin/people", &q, page, found.total),
            back: directory_url(&q, page),
            q,
            people,
            notice,
        },
    )
}

#[derive(Template)]
#[template(path = "admin_divisions.html")]
struct DivisionsPage {
    c: Chrome,
    q: String,
    summary: String,
    divisions: Vec<super::dashboard::DivisionRow>,
    pager: Pager,
}

/// Previous and next links of a paged directory, and "Page 2 sur 5" (templates/pager.html).
pub(crate) struct Pager {
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) label: String,
}

impl Pager {
    fn new(tr: &Tr, base: &str, q: &str, page: i64, total: i64) -> Pager {
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Pager {
            prev: (page > 1).then(|| pager_url(base, q, page - 1)),
            next: (page < pages).then(|| pager_url(base, q, page + 1)),
            label: tr.t2("page-of", "page", page, "pages", pages),
        }
    }
}

fn pager_url(base: &str, q: &str, page: i64) -> String {
    let query = serde_urlencoded::to_string([("q", q), ("page", &page.to_string())]).unwrap_or_default();
    format!("{base}?{query}")
}

pub async fn divisions(State(state): State<SharedState>, viewer: Viewer, Query(dq): Query<DirectoryQuery>) -> AppResult {
    let tr = viewer.tr;
    let q: String = dq.q.chars().take(100).collect();
    let page = dq.page.unwrap_or(1).clamp(1, 100_000);
    let (found, total) =
        state.store.search_divisions(&viewer.person.establishment_id, &q, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    render(
        StatusCode::OK,
        &DivisionsPage {
            c: Chrome::new(tr, "admin-divisions", tr.t("divdir-title"), Some(&viewer)),
            summary: tr.tn("divdir-count", "count", total),
            divisions: found.into_iter().map(super::dashboard::DivisionRow::from).collect(),
            pager: Pager::new(&tr, "/admin/divisions", &q, page, total),
            q,
        },
    )
}

fn row(tr: &Tr, p: &Person, viewer: &Viewer) -> Row {
    let name = p.display_name();
    Row {
        id: p.id.to_string(),
        login: p.login.clone(),
        roles: roles_label(tr, p.roles),
        disabled: p.disabled,
        is_self: p.id == viewer.person.id,
        reset_label: tr.t1("dir-reset-label", "name", &name),
        toggle_label: tr.t1(if p.disabled { "dir-enable-label" } else { "dir-disable-label" }, "name", &name),
        name,
    }
}

#[derive(Template)]
#[template(path = "admin_person_new.html")]
struct NewPersonPage {
    c: Chrome,
    csrf: String,
    errors: Vec<String>,
    first_name: String,
    last_name: String,
    login: String,
    role: String,
    roles: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
pub struct NewPersonForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

fn new_page(viewer: &Viewer, f: &NewPersonForm, errors: Vec<String>) -> NewPersonPage {
    let tr = viewer.tr;
    NewPersonPage {
        c: Chrome::new(tr, "admin-person-new", tr.t("new-title"), Some(viewer)),
        csrf: viewer.csrf.clone(),
        errors,
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        login: f.login.clone(),
        role: if f.role.is_empty() { "pupil".into() } else { f.role.clone() },
        roles: Role::ALL.iter().map(|r| (r.as_str(), role_label(&tr, *r))).collect(),
    }
}

pub async fn new_form(viewer: Viewer) -> AppResult {
    render(StatusCode::OK, &new_page(&viewer, &NewPersonForm::default(), vec![]))
}

fn clean_name(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s.chars().count() <= 100 && !s.chars().any(char::is_control)).then(|| s.to_owned())
}

/// Shown once after an account is created or its password reset.
#[derive(Template)]
#[template(path = "admin_password.html")]
struct PasswordPage {
    c: Chrome,
    heading: String,
    csrf: String,
    action: String,
    error: Option<String>,
    generated: Option<String>,
    done_text: String,
}

pub async fn create(State(state): State<SharedState>, viewer: Viewer, Form(f): Form<NewPersonForm>) -> AppResult {
    let tr = viewer.tr;
    let mut errors = vec![];
    let first = clean_name(&f.first_name);
    let last = clean_name(&f.last_name);
    if first.is_none() {
        errors.push(tr.t("new-error-first-name"));
    }
    if last.is_none() {
        errors.push(tr.t("new-error-last-name"));
    }
    let role = f.role.parse::<Role>().ok();
    if role.is_none() {
        errors.push(tr.t("new-error-role"));
    }
    let login = if f.login.trim().is_empty() {
        format!("{}.{}", login_part(first.as_deref().unwrap_or("")), login_part(last.as_deref().unwrap_or("")))
    } else {
        f.login.trim().to_lowercase()
    };
    if first.is_some() && last.is_some() && !valid_login(&login) {
        errors.push(tr.t("new-error-login"));
    }
    let generated = f.password.is_empty();
    let password = if generated { auth::generate_password() } else { f.password.clone() };
    if let Err(e) = check_new_password(&password, &login) {
        errors.push(password_error_text(&tr, e));
    }
    if !errors.is_empty() {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&viewer, &f, errors));
    }
    let (first, last, role) = (first.unwrap_or_default(), last.unwrap_or_default(), role.unwrap_or(R::Guest));
    let pw = password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw)).await?;
    let now = state.clock.now();
    let audit = Audit { at: now, actor: Some(&viewer.person.id), action: "person.create", detail: &login };
    let created = state
        .store
        .create_person(
            &NewPerson {
                id: PersonId::new(now, random_u128()),
                establishment_id: &viewer.person.establishment_id,
                login: &login,
                first_name: &first,
                last_name: &last,
                roles: RoleSet::of(&[role]),
                password_hash: Some(&hash),
                now,
            },
            &audit,
        )
        .await;
    let person = match created {
        Ok(p) => p,
        Err(StoreError::LoginTaken(_)) => {
            let errors = vec![tr.t1("new-error-login-taken", "login", &login)];
            return render(StatusCode::CONFLICT, &new_page(&viewer, &f, errors));
        }
        Err(e) => return Err(e.into()),
    };
    let name = person.display_name();
    render(
        StatusCode::CREATED,
        &PasswordPage {
            c: Chrome::new(tr, "admin-person-created", tr.t("new-title"), Some(&viewer)),
            heading: tr.t1("new-created", "name", &name),
            csrf: viewer.csrf.clone(),
            action: String::new(),
            error: None,
            done_text: tr.t1("new-created-login", "login", &person.login),
            generated: Some(if generated { password } else { tr.t("reset-as-typed") }),
        },
    )
}

async fn target_person(state: &SharedState, viewer: &Viewer, id: &str) -> Result<Person, AppError> {
    let id: PersonId = parse_id(id)?;
    let person = state.store.person(&id).await?.ok_or(AppError::NotFound)?;
    let facts = state.store.person_facts(&person).await?;
    if !may(&viewer.actor, Action::AdministerPerson, Target::Person(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok(person)
}

fn password_page(viewer: &Viewer, person: &Person, error: Option<String>, generated: Option<String>) -> PasswordPage {
    let tr = viewer.tr;
    let name = person.display_name();
    PasswordPage {
        c: Chrome::new(tr, "admin-password", tr.t1("reset-title", "name", &name), Some(viewer)),
        heading: tr.t1("reset-title", "name", &name),
        csrf: viewer.csrf.clone(),
        action: format!("/admin/people/{}/password", person.id),
        error,
        done_text: tr.t1("reset-done", "login", &person.login),
        generated,
    }
}

pub async fn password_form(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let person = target_person(&state, &viewer, &id).await?;
    render(StatusCode::OK, &password_page(&viewer, &person, None, None))
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, Form(f): Form<ResetForm>) -> AppResult {
    let person = target_person(&state, &viewer, &id).await?;
    let tr = viewer.tr;
    let generated = f.password.is_empty();
    let password = if generated { auth::generate_password() } else { f.password.clone() };
    if let Err(e) = check_new_password(&password, &person.login) {
        let page = password_page(&viewer, &person, Some(password_error_text(&tr, e)), None);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let pw = password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw)).await?;
    let audit = Audit { at: state.clock.now(), actor: Some(&viewer.person.id), action: "password.reset", detail: "" };
    state.store.set_password_hash(&person.id, &hash, None, &audit).await?;
    let shown = if generated { password } else { tr.t("reset-as-typed") };
    render(StatusCode::OK, &password_page(&viewer, &person, None, Some(shown)))
}

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default)]
    back: String,
}

async fn set_disabled(state: SharedState, viewer: Viewer, id: String, back: String, disabled: bool) -> AppResult {
    let person = target_person(&state, &viewer, &id).await?;
    if person.id == viewer.person.id {
        return Err(AppError::BadRequest("dir-error-self"));
    }
    let action = if disabled { "person.disable" } else { "person.enable" };
    let audit = Audit { at: state.clock.now(), actor: Some(&viewer.person.id), action, detail: "" };
    state.store.set_disabled(&person.id, disabled, &audit).await?;
    let back = super::login::safe_next(&back);
    let back = if back.starts_with("/admin/people?") { back } else { "/admin/people?" };
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("{back}&done={done}")).into_response())
}

pub async fn disable(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, Form(f): Form<ToggleForm>) -> AppResult {
    set_disabled(state, viewer, id, f.back, true).await
}

pub async fn enable(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, Form(f): Form<ToggleForm>) -> AppResult {
    set_disabled(state, viewer, id, f.back, false).await
}
