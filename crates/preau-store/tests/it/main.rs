//! The store's conformance suite: what every backend must do. SQLite runs it today.

use preau_core::demo::demo_school;
use preau_core::school::{Role, RoleSet, RoomAudience};
use preau_core::{EstablishmentId, PersonId, RoomId};
use preau_store::{Audit, NewPerson, NewSession, Store, StoreError};

mod homework;
mod meetings;
mod messaging;
mod timetable;

const AUDIT: Audit<'static> = Audit { at: 1, actor: None, action: "test", detail: "" };

async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (Store::open(dir.path(), 2).await.unwrap(), dir)
}

#[tokio::test]
async fn migrations_apply_once_and_reopening_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let school = demo_school(1);
    {
        let s = Store::open(dir.path(), 2).await.unwrap();
        assert!(s.is_empty().await.unwrap());
        s.insert_demo(&school, "hash", 1).await.unwrap();
        s.close().await;
    }
    let s = Store::open(dir.path(), 2).await.unwrap();
    assert!(!s.is_empty().await.unwrap());
    assert_eq!(s.all_people().await.unwrap().len(), school.people.len());
}

#[tokio::test]
async fn an_unusable_data_directory_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"x").unwrap();
    let err = Store::open(&file.join("data"), 1).await.err().expect("fails");
    assert!(matches!(err, StoreError::DataDir { .. }));
    assert!(err.to_string().contains("not-a-directory"), "{err}");
}

#[tokio::test]
async fn the_demo_school_reads_back_with_its_relations() {
    let (s, _d) = store().await;
    let school = demo_school(7);
    s.insert_demo(&school, "hash", 7).await.unwrap();
    let summaries = s.division_summaries(&school.establishment.id).await.unwrap();
    assert_eq!(summaries.len(), 4);
    for sum in &summaries {
        let expected = school.enrolments.iter().filter(|(_, d)| *d == sum.division.id).count() as i64;
        assert_eq!(sum.pupils, expected);
        assert!(sum.head_teacher.is_some());
    }
    let parent = school.people.iter().find(|p| p.roles.contains(Role::Parent)).unwrap();
    let actor = s.actor(parent).await.unwrap();
    let expected: Vec<_> = school.parent_links.iter().filter(|(p, _)| *p == parent.id).map(|(_, c)| c.clone()).collect();
    assert_eq!(actor.children.len(), expected.len());
    assert!(actor.children.iter().all(|c| expected.contains(c)));
    assert!(!actor.children_divisions.is_empty());
    let teacher = school.people.iter().find(|p| p.roles.contains(Role::Teacher)).unwrap();
    let t = s.actor(teacher).await.unwrap();
    assert_eq!(t.taught_divisions.len(), 4, "the French teacher teaches every division");
    assert_eq!(t.taught_groups.len(), 1, "and Latin");
}

#[tokio::test]
async fn logins_are_unique_and_a_failed_creation_writes_nothing() {
    let (s, _d) = store().await;
    let school = demo_school(3);
    s.insert_demo(&school, "hash", 3).await.unwrap();
    let before = s.all_people().await.unwrap().len();
    let taken = &school.people[0].login;
    let est: EstablishmentId = school.establishment.id.clone();
    let err = s
        .create_person(&NewPerson {
            id: PersonId::new(3, 1),
            establishment_id: &est,
            login: taken,
            first_name: "A",
            last_name: "B",
            roles: RoleSet::of(&[Role::Pupil, Role::Guest]),
            password_hash: None,
            now: 3,
        }, &AUDIT)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::LoginTaken(_)));
    assert_eq!(s.all_people().await.unwrap().len(), before);
}

