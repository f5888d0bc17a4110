//! Virtual classrooms (« classes virtuelles »): the room page, the room-full page, and the form
//! that opens an ad-hoc room. The live part — media and signalling — is the room script's and
//! the WebSocket's; this module only decides who may enter and renders the page's structure.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::RoomId;
use preau_core::policy::{Action, Actor, Target, may};
use preau_core::school::{ROOM_TITLE_MAX, Role, Room, RoomAudience, clean_room_title};
use serde::Deserialize;

use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

/// The room page may use the camera, the microphone and screen capture of this origin: it is the
/// one page that lifts the site-wide `Permissions-Policy` ban on them.
const ROOM_PERMISSIONS: &str = "camera=(self), microphone=(self), display-capture=(self), geolocation=(), interest-cohort=()";

/// How long a refused visitor is told to wait before trying a full room again, in seconds.
const FULL_RETRY_AFTER: &str = "30";

/// The live room page, for a class room, a meeting or a meeting's guest.
#[derive(Template)]
#[template(path = "room.html")]
pub(crate) struct RoomPage {
    pub(crate) c: Chrome,
    pub(crate) room_id: String,
    /// The signalling socket's path.
    pub(crate) ws: String,
    pub(crate) title: String,
    pub(crate) kind_label: String,
    pub(crate) host: bool,
    pub(crate) pupil: bool,
    pub(crate) me: String,
    /// For hosts: the address to give to the people invited, and what it opens.
    pub(crate) share: Option<(String, String)>,
    /// Guests may knock: hosts get the lobby's list.
    pub(crate) lobby: bool,
    /// An audio conference: no camera, no screen.
    pub(crate) audio: bool,
    pub(crate) prejoin_note: String,
}

impl RoomPage {
    /// Renders the page with the camera, microphone and screen capture allowed.
    pub(crate) fn respond(&self) -> AppResult {
        let mut response = render(StatusCode::OK, self)?;
        response.headers_mut().insert(HeaderName::from_static("permissions-policy"), HeaderValue::from_static(ROOM_PERMISSIONS));
        Ok(response)
    }
}

#[derive(Template)]
#[template(path = "room_full.html")]
struct RoomFullPage {
    c: Chrome,
    room_id: String,
    message: String,
}

#[derive(Template)]
#[template(path = "room_new.html")]
struct NewRoomPage {
    c: Chrome,
    csrf: String,
    title: String,
    title_max: usize,
    error: Option<String>,
}

/// A link to a room, as dashboards list them.
pub(crate) struct RoomLink {
    pub(crate) id: String,
    pub(crate) title: String,
    /// "Entrer dans la classe virtuelle 6e A", for links whose visible text is only "Entrer".
    pub(crate) label: String,
}

impl RoomLink {
    pub(crate) fn new(tr: &Tr, room: &Room) -> RoomLink {
        RoomLink { id: room.id.to_string(), title: room.title.clone(), label: tr.t1("room-enter-label", "name", &room.title) }
    }
}

/// The rooms `viewer` may enter among those of their classes, as the store lists them.
pub(crate) async fn class_rooms(state: &SharedState, viewer: &Viewer) -> Result<Vec<Room>, AppError> {
    let rooms = state.store.class_rooms_of(&viewer.actor).await?;
    Ok(rooms.into_iter().filter(|r| may(&viewer.actor, Action::JoinRoom, Target::Room(&r.facts())).is_allowed()).collect())
}

fn kind_label(tr: &Tr, audience: &RoomAudience) -> String {
    tr.t(match audience {
        RoomAudience::Division(_) => "room-kind-division",
        RoomAudience::Group(_) => "room-kind-group",
        RoomAudience::AdHoc { .. } => "room-kind-adhoc",
    })
}

/// The absolute address of a room, from the configured public URL.
fn room_url(state: &SharedState, id: &RoomId) -> String {
    format!("{}/rooms/{id}", state.config.public_url.trim_end_matches('/'))
}

/// Who gets into a room, decided once for the room page and for its WebSocket alike.
pub(crate) struct Admission {
    pub(crate) room: Room,
    pub(crate) host: bool,
    /// The room is at capacity and this person is not one of its hosts: they must wait.
    pub(crate) full: bool,
}

