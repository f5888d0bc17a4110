-- The school model, accounts and sessions. Ids are ULID text (opaque, not sequences);
-- times are epoch milliseconds.

CREATE TABLE establishments (
    id          TEXT PRIMARY KEY,
    uai         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    academie    TEXT NOT NULL
) STRICT;

CREATE TABLE people (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    login            TEXT NOT NULL UNIQUE,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    password_hash    TEXT,
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    locale           TEXT CHECK (locale IN ('fr', 'en')),
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX people_by_name ON people(establishment_id, last_name, first_name);

CREATE TABLE person_roles (
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('pupil', 'parent', 'teacher', 'staff', 'principal', 'admin', 'guest')),
    PRIMARY KEY (person_id, role)
) STRICT, WITHOUT ROWID;
CREATE INDEX person_roles_by_role ON person_roles(role, person_id);

CREATE TABLE subjects (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    UNIQUE (establishment_id, code)
) STRICT;

CREATE TABLE divisions (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    name             TEXT NOT NULL,
    level            TEXT NOT NULL,
    head_teacher_id  TEXT REFERENCES people(id),
    UNIQUE (establishment_id, name)
) STRICT;

CREATE TABLE teaching_groups (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    name             TEXT NOT NULL,
    UNIQUE (establishment_id, name)
) STRICT;

CREATE TABLE enrolments (
    pupil_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    division_id TEXT NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
    PRIMARY KEY (pupil_id, division_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX enrolments_by_division ON enrolments(division_id, pupil_id);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES teaching_groups(id) ON DELETE CASCADE,
    pupil_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, pupil_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_members_by_pupil ON group_members(pupil_id, group_id);

CREATE TABLE parent_links (
    parent_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    pupil_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (parent_id, pupil_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX parent_links_by_pupil ON parent_links(pupil_id, parent_id);

CREATE TABLE teaching_assignments (
    teacher_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    subject_id  TEXT NOT NULL REFERENCES subjects(id),
    division_id TEXT REFERENCES divisions(id) ON DELETE CASCADE,
    group_id    TEXT REFERENCES teaching_groups(id) ON DELETE CASCADE,
    CHECK ((division_id IS NULL) <> (group_id IS NULL)),
    UNIQUE (teacher_id, subject_id, division_id, group_id)
) STRICT;
CREATE INDEX assignments_by_teacher ON teaching_assignments(teacher_id);
CREATE INDEX assignments_by_division ON teaching_assignments(division_id);

-- Only a hash of the session token is kept: a stolen database does not yield live sessions.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    person_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT NOT NULL,
    ip           TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_person ON sessions(person_id);

-- Who did what to whom: account administration and, later, staff access to personal data.
CREATE TABLE audit_log (
    at        INTEGER NOT NULL,
    actor_id  TEXT REFERENCES people(id) ON DELETE SET NULL,
    action    TEXT NOT NULL,
    target_id TEXT,
    detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log(at);
