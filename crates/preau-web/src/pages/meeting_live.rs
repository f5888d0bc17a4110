//! A meeting's live room: who enters it (the organizer, who leads it, and those invited; in a
//! staff-only room the staff alone), when (from a quarter of an hour before each occurrence to
//! half an hour after it), how many (the meeting room's capacity), and guests from outside the
//! school — a signed link that expires with the meeting, a name, then the lobby, where a host
//! admits or refuses them. A guest has no account and sees nothing of the school: not the
//! header, not the directory, only the meeting's title and the people in it.

use askama::Template;
use axum::Form;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use preau_core::booking::{self, Booking, MeetingRoom, MeetingRoomKind, Slot};
use preau_core::policy::{Action, Target, may};
use preau_core::{BookingId, Millis, PersonId};
use serde::Deserialize;
use sha2::Sha256;

use super::meetings::{expand, facts, kind_label, span_text};
use super::parse_id;
use super::rooms::RoomPage;
use crate::SharedState;
use crate::auth;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::signal::{Joiner, check_origin, open};
use crate::view::{Chrome, Ctx, Viewer, render};

/// The cookie holding a guest's pass (booking, guest id, name, expiry, signature).
const GUEST_COOKIE: &str = "preau_guest";
/// The longest name a guest may give.
pub const GUEST_NAME_MAX: usize = 60;
/// The name under which the server's key for guests' links and passes is stored.
const KEY_NAME: &str = "guest-links";

/// A page that says why one cannot enter (yet), with where to go.
#[derive(Template)]
#[template(path = "meeting_notice.html")]
struct NoticePage {
    c: Chrome,
    heading: String,
    message: String,
    /// Try again (the same address), when waiting may help.
    retry: Option<String>,
    /// Back to the meeting's page, for people of the school.
    back: Option<String>,
}

fn notice(c: Chrome, status: StatusCode, heading: String, message: String, retry: Option<String>, back: Option<String>) -> AppResult {
    let mut response = render(status, &NoticePage { c, heading, message, retry, back })?;
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    Ok(response)
}

/// Why a meeting's room cannot be entered now.
enum Closed {
    Cancelled,
    /// Not open yet: the next occurrence.
    NotYet(Slot),
    Over,
}

/// The occurrence open now, or why there is none.
fn open_now(b: &Booking, now: Millis) -> Result<Slot, Closed> {
    if b.cancelled {
        return Err(Closed::Cancelled);
    }
    let slots = expand(&b.when);
    booking::open_slot(&slots, now).ok_or_else(|| booking::next_slot(&slots, now).map_or(Closed::Over, Closed::NotYet))
}

fn closed_page(tr: Tr, c: Chrome, why: Closed, retry: &str, back: Option<String>) -> AppResult {
    let (status, message, retry) = match why {
        Closed::Cancelled => (StatusCode::GONE, tr.t("meeting-live-cancelled"), None),
        Closed::Over => (StatusCode::GONE, tr.t("meeting-live-over"), None),
        Closed::NotYet(s) => {
            let opens = span_text(&tr, s.start, s.end);
            (StatusCode::CONFLICT, tr.t1("meeting-live-not-yet", "when", opens), Some(retry.to_owned()))
        }
    };
    notice(c, status, tr.t("meeting-live-closed-title"), message, retry, back)
}

fn full_page(tr: Tr, c: Chrome, capacity: u32, retry: &str, back: Option<String>) -> AppResult {
    let message = tr.tn("meeting-live-full", "capacity", i64::from(capacity));
    notice(c, StatusCode::SERVICE_UNAVAILABLE, tr.t("room-full-title"), message, Some(retry.to_owned()), back)
}

fn locked_page(tr: Tr, c: Chrome, retry: &str, back: Option<String>) -> AppResult {
    notice(c, StatusCode::FORBIDDEN, tr.t("meeting-live-locked-title"), tr.t("meeting-live-locked"), Some(retry.to_owned()), back)
}

// ---- People of the school ---------------------------------------------------------------------