/// Loads the room named in a URL and decides on `actor`'s entry: not found for an unknown or
/// malformed id, forbidden when the policy refuses. A room's hosts are admitted past capacity.
pub(crate) async fn admit(state: &SharedState, actor: &Actor, id: &str) -> Result<Admission, AppError> {
    let id: RoomId = parse_id(id)?;
    let room = state.store.room(&id).await?.ok_or(AppError::NotFound)?;
    let facts = room.facts();
    if !may(actor, Action::JoinRoom, Target::Room(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let host = may(actor, Action::HostRoom, Target::Room(&facts)).is_allowed();
    let full = !host && state.live.participants(&room.id) >= state.config.room_capacity;
    Ok(Admission { room, host, full })
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let Admission { room, host, full } = admit(&state, &viewer.actor, &id).await?;
    if full {
        return room_full(&viewer, &room, state.config.room_capacity);
    }
    let tr = viewer.tr;
    let pupil = !host && viewer.person.roles.contains(Role::Pupil);
    let share = host.then(|| {
        let hint = if matches!(room.audience, RoomAudience::AdHoc { .. }) { "room-share-hint-adhoc" } else { "room-share-hint-class" };
        (room_url(&state, &room.id), tr.t(hint))
    });
    let page = RoomPage {
        c: Chrome::new(tr, "room", tr.t1("room-page-title", "title", &room.title), Some(&viewer)),
        room_id: room.id.to_string(),
        ws: format!("/rooms/{}/ws", room.id),
        kind_label: kind_label(&tr, &room.audience),
        title: room.title,
        host,
        pupil,
        me: viewer.person.display_name(),
        share,
        lobby: false,
        audio: false,
        prejoin_note: tr.t(if pupil { "room-note-pupil" } else { "room-note-others" }),
    };
    page.respond()
}

/// 503 with a page that says the room is full, how many places it has, and to try again.
fn room_full(viewer: &Viewer, room: &Room, capacity: usize) -> AppResult {
    let tr = viewer.tr;
    let capacity = i64::try_from(capacity).unwrap_or(i64::MAX);
    let page = RoomFullPage {
        c: Chrome::new(tr, "room-full", tr.t("room-full-title"), Some(viewer)),
        room_id: room.id.to_string(),
        message: tr.tn1("room-full-text", "capacity", capacity, "title", &room.title),
    };
    let mut response = render(StatusCode::SERVICE_UNAVAILABLE, &page)?;
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(FULL_RETRY_AFTER));
    Ok(response)
}

fn new_page(viewer: &Viewer, title: &str, error: Option<String>) -> NewRoomPage {
    let tr = viewer.tr;
    NewRoomPage {
        c: Chrome::new(tr, "room-new", tr.t("room-new-title"), Some(viewer)),
        csrf: viewer.csrf.clone(),
        title: title.to_owned(),
        title_max: ROOM_TITLE_MAX,
        error,
    }
}

pub async fn new_form(viewer: Viewer) -> AppResult {
    render(StatusCode::OK, &new_page(&viewer, "", None))
}

#[derive(Deserialize)]
pub struct NewRoomForm {
    #[serde(default)]
    title: String,
}

pub async fn create(State(state): State<SharedState>, viewer: Viewer, Form(f): Form<NewRoomForm>) -> AppResult {
    let Some(title) = clean_room_title(&f.title) else {
        // Echo back at most a field's worth of what was typed.
        let typed: String = f.title.chars().take(ROOM_TITLE_MAX * 2).collect();
        let page = new_page(&viewer, &typed, Some(viewer.tr.t("room-new-error-title")));
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let now = state.clock.now();
    let room = state
        .store
        .create_adhoc_room(RoomId::new(now, random_u128()), &viewer.person.establishment_id, &viewer.person.id, &title, now)
        .await?;
    tracing::info!(room = %room.id, "ad-hoc room opened");
    Ok(Redirect::to(&format!("/rooms/{}", room.id)).into_response())
}
