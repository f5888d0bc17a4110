-- A booking's guests' link is signed over this number, raised when a guest is taken off the
-- list: the links given before stop working (the guests still invited get the new one).
ALTER TABLE bookings ADD COLUMN link_version INTEGER NOT NULL DEFAULT 0;