/// Loads the booking named in a URL for `viewer`: not found, forbidden, or the booking with its
/// room and whether the viewer leads it.
async fn member(state: &SharedState, viewer: &Viewer, id: &str) -> AppResult<(Booking, MeetingRoom, bool)> {
    let id: BookingId = parse_id(id)?;
    let b = state.store.booking(&id).await?.ok_or(AppError::NotFound)?;
    let room = state.store.meeting_room(&b.room).await?.ok_or(AppError::NotFound)?;
    let facts = facts(&b, &room);
    if !may(&viewer.actor, Action::JoinMeeting, Target::Booking(&facts)).is_allowed() {
        return Err(AppError::Forbidden);
    }
    let host = may(&viewer.actor, Action::HostMeeting, Target::Booking(&facts)).is_allowed();
    Ok((b, room, host))
}

fn is_full(state: &SharedState, b: &Booking, room: &MeetingRoom, host: bool) -> bool {
    !host && state.live.participants(&b.live_room()) >= room.capacity as usize
}

/// `GET /meetings/{id}/room`: the live room of a meeting, while it is open.
pub async fn room(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let tr = viewer.tr;
    let (b, room, host) = member(&state, &viewer, &id).await?;
    let here = format!("/meetings/{}/room", b.id);
    let back = Some(format!("/meetings/{}", b.id));
    let chrome = |page| Chrome::new(tr, page, b.title.clone(), Some(&viewer));
    if let Err(why) = open_now(&b, state.clock.now()) {
        return closed_page(tr, chrome("meeting-closed"), why, &here, back);
    }
    if is_full(&state, &b, &room, host) {
        return full_page(tr, chrome("room-full"), room.capacity, &here, back);
    }
    if !host && state.signal.is_locked(&b.live_room()) {
        return locked_page(tr, chrome("meeting-locked"), &here, back);
    }
    let guests = room.kind != MeetingRoomKind::StaffOnly;
    let audio = room.kind == MeetingRoomKind::AudioConference;
    let share = match host && guests {
        true => Some((guest_link(&state, &b).await?, tr.t("meeting-live-share-hint"))),
        false => None,
    };
    let page = RoomPage {
        c: Chrome::new(tr, "room", tr.t1("room-page-title", "title", &b.title), Some(&viewer)),
        room_id: b.live_room().to_string(),
        ws: format!("/meetings/{}/ws", b.id),
        title: b.title.clone(),
        kind_label: format!("{} · {}", room.name, kind_label(&tr, room.kind)),
        host,
        pupil: false,
        me: viewer.person.display_name(),
        share,
        lobby: guests,
        audio,
        prejoin_note: tr.t(if audio { "room-note-audio" } else { "room-note-others" }),
    };
    page.respond()
}

/// Where the meeting's hosts may record it: an audio conference, when the configuration allows.
fn record_to(state: &SharedState, b: &Booking, room: &MeetingRoom) -> Option<crate::signal::RecordTo> {
    let config = state.config.recordings.as_ref().filter(|c| c.allowed)?;
    (room.kind == MeetingRoomKind::AudioConference).then(|| crate::signal::RecordTo {
        booking: b.id.clone(),
        title: b.title.clone(),
        dir: config.dir.clone(),
    })
}

/// `GET /meetings/{id}/ws`: the same checks as the page, then the socket.
pub async fn socket(
    State(state): State<SharedState>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult {
    check_origin(&state, &headers)?;
    let (b, room, host) = member(&state, &viewer, &id).await?;
    if open_now(&b, state.clock.now()).is_err() {
        return Err(AppError::Forbidden);
    }
    let joiner = Joiner {
        person: viewer.person.id.clone(),
        name: viewer.person.display_name(),
        host,
        guest: false,
        lobby: false,
        audio_only: room.kind == MeetingRoomKind::AudioConference,
        lang: viewer.tr,
        capacity: room.capacity as usize,
        record: record_to(&state, &b, &room),
    };
    open(&state, b.live_room(), joiner, is_full(&state, &b, &room, host), ws)
}

/// Keeps the report of a session that ended, if it was a meeting's (class rooms keep none).
pub async fn keep_report(state: &SharedState, session: &preau_store::conferences::LiveSession) {
    let Ok(id) = session.room.as_str().parse::<BookingId>() else { return };
    // The organizer gets it by e-mail too, if they gave an address and mail is set up.
    let kept = match state.store.booking(&id).await {
        Ok(Some(b)) => {
            let mut notify = vec![];
            if state.config.mail.is_some() {
                match state.store.email_of(&b.organizer).await {
                    Ok(email) => notify.extend(email),
                    // The report is kept all the same, without its e-mail.
                    Err(e) => tracing::warn!(booking = %id, error = %e, "the organizer's address could not be read"),
                }
            }
            state.store.record_session(session, &notify, state.clock.now()).await
        }
        Ok(None) => return,
        Err(e) => Err(e),
    };
    match kept {
        Ok(_) => {
            tracing::info!(booking = %id, people = session.presences.len(), "meeting report kept");
            state.mail_wakeup.notify_one();
        }
        Err(e) => tracing::error!(booking = %id, error = %e, "meeting report lost"),
    }
}

// ---- Signatures --------------------------------------------------------------------------------

fn mac(key: &[u8; 32], parts: &[&str]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p.as_bytes());
        mac.update(b"\n");
    }
    mac
}

