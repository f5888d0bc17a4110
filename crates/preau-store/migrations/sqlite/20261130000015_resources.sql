-- Class resources: folders of documents per division or group and subject. The documents are
-- attachments ('resource') of their folder; the folder named '' is the subject's root.

CREATE TABLE resource_folders (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    division_id      TEXT REFERENCES divisions(id),
    group_id         TEXT REFERENCES teaching_groups(id),
    subject_id       TEXT NOT NULL REFERENCES subjects(id),
    name             TEXT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES people(id),
    created_at       INTEGER NOT NULL,
    CHECK ((division_id IS NULL) <> (group_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX resource_folders_name ON resource_folders (coalesce(division_id, group_id), subject_id, name);
CREATE INDEX resource_folders_establishment ON resource_folders (establishment_id);
