//! Notifications: homework set, a message and feedback are told to whom they concern, in the
//! in-app list (read once seen); the daily digest e-mail tells the unread ones, once.

use axum::http::StatusCode;

use crate::harness::{Cast, SmtpSink, TestApp, plain};

#[tokio::test]
async fn homework_messages_and_feedback_are_notified_and_digested_once_a_day() {
    let sink = SmtpSink::start().await;
    let mail = sink.config();
    let app = TestApp::with_config(|c| c.mail = Some(mail)).await;
    let a = app.class_course();
    let Cast { division, teacher, pupil, parent, elsewhere } = app.cast(a);
    let d = &division;

    // Homework set: the class and its parents are told.
    let mut t = app.signed_in(&teacher).await;
    let now = app.state.clock.now();
    let (today, later) = (preau_core::booking::local(now).unwrap().date(), preau_core::booking::local(now + 2 * 86_400_000).unwrap().date());
    let option = format!("d:{d}:{}", a.subject_id);
    let r = t
        .submit_multipart("/homework/new", "/homework/new", &[("class", &option), ("set_on", &today.to_string()), ("instructions", "Lire le chapitre 3."), ("due_date", &later.to_string()), ("due_time", "08:00")], &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut p = app.signed_in(&pupil).await;
    let list = plain(&p.get("/notifications").await.text);
    assert!(list.contains("Travail à faire :"), "{list}");
    assert_eq!(app.state.store.unread_notifications(&pupil.id, app.state.clock.now()).await.unwrap(), 0, "seen: read");
    let mut o = app.signed_in(&elsewhere).await;
    assert!(plain(&o.get("/notifications").await.text).contains("Aucune notification"));

    // A message: its recipient is told.
    let r = p
        .submit_multipart("/messages/new", "/messages/new", &[("to", teacher.id.as_str()), ("subject", "Chapitre 3"), ("body", "Quelles pages ?"), ("action", "send")], &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(plain(&t.get("/notifications").await.text).contains("Message : Chapitre 3"));

    // The digest: the parent gave an address; pupils get none unless they ask.
    let mut par = app.signed_in(&parent).await;
    assert_eq!(par.submit("/profile", "/profile/email", &[("email", "parent@famille.example")]).await.status, StatusCode::SEE_OTHER);
    let day = today.to_string();
    let at = app.state.clock.now();
    assert_eq!(app.state.store.queue_digests(&day, at).await.unwrap(), 1);
    assert_eq!(app.state.store.queue_digests(&day, at).await.unwrap(), 0, "once a day");
    assert_eq!(preau_web::mail::send_due(&app.state).await, 1);
    let mails = sink.messages();
    let digest = mails.iter().find(|m| m.to.iter().any(|t| t.contains("parent@famille.example"))).expect("the parent's digest");
    assert!(digest.data.contains("/homework/"), "{}", digest.data);
    // Turned off: none the next day, even with news.
    assert_eq!(par.submit("/notifications", "/notifications/digest", &[]).await.status, StatusCode::SEE_OTHER);
    let r = t
        .submit_multipart("/homework/new", "/homework/new", &[("class", &option), ("set_on", &today.to_string()), ("instructions", "Réviser."), ("due_date", &later.to_string()), ("due_time", "08:00")], &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let next = later.to_string();
    assert_eq!(app.state.store.queue_digests(&next, app.state.clock.now()).await.unwrap(), 0);
    let _ = &mut o;
}
