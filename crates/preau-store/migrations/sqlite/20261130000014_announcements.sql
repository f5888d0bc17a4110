-- Announcements to the whole establishment (no division) or to one division, shown during
-- their publication period.

CREATE TABLE announcements (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    division_id      TEXT REFERENCES divisions(id),
    author_id        TEXT NOT NULL REFERENCES people(id),
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    shown_from       INTEGER NOT NULL,
    shown_until      INTEGER NOT NULL
) STRICT;
CREATE INDEX announcements_establishment ON announcements (establishment_id, shown_until);
