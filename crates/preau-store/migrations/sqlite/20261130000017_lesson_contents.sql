-- The homework diary's other half: what a lesson covered, written by its teacher.

CREATE TABLE lesson_contents (
    course_id   TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    lesson_date TEXT NOT NULL,
    content     TEXT NOT NULL,
    written_by  TEXT NOT NULL REFERENCES people(id),
    written_at  INTEGER NOT NULL,
    PRIMARY KEY (course_id, lesson_date)
) STRICT;
