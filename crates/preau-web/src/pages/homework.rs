//! The homework diary (« cahier de textes », « travail à faire »): the list of homework for a
//! pupil, a parent's children or a teacher's classes; the form that sets homework with its
//! documents; a homework's page with its pupil's hand-in, a parent's view of their children's
//! work, or the teacher's list of who handed in; feedback; the files, as downloads.
//!
//! Uploads come as `multipart/form-data` on the routes `routes.rs` marks as uploads (their body
//! may be up to `max_upload_bytes`); every file is judged by its content and named anew
//! (`preau_core::files`), and stored with its rows or not at all (`preau_store::files`).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use jiff::civil::Time;
use preau_core::booking::{self, Date, DateTime};
use preau_core::files::{FileKind, clean_name};
use preau_core::homework::{self, HandIn, Homework, Submission};
use preau_core::policy::{Action, HomeworkFacts, Target, may};
use preau_core::school::{Audience, Person};
use preau_core::{EstablishmentId, HomeworkId, Millis, Role, SubmissionId};
use preau_store::files::{Attachment, Role as FileRole, Upload};

use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

/// Most files in one form.
const MAX_FILES: usize = 10;
/// Homework listed per section.
const LIST_LIMIT: i64 = 100;
/// How far back a teacher's list goes (to follow up hand-ins).
const TEACHER_LOOKBACK_MS: Millis = 14 * 86_400_000;

// ---- Reading a form with files ----------------------------------------------------------------

/// A form as sent: its text fields and its files (named, judged, checked).
pub(crate) struct Sent {
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) files: Vec<Upload>,
    /// What was wrong with the files, one message each.
    pub(crate) errors: Vec<String>,
}

impl Sent {
    pub(crate) fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Reads a multipart form: text fields, and files from the `files` inputs (empty parts — no
/// file chosen — skipped). A file of a kind Préau does not take, or with no usable name, is an
/// error for the page; a body over the limit is 413.
pub(crate) async fn read_form(tr: &Tr, mut form: Multipart) -> AppResult<Sent> {
    let mut sent = Sent { fields: vec![], files: vec![], errors: vec![] };
    let too_large = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        _ => AppError::BadRequest("error-400-text"),
    };
    while let Some(field) = form.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(too_large)?;
        match file_name {
            Some(raw) if name == "files" => {
                if raw.is_empty() && bytes.is_empty() {
                    continue;
                }
                if sent.files.len() == MAX_FILES {
                    sent.errors.push(tr.tn("files-error-count", "max", MAX_FILES as i64));
                    continue;
                }
                let shown: String = raw.chars().filter(|c| !c.is_control()).take(80).collect();
                if clean_name(&raw).is_none() {
                    sent.errors.push(tr.t1("files-error-name", "name", &shown));
                    continue;
                }
                let head = &bytes[..bytes.len().min(4096)];
                // Named after what it is: its extension is its kind's.
                match FileKind::sniff(head).and_then(|kind| Some((kind, kind.name(&raw)?))) {
                    Some((kind, name)) => sent.files.push(Upload { name, kind, bytes: bytes.to_vec().into() }),
                    None if bytes.is_empty() => sent.errors.push(tr.t1("files-error-empty", "name", &shown)),
                    None => sent.errors.push(tr.t1("files-error-kind", "name", &shown)),
                }
            }
            Some(_) => return Err(AppError::BadRequest("error-400-text")),
            None => {
                let value = String::from_utf8(bytes.to_vec()).map_err(|_| AppError::BadRequest("error-400-text"))?;
                sent.fields.push((name, value));
            }
        }
    }
    Ok(sent)
}

// ---- Views ------------------------------------------------------------------------------------

/// A file as a link: address, name, size.
pub(crate) struct FileLink {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) size: String,
}

pub(crate) fn size_text(tr: &Tr, bytes: i64) -> String {
    if bytes < 1_000_000 {
        tr.t1("files-size-kb", "kb", (bytes + 999) / 1000)
    } else {
        let mb = format!("{:.1}", bytes as f64 / 1e6);
        tr.t1("files-size-mb", "mb", if tr.lang == crate::i18n::Lang::Fr { mb.replace('.', ",") } else { mb })
    }
}

pub(crate) fn links(tr: &Tr, base: &str, files: &[Attachment]) -> Vec<FileLink> {
    files
        .iter()
        .map(|a| FileLink { href: format!("{base}/files/{}", a.sha256), name: a.name.clone(), size: size_text(tr, a.bytes) })
        .collect()
}

/// "jeudi 19 mars 2026 à 08:00".
fn due_text(tr: &Tr, h: &Homework) -> String {
    let at = h.due_at().unwrap_or_default();
    tr.t2("homework-due-at", "date", tr.long_date(at), "time", format!("{:02}:{:02}", h.due.hour(), h.due.minute()))
}

