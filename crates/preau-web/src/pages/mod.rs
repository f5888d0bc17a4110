//! Page handlers, one module per area.

pub mod admin;
pub mod announcements;
pub mod conference;
pub mod dashboard;
pub mod divisions;
pub mod homework;
pub mod login;
pub mod meeting_live;
pub mod meetings;
pub mod messages;
pub mod notifications;
pub mod ops;
pub mod people;
pub mod profile;
pub mod resources;
pub mod rooms;
pub mod search;
pub mod timetable;

pub use crate::routes::home_redirect as home;

use preau_core::school::RoleSet;

use crate::i18n::Tr;
use crate::view::role_label;

/// "Professeur, Parent" in the interface language.
pub(crate) fn roles_label(tr: &Tr, roles: RoleSet) -> String {
    roles.iter().map(|r| role_label(tr, r)).collect::<Vec<_>>().join(", ")
}

/// What the policy knows of `person`: the signed-in viewer's own relations (already loaded),
/// or read from the store (a parent's child).
pub(crate) async fn relations_of(state: &crate::SharedState, viewer: &crate::view::Viewer, person: &preau_core::school::Person) -> Result<preau_core::Actor, crate::errors::AppError> {
    if person.id == viewer.person.id {
        return Ok(viewer.actor.clone());
    }
    Ok(state.store.actor(person).await?)
}

/// Parses an id from a URL; anything malformed is simply not found.
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, crate::errors::AppError> {
    s.parse().map_err(|_| crate::errors::AppError::NotFound)
}
