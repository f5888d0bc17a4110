//! Meetings: meeting rooms set up by the administration, bookings by the staff with conflicts
//! and capacity checked, who sees and cancels what, the invitation file, the room's week.

use std::io::Write;
use std::process::{Command, Stdio};

use axum::http::{StatusCode, header};
use preau_core::{MeetingRoomId, PersonId, Role};
use preau_core::booking::{self, Date};

use crate::harness::{Client, SmtpSink, TestApp, plain};

/// A day two weeks from the real today (the app reads the real clock).
fn soon(days: i64) -> Date {
    let today = booking::local(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64).unwrap().date();
    today.checked_add(jiff::Span::new().days(14 + days)).unwrap()
}

async fn add_room(admin: &mut Client, name: &str, kind: &str, capacity: &str) -> axum::http::StatusCode {
    admin.submit("/admin/meeting-rooms", "/admin/meeting-rooms", &[("name", name), ("kind", kind), ("capacity", capacity)]).await.status
}

/// The administrator adds "Salle du conseil" (video, 10 places); answers its id.
async fn council_room(app: &TestApp) -> String {
    let mut admin = app.signed_in(app.person(Role::Admin, 0)).await;
    add_room(&mut admin, "Salle du conseil", "video", "10").await;
    room_id(app, "Salle du conseil").await.to_string()
}

async fn room_id(app: &TestApp, name: &str) -> MeetingRoomId {
    let rooms = app.state.store.meeting_rooms(&app.school.establishment.id).await.unwrap();
    rooms.into_iter().find(|r| r.name == name).expect("room created").id
}


/// Borrowed form fields from owned ones.
fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Books through the form; answers the response.
async fn book(c: &mut Client, fields: &[(&str, &str)]) -> crate::harness::Resp {
    c.submit("/meetings/new", "/meetings/new", fields).await
}

