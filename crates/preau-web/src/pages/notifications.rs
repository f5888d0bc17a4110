//! Notifications: the in-app list (homework set, messages, feedback returned), read when seen;
//! who is told of what; and the daily digest e-mail of what is still unread.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use preau_core::school::Audience;
use preau_core::{Millis, PersonId};
use preau_store::notifications::Notification;

use crate::SharedState;
use crate::errors::AppResult;
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

const LIMIT: i64 = 100;

pub(crate) fn text(tr: &Tr, n: &Notification) -> String {
    tr.t1(&format!("notification-{}", n.kind), "label", &n.label)
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct Page {
    c: Chrome,
    csrf: String,
    /// (text, link, when, unread)
    items: Vec<(String, String, String, bool)>,
    digest: bool,
    has_email: bool,
}

/// Whether someone's digest is on: their setting, or their role's default (off for pupils).
pub(crate) async fn digest_on(state: &SharedState, viewer: &Viewer) -> AppResult<bool> {
    let default = viewer.person.roles.iter().any(|r| r != preau_core::Role::Pupil);
    Ok(state.store.digest_setting(&viewer.person.id).await?.unwrap_or(default))
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let tr = viewer.tr;
    let now = state.clock.now();
    let items = state
        .store
        .notifications(&viewer.person.id, now, LIMIT)
        .await?
        .iter()
        .map(|n| (text(&tr, n), n.link.clone(), tr.datetime(n.shown_at), !n.read))
        .collect();
    // Seen: read.
    state.store.mark_notifications_read(&viewer.person.id, now).await?;
    let page = Page {
        c: Chrome::new(tr, "notifications", tr.t("notifications-title"), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        items,
        digest: digest_on(&state, &viewer).await?,
        has_email: state.store.email_of(&viewer.person.id).await?.is_some(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /notifications/digest`: the daily digest e-mail, on or off.
pub async fn set_digest(State(state): State<SharedState>, viewer: Viewer, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let on = form.iter().any(|(k, v)| k == "digest" && v == "on");
    state.store.set_digest(&viewer.person.id, on).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// The pupils of a class or group and their parents: who is told of its homework.
pub(crate) async fn class_and_parents(state: &SharedState, audience: &Audience) -> AppResult<Vec<PersonId>> {
    let mut people = vec![];
    for p in state.store.pupils_of(audience).await? {
        people.extend(state.store.parents_of(&p.id).await?.into_iter().map(|x| x.id));
        people.push(p.id);
    }
    people.sort();
    people.dedup();
    Ok(people)
}

/// Tells `people`, logging (not failing the request) if it cannot be written: the change it
/// tells of is already made.
pub(crate) async fn tell(state: &SharedState, people: &[PersonId], kind: &str, label: &str, link: &str, shown_at: Millis) {
    if let Err(e) = state.store.notify(people, kind, label, link, shown_at).await {
        tracing::error!(error = %e, kind, "notifications could not be written");
    }
}
