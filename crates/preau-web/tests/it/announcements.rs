//! Announcements: a teacher's to their class, the staff's to everyone, each shown to whom it
//! is for during its period, withdrawn by its author.

use axum::http::StatusCode;
use preau_core::Role;
use preau_core::school::Audience;

use crate::harness::{Cast, TestApp, plain};

#[tokio::test]
async fn news_reach_the_class_or_the_school_they_are_for_and_no_one_else() {
    let app = TestApp::new().await;
    let s = &app.school;
    // A teacher of a class (one who does not teach every class, if the demo has one).
    let teaches = |t: &preau_core::PersonId, x: &preau_core::DivisionId| {
        s.assignments.iter().any(|y| y.teacher_id == *t && y.audience == Audience::Division(x.clone()))
            || s.divisions.iter().any(|z| z.id == *x && z.head_teacher_id.as_ref() == Some(t))
    };
    let a = s
        .assignments
        .iter()
        .filter(|a| matches!(a.audience, Audience::Division(_)))
        .max_by_key(|a| s.divisions.iter().filter(|x| !teaches(&a.teacher_id, &x.id)).count())
        .unwrap();
    let Cast { division, teacher, pupil, parent, elsewhere } = app.cast(a);
    let d = &division;
    let other_division = s.divisions.iter().find(|x| !teaches(&teacher.id, &x.id));
    let today = preau_core::booking::local(app.state.clock.now()).unwrap().date();
    let (from, until) = (today.to_string(), today.checked_add(jiff::Span::new().days(3)).unwrap().to_string());

    let mut t = app.signed_in(&teacher).await;
    let r = t.submit("/announcements", "/announcements", &[("to", d.as_str()), ("title", "Sortie au musée"), ("body", "Jeudi, rendez-vous à 8 h."), ("from", &from), ("until", &until)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    // Not to the whole school, not to a class the teacher does not teach.
    assert_eq!(t.submit("/announcements", "/announcements", &[("to", "all"), ("title", "x"), ("body", "y"), ("from", &from), ("until", &until)]).await.status, StatusCode::FORBIDDEN);
    if let Some(other) = other_division.map(|x| x.id.to_string()) {
        assert_eq!(t.submit("/announcements", "/announcements", &[("to", &other), ("title", "x"), ("body", "y"), ("from", &from), ("until", &until)]).await.status, StatusCode::FORBIDDEN);
    }
    // A period that ends before it begins: refused, nothing published.
    let r = t.submit("/announcements", "/announcements", &[("to", d.as_str()), ("title", "Erreur"), ("body", "y"), ("from", &until), ("until", &from)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&r.text).contains("période valide"));

    // The staff, to everyone.
    let staff = app.person(Role::Staff, 0).clone();
    let mut office = app.signed_in(&staff).await;
    let r = office.submit("/announcements", "/announcements", &[("to", "all"), ("title", "Fermeture exceptionnelle"), ("body", "Le collège ferme vendredi."), ("from", &from), ("until", &until)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    for (who, p, class_news) in [("pupil", &pupil, true), ("parent", &parent, true), ("pupil elsewhere", &elsewhere, false)] {
        let mut c = app.signed_in(p).await;
        let dash = plain(&c.get("/dashboard").await.text);
        assert!(dash.contains("Fermeture exceptionnelle"), "{who} sees the school's");
        assert_eq!(dash.contains("Sortie au musée"), class_news, "{who} and the class's");
    }
    // Withdrawn: by its author, not by someone else.
    let page = t.get("/announcements").await.text;
    let action = page.split("action=\"").find(|x| x.starts_with("/announcements/") && x.contains("/delete")).map(|x| x[..x.find('"').unwrap()].to_owned()).unwrap();
    assert_eq!(office.submit("/announcements", &action, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(t.submit("/announcements", &action, &[]).await.status, StatusCode::SEE_OTHER);
    let mut c = app.signed_in(&pupil).await;
    assert!(!plain(&c.get("/dashboard").await.text).contains("Sortie au musée"));
}
