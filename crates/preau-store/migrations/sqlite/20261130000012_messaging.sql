-- Messaging: conversations between people of one establishment, and the establishment's
-- communication rules (who pupils and parents may write to; the staff write to anyone).

CREATE TABLE communication_rules (
    establishment_id     TEXT PRIMARY KEY REFERENCES establishments(id),
    pupils_to_teachers   INTEGER NOT NULL,
    pupils_to_classmates INTEGER NOT NULL,
    pupils_to_staff      INTEGER NOT NULL,
    parents_to_teachers  INTEGER NOT NULL,
    parents_to_staff     INTEGER NOT NULL,
    parents_to_parents   INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    subject          TEXT NOT NULL,
    started_by       TEXT NOT NULL REFERENCES people(id),
    started_at       INTEGER NOT NULL,
    last_at          INTEGER NOT NULL
) STRICT;

-- Who is in a conversation, what they have read (up to when) and whether they archived it.
CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    person_id       TEXT NOT NULL REFERENCES people(id),
    read_at         INTEGER NOT NULL,
    archived        INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, person_id)
) STRICT;
CREATE INDEX conversation_members_person ON conversation_members (person_id, archived);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    author_id       TEXT NOT NULL REFERENCES people(id),
    body            TEXT NOT NULL,
    sent_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages (conversation_id, sent_at);
