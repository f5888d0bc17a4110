//! The timetable through the web: a CSV import that names each wrong line and imports nothing,
//! then a good one; a class's week; a lesson cancelled or held as a virtual class by its
//! teacher, and by no one else.

use axum::http::{StatusCode, header};
use preau_core::Role;
use preau_core::school::Audience;

use crate::harness::{TestApp, plain};

#[tokio::test]
async fn the_timetable_is_imported_whole_seen_by_the_class_and_its_lessons_changed_by_their_teacher() {
    let app = TestApp::new().await;
    let s = &app.school;
    let a = s.assignments.iter().find(|a| matches!(a.audience, Audience::Division(_))).unwrap();
    let Audience::Division(d) = &a.audience else { unreachable!() };
    let division = s.divisions.iter().find(|x| x.id == *d).unwrap();
    let subject = s.subjects.iter().find(|x| x.id == a.subject_id).unwrap();
    let teacher = s.people.iter().find(|p| p.id == a.teacher_id).unwrap().clone();
    let pupil = s.people.iter().find(|p| s.enrolments.iter().any(|(e, x)| *e == p.id && x == d)).unwrap().clone();
    let other_teacher = s.people.iter().find(|p| p.roles.contains(Role::Teacher) && p.id != teacher.id).unwrap().clone();
    let staff = app.person(Role::Staff, 0).clone();
    let mut office = app.signed_in(&staff).await;

    assert!(plain(&office.get("/admin/timetable").await.text).contains(&format!("Cours ({})", s.courses.len())), "the demo's timetable");
    let template = office.get("/admin/timetable/modele.csv").await;
    assert_eq!(template.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(template.text.starts_with("matiere;professeur;classe;salle;jour;debut;fin;semaine\n"));

    // One good line and three wrong ones: each named, nothing imported.
    let header = "matiere;professeur;classe;salle;jour;debut;fin;semaine";
    let good = format!("{};{};{};B12;lundi;08:00;09:00;", subject.code, teacher.login, division.name);
    let bad = format!("{header}\n{good}\nPHYSIQUE-X;{};{};;mardi;10:00;11:00;\n{};personne;{};;mercredi;9h;8h;C\n", teacher.login, division.name, subject.code, division.name);
    let r = office.submit_multipart("/admin/timetable", "/admin/timetable/import", &[], &[("files", "edt.csv", bad.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = plain(&r.text);
    for expected in ["Ligne 4 : la fin doit être après le début", "Ligne 4 : semaine inconnue « C »", "Rien n'a été enregistré"] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let demo = format!("Cours ({})", s.courses.len());
    assert!(text.contains(&demo), "nothing imported: the demo's timetable as it was");
    let unknown = format!("{header}\n{good}\nPHYSIQUE-X;{};{};;mardi;10:00;11:00;\n", teacher.login, division.name);
    let r = office.submit_multipart("/admin/timetable", "/admin/timetable/import", &[], &[("files", "edt.csv", unknown.as_bytes())]).await;
    assert!(plain(&r.text).contains("Ligne 3 : matière inconnue « PHYSIQUE-X »"), "{}", plain(&r.text));
    // The good file: imported.
    let r = office.submit_multipart("/admin/timetable", "/admin/timetable/import", &[], &[("files", "edt.csv", format!("{header}\n{good}\n").as_bytes())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/admin/timetable?imported=1"));

    // The class's week: Monday 7 September 2026.
    let mut class = app.signed_in(&pupil).await;
    let week = "/timetable?week=2026-09-09";
    let page = plain(&class.get(week).await.text);
    assert!(page.contains("Semaine du lundi 7 septembre 2026") && page.contains("08:00 – 09:00") && page.contains(&subject.name), "{page}");
    assert!(!class.get(week).await.text.contains("/timetable/lessons/"), "a pupil changes nothing");
    // The teacher cancels that Monday's lesson, then holds it as a virtual class.
    let mut t = app.signed_in(&teacher).await;
    let html = t.get(week).await.text;
    let action = html
        .split("action=\"")
        .map(|x| &x[..x.find('"').unwrap_or(0)])
        .find(|x| x.starts_with("/timetable/lessons/") && !x.ends_with("/content"))
        .unwrap()
        .to_owned();
    assert!(action.ends_with("/2026-09-07"));
    let r = t.submit(week, &action, &[("change", "cancelled")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/timetable?week=2026-09-07"));
    assert!(plain(&class.get(week).await.text).contains("cours annulé"));
    t.submit(week, &action, &[("change", "virtual")]).await;
    let page = class.get(week).await.text;
    assert!(plain(&page).contains("en classe virtuelle") && page.contains("href=\"/rooms/"), "the class's room is linked");
    // Not another teacher, not a pupil; not a day the course is not held.
    let mut other = app.signed_in(&other_teacher).await;
    assert_eq!(other.submit("/timetable", &action, &[("change", "planned")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(class.submit("/timetable", &action, &[("change", "planned")]).await.status, StatusCode::FORBIDDEN);
    let tuesday = action.replace("2026-09-07", "2026-09-08");
    assert_eq!(t.submit(week, &tuesday, &[("change", "cancelled")]).await.status, StatusCode::BAD_REQUEST);
    // The teacher writes what the lesson covered; the class reads it; a pupil writes nothing.
    let content = format!("{action}/content");
    let r = t.submit(week, &content, &[("content", "Fractions : addition de fractions de même dénominateur.")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = plain(&class.get(week).await.text);
    assert!(page.contains("Contenu de la séance") && page.contains("Fractions : addition"), "{page}");
    assert_eq!(class.submit("/timetable", &content, &[("content", "intrus")]).await.status, StatusCode::FORBIDDEN);
    // The teacher's calendar feed carries their lessons, a cancelled one marked so.
    let made = t.submit("/meetings", "/meetings/feed", &[]).await;
    let start = made.text.find("id=\"feed-url\" value=\"").expect("the feed address") + "id=\"feed-url\" value=\"".len();
    let url = made.text[start..start + made.text[start..].find('"').unwrap()].to_owned();
    let feed = app.client().get(url.strip_prefix("http://127.0.0.1:8080").unwrap()).await.text;
    assert!(feed.contains("BEGIN:VEVENT") && feed.contains(&format!("SUMMARY:{}", subject.name)), "{feed}");
    assert!(feed.contains("TZID=Europe/Paris:"));
    // The timetable is the staff's to keep.
    assert_eq!(t.get("/admin/timetable").await.status, StatusCode::FORBIDDEN);
}
