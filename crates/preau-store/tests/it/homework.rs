//! The homework diary: homework with its files, what pupils see, hand-ins replaced until the
//! teacher answers, feedback; files written whole, kept once, swept when nothing names them.

use preau_core::booking::{self, DateTime};
use preau_core::demo::{DemoSchool, demo_school};
use preau_core::files::FileKind;
use preau_core::homework::{HandIn, Homework, Submission};
use preau_core::school::Audience;
use preau_core::{HomeworkId, Millis, SubmissionId};
use preau_store::files::{Role, Upload};
use preau_store::homework::HandInRefused;
use preau_store::{Store, StoreError};

fn at(d: i8, h: i8) -> DateTime {
    jiff::civil::date(2026, 3, d).at(h, 0, 0, 0)
}

fn ms(d: i8, h: i8) -> Millis {
    booking::instant(at(d, h)).unwrap()
}

fn upload(name: &str, bytes: &[u8]) -> Upload {
    Upload { name: name.into(), kind: FileKind::sniff(bytes).expect("a kind Préau takes"), bytes: bytes.into() }
}

struct Fixture {
    store: Store,
    dir: tempfile::TempDir,
    school: DemoSchool,
}

impl Fixture {
    async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 2).await.unwrap();
        let school = demo_school(1);
        store.insert_demo(&school, "hash", 1).await.unwrap();
        Fixture { store, dir, school }
    }

    /// Homework of the first assignment's class, due on the `due`th at 8:00, published at `publish`.
    fn homework(&self, n: u128, due: i8, publish: Millis) -> Homework {
        let a = &self.school.assignments[0];
        Homework {
            id: HomeworkId::new(2, n),
            audience: a.audience.clone(),
            subject: a.subject_id.clone(),
            teacher: a.teacher_id.clone(),
            set_on: jiff::civil::date(2026, 3, 16),
            instructions: format!("Travail {n}"),
            due: at(due, 8),
            minutes: Some(20),
            publish_at: publish,
            hand_in: HandIn::Yes { late_allowed: false },
        }
    }

    fn pupil(&self) -> preau_core::PersonId {
        let Audience::Division(d) = &self.school.assignments[0].audience else { panic!("a division first") };
        self.school.enrolments.iter().find(|(_, div)| div == d).unwrap().0.clone()
    }
}

#[tokio::test]
async fn homework_is_kept_with_its_files_and_shown_to_its_class_once_published() {
    let f = Fixture::new().await;
    let e = &f.school.establishment.id;
    f.store.add_homework(&f.homework(1, 19, ms(16, 17)), e, &[upload("Fiche.pdf", b"%PDF-1.7 la fiche")], ms(16, 12)).await.unwrap();
    f.store.add_homework(&f.homework(2, 18, ms(17, 17)), e, &[], ms(16, 12)).await.unwrap();
    // Same content again under another name: kept once on disk.
    f.store.add_homework(&f.homework(3, 20, ms(16, 17)), e, &[upload("Copie.pdf", b"%PDF-1.7 la fiche")], ms(16, 12)).await.unwrap();
    let listed = f.store.attachments(HomeworkId::new(2, 1).as_str(), Role::Homework).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].name.as_str(), listed[0].content_type.as_str(), listed[0].bytes), ("Fiche.pdf", "application/pdf", 17));
    let path = f.store.file_path(&listed[0].sha256).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 la fiche");
    assert!(path.starts_with(f.dir.path().join("files")));
    assert!(f.store.file_path("../../preau.db").is_none(), "only a hash names a file");
    // An id taken: nothing of the second attempt is written.
    let again = f.store.add_homework(&f.homework(1, 19, ms(16, 17)), e, &[upload("Autre.txt", b"autre")], ms(16, 12)).await;
    assert!(matches!(again, Err(StoreError::IdTaken(_))));
    assert_eq!(f.store.attachments(HomeworkId::new(2, 1).as_str(), Role::Homework).await.unwrap().len(), 1);

    let class = vec![f.school.assignments[0].audience.clone()];
    let pupil = f.pupil();
    let seen = |lines: Vec<preau_store::homework::HomeworkLine>| lines.iter().map(|l| l.homework.id.clone()).collect::<Vec<_>>();
    // On the 16th at 18:00 homework 2 is not published yet; soonest due first.
    let now = ms(16, 18);
    let lines = f.store.homework_due(&class, now, Some(now), Some(&pupil), 50).await.unwrap();
    assert_eq!(seen(lines), [HomeworkId::new(2, 1), HomeworkId::new(2, 3)]);
    // The teacher sees everything, published or not.
    assert_eq!(seen(f.store.homework_due(&class, now, None, None, 50).await.unwrap()).len(), 3);
    // Another class sees none of it.
    let other = f.school.divisions.iter().find(|d| Audience::Division(d.id.clone()) != class[0]).unwrap();
    assert!(f.store.homework_due(&[Audience::Division(other.id.clone())], now, Some(now), None, 50).await.unwrap().is_empty());
    // Ticked done, then not.
    f.store.set_homework_done(&HomeworkId::new(2, 1), &pupil, true, now).await.unwrap();
    assert!(f.store.homework_due(&class, now, Some(now), Some(&pupil), 50).await.unwrap()[0].done);
    f.store.set_homework_done(&HomeworkId::new(2, 1), &pupil, false, now).await.unwrap();
    assert!(!f.store.homework_done(&HomeworkId::new(2, 1), &pupil).await.unwrap());
}

