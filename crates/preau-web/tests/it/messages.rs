//! Messaging through the web: pupils write to their teachers, the rules refuse a classmate
//! (with the reason, nothing sent) until the administrator opens that way, teachers write to
//! a whole class's parents, and only a conversation's members read it.

use axum::http::StatusCode;
use preau_core::Role;
use preau_core::school::{Audience, Person};

use crate::harness::{TestApp, plain};

struct People {
    pupil: Person,
    classmate: Person,
    teacher: Person,
    parent: Person,
    other_parent: Person,
    outsider: Person,
    division: String,
    other_division: String,
}

fn people(app: &TestApp) -> People {
    let s = &app.school;
    let person = |id: &preau_core::PersonId| s.people.iter().find(|p| p.id == *id).unwrap().clone();
    let a = s.assignments.iter().find(|a| matches!(a.audience, Audience::Division(_))).unwrap();
    let Audience::Division(d) = &a.audience else { unreachable!() };
    let in_d: Vec<Person> = s.enrolments.iter().filter(|(_, x)| x == d).map(|(p, _)| person(p)).collect();
    let parent_of = |p: &Person| s.parent_links.iter().find(|(_, c)| *c == p.id).map(|(par, _)| person(par)).unwrap();
    // Two pupils of the class with different parents.
    let pupil = in_d[0].clone();
    let parent = parent_of(&pupil);
    let classmate = in_d.iter().find(|p| parent_of(p).id != parent.id).unwrap().clone();
    let other_parent = parent_of(&classmate);
    let teaches_d = |t: &preau_core::PersonId| s.assignments.iter().any(|x| x.teacher_id == *t && x.audience == a.audience);
    let other = s.divisions.iter().find(|x| x.id != *d && !s.assignments.iter().any(|y| y.teacher_id == a.teacher_id && y.audience == Audience::Division(x.id.clone())));
    let outsider = s.people.iter().find(|p| p.roles.contains(Role::Pupil) && !in_d.iter().any(|q| q.id == p.id)).unwrap().clone();
    let _ = teaches_d;
    People {
        pupil,
        classmate,
        teacher: person(&a.teacher_id),
        parent,
        other_parent,
        outsider,
        division: d.to_string(),
        other_division: other.map(|x| x.id.to_string()).unwrap_or_default(),
    }
}

