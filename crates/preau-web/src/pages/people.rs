//! A person's page, behind the policy's object-level check.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use preau_core::Role;
use preau_core::policy::{Action, Target, may};
use preau_core::school::Audience;

use super::{parse_id, roles_label};
use crate::SharedState;
use crate::errors::{AppError, AppResult};
use crate::view::{Chrome, Viewer, render};

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    name: String,
    roles: String,
    login: Option<String>,
    divisions: Vec<(String, String, bool)>,
    related_heading: String,
    related: Vec<(String, String)>,
    teaching: Vec<String>,
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let id = parse_id(&id)?;
    let person = state.store.person(&id).await?.ok_or(AppError::NotFound)?;
    let facts = state.store.person_facts(&person).await?;
    if !may(&viewer.actor, Action::ViewPerson, Target::Person(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let tr = viewer.tr;
    let is_self = person.id == viewer.person.id;
    let admin = may(&viewer.actor, Action::AdministerPerson, Target::Person(&facts)).is_allowed();

    let mut divisions = vec![];
    for d in state.store.divisions_of_pupil(&person.id).await? {
        let link = may(&viewer.actor, Action::ViewDivision, Target::Division { id: &d.id, establishment_id: &d.establishment_id })
            .is_allowed();
        divisions.push((d.id.to_string(), d.name, link));
    }
    // Related people the viewer may also see: a pupil's parents, a parent's children.
    let (related_heading, candidates) = if person.roles.contains(Role::Pupil) {
        (tr.t("person-parents"), state.store.parents_of(&person.id).await?)
    } else if person.roles.contains(Role::Parent) {
        (tr.t("person-children"), state.store.children_of(&person.id).await?)
    } else {
        (String::new(), vec![])
    };
    let mut related = vec![];
    for other in candidates {
        let facts = state.store.person_facts(&other).await?;
        if may(&viewer.actor, Action::ViewPerson, Target::Person(&facts)).is_allowed() {
            related.push((other.id.to_string(), other.display_name()));
        }
    }
    let teaching = if person.roles.contains(Role::Teacher) {
        state
            .store
            .teaching_of(&person.id)
            .await?
            .into_iter()
            .map(|l| match l.audience {
                Audience::Division(_) => format!("{} — {}", l.subject, l.audience_name),
                Audience::Group(_) => format!("{} — {} ({})", l.subject, l.audience_name, tr.t("group")),
            })
            .collect()
    } else {
        vec![]
    };
    let name = person.display_name();
    render(
        StatusCode::OK,
        &PersonPage {
            c: Chrome::new(tr, "person", name.clone(), Some(&viewer)),
            name,
            roles: roles_label(&tr, person.roles),
            login: (is_self || admin).then(|| person.login.clone()),
            divisions,
            related_heading,
            related,
            teaching,
        },
    )
}
