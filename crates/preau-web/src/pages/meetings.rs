//! Meetings (« réunions »): meeting rooms set up by the administration, bookings by the staff
//! with conflicts named, a room's week, a booking's page and its iCalendar invitation.
//! The rules are `preau_core::booking`'s; the store checks conflicts where it writes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::booking::{
    self, Booking, BookingError, Clash as ClashKind, Date, DateTime, MeetingRoom, MeetingRoomKind, Recurrence, When,
};
use preau_core::ical::{self, Attendee, Method};
use preau_core::policy::{Action, BookingFacts, Target, may};
use preau_core::school::Person;
use preau_core::{BookingId, MeetingRoomId, Millis, PersonId, Role};
use preau_store::{Clash, StoreError};
use serde::Deserialize;

use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

const DAY_MS: Millis = 86_400_000;
/// How far ahead "my meetings" looks.
const AGENDA_DAYS: i64 = 120;
/// At most this many guests by e-mail per booking.
const MAX_GUESTS: usize = 50;

pub(crate) fn kind_label(tr: &Tr, kind: MeetingRoomKind) -> String {
    tr.t(&format!("meeting-room-kind-{}", kind.as_str()))
}

/// "14:00" (a wall-clock time as forms and pages show it).
fn hh_mm(t: DateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// "14:00 – 16:00" in Paris time.
fn hours(start: Millis, end: Millis) -> String {
    let at = |ms: Millis| booking::local(ms).map(hh_mm).unwrap_or_default();
    format!("{} – {}", at(start), at(end))
}

/// "mardi 15 septembre 2026, 14:00 – 16:00" in Paris time.
pub(crate) fn span_text(tr: &Tr, start: Millis, end: Millis) -> String {
    format!("{}, {}", tr.long_date(start), hours(start, end))
}

fn booking_error(tr: &Tr, e: &BookingError) -> String {
    use BookingError::*;
    let id = match e {
        OverCapacity { capacity, wanted } => {
            return tr.t2("meeting-error-over-capacity", "capacity", capacity, "wanted", wanted);
        }
        TitleMissing => "meeting-error-title-missing",
        TitleTooLong => "meeting-error-title-too-long",
        TitleControl => "meeting-error-title-control",
        EndNotAfterStart => "meeting-error-end-not-after-start",
        TooLong => "meeting-error-too-long",
        InThePast => "meeting-error-in-the-past",
        TooFarAhead => "meeting-error-too-far-ahead",
        RecurrenceEndsBeforeStart => "meeting-error-recurrence-ends-before-start",
        RecurrenceWithoutEnd => "meeting-error-recurrence-without-end",
        TooManyOccurrences => "meeting-error-too-many-occurrences",
        NoOccurrence => "meeting-error-no-occurrence",
        BadLocalTime => "meeting-error-bad-local-time",
        BadCapacity => "meeting-error-bad-capacity",
    };
    tr.t(id)
}

pub(crate) fn facts(b: &Booking, room: &MeetingRoom) -> BookingFacts {
    BookingFacts {
        establishment_id: room.establishment_id.clone(),
        organizer: b.organizer.clone(),
        invitees: b.invitees.clone(),
        staff_only: room.kind == MeetingRoomKind::StaffOnly,
    }
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain, no space
/// or control character, at most 254 characters. Delivery is the real test.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | ',' | ';' | '(' | ')' | '[' | ']' | '\\'))
}

// ---- Admin: meeting rooms -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_meeting_rooms.html")]
struct AdminRoomsPage {
    c: Chrome,
    csrf: String,
    rooms: Vec<(String, String, String, u32)>,
    kinds: Vec<(&'static str, String)>,
    name: String,
    kind: String,
    capacity: String,
    error: Option<String>,
    max_capacity: u32,
}

async fn admin_page(state: &SharedState, viewer: &Viewer, form: &RoomForm, error: Option<String>) -> AppResult<AdminRoomsPage> {
    let tr = viewer.tr;
    let rooms = state.store.meeting_rooms(&viewer.person.establishment_id).await?;
    Ok(AdminRoomsPage {
        c: Chrome::new(tr, "rooms-admin", tr.t("meeting-rooms-admin-title"), Some(viewer)),
        csrf: viewer.csrf.clone(),
        rooms: rooms.into_iter().map(|r| (r.id.to_string(), r.name, kind_label(&tr, r.kind), r.capacity)).collect(),
        kinds: MeetingRoomKind::ALL.into_iter().map(|k| (k.as_str(), kind_label(&tr, k))).collect(),
        name: form.name.chars().take(400).collect(),
        kind: form.kind.clone(),
        capacity: form.capacity.chars().take(10).collect(),
        error,
        max_capacity: booking::MAX_CAPACITY,
    })
}

#[derive(Deserialize, Default)]
pub struct RoomForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    capacity: String,
}

pub async fn admin_rooms(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let form = RoomForm { capacity: booking::DEFAULT_CAPACITY.to_string(), kind: "video".into(), ..Default::default() };
    render(StatusCode::OK, &admin_page(&state, &viewer, &form, None).await?)
}

pub async fn admin_create_room(State(state): State<SharedState>, viewer: Viewer, Form(f): Form<RoomForm>) -> AppResult {
    let tr = viewer.tr;
    let name = f.name.trim();
    let kind = MeetingRoomKind::parse(&f.kind);
    let capacity = f.capacity.trim().parse::<u32>().ok().and_then(|c| booking::check_capacity(c).ok());
    let checked = match (kind, capacity) {
        _ if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) => {
            Err(tr.t("meeting-room-error-name"))
        }
        (None, _) => Err(tr.t("meeting-room-error-kind")),
        (_, None) => Err(tr.t1("meeting-room-error-capacity", "max", booking::MAX_CAPACITY)),
        (Some(kind), Some(capacity)) => Ok((kind, capacity)),
    };
    let (kind, capacity) = match checked {
        Ok(ok) => ok,
        Err(error) => return render(StatusCode::UNPROCESSABLE_ENTITY, &admin_page(&state, &viewer, &f, Some(error)).await?),
    };
    let now = state.clock.now();
    let room = MeetingRoom {
        id: MeetingRoomId::new(now, random_u128()),
        establishment_id: viewer.person.establishment_id.clone(),
        name: name.to_owned(),
        kind,
        capacity,
    };
    match state.store.create_meeting_room(&room, now).await {
        Ok(()) => Ok(Redirect::to("/admin/meeting-rooms").into_response()),
        Err(StoreError::NameTaken(_)) => {
            let error = tr.t1("meeting-room-error-name-taken", "name", &room.name);
            render(StatusCode::UNPROCESSABLE_ENTITY, &admin_page(&state, &viewer, &f, Some(error)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- My meetings ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    c: Chrome,
    /// (booking id, title, when, room name)
    agenda: Vec<(String, String, String, String)>,
    /// (room id, name, kind, capacity)
    rooms: Vec<(String, String, String, u32)>,
    csrf: String,
    /// When one's calendar feed was made, if there is one.
    feed_since: Option<String>,
}

pub async fn index(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let tr = viewer.tr;
    let now = state.clock.now();
    let rooms = state.store.meeting_rooms(&viewer.person.establishment_id).await?;
    let name_of = |id: &MeetingRoomId| rooms.iter().find(|r| &r.id == id).map(|r| r.name.clone()).unwrap_or_default();
    let agenda = state
        .store
        .person_occurrences(&viewer.person.id, now, now + AGENDA_DAYS * DAY_MS)
        .await?
        .into_iter()
        .map(|o| (o.booking.to_string(), o.title, span_text(&tr, o.slot.start, o.slot.end), name_of(&o.room)))
        .collect();
    let feed_since = state.store.calendar_feed_of(&viewer.person.id).await?.map(|at| tr.datetime(at));
    let page = MeetingsPage {
        c: Chrome::new(tr, "meetings", tr.t("meetings-title"), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        feed_since,
        agenda,
        rooms: rooms.iter().map(|r| (r.id.to_string(), r.name.clone(), kind_label(&tr, r.kind), r.capacity)).collect(),
    };
    render(StatusCode::OK, &page)
}

// ---- Booking form ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewMeetingPage {
    c: Chrome,
    csrf: String,
    /// Where the form goes: `/meetings/new`, or `/meetings/{id}/edit`.
    action: String,
    heading: String,
    rooms: Vec<(String, String)>,
    /// (person id, name, checked)
    staff: Vec<(String, String, bool)>,
    /// The parents the viewer may invite, by division.
    parents: Vec<ParentGroup>,
    /// Other classes whose parents one may invite, listed on demand: (id, name).
    other_divisions: Vec<(String, String)>,
    f: MeetingForm,
    errors: Vec<String>,
}

/// The parents of one division's pupils, as the booking form lists them.
struct ParentGroup {
    division_id: String,
    division: String,
    /// (person id, "Name (parent de …)", checked)
    entries: Vec<(String, String, bool)>,
    /// Shown open when one of them is checked.
    open: bool,
}

/// The divisions whose pupils' parents `viewer` may invite.
async fn invitable_divisions(state: &SharedState, viewer: &Viewer) -> AppResult<Vec<preau_core::school::Division>> {
    let establishment = &viewer.person.establishment_id;
    Ok(state
        .store
        .division_summaries(establishment)
        .await?
        .into_iter()
        .map(|s| s.division)
        .filter(|d| may(&viewer.actor, Action::InviteParents, Target::Division { id: &d.id, establishment_id: establishment }).is_allowed())
        .collect())
}

/// The booking form as typed (every field kept to be shown again on an error).
#[derive(Default, Clone)]
pub struct MeetingForm {
    title: String,
    room: String,
    date: String,
    start: String,
    end: String,
    weekly: bool,
    until: String,
    except: String,
    invitees: Vec<String>,
    guests: String,
    /// The classes whose parents the form lists (kept across the form's round trips).
    parents_of: Vec<String>,
    /// The class picked in "parents of another class"…
    show_division: String,
    /// …and its button pressed (not the form's): the form comes back with them, nothing saved.
    show_parents: bool,
}

impl MeetingForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> MeetingForm {
        let mut f = MeetingForm::default();
        for (k, v) in pairs {
            let v: String = v.chars().take(4000).collect();
            match k.as_str() {
                "title" => f.title = v,
                "room" => f.room = v,
                "date" => f.date = v,
                "start" => f.start = v,
                "end" => f.end = v,
                "weekly" => f.weekly = !v.is_empty(),
                "until" => f.until = v,
                "except" => f.except = v,
                "invitee" if f.invitees.len() < booking::MAX_CAPACITY as usize => f.invitees.push(v),
                "guests" => f.guests = v,
                "parents_of" if f.parents_of.len() < 100 => f.parents_of.push(v),
                "show_division" => f.show_division = v,
                "show_parents" => f.show_parents = true,
                _ => {}
            }
        }
        f
    }
}

/// The booking form's target: a new booking by the viewer, or a change to an existing one
/// (whose organizer stays who it was).
struct FormTarget {
    action: String,
    organizer: PersonId,
    editing: Option<BookingId>,
}

impl FormTarget {
    fn new(viewer: &Viewer) -> FormTarget {
        FormTarget { action: "/meetings/new".into(), organizer: viewer.person.id.clone(), editing: None }
    }
    fn edit(b: &Booking) -> FormTarget {
        FormTarget { action: format!("/meetings/{}/edit", b.id), organizer: b.organizer.clone(), editing: Some(b.id.clone()) }
    }
}

async fn new_page(state: &SharedState, viewer: &Viewer, f: MeetingForm, errors: Vec<String>, target: &FormTarget) -> AppResult<NewMeetingPage> {
    let tr = viewer.tr;
    let rooms = state.store.meeting_rooms(&viewer.person.establishment_id).await?;
    let staff = state.store.staff_of(&viewer.person.establishment_id).await?;
    // A school's parents are many: the form lists those of the classes one teaches, those of
    // classes asked for with "show", and those of classes with someone already checked.
    let mut parents = vec![];
    let mut others = vec![];
    let mut listed: Vec<String> = f.parents_of.clone();
    if f.show_parents {
        listed.push(f.show_division.clone());
    }
    let checked = checked_divisions(state, &f).await?;
    for d in invitable_divisions(state, viewer).await? {
        let id = d.id.to_string();
        let taught = viewer.actor.taught_divisions.contains(&d.id);
        if !taught && !listed.contains(&id) && !checked.contains(&d.id) {
            others.push((id, d.name));
            continue;
        }
        let entries: Vec<(String, String, bool)> = state
            .store
            .parents_in_division(&d.id)
            .await?
            .into_iter()
            .map(|(p, children)| {
                let id = p.id.to_string();
                let checked = f.invitees.contains(&id);
                (id, tr.t2("meeting-parent-of", "name", p.display_name(), "children", children), checked)
            })
            .collect();
        if !entries.is_empty() {
            let open = entries.iter().any(|e| e.2);
            parents.push(ParentGroup { division_id: d.id.to_string(), division: d.name, entries, open });
        }
    }
    let (page, heading) = match target.editing {
        None => ("meeting-new", tr.t("meeting-new-title")),
        Some(_) => ("meeting-edit", tr.t("meeting-edit-title")),
    };
    let title = if errors.is_empty() { heading.clone() } else { tr.t1("title-with-errors", "title", &heading) };
    Ok(NewMeetingPage {
        c: Chrome::new(tr, page, title, Some(viewer)),
        csrf: viewer.csrf.clone(),
        action: target.action.clone(),
        heading,
        rooms: rooms.into_iter().map(|r| (r.id.to_string(), format!("{} ({}, {})", r.name, kind_label(&tr, r.kind), tr.tn("meeting-room-capacity", "n", i64::from(r.capacity))))).collect(),
        staff: staff
            .into_iter()
            .filter(|p| p.id != target.organizer)
            .map(|p| {
                let id = p.id.to_string();
                let checked = f.invitees.contains(&id);
                (id, p.display_name(), checked)
            })
            .collect(),
        parents,
        other_divisions: others,
        f,
        errors,
    })
}

/// The divisions of the children of the parents checked on the form.
async fn checked_divisions(state: &SharedState, f: &MeetingForm) -> AppResult<Vec<preau_core::DivisionId>> {
    let mut out = vec![];
    for raw in &f.invitees {
        if let Ok(id) = raw.parse::<PersonId>()
            && let Some(p) = state.store.person(&id).await?
            && p.roles.contains(Role::Parent)
        {
            out.extend(state.store.actor(&p).await?.children_divisions);
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct NewQuery {
    room: Option<String>,
}

pub async fn new_form(State(state): State<SharedState>, viewer: Viewer, Query(q): Query<NewQuery>) -> AppResult {
    let f = MeetingForm { room: q.room.unwrap_or_default().chars().take(40).collect(), ..Default::default() };
    render(StatusCode::OK, &new_page(&state, &viewer, f, vec![], &FormTarget::new(&viewer)).await?)
}

/// A date typed as `2026-09-15` (what `<input type=date>` sends) or `15/09/2026`.
fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if parts.next().is_some() {
        return None;
    }
    Date::new(y, m, d).ok()
}

fn parse_time(date: Date, s: &str) -> Option<DateTime> {
    let t: jiff::civil::Time = s.trim().parse().ok()?;
    Some(date.to_datetime(t))
}

/// What the form asks for, checked; every problem found, in French or English.
async fn read_form(state: &SharedState, viewer: &Viewer, f: &MeetingForm, id: BookingId, organizer: &PersonId) -> AppResult<Result<(Booking, MeetingRoom), Vec<String>>> {
    let tr = viewer.tr;
    let mut errors = vec![];
    let title = booking::check_title(&f.title).map_err(|e| errors.push(booking_error(&tr, &e))).ok();
    let room = match f.room.parse::<MeetingRoomId>() {
        Ok(id) => state.store.meeting_room(&id).await?.filter(|r| r.establishment_id == viewer.person.establishment_id),
        Err(_) => None,
    };
    if room.is_none() {
        errors.push(tr.t("meeting-error-room"));
    }
    let when = (|| {
        let date = parse_date(&f.date)?;
        let start = parse_time(date, &f.start)?;
        let end = parse_time(date, &f.end)?;
        let weekly = if f.weekly {
            let until = if f.until.trim().is_empty() { None } else { Some(parse_date(&f.until)?) };
            let mut except = std::collections::BTreeSet::new();
            for d in f.except.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|d| !d.is_empty()) {
                except.insert(parse_date(d)?);
            }
            Some(Recurrence { until, except })
        } else {
            None
        };
        Some(When { start, end, weekly })
    })();
    if when.is_none() {
        errors.push(tr.t("meeting-error-date"));
    }
    let mut invitees: Vec<PersonId> = vec![];
    let mut parents_invited = false;
    let divisions: Vec<_> = invitable_divisions(state, viewer).await?.into_iter().map(|d| d.id).collect();
    for raw in &f.invitees {
        let person = match raw.parse::<PersonId>() {
            Ok(pid) => state.store.person(&pid).await?,
            Err(_) => None,
        };
        // The staff, and the parents of pupils of a division one may invite from.
        let allowed = match &person {
            Some(p) if p.establishment_id == viewer.person.establishment_id && !p.disabled => {
                p.roles.is_staff()
                    || (p.roles.contains(Role::Parent)
                        && state.store.actor(p).await?.children_divisions.iter().any(|d| divisions.contains(d)))
            }
            _ => false,
        };
        match person {
            Some(p) if allowed => {
                parents_invited |= !p.roles.is_staff();
                if &p.id != organizer && !invitees.contains(&p.id) {
                    invitees.push(p.id);
                }
            }
            _ => {
                errors.push(tr.t("meeting-error-invitee"));
                break;
            }
        }
    }
    let mut guests: Vec<String> = vec![];
    let mut bad_addresses = 0;
    for g in f.guests.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|g| !g.is_empty()) {
        let g = g.to_lowercase();
        if !valid_email(&g) {
            // The first few are named; a pasted paragraph does not make a page of errors.
            bad_addresses += 1;
            if bad_addresses <= 5 {
                errors.push(tr.t1("meeting-error-email", "address", g.chars().take(100).collect::<String>()));
            }
        } else if !guests.contains(&g) {
            guests.push(g);
        }
    }
    if guests.len() > MAX_GUESTS {
        errors.push(tr.t1("meeting-error-too-many-guests", "max", MAX_GUESTS));
    }
    if let Some(room) = &room
        && room.kind == MeetingRoomKind::StaffOnly
        && (!guests.is_empty() || parents_invited)
    {
        errors.push(tr.t("meeting-error-staff-only-guests"));
    }
    let (Some(title), Some(room), Some(when)) = (title, room, when) else { return Ok(Err(errors)) };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let b = Booking {
        id,
        room: room.id.clone(),
        organizer: organizer.clone(),
        title,
        when,
        sequence: 0,
        cancelled: false,
        invitees,
        guests,
    };
    if let Err(e) = booking::check_fits(room.capacity, b.invitees.len() + b.guests.len()) {
        return Ok(Err(vec![booking_error(&tr, &e)]));
    }
    Ok(Ok((b, room)))
}

/// The clash, with the other booking's title only for those who may see that booking (a room
/// clash with someone else's private meeting says only that the room is taken).
async fn clash_message(state: &SharedState, viewer: &Viewer, c: &Clash) -> AppResult<String> {
    let tr = &viewer.tr;
    let when = span_text(tr, c.slot.start, c.slot.end);
    if c.kind == ClashKind::Organizer {
        return Ok(tr.t2("meeting-error-clash-organizer", "title", &c.title, "when", when));
    }
    let visible = match state.store.booking(&c.booking).await? {
        Some(other) => match state.store.meeting_room(&other.room).await? {
            Some(room) => may(&viewer.actor, Action::ViewBooking, Target::Booking(&facts(&other, &room))).is_allowed(),
            None => false,
        },
        None => false,
    };
    Ok(if visible {
        tr.t2("meeting-error-clash-room", "title", &c.title, "when", when)
    } else {
        tr.t1("meeting-error-clash-room-private", "when", when)
    })
}

pub async fn create(State(state): State<SharedState>, viewer: Viewer, Form(pairs): Form<Vec<(String, String)>>) -> AppResult {
    let id = BookingId::new(state.clock.now(), random_u128());
    save(&state, &viewer, MeetingForm::from_pairs(pairs), id, FormTarget::new(&viewer)).await
}

/// Checks the form and saves the booking (new, or a change to `id`), or shows the form again
/// with every problem named.
async fn save(state: &SharedState, viewer: &Viewer, f: MeetingForm, id: BookingId, target: FormTarget) -> AppResult {
    if f.show_parents {
        // Not a submission: the form again, with that class's parents.
        return render(StatusCode::OK, &new_page(state, viewer, f, vec![], &target).await?);
    }
    let now = state.clock.now();
    let (b, _room) = match read_form(state, viewer, &f, id, &target.organizer).await? {
        Ok(ok) => ok,
        Err(errors) => return render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(state, viewer, f, errors, &target).await?),
    };
    let slots = match booking::occurrences(&b.when, now) {
        Ok(s) => s,
        Err(e) => {
            let errors = vec![booking_error(&viewer.tr, &e)];
            return render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(state, viewer, f, errors, &target).await?);
        }
    };
    // Those invited are told by e-mail (when it is set up): those on the list, and those taken off it.
    let mut notify = vec![];
    if state.config.mail.is_some() {
        notify = addresses(state, &b).await?;
        if let Some(before) = state.store.booking(&b.id).await? {
            for a in addresses(state, &before).await? {
                if !notify.contains(&a) {
                    notify.push(a);
                }
            }
        }
    }
    match state.store.save_booking(&b, &slots, &notify, now).await {
        Ok(Ok(sequence)) => {
            tracing::info!(booking = %b.id, occurrences = slots.len(), sequence, mails = notify.len(), "meeting saved");
            state.mail_wakeup.notify_one();
            Ok(Redirect::to(&format!("/meetings/{}", b.id)).into_response())
        }
        Ok(Err(clash)) => {
            let errors = vec![clash_message(state, viewer, &clash).await?];
            render(StatusCode::CONFLICT, &new_page(state, viewer, f, errors, &target).await?)
        }
        Err(StoreError::Cancelled(_)) => {
            let errors = vec![viewer.tr.t("meeting-error-cancelled")];
            render(StatusCode::CONFLICT, &new_page(state, viewer, f, errors, &target).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Where a booking's invitation goes by e-mail: its guests, and its invitees who gave an address.
pub(crate) async fn addresses(state: &SharedState, b: &Booking) -> AppResult<Vec<String>> {
    let mut out = b.guests.clone();
    for (_, email) in state.store.emails_of(&b.invitees).await? {
        if !out.contains(&email) {
            out.push(email);
        }
    }
    Ok(out)
}

/// The booking as the form shows it.
fn form_of(b: &Booking) -> MeetingForm {
    MeetingForm {
        title: b.title.clone(),
        room: b.room.to_string(),
        date: b.when.start.date().to_string(),
        start: hh_mm(b.when.start),
        end: hh_mm(b.when.end),
        weekly: b.when.weekly.is_some(),
        until: b.when.weekly.as_ref().and_then(|w| w.until).map(|d| d.to_string()).unwrap_or_default(),
        except: b.when.weekly.as_ref().map(|w| w.except.iter().map(|d| d.strftime("%d/%m/%Y").to_string()).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
        invitees: b.invitees.iter().map(|p| p.to_string()).collect(),
        guests: b.guests.join("\n"),
        ..Default::default()
    }
}

pub async fn edit_form(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let (b, _room) = load(&state, &viewer, &id, Action::CancelBooking).await?;
    let errors = if b.cancelled { vec![viewer.tr.t("meeting-error-cancelled")] } else { vec![] };
    let status = if b.cancelled { StatusCode::CONFLICT } else { StatusCode::OK };
    render(status, &new_page(&state, &viewer, form_of(&b), errors, &FormTarget::edit(&b)).await?)
}

pub async fn edit(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, Form(pairs): Form<Vec<(String, String)>>) -> AppResult {
    let (b, _room) = load(&state, &viewer, &id, Action::CancelBooking).await?;
    save(&state, &viewer, MeetingForm::from_pairs(pairs), b.id.clone(), FormTarget::edit(&b)).await
}

// ---- A booking ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    c: Chrome,
    csrf: String,
    id: String,
    title: String,
    room_id: String,
    room: String,
    organizer: String,
    repeat: Option<String>,
    occurrences: Vec<String>,
    invitees: Vec<String>,
    /// Each guest's address and, for those who manage the meeting, where their e-mail stands.
    guests: Vec<(String, Option<String>)>,
    /// Said to those who manage the meeting when this server sends no e-mail.
    mail_off: bool,
    cancelled: bool,
    may_cancel: bool,
    /// The live room's address, while it is open to the viewer.
    join: Option<String>,
    /// For the organizer: the guests' link, until the meeting is over.
    guest_link: Option<String>,
    /// An audio conference's PINs: the participants' for everyone who sees it, the host's for
    /// the organizer.
    pins: Option<(String, Option<String>)>,
    /// The report of each session held, for those who manage the meeting.
    sessions: Vec<SessionView>,
    /// Its recordings, for those who manage the meeting.
    recordings: Vec<crate::recordings::RecordingView>,
    /// For those who manage an audio conference this server lets its hosts record: what
    /// recording does, and for how long recordings are kept.
    recordable: Option<String>,
}

/// A session of the meeting's live room, as its report shows it.
pub(crate) struct SessionView {
    pub(crate) when: String,
    pub(crate) duration: String,
    /// Name, hours present, and what they were (host, guest), in order of arrival.
    pub(crate) presences: Vec<(String, String, String)>,
}

/// "40 s", "45 min", "1 h 05".
pub(crate) fn duration_text(ms: Millis) -> String {
    if ms < 59_500 {
        return format!("{} s", (ms + 500) / 1000);
    }
    let minutes = (ms + 30_000) / 60_000;
    if minutes < 60 { format!("{minutes} min") } else { format!("{} h {:02}", minutes / 60, minutes % 60) }
}

async fn session_views(state: &SharedState, tr: &Tr, b: &Booking) -> AppResult<Vec<SessionView>> {
    Ok(state.store.live_sessions(&b.live_room()).await?.iter().map(|s| session_view(tr, s)).collect())
}

pub(crate) fn session_view(tr: &Tr, s: &preau_store::conferences::LiveSession) -> SessionView {
    SessionView {
        when: span_text(tr, s.started_at, s.ended_at),
        duration: duration_text(s.ended_at - s.started_at),
        presences: s
            .presences
            .iter()
            .map(|p| {
                let what = match (p.host, p.person.is_none()) {
                    (true, _) => tr.t("meeting-report-host"),
                    (false, true) => tr.t("meeting-report-guest"),
                    (false, false) => String::new(),
                };
                (p.name.clone(), format!("{} ({})", hours(p.joined_at, p.left_at), duration_text(p.left_at - p.joined_at)), what)
            })
            .collect(),
    }
}

/// The booking and its room, if the viewer may do `action` on it.
pub(crate) async fn load(state: &SharedState, viewer: &Viewer, id: &str, action: Action) -> AppResult<(Booking, MeetingRoom)> {
    let id: BookingId = parse_id(id)?;
    let b = state.store.booking(&id).await?.ok_or(AppError::NotFound)?;
    let room = state.store.meeting_room(&b.room).await?.ok_or(AppError::NotFound)?;
    if !may(&viewer.actor, action, Target::Booking(&facts(&b, &room))).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok((b, room))
}

async fn name_of(state: &SharedState, id: &PersonId) -> AppResult<String> {
    Ok(state.store.person(id).await?.map(|p| p.display_name()).unwrap_or_default())
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let tr = viewer.tr;
    let (b, room) = load(&state, &viewer, &id, Action::ViewBooking).await?;
    let facts = facts(&b, &room);
    let may_cancel = may(&viewer.actor, Action::CancelBooking, Target::Booking(&facts)).is_allowed();
    // The occurrences as asked, even once cancelled (the store frees a cancelled booking's slots).
    let slots = expand(&b.when);
    let now = state.clock.now();
    let live = !b.cancelled && booking::next_slot(&slots, now).is_some();
    let join = (live
        && booking::open_slot(&slots, now).is_some()
        && may(&viewer.actor, Action::JoinMeeting, Target::Booking(&facts)).is_allowed())
    .then(|| format!("/meetings/{}/room", b.id));
    let hosts = live && room.kind != MeetingRoomKind::StaffOnly && may(&viewer.actor, Action::HostMeeting, Target::Booking(&facts)).is_allowed();
    let guest_link = match hosts {
        true => Some(super::meeting_live::guest_link(&state, &b).await?),
        false => None,
    };
    let leads = may(&viewer.actor, Action::HostMeeting, Target::Booking(&facts)).is_allowed();
    let pins = match live {
        true => super::conference::pins(&state, &b, room.kind).await?.map(|(p, h)| {
            (super::conference::spaced(&p), leads.then(|| super::conference::spaced(&h)))
        }),
        false => None,
    };
    let sessions = if may_cancel { session_views(&state, &tr, &b).await? } else { vec![] };
    let recordable = match &state.config.recordings {
        Some(r) if r.allowed && may_cancel && room.kind == MeetingRoomKind::AudioConference => {
            Some(tr.tn("recording-intro", "days", i64::from(r.keep_days)))
        }
        _ => None,
    };
    // Recordings made while it was allowed stay listed (and deletable) if it no longer is.
    let recordings = if may_cancel && state.config.recordings.is_some() { crate::recordings::views(&state, &tr, &b.id).await? } else { vec![] };
    let mut invitees = vec![];
    for p in &b.invitees {
        invitees.push(name_of(&state, p).await?);
    }
    let repeat = b.when.weekly.as_ref().and_then(|w| w.until).map(|until| {
        let at = booking::instant(until.to_datetime(b.when.start.time())).unwrap_or_default();
        tr.t1("meeting-repeat-weekly", "until", tr.long_date(at))
    });
    let page = MeetingPage {
        c: Chrome::new(tr, "meeting", b.title.clone(), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        id: b.id.to_string(),
        title: b.title.clone(),
        room_id: room.id.to_string(),
        room: format!("{} ({})", room.name, kind_label(&tr, room.kind)),
        organizer: name_of(&state, &b.organizer).await?,
        repeat,
        occurrences: slots.iter().map(|s| span_text(&tr, s.start, s.end)).collect(),
        invitees,
        guests: guests_with_mail(&state, &tr, &b, may_cancel).await?,
        mail_off: may_cancel && state.config.mail.is_none() && !b.guests.is_empty(),
        cancelled: b.cancelled,
        may_cancel: may_cancel && !b.cancelled,
        join,
        guest_link,
        pins,
        sessions,
        recordings,
        recordable,
    };
    render(StatusCode::OK, &page)
}

/// The guests, and for those who manage the meeting, where the last e-mail to each stands.
async fn guests_with_mail(state: &SharedState, tr: &Tr, b: &Booking, manages: bool) -> AppResult<Vec<(String, Option<String>)>> {
    let deliveries = match manages {
        true => state.store.deliveries(preau_store::outbox::MEETING, b.id.as_str()).await?,
        false => vec![],
    };
    Ok(b.guests
        .iter()
        .map(|g| {
            let status = deliveries.iter().find(|d| d.recipient == *g).map(|d| match (d.sent_at, &d.last_error) {
                (Some(at), _) => tr.t1("meeting-mail-sent", "when", tr.datetime(at)),
                (None, None) => tr.t("meeting-mail-pending"),
                (None, Some(e)) if d.attempts >= preau_store::outbox::MAX_ATTEMPTS => tr.t1("meeting-mail-given-up", "error", e),
                (None, Some(e)) => tr.t1("meeting-mail-failed", "error", e),
            });
            (g.clone(), status)
        })
        .collect())
}

/// A booking's occurrences, whatever "now" is (a stored booking was checked when it was made).
pub(crate) fn expand(when: &When) -> Vec<booking::Slot> {
    let first = booking::instant(when.start).unwrap_or_default();
    booking::occurrences(when, first).unwrap_or_default()
}

/// A booking as an iCalendar event. People of the establishment have no e-mail address in
/// Préau yet: they are named by a `urn:` address.
pub(crate) async fn event_of(state: &SharedState, b: &Booking) -> AppResult<ical::Event> {
    let host = crate::mail::public_host(state);
    let person = |p: &Person| Attendee { name: p.display_name(), address: format!("urn:x-preau:person:{}", p.id) };
    let organizer = state.store.person(&b.organizer).await?.ok_or(AppError::NotFound)?;
    let mut attendees = vec![];
    for id in &b.invitees {
        if let Some(p) = state.store.person(id).await? {
            attendees.push(person(&p));
        }
    }
    attendees.extend(b.guests.iter().map(|g| Attendee::mailto(g, g)));
    Ok(ical::Event {
        uid: format!("{}@{host}", b.id),
        sequence: b.sequence,
        stamp: state.clock.now(),
        title: b.title.clone(),
        description: None,
        url: Some(format!("{}/meetings/{}", state.config.public_url.trim_end_matches('/'), b.id)),
        start: b.when.start,
        end: b.when.end,
        weekly: b.when.weekly.clone(),
        organizer: person(&organizer),
        attendees,
        cancelled: b.cancelled,
    })
}

pub async fn invitation(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let (b, _room) = load(&state, &viewer, &id, Action::ViewBooking).await?;
    let event = event_of(&state, &b).await?;
    let method = if b.cancelled { Method::Cancel } else { Method::Request };
    let body = ical::calendar(method, None, &[event]).map_err(|e| AppError::Internal(e.to_string()))?;
    let content_type = if b.cancelled { "text/calendar; charset=utf-8; method=CANCEL" } else { "text/calendar; charset=utf-8; method=REQUEST" };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The id is a ULID (letters and digits): nothing to escape in the file name.
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"reunion-{}.ics\"", b.id)).map_err(|e| AppError::Internal(e.to_string()))?;
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    Ok(response)
}

pub async fn cancel(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let (b, _room) = load(&state, &viewer, &id, Action::CancelBooking).await?;
    let notify = if state.config.mail.is_some() { addresses(&state, &b).await? } else { vec![] };
    if state.store.cancel_booking(&b.id, &notify, state.clock.now()).await? {
        tracing::info!(booking = %b.id, mails = notify.len(), "meeting cancelled");
        state.mail_wakeup.notify_one();
    }
    Ok(Redirect::to(&format!("/meetings/{}", b.id)).into_response())
}

// ---- A room's week --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meeting_room.html")]
struct RoomWeekPage {
    c: Chrome,
    id: String,
    name: String,
    kind: String,
    capacity: u32,
    week_label: String,
    /// `week=…` or `day=…`: the query of the previous and next week or day.
    previous: String,
    next: String,
    /// One day rather than a week.
    one_day: bool,
    days: Vec<DayShown>,
    /// In the day view: the free times between 07:00 and 20:00.
    free: Vec<String>,
}

/// A day of a room's calendar: its label, its date (for `day=`), and its meetings (hours, title).
struct DayShown {
    label: String,
    date: String,
    entries: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
    /// A day: the day view.
    day: Option<String>,
}

pub async fn room_week(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, Query(q): Query<WeekQuery>) -> AppResult {
    let tr = viewer.tr;
    let id: MeetingRoomId = parse_id(&id)?;
    let room = state.store.meeting_room(&id).await?.filter(|r| r.establishment_id == viewer.person.establishment_id).ok_or(AppError::NotFound)?;
    let today = booking::local(state.clock.now()).map_err(|e| AppError::Internal(e.to_string()))?.date();
    let bad = || AppError::BadRequest("error-bad-date");
    let one_day = q.day.is_some();
    let day = match q.day.as_deref().or(q.week.as_deref()) {
        Some(w) => parse_date(w).ok_or_else(bad)?,
        None => today,
    };
    // The first day shown: the day itself, or the Monday of its week.
    let first = if one_day { day } else { day.checked_sub(jiff::Span::new().days(i64::from(day.weekday().to_monday_zero_offset()))).map_err(|_| bad())? };
    let span = if one_day { 1 } else { 7 };
    let shift = |days: i64| first.checked_add(jiff::Span::new().days(days)).map_err(|_| bad());
    let midnight = |d: Date| booking::instant(d.to_datetime(jiff::civil::Time::midnight())).map_err(|_| bad());
    let start = midnight(first)?;
    let end = midnight(shift(span)?)?;
    let occurrences = state.store.room_occurrences(&room.id, start, end).await?;
    // Titles of meetings one is not part of stay private: "Réservé" and the organizer.
    let mine: std::collections::HashSet<BookingId> =
        state.store.person_occurrences(&viewer.person.id, start, end).await?.into_iter().map(|o| o.booking).collect();
    let mut organizers = std::collections::HashMap::new();
    for o in &occurrences {
        if !organizers.contains_key(&o.organizer) {
            organizers.insert(o.organizer.clone(), name_of(&state, &o.organizer).await?);
        }
    }
    // The policy decides, knowing whether the viewer is part of the meeting.
    let sees = |o: &preau_store::Occurrence| {
        let invitees = if mine.contains(&o.booking) { vec![viewer.person.id.clone()] } else { vec![] };
        let staff_only = room.kind == MeetingRoomKind::StaffOnly;
        let facts = BookingFacts { establishment_id: room.establishment_id.clone(), organizer: o.organizer.clone(), invitees, staff_only };
        may(&viewer.actor, Action::ViewBooking, Target::Booking(&facts)).is_allowed()
    };
    let label = |o: &preau_store::Occurrence| {
        if sees(o) {
            o.title.clone()
        } else {
            tr.t1("meeting-room-busy", "organizer", organizers.get(&o.organizer).cloned().unwrap_or_default())
        }
    };
    let mut days = vec![];
    for i in 0..span {
        let d = shift(i)?;
        let from = midnight(d).unwrap_or(start);
        let to = midnight(shift(i + 1)?).unwrap_or(end);
        let entries = occurrences
            .iter()
            .filter(|o| o.slot.start < to && o.slot.end > from)
            .map(|o| (hours(o.slot.start, o.slot.end), label(o)))
            .collect();
        days.push(DayShown { label: tr.long_date(from), date: d.to_string(), entries });
    }
    let free = match one_day {
        true => {
            let at = |h: i8| booking::instant(first.to_datetime(jiff::civil::time(h, 0, 0, 0))).map_err(|_| bad());
            let booked: Vec<booking::Slot> = occurrences.iter().map(|o| o.slot).collect();
            booking::free_times(&booked, booking::Slot { start: at(7)?, end: at(20)? }).into_iter().map(|f| hours(f.start, f.end)).collect()
        }
        false => vec![],
    };
    let (key, label_id) = if one_day { ("day", "meeting-room-day-of") } else { ("week", "meeting-room-week-of") };
    let page = RoomWeekPage {
        c: Chrome::new(tr, "meeting-room", room.name.clone(), Some(&viewer)),
        id: room.id.to_string(),
        name: room.name.clone(),
        kind: kind_label(&tr, room.kind),
        capacity: room.capacity,
        week_label: tr.t1(label_id, "date", tr.long_date(start)),
        previous: format!("{key}={}", shift(-span)?),
        next: format!("{key}={}", shift(span)?),
        one_day,
        days,
        free,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_plainly() {
        for ok in ["ortho@cabinet.example", "a.b+c@sub.domaine.fr"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in ["", "@x.fr", "a@", "a@b", "a@.fr", "a@b.", "a b@c.fr", "a@b@c.fr", "a\"@b.fr", "a@b.fr\r\nBcc: x@y.fr", "a,b@c.fr"] {
            assert!(!valid_email(bad), "{bad:?}");
        }
        assert!(!valid_email(&format!("{}@x.fr", "a".repeat(250))));
    }

    #[test]
    fn dates_are_read_as_forms_send_them_or_as_the_french_write_them() {
        assert_eq!(parse_date("2026-09-15"), Date::new(2026, 9, 15).ok());
        assert_eq!(parse_date("15/09/2026"), Date::new(2026, 9, 15).ok());
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("15/09/2026/1"), None);
        assert_eq!(parse_date("demain"), None);
    }
}

// ---- A person's calendar feed ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "meeting_feed.html")]
struct FeedPage {
    c: Chrome,
    url: String,
}

/// Makes a new secret feed address (revoking the old one) and shows it, once: only its hash is
/// kept.
pub async fn create_feed(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let tr = viewer.tr;
    let token = crate::auth::new_token();
    state.store.set_calendar_feed(&viewer.person.id, &crate::auth::token_hash(&token), state.clock.now()).await?;
    tracing::info!(person = %viewer.person.id, "calendar feed made");
    let url = format!("{}/calendar/{token}.ics", state.config.public_url.trim_end_matches('/'));
    render(StatusCode::OK, &FeedPage { c: Chrome::new(tr, "meeting-feed", tr.t("meeting-feed-title"), Some(&viewer)), url })
}

pub async fn revoke_feed(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    if state.store.revoke_calendar_feed(&viewer.person.id).await? {
        tracing::info!(person = %viewer.person.id, "calendar feed revoked");
    }
    Ok(Redirect::to("/meetings").into_response())
}

/// The feed itself, for a calendar program: no session, the secret in the address. The
/// meetings of the last month and the next 400 days.
pub async fn feed(State(state): State<SharedState>, Path(file): Path<String>) -> AppResult {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let person = state.store.calendar_feed_owner(&crate::auth::token_hash(token)).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut seen = std::collections::HashSet::new();
    let mut events = vec![];
    for o in state.store.person_occurrences(&person, now - 31 * DAY_MS, now + booking::MAX_AHEAD_DAYS * DAY_MS).await? {
        if seen.insert(o.booking.clone())
            && let Some(b) = state.store.booking(&o.booking).await?
        {
            events.push(event_of(&state, &b).await?);
        }
    }
    // The person's lessons, from a week back to four weeks ahead, one event each (weeks A and
    // B, and single lessons cancelled, are then as they are).
    if let Some(p) = state.store.person(&person).await? {
        events.extend(super::timetable::lesson_events(&state, &p, now).await?);
    }
    let name = state.store.person(&person).await?.map(|p| format!("Préau — {}", p.display_name()));
    let body = ical::calendar(Method::Publish, name.as_deref(), &events).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    Ok(response)
}
