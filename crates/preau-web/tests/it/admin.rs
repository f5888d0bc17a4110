//! Account administration through the pages.

use axum::http::StatusCode;
use preau_core::Role;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn the_directory_searches_and_pages() {
    let app = TestApp::new().await;
    let mut c = app.signed_in(app.person(Role::Admin, 0)).await;
    let all = c.get("/admin/people").await;
    assert_eq!(all.page(), "admin-people");
    let total = app.school.people.len();
    assert!(all.text.contains(&format!("{total} personnes.")));
    assert_eq!(all.text.matches("<tr><th scope=\"row\">").count(), 25, "25 per page");
    assert!(all.text.contains("rel=\"next\""));
    let last_page = total.div_ceil(25);
    let last = c.get(&format!("/admin/people?q=&page={last_page}")).await;
    assert!(last.text.contains("rel=\"prev\"") && !last.text.contains("rel=\"next\""));
    assert_eq!(last.text.matches("<tr><th scope=\"row\">").count(), total - 25 * (last_page - 1));

    let teacher = app.person(Role::Teacher, 0);
    let found = c.get(&format!("/admin/people?q={}", teacher.last_name)).await;
    assert!(found.text.contains(&teacher.login));
    let none = c.get("/admin/people?q=%25%25zzz").await;
    assert!(none.text.contains("Aucune personne trouvée."));
    // Junk in the query string gets a clear 400.
    assert_eq!(c.get("/admin/people?page=abc").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_creates_an_account_that_can_log_in() {
    let app = TestApp::new().await;
    let mut c = app.signed_in(app.person(Role::Admin, 0)).await;
    let before = app.count_people().await;
    let r = c
        .submit(
            "/admin/people/new",
            "/admin/people/new",
            &[("first_name", "Élodie"), ("last_name", "Chassagne"), ("login", ""), ("role", "teacher"), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.text.contains("elodie.chassagne"));
    let generated = r.text.split("<code class=\"secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(app.count_people().await, before + 1);
    let mut new = app.client();
    assert_eq!(new.login("elodie.chassagne", &generated).await.status, StatusCode::SEE_OTHER);
    assert_eq!(new.get("/dashboard").await.page(), "dashboard-teacher");
}

#[tokio::test]
async fn bad_account_forms_are_refused_and_write_nothing() {
    let app = TestApp::new().await;
    let mut c = app.signed_in(app.person(Role::Admin, 0)).await;
    let before = app.count_people().await;
    let taken = app.person(Role::Pupil, 0).login.clone();
    let cases: Vec<(Vec<(&str, &str)>, StatusCode, &str)> = vec![
        (vec![("first_name", ""), ("last_name", "X"), ("role", "pupil")], StatusCode::UNPROCESSABLE_ENTITY, "Indiquez le prénom"),
        (vec![("first_name", "A"), ("last_name", "B"), ("role", "root")], StatusCode::UNPROCESSABLE_ENTITY, "Choisissez un profil"),
        (vec![("first_name", "A"), ("last_name", "B"), ("login", "Bad Login!"), ("role", "pupil")], StatusCode::UNPROCESSABLE_ENTITY, "L&#39;identifiant ne peut contenir"),
        (vec![("first_name", "A"), ("last_name", "B"), ("role", "pupil"), ("password", "court")], StatusCode::UNPROCESSABLE_ENTITY, "au moins 8 caractères"),
        (vec![("first_name", "A"), ("last_name", "B"), ("login", &taken), ("role", "pupil")], StatusCode::CONFLICT, "est déjà pris"),
        (vec![("first_name", "A\u{7}"), ("last_name", "B"), ("role", "pupil")], StatusCode::UNPROCESSABLE_ENTITY, "Indiquez le prénom"),
    ];
    for (fields, status, message) in cases {
        let r = c.submit("/admin/people/new", "/admin/people/new", &fields).await;
        assert_eq!(r.status, status, "{fields:?}");
        assert!(r.text.contains(message), "{fields:?}: {message} not in the page");
        assert!(r.text.contains("role=\"alert\""));
    }
    assert_eq!(app.count_people().await, before, "nothing written");
}

#[tokio::test]
async fn an_admin_resets_a_password_and_disables_an_account() {
    let app = TestApp::new().await;
    let admin = app.person(Role::Admin, 0);
    let pupil = app.person(Role::Pupil, 5);
    let mut c = app.signed_in(admin).await;
    let mut pupil_browser = app.signed_in(pupil).await;

    let form = format!("/admin/people/{}/password", pupil.id);
    let r = c.submit(&form, &form, &[("password", "nouveau mot de passe")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(pupil_browser.get("/dashboard").await.status, StatusCode::SEE_OTHER, "reset closes sessions");
    let mut again = app.client();
    assert_eq!(again.login(&pupil.login, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.login(&pupil.login, "nouveau mot de passe").await.status, StatusCode::SEE_OTHER);
    let audit = app.state.store.audit_of(pupil.id.as_str()).await.unwrap();
    assert_eq!(audit[0].0, "password.reset");

    let r = c.submit("/admin/people", &format!("/admin/people/{}/disable", pupil.id), &[("back", "/admin/people?q=")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(again.get("/dashboard").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.client().login(&pupil.login, "nouveau mot de passe").await.status, StatusCode::FORBIDDEN);
    let r = c.submit("/admin/people", &format!("/admin/people/{}/enable", pupil.id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.client().login(&pupil.login, "nouveau mot de passe").await.status, StatusCode::SEE_OTHER);
    // An admin cannot lock themself out.
    let r = c.submit("/admin/people", &format!("/admin/people/{}/disable", admin.id), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!app.state.store.person(&admin.id).await.unwrap().unwrap().disabled);
}

#[tokio::test]
async fn the_divisions_directory_searches_and_pages() {
    let app = TestApp::new().await;
    let mut c = app.signed_in(app.person(Role::Admin, 0)).await;
    let all = c.get("/admin/divisions").await;
    assert_eq!(all.page(), "admin-divisions");
    assert!(all.text.contains("4 classes."));
    for d in &app.school.divisions {
        assert!(all.text.contains(&d.name));
    }
    let one = c.get("/admin/divisions?q=4e").await;
    assert!(one.text.contains("1 classe.") && one.text.contains("4e A") && !one.text.contains("5e A"));
    assert!(c.get("/admin/divisions?q=zz").await.text.contains("Aucune classe trouvée."));
    let mut teacher = app.signed_in(app.person(Role::Teacher, 0)).await;
    assert_eq!(teacher.get("/admin/divisions").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_teacher_who_is_also_a_parent_switches_dashboards_and_a_guest_is_told_what_to_expect() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in(app.person(Role::Admin, 0)).await;
    let r = admin
        .submit("/admin/people/new", "/admin/people/new", &[("first_name", "Gaëlle"), ("last_name", "Invitée"), ("role", "guest"), ("password", "une invitée bienvenue")])
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mut guest = app.client();
    guest.login("gaelle.invitee", "une invitée bienvenue").await;
    let dash = guest.get("/dashboard").await;
    assert_eq!(dash.page(), "dashboard-guest");
    assert!(dash.text.contains("compte d&#39;invité"), "{}", dash.text);

    // Make a teacher the parent of a pupil too.
    let teacher = app.person(Role::Teacher, 6);
    let pupil = app.person(Role::Pupil, 10);
    app.state.store.link_parent(&teacher.id, &pupil.id).await.unwrap();
    app.state.store.add_role(&teacher.id, Role::Parent).await.unwrap();
    let mut c = app.signed_in(teacher).await;
    let dash = c.get("/dashboard").await;
    assert_eq!(dash.page(), "dashboard-teacher");
    assert!(dash.text.contains("href=\"/dashboard?as=parent\""));
    let as_parent = c.get("/dashboard?as=parent").await;
    assert_eq!(as_parent.page(), "dashboard-parent");
    assert!(as_parent.text.contains(&pupil.last_name.to_uppercase()));
    // A role one does not hold is ignored.
    assert_eq!(c.get("/dashboard?as=admin").await.page(), "dashboard-teacher");
}
