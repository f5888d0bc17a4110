//! The timetable (« emploi du temps »): a person's week (a pupil's, a child's for a parent, a
//! teacher's), the day's lessons on dashboards, a lesson cancelled or held as a virtual class by
//! its teacher or the staff, and the staff's page that keeps the timetable — one course at a
//! time, or a whole CSV import that takes every line or none and names each wrong line.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::booking::{self, Date};
use preau_core::policy::{Action, Target, may};
use preau_core::school::{Audience, Person, Role, Room};
use preau_core::timetable::{self, Change, Course, CsvError, Weekday, Weeks, lessons_on, weekday_name};
use preau_core::{CourseId, Millis, PersonId};
use preau_store::timetable::CourseLine;
use serde::Deserialize;

use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

/// A lesson as a day's list shows it.
pub(crate) struct LessonView {
    pub(crate) hours: String,
    pub(crate) subject: String,
    pub(crate) audience: String,
    pub(crate) teacher: String,
    pub(crate) room: String,
    /// "annulé", "en classe virtuelle".
    pub(crate) state: Option<String>,
    /// The class's virtual classroom, when the lesson is held there and the viewer may enter.
    pub(crate) room_link: Option<String>,
    /// For its teacher and the staff: the address that changes it, and what it is now.
    pub(crate) change: Option<(String, &'static str)>,
    /// What the lesson covered (« contenu de la séance »), as its teacher wrote it.
    pub(crate) content: String,
    /// For its teacher and the staff: where to write it, and a unique id for the field.
    pub(crate) write: Option<(String, String)>,
}

pub(crate) struct DayView {
    pub(crate) label: String,
    pub(crate) lessons: Vec<LessonView>,
}

fn today(now: Millis) -> Date {
    booking::local(now).map(|d| d.date()).unwrap_or_default()
}

/// Whose timetable the viewer sees: their classes' (a pupil, a child), or what they teach.
pub(crate) async fn courses_of(state: &SharedState, viewer: &Viewer, person: &Person) -> AppResult<Vec<CourseLine>> {
    if person.roles.contains(Role::Teacher) {
        return Ok(state.store.courses_for(&[], Some(&person.id)).await?);
    }
    courses_of_classes(state, super::relations_of(state, viewer, person).await?).await
}

async fn courses_of_classes(state: &SharedState, a: preau_core::Actor) -> AppResult<Vec<CourseLine>> {
    Ok(state.store.courses_for(&a.own_audiences(), None).await?)
}

fn room_for<'a>(rooms: &'a [Room], audience: &Audience) -> Option<&'a Room> {
    use preau_core::school::RoomAudience;
    rooms.iter().find(|r| match (&r.audience, audience) {
        (RoomAudience::Division(a), Audience::Division(b)) => a == b,
        (RoomAudience::Group(a), Audience::Group(b)) => a == b,
        _ => false,
    })
}

/// The lessons of `lines` from `from` for `days` days, as the viewer sees them.
pub(crate) async fn days_view(state: &SharedState, viewer: &Viewer, lines: &[CourseLine], from: Date, days: i64) -> AppResult<Vec<DayView>> {
    let tr = viewer.tr;
    let courses: Vec<Course> = lines.iter().map(|l| l.course.clone()).collect();
    let ids: Vec<CourseId> = courses.iter().map(|c| c.id.clone()).collect();
    let to = from.checked_add(jiff::Span::new().days(days - 1)).unwrap_or(from);
    let (changes, contents) = match ids.is_empty() {
        true => (vec![], vec![]),
        false => state.store.lesson_notes(&ids, from, to).await?,
    };
    // The class rooms, only if a lesson is held in one.
    let rooms = match changes.iter().any(|(_, _, ch)| *ch == Change::Virtual) {
        true => super::rooms::class_rooms(state, viewer).await?,
        false => vec![],
    };
    let est = &viewer.actor.establishment_id;
    let mut out = vec![];
    for n in 0..days {
        let Ok(date) = from.checked_add(jiff::Span::new().days(n)) else { break };
        let lessons = lessons_on(&courses, date, &changes);
        let at = booking::instant(date.at(12, 0, 0, 0)).unwrap_or_default();
        let views = lessons
            .iter()
            .map(|l| {
                let line = lines.iter().find(|x| x.course.id == l.course.id).expect("from these lines");
                let c = l.course;
                let target = Target::Course { establishment_id: est, teacher: &c.teacher, audience: &c.audience };
                let may_change = may(&viewer.actor, Action::ChangeLesson, target).is_allowed();
                LessonView {
                    hours: format!("{} – {}", c.start.strftime("%H:%M"), c.end.strftime("%H:%M")),
                    subject: line.subject_name.clone(),
                    audience: line.audience_name.clone(),
                    teacher: line.teacher_name.clone(),
                    room: c.room.clone(),
                    state: l.change.map(|ch| tr.t(match ch {
                        Change::Cancelled => "timetable-cancelled",
                        Change::Virtual => "timetable-virtual",
                    })),
                    room_link: (l.change == Some(Change::Virtual))
                        .then(|| room_for(&rooms, &c.audience).map(|r| format!("/rooms/{}", r.id)))
                        .flatten(),
                    content: contents.iter().find(|(id, d, _)| *id == c.id && *d == date).map(|(_, _, t)| t.clone()).unwrap_or_default(),
                    write: may_change.then(|| (format!("/timetable/lessons/{}/{}/content", c.id, date), format!("content-{}-{date}", c.id))),
                    change: may_change.then(|| {
                        let now = l.change.map_or("planned", Change::as_str);
                        (format!("/timetable/lessons/{}/{}", c.id, date), now)
                    }),
                }
            })
            .collect();
        out.push(DayView { label: tr.long_date(at), lessons: views });
    }
    Ok(out)
}