#[tokio::test]
async fn a_pupil_writes_to_a_teacher_who_answers_and_the_rules_refuse_a_classmate_until_opened() {
    let app = TestApp::new().await;
    let p = people(&app);
    let mut pupil = app.signed_in(&p.pupil).await;
    let form = pupil.get("/messages/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains(&format!("value=\"{}\"", p.teacher.id)), "the pupil's teacher is offered");
    assert!(!form.text.contains(&format!("value=\"{}\"", p.classmate.id)), "classmates are not, by default");
    let r = pupil
        .submit_multipart("/messages/new", "/messages/new", &[("to", p.teacher.id.as_str()), ("subject", "Exercice 4"), ("body", "Je ne comprends pas la question b."), ("action", "send")], &[("files", "photo.png", b"\x89PNG\r\n\x1a\n....")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    let conversation = r.location().to_owned();
    // The teacher: one unread, reads it, answers.
    let mut teacher = app.signed_in(&p.teacher).await;
    let inbox = plain(&teacher.get("/messages").await.text);
    assert!(inbox.contains("1 message non lu"), "{inbox}");
    let page = plain(&teacher.get(&conversation).await.text);
    assert!(page.contains("Je ne comprends pas la question b.") && page.contains("photo.png"), "{page}");
    assert!(plain(&teacher.get("/messages").await.text).contains("Aucun message non lu"));
    let r = teacher.submit_multipart(&conversation, &format!("{conversation}/reply"), &[("body", "Relis la définition page 50.")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(plain(&pupil.get(&conversation).await.text).contains("Relis la définition page 50."));
    // Someone else: not even the page, nor its files.
    let mut outsider = app.signed_in(&p.outsider).await;
    assert_eq!(outsider.get(&conversation).await.status, StatusCode::FORBIDDEN);
    let file = page_link(&pupil.get(&conversation).await.text, &format!("{conversation}/files/"));
    assert_eq!(pupil.get(&file).await.status, StatusCode::OK);
    assert_eq!(outsider.get(&file).await.status, StatusCode::FORBIDDEN);
    assert_eq!(outsider.submit_multipart("/messages", &format!("{conversation}/reply"), &[("body", "intrus")], &[]).await.status, StatusCode::FORBIDDEN);

    // A classmate, picked by hand: refused with the reason, nothing sent.
    let to_classmate = [("to", p.classmate.id.as_str()), ("subject", "Devoir"), ("body", "Tu as fini ?"), ("action", "send")];
    let r = pupil.submit_multipart("/messages/new", "/messages/new", &to_classmate, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let text = plain(&r.text);
    assert!(text.contains("n'est pas parti") && text.contains(&p.classmate.display_name()) && text.contains("écrivent aux élèves de leurs classes"), "{text}");
    let mut classmate = app.signed_in(&p.classmate).await;
    assert!(plain(&classmate.get("/messages").await.text).contains("Aucune conversation"));
    // The administrator opens that way; now it goes.
    let admin = app.person(Role::Admin, 0).clone();
    let mut admin = app.signed_in(&admin).await;
    assert_eq!(pupil.get("/admin/communication").await.status, StatusCode::FORBIDDEN);
    let r = admin
        .submit("/admin/communication", "/admin/communication", &[("pupils_to_teachers", "on"), ("pupils_to_classmates", "on"), ("pupils_to_staff", "on"), ("parents_to_teachers", "on"), ("parents_to_staff", "on")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(pupil.submit_multipart("/messages/new", "/messages/new", &to_classmate, &[]).await.status, StatusCode::SEE_OTHER);
    assert!(plain(&classmate.get("/messages").await.text).contains("1 message non lu"));
}

fn page_link(html: &str, prefix: &str) -> String {
    html.split("href=\"").find(|s| s.starts_with(prefix)).map(|s| s[..s.find('"').unwrap()].to_owned()).expect("a link")
}

#[tokio::test]
async fn parents_write_to_their_childrens_teachers_and_teachers_to_a_whole_class_of_parents() {
    let app = TestApp::new().await;
    let p = people(&app);
    let mut parent = app.signed_in(&p.parent).await;
    let send = |to: &str| vec![("to", to.to_owned()), ("subject", "Absence".to_owned()), ("body", "Mon enfant sera absent lundi.".to_owned()), ("action", "send".to_owned())];
    let fields = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let to_teacher = fields(&send(p.teacher.id.as_str()));
    let refs: Vec<(&str, &str)> = to_teacher.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(parent.submit_multipart("/messages/new", "/messages/new", &refs, &[]).await.status, StatusCode::SEE_OTHER);
    let to_parent = fields(&send(p.other_parent.id.as_str()));
    let refs: Vec<(&str, &str)> = to_parent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = parent.submit_multipart("/messages/new", "/messages/new", &refs, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "parents do not write to each other by default");

    // The teacher writes to the class's parents at once: each gets it.
    let mut teacher = app.signed_in(&p.teacher).await;
    let r = teacher
        .submit_multipart("/messages/new", "/messages/new", &[("parents_of", p.division.as_str()), ("subject", "Réunion parents-professeurs"), ("body", "Elle aura lieu jeudi."), ("action", "send")], &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    let mut other_parent = app.signed_in(&p.other_parent).await;
    assert!(plain(&other_parent.get("/messages").await.text).contains("Réunion parents-professeurs"));
    // One conversation each: a parent's answer goes to the teacher, not to the other parents.
    let theirs = other_parent.get("/messages").await.text;
    let conversation = theirs.split("data-conversation=\"").nth(1).map(|x| format!("/messages/{}", &x[..26])).unwrap();
    let page = plain(&other_parent.get(&conversation).await.text);
    assert!(!page.contains(&p.parent.display_name()), "no other family named: {page}");
    let r = other_parent.submit_multipart(&conversation, &format!("{conversation}/reply"), &[("body", "Bien reçu.")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.unread_messages(&p.parent.id).await.unwrap(), 1, "the teacher's message only: the other parent's answer did not reach this one");
    // Not a class the teacher does not teach.
    if !p.other_division.is_empty() {
        let r = teacher.submit_multipart("/messages/new", "/messages/new", &[("parents_of", p.other_division.as_str()), ("subject", "x"), ("body", "y"), ("action", "send")], &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // The staff search the directory on the form, nothing is sent meanwhile.
    let r = teacher.submit_multipart("/messages/new", "/messages/new", &[("q", &p.pupil.last_name), ("subject", "Brouillon"), ("action", "search")], &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains(&format!("value=\"{}\"", p.pupil.id)) && r.text.contains("Brouillon"));
}