fn minutes_text(tr: &Tr, h: &Homework) -> Option<String> {
    h.minutes.map(|m| tr.tn("homework-minutes", "minutes", i64::from(m)))
}

fn facts(h: &Homework, establishment: &EstablishmentId, now: Millis) -> HomeworkFacts {
    HomeworkFacts { establishment_id: establishment.clone(), audience: h.audience.clone(), teacher: h.teacher.clone(), published: h.published(now) }
}

fn paris_today(now: Millis) -> Date {
    booking::local(now).map(|d| d.date()).unwrap_or_default()
}

fn start_of_day(now: Millis) -> Millis {
    booking::instant(paris_today(now).at(0, 0, 0, 0)).unwrap_or(now)
}

// ---- The list ---------------------------------------------------------------------------------

pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) audience: String,
    pub(crate) instructions: String,
    pub(crate) minutes: Option<String>,
    /// "Rendu", "À rendre", "Fait", "Publication le …".
    pub(crate) status: Option<String>,
    /// For a pupil: ticked done, to show the tick form.
    pub(crate) done: Option<bool>,
}

pub(crate) struct Day {
    pub(crate) label: String,
    pub(crate) items: Vec<Item>,
}

struct Section {
    heading: Option<String>,
    days: Vec<Day>,
}

#[derive(Template)]
#[template(path = "homework_list.html")]
struct ListPage {
    c: Chrome,
    csrf: String,
    may_set: bool,
    sections: Vec<Section>,
    /// Said when there is no section at all (staff, guests).
    note: Option<String>,
}

/// What is due for these classes, grouped by the day it is due.
fn by_day(tr: &Tr, lines: Vec<preau_store::homework::HomeworkLine>, pupil: bool, teacher: bool, now: Millis) -> Vec<Day> {
    let mut days: Vec<Day> = vec![];
    for l in lines {
        let h = &l.homework;
        let label = tr.t1("homework-for-day", "date", tr.long_date(h.due_at().unwrap_or_default()));
        let status = if teacher && !h.published(now) {
            Some(tr.t1("homework-published-on", "when", tr.datetime(h.publish_at)))
        } else if pupil && l.handed_in {
            Some(tr.t("homework-status-handed-in"))
        } else if pupil && matches!(h.hand_in, HandIn::Yes { .. }) {
            Some(tr.t("homework-status-to-hand-in"))
        } else {
            None
        };
        let excerpt: String = h.instructions.chars().take(200).collect();
        let item = Item {
            id: h.id.to_string(),
            subject: l.subject_name.clone(),
            audience: l.audience_name.clone(),
            instructions: if excerpt.len() < h.instructions.len() { format!("{excerpt}…") } else { excerpt },
            minutes: minutes_text(tr, h),
            status,
            done: pupil.then_some(l.done),
        };
        match days.last_mut() {
            Some(d) if d.label == label => d.items.push(item),
            _ => days.push(Day { label, items: vec![item] }),
        }
    }
    days
}

/// The classes and groups a person (a pupil, a child) belongs to.
async fn audiences_of(state: &SharedState, viewer: &Viewer, pupil: &Person) -> AppResult<Vec<Audience>> {
    let a = super::relations_of(state, viewer, pupil).await?;
    Ok(a.own_audiences())
}

/// A pupil's coming homework (or a child's, for a parent), for the list and the dashboard.
pub(crate) async fn coming_for(state: &SharedState, viewer: &Viewer, pupil: &Person, tick: bool, limit: i64) -> AppResult<Vec<Day>> {
    let tr = &viewer.tr;
    let now = state.clock.now();
    let audiences = audiences_of(state, viewer, pupil).await?;
    let lines = state.store.homework_due(&audiences, start_of_day(now), Some(now), Some(&pupil.id), limit).await?;
    let mut days = by_day(tr, lines, true, false, now);
    if !tick {
        for d in &mut days {
            for i in &mut d.items {
                if i.done == Some(true) && i.status.is_none() {
                    i.status = Some(tr.t("homework-status-done"));
                }
                i.done = None;
            }
        }
    }
    Ok(days)
}

