//! Meeting rooms and their bookings: the rules, without IO.
//!
//! A booking is asked for in the wall-clock time of the school (Europe/Paris): "every Tuesday at
//! 17:00 until the holidays". Each occurrence is turned into an instant on its own date, so a
//! weekly meeting stays at 17:00 across the change to and from summer time. Instants are epoch
//! milliseconds, half-open `[start, end)`: a meeting ending at 10:00 does not conflict with one
//! starting at 10:00.

use std::collections::BTreeSet;

pub use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::{BookingId, EstablishmentId, MeetingRoomId, Millis, PersonId};

/// The zone every booking is made in.
pub const ZONE: &str = "Europe/Paris";
/// Capacity of a new meeting room unless the administrator says otherwise.
pub const DEFAULT_CAPACITY: u32 = 10;
/// The largest capacity accepted: beyond that a meeting room is a lecture hall, not a room.
pub const MAX_CAPACITY: u32 = 300;
/// The longest meeting.
pub const MAX_DURATION_MS: Millis = 12 * 3_600_000;
/// How far ahead a booking (or the end of its recurrence) may be.
pub const MAX_AHEAD_DAYS: i64 = 400;
/// The most occurrences one booking may have.
pub const MAX_OCCURRENCES: usize = 52;
/// A booking may start this long before "now" (the time to fill in the form).
pub const PAST_GRACE_MS: Millis = 5 * 60_000;
/// The longest title.
pub const MAX_TITLE_CHARS: usize = 200;
/// A meeting's live room opens this long before each occurrence…
pub const OPEN_EARLY_MS: Millis = 15 * 60_000;
/// …and stays open this long after its end; a guest's link works until the last end plus this.
pub const CLOSE_LATE_MS: Millis = 30 * 60_000;

/// What a meeting room is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingRoomKind {
    /// Video meetings: staff, parents, guests by invitation.
    Video,
    /// Internal meetings: only staff roles may book or enter.
    StaffOnly,
    /// Audio conferences entered with a PIN (and, later, by phone).
    AudioConference,
}

impl MeetingRoomKind {
    pub const ALL: [MeetingRoomKind; 3] = [Self::Video, Self::StaffOnly, Self::AudioConference];

    /// The name stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::StaffOnly => "staff_only",
            Self::AudioConference => "audio_conference",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A meeting room, as the administrator set it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRoom {
    pub id: MeetingRoomId,
    pub establishment_id: EstablishmentId,
    pub name: String,
    pub kind: MeetingRoomKind,
    pub capacity: u32,
}

/// A booking: one meeting or a weekly series, its organizer and who is invited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub room: MeetingRoomId,
    pub organizer: PersonId,
    pub title: String,
    pub when: When,
    /// Raised at each change the invitees must see (the iCalendar SEQUENCE).
    pub sequence: u32,
    pub cancelled: bool,
    /// People of the establishment invited, the organizer excepted.
    pub invitees: Vec<PersonId>,
    /// Guests from outside, by e-mail address.
    pub guests: Vec<String>,
}

/// Digits of the PINs Préau makes for audio conferences (6 to 9 are accepted when typed).
pub const PIN_DIGITS: usize = 9;

/// A PIN of [`PIN_DIGITS`] digits from random bits given by the caller; it never starts with 0
/// (a phone keypad or a spreadsheet would drop it).
pub fn new_pin(random: u64) -> String {
    let span = 9 * 10u64.pow(PIN_DIGITS as u32 - 1);
    (10u64.pow(PIN_DIGITS as u32 - 1) + random % span).to_string()
}

/// A PIN as typed, spaces and dots removed: 6 to 9 digits, or None.
pub fn clean_pin(typed: &str) -> Option<String> {
    let pin: String = typed.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}')).collect();
    ((6..=9).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())).then_some(pin)
}

impl Booking {
    /// The id of the booking's live room: the booking's own ULID, as a room id. The signalling
    /// registry keys rooms in session by room id; a meeting's live room is never in the rooms
    /// table (and the benchmark socket refuses a booking's id as it refuses a class room's).
    pub fn live_room(&self) -> crate::RoomId {
        self.id.as_str().parse().expect("a booking id is a ULID, as a room id is")
    }
}

