-- Secret keys the server signs with (guests' links to meetings), made once at random and kept
-- here so that every restart — and, later, every node — signs and checks alike.

CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    key        BLOB NOT NULL CHECK (length(key) = 32),
    created_at INTEGER NOT NULL
) STRICT;
