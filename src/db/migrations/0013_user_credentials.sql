-- Schema 13: a user's professional credentials (e.g. "RMT"), shown after their name wherever
-- they appear on records. Empty when none.
ALTER TABLE users ADD COLUMN credentials TEXT NOT NULL DEFAULT ''
    CHECK (length(credentials) <= 40);