#[tokio::test]
async fn work_handed_in_is_replaced_until_the_teacher_answers_and_stale_files_are_swept() {
    let f = Fixture::new().await;
    let h = f.homework(1, 19, ms(16, 17));
    f.store.add_homework(&h, &f.school.establishment.id, &[], ms(16, 12)).await.unwrap();
    let pupil = f.pupil();
    let work = |text: &str| Submission {
        id: SubmissionId::new(3, 1),
        homework: h.id.clone(),
        pupil: pupil.clone(),
        text: text.into(),
        submitted_at: ms(17, 10),
        late: false,
        feedback: None,
        returned_at: None,
    };
    let id = f.store.hand_in(&work("Brouillon"), &[upload("v1.txt", b"version 1")], ms(17, 10)).await.unwrap().unwrap();
    assert!(f.store.homework_done(&h.id, &pupil).await.unwrap(), "handed in counts as done");
    // Handed in again: same submission, new text and files.
    let again = Submission { id: SubmissionId::new(3, 2), submitted_at: ms(17, 11), ..work("Ma rédaction") };
    assert_eq!(f.store.hand_in(&again, &[upload("v2.txt", b"version 2")], ms(17, 11)).await.unwrap(), Ok(id.clone()));
    let s = f.store.submission_of(&h.id, &pupil).await.unwrap().unwrap();
    assert_eq!((s.id.clone(), s.text.as_str()), (id.clone(), "Ma rédaction"));
    let files = f.store.attachments(id.as_str(), Role::Work).await.unwrap();
    assert_eq!(files.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["v2.txt"]);
    // Feedback returned: the work can no longer change.
    // Feedback on what the teacher read: the first version is gone, nothing is written.
    assert!(!f.store.return_feedback(&id, ms(17, 10), "Sur la version 1", &[], ms(18, 8)).await.unwrap());
    let seen = f.store.submission(&id).await.unwrap().unwrap().submitted_at;
    assert!(f.store.return_feedback(&id, seen, "Bien construit.", &[upload("corrigé.pdf", b"%PDF-1.4 corrige")], ms(18, 9)).await.unwrap());
    assert!(!f.store.return_feedback(&SubmissionId::new(3, 9), seen, "?", &[], ms(18, 9)).await.unwrap());
    let s = f.store.submission(&id).await.unwrap().unwrap();
    assert_eq!((s.feedback.as_deref(), s.returned_at), (Some("Bien construit."), Some(ms(18, 9))));
    assert_eq!(f.store.attachments(id.as_str(), Role::Feedback).await.unwrap().len(), 1);
    assert_eq!(f.store.hand_in(&work("Trop tard"), &[], ms(18, 10)).await.unwrap(), Err(HandInRefused::AlreadyReturned));
    assert_eq!(f.store.submissions(&h.id).await.unwrap().len(), 1);
    // At start: version 1, replaced, and a file left by a failed upload go; the rest stays.
    let v1 = f.store.file_path(&sha("version 1")).unwrap();
    let orphan = f.dir.path().join("files").join(".upload-1-1-1");
    std::fs::write(&orphan, b"half").unwrap();
    assert!(v1.exists());
    let swept = f.store.sweep_files(std::time::SystemTime::now() + std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!(swept, 2);
    assert!(!v1.exists() && !orphan.exists());
    assert!(f.store.file_path(&sha("version 2")).unwrap().exists());
}

fn sha(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