#[tokio::test]
async fn sessions_live_until_idle_or_expired_and_die_with_password_changes() {
    let (s, _d) = store().await;
    let school = demo_school(5);
    s.insert_demo(&school, "hash", 5).await.unwrap();
    let p = &school.people[10];
    let hash = [7u8; 32];
    s.create_session(&NewSession { id: "s1", token_hash: &hash, person_id: &p.id, now: 1000, expires_at: 10_000, user_agent: "ua", ip: "127.0.0.1" })
        .await
        .unwrap();
    let (session, person) = s.live_session_person(&hash, 1500, 1000).await.unwrap().expect("live");
    assert_eq!((session.id.as_str(), &person.id), ("s1", &p.id));
    assert!(s.live_session_person(&hash, 2000, 1000).await.unwrap().is_none(), "idle");
    s.touch_session("s1", 2500).await.unwrap();
    assert!(s.live_session_person(&hash, 3000, 1000).await.unwrap().is_some(), "touched");
    assert!(s.live_session_person(&hash, 10_000, 100_000).await.unwrap().is_none(), "expired");
    assert_eq!(s.count_live_sessions(3000, 1000).await.unwrap(), 1);
    let fresh = [8u8; 32];
    let new = NewSession { id: "s2", token_hash: &fresh, person_id: &p.id, now: 3000, expires_at: 10_000, user_agent: "ua", ip: "::1" };
    assert!(s.set_password_hash(&p.id, "new", Some(&new), &AUDIT).await.unwrap());
    assert!(s.live_session_person(&hash, 3000, 1000).await.unwrap().is_none(), "password change ends sessions");
    assert!(s.live_session_person(&fresh, 3000, 1000).await.unwrap().is_some(), "except the one it opens");
    assert_eq!(s.audit_of(p.id.as_str()).await.unwrap()[0].0, "test");
    assert!(!s.set_password_hash(&PersonId::new(1, 1), "x", Some(&new), &AUDIT).await.unwrap(), "unknown person");
    assert_eq!(s.purge_sessions(3000, 1000).await.unwrap(), 0);
}

#[tokio::test]
async fn directory_search_escapes_wildcards_and_pages() {
    let (s, _d) = store().await;
    let school = demo_school(9);
    s.insert_demo(&school, "hash", 9).await.unwrap();
    let est = &school.establishment.id;
    let all = s.search_people(est, "", 0, 1000).await.unwrap();
    assert_eq!(all.total as usize, school.people.len());
    let page2 = s.search_people(est, "", 25, 25).await.unwrap();
    assert_eq!(page2.people.len(), 25);
    assert_eq!(page2.people[0].id, all.people[25].id);
    assert_eq!(s.search_people(est, "%", 0, 10).await.unwrap().total, 0, "% is literal");
    assert_eq!(s.search_people(est, "_", 0, 10).await.unwrap().total, 0, "_ is literal");
    let teacher = school.people.iter().find(|p| p.roles.contains(Role::Teacher)).unwrap();
    let full = format!("{} {}", teacher.first_name, teacher.last_name);
    assert!(s.search_people(est, &full.to_lowercase(), 0, 10).await.unwrap().people.iter().any(|p| p.id == teacher.id));
}

/// Room ids for tests: a counter, as the store must take ids from its caller.
fn counter_ids(start: u128) -> impl FnMut() -> RoomId + Send {
    let mut n = start;
    move || {
        n += 1;
        RoomId::new(11, n)
    }
}

#[tokio::test]
async fn every_division_and_group_gets_exactly_one_permanent_room() {
    let (s, _d) = store().await;
    let mut school = demo_school(11);
    school.rooms.clear();
    s.insert_demo(&school, "hash", 11).await.unwrap();
    let est = &school.establishment.id;
    let mut ids = counter_ids(0);
    let created = s.ensure_class_rooms(est, 11, &mut ids).await.unwrap();
    assert_eq!(created, school.divisions.len() + school.groups.len());
    assert_eq!(s.ensure_class_rooms(est, 12, &mut ids).await.unwrap(), 0, "idempotent");
    // The ids are the caller's, in order: divisions by name, then groups by name.
    let first = s.room(&RoomId::new(11, 1)).await.unwrap().expect("the first id was used");
    let first_division = school.divisions.iter().min_by_key(|d| &d.name).unwrap();
    assert_eq!(first.audience, RoomAudience::Division(first_division.id.clone()));
    assert_eq!(first.title, first_division.name);
    assert_eq!(&first.establishment_id, est);
    assert!(s.room(&RoomId::new(11, created as u128 + 1)).await.unwrap().is_none(), "no id drawn for nothing");
    // Another establishment's ensure touches nothing of this one.
    assert_eq!(s.ensure_class_rooms(&EstablishmentId::new(1, 1), 13, &mut ids).await.unwrap(), 0);

    // The demo insert writes the same rooms in its own transaction.
    let (s2, _d2) = store().await;
    let school2 = demo_school(12);
    s2.insert_demo(&school2, "hash", 12).await.unwrap();
    assert_eq!(s2.ensure_class_rooms(&school2.establishment.id, 13, &mut counter_ids(100)).await.unwrap(), 0);
    for room in &school2.rooms {
        assert_eq!(s2.room(&room.id).await.unwrap().as_ref(), Some(room));
    }
}

