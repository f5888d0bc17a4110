//! Préau's domain core: the school model, the one authorization policy, password rules,
//! login throttling, the booking rules of meeting rooms and the demo school.
//!
//! Architecture invariant: nothing here does IO, spawns, reads the clock or draws randomness.
//! Time (epoch milliseconds) and random bytes are passed in by the caller, so every rule is a
//! plain function that tests can drive deterministically.

pub mod announcements;
pub mod booking;
pub mod demo;
pub mod files;
pub mod homework;
pub mod ical;
pub mod messaging;
pub mod ids;
pub mod password;
pub mod policy;
pub mod school;
pub mod throttle;
pub mod timetable;

pub use ids::{AnnouncementId, BookingId, ConversationId, CourseId, FolderId, MessageId, DivisionId, EstablishmentId, GroupId, IdError, HomeworkId, MeetingRoomId, PersonId, RecordingId, RoomId, SubjectId, SubmissionId};
pub use policy::{Action, Actor, Decision, Target};
pub use school::{Role, RoleSet};

/// Milliseconds since the Unix epoch, the one time unit of the core and the store.
pub type Millis = i64;
