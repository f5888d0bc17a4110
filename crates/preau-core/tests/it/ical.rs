//! The invitations and feeds read back by an independent parser: Python's `icalendar` package
//! (installed by scripts/test), with its own reading of the zone, the rule and the escapes.

use std::io::Write;
use std::process::{Command, Stdio};

use jiff::civil::date;
use preau_core::booking::{self, Recurrence};
use preau_core::ical::{Attendee, Event, Method, calendar};

/// Parses `ics` with Python's icalendar and prints one `NAME=value` line per fact checked.
const READ: &str = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
print("METHOD=" + str(cal.get("METHOD")))
for ev in cal.walk("VEVENT"):
    print("UID=" + str(ev.get("UID")))
    print("SEQUENCE=" + str(ev.get("SEQUENCE")))
    print("SUMMARY=" + str(ev.get("SUMMARY")))
    print("DESCRIPTION=" + repr(str(ev.get("DESCRIPTION"))))
    print("STATUS=" + str(ev.get("STATUS")))
    start = ev.decoded("DTSTART")
    print("DTSTART_UTC=" + start.astimezone(__import__("datetime").timezone.utc).isoformat())
    print("DTSTART_TZ=" + str(start.tzinfo))
    print("DTEND_UTC=" + ev.decoded("DTEND").astimezone(__import__("datetime").timezone.utc).isoformat())
    rrule = ev.get("RRULE")
    if rrule:
        print("RRULE_FREQ=" + ",".join(rrule["FREQ"]))
        print("RRULE_UNTIL=" + ",".join(u.isoformat() for u in rrule["UNTIL"]))
    exdate = ev.get("EXDATE")
    if exdate:
        exdates = exdate if isinstance(exdate, list) else [exdate]
        for e in exdates:
            for d in e.dts:
                print("EXDATE_UTC=" + d.dt.astimezone(__import__("datetime").timezone.utc).isoformat())
    print("ORGANIZER=" + str(ev.get("ORGANIZER")) + "|" + str(ev.get("ORGANIZER").params.get("CN")))
    attendees = ev.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    for a in attendees:
        print("ATTENDEE=" + str(a) + "|" + str(a.params.get("CN")) + "|" + str(a.params.get("RSVP")))
"#;

fn read_back(ics: &str) -> Vec<String> {
    let mut child = Command::new("python3")
        .args(["-c", READ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "Python's icalendar refused the calendar (is it installed? `pip install icalendar`, as scripts/test does):\n{stderr}\n{ics}"
    );
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

fn meeting() -> Event {
    Event {
        uid: "01k0booking@preau.example".into(),
        sequence: 1,
        stamp: booking::instant(date(2026, 9, 1).at(8, 0, 0, 0)).unwrap(),
        title: "Conseil pédagogique, 2e trimestre; salle B".into(),
        description: Some("Ordre du jour :\n1. Projets\\2. Divers".into()),
        url: Some("https://preau.example/meetings/01k0booking".into()),
        start: date(2026, 10, 13).at(17, 0, 0, 0),
        end: date(2026, 10, 13).at(18, 30, 0, 0),
        weekly: Some(Recurrence { until: Some(date(2026, 11, 3)), except: [date(2026, 10, 27)].into() }),
        organizer: Attendee::mailto("Mme Durand", "durand@college.example"),
        attendees: vec![
            Attendee::mailto("M. Léo Martin", "martin@college.example"),
            Attendee::mailto("Orthophoniste", "ortho@cabinet.example"),
        ],
        cancelled: false,
    }
}

fn has(lines: &[String], expected: &str) {
    assert!(lines.iter().any(|l| l == expected), "the parser did not read {expected:?}; it read:\n{}", lines.join("\n"));
}

#[test]
fn an_invitation_reads_back_whole_in_an_independent_parser() {
    let lines = read_back(&calendar(Method::Request, None, &[meeting()]).unwrap());
    has(&lines, "METHOD=REQUEST");
    has(&lines, "UID=01k0booking@preau.example");
    has(&lines, "SEQUENCE=1");
    has(&lines, "SUMMARY=Conseil pédagogique, 2e trimestre; salle B");
    has(&lines, r"DESCRIPTION='Ordre du jour :\n1. Projets\\2. Divers'");
    has(&lines, "STATUS=CONFIRMED");
    // 17:00 in Paris on 13 October (summer time) is 15:00 UTC, and the zone is Paris's.
    has(&lines, "DTSTART_UTC=2026-10-13T15:00:00+00:00");
    has(&lines, "DTEND_UTC=2026-10-13T16:30:00+00:00");
    assert!(lines.iter().any(|l| l.starts_with("DTSTART_TZ=") && l.contains("Paris")), "{lines:?}");
    has(&lines, "RRULE_FREQ=WEEKLY");
    // The last meeting, 3 November at 17:00 in Paris, is 16:00 UTC (winter time).
    has(&lines, "RRULE_UNTIL=2026-11-03T16:00:00+00:00");
    has(&lines, "EXDATE_UTC=2026-10-27T16:00:00+00:00");
    has(&lines, "ORGANIZER=mailto:durand@college.example|Mme Durand");
    has(&lines, "ATTENDEE=mailto:martin@college.example|M. Léo Martin|TRUE");
    has(&lines, "ATTENDEE=mailto:ortho@cabinet.example|Orthophoniste|TRUE");
}

#[test]
fn an_update_and_a_cancellation_read_back_with_the_same_uid() {
    let mut update = meeting();
    update.sequence = 2;
    update.start = date(2026, 10, 13).at(17, 30, 0, 0);
    let lines = read_back(&calendar(Method::Request, None, &[update.clone()]).unwrap());
    has(&lines, "UID=01k0booking@preau.example");
    has(&lines, "SEQUENCE=2");
    has(&lines, "DTSTART_UTC=2026-10-13T15:30:00+00:00");

    update.sequence = 3;
    let lines = read_back(&calendar(Method::Cancel, None, &[update]).unwrap());
    has(&lines, "METHOD=CANCEL");
    has(&lines, "UID=01k0booking@preau.example");
    has(&lines, "SEQUENCE=3");
    has(&lines, "STATUS=CANCELLED");
    has(&lines, "ATTENDEE=mailto:martin@college.example|M. Léo Martin|None");
}

#[test]
fn a_feed_of_several_meetings_reads_back() {
    let mut other = meeting();
    other.uid = "01k0other@preau.example".into();
    other.weekly = None;
    other.title = "Équipe éducative — 6e A".into();
    let lines = read_back(&calendar(Method::Publish, Some("Réunions de Mme Durand"), &[meeting(), other]).unwrap());
    has(&lines, "METHOD=PUBLISH");
    has(&lines, "UID=01k0booking@preau.example");
    has(&lines, "UID=01k0other@preau.example");
    has(&lines, "SUMMARY=Équipe éducative — 6e A");
}
