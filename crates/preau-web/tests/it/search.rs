//! Search finds one's homework, one's classes' resources and one's messages — and nothing of
//! another class, nor homework not yet published.

use axum::http::StatusCode;

use crate::harness::{Cast, TestApp, plain};

#[tokio::test]
async fn search_finds_what_one_may_see_and_nothing_else() {
    let app = TestApp::new().await;
    let a = app.class_course();
    let Cast { division, teacher, pupil, elsewhere, .. } = app.cast(a);
    let d = &division;
    let now = app.state.clock.now();
    let day = |n: i64| preau_core::booking::local(now + n * 86_400_000).unwrap().date().to_string();
    let option = format!("d:{d}:{}", a.subject_id);
    let mut t = app.signed_in(&teacher).await;
    let (today, due) = (day(0), day(3));
    for (instructions, publish) in [("Schéma de la photosynthèse", String::new()), ("Photosynthèse : contrôle surprise", day(2))] {
        let fields = [("class", option.as_str()), ("set_on", &today), ("instructions", instructions), ("due_date", &due), ("due_time", "08:00"), ("publish_date", &publish)];
        let r = t.submit_multipart("/homework/new", "/homework/new", &fields, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", plain(&r.text));
    }
    let shelf = format!("/resources/d-{d}/{}", a.subject_id);
    assert_eq!(t.submit_multipart(&shelf, &shelf, &[("folder", "")], &[("files", "photosynthese-cours.pdf", b"%PDF-1.4 x")]).await.status, StatusCode::SEE_OTHER);
    let mut p = app.signed_in(&pupil).await;
    let r = p.submit_multipart("/messages/new", "/messages/new", &[("to", teacher.id.as_str()), ("subject", "Question photosynthèse"), ("body", "?"), ("action", "send")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let found = plain(&p.get("/search?q=photosynth").await.text);
    assert!(found.contains("Travail à faire (1)") && found.contains("Schéma de la photosynthèse"), "{found}");
    assert!(!found.contains("contrôle surprise"), "not published yet");
    assert!(found.contains("Ressources (1)") && found.contains("photosynthese-cours.pdf"));
    assert!(found.contains("Messages (1)") && found.contains("Question photosynthèse"));
    assert!(plain(&t.get("/search?q=photosynth").await.text).contains("Travail à faire (2)"), "the teacher sees both");
    let mut o = app.signed_in(&elsewhere).await;
    let theirs = plain(&o.get("/search?q=photosynth").await.text);
    assert!(theirs.contains("Travail à faire (0)") && theirs.contains("Ressources (0)") && theirs.contains("Messages (0)"), "{theirs}");
    // Wildcards are taken as text.
    assert!(plain(&p.get("/search?q=%25%25").await.text).contains("Travail à faire (0)"));
}