fn sign(key: &[u8; 32], parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, parts).finalize().into_bytes())
}

/// Checks a signature in constant time.
fn verify(key: &[u8; 32], parts: &[&str], signature: &str) -> bool {
    URL_SAFE_NO_PAD.decode(signature).is_ok_and(|sig| mac(key, parts).verify_slice(&sig).is_ok())
}

/// The guests' address of a booking, valid until its last occurrence's end and a grace period.
pub(crate) async fn guest_link(state: &SharedState, b: &Booking) -> AppResult<String> {
    let key = state.server_key(KEY_NAME).await?;
    let expires = booking::link_expiry(&expand(&b.when)).to_string();
    let version = state.store.link_version(&b.id).await?.to_string();
    let sig = sign(&key, &["link", b.id.as_str(), &version, &expires]);
    Ok(format!("{}/invite/{}/{expires}/{sig}", state.config.public_url.trim_end_matches('/'), b.id))
}

/// What is wrong with a guest's link or pass.
enum Refusal {
    /// Tampered, or not a link of ours: 403.
    Invalid,
    /// Past its date, or the meeting changed so that it is over: 410.
    Expired,
    /// Signed, but replaced since (a guest was taken off the list): 410.
    Replaced,
}

/// A checked guest link: the booking, and the meeting room (never staff-only).
async fn check_link(state: &SharedState, id: &str, expires: &str, sig: &str) -> AppResult<Result<(Booking, MeetingRoom, Millis), Refusal>> {
    let key = state.server_key(KEY_NAME).await?;
    let (Ok(id), Ok(expires_ms)) = (id.parse::<BookingId>(), expires.parse::<Millis>()) else { return Ok(Err(Refusal::Invalid)) };
    let Some(b) = state.store.booking(&id).await? else { return Ok(Err(Refusal::Invalid)) };
    let version = state.store.link_version(&id).await?;
    if !verify(&key, &["link", id.as_str(), &version.to_string(), expires], sig) {
        // One of the links given before: say it was replaced rather than forged.
        let older = (0..version).rev().take(50).any(|v| verify(&key, &["link", id.as_str(), &v.to_string(), expires], sig));
        return Ok(Err(if older { Refusal::Replaced } else { Refusal::Invalid }));
    }
    let room = state.store.meeting_room(&b.room).await?.ok_or(AppError::NotFound)?;
    if room.kind == MeetingRoomKind::StaffOnly {
        return Ok(Err(Refusal::Invalid));
    }
    // The link's own date, and the meeting as it is now (shortened, cancelled).
    let now = state.clock.now();
    if now >= expires_ms || now >= booking::link_expiry(&expand(&b.when)) || b.cancelled {
        return Ok(Err(Refusal::Expired));
    }
    Ok(Ok((b, room, expires_ms)))
}

fn refused_page(tr: Tr, why: Refusal) -> AppResult {
    let (status, message) = match why {
        Refusal::Invalid => (StatusCode::FORBIDDEN, tr.t("guest-link-invalid")),
        Refusal::Expired => (StatusCode::GONE, tr.t("guest-link-expired")),
        Refusal::Replaced => (StatusCode::GONE, tr.t("guest-link-replaced")),
    };
    notice(Chrome::new(tr, "guest-refused", tr.t("guest-link-title"), None), status, tr.t("guest-link-title"), message, None, None)
}