/// Reads an iCalendar text with Python's icalendar (an independent parser) and prints facts.
fn python_reads(ics: &str) -> String {
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
print("METHOD=" + str(cal.get("METHOD")))
for ev in cal.walk("VEVENT"):
    print("UID=" + str(ev.get("UID")))
    print("SEQUENCE=" + str(ev.get("SEQUENCE")))
    print("SUMMARY=" + str(ev.get("SUMMARY")))
    print("STATUS=" + str(ev.get("STATUS")))
    print("TZ=" + str(ev.decoded("DTSTART").tzinfo))
    att = ev.get("ATTENDEE")
    for a in (att if isinstance(att, list) else [att]):
        print("ATTENDEE=" + str(a))
"#;
    let mut child = Command::new("python3").args(["-c", script]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "Python's icalendar refused it (scripts/test installs it): {}\n{ics}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Reads an e-mail with Python's `email` package (MIME, an independent parser): the headers,
/// the text decoded, the calendar part's type, then its iCalendar facts as `python_reads` does.
fn python_reads_mail(raw: &str) -> String {
    let script = r#"
import sys, email, email.policy, icalendar
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
print("SUBJECT=" + str(msg["Subject"]))
print("TO=" + str(msg["To"]))
print("FROM=" + str(msg["From"]))
for part in msg.walk():
    if part.get_content_type() == "text/plain":
        print("TEXT=" + part.get_content().replace("\n", " "))
    if part.get_content_type() == "text/calendar":
        print("CALENDAR=" + part.get_params()[-1][0] + "=" + part.get_param("method"))
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        print("METHOD=" + str(cal.get("METHOD")))
        for ev in cal.walk("VEVENT"):
            print("SEQUENCE=" + str(ev.get("SEQUENCE")))
            print("STATUS=" + str(ev.get("STATUS")))
            att = ev.get("ATTENDEE") or []
            for a in (att if isinstance(att, list) else [att]):
                print("ATTENDEE=" + str(a))
"#;
    let mut child = Command::new("python3").args(["-c", script]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(raw.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "Python could not read the mail: {}\n{raw}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_administration_sets_up_meeting_rooms_and_bad_input_changes_nothing() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in(app.person(Role::Admin, 0)).await;
    let page = admin.get("/admin/meeting-rooms").await;
    assert_eq!((page.status, page.page()), (StatusCode::OK, "rooms-admin"));
    assert_eq!(add_room(&mut admin, "Salle du conseil", "video", "10").await, StatusCode::SEE_OTHER);
    assert_eq!(add_room(&mut admin, "Salle des professeurs", "staff_only", "30").await, StatusCode::SEE_OTHER);
    let page = admin.get("/admin/meeting-rooms").await;
    assert!(page.text.contains("Salle du conseil") && page.text.contains("Réservée au personnel"));
    for (name, kind, capacity, message) in [
        ("Salle du conseil", "video", "5", "Une salle s'appelle déjà « Salle du conseil »."),
        ("SALLE DU CONSEIL", "video", "5", "Une salle s'appelle déjà « SALLE DU CONSEIL »."),
        ("Grande salle", "video", "0", "La capacité va de 1 à 300 personnes."),
        ("Amphi", "video", "100000", "La capacité va de 1 à 300 personnes."),
        ("Salle X", "cinema", "10", "Choisissez un type de salle."),
        ("  ", "video", "10", "Indiquez un nom"),
    ] {
        let r = admin.submit("/admin/meeting-rooms", "/admin/meeting-rooms", &[("name", name), ("kind", kind), ("capacity", capacity)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} {kind} {capacity}");
        assert!(plain(&r.text).contains(message), "{message} missing for {name:?}");
    }
    assert_eq!(app.state.store.meeting_rooms(&app.school.establishment.id).await.unwrap().len(), 2, "nothing partially written");
    // Teachers book rooms but do not set them up; pupils and parents do neither.
    let mut teacher = app.signed_in(app.person(Role::Teacher, 0)).await;
    assert_eq!(teacher.get("/admin/meeting-rooms").await.status, StatusCode::FORBIDDEN);
    assert_eq!(teacher.get("/meetings").await.status, StatusCode::OK);
    for role in [Role::Pupil, Role::Parent] {
        let mut c = app.signed_in(app.person(role, 0)).await;
        assert_eq!(c.get("/meetings").await.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(c.get("/meetings/new").await.status, StatusCode::FORBIDDEN, "{role}");
        let rid = room_id(&app, "Salle du conseil").await;
        assert_eq!(c.get(&format!("/meeting-rooms/{rid}")).await.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn a_teacher_books_with_colleagues_and_a_guest_then_cancels() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let organizer = app.person(Role::Teacher, 0).clone();
    let (colleague, other) = (app.person(Role::Teacher, 1).clone(), app.person(Role::Teacher, 2).clone());
    let cpe = app.person(Role::Staff, 0).clone();
    let mut t = app.signed_in(&organizer).await;
    let day = soon(0).to_string();
    let until = soon(14).to_string();
    let except = soon(7).strftime("%d/%m/%Y").to_string();
    let r = book(&mut t, &[
        ("title", "Équipe pédagogique, 6e A"), ("room", &rid), ("date", &day), ("start", "17:00"), ("end", "18:00"),
        ("weekly", "on"), ("until", &until), ("except", &except),
        ("invitee", &colleague.id.to_string()), ("invitee", &cpe.id.to_string()), ("guests", "Ortho@Cabinet.example"),
    ]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let path = r.location().to_owned();
    let page = t.get(&path).await;
    assert_eq!((page.status, page.page()), (StatusCode::OK, "meeting"));
    assert!(page.text.contains("Équipe pédagogique, 6e A"));
    assert!(page.text.contains(&colleague.display_name()) && page.text.contains(&cpe.display_name()));
    assert!(page.text.contains("ortho@cabinet.example"), "addresses kept in lower case");
    assert_eq!(page.text.matches("17:00 – 18:00").count(), 2, "three weeks, one excepted:\n{}", page.text);
    // Who sees it: the organizer and the invited; not another teacher, not a pupil.
    let mut c = app.signed_in(&colleague).await;
    assert_eq!(c.get(&path).await.status, StatusCode::OK);
    assert!(c.get("/meetings").await.text.contains("Équipe pédagogique, 6e A"), "on the invitee's agenda");
    assert_eq!(c.submit(&path, &format!("{path}/cancel"), &[]).await.status, StatusCode::FORBIDDEN, "an invitee cannot cancel");
    let booking_id: preau_core::BookingId = path.rsplit('/').next().unwrap().parse().unwrap();
    assert!(!app.state.store.booking(&booking_id).await.unwrap().unwrap().cancelled, "still on after the refusal");
    let mut o = app.signed_in(&other).await;
    assert_eq!(o.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(o.get(&format!("{path}/invitation.ics")).await.status, StatusCode::FORBIDDEN);
    let mut pupil = app.signed_in(app.person(Role::Pupil, 0)).await;
    assert_eq!(pupil.get(&path).await.status, StatusCode::FORBIDDEN);
    // The invitation, read by an independent parser.
    let ics = t.get(&format!("{path}/invitation.ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    assert!(ics.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let id = path.rsplit('/').next().unwrap();
    let facts = python_reads(&ics.text);
    for line in ["METHOD=REQUEST", &format!("UID={id}@127.0.0.1"), "SEQUENCE=0", "SUMMARY=Équipe pédagogique, 6e A", "STATUS=CONFIRMED", "TZ=Europe/Paris", "ATTENDEE=mailto:ortho@cabinet.example"] {
        assert!(facts.lines().any(|l| l == line), "{line} not read in:\n{facts}");
    }
    // The room's week shows it.
    let week = t.get(&format!("/meeting-rooms/{rid}?week={day}")).await;
    assert_eq!((week.status, week.page()), (StatusCode::OK, "meeting-room"));
    assert!(week.text.contains("Équipe pédagogique, 6e A"));
    assert_eq!(t.get(&format!("/meeting-rooms/{rid}?week=demain")).await.status, StatusCode::BAD_REQUEST);
    // The day view: that day's meetings, and when the room is free.
    let one = plain(&t.get(&format!("/meeting-rooms/{rid}?day={day}")).await.text);
    assert!(one.contains("Journée du") && one.contains("17:00 – 18:00 : Équipe pédagogique, 6e A"), "{one}");
    assert!(one.contains("<li>07:00 – 17:00</li>") && one.contains("<li>18:00 – 20:00</li>"), "{one}");
    assert!(week.text.contains(&format!("?day={day}")), "each day of the week links to its day view");
    assert_eq!(t.get(&format!("/meeting-rooms/{rid}?day=31/02/2026")).await.status, StatusCode::BAD_REQUEST);
    // Someone not invited sees the slot taken and by whom, not the meeting's title.
    let week = o.get(&format!("/meeting-rooms/{rid}?week={day}")).await;
    assert_eq!(week.status, StatusCode::OK);
    assert!(!week.text.contains("Équipe pédagogique"), "a private title shown to someone not invited");
    assert!(week.text.contains(&format!("Réservé ({})", organizer.display_name())));
    // Cancelled: the page says so, the file becomes a cancellation with a higher sequence, and
    // the slot is free again.
    let r = t.submit(&path, &format!("{path}/cancel"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(t.get(&path).await.text.contains("Cette réunion est annulée."));
    let facts = python_reads(&t.get(&format!("{path}/invitation.ics")).await.text);
    for line in ["METHOD=CANCEL", &format!("UID={id}@127.0.0.1"), "SEQUENCE=1", "STATUS=CANCELLED"] {
        assert!(facts.lines().any(|l| l == line), "{line} not read in:\n{facts}");
    }
    let mut o = app.signed_in(&other).await;
    let r = book(&mut o, &[("title", "Autre"), ("room", &rid), ("date", &day), ("start", "17:30"), ("end", "18:30")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the slot is free: {}", r.text);
}

#[tokio::test]
async fn conflicts_capacity_and_bad_input_are_refused_with_their_reason_and_nothing_written() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in(app.person(Role::Admin, 0)).await;
    add_room(&mut admin, "Petite salle", "video", "3").await;
    add_room(&mut admin, "Salle des professeurs", "staff_only", "30").await;
    let small = room_id(&app, "Petite salle").await;
    let staff_room = room_id(&app, "Salle des professeurs").await.to_string();
    let rid = small.to_string();
    let day = soon(1).to_string();
    let mut a = app.signed_in(app.person(Role::Teacher, 0)).await;
    let mut b = app.signed_in(app.person(Role::Teacher, 1)).await;
    let mut c = app.signed_in(app.person(Role::Teacher, 5)).await;
    let invited = app.person(Role::Teacher, 1).id.to_string();
    let r = book(&mut a, &[("title", "Conseil de cycle"), ("room", &rid), ("date", &day), ("start", "14:00"), ("end", "16:00"), ("invitee", &invited)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // The same room, overlapping: the conflict is named, with the other meeting's title for
    // someone invited to it…
    let r = book(&mut b, &[("title", "Réunion parents"), ("room", &rid), ("date", &day), ("start", "15:00"), ("end", "17:00")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("La salle est déjà réservée pour « Conseil de cycle » le"), "{}", r.text);
    assert!(r.text.contains("14:00 – 16:00"));
    assert!(r.text.contains("value=\"Réunion parents\""), "the form keeps what was typed");
    assert!(r.text.contains("<title>Erreur : "), "the page title says the form has errors");
    // … and without it for someone who is not.
    let r = book(&mut c, &[("title", "Réunion parents"), ("room", &rid), ("date", &day), ("start", "15:00"), ("end", "17:00")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("La salle est déjà réservée le") && r.text.contains("14:00 – 16:00"), "{}", r.text);
    assert!(!r.text.contains("Conseil de cycle"), "a private title in a clash message");
    // Back to back is fine.
    let r = book(&mut b, &[("title", "Réunion parents"), ("room", &rid), ("date", &day), ("start", "16:00"), ("end", "17:00")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let staff_room_id: MeetingRoomId = staff_room.parse().unwrap();
    let count = || async {
        app.state.store.room_occurrences(&small, 0, i64::MAX).await.unwrap().len()
            + app.state.store.room_occurrences(&staff_room_id, 0, i64::MAX).await.unwrap().len()
    };
    assert_eq!(count().await, 2);
    let colleagues: Vec<String> = (2..5).map(|n| app.person(Role::Teacher, n).id.to_string()).collect();
    let later = soon(2).to_string();
    let base = |extra: &[(&'static str, String)]| {
        let mut f: Vec<(&'static str, String)> = vec![("title", "Réunion".into()), ("room", rid.clone()), ("date", later.clone()), ("start", "09:00".into()), ("end", "10:00".into())];
        for (k, v) in extra {
            f.retain(|(name, _)| name != k || *k == "invitee");
            f.push((k, v.clone()));
        }
        f
    };
    let past = soon(-30).to_string();
    let cases: Vec<(Vec<(&'static str, String)>, StatusCode, &str)> = vec![
        (base(&[("invitee", colleagues[0].clone()), ("invitee", colleagues[1].clone()), ("invitee", colleagues[2].clone())]), StatusCode::UNPROCESSABLE_ENTITY, "La salle accueille au plus 3 personnes ; il en faudrait 4, organisateur compris."),
        (base(&[("end", "08:00".into())]), StatusCode::UNPROCESSABLE_ENTITY, "La fin doit être après le début."),
        (base(&[("date", past)]), StatusCode::UNPROCESSABLE_ENTITY, "Cet horaire est déjà passé."),
        (base(&[("date", "32/13/2026".into())]), StatusCode::UNPROCESSABLE_ENTITY, "Indiquez la date et les heures"),
        (base(&[("guests", "pas-une-adresse".into())]), StatusCode::UNPROCESSABLE_ENTITY, "Adresse électronique invalide : pas-une-adresse"),
        (base(&[("room", "01k0000000000000000000000x".into())]), StatusCode::UNPROCESSABLE_ENTITY, "Choisissez une salle de l'établissement."),
        (base(&[("invitee", app.person(Role::Pupil, 0).id.to_string())]), StatusCode::UNPROCESSABLE_ENTITY, "ne peut pas être invité"),
        (base(&[("invitee", "nimportequoi".into())]), StatusCode::UNPROCESSABLE_ENTITY, "ne peut pas être invité"),
        (base(&[("room", staff_room.clone()), ("guests", "inspecteur@ac-lyon.example".into())]), StatusCode::UNPROCESSABLE_ENTITY, "n'accueille ni parents ni invités extérieurs"),
        (base(&[("title", "   ".into())]), StatusCode::UNPROCESSABLE_ENTITY, "Le titre est obligatoire."),
        (base(&[("weekly", "on".into())]), StatusCode::UNPROCESSABLE_ENTITY, "doit avoir une date de fin"),
    ];
    for (fields, status, message) in cases {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = book(&mut b, &pairs).await;
        assert_eq!(r.status, status, "{pairs:?}: {}", r.text);
        assert!(plain(&r.text).contains(message), "{message:?} not in the answer to {pairs:?}");
        assert!(r.text.contains("role=\"alert\""), "errors announced");
    }
    assert_eq!(count().await, 2, "nothing written by a refused booking");
    // A booking id that does not exist, or is not one: 404, not an error page of ours.
    assert_eq!(a.get("/meetings/01k0000000000000000000000x").await.status, StatusCode::NOT_FOUND);
    assert_eq!(a.get("/meetings/pas-un-id").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_establishments_admin_reaches_no_meeting_of_ours() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let mut t = app.signed_in(app.person(Role::Teacher, 0)).await;
    let day = soon(3).to_string();
    let r = book(&mut t, &[("title", "Conseil"), ("room", &rid), ("date", &day), ("start", "10:00"), ("end", "11:00")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let path = r.location().to_owned();
    // A neighbouring school and its administrator.
    let neighbour = app.neighbour_admin().await;
    let mut n = app.signed_in(&neighbour).await;
    assert_eq!(n.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(n.get(&format!("{path}/invitation.ics")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(n.get(&format!("/meeting-rooms/{rid}")).await.status, StatusCode::NOT_FOUND);
    let r = n.submit("/meetings", &format!("{path}/cancel"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Our room cannot be booked from there.
    let r = book(&mut n, &[("title", "Intrus"), ("room", &rid), ("date", &day), ("start", "12:00"), ("end", "13:00")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("Choisissez une salle de l'établissement."));
    assert!(!n.get("/meetings").await.text.contains("Salle du conseil"), "another school's rooms are not listed");
    let booking_id: preau_core::BookingId = path.rsplit('/').next().unwrap().parse().unwrap();
    assert!(!app.state.store.booking(&booking_id).await.unwrap().unwrap().cancelled);
    assert_eq!(app.state.store.room_occurrences(&rid.parse().unwrap(), 0, i64::MAX).await.unwrap().len(), 1);
}

/// The address shown on the page after making a feed.
fn feed_url(html: &str) -> String {
    let start = html.find("id=\"feed-url\" value=\"").expect("the feed address is shown") + "id=\"feed-url\" value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_personal_calendar_feed_shows_ones_meetings_until_it_is_revoked() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let organizer = app.person(Role::Teacher, 0).clone();
    let invitee = app.person(Role::Teacher, 1).clone();
    let mut t = app.signed_in(&organizer).await;
    let day = soon(4).to_string();
    let r = book(&mut t, &[("title", "Conseil pédagogique"), ("room", &rid), ("date", &day), ("start", "17:00"), ("end", "18:00"), ("invitee", &invitee.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = r.location().rsplit('/').next().unwrap().to_owned();
    // The invitee makes a feed: the address is shown once, and only its hash is kept.
    let mut i = app.signed_in(&invitee).await;
    assert!(!i.get("/meetings").await.text.contains("id=\"feed-since\""));
    let made = i.submit("/meetings", "/meetings/feed", &[]).await;
    assert_eq!((made.status, made.page()), (StatusCode::OK, "meeting-feed"));
    let url = feed_url(&made.text);
    let path = url.strip_prefix("http://127.0.0.1:8080").expect("an address on the public URL").to_owned();
    assert!(path.starts_with("/calendar/") && path.ends_with(".ics"));
    assert!(i.get("/meetings").await.text.contains("id=\"feed-since\""));
    // A calendar program, with no session, reads it.
    let mut program = app.client();
    let feed = program.get(&path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    let facts = python_reads(&feed.text);
    for line in ["METHOD=PUBLISH", &format!("UID={id}@127.0.0.1"), "SUMMARY=Conseil pédagogique", "TZ=Europe/Paris"] {
        assert!(facts.lines().any(|l| l == line), "{line} not read in:\n{facts}");
    }
    // Someone else's feed holds nothing of it; a made-up address opens nothing.
    let mut other = app.signed_in(app.person(Role::Teacher, 2)).await;
    let theirs = feed_url(&other.submit("/meetings", "/meetings/feed", &[]).await.text);
    let theirs = program.get(theirs.strip_prefix("http://127.0.0.1:8080").unwrap()).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.text.contains("Conseil pédagogique"));
    assert_eq!(program.get("/calendar/inventee.ics").await.status, StatusCode::NOT_FOUND);
    assert_eq!(program.get("/calendar/x").await.status, StatusCode::NOT_FOUND);
    // A new address revokes the old; revoking ends it.
    let renewed = feed_url(&i.submit("/meetings", "/meetings/feed", &[]).await.text);
    assert_ne!(renewed, url);
    assert_eq!(program.get(&path).await.status, StatusCode::NOT_FOUND, "the old address stops working");
    let new_path = renewed.strip_prefix("http://127.0.0.1:8080").unwrap().to_owned();
    assert_eq!(program.get(&new_path).await.status, StatusCode::OK);
    assert_eq!(i.submit("/meetings", "/meetings/feed/revoke", &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(program.get(&new_path).await.status, StatusCode::NOT_FOUND, "revoked");
    // Without the form's token, nothing is made or revoked.
    assert_eq!(i.post("/meetings/feed", &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.state.store.calendar_feed_of(&invitee.id).await.unwrap(), None);
}

#[tokio::test]
async fn the_organizer_changes_a_meeting_and_its_invitation_follows() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let mut admin = app.signed_in(app.person(Role::Admin, 0)).await;
    add_room(&mut admin, "Salle B", "video", "10").await;
    let (organizer, invitee) = (app.person(Role::Teacher, 0).clone(), app.person(Role::Teacher, 1).clone());
    let mut t = app.signed_in(&organizer).await;
    let day = soon(5).to_string();
    let r = book(&mut t, &[("title", "Conseil"), ("room", &rid), ("date", &day), ("start", "10:00"), ("end", "11:00"), ("invitee", &invitee.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let path = r.location().to_owned();
    let other = book(&mut t, &[("title", "Autre"), ("room", &rid), ("date", &day), ("start", "14:00"), ("end", "15:00")]).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    // The form comes filled in.
    let form = t.get(&format!("{path}/edit")).await;
    assert_eq!((form.status, form.page()), (StatusCode::OK, "meeting-edit"));
    assert!(form.text.contains("value=\"Conseil\"") && form.text.contains("value=\"10:00\"") && form.text.contains(&format!("value=\"{day}\"")));
    assert!(form.text.contains(&format!("value=\"{}\" checked", invitee.id)), "the invitee ticked");
    // Moved onto the other meeting: refused, with the clash named; nothing changed.
    let edit = |start: &'static str, end: &'static str| {
        vec![("title", "Conseil (déplacé)"), ("room", rid.as_str()), ("date", day.as_str()), ("start", start), ("end", end)]
    };
    let r = t.submit(&format!("{path}/edit"), &format!("{path}/edit"), &edit("14:30", "15:30")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("« Autre »"));
    let id: preau_core::BookingId = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(app.state.store.booking(&id).await.unwrap().unwrap().title, "Conseil");
    // Moved to a free time: saved, the sequence raised, the invitee dropped as asked.
    let r = t.submit(&format!("{path}/edit"), &format!("{path}/edit"), &edit("16:00", "17:00")).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, path.as_str()));
    let b = app.state.store.booking(&id).await.unwrap().unwrap();
    assert_eq!((b.title.as_str(), b.sequence, b.invitees.len()), ("Conseil (déplacé)", 1, 0));
    let facts = python_reads(&t.get(&format!("{path}/invitation.ics")).await.text);
    assert!(facts.lines().any(|l| l == "SEQUENCE=1") && facts.lines().any(|l| l == "SUMMARY=Conseil (déplacé)"), "{facts}");
    // Only the organizer (and the principal, the administrator) change it; not once cancelled.
    let mut i = app.signed_in(&invitee).await;
    assert_eq!(i.get(&format!("{path}/edit")).await.status, StatusCode::FORBIDDEN);
    let mut principal = app.signed_in(app.person(Role::Principal, 0)).await;
    assert_eq!(principal.get(&format!("{path}/edit")).await.status, StatusCode::OK);
    assert_eq!(t.submit(&path, &format!("{path}/cancel"), &[]).await.status, StatusCode::SEE_OTHER);
    let r = t.get(&format!("{path}/edit")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("Cette réunion est annulée"));
    let r = t.submit(&format!("{path}/edit"), &format!("{path}/edit"), &edit("09:00", "10:00")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(app.state.store.booking(&id).await.unwrap().unwrap().title, "Conseil (déplacé)", "nothing changed");
}

#[tokio::test]
async fn invitations_changes_cancellations_and_reports_are_emailed_and_failures_are_shown() {
    let sink = SmtpSink::start().await;
    let mail = sink.config();
    let app = TestApp::with_config(|c| c.mail = Some(mail)).await;
    let rid = council_room(&app).await;
    let organizer = app.person(Role::Teacher, 0).clone();
    let colleague = app.person(Role::Teacher, 1).clone();
    let mut t = app.signed_in(&organizer).await;
    // Both give an address on their profile (checked, kept in lower case).
    let r = t.submit("/profile", "/profile/email", &[("email", "pas-une-adresse")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("n&#39;est pas valide") || plain(&r.text).contains("n'est pas valide"));
    assert_eq!(app.state.store.email_of(&organizer.id).await.unwrap(), None, "nothing stored");
    assert_eq!(t.submit("/profile", "/profile/email", &[("email", "Prof.Principal@College.example")]).await.location(), "/profile?done=email");
    assert_eq!(app.state.store.email_of(&organizer.id).await.unwrap().as_deref(), Some("prof.principal@college.example"));
    let mut c = app.signed_in(&colleague).await;
    assert_eq!(c.submit("/profile", "/profile/email", &[("email", "collegue@college.example")]).await.status, StatusCode::SEE_OTHER);
    assert!(c.get("/profile").await.text.contains("value=\"collegue@college.example\""));
    let day = soon(2).to_string();
    let invitee = colleague.id.to_string();
    let fields = |guests: &'static str| {
        vec![("title", "Équipe éducative".to_owned()), ("room", rid.clone()), ("date", day.clone()), ("start", "17:00".into()), ("end", "18:00".into()),
            ("guests", guests.into()), ("invitee", invitee.clone())]
    };
    let r = book(&mut t, &pairs(&fields("ortho@cabinet.example\nfamille.martin@exemple.fr"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let path = r.location().to_owned();
    let id = path.rsplit('/').next().unwrap().to_owned();
    assert!(plain(&t.get(&path).await.text).contains("courriel en attente d'envoi"));
    assert_eq!(preau_web::mail::send_due(&app.state).await, 3);
    let mails = sink.messages();
    assert_eq!(mails.len(), 3);
    // The colleague's: the meeting's page to join from, and the attendee named by their address.
    let own = python_reads_mail(&mails.iter().find(|m| m.to == ["<collegue@college.example>"]).expect("a mail to the invitee").data);
    for line in ["SUBJECT=Invitation : Équipe éducative", "METHOD=REQUEST", "ATTENDEE=mailto:collegue@college.example"] {
        assert!(own.lines().any(|l| l == line), "{line} not read in:\n{own}");
    }
    assert!(own.contains(&format!("http://127.0.0.1:8080/meetings/{id}")) && !own.contains("/invite/"), "{own}");
    let mails: Vec<_> = mails.into_iter().filter(|m| m.to != ["<collegue@college.example>"]).collect();
    for (mail, to) in mails.iter().zip(["ortho@cabinet.example", "famille.martin@exemple.fr"]) {
        assert_eq!(mail.to, [format!("<{to}>")]);
        assert_eq!(mail.from, "<ne-pas-repondre@college.example>");
        let facts = python_reads_mail(&mail.data);
        for line in ["SUBJECT=Invitation : Équipe éducative", &format!("TO={to}"), "CALENDAR=method=REQUEST", "METHOD=REQUEST", "SEQUENCE=0", "STATUS=CONFIRMED"] {
            assert!(facts.lines().any(|l| l == line), "{line} not read in:\n{facts}");
        }
        let text = facts.lines().find_map(|l| l.strip_prefix("TEXT=")).unwrap();
        assert!(text.contains("vous invite à la réunion « Équipe éducative »") && text.contains("17:00 – 18:00"), "{text}");
        assert!(text.contains(&format!("http://127.0.0.1:8080/invite/{id}/")), "the guest's link in: {text}");
    }
    assert_eq!(preau_web::mail::send_due(&app.state).await, 0, "sent once");
    assert!(plain(&t.get(&path).await.text).contains("invitation envoyée par courriel le"));

    // Changed, one guest taken off: the other gets the update, the one taken off a cancellation.
    let r = t.submit(&format!("{path}/edit"), &format!("{path}/edit"), &pairs(&fields("ortho@cabinet.example"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(preau_web::mail::send_due(&app.state).await, 3, "the guest kept, the guest taken off, the colleague");
    let mails = sink.messages();
    let read = |to: &str| python_reads_mail(&mails[3..].iter().find(|m| m.to == [format!("<{to}>")]).expect("a mail to each").data);
    let ortho = read("ortho@cabinet.example");
    for line in ["SUBJECT=Réunion modifiée : Équipe éducative", "METHOD=REQUEST", "SEQUENCE=1"] {
        assert!(ortho.lines().any(|l| l == line), "{line} not read in:\n{ortho}");
    }
    let famille = read("famille.martin@exemple.fr");
    for line in ["SUBJECT=Réunion annulée : Équipe éducative", "CALENDAR=method=CANCEL", "METHOD=CANCEL", "SEQUENCE=1", "STATUS=CANCELLED"] {
        assert!(famille.lines().any(|l| l == line), "{line} not read in:\n{famille}");
    }
    assert!(!famille.contains("/invite/"), "no link to someone taken off the list");

    // A session held: its report goes to the organizer's address.
    let t0 = booking::instant(soon(2).at(17, 0, 0, 0)).unwrap();
    let session = preau_store::conferences::LiveSession {
        room: id.parse().unwrap(),
        started_at: t0,
        ended_at: t0 + 3_000_000,
        presences: vec![
            preau_store::conferences::Presence { name: organizer.display_name(), person: Some(organizer.id.clone()), host: true, joined_at: t0, left_at: t0 + 3_000_000 },
            preau_store::conferences::Presence { name: "Mme Orthophoniste (invité)".into(), person: None, host: false, joined_at: t0 + 120_000, left_at: t0 + 1_320_000 },
        ],
    };
    preau_web::keep_report(&app.state, &session).await;
    assert_eq!(preau_web::mail::send_due(&app.state).await, 1);
    let report = python_reads_mail(&sink.messages()[6].data);
    assert!(report.lines().any(|l| l == "SUBJECT=Compte rendu : Équipe éducative"), "{report}");
    assert!(report.lines().any(|l| l == "TO=prof.principal@college.example"), "{report}");
    assert!(report.contains("Mme Orthophoniste (invité) : 17:02 – 17:22 (20 min)") && report.contains("(50 min)"), "{report}");

    // Cancelled: the remaining guest and the colleague are told.
    assert_eq!(t.submit(&path, &format!("{path}/cancel"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(preau_web::mail::send_due(&app.state).await, 2);
    for mail in &sink.messages()[7..] {
        let facts = python_reads_mail(&mail.data);
        for line in ["METHOD=CANCEL", "SEQUENCE=2"] {
            assert!(facts.lines().any(|l| l == line), "{line} not read in:\n{facts}");
        }
    }

    // The SMTP server gone: the attempt fails, is recorded and shown, and waits for its retry.
    drop(sink);
    let r = book(&mut t, &pairs(&fields("inspection@ac-lyon.example"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(preau_web::mail::send_due(&app.state).await, 2, "the guest and the colleague");
    assert_eq!(preau_web::mail::send_due(&app.state).await, 0, "not again before their retry time");
    let page = plain(&t.get(r.location()).await.text);
    assert!(page.contains("l'envoi du courriel a échoué") && page.contains("nouvel essai prévu"), "{page}");
}

#[tokio::test]
async fn without_an_smtp_server_nothing_is_queued_and_the_organizer_is_told() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let mut t = app.signed_in(app.person(Role::Teacher, 0)).await;
    let day = soon(3).to_string();
    let r = book(&mut t, &[("title", "Réunion"), ("room", &rid), ("date", &day), ("start", "10:00"), ("end", "11:00"), ("guests", "ortho@cabinet.example")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(app.state.store.due_mail(i64::MAX, 10).await.unwrap().is_empty());
    assert!(plain(&t.get(r.location()).await.text).contains("ne sont pas envoyées par courriel sur ce serveur"));
}

#[tokio::test]
async fn a_teacher_invites_the_parents_of_their_classes_who_find_the_meeting_on_their_dashboard() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let mut admin = app.signed_in(app.person(Role::Admin, 0)).await;
    add_room(&mut admin, "Salle des professeurs", "staff_only", "30").await;
    let staff_room = room_id(&app, "Salle des professeurs").await.to_string();
    let teacher = app.person(Role::Teacher, 0).clone();
    let taught = app.state.store.actor(&teacher).await.unwrap().taught_divisions;
    let (parent, _) = app.state.store.parents_in_division(&taught[0]).await.unwrap().into_iter().next().expect("a parent in the class");
    // A teacher who teaches no class yet (a replacement just arrived) invites no parent.
    let hash = preau_web::auth::hash_password(crate::harness::PASSWORD);
    let newcomer = app
        .state
        .store
        .create_person(
            &preau_store::NewPerson {
                id: PersonId::new(1, 555),
                establishment_id: &app.school.establishment.id,
                login: "remplacant",
                first_name: "Rémi",
                last_name: "Remplaçant",
                roles: preau_core::RoleSet::of(&[Role::Teacher]),
                password_hash: Some(&hash),
                now: 1,
            },
            &crate::harness::AUDIT,
        )
        .await
        .unwrap();
    let mut t = app.signed_in(&teacher).await;
    let form = plain(&t.get("/meetings/new").await.text);
    assert!(form.contains(&format!("{} (parent de ", parent.display_name())), "the class's parents on the form");
    let mut r = app.signed_in(&newcomer).await;
    assert!(!plain(&r.get("/meetings/new").await.text).contains("(parent de "), "no class, no parents to invite");
    let day = soon(4).to_string();
    let with = |room: &str, who: &str| {
        vec![("title", "Rencontre parents-professeurs".to_owned()), ("room", room.to_owned()), ("date", day.clone()), ("start", "18:00".into()), ("end", "18:30".into()), ("invitee", who.to_owned())]
    };
    // The same parent by a teacher who does not teach the child, a pupil, or a parent in a
    // staff-only room: refused.
    let refused = book(&mut r, &pairs(&with(&rid, parent.id.as_str()))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&refused.text).contains("Un des participants choisis n'existe pas ou ne peut pas être invité."));
    let r = book(&mut t, &pairs(&with(&rid, app.person(Role::Pupil, 0).id.as_str()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "pupils are not invited");
    assert!(plain(&r.text).contains("Un des participants choisis n'existe pas ou ne peut pas être invité."));
    let r = book(&mut t, &pairs(&with(&staff_room, parent.id.as_str()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("n'accueille ni parents ni invités extérieurs"));
    let r = book(&mut t, &pairs(&with(&rid, parent.id.as_str()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let path = r.location().to_owned();
    // The parent finds it on their dashboard, opens it; another parent does not see it.
    let mut p = app.signed_in(&parent).await;
    let dash = plain(&p.get("/dashboard").await.text);
    assert!(dash.contains(&format!("href=\"{path}\"")) && dash.contains("Rencontre parents-professeurs, "), "{dash}");
    let page = p.get(&path).await;
    assert_eq!((page.status, page.page()), (StatusCode::OK, "meeting"));
    assert!(!page.text.contains("id=\"edit\""), "a parent does not change it");
    let (other_parent, _) = app.state.store.parents_in_division(&taught[0]).await.unwrap().into_iter().find(|(o, _)| o.id != parent.id).unwrap();
    let mut s = app.signed_in(&other_parent).await;
    assert!(!s.get("/dashboard").await.text.contains(&path));
    assert_eq!(s.get(&path).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_staff_list_the_parents_of_a_class_on_demand_without_losing_the_form() {
    let app = TestApp::new().await;
    let rid = council_room(&app).await;
    let cpe = app.person(Role::Staff, 0).clone();
    let mut c = app.signed_in(&cpe).await;
    let form = c.get("/meetings/new").await;
    assert!(!plain(&form.text).contains("(parent de "), "the staff teach no class: no parent listed at first");
    let division = &app.school.divisions[1];
    assert!(form.text.contains(&format!("<option value=\"{}\">{}</option>", division.id, division.name)), "but every class to pick");
    let (parent, _) = app.state.store.parents_in_division(&division.id).await.unwrap().into_iter().next().unwrap();
    let day = soon(5).to_string();
    let mut fields = vec![("title", "Équipe éducative".to_owned()), ("room", rid.clone()), ("date", day.clone()), ("start", "16:00".into()), ("end", "17:00".into()),
        ("show_division", division.id.to_string()), ("show_parents", "1".into())];
    let shown = book(&mut c, &pairs(&fields)).await;
    assert_eq!(shown.status, StatusCode::OK, "the form again, nothing saved");
    let text = plain(&shown.text);
    assert!(text.contains(&format!("{} (parent de ", parent.display_name())) && text.contains("value=\"Équipe éducative\""), "{text}");
    assert!(app.state.store.person_occurrences(&cpe.id, 0, i64::MAX).await.unwrap().is_empty());
    fields.retain(|(k, _)| *k != "show_parents");
    fields.push(("parents_of", division.id.to_string()));
    fields.push(("invitee", parent.id.to_string()));
    let r = book(&mut c, &pairs(&fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // The change form lists that class again, its parent checked.
    let edit = c.get(&format!("{}/edit", r.location())).await;
    assert!(edit.text.contains(&format!("value=\"{}\" checked", parent.id)), "the invited parent checked");
}