/// The occurrence whose live room is open at `now` — from [`OPEN_EARLY_MS`] before its start to
/// [`CLOSE_LATE_MS`] after its end — if any.
pub fn open_slot(slots: &[Slot], now: Millis) -> Option<Slot> {
    slots.iter().copied().find(|s| s.start - OPEN_EARLY_MS <= now && now < s.end + CLOSE_LATE_MS)
}

/// The next occurrence not yet over at `now` (ended less than [`CLOSE_LATE_MS`] ago), if any.
pub fn next_slot(slots: &[Slot], now: Millis) -> Option<Slot> {
    slots.iter().copied().find(|s| now < s.end + CLOSE_LATE_MS)
}

/// Until when a guest's link to a booking works: the last occurrence's end plus [`CLOSE_LATE_MS`].
pub fn link_expiry(slots: &[Slot]) -> Millis {
    slots.iter().map(|s| s.end).max().unwrap_or(0) + CLOSE_LATE_MS
}

/// Why a booking is refused. Messages are in French, the interface's language by default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("le titre est obligatoire")]
    TitleMissing,
    #[error("le titre est trop long ({MAX_TITLE_CHARS} caractères au plus)")]
    TitleTooLong,
    #[error("le titre contient des caractères de contrôle")]
    TitleControl,
    #[error("la fin doit être après le début")]
    EndNotAfterStart,
    #[error("une réunion dure au plus 12 heures")]
    TooLong,
    #[error("cet horaire est déjà passé")]
    InThePast,
    #[error("la date est trop lointaine")]
    TooFarAhead,
    #[error("la fin de la répétition doit être après le premier jour")]
    RecurrenceEndsBeforeStart,
    #[error("une réunion répétée chaque semaine doit avoir une date de fin")]
    RecurrenceWithoutEnd,
    #[error("une réservation compte au plus {MAX_OCCURRENCES} séances")]
    TooManyOccurrences,
    #[error("toutes les séances sont exclues")]
    NoOccurrence,
    #[error("cet horaire n'existe pas ou n'a pas de sens à cette date")]
    BadLocalTime,
    #[error("la capacité d'une salle va de 1 à {MAX_CAPACITY} personnes")]
    BadCapacity,
    #[error("la salle accueille au plus {capacity} personnes ; il en faudrait {wanted}, organisateur compris")]
    OverCapacity { capacity: u32, wanted: u32 },
}

/// Checks a capacity given by an administrator.
pub fn check_capacity(capacity: u32) -> Result<u32, BookingError> {
    if (1..=MAX_CAPACITY).contains(&capacity) { Ok(capacity) } else { Err(BookingError::BadCapacity) }
}

/// Checks and tidies a booking's title (surrounding spaces removed).
pub fn check_title(title: &str) -> Result<String, BookingError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(BookingError::TitleMissing);
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(BookingError::TitleTooLong);
    }
    if title.chars().any(char::is_control) {
        return Err(BookingError::TitleControl);
    }
    Ok(title.to_string())
}

/// A span of time, `[start, end)` in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub start: Millis,
    pub end: Millis,
}

impl Slot {
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The gaps of at least a quarter of an hour in `within` that none of `booked` covers, in order.
pub fn free_times(booked: &[Slot], within: Slot) -> Vec<Slot> {
    const LEAST: Millis = 15 * 60_000;
    let mut taken: Vec<Slot> = booked.iter().filter(|b| b.overlaps(&within)).copied().collect();
    taken.sort();
    let mut out = vec![];
    let mut at = within.start;
    for b in taken {
        if b.start - at >= LEAST {
            out.push(Slot { start: at, end: b.start });
        }
        at = at.max(b.end);
    }
    if within.end - at >= LEAST {
        out.push(Slot { start: at, end: within.end });
    }
    out
}

/// Weekly repetition: the same weekday and wall-clock time as the first meeting, every week
/// up to `until` (a date, included), except on the dates listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recurrence {
    pub until: Option<Date>,
    pub except: BTreeSet<Date>,
}

/// A booking as asked for, in the school's wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub start: DateTime,
    pub end: DateTime,
    /// `None`: a single meeting.
    pub weekly: Option<Recurrence>,
}