// ---- Guests ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "guest.html")]
struct GuestPage {
    c: Chrome,
    csrf: String,
    action: String,
    title: String,
    when: Option<String>,
    name: String,
    name_max: usize,
    error: Option<String>,
}

fn guest_page(tr: Tr, csrf: String, action: String, b: &Booking, name: &str, error: Option<String>, now: Millis) -> GuestPage {
    let when = booking::next_slot(&expand(&b.when), now).map(|s| span_text(&tr, s.start, s.end));
    GuestPage {
        c: Chrome::new(tr, "guest", tr.t1("guest-title", "title", &b.title), None),
        csrf,
        action,
        title: b.title.clone(),
        when,
        name: name.to_owned(),
        name_max: GUEST_NAME_MAX,
        error,
    }
}

/// `GET /invite/{id}/{expires}/{sig}`: a guest's link. People of the school who may enter the
/// meeting go to its room as themselves.
pub async fn invite(State(state): State<SharedState>, ctx: Ctx, headers: HeaderMap, Path((id, expires, sig)): Path<(String, String, String)>) -> AppResult {
    let tr = ctx.tr;
    let (b, _, _) = match check_link(&state, &id, &expires, &sig).await? {
        Ok(found) => found,
        Err(why) => return refused_page(tr, why),
    };
    if let Some(viewer) = &ctx.viewer
        && member(&state, viewer, b.id.as_str()).await.is_ok()
    {
        return Ok(Redirect::to(&format!("/meetings/{}/room", b.id)).into_response());
    }
    let (csrf, cookie) = auth::pre_session_csrf(&state, &headers);
    let action = format!("/invite/{id}/{expires}/{sig}");
    let page = guest_page(tr, csrf, action, &b, "", None, state.clock.now());
    let mut response = render(StatusCode::OK, &page)?;
    if let Some(c) = cookie {
        auth::add_cookie(&mut response, &c);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct GuestForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    csrf: String,
}

/// A guest's name: trimmed, 1 to [`GUEST_NAME_MAX`] characters, no control characters.
pub fn clean_guest_name(name: &str) -> Option<String> {
    let n = name.trim();
    (!n.is_empty() && n.chars().count() <= GUEST_NAME_MAX && !n.chars().any(char::is_control)).then(|| n.to_owned())
}

/// `POST /invite/{id}/{expires}/{sig}`: the guest gives a name and gets a pass to the lobby,
/// a cookie that ends with the link.
/// Passes one address may take: ten in a row, then one a minute; after sixty, one an hour —
/// each is a knock at a door, and a chime for its hosts.
pub fn pass_throttle() -> crate::address_throttle::AddressThrottle {
    use preau_core::throttle::Limit;
    crate::address_throttle::AddressThrottle::new([Limit { burst: 10, refill_ms: 60_000 }, Limit { burst: 60, refill_ms: 3_600_000 }])
}

pub async fn knock(
    State(state): State<SharedState>,
    ctx: Ctx,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Path((id, expires, sig)): Path<(String, String, String)>,
    Form(f): Form<GuestForm>,
) -> AppResult {
    let tr = ctx.tr;
    let (b, _, expires_ms) = match check_link(&state, &id, &expires, &sig).await? {
        Ok(found) => found,
        Err(why) => return refused_page(tr, why),
    };
    let Some(name) = clean_guest_name(&f.name) else {
        let typed: String = f.name.chars().take(GUEST_NAME_MAX * 2).collect();
        let action = format!("/invite/{id}/{expires}/{sig}");
        let page = guest_page(tr, f.csrf, action, &b, &typed, Some(tr.t("guest-name-error")), state.clock.now());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    // Each pass is a knock at the door, and a chime for the hosts: so many per address.
    let ip = crate::client_ip::client_ip(&state, &headers, &ext).map(|c| c.ip).unwrap_or([0, 0, 0, 0].into());
    if let Err(wait) = state.pass_throttle.begin(ip, state.clock.now()) {
        tracing::warn!(%ip, booking = %b.id, "guest passes: too many from this address");
        let minutes = (wait + 59_999) / 60_000;
        let action = format!("/invite/{id}/{expires}/{sig}");
        let page = guest_page(tr, f.csrf, action, &b, &name, Some(tr.tn("guest-throttled", "minutes", minutes)), state.clock.now());
        let mut response = render(StatusCode::TOO_MANY_REQUESTS, &page)?;
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from((wait + 999) / 1000));
        return Ok(response);
    }
    let cookie = issue_pass(&state, &b, Role::Guest, &name, expires_ms).await?;
    let mut response = Redirect::to(&format!("/guest/{}", b.id)).into_response();
    auth::add_cookie(&mut response, &cookie);
    Ok(response)
}

/// How someone without an account came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// By a meeting's link: waits in the lobby.
    Guest,
    /// By a conference's participant PIN: straight in.
    Participant,
    /// By a conference's host PIN: straight in, leading.
    Host,
}

