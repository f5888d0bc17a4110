-- Recordings of meetings' mixed audio. The file is `recordings/<id>.opus` in the data
-- directory; the row is written when the recording starts, completed when it ends. A row
-- left without an end was cut short by a stop of the server: its file plays up to that point.

CREATE TABLE recordings (
    id          TEXT PRIMARY KEY,
    booking_id  TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    -- Who started it, as shown on the meeting's page.
    started_by  TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    duration_ms INTEGER,
    bytes       INTEGER
) STRICT;
CREATE INDEX recordings_booking ON recordings (booking_id, started_at);
CREATE INDEX recordings_started ON recordings (started_at);
