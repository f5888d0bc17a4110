-- E-mail waiting to leave: written in the same transaction as the change it tells about (a
-- booking saved or cancelled), sent by a background task with retries. A row names what to
-- tell (`kind`, `about`: a booking's id) and whom; the message itself is composed when it is
-- sent, from the thing as it is then, so a later change supersedes an unsent one.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    about           TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Raised by each change merged into the row while it waits: a send composed before the
    -- change does not mark the row sent.
    revision        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
) STRICT;

-- One pending message per thing and recipient: a second change before sending adds nothing.
CREATE UNIQUE INDEX outbox_pending ON outbox (kind, about, recipient) WHERE sent_at IS NULL;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
