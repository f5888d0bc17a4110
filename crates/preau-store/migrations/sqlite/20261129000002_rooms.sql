-- Virtual classrooms. Each division and each teaching group has exactly one permanent room
-- (created by `ensure_class_rooms`); teachers and staff open ad-hoc rooms besides. A class
-- room's title follows its division's or group's name; the stored one is a fallback.

CREATE TABLE rooms (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    kind             TEXT NOT NULL CHECK (kind IN ('division', 'group', 'adhoc')),
    division_id      TEXT UNIQUE REFERENCES divisions(id) ON DELETE CASCADE,
    group_id         TEXT UNIQUE REFERENCES teaching_groups(id) ON DELETE CASCADE,
    created_by       TEXT REFERENCES people(id) ON DELETE CASCADE,
    title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    created_at       INTEGER NOT NULL,
    CHECK (CASE kind
        WHEN 'division' THEN division_id IS NOT NULL AND group_id IS NULL AND created_by IS NULL
        WHEN 'group'    THEN group_id IS NOT NULL AND division_id IS NULL AND created_by IS NULL
        ELSE created_by IS NOT NULL AND division_id IS NULL AND group_id IS NULL
    END)
) STRICT;
CREATE INDEX rooms_by_establishment ON rooms(establishment_id, kind);
CREATE INDEX rooms_by_creator ON rooms(created_by) WHERE created_by IS NOT NULL;
