-- Meeting rooms and their bookings. A booking keeps what was asked, in the school's wall-clock
-- time (Europe/Paris, 'YYYY-MM-DDTHH:MM:SS'), and its occurrences as instants (epoch ms,
-- half-open) for conflict queries and calendars; a cancelled booking keeps its row (its
-- invitations must be cancelled with the same UID and a higher SEQUENCE) and loses its
-- occurrences.

CREATE TABLE meeting_rooms (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    -- "Salle A" and "salle a" are the same room to the people booking it.
    name             TEXT NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 200),
    kind             TEXT NOT NULL CHECK (kind IN ('video', 'staff_only', 'audio_conference')),
    capacity         INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 300),
    created_at       INTEGER NOT NULL,
    UNIQUE (establishment_id, name)
) STRICT;

CREATE TABLE bookings (
    id           TEXT PRIMARY KEY,
    room_id      TEXT NOT NULL REFERENCES meeting_rooms(id),
    organizer_id TEXT NOT NULL REFERENCES people(id),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    start_local  TEXT NOT NULL,
    end_local    TEXT NOT NULL,
    weekly       INTEGER NOT NULL CHECK (weekly IN (0, 1)),
    until_date   TEXT,
    sequence     INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    cancelled_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CHECK (weekly = 1 OR until_date IS NULL)
) STRICT;
CREATE INDEX bookings_by_organizer ON bookings(organizer_id);

CREATE TABLE booking_exceptions (
    booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    PRIMARY KEY (booking_id, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE booking_occurrences (
    booking_id   TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    room_id      TEXT NOT NULL REFERENCES meeting_rooms(id),
    organizer_id TEXT NOT NULL REFERENCES people(id),
    start_ms     INTEGER NOT NULL,
    end_ms       INTEGER NOT NULL CHECK (end_ms > start_ms),
    PRIMARY KEY (booking_id, start_ms)
) STRICT, WITHOUT ROWID;
CREATE INDEX occurrences_by_room ON booking_occurrences(room_id, start_ms);
CREATE INDEX occurrences_by_organizer ON booking_occurrences(organizer_id, start_ms);

CREATE TABLE booking_invitees (
    booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    person_id  TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (booking_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX invitees_by_person ON booking_invitees(person_id);

CREATE TABLE booking_guests (
    booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    email      TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    PRIMARY KEY (booking_id, email)
) STRICT, WITHOUT ROWID;