impl Role {
    fn code(self) -> &'static str {
        match self {
            Role::Guest => "g",
            Role::Participant => "p",
            Role::Host => "h",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [Role::Guest, Role::Participant, Role::Host].into_iter().find(|r| r.code() == s)
    }
}

/// A pass, checked: for this booking, signed by us, not expired.
struct Pass {
    guest: PersonId,
    role: Role,
    name: String,
}

/// The cookie of a new pass to `b`'s room for `name`, valid until `expires_ms`.
pub(crate) async fn issue_pass(state: &SharedState, b: &Booking, role: Role, name: &str, expires_ms: Millis) -> AppResult<String> {
    let now = state.clock.now();
    let guest = PersonId::new(now, random_u128());
    let key = state.server_key(KEY_NAME).await?;
    let name64 = URL_SAFE_NO_PAD.encode(name.as_bytes());
    let expires = expires_ms.to_string();
    let sig = sign(&key, &["pass", b.id.as_str(), role.code(), guest.as_str(), &expires, &name64]);
    let pass = format!("{}.{}.{guest}.{expires}.{name64}.{sig}", b.id, role.code());
    tracing::info!(booking = %b.id, guest = %guest, role = role.code(), "pass given");
    Ok(auth::cookie(state, GUEST_COOKIE, &pass, Some((expires_ms - now) / 1000)))
}

async fn read_pass(state: &SharedState, headers: &HeaderMap, booking: &BookingId) -> AppResult<Option<Pass>> {
    let Some(pass) = auth::read_cookie(headers, GUEST_COOKIE) else { return Ok(None) };
    let parts: Vec<&str> = pass.split('.').collect();
    let [id, role, guest, expires, name64, sig] = parts[..] else { return Ok(None) };
    let key = state.server_key(KEY_NAME).await?;
    if id != booking.as_str() || !verify(&key, &["pass", id, role, guest, expires, name64], sig) {
        return Ok(None);
    }
    let fresh = expires.parse::<Millis>().is_ok_and(|e| state.clock.now() < e);
    let name = URL_SAFE_NO_PAD.decode(name64).ok().and_then(|n| String::from_utf8(n).ok());
    match (fresh, guest.parse(), name, Role::parse(role)) {
        (true, Ok(guest), Some(name), Some(role)) => Ok(Some(Pass { guest, role, name })),
        _ => Ok(None),
    }
}

/// The booking of a guest's room and the guest's pass, or the page that says why not.
async fn guest_entry(state: &SharedState, tr: Tr, headers: &HeaderMap, id: &str) -> AppResult<Result<(Booking, MeetingRoom, Pass), AppResult>> {
    let id: BookingId = parse_id(id)?;
    let Some(pass) = read_pass(state, headers, &id).await? else { return Ok(Err(refused_page(tr, Refusal::Invalid))) };
    let b = state.store.booking(&id).await?.ok_or(AppError::NotFound)?;
    let room = state.store.meeting_room(&b.room).await?.ok_or(AppError::NotFound)?;
    // No guest in a staff-only room; a PIN's pass only in an audio conference (a booking moved
    // to another kind of room leaves its PIN holders outside).
    let fits = match pass.role {
        Role::Guest => room.kind != MeetingRoomKind::StaffOnly,
        Role::Participant | Role::Host => room.kind == MeetingRoomKind::AudioConference,
    };
    if !fits {
        return Ok(Err(refused_page(tr, Refusal::Invalid)));
    }
    Ok(Ok((b, room, pass)))
}

