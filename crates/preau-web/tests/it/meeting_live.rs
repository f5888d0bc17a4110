//! A meeting's live room: who enters (and when, and how many), who leads, and guests from
//! outside by a signed link that expires — tampered, expired and cancelled links refused.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use base64::Engine;
use hmac::{Hmac, Mac};
use preau_core::booking::{self, Booking, MeetingRoom, MeetingRoomKind, When};
use preau_core::school::Person;
use preau_core::{BookingId, MeetingRoomId, Millis, RecordingId, Role};

use crate::harness::{Client, Crowd, Resp, TestApp, main_attr, plain};

fn now() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as Millis
}

/// A meeting room made through the store (the admin form is tested in `meetings.rs`).
async fn meeting_room(app: &TestApp, n: u128, kind: MeetingRoomKind, capacity: u32) -> MeetingRoom {
    let room = MeetingRoom {
        id: MeetingRoomId::new(now(), n),
        establishment_id: app.school.establishment.id.clone(),
        name: format!("Salle {n}"),
        kind,
        capacity,
    };
    app.state.store.create_meeting_room(&room, now()).await.unwrap();
    room
}

/// A booking of `room` from `start` (epoch ms) for an hour, stored as the form would.
async fn book(app: &TestApp, n: u128, room: &MeetingRoom, organizer: &Person, invitees: &[&Person], start: Millis) -> Booking {
    let local = |at: Millis| booking::local(at).unwrap().round(jiff::civil::DateTimeRound::new().smallest(jiff::Unit::Minute)).unwrap();
    let b = Booking {
        id: BookingId::new(now(), n),
        room: room.id.clone(),
        organizer: organizer.id.clone(),
        title: format!("Réunion {n}"),
        when: When { start: local(start), end: local(start + 3_600_000), weekly: None },
        sequence: 0,
        cancelled: false,
        invitees: invitees.iter().map(|p| p.id.clone()).collect(),
        guests: vec![],
    };
    let slots = booking::occurrences(&b.when, now()).unwrap();
    app.state.store.save_booking(&b, &slots, &[], now()).await.unwrap().unwrap();
    b
}

/// The guests' link shown to the organizer on the meeting's page, as a path.
async fn guest_link(organizer: &mut Client, b: &Booking) -> String {
    let page = organizer.get(&format!("/meetings/{}", b.id)).await;
    let at = page.text.find("id=\"guest-link\"").expect("the organizer sees the guests' link");
    let value = &page.text[at..];
    let value = &value[value.find("value=\"").unwrap() + 7..];
    let url = &value[..value.find('"').unwrap()];
    url.strip_prefix("http://127.0.0.1:8080").expect("an address on the public URL").to_owned()
}

/// A video meeting of a teacher, open now: the room, the booking, the organizer's client and
/// the guests' link.
async fn meeting_with_guests(app: &TestApp) -> (MeetingRoom, Booking, Client, String) {
    let organizer = app.person(Role::Teacher, 0).clone();
    let room = meeting_room(app, 1, MeetingRoomKind::Video, 10).await;
    let b = book(app, 2, &room, &organizer, &[], now()).await;
    let mut o = app.signed_in(&organizer).await;
    let link = guest_link(&mut o, &b).await;
    (room, b, o, link)
}

fn no_school_data(r: &Resp, app: &TestApp) {
    assert!(!r.text.contains(&app.school.establishment.name), "the establishment's name shown to a guest");
    assert!(!r.text.contains("href=\"/people") && !r.text.contains("href=\"/dashboard"), "school links shown to a guest");
}

