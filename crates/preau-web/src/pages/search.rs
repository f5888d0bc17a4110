//! Search (« rechercher »): within one's homework, one's classes' resources and one's
//! messages — never further than what one may see.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use preau_core::Role;
use preau_core::school::Audience;
use preau_store::search::Found;
use serde::Deserialize;

use crate::SharedState;
use crate::errors::AppResult;
use crate::view::{Chrome, Viewer, render};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct Page {
    c: Chrome,
    q: String,
    searched: bool,
    /// (heading, id, what was found)
    sections: Vec<(String, &'static str, Vec<Found>)>,
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Query(query): Query<SearchQuery>) -> AppResult {
    let tr = viewer.tr;
    let q: String = query.q.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let a = &viewer.actor;
    let (mut homework, mut resources, mut messages) = (vec![], vec![], vec![]);
    let searched = q.chars().count() >= 2;
    if searched {
        // As a pupil or a parent: the classes' published homework; as a teacher: all of theirs.
        let mut learning = a.own_audiences();
        learning.extend(a.children_audiences());
        let mut teaching: Vec<Audience> = vec![];
        if viewer.person.roles.contains(Role::Teacher) {
            teaching = a.taught_audiences();
        }
        homework.extend(state.store.search_homework(&learning, Some(state.clock.now()), &q).await?);
        homework.extend(state.store.search_homework(&teaching, None, &q).await?);
        // A teacher who is also a parent may find the same homework twice.
        homework.sort_by(|x, y| x.link.cmp(&y.link));
        homework.dedup_by(|x, y| x.link == y.link);
        let mut all = learning;
        all.extend(teaching);
        resources = state.store.search_resources(&all, &q).await?;
        messages = state.store.search_messages(&viewer.person.id, &q).await?;
    }
    let sections = vec![
        (tr.t("search-homework"), "found-homework", homework),
        (tr.t("search-resources"), "found-resources", resources),
        (tr.t("search-messages"), "found-messages", messages),
    ];
    let page = Page { c: Chrome::new(tr, "search", tr.t("search-title"), Some(&viewer)), q, searched, sections };
    render(StatusCode::OK, &page)
}
