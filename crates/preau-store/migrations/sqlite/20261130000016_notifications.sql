-- Notifications: what happened for someone (homework set, a message, feedback returned), in
-- their list from `shown_at` on; and the daily digest e-mail of the unread ones.

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people(id),
    kind       TEXT NOT NULL CHECK (kind IN ('homework', 'message', 'feedback')),
    -- What it is about, as its page names it (a subject, a message's subject).
    label      TEXT NOT NULL,
    link       TEXT NOT NULL,
    shown_at   INTEGER NOT NULL,
    read_at    INTEGER,
    -- When a digest e-mail told of it.
    mailed_at  INTEGER
) STRICT;
CREATE INDEX notifications_person ON notifications (person_id, shown_at);

-- The daily digest: NULL follows the role's default (off for pupils, on for everyone else
-- with an address), 0 off, 1 on.
ALTER TABLE people ADD COLUMN digest INTEGER;
