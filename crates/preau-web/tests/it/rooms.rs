//! Virtual classrooms: who enters which room, who hosts it, ad-hoc rooms, the room-full page and
//! the dashboards' room links.

use std::sync::Arc;

use axum::http::StatusCode;
use preau_core::school::{Audience, Person, RoomAudience};
use preau_core::{DivisionId, GroupId, PersonId, Role, RoomId};

use crate::harness::{Crowd, Resp, TestApp, main_attr};

fn room_of(app: &TestApp, audience: RoomAudience) -> RoomId {
    app.school.rooms.iter().find(|r| r.audience == audience).expect("the demo has that room").id.clone()
}

fn division_room(app: &TestApp, d: &DivisionId) -> RoomId {
    room_of(app, RoomAudience::Division(d.clone()))
}

fn group_room(app: &TestApp, g: &GroupId) -> RoomId {
    room_of(app, RoomAudience::Group(g.clone()))
}

fn division_of(app: &TestApp, pupil: &PersonId) -> DivisionId {
    app.school.enrolments.iter().find(|(p, _)| p == pupil).unwrap().1.clone()
}

fn person<'a>(app: &'a TestApp, id: &PersonId) -> &'a Person {
    app.school.people.iter().find(|p| p.id == *id).unwrap()
}


/// The ids of the rooms a page links to with `data-room`, in order.
fn room_links(r: &Resp) -> Vec<String> {
    r.text.match_indices("data-room=\"").map(|(i, m)| r.text[i + m.len()..i + m.len() + 26].to_owned()).collect()
}

fn is_host(r: &Resp) -> bool {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.page(), "room");
    match main_attr(r, "data-host") {
        "true" => true,
        "false" => false,
        other => panic!("data-host={other}"),
    }
}