/// `GET /guest/{id}`: the room page for a guest with a pass; the lobby is its first state.
pub async fn guest_room(State(state): State<SharedState>, ctx: Ctx, headers: HeaderMap, Path(id): Path<String>) -> AppResult {
    let tr = ctx.tr;
    let (b, room, pass) = match guest_entry(&state, tr, &headers, &id).await? {
        Ok(found) => found,
        Err(page) => return page,
    };
    let here = format!("/guest/{}", b.id);
    let chrome = |page| Chrome::new(tr, page, b.title.clone(), None);
    if let Err(why) = open_now(&b, state.clock.now()) {
        return closed_page(tr, chrome("meeting-closed"), why, &here, None);
    }
    let host = pass.role == Role::Host;
    if is_full(&state, &b, &room, host) {
        return full_page(tr, chrome("room-full"), room.capacity, &here, None);
    }
    let audio = room.kind == MeetingRoomKind::AudioConference;
    let page = RoomPage {
        c: Chrome::new(tr, "room", tr.t1("room-page-title", "title", &b.title), None),
        room_id: b.live_room().to_string(),
        ws: format!("/guest/{}/ws", b.id),
        title: b.title.clone(),
        kind_label: tr.t(if audio { "conference-kind" } else { "guest-kind" }),
        host,
        pupil: false,
        me: pass.name,
        share: None,
        lobby: host,
        audio,
        prejoin_note: tr.t(match pass.role {
            Role::Guest => "guest-note",
            Role::Participant | Role::Host => "room-note-audio",
        }),
    };
    page.respond()
}

/// `GET /guest/{id}/ws`: a guest's socket; they wait in the lobby until a host answers.
pub async fn guest_socket(
    State(state): State<SharedState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult {
    check_origin(&state, &headers)?;
    let (b, room, pass) = match guest_entry(&state, ctx.tr, &headers, &id).await? {
        Ok(found) => found,
        Err(_) => return Err(AppError::Forbidden),
    };
    if open_now(&b, state.clock.now()).is_err() {
        return Err(AppError::Forbidden);
    }
    let host = pass.role == Role::Host;
    let name = if host { pass.name } else { ctx.tr.t1("guest-name", "name", &pass.name) };
    let joiner = Joiner {
        person: pass.guest,
        name,
        host,
        guest: true,
        lobby: pass.role == Role::Guest,
        audio_only: room.kind == MeetingRoomKind::AudioConference,
        lang: ctx.tr,
        capacity: room.capacity as usize,
        record: record_to(&state, &b, &room),
    };
    open(&state, b.live_room(), joiner, is_full(&state, &b, &room, host), ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_every_part_and_only_ours_verify() {
        let key = [7u8; 32];
        let sig = sign(&key, &["link", "01jbq6m5c6x0n1r4k9q2w3e4t5", "1800000000000"]);
        assert!(verify(&key, &["link", "01jbq6m5c6x0n1r4k9q2w3e4t5", "1800000000000"], &sig));
        assert!(!verify(&key, &["link", "01jbq6m5c6x0n1r4k9q2w3e4t5", "1800000000001"], &sig), "another expiry");
        assert!(!verify(&[8u8; 32], &["link", "01jbq6m5c6x0n1r4k9q2w3e4t5", "1800000000000"], &sig), "another key");
        assert!(!verify(&key, &["pass", "01jbq6m5c6x0n1r4k9q2w3e4t5", "1800000000000"], &sig), "another purpose");
        // Parts are delimited: moving a character from one part to the next changes the signature.
        assert_ne!(sign(&key, &["ab", "c"]), sign(&key, &["a", "bc"]));
        assert!(!verify(&key, &["link"], "not base64 !"));
    }

    #[test]
    fn guest_names_are_tidied_and_bounded() {
        assert_eq!(clean_guest_name("  Mme Orthophoniste "), Some("Mme Orthophoniste".into()));
        assert_eq!(clean_guest_name("   "), None);
        assert_eq!(clean_guest_name("a\u{7}b"), None);
        assert_eq!(clean_guest_name(&"é".repeat(GUEST_NAME_MAX)).map(|n| n.chars().count()), Some(GUEST_NAME_MAX));
        assert_eq!(clean_guest_name(&"é".repeat(GUEST_NAME_MAX + 1)), None);
    }
}