pub async fn list(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let tr = viewer.tr;
    let roles = viewer.person.roles;
    let now = state.clock.now();
    let mut sections = vec![];
    if roles.contains(Role::Pupil) {
        sections.push(Section { heading: None, days: coming_for(&state, &viewer, &viewer.person, true, LIST_LIMIT).await? });
    }
    if roles.contains(Role::Parent) {
        for child in state.store.children_of(&viewer.person.id).await? {
            let days = coming_for(&state, &viewer, &child, false, LIST_LIMIT).await?;
            sections.push(Section { heading: Some(child.display_name()), days });
        }
    }
    if roles.contains(Role::Teacher) {
        let lines = state.store.homework_due(&viewer.actor.taught_audiences(), now - TEACHER_LOOKBACK_MS, None, None, LIST_LIMIT).await?;
        let heading = (!sections.is_empty()).then(|| tr.t("homework-my-classes"));
        sections.push(Section { heading, days: by_day(&tr, lines, false, true, now) });
    }
    let note = sections.is_empty().then(|| tr.t("homework-none-for-you"));
    let page = ListPage {
        c: Chrome::new(tr, "homework", tr.t("homework-title"), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        may_set: may(&viewer.actor, Action::SetHomework, Target::Establishment(&viewer.actor.establishment_id)).is_allowed(),
        sections,
        note,
    };
    render(StatusCode::OK, &page)
}

// ---- Setting homework -------------------------------------------------------------------------

#[derive(Default)]
struct NewForm {
    class: String,
    set_on: String,
    due_date: String,
    due_time: String,
    minutes: String,
    publish_date: String,
    publish_time: String,
    instructions: String,
    hand_in: bool,
    late: bool,
}

#[derive(Template)]
#[template(path = "homework_new.html")]
struct NewPage {
    c: Chrome,
    csrf: String,
    /// Where the form goes: `/homework/new`, or a homework's `/edit`.
    action: String,
    /// Editing: the class and subject stay (shown, not chosen).
    editing: bool,
    /// (value, "6e A — Mathématiques", selected)
    options: Vec<(String, String, bool)>,
    f: NewForm,
    errors: Vec<String>,
    max_instructions: usize,
    max_upload: String,
}

/// The option value of an assignment: "d:{division}:{subject}" or "g:{group}:{subject}".
fn option_value(a: &preau_core::school::TeachingAssignment) -> String {
    match &a.audience {
        Audience::Division(d) => format!("d:{d}:{}", a.subject_id),
        Audience::Group(g) => format!("g:{g}:{}", a.subject_id),
    }
}

async fn new_page(state: &SharedState, viewer: &Viewer, f: NewForm, errors: Vec<String>) -> AppResult<NewPage> {
    form_page(state, viewer, f, errors, None).await
}

/// The form, new (`editing` None) or for the homework `editing`.
async fn form_page(state: &SharedState, viewer: &Viewer, f: NewForm, errors: Vec<String>, editing: Option<&HomeworkId>) -> AppResult<NewPage> {
    let tr = viewer.tr;
    let options = state
        .store
        .assignments_of(&viewer.person.id)
        .await?
        .into_iter()
        .map(|l| {
            let value = option_value(&l.assignment);
            let selected = value == f.class;
            (value, format!("{} — {}", l.audience_name, l.subject_name), selected)
        })
        .collect();
    Ok(NewPage {
        c: Chrome::new(tr, "homework-new", tr.t(if editing.is_some() { "homework-edit-title" } else { "homework-new-title" }), Some(viewer)),
        csrf: viewer.csrf.clone(),
        action: editing.map_or("/homework/new".to_owned(), |id| format!("/homework/{id}/edit")),
        editing: editing.is_some(),
        options,
        f,
        errors,
        max_instructions: homework::MAX_INSTRUCTIONS,
        max_upload: size_text(&tr, state.config.max_upload_bytes as i64),
    })
}

pub async fn new_form(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let today = paris_today(state.clock.now()).to_string();
    let f = NewForm { set_on: today, due_time: "08:00".into(), hand_in: false, ..Default::default() };
    render(StatusCode::OK, &new_page(&state, &viewer, f, vec![]).await?)
}

fn parse_date(tr: &Tr, s: &str, field: &str, errors: &mut Vec<String>) -> Option<Date> {
    match s.trim().parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(tr.t(field));
            None
        }
    }
}

fn parse_time(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.get(..2)?.parse().ok()?, 0, 0).ok()
}

pub async fn create(State(state): State<SharedState>, viewer: Viewer, form: Multipart) -> AppResult {
    let sent = read_form(&viewer.tr, form).await?;
    submit(&state, &viewer, sent, None).await
}

/// The form as it was sent.
fn form_of_sent(sent: &Sent) -> NewForm {
    NewForm {
        class: sent.get("class").to_owned(),
        set_on: sent.get("set_on").to_owned(),
        due_date: sent.get("due_date").to_owned(),
        due_time: sent.get("due_time").to_owned(),
        minutes: sent.get("minutes").to_owned(),
        publish_date: sent.get("publish_date").to_owned(),
        publish_time: sent.get("publish_time").to_owned(),
        instructions: sent.get("instructions").chars().take(homework::MAX_INSTRUCTIONS + 100).collect(),
        hand_in: sent.get("hand_in") == "on",
        late: sent.get("late") == "on",
    }
}

