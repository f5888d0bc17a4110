//! A division's page: its teaching team, and its pupils for those who teach or run it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use preau_core::policy::{Action, Target, may};

use super::parse_id;
use crate::SharedState;
use crate::errors::{AppError, AppResult};
use crate::view::{Chrome, Viewer, render};

#[derive(Template)]
#[template(path = "division.html")]
struct DivisionPage {
    c: Chrome,
    name: String,
    level: String,
    head_teacher: Option<(String, String)>,
    team: Vec<(String, String, String)>,
    roster: Option<Vec<(String, String)>>,
    roster_heading: String,
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let id = parse_id(&id)?;
    let division = state.store.division(&id).await?.ok_or(AppError::NotFound)?;
    let target = Target::Division { id: &division.id, establishment_id: &division.establishment_id };
    if !may(&viewer.actor, Action::ViewDivision, target).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let head_teacher = match &division.head_teacher_id {
        Some(h) => state.store.person(h).await?.map(|p| (p.id.to_string(), p.display_name())),
        None => None,
    };
    let team = state
        .store
        .division_team(&division.id)
        .await?
        .into_iter()
        .map(|(p, subject)| (p.id.to_string(), p.display_name(), subject))
        .collect();
    let roster = if may(&viewer.actor, Action::ViewDivisionRoster, target).is_allowed() {
        let pupils = state.store.division_pupils(&division.id).await?;
        Some(pupils.into_iter().map(|p| (p.id.to_string(), p.display_name())).collect())
    } else {
        None
    };
    render(
        StatusCode::OK,
        &DivisionPage {
            c: Chrome::new(viewer.tr, "division", division.name.clone(), Some(&viewer)),
            name: division.name,
            level: division.level,
            head_teacher,
            team,
            roster_heading: viewer.tr.tn("division-roster", "count", roster.as_ref().map_or(0, |r: &Vec<(String, String)>| r.len() as i64)),
            roster,
        },
    )
}
