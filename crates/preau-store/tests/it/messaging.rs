//! Messaging: the rules an administrator sets, conversations read, answered and archived.

use preau_core::demo::demo_school;
use preau_core::files::FileKind;
use preau_core::messaging::CommunicationRules;
use preau_core::school::Role;
use preau_core::{ConversationId, MessageId};
use preau_store::Store;
use preau_store::files::{Role as FileRole, Upload};
use preau_store::messaging::{Conversation, Message};

#[tokio::test]
async fn conversations_are_counted_unread_answered_and_archived_per_member() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 2).await.unwrap();
    let school = demo_school(1);
    store.insert_demo(&school, "hash", 1).await.unwrap();
    let e = &school.establishment.id;
    // The rules: the defaults until set.
    assert_eq!(store.communication_rules(e).await.unwrap(), CommunicationRules::default());
    let open = CommunicationRules { pupils_to_classmates: true, ..CommunicationRules::default() };
    store.set_communication_rules(e, &open, 5).await.unwrap();
    assert_eq!(store.communication_rules(e).await.unwrap(), open);

    let people = |role: Role| school.people.iter().filter(move |p| p.roles.contains(role));
    let teacher = people(Role::Teacher).next().unwrap().id.clone();
    let (pupil, parent) = (people(Role::Pupil).next().unwrap().id.clone(), people(Role::Parent).next().unwrap().id.clone());
    let c = Conversation {
        id: ConversationId::new(10, 1),
        establishment_id: e.clone(),
        subject: "Sortie".into(),
        started_by: teacher.clone(),
        members: vec![teacher.clone(), pupil.clone(), parent.clone()],
    };
    let first = Message { id: MessageId::new(10, 1), author: teacher.clone(), body: "Autorisation à signer.".into(), sent_at: 100 };
    let form = Upload { name: "autorisation.pdf".into(), kind: FileKind::Pdf, bytes: b"%PDF-1.4 autorisation".as_slice().into() };
    store.start_conversation(&c, "Sortie", &first, &[form], 100).await.unwrap();
    assert_eq!(store.attachments(first.id.as_str(), FileRole::Message).await.unwrap().len(), 1);
    assert_eq!(store.unread_messages(&pupil).await.unwrap(), 1);
    assert_eq!(store.unread_messages(&teacher).await.unwrap(), 0, "one's own message is read");
    let inbox = store.conversations_of(&pupil, false, 50).await.unwrap();
    assert_eq!((inbox.len(), inbox[0].unread, inbox[0].subject.as_str()), (1, 1, "Sortie"));
    assert_eq!(inbox[0].others.len(), 2);
    // Read, archived, then an answer brings it back for everyone.
    store.mark_read(&c.id, &pupil, 100).await.unwrap();
    assert_eq!(store.unread_messages(&pupil).await.unwrap(), 0);
    store.set_archived(&c.id, &pupil, true).await.unwrap();
    assert!(store.conversations_of(&pupil, false, 50).await.unwrap().is_empty());
    assert_eq!(store.conversations_of(&pupil, true, 50).await.unwrap().len(), 1);
    let answer = Message { id: MessageId::new(20, 2), author: parent.clone(), body: "Signée, merci.".into(), sent_at: 200 };
    store.reply(&c.id, &answer, &[], 200).await.unwrap();
    assert_eq!(store.conversations_of(&pupil, false, 50).await.unwrap()[0].unread, 1);
    assert_eq!(store.unread_messages(&teacher).await.unwrap(), 1);
    assert_eq!(store.unread_messages(&parent).await.unwrap(), 0, "answering reads what came before");
    let read = store.messages(&c.id).await.unwrap();
    assert_eq!(read.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["Autorisation à signer.", "Signée, merci."]);
    assert_eq!(store.conversation(&c.id).await.unwrap().unwrap().members.len(), 3);
    // Who pupils and parents may write to: their classes' teachers, the school office.
    let office = store.school_office_of(e).await.unwrap();
    assert!(!office.is_empty() && office.iter().all(|p| p.roles.is_establishment_wide()));
    let d = &school.divisions[0];
    let teachers = store.teachers_of(std::slice::from_ref(&d.id), &[]).await.unwrap();
    assert!(teachers.iter().all(|t| t.roles.contains(Role::Teacher)));
    assert!(teachers.iter().any(|t| Some(&t.id) == d.head_teacher_id.as_ref()));
    assert!(store.teachers_of(&[], &[]).await.unwrap().is_empty());
}