/// Sets a new homework, or changes `editing` (its class and subject stay): checked, stored
/// with its files, or the form again with every error.
async fn submit(state: &SharedState, viewer: &Viewer, sent: Sent, editing: Option<Homework>) -> AppResult {
    let tr = viewer.tr;
    let mut f = form_of_sent(&sent);
    if let Some(h) = &editing {
        f.class = option_value(&preau_core::school::TeachingAssignment { teacher_id: h.teacher.clone(), subject_id: h.subject.clone(), audience: h.audience.clone() });
    }
    let state = state.clone();
    let viewer = viewer.clone();
    let id = editing.as_ref().map(|h| h.id.clone());
    let page = |f: NewForm, errors: Vec<String>| {
        let (state, viewer, id) = (state.clone(), viewer.clone(), id.clone());
        async move { render(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&state, &viewer, f, errors, id.as_ref()).await?) }
    };
    let now = state.clock.now();
    let mut errors = sent.errors.clone();
    // The class and subject: one of the teacher's own assignments, and a class they may set to
    // (a homework changed keeps its own, checked by the caller).
    let assignment = match &editing {
        Some(h) => preau_core::school::TeachingAssignment { teacher_id: h.teacher.clone(), subject_id: h.subject.clone(), audience: h.audience.clone() },
        None => {
            let assignments = state.store.assignments_of(&viewer.person.id).await?;
            let chosen = assignments.iter().find(|l| option_value(&l.assignment) == f.class).map(|l| l.assignment.clone());
            let Some(assignment) = chosen else {
                errors.insert(0, tr.t("homework-error-class"));
                return page(f, errors).await;
            };
            let target = Target::Audience { audience: &assignment.audience, establishment_id: &viewer.actor.establishment_id };
            if !may(&viewer.actor, Action::SetHomework, target).is_allowed() {
                return Err(AppError::Forbidden);
            }
            assignment
        }
    };
    let set_on = parse_date(&tr, &f.set_on, "homework-error-set-on", &mut errors);
    let due_date = parse_date(&tr, &f.due_date, "homework-error-due", &mut errors);
    let due_time = parse_time(&f.due_time);
    if due_time.is_none() {
        errors.push(tr.t("homework-error-due-time"));
    }
    let minutes = match f.minutes.trim() {
        "" => None,
        m => match m.parse::<u16>() {
            Ok(m) => Some(m),
            Err(_) => {
                errors.push(tr.t("homework-error-minutes"));
                None
            }
        },
    };
    let publish_at = match (f.publish_date.trim(), f.publish_time.trim()) {
        ("", "") => Some(now),
        (d, t) => match (d.parse::<Date>(), parse_time(if t.is_empty() { "00:00" } else { t })) {
            (Ok(d), Some(t)) => booking::instant(DateTime::from_parts(d, t)).ok(),
            _ => {
                errors.push(tr.t("homework-error-publish"));
                None
            }
        },
    };
    if let (Some(set_on), Some(due_date), Some(due_time), Some(publish_at), true) = (set_on, due_date, due_time, publish_at, errors.is_empty()) {
        let mut h = Homework {
            id: id.clone().unwrap_or_else(|| HomeworkId::new(now, random_u128())),
            audience: assignment.audience.clone(),
            subject: assignment.subject_id.clone(),
            teacher: editing.as_ref().map_or_else(|| viewer.person.id.clone(), |e| e.teacher.clone()),
            set_on,
            instructions: f.instructions.clone(),
            due: DateTime::from_parts(due_date, due_time),
            minutes,
            publish_at,
            hand_in: if f.hand_in { HandIn::Yes { late_allowed: f.late } } else { HandIn::No },
        };
        match h.check() {
            Ok(()) if editing.is_some() => {
                state.store.update_homework(&h, &sent.files, now).await?;
                tracing::info!(homework = %h.id, files = sent.files.len(), "homework changed");
                return Ok(Redirect::to(&format!("/homework/{}", h.id)).into_response());
            }
            Ok(()) => {
                state.store.add_homework(&h, &viewer.actor.establishment_id, &sent.files, now).await?;
                tracing::info!(homework = %h.id, files = sent.files.len(), "homework set");
                // The class and its parents are told when it is published.
                let (subject, audience) = state.store.homework_names(&h).await?;
                let people = super::notifications::class_and_parents(&state, &h.audience).await?;
                let label = format!("{subject} ({audience})");
                super::notifications::tell(&state, &people, preau_store::notifications::HOMEWORK, &label, &format!("/homework/{}", h.id), h.publish_at).await;
                return Ok(Redirect::to(&format!("/homework/{}", h.id)).into_response());
            }
            Err(e) => errors.push(tr.t(homework_error_id(&e))),
        }
    }
    page(f, errors).await
}