#[tokio::test]
async fn a_pupil_enters_their_division_room_with_camera_and_microphone_off() {
    let app = TestApp::new().await;
    let pupil = app.person(Role::Pupil, 0);
    let room = division_room(&app, &division_of(&app, &pupil.id));
    let mut c = app.signed_in(pupil).await;
    let r = c.get(&format!("/rooms/{room}")).await;
    assert!(!is_host(&r));
    assert_eq!(main_attr(&r, "data-room-id"), room.as_str());
    assert_eq!(main_attr(&r, "data-ws"), format!("/rooms/{room}/ws"));
    assert_eq!(main_attr(&r, "data-pupil"), "true");
    assert_eq!(main_attr(&r, "data-me"), pupil.display_name());
    // The script is ours, a module, served under its hashed name.
    let js = preau_web::assets::url("room.js");
    assert!(r.text.contains(&format!("<script type=\"module\" src=\"{js}\"></script>")), "{}", r.text);
    let script = c.get(js).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    // The structure the room script fills in.
    for needle in [
        "<section id=\"prejoin\"",
        "<video id=\"preview\" muted playsinline>",
        "<label for=\"camera-select\">Caméra</label>",
        "<label for=\"mic-select\">Micro</label>",
        "<button type=\"button\" id=\"join\">Rejoindre</button>",
        "<section id=\"room\" hidden",
        "<div id=\"grid\"",
        "<ul id=\"participants\">",
        "<ol id=\"chat-log\">",
        "<label for=\"chat-input\">",
        "<div id=\"announcer\" class=\"visually-hidden\" aria-live=\"polite\">",
        "id=\"quality\"",
        "id=\"btn-mic\" aria-pressed=\"false\" aria-keyshortcuts=\"M\"",
        "id=\"btn-cam\" aria-pressed=\"false\" aria-keyshortcuts=\"V\"",
        "id=\"btn-hand\" aria-pressed=\"false\" aria-keyshortcuts=\"H\"",
        "id=\"btn-screen\" aria-pressed=\"false\"",
        "id=\"btn-audio-only\" aria-pressed=\"false\"",
        "id=\"btn-leave\"",
        "<kbd>M</kbd>",
        "Vous entrez avec la caméra et le micro coupés",
    ] {
        assert!(r.text.contains(needle), "room page lacks {needle}");
    }
    // A pupil's microphone starts off, and nothing meant for hosts is there.
    assert!(r.text.contains("<input type=\"checkbox\" id=\"join-mic\">"));
    for absent in ["id=\"hands\"", "id=\"btn-end\"", "id=\"share-link\""] {
        assert!(!r.text.contains(absent), "a pupil's room page has {absent}");
    }
    // This page, and only this one, may ask for the camera and the microphone.
    let permissions = r.headers["permissions-policy"].to_str().unwrap();
    assert!(permissions.contains("camera=(self)") && permissions.contains("microphone=(self)"), "{permissions}");
    assert!(c.get("/dashboard").await.headers["permissions-policy"].to_str().unwrap().contains("camera=()"));
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn pupils_are_kept_out_of_other_classes_rooms() {
    let app = TestApp::new().await;
    // A pupil with a group, so both kinds of room are crossed.
    let (pupil_id, own_group) = app.school.group_members.first().map(|(g, p)| (p.clone(), g.clone())).unwrap();
    let pupil = person(&app, &pupil_id);
    let own = division_of(&app, &pupil.id);
    let mut c = app.signed_in(pupil).await;
    assert!(!is_host(&c.get(&format!("/rooms/{}", group_room(&app, &own_group))).await));
    for d in app.school.divisions.iter().filter(|d| d.id != own) {
        let r = c.get(&format!("/rooms/{}", division_room(&app, &d.id))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", d.name);
        assert_eq!(r.page(), "error-403");
        assert!(!r.text.contains("data-ws"), "no room data on a refusal");
    }
    for g in app.school.groups.iter().filter(|g| !app.school.group_members.contains(&(g.id.clone(), pupil.id.clone()))) {
        assert_eq!(c.get(&format!("/rooms/{}", group_room(&app, &g.id))).await.status, StatusCode::FORBIDDEN, "{}", g.name);
    }
    // Parents do not enter their child's classroom.
    let parent = app.school.parent_links.iter().find(|(_, child)| *child == pupil.id).map(|(p, _)| person(&app, p)).unwrap();
    let mut p = app.signed_in(parent).await;
    assert_eq!(p.get(&format!("/rooms/{}", division_room(&app, &own))).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn teachers_host_the_rooms_of_what_they_teach_and_enter_no_other_class_room() {
    let app = TestApp::new().await;
    // The maths teacher teaches every division; the Spanish teacher only the Spanish group.
    let maths = app.person(Role::Teacher, 1);
    let mut m = app.signed_in(maths).await;
    let d = &app.school.divisions[0];
    let room = division_room(&app, &d.id);
    let r = m.get(&format!("/rooms/{room}")).await;
    assert!(is_host(&r));
    assert_eq!(main_attr(&r, "data-pupil"), "false");
    assert!(r.text.contains("<ol id=\"hands\">"), "hosts see the queue of raised hands");
    assert!(r.text.contains("id=\"btn-end\""));
    assert!(r.text.contains(&format!("value=\"http://127.0.0.1:8080/rooms/{room}\"")), "the host gets the link to share");
    assert!(r.text.contains("<input type=\"checkbox\" id=\"join-mic\" checked>"));
    assert!(r.text.contains("Les élèves entrent avec la caméra et le micro coupés"));
    assert_eq!(m.get(&format!("/rooms/{}", group_room(&app, &app.school.groups[0].id))).await.status, StatusCode::FORBIDDEN);

    let spanish = app.person(Role::Teacher, 4);
    let taught_divisions: Vec<_> = app
        .school
        .assignments
        .iter()
        .filter(|a| a.teacher_id == spanish.id)
        .filter_map(|a| match &a.audience {
            Audience::Division(d) => Some(d.clone()),
            Audience::Group(_) => None,
        })
        .collect();
    assert!(taught_divisions.is_empty(), "the demo's Spanish teacher teaches a group only");
    let mut s = app.signed_in(spanish).await;
    for d in &app.school.divisions {
        let r = s.get(&format!("/rooms/{}", division_room(&app, &d.id))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", d.name);
    }
    assert!(is_host(&s.get(&format!("/rooms/{}", group_room(&app, &app.school.groups[0].id))).await));
    assert_eq!(s.get(&format!("/rooms/{}", group_room(&app, &app.school.groups[1].id))).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_enter_and_host_every_room() {
    let app = TestApp::new().await;
    for role in [Role::Staff, Role::Principal, Role::Admin] {
        let mut c = app.signed_in(app.person(role, 0)).await;
        for room in &app.school.rooms {
            assert!(is_host(&c.get(&format!("/rooms/{}", room.id)).await), "{role} {}", room.title);
        }
    }
}

#[tokio::test]
async fn unknown_and_malformed_room_ids_are_not_found() {
    let app = TestApp::new().await;
    let mut c = app.signed_in(app.person(Role::Staff, 0)).await;
    for bad in ["01kb0000000000000000000000", "xyz", "..%2F..%2Fetc", "%00", &"7".repeat(27), "01KB0000000000000000000000X"] {
        let r = c.get(&format!("/rooms/{bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert_eq!(r.page(), "error-404");
    }
    // A division's id is not a room's id.
    let d = &app.school.divisions[0];
    assert_eq!(c.get(&format!("/rooms/{}", d.id)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn teachers_open_ad_hoc_rooms_that_anyone_of_the_school_enters_with_the_link() {
    let app = TestApp::new().await;
    let teacher = app.person(Role::Teacher, 4);
    let mut t = app.signed_in(teacher).await;
    let form = t.get("/rooms/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.page(), "room-new");
    assert!(form.text.contains("<label for=\"title\">Titre</label>"));

    // Bad titles are refused with the form again, and nothing opens.
    for bad in ["", "   ", &"x".repeat(101), "deux\nlignes"] {
        let r = t.submit("/rooms/new", "/rooms/new", &[("title", bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert_eq!(r.page(), "room-new");
        assert!(r.text.contains("role=\"alert\"") && r.text.contains("aria-invalid=\"true\""));
    }
    // Without the CSRF token, nothing either.
    let r = t.post("/rooms/new", &[("title", "Sans jeton")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = t.submit("/rooms/new", "/rooms/new", &[("title", "  Soutien <b>maths</b>  ")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id = r.location().strip_prefix("/rooms/").expect("redirects to the room").to_owned();
    let id: RoomId = id.parse().expect("a room id");
    let room = app.state.store.room(&id).await.unwrap().expect("stored");
    assert_eq!(room.title, "Soutien <b>maths</b>");
    assert_eq!(room.audience, RoomAudience::AdHoc { created_by: teacher.id.clone() });
    let page = t.get(&format!("/rooms/{id}")).await;
    assert!(is_host(&page));
    assert!(page.text.contains("Soutien &#60;b&#62;maths&#60;/b&#62;") || page.text.contains("Soutien &lt;b&gt;maths&lt;/b&gt;"), "escaped title");
    assert!(!page.text.contains("<b>maths</b>"));
    assert!(page.text.contains(&format!("value=\"http://127.0.0.1:8080/rooms/{id}\"")));
    assert!(page.text.contains("Toute personne de l'établissement") || page.text.contains("Toute personne de l&#39;établissement"));

    // Anyone of the school with an account enters, without hosting; staff host.
    for who in [app.person(Role::Pupil, 30), app.person(Role::Parent, 0), app.person(Role::Teacher, 0)] {
        let mut c = app.signed_in(who).await;
        assert!(!is_host(&c.get(&format!("/rooms/{id}")).await), "{}", who.login);
    }
    let mut cpe = app.signed_in(app.person(Role::Staff, 0)).await;
    assert!(is_host(&cpe.get(&format!("/rooms/{id}")).await));
}

#[tokio::test]
async fn pupils_and_parents_cannot_open_rooms() {
    let app = TestApp::new().await;
    for role in [Role::Pupil, Role::Parent] {
        let mut c = app.signed_in(app.person(role, 0)).await;
        let form = c.get("/rooms/new").await;
        assert_eq!(form.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(form.page(), "error-403");
        // With a valid CSRF token (the logout form's), the creation is still refused.
        let r = c.submit("/dashboard", "/rooms/new", &[("title", "Ma salle")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        let dash = c.get("/dashboard").await;
        assert!(!dash.text.contains("/rooms/new"), "{role}: no link to a form one may not use");
    }
}

#[tokio::test]
async fn a_full_room_says_so_with_its_capacity_but_lets_its_hosts_in() {
    let crowd = Arc::new(Crowd::default());
    let app = TestApp::with_live_rooms(|c| c.room_capacity = 3, crowd.clone()).await;
    let pupil = app.person(Role::Pupil, 0);
    let division = division_of(&app, &pupil.id);
    let room = division_room(&app, &division);
    let mut c = app.signed_in(pupil).await;

    crowd.set(&room, 2);
    assert!(!is_host(&c.get(&format!("/rooms/{room}")).await), "one place left");
    crowd.set(&room, 3);
    let r = c.get(&format!("/rooms/{room}")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.page(), "room-full");
    assert_eq!(r.headers["retry-after"], "30");
    assert!(r.text.contains("<h1>Classe virtuelle complète</h1>"), "{}", r.text);
    assert!(r.text.contains("accueille déjà 3 personnes"), "{}", r.text);
    assert!(r.text.contains(&format!("href=\"/rooms/{room}\"")), "a way to try again");
    assert!(!r.text.contains("data-ws"));
    crowd.set(&room, 40);
    assert_eq!(c.get(&format!("/rooms/{room}")).await.status, StatusCode::SERVICE_UNAVAILABLE, "over capacity too");

    // Another room is not affected; a room's host still gets in.
    let other = app.school.rooms.iter().find(|r| r.id != room && matches!(r.audience, RoomAudience::Group(_))).unwrap();
    crowd.set(&other.id, 0);
    let maths = app.person(Role::Teacher, 1);
    let mut t = app.signed_in(maths).await;
    assert!(is_host(&t.get(&format!("/rooms/{room}")).await), "a class is never locked out of its teacher");

    // In English, and with the singular.
    let app = TestApp::with_live_rooms(|c| c.room_capacity = 1, crowd.clone()).await;
    let pupil = app.person(Role::Pupil, 0);
    let room = division_room(&app, &division_of(&app, &pupil.id));
    crowd.set(&room, 1);
    let mut c = app.signed_in(pupil).await;
    assert!(c.get(&format!("/rooms/{room}")).await.text.contains("accueille déjà 1 personne,"));
    c.headers.insert("accept-language", "en".parse().unwrap());
    let r = c.get(&format!("/rooms/{room}")).await;
    assert!(r.text.contains("Virtual classroom full") && r.text.contains("already holds 1 person,"), "{}", r.text);
}

#[tokio::test]
async fn dashboards_link_to_the_rooms_of_ones_classes() {
    let app = TestApp::new().await;

    // A pupil: their division's room, then their groups' rooms; nothing else.
    let (pupil_id, _) = app.school.group_members.first().map(|(g, p)| (p.clone(), g.clone())).unwrap();
    let pupil = person(&app, &pupil_id);
    let mut expected = vec![division_room(&app, &division_of(&app, &pupil.id))];
    let mut groups: Vec<_> = app.school.groups.iter().filter(|g| app.school.group_members.contains(&(g.id.clone(), pupil.id.clone()))).collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    expected.extend(groups.iter().map(|g| group_room(&app, &g.id)));
    let mut c = app.signed_in(pupil).await;
    let dash = c.get("/dashboard").await;
    assert!(dash.text.contains("<h2 id=\"rooms-h\">Classes virtuelles</h2>"));
    assert_eq!(room_links(&dash), expected.iter().map(|r| r.to_string()).collect::<Vec<_>>());
    for room in &expected {
        assert!(!is_host(&c.get(&format!("/rooms/{room}")).await), "every link opens");
    }

    // A parent: no classroom links, not even for their child.
    let parent = app.school.parent_links.iter().find(|(_, child)| *child == pupil.id).map(|(p, _)| person(&app, p)).unwrap();
    let dash = app.signed_in(parent).await.get("/dashboard").await;
    assert_eq!(dash.page(), "dashboard-parent");
    assert!(room_links(&dash).is_empty());
    assert!(!dash.text.contains("rooms-h"));

    // A teacher: one link per line of their teaching table, and the ad-hoc form.
    let french = app.person(Role::Teacher, 0);
    let dash = app.signed_in(french).await.get("/dashboard").await;
    let links = room_links(&dash);
    let lines: Vec<_> = app.school.assignments.iter().filter(|a| a.teacher_id == french.id).collect();
    assert_eq!(links.len(), lines.len());
    for a in lines {
        let room = match &a.audience {
            Audience::Division(d) => division_room(&app, d),
            Audience::Group(g) => group_room(&app, g),
        };
        assert!(links.contains(&room.to_string()), "{:?}", a.audience);
    }
    assert!(dash.text.contains("href=\"/rooms/new\""));
    assert!(dash.text.contains("aria-label=\"Entrer dans la classe virtuelle 6e A\""));

    // Staff: every division's room in the overview, and the ad-hoc form.
    for role in [Role::Staff, Role::Principal] {
        let dash = app.signed_in(app.person(role, 0)).await.get("/dashboard").await;
        let links = room_links(&dash);
        for d in &app.school.divisions {
            assert!(links.contains(&division_room(&app, &d.id).to_string()), "{role} {}", d.name);
        }
        assert!(dash.text.contains("href=\"/rooms/new\""), "{role}");
    }
}

#[tokio::test]
async fn the_benchmark_socket_exists_only_with_a_bench_token_and_wants_it() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let room = "01kb0000000000000000000000";
    let bench = |token: Option<&str>| {
        let mut r = Request::get(format!("/bench/rooms/{room}/ws?name=bot-1")).body(Body::empty()).unwrap();
        if let Some(t) = token {
            r.headers_mut().insert(header::AUTHORIZATION, format!("Bearer {t}").parse().unwrap());
        }
        r
    };
    // An ordinary server: the address does not exist, whatever is sent.
    let app = TestApp::new().await;
    let mut c = app.client();
    assert_eq!(c.send(bench(None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.send(bench(Some(""))).await.status, StatusCode::NOT_FOUND);

    let token = "b".repeat(40);
    let app = TestApp::with_config(|c| c.bench_token = Some("b".repeat(40))).await;
    let mut c = app.client();
    assert_eq!(c.send(bench(None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.send(bench(Some(&"c".repeat(40)))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.send(bench(Some(&token[..39]))).await.status, StatusCode::FORBIDDEN);
    // The right token gets as far as the upgrade, which a plain GET is not.
    assert_eq!(c.send(bench(Some(&token))).await.status, StatusCode::BAD_REQUEST);
    let mut bad_room = bench(Some(&token));
    *bad_room.uri_mut() = "/bench/rooms/xyz/ws".parse().unwrap();
    assert_eq!(c.send(bad_room).await.status, StatusCode::NOT_FOUND);
    // A school's room is never a bench room, even with the token.
    let real = room_of(&app, RoomAudience::Division(app.school.divisions[0].id.clone()));
    let mut real_room = bench(Some(&token));
    *real_room.uri_mut() = format!("/bench/rooms/{real}/ws").parse().unwrap();
    assert_eq!(c.send(real_room).await.status, StatusCode::NOT_FOUND);
}
