//! The homework diary through the web: a teacher sets homework with a document, a pupil of the
//! class sees it and hands in, the teacher returns feedback, a parent follows; the cross cases
//! (another class, another pupil's work, another teacher's class), late work, and bad uploads —
//! refused with a message, nothing stored.

use axum::http::{StatusCode, header};
use preau_core::school::{Audience, Person};
use preau_core::{Millis, Role};

use crate::harness::{Client, TestApp, plain};

const PDF: &[u8] = b"%PDF-1.7 fiche d'exercices";

fn paris_date(at: Millis) -> String {
    preau_core::booking::local(at).unwrap().date().to_string()
}

struct Class {
    teacher: Person,
    /// The option value of the teacher's assignment on the form.
    option: String,
    pupils: Vec<Person>,
    parent: Person,
    elsewhere: Person,
    other_teacher: Person,
}

/// The first division assignment of the demo, its pupils, a parent of its first pupil, a pupil
/// of another division, and a teacher who does not teach it.
fn class(app: &TestApp) -> Class {
    let s = &app.school;
    let a = s.assignments.iter().find(|a| matches!(a.audience, Audience::Division(_))).unwrap();
    let Audience::Division(d) = &a.audience else { unreachable!() };
    let person = |id: &preau_core::PersonId| s.people.iter().find(|p| p.id == *id).unwrap().clone();
    let pupils: Vec<Person> = s.enrolments.iter().filter(|(_, div)| div == d).map(|(p, _)| person(p)).collect();
    let parent = s.parent_links.iter().find(|(_, child)| *child == pupils[0].id).map(|(p, _)| person(p)).unwrap();
    let elsewhere = s.enrolments.iter().find(|(_, div)| div != d).map(|(p, _)| person(p)).unwrap();
    let teaches_d = |t: &preau_core::PersonId| {
        s.assignments.iter().any(|x| x.teacher_id == *t && x.audience == a.audience)
            || s.divisions.iter().any(|x| x.id == *d && x.head_teacher_id.as_ref() == Some(t))
    };
    let other_teacher = s.people.iter().find(|p| p.roles.contains(Role::Teacher) && !teaches_d(&p.id)).unwrap().clone();
    Class { teacher: person(&a.teacher_id), option: format!("d:{d}:{}", a.subject_id), pupils, parent, elsewhere, other_teacher }
}

