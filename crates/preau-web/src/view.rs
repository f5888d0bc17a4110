//! What every page needs: who is looking, in which language, and the page chrome.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use preau_core::policy::{Action, Actor, Target, may};
use preau_core::school::{Person, Role};

use crate::auth::{self, LANG_COOKIE, SESSION_COOKIE};
use crate::errors::AppError;
use crate::i18n::{Lang, Tr};
use crate::{SharedState, assets};

/// The signed-in person making the request.
pub struct ViewerData {
    pub person: Person,
    pub actor: Actor,
    pub session_id: String,
    pub csrf: String,
    pub tr: Tr,
    pub establishment_name: String,
}

#[derive(Clone)]
pub struct Viewer(pub Arc<ViewerData>);

impl std::ops::Deref for Viewer {
    type Target = ViewerData;
    fn deref(&self) -> &ViewerData {
        &self.0
    }
}

/// A session is marked as used at most once a minute, to spare the database a write per request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Finds the live session of the request's cookie and the person behind it.
pub async fn load_viewer(state: &SharedState, headers: &HeaderMap) -> Result<Option<Viewer>, AppError> {
    let Some(token) = auth::read_cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let now = state.clock.now();
    let hash = auth::token_hash(token);
    let Some((session, person)) = state.store.live_session_person(&hash, now, state.config.session_idle_ms).await? else {
        return Ok(None);
    };
    if person.disabled {
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_EVERY_MS {
        state.store.touch_session(&session.id, now).await?;
    }
    let actor = state.store.actor(&person).await?;
    let tr = Tr::new(Lang::negotiate(person.locale.as_deref(), None, accept_language(headers)));
    let establishment_name = state.establishment_name(&person.establishment_id).await?;
    Ok(Some(Viewer(Arc::new(ViewerData {
        person,
        actor,
        session_id: session.id,
        csrf: auth::csrf_for_session(token),
        tr,
        establishment_name,
    }))))
}

fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
}

/// The language of a visitor who is not signed in: cookie, then browser.
pub fn anonymous_lang(headers: &HeaderMap) -> Lang {
    Lang::negotiate(None, auth::read_cookie(headers, LANG_COOKIE), accept_language(headers))
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| AppError::Internal("a signed-in route has no viewer".into()))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned())
    }
}

/// The translator of the request: the viewer's, or negotiated from the headers.
pub struct Ctx {
    pub tr: Tr,
    pub viewer: Option<Viewer>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let viewer = parts.extensions.get::<Viewer>().cloned();
        let tr = match &viewer {
            Some(v) => v.tr,
            None => Tr::new(anonymous_lang(&parts.headers)),
        };
        Ok(Ctx { tr, viewer })
    }
}

/// The signed-in person as the header shows them.
pub struct NavUser {
    pub name: String,
    pub csrf: String,
    pub establishment: String,
    pub is_admin: bool,
    /// Teachers and staff book meetings.
    pub meets: bool,
    /// The administrator and the principal set up meeting rooms.
    pub manages_rooms: bool,
    /// Pupils, parents and teachers have a homework diary.
    pub homework: bool,
    /// Everyone but guests has the messaging.
    pub messages: bool,
    /// The administrator and the principal set the communication rules.
    pub sets_rules: bool,
    /// The staff keep the timetable.
    pub keeps_timetable: bool,
}

/// The page chrome: language, title, assets, header.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    /// `data-page` of `<main>`: a stable name for tests and styles.
    pub page: &'static str,
    pub user: Option<NavUser>,
}

/// Whether the policy allows `action` in the viewer's establishment: the header shows a link
/// exactly when its route would let the viewer in.
fn may_here(v: &Viewer, action: Action) -> bool {
    may(&v.actor, action, Target::Establishment(&v.actor.establishment_id)).is_allowed()
}

impl Chrome {
    pub fn new(tr: Tr, page: &'static str, title: String, viewer: Option<&Viewer>) -> Chrome {
        Chrome {
            tr,
            title,
            page,
            user: viewer.map(|v| NavUser {
                name: v.person.display_name(),
                csrf: v.csrf.clone(),
                establishment: v.establishment_name.clone(),
                is_admin: v.person.roles.contains(Role::Admin),
                meets: may_here(v, Action::BookMeeting),
                manages_rooms: may_here(v, Action::ManageMeetingRooms),
                homework: [Role::Pupil, Role::Parent, Role::Teacher].iter().any(|r| v.person.roles.contains(*r)),
                messages: may_here(v, Action::UseMessaging),
                sets_rules: may_here(v, Action::ManageCommunication),
                keeps_timetable: may_here(v, Action::ManageTimetable),
            }),
        }
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.tr.t1(id, name, value)
    }
    pub fn t2(&self, id: &str, n1: &str, v1: impl std::fmt::Display, n2: &str, v2: impl std::fmt::Display) -> String {
        self.tr.t2(id, n1, v1, n2, v2)
    }
    /// A message with a number, for its plural forms.
    pub fn tn(&self, id: &str, name: &str, value: &i64) -> String {
        self.tr.tn(id, name, *value)
    }
    pub fn css(&self) -> &'static str {
        assets::url("preau.css")
    }
    pub fn icon(&self) -> &'static str {
        assets::url("preau.svg")
    }
    /// The live room's script, the only JavaScript Préau serves.
    pub fn room_js(&self) -> &'static str {
        assets::url("room.js")
    }
}

/// Marks a response whose body is a page we rendered, so error pages leave it alone.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// Renders a template into an HTML response.
pub fn render<T: askama::Template>(status: StatusCode, page: &T) -> Result<Response, AppError> {
    let html = page.render()?;
    let mut response = (status, Html(html)).into_response();
    response.extensions_mut().insert(Rendered);
    Ok(response)
}

/// The label of a role in the interface language.
pub fn role_label(tr: &Tr, role: Role) -> String {
    tr.t(&format!("role-{}", role.as_str()))
}