fn zone() -> TimeZone {
    // The bundled database always has it (tzdb-bundle-always); a failure here is a build defect.
    TimeZone::get(ZONE).expect("Europe/Paris in jiff's bundled time zone database")
}

/// The instant of a wall-clock time in Europe/Paris. A time skipped when clocks go forward is
/// taken as the one after the change (02:30 → 03:30); a time that happens twice when they go
/// back is the first of the two (RFC 5545's rule too).
pub fn instant(local: DateTime) -> Result<Millis, BookingError> {
    let zoned = zone().to_ambiguous_zoned(local).compatible().map_err(|_| BookingError::BadLocalTime)?;
    Ok(zoned.timestamp().as_millisecond())
}

/// The wall-clock time in Europe/Paris of an instant.
pub fn local(at: Millis) -> Result<DateTime, BookingError> {
    let ts = Timestamp::from_millisecond(at).map_err(|_| BookingError::BadLocalTime)?;
    Ok(ts.to_zoned(zone()).datetime())
}

/// One meeting's instants, checked on the instants themselves: a start in the hour skipped in
/// spring, or a night when clocks go back, changes the real length.
fn slot(start: DateTime, end: DateTime) -> Result<Slot, BookingError> {
    let slot = Slot { start: instant(start)?, end: instant(end)? };
    if slot.end <= slot.start {
        return Err(BookingError::BadLocalTime);
    }
    if slot.end - slot.start > MAX_DURATION_MS {
        return Err(BookingError::TooLong);
    }
    Ok(slot)
}

/// Every occurrence of a booking, checked: end after start, at most 12 hours, not in the past
/// (`now`, with a few minutes' grace), not too far ahead, at most [`MAX_OCCURRENCES`].
pub fn occurrences(when: &When, now: Millis) -> Result<Vec<Slot>, BookingError> {
    if when.end <= when.start {
        return Err(BookingError::EndNotAfterStart);
    }
    let latest = now.saturating_add(MAX_AHEAD_DAYS * 86_400_000);
    let first = instant(when.start)?;
    if first < now.saturating_sub(PAST_GRACE_MS) {
        return Err(BookingError::InThePast);
    }
    if first > latest {
        return Err(BookingError::TooFarAhead);
    }
    let Some(weekly) = &when.weekly else {
        return Ok(vec![slot(when.start, when.end)?]);
    };
    let Some(until) = weekly.until else {
        return Err(BookingError::RecurrenceWithoutEnd);
    };
    if until < when.start.date() {
        return Err(BookingError::RecurrenceEndsBeforeStart);
    }
    let mut slots = vec![];
    let mut week = 0i64;
    loop {
        let shift = Span::new().weeks(week);
        let start = when.start.checked_add(shift).map_err(|_| BookingError::TooFarAhead)?;
        if start.date() > until {
            break;
        }
        if !weekly.except.contains(&start.date()) {
            if slots.len() == MAX_OCCURRENCES {
                return Err(BookingError::TooManyOccurrences);
            }
            let end = when.end.checked_add(shift).map_err(|_| BookingError::TooFarAhead)?;
            let slot = slot(start, end)?;
            if slot.start > latest {
                return Err(BookingError::TooFarAhead);
            }
            slots.push(slot);
        }
        week += 1;
        if week > MAX_AHEAD_DAYS / 7 + 1 {
            return Err(BookingError::TooFarAhead);
        }
    }
    if slots.is_empty() {
        return Err(BookingError::NoOccurrence);
    }
    Ok(slots)
}

/// Checks that the organizer and the invitees fit in the room.
pub fn check_fits(capacity: u32, invitees: usize) -> Result<(), BookingError> {
    let wanted = u32::try_from(invitees).unwrap_or(u32::MAX).saturating_add(1);
    if wanted > capacity { Err(BookingError::OverCapacity { capacity, wanted }) } else { Ok(()) }
}

/// An occurrence of a booking already made, as conflict detection needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken<B, R, P> {
    pub booking: B,
    pub room: R,
    pub organizer: P,
    pub slot: Slot,
}

/// What a new booking collides with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// The room is already booked then.
    Room,
    /// The organizer already organizes another meeting then.
    Organizer,
}

