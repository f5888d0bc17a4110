//! iCalendar (RFC 5545) text for meeting invitations (RFC 5546 iTIP: `REQUEST`, `CANCEL`) and
//! personal calendar feeds (`PUBLISH`).
//!
//! Written by hand: the format is lines of `NAME;PARAM=value:value`, escaped and folded, and the
//! Rust crates that write it bring chrono along, where Préau uses jiff. Times are given in the
//! school's wall-clock time with `TZID=Europe/Paris` and the zone's `VTIMEZONE`, so that a
//! weekly meeting stays at its hour across daylight-saving changes in every client.

use std::fmt::Write;

use jiff::civil::DateTime;
use jiff::Timestamp;

use crate::Millis;
use crate::booking::{self, BookingError, Recurrence};

/// Who an invitation is for or from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    /// A calendar address (RFC 5545 CAL-ADDRESS, a URI): `mailto:` with an e-mail address, or
    /// a `urn:` naming a person of the establishment who has none.
    pub address: String,
}

impl Attendee {
    pub fn mailto(name: &str, email: &str) -> Attendee {
        Attendee { name: name.to_owned(), address: format!("mailto:{email}") }
    }
}

/// The iTIP method of a calendar object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// An invitation, or its update (same UID, higher SEQUENCE).
    Request,
    /// The meeting is cancelled.
    Cancel,
    /// A feed: events to show, nothing to answer.
    Publish,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::Publish => "PUBLISH",
        }
    }
}

/// One meeting, possibly weekly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across updates and cancellation: the booking's id and the server's host.
    pub uid: String,
    /// Raised at each change the invitees must see.
    pub sequence: u32,
    /// When this version was written (DTSTAMP).
    pub stamp: Millis,
    pub title: String,
    pub description: Option<String>,
    /// Where to join: the meeting's address.
    pub url: Option<String>,
    pub start: DateTime,
    pub end: DateTime,
    pub weekly: Option<Recurrence>,
    pub organizer: Attendee,
    pub attendees: Vec<Attendee>,
    pub cancelled: bool,
}

/// Europe/Paris since 1996: summer time from the last Sunday of March at 02:00 to the last
/// Sunday of October at 03:00.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A whole calendar object: `VCALENDAR` with the zone and the events, CRLF line ends.
pub fn calendar(method: Method, name: Option<&str>, events: &[Event]) -> Result<String, BookingError> {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//Préau//Préau//FR");
    out.line("CALSCALE:GREGORIAN");
    out.line(&format!("METHOD:{}", method.as_str()));
    if let Some(name) = name {
        out.line(&format!("X-WR-CALNAME:{}", text(name)));
    }
    for l in VTIMEZONE {
        out.line(l);
    }
    for e in events {
        event(&mut out, method, e)?;
    }
    out.line("END:VCALENDAR");
    Ok(out.0)
}

fn event(out: &mut Lines, method: Method, e: &Event) -> Result<(), BookingError> {
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", text(&e.uid)));
    out.line(&format!("SEQUENCE:{}", e.sequence));
    out.line(&format!("DTSTAMP:{}", utc(e.stamp)?));
    out.line(&format!("DTSTART;TZID=Europe/Paris:{}", local(e.start)));
    out.line(&format!("DTEND;TZID=Europe/Paris:{}", local(e.end)));
    if let Some(weekly) = &e.weekly {
        let mut rule = String::from("RRULE:FREQ=WEEKLY");
        if let Some(until) = weekly.until {
            // With a zoned DTSTART, UNTIL is in UTC (RFC 5545 §3.3.10): the last start, included.
            let last = booking::instant(until.to_datetime(e.start.time()))?;
            let _ = write!(rule, ";UNTIL={}", utc(last)?);
        }
        out.line(&rule);
        for day in &weekly.except {
            out.line(&format!("EXDATE;TZID=Europe/Paris:{}", local(day.to_datetime(e.start.time()))));
        }
    }
    out.line(&format!("SUMMARY:{}", text(&e.title)));
    if let Some(d) = &e.description {
        out.line(&format!("DESCRIPTION:{}", text(d)));
    }
    if let Some(u) = &e.url {
        out.line(&format!("LOCATION:{}", text(u)));
        out.line(&format!("URL:{}", u.chars().filter(|c| !c.is_control()).collect::<String>()));
    }
    out.line(&format!("ORGANIZER;CN={}:{}", param(&e.organizer.name), address(&e.organizer.address)));
    for a in &e.attendees {
        let status = if method == Method::Request { ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE" } else { "" };
        out.line(&format!("ATTENDEE;CN={};ROLE=REQ-PARTICIPANT{status}:{}", param(&a.name), address(&a.address)));
    }
    let status = if e.cancelled || method == Method::Cancel { "CANCELLED" } else { "CONFIRMED" };
    out.line(&format!("STATUS:{status}"));
    out.line("END:VEVENT");
    Ok(())
}

/// Content lines, folded at 75 octets (RFC 5545 §3.1) without splitting a character.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let n = c.len_utf8();
            if width + n > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += n;
        }
        self.0.push_str("\r\n");
    }
}