/// Today's lessons of `person` (the viewer, or a parent's child), for a dashboard.
pub(crate) async fn today_for(state: &SharedState, viewer: &Viewer, person: &Person) -> AppResult<Vec<LessonView>> {
    let lines = courses_of(state, viewer, person).await?;
    let mut days = days_view(state, viewer, &lines, today(state.clock.now()), 1).await?;
    Ok(days.pop().map(|d| d.lessons).unwrap_or_default())
}

/// The lessons of `person` from a week before `now` to four weeks after, as calendar events
/// (a cancelled one marked so), for their calendar feed.
pub(crate) async fn lesson_events(state: &SharedState, person: &Person, now: Millis) -> AppResult<Vec<preau_core::ical::Event>> {
    let lines = match person.roles.contains(Role::Teacher) {
        true => state.store.courses_for(&[], Some(&person.id)).await?,
        false => courses_of_classes(state, state.store.actor(person).await?).await?,
    };
    if lines.is_empty() {
        return Ok(vec![]);
    }
    let courses: Vec<Course> = lines.iter().map(|l| l.course.clone()).collect();
    let ids: Vec<CourseId> = courses.iter().map(|c| c.id.clone()).collect();
    let first = today(now).checked_sub(jiff::Span::new().days(7)).unwrap_or_else(|_| today(now));
    let last = first.checked_add(jiff::Span::new().days(35)).unwrap_or(first);
    let changes = state.store.lesson_changes(&ids, first, last).await?;
    let host = crate::mail::public_host(state);
    let mut events = vec![];
    for n in 0..=35 {
        let Ok(date) = first.checked_add(jiff::Span::new().days(n)) else { break };
        for l in lessons_on(&courses, date, &changes) {
            let line = lines.iter().find(|x| x.course.id == l.course.id).expect("from these lines");
            let teacher = preau_core::ical::Attendee { name: line.teacher_name.clone(), address: format!("urn:x-preau:person:{}", l.course.teacher) };
            let room = if l.course.room.is_empty() { String::new() } else { format!(", {}", l.course.room) };
            events.push(preau_core::ical::Event {
                uid: format!("{}-{date}@{host}", l.course.id),
                sequence: u32::from(l.change.is_some()),
                stamp: now,
                title: format!("{} ({}{room})", line.subject_name, line.audience_name),
                description: None,
                url: None,
                start: date.to_datetime(l.course.start),
                end: date.to_datetime(l.course.end),
                weekly: None,
                organizer: teacher,
                attendees: vec![],
                cancelled: l.change == Some(Change::Cancelled),
            });
        }
    }
    Ok(events)
}

// ---- The week ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "timetable.html")]
struct WeekPage {
    c: Chrome,
    csrf: String,
    heading: String,
    days: Vec<DayView>,
    previous: String,
    next: String,
    child: Option<String>,
    /// For parents of several children: (id, name, current).
    children: Vec<(String, String, bool)>,
}

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
    child: Option<String>,
}

fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
}

