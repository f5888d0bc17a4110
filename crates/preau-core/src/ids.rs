//! Opaque identifiers. Every id that reaches a URL is a ULID: 48 bits of time and 80 random
//! bits, so ids cannot be guessed by counting. The caller supplies both parts.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identifiant invalide")]
pub struct IdError;

macro_rules! opaque_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A new id from the current time and 80 bits of randomness, both given by the caller.
            pub fn new(now_ms: crate::Millis, random: u128) -> Self {
                let ulid = ulid::Ulid::from_parts(now_ms.max(0) as u64, random);
                Self(ulid.to_string().to_ascii_lowercase())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The time the id was made at (its first 48 bits).
            pub fn timestamp_ms(&self) -> crate::Millis {
                ulid::Ulid::from_string(&self.0).map_or(0, |u| u.timestamp_ms() as crate::Millis)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                let ulid = ulid::Ulid::from_string(s).map_err(|_| IdError)?;
                let text = ulid.to_string().to_ascii_lowercase();
                // Values past 128 bits decode with an overflow: only a faithful round trip counts.
                if !text.eq_ignore_ascii_case(s) {
                    return Err(IdError);
                }
                Ok(Self(text))
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    )*};
}

opaque_id! {
    /// An establishment (collège, lycée), known nationally by its UAI.
    EstablishmentId;
    /// A person: pupil, parent, teacher, staff, principal, admin or guest.
    PersonId;
    /// A division: a class such as "4e B".
    DivisionId;
    /// A teaching group across classes (a language group, an option).
    GroupId;
    /// A subject taught (mathématiques, anglais…).
    SubjectId;
    /// A meeting room of an establishment (video, staff-only or audio conference).
    MeetingRoomId;
    /// A booking of a meeting room: one meeting or a weekly series.
    BookingId;
    /// A virtual classroom: a division's or a group's permanent one, or an ad-hoc room.
    RoomId;
    /// A recording of a meeting's audio; its file in the data directory has this name.
    RecordingId;
    /// Homework set to a division or a group.
    HomeworkId;
    /// What a pupil handed in for a homework.
    SubmissionId;
    /// A conversation of the messaging.
    ConversationId;
    /// One message of a conversation.
    MessageId;
    /// A weekly course of the timetable.
    CourseId;
    /// An announcement to the establishment or a class.
    AnnouncementId;
    /// A folder of a class's resources.
    FolderId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_junk() {
        let id = PersonId::new(1_700_000_000_000, 0x1234_5678_9abc_def0_1234);
        let parsed: PersonId = id.as_str().parse().unwrap();
        assert_eq!(parsed, id);
        assert_eq!(id.as_str().len(), 26);
        // Upper case is accepted and normalised.
        assert_eq!(id.as_str().to_uppercase().parse::<PersonId>().unwrap(), id);
        for junk in ["", "1", "../etc/passwd", "zzzzzzzzzzzzzzzzzzzzzzzzzz", "01arz3ndektsv4rrffq69g5fa"] {
            assert!(junk.parse::<PersonId>().is_err(), "{junk:?} accepted");
        }
    }

    #[test]
    fn ids_differ_by_their_random_part() {
        assert_ne!(DivisionId::new(5, 1), DivisionId::new(5, 2));
    }
}
