-- Audio conferences: each booking in an audio-conference room has a participant PIN and a host
-- PIN, unique among all PINs (the PIN alone finds the conference, as on a phone bridge).

CREATE TABLE conference_pins (
    pin        TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    host       INTEGER NOT NULL,
    UNIQUE (booking_id, host)
) STRICT;

-- What happened in a live room: each session (from the first arrival to the last departure)
-- and who was there when, written when the session ends. The report of a meeting.

CREATE TABLE live_sessions (
    id         INTEGER PRIMARY KEY,
    room_id    TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX live_sessions_room ON live_sessions (room_id, started_at);

CREATE TABLE live_attendance (
    session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    -- An account, or null for someone who came by a link or a PIN.
    person_id  TEXT,
    host       INTEGER NOT NULL,
    joined_at  INTEGER NOT NULL,
    left_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX live_attendance_session ON live_attendance (session_id);
