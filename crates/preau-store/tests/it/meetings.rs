//! Meeting rooms and bookings: conflicts are checked where bookings are written.

use std::collections::BTreeSet;

use preau_core::booking::{self, Booking, Clash, MeetingRoom, MeetingRoomKind, Recurrence, When, occurrences};
use preau_core::demo::demo_school;
use preau_core::school::Role;
use preau_core::{BookingId, MeetingRoomId, Millis, PersonId, RecordingId};
use preau_core::booking::{Date, DateTime};
use preau_store::{Store, StoreError};

fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> DateTime {
    jiff::civil::date(y, m, d).at(h, min, 0, 0)
}

fn day(y: i16, m: i8, d: i8) -> Date {
    jiff::civil::date(y, m, d)
}

fn now() -> Millis {
    booking::instant(at(2026, 9, 1, 8, 0)).unwrap()
}

struct Fixture {
    store: Store,
    _dir: tempfile::TempDir,
    room_a: MeetingRoomId,
    room_b: MeetingRoomId,
    teachers: Vec<PersonId>,
    next: u128,
}

impl Fixture {
    async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 2).await.unwrap();
        let school = demo_school(1);
        store.insert_demo(&school, "hash", 1).await.unwrap();
        let teachers = school.people.iter().filter(|p| p.roles.contains(Role::Teacher)).map(|p| p.id.clone()).collect();
        let f = Fixture { store, _dir: dir, room_a: MeetingRoomId::new(1, 1), room_b: MeetingRoomId::new(1, 2), teachers, next: 100 };
        for (id, name) in [(f.room_a.clone(), "Salle A"), (f.room_b.clone(), "Salle B")] {
            let room = MeetingRoom { id, establishment_id: school.establishment.id.clone(), name: name.into(), kind: MeetingRoomKind::Video, capacity: 10 };
            f.store.create_meeting_room(&room, 1).await.unwrap();
        }
        f
    }

    fn booking(&mut self, title: &str, room: &MeetingRoomId, organizer: usize, when: When) -> Booking {
        self.next += 1;
        Booking {
            id: BookingId::new(2, self.next),
            room: room.clone(),
            organizer: self.teachers[organizer].clone(),
            title: title.into(),
            when,
            sequence: 0,
            cancelled: false,
            invitees: vec![self.teachers[3].clone()],
            guests: vec!["ortho@cabinet.example".into()],
        }
    }

    async fn save(&self, b: &Booking) -> Result<u32, Clash> {
        let slots = occurrences(&b.when, now()).unwrap();
        self.store.save_booking(b, &slots, &[], now()).await.unwrap().map_err(|c| c.kind)
    }
}

fn once(d: i8, from: i8, to: i8) -> When {
    When { start: at(2026, 9, d, from, 0), end: at(2026, 9, d, to, 0), weekly: None }
}