pub async fn week(State(state): State<SharedState>, viewer: Viewer, Query(q): Query<WeekQuery>) -> AppResult {
    let tr = viewer.tr;
    let monday = monday_of(match q.week.as_deref() {
        Some(w) => w.parse::<Date>().map_err(|_| AppError::BadRequest("error-400-text"))?,
        None => today(state.clock.now()),
    });
    // A parent sees a child's; a pupil or a teacher their own.
    let (person, children) = if viewer.person.roles.contains(Role::Parent) && !viewer.person.roles.contains(Role::Teacher) {
        let kids = state.store.children_of(&viewer.person.id).await?;
        let chosen = match q.child.as_deref() {
            Some(id) => {
                let id: PersonId = parse_id(id)?;
                kids.iter().find(|k| k.id == id).cloned().ok_or(AppError::Forbidden)?
            }
            None => kids.first().cloned().ok_or(AppError::NotFound)?,
        };
        let list = if kids.len() > 1 { kids.iter().map(|k| (k.id.to_string(), k.display_name(), k.id == chosen.id)).collect() } else { vec![] };
        (chosen, list)
    } else {
        (viewer.person.clone(), vec![])
    };
    let lines = courses_of(&state, &viewer, &person).await?;
    let saturday = lines.iter().any(|l| l.course.weekday == Weekday::Saturday);
    let days = days_view(&state, &viewer, &lines, monday, if saturday { 6 } else { 5 }).await?;
    let step = |n: i64| monday.checked_add(jiff::Span::new().days(n)).map(|d| d.to_string()).unwrap_or_default();
    let start_at = booking::instant(monday.at(12, 0, 0, 0)).unwrap_or_default();
    let page = WeekPage {
        c: Chrome::new(tr, "timetable", tr.t("timetable-title"), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        heading: tr.t1("timetable-week-of", "date", tr.long_date(start_at)),
        days,
        previous: step(-7),
        next: step(7),
        child: (person.id != viewer.person.id).then(|| person.id.to_string()),
        children,
    };
    render(StatusCode::OK, &page)
}

/// The lesson of `course` on `date`, if the viewer may change it and the course is held that
/// day.
async fn lesson_of(state: &SharedState, viewer: &Viewer, course: &str, date: &str) -> AppResult<(Course, Date)> {
    let id: CourseId = parse_id(course)?;
    let date: Date = parse_id(date)?;
    let (line, est) = state.store.course(&id).await?.ok_or(AppError::NotFound)?;
    let c = line.course;
    if !may(&viewer.actor, Action::ChangeLesson, Target::Course { establishment_id: &est, teacher: &c.teacher, audience: &c.audience }).is_allowed() {
        return Err(AppError::Forbidden);
    }
    if date.weekday() != c.weekday || !c.weeks.holds(date) {
        return Err(AppError::BadRequest("error-400-text"));
    }
    Ok((c, date))
}

/// Longest content of a lesson.
const MAX_CONTENT: usize = 5000;

/// `POST /timetable/lessons/{course}/{date}/content`: its teacher (or the staff) writes what a
/// lesson covered.
pub async fn write_content(
    State(state): State<SharedState>,
    viewer: Viewer,
    Path((course, date)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> AppResult {
    let (c, date) = lesson_of(&state, &viewer, &course, &date).await?;
    let content = form.iter().find(|(k, _)| k == "content").map_or("", |(_, v)| v.as_str()).trim();
    if content.chars().count() > MAX_CONTENT {
        return super::homework::refused_page(&viewer.tr, &viewer, format!("/timetable?week={}", monday_of(date)), viewer.tr.t("timetable-content-too-long"));
    }
    state.store.set_lesson_content(&c.id, date, content, &viewer.person.id, state.clock.now()).await?;
    Ok(Redirect::to(&format!("/timetable?week={}", monday_of(date))).into_response())
}

/// `POST /timetable/lessons/{course}/{date}`: cancel a lesson, hold it as a virtual class, or
/// put it back as planned.
pub async fn change_lesson(
    State(state): State<SharedState>,
    viewer: Viewer,
    Path((course, date)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> AppResult {
    let (c, date) = lesson_of(&state, &viewer, &course, &date).await?;
    let change = match form.iter().find(|(k, _)| k == "change").map(|(_, v)| v.as_str()) {
        Some("planned") => None,
        Some(v) => Some(Change::parse(v).ok_or(AppError::BadRequest("error-400-text"))?),
        None => return Err(AppError::BadRequest("error-400-text")),
    };
    state.store.set_lesson_change(&c.id, date, change, &viewer.person.id, state.clock.now()).await?;
    tracing::info!(course = %c.id, %date, ?change, "lesson changed");
    Ok(Redirect::to(&format!("/timetable?week={}", monday_of(date))).into_response())
}

// ---- Keeping the timetable ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_timetable.html")]
struct AdminPage {
    c: Chrome,
    csrf: String,
    /// (course id, class, day and hours, subject, teacher, room, weeks)
    courses: Vec<(String, String, String, String, String, String, String)>,
    subjects: Vec<(String, String)>,
    teachers: Vec<(String, String)>,
    audiences: Vec<(String, String)>,
    /// (ISO number, name), Monday to Saturday.
    weekdays: Vec<(i8, String)>,
    errors: Vec<String>,
    notice: Option<String>,
}

fn audience_value(a: &Audience) -> String {
    match a {
        Audience::Division(d) => format!("d:{d}"),
        Audience::Group(g) => format!("g:{g}"),
    }
}

async fn admin_page(state: &SharedState, viewer: &Viewer, errors: Vec<String>, notice: Option<String>) -> AppResult<AdminPage> {
    let tr = viewer.tr;
    let est = &viewer.actor.establishment_id;
    let names = state.store.timetable_names(est).await?;
    let mut teachers = vec![];
    for (id, _) in &names.teachers {
        if let Some(p) = state.store.person(id).await? {
            teachers.push((id.to_string(), p.display_name()));
        }
    }
    teachers.sort_by(|a, b| a.1.cmp(&b.1));
    let mut audiences: Vec<(String, String)> = names.audiences.iter().map(|(a, n)| (audience_value(a), n.clone())).collect();
    audiences.sort_by(|a, b| a.1.cmp(&b.1));
    let mut subjects: Vec<(String, String)> = names.subjects.iter().map(|(id, _, n)| (id.to_string(), n.clone())).collect();
    subjects.sort_by(|a, b| a.1.cmp(&b.1));
    let courses = state
        .store
        .courses_of_establishment(est)
        .await?
        .into_iter()
        .map(|l| {
            let c = &l.course;
            let when = format!("{} {} – {}", tr.t(&format!("weekday-{}", c.weekday.to_monday_one_offset())), c.start.strftime("%H:%M"), c.end.strftime("%H:%M"));
            (c.id.to_string(), l.audience_name, when, l.subject_name, l.teacher_name, c.room.clone(), c.weeks.as_str().to_owned())
        })
        .collect();
    Ok(AdminPage {
        c: Chrome::new(tr, "admin-timetable", tr.t("timetable-admin-title"), Some(viewer)),
        csrf: viewer.csrf.clone(),
        courses,
        subjects,
        teachers,
        audiences,
        weekdays: (1..=6).map(|n| (n, tr.t(&format!("weekday-{n}")))).collect(),
        errors,
        notice,
    })
}

#[derive(Deserialize)]
pub struct AdminQuery {
    imported: Option<usize>,
}

pub async fn admin(State(state): State<SharedState>, viewer: Viewer, Query(q): Query<AdminQuery>) -> AppResult {
    let notice = q.imported.map(|n| viewer.tr.tn("timetable-imported", "count", n as i64));
    render(StatusCode::OK, &admin_page(&state, &viewer, vec![], notice).await?)
}

/// `POST /admin/timetable`: adds one course.
pub async fn add(State(state): State<SharedState>, viewer: Viewer, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let tr = viewer.tr;
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map_or("", |(_, v)| v.as_str());
    let names = state.store.timetable_names(&viewer.actor.establishment_id).await?;
    let subject = names.subjects.iter().find(|(id, _, _)| id.as_str() == get("subject")).map(|(id, _, _)| id.clone());
    let teacher = names.teachers.iter().find(|(id, _)| id.as_str() == get("teacher")).map(|(id, _)| id.clone());
    let audience = names.audiences.iter().find(|(a, _)| audience_value(a) == get("class")).map(|(a, _)| a.clone());
    let weekday = get("day").parse::<i8>().ok().and_then(|d| Weekday::from_monday_one_offset(d).ok()).filter(|d| *d != Weekday::Sunday);
    let (start, end) = (timetable::parse_time(get("start")), timetable::parse_time(get("end")));
    let weeks = Weeks::parse(get("weeks"));
    let room: String = get("room").trim().chars().filter(|c| !c.is_control()).take(40).collect();
    let (Some(subject), Some(teacher), Some(audience), Some(weekday), Some(start), Some(end), Some(weeks)) =
        (subject, teacher, audience, weekday, start, end, weeks)
    else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &admin_page(&state, &viewer, vec![tr.t("timetable-error-form")], None).await?);
    };
    if end <= start {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &admin_page(&state, &viewer, vec![tr.t("timetable-error-order")], None).await?);
    }
    let c = Course { id: CourseId::new(state.clock.now(), random_u128()), subject, teacher, audience, room, weekday, start, end, weeks };
    state.store.add_course(&viewer.actor.establishment_id, &c).await?;
    Ok(Redirect::to("/admin/timetable").into_response())
}

/// `POST /admin/timetable/{id}/delete`.
pub async fn delete(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let id: CourseId = parse_id(&id)?;
    if !state.store.delete_course(&viewer.actor.establishment_id, &id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/timetable").into_response())
}

fn csv_error(tr: &Tr, e: &CsvError) -> String {
    let reason = tr.t1(e.reason, "value", &e.value);
    tr.t2("timetable-csv-line", "line", e.line, "reason", reason)
}

/// `POST /admin/timetable/import`: the whole timetable from the CSV template, every line or
/// none; each wrong line is named with its reason.
pub async fn import(State(state): State<SharedState>, viewer: Viewer, form: Multipart) -> AppResult {
    let tr = viewer.tr;
    let sent = super::homework::read_form(&tr, form).await?;
    let refuse = |errors: Vec<String>| async { render(StatusCode::UNPROCESSABLE_ENTITY, &admin_page(&state, &viewer, errors, None).await?) };
    if !sent.errors.is_empty() {
        return refuse(sent.errors.clone()).await;
    }
    let [file] = sent.files.as_slice() else { return refuse(vec![tr.t("timetable-error-file")]).await };
    let Ok(text) = std::str::from_utf8(&file.bytes) else { return refuse(vec![tr.t("timetable-error-file")]).await };
    let lines = match timetable::parse_csv(text) {
        Ok(lines) => lines,
        Err(errors) => return refuse(errors.iter().map(|e| csv_error(&tr, e)).collect()).await,
    };
    // Names resolved against the establishment's subjects, teachers, classes and groups.
    let names = state.store.timetable_names(&viewer.actor.establishment_id).await?;
    let now = state.clock.now();
    let (mut courses, mut errors) = (vec![], vec![]);
    for l in &lines {
        let subject = names.subjects.iter().find(|(_, code, name)| code.eq_ignore_ascii_case(&l.subject) || name.to_lowercase() == l.subject.to_lowercase());
        let teacher = names.teachers.iter().find(|(_, login)| *login == l.teacher);
        let audience = names.audiences.iter().find(|(_, name)| name.to_lowercase() == l.audience.to_lowercase());
        let error = |reason: &'static str, value: &str| csv_error(&tr, &CsvError { line: l.line, reason, value: value.to_owned() });
        match (subject, teacher, audience) {
            (Some((s, _, _)), Some((t, _)), Some((a, _))) => courses.push(Course {
                id: CourseId::new(now, random_u128()),
                subject: s.clone(),
                teacher: t.clone(),
                audience: a.clone(),
                room: l.room.clone(),
                weekday: l.weekday,
                start: l.start,
                end: l.end,
                weeks: l.weeks,
            }),
            (s, t, a) => {
                if s.is_none() {
                    errors.push(error("timetable-csv-unknown-subject", &l.subject));
                }
                if t.is_none() {
                    errors.push(error("timetable-csv-unknown-teacher", &l.teacher));
                }
                if a.is_none() {
                    errors.push(error("timetable-csv-unknown-class", &l.audience));
                }
            }
        }
    }
    if !errors.is_empty() {
        return refuse(errors).await;
    }
    state.store.replace_timetable(&viewer.actor.establishment_id, &courses).await?;
    tracing::info!(courses = courses.len(), by = %viewer.person.id, "timetable imported");
    Ok(Redirect::to(&format!("/admin/timetable?imported={}", courses.len())).into_response())
}

/// `GET /admin/timetable/modele.csv`: the template, with one example line.
pub async fn template() -> AppResult {
    let body = format!(
        "{}\nMATHS;m.martin;6e A;B12;{};08:00;09:00;\nANGLAIS;a.durand;Latin 5e;;{};10:30;11:30;A\n",
        timetable::CSV_COLUMNS.join(";"),
        weekday_name(Weekday::Monday),
        weekday_name(Weekday::Tuesday)
    );
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"emploi-du-temps-modele.csv\""));
    Ok(response)
}