/// The first occurrence already taken that a new booking's `slots` collide with — on the same
/// room, or with the same organizer — ignoring `editing` (the booking being changed).
pub fn first_conflict<'a, B: PartialEq, R: PartialEq, P: PartialEq>(
    slots: &[Slot],
    room: &R,
    organizer: &P,
    editing: Option<&B>,
    taken: &'a [Taken<B, R, P>],
) -> Option<(Clash, &'a Taken<B, R, P>)> {
    let mut found: Option<(Clash, &Taken<B, R, P>)> = None;
    for t in taken.iter().filter(|t| editing != Some(&t.booking)) {
        let clash = if &t.room == room {
            Clash::Room
        } else if &t.organizer == organizer {
            Clash::Organizer
        } else {
            continue;
        };
        if slots.iter().any(|s| s.overlaps(&t.slot)) && found.is_none_or(|(_, f)| t.slot.start < f.slot.start) {
            found = Some((clash, t));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> DateTime {
        date(y, m, d).at(h, min, 0, 0)
    }

    fn now() -> Millis {
        instant(at(2026, 9, 1, 8, 0)).unwrap()
    }

    fn once(start: DateTime, end: DateTime) -> When {
        When { start, end, weekly: None }
    }

    #[test]
    fn a_single_meeting_is_one_slot_at_the_french_hour() {
        let slots = occurrences(&once(at(2026, 9, 15, 17, 0), at(2026, 9, 15, 18, 30)), now()).unwrap();
        assert_eq!(slots.len(), 1);
        // 17:00 in Paris in September is 15:00 UTC (summer time, UTC+2).
        let utc = Timestamp::from_millisecond(slots[0].start).unwrap();
        assert_eq!(utc.to_string(), "2026-09-15T15:00:00Z");
        assert_eq!(slots[0].end - slots[0].start, 90 * 60_000);
    }

    #[test]
    fn a_weekly_meeting_keeps_its_wall_clock_time_across_the_change_of_time() {
        // Clocks go back on Sunday 25 October 2026: Tuesdays before are UTC+2, after UTC+1.
        let when = When {
            start: at(2026, 10, 13, 17, 0),
            end: at(2026, 10, 13, 18, 0),
            weekly: Some(Recurrence { until: Some(date(2026, 11, 3)), except: BTreeSet::new() }),
        };
        let slots = occurrences(&when, now()).unwrap();
        let utc: Vec<String> = slots.iter().map(|s| Timestamp::from_millisecond(s.start).unwrap().to_string()).collect();
        assert_eq!(utc, ["2026-10-13T15:00:00Z", "2026-10-20T15:00:00Z", "2026-10-27T16:00:00Z", "2026-11-03T16:00:00Z"]);
        for s in &slots {
            assert_eq!(local(s.start).unwrap().time(), jiff::civil::time(17, 0, 0, 0), "17:00 in Paris every week");
            assert_eq!(s.end - s.start, 3_600_000);
        }
    }

    #[test]
    fn a_meeting_over_the_night_clocks_go_back_lasts_its_real_length() {
        // 25 October 2026, 01:30 → 03:30 local: three real hours (02:00–03:00 happens twice).
        let slots = occurrences(&once(at(2026, 10, 25, 1, 30), at(2026, 10, 25, 3, 30)), now()).unwrap();
        assert_eq!(slots[0].end - slots[0].start, 3 * 3_600_000);
    }

    #[test]
    fn a_time_skipped_in_spring_is_taken_after_the_change() {
        // 29 March 2026 was the change; take 28 March 2027, 02:30, which does not exist.
        let start = instant(at(2027, 3, 28, 2, 30)).unwrap();
        assert_eq!(Timestamp::from_millisecond(start).unwrap().to_string(), "2027-03-28T01:30:00Z");
        assert_eq!(local(start).unwrap(), at(2027, 3, 28, 3, 30));
    }

    #[test]
    fn a_meeting_made_empty_or_too_long_by_a_change_of_time_is_refused() {
        // 28 March 2027: 02:30 does not exist (03:30); 02:30 → 03:10 would end before it starts,
        // 02:30 → 03:30 would last nothing.
        assert_eq!(occurrences(&once(at(2027, 3, 28, 2, 30), at(2027, 3, 28, 3, 10)), now()), Err(BookingError::BadLocalTime));
        assert_eq!(occurrences(&once(at(2027, 3, 28, 2, 30), at(2027, 3, 28, 3, 30)), now()), Err(BookingError::BadLocalTime));
        // 25 October 2026: 01:30 → 13:30 is 12 hours on the clock but 13 real hours.
        assert_eq!(occurrences(&once(at(2026, 10, 25, 1, 30), at(2026, 10, 25, 13, 30)), now()), Err(BookingError::TooLong));
        // Exactly 12 hours on an ordinary day is accepted.
        assert!(occurrences(&once(at(2026, 10, 20, 7, 0), at(2026, 10, 20, 19, 0)), now()).is_ok());
        // A weekly series with one such Sunday is refused whole.
        let weekly = When {
            start: at(2027, 3, 14, 2, 30),
            end: at(2027, 3, 14, 3, 10),
            weekly: Some(Recurrence { until: Some(date(2027, 4, 4)), except: BTreeSet::new() }),
        };
        assert_eq!(occurrences(&weekly, now()), Err(BookingError::BadLocalTime));
        // A weekly series needs an end.
        let endless = When { weekly: Some(Recurrence { until: None, except: BTreeSet::new() }), ..once(at(2026, 9, 15, 17, 0), at(2026, 9, 15, 18, 0)) };
        assert_eq!(occurrences(&endless, now()), Err(BookingError::RecurrenceWithoutEnd));
    }

    #[test]
    fn boundaries_are_accepted() {
        // 52 occurrences: accepted; 53: refused.
        let from = at(2026, 9, 2, 9, 0);
        let series = |until: Date| When { start: from, end: at(2026, 9, 2, 10, 0), weekly: Some(Recurrence { until: Some(until), except: BTreeSet::new() }) };
        assert_eq!(occurrences(&series(date(2027, 8, 25)), now()).unwrap().len(), 52);
        assert_eq!(occurrences(&series(date(2027, 9, 1)), now()), Err(BookingError::TooManyOccurrences));
        assert_eq!(check_title(&"é".repeat(MAX_TITLE_CHARS)).map(|t| t.chars().count()), Ok(MAX_TITLE_CHARS));
        assert_eq!(check_capacity(1), Ok(1));
        assert_eq!(check_capacity(MAX_CAPACITY), Ok(MAX_CAPACITY));
        assert!(occurrences(&once(at(2026, 9, 1, 7, 55), at(2026, 9, 1, 9, 0)), now()).is_ok(), "exactly 5 minutes late");
        assert_eq!(occurrences(&once(at(2026, 9, 1, 7, 54), at(2026, 9, 1, 9, 0)), now()), Err(BookingError::InThePast));
        // Extreme clocks do not overflow.
        assert!(occurrences(&once(at(2026, 9, 15, 17, 0), at(2026, 9, 15, 18, 0)), Millis::MAX).is_err());
        assert!(occurrences(&once(at(2026, 9, 15, 17, 0), at(2026, 9, 15, 18, 0)), Millis::MIN).is_err());
    }

    #[test]
    fn exceptions_are_skipped_and_until_is_included() {
        let when = When {
            start: at(2026, 9, 7, 9, 0),
            end: at(2026, 9, 7, 10, 0),
            weekly: Some(Recurrence { until: Some(date(2026, 9, 28)), except: [date(2026, 9, 14), date(2026, 9, 21)].into() }),
        };
        let days: Vec<Date> = occurrences(&when, now()).unwrap().iter().map(|s| local(s.start).unwrap().date()).collect();
        assert_eq!(days, [date(2026, 9, 7), date(2026, 9, 28)]);
        // Every occurrence excepted: nothing to book.
        let none = When { weekly: Some(Recurrence { until: Some(date(2026, 9, 7)), except: [date(2026, 9, 7)].into() }), ..when };
        assert_eq!(occurrences(&none, now()), Err(BookingError::NoOccurrence));
    }

    #[test]
    fn bad_times_are_refused_with_their_reason() {
        let n = now();
        assert_eq!(occurrences(&once(at(2026, 9, 15, 18, 0), at(2026, 9, 15, 17, 0)), n), Err(BookingError::EndNotAfterStart));
        assert_eq!(occurrences(&once(at(2026, 9, 15, 18, 0), at(2026, 9, 15, 18, 0)), n), Err(BookingError::EndNotAfterStart));
        assert_eq!(occurrences(&once(at(2026, 9, 15, 6, 0), at(2026, 9, 15, 18, 1)), n), Err(BookingError::TooLong));
        assert_eq!(occurrences(&once(at(2026, 8, 31, 17, 0), at(2026, 8, 31, 18, 0)), n), Err(BookingError::InThePast));
        // A few minutes late to fill in the form is fine.
        assert!(occurrences(&once(at(2026, 9, 1, 7, 57), at(2026, 9, 1, 9, 0)), n).is_ok());
        assert_eq!(occurrences(&once(at(2028, 1, 1, 9, 0), at(2028, 1, 1, 10, 0)), n), Err(BookingError::TooFarAhead));
        let backwards = When {
            start: at(2026, 9, 15, 17, 0),
            end: at(2026, 9, 15, 18, 0),
            weekly: Some(Recurrence { until: Some(date(2026, 9, 1)), except: BTreeSet::new() }),
        };
        assert_eq!(occurrences(&backwards, n), Err(BookingError::RecurrenceEndsBeforeStart));
        let endless = When { weekly: Some(Recurrence { until: Some(date(2027, 9, 30)), except: BTreeSet::new() }), ..backwards };
        assert_eq!(occurrences(&endless, n), Err(BookingError::TooManyOccurrences));
    }

    #[test]
    fn titles_and_capacities() {
        assert_eq!(check_title("  Conseil pédagogique "), Ok("Conseil pédagogique".into()));
        assert_eq!(check_title("   "), Err(BookingError::TitleMissing));
        assert_eq!(check_title("a\u{7}b"), Err(BookingError::TitleControl));
        assert_eq!(check_title(&"é".repeat(MAX_TITLE_CHARS + 1)), Err(BookingError::TitleTooLong));
        assert_eq!(check_capacity(0), Err(BookingError::BadCapacity));
        assert_eq!(check_capacity(MAX_CAPACITY + 1), Err(BookingError::BadCapacity));
        assert_eq!(check_capacity(DEFAULT_CAPACITY), Ok(10));
        // The organizer counts: capacity 3 holds the organizer and two invitees.
        assert_eq!(check_fits(3, 2), Ok(()));
        assert_eq!(check_fits(3, 3), Err(BookingError::OverCapacity { capacity: 3, wanted: 4 }));
        assert_eq!(
            BookingError::OverCapacity { capacity: 3, wanted: 4 }.to_string(),
            "la salle accueille au plus 3 personnes ; il en faudrait 4, organisateur compris"
        );
        for k in MeetingRoomKind::ALL {
            assert_eq!(MeetingRoomKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(MeetingRoomKind::parse("salle"), None);
    }

    #[test]
    fn conflicts_on_the_room_or_the_organizer_name_the_earliest_clash() {
        let h = |hour: i8| instant(at(2026, 9, 15, hour, 0)).unwrap();
        let taken = vec![
            Taken { booking: "b1", room: "salle A", organizer: "mme X", slot: Slot { start: h(14), end: h(15) } },
            Taken { booking: "b2", room: "salle B", organizer: "m. Y", slot: Slot { start: h(10), end: h(11) } },
            Taken { booking: "b3", room: "salle C", organizer: "m. Z", slot: Slot { start: h(9), end: h(12) } },
        ];
        let ask = |start: i8, end: i8, room: &'static str, who: &'static str, editing: Option<&'static str>| {
            first_conflict(&[Slot { start: h(start), end: h(end) }], &room, &who, editing.as_ref(), &taken).map(|(c, t)| (c, t.booking))
        };
        // Back to back is no conflict (half-open slots).
        assert_eq!(ask(15, 16, "salle A", "m. Y", None), None);
        assert_eq!(ask(13, 15, "salle A", "m. W", None), Some((Clash::Room, "b1")));
        assert_eq!(ask(10, 11, "salle D", "m. Y", None), Some((Clash::Organizer, "b2")));
        // Two clashes: the earlier one is named.
        assert_eq!(ask(9, 15, "salle A", "m. Y", None), Some((Clash::Organizer, "b2")));
        // Editing a booking does not clash with itself.
        assert_eq!(ask(14, 16, "salle A", "mme X", Some("b1")), None);
        // Another room and another organizer at the same time: fine.
        assert_eq!(ask(10, 11, "salle D", "m. W", None), None);
    }

    #[test]
    fn a_live_room_opens_a_quarter_of_an_hour_early_and_closes_half_an_hour_late() {
        let when = When {
            start: at(2026, 9, 15, 17, 0),
            end: at(2026, 9, 15, 18, 0),
            weekly: Some(Recurrence { until: Some(date(2026, 9, 22)), except: BTreeSet::new() }),
        };
        let slots = occurrences(&when, now()).unwrap();
        let t = |d: i8, h: i8, m: i8| instant(at(2026, 9, d, h, m)).unwrap();
        assert_eq!(open_slot(&slots, t(15, 16, 44)), None);
        assert_eq!(open_slot(&slots, t(15, 16, 45)), Some(slots[0]));
        assert_eq!(open_slot(&slots, t(15, 18, 29)), Some(slots[0]));
        assert_eq!(open_slot(&slots, t(15, 18, 30)), None, "closed between two weeks");
        assert_eq!(next_slot(&slots, t(15, 18, 30)), Some(slots[1]));
        assert_eq!(open_slot(&slots, t(22, 17, 30)), Some(slots[1]));
        assert_eq!(next_slot(&slots, t(22, 18, 30)), None);
        assert_eq!(link_expiry(&slots), t(22, 18, 30), "a guest's link ends with the series");
        let b = Booking {
            id: "01jbq6m5c6x0n1r4k9q2w3e4t5".parse().unwrap(),
            room: "01jbq6m5c6x0n1r4k9q2w3e4t6".parse().unwrap(),
            organizer: "01jbq6m5c6x0n1r4k9q2w3e4t7".parse().unwrap(),
            title: "Conseil pédagogique".into(),
            when,
            sequence: 0,
            cancelled: false,
            invitees: vec![],
            guests: vec![],
        };
        assert_eq!(b.live_room().as_str(), b.id.as_str());
    }

    #[test]
    fn pins_have_nine_digits_and_typed_ones_are_tidied() {
        for r in [0, 1, u64::MAX, 123_456_789, 899_999_999, 900_000_000] {
            let pin = new_pin(r);
            assert_eq!(pin.len(), PIN_DIGITS, "{pin}");
            assert!(!pin.starts_with('0'));
            assert_eq!(clean_pin(&pin), Some(pin.clone()));
        }
        assert_ne!(new_pin(1), new_pin(2));
        assert_eq!(clean_pin(" 123 456 789 "), Some("123456789".into()));
        assert_eq!(clean_pin("12.34.56"), Some("123456".into()));
        for bad in ["12345", "1234567890", "12345a", "", "١٢٣٤٥٦"] {
            assert_eq!(clean_pin(bad), None, "{bad}");
        }
    }

    #[test]
    fn free_times_are_the_gaps_of_a_quarter_of_an_hour_or_more() {
        let m = |h: i64, min: i64| (h * 60 + min) * 60_000;
        let day = Slot { start: m(7, 0), end: m(20, 0) };
        assert_eq!(free_times(&[], day), [day]);
        let booked = [
            Slot { start: m(9, 0), end: m(10, 0) },
            Slot { start: m(9, 30), end: m(11, 0) },  // overlapping bookings merge
            Slot { start: m(11, 10), end: m(12, 0) }, // a 10-minute gap is no free time
            Slot { start: m(6, 0), end: m(7, 30) },   // starting before the day
            Slot { start: m(19, 50), end: m(21, 0) }, // ending after it
        ];
        assert_eq!(
            free_times(&booked, day),
            [Slot { start: m(7, 30), end: m(9, 0) }, Slot { start: m(12, 0), end: m(19, 50) }]
        );
        assert!(free_times(&[Slot { start: m(6, 0), end: m(21, 0) }], day).is_empty());
    }
}