#[tokio::test]
async fn the_invited_enter_while_it_is_open_the_organizer_leads_and_a_pupil_never_enters_a_staff_room() {
    let app = TestApp::new().await;
    let organizer = app.person(Role::Teacher, 0).clone();
    let colleague = app.person(Role::Teacher, 1).clone();
    let staff_room = meeting_room(&app, 1, MeetingRoomKind::StaffOnly, 10).await;
    let b = book(&app, 2, &staff_room, &organizer, &[&colleague], now()).await;
    let path = format!("/meetings/{}/room", b.id);

    let mut o = app.signed_in(&organizer).await;
    let page = o.get(&format!("/meetings/{}", b.id)).await;
    assert!(page.text.contains(&format!("href=\"{path}\"")), "the meeting's page links to its room while it is open");
    assert!(!page.text.contains("id=\"guest-link\""), "no guests in a staff-only room");
    let r = o.get(&path).await;
    assert_eq!((r.status, r.page()), (StatusCode::OK, "room"));
    assert_eq!(main_attr(&r, "data-ws"), format!("/meetings/{}/ws", b.id));
    assert_eq!(main_attr(&r, "data-host"), "true", "the organizer leads");
    assert!(!r.text.contains("id=\"lobby\""), "no lobby in a staff-only room");
    assert!(r.headers["permissions-policy"].to_str().unwrap().contains("camera=(self)"));

    let mut c = app.signed_in(&colleague).await;
    let r = c.get(&path).await;
    assert_eq!((r.status, main_attr(&r, "data-host")), (StatusCode::OK, "false"), "an invitee enters, without leading");
    let mut principal = app.signed_in(app.person(Role::Principal, 0)).await;
    assert_eq!(main_attr(&principal.get(&path).await, "data-host"), "false", "the principal may enter, not lead");
    for (who, role) in [("another teacher", Role::Teacher), ("a pupil", Role::Pupil), ("a parent", Role::Parent)] {
        let mut x = app.signed_in(app.person(role, 3)).await;
        let r = x.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        assert!(!r.text.contains("data-ws"), "{who}");
    }
    // The socket asks the same, and only from our own pages.
    let mut ws = c.clone();
    assert_eq!(ws.get(&format!("/meetings/{}/ws", b.id)).await.status, StatusCode::FORBIDDEN, "no Origin header");
    let mut pupil = app.signed_in(app.person(Role::Pupil, 0)).await;
    pupil.headers.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
    assert_eq!(pupil.get(&format!("/meetings/{}/ws", b.id)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(o.get("/meetings/not-an-id/room").await.status, StatusCode::NOT_FOUND);

    // Tomorrow's meeting is not open yet: the page says when it opens.
    let later = book(&app, 3, &staff_room, &organizer, &[&colleague], now() + 86_400_000).await;
    let r = c.get(&format!("/meetings/{}/room", later.id)).await;
    assert_eq!((r.status, r.page()), (StatusCode::CONFLICT, "meeting-closed"));
    assert!(r.text.contains("pas encore ouverte"), "{}", r.text);
    assert!(!r.text.contains("data-ws"));
    // A cancelled one is closed for good.
    assert!(app.state.store.cancel_booking(&b.id, &[], now()).await.unwrap());
    let r = c.get(&path).await;
    assert_eq!((r.status, r.page()), (StatusCode::GONE, "meeting-closed"));
    assert!(r.text.contains("annulée"));
}

#[tokio::test]
async fn the_room_holds_its_capacity_and_its_organizer_gets_in_past_it() {
    let crowd = Arc::new(Crowd::default());
    let app = TestApp::with_live_rooms(|_| {}, crowd.clone()).await;
    let organizer = app.person(Role::Teacher, 0).clone();
    let (a, b2) = (app.person(Role::Teacher, 1).clone(), app.person(Role::Staff, 0).clone());
    let room = meeting_room(&app, 1, MeetingRoomKind::Video, 3).await;
    let b = book(&app, 2, &room, &organizer, &[&a, &b2], now()).await;
    let path = format!("/meetings/{}/room", b.id);
    let mut principal = app.signed_in(app.person(Role::Principal, 0)).await;
    crowd.set(&b.live_room(), 2);
    assert_eq!(principal.get(&path).await.status, StatusCode::OK, "one place left");
    crowd.set(&b.live_room(), 3);
    let r = principal.get(&path).await;
    assert_eq!((r.status, r.page()), (StatusCode::SERVICE_UNAVAILABLE, "room-full"));
    assert!(r.text.contains("accueille déjà 3 personnes"), "{}", r.text);
    assert_eq!(r.headers["retry-after"], "30");
    assert!(r.text.contains(&format!("href=\"{path}\"")), "a way to try again");
    assert!(!r.text.contains("data-ws"));
    let mut o = app.signed_in(&organizer).await;
    assert_eq!(o.get(&path).await.status, StatusCode::OK, "the organizer is never shut out of their meeting");
}

#[tokio::test]
async fn a_guest_comes_by_the_signed_link_gives_a_name_and_sees_nothing_of_the_school() {
    let app = TestApp::new().await;
    let (room, b, mut o, link) = meeting_with_guests(&app).await;
    let r = o.get(&format!("/meetings/{}/room", b.id)).await;
    assert!(r.text.contains("id=\"lobby\""), "the organizer's room has the lobby list");
    assert!(r.text.contains(&format!("/invite/{}/", b.id)), "and the guests' link to give");

    let mut guest = app.client();
    let r = guest.get(&link).await;
    assert_eq!((r.status, r.page()), (StatusCode::OK, "guest"));
    assert!(r.text.contains("Réunion 2"));
    no_school_data(&r, &app);
    // No name, a name with a control character, a name too long: said, and no pass given.
    for bad in ["", "   ", "Jean\u{7}", &"x".repeat(61)] {
        let r = guest.submit(&link, &link, &[("name", bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(r.text.contains("Indiquez votre nom"), "{}", r.text);
        assert!(guest.cookie("preau_guest").is_none());
    }
    let r = guest.submit(&link, &link, &[("name", "Mme Lefèvre, orthophoniste")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/guest/{}", b.id).as_str()));
    let set = r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with("preau_guest=")).unwrap();
    assert!(set.contains("HttpOnly") && set.contains("Max-Age="), "{set}");
    let r = guest.get(&format!("/guest/{}", b.id)).await;
    assert_eq!((r.status, r.page()), (StatusCode::OK, "room"));
    assert_eq!(main_attr(&r, "data-ws"), format!("/guest/{}/ws", b.id));
    assert_eq!(main_attr(&r, "data-host"), "false");
    assert_eq!(main_attr(&r, "data-me"), "Mme Lefèvre, orthophoniste");
    no_school_data(&r, &app);
    assert_eq!(guest.get(&format!("/guest/{}/ws", b.id)).await.status, StatusCode::FORBIDDEN, "no Origin header");

    // Someone with no pass, or a pass changed by hand, or a pass for another meeting, is refused.
    let mut stranger = app.client();
    assert_eq!(stranger.get(&format!("/guest/{}", b.id)).await.status, StatusCode::FORBIDDEN);
    let pass = guest.cookie("preau_guest").unwrap().to_owned();
    let renamed = {
        let mut parts: Vec<String> = pass.split('.').map(str::to_owned).collect();
        parts[4] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("Le directeur");
        parts.join(".")
    };
    stranger.set_cookie("preau_guest", &renamed);
    let r = stranger.get(&format!("/guest/{}", b.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("pas valide"));
    let other = book(&app, 3, &room, &app.person(Role::Teacher, 1).clone(), &[], now() + 2 * 3_600_000).await;
    stranger.set_cookie("preau_guest", &pass);
    assert_eq!(stranger.get(&format!("/guest/{}", other.id)).await.status, StatusCode::FORBIDDEN, "a pass opens one meeting");

    // A signed-in member who follows the link goes to the room as themselves.
    let r = o.get(&link).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/meetings/{}/room", b.id).as_str()));
    // Passes are knocks at the door: ten from one address, then one a minute.
    let mut flood = app.client();
    flood.peer = "203.0.113.9:40000".parse().unwrap();
    for i in 0..10 {
        assert_eq!(flood.submit(&link, &link, &[("name", "Quelqu'un")]).await.status, StatusCode::SEE_OTHER, "pass {i}");
    }
    let r = flood.submit(&link, &link, &[("name", "Quelqu'un")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(plain(&r.text).contains("Trop de demandes depuis cette adresse"));
}

#[tokio::test]
async fn tampered_expired_and_cancelled_links_are_refused_and_staff_rooms_have_none() {
    let app = TestApp::new().await;
    let (_, b, _, link) = meeting_with_guests(&app).await;
    let mut guest = app.client();
    let parts: Vec<&str> = link.split('/').collect(); // "", "invite", id, expires, sig
    let (id, expires, sig) = (parts[2], parts[3], parts[4]);
    let refused = |r: &Resp, status: StatusCode, words: &str| {
        assert_eq!(r.status, status, "{}", r.text);
        assert!(r.text.contains(words), "{words}: {}", r.text);
        assert!(!r.text.contains("name=\"name\""), "no form on a refusal");
    };
    let later: Millis = expires.parse::<Millis>().unwrap() + 86_400_000;
    refused(&guest.get(&format!("/invite/{id}/{later}/{sig}")).await, StatusCode::FORBIDDEN, "pas valide");
    let flipped = format!("{}{}", &sig[..sig.len() - 1], if sig.ends_with('A') { 'B' } else { 'A' });
    refused(&guest.get(&format!("/invite/{id}/{expires}/{flipped}")).await, StatusCode::FORBIDDEN, "pas valide");
    refused(&guest.get(&format!("/invite/{id}/{expires}/!!")).await, StatusCode::FORBIDDEN, "pas valide");
    refused(&guest.get(&format!("/invite/{id}/demain/{sig}")).await, StatusCode::FORBIDDEN, "pas valide");
    // Posting a name through a tampered link gives no pass either.
    let r = guest.get(&link).await;
    let csrf = r.hidden("csrf");
    let r = guest.post(&format!("/invite/{id}/{expires}/{flipped}"), &[("name", "X"), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(guest.cookie("preau_guest").is_none());

    // A link whose date has passed, though signed by us (made with the server's own key).
    let key = app.state.store.server_key("guest-links", [0; 32], 0).await.unwrap();
    let signed = |id: &str, expires: &str| {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
        for p in ["link", id, "0", expires] {
            mac.update(p.as_bytes());
            mac.update(b"\n");
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    };
    let past = (now() - 1000).to_string();
    assert_eq!(guest.get(&format!("/invite/{id}/{expires}/{}", signed(id, expires))).await.status, StatusCode::OK, "our signature");
    refused(&guest.get(&format!("/invite/{id}/{past}/{}", signed(id, &past))).await, StatusCode::GONE, "expiré");
    // A staff-only meeting has no guests, whatever the signature.
    let staff = meeting_room(&app, 3, MeetingRoomKind::StaffOnly, 10).await;
    let s = book(&app, 4, &staff, &app.person(Role::Teacher, 1).clone(), &[], now()).await;
    let sid = s.id.to_string();
    refused(&guest.get(&format!("/invite/{sid}/{expires}/{}", signed(&sid, expires))).await, StatusCode::FORBIDDEN, "pas valide");
    // A guest taken off the list: the link changes; the old one is said to be replaced.
    let mut listed = app.state.store.booking(&b.id).await.unwrap().unwrap();
    listed.guests = vec!["ortho@cabinet.example".into()];
    let slots = booking::occurrences(&listed.when, now() - 60_000).unwrap();
    app.state.store.save_booking(&listed, &slots, &[], now()).await.unwrap().unwrap();
    assert_eq!(guest.get(&link).await.status, StatusCode::OK, "adding a guest changes nothing");
    listed.guests = vec![];
    app.state.store.save_booking(&listed, &slots, &[], now()).await.unwrap().unwrap();
    refused(&guest.get(&link).await, StatusCode::GONE, "remplacé");
    let mut o = app.signed_in(app.person(Role::Teacher, 0)).await;
    let link = guest_link(&mut o, &b).await;
    assert_eq!(guest.get(&link).await.status, StatusCode::OK, "the new link works");

    // Cancelled: the link has expired, and a pass already given no longer opens the room.
    let r = guest.submit(&link, &link, &[("name", "Invitée")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(app.state.store.cancel_booking(&b.id, &[], now()).await.unwrap());
    refused(&guest.get(&link).await, StatusCode::GONE, "expiré");
    let r = guest.get(&format!("/guest/{}", b.id)).await;
    assert_eq!((r.status, r.page()), (StatusCode::GONE, "meeting-closed"));
}

/// The digits of a PIN shown on the page in `#id`.
fn pin_on(page: &Resp, id: &str) -> String {
    let at = page.text.find(&format!("id=\"{id}\">")).unwrap_or_else(|| panic!("no #{id} on the page"));
    let rest = &page.text[at + id.len() + 6..];
    rest[..rest.find('<').unwrap()].chars().filter(char::is_ascii_digit).collect()
}

#[tokio::test]
async fn an_audio_conference_is_entered_with_its_pins_and_guessing_is_slowed_then_locked() {
    let app = TestApp::new().await;
    let organizer = app.person(Role::Teacher, 0).clone();
    let colleague = app.person(Role::Teacher, 1).clone();
    let room = meeting_room(&app, 1, MeetingRoomKind::AudioConference, 10).await;
    let b = book(&app, 2, &room, &organizer, &[&colleague], now()).await;
    let mut o = app.signed_in(&organizer).await;
    let page = o.get(&format!("/meetings/{}", b.id)).await;
    let (participant, host) = (pin_on(&page, "pin-participant"), pin_on(&page, "pin-host"));
    assert_eq!((participant.len(), host.len()), (9, 9));
    assert_ne!(participant, host);
    assert_eq!(pin_on(&o.get(&format!("/meetings/{}", b.id)).await, "pin-participant"), participant, "made once, then kept");
    let mut c = app.signed_in(&colleague).await;
    let page = c.get(&format!("/meetings/{}", b.id)).await;
    assert_eq!(pin_on(&page, "pin-participant"), participant);
    assert!(!page.text.contains("id=\"pin-host\""), "the host's PIN is the organizer's");
    // The organizer's own room is an audio one.
    let r = o.get(&format!("/meetings/{}/room", b.id)).await;
    assert_eq!((main_attr(&r, "data-audio"), main_attr(&r, "data-host")), ("true", "true"));
    assert!(!r.text.contains("id=\"camera-select\"") && !r.text.contains("id=\"btn-cam\""), "no camera in an audio conference");
    assert!(r.text.contains("id=\"btn-mute-all\""));

    // From outside, with the participant PIN (spaces allowed), then the host PIN.
    let mut phone = app.client();
    let form = phone.get("/conference").await;
    assert_eq!((form.status, form.page()), (StatusCode::OK, "conference"));
    let spaced = format!("{} {} {}", &participant[..3], &participant[3..6], &participant[6..]);
    let r = phone.submit("/conference", "/conference", &[("pin", &spaced), ("name", "M. Bernard")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/guest/{}", b.id).as_str()));
    let r = phone.get(&format!("/guest/{}", b.id)).await;
    assert_eq!((r.status, main_attr(&r, "data-audio"), main_attr(&r, "data-host")), (StatusCode::OK, "true", "false"));
    no_school_data(&r, &app);
    let mut lead = app.client();
    lead.peer = "127.0.0.2:50000".parse().unwrap();
    assert_eq!(lead.submit("/conference", "/conference", &[("pin", &host), ("name", "Mme Roux")]).await.status, StatusCode::SEE_OTHER);
    let r = lead.get(&format!("/guest/{}", b.id)).await;
    assert_eq!((main_attr(&r, "data-host"), main_attr(&r, "data-me")), ("true", "Mme Roux"));

    // Bad input: not a PIN, no name — said, not counted as guesses.
    let mut guesser = app.client();
    guesser.peer = "198.51.100.7:40000".parse().unwrap();
    for (pin, name, words) in [("12345", "X", "6 à 9 chiffres"), ("abcdefghi", "X", "6 à 9 chiffres"), (participant.as_str(), " ", "Indiquez votre nom")] {
        let r = guesser.submit("/conference", "/conference", &[("pin", pin), ("name", name)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{pin:?} {name:?}");
        assert!(plain(&r.text).contains(words), "{words}: {}", r.text);
    }
    // Wrong PINs: five, then the address waits — even for a right one.
    let wrong = if participant.starts_with('1') { "234567890" } else { "123456789" };
    for i in 0..5 {
        let r = guesser.submit("/conference", "/conference", &[("pin", wrong), ("name", "X")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong PIN {i}");
        assert!(plain(&r.text).contains("n'ouvre aucune conférence"));
    }
    let r = guesser.submit("/conference", "/conference", &[("pin", &participant), ("name", "X")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(plain(&r.text).contains("Trop de codes erronés"));
    assert!(guesser.cookie("preau_guest").is_none(), "no pass while throttled");

    // The report of a session, on the organizer's page (not an invitee's).
    let t0 = now() - 3_000_000;
    let session = preau_store::conferences::LiveSession {
        room: b.live_room(),
        started_at: t0,
        ended_at: t0 + 2_700_000,
        presences: vec![
            preau_store::conferences::Presence { name: organizer.display_name(), person: Some(organizer.id.clone()), host: true, joined_at: t0, left_at: t0 + 2_700_000 },
            preau_store::conferences::Presence { name: "M. Bernard (invité)".into(), person: None, host: false, joined_at: t0 + 60_000, left_at: t0 + 1_260_000 },
        ],
    };
    app.state.store.record_session(&session, &[], now()).await.unwrap();
    let page = plain(&o.get(&format!("/meetings/{}", b.id)).await.text);
    assert!(page.contains("Compte rendu des séances") && page.contains("(45 min)"), "{page}");
    assert!(page.contains(&organizer.display_name()) && page.contains("M. Bernard (invité)") && page.contains("(20 min)"));
    assert!(!plain(&c.get(&format!("/meetings/{}", b.id)).await.text).contains("Compte rendu"), "the report is the organizer's");

    // Moved to a video room: the PINs, and the passes they gave, open nothing any more.
    let video = meeting_room(&app, 9, MeetingRoomKind::Video, 10).await;
    let mut moved = app.state.store.booking(&b.id).await.unwrap().unwrap();
    moved.room = video.id.clone();
    let slots = booking::occurrences(&moved.when, now() - 60_000).unwrap();
    app.state.store.save_booking(&moved, &slots, &[], now()).await.unwrap().unwrap();
    let mut other = app.client();
    other.peer = "127.0.0.4:50000".parse().unwrap();
    assert_eq!(other.submit("/conference", "/conference", &[("pin", &participant), ("name", "Z")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(phone.get(&format!("/guest/{}", b.id)).await.status, StatusCode::FORBIDDEN, "a participant's pass, outside a conference");
    assert_eq!(lead.get(&format!("/guest/{}", b.id)).await.status, StatusCode::FORBIDDEN, "a host's pass too");
    let mut back = moved.clone();
    back.room = room.id.clone();
    app.state.store.save_booking(&back, &slots, &[], now()).await.unwrap().unwrap();
    let renewed = pin_on(&o.get(&format!("/meetings/{}", b.id)).await, "pin-participant");
    assert_ne!(renewed, participant, "back in a conference room: new PINs");

    // Cancelled: the PINs open nothing any more.
    assert!(app.state.store.cancel_booking(&b.id, &[], now()).await.unwrap());
    let mut late = app.client();
    late.peer = "127.0.0.3:50000".parse().unwrap();
    let r = late.submit("/conference", "/conference", &[("pin", &renewed), ("name", "Y")]).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(plain(&r.text).contains("annulée"));
}

#[tokio::test]
async fn recordings_are_listed_served_and_deleted_for_those_who_manage_the_meeting_only() {
    let dir = tempfile::tempdir().unwrap();
    let recordings = dir.path().to_path_buf();
    let app = TestApp::with_config(|c| c.recordings = Some(preau_web::recordings::RecordingsConfig { dir: recordings, keep_days: 30, allowed: true })).await;
    let organizer = app.person(Role::Staff, 0).clone();
    let invitee = app.person(Role::Teacher, 0).clone();
    let room = meeting_room(&app, 40, MeetingRoomKind::AudioConference, 10).await;
    let b = book(&app, 41, &room, &organizer, &[&invitee], now() + 3_600_000).await;
    let other = book(&app, 42, &room, &organizer, &[], now() + 3 * 3_600_000).await;
    let store = &app.state.store;
    let (done, running, elsewhere) = (RecordingId::new(now(), 1), RecordingId::new(now(), 2), RecordingId::new(now(), 3));
    for (id, booking) in [(&done, &b.id), (&running, &b.id), (&elsewhere, &other.id)] {
        std::fs::write(preau_web::recordings::file(dir.path(), id), b"OggS and the rest").unwrap();
        store.recording_started(id, booking, "Mme Roux", now()).await.unwrap();
    }
    store.recording_ended(&done, now(), Some(754_000), 3_000_000).await.unwrap();

    let mut boss = app.signed_in(&organizer).await;
    let page = boss.get(&format!("/meetings/{}", b.id)).await;
    let text = plain(&page.text);
    assert!(text.contains("gardés 30 jours"), "what recording does, and for how long");
    assert!(text.contains("lancé par Mme Roux (13 min, 3,0 Mo)") && text.contains("(en cours)"), "{text}");
    assert_eq!(page.text.matches("/recordings/").count(), 2, "a running one has no link yet: one download, one delete");
    let got = boss.get(&format!("/meetings/{}/recordings/{done}", b.id)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!((got.headers[header::CONTENT_TYPE].to_str().unwrap(), got.text.as_str()), ("audio/ogg", "OggS and the rest"));
    assert!(got.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"enregistrement-"));
    // Another meeting's recording under this one's address, or a made-up one: not found.
    assert_eq!(boss.get(&format!("/meetings/{}/recordings/{elsewhere}", b.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(boss.get(&format!("/meetings/{}/recordings/{}", b.id, RecordingId::new(now(), 9))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(boss.get(&format!("/meetings/{}/recordings/..%2F..%2Fpreau.db", b.id)).await.status, StatusCode::NOT_FOUND);
    // An invitee sees the meeting, not its recordings.
    let mut guest = app.signed_in(&invitee).await;
    assert!(!guest.get(&format!("/meetings/{}", b.id)).await.text.contains("recordings"));
    assert_eq!(guest.get(&format!("/meetings/{}/recordings/{done}", b.id)).await.status, StatusCode::FORBIDDEN);
    let from = format!("/meetings/{}", b.id);
    assert_eq!(guest.submit(&from, &format!("/meetings/{}/recordings/{done}/delete", b.id), &[]).await.status, StatusCode::FORBIDDEN);
    assert!(preau_web::recordings::file(dir.path(), &done).exists());
    // One still being written is not deleted; a finished one is, file and all.
    let r = boss.submit(&from, &format!("/meetings/{}/recordings/{running}/delete", b.id), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(preau_web::recordings::file(dir.path(), &running).exists());
    let r = boss.submit(&from, &format!("/meetings/{}/recordings/{done}/delete", b.id), &[]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/meetings/{}#recordings", b.id).as_str()));
    assert!(!preau_web::recordings::file(dir.path(), &done).exists());
    assert!(store.recording(&done).await.unwrap().is_none());
    assert_eq!(boss.get(&format!("/meetings/{}/recordings/{done}", b.id)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recordings_are_deleted_on_time_even_once_recording_is_turned_off_and_so_are_files_without_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let recordings = dir.path().to_path_buf();
    let app = TestApp::with_config(|c| c.recordings = Some(preau_web::recordings::RecordingsConfig { dir: recordings, keep_days: 30, allowed: false })).await;
    let organizer = app.person(Role::Staff, 0).clone();
    let room = meeting_room(&app, 50, MeetingRoomKind::AudioConference, 10).await;
    let b = book(&app, 51, &room, &organizer, &[], now() + 3_600_000).await;
    let store = &app.state.store;
    let day = 86_400_000;
    let (old, stuck, recent, unlisted) =
        (RecordingId::new(now() - 40 * day, 1), RecordingId::new(now() - 2 * day, 2), RecordingId::new(now() - day, 3), RecordingId::new(now() - 40 * day, 4));
    for id in [&old, &stuck, &recent, &unlisted] {
        std::fs::write(preau_web::recordings::file(dir.path(), id), b"OggS").unwrap();
    }
    for id in [&old, &stuck, &recent] {
        store.recording_started(id, &b.id, "Mme Roux", id.timestamp_ms()).await.unwrap();
    }
    store.recording_ended(&old, old.timestamp_ms() + 60_000, Some(60_000), 4).await.unwrap();
    store.recording_ended(&recent, recent.timestamp_ms() + 60_000, Some(60_000), 4).await.unwrap();
    // Turned off: no room may record, but what was made is listed for those who manage it…
    let mut boss = app.signed_in(&organizer).await;
    let page = plain(&boss.get(&format!("/meetings/{}", b.id)).await.text);
    assert!(page.contains("Enregistrements") && !page.contains("peuvent enregistrer"), "{page}");
    // …and one still open (a failure left it so) is not served.
    assert_eq!(boss.get(&format!("/meetings/{}/recordings/{stuck}", b.id)).await.status, StatusCode::NOT_FOUND);
    preau_web::recordings::hourly_pass(&app.state).await;
    // Past 30 days: gone, with or without a row; open for more than a day: closed; the rest stays.
    assert!(store.recording(&old).await.unwrap().is_none());
    assert!(!preau_web::recordings::file(dir.path(), &old).exists());
    assert!(!preau_web::recordings::file(dir.path(), &unlisted).exists());
    assert!(store.recording(&stuck).await.unwrap().unwrap().ended_at.is_some());
    assert!(preau_web::recordings::file(dir.path(), &recent).exists());
    assert_eq!(boss.get(&format!("/meetings/{}/recordings/{recent}", b.id)).await.status, StatusCode::OK);
}

