//! Object-level authorization through HTTP: the cross cases.

use axum::http::StatusCode;
use preau_core::Role;
use preau_core::school::Audience;

use crate::harness::TestApp;

fn division_of<'a>(app: &'a TestApp, pupil: &preau_core::PersonId) -> &'a preau_core::DivisionId {
    &app.school.enrolments.iter().find(|(p, _)| p == pupil).unwrap().1
}

#[tokio::test]
async fn a_pupil_cannot_read_another_pupils_profile_by_changing_the_id() {
    let app = TestApp::new().await;
    let me = app.person(Role::Pupil, 0);
    let classmate = app.person(Role::Pupil, 1);
    let mut c = app.signed_in(me).await;
    let own = c.get(&format!("/people/{}", me.id)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text.contains(&me.last_name.to_uppercase()));
    let r = c.get(&format!("/people/{}", classmate.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.page(), "error-403");
    assert!(r.text.contains("Accès refusé"));
    assert!(!r.text.contains(&classmate.first_name), "no data on a 403 page");
    assert!(r.text.contains("Se déconnecter"), "the refused person keeps their header");
    // Malformed and unknown ids are not found, never an error.
    for bad in ["xyz", "01kb0000000000000000000000", "..%2F..%2Fetc", "%00"] {
        assert_eq!(c.get(&format!("/people/{bad}")).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Own division yes, another no; never the roster.
    let mine = division_of(&app, &me.id);
    let page = c.get(&format!("/divisions/{mine}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("Liste de la classe"));
    let other = app.school.divisions.iter().find(|d| d.id != *mine).unwrap();
    assert_eq!(c.get(&format!("/divisions/{}", other.id)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/admin/people").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_parent_sees_only_their_own_children() {
    let app = TestApp::new().await;
    // A parent with two children exercises the switch.
    let parent_id = app
        .school
        .parent_links
        .iter()
        .map(|(p, _)| p)
        .find(|p| app.school.parent_links.iter().filter(|(q, _)| q == *p).count() > 1)
        .unwrap();
    let parent = app.school.people.iter().find(|p| p.id == *parent_id).unwrap();
    let children: Vec<_> = app.school.parent_links.iter().filter(|(p, _)| p == parent_id).map(|(_, c)| c.clone()).collect();
    let stranger = app.school.enrolments.iter().map(|(p, _)| p).find(|p| !children.contains(p)).unwrap();
    let mut c = app.signed_in(parent).await;
    let dash = c.get("/dashboard").await;
    assert_eq!(dash.page(), "dashboard-parent");
    for child in &children {
        assert!(dash.text.contains(&format!("data-child=\"{child}\"")), "switch lists every child");
        let page = c.get(&format!("/dashboard?child={child}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains(&format!("href=\"/dashboard?child={child}\" data-child=\"{child}\" aria-current=\"page\"")));
        assert_eq!(c.get(&format!("/people/{child}")).await.status, StatusCode::OK);
    }
    assert_eq!(c.get(&format!("/dashboard?child={stranger}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get(&format!("/people/{stranger}")).await.status, StatusCode::FORBIDDEN);
    let strangers_division = division_of(&app, stranger);
    let own_divisions: Vec<_> = children.iter().map(|c| division_of(&app, c)).collect();
    if !own_divisions.contains(&strangers_division) {
        assert_eq!(c.get(&format!("/divisions/{strangers_division}")).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_teacher_sees_only_the_divisions_they_teach() {
    let app = TestApp::new().await;
    // The Spanish teacher teaches a group, not whole divisions; the maths teacher teaches all.
    let spanish = app.person(Role::Teacher, 4);
    let taught: Vec<_> = app
        .school
        .assignments
        .iter()
        .filter(|a| a.teacher_id == spanish.id)
        .filter_map(|a| match &a.audience {
            Audience::Division(d) => Some(d.clone()),
            Audience::Group(_) => None,
        })
        .collect();
    let mut c = app.signed_in(spanish).await;
    let dash = c.get("/dashboard").await;
    assert_eq!(dash.page(), "dashboard-teacher");
    assert!(dash.text.contains("Espagnol LV2"));
    for d in &app.school.divisions {
        let expected = if taught.contains(&d.id) || d.head_teacher_id.as_ref() == Some(&spanish.id) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(c.get(&format!("/divisions/{}", d.id)).await.status, expected, "{}", d.name);
    }
    // A pupil of the Spanish group is visible; a pupil in neither group nor taught division is not.
    let group = &app.school.groups[0];
    let member = app.school.group_members.iter().find(|(g, _)| *g == group.id).unwrap().1.clone();
    assert_eq!(c.get(&format!("/people/{member}")).await.status, StatusCode::OK);
    let outsider = app
        .school
        .enrolments
        .iter()
        .map(|(p, _)| p)
        .find(|p| !app.school.group_members.iter().any(|(g, m)| m == *p && *g == group.id))
        .unwrap();
    assert_eq!(c.get(&format!("/people/{outsider}")).await.status, StatusCode::FORBIDDEN);

    // The maths teacher, head teacher of 6e A, sees its roster.
    let maths = app.person(Role::Teacher, 1);
    let mut m = app.signed_in(maths).await;
    let d = &app.school.divisions[0];
    let page = m.get(&format!("/divisions/{}", d.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Liste de la classe"));
    assert!(m.get("/dashboard").await.text.contains("Professeur principal de"));
    assert_eq!(m.get("/admin/people").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_see_their_establishment_and_only_admins_administer() {
    let app = TestApp::new().await;
    for (role, page) in [(Role::Staff, "dashboard-staff"), (Role::Principal, "dashboard-principal"), (Role::Admin, "dashboard-admin")] {
        let mut c = app.signed_in(app.person(role, 0)).await;
        let dash = c.get("/dashboard").await;
        assert_eq!(dash.page(), page);
        for d in &app.school.divisions {
            assert!(dash.text.contains(&d.name));
            assert_eq!(c.get(&format!("/divisions/{}", d.id)).await.status, StatusCode::OK);
        }
        assert!(dash.text.contains(&app.school.establishment.uai));
        let any_pupil = app.person(Role::Pupil, 42);
        assert_eq!(c.get(&format!("/people/{}", any_pupil.id)).await.status, StatusCode::OK);
        let expected = if role == Role::Admin { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(c.get("/admin/people").await.status, expected, "{role}");
        assert_eq!(c.get("/admin/people/new").await.status, expected, "{role}");
    }
}

#[tokio::test]
async fn another_establishments_people_are_out_of_reach_even_for_its_neighbours_admin() {
    let app = TestApp::new().await;
    // A second school with its own admin.
    let admin = app.neighbour_admin().await;
    let mut c = app.signed_in(&admin).await;
    let pupil = app.person(Role::Pupil, 0);
    assert_eq!(c.get(&format!("/people/{}", pupil.id)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get(&format!("/divisions/{}", app.school.divisions[0].id)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get(&format!("/admin/people/{}/password", pupil.id)).await.status, StatusCode::FORBIDDEN);
    let r = c.submit("/admin/people", &format!("/admin/people/{}/disable", pupil.id), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!app.state.store.person(&pupil.id).await.unwrap().unwrap().disabled);
    let dir = c.get("/admin/people?q=").await;
    assert!(!dir.text.contains(&pupil.login), "the directory lists only one's own establishment");
}
