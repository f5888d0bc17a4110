//! The dashboard: one per role, the landing page after login.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use preau_core::Role;
use preau_core::policy::{Action, Target, may};
use preau_core::school::{Audience, Person, Room, RoomAudience};
use serde::Deserialize;

use super::parse_id;
use super::rooms::{RoomLink, class_rooms};
use crate::SharedState;
use crate::errors::{AppError, AppResult};
use crate::view::{Chrome, Viewer, render, role_label};

#[derive(Template)]
#[template(path = "dashboard_pupil.html")]
struct PupilDashboard {
    c: Chrome,
    heading: String,
    today: String,
    /// For parents: (id, name, selected).
    children: Vec<(String, String, bool)>,
    pupil_name: Option<String>,
    divisions: Vec<(String, String)>,
    /// A pupil's own virtual classrooms; None on a parent's or guest's dashboard.
    rooms: Option<Vec<RoomLink>>,
    /// The meetings one is invited to, coming up: (booking id, "title, when").
    meetings: Vec<(String, String)>,
    /// The pupil's coming homework, by the day it is due.
    homework: Vec<super::homework::Day>,
    /// The pupil's lessons today.
    today_lessons: super::timetable::DayView,
    /// The announcements shown now.
    news: Vec<super::announcements::AnnouncementView>,
    /// A parent's chosen child, for the timetable's link.
    child_id: Option<String>,
    csrf: String,
    empty_text: String,
    role_switch: Vec<(&'static str, String, bool)>,
}

pub(crate) struct Line {
    pub(crate) division_id: Option<String>,
    pub(crate) name: String,
    pub(crate) subject: String,
    pub(crate) pupils: i64,
    pub(crate) room: Option<RoomLink>,
}

#[derive(Template)]
#[template(path = "dashboard_teacher.html")]
struct TeacherDashboard {
    c: Chrome,
    heading: String,
    today: String,
    lines: Vec<Line>,
    today_lessons: super::timetable::DayView,
    news: Vec<super::announcements::AnnouncementView>,
    csrf: String,
    head_of: Vec<(String, String)>,
    may_create_room: bool,
    role_switch: Vec<(&'static str, String, bool)>,
}

pub(crate) struct DivisionRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) level: String,
    pub(crate) pupils: i64,
    pub(crate) head_teacher: String,
    /// The division's virtual classroom, where the page shows it.
    pub(crate) room: Option<RoomLink>,
}

