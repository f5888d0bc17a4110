//! The homework diary (cahier de textes): homework a teacher sets a division or a group in a
//! subject, for a day, published from a given moment, to hand in or not; what a pupil hands in,
//! and when it counts as late. Pure rules: time is passed in.

use crate::booking::{Date, DateTime};
use crate::school::Audience;
use crate::{HomeworkId, Millis, PersonId, SubjectId, SubmissionId};

/// Longest instructions, in characters.
pub const MAX_INSTRUCTIONS: usize = 5000;
/// Longest text handed in, or feedback, in characters.
pub const MAX_TEXT: usize = 10_000;
/// Most estimated minutes of work.
pub const MAX_MINUTES: u16 = 600;
/// Furthest a due date may be from the day the homework is set.
pub const MAX_AHEAD_DAYS: i64 = 366;

/// Whether the homework is handed in on Préau, and whether a late hand-in is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandIn {
    No,
    Yes { late_allowed: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Homework {
    pub id: HomeworkId,
    pub audience: Audience,
    pub subject: SubjectId,
    pub teacher: PersonId,
    /// The day of the lesson it was set in.
    pub set_on: Date,
    pub instructions: String,
    /// When it is due (Europe/Paris wall-clock time): what is handed in after is late.
    pub due: DateTime,
    /// The teacher's estimate of the work, in minutes.
    pub minutes: Option<u16>,
    /// Pupils and parents see it from then on.
    pub publish_at: Millis,
    pub hand_in: HandIn,
}

/// Something a pupil handed in (the files are listed by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub id: SubmissionId,
    pub homework: HomeworkId,
    pub pupil: PersonId,
    pub text: String,
    pub submitted_at: Millis,
    pub late: bool,
    /// The teacher's answer, once returned.
    pub feedback: Option<String>,
    pub returned_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HomeworkError {
    #[error("les consignes sont obligatoires")]
    InstructionsMissing,
    #[error("les consignes sont trop longues ({MAX_INSTRUCTIONS} caractères au plus)")]
    InstructionsTooLong,
    #[error("le travail doit être pour le jour de la séance ou après")]
    DueBeforeSet,
    #[error("la date de remise est trop lointaine (un an au plus)")]
    DueTooFar,
    #[error("la durée estimée va de 1 à {MAX_MINUTES} minutes")]
    BadMinutes,
    #[error("la publication doit précéder la date de remise")]
    PublishedAfterDue,
    #[error("cet horaire n'existe pas à cette date")]
    BadLocalTime,
}

impl Homework {
    /// Checks what a teacher asked; instructions are trimmed.
    pub fn check(&mut self) -> Result<(), HomeworkError> {
        self.instructions = self.instructions.trim().to_owned();
        if self.instructions.is_empty() {
            return Err(HomeworkError::InstructionsMissing);
        }
        if self.instructions.chars().count() > MAX_INSTRUCTIONS {
            return Err(HomeworkError::InstructionsTooLong);
        }
        if self.due.date() < self.set_on {
            return Err(HomeworkError::DueBeforeSet);
        }
        if self.set_on.until(self.due.date()).map_or(true, |span| i64::from(span.get_days()) > MAX_AHEAD_DAYS) {
            return Err(HomeworkError::DueTooFar);
        }
        if self.minutes.is_some_and(|m| m == 0 || m > MAX_MINUTES) {
            return Err(HomeworkError::BadMinutes);
        }
        if self.publish_at >= self.due_at()? {
            return Err(HomeworkError::PublishedAfterDue);
        }
        Ok(())
    }

    /// The instant it is due.
    pub fn due_at(&self) -> Result<Millis, HomeworkError> {
        crate::booking::instant(self.due).map_err(|_| HomeworkError::BadLocalTime)
    }

    /// Whether pupils and parents see it at `now`.
    pub fn published(&self, now: Millis) -> bool {
        self.publish_at <= now
    }

    /// Whether a hand-in at `now` is taken, and if so whether it is late. `None`: not taken
    /// (nothing to hand in, or too late for this homework).
    pub fn takes_hand_in(&self, now: Millis) -> Option<bool> {
        let HandIn::Yes { late_allowed } = self.hand_in else { return None };
        let late = self.due_at().map_or(true, |due| now > due);
        (!late || late_allowed).then_some(late)
    }
}

/// Checks a text handed in or returned: trimmed, at most [`MAX_TEXT`] characters.
pub fn check_text(text: &str) -> Result<String, HomeworkError> {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(HomeworkError::InstructionsTooLong);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionId;
    use jiff::civil::date;

    fn homework() -> Homework {
        Homework {
            id: HomeworkId::new(1, 1),
            audience: Audience::Division(DivisionId::new(1, 2)),
            subject: SubjectId::new(1, 3),
            teacher: PersonId::new(1, 4),
            set_on: date(2026, 3, 16),
            instructions: "  Exercices 3 et 4 page 52.  ".into(),
            due: date(2026, 3, 19).at(8, 0, 0, 0),
            minutes: Some(30),
            publish_at: crate::booking::instant(date(2026, 3, 16).at(17, 0, 0, 0)).unwrap(),
            hand_in: HandIn::Yes { late_allowed: false },
        }
    }

    #[test]
    fn homework_is_checked_and_its_instructions_trimmed() {
        let mut h = homework();
        h.check().unwrap();
        assert_eq!(h.instructions, "Exercices 3 et 4 page 52.");
        type Change = fn(&mut Homework);
        let cases: [(Change, HomeworkError); 6] = [
            (|h| h.instructions = " \n ".into(), HomeworkError::InstructionsMissing),
            (|h| h.instructions = "é".repeat(MAX_INSTRUCTIONS + 1), HomeworkError::InstructionsTooLong),
            (|h| h.due = date(2026, 3, 15).at(8, 0, 0, 0), HomeworkError::DueBeforeSet),
            (|h| h.due = date(2027, 3, 20).at(8, 0, 0, 0), HomeworkError::DueTooFar),
            (|h| h.minutes = Some(0), HomeworkError::BadMinutes),
            (|h| h.publish_at = crate::booking::instant(date(2026, 3, 19).at(9, 0, 0, 0)).unwrap(), HomeworkError::PublishedAfterDue),
        ];
        for (change, error) in cases {
            let mut h = homework();
            change(&mut h);
            assert_eq!(h.check(), Err(error));
        }
        // Due on the day it is set (for the end of the lesson) is fine.
        let mut h = homework();
        h.due = date(2026, 3, 16).at(18, 0, 0, 0);
        assert_eq!(h.check(), Ok(()));
    }

    #[test]
    fn a_hand_in_after_the_due_time_is_late_and_taken_only_if_allowed() {
        let mut h = homework();
        let due = h.due_at().unwrap();
        assert_eq!(h.takes_hand_in(due - 1), Some(false));
        assert_eq!(h.takes_hand_in(due), Some(false), "at the due time exactly: on time");
        assert_eq!(h.takes_hand_in(due + 1), None, "late, and lateness refused");
        h.hand_in = HandIn::Yes { late_allowed: true };
        assert_eq!(h.takes_hand_in(due + 1), Some(true), "late, taken and flagged");
        h.hand_in = HandIn::No;
        assert_eq!(h.takes_hand_in(due - 1), None, "nothing to hand in on Préau");
        assert!(!h.published(h.publish_at - 1) && h.published(h.publish_at));
    }

    #[test]
    fn the_due_time_is_paris_time_across_daylight_saving() {
        let mut h = homework();
        // Sunday 29 March 2026 at 2:30 does not exist in Paris.
        h.due = date(2026, 3, 29).at(2, 30, 0, 0);
        assert!(h.due_at().is_ok(), "jiff's compatible disambiguation moves it forward");
        h.due = date(2026, 3, 30).at(8, 0, 0, 0);
        assert_eq!(h.due_at().unwrap(), 1_774_850_400_000, "08:00 CEST is 06:00 UTC");
    }
}
