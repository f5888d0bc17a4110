-- The timetable: weekly courses of divisions and groups, and what became of single lessons
-- (cancelled, or held as a virtual class) on given dates.

CREATE TABLE courses (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    subject_id       TEXT NOT NULL REFERENCES subjects(id),
    teacher_id       TEXT NOT NULL REFERENCES people(id),
    division_id      TEXT REFERENCES divisions(id),
    group_id         TEXT REFERENCES teaching_groups(id),
    room             TEXT NOT NULL,
    -- ISO weekday, Monday = 1.
    weekday          INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_time       TEXT NOT NULL,
    end_time         TEXT NOT NULL,
    -- '' every week, 'A' or 'B'.
    weeks            TEXT NOT NULL CHECK (weeks IN ('', 'A', 'B')),
    CHECK ((division_id IS NULL) <> (group_id IS NULL))
) STRICT;
CREATE INDEX courses_establishment ON courses (establishment_id, weekday);
CREATE INDEX courses_teacher ON courses (teacher_id);
CREATE INDEX courses_division ON courses (division_id);
CREATE INDEX courses_group ON courses (group_id);

CREATE TABLE lesson_changes (
    course_id  TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    lesson_date TEXT NOT NULL,
    change     TEXT NOT NULL CHECK (change IN ('cancelled', 'virtual')),
    changed_by TEXT NOT NULL REFERENCES people(id),
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (course_id, lesson_date)
) STRICT;