/// Sets homework through the form; answers its path.
async fn set(app: &TestApp, teacher: &mut Client, option: &str, extra: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> String {
    let now = app.state.clock.now();
    let (today, later) = (paris_date(now), paris_date(now + 2 * 86_400_000));
    let mut fields = vec![("class", option), ("set_on", today.as_str()), ("instructions", "Exercices 3 et 4 page 52."), ("due_date", later.as_str()), ("due_time", "08:00"), ("minutes", "30")];
    fields.extend_from_slice(extra);
    let r = teacher.submit_multipart("/homework/new", "/homework/new", &fields, files).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    r.location().to_owned()
}

#[tokio::test]
async fn homework_goes_from_the_teacher_to_the_class_and_back_and_a_parent_follows() {
    let app = TestApp::new().await;
    let c = class(&app);
    let mut teacher = app.signed_in(&c.teacher).await;
    let form = teacher.get("/homework/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains(&c.option), "the teacher's classes are offered");
    let big = [PDF, &vec![b'x'; 3 * 1024 * 1024][..]].concat();
    let path = set(&app, &mut teacher, &c.option, &[("hand_in", "on")], &[("files", "Fiche d'exercices.pdf", PDF), ("files", "scan", &big)]).await;
    assert!(plain(&teacher.get(&path).await.text).contains("scan.pdf"), "a 3 MiB scan, named after what it is");
    let page = teacher.get(&path).await;
    assert!(plain(&page.text).contains("Exercices 3 et 4 page 52."));
    let file = page.text.split("href=\"").find(|s| s.starts_with(&format!("{path}/files/"))).map(|s| s[..s.find('"').unwrap()].to_owned()).unwrap();
    assert!(plain(&page.text).contains(&format!("(0/{})", c.pupils.len())), "nobody handed in yet");

    // A pupil of the class: on the dashboard, in the list, the page, the document.
    let mut pupil = app.signed_in(&c.pupils[0]).await;
    let id = path.trim_start_matches("/homework/");
    assert!(pupil.get("/dashboard").await.text.contains(&format!("data-homework=\"{id}\"")));
    assert!(pupil.get("/homework").await.text.contains(&format!("data-homework=\"{id}\"")));
    assert_eq!(pupil.get(&path).await.status, StatusCode::OK);
    let doc = pupil.get(&file).await;
    assert_eq!((doc.status, doc.headers[header::CONTENT_TYPE].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    assert_eq!(doc.text.as_bytes(), PDF);
    assert!(doc.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"Fiche d'exercices.pdf\""));
    // Hands in a text and a file.
    let r = pupil.submit_multipart(&path, &format!("{path}/hand-in"), &[("text", "Voici mon travail.")], &[("files", "copie.txt", b"x = 3")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    let mine = plain(&pupil.get(&path).await.text);
    assert!(mine.contains("Voici mon travail.") && mine.contains("copie.txt"), "{mine}");

    // The teacher sees who handed in, opens the work, returns feedback with a file.
    let page = teacher.get(&path).await;
    assert!(plain(&page.text).contains(&format!("(1/{})", c.pupils.len())));
    let work = page.text.split("href=\"").find(|s| s.starts_with(&format!("{path}/submissions/"))).map(|s| s[..s.find('"').unwrap()].to_owned()).unwrap();
    assert!(plain(&teacher.get(&work).await.text).contains("Voici mon travail."));
    let seen = teacher.get(&work).await.hidden("seen");
    let r = teacher.submit_multipart(&work, &format!("{work}/feedback"), &[("seen", &seen), ("feedback", "Bien, mais justifie.")], &[("files", "corrigé.pdf", b"%PDF-1.4 corrige")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    let mine = plain(&pupil.get(&path).await.text);
    assert!(mine.contains("Bien, mais justifie.") && mine.contains("corrigé.pdf"), "{mine}");
    // Marked: the pupil can no longer replace it.
    let r = pupil.submit_multipart(&path, &format!("{path}/hand-in"), &[("text", "Autre version")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("déjà corrigé"));

    // The parent sees the status and the feedback, and the file returned.
    let mut parent = app.signed_in(&c.parent).await;
    let theirs = plain(&parent.get(&path).await.text);
    assert!(theirs.contains("corrigé") && theirs.contains("Bien, mais justifie."), "{theirs}");
    let page = parent.get(&path).await.text;
    // The pupil's file, then the one returned with the feedback.
    let returned = page.split("href=\"").filter(|s| s.starts_with(&format!("{work}/files/"))).last().map(|s| s[..s.find('"').unwrap()].to_owned()).unwrap();
    let file_back = parent.get(&returned).await;
    assert_eq!((file_back.status, file_back.text.as_str()), (StatusCode::OK, "%PDF-1.4 corrige"));
    assert!(parent.get("/homework").await.text.contains(&format!("data-homework=\"{id}\"")));

    // Cross cases: a pupil of another class, a classmate on someone else's work, another teacher.
    let mut other = app.signed_in(&c.elsewhere).await;
    for url in [path.clone(), file.clone(), work.clone()] {
        assert_eq!(other.get(&url).await.status, StatusCode::FORBIDDEN, "{url}");
    }
    assert!(!other.get("/homework").await.text.contains(id));
    let r = other.submit_multipart("/homework", &format!("{path}/hand-in"), &[("text", "intrus")], &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut classmate = app.signed_in(&c.pupils[1]).await;
    assert_eq!(classmate.get(&path).await.status, StatusCode::OK, "the homework is the class's");
    assert_eq!(classmate.get(&work).await.status, StatusCode::FORBIDDEN, "the work is its pupil's");
    let mut stranger = app.signed_in(&c.other_teacher).await;
    assert_eq!(stranger.get(&path).await.status, StatusCode::FORBIDDEN);
    let r = stranger.submit_multipart("/homework/new", &format!("{work}/feedback"), &[("seen", &seen), ("feedback", "?")], &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_uploads_and_bad_forms_are_refused_with_a_message_and_store_nothing() {
    let app = TestApp::with_config(|c| c.max_upload_bytes = 64 * 1024).await;
    let c = class(&app);
    let mut teacher = app.signed_in(&c.teacher).await;
    let files_dir = || std::fs::read_dir(app.state.store.file_path(&"0".repeat(64)).unwrap().parent().unwrap().parent().unwrap()).map_or(0, |d| d.count());
    let now = app.state.clock.now();
    let (today, later) = (paris_date(now), paris_date(now + 2 * 86_400_000));
    let base = [("class", c.option.as_str()), ("set_on", today.as_str()), ("instructions", "Lire le chapitre 2."), ("due_date", later.as_str()), ("due_time", "08:00")];
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = base.iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).cloned().collect();
        f.extend(changes.iter().filter(|(_, v)| !v.is_empty()).cloned());
        f
    };
    let html: &[u8] = b"<!DOCTYPE html><script>fetch('/admin')</script>";
    let big = [PDF, &vec![b'x'; 100 * 1024][..]].concat();
    // A class and subject the teacher does not teach.
    let subject = c.option.rsplit(':').next().unwrap();
    let mine = |a: &preau_core::school::TeachingAssignment| app.school.assignments.iter().any(|m| m.teacher_id == c.teacher.id && m.subject_id == a.subject_id && m.audience == a.audience);
    let untaught = app.school.assignments.iter().find(|a| !mine(a) && matches!(a.audience, Audience::Division(_))).unwrap();
    let Audience::Division(d) = &untaught.audience else { unreachable!() };
    let other_option = format!("d:{d}:{}", untaught.subject_id);
    let _ = subject;
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str, &'a [u8])>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (with(&[]), vec![("files", "devoir.pdf", html)], StatusCode::UNPROCESSABLE_ENTITY, "n'est pas d'un type accepté"),
        (with(&[]), vec![("files", "..", PDF)], StatusCode::UNPROCESSABLE_ENTITY, "n'est pas utilisable"),
        (with(&[]), vec![("files", "vide.pdf", b"")], StatusCode::UNPROCESSABLE_ENTITY, "est vide"),
        (with(&[("instructions", " ")]), vec![], StatusCode::UNPROCESSABLE_ENTITY, "Les consignes sont obligatoires"),
        (with(&[("due_date", "2020-01-01")]), vec![], StatusCode::UNPROCESSABLE_ENTITY, "le jour de la séance ou après"),
        (with(&[("due_date", "demain")]), vec![], StatusCode::UNPROCESSABLE_ENTITY, "n'est pas valide"),
        (with(&[("minutes", "9000")]), vec![], StatusCode::UNPROCESSABLE_ENTITY, "de 1 à 600 minutes"),
        (with(&[("class", "d:pas-un-id:x")]), vec![], StatusCode::UNPROCESSABLE_ENTITY, "Choisissez une de vos classes"),
        (with(&[("class", "")]), vec![], StatusCode::UNPROCESSABLE_ENTITY, "Choisissez une de vos classes"),
        (with(&[]), vec![("files", "gros.pdf", &big)], StatusCode::PAYLOAD_TOO_LARGE, ""),
    ];
    for (fields, files, status, message) in cases {
        let r = teacher.submit_multipart("/homework/new", "/homework/new", &fields, &files).await;
        assert_eq!(r.status, status, "{fields:?} {}", plain(&r.text));
        assert!(plain(&r.text).contains(message), "{message}: {}", plain(&r.text));
    }
    // Another teacher's class, chosen by hand: refused too.
    let mut fields = with(&[]);
    fields[0] = ("class", other_option.as_str());
    assert_eq!(teacher.submit_multipart("/homework/new", "/homework/new", &fields, &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without the CSRF token: refused before anything is read.
    assert_eq!(teacher.post_multipart("/homework/new", &with(&[]), &[("files", "a.pdf", PDF)]).await.status, StatusCode::FORBIDDEN);
    // Nothing of it was stored: no homework, no file.
    assert!(!teacher.get("/homework").await.text.contains("data-homework"));
    assert_eq!(files_dir(), 0, "no file written");
    // A path or control characters in a name: the name is cleaned, the file kept.
    let path = set(&app, &mut teacher, &c.option, &[], &[("files", "../../etc/pa\tsswd.pdf", PDF)]).await;
    let page = plain(&teacher.get(&path).await.text);
    assert!(page.contains("passwd.pdf") && !page.contains("etc/"), "{page}");
}

#[tokio::test]
async fn late_work_is_refused_or_flagged_as_the_teacher_chose_and_unpublished_homework_is_the_teachers() {
    let app = TestApp::new().await;
    let c = class(&app);
    let mut teacher = app.signed_in(&c.teacher).await;
    let strict = set(&app, &mut teacher, &c.option, &[("hand_in", "on")], &[]).await;
    let lenient = set(&app, &mut teacher, &c.option, &[("hand_in", "on"), ("late", "on")], &[]).await;
    let now = app.state.clock.now();
    let soon = paris_date(now + 86_400_000);
    let hidden = set(&app, &mut teacher, &c.option, &[("publish_date", soon.as_str()), ("publish_time", "00:00")], &[]).await;
    let mut pupil = app.signed_in(&c.pupils[0]).await;
    // Not published yet: the teacher sees it (and when it will be), the class does not.
    assert!(plain(&teacher.get(&hidden).await.text).contains("publié le"));
    assert_eq!(pupil.get(&hidden).await.status, StatusCode::FORBIDDEN);
    assert!(!pupil.get("/homework").await.text.contains(hidden.trim_start_matches("/homework/")));
    // Three days on: past the time it was due (and past the sessions' lifetime: signed in again).
    app.state.clock.advance(3 * 86_400_000);
    let mut pupil = app.signed_in(&c.pupils[0]).await;
    let mut teacher = app.signed_in(&c.teacher).await;
    let page = plain(&pupil.get(&strict).await.text);
    assert!(page.contains("n'accepte pas de retard"), "{page}");
    let r = pupil.submit_multipart(&strict, &format!("{strict}/hand-in"), &[("text", "En retard")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("n'accepte pas de retard"));
    let r = pupil.submit_multipart(&lenient, &format!("{lenient}/hand-in"), &[("text", "En retard")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(plain(&teacher.get(&lenient).await.text).contains("rendu en retard le"));
    assert!(plain(&teacher.get(&strict).await.text).contains("pas encore rendu"));
    // The teacher changes one, deletes one nobody handed in; one handed in stays.
    let r = teacher
        .submit_multipart(&format!("{strict}/edit"), &format!("{strict}/edit"), &[("set_on", &paris_date(now)), ("instructions", "Exercices 5 et 6, corrigés."), ("due_date", &paris_date(now + 5 * 86_400_000)), ("due_time", "08:00"), ("hand_in", "on")], &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    assert!(plain(&pupil.get(&strict).await.text).contains("Exercices 5 et 6, corrigés."));
    assert_eq!(pupil.get(&format!("{strict}/edit")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(teacher.submit(&hidden, &format!("{hidden}/delete"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(teacher.get(&hidden).await.status, StatusCode::NOT_FOUND);
    let r = teacher.submit(&lenient, &format!("{lenient}/delete"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(plain(&r.text).contains("déjà rendu"));
    // Nothing to hand in: refused, and a tick instead.
    let r = pupil.submit_multipart(&lenient, &format!("{lenient}/hand-in"), &[("text", "  ")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("Joignez un fichier ou écrivez un texte"));
}