#[tokio::test]
async fn class_rooms_follow_what_one_learns_teaches_or_runs() {
    let (s, _d) = store().await;
    let school = demo_school(13);
    s.insert_demo(&school, "hash", 13).await.unwrap();
    let room_of = |audience: RoomAudience| school.rooms.iter().find(|r| r.audience == audience).unwrap().id.clone();
    let ids = |rooms: Vec<preau_core::school::Room>| rooms.into_iter().map(|r| r.id).collect::<Vec<_>>();

    // A pupil of 5e or above: own division, then own groups.
    let (pupil, division) = school
        .enrolments
        .iter()
        .find(|(p, _)| school.group_members.iter().any(|(_, m)| m == p))
        .map(|(p, d)| (school.people.iter().find(|x| x.id == *p).unwrap(), d))
        .unwrap();
    let actor = s.actor(pupil).await.unwrap();
    let rooms = s.class_rooms_of(&actor).await.unwrap();
    assert_eq!(rooms[0].id, room_of(RoomAudience::Division(division.clone())));
    let groups: Vec<_> = school.group_members.iter().filter(|(_, m)| *m == pupil.id).map(|(g, _)| g.clone()).collect();
    assert_eq!(rooms.len(), 1 + groups.len());
    for g in groups {
        assert!(ids(rooms.clone()).contains(&room_of(RoomAudience::Group(g))));
    }

    // The French teacher teaches every division and Latin.
    let french = school.people.iter().find(|p| p.roles.contains(Role::Teacher)).unwrap();
    let rooms = s.class_rooms_of(&s.actor(french).await.unwrap()).await.unwrap();
    assert_eq!(rooms.len(), school.divisions.len() + 1);
    assert!(rooms.iter().take(school.divisions.len()).all(|r| matches!(r.audience, RoomAudience::Division(_))), "divisions first");
    assert_eq!(rooms.last().unwrap().title, "Latin");

    // Staff: every class room of the establishment; parents: none.
    let cpe = school.people.iter().find(|p| p.roles.contains(Role::Staff)).unwrap();
    let mut cpe_actor = s.actor(cpe).await.unwrap();
    assert_eq!(s.class_rooms_of(&cpe_actor).await.unwrap().len(), school.rooms.len());
    let parent = school.people.iter().find(|p| p.roles.contains(Role::Parent)).unwrap();
    assert!(s.class_rooms_of(&s.actor(parent).await.unwrap()).await.unwrap().is_empty());
    // The same relations claimed from another establishment give nothing.
    cpe_actor.establishment_id = EstablishmentId::new(1, 1);
    assert!(s.class_rooms_of(&cpe_actor).await.unwrap().is_empty());
    let mut french_elsewhere = s.actor(french).await.unwrap();
    french_elsewhere.establishment_id = EstablishmentId::new(1, 1);
    assert!(s.class_rooms_of(&french_elsewhere).await.unwrap().is_empty());
}

#[tokio::test]
async fn ad_hoc_rooms_read_back_and_stay_out_of_class_lists() {
    let (s, _d) = store().await;
    let school = demo_school(15);
    s.insert_demo(&school, "hash", 15).await.unwrap();
    let teacher = school.people.iter().find(|p| p.roles.contains(Role::Teacher)).unwrap();
    let id = RoomId::new(15, 42);
    let room = s.create_adhoc_room(id.clone(), &school.establishment.id, &teacher.id, "Réunion parents-professeurs", 15).await.unwrap();
    assert_eq!(s.room(&id).await.unwrap().as_ref(), Some(&room));
    assert_eq!(room.audience, RoomAudience::AdHoc { created_by: teacher.id.clone() });
    assert_eq!(room.title, "Réunion parents-professeurs");
    let actor = s.actor(teacher).await.unwrap();
    assert!(!s.class_rooms_of(&actor).await.unwrap().iter().any(|r| r.id == id));
    let err = s.create_adhoc_room(id.clone(), &school.establishment.id, &teacher.id, "Autre", 16).await.unwrap_err();
    assert!(matches!(err, StoreError::IdTaken(_)), "{err}");
    assert_eq!(s.room(&id).await.unwrap().unwrap().title, "Réunion parents-professeurs", "the first stays");
    assert!(s.room(&RoomId::new(15, 43)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_server_key_is_made_once_and_kept_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path(), 2).await.unwrap();
        assert_eq!(s.server_key("guest-links", [1; 32], 1).await.unwrap(), [1; 32]);
        assert_eq!(s.server_key("guest-links", [2; 32], 2).await.unwrap(), [1; 32], "the first key stays");
        assert_eq!(s.server_key("other", [3; 32], 3).await.unwrap(), [3; 32], "one key per purpose");
        s.close().await;
    }
    let s = Store::open(dir.path(), 2).await.unwrap();
    assert_eq!(s.server_key("guest-links", [4; 32], 4).await.unwrap(), [1; 32]);
}