#[tokio::test]
async fn meeting_rooms_are_listed_by_name_and_names_are_unique_per_establishment() {
    let f = Fixture::new().await;
    let school = demo_school(1);
    let rooms = f.store.meeting_rooms(&school.establishment.id).await.unwrap();
    assert_eq!(rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Salle A", "Salle B"]);
    assert_eq!(f.store.meeting_room(&f.room_a).await.unwrap().unwrap().capacity, 10);
    let twin = MeetingRoom { id: MeetingRoomId::new(1, 3), establishment_id: school.establishment.id.clone(), name: "Salle A".into(), kind: MeetingRoomKind::StaffOnly, capacity: 5 };
    assert!(matches!(f.store.create_meeting_room(&twin, 1).await, Err(StoreError::NameTaken(n)) if n == "Salle A"));
    // The database refuses an absurd capacity even if a caller forgot to check it.
    let huge = MeetingRoom { id: MeetingRoomId::new(1, 4), name: "Amphi".into(), capacity: 5000, ..twin };
    assert!(f.store.create_meeting_room(&huge, 1).await.is_err());
    assert_eq!(f.store.meeting_rooms(&school.establishment.id).await.unwrap().len(), 2, "nothing written");
}

#[tokio::test]
async fn a_weekly_booking_reads_back_whole_and_shows_in_the_calendars() {
    let mut f = Fixture::new().await;
    let when = When {
        start: at(2026, 9, 7, 17, 0),
        end: at(2026, 9, 7, 18, 0),
        weekly: Some(Recurrence { until: Some(day(2026, 9, 28)), except: BTreeSet::from([day(2026, 9, 14)]) }),
    };
    let b = f.booking("Conseil pédagogique", &f.room_a.clone(), 0, when);
    assert_eq!(f.save(&b).await, Ok(0));
    assert_eq!(f.store.booking(&b.id).await.unwrap().as_ref(), Some(&b));
    let month = (now(), now() + 40 * 86_400_000);
    let in_room = f.store.room_occurrences(&f.room_a, month.0, month.1).await.unwrap();
    assert_eq!(in_room.len(), 3, "7, 21 and 28 September");
    assert!(in_room.iter().all(|o| o.title == "Conseil pédagogique"));
    assert!(f.store.room_occurrences(&f.room_b, month.0, month.1).await.unwrap().is_empty());
    assert_eq!(f.store.person_occurrences(&f.teachers[0], month.0, month.1).await.unwrap().len(), 3, "the organizer");
    assert_eq!(f.store.person_occurrences(&f.teachers[3], month.0, month.1).await.unwrap().len(), 3, "an invitee");
    assert!(f.store.person_occurrences(&f.teachers[1], month.0, month.1).await.unwrap().is_empty(), "someone else");
}

#[tokio::test]
async fn a_clash_on_the_room_or_the_organizer_is_named_and_nothing_is_written() {
    let mut f = Fixture::new().await;
    let (a, b) = (f.room_a.clone(), f.room_b.clone());
    let first = f.booking("Équipe éducative", &a, 0, once(15, 14, 16));
    assert_eq!(f.save(&first).await, Ok(0));
    // Same room, another organizer, overlapping.
    let same_room = f.booking("Réunion parents", &a, 1, once(15, 15, 17));
    let slots = occurrences(&same_room.when, now()).unwrap();
    let clash = f.store.save_booking(&same_room, &slots, &[], now()).await.unwrap().unwrap_err();
    assert_eq!((clash.kind, clash.booking.clone(), clash.title.as_str()), (Clash::Room, first.id.clone(), "Équipe éducative"));
    assert_eq!(f.store.booking(&same_room.id).await.unwrap(), None, "nothing written");
    // Same organizer, another room.
    let same_organizer = f.booking("Autre", &b, 0, once(15, 13, 15));
    assert_eq!(f.save(&same_organizer).await, Err(Clash::Organizer));
    // Back to back is fine; another room with another organizer at the same time too.
    let after = f.booking("Après", &a, 1, once(15, 16, 17));
    assert_eq!(f.save(&after).await, Ok(0));
    let elsewhere = f.booking("Ailleurs", &b, 2, once(15, 14, 16));
    assert_eq!(f.save(&elsewhere).await, Ok(0));
}

#[tokio::test]
async fn an_edit_raises_the_sequence_and_a_cancellation_frees_the_slot() {
    let mut f = Fixture::new().await;
    let a = f.room_a.clone();
    let mut first = f.booking("Conseil", &a, 0, once(16, 9, 10));
    assert_eq!(f.save(&first).await, Ok(0));
    // Moving it over its own old slot is no clash with itself.
    first.when = once(16, 9, 11);
    assert_eq!(f.save(&first).await, Ok(1));
    let read = f.store.booking(&first.id).await.unwrap().unwrap();
    assert_eq!((read.sequence, read.when.end), (1, at(2026, 9, 16, 11, 0)));
    let occ = f.store.room_occurrences(&a, now(), now() + 30 * 86_400_000).await.unwrap();
    assert_eq!(occ.len(), 1, "the old occurrence is replaced");
    // Someone else cannot have it meanwhile.
    let rival = f.booking("Rival", &a, 1, once(16, 10, 12));
    assert_eq!(f.save(&rival).await, Err(Clash::Room));
    // Cancelled: sequence raised, slot free, no more changes.
    assert!(f.store.cancel_booking(&first.id, &[], now()).await.unwrap());
    assert!(!f.store.cancel_booking(&first.id, &[], now()).await.unwrap(), "already cancelled");
    let read = f.store.booking(&first.id).await.unwrap().unwrap();
    assert!(read.cancelled);
    assert_eq!(read.sequence, 2);
    assert_eq!(f.save(&rival).await, Ok(0));
    let slots = occurrences(&first.when, now()).unwrap();
    assert!(matches!(f.store.save_booking(&first, &slots, &[], now()).await, Err(StoreError::Cancelled(_))));
    // Another organizer cannot take over a booking by its id.
    let mut hijack = rival.clone();
    hijack.organizer = f.teachers[2].clone();
    let slots = occurrences(&hijack.when, now()).unwrap();
    assert!(matches!(f.store.save_booking(&hijack, &slots, &[], now()).await, Err(StoreError::IdTaken(_))));
}

#[tokio::test]
async fn two_people_booking_the_same_slot_at_once_cannot_both_get_it() {
    let mut f = Fixture::new().await;
    let a = f.room_a.clone();
    for round in 0..5 {
        let one = f.booking("Un", &a, 0, once(20 + round, 9, 10));
        let two = f.booking("Deux", &a, 1, once(20 + round, 9, 10));
        let (r1, r2) = tokio::join!(f.save(&one), f.save(&two));
        assert!(r1.is_ok() != r2.is_ok(), "round {round}: exactly one gets the slot ({r1:?}, {r2:?})");
    }
}

#[tokio::test]
async fn the_guests_mail_is_written_with_the_booking_once_per_guest_and_retried_until_sent() {
    use preau_store::outbox::{MAX_ATTEMPTS, MEETING};
    let mut f = Fixture::new().await;
    let a = f.room_a.clone();
    let guests = vec!["ortho@cabinet.example".to_owned(), "inspection@ac-lyon.example".to_owned()];
    let first = f.booking("Équipe éducative", &a, 0, once(15, 14, 16));
    let slots = occurrences(&first.when, now()).unwrap();
    assert_eq!(f.store.save_booking(&first, &slots, &guests, now()).await.unwrap(), Ok(0));
    let due = f.store.due_mail(now(), 10).await.unwrap();
    assert_eq!(due.iter().map(|d| (d.kind.as_str(), d.about.as_str(), d.recipient.as_str())).collect::<Vec<_>>(),
        [(MEETING, first.id.as_str(), "ortho@cabinet.example"), (MEETING, first.id.as_str(), "inspection@ac-lyon.example")]);
    // A change before sending adds nothing: the message will carry the meeting as it is then.
    assert_eq!(f.store.save_booking(&first, &slots, &guests, now()).await.unwrap(), Ok(1));
    let due = f.store.due_mail(now(), 10).await.unwrap();
    assert_eq!(due.len(), 2);
    // A clash writes no mail either.
    let clash = f.booking("Réunion parents", &a, 1, once(15, 15, 17));
    let slots2 = occurrences(&clash.when, now()).unwrap();
    assert!(f.store.save_booking(&clash, &slots2, &["x@y.example".to_owned()], now()).await.unwrap().is_err());
    assert_eq!(f.store.due_mail(now(), 10).await.unwrap().len(), 2, "no mail about a booking not made");
    // One sent, one failed: the failure waits for its retry time, then comes back, until given up.
    let (sent, failed) = (due[0].id, due[1].id);
    assert!(f.store.mail_sent(sent, due[0].revision, now()).await.unwrap());
    f.store.mail_failed(failed, "connection refused", now() + 60_000).await.unwrap();
    assert!(f.store.due_mail(now(), 10).await.unwrap().is_empty());
    let again = f.store.due_mail(now() + 60_000, 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    for _ in 1..MAX_ATTEMPTS {
        f.store.mail_failed(failed, "connection refused", now()).await.unwrap();
    }
    assert!(f.store.due_mail(now() + 60_000, 10).await.unwrap().is_empty(), "given up after {MAX_ATTEMPTS} attempts");
    let report = f.store.deliveries(MEETING, first.id.as_str()).await.unwrap();
    assert_eq!(report.len(), 2);
    let ortho = report.iter().find(|d| d.recipient == "ortho@cabinet.example").unwrap();
    assert_eq!((ortho.sent_at, ortho.last_error.as_deref()), (Some(now()), None));
    let inspection = report.iter().find(|d| d.recipient.starts_with("inspection")).unwrap();
    assert_eq!((inspection.sent_at, inspection.attempts, inspection.last_error.as_deref()), (None, MAX_ATTEMPTS, Some("connection refused")));
    // The cancellation is a new message to the guest already told.
    assert!(f.store.cancel_booking(&first.id, &guests[..1], now()).await.unwrap());
    let cancel = f.store.due_mail(now(), 10).await.unwrap();
    assert_eq!(cancel.len(), 1);
    assert!(!f.store.cancel_booking(&first.id, &guests[..1], now()).await.unwrap(), "already cancelled: nothing more");
    assert_eq!(f.store.due_mail(now(), 10).await.unwrap().len(), 1);
    // A change merged while a send was being composed: that send does not mark it sent; and a
    // message given up comes back to life with the next change.
    let second = f.booking("Conseil de cycle", &a, 2, once(16, 9, 10));
    let slots = occurrences(&second.when, now()).unwrap();
    assert_eq!(f.store.save_booking(&second, &slots, &guests, now()).await.unwrap(), Ok(0));
    let read = f.store.due_mail(now(), 10).await.unwrap();
    let ortho = read.iter().find(|d| d.about == second.id.as_str() && d.recipient == guests[0]).unwrap().clone();
    assert_eq!(f.store.save_booking(&second, &slots, &guests, now()).await.unwrap(), Ok(1));
    assert!(!f.store.mail_sent(ortho.id, ortho.revision, now()).await.unwrap(), "composed before the change");
    let fresh = f.store.due_mail(now(), 10).await.unwrap();
    let ortho = fresh.iter().find(|d| d.id == ortho.id).expect("still due, to carry the change");
    assert!(f.store.mail_sent(ortho.id, ortho.revision, now()).await.unwrap());
    let inspection = fresh.iter().find(|d| d.about == second.id.as_str() && d.recipient == guests[1]).unwrap().id;
    for _ in 0..MAX_ATTEMPTS {
        f.store.mail_failed(inspection, "refused", now()).await.unwrap();
    }
    assert!(!f.store.due_mail(now(), 10).await.unwrap().iter().any(|d| d.id == inspection), "given up");
    assert_eq!(f.store.save_booking(&second, &slots, &guests, now()).await.unwrap(), Ok(2));
    let back = f.store.due_mail(now(), 10).await.unwrap();
    assert_eq!(back.iter().find(|d| d.id == inspection).map(|d| d.attempts), Some(0), "a new change is tried again");
    let _ = cancel;
}

#[tokio::test]
async fn a_recording_is_listed_with_its_meeting_closed_when_cut_short_and_forgotten() {
    let mut f = Fixture::new().await;
    let a = f.room_a.clone();
    let b = f.booking("Conférence", &a, 0, once(16, 9, 10));
    f.save(&b).await.unwrap();
    let (first, second) = (RecordingId::new(3, 1), RecordingId::new(3, 2));
    f.store.recording_started(&first, &b.id, "M. Martin", 1000).await.unwrap();
    f.store.recording_started(&second, &b.id, "M. Martin", 2000).await.unwrap();
    assert!(f.store.recording_started(&first, &b.id, "Doublon", 3000).await.is_err(), "an id is used once");
    f.store.recording_ended(&first, 1900, Some(900), 3600).await.unwrap();
    let listed = f.store.recordings(&b.id).await.unwrap();
    assert_eq!(listed.iter().map(|r| (&r.id, r.ended_at, r.duration_ms, r.bytes)).collect::<Vec<_>>(), [
        (&first, Some(1900), Some(900), Some(3600)),
        (&second, None, None, None)
    ]);
    // The second was running when the server stopped: closed at start, length unknown.
    let unfinished = f.store.unfinished_recordings().await.unwrap();
    assert_eq!(unfinished.iter().map(|r| &r.id).collect::<Vec<_>>(), [&second]);
    f.store.recording_ended(&second, 2000, None, 100).await.unwrap();
    assert!(f.store.unfinished_recordings().await.unwrap().is_empty());
    // Past their keeping time, oldest first; deleted once.
    let old = f.store.recordings_before(1500).await.unwrap();
    assert_eq!(old.iter().map(|r| &r.id).collect::<Vec<_>>(), [&first]);
    assert!(f.store.delete_recording(&first).await.unwrap());
    assert!(!f.store.delete_recording(&first).await.unwrap());
    assert_eq!(f.store.recording(&second).await.unwrap().map(|r| r.booking), Some(b.id.clone()));
    assert!(f.store.recording(&first).await.unwrap().is_none());
}
