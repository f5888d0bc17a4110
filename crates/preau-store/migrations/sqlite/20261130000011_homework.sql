-- The homework diary (cahier de textes): homework set to a division or a group, what pupils
-- hand in, the teacher's feedback, and the files attached to any of them.

-- Files, by the SHA-256 of their content: `files/<2 hex>/<62 hex>` in the data directory,
-- written (temp file, fsync, rename) before the transaction that adds the row, so a row never
-- names a file that is not complete on disk. The same content is kept once.
CREATE TABLE files (
    sha256       TEXT PRIMARY KEY,
    bytes        INTEGER NOT NULL,
    -- Judged from the content when it was uploaded.
    content_type TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE homework (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    division_id      TEXT REFERENCES divisions(id),
    group_id         TEXT REFERENCES teaching_groups(id),
    subject_id       TEXT NOT NULL REFERENCES subjects(id),
    teacher_id       TEXT NOT NULL REFERENCES people(id),
    -- The lesson's day (civil date) and when it is due (Europe/Paris wall-clock time, and
    -- the instant, for ordering and deadlines).
    set_on           TEXT NOT NULL,
    due_local        TEXT NOT NULL,
    due_at           INTEGER NOT NULL,
    instructions     TEXT NOT NULL,
    minutes          INTEGER,
    publish_at       INTEGER NOT NULL,
    hand_in          INTEGER NOT NULL,
    late_allowed     INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    CHECK ((division_id IS NULL) <> (group_id IS NULL))
) STRICT;
CREATE INDEX homework_division ON homework (division_id, due_at);
CREATE INDEX homework_group ON homework (group_id, due_at);
CREATE INDEX homework_teacher ON homework (teacher_id, due_at);

-- A pupil's ticks: "fait".
CREATE TABLE homework_done (
    homework_id TEXT NOT NULL REFERENCES homework(id) ON DELETE CASCADE,
    pupil_id    TEXT NOT NULL REFERENCES people(id),
    done_at     INTEGER NOT NULL,
    PRIMARY KEY (homework_id, pupil_id)
) STRICT;

-- What a pupil handed in (one per pupil and homework; handed in again, it is replaced), and
-- the teacher's feedback.
CREATE TABLE submissions (
    id           TEXT PRIMARY KEY,
    homework_id  TEXT NOT NULL REFERENCES homework(id) ON DELETE CASCADE,
    pupil_id     TEXT NOT NULL REFERENCES people(id),
    text         TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    late         INTEGER NOT NULL,
    feedback     TEXT,
    returned_at  INTEGER,
    UNIQUE (homework_id, pupil_id)
) STRICT;

-- Files attached to a homework (role 'homework'), to a submission ('work') or to its
-- feedback ('feedback'), to a message ('message'), or kept in a class's resource folder
-- ('resource'), under the name they were uploaded with.
CREATE TABLE attachments (
    owner_id TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('homework', 'work', 'feedback', 'message', 'resource')),
    sha256   TEXT NOT NULL REFERENCES files(sha256),
    name     TEXT NOT NULL,
    PRIMARY KEY (owner_id, role, sha256)
) STRICT;
CREATE INDEX attachments_file ON attachments (sha256);