/// A TEXT value: backslash, semicolon, comma and newlines escaped; other controls dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value, always quoted: it may not hold a double quote or a control character.
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// A calendar address: characters that would end the line or the value, or add a parameter,
/// are dropped (addresses are checked before they get here; this is the last guard).
fn address(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, ';' | '"' | ',')).collect()
}

fn local(t: DateTime) -> String {
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second())
}

fn utc(at: Millis) -> Result<String, BookingError> {
    let t = Timestamp::from_millisecond(at).map_err(|_| BookingError::BadLocalTime)?;
    Ok(t.strftime("%Y%m%dT%H%M%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    pub(crate) fn sample() -> Event {
        Event {
            uid: "01k0booking@preau.example".into(),
            sequence: 0,
            stamp: booking::instant(date(2026, 9, 1).at(8, 0, 0, 0)).unwrap(),
            title: "Conseil pédagogique, 2e trimestre; salle B".into(),
            description: Some("Ordre du jour :\n1. Projets\n2. Questions diverses".into()),
            url: Some("https://preau.example/meetings/01k0booking".into()),
            start: date(2026, 10, 13).at(17, 0, 0, 0),
            end: date(2026, 10, 13).at(18, 30, 0, 0),
            weekly: Some(Recurrence { until: Some(date(2026, 11, 3)), except: [date(2026, 10, 27)].into() }),
            organizer: Attendee::mailto("Mme Durand", "durand@college.example"),
            attendees: vec![
                Attendee::mailto("M. \"Léo\" Martin", "martin@college.example"),
                Attendee::mailto("Orthophoniste", "ortho@cabinet.example"),
            ],
            cancelled: false,
        }
    }

    #[test]
    fn an_invitation_has_its_zone_its_rule_and_escaped_folded_lines() {
        let ics = calendar(Method::Request, None, &[sample()]).unwrap();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "a line of {} octets: {line}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        let unfolded = ics.replace("\r\n ", "");
        for expected in [
            "METHOD:REQUEST",
            "TZID:Europe/Paris",
            "DTSTART;TZID=Europe/Paris:20261013T170000",
            "DTEND;TZID=Europe/Paris:20261013T183000",
            // 3 November 17:00 in Paris is 16:00 UTC (winter time).
            "RRULE:FREQ=WEEKLY;UNTIL=20261103T160000Z",
            "EXDATE;TZID=Europe/Paris:20261027T170000",
            "SUMMARY:Conseil pédagogique\\, 2e trimestre\\; salle B",
            "DESCRIPTION:Ordre du jour :\\n1. Projets\\n2. Questions diverses",
            "ORGANIZER;CN=\"Mme Durand\":mailto:durand@college.example",
            "ATTENDEE;CN=\"M. Léo Martin\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:martin@college.example",
            "STATUS:CONFIRMED",
            "DTSTAMP:20260901T060000Z",
        ] {
            assert!(unfolded.contains(&format!("{expected}\r\n")), "missing {expected} in\n{unfolded}");
        }
    }

    #[test]
    fn a_cancellation_keeps_the_uid_and_says_cancelled() {
        let mut e = sample();
        e.sequence = 2;
        let ics = calendar(Method::Cancel, None, &[e]).unwrap().replace("\r\n ", "");
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("UID:01k0booking@preau.example\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
        assert!(!ics.contains("RSVP"), "nothing to answer to a cancellation");
    }

    #[test]
    fn folding_never_splits_a_character_and_injection_is_neutralised() {
        let mut out = Lines::default();
        out.line(&format!("SUMMARY:{}", "é".repeat(80)));
        for piece in out.0.split("\r\n") {
            assert!(piece.len() <= 75);
        }
        assert_eq!(out.0.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "é".repeat(80)));
        // A title cannot start a new property; an address cannot carry parameters.
        assert_eq!(text("x\r\nATTENDEE:mailto:evil@example"), "x\\nATTENDEE:mailto:evil@example");
        assert_eq!(address("mailto:a@b.example;RSVP=TRUE\r\n"), "mailto:a@b.exampleRSVP=TRUE");
        assert_eq!(param("\"Bob\"\r\n"), "\"Bob\"");
    }
}