/// The homework, if the viewer may change it (who set it, the class's teachers).
async fn managed(state: &SharedState, viewer: &Viewer, id: &str) -> AppResult<Homework> {
    let (h, facts) = load(state, viewer, id).await?;
    if !may(&viewer.actor, Action::ManageHomework, Target::Homework(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok(h)
}

/// `GET /homework/{id}/edit`: the form, filled in.
pub async fn edit_form(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let h = managed(&state, &viewer, &id).await?;
    let publish = booking::local(h.publish_at).ok();
    let f = NewForm {
        class: option_value(&preau_core::school::TeachingAssignment { teacher_id: h.teacher.clone(), subject_id: h.subject.clone(), audience: h.audience.clone() }),
        set_on: h.set_on.to_string(),
        due_date: h.due.date().to_string(),
        due_time: h.due.time().strftime("%H:%M").to_string(),
        minutes: h.minutes.map(|m| m.to_string()).unwrap_or_default(),
        publish_date: publish.map(|p| p.date().to_string()).unwrap_or_default(),
        publish_time: publish.map(|p| p.time().strftime("%H:%M").to_string()).unwrap_or_default(),
        instructions: h.instructions.clone(),
        hand_in: h.hand_in != HandIn::No,
        late: h.hand_in == HandIn::Yes { late_allowed: true },
    };
    render(StatusCode::OK, &form_page(&state, &viewer, f, vec![], Some(&h.id)).await?)
}

/// `POST /homework/{id}/edit`: the changes, and more files.
pub async fn edit(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, form: Multipart) -> AppResult {
    let h = managed(&state, &viewer, &id).await?;
    let sent = read_form(&viewer.tr, form).await?;
    submit(&state, &viewer, sent, Some(h)).await
}

/// `POST /homework/{id}/delete`: only while nobody has handed anything in.
pub async fn delete(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let h = managed(&state, &viewer, &id).await?;
    if !state.store.delete_homework(&h.id).await? {
        return refused(&viewer.tr, &viewer, &h, viewer.tr.t("homework-delete-handed-in"), StatusCode::CONFLICT);
    }
    tracing::info!(homework = %h.id, "homework deleted");
    Ok(Redirect::to("/homework").into_response())
}

fn homework_error_id(e: &homework::HomeworkError) -> &'static str {
    use homework::HomeworkError::*;
    match e {
        InstructionsMissing => "homework-error-instructions",
        InstructionsTooLong => "homework-error-too-long",
        DueBeforeSet => "homework-error-due-before",
        DueTooFar => "homework-error-due-far",
        BadMinutes => "homework-error-minutes",
        PublishedAfterDue => "homework-error-publish-after",
        BadLocalTime => "homework-error-due-time",
    }
}

// ---- A homework -------------------------------------------------------------------------------

/// What was handed in, as shown to its pupil, their parents or the teacher.
struct WorkView {
    when: String,
    late: bool,
    text: String,
    files: Vec<FileLink>,
    feedback: Option<String>,
    feedback_files: Vec<FileLink>,
    returned: Option<String>,
}

struct PupilPart {
    done: bool,
    /// The hand-in form is open (the homework takes work now and nothing was returned yet).
    open: bool,
    /// Why it is closed, or that it would be late.
    note: Option<String>,
    work: Option<WorkView>,
}

struct ChildPart {
    name: String,
    status: String,
    work: Option<WorkView>,
}

/// The teacher's view: each pupil, whether they handed in, and a link to their work.
struct Row {
    name: String,
    status: String,
    submission: Option<String>,
}

#[derive(Template)]
#[template(path = "homework.html")]
struct ShowPage {
    c: Chrome,
    csrf: String,
    id: String,
    subject: String,
    audience: String,
    teacher: String,
    set_on: String,
    due: String,
    minutes: Option<String>,
    instructions: String,
    hand_in: Option<String>,
    /// For the teacher, before it is published.
    unpublished: Option<String>,
    /// Who set it and the class's teachers change or delete it.
    manages: bool,
    files: Vec<FileLink>,
    pupil: Option<PupilPart>,
    children: Vec<ChildPart>,
    rows: Vec<Row>,
    handed: usize,
    max_text: usize,
    max_upload: String,
}

/// The homework, if the viewer may see it.
async fn load(state: &SharedState, viewer: &Viewer, id: &str) -> AppResult<(Homework, HomeworkFacts)> {
    let id: HomeworkId = parse_id(id)?;
    let (h, establishment) = state.store.homework(&id).await?.ok_or(AppError::NotFound)?;
    let facts = facts(&h, &establishment, state.clock.now());
    if !may(&viewer.actor, Action::ViewHomework, Target::Homework(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok((h, facts))
}

async fn work_view(state: &SharedState, tr: &Tr, h: &Homework, s: &Submission) -> AppResult<WorkView> {
    let base = format!("/homework/{}/submissions/{}", h.id, s.id);
    Ok(WorkView {
        when: tr.datetime(s.submitted_at),
        late: s.late,
        text: s.text.clone(),
        files: links(tr, &base, &state.store.attachments(s.id.as_str(), FileRole::Work).await?),
        feedback: s.feedback.clone(),
        feedback_files: links(tr, &base, &state.store.attachments(s.id.as_str(), FileRole::Feedback).await?),
        returned: s.returned_at.map(|at| tr.datetime(at)),
    })
}

fn status_of(tr: &Tr, h: &Homework, s: Option<&Submission>, done: bool) -> String {
    match (s, h.hand_in) {
        (Some(s), _) if s.returned_at.is_some() => tr.t("homework-status-returned"),
        (Some(s), _) if s.late => tr.t1("homework-status-late", "when", tr.datetime(s.submitted_at)),
        (Some(s), _) => tr.t1("homework-status-handed-in-on", "when", tr.datetime(s.submitted_at)),
        (None, HandIn::Yes { .. }) => tr.t("homework-status-not-handed-in"),
        (None, HandIn::No) if done => tr.t("homework-status-done"),
        (None, HandIn::No) => tr.t("homework-status-not-done"),
    }
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let tr = viewer.tr;
    let (h, facts) = load(&state, &viewer, &id).await?;
    let now = state.clock.now();
    let (subject, audience) = state.store.homework_names(&h).await?;
    let manages = may(&viewer.actor, Action::ManageHomework, Target::Homework(&facts)).is_allowed();
    let pupil = if may(&viewer.actor, Action::HandIn, Target::Homework(&facts)).is_allowed() {
        let s = state.store.submission_of(&h.id, &viewer.person.id).await?;
        let returned = s.as_ref().is_some_and(|s| s.returned_at.is_some());
        let takes = h.takes_hand_in(now);
        let note = match (h.hand_in, takes, returned) {
            (HandIn::No, _, _) => None,
            (_, _, true) => Some(tr.t("homework-hand-in-returned")),
            (_, None, false) => Some(tr.t("homework-hand-in-closed")),
            (_, Some(true), false) => Some(tr.t("homework-hand-in-late")),
            (_, Some(false), false) => None,
        };
        Some(PupilPart {
            done: state.store.homework_done(&h.id, &viewer.person.id).await?,
            open: takes.is_some() && !returned,
            note,
            work: match &s {
                Some(s) => Some(work_view(&state, &tr, &h, s).await?),
                None => None,
            },
        })
    } else {
        None
    };
    let mut children = vec![];
    if viewer.person.roles.contains(Role::Parent) {
        for child in state.store.children_of(&viewer.person.id).await? {
            let target = Target::Submission { homework: &facts, pupil: &child.id };
            if !audiences_of(&state, &viewer, &child).await?.contains(&h.audience) || !may(&viewer.actor, Action::ViewSubmission, target).is_allowed() {
                continue;
            }
            let s = state.store.submission_of(&h.id, &child.id).await?;
            let done = state.store.homework_done(&h.id, &child.id).await?;
            let work = match &s {
                Some(s) => Some(work_view(&state, &tr, &h, s).await?),
                None => None,
            };
            children.push(ChildPart { name: child.display_name(), status: status_of(&tr, &h, s.as_ref(), done), work });
        }
    }
    let (mut rows, mut handed) = (vec![], 0);
    if manages {
        let submissions = state.store.submissions(&h.id).await?;
        for p in state.store.pupils_of(&h.audience).await? {
            let s = submissions.iter().find(|s| s.pupil == p.id);
            handed += usize::from(s.is_some());
            let done = state.store.homework_done(&h.id, &p.id).await?;
            rows.push(Row { name: p.display_name(), status: status_of(&tr, &h, s, done), submission: s.map(|s| s.id.to_string()) });
        }
    }
    let teacher = state.store.person(&h.teacher).await?.map(|p| p.display_name()).unwrap_or_default();
    let page = ShowPage {
        c: Chrome::new(tr, "homework-item", tr.t2("homework-page-title", "subject", &subject, "class", &audience), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        id: h.id.to_string(),
        subject,
        audience,
        teacher,
        set_on: tr.long_date(booking::instant(h.set_on.at(12, 0, 0, 0)).unwrap_or_default()),
        due: due_text(&tr, &h),
        minutes: minutes_text(&tr, &h),
        instructions: h.instructions.clone(),
        hand_in: match h.hand_in {
            HandIn::No => None,
            HandIn::Yes { late_allowed: true } => Some(tr.t("homework-hand-in-late-ok")),
            HandIn::Yes { late_allowed: false } => Some(tr.t("homework-hand-in-on-time")),
        },
        unpublished: (manages && !h.published(now)).then(|| tr.t1("homework-published-on", "when", tr.datetime(h.publish_at))),
        manages,
        files: links(&tr, &format!("/homework/{}", h.id), &state.store.attachments(h.id.as_str(), FileRole::Homework).await?),
        pupil,
        children,
        rows,
        handed,
        max_text: homework::MAX_TEXT,
        max_upload: size_text(&tr, state.config.max_upload_bytes as i64),
    };
    render(StatusCode::OK, &page)
}

/// `POST /homework/{id}/done`: a pupil ticks it done, or not.
pub async fn done(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let (h, facts) = load(&state, &viewer, &id).await?;
    if !may(&viewer.actor, Action::HandIn, Target::Homework(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let done = form.iter().any(|(k, v)| k == "done" && v == "1");
    state.store.set_homework_done(&h.id, &viewer.person.id, done, state.clock.now()).await?;
    let back = if form.iter().any(|(k, v)| k == "back" && v == "list") { "/homework".to_owned() } else { format!("/homework/{}", h.id) };
    Ok(Redirect::to(&back).into_response())
}

/// `POST /homework/{id}/hand-in`: a pupil hands in work (text and files).
pub async fn hand_in(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, form: Multipart) -> AppResult {
    let tr = viewer.tr;
    let (h, facts) = load(&state, &viewer, &id).await?;
    if !may(&viewer.actor, Action::HandIn, Target::Homework(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let sent = read_form(&tr, form).await?;
    let now = state.clock.now();
    let refuse = |message: String| refused(&tr, &viewer, &h, message, StatusCode::UNPROCESSABLE_ENTITY);
    let Some(late) = h.takes_hand_in(now) else {
        return refuse(tr.t(if h.hand_in == HandIn::No { "homework-hand-in-none" } else { "homework-hand-in-closed" }));
    };
    if let Some(e) = sent.errors.first() {
        return refuse(e.clone());
    }
    let Ok(text) = homework::check_text(sent.get("text")) else { return refuse(tr.t("homework-error-text")) };
    if text.is_empty() && sent.files.is_empty() {
        return refuse(tr.t("homework-error-nothing"));
    }
    let s = Submission {
        id: SubmissionId::new(now, random_u128()),
        homework: h.id.clone(),
        pupil: viewer.person.id.clone(),
        text,
        submitted_at: now,
        late,
        feedback: None,
        returned_at: None,
    };
    match state.store.hand_in(&s, &sent.files, now).await? {
        Ok(sid) => {
            tracing::info!(homework = %h.id, submission = %sid, late, files = sent.files.len(), "work handed in");
            Ok(Redirect::to(&format!("/homework/{}#work", h.id)).into_response())
        }
        Err(preau_store::homework::HandInRefused::AlreadyReturned) => refuse(tr.t("homework-hand-in-returned")),
    }
}

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    c: Chrome,
    message: String,
    back: String,
}

/// A page that says why nothing was stored, with the way back.
fn refused(tr: &Tr, viewer: &Viewer, h: &Homework, message: String, status: StatusCode) -> AppResult {
    let page = RefusedPage { c: Chrome::new(*tr, "refused", tr.t("refused-title"), Some(viewer)), message, back: format!("/homework/{}", h.id) };
    render(status, &page)
}

/// The same, for any form: 422 and the way back to `back`.
pub(crate) fn refused_page(tr: &Tr, viewer: &Viewer, back: String, message: String) -> AppResult {
    let page = RefusedPage { c: Chrome::new(*tr, "refused", tr.t("refused-title"), Some(viewer)), message, back };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---- One pupil's work, for the teacher ---------------------------------------------------------

#[derive(Template)]
#[template(path = "homework_submission.html")]
struct SubmissionPage {
    c: Chrome,
    csrf: String,
    id: String,
    sid: String,
    pupil: String,
    title: String,
    work: WorkView,
    /// When the work shown was handed in: the feedback is for that version.
    seen: Millis,
    max_text: usize,
    max_upload: String,
}

/// The submission `sid` of homework `id`, if the viewer may see it.
async fn load_submission(state: &SharedState, viewer: &Viewer, id: &str, sid: &str) -> AppResult<(Homework, HomeworkFacts, Submission)> {
    let id: HomeworkId = parse_id(id)?;
    let sid: SubmissionId = parse_id(sid)?;
    let (h, establishment) = state.store.homework(&id).await?.ok_or(AppError::NotFound)?;
    let s = state.store.submission(&sid).await?.filter(|s| s.homework == h.id).ok_or(AppError::NotFound)?;
    let facts = facts(&h, &establishment, state.clock.now());
    if !may(&viewer.actor, Action::ViewSubmission, Target::Submission { homework: &facts, pupil: &s.pupil }).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok((h, facts, s))
}

pub async fn submission(State(state): State<SharedState>, viewer: Viewer, Path((id, sid)): Path<(String, String)>) -> AppResult {
    let tr = viewer.tr;
    let (h, facts, s) = load_submission(&state, &viewer, &id, &sid).await?;
    if !may(&viewer.actor, Action::ManageHomework, Target::Homework(&facts)).is_allowed() {
        // Pupils and parents see the work on the homework's page.
        return Ok(Redirect::to(&format!("/homework/{}#work", h.id)).into_response());
    }
    let (subject, audience) = state.store.homework_names(&h).await?;
    let pupil = state.store.person(&s.pupil).await?.map(|p| p.display_name()).unwrap_or_default();
    let page = SubmissionPage {
        c: Chrome::new(tr, "homework-submission", tr.t1("homework-work-of", "name", &pupil), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        id: h.id.to_string(),
        sid: s.id.to_string(),
        title: tr.t2("homework-page-title", "subject", &subject, "class", &audience),
        pupil,
        work: work_view(&state, &tr, &h, &s).await?,
        seen: s.submitted_at,
        max_text: homework::MAX_TEXT,
        max_upload: size_text(&tr, state.config.max_upload_bytes as i64),
    };
    render(StatusCode::OK, &page)
}

/// `POST /homework/{id}/submissions/{sid}/feedback`: the teacher returns feedback.
pub async fn feedback(State(state): State<SharedState>, viewer: Viewer, Path((id, sid)): Path<(String, String)>, form: Multipart) -> AppResult {
    let tr = viewer.tr;
    let (h, facts, s) = load_submission(&state, &viewer, &id, &sid).await?;
    if !may(&viewer.actor, Action::ManageHomework, Target::Homework(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let sent = read_form(&tr, form).await?;
    if let Some(e) = sent.errors.first() {
        return refused(&tr, &viewer, &h, e.clone(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The work the teacher read: if the pupil handed in again since, they must read it first.
    let seen: Millis = sent.get("seen").parse().map_err(|_| AppError::BadRequest("error-400-text"))?;
    let Ok(text) = homework::check_text(sent.get("feedback")) else {
        return refused(&tr, &viewer, &h, tr.t("homework-error-text"), StatusCode::UNPROCESSABLE_ENTITY);
    };
    if text.is_empty() && sent.files.is_empty() {
        return refused(&tr, &viewer, &h, tr.t("homework-error-feedback"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if !state.store.return_feedback(&s.id, seen, &text, &sent.files, state.clock.now()).await? {
        return refused(&tr, &viewer, &h, tr.t("homework-feedback-stale"), StatusCode::CONFLICT);
    }
    tracing::info!(homework = %h.id, submission = %s.id, "feedback returned");
    let mut told = vec![s.pupil.clone()];
    told.extend(state.store.parents_of(&s.pupil).await?.into_iter().map(|p| p.id));
    let (subject, _) = state.store.homework_names(&h).await?;
    let now = state.clock.now();
    super::notifications::tell(&state, &told, preau_store::notifications::FEEDBACK, &subject, &format!("/homework/{}#work", h.id), now).await;
    Ok(Redirect::to(&format!("/homework/{}/submissions/{}", h.id, s.id)).into_response())
}

// ---- Files ------------------------------------------------------------------------------------

/// Sends a stored file as a download, under its name, with the type judged at upload.
pub(crate) async fn send_file(state: &SharedState, a: &Attachment) -> AppResult {
    let path = state.store.file_path(&a.sha256).ok_or(AppError::NotFound)?;
    let file = tokio::fs::File::open(&path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::NotFound,
        _ => AppError::Internal(e.to_string()),
    })?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&a.content_type).map_err(|e| AppError::Internal(e.to_string()))?);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(a.bytes as u64));
    headers.insert(header::CONTENT_DISPOSITION, disposition(&a.name));
    Ok(response)
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")).unwrap_or(HeaderValue::from_static("attachment"))
}

/// `GET /homework/{id}/files/{sha}`: a homework's document.
pub async fn homework_file(State(state): State<SharedState>, viewer: Viewer, Path((id, sha)): Path<(String, String)>) -> AppResult {
    let (h, _) = load(&state, &viewer, &id).await?;
    let files = state.store.attachments(h.id.as_str(), FileRole::Homework).await?;
    let a = files.iter().find(|a| a.sha256 == sha).ok_or(AppError::NotFound)?;
    send_file(&state, a).await
}

/// `GET /homework/{id}/submissions/{sid}/files/{sha}`: a file handed in, or returned with feedback.
pub async fn submission_file(State(state): State<SharedState>, viewer: Viewer, Path((id, sid, sha)): Path<(String, String, String)>) -> AppResult {
    let (_, _, s) = load_submission(&state, &viewer, &id, &sid).await?;
    for role in [FileRole::Work, FileRole::Feedback] {
        if let Some(a) = state.store.attachments(s.id.as_str(), role).await?.iter().find(|a| a.sha256 == sha) {
            return send_file(&state, a).await;
        }
    }
    Err(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_keeps_its_name_for_every_browser_and_cannot_break_the_header() {
        let d = disposition("Rédaction \"finale\"\r\n.pdf");
        let d = d.to_str().unwrap();
        assert!(d.starts_with("attachment; filename=\"R_daction _finale___.pdf\"; filename*=UTF-8''R%C3%A9daction%20%22finale%22%0D%0A.pdf"), "{d}");
    }
}
