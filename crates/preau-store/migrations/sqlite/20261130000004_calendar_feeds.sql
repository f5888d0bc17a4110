-- A person's calendar feed: one secret address at most, of which only the SHA-256 is kept
-- (like sessions). Making a new one replaces the old; deleting the row revokes it.

CREATE TABLE calendar_feeds (
    person_id  TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;