impl From<preau_store::DivisionSummary> for DivisionRow {
    fn from(s: preau_store::DivisionSummary) -> Self {
        DivisionRow {
            id: s.division.id.to_string(),
            name: s.division.name,
            level: s.division.level,
            pupils: s.pupils,
            head_teacher: s.head_teacher.map(|p| p.display_name()).unwrap_or_default(),
            room: None,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard_establishment.html")]
struct EstablishmentDashboard {
    c: Chrome,
    heading: String,
    establishment: String,
    uai: String,
    academie: String,
    is_admin: bool,
    counts: Vec<(String, i64)>,
    divisions: Vec<DivisionRow>,
    may_create_room: bool,
    role_switch: Vec<(&'static str, String, bool)>,
}

/// The room whose audience is the given division or group, among `rooms`.
fn room_for<'a>(rooms: &'a [Room], audience: &Audience) -> Option<&'a Room> {
    rooms.iter().find(|r| match (&r.audience, audience) {
        (RoomAudience::Division(a), Audience::Division(b)) => a == b,
        (RoomAudience::Group(a), Audience::Group(b)) => a == b,
        _ => false,
    })
}

/// Homework shown on a pupil's dashboard (the rest is on the homework page).
const DASHBOARD_HOMEWORK: i64 = 8;

fn may_create_room(viewer: &Viewer) -> bool {
    may(&viewer.actor, Action::CreateRoom, Target::Establishment(&viewer.actor.establishment_id)).is_allowed()
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    child: Option<String>,
    /// Which of one's roles to see the dashboard of (a teacher who is also a parent).
    #[serde(rename = "as")]
    as_role: Option<String>,
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Query(q): Query<DashboardQuery>) -> AppResult {
    let tr = viewer.tr;
    let roles = viewer.person.roles;
    let asked = q.as_role.as_deref().and_then(|r| r.parse::<Role>().ok()).filter(|r| roles.contains(*r));
    let role = asked
        .or_else(|| (q.child.is_some() && roles.contains(Role::Parent)).then_some(Role::Parent))
        .or(roles.primary())
        .unwrap_or(Role::Guest);
    let role_switch: Vec<(&'static str, String, bool)> = if roles.iter().count() > 1 {
        roles.iter().map(|r| (r.as_str(), role_label(&tr, r), r == role)).collect()
    } else {
        vec![]
    };
    let today = tr.long_date(state.clock.now());
    let page = match role {
        Role::Admin => "dashboard-admin",
        Role::Principal => "dashboard-principal",
        Role::Staff => "dashboard-staff",
        Role::Teacher => "dashboard-teacher",
        Role::Parent => "dashboard-parent",
        Role::Pupil => "dashboard-pupil",
        Role::Guest => "dashboard-guest",
    };
    let chrome = |title: String| Chrome::new(tr, page, title, Some(&viewer));
    let hello = tr.t1("dash-hello", "name", &viewer.person.first_name);
    match role {
        Role::Admin | Role::Principal | Role::Staff => {
            let est_id = &viewer.person.establishment_id;
            let est = state.store.establishment(est_id).await?.ok_or(AppError::NotFound)?;
            let mut counts = state.store.head_counts(est_id).await?;
            counts.sort_by_key(|(role, _)| role.parse::<Role>().map(|r| r as u8).unwrap_or(u8::MAX));
            let counts = counts
                .into_iter()
                .filter_map(|(role, n)| Some((tr.tn(&format!("count-{}", role.parse::<Role>().ok()?), "count", n), n)))
                .collect();
            let rooms = class_rooms(&state, &viewer).await?;
            let divisions = state
                .store
                .division_summaries(est_id)
                .await?
                .into_iter()
                .map(|s| {
                    let room = room_for(&rooms, &Audience::Division(s.division.id.clone())).map(|r| RoomLink::new(&tr, r));
                    DivisionRow { room, ..DivisionRow::from(s) }
                })
                .collect();
            render(
                StatusCode::OK,
                &EstablishmentDashboard {
                    c: chrome(role_label(&tr, role)),
                    heading: hello,
                    establishment: est.name,
                    uai: est.uai,
                    academie: est.academie,
                    is_admin: role == Role::Admin,
                    counts,
                    divisions,
                    may_create_room: may_create_room(&viewer),
                    role_switch,
                },
            )
        }
        Role::Teacher => {
            let rooms = class_rooms(&state, &viewer).await?;
            let lines = state
                .store
                .teaching_of(&viewer.person.id)
                .await?
                .into_iter()
                .map(|l| Line {
                    room: room_for(&rooms, &l.audience).map(|r| RoomLink::new(&tr, r)),
                    division_id: match l.audience {
                        Audience::Division(d) => Some(d.to_string()),
                        Audience::Group(_) => None,
                    },
                    name: l.audience_name,
                    subject: l.subject,
                    pupils: l.pupils,
                })
                .collect();
            let head_of = state
                .store
                .head_teacher_of(&viewer.person.id)
                .await?
                .into_iter()
                .map(|d| (d.id.to_string(), d.name))
                .collect();
            render(
                StatusCode::OK,
                &TeacherDashboard {
                    c: chrome(tr.t("nav-dashboard")),
                    heading: hello,
                    today: today.clone(),
                    lines,
                    today_lessons: super::timetable::DayView {
                        label: today,
                        lessons: super::timetable::today_for(&state, &viewer, &viewer.person).await?,
                    },
                    csrf: viewer.csrf.clone(),
                    news: super::announcements::shown_to(&state, &viewer).await?,
                    head_of,
                    may_create_room: may_create_room(&viewer),
                    role_switch,
                },
            )
        }
        Role::Parent | Role::Pupil | Role::Guest => {
            let (children, pupil) = if role == Role::Parent {
                let kids = state.store.children_of(&viewer.person.id).await?;
                let selected = match q.child.as_deref() {
                    // A parent picks among their own children only.
                    Some(id) => {
                        let id = parse_id(id)?;
                        Some(kids.iter().find(|k| k.id == id).cloned().ok_or(AppError::Forbidden)?)
                    }
                    None => kids.first().cloned(),
                };
                let switch = if kids.len() > 1 {
                    kids.iter()
                        .map(|k| {
                            let current = selected.as_ref().is_some_and(|s| s.id == k.id);
                            (k.id.to_string(), k.display_name(), current)
                        })
                        .collect()
                } else {
                    vec![]
                };
                (switch, selected)
            } else if role == Role::Pupil {
                (vec![], Some(viewer.person.clone()))
            } else {
                (vec![], None)
            };
            let divisions = match &pupil {
                Some(p) => state.store.divisions_of_pupil(&p.id).await?.into_iter().map(|d| (d.id.to_string(), d.name)).collect(),
                None => vec![],
            };
            // A parent invited to meetings (by their children's teachers, the staff) finds them here.
            let mut meetings: Vec<(String, String)> = vec![];
            if role == Role::Parent {
                let now = state.clock.now();
                let from = now - preau_core::booking::CLOSE_LATE_MS;
                for o in state.store.person_occurrences(&viewer.person.id, from, now + 60 * 86_400_000).await? {
                    let id = o.booking.to_string();
                    if !meetings.iter().any(|(m, _)| *m == id) {
                        let when = super::meetings::span_text(&tr, o.slot.start, o.slot.end);
                        meetings.push((id, tr.t2("dash-meetings-when", "title", &o.title, "when", when)));
                    }
                }
            }
            // Parents do not enter classrooms: only a pupil's own dashboard lists rooms.
            let rooms = if role == Role::Pupil {
                Some(class_rooms(&state, &viewer).await?.iter().map(|r| RoomLink::new(&tr, r)).collect())
            } else {
                None
            };
            let homework = match &pupil {
                Some(p) => super::homework::coming_for(&state, &viewer, p, false, DASHBOARD_HOMEWORK).await?,
                None => vec![],
            };
            let today_lessons = super::timetable::DayView {
                label: today.clone(),
                lessons: match &pupil {
                    Some(p) => super::timetable::today_for(&state, &viewer, p).await?,
                    None => vec![],
                },
            };
            let child_id = pupil.as_ref().filter(|p| p.id != viewer.person.id).map(|p| p.id.to_string());
            render(
                StatusCode::OK,
                &PupilDashboard {
                    c: chrome(tr.t("nav-dashboard")),
                    heading: hello,
                    today,
                    children,
                    pupil_name: pupil.as_ref().map(Person::display_name),
                    divisions,
                    rooms,
                    meetings,
                    homework,
                    today_lessons,
                    news: super::announcements::shown_to(&state, &viewer).await?,
                    child_id,
                    csrf: viewer.csrf.clone(),
                    empty_text: tr.t(if role == Role::Guest { "dash-guest" } else { "dash-no-children" }),
                    role_switch,
                },
            )
        }
    }
}
