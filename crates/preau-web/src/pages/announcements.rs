//! Announcements (« actualités »): what is shown now to the viewer, the form that publishes
//! one to the establishment (the staff) or to a class (its teachers, the staff), and one's own
//! announcements, which one may withdraw.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use preau_core::announcements::{Announcement, AnnouncementError};
use preau_core::booking::{self, Date};
use preau_core::policy::{Action, Target, may};
use preau_core::{AnnouncementId, DivisionId};
use preau_store::announcements::AnnouncementLine;

use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

pub(crate) struct AnnouncementView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) body: String,
    /// "Mme Roux, pour la 6e A, jusqu'au …".
    pub(crate) meta: String,
}

fn view(tr: &Tr, l: AnnouncementLine) -> AnnouncementView {
    let to = l.division_name.unwrap_or_else(|| tr.t("announcements-to-all"));
    AnnouncementView {
        id: l.announcement.id.to_string(),
        meta: tr.t2("announcements-meta", "author", l.author_name, "to", to) + " · " + &tr.t1("announcements-until", "date", tr.long_date(l.announcement.until - 1)),
        title: l.announcement.title,
        body: l.announcement.body,
    }
}

/// What is shown now to the viewer (a parent: their children's classes).
pub(crate) async fn shown_to(state: &SharedState, viewer: &Viewer) -> AppResult<Vec<AnnouncementView>> {
    let a = &viewer.actor;
    let mut divisions: Vec<DivisionId> = a.own_divisions.clone();
    divisions.extend(a.children_divisions.iter().cloned());
    divisions.extend(a.taught_divisions.iter().cloned());
    let all = a.roles.is_establishment_wide();
    let lines = state.store.announcements_shown(&a.establishment_id, &divisions, all, state.clock.now()).await?;
    Ok(lines.into_iter().map(|l| view(&viewer.tr, l)).collect())
}

#[derive(Default)]
struct Draft {
    to: String,
    title: String,
    body: String,
    from: String,
    until: String,
}

#[derive(Template)]
#[template(path = "announcements.html")]
struct Page {
    c: Chrome,
    csrf: String,
    shown: Vec<AnnouncementView>,
    /// Where the viewer may publish: (value, label, selected); empty: no form.
    targets: Vec<(String, String, bool)>,
    mine: Vec<AnnouncementView>,
    f: Draft,
    errors: Vec<String>,
}

async fn page(state: &SharedState, viewer: &Viewer, f: Draft, errors: Vec<String>) -> AppResult<Page> {
    let tr = viewer.tr;
    let est = &viewer.actor.establishment_id;
    let mut targets = vec![];
    if may(&viewer.actor, Action::Announce, Target::Establishment(est)).is_allowed() {
        targets.push(("all".to_owned(), tr.t("announcements-to-all"), f.to == "all"));
    }
    for d in state.store.division_summaries(est).await? {
        if may(&viewer.actor, Action::Announce, Target::Division { id: &d.division.id, establishment_id: est }).is_allowed() {
            let v = d.division.id.to_string();
            let selected = f.to == v;
            targets.push((v, d.division.name, selected));
        }
    }
    let mine = state.store.announcements_by(&viewer.person.id, state.clock.now()).await?.into_iter().map(|l| view(&tr, l)).collect();
    Ok(Page {
        c: Chrome::new(tr, "announcements", tr.t("announcements-title"), Some(viewer)),
        csrf: viewer.csrf.clone(),
        shown: shown_to(state, viewer).await?,
        targets,
        mine,
        f,
        errors,
    })
}

fn today(state: &SharedState) -> Date {
    booking::local(state.clock.now()).map(|d| d.date()).unwrap_or_default()
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let d = today(&state);
    let f = Draft { from: d.to_string(), until: d.checked_add(jiff::Span::new().days(7)).unwrap_or(d).to_string(), ..Draft::default() };
    render(StatusCode::OK, &page(&state, &viewer, f, vec![]).await?)
}

/// `POST /announcements`: publishes one, from the start of its first day to the end of its last.
pub async fn publish(State(state): State<SharedState>, viewer: Viewer, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let tr = viewer.tr;
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map_or(String::new(), |(_, v)| v.clone());
    let f = Draft { to: get("to"), title: get("title").chars().take(300).collect(), body: get("body").chars().take(6000).collect(), from: get("from"), until: get("until") };
    let est = viewer.actor.establishment_id.clone();
    let division = match f.to.as_str() {
        "all" => None,
        id => Some(parse_id::<DivisionId>(id).map_err(|_| AppError::BadRequest("error-400-text"))?),
    };
    let allowed = match &division {
        None => may(&viewer.actor, Action::Announce, Target::Establishment(&est)).is_allowed(),
        Some(d) => {
            // The division's own establishment, not the viewer's: another school's is refused.
            let div = state.store.division(d).await?.ok_or(AppError::BadRequest("error-400-text"))?;
            may(&viewer.actor, Action::Announce, Target::Division { id: d, establishment_id: &div.establishment_id }).is_allowed()
        }
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let day = |s: &str, next: bool| {
        let d = s.trim().parse::<Date>().ok()?;
        let d = if next { d.checked_add(jiff::Span::new().days(1)).ok()? } else { d };
        booking::instant(d.at(0, 0, 0, 0)).ok()
    };
    let (Some(from), Some(until)) = (day(&f.from, false), day(&f.until, true)) else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &viewer, f, vec![tr.t("announcements-error-period")]).await?);
    };
    let now = state.clock.now();
    let mut a = Announcement { id: AnnouncementId::new(now, random_u128()), division, author: viewer.person.id.clone(), title: f.title.clone(), body: f.body.clone(), from, until };
    if let Err(e) = a.check() {
        let id = match e {
            AnnouncementError::Title => "announcements-error-title",
            AnnouncementError::Body => "announcements-error-body",
            AnnouncementError::Period => "announcements-error-period",
        };
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &viewer, f, vec![tr.t(id)]).await?);
    }
    state.store.add_announcement(&est, &a).await?;
    tracing::info!(announcement = %a.id, "announcement published");
    Ok(Redirect::to("/announcements").into_response())
}

/// `POST /announcements/{id}/delete`: its author (or the principal, the administrator) withdraws it.
pub async fn withdraw(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let id: AnnouncementId = parse_id(&id)?;
    let (line, est) = state.store.announcement(&id).await?.ok_or(AppError::NotFound)?;
    let target = Target::Announcement { establishment_id: &est, author: &line.announcement.author };
    if !may(&viewer.actor, Action::WithdrawAnnouncement, target).is_allowed() {
        return Err(AppError::Forbidden);
    }
    state.store.delete_announcement(&id).await?;
    Ok(Redirect::to("/announcements").into_response())
}
