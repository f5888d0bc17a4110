//! The timetable: an import replaces it whole, a class and a teacher find their courses, a
//! lesson is cancelled or held as a virtual class and put back.

use preau_core::demo::demo_school;
use preau_core::school::Audience;
use preau_core::timetable::{Change, Course, Weekday, Weeks};
use preau_core::CourseId;
use preau_store::Store;

#[tokio::test]
async fn an_import_replaces_the_timetable_and_lessons_change_one_date_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 2).await.unwrap();
    let school = demo_school(1);
    store.insert_demo(&school, "hash", 1).await.unwrap();
    let e = &school.establishment.id;
    let names = store.timetable_names(e).await.unwrap();
    assert_eq!(names.audiences.len(), school.divisions.len() + school.groups.len());
    assert!(!names.subjects.is_empty() && !names.teachers.is_empty());
    let a = &school.assignments[0];
    let course = |n: u128, day: Weekday, h: i8| Course {
        id: CourseId::new(5, n),
        subject: a.subject_id.clone(),
        teacher: a.teacher_id.clone(),
        audience: a.audience.clone(),
        room: "B12".into(),
        weekday: day,
        start: jiff::civil::time(h, 0, 0, 0),
        end: jiff::civil::time(h + 1, 0, 0, 0),
        weeks: Weeks::All,
    };
    store.replace_timetable(e, &[course(1, Weekday::Monday, 8), course(2, Weekday::Tuesday, 10)]).await.unwrap();
    store.replace_timetable(e, &[course(3, Weekday::Monday, 9), course(4, Weekday::Thursday, 14)]).await.unwrap();
    let all = store.courses_of_establishment(e).await.unwrap();
    assert_eq!(all.iter().map(|l| l.course.id.clone()).collect::<Vec<_>>(), [CourseId::new(5, 3), CourseId::new(5, 4)], "replaced whole");
    assert!(!all[0].subject_name.is_empty() && !all[0].audience_name.is_empty() && !all[0].teacher_name.is_empty());
    assert_eq!(all[0].course, course(3, Weekday::Monday, 9), "read back as written");
    assert_eq!(store.courses_for(std::slice::from_ref(&a.audience), None).await.unwrap().len(), 2);
    assert_eq!(store.courses_for(&[], Some(&a.teacher_id)).await.unwrap().len(), 2);
    let other = school.divisions.iter().find(|d| Audience::Division(d.id.clone()) != a.audience).unwrap();
    assert!(store.courses_for(&[Audience::Division(other.id.clone())], None).await.unwrap().is_empty());
    // One Monday's lesson cancelled, then held as a virtual class, then as planned.
    let monday = jiff::civil::date(2026, 9, 7);
    let id = CourseId::new(5, 3);
    store.set_lesson_change(&id, monday, Some(Change::Cancelled), &a.teacher_id, 1).await.unwrap();
    store.set_lesson_change(&id, monday, Some(Change::Virtual), &a.teacher_id, 2).await.unwrap();
    let week = store.lesson_changes(std::slice::from_ref(&id), monday, monday.checked_add(jiff::Span::new().days(6)).unwrap()).await.unwrap();
    assert_eq!(week, [(id.clone(), monday, Change::Virtual)]);
    store.set_lesson_change(&id, monday, None, &a.teacher_id, 3).await.unwrap();
    assert!(store.lesson_changes(std::slice::from_ref(&id), monday, monday).await.unwrap().is_empty());
    assert!(store.delete_course(e, &id).await.unwrap());
    assert!(store.course(&id).await.unwrap().is_none());
}
